// What the index's own files share and tests reach: the stored form of the options, and the
// order of "earlier" documents. Pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "doppel/index.h"

namespace doppel {

// Every option as (name, value as stored), in the stored order.
std::vector<std::pair<std::string, std::string>> option_values(const IndexOptions& options);
// The options back from to_string(); unknown names and bad values are errors.
Result<IndexOptions> parse_options(const std::string& text);
// "`threshold` 0.8 (asked: 0.7), ..." for each option named in `names` whose value differs; ""
// when none does.
std::string option_differences(const IndexOptions& stored, const IndexOptions& asked,
                               std::span<const std::string> names);

// Whether document a comes before document b as passage sources do: dated documents first, then
// by date (compare_dates(), corpus/dates.h), then by number.
bool earlier_by_date(std::string_view date_a, std::uint32_t a, std::string_view date_b,
                     std::uint32_t b);

// A date as the index keeps it beside each document, to order documents without reading their
// dates: the first kBytes bytes of its sortable_date() text, zero-padded, as three big-endian
// numbers (so that they compare as the bytes do), and its length, counted up to kBytes + 1.
struct DateKey {
  static constexpr std::uint32_t kBytes = 24;  // "YYYY-MM-DDTHH:MM:SS" and a fraction's digits
  std::uint64_t high = 0, mid = 0, low = 0;
  std::uint32_t size = 0;
};
DateKey date_key(std::string_view date);
// earlier_by_date() of a and b from their dates' keys: 1 (a first) or 0 (b first) where the keys
// decide it, -1 where both dates are longer than kBytes and alike that far (compare the dates).
int earlier_by_key(const DateKey& x, std::uint32_t a, const DateKey& y, std::uint32_t b);

}  // namespace doppel
