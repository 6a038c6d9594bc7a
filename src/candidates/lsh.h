// Locality-sensitive hashing over MinHash signatures: documents whose signatures agree on every
// row of some band share a bucket and become a candidate pair. Pure functions over spans
// (lsh_candidates runs its own threads).
#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "doppel/options.h"
#include "sketch/signature_store.h"
#include "util/radix_sort.h"

namespace doppel {

// Probability that a pair of Jaccard similarity s becomes a candidate: 1 - (1 - s^rows)^bands.
double candidate_probability(double s, int bands, int rows);

struct LshShape {
  int bands = 0, rows = 0;
};
// The (bands, rows) with bands*rows <= num_hashes that minimises 0.05 x (probability mass of false
// candidates below the threshold) + 0.95 x (mass of missed pairs above it): verification removes
// false candidates, so misses weigh far more.
LshShape choose_lsh_shape(double threshold, int num_hashes);

// The key of band `band` of a signature (rows [band * rows, band * rows + rows)): documents whose
// keys are equal share the band's bucket.
std::uint64_t band_key(std::span<const SigValue> sig, int band, int rows);

// Which members of a bucket a member pairs with: every earlier one while fewer than
// `max_members` came before it; after that the first member and the `window` members just before
// it (1 <= window < max_members), so that a boilerplate bucket costs linear, not quadratic, work.
// A wider window finds more of a family of near duplicates around the threshold, whose members
// are each above it with only a few of the others (measured in docs/architecture.md, step 4).
struct BucketRule {
  std::size_t max_members = 64;
  std::size_t window = 1;
};
BucketRule bucket_rule_of(const LshOptions& lsh);

// Appends the candidate pairs of the buckets of one band: `keys` are (band key, document) sorted
// (sort_key_values), runs of equal keys a bucket each, each packed as (a << 32 | b) with a < b.
// Members of a bucket are taken in document order, paired by `rule`. The rule is prefix-stable: a
// member's pairs depend only on the members before it, which lets an incremental index
// (src/index/) find exactly the pairs of a batch run.
void bucket_pairs(std::span<const KeyValue> keys, const BucketRule& rule,
                  std::vector<std::uint64_t>& pairs);

// Reusable buffers of band_candidates (one per thread).
struct BandScratch {
  std::vector<KeyValue> keys, tmp;
};

// Appends the candidate pairs of one band among `docs` (document indices, ascending) to `pairs`
// by the rule of bucket_pairs.
void band_candidates(const SignatureStore& sigs, std::span<const std::uint32_t> docs, int band,
                     int rows, const BucketRule& rule, BandScratch& scratch,
                     std::vector<std::uint64_t>& pairs);

// The candidate pairs of every band, packed as above, sorted and without repeats; the bands are
// spread over `threads` threads (the result does not depend on their number).
std::vector<std::uint64_t> lsh_candidates(const SignatureStore& sigs,
                                          std::span<const std::uint32_t> docs, int bands, int rows,
                                          const BucketRule& rule, int threads);

}  // namespace doppel
