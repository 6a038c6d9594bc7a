#include "candidates/lsh.h"

#define XXH_INLINE_ALL  // short keys: inlining beats the library call
#include <xxhash.h>

#include <algorithm>
#include <cmath>

#include "util/radix_sort.h"
#include "util/threads.h"

namespace doppel {

double candidate_probability(double s, int bands, int rows) {
  return 1.0 - std::pow(1.0 - std::pow(s, rows), bands);
}

LshShape choose_lsh_shape(double threshold, int num_hashes) {
  constexpr double kFalsePositiveWeight = 0.05, kFalseNegativeWeight = 0.95;
  constexpr int kSteps = 100;  // midpoint rule: the costs are smooth in s
  LshShape best{1, num_hashes};
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
      best = LshShape{bands, rows};
    }
  }
  return best;
}

std::uint64_t band_key(std::span<const SigValue> sig, int band, int rows) {
  const auto row = sig.subspan(static_cast<std::size_t>(band) * static_cast<std::size_t>(rows),
                               static_cast<std::size_t>(rows));
  return XXH3_64bits_withSeed(row.data(), row.size_bytes(), static_cast<std::uint64_t>(band));
}

BucketRule bucket_rule_of(const LshOptions& lsh) {
  const std::size_t max_members = std::max<std::size_t>(lsh.max_bucket_members, 2);
  return BucketRule{max_members, std::clamp<std::size_t>(lsh.bucket_window, 1, max_members - 1)};
}

void bucket_pairs(std::span<const KeyValue> keys, const BucketRule& rule,
                  std::vector<std::uint64_t>& pairs) {
  auto pack = [](std::uint32_t a, std::uint32_t b) {
    return (std::uint64_t{std::min(a, b)} << 32) | std::max(a, b);
  };
  for (std::size_t i = 0; i < keys.size();) {
    std::size_t j = i + 1;
    while (j < keys.size() && keys[j].first == keys[i].first) ++j;
    // Member k (in document order) pairs with every earlier member while k < max_members, then
    // with the first and the `window` before it: a member's pairs depend only on the members
    // before it, so an index that adds documents a few at a time finds the same pairs.
    for (std::size_t k = i + 1; k < j; ++k) {
      if (k - i < rule.max_members) {
        for (std::size_t a = i; a < k; ++a) pairs.push_back(pack(keys[a].second, keys[k].second));
      } else {
        pairs.push_back(pack(keys[i].second, keys[k].second));
        for (std::size_t a = k - rule.window; a < k; ++a) {
          pairs.push_back(pack(keys[a].second, keys[k].second));
        }
      }
    }
    i = j;
  }
}

void band_candidates(const SignatureStore& sigs, std::span<const std::uint32_t> docs, int band,
                     int rows, const BucketRule& rule, BandScratch& scratch,
                     std::vector<std::uint64_t>& pairs) {
  auto& keys = scratch.keys;
  keys.clear();
  keys.reserve(docs.size());
  for (const std::uint32_t d : docs) keys.emplace_back(band_key(sigs[d], band, rows), d);
  sort_key_values(keys, scratch.tmp);
  bucket_pairs(keys, rule, pairs);
}

std::vector<std::uint64_t> lsh_candidates(const SignatureStore& sigs,
                                          std::span<const std::uint32_t> docs, int bands, int rows,
                                          const BucketRule& rule, int threads) {
  std::vector<std::vector<std::uint64_t>> per_thread(static_cast<std::size_t>(threads));
  run_on_threads(threads, [&](int t) {
    BandScratch scratch;
    for (int band = t; band < bands; band += threads) {
      band_candidates(sigs, docs, band, rows, rule, scratch,
                      per_thread[static_cast<std::size_t>(t)]);
    }
  });
  std::vector<std::uint64_t> candidates;
  for (auto& v : per_thread) {
    candidates.insert(candidates.end(), v.begin(), v.end());
    std::vector<std::uint64_t>().swap(v);
  }
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  return candidates;
}

}  // namespace doppel
