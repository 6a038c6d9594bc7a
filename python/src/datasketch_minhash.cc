// doppel.datasketch's MinHash kernels: tokens read from Python objects exactly as datasketch's
// sha1_hash32 (hashlib) reads them, hashed and folded into signatures by
// sketch/classic_minhash.h with the GIL released.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bindings.h"
#include "sketch/classic_minhash.h"
#include "sketch/sha1_batch.h"

namespace py = pybind11;

namespace doppel::python {
namespace {

using U64Array = py::array_t<std::uint64_t, py::array::c_style | py::array::forcecast>;

// A batch of documents' tokens, their bytes copied into one buffer (cheaper than holding a
// reference to each Python object and dropping it again), so that hashing can run without the
// GIL.
struct TokenBatch {
  std::string bytes;                 // every token's bytes, one after another
  std::vector<std::size_t> ends;     // token i is bytes[ends[i-1], ends[i])
  std::vector<std::size_t> doc_end;  // document i's tokens are [doc_end[i-1], doc_end[i])
  std::vector<std::string_view> views;

  void add(const char* data, std::size_t size) {
    bytes.append(data, size);
    ends.push_back(bytes.size());
  }
  std::size_t tokens() const { return ends.size(); }
  void end_document() { doc_end.push_back(ends.size()); }
  // The tokens as views, valid until the next add() or clear().
  std::span<const std::string_view> seal() {
    views.resize(ends.size());
    std::size_t begin = 0;
    for (std::size_t i = 0; i < ends.size(); ++i) {
      views[i] = std::string_view(bytes).substr(begin, ends[i] - begin);
      begin = ends[i];
    }
    return views;
  }
  void clear() {
    bytes.clear();
    ends.clear();
    doc_end.clear();
  }
};

// Adds the bytes hashlib.sha1(item) hashes: bytes as they are, any other one-dimensional buffer
// its contents; str and non-buffers refused with hashlib's exceptions.
void add_token(TokenBatch& batch, py::handle item) {
  PyObject* o = item.ptr();
  if (PyBytes_Check(o)) {
    batch.add(PyBytes_AS_STRING(o), static_cast<std::size_t>(PyBytes_GET_SIZE(o)));
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
  batch.add(static_cast<const char*>(view.buf), static_cast<std::size_t>(view.len));
  PyBuffer_Release(&view);
}

// A one-dimensional numeric numpy array iterates as scalars whose buffers are their elements'
// bytes: add those straight from the array.
bool add_numeric_array(TokenBatch& batch, py::handle values) {
  if (!py::isinstance<py::array>(values)) return false;
  const auto arr = py::reinterpret_borrow<py::array>(values);
  const char kind = arr.dtype().kind();
  const bool numeric = kind == 'b' || kind == 'i' || kind == 'u' || kind == 'f' || kind == 'c';
  if (!numeric || arr.ndim() != 1 || !(arr.flags() & py::array::c_style)) return false;
  const auto* data = static_cast<const char*>(arr.data());
  const auto size = static_cast<std::size_t>(arr.itemsize());
  for (py::ssize_t i = 0; i < arr.shape(0); ++i) {
    batch.add(data + static_cast<std::size_t>(i) * size, size);
  }
  return true;
}

// Adds every item of the iterable `values` (a list or tuple is read directly).
void add_tokens(TokenBatch& batch, py::handle values) {
  PyObject* o = values.ptr();
  if (PyList_CheckExact(o)) {
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(o); ++i) add_token(batch, PyList_GET_ITEM(o, i));
  } else if (PyTuple_CheckExact(o)) {
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(o); ++i) add_token(batch, PyTuple_GET_ITEM(o, i));
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

// hashvalues lowered by every value's sha1_hash32: a new array, or None when `values` is empty
// (datasketch leaves the MinHash as it is then).
py::object update(const U64Array& hashvalues, Permutations p, py::handle values) {
  check_sizes(hashvalues, p);
  TokenBatch batch;
  add_tokens(batch, values);
  if (batch.tokens() == 0) return py::none();
  U64Array out = copy_of(hashvalues);
  const std::span<std::uint64_t> v(out.mutable_data(), static_cast<std::size_t>(out.size()));
  {
    py::gil_scoped_release release;
    std::vector<std::uint64_t> scratch;
    classic::sketch_tokens(batch.seal(), p.a_span(), p.b_span(), v, scratch);
  }
  return out;
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
