// The parts of doppel's native module (_doppel), each bound in its own file.
#pragma once

#include <pybind11/pybind11.h>

namespace doppel::python {

// doppel.datasketch's kernels: SHA-1 token hashes and the classic MinHash (datasketch_minhash.cc).
void bind_datasketch_minhash(pybind11::module_& m);
// The MinHashLSH index (datasketch_lsh.cc).
void bind_datasketch_lsh(pybind11::module_& m);
// doppel.dedup and doppel.reuse (jobs.cc); the exception classes a failed run raises.
void bind_jobs(pybind11::module_& m, pybind11::object bad_input_error,
               pybind11::object no_documents_error);
// doppel.Index (index.cc); the exception class a refused writer lock raises.
void bind_index(pybind11::module_& m, pybind11::object index_locked_error);

}  // namespace doppel::python
