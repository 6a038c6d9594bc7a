#include "candidates/exact_groups.h"

#include <algorithm>

#include "util/radix_sort.h"

namespace doppel {

std::vector<std::uint32_t> group_exact(std::span<const ExactHash> hashes,
                                       std::span<const std::uint8_t> in_play, UnionFind& sets) {
  // Sorted by the hash's low word; a run of equal low words is then split by the high word (two
  // different texts share a low word with probability 2^-64 per pair, but exactness is cheap
  // here).
  std::vector<KeyValue> order, tmp;
  const auto n = static_cast<std::uint32_t>(hashes.size());
  for (std::uint32_t d = 0; d < n; ++d) {
    if (in_play[d]) order.emplace_back(hashes[d].lo, d);
  }
  sort_key_values(order, tmp);
  std::vector<KeyValue>().swap(tmp);
  std::vector<std::uint32_t> unique_docs;
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i + 1;
    while (j < order.size() && order[j].first == order[i].first) ++j;
    if (j - i > 1) {
      std::stable_sort(order.begin() + static_cast<long>(i), order.begin() + static_cast<long>(j),
                       [&](const KeyValue& a, const KeyValue& b) {
                         return hashes[a.second].hi < hashes[b.second].hi;
                       });
    }
    for (std::size_t k = i; k < j; ++k) {
      if (k > i && hashes[order[k].second] == hashes[order[k - 1].second]) {
        sets.unite(order[k - 1].second, order[k].second);
      } else {
        unique_docs.push_back(order[k].second);
      }
    }
    i = j;
  }
  std::sort(unique_docs.begin(), unique_docs.end());
  return unique_docs;
}

}  // namespace doppel
