// Normalization and tokenization in one pass: the canonical form of a text (docs/normalization.md)
// and its words, each word with the byte span of the original text it came from, so that every
// later stage can point back into the user's text. Pure function; the output is caller-owned
// scratch that is reused across documents to avoid allocations.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "doppel/options.h"

namespace doppel {

struct Token {
  std::uint32_t begin = 0, end = 0;          // bytes of NormalizedText::text
  std::uint32_t src_begin = 0, src_end = 0;  // bytes of the original text
};

struct WordBreaker;    // ICU's word break iterator (NormalizeOptions::dictionary_words)
struct HanSimplifier;  // ICU's Traditional-Simplified (NormalizeOptions::han_simplified)

struct NormalizedText {
  std::string text;           // canonical form: words separated by single spaces (by default)
  std::vector<Token> tokens;  // the words of `text`, in order
  std::vector<std::uint64_t> hashes;  // token_hash() of each word, computed while normalizing
  std::vector<std::int32_t> scratch;  // code points of the non-ASCII path; reused, not output
  // Made when a text first needs it (Thai, Lao, Khmer or Myanmar letters) and kept for the next
  // texts. A copy shares it: a thread normalizes into a NormalizedText of its own.
  std::shared_ptr<WordBreaker> word_breaker;
  std::shared_ptr<HanSimplifier> han_simplifier;  // the same, for the step "hans"
  std::string_view word(const Token& t) const {
    return std::string_view(text).substr(t.begin, t.end - t.begin);
  }
};

// The 64-bit hash of a word's canonical bytes. Words of up to 16 bytes (nearly all) are mixed
// from two registers; longer ones go through XXH3.
std::uint64_t token_hash(std::string_view word);

// Letters, marks and digits of Thai, Lao, Khmer and Myanmar: scripts written without spaces
// between words, whose words ICU's dictionaries find (NormalizeOptions::dictionary_words).
bool is_dictionary_script(char32_t cp);

// The breaks between words that ICU's dictionaries find in `text` (valid UTF-8, typically a run of
// such letters): byte offsets, ascending, neither 0 nor text.size(); none where ICU cannot tell.
std::vector<std::size_t> dictionary_word_breaks(std::string_view text);

// The version of ICU this build cuts those words with ("72.1"): another version's dictionaries
// may cut some words differently, so an index records the one that cut its stored words.
std::string icu_version();

// `input` must be valid UTF-8 of less than 4 GiB. Words are maximal runs of letters, marks and
// digits (and of punctuation and symbols when fold_punctuation is off).
void normalize(std::string_view input, const NormalizeOptions& options, NormalizedText& out);

}  // namespace doppel
