#include "align/local_align.h"

#include <algorithm>

namespace doppel {

Alignment align_banded(std::span<const std::uint32_t> a, std::span<const std::uint32_t> b,
                       std::span<const Anchor> anchors, std::uint32_t length, std::uint32_t band,
                       std::uint32_t extend, const AlignScoring& scoring, AlignScratch& scratch) {
  Alignment best;
  scratch.matched.clear();
  if (anchors.empty() || a.empty() || b.empty()) return best;
  const std::int64_t rows = static_cast<std::int64_t>(a.size());
  const std::int64_t cols = static_cast<std::int64_t>(b.size());
  // DP row i (1-based) is word a[i - 1]; column j is word b[j - 1].
  const std::int64_t first_row =
      std::max<std::int64_t>(1, std::int64_t{anchors.front().a} + 1 - std::int64_t{extend});
  const std::int64_t last_row =
      std::min<std::int64_t>(rows, std::int64_t{anchors.back().a} + length + extend);
  auto diagonal = [&](std::size_t k) {
    return std::int64_t{anchors[k].b} - std::int64_t{anchors[k].a};
  };
  // The column window of a row: within `band` of the diagonals of the anchors around it.
  std::size_t next_anchor = 0;
  auto window = [&](std::int64_t i, std::int64_t& lo, std::int64_t& hi) {
    const std::int64_t word = i - 1;
    while (next_anchor < anchors.size() && std::int64_t{anchors[next_anchor].a} <= word) {
      ++next_anchor;
    }
    const std::size_t before = next_anchor == 0 ? 0 : next_anchor - 1;
    const std::size_t after = std::min(next_anchor, anchors.size() - 1);
    const std::int64_t d1 = diagonal(before), d2 = diagonal(after);
    lo = std::max<std::int64_t>(1, i + std::min(d1, d2) - band);
    hi = std::min<std::int64_t>(cols, i + std::max(d1, d2) + band);
  };
  // Columns any row may touch, so that the rolling rows are only as wide as the band's span.
  std::int64_t col_min = cols + 1, col_max = 0;
  {
    std::int64_t lo = 0, hi = 0;
    for (std::int64_t i = first_row; i <= last_row; ++i) {
      window(i, lo, hi);
      if (lo <= hi) {
        col_min = std::min(col_min, lo);
        col_max = std::max(col_max, hi);
      }
    }
    next_anchor = 0;
  }
  if (col_min > col_max) return best;
  // Index x of a column j is j - col_min + 1; x = 0 is the always-zero column left of the span.
  const auto width = static_cast<std::size_t>(col_max - col_min + 2);
  for (int r = 0; r < 2; ++r) {
    scratch.score[r].assign(width, 0);
    scratch.start_a[r].assign(width, 0);
    scratch.start_b[r].assign(width, 0);
    scratch.matches[r].assign(width, 0);
  }
  std::int64_t prev_lo[2] = {1, 1}, prev_hi[2] = {0, 0};  // window last written in each buffer
  enum Step : std::uint8_t { kStart = 0, kDiagonal = 1, kUp = 2, kLeft = 3 };
  scratch.steps.clear();
  scratch.row_lo.clear();
  scratch.row_at.clear();
  scratch.matched.clear();
  int cur = 0;
  for (std::int64_t i = first_row; i <= last_row; ++i) {
    std::int64_t lo = 0, hi = 0;
    window(i, lo, hi);
    const int up = cur ^ 1;
    int* h = scratch.score[cur].data();
    std::uint32_t* sa = scratch.start_a[cur].data();
    std::uint32_t* sb = scratch.start_b[cur].data();
    std::uint32_t* m = scratch.matches[cur].data();
    const int* hu = scratch.score[up].data();
    const std::uint32_t* sau = scratch.start_a[up].data();
    const std::uint32_t* sbu = scratch.start_b[up].data();
    const std::uint32_t* mu = scratch.matches[up].data();
    // Clear what this buffer held two rows ago: outside the window every cell reads as 0.
    for (std::int64_t j = prev_lo[cur]; j <= prev_hi[cur]; ++j) h[j - col_min + 1] = 0;
    prev_lo[cur] = lo - 1 >= col_min ? lo - 1 : lo;
    prev_hi[cur] = hi;
    const std::uint32_t word_a = a[static_cast<std::size_t>(i - 1)];
    scratch.row_lo.push_back(lo);
    scratch.row_at.push_back(scratch.steps.size());
    if (hi >= lo)
      scratch.steps.resize(scratch.steps.size() + static_cast<std::size_t>(hi - lo + 1));
    std::uint8_t* step = scratch.steps.data() + scratch.row_at.back();  // step[j - lo]
    for (std::int64_t j = lo; j <= hi; ++j) {
      const auto x = static_cast<std::size_t>(j - col_min + 1);
      const bool equal = word_a == b[static_cast<std::size_t>(j - 1)];
      // Diagonal: a fresh start when the cell before is 0.
      int value = hu[x - 1] + (equal ? scoring.match : scoring.mismatch);
      std::uint32_t from_a = hu[x - 1] > 0 ? sau[x - 1] : static_cast<std::uint32_t>(i - 1);
      std::uint32_t from_b = hu[x - 1] > 0 ? sbu[x - 1] : static_cast<std::uint32_t>(j - 1);
      std::uint32_t count = (hu[x - 1] > 0 ? mu[x - 1] : 0) + (equal ? 1 : 0);
      std::uint8_t how = hu[x - 1] > 0 ? kDiagonal : kStart;
      if (hu[x] > 0 && hu[x] + scoring.gap > value) {  // a word of `a` left out
        value = hu[x] + scoring.gap;
        from_a = sau[x];
        from_b = sbu[x];
        count = mu[x];
        how = kUp;
      }
      if (h[x - 1] > 0 && h[x - 1] + scoring.gap > value) {  // a word of `b` left out
        value = h[x - 1] + scoring.gap;
        from_a = sa[x - 1];
        from_b = sb[x - 1];
        count = m[x - 1];
        how = kLeft;
      }
      if (value <= 0) {
        h[x] = 0;
        continue;
      }
      h[x] = value;
      step[j - lo] = how;
      sa[x] = from_a;
      sb[x] = from_b;
      m[x] = count;
      if (value > best.score) {
        best = Alignment{from_a, static_cast<std::uint32_t>(i),
                         from_b, static_cast<std::uint32_t>(j),
                         count,  value};
      }
    }
    cur = up;
  }
  // Traceback from the best cell: the pairs of equal words on the path.
  if (best.score > 0) {
    std::int64_t i = best.a_end, j = best.b_end;
    for (;;) {
      const auto row = static_cast<std::size_t>(i - first_row);
      const std::uint8_t how =
          scratch.steps[scratch.row_at[row] + static_cast<std::size_t>(j - scratch.row_lo[row])];
      if (how == kDiagonal || how == kStart) {
        if (a[static_cast<std::size_t>(i - 1)] == b[static_cast<std::size_t>(j - 1)]) {
          scratch.matched.push_back(
              Anchor{static_cast<std::uint32_t>(i - 1), static_cast<std::uint32_t>(j - 1)});
        }
        if (how == kStart) break;
        --i;
        --j;
      } else if (how == kUp) {
        --i;
      } else {
        --j;
      }
    }
    std::reverse(scratch.matched.begin(), scratch.matched.end());
  }
  return best;
}

}  // namespace doppel
