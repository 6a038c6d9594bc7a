// passage_pieces: cases a reader can check, and its promises on random stretches.
#include "index/passage_pieces.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <utility>
#include <vector>

namespace doppel {
namespace {

using Stretches = std::vector<std::pair<std::uint32_t, std::uint32_t>>;

// An earlier document holds the first paragraph, a later one all three: two passages, the
// first held by both, the rest by the later one only (its source, not the first's).
TEST(PassagePieces, AParagraphHeldEarlierIsAPassageOfItsOwn) {
  const Stretches here = {{0, 29}, {0, 99}};
  const auto pieces = passage_pieces(here, 15);
  ASSERT_EQ(pieces.size(), 2u);
  EXPECT_EQ(pieces[0].begin, 0u);
  EXPECT_EQ(pieces[0].end, 29u);
  EXPECT_EQ(pieces[0].holders, (std::vector<std::uint32_t>{0, 1}));
  EXPECT_EQ(pieces[1].begin, 29u);
  EXPECT_EQ(pieces[1].end, 99u);
  EXPECT_EQ(pieces[1].holders, (std::vector<std::uint32_t>{1}));
}

// Alignments of one text against several documents that end a word or two apart are one
// passage, held by all of them; stretches apart are apart.
TEST(PassagePieces, EndsAFewWordsApartAreOnePassage) {
  const Stretches here = {{2, 60}, {0, 61}, {1, 58}, {80, 100}};
  const auto pieces = passage_pieces(here, 15);
  ASSERT_EQ(pieces.size(), 2u);
  EXPECT_EQ(pieces[0].begin, 0u);
  EXPECT_EQ(pieces[0].end, 61u);
  EXPECT_EQ(pieces[0].holders, (std::vector<std::uint32_t>{0, 1, 2}));
  EXPECT_EQ(pieces[1].begin, 80u);
  EXPECT_EQ(pieces[1].holders, (std::vector<std::uint32_t>{3}));
}

// Two documents holding neighbouring paragraphs that a reprint joins: two passages.
TEST(PassagePieces, OverlappingNeighboursSplitWhereEachBegins) {
  const Stretches here = {{0, 40}, {38, 90}};
  const auto pieces = passage_pieces(here, 15);
  ASSERT_EQ(pieces.size(), 2u);
  EXPECT_EQ(pieces[0].end, 38u);
  EXPECT_EQ(pieces[0].holders, (std::vector<std::uint32_t>{0}));
  EXPECT_EQ(pieces[1].begin, 38u);
  EXPECT_EQ(pieces[1].end, 90u);
  EXPECT_EQ(pieces[1].holders, (std::vector<std::uint32_t>{1}));
}

TEST(PassagePieces, PromisesHoldOnRandomStretches) {
  std::mt19937_64 rng(0x706965);
  for (int trial = 0; trial < 3000; ++trial) {
    Stretches here;
    const int n = 1 + static_cast<int>(rng() % 8);
    for (int k = 0; k < n; ++k) {
      const auto begin = static_cast<std::uint32_t>(rng() % 200);
      here.emplace_back(begin, begin + 1 + static_cast<std::uint32_t>(rng() % 80));
    }
    const std::uint32_t min_words = 1 + static_cast<std::uint32_t>(rng() % 20);
    const auto pieces = passage_pieces(here, min_words);
    // Exactly the union of the stretches, in text order.
    std::set<std::uint32_t> want, got;
    for (const auto& [b, e] : here) {
      for (std::uint32_t w = b; w < e; ++w) want.insert(w);
    }
    for (std::size_t p = 0; p < pieces.size(); ++p) {
      ASSERT_LT(pieces[p].begin, pieces[p].end);
      if (p > 0) {
        ASSERT_LE(pieces[p - 1].end, pieces[p].begin);
      }
      for (std::uint32_t w = pieces[p].begin; w < pieces[p].end; ++w) got.insert(w);
    }
    ASSERT_EQ(got, want) << "trial " << trial;
    std::set<std::uint32_t> listed;
    for (std::size_t p = 0; p < pieces.size(); ++p) {
      const PassagePiece& piece = pieces[p];
      ASSERT_FALSE(piece.holders.empty());
      ASSERT_TRUE(std::is_sorted(piece.holders.begin(), piece.holders.end()));
      // Each holder covers at least half of it, or is the one that covers most
      std::uint32_t most = 0;
      for (std::uint32_t x = 0; x < here.size(); ++x) {
        const std::uint32_t lo = std::max(piece.begin, here[x].first);
        const std::uint32_t hi = std::min(piece.end, here[x].second);
        most = std::max(most, hi > lo ? hi - lo : 0);
      }
      for (const std::uint32_t x : piece.holders) {
        listed.insert(x);
        const std::uint32_t lo = std::max(piece.begin, here[x].first);
        const std::uint32_t hi = std::min(piece.end, here[x].second);
        const std::uint32_t covered = hi > lo ? hi - lo : 0;
        // (or holds no other piece: then it overlaps this one most of all).
        ASSERT_TRUE(2 * covered >= piece.end - piece.begin || covered == most ||
                    std::count_if(pieces.begin(), pieces.end(),
                                  [&](const PassagePiece& q) {
                                    return std::count(q.holders.begin(), q.holders.end(), x) > 0;
                                  }) == 1)
            << "trial " << trial;
        ASSERT_GT(covered, 0u) << "trial " << trial;
      }
      // Touching pieces differ in their holders; a piece shorter than min_words is a whole run
      // of overlapping stretches.
      if (p > 0 && pieces[p - 1].end == piece.begin) {
        ASSERT_NE(pieces[p - 1].holders, piece.holders) << "trial " << trial;
      }
    }
    // Every stretch holds some passage.
    ASSERT_EQ(listed.size(), here.size()) << "trial " << trial;
  }
}

}  // namespace
}  // namespace doppel
