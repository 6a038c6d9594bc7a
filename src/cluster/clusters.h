// From disjoint sets to clusters, and the choice of the document each cluster keeps. Pure
// functions (UnionFind::find compresses paths, hence the non-const reference).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "cluster/union_find.h"
#include "doppel/dedup.h"

namespace doppel {

// Writes every set of two or more documents among those with in_play[doc], ordered by smallest
// member, members ascending (Cluster::representative is left to choose_representative).
void collect_clusters(UnionFind& sets, std::span<const std::uint8_t> in_play,
                      std::vector<Cluster>& clusters, std::vector<std::uint32_t>& members);

// The member kept by `keep`: first in input order, earliest date (ISO dates compare as text;
// undated documents count as latest) or longest text; ties go to the first.
std::uint32_t choose_representative(const DedupResult& result,
                                    std::span<const std::uint32_t> members, KeepPolicy keep);

}  // namespace doppel
