#include "index/anchor_seeds.h"

#include <algorithm>

namespace doppel {

void anchor_seeds(std::span<const Winnowed> a, std::span<const Winnowed> b, std::uint32_t a_doc,
                  std::uint32_t b_doc, int max_per_doc, std::vector<Seed>& out) {
  out.clear();
  const std::uint64_t pair = std::uint64_t{a_doc} << 32 | b_doc;
  const auto most = static_cast<std::size_t>(max_per_doc);
  const std::size_t na = a.size(), nb = b.size();
  std::size_t i = 0, j = 0;
  while (i < na && j < nb) {
    const std::uint32_t fa = a[i].fp, fb = b[j].fp;
    if (fa != fb) {  // the smaller steps on, without a branch on which one it is
      i += static_cast<std::size_t>(fa < fb);
      j += static_cast<std::size_t>(fb < fa);
      continue;
    }
    std::size_t i2 = i + 1, j2 = j + 1;
    while (i2 < na && a[i2].fp == fa) ++i2;
    while (j2 < nb && b[j2].fp == fa) ++j2;
    const std::size_t a_end = std::min(i2, i + most), b_end = std::min(j2, j + most);
    for (std::size_t x = i; x < a_end; ++x) {
      for (std::size_t y = j; y < b_end; ++y) out.push_back(Seed{pair, a[x].pos, b[y].pos});
    }
    // Past the first `most` places, the k-th in a with the k-th in b where they continue the
    // diagonal of the (k - 1)-th pair (as find_seeds does): text both documents repeat many times
    // is seeded along its whole length, linearly, and repeats in another order are not.
    for (std::size_t k = most; k > 0 && i + k < i2 && j + k < j2; ++k) {
      if (std::int64_t{b[j + k].pos} - a[i + k].pos ==
          std::int64_t{b[j + k - 1].pos} - a[i + k - 1].pos) {
        out.push_back(Seed{pair, a[i + k].pos, b[j + k].pos});
      }
    }
    i = i2;
    j = j2;
  }
  // By (a_pos, b_pos), as one number (every seed has the same pair). Up to 64 seeds by insertion
  // sort: on random pairs of 30-70 fingerprints a side, sharing up to all of them, the whole
  // function took 680-690 ns a pair against 920 with std::sort over the three fields, and 850
  // with std::sort over this key (a scratch micro-benchmark, one run each, not kept). How many
  // seeds the pairs of a real index have was not measured; past 64, std::sort.
  auto key = [](const Seed& s) { return std::uint64_t{s.a_pos} << 32 | s.b_pos; };
  if (out.size() > 64) {
    std::sort(out.begin(), out.end(),
              [&](const Seed& x, const Seed& y) { return key(x) < key(y); });
    return;
  }
  for (std::size_t k = 1; k < out.size(); ++k) {
    const Seed s = out[k];
    const std::uint64_t at = key(s);
    std::size_t m = k;
    for (; m > 0 && key(out[m - 1]) > at; --m) out[m] = out[m - 1];
    out[m] = s;
  }
}

}  // namespace doppel
