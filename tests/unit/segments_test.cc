// split_at_unmatched and join_pieces against slow references written from their header (gaps
// found on arrays of covered words, 2-grams in sets), and the shapes join_pieces tells apart:
// reordered and edited sentences of one passage, reply text between two quoted paragraphs.
#include "passages/segments.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <tuple>
#include <vector>

namespace doppel {
namespace {

std::vector<std::uint32_t> cat_words(std::initializer_list<std::vector<std::uint32_t>> parts) {
  std::vector<std::uint32_t> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

bool same_ranges(const Piece& x, const Piece& y) {
  return std::tie(x.a_begin, x.a_end, x.b_begin, x.b_end) ==
         std::tie(y.a_begin, y.a_end, y.b_begin, y.b_end);
}

// Increasing anchors with gaps of 0 to 20 words in each document.
std::vector<Anchor> random_anchors(std::mt19937& rng) {
  std::vector<Anchor> m;
  std::uint32_t a = rng() % 5, b = rng() % 5;
  const int n = static_cast<int>(rng() % 40);
  for (int k = 0; k < n; ++k) {
    m.push_back({a, b});
    const std::uint32_t step = rng() % 4 == 0 ? rng() % 20 : 0;
    a += 1 + step;
    b += 1 + (rng() % 3 == 0 ? rng() % 20 : step);
  }
  return m;
}

TEST(Segments, SplitAtUnmatchedMatchesTheReference) {
  std::mt19937 rng(3);
  for (int trial = 0; trial < 2000; ++trial) {
    const std::vector<Anchor> m = random_anchors(rng);
    const std::uint32_t max_unmatched = rng() % 15;
    std::vector<Piece> got;
    split_at_unmatched(m, max_unmatched, got);
    // Reference: a new piece wherever more than max_unmatched words pass in either document.
    std::vector<std::vector<Anchor>> stretches;
    for (std::size_t i = 0; i < m.size(); ++i) {
      if (i == 0 || m[i].a - m[i - 1].a - 1 > max_unmatched ||
          m[i].b - m[i - 1].b - 1 > max_unmatched) {
        stretches.emplace_back();
      }
      stretches.back().push_back(m[i]);
    }
    ASSERT_EQ(got.size(), stretches.size());
    for (std::size_t s = 0; s < stretches.size(); ++s) {
      const auto& st = stretches[s];
      EXPECT_EQ(got[s].a_begin, st.front().a);
      EXPECT_EQ(got[s].a_end, st.back().a + 1);
      EXPECT_EQ(got[s].b_begin, st.front().b);
      EXPECT_EQ(got[s].b_end, st.back().b + 1);
      EXPECT_EQ(got[s].matches, st.size());
      // 3-grams: pairs i, i + 1, i + 2 consecutive in both documents.
      std::uint32_t trigrams = 0;
      for (std::size_t i = 0; i + 2 < st.size(); ++i) {
        trigrams += st[i].a + 1 == st[i + 1].a && st[i].b + 1 == st[i + 1].b &&
                    st[i + 1].a + 1 == st[i + 2].a && st[i + 1].b + 1 == st[i + 2].b;
      }
      EXPECT_EQ(got[s].trigrams, trigrams);
    }
  }
}

// Pairs that align pieces word for word (each piece's matches equal to its length on both
// sides), piece after piece, as join_pieces takes them.
std::vector<Anchor> diagonal_pairs(const std::vector<Piece>& pieces) {
  std::vector<Anchor> m;
  for (const Piece& p : pieces) {
    for (std::uint32_t x = 0; x < p.matches; ++x) m.push_back({p.a_begin + x, p.b_begin + x});
  }
  return m;
}

// A piece as split_at_unmatched makes it from its pairs (increasing in both documents).
Piece piece_of(const std::vector<Anchor>& m) {
  Piece p{m.front().a,
          m.back().a + 1,
          m.front().b,
          m.back().b + 1,
          static_cast<std::uint32_t>(m.size()),
          0};
  for (std::size_t i = 0; i + 2 < m.size(); ++i) {
    p.trigrams += m[i].a + 1 == m[i + 1].a && m[i].b + 1 == m[i + 1].b &&
                  m[i + 1].a + 1 == m[i + 2].a && m[i + 1].b + 1 == m[i + 2].b;
  }
  return p;
}

// Random increasing pairs from (a, b) to (a + la - 1, b + lb - 1).
std::vector<Anchor> random_pairs(std::mt19937& rng, std::uint32_t a, std::uint32_t b,
                                 std::uint32_t la, std::uint32_t lb) {
  const std::uint32_t most = std::min(la, lb);
  if (most == 1) return {{a, b}};
  const std::uint32_t n = 2 + static_cast<std::uint32_t>(rng() % (most - 1));
  auto inside = [&](std::uint32_t length) {  // n - 2 sorted offsets in [1, length - 1)
    std::vector<std::uint32_t> x(length - 2);
    for (std::uint32_t i = 0; i < x.size(); ++i) x[i] = 1 + i;
    std::shuffle(x.begin(), x.end(), rng);
    x.resize(n - 2);
    std::sort(x.begin(), x.end());
    return x;
  };
  const std::vector<std::uint32_t> xa = inside(la), xb = inside(lb);
  std::vector<Anchor> m = {{a, b}};
  for (std::uint32_t i = 0; i + 2 < n; ++i) m.push_back({a + xa[i], b + xb[i]});
  m.push_back({a + la - 1, b + lb - 1});
  return m;
}

// The most pairs of `v` of which no two share a word: every subset tried for up to 8 pairs,
// else augmenting paths from each word of a in turn (Kuhn).
std::uint32_t reference_matching(const std::vector<std::pair<std::uint32_t, std::uint32_t>>& v) {
  if (v.size() <= 8) {
    std::uint32_t best = 0;
    for (std::uint32_t mask = 0; mask < (1u << v.size()); ++mask) {
      std::set<std::uint32_t> as, bs;
      bool ok = true;
      for (std::size_t i = 0; i < v.size() && ok; ++i) {
        if ((mask >> i & 1) == 0) continue;
        ok = as.insert(v[i].first).second && bs.insert(v[i].second).second;
      }
      if (ok) best = std::max(best, static_cast<std::uint32_t>(as.size()));
    }
    return best;
  }
  std::map<std::uint32_t, std::vector<std::uint32_t>> from_a;
  for (const auto& [x, y] : v) from_a[x].push_back(y);
  std::map<std::uint32_t, std::uint32_t> partner;  // b's word -> a's word
  std::set<std::uint32_t> visited;
  std::function<bool(std::uint32_t)> augment = [&](std::uint32_t x) {
    for (const std::uint32_t y : from_a[x]) {
      if (!visited.insert(y).second) continue;
      if (!partner.contains(y) || augment(partner[y])) {
        partner[y] = x;
        return true;
      }
    }
    return false;
  };
  std::uint32_t n = 0;
  for (const auto& [x, ys] : from_a) {
    visited.clear();
    n += augment(x);
  }
  return n;
}

// The matches of a group, from its header: pieces that share words in either document (their
// ranges overlap, joined transitively) count the most of their distinct pairs of which no two
// share a word; the others their own matches.
std::uint32_t reference_matches(const std::vector<std::vector<Anchor>>& pairs,
                                const std::vector<Piece>& pieces, const std::vector<int>& set) {
  std::vector<int> component(set.size());
  for (std::size_t i = 0; i < set.size(); ++i) component[i] = static_cast<int>(i);
  for (bool changed = true; changed;) {
    changed = false;
    for (std::size_t i = 0; i < set.size(); ++i) {
      for (std::size_t j = 0; j < set.size(); ++j) {
        const Piece &p = pieces[static_cast<std::size_t>(set[i])],
                    &q = pieces[static_cast<std::size_t>(set[j])];
        const bool overlap = (p.a_begin < q.a_end && q.a_begin < p.a_end) ||
                             (p.b_begin < q.b_end && q.b_begin < p.b_end);
        if (overlap && component[j] > component[i]) {
          component[j] = component[i];
          changed = true;
        }
      }
    }
  }
  std::uint32_t total = 0;
  for (std::size_t c = 0; c < set.size(); ++c) {
    std::set<std::pair<std::uint32_t, std::uint32_t>> union_pairs;
    for (std::size_t i = 0; i < set.size(); ++i) {
      if (component[i] != static_cast<int>(c)) continue;
      for (const Anchor& x : pairs[static_cast<std::size_t>(set[i])]) {
        union_pairs.insert({x.a, x.b});
      }
    }
    total += reference_matching({union_pairs.begin(), union_pairs.end()});
  }
  return total;
}

// Gaps of more than `gap` words covered by no piece between the first and the last covered word:
// (length, the first covered word after it).
std::vector<std::pair<std::uint32_t, std::uint32_t>> reference_gaps(
    const std::vector<bool>& covered, std::uint32_t gap) {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> out;
  std::uint32_t last = ~0u;  // the last covered word seen
  for (std::uint32_t x = 0; x < covered.size(); ++x) {
    if (!covered[x]) continue;
    if (last != ~0u && x - last - 1 > gap) out.emplace_back(x - last - 1, x);
    last = x;
  }
  return out;
}

// The header of join_pieces, with coverage arrays and sets of 2-grams.
std::vector<std::vector<int>> reference_join(const std::vector<Piece>& pieces,
                                             const std::vector<std::vector<Anchor>>& piece_pairs,
                                             const std::vector<std::uint32_t>& a_words,
                                             const std::vector<std::uint32_t>& b_words,
                                             std::uint32_t gap) {
  auto begin = [&](int k, bool on_a) {
    const Piece& p = pieces[static_cast<std::size_t>(k)];
    return on_a ? p.a_begin : p.b_begin;
  };
  auto end = [&](int k, bool on_a) {
    const Piece& p = pieces[static_cast<std::size_t>(k)];
    return on_a ? p.a_end : p.b_end;
  };
  std::vector<std::vector<int>> todo, sets;
  if (!pieces.empty()) {
    todo.emplace_back();
    for (int k = 0; k < static_cast<int>(pieces.size()); ++k) todo[0].push_back(k);
  }
  while (!todo.empty()) {
    const std::vector<int> set = todo.back();
    todo.pop_back();
    struct G {
      std::uint32_t words, at;
      bool on_a;
    };
    std::vector<G> gaps;
    for (const bool on_a : {true, false}) {
      std::vector<bool> covered((on_a ? a_words : b_words).size(), false);
      for (const int k : set) {
        for (std::uint32_t x = begin(k, on_a); x < end(k, on_a); ++x) covered[x] = true;
      }
      for (const auto& [words, at] : reference_gaps(covered, gap))
        gaps.push_back({words, at, on_a});
    }
    std::stable_sort(gaps.begin(), gaps.end(), [](const G& x, const G& y) {
      return x.words != y.words ? x.words > y.words : x.on_a && !y.on_a;
    });
    bool cut = false;
    for (const G& g : gaps) {
      std::vector<int> before, after;
      for (const int k : set) (begin(k, g.on_a) < g.at ? before : after).push_back(k);
      if (set.size() <= 64 && g.words <= 4 * gap) {
        bool reordered = false, shared = false;
        for (const int l : before) {
          for (const int r : after) {
            reordered |= begin(r, !g.on_a) < begin(l, !g.on_a);
            const std::uint32_t lo = std::max(begin(l, !g.on_a), begin(r, !g.on_a));
            const std::uint32_t hi = std::min(end(l, !g.on_a), end(r, !g.on_a));
            const std::uint32_t shorter =
                std::min(end(l, !g.on_a) - begin(l, !g.on_a), end(r, !g.on_a) - begin(r, !g.on_a));
            shared |= hi > lo && 2 * (hi - lo) >= shorter;
          }
        }
        std::uint32_t matched_before = 0, matched_after = 0;
        for (const int k : before) matched_before += pieces[static_cast<std::size_t>(k)].matches;
        for (const int k : after) matched_after += pieces[static_cast<std::size_t>(k)].matches;
        if (reordered && !shared && matched_before >= gap && matched_after >= gap) continue;
        // 2-grams of the gap found in the other document's stretch of the set, or next to it.
        const auto& here = g.on_a ? a_words : b_words;
        const auto& there = g.on_a ? b_words : a_words;
        std::uint32_t lo = ~0u, hi = 0;
        for (const int k : set) {
          lo = std::min(lo, begin(k, !g.on_a));
          hi = std::max(hi, end(k, !g.on_a));
        }
        lo = lo > g.words ? lo - g.words : 0;
        hi = std::min<std::uint32_t>(static_cast<std::uint32_t>(there.size()), hi + g.words);
        std::set<std::pair<std::uint32_t, std::uint32_t>> known, mine;
        for (std::uint32_t x = lo; x + 1 < hi; ++x) known.insert({there[x], there[x + 1]});
        for (std::uint32_t x = g.at - g.words; x + 1 < g.at; ++x)
          mine.insert({here[x], here[x + 1]});
        std::size_t found = 0;
        for (const auto& m : mine) found += known.count(m);
        if (!mine.empty() && 2 * found >= mine.size()) continue;
      }
      todo.push_back(after);
      todo.push_back(before);
      cut = true;
      break;
    }
    if (cut) continue;
    // Two pieces repeating one stretch of a (then of b): the set cut, in the other document's
    // order, before each piece that repeats one since the last cut.
    auto both = [&](int x, int y, bool on_a) {
      std::set<std::uint32_t> words_x;
      for (const Anchor& m : piece_pairs[static_cast<std::size_t>(x)]) {
        words_x.insert(on_a ? m.a : m.b);
      }
      std::uint32_t n = 0;
      for (const Anchor& m : piece_pairs[static_cast<std::size_t>(y)]) {
        n += static_cast<std::uint32_t>(words_x.count(on_a ? m.a : m.b));
      }
      return n;
    };
    std::uint32_t most = 0;
    for (const int k : set) most = std::max(most, pieces[static_cast<std::size_t>(k)].matches);
    auto strong_repeats = [&](int x, int y, bool on_a) {
      const std::uint32_t mx = pieces[static_cast<std::size_t>(x)].matches;
      const std::uint32_t my = pieces[static_cast<std::size_t>(y)].matches;
      const std::uint32_t fewer = std::min(mx, my);
      return 2 * mx >= most && 2 * my >= most && 4 * fewer >= 3 * std::max(mx, my) && fewer > 0 &&
             2 * both(x, y, on_a) >= fewer && 2 * both(x, y, !on_a) < fewer;
    };
    bool found_on[2] = {false, false};  // b, a
    for (const bool on_a : {true, false}) {
      for (const int x : set) {
        for (const int y : set) found_on[on_a] |= x != y && strong_repeats(x, y, on_a);
      }
    }
    for (const bool on_a : {true, false}) {
      if (set.size() > 64 || (found_on[0] && found_on[1])) break;
      if (!found_on[on_a]) continue;
      std::vector<int> ordered = set;
      std::sort(ordered.begin(), ordered.end(), [&](int x, int y) {
        return std::tuple(begin(x, !on_a), begin(x, on_a), x) <
               std::tuple(begin(y, !on_a), begin(y, on_a), y);
      });
      std::vector<int> part;
      for (const int k : ordered) {
        bool again = false;
        for (const int j : part) again |= strong_repeats(k, j, on_a);
        if (again) {
          todo.push_back(part);
          part.clear();
        }
        part.push_back(k);
      }
      todo.push_back(part);
      cut = true;
      break;
    }
    if (!cut) sets.push_back(set);
  }
  return sets;
}

TEST(Segments, JoinPiecesMatchesTheReference) {
  std::mt19937 rng(5);
  for (int trial = 0; trial < 3000; ++trial) {
    // Words from a small vocabulary, so that 2-grams repeat.
    const std::uint32_t vocabulary = 2 + rng() % 12;
    std::vector<std::uint32_t> a_words(250), b_words(250);
    for (auto& w : a_words) w = rng() % vocabulary;
    for (auto& w : b_words) w = rng() % vocabulary;
    std::vector<Piece> pieces;
    std::vector<std::vector<Anchor>> pairs;  // each piece's
    std::vector<Anchor> matched;
    const int n = static_cast<int>(trial % 100 == 0 ? 60 + rng() % 10 : rng() % 9);
    for (int k = 0; k < n; ++k) {
      std::vector<Anchor> m;
      if (k > 0 && rng() % 3 == 0) {
        // A second alignment of the previous piece's text: its pairs from some point on, then
        // further pairs (two chains whose alignments ran into each other's text).
        const std::vector<Anchor>& last = pairs.back();
        m.assign(last.begin() + static_cast<long>(rng() % last.size()), last.end());
        for (auto extra = rng() % 12; extra > 0 && std::max(m.back().a, m.back().b) < 240;
             --extra) {
          m.push_back({m.back().a + 1 + static_cast<std::uint32_t>(rng() % 2),
                       m.back().b + 1 + static_cast<std::uint32_t>(rng() % 2)});
        }
      } else if (k > 0 && rng() % 4 == 0) {
        // The previous piece's text of one document aligned to another place of the other (a
        // passage held twice there), whole or in part.
        const bool shift_b = rng() % 2 == 0;
        const std::uint32_t shift = 10 + static_cast<std::uint32_t>(rng() % 60);
        for (const Anchor& x : pairs.back()) {
          const Anchor y{shift_b ? x.a : x.a + shift, shift_b ? x.b + shift : x.b};
          if (std::max(y.a, y.b) < 250 && rng() % 8 != 0) m.push_back(y);
        }
        if (m.empty()) m = random_pairs(rng, rng() % 200, rng() % 200, 1, 1);
      } else {
        const std::uint32_t a = rng() % 200, b = rng() % 200;
        m = random_pairs(rng, a, b, 1 + rng() % 30, 1 + rng() % 30);
      }
      pieces.push_back(piece_of(m));
      pairs.push_back(m);
      matched.insert(matched.end(), m.begin(), m.end());
    }
    const std::uint32_t gap = rng() % 15;
    const std::vector<std::vector<int>> sets = reference_join(pieces, pairs, a_words, b_words, gap);
    std::vector<Piece> got_pieces = pieces;
    std::vector<PieceGroup> groups;
    join_pieces(got_pieces, matched, a_words, b_words, gap, groups);
    ASSERT_EQ(groups.size(), sets.size()) << "trial " << trial;
    ASSERT_EQ(got_pieces.size(), pieces.size());
    std::set<std::vector<int>> expected, got;
    for (auto s : sets) {
      std::sort(s.begin(), s.end());
      expected.insert(s);
    }
    for (std::size_t g = 0; g < groups.size(); ++g) {
      if (g > 0) {
        const Piece &x = groups[g - 1].extent, &y = groups[g].extent;
        EXPECT_TRUE(std::tie(x.a_begin, x.b_begin) <= std::tie(y.a_begin, y.b_begin));
      }
      // Each group's pieces, found back among the input (pieces may repeat: take them in order).
      std::vector<int> members;
      std::vector<bool> used(pieces.size(), false);
      Piece extent = got_pieces[groups[g].first];
      for (std::uint32_t k = groups[g].first; k < groups[g].first + groups[g].count; ++k) {
        const Piece& p = got_pieces[k];
        extent.a_begin = std::min(extent.a_begin, p.a_begin);
        extent.a_end = std::max(extent.a_end, p.a_end);
        extent.b_begin = std::min(extent.b_begin, p.b_begin);
        extent.b_end = std::max(extent.b_end, p.b_end);
        for (std::size_t i = 0; i < pieces.size(); ++i) {
          if (!used[i] && same_ranges(pieces[i], p) && pieces[i].matches == p.matches) {
            used[i] = true;
            members.push_back(static_cast<int>(i));
            break;
          }
        }
      }
      EXPECT_TRUE(same_ranges(extent, groups[g].extent));
      // Pieces with the same ranges are on the same side of every gap, so in the same group:
      // found back in order, the members are the group's whichever copy each one took.
      const std::uint32_t matches = reference_matches(pairs, pieces, members);
      EXPECT_EQ(groups[g].extent.matches, matches) << "trial " << trial;
      EXPECT_LE(groups[g].extent.trigrams, matches > 2 ? matches - 2 : 0) << "trial " << trial;
      std::sort(members.begin(), members.end());
      got.insert(members);
    }
    EXPECT_EQ(got, expected) << "trial " << trial;
  }
}

// Distinct words [first, first + n).
std::vector<std::uint32_t> words(std::uint32_t first, std::uint32_t n) {
  std::vector<std::uint32_t> w(n);
  for (std::uint32_t i = 0; i < n; ++i) w[i] = first + i;
  return w;
}

TEST(Segments, ReorderedSentencesAreOnePassage) {
  // Five sentences of 20 words, copied in the order 3 1 4 0 2: one piece each, far apart in b.
  std::vector<Piece> pieces;
  const std::uint32_t order[] = {3, 1, 4, 0, 2};
  for (std::uint32_t k = 0; k < 5; ++k) {
    pieces.push_back({100 + 20 * k, 120 + 20 * k, 20 * order[k], 20 * order[k] + 20, 20, 18});
  }
  std::vector<PieceGroup> groups;
  join_pieces(pieces, diagonal_pairs(pieces), words(0, 300), words(1000, 300), 12, groups);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].extent.a_begin, 100u);
  EXPECT_EQ(groups[0].extent.a_end, 200u);
  EXPECT_EQ(groups[0].extent.b_begin, 0u);
  EXPECT_EQ(groups[0].extent.b_end, 100u);
  EXPECT_EQ(groups[0].extent.matches, 100u);
}

TEST(Segments, AReorderedPassageWithASentenceEditedBeyondAlignmentIsOnePassage) {
  // b: sentences 0 1 2 3 of 20 words; a: 2 0 1' 3, where 1' is sentence 1 with every fifth word
  // changed, too edited to align: a gap of 20 words in both documents, pieces 2 and 0 in another
  // order in b, and 1' keeping more than half of 1's word 2-grams.
  const std::vector<std::uint32_t> b = words(0, 80);
  std::vector<std::uint32_t> edited = words(20, 20);
  for (std::uint32_t x = 0; x < 20; x += 5) edited[x] = 5000 + x;
  const std::vector<std::uint32_t> a =
      cat_words({words(40, 20), words(0, 20), edited, words(60, 20)});
  std::vector<Piece> pieces = {
      {0, 20, 40, 60, 20, 18}, {20, 40, 0, 20, 20, 18}, {60, 80, 60, 80, 20, 18}};
  std::vector<PieceGroup> groups;
  join_pieces(pieces, diagonal_pairs(pieces), a, b, 12, groups);
  EXPECT_EQ(groups.size(), 1u);
}

TEST(Segments, AReorderedPassageWithASentenceRewrittenIsOnePassage) {
  // b: sentences 0 1 2 3; a: 2 X 0 3, X a rewrite of 1 sharing no word 2-gram with it: the gaps
  // in both documents lie between pieces that come in another order in the other.
  const std::vector<std::uint32_t> a =
      cat_words({words(40, 20), words(9000, 20), words(0, 20), words(60, 20)});
  std::vector<Piece> pieces = {
      {0, 20, 40, 60, 20, 18}, {40, 60, 0, 20, 20, 18}, {60, 80, 60, 80, 20, 18}};
  std::vector<PieceGroup> groups;
  join_pieces(pieces, diagonal_pairs(pieces), a, words(0, 80), 12, groups);
  EXPECT_EQ(groups.size(), 1u);
  // Two phrases of 8 words are not a reordered passage.
  std::vector<Piece> phrases = {{0, 8, 40, 48, 8, 6}, {40, 48, 0, 8, 8, 6}};
  join_pieces(phrases, diagonal_pairs(phrases), a, words(0, 80), 12, groups);
  EXPECT_EQ(groups.size(), 2u);
}

TEST(Segments, ASentenceEditedInPlaceIsPartOfThePassage) {
  // Sentence 1 of three is too edited to align, but half its word 2-grams are in b's copy.
  std::vector<std::uint32_t> a = words(0, 60), b = words(0, 60);
  for (std::uint32_t x = 20; x < 40; x += 5) b[x] = 5000 + x;  // every fifth word changed
  std::vector<Piece> pieces = {{0, 20, 0, 20, 20, 18}, {40, 60, 40, 60, 20, 18}};
  std::vector<PieceGroup> groups;
  join_pieces(pieces, diagonal_pairs(pieces), a, b, 12, groups);
  EXPECT_EQ(groups.size(), 1u);
  // Changed entirely, it is new text between two passages.
  for (std::uint32_t x = 20; x < 40; ++x) b[x] = 5000 + x;
  join_pieces(pieces, diagonal_pairs(pieces), a, b, 12, groups);
  EXPECT_EQ(groups.size(), 2u);
}

TEST(Segments, TwoParagraphsQuotedWithReplyTextBetweenAreTwoPassages) {
  // A reply quotes paragraphs 0-40 and 40-80 of a post with 20 words of its own between them.
  std::vector<std::uint32_t> a = cat_words({words(0, 40), words(7000, 20), words(40, 40)});
  std::vector<Piece> pieces = {{0, 40, 0, 40, 40, 38}, {60, 100, 40, 80, 40, 38}};
  std::vector<PieceGroup> groups;
  join_pieces(pieces, diagonal_pairs(pieces), a, words(0, 80), 12, groups);
  EXPECT_EQ(groups.size(), 2u);
}

TEST(Segments, TwoParagraphsQuotedOneAfterTheOtherAreTwoPassages) {
  // A reply quotes paragraphs 0-40 and 100-140 of a post one after the other: next to each other
  // in a, 60 words apart in b.
  std::vector<Piece> pieces = {{0, 40, 0, 40, 40, 38}, {40, 80, 100, 140, 40, 38}};
  std::vector<PieceGroup> groups;
  join_pieces(pieces, diagonal_pairs(pieces), cat_words({words(0, 40), words(100, 40)}),
              words(0, 140), 12, groups);
  EXPECT_EQ(groups.size(), 2u);
}

TEST(Segments, PiecesOfTwoAlignmentsOfOneStretchCountEachWordOnce) {
  // Two bond offerings of 47 words that differ in names and numbers: 36 words in common, in
  // order. Two chains of seeds were aligned, each alignment running on into the other's text;
  // each gave one piece, overlapping the other's by 29 words in both documents. Their matches
  // summed (23 + 34 = 57) and capped at the 47 words covered gave a similarity of 1.
  std::vector<std::uint32_t> a = words(0, 50), b = words(0, 50);
  const std::uint32_t changed[] = {0, 1, 2, 5, 6, 13, 14, 15, 19, 22, 23, 28, 33, 40};
  for (const std::uint32_t x : changed) b[x] = 5000 + x;  // 36 of words 2..49 left in common
  std::vector<Anchor> first, second;  // each alignment's pairs of equal words, on the diagonal
  for (std::uint32_t x = 3; x < 36; ++x) {
    if (a[x] == b[x]) first.push_back({x, x});
  }
  for (std::uint32_t x = 7; x < 50; ++x) {
    if (a[x] == b[x]) second.push_back({x, x});
  }
  std::vector<Piece> pieces = {piece_of(first), piece_of(second)};
  std::vector<Anchor> matched = first;
  matched.insert(matched.end(), second.begin(), second.end());
  std::vector<PieceGroup> groups;
  join_pieces(pieces, matched, a, b, 12, groups);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].extent.a_begin, 3u);
  EXPECT_EQ(groups[0].extent.a_end, 50u);
  EXPECT_EQ(groups[0].extent.matches, 36u);  // was 47
  EXPECT_FALSE(passage_qualifies(groups[0].extent, 15, 0.8));
  // Runs of equal words 3-4, 7-12, 16-18, 20-21, 24-27, 29-32, 34-39, 41-49: 4 + 1 + 2 + 2 + 4
  // + 7 word 3-grams (summed, the pieces gave 16 + 23).
  EXPECT_EQ(groups[0].extent.trigrams, 20u);
}

TEST(Segments, APassageHeldThreeTimesIsThreePassages) {
  // a holds a passage of 59 words once; b holds it three times, five other words between the
  // copies (under the gap that splits). Joined, the three alignments made one passage of 187
  // words of b against 59 of a, similarity 0.48: under --min-similarity, and nothing was reported.
  const std::vector<std::uint32_t> p = words(0, 59), filler = words(1000, 5);
  std::vector<std::uint32_t> a = words(2000, 4), b = words(3000, 3);
  a.insert(a.end(), p.begin(), p.end());
  for (int copy = 0; copy < 3; ++copy) {
    b.insert(b.end(), p.begin(), p.end());
    if (copy < 2) b.insert(b.end(), filler.begin(), filler.end());
  }
  std::vector<Piece> pieces;
  std::vector<Anchor> matched;
  for (std::uint32_t copy = 0; copy < 3; ++copy) {
    std::vector<Anchor> m;
    for (std::uint32_t x = 0; x < 59; ++x) m.push_back({4 + x, 3 + copy * 64 + x});
    pieces.push_back(piece_of(m));
    matched.insert(matched.end(), m.begin(), m.end());
  }
  for (const bool swapped : {false, true}) {  // the copies in a instead
    std::vector<Piece> in = pieces;
    std::vector<Anchor> pairs = matched;
    if (swapped) {
      for (Piece& x : in) x = Piece{x.b_begin, x.b_end, x.a_begin, x.a_end, x.matches, x.trigrams};
      for (Anchor& x : pairs) x = Anchor{x.b, x.a};
    }
    std::vector<PieceGroup> groups;
    join_pieces(in, pairs, swapped ? b : a, swapped ? a : b, 12, groups);
    ASSERT_EQ(groups.size(), 3u) << "swapped " << swapped;
    for (std::uint32_t copy = 0; copy < 3; ++copy) {
      const Piece& e = groups[copy].extent;
      EXPECT_EQ(e.matches, 59u);
      EXPECT_EQ(swapped ? e.a_begin : e.b_begin, 3 + copy * 64);
      EXPECT_TRUE(passage_qualifies(e, 15, 0.8));
    }
  }
}

TEST(Segments, ALineBothDocumentsHoldTwiceDoesNotCutAReorderedPassage) {
  // a = D S0 S1 S2 S3 D, b = D S2 S3 S0 S1 D: a 20-word line D at the start and the end of both,
  // the halves between swapped. The alignments pair each D with each: D of a repeats in b and D
  // of b repeats in a. Cut as copies, the passage fell apart into four pairs.
  auto diagonal = [](std::uint32_t a, std::uint32_t b, std::uint32_t n) {
    std::vector<Anchor> m;
    for (std::uint32_t x = 0; x < n; ++x) m.push_back({a + x, b + x});
    return m;
  };
  const std::vector<std::vector<Anchor>> alignments = {diagonal(0, 0, 20),   diagonal(20, 50, 30),
                                                       diagonal(50, 20, 30), diagonal(80, 80, 20),
                                                       diagonal(0, 80, 20),  diagonal(80, 0, 20)};
  std::vector<Piece> pieces;
  std::vector<Anchor> matched;
  for (const auto& m : alignments) {
    pieces.push_back(piece_of(m));
    matched.insert(matched.end(), m.begin(), m.end());
  }
  std::vector<PieceGroup> groups;
  join_pieces(pieces, matched, words(0, 100), words(1000, 100), 12, groups);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].extent.a_end - groups[0].extent.a_begin, 100u);
  EXPECT_EQ(groups[0].extent.b_end - groups[0].extent.b_begin, 100u);
}

TEST(Segments, OverlappingPiecesOfAReorderedPassageCountInFull) {
  // Halves swapped: a's words 0-29 are b's 40-69 and a's 30-59 are b's 0-29. The first half's
  // alignment ran on five words past its sentence (a's 30-34 to b's 70-74), into the second
  // half's words of a. Each word of a is in one pair: 60 matches. The longest chain increasing
  // in both documents would keep one half (35).
  std::vector<Anchor> first, second;
  for (std::uint32_t x = 0; x < 35; ++x) first.push_back({x, 40 + x});
  for (std::uint32_t x = 0; x < 30; ++x) second.push_back({30 + x, x});
  std::vector<Piece> pieces = {piece_of(first), piece_of(second)};
  std::vector<Anchor> matched = first;
  matched.insert(matched.end(), second.begin(), second.end());
  std::vector<PieceGroup> groups;
  join_pieces(pieces, matched, words(0, 60), words(1000, 80), 12, groups);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].extent.matches, 60u);
}

}  // namespace
}  // namespace doppel
