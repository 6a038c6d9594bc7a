#include "candidates/lsh.h"

#define XXH_INLINE_ALL  // short keys: inlining beats the library call
#include <xxhash.h>

#include <algorithm>
#include <cmath>

#include "doppel/dedup.h"
#include "util/radix_sort.h"

namespace doppel {

double candidate_probability(double s, int bands, int rows) {
  return 1.0 - std::pow(1.0 - std::pow(s, rows), bands);
}

BandsRows choose_bands_rows(double threshold, int num_hashes) {
  constexpr double kFalsePositiveWeight = 0.05, kFalseNegativeWeight = 0.95;
  constexpr int kSteps = 100;  // midpoint rule: the costs are smooth in s
  BandsRows best{1, num_hashes};
  double best_cost = 1e300;
  for (int rows = 1; rows <= num_hashes; ++rows) {
    const int bands = num_hashes / rows;
    double fp = 0, fn = 0;
    for (int i = 0; i < kSteps; ++i) {
      const double lo = threshold * (i + 0.5) / kSteps;
      fp += candidate_probability(lo, bands, rows) * threshold / kSteps;
      const double hi = threshold + (1.0 - threshold) * (i + 0.5) / kSteps;
      fn += (1.0 - candidate_probability(hi, bands, rows)) * (1.0 - threshold) / kSteps;
    }
    const double cost = kFalsePositiveWeight * fp + kFalseNegativeWeight * fn;
    if (cost < best_cost) {
      best_cost = cost;
      best = BandsRows{bands, rows};
    }
  }
  return best;
}

void band_candidates(const SignatureStore& sigs, std::span<const std::uint32_t> docs, int band,
                     int rows, std::size_t max_bucket_pairs, BandScratch& scratch,
                     std::vector<std::uint64_t>& pairs) {
  auto& keys = scratch.keys;
  keys.clear();
  keys.reserve(docs.size());
  const std::size_t offset = static_cast<std::size_t>(band) * static_cast<std::size_t>(rows);
  for (const std::uint32_t d : docs) {
    const auto row = sigs[d].subspan(offset, static_cast<std::size_t>(rows));
    keys.emplace_back(XXH3_64bits_withSeed(row.data(), row.size_bytes(), band), d);
  }
  sort_key_values(keys, scratch.tmp);
  auto pack = [](std::uint32_t a, std::uint32_t b) {
    return (std::uint64_t{std::min(a, b)} << 32) | std::max(a, b);
  };
  for (std::size_t i = 0; i < keys.size();) {
    std::size_t j = i + 1;
    while (j < keys.size() && keys[j].first == keys[i].first) ++j;
    const std::size_t m = j - i;
    if (m <= max_bucket_pairs) {
      for (std::size_t a = i; a < j; ++a) {
        for (std::size_t b = a + 1; b < j; ++b)
          pairs.push_back(pack(keys[a].second, keys[b].second));
      }
    } else {
      for (std::size_t a = i + 1; a < j; ++a) {
        pairs.push_back(pack(keys[i].second, keys[a].second));
        if (a + 1 < j) pairs.push_back(pack(keys[a].second, keys[a + 1].second));
      }
    }
    i = j;
  }
}

}  // namespace doppel
