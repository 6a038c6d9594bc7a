// Appending JSON text to a std::string: the one escaper every writer uses. Pure functions.
#pragma once

#include <fmt/format.h>

#include <cstdint>
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

// Appends n in decimal digits. (fmt::format_to with a format string parses it on every call:
// the writers of millions of lines build them from these appends and string literals.)
inline void append_uint(std::string& out, std::uint64_t n) {
  const fmt::format_int digits(n);
  out.append(digits.data(), digits.size());
}
inline void append_int(std::string& out, std::int64_t n) {
  const fmt::format_int digits(n);
  out.append(digits.data(), digits.size());
}

}  // namespace doppel
