// Shingles as 64-bit hashes: word n-grams or character n-grams of a normalized text, and the hash
// of the whole canonical form for exact duplicates. Pure functions.
#pragma once

#include <cstdint>
#include <vector>

#include "doppel/options.h"
#include "text/normalize.h"

namespace doppel {

struct ExactHash {
  std::uint64_t lo = 0, hi = 0;
  friend bool operator==(const ExactHash&, const ExactHash&) = default;
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads a defaulted <=>
  friend auto operator<=>(const ExactHash&, const ExactHash&) = default;
};

// 128-bit hash of the canonical text: equal hashes mean identical normalized texts (a false
// match needs ~2^64 documents).
ExactHash exact_hash(const NormalizedText& text);

// Replaces `out` with the hash of every shingle, in text order, repeats included. A text shorter
// than n units gives one shingle of all of it; an empty text gives none.
void shingle_hashes(const NormalizedText& text, const ShingleOptions& options, std::uint64_t seed,
                    std::vector<std::uint64_t>& out);

}  // namespace doppel
