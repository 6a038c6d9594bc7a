#include "index/anchor_seeds.h"

#include <algorithm>

namespace doppel {

void anchor_seeds(std::span<const Winnowed> a, std::span<const Winnowed> b, std::uint32_t a_doc,
                  std::uint32_t b_doc, int max_per_doc, std::vector<Seed>& out) {
  out.clear();
  const std::uint64_t pair = std::uint64_t{a_doc} << 32 | b_doc;
  const auto most = static_cast<std::size_t>(max_per_doc);
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i].fp < b[j].fp) {
      ++i;
    } else if (b[j].fp < a[i].fp) {
      ++j;
    } else {
      const std::uint32_t fp = a[i].fp;
      std::size_t i2 = i, j2 = j;
      while (i2 < a.size() && a[i2].fp == fp) ++i2;
      while (j2 < b.size() && b[j2].fp == fp) ++j2;
      for (std::size_t x = i; x < std::min(i2, i + most); ++x) {
        for (std::size_t y = j; y < std::min(j2, j + most); ++y) {
          out.push_back(Seed{pair, a[x].pos, b[y].pos});
        }
      }
      i = i2;
      j = j2;
    }
  }
  std::sort(out.begin(), out.end());
}

}  // namespace doppel
