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
  // Every row's window, and the columns any row may touch, so that the rolling rows are only as
  // wide as the band's span. row_at[r]: where row r's steps begin.
  const auto num_rows =
      static_cast<std::size_t>(std::max<std::int64_t>(0, last_row - first_row + 1));
  scratch.row_lo.resize(num_rows);
  scratch.row_at.resize(num_rows + 1);
  std::int64_t col_min = cols + 1, col_max = 0;
  std::uint64_t cells = 0;
  for (std::size_t r = 0; r < num_rows; ++r) {
    std::int64_t lo = 0, hi = 0;
    window(first_row + static_cast<std::int64_t>(r), lo, hi);
    hi = std::max(hi, lo - 1);  // an empty window is [lo, lo - 1]
    scratch.row_lo[r] = lo;
    scratch.row_at[r] = cells;
    cells += static_cast<std::uint64_t>(hi - lo + 1);
    if (lo <= hi) {
      col_min = std::min(col_min, lo);
      col_max = std::max(col_max, hi);
    }
  }
  scratch.row_at[num_rows] = cells;
  if (col_min > col_max) return best;
  // Index x of a column j is j - col_min + 1; x = 0 is the always-zero column left of the span.
  const auto width = static_cast<std::size_t>(col_max - col_min + 2);
  for (int r = 0; r < 2; ++r) scratch.score[r].assign(width, 0);
  std::int64_t prev_lo[2] = {1, 1}, prev_hi[2] = {0, 0};  // window last written in each buffer
  constexpr std::uint8_t kStart = 0, kDiagonal = 1, kUp = 2, kLeft = 3;  // steps into a cell
  scratch.steps.resize(cells);
  // Only scores and steps are kept per cell: where the best alignment starts and how many of its
  // words match come from the traceback, which follows the same steps.
  std::int64_t best_i = 0, best_j = 0;
  const std::int64_t last_anchor_row = std::int64_t{anchors.back().a} + length;
  const int match = scoring.match, mismatch = scoring.mismatch, gap = scoring.gap;
  int cur = 0;
  for (std::size_t r = 0; r < num_rows; ++r) {
    const std::int64_t i = first_row + static_cast<std::int64_t>(r);
    const std::int64_t lo = scratch.row_lo[r];
    const auto n = static_cast<std::int64_t>(scratch.row_at[r + 1] - scratch.row_at[r]);
    const int up = cur ^ 1;
    int* h = scratch.score[cur].data();
    const int* hu = scratch.score[up].data();
    // Clear what this buffer held two rows ago: outside the window every cell reads as 0.
    for (std::int64_t j = prev_lo[cur]; j <= prev_hi[cur]; ++j) h[j - col_min + 1] = 0;
    prev_lo[cur] = n == 0 ? 1 : lo;
    prev_hi[cur] = n == 0 ? 0 : lo + n - 1;
    cur = up;
    if (n == 0) continue;
    const std::uint32_t word_a = a[static_cast<std::size_t>(i - 1)];
    // Cell k of the row is column lo + k.
    std::uint8_t* step = scratch.steps.data() + scratch.row_at[r];
    const std::uint32_t* word_b = b.data() + (lo - 1);
    int* hk = h + (lo - col_min + 1);
    const int* before = hu + (lo - col_min);  // before[k]: diagonal; before[k + 1]: above
    // Branch-free: which step wins depends on the words, which no predictor can guess. A cell
    // that scores 0 gets a step too; the traceback never reaches it. A gap from a cell that
    // scores 0 is allowed here, unlike in the recurrence: with gap <= 0 it scores at most 0,
    // so it changes no cell that scores more, and the others are 0 either way.
    int left = 0;  // the cell left of the window
    int row_max = 0;
    for (std::int64_t k = 0; k < n; ++k) {
      const int diagonal = before[k], above = before[k + 1];
      // Diagonal: a fresh start when the cell before is 0.
      const int from_diagonal = diagonal + (word_a == word_b[k] ? match : mismatch);
      const int from_above = above + gap;  // a word of `a` left out
      const int from_left = left + gap;    // a word of `b` left out
      const int no_left = std::max(from_diagonal, from_above);
      auto how = static_cast<std::uint8_t>(diagonal > 0 ? kDiagonal : kStart);
      how = from_above > from_diagonal ? kUp : how;
      how = from_left > no_left ? kLeft : how;
      const int value = std::max(std::max(no_left, from_left), 0);
      hk[k] = value;
      step[k] = how;
      left = value;
      row_max = std::max(row_max, value);
    }
    if (row_max > best.score) {  // ties: the first cell
      std::int64_t k = 0;
      while (hk[k] != row_max) ++k;
      best.score = row_max;
      best_i = i;
      best_j = lo + k;
    }
    // Past the anchors, a cell gains at most `match` a row, from this row's best or from 0: once
    // that cannot beat the best score by the last row, no later cell changes the result.
    if (i > last_anchor_row && row_max + match * (last_row - i) <= best.score) break;
  }
  // Traceback from the best cell: the pairs of equal words on the path, and where it starts.
  if (best.score > 0) {
    best.a_end = static_cast<std::uint32_t>(best_i);
    best.b_end = static_cast<std::uint32_t>(best_j);
    std::int64_t i = best_i, j = best_j;
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
    best.a_begin = static_cast<std::uint32_t>(i - 1);
    best.b_begin = static_cast<std::uint32_t>(j - 1);
    best.matches = static_cast<std::uint32_t>(scratch.matched.size());
    std::reverse(scratch.matched.begin(), scratch.matched.end());
  }
  return best;
}

}  // namespace doppel
