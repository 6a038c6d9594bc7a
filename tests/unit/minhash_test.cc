// One-permutation MinHash: the fast OphSketcher against the plain
// oph_signature, and the statistical promise of estimate_jaccard (unbiased,
// error ~ sqrt(J(1-J)/bins)) measured on sets of known Jaccard similarity,
// small ones included (they rely on densification).
#include "sketch/minhash.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <vector>

namespace doppel {
namespace {

std::vector<std::uint64_t> random_set(std::mt19937_64& rng, std::size_t size) {
  std::vector<std::uint64_t> s(size);
  for (auto& x : s) x = rng();
  return s;
}

std::vector<SigValue> sketch(const OphSketcher& sketcher, const std::vector<std::uint64_t>& set) {
  std::vector<SigValue> sig(static_cast<std::size_t>(sketcher.bins()));
  std::vector<std::uint32_t> scratch;
  sketcher.sketch(set, sig, scratch);
  return sig;
}

std::vector<SigValue> reference_signature(const std::vector<std::uint64_t>& set, int bins,
                                          std::uint64_t seed) {
  std::vector<SigValue> sig(static_cast<std::size_t>(bins));
  std::vector<std::uint32_t> scratch;
  oph_signature(set, seed, sig, scratch);
  return sig;
}

// --- OphSketcher is oph_signature
// ---------------------------------------------------------------

TEST(OphSketcher, EqualsOphSignatureOnRandomSets) {
  std::mt19937_64 rng(0x6f706831);
  std::vector<std::uint32_t> scratch;  // shared by every call and bin count, as in the pipeline
  for (const int bins : {16, 64, 128, 256}) {
    const auto b = static_cast<std::size_t>(bins);
    std::vector<std::size_t> sizes = {1, 2, 3, 5, b - 1, b, b + 1, 5000};
    while (sizes.size() < 120) {  // log-uniform in [1, 5000]
      const double u = std::uniform_real_distribution<double>(0, std::log(5000.0))(rng);
      sizes.push_back(static_cast<std::size_t>(std::exp(u)));
    }
    for (const std::size_t size : sizes) {
      const std::uint64_t seed = rng();
      const OphSketcher sketcher(bins, seed);
      ASSERT_EQ(sketcher.bins(), bins);
      const auto set = random_set(rng, size);
      std::vector<SigValue> fast(b, 0xABCD);
      sketcher.sketch(set, fast, scratch);
      ASSERT_EQ(fast, reference_signature(set, bins, seed)) << "bins=" << bins << " size=" << size;
    }
  }
}

TEST(OphSketcher, IgnoresRepeatsAndOrder) {
  std::mt19937_64 rng(0x6f706832);
  const OphSketcher sketcher(128, 42);
  for (const std::size_t size : {1, 7, 100, 1000}) {
    const auto set = random_set(rng, size);
    auto shuffled = set;
    shuffled.insert(shuffled.end(), set.begin(),
                    set.begin() + static_cast<std::ptrdiff_t>((size + 1) / 2));  // repeats
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    EXPECT_EQ(sketch(sketcher, set), sketch(sketcher, shuffled)) << size;
  }
}

// The borrowed kind (an index of format version 1) is the reference's too, and differs from the
// default only in the bins that borrowed.
TEST(OphSketcher, CopiedBorrowedBinsEqualTheReference) {
  std::mt19937_64 rng(0x6f706834);
  std::vector<std::uint32_t> scratch;
  for (const std::size_t size : {1, 2, 5, 60, 127, 500, 5000}) {
    const std::uint64_t seed = rng();
    const auto set = random_set(rng, size);
    std::vector<SigValue> copied(128), reference(128);
    OphSketcher(128, seed, BorrowedBins::kCopied).sketch(set, copied, scratch);
    oph_signature(set, seed, reference, scratch, BorrowedBins::kCopied);
    EXPECT_EQ(copied, reference) << size;
    const auto hashed = sketch(OphSketcher(128, seed), set);
    std::size_t differ = 0;
    for (std::size_t i = 0; i < copied.size(); ++i) differ += copied[i] != hashed[i];
    if (size == 1) {
      EXPECT_GE(differ, 120u);  // 127 bins borrowed, each differs but by chance
    }
    if (size == 5000) {
      EXPECT_EQ(differ, 0u);  // no bin empty
    }
  }
}

// A document with one shingle (a text of --ngram words or fewer) has one filled bin, and every
// other bin borrows its minimum. Copying the donor's 16 bits made two such documents agree on all
// bins or none: one pair of distinct texts in 65,536 was estimated at J = 1. Hashed with the bin,
// distinct one-shingle documents agree on a bin only by chance, each bin on its own.
TEST(EstimateJaccard, DistinctOneShingleDocumentsAreNotAlike) {
  std::mt19937_64 rng(0x6a616333);
  const OphSketcher sketcher(128, rng());
  constexpr int kDocs = 3000;  // 4.5M pairs: about 69 would have been estimated at 1 before
  std::vector<std::vector<SigValue>> sigs;
  for (int d = 0; d < kDocs; ++d) sigs.push_back(sketch(sketcher, {rng()}));
  double most = 0;
  for (int x = 0; x < kDocs; ++x) {
    for (int y = x + 1; y < kDocs; ++y) most = std::max(most, estimate_jaccard(sigs[x], sigs[y]));
  }
  EXPECT_LT(most, 0.05);
  // The old way, on the same documents' sets, for contrast: some pair agrees on every bin.
  const OphSketcher copied(128, 99, BorrowedBins::kCopied);
  std::vector<SigValue> sig(128);
  std::vector<std::uint32_t> scratch;
  int all_equal = 0;
  std::vector<std::vector<SigValue>> old_sigs;
  for (int d = 0; d < kDocs; ++d) {
    copied.sketch(std::vector<std::uint64_t>{rng()}, sig, scratch);
    old_sigs.push_back(sig);
  }
  for (int x = 0; x < kDocs; ++x) {
    for (int y = x + 1; y < kDocs; ++y) all_equal += old_sigs[x] == old_sigs[y];
  }
  EXPECT_GT(all_equal, 0);
}

TEST(OphSketcher, SeedChangesSignature) {
  std::mt19937_64 rng(0x6f706833);
  const auto set = random_set(rng, 500);
  const auto a = sketch(OphSketcher(128, 1), set);
  const auto b = sketch(OphSketcher(128, 2), set);
  EXPECT_LT(count_equal(a, b),
            10u);  // unrelated signatures agree on ~128/65536 bins
}

// --- Estimates
// ----------------------------------------------------------------------------------

TEST(EstimateJaccard, IdenticalSetsGiveOne) {
  std::mt19937_64 rng(0x6a616331);
  for (const std::size_t size : {1, 2, 10, 127, 128, 129, 5000}) {
    const OphSketcher sketcher(128, rng());
    const auto set = random_set(rng, size);
    auto copy = set;
    std::shuffle(copy.begin(), copy.end(), rng);
    EXPECT_EQ(estimate_jaccard(sketch(sketcher, set), sketch(sketcher, copy)), 1.0) << size;
  }
}

TEST(EstimateJaccard, DisjointSetsGiveNearZero) {
  std::mt19937_64 rng(0x6a616332);
  for (const std::size_t size : {5000, 20000, 10}) {
    const OphSketcher sketcher(128, rng());
    const auto a = random_set(rng, size), b = random_set(rng, size);
    EXPECT_LT(estimate_jaccard(sketch(sketcher, a), sketch(sketcher, b)), 0.05) << size;
  }
}

TEST(EstimateJaccard, AllOrNoBinsEqual) {
  const std::vector<SigValue> a = {1, 2, 3, 4}, same = a, other = {5, 6, 7, 8};
  EXPECT_EQ(estimate_jaccard(a, same), 1.0);
  EXPECT_EQ(estimate_jaccard(a, other),
            0.0);  // clamped: the collision correction goes below 0
  EXPECT_EQ(estimate_jaccard({}, {}), 0.0);
}

// Two signatures agree by chance on a bin with probability 1/65536; the
// estimate removes that.
TEST(EstimateJaccard, CorrectsForFingerprintCollisions) {
  const std::vector<SigValue> a(128, 0);
  std::vector<SigValue> b(128, 1);
  for (std::size_t k = 0; k <= 128; ++k) {
    std::fill(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(k), SigValue{0});
    const double agree = double(k) / 128;
    const double expected = std::max(0.0, (agree - 1.0 / 65536) / (1.0 - 1.0 / 65536));
    EXPECT_NEAR(estimate_jaccard(a, b), expected, 1e-12) << k;
  }
}

// Unbiasedness over T independent trials: each trial draws new random elements
// and a new sketch seed for two sets of `size` elements sharing `common`, so
// the true Jaccard is known exactly.
struct Cell {
  double target = 0,
         truth = 0;  // the J asked for, and the exact J of the sets built
  std::size_t size = 0;
  double mean = 0, stddev = 0;
};

constexpr int kTrials = 300;
constexpr int kBins = 128;
constexpr double kTargets[] = {0.1, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95};
constexpr std::size_t kSizes[] = {10, 50, 200, 2000};

double binomial_stddev(double j) { return std::sqrt(j * (1 - j) / kBins); }
double mean_bound(double j) { return 4 * binomial_stddev(j) / std::sqrt(double(kTrials)) + 0.005; }

const std::vector<Cell>& unbiasedness_table() {
  static const std::vector<Cell> table = [] {
    std::vector<Cell> cells;
    std::mt19937_64 rng(0x756e6269);
    std::vector<std::uint64_t> a, b;
    std::vector<SigValue> sa(kBins), sb(kBins);
    std::vector<std::uint32_t> scratch;
    for (const double target : kTargets) {
      for (const std::size_t size : kSizes) {
        // |A| = |B| = size, |A ∩ B| = common, J = common / (2 size - common);
        // at most size - 1 (with 10 elements, J = 0.95 is out of reach and 9/11
        // is the closest below 1).
        const auto common = std::min(
            size - 1, static_cast<std::size_t>(std::lround(2.0 * size * target / (1 + target))));
        Cell cell{target, double(common) / double(2 * size - common), size};
        double sum = 0, sum_sq = 0;
        for (int t = 0; t < kTrials; ++t) {
          a.assign(size, 0);
          b.assign(size, 0);
          for (std::size_t k = 0; k < size; ++k) {
            a[k] = rng();
            b[k] = k < common ? a[k] : rng();
          }
          std::shuffle(b.begin(), b.end(), rng);
          const OphSketcher sketcher(kBins, rng());
          sketcher.sketch(a, sa, scratch);
          sketcher.sketch(b, sb, scratch);
          const double e = estimate_jaccard(sa, sb);
          sum += e;
          sum_sq += e * e;
        }
        cell.mean = sum / kTrials;
        cell.stddev = std::sqrt(std::max(0.0, sum_sq / kTrials - cell.mean * cell.mean) * kTrials /
                                (kTrials - 1));
        cells.push_back(cell);
      }
    }
    std::printf("OPH estimate_jaccard, %d bins, %d trials per cell\n", kBins, kTrials);
    std::printf("%6s %6s %7s %8s %8s %8s %8s %8s\n", "J", "size", "true J", "mean", "bias", "bound",
                "stddev", "sd/binom");
    for (const Cell& c : cells) {
      std::printf("%6.2f %6zu %7.4f %8.4f %+8.4f %8.4f %8.4f %8.2f\n", c.target, c.size, c.truth,
                  c.mean, c.mean - c.truth, mean_bound(c.truth), c.stddev,
                  c.stddev / binomial_stddev(c.truth));
    }
    return cells;
  }();
  return table;
}

TEST(OphEstimate, MeanIsTrueJaccard) {
  for (const Cell& c : unbiasedness_table()) {
    EXPECT_NEAR(c.mean, c.truth, mean_bound(c.truth)) << "J=" << c.truth << " size=" << c.size;
  }
}

TEST(OphEstimate, StdDevIsNearBinomialForLargeSets) {
  for (const Cell& c : unbiasedness_table()) {
    if (c.size < 200) continue;
    EXPECT_GE(c.stddev, 0.5 * binomial_stddev(c.truth)) << "J=" << c.truth << " size=" << c.size;
    EXPECT_LE(c.stddev, 2.0 * binomial_stddev(c.truth)) << "J=" << c.truth << " size=" << c.size;
  }
}

// --- count_equal
// --------------------------------------------------------------------------------

TEST(CountEqual, MatchesPlainLoop) {
  std::mt19937_64 rng(0x636f756e);
  for (int t = 0; t < 2000; ++t) {
    const std::size_t n = rng() % 300;
    const std::size_t m = rng() % 8 == 0 ? rng() % 300 : n;  // sometimes of different lengths
    const auto alphabet = static_cast<SigValue>(1 + rng() % 4);
    std::vector<SigValue> a(n), b(m);
    for (auto& x : a) x = static_cast<SigValue>(rng() % alphabet);
    for (auto& x : b) x = static_cast<SigValue>(rng() % alphabet);
    if (rng() % 4 == 0) {  // values that differ only in the high byte
      for (std::size_t i = 0; i < std::min(n, m); ++i) b[i] = static_cast<SigValue>(a[i] ^ 0x100);
    }
    std::uint32_t expected = 0;
    for (std::size_t i = 0; i < std::min(n, m); ++i) expected += a[i] == b[i] ? 1 : 0;
    ASSERT_EQ(count_equal(a, b), expected) << "n=" << n << " m=" << m;
  }
}

TEST(CountEqual, CountsEveryBinOfLongSignatures) {
  std::vector<SigValue> a(1024, 7), b = a;
  EXPECT_EQ(count_equal(a, b), 1024u);
  b[0] = b[511] = b[1023] = 8;
  EXPECT_EQ(count_equal(a, b), 1021u);
}

}  // namespace
}  // namespace doppel
