// Exact Jaccard similarity of shingle sets against the standard library's set algorithms.
#include "verify/jaccard.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <random>
#include <set>
#include <vector>

namespace doppel {
namespace {

double reference_jaccard(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b) {
  std::vector<std::uint64_t> inter, uni;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(inter));
  std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(uni));
  return uni.empty() ? 0.0 : double(inter.size()) / double(uni.size());
}

std::vector<std::uint64_t> random_sorted_set(std::mt19937_64& rng, std::size_t max_size,
                                             std::uint64_t universe) {
  std::set<std::uint64_t> s;
  const std::size_t size = rng() % (max_size + 1);
  for (std::size_t i = 0; i < size; ++i) s.insert(universe ? rng() % universe : rng());
  return {s.begin(), s.end()};
}

TEST(ExactJaccard, MatchesReferenceOnRandomSortedSets) {
  std::mt19937_64 rng(0x6a6163);
  for (int t = 0; t < 3000; ++t) {
    // A small universe makes overlaps likely; huge values check that no arithmetic overflows.
    const std::uint64_t universe = t % 4 == 0 ? 0 : 1 + rng() % 500;
    const auto a = random_sorted_set(rng, 200, universe);
    const auto b = t % 7 == 0 ? a : random_sorted_set(rng, 200, universe);
    ASSERT_EQ(exact_jaccard(a, b), reference_jaccard(a, b));
    ASSERT_EQ(exact_jaccard(b, a), exact_jaccard(a, b));
  }
}

TEST(ExactJaccard, HandPickedCases) {
  using V = std::vector<std::uint64_t>;
  EXPECT_EQ(exact_jaccard(V{}, V{}), 0.0);
  EXPECT_EQ(exact_jaccard(V{1, 2, 3}, V{}), 0.0);
  EXPECT_EQ(exact_jaccard(V{1, 2, 3}, V{1, 2, 3}), 1.0);
  EXPECT_EQ(exact_jaccard(V{1, 2, 3}, V{4, 5}), 0.0);
  EXPECT_EQ(exact_jaccard(V{1, 2, 3, 4}, V{3, 4, 5, 6}), 2.0 / 6.0);
  EXPECT_EQ(exact_jaccard(V{0, ~0ULL}, V{~0ULL}), 0.5);
}

TEST(MakeSet, SortsAndRemovesRepeats) {
  std::mt19937_64 rng(0x6d6b);
  for (int t = 0; t < 500; ++t) {
    std::vector<std::uint64_t> v(rng() % 300);
    for (auto& x : v) x = rng() % 100;
    const std::set<std::uint64_t> expected(v.begin(), v.end());
    make_set(v);
    ASSERT_EQ(v, std::vector<std::uint64_t>(expected.begin(), expected.end()));
  }
  std::vector<std::uint64_t> empty;
  make_set(empty);
  EXPECT_TRUE(empty.empty());
}

}  // namespace
}  // namespace doppel
