// sort_key_values against std::sort: the result is the pairs ordered by key, then value; and
// sort_keys against std::sort for keys of every width.
#include "util/radix_sort.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace doppel {
namespace {

enum class Keys {
  kRandom,       // all 64 bits random
  kHighTies,     // high 32 bits from 5 values, low bits random
  kFullTies,     // whole keys from 7 values; values decide the order
  kTopByteOnly,  // keys differ only in bits 56..63 (the last radix pass)
  kLowBitsOnly,  // high 32 bits all equal: everything is left to the tie-break sort
  kDescending,   // keys in reverse order
};

std::string name(Keys k) {
  switch (k) {
    case Keys::kRandom:
      return "random";
    case Keys::kHighTies:
      return "high_ties";
    case Keys::kFullTies:
      return "full_ties";
    case Keys::kTopByteOnly:
      return "top_byte_only";
    case Keys::kLowBitsOnly:
      return "low_bits_only";
    case Keys::kDescending:
      return "descending";
  }
  return "?";
}

std::vector<KeyValue> make_items(std::size_t n, Keys kind, std::mt19937_64& rng) {
  std::vector<std::uint64_t> high(5), full(7);
  for (auto& h : high) h = rng() << 32;
  for (auto& f : full) f = rng();
  std::vector<KeyValue> items(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::uint64_t key = 0;
    switch (kind) {
      case Keys::kRandom:
        key = rng();
        break;
      case Keys::kHighTies:
        key = high[rng() % high.size()] | (rng() & 0xffffffffu);
        break;
      case Keys::kFullTies:
        key = full[rng() % full.size()];
        break;
      case Keys::kTopByteOnly:
        key = (rng() << 56) | 0x00123456789abcdeULL;
        break;
      case Keys::kLowBitsOnly:
        key = 0xdeadbeef00000000ULL | (rng() & 0xffffffffu);
        break;
      case Keys::kDescending:
        key = ~std::uint64_t{0} - i * 0x0000010000000001ULL;
        break;
    }
    // Values: few distinct ones, so that equal (key, value) pairs occur under full ties.
    items[i] = KeyValue{key, static_cast<std::uint32_t>(rng() % 1000)};
  }
  return items;
}

TEST(RadixSort, MatchesStdSort) {
  std::mt19937_64 rng(2024);
  std::vector<KeyValue> tmp;  // shared across calls, as the callers reuse it
  for (const std::size_t n : {0, 1, 2, 255, 256, 257, 1000, 10000}) {
    for (const Keys kind : {Keys::kRandom, Keys::kHighTies, Keys::kFullTies, Keys::kTopByteOnly,
                            Keys::kLowBitsOnly, Keys::kDescending}) {
      std::vector<KeyValue> items = make_items(n, kind, rng);
      std::vector<KeyValue> expected = items;
      std::sort(expected.begin(), expected.end());
      sort_key_values(items, tmp);
      EXPECT_EQ(items, expected) << "n=" << n << " keys " << name(kind);
    }
  }
}

TEST(RadixSort, SortedInputStaysSorted) {
  std::mt19937_64 rng(1);
  std::vector<KeyValue> items = make_items(5000, Keys::kHighTies, rng);
  std::sort(items.begin(), items.end());
  const std::vector<KeyValue> expected = items;
  std::vector<KeyValue> tmp(3, KeyValue{1, 1});  // stale scratch of the wrong size
  sort_key_values(items, tmp);
  EXPECT_EQ(items, expected);
}

TEST(RadixSort, KeysOfEveryWidthMatchStdSort) {
  std::mt19937_64 rng(77);
  std::vector<std::uint64_t> tmp;
  for (const int bits : {0, 1, 7, 8, 9, 31, 56, 63, 64}) {
    for (const std::size_t n : {0, 1, 63, 64, 65, 1000, 20000}) {
      std::vector<std::uint64_t> keys(n);
      for (auto& k : keys) k = bits == 64 ? rng() : rng() & ((std::uint64_t{1} << bits) - 1);
      std::vector<std::uint64_t> expected = keys;
      std::sort(expected.begin(), expected.end());
      sort_keys(keys, tmp, bits);
      EXPECT_EQ(keys, expected) << "n=" << n << " bits=" << bits;
    }
  }
}

}  // namespace
}  // namespace doppel
