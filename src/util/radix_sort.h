// LSD radix sorts: (64-bit key, 32-bit value) pairs, the shape of LSH bucket keys and
// exact-duplicate hashes, items with a 64-bit key, and bare keys. Pure functions over
// caller-owned buffers.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace doppel {

// A 64-bit key and a 32-bit value; the padding is a member, zero, so that the struct is
// trivially copyable with no indeterminate bytes (MPI ranks exchange arrays of them as bytes).
struct KeyValue {
  std::uint64_t first = 0;
  std::uint32_t second = 0;
  std::uint32_t padding = 0;

  KeyValue() = default;
  KeyValue(std::uint64_t key, std::uint32_t value) : first(key), second(value) {}
  friend bool operator==(const KeyValue&, const KeyValue&) = default;
  friend bool operator<(const KeyValue& a, const KeyValue& b) {  // by key, then value, as pairs
    return a.first != b.first ? a.first < b.first : a.second < b.second;
  }
};
static_assert(sizeof(KeyValue) == 16);

// Bits of a radix digit: 2,048 counters (16 KiB) stay in the L1 cache, and a 54-bit key sorts in
// 5 passes instead of the 7 of a byte a pass.
inline constexpr int kRadixDigitBits = 11;

// One stable counting pass of an LSD radix sort: from[0, n) into to[0, n) by the low
// kRadixDigitBits bits of bits_of(item) >> shift.
template <typename T, typename BitsOf>
void radix_pass(const T* from, T* to, std::size_t n, int shift, BitsOf bits_of) {
  constexpr std::size_t kBuckets = std::size_t{1} << kRadixDigitBits;
  auto digit = [&](const T& item) { return (bits_of(item) >> shift) & (kBuckets - 1); };
  std::size_t count[kBuckets + 1] = {};
  for (std::size_t i = 0; i < n; ++i) ++count[digit(from[i]) + 1];
  for (std::size_t b = 0; b < kBuckets; ++b) count[b + 1] += count[b];
  for (std::size_t i = 0; i < n; ++i) to[count[digit(from[i])]++] = from[i];
}

// Sorts items with a 64-bit key (`key_of(item)`) by operator<, which must order by that key
// first: an LSD radix sort on the key's high 32 bits (stable passes of 11 bits), then std::sort
// inside the rare runs whose high bits tie and are not in order already. The top
// `equal_top_bits` bits of every key must be the same (a partition's bits): no pass sorts them.
// `tmp` is scratch.
template <typename T, typename KeyOf>
void sort_by_key(std::span<T> items, std::vector<T>& tmp, KeyOf key_of, int equal_top_bits = 0) {
  if (items.size() < 256) {
    std::sort(items.begin(), items.end());
    return;
  }
  tmp.resize(items.size());
  T* from = items.data();
  T* to = tmp.data();
  for (int shift = 32; shift < 64 - std::clamp(equal_top_bits, 0, 32); shift += kRadixDigitBits) {
    radix_pass(from, to, items.size(), shift, key_of);
    std::swap(from, to);
  }
  if (from != items.data()) std::copy(from, from + items.size(), items.data());
  for (std::size_t i = 0; i < items.size();) {
    std::size_t j = i + 1;
    while (j < items.size() && (key_of(items[j]) >> 32) == (key_of(items[i]) >> 32)) ++j;
    const auto run_begin = items.begin() + static_cast<long>(i);
    const auto run_end = items.begin() + static_cast<long>(j);
    // A run of one key that came in order (the n-grams of a partition, by document and
    // position) is left as it is: std::sort would still compare its items n log n times.
    if (j - i > 1 && !std::is_sorted(run_begin, run_end)) std::sort(run_begin, run_end);
    i = j;
  }
}

// Sorts by key, then value (see sort_by_key).
inline void sort_key_values(std::span<KeyValue> items, std::vector<KeyValue>& tmp) {
  sort_by_key(items, tmp, [](const KeyValue& kv) { return kv.first; });
}

// Sorts keys below 2^bits (bits in [0, 64]): kRadixDigitBits a pass; `tmp` is scratch.
inline void sort_keys(std::span<std::uint64_t> keys, std::vector<std::uint64_t>& tmp, int bits) {
  if (keys.size() < 64) {
    std::sort(keys.begin(), keys.end());
    return;
  }
  tmp.resize(keys.size());
  std::uint64_t* from = keys.data();
  std::uint64_t* to = tmp.data();
  for (int shift = 0; shift < bits; shift += kRadixDigitBits) {
    radix_pass(from, to, keys.size(), shift, [](std::uint64_t k) { return k; });
    std::swap(from, to);
  }
  if (from != keys.data()) std::copy(from, from + keys.size(), keys.data());
}

}  // namespace doppel
