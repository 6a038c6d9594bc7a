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

// Code points before increasing byte offsets of one text: one pass over it.
class CodePointCounter {
 public:
  explicit CodePointCounter(std::string_view text) : text_(text) {}
  std::uint32_t before(std::size_t byte) {
    for (; pos_ < byte && pos_ < text_.size(); ++pos_) count_ += starts_code_point(text_[pos_]);
    return count_;
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  std::uint32_t count_ = 0;
};

// Each word's code points in the source, from its byte spans: one pass over the source for the
// begins and one for the ends, each increasing. (Two words can come from one character, as NFKC
// turns "¼" into "1⁄4": the second word then begins before the first one ends. One counter for
// both gave that word the code points after the character; found by tests/fuzz/fuzz_normalize.)
// Appends one span per word.
template <typename Out>
void word_code_point_spans(std::string_view source, std::span<const SourceSpan> byte_spans,
                           Out& out) {
  CodePointCounter begins(source), ends(source);
  for (const SourceSpan& s : byte_spans) {
    out.push_back(SourceSpan{begins.before(s.begin), ends.before(s.end)});
  }
}

}  // namespace doppel
