// Sorting (64-bit key, 32-bit value) pairs, the shape of LSH bucket keys and exact-duplicate
// hashes. Pure function over caller-owned buffers.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace doppel {

using KeyValue = std::pair<std::uint64_t, std::uint32_t>;

// Sorts by key, then value: an LSD radix sort on the key's high 32 bits (4 stable passes of 8
// bits), then std::sort inside the rare runs whose high bits tie. About 5x fewer instructions
// than std::sort; `tmp` is scratch.
inline void sort_key_values(std::span<KeyValue> items, std::vector<KeyValue>& tmp) {
  if (items.size() < 256) {
    std::sort(items.begin(), items.end());
    return;
  }
  tmp.resize(items.size());
  KeyValue* from = items.data();
  KeyValue* to = tmp.data();
  for (int pass = 0; pass < 4; ++pass) {  // an even number of passes: the result is in `items`
    const int shift = 32 + 8 * pass;
    std::size_t count[257] = {};
    for (std::size_t i = 0; i < items.size(); ++i) ++count[((from[i].first >> shift) & 0xff) + 1];
    for (int b = 0; b < 256; ++b) count[b + 1] += count[b];
    for (std::size_t i = 0; i < items.size(); ++i)
      to[count[(from[i].first >> shift) & 0xff]++] = from[i];
    std::swap(from, to);
  }
  for (std::size_t i = 0; i < items.size();) {
    std::size_t j = i + 1;
    while (j < items.size() && (items[j].first >> 32) == (items[i].first >> 32)) ++j;
    if (j - i > 1)
      std::sort(items.begin() + static_cast<long>(i), items.begin() + static_cast<long>(j));
    i = j;
  }
}

inline void sort_key_values(std::vector<KeyValue>& items, std::vector<KeyValue>& tmp) {
  sort_key_values(std::span(items), tmp);
}

}  // namespace doppel
