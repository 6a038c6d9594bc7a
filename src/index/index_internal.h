// What the index's own files share and tests reach: the stored form of the options.
// Pure functions.
#pragma once

#include <span>
#include <string>
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

}  // namespace doppel
