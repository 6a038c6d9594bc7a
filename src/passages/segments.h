// From an alignment to the reused passages of one document pair: the alignment's equal words
// are cut where the reuse stops (a long stretch without a match), then pieces that overlap or lie
// close in both documents are joined into one passage (a passage whose sentences were reordered
// aligns in pieces). Pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "align/local_align.h"
#include "passages/passage_clusters.h"

namespace doppel {

// Appends to `pieces` the stretches of `matched` (pairs of equal words, increasing in both
// documents) cut where more than `max_unmatched` words of either document pass without a match:
// local alignment happily bridges a new sentence between two reused ones.
void split_at_unmatched(std::uint32_t a, std::uint32_t b, std::span<const Anchor> matched,
                        std::uint32_t max_unmatched, std::vector<AlignedPair>& pieces);

// Joins the pieces of one document pair that overlap, or lie within `max_unmatched` words of
// each other in both documents, into one piece spanning both (matches add up, or the larger count
// is kept where they overlap); the result is sorted by (a_begin, b_begin).
void merge_pieces(std::vector<AlignedPair>& pieces, std::uint32_t max_unmatched);

// Whether a passage is reported: at least `min_words` words on both sides, and a share of
// matching words 2 * matches / (words_a + words_b) of at least `min_similarity`.
bool passage_qualifies(const AlignedPair& p, std::uint32_t min_words, double min_similarity);

}  // namespace doppel
