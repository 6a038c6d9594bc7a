// LSH banding: the chosen shape against the S-curve it promises, and the candidate pairs of a
// band against a brute-force comparison of every pair's band rows.
#include "candidates/lsh.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <vector>

#include "cluster/union_find.h"
#include "doppel/dedup.h"
#include "sketch/signature_store.h"

namespace doppel {
namespace {

TEST(CandidateProbability, MatchesFormula) {
  for (const int bands : {1, 8, 32}) {
    for (const int rows : {1, 4, 8}) {
      for (double s = 0; s <= 1.0; s += 0.125) {
        double miss_all = 1;
        for (int b = 0; b < bands; ++b) miss_all *= 1 - std::pow(s, rows);
        EXPECT_NEAR(candidate_probability(s, bands, rows), 1 - miss_all, 1e-12);
      }
    }
  }
  EXPECT_EQ(candidate_probability(0.0, 16, 8), 0.0);
  EXPECT_EQ(candidate_probability(1.0, 16, 8), 1.0);
}

TEST(ChooseBandsRows, FitsInTheHashes) {
  for (const int hashes : {1, 2, 16, 64, 100, 128, 256}) {
    for (double t = 0.1; t < 1.0; t += 0.05) {
      const BandsRows s = choose_bands_rows(t, hashes);
      EXPECT_GE(s.bands, 1);
      EXPECT_GE(s.rows, 1);
      EXPECT_LE(s.bands * s.rows, hashes) << "threshold " << t << ", hashes " << hashes;
    }
  }
}

TEST(ChooseBandsRows, DefaultThresholdSeparatesNearFromFar) {
  const BandsRows s = choose_bands_rows(0.8, 128);
  EXPECT_GE(candidate_probability(0.8, s.bands, s.rows), 0.9) << s.bands << "x" << s.rows;
  EXPECT_LE(candidate_probability(0.5, s.bands, s.rows), 0.1) << s.bands << "x" << s.rows;
}

TEST(ChooseBandsRows, HigherThresholdNeverFewerRows) {
  for (const int hashes : {64, 128, 256}) {
    int last_rows = 0;
    for (int i = 1; i < 20; ++i) {
      const double t = i * 0.05;
      const BandsRows s = choose_bands_rows(t, hashes);
      EXPECT_GE(s.rows, last_rows) << "threshold " << t << ", hashes " << hashes;
      last_rows = s.rows;
    }
  }
}

std::uint64_t pack(std::uint32_t a, std::uint32_t b) { return (std::uint64_t{a} << 32) | b; }

// Every pair a < b of `docs` whose rows of `band` are all equal, the slow way.
std::vector<std::uint64_t> brute_force_pairs(const SignatureStore& sigs,
                                             const std::vector<std::uint32_t>& docs, int band,
                                             int rows) {
  std::vector<std::uint64_t> pairs;
  const auto from = static_cast<std::size_t>(band * rows);
  for (std::size_t i = 0; i < docs.size(); ++i) {
    for (std::size_t j = i + 1; j < docs.size(); ++j) {
      const auto a = sigs[docs[i]], b = sigs[docs[j]];
      if (std::equal(a.begin() + static_cast<long>(from),
                     a.begin() + static_cast<long>(from) + rows,
                     b.begin() + static_cast<long>(from))) {
        pairs.push_back(pack(docs[i], docs[j]));
      }
    }
  }
  std::sort(pairs.begin(), pairs.end());
  return pairs;
}

TEST(BandCandidates, EqualsBruteForceOnSmallBuckets) {
  constexpr int kBands = 8, kRows = 4, kDocs = 300;
  std::mt19937_64 rng(0x6c7368);
  for (int round = 0; round < 10; ++round) {
    // Each band of each document is a block from a small pool (planted equal bands), a pool block
    // with one row changed (equal but for one row), or random.
    std::vector<std::vector<SigValue>> pool(40, std::vector<SigValue>(kRows));
    for (auto& block : pool) {
      for (auto& v : block) v = static_cast<SigValue>(rng());
    }
    SignatureStore sigs(kBands * kRows);
    for (int d = 0; d < kDocs; ++d) {
      std::vector<SigValue> sig;
      for (int band = 0; band < kBands; ++band) {
        std::vector<SigValue> block = pool[rng() % pool.size()];
        const auto kind = rng() % 10;
        if (kind < 3) {
          block[rng() % kRows] ^= static_cast<SigValue>(1 + rng() % 0xFFFF);
        } else if (kind < 6) {
          for (auto& v : block) v = static_cast<SigValue>(rng() % 4);  // tiny alphabet: rare ties
        }
        sig.insert(sig.end(), block.begin(), block.end());
      }
      sigs.append(sig);
    }
    std::vector<std::uint32_t> docs;  // a subset, ascending
    for (std::uint32_t d = 0; d < kDocs; ++d) {
      if (rng() % 10 < 7) docs.push_back(d);
    }
    BandScratch scratch;
    for (int band = 0; band < kBands; ++band) {
      std::vector<std::uint64_t> pairs = {12345};  // appended to, never cleared
      band_candidates(sigs, docs, band, kRows, BucketRule{1000, 999}, scratch, pairs);
      ASSERT_EQ(pairs.front(), 12345u);
      pairs.erase(pairs.begin());
      for (const auto p : pairs) ASSERT_LT(p >> 32, p & 0xffffffffu) << "packed a < b";
      std::sort(pairs.begin(), pairs.end());
      EXPECT_EQ(std::adjacent_find(pairs.begin(), pairs.end()), pairs.end()) << "a pair twice";
      const auto expected = brute_force_pairs(sigs, docs, band, kRows);
      EXPECT_GT(expected.size(), 20u);
      ASSERT_EQ(pairs, expected) << "round " << round << " band " << band;
    }
  }
}

// Documents 0..m-1 share their only band; `others` more documents have random bands.
SignatureStore bucket_store(std::uint32_t m, std::uint32_t others, std::mt19937_64& rng) {
  SignatureStore sigs(2);
  for (std::uint32_t d = 0; d < m + others; ++d) {
    std::vector<SigValue> sig = {7, 9};
    if (d >= m) sig = {static_cast<SigValue>(rng()), static_cast<SigValue>(rng() | 1)};
    sigs.append(sig);
  }
  return sigs;
}

TEST(BandCandidates, BucketAtTheLimitGivesAllPairs) {
  std::mt19937_64 rng(0x6c696d);
  const SignatureStore sigs = bucket_store(64, 10, rng);
  std::vector<std::uint32_t> docs(74);
  for (std::uint32_t d = 0; d < 74; ++d) docs[d] = d;
  BandScratch scratch;
  std::vector<std::uint64_t> pairs;
  band_candidates(sigs, docs, 0, 2, BucketRule{64, 1}, scratch, pairs);
  std::sort(pairs.begin(), pairs.end());
  EXPECT_EQ(pairs, brute_force_pairs(sigs, docs, 0, 2));
  EXPECT_EQ(pairs.size(), 64u * 63u / 2u);
}

TEST(BandCandidates, BigBucketGivesLinearPairsConnectingAllMembers) {
  std::mt19937_64 rng(0x626967);
  constexpr std::uint32_t kMembers = 500, kOthers = 50;
  const SignatureStore sigs = bucket_store(kMembers, kOthers, rng);
  std::vector<std::uint32_t> docs(kMembers + kOthers);
  for (std::uint32_t d = 0; d < docs.size(); ++d) docs[d] = d;
  BandScratch scratch;
  std::vector<std::uint64_t> pairs;
  // The first 64 members in all pairs, each later one with the first and the 63 before it
  // (the widest window), or with the first and the previous one (window 1, the default).
  band_candidates(sigs, docs, 0, 2, BucketRule{64, 63}, scratch, pairs);
  EXPECT_EQ(pairs.size(), 64u * 63u / 2u + 64u * (kMembers - 64u));
  std::set<std::uint64_t> expected;
  for (std::uint32_t b = 1; b < kMembers; ++b) {
    for (std::uint32_t a = 0; a < b; ++a) {
      if (b < 64 || a == 0 || b - a <= 63) expected.insert(std::uint64_t{a} << 32 | b);
    }
  }
  EXPECT_EQ(std::set<std::uint64_t>(pairs.begin(), pairs.end()), expected);
  pairs.clear();
  band_candidates(sigs, docs, 0, 2, bucket_rule_of(LshOptions{}), scratch, pairs);
  EXPECT_EQ(pairs.size(), 64u * 63u / 2u + 2u * (kMembers - 64u));
  UnionFind sets(kMembers + kOthers);
  for (const auto p : pairs) {
    const auto a = static_cast<std::uint32_t>(p >> 32), b = static_cast<std::uint32_t>(p);
    ASSERT_LT(a, b);
    ASSERT_LT(b, kMembers) << "a pair outside the bucket";
    sets.unite(a, b);
  }
  for (std::uint32_t d = 0; d < kMembers; ++d) EXPECT_EQ(sets.find(d), 0u) << d;
}

TEST(BandCandidates, BigBucketOfScatteredDocuments) {
  // The bucket's members are a scattered subset of `docs`; only they are connected.
  std::mt19937_64 rng(0x736361);
  SignatureStore sigs(4);
  std::vector<std::uint32_t> members;
  for (std::uint32_t d = 0; d < 400; ++d) {
    const bool member = rng() % 3 == 0;
    if (member) members.push_back(d);
    std::vector<SigValue> sig = {1, 2, 3, 4};
    if (!member) sig[2] = static_cast<SigValue>(5 + rng() % 60000);
    sigs.append(sig);
  }
  ASSERT_GT(members.size(), 64u);
  std::vector<std::uint32_t> docs(400);
  for (std::uint32_t d = 0; d < 400; ++d) docs[d] = d;
  BandScratch scratch;
  std::vector<std::uint64_t> pairs;
  band_candidates(sigs, docs, 0, 4, BucketRule{64, 1}, scratch, pairs);
  const std::set<std::uint32_t> in_bucket(members.begin(), members.end());
  UnionFind sets(400);
  std::size_t bucket_pairs = 0;
  for (const auto p : pairs) {
    const auto a = static_cast<std::uint32_t>(p >> 32), b = static_cast<std::uint32_t>(p);
    if (in_bucket.count(a) && in_bucket.count(b)) {
      ++bucket_pairs;
      sets.unite(a, b);
    } else {
      ASSERT_FALSE(in_bucket.count(a) || in_bucket.count(b)) << "pair across buckets";
    }
  }
  EXPECT_EQ(bucket_pairs, 64 * 63 / 2 + 2 * (members.size() - 64));
  for (const auto d : members) EXPECT_EQ(sets.find(d), members.front());
}

// The pairs of the documents' first k (in document order) are the pairs of all of them whose
// later member is among the first k: what an index adding documents a few at a time relies on.
TEST(BandCandidates, PairsArePrefixStable) {
  std::mt19937_64 rng(0x707266);
  SignatureStore sigs(2);
  for (std::uint32_t d = 0; d < 300; ++d) {
    // Two big buckets (over the limit of 8 used below, window 3), a small one, and singletons.
    const auto kind = rng() % 4;
    std::vector<SigValue> sig = {static_cast<SigValue>(kind), 1};
    if (kind == 3) sig[1] = static_cast<SigValue>(2 + rng() % 60000);
    sigs.append(sig);
  }
  std::vector<std::uint32_t> docs(300);
  for (std::uint32_t d = 0; d < 300; ++d) docs[d] = d;
  BandScratch scratch;
  std::vector<std::uint64_t> all;
  band_candidates(sigs, docs, 0, 2, BucketRule{8, 3}, scratch, all);
  std::sort(all.begin(), all.end());
  for (const std::uint32_t k : {1u, 2u, 9u, 10u, 57u, 150u, 299u}) {
    std::vector<std::uint64_t> prefix;
    band_candidates(sigs, std::span(docs).first(k), 0, 2, BucketRule{8, 3}, scratch, prefix);
    std::sort(prefix.begin(), prefix.end());
    std::vector<std::uint64_t> expected;
    for (const auto p : all) {
      if ((p & 0xffffffffu) < k) expected.push_back(p);
    }
    EXPECT_EQ(prefix, expected) << "first " << k << " documents";
  }
}

// band_key is the key band_candidates groups by: equal rows, equal keys; another band, another key.
TEST(BandKey, DependsOnTheBandsRowsOnly) {
  const std::vector<SigValue> a = {1, 2, 3, 4, 5, 6}, b = {1, 2, 9, 9, 5, 6};
  EXPECT_EQ(band_key(a, 0, 2), band_key(b, 0, 2));
  EXPECT_NE(band_key(a, 1, 2), band_key(b, 1, 2));
  EXPECT_EQ(band_key(a, 2, 2), band_key(b, 2, 2));
  const std::vector<SigValue> c = {5, 6, 5, 6, 5, 6};
  EXPECT_NE(band_key(c, 0, 2), band_key(c, 1, 2)) << "the band seeds the hash";
}

}  // namespace
}  // namespace doppel
