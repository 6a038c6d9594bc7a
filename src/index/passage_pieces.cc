#include "index/passage_pieces.h"

#include <algorithm>

namespace doppel {

std::vector<PassagePiece> passage_pieces(
    std::span<const std::pair<std::uint32_t, std::uint32_t>> stretches, std::uint32_t min_words) {
  std::vector<PassagePiece> out;
  std::vector<std::uint32_t> order(stretches.size());
  for (std::uint32_t k = 0; k < order.size(); ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::uint32_t x, std::uint32_t y) { return stretches[x] < stretches[y]; });
  std::vector<std::uint32_t> cuts, group;
  for (std::size_t h = 0; h < order.size();) {
    // A run of overlapping stretches, and where they begin and end.
    const std::uint32_t begin = stretches[order[h]].first;
    std::uint32_t end = stretches[order[h]].second;
    std::size_t g = h + 1;
    while (g < order.size() && stretches[order[g]].first < end) {
      end = std::max(end, stretches[order[g]].second);
      ++g;
    }
    group.assign(order.begin() + static_cast<std::ptrdiff_t>(h),
                 order.begin() + static_cast<std::ptrdiff_t>(g));
    std::sort(group.begin(), group.end());
    cuts.clear();
    for (const std::uint32_t x : group) {
      cuts.push_back(stretches[x].first);
      cuts.push_back(stretches[x].second);
    }
    std::sort(cuts.begin(), cuts.end());
    // The cuts kept: each at least min_words after the one before, and before the end.
    std::uint32_t last = begin;
    std::vector<std::uint32_t> kept = {begin};
    for (const std::uint32_t c : cuts) {
      if (c >= last + std::max<std::uint32_t>(min_words, 1) &&
          end >= c + std::max<std::uint32_t>(min_words, 1)) {
        kept.push_back(c);
        last = c;
      }
    }
    kept.push_back(end);
    const std::size_t first_piece = out.size();
    for (std::size_t k = 0; k + 1 < kept.size(); ++k) {
      PassagePiece piece{kept[k], kept[k + 1], {}};
      const std::uint32_t length = piece.end - piece.begin;
      std::uint32_t most = 0, most_of = group.front();
      for (const std::uint32_t x : group) {
        const std::uint32_t lo = std::max(piece.begin, stretches[x].first);
        const std::uint32_t hi = std::min(piece.end, stretches[x].second);
        const std::uint32_t covered = hi > lo ? hi - lo : 0;
        if (2 * std::uint64_t{covered} >= length && covered > 0) piece.holders.push_back(x);
        if (covered > most) {
          most = covered;
          most_of = x;
        }
      }
      if (piece.holders.empty()) piece.holders.push_back(most_of);
      if (!out.empty() && out.back().end == piece.begin && out.back().holders == piece.holders) {
        out.back().end = piece.end;
      } else {
        out.push_back(std::move(piece));
      }
    }
    // A stretch that covers half of no piece (a short one inside a long piece) still holds the
    // passage it overlaps most: no earlier document that holds text of it goes unnamed.
    for (const std::uint32_t x : group) {
      std::size_t best = first_piece;
      std::uint32_t most = 0;
      bool listed = false;
      for (std::size_t p = first_piece; p < out.size() && !listed; ++p) {
        listed = std::binary_search(out[p].holders.begin(), out[p].holders.end(), x);
        const std::uint32_t lo = std::max(out[p].begin, stretches[x].first);
        const std::uint32_t hi = std::min(out[p].end, stretches[x].second);
        if (hi > lo && hi - lo > most) {
          most = hi - lo;
          best = p;
        }
      }
      if (!listed) {
        auto& holders = out[best].holders;
        holders.insert(std::upper_bound(holders.begin(), holders.end(), x), x);
      }
    }
    h = g;
  }
  return out;
}

}  // namespace doppel
