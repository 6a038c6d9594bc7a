// MinHash signatures by one-permutation hashing (OPH) with optimal densification
// (Li, Owen & Zhang 2012; Shrivastava 2017): one hash per shingle instead of one per shingle and
// bin, so sketching costs O(shingles + bins). Each bin keeps a 16-bit fingerprint of its minimum;
// two documents agree on a bin with probability J + (1 - J) / 65536, which estimate_jaccard()
// corrects. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace doppel {

using SigValue = std::uint16_t;

// Writes the signature of a non-empty set of shingle hashes into `out` (out.size() bins; repeats
// in `shingles` do not matter). `scratch` is reused between calls. This is the plain reference;
// OphSketcher computes the same signature faster.
void oph_signature(std::span<const std::uint64_t> shingles, std::uint64_t seed,
                   std::span<SigValue> out, std::vector<std::uint32_t>& scratch);

// oph_signature with the first densification probes of every bin precomputed, so that short
// documents (many empty bins) cost table look-ups instead of hashes. Immutable after
// construction: one instance can serve every thread.
class OphSketcher {
 public:
  OphSketcher(int bins, std::uint64_t seed);
  void sketch(std::span<const std::uint64_t> shingles, std::span<SigValue> out,
              std::vector<std::uint32_t>& scratch) const;
  int bins() const { return static_cast<int>(bins_); }

 private:
  static constexpr std::uint32_t kProbes = 16;
  std::uint32_t bins_;
  std::uint64_t seed_;
  std::vector<std::uint16_t> probes_;  // bins_ x kProbes: probe `a` of bin `i` at i*kProbes+a
};

// Fraction of equal bins, corrected for 16-bit fingerprint collisions; in [0, 1].
double estimate_jaccard(std::span<const SigValue> a, std::span<const SigValue> b);

// Number of equal bins (the kernel of estimate_jaccard).
std::uint32_t count_equal(std::span<const SigValue> a, std::span<const SigValue> b);

}  // namespace doppel
