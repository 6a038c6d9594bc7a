#include "cluster/clusters.h"

namespace doppel {

Components collect_clusters(UnionFind& sets, std::span<const std::uint8_t> in_play) {
  constexpr std::uint32_t kNone = 0xffffffffu;
  const std::uint32_t n = sets.size();
  std::vector<std::uint32_t> count(n, 0);
  for (std::uint32_t d = 0; d < n; ++d) {
    if (in_play[d]) ++count[sets.find(d)];
  }
  // Clusters are numbered in the order of their first in-play member (the root, the smallest
  // member, may be out of play), and each lists its members in input order.
  std::vector<std::uint32_t> slot(n, kNone);  // root -> cluster
  Components out;
  out.begin.push_back(0);
  for (std::uint32_t d = 0; d < n; ++d) {
    if (!in_play[d]) continue;
    const std::uint32_t root = sets.find(d);
    if (count[root] < 2 || slot[root] != kNone) continue;
    slot[root] = static_cast<std::uint32_t>(out.begin.size() - 1);
    out.begin.push_back(out.begin.back() + count[root]);
  }
  out.members.assign(out.begin.back(), 0);
  std::vector<std::uint32_t> fill(out.begin.begin(), out.begin.end() - 1);
  for (std::uint32_t d = 0; d < n; ++d) {
    if (!in_play[d]) continue;
    const std::uint32_t c = slot[sets.find(d)];
    if (c != kNone) out.members[fill[c]++] = d;
  }
  return out;
}

std::uint32_t choose_representative(const Corpus& corpus, std::span<const std::uint32_t> members,
                                    KeepPolicy keep) {
  const auto count = static_cast<std::uint32_t>(members.size());
  return members[choose_member(
      count, keep, [&](std::uint32_t k) { return corpus.date(members[k]); },
      [&](std::uint32_t k) { return corpus.docs[members[k]].text_bytes; })];
}

}  // namespace doppel
