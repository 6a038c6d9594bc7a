// BandIndex (the dynamic LSH index behind doppel.datasketch.MinHashLSH) against a brute-force
// reference: random inserts, repeated keys and removals, then every query, bucket and key
// compared with a scan over all live entries.
#include "candidates/band_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <random>
#include <set>
#include <vector>

namespace doppel {
namespace {

using Signature = std::vector<std::byte>;

struct Reference {
  int bands;
  std::size_t band_bytes;
  std::map<std::uint32_t, std::vector<Signature>> entries;  // key -> its signatures, oldest first

  bool same_band(const Signature& x, const Signature& y, int band) const {
    return std::memcmp(x.data() + band * band_bytes, y.data() + band * band_bytes, band_bytes) == 0;
  }
  std::set<std::uint32_t> query(const Signature& q) const {
    std::set<std::uint32_t> out;
    for (const auto& [key, sigs] : entries) {
      for (const auto& s : sigs) {
        for (int band = 0; band < bands; ++band) {
          if (same_band(s, q, band)) out.insert(key);
        }
      }
    }
    return out;
  }
  std::set<Signature> buckets(int band) const {
    std::set<Signature> out;
    for (const auto& [key, sigs] : entries) {
      for (const auto& s : sigs) {
        out.emplace(s.begin() + band * band_bytes, s.begin() + (band + 1) * band_bytes);
      }
    }
    return out;
  }
};

// Signatures over a small alphabet so that bands collide often.
Signature random_signature(std::mt19937_64& rng, std::size_t bytes, int alphabet) {
  Signature s(bytes);
  for (auto& b : s) b = static_cast<std::byte>(rng() % static_cast<unsigned>(alphabet));
  return s;
}

std::set<std::uint32_t> as_set(const std::vector<std::uint32_t>& v) {
  std::set<std::uint32_t> s(v.begin(), v.end());
  EXPECT_EQ(s.size(), v.size()) << "a key was returned twice";
  return s;
}

void check_equal(const BandIndex& index, const Reference& ref, std::mt19937_64& rng, int alphabet) {
  BandQueryScratch scratch;
  std::size_t live = 0;
  for (const auto& [key, sigs] : ref.entries) {
    live += sigs.empty() ? 0 : 1;
    ASSERT_TRUE(index.contains(key));
    std::vector<std::uint32_t> entries;
    index.key_entries(key, entries);
    ASSERT_EQ(entries.size(), sigs.size());
    for (std::size_t i = 0; i < sigs.size(); ++i) {
      const auto got = index.signature(entries[i]);
      ASSERT_TRUE(std::equal(got.begin(), got.end(), sigs[i].begin(), sigs[i].end()));
      std::vector<std::uint32_t> out;
      index.query(sigs[i], out, scratch);
      ASSERT_EQ(as_set(out), ref.query(sigs[i]));
    }
  }
  ASSERT_EQ(index.key_count(), live);
  for (int i = 0; i < 50; ++i) {  // signatures that may match nothing
    const Signature q = random_signature(rng, index.signature_bytes(), alphabet);
    std::vector<std::uint32_t> out;
    index.query(q, out, scratch);
    ASSERT_EQ(as_set(out), ref.query(q));
  }
  for (int band = 0; band < ref.bands; ++band) {
    const auto want = ref.buckets(band);
    ASSERT_EQ(index.bucket_count(band), want.size());
    std::vector<std::uint32_t> heads;
    index.bucket_entries(band, heads);
    std::set<Signature> got;
    for (const std::uint32_t e : heads) {
      const auto c = index.band_content(e, band);
      got.emplace(c.begin(), c.end());
      std::vector<std::uint32_t> keys;
      index.bucket_keys(band, c, keys, scratch);
      std::set<std::uint32_t> want_keys;
      for (const auto& [key, sigs] : ref.entries) {
        for (const auto& s : sigs) {
          if (std::equal(c.begin(), c.end(), s.begin() + band * ref.band_bytes))
            want_keys.insert(key);
        }
      }
      ASSERT_EQ(as_set(keys), want_keys);
    }
    ASSERT_EQ(got, want);
  }
}

TEST(BandIndex, EqualsBruteForceUnderInsertsAndRemovals) {
  std::mt19937_64 rng(0x62616e64);
  // (bands, bytes a band, alphabet, steps): 300 bands fill many slots with one insert.
  for (const auto& [bands, band_bytes, alphabet, steps] :
       std::vector<std::tuple<int, std::size_t, int, int>>{
           {1, 8, 3, 3000}, {4, 2, 3, 3000}, {25, 8, 2, 3000}, {9, 3, 4, 3000}, {300, 1, 2, 300}}) {
    BandIndex index(bands, band_bytes);
    Reference ref{bands, band_bytes, {}};
    for (int step = 0; step < steps; ++step) {
      const auto key = static_cast<std::uint32_t>(rng() % 400);
      const int what = static_cast<int>(rng() % 10);
      if (what < 6 || !index.contains(key)) {  // insert; an existing key gets another entry
        const Signature s = random_signature(rng, index.signature_bytes(), alphabet);
        index.insert(key, s);
        ref.entries[key].push_back(s);
      } else {
        ASSERT_TRUE(index.remove(key));
        ref.entries.erase(key);
        ASSERT_FALSE(index.contains(key));
        ASSERT_FALSE(index.remove(key));
      }
      if (step % 500 == 499 || step == steps - 1) check_equal(index, ref, rng, alphabet);
    }
    for (auto it = ref.entries.begin(); it != ref.entries.end();) {  // empty it again
      ASSERT_TRUE(index.remove(it->first));
      it = ref.entries.erase(it);
      if (ref.entries.size() % 50 == 0) check_equal(index, ref, rng, alphabet);
    }
    ASSERT_EQ(index.key_count(), 0u);
    for (int band = 0; band < bands; ++band) ASSERT_EQ(index.bucket_count(band), 0u);
  }
}

TEST(BandIndex, ABucketKeepsItsContentWhenTheEntryThatCreatedItLeaves) {
  BandIndex index(2, 1);
  const Signature x = {std::byte{1}, std::byte{2}}, y = {std::byte{1}, std::byte{3}};
  index.insert(7, x);
  index.insert(8, y);
  ASSERT_TRUE(index.remove(7));
  BandQueryScratch scratch;
  std::vector<std::uint32_t> out;
  index.query(x, out, scratch);  // band 0 (content 1) now lives on through key 8
  EXPECT_EQ(out, std::vector<std::uint32_t>{8});
  EXPECT_EQ(index.bucket_count(0), 1u);
  EXPECT_EQ(index.bucket_count(1), 1u);
}

}  // namespace
}  // namespace doppel
