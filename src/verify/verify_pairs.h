// Verification: each candidate pair's similarity, computed in parallel, and the pairs at or above
// the threshold, in candidate order. Pure function over spans; `similarity` must be safe to call
// from several threads at once.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "util/threads.h"

namespace doppel {

struct VerifiedPair {
  std::uint32_t a = 0, b = 0;
  float similarity = 0;
};

// `candidates` are packed (a << 32 | b). A tiny slack absorbs float rounding of the similarity
// (0.8 stored as 0.79999995 still passes a threshold of 0.8).
template <typename Similarity>
std::vector<VerifiedPair> verify_candidates(std::span<const std::uint64_t> candidates,
                                            double threshold, int threads,
                                            const Similarity& similarity) {
  std::vector<float> sim(candidates.size());
  const auto step = static_cast<std::size_t>(threads);
  run_on_threads(threads, [&](int t) {
    for (auto i = static_cast<std::size_t>(t); i < candidates.size(); i += step) {
      sim[i] = static_cast<float>(similarity(static_cast<std::uint32_t>(candidates[i] >> 32),
                                             static_cast<std::uint32_t>(candidates[i])));
    }
  });
  const double at_least = threshold - 1e-6;
  std::vector<VerifiedPair> verified;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    if (sim[i] < at_least) continue;
    verified.push_back(VerifiedPair{static_cast<std::uint32_t>(candidates[i] >> 32),
                                    static_cast<std::uint32_t>(candidates[i]), sim[i]});
  }
  return verified;
}

}  // namespace doppel
