#include "passages/segments.h"

#include <algorithm>
#include <array>
#include <numeric>
#include <tuple>
#include <utility>

namespace doppel {

void split_at_unmatched(std::span<const Anchor> matched, std::uint32_t max_unmatched,
                        std::vector<Piece>& pieces) {
  for (std::size_t i = 0; i < matched.size();) {
    std::size_t j = i + 1;
    while (j < matched.size() && matched[j].a - matched[j - 1].a - 1 <= max_unmatched &&
           matched[j].b - matched[j - 1].b - 1 <= max_unmatched) {
      ++j;
    }
    Piece p{matched[i].a,
            matched[j - 1].a + 1,
            matched[i].b,
            matched[j - 1].b + 1,
            static_cast<std::uint32_t>(j - i),
            0};
    // Runs of consecutive pairs (both words next to the previous pair's): a run of L pairs
    // aligns L - 2 word 3-grams.
    for (std::size_t r = i; r < j;) {
      std::size_t s = r + 1;
      while (s < j && matched[s].a == matched[s - 1].a + 1 &&
             matched[s].b == matched[s - 1].b + 1) {
        ++s;
      }
      if (s - r >= 3) p.trigrams += static_cast<std::uint32_t>(s - r - 2);
      r = s;
    }
    pieces.push_back(p);
    i = j;
  }
}

namespace {

struct Range {
  std::uint32_t begin = 0, end = 0;
};

// A gap of more than max_gap words between the ranges of a set of pieces in one document:
// `words` long, the ranges after it beginning at `at`.
// A gap considered for bridging has at most this many times max_gap words: a sentence or two.
constexpr std::uint32_t kMaxBridge = 4;
// A set of more pieces than this (two long documents aligned in many stretches, not a reordered
// passage) is split at its gaps without the exceptions: they cost time square in the pieces.
constexpr std::size_t kMaxReordered = 64;

struct Gap {
  std::uint32_t words = 0, at = 0;
  bool on_a = true;
};

void add_gaps(std::vector<Range>& ranges, std::uint32_t max_gap, bool on_a,
              std::vector<Gap>& gaps) {
  std::sort(ranges.begin(), ranges.end(),
            [](const Range& x, const Range& y) { return x.begin < y.begin; });
  std::uint32_t end = ranges.front().begin;
  for (const Range& r : ranges) {
    if (r.begin > end && r.begin - end > max_gap) gaps.push_back(Gap{r.begin - end, r.begin, on_a});
    end = std::max(end, r.end);
  }
}

// The share of the distinct word 2-grams of `gap` found in `region` (0 for a gap of one word).
// The gap's few 2-grams, sorted, are looked up for each 2-gram of the region (which can be a
// long quote): one pass over it, nothing sorted but the gap.
double bigrams_found(std::span<const std::uint32_t> gap, std::span<const std::uint32_t> region,
                     std::vector<std::uint64_t>& scratch) {
  auto bigram = [](std::span<const std::uint32_t> w, std::size_t i) {
    return std::uint64_t{w[i]} << 32 | w[i + 1];
  };
  if (gap.size() < 2) return 0.0;
  scratch.clear();
  for (std::size_t i = 0; i + 1 < gap.size(); ++i) scratch.push_back(bigram(gap, i));
  std::sort(scratch.begin(), scratch.end());
  scratch.erase(std::unique(scratch.begin(), scratch.end()), scratch.end());
  const std::size_t distinct = scratch.size();
  std::vector<bool> found(distinct, false);
  // A filter of 1,024 bits, one for each of the gap's 2-grams (a sentence or two), turns most
  // of the region's 2-grams away before the binary search: a region is mostly other text.
  std::array<std::uint64_t, 16> filter{};
  auto slot = [](std::uint64_t x) {
    return static_cast<unsigned>((x * 0x9e3779b97f4a7c15ull) >> 54);  // 10 bits
  };
  for (const std::uint64_t x : scratch) filter[slot(x) >> 6] |= std::uint64_t{1} << (slot(x) & 63);
  std::size_t hits = 0;
  for (std::size_t i = 0; i + 1 < region.size() && hits < distinct; ++i) {
    const std::uint64_t x = bigram(region, i);
    if ((filter[slot(x) >> 6] >> (slot(x) & 63) & 1) == 0) continue;
    const auto it = std::lower_bound(scratch.begin(), scratch.end(), x);
    if (it != scratch.end() && *it == x) {
      const auto k = static_cast<std::size_t>(it - scratch.begin());
      hits += !found[k];
      found[k] = true;
    }
  }
  return static_cast<double>(hits) / static_cast<double>(distinct);
}

// Past this many pairs, Matching keeps its greedy pass (at least half the most): the augmenting
// search is quadratic at worst and recurses once per word matched. Real overlaps are a few
// pieces of hundreds of pairs; text repeated in another order in each copy made 10^5.
constexpr std::size_t kMaxExactPairs = std::size_t{1} << 13;

// The most pairs of `pairs` (distinct, sorted by a, then b) of which no two share a word: a
// maximum matching between the two documents' words, by augmenting paths after a greedy pass
// (the pairs are the union of a few pieces, each one-to-one, so the greedy pass leaves few
// words to augment from); of more than kMaxExactPairs pairs, the greedy pass's. Leaves `chosen`
// holding them, sorted by a.
class Matching {
 public:
  void run(std::span<const Anchor> pairs, std::vector<Anchor>& chosen) {
    // b's words by their offset from the first: the pairs lie within a few pieces' extent.
    b_first_ = ~0u;
    std::uint32_t b_last = 0;
    for (const Anchor& p : pairs) {
      b_first_ = std::min(b_first_, p.b);
      b_last = std::max(b_last, p.b);
    }
    pairs_ = pairs;
    first_.clear();  // the pairs of a's word x are pairs[first_[x], first_[x + 1])
    for (std::uint32_t i = 0; i < pairs.size(); ++i) {
      if (i == 0 || pairs[i].a != pairs[i - 1].a) first_.push_back(i);
    }
    first_.push_back(static_cast<std::uint32_t>(pairs.size()));
    const std::size_t left = first_.size() - 1;
    left_match_.assign(left, kNone);
    right_match_.assign(b_last - b_first_ + 1, kNone);
    for (std::uint32_t x = 0; x < left; ++x) {
      for (std::uint32_t i = first_[x]; i < first_[x + 1]; ++i) {
        if (right_match_[pairs[i].b - b_first_] == kNone) {
          right_match_[pairs[i].b - b_first_] = x;
          left_match_[x] = i;
          break;
        }
      }
    }
    seen_.assign(right_match_.size(), 0);
    std::uint32_t stamp = 0;
    for (std::uint32_t x = 0; x < left && pairs.size() <= kMaxExactPairs; ++x) {
      if (left_match_[x] == kNone) {
        ++stamp;
        augment(x, stamp);
      }
    }
    chosen.clear();
    for (const std::uint32_t i : left_match_) {
      if (i != kNone) chosen.push_back(pairs[i]);
    }
  }

 private:
  static constexpr std::uint32_t kNone = ~0u;
  // Kuhn's search from a's word x; the depth is at most the words of a matched so far.
  bool augment(std::uint32_t x, std::uint32_t stamp) {
    for (std::uint32_t i = first_[x]; i < first_[x + 1]; ++i) {
      const std::uint32_t r = pairs_[i].b - b_first_;
      if (seen_[r] == stamp) continue;
      seen_[r] = stamp;
      if (right_match_[r] == kNone || augment(right_match_[r], stamp)) {
        right_match_[r] = x;
        left_match_[x] = i;
        return true;
      }
    }
    return false;
  }
  std::span<const Anchor> pairs_;
  std::uint32_t b_first_ = 0;
  std::vector<std::uint32_t> first_, left_match_, right_match_, seen_;
};

// Sets extent.matches and extent.trigrams of a group of pieces (indices into `in`; piece k's
// pairs are matched[start[k], start[k] + in[k].matches)). Pieces that share no word in either
// document add theirs. Pieces that do (found as overlapping ranges, in a or in b, joined
// transitively) count the most of their distinct pairs of which no two share a word, and the
// 3-grams among those: summing counted the words they share twice (two alignments of one
// stretch gave 47 matches for 36 words in common). Not the longest chain increasing in both
// documents: the pieces of a reordered passage can overlap too (an alignment runs on past its
// sentence), and their pairs cross.
void count_matches(const std::vector<Piece>& in, std::span<const Anchor> matched,
                   const std::vector<std::size_t>& start, const std::vector<std::uint32_t>& group,
                   Piece& extent) {
  extent.matches = extent.trigrams = 0;
  const std::size_t n = group.size();
  // Union-find over positions in `group`: pieces whose ranges overlap in a or in b.
  std::vector<std::uint32_t> parent(n), order(n);
  std::iota(parent.begin(), parent.end(), 0u);
  auto root = [&](std::uint32_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  };
  for (const bool on_a : {true, false}) {
    auto begin = [&](std::uint32_t i) {
      return on_a ? in[group[i]].a_begin : in[group[i]].b_begin;
    };
    auto end = [&](std::uint32_t i) { return on_a ? in[group[i]].a_end : in[group[i]].b_end; };
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(), [&](std::uint32_t x, std::uint32_t y) {
      return std::pair(begin(x), x) < std::pair(begin(y), y);
    });
    std::uint32_t run = order[0], run_end = end(order[0]);
    for (const std::uint32_t i : order) {
      if (begin(i) < run_end) {
        parent[root(i)] = root(run);
      } else {
        run = i;
      }
      run_end = std::max(run_end, end(i));
    }
  }
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](std::uint32_t x, std::uint32_t y) {
    return std::pair(root(x), x) < std::pair(root(y), y);
  });
  std::vector<Anchor> pairs, chosen;
  Matching matching;
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i + 1;
    while (j < n && root(order[j]) == root(order[i])) ++j;
    if (j - i == 1) {  // shares no word: its own pairs and 3-grams
      extent.matches += in[group[order[i]]].matches;
      extent.trigrams += in[group[order[i]]].trigrams;
      i = j;
      continue;
    }
    // Each piece's pairs increase in a and in b: merged one piece at a time, not sorted (a few
    // pieces); many pieces, whose merges would be quadratic, are sorted once.
    pairs.clear();
    auto by_a = [](const Anchor& x, const Anchor& y) {
      return std::pair(x.a, x.b) < std::pair(y.a, y.b);
    };
    constexpr std::size_t kMergedPieces = 64;
    for (std::size_t x = i; x < j; ++x) {
      const std::uint32_t k = group[order[x]];
      const auto middle = static_cast<std::ptrdiff_t>(pairs.size());
      pairs.insert(pairs.end(), matched.begin() + static_cast<std::ptrdiff_t>(start[k]),
                   matched.begin() + static_cast<std::ptrdiff_t>(start[k] + in[k].matches));
      if (j - i <= kMergedPieces) {
        std::inplace_merge(pairs.begin(), pairs.begin() + middle, pairs.end(), by_a);
      }
    }
    if (j - i > kMergedPieces) std::sort(pairs.begin(), pairs.end(), by_a);
    pairs.erase(
        std::unique(pairs.begin(), pairs.end(),
                    [](const Anchor& x, const Anchor& y) { return x.a == y.a && x.b == y.b; }),
        pairs.end());
    matching.run(pairs, chosen);
    extent.matches += static_cast<std::uint32_t>(chosen.size());
    // Runs of pairs next to each other in both documents align L - 2 word 3-grams, as in
    // split_at_unmatched.
    for (std::size_t r = 0; r < chosen.size();) {
      std::size_t s = r + 1;
      while (s < chosen.size() && chosen[s].a == chosen[s - 1].a + 1 &&
             chosen[s].b == chosen[s - 1].b + 1) {
        ++s;
      }
      if (s - r >= 3) extent.trigrams += static_cast<std::uint32_t>(s - r - 2);
      r = s;
    }
    i = j;
  }
}

}  // namespace

void join_pieces(std::vector<Piece>& pieces, std::span<const Anchor> matched,
                 std::span<const std::uint32_t> a_words, std::span<const std::uint32_t> b_words,
                 std::uint32_t max_gap, std::vector<PieceGroup>& groups) {
  groups.clear();
  if (pieces.size() <= 1) {  // the usual case: one piece, one passage
    for (const Piece& p : pieces) {
      PieceGroup g{p, 0, 1};
      const std::uint32_t words = std::min(p.a_end - p.a_begin, p.b_end - p.b_begin);
      g.extent.matches = std::min(g.extent.matches, words);
      g.extent.trigrams = std::min(g.extent.trigrams, words > 2 ? words - 2 : 0);
      groups.push_back(g);
    }
    return;
  }
  const std::vector<Piece> in(pieces);
  pieces.clear();
  std::vector<std::vector<std::uint32_t>> todo(1);
  for (std::uint32_t k = 0; k < in.size(); ++k) todo[0].push_back(k);
  std::vector<Range> ranges;
  std::vector<Gap> gaps;
  std::vector<std::vector<std::uint32_t>> done;
  std::vector<std::uint32_t> before, after;
  std::vector<std::uint64_t> scratch;
  // Whether pieces i and j share at least half the words of the shorter of the two in document
  // a (on_a) or b: then one aligns that text a second time.
  auto mostly_shared = [&](std::uint32_t i, std::uint32_t j, bool on_a) {
    const Piece &p = in[i], &q = in[j];
    const std::uint32_t pb = on_a ? p.a_begin : p.b_begin, pe = on_a ? p.a_end : p.b_end;
    const std::uint32_t qb = on_a ? q.a_begin : q.b_begin, qe = on_a ? q.a_end : q.b_end;
    const std::uint32_t common =
        std::min(pe, qe) > std::max(pb, qb) ? std::min(pe, qe) - std::max(pb, qb) : 0;
    return 2 * common >= std::min(pe - pb, qe - qb);
  };
  auto share_words = [&](const std::vector<std::uint32_t>& x, const std::vector<std::uint32_t>& y,
                         bool on_a) {
    for (const std::uint32_t i : x) {
      for (const std::uint32_t j : y) {
        if (mostly_shared(i, j, on_a)) return true;
      }
    }
    return false;
  };
  std::vector<std::size_t> start(in.size() + 1, 0);  // where each piece's pairs begin in matched
  for (std::size_t k = 0; k < in.size(); ++k) start[k + 1] = start[k] + in[k].matches;
  // Words of document a (on_a) or b that pieces i and j both match (a piece's pairs increase in
  // both documents).
  auto matched_by_both = [&](std::uint32_t i, std::uint32_t j, bool on_a) {
    const Anchor* x = matched.data() + start[i];
    const Anchor* y = matched.data() + start[j];
    const Anchor* x_end = x + in[i].matches;
    const Anchor* y_end = y + in[j].matches;
    std::uint32_t both = 0;
    while (x != x_end && y != y_end) {
      const std::uint32_t u = on_a ? x->a : x->b, v = on_a ? y->a : y->b;
      both += u == v;
      x += u <= v;
      y += v <= u;
    }
    return both;
  };
  // Whether pieces i and j align one stretch of document a (on_a) or b to two places of the
  // other (a passage the other holds twice): at least half the matched words of the one with
  // fewer are matched by both there, and less than half in the other document. (Their ranges
  // overlapping was not enough: a reordered passage's sentence lies inside another piece's range,
  // unmatched there.)
  auto repeats = [&](std::uint32_t i, std::uint32_t j, bool on_a) {
    const std::uint32_t fewer = std::min(in[i].matches, in[j].matches);
    return fewer > 0 && 2 * matched_by_both(i, j, on_a) >= fewer &&
           2 * matched_by_both(i, j, !on_a) < fewer;
  };
  auto matches_of = [&](const std::vector<std::uint32_t>& x) {
    std::uint32_t m = 0;
    for (const std::uint32_t k : x) m += in[k].matches;
    return m;
  };
  // Splits a set in which two strong pieces (each matching at least half as many words as the
  // piece matching the most, and at least three quarters as many as the other: copies of one
  // passage match alike; a sentence of a heavily edited passage that also matches another
  // sentence does not) repeat one stretch (of a, else of b) into its copies: its pieces in
  // the other document's order, cut before each strong piece that repeats a strong one since the
  // last cut. Each copy of a passage that a document holds more than once is its own passage:
  // joined, the copies and the text between them made one passage whose similarity fell with
  // every copy (three: under --min-similarity, and the reuse was lost). Weak pieces (a few words
  // of one copy aligned with other text, or the pieces of a reordered passage running on into
  // each other's text) cut nothing.
  std::vector<std::uint32_t> part;
  auto split_repeats = [&](std::vector<std::uint32_t>& group) {
    if (group.size() > kMaxReordered) return false;  // each pair of pieces compared: bounded
    std::uint32_t most = 0;
    for (const std::uint32_t k : group) most = std::max(most, in[k].matches);
    auto strong = [&](std::uint32_t k) { return 2 * in[k].matches >= most; };
    auto strong_repeats = [&](std::uint32_t x, std::uint32_t y, bool on_a) {
      const std::uint32_t mx = in[x].matches, my = in[y].matches;
      return strong(x) && strong(y) && 4 * std::min(mx, my) >= 3 * std::max(mx, my) &&
             repeats(x, y, on_a);
    };
    bool found[2] = {false, false};  // strong repeats of a stretch of b, of a
    for (const bool on_a : {true, false}) {
      for (std::size_t x = 0; x < group.size() && !found[on_a]; ++x) {
        for (std::size_t y = x + 1; y < group.size() && !found[on_a]; ++y) {
          found[on_a] = strong_repeats(group[x], group[y], on_a);
        }
      }
    }
    // Repeats in both documents are a stretch both hold twice (a line at the start and the end
    // of each): the alignments pair each copy with each, and the set is not cut.
    if (found[0] && found[1]) return false;
    for (const bool on_a : {true, false}) {
      if (!found[on_a]) continue;
      std::sort(group.begin(), group.end(), [&](std::uint32_t x, std::uint32_t y) {
        const Piece &p = in[x], &q = in[y];
        return on_a ? std::tie(p.b_begin, p.a_begin, x) < std::tie(q.b_begin, q.a_begin, y)
                    : std::tie(p.a_begin, p.b_begin, x) < std::tie(q.a_begin, q.b_begin, y);
      });
      part.clear();
      for (const std::uint32_t k : group) {
        if (std::any_of(part.begin(), part.end(),
                        [&](std::uint32_t j) { return strong_repeats(k, j, on_a); })) {
          todo.push_back(part);
          part.clear();
        }
        part.push_back(k);
      }
      todo.push_back(part);
      return true;
    }
    return false;
  };
  while (!todo.empty()) {
    std::vector<std::uint32_t> group = std::move(todo.back());
    todo.pop_back();
    gaps.clear();
    for (const bool on_a : {true, false}) {
      ranges.clear();
      for (const std::uint32_t k : group) {
        ranges.push_back(on_a ? Range{in[k].a_begin, in[k].a_end}
                              : Range{in[k].b_begin, in[k].b_end});
      }
      add_gaps(ranges, max_gap, on_a, gaps);
    }
    std::sort(gaps.begin(), gaps.end(), [](const Gap& x, const Gap& y) {
      return x.words != y.words ? x.words > y.words : x.on_a != y.on_a ? x.on_a : x.at < y.at;
    });
    Range extent[2] = {{~0u, 0}, {~0u, 0}};  // the group's, in a and in b
    for (const std::uint32_t k : group) {
      extent[0] =
          Range{std::min(extent[0].begin, in[k].a_begin), std::max(extent[0].end, in[k].a_end)};
      extent[1] =
          Range{std::min(extent[1].begin, in[k].b_begin), std::max(extent[1].end, in[k].b_end)};
    }
    bool split = false;
    for (const Gap& g : gaps) {
      before.clear();
      after.clear();
      // In the other document: where the pieces before the gap begin, at the latest, and where
      // those after it begin, at the earliest.
      std::uint32_t before_last = 0, after_first = ~0u;
      for (const std::uint32_t k : group) {
        const bool left = (g.on_a ? in[k].a_begin : in[k].b_begin) < g.at;
        (left ? before : after).push_back(k);
        const std::uint32_t there = g.on_a ? in[k].b_begin : in[k].a_begin;
        if (left) {
          before_last = std::max(before_last, there);
        } else {
          after_first = std::min(after_first, there);
        }
      }
      // A gap of a sentence or two is part of the passage when the pieces on its two sides come
      // in another order in the other document (the passage was reordered: each side with
      // max_gap matched words or more, and sharing no piece's words there with the other, else
      // one aligns some text a second time), or when it is text of the passage edited beyond
      // alignment: half its word 2-grams are in the other document's stretch of the passage, or
      // next to it. Other text between two passages is new text.
      if (group.size() <= kMaxReordered && g.words <= kMaxBridge * max_gap) {
        if (after_first < before_last && !share_words(before, after, !g.on_a) &&
            matches_of(before) >= max_gap && matches_of(after) >= max_gap) {
          continue;
        }
        const std::span<const std::uint32_t> here = g.on_a ? a_words : b_words;
        const std::span<const std::uint32_t> there = g.on_a ? b_words : a_words;
        const Range& e = extent[g.on_a ? 1 : 0];
        const std::uint32_t from = e.begin > g.words ? e.begin - g.words : 0;
        const std::uint32_t to =
            std::min<std::uint32_t>(static_cast<std::uint32_t>(there.size()), e.end + g.words);
        if (2 * bigrams_found(here.subspan(g.at - g.words, g.words), there.subspan(from, to - from),
                              scratch) >=
            1.0) {
          continue;
        }
      }
      todo.push_back(after);
      todo.push_back(before);
      split = true;
      break;
    }
    if (!split && !split_repeats(group)) {
      std::sort(group.begin(), group.end());
      done.push_back(std::move(group));
    }
  }
  for (const auto& group : done) {
    PieceGroup g;
    g.extent = in[group.front()];
    for (const std::uint32_t k : group) {
      const Piece& p = in[k];
      g.extent.a_begin = std::min(g.extent.a_begin, p.a_begin);
      g.extent.a_end = std::max(g.extent.a_end, p.a_end);
      g.extent.b_begin = std::min(g.extent.b_begin, p.b_begin);
      g.extent.b_end = std::max(g.extent.b_end, p.b_end);
    }
    count_matches(in, matched, start, group, g.extent);
    groups.push_back(g);
  }
  std::vector<std::uint32_t> order(groups.size());
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](std::uint32_t x, std::uint32_t y) {
    const Piece &px = groups[x].extent, &py = groups[y].extent;
    return std::tie(px.a_begin, px.b_begin, px.a_end, px.b_end, x) <
           std::tie(py.a_begin, py.b_begin, py.a_end, py.b_end, y);
  });
  std::vector<PieceGroup> sorted;
  for (const std::uint32_t x : order) {
    PieceGroup g = groups[x];
    g.first = static_cast<std::uint32_t>(pieces.size());
    g.count = static_cast<std::uint32_t>(done[x].size());
    for (const std::uint32_t k : done[x]) pieces.push_back(in[k]);
    sorted.push_back(g);
  }
  groups = std::move(sorted);
}

bool passage_qualifies(const Piece& p, std::uint32_t min_words, double min_similarity) {
  const std::uint32_t wa = p.a_end - p.a_begin, wb = p.b_end - p.b_begin;
  if (wa < min_words || wb < min_words) return false;
  return 2.0 * p.matches / (wa + wb) >= min_similarity;
}

}  // namespace doppel
