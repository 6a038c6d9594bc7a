// The passages of an index answer from the stretches of one document that earlier documents
// hold. Overlapping stretches are one stretch of text, but not always one passage: where one
// earlier document holds a paragraph and another that paragraph and the next two, the first is
// the source of the paragraph only. So a run of overlapping stretches is cut where a stretch
// begins or ends, and each piece is held by the stretches that cover it. Pure function.
#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace doppel {

struct PassagePiece {
  std::uint32_t begin = 0, end = 0;    // words of the document
  std::vector<std::uint32_t> holders;  // indices into `stretches`, ascending
};

// Splits `stretches` (word ranges [first, second) of one document, any order) into passages: a
// run of overlapping stretches is cut at each stretch's begin and end, except where the cut would
// leave a piece shorter than `min_words` words (alignments of one text against several documents
// end a word or two apart). A piece is held by the stretches that cover at least half of it (at
// least the one that covers most); neighbouring pieces held by the same stretches are one; a
// stretch that covers half of no piece holds the one it overlaps most. The pieces come in text
// order and cover exactly the union of the stretches.
std::vector<PassagePiece> passage_pieces(
    std::span<const std::pair<std::uint32_t, std::uint32_t>> stretches, std::uint32_t min_words);

}  // namespace doppel
