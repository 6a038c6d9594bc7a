#include "passages/sources.h"

#include <algorithm>
#include <deque>
#include <string>

#include "corpus/dates.h"

namespace doppel {

std::vector<std::uint32_t> rank_by_date(const Corpus& corpus) {
  std::vector<std::string_view> dates(corpus.docs.size());
  for (std::uint32_t d = 0; d < dates.size(); ++d) dates[d] = corpus.date(d);
  return rank_by_date(dates);
}

std::vector<std::uint32_t> rank_by_date(std::span<const std::string_view> dates) {
  const auto n = static_cast<std::uint32_t>(dates.size());
  // Each date's sortable text once: most dates are their own (written alike, in UTC), and only
  // the others are kept here.
  std::vector<std::string_view> sortable(n);
  std::deque<std::string> rewritten;
  DateBuffer buffer;
  for (std::uint32_t d = 0; d < n; ++d) {
    sortable[d] = sortable_date(dates[d], buffer);
    if (!sortable[d].empty() && sortable[d].data() == buffer.data()) {
      sortable[d] = rewritten.emplace_back(sortable[d]);
    }
  }
  std::vector<std::uint32_t> by_date(n), rank(n);
  for (std::uint32_t d = 0; d < n; ++d) by_date[d] = d;
  std::stable_sort(by_date.begin(), by_date.end(), [&](std::uint32_t x, std::uint32_t y) {
    const auto dx = sortable[x], dy = sortable[y];
    if (dx.empty() != dy.empty()) return dy.empty();
    return dx < dy;
  });
  for (std::uint32_t r = 0; r < n; ++r) rank[by_date[r]] = r;
  return rank;
}

std::uint32_t choose_source(std::span<const WordRange> occurrences,
                            std::span<const std::uint32_t> rank,
                            std::span<const std::uint8_t> dated) {
  std::uint32_t source = kNoSource;
  for (std::uint32_t k = 0; k < occurrences.size(); ++k) {
    const std::uint32_t doc = occurrences[k].doc;
    if (dated[doc] && (source == kNoSource || rank[doc] < rank[occurrences[source].doc])) {
      source = k;
    }
  }
  return source;
}

}  // namespace doppel
