// The one map from normalized words back to the user's text: where each word lies in the
// document's source text, in bytes and in code points. Source offsets count from the source's
// first byte: a JSON line's decoded text field, or a whole text file as it is on disk, its header
// line included (ParsedDoc::source). Every span doppel reports (passage pairs, clusters,
// documents, the cleaned corpus, the report) goes through here. Pure functions; `Out` is any
// vector of SourceSpan (the reuse job writes into huge-page arrays).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "text/normalize.h"

namespace doppel {

// [begin, end) in one unit (bytes or code points) of the source text.
struct SourceSpan {
  std::uint32_t begin = 0, end = 0;
};

inline bool starts_code_point(char c) { return (static_cast<unsigned char>(c) & 0xc0) != 0x80; }

// Code points of a valid UTF-8 text.
std::uint64_t count_code_points(std::string_view text);

// Each word's bytes in the source: the tokens of the normalized body, shifted by where the body
// starts in the source. Appends one span per token.
template <typename Out>
void word_byte_spans(std::span<const Token> tokens, std::size_t body_offset, Out& out) {
  const auto base = static_cast<std::uint32_t>(body_offset);
  for (const Token& t : tokens) out.push_back(SourceSpan{base + t.src_begin, base + t.src_end});
}

// Each word's code points in the source, from its byte spans (in increasing order): one pass
// over the source. Appends one span per word.
template <typename Out>
void word_code_point_spans(std::string_view source, std::span<const SourceSpan> byte_spans,
                           Out& out) {
  std::size_t pos = 0;
  std::uint32_t count = 0;
  auto at = [&](std::size_t byte) {  // code points before `byte`; bytes only increase
    for (; pos < byte && pos < source.size(); ++pos) count += starts_code_point(source[pos]);
    return count;
  };
  for (const SourceSpan& s : byte_spans) {
    const std::uint32_t begin = at(s.begin);
    out.push_back(SourceSpan{begin, at(s.end)});
  }
}

}  // namespace doppel
