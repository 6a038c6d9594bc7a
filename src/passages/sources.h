// Who published a passage first: documents ranked by date, and each passage cluster's source, the
// occurrence in its earliest dated document. Pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "doppel/corpus.h"
#include "passages/passage_clusters.h"

namespace doppel {

// rank[d] for every document: by date (compare_dates(), corpus/dates.h), undated documents last,
// ties in input order. Frequent seeds link every occurrence to the lowest-ranked one; a cluster's
// source is its lowest-ranked dated member.
std::vector<std::uint32_t> rank_by_date(const Corpus& corpus);
// The same from every document's date (a distributed run's, gathered).
std::vector<std::uint32_t> rank_by_date(std::span<const std::string_view> dates);

inline constexpr std::uint32_t kNoSource = 0xffffffffu;

// The index in `occurrences` of the first occurrence in the lowest-ranked document with a date
// (`dated[doc]`), or kNoSource when no member has one.
std::uint32_t choose_source(std::span<const WordRange> occurrences,
                            std::span<const std::uint32_t> rank,
                            std::span<const std::uint8_t> dated);

}  // namespace doppel
