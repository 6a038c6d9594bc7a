// Appending JSON text to a std::string: the one escaper every writer uses. Pure functions.
#pragma once

#include <string>
#include <string_view>

namespace doppel {

// Appends `text` as a JSON string literal, quotes included. `text` must be valid UTF-8 (all
// document text is validated when read); control characters, quotes and backslashes are escaped,
// and so are '<', '>' and '&' so that the output can be embedded in HTML safely.
void append_json_string(std::string& out, std::string_view text);

// Appends `,"name":"value"` when `value` is not empty (optional fields such as a date).
void append_optional_json_field(std::string& out, std::string_view name, std::string_view value);

// Appends a number with up to 4 decimals, without trailing zeros ("0.8125", "1").
void append_json_number(std::string& out, double value);

}  // namespace doppel
