// UTF-8 validation and decoding. Pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace doppel {

// Byte offset of the first invalid UTF-8 sequence (overlong forms, surrogates and code points
// above U+10FFFF are invalid), or text.size() when the whole text is valid.
std::size_t find_invalid_utf8(std::string_view text);

// `text` with each byte that is not part of valid UTF-8 written as the four characters \xHH
// (uppercase hex): file names of other encodings, shown in messages and used as ids, so that every
// output stays UTF-8. Valid text comes back as it was.
std::string escape_invalid_utf8(std::string_view text);

// `text` with each byte that is not part of valid UTF-8 replaced by U+FFFD (so that JSON with
// invalid bytes in a string can be read for its other fields).
std::string replace_invalid_utf8(std::string_view text);

// Decodes the code point starting at text[i] in valid UTF-8; returns its length in bytes.
int decode_utf8(std::string_view text, std::size_t i, char32_t& cp);

// Appends the UTF-8 encoding of cp; returns the number of bytes.
int encode_utf8(char32_t cp, char* out);

}  // namespace doppel
