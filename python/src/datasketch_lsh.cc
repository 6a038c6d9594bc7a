// The index behind doppel.datasketch.MinHashLSH: candidates/band_index.h holding datasketch's
// bands, with the Python keys. A band's bucket key (datasketch's H) is the band's hash values as
// big-endian bytes; BandIndex keeps them as they lie in memory (the same equality) and this file
// swaps them only to show them. With a custom hash function, H is whatever it returns for those
// bytes: each distinct H gets a number, and the bands hold the numbers.
//
// Hash values of 8 bytes whose upper 4 bytes are zero (every datasketch MinHash's: its values are
// masked to 32 bits) are kept in 4 bytes: two such values are equal exactly when their low
// halves are, so the buckets are the same, in half the memory, with half the bytes to hash and
// compare (at threshold 0.9 an insert copies 500 bytes instead of 1,000). The first insert
// decides; an insert (or merge) of a value that does not fit widens the index for good.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#include <xmmintrin.h>
#endif

#include "bindings.h"
#include "candidates/band_index.h"
#include "fastcall.h"

namespace py = pybind11;

namespace doppel::python {
namespace {

// The narrow form keeps the bytes 0-3 of each 8-byte value, which are its low half here.
static_assert(std::endian::native == std::endian::little);

// True if every 8-byte value of `wide` has zero upper 4 bytes.
bool fits_narrow(std::span<const std::byte> wide) {
  std::uint64_t high = 0;
  for (std::size_t i = 0; i + 8 <= wide.size(); i += 8) {
    std::uint64_t v;
    std::memcpy(&v, wide.data() + i, 8);
    high |= v;
  }
  return (high >> 32) == 0;
}

// `wide`'s 8-byte values as 4-byte ones, into `out`; false (and `out` not to be used) if one of
// them does not fit. One pass: the values are usually read from memory here for the first time.
bool narrow_into(std::span<const std::byte> wide, std::vector<std::byte>& out) {
  const std::size_t n = wide.size() / 8;
  out.resize(n * 4);
  const std::byte* src = wide.data();
  std::byte* dst = out.data();
  std::uint64_t high = 0;
  std::size_t i = 0;
#if defined(__SSE2__)
  // Four values a step: the low halves of two 16-byte loads picked by one shuffle (the compiler
  // leaves the plain loop scalar, and it runs on every insert and query).
  __m128i any = _mm_setzero_si128();
  for (; i + 4 <= n; i += 4) {
    const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + 8 * i));
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + 8 * i + 16));
    any = _mm_or_si128(any, _mm_or_si128(a, b));
    const __m128 lows =
        _mm_shuffle_ps(_mm_castsi128_ps(a), _mm_castsi128_ps(b), _MM_SHUFFLE(2, 0, 2, 0));
    _mm_storeu_ps(reinterpret_cast<float*>(dst + 4 * i), lows);
  }
  alignas(16) std::uint64_t lanes[2];
  _mm_store_si128(reinterpret_cast<__m128i*>(lanes), any);
  high = lanes[0] | lanes[1];
#endif
  for (; i < n; ++i) {
    std::uint64_t v;
    std::memcpy(&v, src + 8 * i, 8);
    high |= v;
    const auto low = static_cast<std::uint32_t>(v);
    std::memcpy(dst + 4 * i, &low, 4);
  }
  return (high >> 32) == 0;
}

// `narrow`'s 4-byte values as 8-byte ones, into `out`.
void widen_into(std::span<const std::byte> narrow, std::vector<std::byte>& out) {
  out.resize(narrow.size() * 2);
  for (std::size_t i = 0; i < narrow.size() / 4; ++i) {
    std::uint32_t low;
    std::memcpy(&low, narrow.data() + 4 * i, 4);
    const std::uint64_t v = low;
    std::memcpy(out.data() + 8 * i, &v, 8);
  }
}

// Stored key -> key number, with a dict's equality (the same hash, then the same object or ==)
// but without a dict entry and a Python int per key: (hash, number) slots, linear probing, at
// most half full. The keys themselves are in a list, number -> key. Each insert of a new key
// looked it up in a dict, made an int and set it in the dict: the dict's probes into memory no
// cache holds, its resizes and the int were about a tenth of an insert.
class KeyNumbers {
 public:
  static constexpr std::uint32_t kNone = 0xffffffffu;

  // The number of the key equal to `key` (of hash `hash`) in `keys` (a list: number -> key), or
  // kNone. An __eq__ may run Python code; if that changes the table, the search starts again.
  std::uint32_t find(PyObject* key, Py_hash_t hash, PyObject* keys) const {
    for (;;) {
      if (slots_.empty()) return kNone;
      const std::uint64_t version = version_;
      const std::size_t mask = slots_.size() - 1;
      bool changed = false;
      for (std::size_t i = home(hash); !changed; i = (i + 1) & mask) {
        const Slot slot = slots_[i];
        if (slot.number == kNone) return kNone;
        if (slot.hash != hash) continue;
        PyObject* candidate = PyList_GET_ITEM(keys, slot.number);
        if (candidate == key) return slot.number;
        Py_INCREF(candidate);
        const int equal = PyObject_RichCompareBool(candidate, key, Py_EQ);
        Py_DECREF(candidate);
        if (equal < 0) throw py::error_already_set();
        changed = version != version_;
        if (!changed && equal != 0) return slot.number;
      }
    }
  }

  // Adds a key of hash `hash` that is not there yet.
  void add(Py_hash_t hash, std::uint32_t number) {
    if ((used_ + 1) * 2 > slots_.size()) grow();
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = home(hash);
    while (slots_[i].number != kNone) i = (i + 1) & mask;
    slots_[i] = Slot{hash, number};
    ++used_;
    ++version_;
  }

  // Removes the key numbered `number` (of hash `hash`), if it is there.
  void erase(Py_hash_t hash, std::uint32_t number) {
    if (slots_.empty()) return;
    const std::size_t mask = slots_.size() - 1;
    std::size_t hole = home(hash);
    for (; slots_[hole].number != number; hole = (hole + 1) & mask) {
      if (slots_[hole].number == kNone) return;
    }
    // Backward-shift deletion: later slots of the run move up unless their home lies
    // (cyclically) after the hole.
    for (std::size_t j = (hole + 1) & mask; slots_[j].number != kNone; j = (j + 1) & mask) {
      if (((j - home(slots_[j].hash)) & mask) >= ((j - hole) & mask)) {
        slots_[hole] = slots_[j];
        hole = j;
      }
    }
    slots_[hole] = Slot{};
    --used_;
    ++version_;
  }

 private:
  struct Slot {
    Py_hash_t hash = 0;
    std::uint32_t number = kNone;
  };

  std::size_t home(Py_hash_t hash) const { return home(hash, shift_); }
  static std::size_t home(Py_hash_t hash, int shift) {
    return static_cast<std::size_t>((static_cast<std::uint64_t>(hash) * 0x9E3779B97F4A7C15ULL) >>
                                    shift);
  }

  // Doubles the table. Built aside and swapped in: if the memory is not there, the table is as
  // it was.
  void grow() {
    std::vector<Slot> bigger(slots_.empty() ? 16 : slots_.size() * 2);
    const int shift = 64 - std::countr_zero(bigger.size());
    const std::size_t mask = bigger.size() - 1;
    for (const Slot& slot : slots_) {
      if (slot.number == kNone) continue;
      std::size_t i = home(slot.hash, shift);
      while (bigger[i].number != kNone) i = (i + 1) & mask;
      bigger[i] = slot;
    }
    slots_.swap(bigger);
    shift_ = shift;
  }

  std::vector<Slot> slots_;  // power-of-two size
  int shift_ = 64;           // 64 - log2(slots_.size())
  std::size_t used_ = 0;
  std::uint64_t version_ = 0;
};

class LshIndex {
 public:
  // `plain_types`: classes whose len() is the length of their hashvalues (doppel's MinHash and
  // LeanMinHash): for objects of exactly these types that length is read without calling
  // __len__.
  LshIndex(int num_perm, int bands, int rows, bool prepickle, py::object hashfunc,
           py::tuple plain_types)
      : num_perm_(num_perm),
        bands_(bands),
        rows_(rows),
        prepickle_(prepickle),
        hashfunc_(std::move(hashfunc)),
        plain_types_(std::move(plain_types)) {
    if (bands_ < 1 || bands_ > 65535 || rows_ < 1) {
      throw py::value_error(
          "doppel.datasketch.MinHashLSH takes 1 to 65,535 bands of 1 or more rows");
    }
    if (prepickle_) {
      const py::module_ pickle = py::module_::import("pickle");
      dumps_ = pickle.attr("dumps");
      loads_ = pickle.attr("loads");
    }
  }

  void insert(py::handle key, py::handle minhash, bool check_duplication) {
    const py::array hv = hashvalues_of(minhash);
    py::object stored = store(key);
    const Py_hash_t hash = hash_of(stored);
    const std::optional<std::uint32_t> existing = kid_of(stored, hash);
    if (check_duplication && existing) throw py::value_error("The given key already exists");
    if (hashfunc_.is_none()) {
      // No Python code runs from here on: the number found above is still the key's.
      add_entry(stored, hash, existing, kept_form(signature_of(hv, /*intern=*/true)));
      return;
    }
    // The hashfunc is Python code, and so is the key's __eq__ in the second look-up, which may
    // use this index again (and its buffers): the signature is copied out first.
    const auto numbered = signature_of(hv, /*intern=*/true);
    const std::vector<std::byte> signature(numbered.begin(), numbered.end());
    const std::optional<std::uint32_t> known = kid_of(stored, hash);
    add_entry(stored, hash, known, kept_form(signature));
  }

  py::list query(py::handle minhash) { return query_keys(minhash, /*stored=*/false); }
  // The keys as stored (pickled with prepickle): what a buffered query compares, as datasketch's
  // buffers do, so that unhashable and equal-but-distinct keys stay apart.
  py::list query_stored(py::handle minhash) { return query_keys(minhash, /*stored=*/true); }

  py::list query_keys(py::handle minhash, bool stored) {
    const py::array hv = hashvalues_of(minhash);
    if (!index_) return py::list();
    const auto signature = signature_of(hv, /*intern=*/false);
    if (signature.empty()) return py::list();
    found_.clear();
    std::span<const std::byte> looked_up;  // empty: band by band
    if (!narrow_) {
      looked_up = signature;
    } else if (narrow_into(signature, signature_)) {
      looked_up = signature_;
    }
    if (!looked_up.empty()) {
      index_->query(looked_up, found_, scratch_);
    } else {
      query_by_band(signature);
    }
    if (found_.size() > 1) return in_datasketch_order(signature, looked_up, stored);
    // Filled in place rather than appended to: no growth of the list as it is built.
    auto out = py::reinterpret_steal<py::list>(PyList_New(static_cast<py::ssize_t>(found_.size())));
    if (!out) throw py::error_already_set();
    if (prepickle_ && !stored) {
      // Unpickling runs Python code, which may query this index again and refill found_.
      std::vector<std::uint32_t> found;
      found.swap(found_);
      for (std::size_t i = 0; i < found.size(); ++i) {
        PyList_SET_ITEM(out.ptr(), static_cast<py::ssize_t>(i), shown(found[i]).release().ptr());
      }
      found_.swap(found);
      return out;
    }
    for (std::size_t i = 0; i < found_.size(); ++i) {
      py::object key = prepickle_ ? keys_[found_[i]] : shown(found_[i]);
      PyList_SET_ITEM(out.ptr(), static_cast<py::ssize_t>(i), key.release().ptr());
    }
    return out;
  }

  // datasketch answers list(candidates): a set it adds each band's bucket to, key by key in the
  // bucket's order, a bucket being a set filled with its keys oldest first. The same sets built the
  // same way give the same order (which, for str keys, changes from one Python process to the
  // next). A key inserted again keeps its first place in a bucket (bucket_keys), as a set does; the
  // order can differ where
  // keys were removed from a bucket; the keys are always the same.
  py::list in_datasketch_order(std::span<const std::byte> signature,
                               std::span<const std::byte> looked_up, bool stored) {
    // Every bucket read first: building the sets runs the keys' __hash__, which may use this
    // index again.
    std::vector<py::object> keys;
    std::vector<std::size_t> band_end;
    const std::size_t band_bytes = index_->band_bytes();
    for (int band = 0; band < bands_; ++band) {
      std::span<const std::byte> content;
      if (!looked_up.empty()) {
        content = looked_up.subspan(static_cast<std::size_t>(band) * band_bytes, band_bytes);
      } else if (narrow_into(signature.subspan(static_cast<std::size_t>(band) * wide_band_bytes_,
                                               wide_band_bytes_),
                             content_)) {
        content = content_;
      } else {
        continue;  // a value that does not fit: in no bucket
      }
      entries_.clear();
      index_->bucket_keys(band, content, entries_, scratch_);
      for (auto kid = entries_.rbegin(); kid != entries_.rend(); ++kid) keys.push_back(keys_[*kid]);
      band_end.push_back(keys.size());
    }
    py::set candidates;
    for (std::size_t band = 0, begin = 0; band < band_end.size(); begin = band_end[band++]) {
      if (begin == band_end[band]) continue;
      py::set bucket;
      for (std::size_t i = begin; i < band_end[band]; ++i) {
        if (PySet_Add(bucket.ptr(), keys[i].ptr()) != 0) throw py::error_already_set();
      }
      for (const py::handle key : bucket) {  // candidates.add(key) for key in the bucket
        if (PySet_Add(candidates.ptr(), key.ptr()) != 0) throw py::error_already_set();
      }
    }
    py::list out;
    for (const py::handle key : candidates) {
      out.append(prepickle_ && !stored ? loads_(key) : py::reinterpret_borrow<py::object>(key));
    }
    return out;
  }

  void remove(py::handle key) {
    const py::object stored = store(key);
    const Py_hash_t hash = hash_of(stored);
    const std::optional<std::uint32_t> kid = kid_of(stored, hash);
    if (!kid) throw py::value_error("The given key does not exist");
    // No Python code runs from here on.
    index_->remove(*kid);
    forget_kid(*kid, hash);
  }

  bool contains(py::handle key) {
    const py::object stored = store(key);
    return kid_of(stored, hash_of(stored)).has_value();
  }
  bool is_empty() const { return !index_ || index_->key_count() == 0; }
  std::size_t size() const { return index_ ? index_->key_count() : 0; }

  // --- the storage views (hashtables[i], keys) and pickling

  // One entry of each bucket of `band`, the buckets in the order their oldest keys came in: the
  // order datasketch's dict of the band made them in, unless a bucket's first key was removed.
  std::vector<std::uint32_t> buckets_in_order(int band) {
    std::vector<std::uint32_t> entries, keys;
    std::vector<std::pair<std::uint64_t, std::uint32_t>> order;  // (oldest key's arrival, entry)
    index_->bucket_entries(band, entries);
    for (const std::uint32_t e : entries) {
      keys.clear();
      index_->bucket_keys(band, index_->band_content(e, band), keys, scratch_);
      std::uint64_t oldest = UINT64_MAX;
      for (const std::uint32_t kid : keys) oldest = std::min(oldest, kid_added_[kid]);
      order.emplace_back(oldest, e);
    }
    std::sort(order.begin(), order.end());
    for (std::size_t i = 0; i < order.size(); ++i) entries[i] = order[i].second;
    return entries;
  }

  // Key numbers in use, in the order their keys came in (datasketch's dict order; a freed number
  // is reused).
  std::vector<std::uint32_t> kids_in_order() const {
    std::vector<std::uint32_t> kids;
    for (std::uint32_t kid = 0; kid < kid_added_.size(); ++kid) {
      if (!py::handle(PyList_GET_ITEM(keys_.ptr(), kid)).is(free_slot_)) kids.push_back(kid);
    }
    std::sort(kids.begin(), kids.end(),
              [&](std::uint32_t a, std::uint32_t b) { return kid_added_[a] < kid_added_[b]; });
    return kids;
  }

  // The stored keys (pickled ones where prepickle is on), oldest first.
  py::list stored_keys() const {
    py::list out;
    for (const std::uint32_t kid : kids_in_order()) out.append(keys_[kid]);
    return out;
  }

  bool has_stored_key(py::handle stored) const {
    return kid_of(stored, hash_of(stored)).has_value();
  }

  // datasketch's keys[key]: the H of each band, of each entry of the key.
  py::list key_hs(py::handle stored) {
    py::list out;
    const std::optional<std::uint32_t> kid = kid_of(stored, hash_of(stored));
    if (!kid) return out;
    std::vector<std::uint32_t> entries;
    index_->key_entries(*kid, entries);
    for (const std::uint32_t e : entries) {
      for (int band = 0; band < bands_; ++band) out.append(band_key(e, band));
    }
    return out;
  }

  std::size_t bucket_count(int band) const {
    return index_ ? index_->bucket_count(check_band(band)) : 0;
  }

  // The H of every bucket of a band.
  py::list bucket_hs(int band) {
    py::list out;
    if (!index_) return out;
    for (const std::uint32_t e : buckets_in_order(check_band(band))) {
      out.append(band_key(e, band));
    }
    return out;
  }

  // The stored keys in bucket H of a band, as a set (empty if there is no such bucket).
  py::set bucket_members(int band, py::handle h) {
    py::set out;
    check_band(band);
    if (!index_ || !content_of(band, h)) return out;
    // Local: out.add() runs the keys' __hash__, which may use this index again.
    std::vector<std::uint32_t> found;
    index_->bucket_keys(band, content_, found, scratch_);
    // Oldest first, as datasketch's set of the bucket was filled: the same iteration order.
    for (auto kid = found.rbegin(); kid != found.rend(); ++kid) out.add(keys_[*kid]);
    return out;
  }

  // {H: number of keys} of a band (datasketch's itemcounts()).
  py::dict bucket_sizes(int band) {
    py::dict out;
    if (!index_) return out;
    // Read whole before the dict is filled: that runs the H's __hash__ (a hashfunc's H may be any
    // object), which may change this index.
    std::vector<std::uint32_t> found;
    std::vector<std::pair<py::object, std::size_t>> sizes;
    for (const std::uint32_t e : buckets_in_order(check_band(band))) {
      found.clear();
      index_->bucket_keys(band, index_->band_content(e, band), found, scratch_);
      sizes.emplace_back(band_key(e, band), found.size());
    }
    for (const auto& [h, size] : sizes) out[h] = size;
    return out;
  }

  // Adds every entry of `other` (equal num_perm, bands and rows) under its stored keys.
  void merge(LshIndex& other) {
    if (!other.index_) return;
    if (index_ && (wide_band_bytes_ != other.wide_band_bytes_ ||
                   (hashfunc_.is_none() && item_bytes_ != other.item_bytes_))) {
      throw py::value_error("Cannot merge MinHashLSH of hash values of different sizes");
    }
    if (hashfunc_.is_none() != other.hashfunc_.is_none()) {
      throw py::value_error(
          "Cannot merge a MinHashLSH that has a hashfunc with one that has none (doppel)");
    }
    if (!index_) {
      index_.emplace(bands_, other.index_->band_bytes());
      item_bytes_ = other.item_bytes_;
      wide_band_bytes_ = other.wide_band_bytes_;
      narrow_ = other.narrow_;
    }
    // Key by key, what is read of `other` is copied out before the key's __hash__ and __eq__ (and
    // the H's) run: Python code, which may change either index (`other` may be this one).
    const std::size_t sig_bytes = wide_band_bytes_ * static_cast<std::size_t>(bands_);
    std::vector<std::uint32_t> entries;
    std::vector<std::byte> wide, signatures;  // the key's entries, values as given, in a row
    std::vector<py::object> hs;               // with a hashfunc: the H of each band of each
    for (const std::uint32_t kid : other.kids_in_order()) {
      const py::object stored = other.keys_[kid];
      if (stored.is(other.free_slot_)) continue;
      entries.clear();
      other.index_->key_entries(kid, entries);
      signatures.clear();
      hs.clear();
      for (const std::uint32_t e : entries) {
        const auto sig = other.index_->signature(e);
        if (other.narrow_) {
          widen_into(sig, wide);
          signatures.insert(signatures.end(), wide.begin(), wide.end());
        } else {
          signatures.insert(signatures.end(), sig.begin(), sig.end());
        }
        for (int band = 0; !hashfunc_.is_none() && band < bands_; ++band) {
          hs.push_back(other.band_key(e, band));
        }
      }
      const Py_hash_t hash = hash_of(stored);
      for (std::size_t i = 0; i < entries.size(); ++i) {
        const std::span<std::byte> sig(signatures.data() + i * sig_bytes, sig_bytes);
        for (int band = 0; !hashfunc_.is_none() && band < bands_; ++band) {
          // The other index's H, numbered in this one.
          const std::uint64_t id = intern(hs[i * static_cast<std::size_t>(bands_) + band]);
          std::memcpy(&sig[static_cast<std::size_t>(band) * 8], &id, 8);
        }
        const std::optional<std::uint32_t> known = kid_of(stored, hash);
        add_entry(stored, hash, known, kept_form(sig));  // no Python code runs in these
      }
    }
  }

  // Everything pickling needs beyond the parameters: (stored key of each entry, the entries'
  // signatures as they are kept, as one bytes object, bytes per hash value, bytes per band of
  // the hash values as given, the numbered H of a hashfunc, whether the values are kept in 4
  // bytes). A state of five items (before the narrow form) is read as wide.
  py::tuple state() const {
    py::list entry_keys;
    std::string signatures;
    std::vector<std::uint32_t> entries;
    if (index_) {
      for (const std::uint32_t kid : kids_in_order()) {
        entries.clear();
        index_->key_entries(kid, entries);
        for (const std::uint32_t e : entries) {
          entry_keys.append(keys_[kid]);
          const auto sig = index_->signature(e);
          signatures.append(reinterpret_cast<const char*>(sig.data()), sig.size());
        }
      }
    }
    return py::make_tuple(entry_keys, py::bytes(signatures), item_bytes_,
                          index_ ? wide_band_bytes_ : 0, interned_, narrow_);
  }

  void set_state(const py::tuple& state) {
    const auto entry_keys = state[0].cast<py::list>();
    const auto signatures = state[1].cast<std::string>();
    item_bytes_ = state[2].cast<std::size_t>();
    const auto band_bytes = state[3].cast<std::size_t>();
    interned_ = state[4].cast<py::list>();
    narrow_ = state.size() > 5 && state[5].cast<bool>();
    for (std::size_t i = 0; i < py::len(interned_); ++i) intern_ids_[interned_[i]] = i;
    if (band_bytes == 0) return;
    if (narrow_ && (item_bytes_ != 8 || band_bytes % 8 != 0)) {
      throw py::value_error("corrupt MinHashLSH state");
    }
    wide_band_bytes_ = band_bytes;
    index_.emplace(bands_, narrow_ ? band_bytes / 2 : band_bytes);
    const std::size_t sig_bytes = index_->signature_bytes();
    if (signatures.size() != sig_bytes * py::len(entry_keys)) {
      throw py::value_error("corrupt MinHashLSH state");
    }
    for (std::size_t i = 0; i < py::len(entry_keys); ++i) {
      const auto* p = reinterpret_cast<const std::byte*>(signatures.data()) + i * sig_bytes;
      const std::uint32_t kid = kid_for(entry_keys[i]);
      index_->insert(kid, {p, sig_bytes});
    }
  }

 private:
  // `signature` (as signature_of() gives it) in the form the index keeps: narrowed where the
  // index is narrow; a value that does not fit widens the index first. Called before a new key
  // gets its number, so that a widening that fails (out of memory: it builds a second index)
  // leaves no key behind.
  std::span<const std::byte> kept_form(std::span<const std::byte> signature) {
    if (!narrow_) return signature;
    if (narrow_into(signature, signature_)) return signature_;
    widen_index();
    return signature;
  }

  // Adds an entry of a stored key of hash `hash`, whose number is `known` (none: it gets one),
  // with `kept` (kept_form()'s). A key numbered here loses its number again if the index cannot
  // take the entry. Runs no Python code: `known` is still right when it ends.
  void add_entry(py::handle stored, Py_hash_t hash, std::optional<std::uint32_t> known,
                 std::span<const std::byte> kept) {
    const std::uint32_t kid = known ? *known : new_kid(stored, hash);
    try {
      index_->insert(kid, kept);
    } catch (...) {
      if (!known) forget_kid(kid, hash);
      throw;
    }
  }

  // Undoes new_kid() of a key of hash `hash`.
  void forget_kid(std::uint32_t kid, Py_hash_t hash) {
    numbers_.erase(hash, kid);
    PyList_SetItem(keys_.ptr(), kid, free_slot_.inc_ref().ptr());
    free_kids_.push_back(kid);
  }

  // The index again with every value in 8 bytes: its keys in order, each key's entries oldest
  // first.
  void widen_index() {
    std::optional<BandIndex> wide(std::in_place, bands_, wide_band_bytes_);
    std::vector<std::byte> signature;
    for (const std::uint32_t kid : kids_in_order()) {
      entries_.clear();
      index_->key_entries(kid, entries_);
      for (const std::uint32_t e : entries_) {
        widen_into(index_->signature(e), signature);
        wide->insert(static_cast<std::uint32_t>(kid), signature);
      }
    }
    index_.swap(wide);
    narrow_ = false;
  }

  // A query of a narrow index with values that do not fit: a band that holds one can be in no
  // bucket; the others are looked up one by one. Into found_, each key once.
  void query_by_band(std::span<const std::byte> signature) {
    std::unordered_set<std::uint32_t> seen;
    std::vector<std::uint32_t> band_keys;
    for (int band = 0; band < bands_; ++band) {
      const auto content =
          signature.subspan(static_cast<std::size_t>(band) * wide_band_bytes_, wide_band_bytes_);
      if (!narrow_into(content, content_)) continue;
      band_keys.clear();
      index_->bucket_keys(band, content_, band_keys, scratch_);
      for (const std::uint32_t kid : band_keys) {
        if (seen.insert(kid).second) found_.push_back(kid);
      }
    }
  }

  // minhash.hashvalues as a C-contiguous array, after datasketch's check of len(minhash).
  py::array hashvalues_of(py::handle minhash) const {
    PyObject* type = reinterpret_cast<PyObject*>(Py_TYPE(minhash.ptr()));
    bool plain = false;
    for (const py::handle t : plain_types_) plain = plain || t.ptr() == type;
    py::object hv;
    long long n;
    if (plain) {
      hv = attr_hashvalues(minhash);
      n = static_cast<long long>(py::len(hv));
    } else {
      n = static_cast<long long>(py::len(minhash));
    }
    if (n != num_perm_) {
      throw py::value_error("Expecting minhash with length " + std::to_string(num_perm_) +
                            ", got " + std::to_string(n));
    }
    if (!plain) hv = attr_hashvalues(minhash);
    if (py::isinstance<py::array>(hv)) {
      auto arr = py::reinterpret_borrow<py::array>(hv);
      if (arr.flags() & py::array::c_style) return arr;
    }
    auto arr = py::array::ensure(hv, py::array::c_style);
    if (!arr) throw py::error_already_set();
    return arr;
  }

  // minhash.hashvalues, looked up by an interned name (fastcall.h).
  py::object attr_hashvalues(py::handle minhash) const {
    PyObject* hv = PyObject_GetAttr(minhash.ptr(), hashvalues_name_.ptr());
    if (hv == nullptr) throw py::error_already_set();
    return py::reinterpret_steal<py::object>(hv);
  }

  int check_band(int band) const {
    if (band < 0 || band >= bands_) throw py::index_error("no such band");
    return band;
  }

  py::object store(py::handle key) const {
    return prepickle_ ? dumps_(key) : py::reinterpret_borrow<py::object>(key);
  }
  py::object shown(std::uint32_t kid) const {
    py::object key = keys_[kid];
    return prepickle_ ? loads_(key) : key;
  }

  // hash(stored); TypeError for an unhashable key, as a dict raises.
  static Py_hash_t hash_of(py::handle stored) {
    const Py_hash_t hash = PyObject_Hash(stored.ptr());
    if (hash == -1 && PyErr_Occurred()) throw py::error_already_set();
    return hash;
  }

  // The number of a stored key of hash `hash` (hash_of()'s), if it has one. The hash is taken
  // once by the caller: a __hash__ is Python code, which may change this index, and the number
  // found here must be the one given to or taken from the key after it (new_kid, forget_kid).
  // The key's __eq__ may change the index too; the search then starts again.
  std::optional<std::uint32_t> kid_of(py::handle stored, Py_hash_t hash) const {
    const std::uint32_t kid = numbers_.find(stored.ptr(), hash, keys_.ptr());
    if (kid == KeyNumbers::kNone) return std::nullopt;
    return kid;
  }

  // The key number of a stored key, new if it has none yet.
  std::uint32_t kid_for(py::handle stored) {
    const Py_hash_t hash = hash_of(stored);
    if (const auto kid = kid_of(stored, hash)) return *kid;
    return new_kid(stored, hash);
  }

  // A number for a stored key of hash `hash` that has none. Runs no Python code.
  std::uint32_t new_kid(py::handle stored, Py_hash_t hash) {
    const bool reused = !free_kids_.empty();
    const auto kid =
        reused ? free_kids_.back() : static_cast<std::uint32_t>(PyList_GET_SIZE(keys_.ptr()));
    if (kid == KeyNumbers::kNone) throw py::value_error("MinHashLSH holds at most 2^32-1 keys");
    numbers_.add(hash, kid);  // first: if it throws, nothing has changed (no Python code runs
                              // before the key is in keys_ below)
    if (kid_added_.size() == kid_added_.capacity()) {  // room first: push_back below cannot throw
      kid_added_.reserve(2 * kid_added_.size() + 64);
    }
    if (reused) {
      PyList_SetItem(keys_.ptr(), kid, stored.inc_ref().ptr());
      free_kids_.pop_back();
      kid_added_[kid] = added_++;
    } else if (PyList_Append(keys_.ptr(), stored.ptr()) != 0) {
      numbers_.erase(hash, kid);
      throw py::error_already_set();
    } else {
      kid_added_.push_back(added_++);
    }
    return kid;
  }

  std::uint64_t intern(py::handle h) {
    PyObject* found = PyDict_GetItemWithError(intern_ids_.ptr(), h.ptr());
    if (found != nullptr) return py::cast<std::uint64_t>(py::handle(found));
    if (PyErr_Occurred()) throw py::error_already_set();
    const std::uint64_t id = py::len(interned_);
    interned_.append(h);
    intern_ids_[h] = id;
    return id;
  }

  // The signature of hashvalues `hv` (the bands of the first bands*rows of its first axis),
  // valid while `hv` lives and until the next call. Without a hash function: their bytes as they
  // lie in memory, read in place (wide: add() and query() narrow them). With one: the number of
  // each band's H, in signature_; a query's H seen nowhere yet makes the band match nothing. Empty
  // for a query that can match nothing (no index yet, another band size, or no H known).
  std::span<const std::byte> signature_of(const py::array& hv, bool intern_new) {
    if (hv.dtype().kind() == 'O') throw py::type_error("hashvalues must be numeric, not objects");
    const auto used = static_cast<py::ssize_t>(bands_) * rows_;
    if (hv.ndim() < 1 || hv.shape(0) < used) {
      throw py::value_error("hashvalues has fewer than bands * rows values");
    }
    std::size_t item_bytes = static_cast<std::size_t>(hv.itemsize());
    std::size_t row_bytes = item_bytes;
    for (py::ssize_t d = 1; d < hv.ndim(); ++d) row_bytes *= static_cast<std::size_t>(hv.shape(d));
    const std::size_t band_bytes = row_bytes * static_cast<std::size_t>(rows_);
    const auto* data = static_cast<const std::byte*>(hv.data());
    if (hashfunc_.is_none()) {
      if (!index_) {
        if (!intern_new) return {};
        item_bytes_ = item_bytes;
        wide_band_bytes_ = band_bytes;
        narrow_ =
            item_bytes == 8 && fits_narrow({data, band_bytes * static_cast<std::size_t>(bands_)});
        index_.emplace(bands_, narrow_ ? band_bytes / 2 : band_bytes);
      }
      if (wide_band_bytes_ != band_bytes || item_bytes_ != item_bytes) {
        if (!intern_new) return {};  // datasketch: an H of another length matches nothing
        throw py::value_error(
            "doppel.datasketch.MinHashLSH holds hash values of one size: this one has " +
            std::to_string(band_bytes) + " bytes a band, the index " +
            std::to_string(wide_band_bytes_));
      }
      return {data, wide_band_bytes_ * static_cast<std::size_t>(bands_)};
    }
    if (!index_) {
      if (!intern_new) return {};
      index_.emplace(bands_, 8);
      item_bytes_ = item_bytes;
      wide_band_bytes_ = 8;
    }
    signature_.resize(static_cast<std::size_t>(bands_) * 8);
    bool any = false;
    for (int band = 0; band < bands_; ++band) {
      const py::object h = hashfunc_(
          swapped(data + static_cast<std::size_t>(band) * band_bytes, band_bytes, item_bytes));
      std::uint64_t id = ~std::uint64_t{0};  // matches no bucket
      if (intern_new) {
        id = intern(h);
      } else if (PyObject* found = PyDict_GetItemWithError(intern_ids_.ptr(), h.ptr())) {
        id = py::cast<std::uint64_t>(py::handle(found));
      } else if (PyErr_Occurred()) {
        throw py::error_already_set();
      }
      any = any || id != ~std::uint64_t{0};
      std::memcpy(&signature_[static_cast<std::size_t>(band) * 8], &id, 8);
    }
    if (!any) return {};
    return signature_;
  }

  // `n` bytes of items of `item_bytes` bytes, each byte-swapped (numpy's byteswap()).
  static py::bytes swapped(const std::byte* data, std::size_t n, std::size_t item_bytes) {
    std::string out(n, '\0');
    for (std::size_t i = 0; i < n; i += item_bytes) {
      for (std::size_t j = 0; j < item_bytes; ++j) {
        out[i + j] = static_cast<char>(data[i + item_bytes - 1 - j]);
      }
    }
    return py::bytes(out);
  }

  // The H of an entry's band.
  py::object band_key(std::uint32_t entry, int band) const {
    const auto content = index_->band_content(entry, band);
    if (hashfunc_.is_none()) {
      if (!narrow_) return swapped(content.data(), content.size(), item_bytes_);
      std::vector<std::byte> wide;
      widen_into(content, wide);
      return swapped(wide.data(), wide.size(), item_bytes_);
    }
    std::uint64_t id;
    std::memcpy(&id, content.data(), 8);
    return interned_[id];
  }

  // Fills content_ with the bucket content of H in a band; false if no bucket can have it.
  bool content_of(int band, py::handle h) {
    if (hashfunc_.is_none()) {
      if (!PyBytes_Check(h.ptr())) return false;
      const std::string_view s(PyBytes_AS_STRING(h.ptr()),
                               static_cast<std::size_t>(PyBytes_GET_SIZE(h.ptr())));
      if (s.size() != wide_band_bytes_) return false;
      const py::bytes raw =
          swapped(reinterpret_cast<const std::byte*>(s.data()), s.size(), item_bytes_);
      const auto* p = reinterpret_cast<const std::byte*>(PyBytes_AS_STRING(raw.ptr()));
      const std::span<const std::byte> wide(p, s.size());
      if (!narrow_) {
        content_.assign(wide.begin(), wide.end());
        return true;
      }
      return narrow_into(wide, content_);  // false: no stored band has such a value
    }
    (void)band;
    PyObject* found = PyDict_GetItemWithError(intern_ids_.ptr(), h.ptr());
    if (found == nullptr) {
      if (PyErr_Occurred()) throw py::error_already_set();
      return false;
    }
    const auto id = py::cast<std::uint64_t>(py::handle(found));
    content_.resize(8);
    std::memcpy(content_.data(), &id, 8);
    return true;
  }

  int num_perm_, bands_, rows_;
  bool prepickle_;
  py::object hashfunc_, dumps_, loads_;
  py::tuple plain_types_;
  std::optional<BandIndex> index_;  // made by the first insert, which fixes the band size
  std::size_t item_bytes_ = 0;      // bytes of one hash value (swapped to show H)
  std::size_t wide_band_bytes_ =
      0;                 // bytes of a band of the hash values as given (8 with a hashfunc)
  bool narrow_ = false;  // values of 8 bytes kept in 4 (see the top of the file)
  py::object hashvalues_name_ = interned("hashvalues");
  // Marks a free key number in keys_: an object of its own, since None is a key like any other.
  py::object free_slot_ = py::module_::import("builtins").attr("object")();
  py::list keys_;                         // key number -> stored key, free_slot_ when free
  KeyNumbers numbers_;                    // stored key -> key number
  std::vector<std::uint64_t> kid_added_;  // key number -> when its key came in (kids_in_order)
  std::uint64_t added_ = 0;
  std::vector<std::uint32_t> free_kids_;
  py::list interned_;  // with a hashfunc: number -> H
  py::dict intern_ids_;
  // Reused buffers.
  std::vector<std::byte> signature_, content_;
  std::vector<std::uint32_t> found_, entries_;
  BandQueryScratch scratch_;
};

// insert and query as builtin functions bound to the index (METH_FASTCALL), which
// MinHashLSH makes its instance's insert and query: pybind11's dispatcher (overload resolution,
// argument casters, the self lookup) was about a fifth of a query's time at 0.9's five bands.
// Their `self` is a capsule of the LshIndex that holds a reference to its Python object.

constexpr const char* kCapsule = "doppel.LshIndex";

LshIndex* index_of(PyObject* capsule) {
  return static_cast<LshIndex*>(PyCapsule_GetPointer(capsule, kCapsule));
}

void release_owner(PyObject* capsule) {
  Py_XDECREF(static_cast<PyObject*>(PyCapsule_GetContext(capsule)));
}

PyObject* fast_insert(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames) {
  static constexpr const char* kNames[] = {"key", "minhash", "check_duplication"};
  PyObject* a[3];
  if (!parse_arguments("insert", args, nargs, kwnames, kNames, 2, a)) return nullptr;
  int check = 1;
  if (a[2] != nullptr && (check = PyObject_IsTrue(a[2])) < 0) return nullptr;
  try {
    index_of(self)->insert(a[0], a[1], check != 0);
  } catch (...) {
    return raise_current();
  }
  Py_RETURN_NONE;
}

PyObject* fast_query(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames) {
  static constexpr const char* kNames[] = {"minhash"};
  PyObject* a[1];
  if (!parse_arguments("query", args, nargs, kwnames, kNames, 1, a)) return nullptr;
  try {
    return index_of(self)->query(a[0]).release().ptr();
  } catch (...) {
    return raise_current();
  }
}

PyMethodDef fast_insert_def = {"insert", as_cfunction(fast_insert), METH_FASTCALL | METH_KEYWORDS,
                               "insert(key, minhash, check_duplication=True)"};
PyMethodDef fast_query_def = {"query", as_cfunction(fast_query), METH_FASTCALL | METH_KEYWORDS,
                              "query(minhash)"};

// (insert, query) bound to the index `self`.
py::tuple fast_methods(const py::object& self) {
  auto* index = self.cast<LshIndex*>();
  auto capsule = py::reinterpret_steal<py::object>(PyCapsule_New(index, kCapsule, release_owner));
  if (!capsule) throw py::error_already_set();
  if (PyCapsule_SetContext(capsule.ptr(), self.inc_ref().ptr()) != 0) {
    self.dec_ref();
    throw py::error_already_set();
  }
  return py::make_tuple(builtin_function(fast_insert_def, capsule),
                        builtin_function(fast_query_def, capsule));
}

}  // namespace

void bind_datasketch_lsh(py::module_& m) {
  py::class_<LshIndex>(m, "LshIndex")
      .def(py::init<int, int, int, bool, py::object, py::tuple>(), py::arg("num_perm"),
           py::arg("bands"), py::arg("rows"), py::arg("prepickle"), py::arg("hashfunc"),
           py::arg("plain_types"))
      .def("insert", &LshIndex::insert, py::arg("key"), py::arg("minhash"),
           py::arg("check_duplication") = true)
      .def("query", &LshIndex::query, py::arg("minhash"))
      .def("query_stored", &LshIndex::query_stored, py::arg("minhash"))
      .def("fast_methods", &fast_methods)
      .def("remove", &LshIndex::remove, py::arg("key"))
      .def("__contains__", &LshIndex::contains)
      .def("is_empty", &LshIndex::is_empty)
      .def("size", &LshIndex::size)
      .def("stored_keys", &LshIndex::stored_keys)
      .def("has_stored_key", &LshIndex::has_stored_key)
      .def("key_hs", &LshIndex::key_hs)
      .def("bucket_count", &LshIndex::bucket_count)
      .def("bucket_hs", &LshIndex::bucket_hs)
      .def("bucket_members", &LshIndex::bucket_members)
      .def("bucket_sizes", &LshIndex::bucket_sizes)
      .def("merge", &LshIndex::merge)
      .def("state", &LshIndex::state)
      .def("set_state", &LshIndex::set_state);
}

}  // namespace doppel::python
