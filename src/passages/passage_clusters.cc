#include "passages/passage_clusters.h"

#include <algorithm>

#include "cluster/union_find.h"
#include "util/radix_sort.h"

namespace doppel {

PassageGroups group_passages(std::span<const AlignedPair> pairs) {
  PassageGroups out;
  // Both sides of every pair as ((doc, begin), side) sorted, side 2i being pair i's side in a and
  // 2i + 1 its side in b: overlapping ranges of a document merge into one segment, and each side
  // learns its segment on the way.
  std::vector<KeyValue> sides(pairs.size() * 2), tmp;
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const AlignedPair& p = pairs[i];
    sides[2 * i] = {std::uint64_t{p.a} << 32 | p.a_begin, static_cast<std::uint32_t>(2 * i)};
    sides[2 * i + 1] = {std::uint64_t{p.b} << 32 | p.b_begin,
                        static_cast<std::uint32_t>(2 * i + 1)};
  }
  sort_key_values(sides, tmp);
  std::vector<WordRange> segments;
  std::vector<std::uint32_t> side_segment(sides.size());
  for (const auto& [key, side] : sides) {
    const auto doc = static_cast<std::uint32_t>(key >> 32);
    const auto begin = static_cast<std::uint32_t>(key);
    const AlignedPair& p = pairs[side / 2];
    const std::uint32_t end = side % 2 == 0 ? p.a_end : p.b_end;
    if (!segments.empty() && segments.back().doc == doc && begin < segments.back().end) {
      segments.back().end = std::max(segments.back().end, end);
    } else {
      segments.push_back(WordRange{doc, begin, end});
    }
    side_segment[side] = static_cast<std::uint32_t>(segments.size() - 1);
  }
  UnionFind sets(static_cast<std::uint32_t>(segments.size()));
  std::vector<std::uint32_t> pair_segment(pairs.size());
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const std::uint32_t x = side_segment[2 * i];
    sets.unite(x, side_segment[2 * i + 1]);
    pair_segment[i] = x;
  }
  // Segments are in (doc, begin) order and union-find roots are smallest members, so numbering
  // roots in segment order orders clusters by first occurrence.
  const auto num_segments = static_cast<std::uint32_t>(segments.size());
  std::vector<std::uint32_t> cluster_of_root(num_segments, 0xffffffffu), count;
  for (std::uint32_t s = 0; s < num_segments; ++s) {
    const std::uint32_t root = sets.find(s);
    if (cluster_of_root[root] == 0xffffffffu) {
      cluster_of_root[root] = static_cast<std::uint32_t>(count.size());
      count.push_back(0);
    }
    ++count[cluster_of_root[root]];
  }
  out.cluster_begin.assign(count.size() + 1, 0);
  for (std::size_t c = 0; c < count.size(); ++c) {
    out.cluster_begin[c + 1] = out.cluster_begin[c] + count[c];
  }
  out.occurrences.resize(num_segments);
  std::vector<std::uint32_t> fill(out.cluster_begin.begin(), out.cluster_begin.end() - 1);
  for (std::uint32_t s = 0; s < num_segments; ++s) {
    out.occurrences[fill[cluster_of_root[sets.find(s)]]++] = segments[s];
  }
  out.pair_cluster.resize(pairs.size());
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    out.pair_cluster[i] = cluster_of_root[sets.find(pair_segment[i])];
  }
  return out;
}

}  // namespace doppel
