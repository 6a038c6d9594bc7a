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
}
