#include "sketch/minhash.h"

#include <algorithm>

#include "util/hash.h"

namespace doppel {

namespace {
std::uint32_t probe(std::uint64_t seed, std::uint32_t bin, std::uint64_t attempt,
                    std::uint32_t bins) {
  return reduce(mix64(seed ^ (std::uint64_t{bin} << 32) ^ attempt), bins);
}
constexpr std::uint32_t kEmptyBin = 0xffffffffu;

// A 16-bit fingerprint of a bin's minimum: the top bits of a multiplicative hash, since the
// minimum's own high bits are mostly zero.
SigValue fingerprint(std::uint32_t value) {
  return static_cast<SigValue>((std::uint64_t{value} * 0x9e3779b97f4a7c15ULL) >> 48);
}
// The fingerprint of a minimum that bin `bin` borrowed: a hash of the value and the bin. Copying
// the donor's own fingerprint (BorrowedBins::kCopied) made every bin of a document with one
// shingle (a text of --ngram words or fewer) the same 16 bits, so two such documents agreed on
// all bins or none: one pair in 65,536 of distinct short texts was estimated at J = 1 (20,000
// texts of five words: about 3,000 false near duplicates). Hashed with the bin, a borrowed value
// agrees where the donor's value agrees, as before, and otherwise by chance in each bin on its
// own.
SigValue borrowed_fingerprint(std::uint32_t value, std::uint32_t bin, BorrowedBins borrowed) {
  if (borrowed == BorrowedBins::kCopied) return fingerprint(value);
  return static_cast<SigValue>(mix64((std::uint64_t{bin} << 32) | value) >> 48);
}
}  // namespace

void oph_signature(std::span<const std::uint64_t> shingles, std::uint64_t seed,
                   std::span<SigValue> out, std::vector<std::uint32_t>& scratch,
                   BorrowedBins borrowed) {
  constexpr std::uint32_t kEmpty = 0xffffffffu;
  const auto bins = static_cast<std::uint32_t>(out.size());
  scratch.assign(bins, kEmpty);
  std::uint32_t* min = scratch.data();
  // One permutation: the high bits of the hash pick a bin, the low 32 bits compete in it.
  for (const std::uint64_t s : shingles) {
    const std::uint64_t h = mix64(s ^ seed);
    const std::uint32_t bin = reduce(h, bins);
    const std::uint32_t value = std::min(static_cast<std::uint32_t>(h), kEmpty - 1);
    min[bin] = std::min(min[bin], value);
  }
  // Optimal densification: an empty bin borrows the minimum of the first originally filled bin
  // on a probe sequence that depends only on (seed, bin, attempt), so two documents that both
  // have the bin empty probe the same bins and the estimate stays unbiased. `min` is never
  // written here, so borrowed values do not chain.
  for (std::uint32_t i = 0; i < bins; ++i) {
    if (min[i] != kEmpty) {
      out[i] = fingerprint(min[i]);
      continue;
    }
    std::uint32_t value = kEmpty;
    for (std::uint64_t attempt = 1; value == kEmpty; ++attempt) {
      value = min[probe(seed, i, attempt, bins)];
    }
    out[i] = borrowed_fingerprint(value, i, borrowed);
  }
}

OphSketcher::OphSketcher(int bins, std::uint64_t seed, BorrowedBins borrowed)
    : bins_(static_cast<std::uint32_t>(bins)),
      seed_(seed),
      borrowed_(borrowed),
      probes_(std::size_t{bins_} * kProbes) {
  for (std::uint32_t i = 0; i < bins_; ++i) {
    for (std::uint32_t a = 0; a < kProbes; ++a) {
      probes_[i * kProbes + a] = static_cast<std::uint16_t>(probe(seed_, i, a + 1, bins_));
    }
  }
}

void OphSketcher::sketch(std::span<const std::uint64_t> shingles, std::span<SigValue> out,
                         std::vector<std::uint32_t>& scratch) const {
  scratch.assign(bins_, kEmptyBin);
  std::uint32_t* min = scratch.data();
  for (const std::uint64_t s : shingles) {
    const std::uint64_t h = mix64(s ^ seed_);
    const std::uint32_t bin = reduce(h, bins_);
    const std::uint32_t value = std::min(static_cast<std::uint32_t>(h), kEmptyBin - 1);
    min[bin] = std::min(min[bin], value);
  }
  for (std::uint32_t i = 0; i < bins_; ++i) {
    if (min[i] != kEmptyBin) {
      out[i] = fingerprint(min[i]);
      continue;
    }
    std::uint32_t value = kEmptyBin;
    const std::uint16_t* p = probes_.data() + std::size_t{i} * kProbes;
    for (std::uint32_t a = 0; value == kEmptyBin && a < kProbes; ++a) value = min[p[a]];
    for (std::uint64_t attempt = kProbes + 1; value == kEmptyBin; ++attempt) {
      value = min[probe(seed_, i, attempt, bins_)];
    }
    out[i] = borrowed_fingerprint(value, i, borrowed_);
  }
}

std::uint32_t count_equal(std::span<const SigValue> a, std::span<const SigValue> b) {
  std::uint32_t equal = 0;
  const std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) equal += a[i] == b[i];  // vectorised by the compiler
  return equal;
}

double estimate_jaccard(std::span<const SigValue> a, std::span<const SigValue> b) {
  if (a.empty()) return 0.0;
  constexpr double kCollision = 1.0 / 65536.0;
  const double agree = double(count_equal(a, b)) / double(a.size());
  return std::clamp((agree - kCollision) / (1.0 - kCollision), 0.0, 1.0);
}

}  // namespace doppel
