#include "cluster/clusters.h"

namespace doppel {

void collect_clusters(UnionFind& sets, std::span<const std::uint8_t> in_play,
                      std::vector<Cluster>& clusters, std::vector<std::uint32_t>& members) {
  const std::uint32_t n = sets.size();
  std::vector<std::uint32_t> count(n, 0);
  for (std::uint32_t d = 0; d < n; ++d) {
    if (in_play[d]) ++count[sets.find(d)];
  }
  // Clusters are numbered in the order of their first in-play member (the root, the smallest
  // member, may be out of play), and each lists its members in input order.
  std::vector<std::uint32_t> slot(n, kNoCluster);  // root -> cluster
  clusters.clear();
  std::uint32_t total = 0;
  for (std::uint32_t d = 0; d < n; ++d) {
    if (!in_play[d]) continue;
    const std::uint32_t root = sets.find(d);
    if (count[root] < 2 || slot[root] != kNoCluster) continue;
    slot[root] = static_cast<std::uint32_t>(clusters.size());
    clusters.push_back(Cluster{d, total, 0, false});
    total += count[root];
  }
  members.assign(total, 0);
  for (std::uint32_t d = 0; d < n; ++d) {
    if (!in_play[d]) continue;
    const std::uint32_t c = slot[sets.find(d)];
    if (c == kNoCluster) continue;
    Cluster& cl = clusters[c];
    members[cl.members_begin + cl.size++] = d;
  }
}

std::uint32_t choose_representative(const DedupResult& result,
                                    std::span<const std::uint32_t> members, KeepPolicy keep) {
  std::uint32_t best = members.front();
  for (const std::uint32_t d : members.subspan(1)) {
    switch (keep) {
      case KeepPolicy::kFirst:
        break;
      case KeepPolicy::kEarliest: {
        const auto a = result.date(d), b = result.date(best);
        if (!a.empty() && (b.empty() || a < b)) best = d;
        break;
      }
      case KeepPolicy::kLongest:
        if (result.docs[d].text_bytes > result.docs[best].text_bytes) best = d;
        break;
    }
  }
  return best;
}

}  // namespace doppel
