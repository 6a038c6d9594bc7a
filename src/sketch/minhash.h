// MinHash signatures by one-permutation hashing (OPH) with optimal densification
// (Li, Owen & Zhang 2012; Shrivastava 2017): one hash per shingle instead of one per shingle and
// bin, so sketching costs O(shingles + bins). Each bin keeps a 16-bit fingerprint of its minimum
// (of a minimum borrowed from another bin: a hash of it and the bin, so that the borrowed bins of
// a short document are not copies of one another's 16 bits); two documents agree on a bin with
// probability J + (1 - J) / 65536, each bin on its own, which estimate_jaccard() corrects. Pure
// functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace doppel {

using SigValue = std::uint16_t;

// How a bin that no shingle hashed into gets its fingerprint: hashed from the borrowed minimum and
// the bin (the default), or copied from the donor bin, as doppel did before (indexes of format
// version 1 hold such signatures, and keep making them). Copies made every bin of a document with
// one shingle the same 16 bits: two distinct short texts agreed on all bins or none, one pair in
// 65,536 estimated at J = 1.
enum class BorrowedBins { kHashedWithBin, kCopied };

// Writes the signature of a non-empty set of shingle hashes into `out` (out.size() bins; repeats
// in `shingles` do not matter). `scratch` is reused between calls. This is the plain reference;
// OphSketcher computes the same signature faster.
void oph_signature(std::span<const std::uint64_t> shingles, std::uint64_t seed,
                   std::span<SigValue> out, std::vector<std::uint32_t>& scratch,
                   BorrowedBins borrowed = BorrowedBins::kHashedWithBin);

// oph_signature with the first densification probes of every bin precomputed, so that short
// documents (many empty bins) cost table look-ups instead of hashes. Immutable after
// construction: one instance can serve every thread.
class OphSketcher {
 public:
  OphSketcher(int bins, std::uint64_t seed, BorrowedBins borrowed = BorrowedBins::kHashedWithBin);
  void sketch(std::span<const std::uint64_t> shingles, std::span<SigValue> out,
              std::vector<std::uint32_t>& scratch) const;
  int bins() const { return static_cast<int>(bins_); }

 private:
  static constexpr std::uint32_t kProbes = 16;
  std::uint32_t bins_;
  std::uint64_t seed_;
  BorrowedBins borrowed_;
  std::vector<std::uint16_t> probes_;  // bins_ x kProbes: probe `a` of bin `i` at i*kProbes+a
};

// Fraction of equal bins, corrected for 16-bit fingerprint collisions; in [0, 1].
double estimate_jaccard(std::span<const SigValue> a, std::span<const SigValue> b);

// Number of equal bins (the kernel of estimate_jaccard).
std::uint32_t count_equal(std::span<const SigValue> a, std::span<const SigValue> b);

}  // namespace doppel
