#include "align/local_align.h"

#include <algorithm>
#include <cstring>
#include <limits>

namespace doppel {
namespace {

// The row's cells kLanes at a time, as a GCC/Clang vector of ints: one SSE4.1 register on the
// x86-64-v2 baseline, one NEON register on ARM. (Eight lanes were slower: in two SSE registers,
// because rows are only about 2 * band + 1 = 17 cells wide; in one AVX2 register, because the
// carry and the running maximum then cross the register's two halves.)
constexpr int kLanes = 4;
using Vec = int __attribute__((vector_size(kLanes * sizeof(int))));
using ByteVec = std::uint8_t __attribute__((vector_size(kLanes)));

constexpr int kStart = 0, kDiagonal = 1, kUp = 2, kLeft = 3;  // steps into a cell
// Far below any score, and far enough from INT_MIN that adding a few gaps cannot wrap.
constexpr int kFar = -(1 << 29);

Vec splat(int x) { return Vec{} + x; }
Vec iota() {
  Vec v{};
  for (int k = 0; k < kLanes; ++k) v[k] = k;
  return v;
}
Vec load(const int* p) {
  Vec v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
Vec load(const std::uint32_t* p) {
  Vec v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
void store(int* p, Vec v) { std::memcpy(p, &v, sizeof v); }
// The low byte of each lane (one byte shuffle).
void store_bytes(std::uint8_t* p, Vec v) {
  using Bytes16 = std::uint8_t __attribute__((vector_size(16)));
  const auto b = reinterpret_cast<Bytes16>(v);
  const ByteVec low = __builtin_shufflevector(b, b, 0, 4, 8, 12);
  std::memcpy(p, &low, sizeof low);
}
Vec select(Vec mask, Vec yes, Vec no) { return (mask & yes) | (~mask & no); }
Vec max(Vec x, Vec y) { return x > y ? x : y; }
// Lanes moved up by S: lane k gets v[k - S], the first S lanes get the last of `fill`.
template <int S>
Vec shift(Vec v, Vec fill) {
  return __builtin_shufflevector(fill, v, 4 - S, 5 - S, 6 - S, 7 - S);
}
Vec last_lane(Vec v) { return __builtin_shufflevector(v, v, 3, 3, 3, 3); }
int horizontal_max(Vec v) {
  v = max(v, __builtin_shufflevector(v, v, 2, 3, 0, 1));
  v = max(v, __builtin_shufflevector(v, v, 1, 0, 3, 2));
  return v[0];
}
std::int64_t round_up(std::int64_t n) { return (n + kLanes - 1) / kLanes * kLanes; }

// Which cells of the dynamic program are computed: rows (words of `a`) around the anchors, and
// in each row the columns within `band` of the diagonals of the anchors on either side. Filled
// into scratch.row_lo and scratch.row_at (where row r's steps begin).
struct BandPlan {
  std::int64_t first_row = 1, last_row = 0;  // DP rows (1-based: row i is word a[i - 1])
  std::size_t num_rows = 0;
  std::int64_t col_min = 0, col_max = -1;  // the columns any row touches
  std::int64_t widest = 0;                 // the widest row
  std::uint64_t cells = 0;
};

BandPlan plan_band(std::int64_t rows, std::int64_t cols, std::span<const Anchor> anchors,
                   std::uint32_t length, std::uint32_t band, std::uint32_t extend,
                   AlignScratch& scratch) {
  BandPlan plan;
  plan.first_row =
      std::max<std::int64_t>(1, std::int64_t{anchors.front().a} + 1 - std::int64_t{extend});
  plan.last_row = std::min<std::int64_t>(rows, std::int64_t{anchors.back().a} + length + extend);
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
  plan.num_rows =
      static_cast<std::size_t>(std::max<std::int64_t>(0, plan.last_row - plan.first_row + 1));
  scratch.row_lo.resize(plan.num_rows);
  scratch.row_at.resize(plan.num_rows + 1);
  plan.col_min = cols + 1;
  plan.col_max = 0;
  for (std::size_t r = 0; r < plan.num_rows; ++r) {
    std::int64_t lo = 0, hi = 0;
    window(plan.first_row + static_cast<std::int64_t>(r), lo, hi);
    hi = std::max(hi, lo - 1);  // an empty window is [lo, lo - 1]
    scratch.row_lo[r] = lo;
    scratch.row_at[r] = plan.cells;
    plan.cells += static_cast<std::uint64_t>(hi - lo + 1);
    plan.widest = std::max(plan.widest, hi - lo + 1);
    if (lo <= hi) {
      plan.col_min = std::min(plan.col_min, lo);
      plan.col_max = std::max(plan.col_max, hi);
    }
  }
  scratch.row_at[plan.num_rows] = plan.cells;
  return plan;
}

// What the first anchor's words score, matched from a start of their own along its diagonal,
// where all of them are equal and within the band (as the anchors of a chain are); else 0. At
// most INT_MAX (a score the fill could not hold anyway).
int first_anchor_score(std::span<const std::uint32_t> a, std::span<const std::uint32_t> b,
                       const BandPlan& plan, const Anchor& anchor, std::uint32_t length,
                       const AlignScoring& scoring, const AlignScratch& scratch) {
  if (scoring.match <= 0 || length == 0) return 0;
  for (std::uint32_t k = 0; k < length; ++k) {
    const std::int64_t i = std::int64_t{anchor.a} + k + 1, j = std::int64_t{anchor.b} + k + 1;
    if (i < plan.first_row || i > plan.last_row || j > static_cast<std::int64_t>(b.size()) ||
        a[static_cast<std::size_t>(i - 1)] != b[static_cast<std::size_t>(j - 1)]) {
      return 0;
    }
    const auto r = static_cast<std::size_t>(i - plan.first_row);
    const std::int64_t lo = scratch.row_lo[r];
    const auto n = static_cast<std::int64_t>(scratch.row_at[r + 1] - scratch.row_at[r]);
    if (j < lo || j >= lo + n) return 0;
  }
  return static_cast<int>(std::min<std::int64_t>(std::int64_t{scoring.match} * length,
                                                 std::numeric_limits<int>::max()));
}

// The best cell of the band: its score and where it is (row i, column j of the DP).
struct BestCell {
  int score = 0;
  std::int64_t i = 0, j = 0;
};

// Fills the band's scores (two rolling rows) and steps (every cell, for the traceback).
// first_anchor_row, last_anchor_row: the DP rows of the first anchor's first word and of the
// last anchor's last word. `least_best`: a score some cell at or below first_anchor_row is known
// to reach (the first anchor's words, matched), or 0 if none is known.
BestCell fill_band(std::span<const std::uint32_t> a, std::span<const std::uint32_t> b,
                   const BandPlan& plan, std::int64_t first_anchor_row,
                   std::int64_t last_anchor_row, int least_best, const AlignScoring& scoring,
                   AlignScratch& scratch) {
  BestCell best;
  const std::int64_t cols = static_cast<std::int64_t>(b.size());
  const std::int64_t col_min = plan.col_min;
  // Index x of a column j is j - col_min + 1; x = 0 is the always-zero column left of the span.
  const auto width = static_cast<std::size_t>(plan.col_max - col_min + 2);
  // Room for a whole vector past the last column (and the cell above it).
  for (int r = 0; r < 2; ++r) scratch.score[r].assign(width + kLanes + 1, 0);
  std::int64_t prev_lo[2] = {1, 1}, prev_hi[2] = {0, 0};  // window last written in each buffer
  scratch.steps.resize(plan.cells + kLanes);
  const int match = scoring.match, mismatch = scoring.mismatch, gap = scoring.gap;
  // Words of `b` for the rows' loads, which read up to a vector past a row's window: in place,
  // except in rows whose loads would run off the end of `b`; those read a copy of b's last words
  // (as many as the widest window and a vector) with room after it. (Copying all the columns the
  // rows span was 1% of the run: passages often end where a document ends.)
  const std::int64_t tail_first = std::max<std::int64_t>(1, cols - plan.widest - kLanes);
  if (plan.col_max - 1 + kLanes > cols) {
    scratch.b_words.assign(static_cast<std::size_t>(cols - tail_first + 1 + kLanes), 0);
    std::copy(b.begin() + (tail_first - 1), b.end(), scratch.b_words.begin());
  }
  // Column lo's word and the ones after it, readable a vector past the window of a row of n cells.
  auto row_words = [&](std::int64_t lo, std::int64_t n) -> const std::uint32_t* {
    if (lo - 1 + round_up(n) <= cols) return b.data() + (lo - 1);
    return scratch.b_words.data() + (lo - tail_first);
  };
  const Vec lane = iota();
  const Vec left_ramp = splat(gap) * (lane + 1);  // what the cell left of a vector gives each lane
  // Whether row r has a pair of equal words in its window.
  auto has_pair = [&](std::size_t r) {
    const auto n = static_cast<std::int64_t>(scratch.row_at[r + 1] - scratch.row_at[r]);
    if (n == 0) return false;
    const std::int64_t i = plan.first_row + static_cast<std::int64_t>(r);
    const Vec word_a = splat(static_cast<int>(a[static_cast<std::size_t>(i - 1)]));
    const std::uint32_t* word_b = row_words(scratch.row_lo[r], n);
    Vec same = splat(0);
    for (std::int64_t k = 0; k < n; k += kLanes) {
      same |= (load(word_b + k) == word_a) & (lane < static_cast<int>(n - k));
    }
    return horizontal_max(-same) != 0;
  };
  // Past the anchors, a row's best cell scores at most `match` more than the row before's where
  // the row has a pair of equal words, and at most `down` more (or 0) where it has none. So from
  // row r on, no cell can score more than max(row r's best + rise[r], restart[r]): rise[r] the
  // largest sum of these steps over rows r + 1 .. t, for any t (0 at least), restart[r] the
  // largest over any rows s .. t after r (a new start). Once that is at most the best score, the
  // later rows cannot change the result. (A bound of `match` for every later row left some 17
  // rows past most passages computed for nothing.)
  const int down = std::max(mismatch, gap);
  const std::int64_t first_after_row = std::max(plan.first_row, last_anchor_row + 1);
  const auto after_from = static_cast<std::size_t>(first_after_row - plan.first_row);
  auto& rise = scratch.rise;
  auto& restart = scratch.restart;
  const std::size_t after_rows = plan.num_rows > after_from ? plan.num_rows - after_from : 0;
  rise.assign(after_rows, 0);
  restart.assign(after_rows, 0);
  for (std::size_t x = after_rows; x-- > 1;) {
    const int here = (has_pair(after_from + x) ? match : down) + rise[x];  // rows x .. t, best t
    rise[x - 1] = std::max(0, here);
    restart[x - 1] = std::max(restart[x], here);
  }
  // Before the anchors, the same steps bound what the rows can hold: where every stretch of rows
  // that ends at row s - 1 adds at most 0, row s - 1 scores 0 everywhere; and where no stretch
  // before row s adds least_best or more, none of their cells is the best (one that reached
  // least_best could tie with it and, ending first, win: hence >=). Then the rows before s change
  // nothing: the fill starts at the last such s before the anchors, under a row of zeros. (The
  // rows before the first anchor were a third of those Reuters computed; most hold only a common
  // word or two within the band.) The mirror of `rise` above, from the top down.
  std::size_t first_filled = 0;
  const std::int64_t before_rows = std::clamp<std::int64_t>(
      first_anchor_row - plan.first_row, 0, static_cast<std::int64_t>(plan.num_rows));
  if (least_best > 0) {
    int ending = 0, most = 0;  // the best stretch of rows ending at row x; the best of them all
    for (std::int64_t x = 0; x < before_rows; ++x) {
      ending = std::max(ending, 0) + (has_pair(static_cast<std::size_t>(x)) ? match : down);
      most = std::max(most, ending);
      if (most >= least_best) break;
      if (ending <= 0) first_filled = static_cast<std::size_t>(x + 1);
    }
  }
  int cur = 0;
  bool zero_above = true;  // the row above scores 0 everywhere
  for (std::size_t r = first_filled; r < plan.num_rows; ++r) {
    const std::int64_t i = plan.first_row + static_cast<std::int64_t>(r);
    const std::int64_t lo = scratch.row_lo[r];
    const auto n = static_cast<std::int64_t>(scratch.row_at[r + 1] - scratch.row_at[r]);
    const int up = cur ^ 1;
    int* h = scratch.score[cur].data();
    const int* hu = scratch.score[up].data();
    const Vec word_a = splat(static_cast<int>(a[static_cast<std::size_t>(i - 1)]));
    // Cell k of the row is column lo + k (for a row with cells, col_min <= lo).
    const std::uint32_t* word_b = n == 0 ? b.data() : row_words(lo, n);
    // Under a row of zeros, a row without a pair of equal words is all zeros too (every step
    // into it scores at most 0): it is not computed, and its steps are never followed (the
    // traceback only visits cells that score more than 0). Such rows are common between
    // passages and before the first anchor (where the start above leaves most of them out).
    bool all_zero = n == 0;
    if (!all_zero && zero_above) {
      Vec same = splat(0);
      for (std::int64_t k = 0; k < n; k += kLanes) {
        same |= (load(word_b + k) == word_a) & (lane < static_cast<int>(n - k));
      }
      all_zero = horizontal_max(-same) == 0;  // lanes: 1 where the words are equal, else 0
    }
    if (all_zero) {
      for (std::int64_t j = prev_lo[cur]; j <= prev_hi[cur]; ++j) h[j - col_min + 1] = 0;
      prev_lo[cur] = 1;
      prev_hi[cur] = 0;
      cur = up;
      zero_above = true;
      continue;
    }
    // This buffer held the row two rows up: what this row's vectors do not overwrite is cleared,
    // so that outside the window every cell reads as 0.
    const std::int64_t written_hi = lo + round_up(n) - 1;
    for (std::int64_t j = prev_lo[cur]; j <= prev_hi[cur] && j < lo; ++j) h[j - col_min + 1] = 0;
    for (std::int64_t j = std::max(prev_lo[cur], written_hi + 1); j <= prev_hi[cur]; ++j) {
      h[j - col_min + 1] = 0;
    }
    prev_lo[cur] = lo;
    prev_hi[cur] = lo + n - 1;
    cur = up;
    std::uint8_t* step = scratch.steps.data() + scratch.row_at[r];
    int* hk = h + (lo - col_min + 1);
    const int* before = hu + (lo - col_min);  // before[k]: diagonal; before[k + 1]: above
    // kLanes cells at a time. The diagonal and the cell above are known for all of them; the cell
    // to the left is the one dependency along the row: H[k] = max(T[k], H[k - 1] + gap), where T
    // is the best without it, is a running maximum with a linear decay, taken in log2(kLanes)
    // steps inside the vector, then with the last cell of the vector before (`carry`). A cell
    // that scores 0 gets a step too; the traceback never reaches it. A gap from a cell that
    // scores 0 is allowed here, unlike in the recurrence: with gap <= 0 it scores at most 0, so it
    // changes no cell that scores more, and the others are 0 either way. Lanes past the window
    // store 0 (the next row reads them as outside) and a step the next row overwrites.
    Vec carry = splat(0);  // the cell left of the window
    Vec row_best = splat(0);
    for (std::int64_t k = 0; k < n; k += kLanes) {
      const Vec diagonal = load(before + k), above = load(before + k + 1);
      const Vec same = load(word_b + k) == word_a;
      const Vec from_diagonal = diagonal + (splat(mismatch) + (same & splat(match - mismatch)));
      const Vec from_above = above + gap;
      const Vec no_left = max(from_diagonal, from_above);
      Vec value = max(no_left, splat(0));
      value = max(value, shift<1>(value, splat(kFar)) + gap);
      value = max(value, shift<2>(value, splat(kFar)) + 2 * gap);
      value = max(value, carry + left_ramp);
      const Vec from_left = shift<1>(value, carry) + gap;
      Vec how = select(diagonal > 0, splat(kDiagonal), splat(kStart));
      how = select(from_above > from_diagonal, splat(kUp), how);
      how = select(from_left > no_left, splat(kLeft), how);
      value &= lane < static_cast<int>(n - k);
      store(hk + k, value);
      store_bytes(step + k, how);
      row_best = max(row_best, value);
      carry = last_lane(value);
    }
    const int row_max = horizontal_max(row_best);
    zero_above = row_max == 0;
    if (row_max > best.score) {  // ties: the first cell
      std::int64_t k = 0;
      while (hk[k] != row_max) ++k;
      best = BestCell{row_max, i, lo + k};
    }
    // Past the anchors: once the later rows cannot beat the best score (rise, restart above).
    if (i > last_anchor_row &&
        std::max(row_max + rise[r - after_from], restart[r - after_from]) <= best.score) {
      break;
    }
  }
  return best;
}

// From the best cell back along the steps: the pairs of equal words on the path (into
// scratch.matched, in order) and where the alignment starts.
void trace_back(std::span<const std::uint32_t> a, std::span<const std::uint32_t> b,
                const BandPlan& plan, const BestCell& cell, AlignScratch& scratch, Alignment& out) {
  out.score = cell.score;
  out.a_end = static_cast<std::uint32_t>(cell.i);
  out.b_end = static_cast<std::uint32_t>(cell.j);
  std::int64_t i = cell.i, j = cell.j;
  for (;;) {
    const auto row = static_cast<std::size_t>(i - plan.first_row);
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
  out.a_begin = static_cast<std::uint32_t>(i - 1);
  out.b_begin = static_cast<std::uint32_t>(j - 1);
  out.matches = static_cast<std::uint32_t>(scratch.matched.size());
  std::reverse(scratch.matched.begin(), scratch.matched.end());
}

}  // namespace

Alignment align_banded(std::span<const std::uint32_t> a, std::span<const std::uint32_t> b,
                       std::span<const Anchor> anchors, std::uint32_t length, std::uint32_t band,
                       std::uint32_t extend, const AlignScoring& scoring, AlignScratch& scratch) {
  Alignment best;
  scratch.matched.clear();
  if (anchors.empty() || a.empty() || b.empty()) return best;
  const BandPlan plan =
      plan_band(static_cast<std::int64_t>(a.size()), static_cast<std::int64_t>(b.size()), anchors,
                length, band, extend, scratch);
  if (plan.col_min > plan.col_max) return best;
  const std::int64_t first_anchor_row = std::int64_t{anchors.front().a} + 1;
  const std::int64_t last_anchor_row = std::int64_t{anchors.back().a} + length;
  const int least_best =
      first_anchor_row > plan.first_row
          ? first_anchor_score(a, b, plan, anchors.front(), length, scoring, scratch)
          : 0;
  const BestCell cell =
      fill_band(a, b, plan, first_anchor_row, last_anchor_row, least_best, scoring, scratch);
  if (cell.score > 0) trace_back(a, b, plan, cell, scratch, best);
  return best;
}

}  // namespace doppel
