#include "verify/jaccard.h"

#include <algorithm>

namespace doppel {

double exact_jaccard(std::span<const std::uint64_t> a, std::span<const std::uint64_t> b) {
  std::size_t i = 0, j = 0, common = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] < b[j]) {
      ++i;
    } else if (b[j] < a[i]) {
      ++j;
    } else {
      ++common, ++i, ++j;
    }
  }
  const std::size_t uni = a.size() + b.size() - common;
  return uni == 0 ? 0.0 : double(common) / double(uni);
}

void make_set(std::vector<std::uint64_t>& shingles) {
  std::sort(shingles.begin(), shingles.end());
  shingles.erase(std::unique(shingles.begin(), shingles.end()), shingles.end());
}

}  // namespace doppel
