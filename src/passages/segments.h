// From alignments to passages of one document pair: an alignment's equal words are cut into
// pieces where the reuse stops, and the pieces of one document pair are joined into passages
// (a passage whose sentences were reordered aligns in several pieces). Pure functions over
// caller-owned vectors.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "align/local_align.h"

namespace doppel {

// Words [a_begin, a_end) of document a aligned to [b_begin, b_end) of document b, in order
// (monotone): a stretch of one alignment.
struct Piece {
  std::uint32_t a_begin = 0, a_end = 0, b_begin = 0, b_end = 0;
  std::uint32_t matches = 0;   // aligned pairs of equal words
  std::uint32_t trigrams = 0;  // aligned word 3-grams: three consecutive pairs of equal words
};

// An alignment's equal words (in order, as AlignScratch::matched), cut wherever more than
// `max_unmatched` words of either document pass without a match: local alignment happily
// bridges a new sentence between two reused ones. Appends one piece per stretch.
void split_at_unmatched(std::span<const Anchor> matched, std::uint32_t max_unmatched,
                        std::vector<Piece>& pieces);

// A passage of one document pair: pieces[first, first + count), and the extent they span.
struct PieceGroup {
  Piece extent;  // the smallest ranges holding every piece; matches and trigrams count each word
                 // of either document once (see join_pieces)
  std::uint32_t first = 0, count = 0;
};

// Joins the pieces of one document pair (whose words are `a_words` and `b_words`) into passages.
// `matched` holds the pieces' aligned pairs of equal words, piece after piece in input order
// (piece k's are the next pieces[k].matches: the `matched` of each alignment cut by
// split_at_unmatched, one after the other).
// All the pieces start as one set; a set is split at a gap of more than `max_gap` words between
// its pieces in either document (the longest first; the pieces before it and those after it)
// unless the gap is part of the passage:
//   * the gap has at most 4 * max_gap words (a sentence or two), and
//   * the pieces on its two sides come in another order in the other document (some piece after
//     the gap begins there before some piece before it): the passage was reordered, and its
//     pieces, each far from its neighbours on one side, are one passage. Each side needs
//     max_gap matched words or more (two phrases are not a passage), and no piece of one side
//     may share half its words there with a piece of the other (that aligns text a second
//     time); or
//   * the gap is text of the passage edited beyond alignment: at least half its distinct word
//     2-grams are in the other document's stretch of the passage, or within the gap's length of
//     it (a sentence shuffled away from its place and heavily edited).
// A set of more than 64 pieces (two long documents aligned in many stretches) is split at its gaps
// without these exceptions. A set of up to 64 pieces left without a gap to split at, in which two
// strong pieces (each with at least half the matches of the piece with the most, and at least three
// quarters of the other's) repeat one stretch of a document (both match at least half the words
// that the one with fewer matches matches there, and less than half in the other document: a
// passage the other holds twice), is split into its copies: its pieces in the order of the other
// document (by begin there, then by begin in the repeated one, then input order), cut before each
// strong piece that repeats a strong one since the last cut; stretches of a first, then of b. Each
// part is taken as a set again. A set with strong repeats of a stretch of a and also of a stretch
// of b (both documents hold some text twice) is not split so. Other text between two passages is
// new text: a reply quoting two paragraphs of a post with its own text between them gives two
// passages. Reorders `pieces` so that each group's pieces are contiguous (in input order) and
// replaces `groups` with the groups, ordered by the extent's (a_begin, b_begin). A group's matches
// and trigrams are its pieces' where no two of them share a word. Pieces that share words in either
// document (two chains whose alignments ran into each other's text: each aligns some of the other's
// words a second time, not always to the same words) count, together, the most of their pairs of
// which no two share a word (a maximum matching), and the 3-grams among those: every word is in one
// pair at most, so 2 * matches / (words_a + words_b) is at most 1 and never above what the words
// the two spans share allow. Not the longest chain increasing in both documents: the pieces of a
// reordered passage can overlap too, and their pairs cross.
void join_pieces(std::vector<Piece>& pieces, std::span<const Anchor> matched,
                 std::span<const std::uint32_t> a_words, std::span<const std::uint32_t> b_words,
                 std::uint32_t max_gap, std::vector<PieceGroup>& groups);

// Whether a passage is reported: at least `min_words` words on both sides, and a share of
// matching words 2 * matches / (words_a + words_b) of at least `min_similarity`.
bool passage_qualifies(const Piece& p, std::uint32_t min_words, double min_similarity);

}  // namespace doppel
