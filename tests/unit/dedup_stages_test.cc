// The dedup stages between the sketches and the clusters, each against a slow reference: exact
// groups of identical texts, and the verification of candidate pairs on several threads.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <vector>

#include "candidates/exact_groups.h"
#include "verify/verify_pairs.h"

namespace doppel {
namespace {

TEST(ExactGroups, MatchesReference) {
  std::mt19937_64 rng(11);
  for (int t = 0; t < 300; ++t) {
    const auto n = static_cast<std::uint32_t>(1 + rng() % 300);
    // Few distinct hashes; some share the low word but not the high one.
    const int distinct = 1 + static_cast<int>(rng() % 40);
    std::vector<ExactHash> palette(static_cast<std::size_t>(distinct));
    for (auto& h : palette) h = ExactHash{rng() % 5, rng()};
    std::vector<ExactHash> hashes(n);
    std::vector<std::uint8_t> in_play(n);
    for (std::uint32_t d = 0; d < n; ++d) {
      hashes[d] = palette[rng() % palette.size()];
      in_play[d] = rng() % 6 != 0;
    }
    UnionFind sets(n);
    const std::vector<std::uint32_t> firsts = group_exact(hashes, in_play, sets);
    // Reference: the first in-play document of each hash; documents united when hashes equal.
    std::map<ExactHash, std::uint32_t> first_of;
    std::vector<std::uint32_t> expected_firsts;
    for (std::uint32_t d = 0; d < n; ++d) {
      if (!in_play[d]) continue;
      if (first_of.emplace(hashes[d], d).second) expected_firsts.push_back(d);
    }
    ASSERT_EQ(firsts, expected_firsts) << "trial " << t;
    for (std::uint32_t a = 0; a < n; ++a) {
      for (std::uint32_t b = a + 1; b < n; ++b) {
        const bool together = in_play[a] && in_play[b] && hashes[a] == hashes[b];
        ASSERT_EQ(sets.find(a) == sets.find(b), together) << a << " " << b;
      }
    }
  }
}

TEST(VerifyCandidates, KeepsThePairsAtTheThresholdInOrderOnAnyThreads) {
  std::mt19937_64 rng(12);
  for (int t = 0; t < 100; ++t) {
    std::set<std::uint64_t> unique;
    const std::size_t count = rng() % 500;
    while (unique.size() < count) {
      const auto a = static_cast<std::uint32_t>(rng() % 1000);
      const auto b = static_cast<std::uint32_t>(a + 1 + rng() % 1000);
      unique.insert(std::uint64_t{a} << 32 | b);
    }
    const std::vector<std::uint64_t> candidates(unique.begin(), unique.end());
    auto similarity = [](std::uint32_t a, std::uint32_t b) {
      return double((a * 7919u + b * 104729u) % 1000) / 999.0;
    };
    const double threshold = double(rng() % 100) / 100.0;
    std::vector<VerifiedPair> expected;
    for (const std::uint64_t c : candidates) {
      const auto a = static_cast<std::uint32_t>(c >> 32), b = static_cast<std::uint32_t>(c);
      const auto s = static_cast<float>(similarity(a, b));
      if (s >= threshold - 1e-6) expected.push_back(VerifiedPair{a, b, s});
    }
    for (const int threads : {1, 2, 3}) {
      const auto got = verify_candidates(candidates, threshold, threads, similarity);
      ASSERT_EQ(got.size(), expected.size());
      for (std::size_t i = 0; i < got.size(); ++i) {
        ASSERT_EQ(got[i].a, expected[i].a);
        ASSERT_EQ(got[i].b, expected[i].b);
        ASSERT_EQ(got[i].similarity, expected[i].similarity);
      }
    }
  }
}

// A float just under the threshold by rounding still counts (0.8 stored as 0.79999995).
TEST(VerifyCandidates, RoundingOfTheSimilarityDoesNotLoseAPair) {
  const std::vector<std::uint64_t> candidates = {std::uint64_t{1} << 32 | 2};
  const auto got = verify_candidates(
      candidates, 0.8, 1, [](std::uint32_t, std::uint32_t) { return static_cast<double>(0.8f); });
  EXPECT_EQ(got.size(), 1u);
}

}  // namespace
}  // namespace doppel
