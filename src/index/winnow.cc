#include "index/winnow.h"

#include <algorithm>

namespace doppel {

void winnow(std::span<const std::uint64_t> keys, int window, std::vector<std::uint32_t>& positions,
            std::vector<std::uint32_t>& scratch) {
  positions.clear();
  if (keys.empty()) return;
  const std::size_t w =
      std::min<std::size_t>(static_cast<std::size_t>(std::max(window, 1)), keys.size());
  // Positions with increasing keys (an equal later key replaces an earlier one): the front is
  // the rightmost smallest key of the current window.
  std::vector<std::uint32_t>& queue = scratch;
  queue.resize(keys.size());
  std::size_t head = 0, tail = 0;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    while (tail > head && keys[queue[tail - 1]] >= keys[i]) --tail;
    queue[tail++] = static_cast<std::uint32_t>(i);
    if (i + 1 < w) continue;
    while (queue[head] + w <= i) ++head;
    if (positions.empty() || positions.back() != queue[head]) positions.push_back(queue[head]);
  }
}

}  // namespace doppel
