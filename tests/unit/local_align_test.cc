// align_banded against slow, obviously right references: a full O(n*m) Smith-Waterman over all of
// a x b with traceback, the same DP with only the band's cells let in (the band taken from the
// header's words), and Needleman-Wunsch and LCS over the reported subranges.
#include "align/local_align.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bitset>
#include <cstdint>
#include <ostream>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace doppel {

// For the assertions: found by argument-dependent lookup, so in doppel itself, but local to this
// file.
static bool operator==(const Alignment& x, const Alignment& y) {
  return x.a_begin == y.a_begin && x.a_end == y.a_end && x.b_begin == y.b_begin &&
         x.b_end == y.b_end && x.matches == y.matches && x.score == y.score;
}

static std::ostream& operator<<(std::ostream& o, const Alignment& r) {
  return o << "{a [" << r.a_begin << ", " << r.a_end << "), b [" << r.b_begin << ", " << r.b_end
           << "), matches " << r.matches << ", score " << r.score << "}";
}

namespace {

using Words = std::vector<std::uint32_t>;

std::uint64_t pick(std::mt19937_64& rng, std::uint64_t n) { return rng() % n; }  // in [0, n)

Words random_words(std::mt19937_64& rng, std::size_t n, std::uint32_t alphabet,
                   std::uint32_t base = 0) {
  Words w(n);
  for (auto& x : w) x = base + static_cast<std::uint32_t>(pick(rng, alphabet));
  return w;
}

std::string show(const Words& a, const Words& b, const std::vector<Anchor>& anchors,
                 std::uint32_t length, std::uint32_t band, std::uint32_t extend,
                 const AlignScoring& s) {
  std::ostringstream o;
  auto words = [&](const Words& w) {
    o << "{";
    for (std::size_t i = 0; i < w.size(); ++i) o << (i ? "," : "") << w[i];
    o << "}";
  };
  o << "a=";
  words(a);
  o << " b=";
  words(b);
  o << " anchors={";
  for (const Anchor& x : anchors) o << "{" << x.a << "," << x.b << "}";
  o << "} length=" << length << " band=" << band << " extend=" << extend << " scoring={" << s.match
    << "," << s.mismatch << "," << s.gap << "}";
  return o.str();
}

// Whether the band lets in the cell of word i of `a` and word j of `b`, from the header: rows
// from anchors.front().a - extend to anchors.back().a + length + extend; in each row, the
// columns within `band` of the diagonals of the anchors on either side (the last anchor at or
// before the row and the first after it; the first or last anchor beyond the ends).
bool in_band(const std::vector<Anchor>& anchors, std::uint32_t length, std::uint32_t band,
             std::uint32_t extend, std::int64_t i, std::int64_t j) {
  if (anchors.empty()) return false;
  if (i < std::int64_t{anchors.front().a} - extend) return false;
  if (i >= std::int64_t{anchors.back().a} + length + extend) return false;
  std::size_t after = 0;
  while (after < anchors.size() && anchors[after].a <= i) ++after;
  const Anchor& p = anchors[after == 0 ? 0 : after - 1];
  const Anchor& q = anchors[std::min(after, anchors.size() - 1)];
  const std::int64_t dp = std::int64_t{p.b} - p.a, dq = std::int64_t{q.b} - q.a;
  const std::int64_t d = j - i;
  return d >= std::min(dp, dq) - band && d <= std::max(dp, dq) + band;
}

// Smith-Waterman over all of a x b, with the cells that `allowed` refuses held at 0. The best
// cell is the first in row-major order; the traceback prefers the diagonal, then a word of `a`
// left out (up), then a word of `b` left out (left), and stops where a diagonal step leaves a 0.
// `matched` receives the path's pairs of equal words, in order.
template <class Allowed>
Alignment reference_align(const Words& a, const Words& b, const AlignScoring& s,
                          const Allowed& allowed, std::vector<Anchor>* matched = nullptr) {
  const std::size_t n = a.size(), m = b.size();
  std::vector<int> h((n + 1) * (m + 1), 0);
  auto at = [&](std::size_t i, std::size_t j) -> int& { return h[i * (m + 1) + j]; };
  auto step = [&](std::size_t i, std::size_t j) {
    return a[i - 1] == b[j - 1] ? s.match : s.mismatch;
  };
  int best = 0;
  std::size_t bi = 0, bj = 0;
  // Raw pointers: this runs unoptimized under the sanitizers.
  const std::uint32_t* pb = b.data();
  for (std::size_t i = 1; i <= n; ++i) {
    const std::uint32_t word = a[i - 1];
    const int* up = h.data() + (i - 1) * (m + 1);
    int* row = h.data() + i * (m + 1);
    for (std::size_t j = 1; j <= m; ++j) {
      if (!allowed(i - 1, j - 1)) continue;
      int v = up[j - 1] + (word == pb[j - 1] ? s.match : s.mismatch);
      v = up[j] + s.gap > v ? up[j] + s.gap : v;
      v = row[j - 1] + s.gap > v ? row[j - 1] + s.gap : v;
      v = v > 0 ? v : 0;
      row[j] = v;
      if (v > best) best = v, bi = i, bj = j;
    }
  }
  Alignment r;
  if (matched) matched->clear();
  if (best == 0) return r;
  r.score = best;
  r.a_end = static_cast<std::uint32_t>(bi);
  r.b_end = static_cast<std::uint32_t>(bj);
  std::size_t i = bi, j = bj;
  for (;;) {
    if (at(i, j) == at(i - 1, j - 1) + step(i, j)) {
      if (a[i - 1] == b[j - 1]) {
        ++r.matches;
        if (matched) {
          matched->push_back(
              {static_cast<std::uint32_t>(i - 1), static_cast<std::uint32_t>(j - 1)});
        }
      }
      --i, --j;
      if (at(i, j) == 0) break;
    } else if (at(i, j) == at(i - 1, j) + s.gap) {
      --i;
    } else {
      --j;
    }
  }
  r.a_begin = static_cast<std::uint32_t>(i);
  r.b_begin = static_cast<std::uint32_t>(j);
  if (matched) std::reverse(matched->begin(), matched->end());
  return r;
}

struct Everything {
  bool operator()(std::size_t, std::size_t) const { return true; }
};

Alignment full_align(const Words& a, const Words& b, const AlignScoring& s,
                     std::vector<Anchor>* matched = nullptr) {
  return reference_align(a, b, s, Everything{}, matched);
}

Alignment masked_align(const Words& a, const Words& b, const std::vector<Anchor>& anchors,
                       std::uint32_t length, std::uint32_t band, std::uint32_t extend,
                       const AlignScoring& s, std::vector<Anchor>* matched = nullptr) {
  return reference_align(
      a, b, s,
      [&](std::size_t i, std::size_t j) {
        return in_band(anchors, length, band, extend, static_cast<std::int64_t>(i),
                       static_cast<std::int64_t>(j));
      },
      matched);
}

using Pairs = std::vector<std::pair<std::uint32_t, std::uint32_t>>;
Pairs pairs(const std::vector<Anchor>& v) {
  Pairs out;
  for (const Anchor& x : v) out.emplace_back(x.a, x.b);
  return out;
}

Alignment run(const Words& a, const Words& b, const std::vector<Anchor>& anchors,
              std::uint32_t length, std::uint32_t band, std::uint32_t extend, const AlignScoring& s,
              AlignScratch& scratch) {
  return align_banded(a, b, anchors, length, band, extend, s, scratch);
}

// A fresh scratch each call: its buffers are exactly as wide as the band, so that AddressSanitizer
// sees any write past them. `matched` receives the scratch's pairs of equal words.
Alignment run(const Words& a, const Words& b, const std::vector<Anchor>& anchors,
              std::uint32_t length, std::uint32_t band, std::uint32_t extend,
              const AlignScoring& s = {}, std::vector<Anchor>* matched = nullptr) {
  AlignScratch scratch;
  const Alignment r = align_banded(a, b, anchors, length, band, extend, s, scratch);
  if (matched) *matched = scratch.matched;
  return r;
}

std::size_t lcs(const Words& a, const Words& b) {
  std::vector<std::size_t> prev(b.size() + 1, 0), cur(b.size() + 1, 0);
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      cur[j] = a[i - 1] == b[j - 1] ? prev[j - 1] + 1 : std::max(prev[j], cur[j - 1]);
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

// Needleman-Wunsch of all of a against all of b, and every number of matches that some optimal
// path has.
constexpr std::size_t kMaxMatches = 256;
struct Global {
  int score = 0;
  std::bitset<kMaxMatches> matches;
};

Global global_align(const Words& a, const Words& b, const AlignScoring& s) {
  const std::size_t m = b.size();
  std::vector<int> prev(m + 1), cur(m + 1);
  std::vector<std::bitset<kMaxMatches>> prev_m(m + 1), cur_m(m + 1);
  for (std::size_t j = 0; j <= m; ++j) {
    prev[j] = static_cast<int>(j) * s.gap;
    prev_m[j].reset();
    prev_m[j].set(0);
  }
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = static_cast<int>(i) * s.gap;
    cur_m[0].reset();
    cur_m[0].set(0);
    for (std::size_t j = 1; j <= m; ++j) {
      const bool equal = a[i - 1] == b[j - 1];
      const int diag = prev[j - 1] + (equal ? s.match : s.mismatch);
      const int up = prev[j] + s.gap, left = cur[j - 1] + s.gap;
      const int v = std::max({diag, up, left});
      cur[j] = v;
      cur_m[j].reset();
      if (diag == v) cur_m[j] |= equal ? prev_m[j - 1] << 1 : prev_m[j - 1];
      if (up == v) cur_m[j] |= prev_m[j];
      if (left == v) cur_m[j] |= cur_m[j - 1];
    }
    std::swap(prev, cur);
    std::swap(prev_m, cur_m);
  }
  return {prev[m], prev_m[m]};
}

// What any reported alignment must satisfy. `best` is the best local score over all of a x b:
// where the reported score reaches it, the reported path is an optimal global path of the
// subranges, so their Needleman-Wunsch score is the reported one and `matches` is the match
// count of one of their optimal paths. `matched` (the scratch's pairs of equal words) are that
// path's. Needs match > 0 >= mismatch and gap < 0.
void expect_consistent(const Words& a, const Words& b, const Alignment& r, const AlignScoring& s,
                       int best, const std::vector<Anchor>& matched) {
  ASSERT_LE(r.score, best);
  if (r.score == 0) {
    ASSERT_EQ(r, Alignment{});
    ASSERT_TRUE(matched.empty());
    return;
  }
  ASSERT_GT(r.score, 0);
  ASSERT_LT(r.a_begin, r.a_end);
  ASSERT_LE(r.a_end, a.size());
  ASSERT_LT(r.b_begin, r.b_end);
  ASSERT_LE(r.b_end, b.size());
  // A best local alignment starts and ends with a pair of equal words: a path that starts or ends
  // with anything else scores no more than its rest, which starts at a 0 or ends earlier.
  ASSERT_EQ(a[r.a_begin], b[r.b_begin]);
  ASSERT_EQ(a[r.a_end - 1], b[r.b_end - 1]);
  const Words sa(a.begin() + r.a_begin, a.begin() + r.a_end);
  const Words sb(b.begin() + r.b_begin, b.begin() + r.b_end);
  ASSERT_GE(r.matches, 1u);
  ASSERT_LE(r.matches, lcs(sa, sb));
  // score = match*matches + mismatch*mismatches + gap*gaps for some path shape: matches +
  // mismatches + (words of a left out) == |sa|, the same for b.
  const std::int64_t la = static_cast<std::int64_t>(sa.size());
  const std::int64_t lb = static_cast<std::int64_t>(sb.size());
  const std::int64_t mt = r.matches;
  bool shape = false;
  for (std::int64_t x = 0; x <= std::min(la, lb) - mt && !shape; ++x) {
    const std::int64_t gaps = (la - mt - x) + (lb - mt - x);
    shape = s.match * mt + s.mismatch * x + s.gap * gaps == r.score;
  }
  ASSERT_TRUE(shape) << "no path of " << sa.size() << " x " << sb.size() << " words with "
                     << r.matches << " matches scores " << r.score;
  // The path's pairs of equal words: `matches` of them, increasing in both, from the first pair
  // of words to the last; between two of them only mismatches and gaps, whose cost lies between
  // that of as many mismatches as fit and that of gaps only.
  ASSERT_EQ(matched.size(), r.matches);
  ASSERT_EQ(matched.front().a, r.a_begin);
  ASSERT_EQ(matched.front().b, r.b_begin);
  ASSERT_EQ(matched.back().a + 1, r.a_end);
  ASSERT_EQ(matched.back().b + 1, r.b_end);
  std::int64_t low = std::int64_t{s.match} * mt, high = low;
  for (std::size_t k = 0; k < matched.size(); ++k) {
    ASSERT_EQ(a[matched[k].a], b[matched[k].b]) << "pair " << k;
    if (k == 0) continue;
    ASSERT_GT(matched[k].a, matched[k - 1].a) << "pair " << k;
    ASSERT_GT(matched[k].b, matched[k - 1].b) << "pair " << k;
    const std::int64_t dr = matched[k].a - matched[k - 1].a - 1;
    const std::int64_t dc = matched[k].b - matched[k - 1].b - 1;
    const std::int64_t x = std::min(dr, dc);
    const std::int64_t gaps_only = s.gap * (dr + dc),
                       most_mismatches = s.mismatch * x + s.gap * (dr + dc - 2 * x);
    low += std::min(gaps_only, most_mismatches);
    high += std::max(gaps_only, most_mismatches);
  }
  ASSERT_LE(low, r.score);
  ASSERT_GE(high, r.score);
  ASSERT_LT(std::min(sa.size(), sb.size()), kMaxMatches);
  const Global g = global_align(sa, sb, s);
  ASSERT_GE(g.score, r.score);  // the reported path is one global path of the subranges
  ASSERT_LE(g.score, best);     // and every global path of them is a local path of a x b
  if (r.score == best) {
    ASSERT_EQ(g.score, r.score);
    ASSERT_TRUE(g.matches.test(r.matches))
        << "no optimal path of the subranges has " << r.matches << " matches";
  }
}

// Every (i, j) with a[i, i + length) == b[j, j + length), by i then j.
std::vector<Anchor> all_seeds(const Words& a, const Words& b, std::uint32_t length) {
  std::vector<Anchor> out;
  const std::uint32_t *pa = a.data(), *pb = b.data();
  for (std::size_t i = 0; i + length <= a.size(); ++i) {
    for (std::size_t j = 0; j + length <= b.size(); ++j) {
      std::size_t k = 0;
      while (k < length && pa[i + k] == pb[j + k]) ++k;
      if (k == length)
        out.push_back({static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j)});
    }
  }
  return out;
}

// One seed per position of `a` (a random one of its partners), each kept with probability
// keep / 4: anchors increasing in a.
std::vector<Anchor> one_per_row(std::mt19937_64& rng, const std::vector<Anchor>& seeds,
                                int keep = 4) {
  std::vector<Anchor> out;
  for (std::size_t k = 0; k < seeds.size();) {
    std::size_t e = k;
    while (e < seeds.size() && seeds[e].a == seeds[k].a) ++e;
    const Anchor chosen = seeds[k + pick(rng, e - k)];
    if (static_cast<int>(pick(rng, 4)) < keep) out.push_back(chosen);
    k = e;
  }
  return out;
}

// Anchors increasing in a, each with a + length <= |a| and b + length <= |b|: usually real seeds,
// otherwise (or when there are none) arbitrary positions, which the band treats alike. `real`
// says which. Needs |a|, |b| >= length.
std::vector<Anchor> random_anchors(std::mt19937_64& rng, const Words& a, const Words& b,
                                   std::uint32_t length, bool& real) {
  std::vector<Anchor> out;
  real = pick(rng, 4) != 0;
  if (real) out = one_per_row(rng, all_seeds(a, b, length), 1 + static_cast<int>(pick(rng, 4)));
  if (!out.empty()) return out;
  real = false;
  const std::size_t rows = a.size() - length + 1, cols = b.size() - length + 1;
  std::vector<std::uint32_t> at;
  for (std::size_t n = 1 + pick(rng, 4); n > 0; --n) {
    at.push_back(static_cast<std::uint32_t>(pick(rng, rows)));
  }
  std::sort(at.begin(), at.end());
  at.erase(std::unique(at.begin(), at.end()), at.end());
  for (const std::uint32_t x : at) {
    out.push_back({x, static_cast<std::uint32_t>(pick(rng, cols))});
  }
  return out;
}

AlignScoring random_scoring(std::mt19937_64& rng) {
  AlignScoring s;
  s.match = 1 + static_cast<int>(pick(rng, 3));
  s.mismatch = -static_cast<int>(pick(rng, 4));
  s.gap = -1 - static_cast<int>(pick(rng, 3));
  return s;
}

// 1. The band only takes cells away: never a better score than the full DP. A real seed's cells
// are inside the band (the last anchor's for sure), so the score is at least its own.
TEST(LocalAlign, BandedNeverBeatsFull) {
  std::mt19937_64 rng(0x6c616c31);
  AlignScratch scratch;
  for (int t = 0; t < 600; ++t) {
    const std::uint32_t alphabet = 2 + static_cast<std::uint32_t>(pick(rng, 5));
    const std::uint32_t length = 1 + static_cast<std::uint32_t>(pick(rng, 4));
    const Words a = random_words(rng, length + pick(rng, 60), alphabet);
    const Words b = random_words(rng, length + pick(rng, 60), alphabet);
    bool real = false;
    const auto anchors = random_anchors(rng, a, b, length, real);
    const std::uint32_t band = static_cast<std::uint32_t>(pick(rng, 8));
    const std::uint32_t extend = static_cast<std::uint32_t>(pick(rng, 20));
    SCOPED_TRACE(show(a, b, anchors, length, band, extend, {}));
    const Alignment r = t % 2 ? run(a, b, anchors, length, band, extend, {}, scratch)
                              : run(a, b, anchors, length, band, extend);
    const Alignment full = full_align(a, b, {});
    ASSERT_LE(r.score, full.score);
    ASSERT_GE(r.score, 0);
    if (real) {
      ASSERT_GE(r.score, static_cast<int>(length) * AlignScoring{}.match);
    }
  }
}

// A passage planted in unrelated text of a and b, with edits in b's copy.
struct Planted {
  Words a, b;
  std::size_t pa = 0, pb = 0;        // where the passage starts in a and in b
  std::size_t len_a = 0, len_b = 0;  // its length there
  std::string ops;  // the edit path through it: M kept, S substituted, I only in b, D only in a
  std::size_t indels = 0;
};

// alphabet 0: every passage word and every substituted or inserted word is new, so the only equal
// pairs are the kept words and their copies. The text around it never matches anything: a's from
// one small alphabet, b's from another.
Planted plant(std::mt19937_64& rng, std::uint32_t alphabet) {
  std::uint32_t fresh = 1u << 20;
  auto word = [&] { return alphabet ? static_cast<std::uint32_t>(pick(rng, alphabet)) : fresh++; };
  const std::size_t len = 20 + pick(rng, 181);
  Words p(len);
  for (auto& w : p) w = word();
  std::string fate(len, 'M');
  std::vector<std::size_t> inserted(len + 1, 0);
  for (std::size_t k = pick(rng, len / 4 + 1); k > 0; --k) {
    const auto kind = pick(rng, 3);
    const std::size_t at = pick(rng, len);
    if (kind == 0 || fate[at] != 'M') {
      ++inserted[pick(rng, len + 1)];
    } else {
      fate[at] = kind == 1 ? 'S' : 'D';
    }
  }
  Planted out;
  Words q;
  for (std::size_t x = 0; x <= len; ++x) {
    for (std::size_t k = 0; k < inserted[x]; ++k) q.push_back(word()), out.ops += 'I';
    if (x == len) break;
    out.ops += fate[x];
    if (fate[x] == 'M') q.push_back(p[x]);
    if (fate[x] == 'S') q.push_back(word());
  }
  out.indels = static_cast<std::size_t>(std::count(out.ops.begin(), out.ops.end(), 'I') +
                                        std::count(out.ops.begin(), out.ops.end(), 'D'));
  const std::uint32_t flank = 2 + static_cast<std::uint32_t>(pick(rng, 6));
  auto place = [&](const Words& passage, std::uint32_t base, Words& into, std::size_t& at) {
    into = random_words(rng, pick(rng, 31), flank, base);
    at = into.size();
    into.insert(into.end(), passage.begin(), passage.end());
    const Words tail = random_words(rng, pick(rng, 31), flank, base);
    into.insert(into.end(), tail.begin(), tail.end());
  };
  place(p, 1u << 30, out.a, out.pa);
  place(q, 2u << 30, out.b, out.pb);
  out.len_a = p.size();
  out.len_b = q.size();
  return out;
}

// 2. All distinct words: the best alignment runs along the edit path from one kept word to
// another, so with the band at least the number of insertions and deletions (the diagonal moves
// by at most that much between any two kept words, anchors included; only the net number would
// not do: a run of deletions and then one of insertions between two anchors leaves both on one
// diagonal with the path far off it) and just enough extend to reach the passage's ends, the
// band finds the best score. What the alignment leaves off at either end is never worth adding
// back: 2 * kept words <= edits there.
TEST(LocalAlign, PlantedPassageDistinctWords) {
  std::mt19937_64 rng(0x6c616c32);
  AlignScratch scratch;
  int aligned = 0, exact = 0;
  for (int t = 0; t < 200; ++t) {
    const Planted pl = plant(rng, 0);
    const std::uint32_t length = 4 + static_cast<std::uint32_t>(pick(rng, 2));
    const auto anchors = one_per_row(rng, all_seeds(pl.a, pl.b, length));
    const Alignment full = full_align(pl.a, pl.b, {});
    if (anchors.empty()) {  // every seed broken by edits
      ASSERT_EQ(run(pl.a, pl.b, anchors, length, 0, 0), Alignment{});
      continue;
    }
    const std::uint32_t band = static_cast<std::uint32_t>(pl.indels + pick(rng, 3));
    const std::int64_t need = std::max<std::int64_t>(
        std::int64_t{anchors.front().a} - static_cast<std::int64_t>(pl.pa),
        static_cast<std::int64_t>(pl.pa + pl.len_a) - anchors.back().a - length);
    const std::uint32_t extend = static_cast<std::uint32_t>(std::max<std::int64_t>(0, need)) +
                                 static_cast<std::uint32_t>(pick(rng, 3));
    SCOPED_TRACE(show(pl.a, pl.b, anchors, length, band, extend, {}) + " ops=" + pl.ops);
    std::vector<Anchor> matched;
    const Alignment r = t % 2 ? run(pl.a, pl.b, anchors, length, band, extend, {}, scratch)
                              : run(pl.a, pl.b, anchors, length, band, extend, {}, &matched);
    if (t % 2) matched = scratch.matched;
    ASSERT_EQ(r.score, full.score);
    ASSERT_GT(r.score, 0);
    ++aligned;
    if (t % 3 == 0) {
      ASSERT_NO_FATAL_FAILURE(expect_consistent(pl.a, pl.b, r, {}, full.score, matched));
    }
    // Where the ends fall on the edit path, and what lies beyond them.
    std::size_t ia = pl.pa, ib = pl.pb, begin_op = pl.ops.size(), end_op = pl.ops.size();
    for (std::size_t k = 0; k < pl.ops.size(); ++k) {
      const char op = pl.ops[k];
      if (op == 'M' && ia == r.a_begin && ib == r.b_begin) begin_op = k;
      if (op == 'M' && ia + 1 == r.a_end && ib + 1 == r.b_end) end_op = k;
      if (op != 'I') ++ia;
      if (op != 'D') ++ib;
    }
    ASSERT_LT(begin_op, pl.ops.size()) << "does not start on a kept word: " << r;
    ASSERT_LT(end_op, pl.ops.size()) << "does not end on a kept word: " << r;
    ASSERT_LE(begin_op, end_op);
    const std::string head = pl.ops.substr(0, begin_op), tail = pl.ops.substr(end_op + 1);
    for (const std::string& left_off : {head, tail}) {
      const auto kept = std::count(left_off.begin(), left_off.end(), 'M');
      ASSERT_LE(2 * kept, static_cast<std::int64_t>(left_off.size()) - kept)
          << "left off " << left_off << " of " << pl.ops << ": " << r;
    }
    if (pl.ops.find_first_not_of('M') == std::string::npos) {
      ++exact;
      ASSERT_EQ(r,
                (Alignment{
                    static_cast<std::uint32_t>(pl.pa), static_cast<std::uint32_t>(pl.pa + pl.len_a),
                    static_cast<std::uint32_t>(pl.pb), static_cast<std::uint32_t>(pl.pb + pl.len_b),
                    static_cast<std::uint32_t>(pl.len_a), 2 * static_cast<int>(pl.len_a)}));
    }
  }
  EXPECT_GT(aligned, 170);
  EXPECT_GT(exact, 5);
}

// 2b. The passage from a small alphabet, so that seeds also match by chance (anchors then pick a
// random partner per word of a) and the best path need not follow the edits: with a band wide
// enough to hold the whole passage x passage rectangle, the score is the full DP's, and the
// alignment lies inside the passage in both.
TEST(LocalAlign, PlantedPassageSmallAlphabet) {
  std::mt19937_64 rng(0x6c616c33);
  AlignScratch scratch;
  int aligned = 0;
  for (int t = 0; t < 200; ++t) {
    const Planted pl = plant(rng, 3 + static_cast<std::uint32_t>(pick(rng, 10)));
    const std::uint32_t length = 4 + static_cast<std::uint32_t>(pick(rng, 2));
    const auto anchors = one_per_row(rng, all_seeds(pl.a, pl.b, length));
    if (anchors.empty()) continue;
    const std::uint32_t band = static_cast<std::uint32_t>(pl.len_a + pl.len_b);
    const std::uint32_t extend = static_cast<std::uint32_t>(pl.len_a + pick(rng, 5));
    SCOPED_TRACE(show(pl.a, pl.b, anchors, length, band, extend, {}));
    std::vector<Anchor> matched;
    const Alignment r = t % 2 ? run(pl.a, pl.b, anchors, length, band, extend, {}, scratch)
                              : run(pl.a, pl.b, anchors, length, band, extend, {}, &matched);
    if (t % 2) matched = scratch.matched;
    const Alignment full = full_align(pl.a, pl.b, {});
    ASSERT_EQ(r.score, full.score);
    ++aligned;
    ASSERT_GE(r.a_begin, pl.pa);
    ASSERT_LE(r.a_end, pl.pa + pl.len_a);
    ASSERT_GE(r.b_begin, pl.pb);
    ASSERT_LE(r.b_end, pl.pb + pl.len_b);
    if (t % 4 == 0) {
      ASSERT_NO_FATAL_FAILURE(expect_consistent(pl.a, pl.b, r, {}, full.score, matched));
    }
  }
  EXPECT_GT(aligned, 170);
}

// 3. The reported alignment is what it says: its subranges re-aligned globally give its score
// (when it is the best score) and its match count is that of an optimal path, under any scoring.
TEST(LocalAlign, ResultIsSelfConsistent) {
  std::mt19937_64 rng(0x6c616c34);
  AlignScratch scratch;
  int best = 0, nonempty = 0;
  for (int t = 0; t < 500; ++t) {
    const AlignScoring s = t % 3 ? random_scoring(rng) : AlignScoring{};
    const std::uint32_t alphabet = 2 + static_cast<std::uint32_t>(pick(rng, 6));
    const std::uint32_t length = 1 + static_cast<std::uint32_t>(pick(rng, 4));
    const Words a = random_words(rng, length + pick(rng, 70), alphabet);
    const Words b = random_words(rng, length + pick(rng, 70), alphabet);
    bool real = false;
    const auto anchors = random_anchors(rng, a, b, length, real);
    const std::uint32_t band = t % 4 == 0 ? 1000 : static_cast<std::uint32_t>(pick(rng, 10));
    const std::uint32_t extend = t % 4 == 0 ? 1000 : static_cast<std::uint32_t>(pick(rng, 30));
    SCOPED_TRACE(show(a, b, anchors, length, band, extend, s));
    std::vector<Anchor> matched;
    const Alignment r = t % 2 ? run(a, b, anchors, length, band, extend, s, scratch)
                              : run(a, b, anchors, length, band, extend, s, &matched);
    if (t % 2) matched = scratch.matched;
    const Alignment full = full_align(a, b, s);
    ASSERT_NO_FATAL_FAILURE(expect_consistent(a, b, r, s, full.score, matched));
    nonempty += r.score > 0;
    best += r.score > 0 && r.score == full.score;
  }
  EXPECT_GT(nonempty, 400);
  EXPECT_GT(best, 150);
}

// Everything exactly as the header says: the full DP with only the band's cells let in, the same
// ties (first end in row-major order; diagonal, then up, then left on the path). With a band
// and extend covering everything, that is the full DP itself. The result does not depend on what
// the scratch held before; the scratch's pairs of equal words are the path's.
TEST(LocalAlign, MatchesReferenceOverTheBandExactly) {
  std::mt19937_64 rng(0x6c616c35);
  AlignScratch scratch;
  for (int t = 0; t < 1500; ++t) {
    const AlignScoring s = t % 2 ? random_scoring(rng) : AlignScoring{};
    // Mostly a few distinct words, so that equal pairs are everywhere; one trial in three many, so
    // that most rows of the band have none (align_banded skips such rows under a row of zeros).
    const std::uint32_t alphabet = t % 3 == 2 ? 60 : 2 + static_cast<std::uint32_t>(pick(rng, 4));
    const std::uint32_t length = 1 + static_cast<std::uint32_t>(pick(rng, 5));
    const Words a = random_words(rng, length + pick(rng, 40), alphabet);
    const Words b = random_words(rng, length + pick(rng, 40), alphabet);
    bool real = false;
    const auto anchors = random_anchors(rng, a, b, length, real);
    const bool everything = t % 5 == 0;
    const std::uint32_t band = everything ? static_cast<std::uint32_t>(a.size() + b.size())
                                          : static_cast<std::uint32_t>(pick(rng, 7));
    const std::uint32_t extend = everything ? static_cast<std::uint32_t>(a.size())
                                            : static_cast<std::uint32_t>(pick(rng, 12));
    SCOPED_TRACE(show(a, b, anchors, length, band, extend, s));
    std::vector<Anchor> expected_matched, matched;
    const Alignment expected =
        masked_align(a, b, anchors, length, band, extend, s, &expected_matched);
    ASSERT_EQ(run(a, b, anchors, length, band, extend, s, &matched), expected);
    ASSERT_EQ(pairs(matched), pairs(expected_matched));
    ASSERT_EQ(run(a, b, anchors, length, band, extend, s, scratch), expected);
    ASSERT_EQ(pairs(scratch.matched), pairs(expected_matched));
    if (everything) {
      ASSERT_EQ(expected, full_align(a, b, s));
    }
  }
}

// 4. Edge cases.
TEST(LocalAlign, EmptyInputsAndNoAnchors) {
  const Words w = {1, 2, 3, 4, 5};
  const std::vector<Anchor> at0 = {{0, 0}};
  EXPECT_EQ(run({}, w, at0, 1, 10, 10), Alignment{});
  EXPECT_EQ(run(w, {}, at0, 1, 10, 10), Alignment{});
  EXPECT_EQ(run({}, {}, at0, 1, 10, 10), Alignment{});
  EXPECT_EQ(run(w, w, {}, 1, 10, 10), Alignment{});
  EXPECT_EQ(run(w, w, {}, 0, 0, 0), Alignment{});
  // Nothing equal: no positive cell.
  EXPECT_EQ(run(w, Words{6, 7, 8, 9}, at0, 1, 10, 10), Alignment{});
}

// The header: "After align_banded: the aligned pairs of equal words of the best alignment". An
// empty alignment has none, whatever an earlier call left in the scratch.
TEST(LocalAlign, MatchedIsEmptyAfterAnEmptyResult) {
  const Words w = {1, 2, 3, 4, 5};
  const std::vector<Anchor> at0 = {{0, 0}};
  AlignScratch scratch;
  ASSERT_EQ(run(w, w, at0, 1, 0, 10, {}, scratch), (Alignment{0, 5, 0, 5, 5, 10}));
  ASSERT_EQ(scratch.matched.size(), 5u);
  EXPECT_EQ(run(w, Words{6, 7, 8}, at0, 1, 0, 10, {}, scratch), Alignment{});  // no positive cell
  EXPECT_TRUE(scratch.matched.empty());
  run(w, w, at0, 1, 0, 10, {}, scratch);
  EXPECT_EQ(run(w, w, {}, 1, 0, 10, {}, scratch), Alignment{});  // no anchors
  EXPECT_TRUE(scratch.matched.empty());
  run(w, w, at0, 1, 0, 10, {}, scratch);
  EXPECT_EQ(run(w, {}, at0, 1, 0, 10, {}, scratch), Alignment{});  // empty b
  EXPECT_TRUE(scratch.matched.empty());
  run(w, w, at0, 1, 0, 10, {}, scratch);
  EXPECT_EQ(run(w, w, {{4, 0}}, 1, 0, 0, {}, scratch), Alignment{});  // the band misses b
  EXPECT_TRUE(scratch.matched.empty());
}

TEST(LocalAlign, IdenticalSequences) {
  std::mt19937_64 rng(0x6c616c36);
  for (int t = 0; t < 200; ++t) {
    const Words a =
        random_words(rng, 1 + pick(rng, 80), 2 + static_cast<std::uint32_t>(pick(rng, 4)));
    const std::uint32_t n = static_cast<std::uint32_t>(a.size());
    const std::uint32_t at = static_cast<std::uint32_t>(pick(rng, n));
    // One anchor on the main diagonal, a band of 0, extend to both ends.
    const std::vector<Anchor> anchors = {{at, at}};
    SCOPED_TRACE(show(a, a, anchors, 1, 0, n, {}));
    const Alignment whole{0, n, 0, n, n, 2 * static_cast<int>(n)};
    ASSERT_EQ(run(a, a, anchors, 1, 0, n), whole);
    ASSERT_EQ(full_align(a, a, {}), whole);
  }
}

TEST(LocalAlign, SingleAnchorAtEitherEnd) {
  const Words a = {10, 11, 12, 13, 14, 15, 16, 17};
  const Words b = {10, 11, 12, 13, 14, 15, 16, 17};
  const std::vector<Anchor> first = {{0, 0}}, last = {{5, 5}};
  const Alignment whole{0, 8, 0, 8, 8, 16};
  // The anchor's rows alone, then with enough extend to reach the other end.
  EXPECT_EQ(run(a, b, first, 3, 0, 0), (Alignment{0, 3, 0, 3, 3, 6}));
  EXPECT_EQ(run(a, b, last, 3, 0, 0), (Alignment{5, 8, 5, 8, 3, 6}));
  EXPECT_EQ(run(a, b, first, 3, 0, 5), whole);
  EXPECT_EQ(run(a, b, last, 3, 0, 5), whole);
  EXPECT_EQ(run(a, b, first, 3, 0, 1000), whole);
  EXPECT_EQ(run(a, b, last, 3, 0, 1000), whole);
  // Seeds of one word at the very corners.
  EXPECT_EQ(run(a, b, {{0, 0}}, 1, 0, 0), (Alignment{0, 1, 0, 1, 1, 2}));
  EXPECT_EQ(run(a, b, {{7, 7}}, 1, 0, 0), (Alignment{7, 8, 7, 8, 1, 2}));
  // The passage at the start of a and the end of b, and the other way round.
  const Words x = {1, 2, 3, 4, 90, 91, 92, 93, 94};
  const Words y = {80, 81, 82, 83, 84, 1, 2, 3, 4};
  EXPECT_EQ(run(x, y, {{0, 5}}, 4, 0, 0), (Alignment{0, 4, 5, 9, 4, 8}));
  EXPECT_EQ(run(y, x, {{5, 0}}, 4, 0, 0), (Alignment{5, 9, 0, 4, 4, 8}));
}

// The band's diagonal runs off the end of b for the last rows: with extend reaching past where b
// ends, rows whose whole window lies beyond b's last column.
TEST(LocalAlign, BandRunsPastTheEndOfB) {
  const Words a = {1, 2, 3}, b = {1};
  const std::vector<Anchor> anchors = {{0, 0}};
  EXPECT_EQ(run(a, b, anchors, 1, 0, 2), (Alignment{0, 1, 0, 1, 1, 2}));
  EXPECT_EQ(run(b, a, anchors, 1, 0, 2), (Alignment{0, 1, 0, 1, 1, 2}));
}

// The other side: the first rows' windows lie left of b's first column, so that nothing is
// computed in them (with a fresh scratch, before anything else was).
TEST(LocalAlign, BandStartsLeftOfB) {
  EXPECT_EQ(run(Words{5, 1}, Words{1}, {{1, 0}}, 1, 0, 1), (Alignment{1, 2, 0, 1, 1, 2}));
  EXPECT_EQ(run(Words{5, 6, 7, 1}, Words{1, 8}, {{3, 0}}, 1, 0, 3), (Alignment{3, 4, 0, 1, 1, 2}));
}

TEST(LocalAlign, AnchorsOnFarApartDiagonals) {
  // a = P Q, b = P R Q: a 60-word insertion between two 40-word passages. Rows between the last
  // anchor in P and the first in Q span both diagonals, so even a band of 0 follows the path:
  // 2 * 80 - 60.
  Words p(40), q(40), r(60);
  for (std::uint32_t k = 0; k < 40; ++k) p[k] = 100 + k, q[k] = 200 + k;
  for (std::uint32_t k = 0; k < 60; ++k) r[k] = 300 + k;
  Words a = p, b = p;
  a.insert(a.end(), q.begin(), q.end());
  b.insert(b.end(), r.begin(), r.end());
  b.insert(b.end(), q.begin(), q.end());
  const auto seeds = all_seeds(a, b, 4);
  ASSERT_EQ(seeds.size(), 74u);
  const Alignment full = full_align(a, b, {});
  ASSERT_EQ(full, (Alignment{0, 80, 0, 140, 80, 100}));
  EXPECT_EQ(run(a, b, seeds, 4, 0, 0), full);
  // Only the first and last seeds: the rows between them span the diagonals 0 to 60 anyway.
  EXPECT_EQ(run(a, b, {seeds.front(), seeds.back()}, 4, 0, 0), full);
  // Only seeds in P: the band stays on P's diagonal and Q is out of reach.
  const std::vector<Anchor> in_p(seeds.begin(), seeds.begin() + 37);
  EXPECT_EQ(run(a, b, in_p, 4, 0, 1000), (Alignment{0, 40, 0, 40, 40, 80}));
  EXPECT_EQ(run(a, b, in_p, 4, 59, 1000), (Alignment{0, 40, 0, 40, 40, 80}));
  EXPECT_EQ(run(a, b, in_p, 4, 60, 1000), full);

  // Random text, anchors far apart in both directions: as the reference over the band says.
  std::mt19937_64 rng(0x6c616c37);
  for (int t = 0; t < 100; ++t) {
    const Words x = random_words(rng, 60 + pick(rng, 60), 3);
    const Words y = random_words(rng, 60 + pick(rng, 60), 3);
    std::vector<Anchor> anchors = {
        {static_cast<std::uint32_t>(pick(rng, 10)), static_cast<std::uint32_t>(50 + pick(rng, 10))},
        {static_cast<std::uint32_t>(30 + pick(rng, 10)), static_cast<std::uint32_t>(pick(rng, 10))},
        {static_cast<std::uint32_t>(55 + pick(rng, 5)),
         static_cast<std::uint32_t>(55 + pick(rng, 5))}};
    if (t % 2) anchors.pop_back();
    const std::uint32_t band = static_cast<std::uint32_t>(pick(rng, 4));
    const std::uint32_t extend = static_cast<std::uint32_t>(pick(rng, 80));
    SCOPED_TRACE(show(x, y, anchors, 1, band, extend, {}));
    const Alignment got = run(x, y, anchors, 1, band, extend);
    ASSERT_EQ(got, masked_align(x, y, anchors, 1, band, extend, {}));
    ASSERT_LE(got.score, full_align(x, y, {}).score);
  }
}

// The rows before the first anchor are left out only where they cannot count: a stretch there
// that scores as much as the first anchor's words is an alignment of its own (the earlier on a
// tie), and one that reaches the anchor with a positive score extends it.
TEST(LocalAlign, RowsBeforeTheAnchorsCountWhereTheyCan) {
  // a and b agree at the places given, and nowhere else: words of their own elsewhere.
  auto texts = [](std::size_t n, const std::vector<std::pair<std::size_t, std::size_t>>& equal) {
    Words a(n), b(n);
    for (std::size_t k = 0; k < n; ++k) {
      a[k] = static_cast<std::uint32_t>(1000 + k);
      b[k] = static_cast<std::uint32_t>(5000 + k);
    }
    for (const auto& [first, last] : equal) {
      for (std::size_t k = first; k < last; ++k) b[k] = a[k];
    }
    return std::pair(a, b);
  };
  // 5 rows without a pair, a run of `run_words` equal words, rows without a pair up to the
  // anchor's 5 words at 30, 10 rows without a pair: the rows before the run add less than
  // nothing, so only the run itself keeps the rows before the anchor from being left out.
  for (const std::size_t run_words : {4u, 5u, 8u}) {
    const auto [a, b] = texts(45, {{5, 5 + run_words}, {30, 35}});
    const std::vector<Anchor> anchors = {{30, 30}};
    SCOPED_TRACE(show(a, b, anchors, 5, 2, 30, {}));
    const Alignment expected = run_words >= 5 ? Alignment{5,
                                                          static_cast<std::uint32_t>(5 + run_words),
                                                          5,
                                                          static_cast<std::uint32_t>(5 + run_words),
                                                          static_cast<std::uint32_t>(run_words),
                                                          static_cast<int>(2 * run_words)}
                                              : Alignment{30, 35, 30, 35, 5, 10};
    EXPECT_EQ(masked_align(a, b, anchors, 5, 2, 30, {}), expected);
    EXPECT_EQ(run(a, b, anchors, 5, 2, 30), expected);
  }
  // A prefix of the anchor with one substitution, too short to be an alignment of its own (4
  // equal words, one other, then the anchor): only the rows' sums keep it.
  {
    const auto [a, b] = texts(40, {{20, 24}, {25, 30}});
    const std::vector<Anchor> anchors = {{25, 25}};
    const Alignment expected{20, 30, 20, 30, 9, 17};
    EXPECT_EQ(masked_align(a, b, anchors, 5, 2, 25, {}), expected);
    EXPECT_EQ(run(a, b, anchors, 5, 2, 25), expected);
  }
  // A prefix of the anchor with two substitutions: 8 equal words, one other, 4 equal, one
  // other, then the anchor. The alignment starts at the prefix.
  {
    const auto [a, b] = texts(60, {{10, 18}, {19, 23}, {24, 29}});
    const std::vector<Anchor> anchors = {{24, 24}};
    const Alignment expected{10, 29, 10, 29, 17, 32};
    EXPECT_EQ(masked_align(a, b, anchors, 5, 3, 25, {}), expected);
    EXPECT_EQ(run(a, b, anchors, 5, 3, 25), expected);
  }
}

TEST(LocalAlign, BandZero) {
  // a = P Q, b = P z Q: one inserted word. A band of 0 around an anchor in P stays on P's
  // diagonal, where Q is all mismatches; a band of 1 takes the insertion.
  const Words a = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  const Words b = {1, 2, 3, 4, 5, 99, 6, 7, 8, 9, 10};
  EXPECT_EQ(run(a, b, {{1, 1}}, 3, 0, 100), (Alignment{0, 5, 0, 5, 5, 10}));
  EXPECT_EQ(run(a, b, {{1, 1}}, 3, 1, 100), (Alignment{0, 10, 0, 11, 10, 19}));
  // With anchors on both sides of the insertion the rows between them hold both diagonals.
  EXPECT_EQ(run(a, b, {{1, 1}, {6, 7}}, 3, 0, 100), (Alignment{0, 10, 0, 11, 10, 19}));
  // A substitution keeps the diagonal: band 0 is enough.
  const Words c = {1, 2, 3, 4, 5, 99, 7, 8, 9, 10};
  EXPECT_EQ(run(a, c, {{1, 1}}, 3, 0, 100), (Alignment{0, 10, 0, 10, 9, 17}));
}

}  // namespace
}  // namespace doppel
