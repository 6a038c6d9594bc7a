#include "passages/passage_clusters.h"

#include <algorithm>

#include "cluster/union_find.h"

namespace doppel {

PassageGroups group_passages(std::span<const AlignedPair> pairs) {
  PassageGroups out;
  // Both sides of every pair, sorted by (doc, begin): overlapping ranges of a document merge.
  std::vector<WordRange> sides;
  sides.reserve(pairs.size() * 2);
  for (const AlignedPair& p : pairs) {
    sides.push_back(WordRange{p.a, p.a_begin, p.a_end});
    sides.push_back(WordRange{p.b, p.b_begin, p.b_end});
  }
  std::sort(sides.begin(), sides.end(), [](const WordRange& x, const WordRange& y) {
    return x.doc != y.doc ? x.doc < y.doc : x.begin < y.begin;
  });
  std::vector<WordRange> segments;
  for (const WordRange& r : sides) {
    if (!segments.empty() && segments.back().doc == r.doc && r.begin < segments.back().end) {
      segments.back().end = std::max(segments.back().end, r.end);
    } else {
      segments.push_back(r);
    }
  }
  auto segment_of = [&](std::uint32_t doc, std::uint32_t begin) {
    const auto it = std::upper_bound(segments.begin(), segments.end(), WordRange{doc, begin, 0},
                                     [](const WordRange& x, const WordRange& y) {
                                       return x.doc != y.doc ? x.doc < y.doc : x.begin < y.begin;
                                     });
    return static_cast<std::uint32_t>(it - segments.begin() - 1);
  };
  UnionFind sets(static_cast<std::uint32_t>(segments.size()));
  std::vector<std::uint32_t> pair_segment(pairs.size());
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const std::uint32_t x = segment_of(pairs[i].a, pairs[i].a_begin);
    sets.unite(x, segment_of(pairs[i].b, pairs[i].b_begin));
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
