// split_at_unmatched and join_pieces against slow references written from their header (gaps
// found on arrays of covered words, 2-grams in sets), and the shapes join_pieces tells apart:
// reordered and edited sentences of one passage, reply text between two quoted paragraphs.
#include "passages/segments.h"

#include <gtest/gtest.h>

#include <algorithm>
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
    const int n = static_cast<int>(trial % 100 == 0 ? 60 + rng() % 10 : rng() % 9);
    for (int k = 0; k < n; ++k) {
      const std::uint32_t a = rng() % 200, b = rng() % 200;
      const std::uint32_t la = 1 + rng() % 30, lb = 1 + rng() % 30;
      pieces.push_back({a, a + la, b, b + lb, 1 + static_cast<std::uint32_t>(rng() % 20),
                        static_cast<std::uint32_t>(rng() % 5)});
    }
    const std::uint32_t gap = rng() % 15;
    const std::vector<std::vector<int>> sets = reference_join(pieces, a_words, b_words, gap);
    std::vector<Piece> got_pieces = pieces;
    std::vector<PieceGroup> groups;
    join_pieces(got_pieces, a_words, b_words, gap, groups);
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
      std::vector<bool> in_a(250, false), in_b(250, false);
      std::uint32_t matches = 0;
      for (std::uint32_t k = groups[g].first; k < groups[g].first + groups[g].count; ++k) {
        const Piece& p = got_pieces[k];
        extent.a_begin = std::min(extent.a_begin, p.a_begin);
        extent.a_end = std::max(extent.a_end, p.a_end);
        extent.b_begin = std::min(extent.b_begin, p.b_begin);
        extent.b_end = std::max(extent.b_end, p.b_end);
        matches += p.matches;
        for (std::uint32_t x = p.a_begin; x < p.a_end; ++x) in_a[x] = true;
        for (std::uint32_t x = p.b_begin; x < p.b_end; ++x) in_b[x] = true;
        for (std::size_t i = 0; i < pieces.size(); ++i) {
          if (!used[i] && same_ranges(pieces[i], p) && pieces[i].matches == p.matches) {
            used[i] = true;
            members.push_back(static_cast<int>(i));
            break;
          }
        }
      }
      EXPECT_TRUE(same_ranges(extent, groups[g].extent));
      const auto covered = static_cast<std::uint32_t>(std::min(
          std::count(in_a.begin(), in_a.end(), true), std::count(in_b.begin(), in_b.end(), true)));
      EXPECT_EQ(groups[g].extent.matches, std::min(matches, covered));
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
  join_pieces(pieces, words(0, 300), words(1000, 300), 12, groups);
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
  join_pieces(pieces, a, b, 12, groups);
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
  join_pieces(pieces, a, words(0, 80), 12, groups);
  EXPECT_EQ(groups.size(), 1u);
  // Two phrases of 8 words are not a reordered passage.
  std::vector<Piece> phrases = {{0, 8, 40, 48, 8, 6}, {40, 48, 0, 8, 8, 6}};
  join_pieces(phrases, a, words(0, 80), 12, groups);
  EXPECT_EQ(groups.size(), 2u);
}

TEST(Segments, ASentenceEditedInPlaceIsPartOfThePassage) {
  // Sentence 1 of three is too edited to align, but half its word 2-grams are in b's copy.
  std::vector<std::uint32_t> a = words(0, 60), b = words(0, 60);
  for (std::uint32_t x = 20; x < 40; x += 5) b[x] = 5000 + x;  // every fifth word changed
  std::vector<Piece> pieces = {{0, 20, 0, 20, 20, 18}, {40, 60, 40, 60, 20, 18}};
  std::vector<PieceGroup> groups;
  join_pieces(pieces, a, b, 12, groups);
  EXPECT_EQ(groups.size(), 1u);
  // Changed entirely, it is new text between two passages.
  for (std::uint32_t x = 20; x < 40; ++x) b[x] = 5000 + x;
  join_pieces(pieces, a, b, 12, groups);
  EXPECT_EQ(groups.size(), 2u);
}

TEST(Segments, TwoParagraphsQuotedWithReplyTextBetweenAreTwoPassages) {
  // A reply quotes paragraphs 0-40 and 40-80 of a post with 20 words of its own between them.
  std::vector<std::uint32_t> a = cat_words({words(0, 40), words(7000, 20), words(40, 40)});
  std::vector<Piece> pieces = {{0, 40, 0, 40, 40, 38}, {60, 100, 40, 80, 40, 38}};
  std::vector<PieceGroup> groups;
  join_pieces(pieces, a, words(0, 80), 12, groups);
  EXPECT_EQ(groups.size(), 2u);
}

TEST(Segments, TwoParagraphsQuotedOneAfterTheOtherAreTwoPassages) {
  // A reply quotes paragraphs 0-40 and 100-140 of a post one after the other: next to each other
  // in a, 60 words apart in b.
  std::vector<Piece> pieces = {{0, 40, 0, 40, 40, 38}, {40, 80, 100, 140, 40, 38}};
  std::vector<PieceGroup> groups;
  join_pieces(pieces, cat_words({words(0, 40), words(100, 40)}), words(0, 140), 12, groups);
  EXPECT_EQ(groups.size(), 2u);
}

}  // namespace
}  // namespace doppel
