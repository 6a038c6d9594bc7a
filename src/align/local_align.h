// Local alignment of two word sequences around seed matches: Smith-Waterman with linear gap
// costs, computed only in a band around the path through the seeds (anchors). Words are
// compared by their 32-bit hashes. Pure function over caller-owned scratch.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace doppel {

struct AlignScoring {
  int match = 2;      // a word in both passages
  int mismatch = -1;  // a substituted word
  int gap = -1;       // an inserted or deleted word; must be <= 0
};

// A seed: a[a .. a + length) == b[b .. b + length), with `length` known to the caller.
struct Anchor {
  std::uint32_t a = 0, b = 0;
};

// Words [a_begin, a_end) of `a` aligned to [b_begin, b_end) of `b`; `matches` aligned pairs of
// equal words. An empty alignment has score 0 and all fields 0.
struct Alignment {
  std::uint32_t a_begin = 0, a_end = 0, b_begin = 0, b_end = 0;
  std::uint32_t matches = 0;
  int score = 0;
};

struct AlignScratch {
  std::vector<int> score[2];
  // The step taken into each cell of the band, row by row, for the traceback.
  std::vector<std::uint8_t> steps;
  std::vector<std::int64_t> row_lo;
  std::vector<std::uint32_t> b_words;  // words of `b` with room after them, near its end
  std::vector<std::uint64_t> row_at;
  std::vector<int> rise, restart;  // rows past the anchors: what later rows can add (see .cc)
  // After align_banded: the aligned pairs of equal words of the best alignment, in order.
  std::vector<Anchor> matched;
};

// The best-scoring local alignment whose path stays within `band` words of the anchors'
// diagonals: rows (words of `a`) from anchors.front().a - extend to anchors.back().a + length +
// extend; in each row, the columns within `band` of the diagonals of the anchors on either side.
// Anchors must be non-empty and increasing in a. Ties go to the alignment that ends first (in
// row-major order); on a path, the diagonal step is preferred, then a gap in `b`, then in `a`.
Alignment align_banded(std::span<const std::uint32_t> a, std::span<const std::uint32_t> b,
                       std::span<const Anchor> anchors, std::uint32_t length, std::uint32_t band,
                       std::uint32_t extend, const AlignScoring& scoring, AlignScratch& scratch);

}  // namespace doppel
