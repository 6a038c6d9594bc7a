// The parts of doppel's native module (_doppel), each bound in its own file.
#pragma once

#include <pybind11/pybind11.h>

namespace doppel::python {

// doppel.datasketch's kernels: SHA-1 token hashes and the classic MinHash (datasketch_minhash.cc).
void bind_datasketch_minhash(pybind11::module_& m);
// The MinHashLSH index (datasketch_lsh.cc).
void bind_datasketch_lsh(pybind11::module_& m);

}  // namespace doppel::python
