// A short one-line excerpt of a text, for listings that show a person which passage is meant.
// Pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace doppel {

// `text` on one line: each run of white space (line ends, tabs, no-break and ideographic spaces)
// made one space, the ends trimmed, and invalid UTF-8 bytes replaced by U+FFFD. Whole when that
// has at most `max_chars` code points; otherwise its start and its end joined by " … ", the
// whole at most `max_chars` code points, each part cut at a space where one is near (Thai, Lao,
// Khmer and Myanmar between words as ICU's dictionaries find them; other text written without
// spaces, as Chinese is, between characters, never before a combining mark). `max_chars` below 9
// counts as 9.
std::string excerpt(std::string_view text, std::size_t max_chars);

}  // namespace doppel
