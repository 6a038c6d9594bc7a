// doppel.datasketch's MinHash kernels: tokens read from Python objects exactly as datasketch's
// sha1_hash32 (hashlib) reads them, hashed and folded into signatures by
// sketch/classic_minhash.h with the GIL released.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bindings.h"
#include "fastcall.h"
#include "sketch/classic_minhash.h"
#include "sketch/sha1_batch.h"

namespace py = pybind11;

namespace doppel::python {
namespace {

using U64Array = py::array_t<std::uint64_t, py::array::c_style | py::array::forcecast>;

// A batch of documents' tokens, read so that hashing can run without the GIL. A bytes object
// (immutable) is held by a new reference and hashed in place; any other buffer (a bytearray, a
// memoryview: mutable, and resizable by another thread once the GIL is released) has its bytes
// copied into the batch. Holding a reference costs less than copying: the copies were a sixth of
// update_batch's time on 20 Newsgroups' 5-grams.
class TokenBatch {
 public:
  TokenBatch() = default;
  TokenBatch(const TokenBatch&) = delete;
  TokenBatch& operator=(const TokenBatch&) = delete;
  ~TokenBatch() { clear(); }  // with the GIL held, as every use of a batch is

  void add_bytes(PyObject* bytes) {
    views_.emplace_back(PyBytes_AS_STRING(bytes),
                        static_cast<std::size_t>(PyBytes_GET_SIZE(bytes)));
    held_.push_back(bytes);  // may throw: the reference is taken after
    Py_INCREF(bytes);
  }
  void add_copy(const char* data, std::size_t size) {
    copied_.push_back({views_.size(), copies_.size(), size});
    copies_.append(data, size);
    views_.emplace_back();  // pointed into copies_ by seal()
  }
  std::size_t tokens() const { return views_.size(); }
  // Room for `tokens` in all; grown geometrically, as bulk reserves document by document.
  void reserve(std::size_t tokens) {
    if (tokens > views_.capacity()) views_.reserve(std::max(tokens, 2 * views_.capacity()));
    if (tokens > held_.capacity()) held_.reserve(std::max(tokens, 2 * held_.capacity()));
  }
  void end_document() { doc_end.push_back(views_.size()); }
  // The tokens, valid until the next add or clear(); their bytes stay put while the GIL is
  // released.
  std::span<const std::string_view> seal() {
    for (const Copied& c : copied_) {
      views_[c.token] = std::string_view(copies_).substr(c.offset, c.size);
    }
    return views_;
  }
  void clear() {  // with the GIL held
    for (PyObject* o : held_) Py_DECREF(o);
    held_.clear();
    views_.clear();
    copied_.clear();
    copies_.clear();
    doc_end.clear();
  }

  std::vector<std::size_t> doc_end;  // document i's tokens are [doc_end[i-1], doc_end[i])

 private:
  struct Copied {
    std::size_t token, offset, size;  // views_[token] is copies_[offset, offset + size)
  };
  std::vector<std::string_view> views_;
  std::vector<PyObject*> held_;
  std::vector<Copied> copied_;
  std::string copies_;
};

// Adds the bytes hashlib.sha1(item) hashes: bytes as they are, any other one-dimensional buffer
// its contents; str and non-buffers refused with hashlib's exceptions.
void add_token(TokenBatch& batch, py::handle item) {
  PyObject* o = item.ptr();
  if (PyBytes_Check(o)) {
    batch.add_bytes(o);
    return;
  }
  if (PyUnicode_Check(o)) throw py::type_error("Strings must be encoded before hashing");
  if (!PyObject_CheckBuffer(o)) throw py::type_error("object supporting the buffer API required");
  Py_buffer view;
  if (PyObject_GetBuffer(o, &view, PyBUF_SIMPLE) != 0) throw py::error_already_set();
  if (view.ndim > 1) {
    PyBuffer_Release(&view);
    throw py::buffer_error("Buffer must be single dimension");
  }
  batch.add_copy(static_cast<const char*>(view.buf), static_cast<std::size_t>(view.len));
  PyBuffer_Release(&view);
}

// A one-dimensional numeric numpy array iterates as scalars whose buffers are their elements'
// bytes: add those straight from the array. Not an array of the other byte order: its scalars
// come out in native order, so their bytes differ from the array's (item by item then).
bool add_numeric_array(TokenBatch& batch, py::handle values) {
  if (!py::isinstance<py::array>(values)) return false;
  const auto arr = py::reinterpret_borrow<py::array>(values);
  const char kind = arr.dtype().kind();
  const bool numeric = kind == 'b' || kind == 'i' || kind == 'u' || kind == 'f' || kind == 'c';
  if (!numeric || arr.ndim() != 1 || !(arr.flags() & py::array::c_style)) return false;
  if (!arr.dtype().attr("isnative").cast<bool>()) return false;
  const auto* data = static_cast<const char*>(arr.data());
  const auto size = static_cast<std::size_t>(arr.itemsize());
  for (py::ssize_t i = 0; i < arr.shape(0); ++i) {
    batch.add_copy(data + static_cast<std::size_t>(i) * size, size);
  }
  return true;
}

// Adds the items of a list or tuple. The objects lie anywhere in the heap, and reading each
// one's header is a cache miss: the one kPrefetch items ahead is fetched meanwhile. A token that
// is not a bytes object is read through the buffer protocol, whose exporter may run Python code
// that changes the list: the item is held meanwhile, and the list's size and items are read
// again for each item.
void add_items(TokenBatch& batch, PyObject* seq) {
  constexpr Py_ssize_t kPrefetch = 32;
  batch.reserve(batch.tokens() + static_cast<std::size_t>(PySequence_Fast_GET_SIZE(seq)));
  for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(seq); ++i) {
    PyObject* const* items = PySequence_Fast_ITEMS(seq);
    if (i + kPrefetch < PySequence_Fast_GET_SIZE(seq)) __builtin_prefetch(items[i + kPrefetch]);
    if (PyBytes_CheckExact(items[i])) {  // the usual case, inline
      batch.add_bytes(items[i]);
    } else {
      add_token(batch, py::reinterpret_borrow<py::object>(items[i]));
    }
  }
}

// Adds every item of the iterable `values` (a list or tuple is read directly).
void add_tokens(TokenBatch& batch, py::handle values) {
  PyObject* o = values.ptr();
  if (PyList_CheckExact(o) || PyTuple_CheckExact(o)) {
    add_items(batch, o);
  } else if (!add_numeric_array(batch, values)) {
    for (py::handle item : py::iter(values)) add_token(batch, item);
  }
}

struct Permutations {
  U64Array a, b;
  std::span<const std::uint64_t> a_span() const {
    return {a.data(), static_cast<std::size_t>(a.size())};
  }
  std::span<const std::uint64_t> b_span() const {
    return {b.data(), static_cast<std::size_t>(b.size())};
  }
};

// Checks what numpy's broadcasting in datasketch would refuse.
void check_sizes(const U64Array& start, const Permutations& p) {
  if (start.ndim() != 1 || p.a.ndim() != 1 || p.b.ndim() != 1 || p.a.size() != start.size() ||
      p.b.size() != start.size()) {
    throw py::value_error("Numbers of hash values and permutations mismatch");
  }
}

U64Array copy_of(const U64Array& start) {
  U64Array out(start.size());
  std::copy_n(start.data(), start.size(), out.mutable_data());
  return out;
}

// `start` lowered by every value's sha1_hash32 (a, b: the permutations, of start's size): a new
// array, or None when `values` is empty (datasketch leaves the MinHash as it is then).
py::object lowered(std::span<const std::uint64_t> start, std::span<const std::uint64_t> a,
                   std::span<const std::uint64_t> b, py::handle values) {
  TokenBatch batch;
  add_tokens(batch, values);
  if (batch.tokens() == 0) return py::none();
  U64Array out(static_cast<py::ssize_t>(start.size()));
  const std::span<std::uint64_t> v(out.mutable_data(), start.size());
  std::copy(start.begin(), start.end(), v.begin());
  {
    py::gil_scoped_release release;
    std::vector<std::uint64_t> scratch;
    classic::sketch_tokens(batch.seal(), a, b, v, scratch);
  }
  return out;
}

py::object update(const U64Array& hashvalues, Permutations p, py::handle values) {
  check_sizes(hashvalues, p);
  return lowered({hashvalues.data(), static_cast<std::size_t>(hashvalues.size())}, p.a_span(),
                 p.b_span(), values);
}

// hashvalues lowered by one value's sha1_hash32 (MinHash.update).
U64Array update_one(const U64Array& hashvalues, Permutations p, py::handle value) {
  check_sizes(hashvalues, p);
  TokenBatch batch;
  add_token(batch, value);
  U64Array out = copy_of(hashvalues);
  std::vector<std::uint64_t> scratch;
  classic::sketch_tokens(batch.seal(), p.a_span(), p.b_span(),
                         {out.mutable_data(), static_cast<std::size_t>(out.size())}, scratch);
  return out;
}

// hashvalues lowered by hashes a custom hash function gave.
U64Array update_hashes(const U64Array& hashvalues, Permutations p, const U64Array& hashes) {
  check_sizes(hashvalues, p);
  U64Array out = copy_of(hashvalues);
  const std::span<std::uint64_t> v(out.mutable_data(), static_cast<std::size_t>(out.size()));
  const std::span<const std::uint64_t> h(hashes.data(), static_cast<std::size_t>(hashes.size()));
  {
    py::gil_scoped_release release;
    classic::permute_min(h, p.a_span(), p.b_span(), v);
  }
  return out;
}

// One signature per document of `docs` (an iterable of iterables of tokens), each starting from
// `start`: a list of new arrays. Documents are read in batches of about kBatchTokens tokens, each
// hashed without the GIL.
py::list bulk(py::handle docs, const U64Array& start, Permutations p) {
  constexpr std::size_t kBatchTokens = 1 << 16;
  check_sizes(start, p);
  py::list out;
  TokenBatch batch;
  std::vector<std::uint64_t*> rows;
  std::vector<std::uint64_t> scratch;
  const auto k = static_cast<std::size_t>(start.size());
  const auto flush = [&] {
    {
      py::gil_scoped_release release;
      // Every token of the batch hashed in one call, not document by document: the hash kernels
      // work in groups of 8 or 16 tokens, and a document's last, partial group costs more a token
      // (the AVX-512 lanes hash a full sixteen for it).
      const auto tokens = batch.seal();
      scratch.resize(tokens.size());
      classic::sha1_hash32_batch(tokens, scratch);
      const std::span<const std::uint64_t> hashes(scratch);
      std::size_t begin = 0;
      for (std::size_t d = 0; d < batch.doc_end.size(); ++d) {
        const std::size_t end = batch.doc_end[d];
        classic::permute_min(hashes.subspan(begin, end - begin), p.a_span(), p.b_span(),
                             {rows[d], k});
        begin = end;
      }
    }
    batch.clear();
    rows.clear();
  };
  for (py::handle doc : py::iter(docs)) {
    add_tokens(batch, doc);
    batch.end_document();
    U64Array row = copy_of(start);
    rows.push_back(row.mutable_data());
    out.append(std::move(row));
    if (batch.tokens() >= kBatchTokens) flush();
  }
  if (!batch.doc_end.empty()) flush();
  return out;
}

// MinHash.update_batch as a builtin method (METH_FASTCALL), which minhash.py puts in the class
// in place of the Python one: per 20 Newsgroups post (258 5-grams) the Python method and the
// pybind11 call around the C++ work were an eighth of the time. It does what the Python method
// does for a MinHash in its usual state (the default hash function, uint64 arrays of matching
// sizes) and hands every other case (a custom hash function, gpu_mode='always', a missing
// attribute, arrays to convert) to the Python method, which raises what datasketch raises.
struct UpdateBatchMethod {
  py::object sha1_hash32;  // doppel.datasketch.hashfunc.sha1_hash32, the default hash function
  py::object fallback;     // the Python method
  py::object hashfunc = interned("hashfunc"), gpu_mode = interned("_gpu_mode"),
             hashvalues = interned("hashvalues"), permutations = interned("permutations");
};

constexpr const char* kUpdateBatchCapsule = "doppel.UpdateBatchMethod";

// obj.name, or an empty object (and no exception set) if it has none.
py::object attribute_or_none(PyObject* obj, const py::object& name) {
  PyObject* value = PyObject_GetAttr(obj, name.ptr());
  if (value == nullptr) PyErr_Clear();
  return py::reinterpret_steal<py::object>(value);
}

// An aligned, C-contiguous uint64 array of `ndim` dimensions: read in place.
bool plain_u64(const py::object& obj, py::ssize_t ndim) {
  using Plain = py::array_t<std::uint64_t, py::array::c_style>;
  if (!Plain::check_(obj)) return false;
  const auto arr = py::reinterpret_borrow<py::array>(obj);
  return arr.ndim() == ndim && (arr.flags() & py::detail::npy_api::NPY_ARRAY_ALIGNED_) != 0;
}

// True if done; false if the Python method must do it.
bool native_update_batch(const UpdateBatchMethod& method, PyObject* self, PyObject* values) {
  const py::object hashfunc = attribute_or_none(self, method.hashfunc);
  if (!hashfunc || !hashfunc.is(method.sha1_hash32)) return false;
  const py::object gpu_mode = attribute_or_none(self, method.gpu_mode);
  if (!gpu_mode || !PyUnicode_CheckExact(gpu_mode.ptr()) ||
      PyUnicode_CompareWithASCIIString(gpu_mode.ptr(), "always") == 0) {
    return false;
  }
  const py::object hv = attribute_or_none(self, method.hashvalues);
  const py::object perms = attribute_or_none(self, method.permutations);
  if (!hv || !perms || !plain_u64(hv, 1) || !plain_u64(perms, 2)) return false;
  const auto start = py::reinterpret_borrow<py::array>(hv);
  const auto ab = py::reinterpret_borrow<py::array>(perms);
  const py::ssize_t k = start.shape(0);
  if (ab.shape(0) != 2 || ab.shape(1) != k) return false;
  const auto n = static_cast<std::size_t>(k);
  const auto* a = static_cast<const std::uint64_t*>(ab.data());
  const py::object out =
      lowered({static_cast<const std::uint64_t*>(start.data()), n}, {a, n}, {a + n, n}, values);
  if (!out.is_none() && PyObject_SetAttr(self, method.hashvalues.ptr(), out.ptr()) != 0) {
    throw py::error_already_set();
  }
  return true;
}

PyObject* fast_update_batch(PyObject* capsule, PyObject* const* args, Py_ssize_t nargs,
                            PyObject* kwnames) {
  static constexpr const char* kNames[] = {"self", "b"};
  PyObject* a[2];
  if (!parse_arguments("update_batch", args, nargs, kwnames, kNames, 2, a)) return nullptr;
  const auto* method =
      static_cast<const UpdateBatchMethod*>(PyCapsule_GetPointer(capsule, kUpdateBatchCapsule));
  try {
    if (native_update_batch(*method, a[0], a[1])) Py_RETURN_NONE;
  } catch (...) {
    return raise_current();
  }
  return PyObject_Vectorcall(method->fallback.ptr(), args, static_cast<std::size_t>(nargs),
                             kwnames);
}

void free_update_batch_method(PyObject* capsule) {
  delete static_cast<UpdateBatchMethod*>(PyCapsule_GetPointer(capsule, kUpdateBatchCapsule));
}

PyMethodDef fast_update_batch_def = {
    "update_batch", as_cfunction(fast_update_batch), METH_FASTCALL | METH_KEYWORDS,
    "update_batch(self, b)\n--\n\nUpdate this MinHash with every value of an iterable, each hashed "
    "by ``hashfunc``.\n\nWith the default hash function the values are read and hashed in C++ "
    "(a list, a tuple or a one-dimensional numeric numpy array is read directly; other "
    "iterables item by item).\n\nArgs:\n    b (Iterable): The values to hash."};

// The method to put in the class: update_batch(self, b) in C++, `fallback` where it does not
// apply.
py::object update_batch_method(py::object fallback, py::object sha1_hash32) {
  auto owned = std::make_unique<UpdateBatchMethod>();
  owned->fallback = std::move(fallback);
  owned->sha1_hash32 = std::move(sha1_hash32);
  auto capsule = py::reinterpret_steal<py::object>(
      PyCapsule_New(owned.get(), kUpdateBatchCapsule, free_update_batch_method));
  if (!capsule) throw py::error_already_set();
  owned.release();  // NOLINT(bugprone-unused-return-value): the capsule owns it now
  const py::object function = builtin_function(fast_update_batch_def, capsule);
  auto method = py::reinterpret_steal<py::object>(PyInstanceMethod_New(function.ptr()));
  if (!method) throw py::error_already_set();
  return method;
}

const char* isa_name(classic::Isa isa) {
  switch (isa) {
    case classic::Isa::kScalar:
      return "scalar";
    case classic::Isa::kAvx2:
      return "avx2";
    case classic::Isa::kAvx512:
      return "avx512";
  }
  return "?";
}

}  // namespace

void bind_datasketch_minhash(py::module_& m) {
  m.def(
      "sha1_hash32",
      [](py::handle data) {
        TokenBatch batch;
        add_token(batch, data);
        return classic::sha1_hash32(batch.seal()[0]);
      },
      py::arg("data"), "The first four bytes of SHA-1(data), little-endian.");
  m.def(
      "sha1_hash64",
      [](py::handle data) {
        TokenBatch batch;
        add_token(batch, data);
        return classic::sha1_hash64(batch.seal()[0]);
      },
      py::arg("data"), "The first eight bytes of SHA-1(data), little-endian.");
  m.def(
      "update",
      [](const U64Array& hv, U64Array a, U64Array b, py::handle values) {
        return update(hv, {std::move(a), std::move(b)}, values);
      },
      py::arg("hashvalues"), py::arg("a"), py::arg("b"), py::arg("values"));
  m.def("update_batch_method", &update_batch_method, py::arg("fallback"), py::arg("sha1_hash32"),
        "MinHash.update_batch in C++, calling `fallback` where it does not apply.");
  m.def(
      "update_one",
      [](const U64Array& hv, U64Array a, U64Array b, py::handle value) {
        return update_one(hv, {std::move(a), std::move(b)}, value);
      },
      py::arg("hashvalues"), py::arg("a"), py::arg("b"), py::arg("value"));
  m.def(
      "update_hashes",
      [](const U64Array& hv, U64Array a, U64Array b, const U64Array& hashes) {
        return update_hashes(hv, {std::move(a), std::move(b)}, hashes);
      },
      py::arg("hashvalues"), py::arg("a"), py::arg("b"), py::arg("hashes"));
  m.def(
      "bulk",
      [](py::handle docs, const U64Array& start, U64Array a, U64Array b) {
        return bulk(docs, start, {std::move(a), std::move(b)});
      },
      py::arg("docs"), py::arg("start"), py::arg("a"), py::arg("b"));
  m.def(
      "kernel", [] { return isa_name(classic::selected_isa()); },
      "The permutation kernel this CPU runs: avx512, avx2 or scalar.");
}

}  // namespace doppel::python
