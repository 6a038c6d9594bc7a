// doppel's native module, _doppel: the C++ library under the Python package `doppel`. Its
// submodule `datasketch` holds the kernels of doppel.datasketch; the Python facade in
// python/doppel/ is the only user of this module, and the only API promised.
#include <pybind11/pybind11.h>

#include "bindings.h"

PYBIND11_MODULE(_doppel, m) {
  m.doc() = "doppel's native module (private: use the doppel package)";
  pybind11::module_ datasketch =
      m.def_submodule("datasketch", "kernels of doppel.datasketch (private)");
  doppel::python::bind_datasketch_minhash(datasketch);
  doppel::python::bind_datasketch_lsh(datasketch);
  // The exceptions of the jobs, subclasses of ValueError as the input's fault.
  pybind11::object bad_input = pybind11::reinterpret_steal<pybind11::object>(
      PyErr_NewExceptionWithDoc("doppel.BadInputError",
                                "A document could not be read and on_error='fail' stopped the run.",
                                PyExc_ValueError, nullptr));
  pybind11::object no_documents =
      pybind11::reinterpret_steal<pybind11::object>(PyErr_NewExceptionWithDoc(
          "doppel.NoDocumentsError",
          "The inputs hold no document that could be read: nothing to compare.", PyExc_ValueError,
          nullptr));
  m.attr("BadInputError") = bad_input;
  m.attr("NoDocumentsError") = no_documents;
  pybind11::module_ jobs = m.def_submodule("jobs", "doppel.dedup and doppel.reuse (private)");
  doppel::python::bind_jobs(jobs, bad_input, no_documents);
  // Another process (or another doppel.Index in this one) holds the index's writer lock: an
  // OSError, told apart so that a caller can wait, retry or open it read-only.
  pybind11::object index_locked =
      pybind11::reinterpret_steal<pybind11::object>(PyErr_NewExceptionWithDoc(
          "doppel.IndexLockedError",
          "The index is open for writing elsewhere (one writer at a time); the message names the "
          "holder. Open it with read_only=True to query it meanwhile.",
          PyExc_OSError, nullptr));
  m.attr("IndexLockedError") = index_locked;
  pybind11::module_ index = m.def_submodule("index", "doppel.Index (private)");
  doppel::python::bind_index(index, index_locked);
}
