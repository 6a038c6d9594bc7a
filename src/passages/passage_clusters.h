// From aligned passage pairs to passage clusters: in each document, the aligned stretches that
// overlap merge into one occurrence; occurrences linked by an alignment belong to one cluster
// (union-find). The same passage across many documents is therefore one cluster, whichever
// documents were aligned with which. Pure function.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace doppel {

// Words [a_begin, a_end) of document a aligned to [b_begin, b_end) of document b.
struct AlignedPair {
  std::uint32_t a = 0, b = 0;
  std::uint32_t a_begin = 0, a_end = 0, b_begin = 0, b_end = 0;
  std::uint32_t matches = 0;
  friend bool operator==(const AlignedPair&, const AlignedPair&) = default;
};

struct WordRange {
  std::uint32_t doc = 0, begin = 0, end = 0;
};

struct PassageGroups {
  std::vector<WordRange> occurrences;        // grouped by cluster, each group by (doc, begin)
  std::vector<std::uint32_t> cluster_begin;  // cluster c: occurrences[begin[c], begin[c + 1])
  std::vector<std::uint32_t> pair_cluster;   // per input pair
};

// Clusters are ordered by their first occurrence (doc, begin).
PassageGroups group_passages(std::span<const AlignedPair> pairs);

}  // namespace doppel
