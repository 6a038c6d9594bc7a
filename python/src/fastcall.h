// Builtin functions called without pybind11's dispatcher (METH_FASTCALL | METH_KEYWORDS), for
// the calls a datasketch user makes once per document (MinHashLSH.insert and query,
// MinHash.update_batch): there the dispatcher's overload resolution and argument casters cost
// about a fifth of the call.
#pragma once

#include <pybind11/pybind11.h>

#include <cstddef>
#include <span>

namespace doppel::python {

// Called inside a catch block: sets the Python exception pybind11 would raise for the exception
// being handled (any exception: nothing may leave a C function, it would end the interpreter);
// returns nullptr.
PyObject* raise_current();

// Puts into `out` the arguments of `names` (`required` of them must be given), from the
// positional ones and then the keywords; false with TypeError raised if one is missing, given
// twice or unknown, or there are too many.
bool parse_arguments(const char* function, PyObject* const* args, Py_ssize_t nargs,
                     PyObject* kwnames, std::span<const char* const> names, std::size_t required,
                     PyObject** out);

// `name` as an interned str: an attribute looked up by it matches the (interned) keys of instance
// dictionaries by identity; a str made from a C string each call would be hashed and compared.
pybind11::object interned(const char* name);

// A builtin function of `def` whose C `self` is `self` (a capsule of its state).
pybind11::object builtin_function(PyMethodDef& def, const pybind11::object& self);

// A METH_FASTCALL | METH_KEYWORDS function as PyMethodDef holds it (through void (*)(), the
// cast that -Wcast-function-type allows).
PyCFunction as_cfunction(_PyCFunctionFastWithKeywords f);

}  // namespace doppel::python
