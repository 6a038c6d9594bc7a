// Words as passages count them. An e-mail address, a message-id or a URL is one thing to a reader,
// but normalization splits it into many words ("<1993Apr5.091139.823@batman.bmd.trw.com>" is
// seven): a quote-attribution line of two of them would pass --min-words on its own and link
// every reply to one article. Here the words of such a token become one word. Pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "text/normalize.h"

namespace doppel {

// Whether a chunk of text (see find_address_chunks) is an address: it holds '@' or "://", or "www."
// (any case).
bool is_address_chunk(std::string_view chunk);

// Byte ranges [first, second) of `source`, sorted and distinct.
using AddressChunks = std::vector<std::pair<std::size_t, std::size_t>>;

// Replaces `chunks` with the chunks of `source` that are addresses; returns whether there is any
// (most documents have none). A chunk is delimited by whitespace and, with `wide_breaks`, by code
// points from U+2E80 on (Chinese, Japanese and Korean letters and punctuation, full-width forms),
// which text written without spaces puts right against an address ("详见www.stats.gov.cn。").
// `wide_breaks` goes with NormalizeOptions::cjk_characters_are_words: an index made before both
// (format version 3 or older) keeps whitespace-delimited chunks, so that its words stay as stored.
bool find_address_chunks(std::string_view source, bool wide_breaks, AddressChunks& chunks);

// The words of `norm` (normalized from `source`; Token::src_* are byte offsets into it) with
// those that lie in one of `chunks` joined into one word: its spans run from the first word's to
// the last word's, its hash is token_hash() of its canonical bytes from the first word's begin to
// the last word's end (separators included). Other words are copied as they are. Replaces
// `tokens` and `hashes`.
void join_chunk_words(const NormalizedText& norm, const AddressChunks& chunks,
                      std::vector<Token>& tokens, std::vector<std::uint64_t>& hashes);

// Both in place: the words of `norm` that lie in one address chunk of `source` become one word.
// `chunks` is scratch, kept between calls so that they allocate less.
void join_address_words(std::string_view source, bool wide_breaks, NormalizedText& norm,
                        AddressChunks& chunks);

}  // namespace doppel
