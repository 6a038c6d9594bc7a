#include "passages/passage_words.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <utility>
#include <vector>

namespace doppel {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Whether the UTF-8 code point starting with lead byte s[i] is U+2E80 or above: the letters and
// punctuation of Chinese, Japanese and Korean (and full-width forms, and the planes above), which
// text written without spaces puts right against an address ("详见www.stats.gov.cn。").
bool wide_at(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c >= 0xE3) return true;  // U+3000 and above
  return c == 0xE2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0xBA;
}

// Where an address chunk around s[at] may start and end: not past a space or, with
// `wide_breaks`, a wide code point.
bool chunk_byte(std::string_view s, std::size_t i, bool wide_breaks) {
  if (is_space(s[i])) return false;
  if (!wide_breaks) return true;
  std::size_t lead = i;
  while (lead > 0 && (static_cast<unsigned char>(s[lead]) & 0xC0) == 0x80) --lead;
  return !wide_at(s, lead);
}

}  // namespace

bool is_address_chunk(std::string_view chunk) {
  for (std::size_t i = 0; i < chunk.size(); ++i) {
    const char c = chunk[i];
    if (c == '@') return true;
    if (c == ':' && chunk.substr(i + 1, 2) == "//") return true;
    if ((c == 'w' || c == 'W') && i + 4 <= chunk.size() && lower(chunk[i + 1]) == 'w' &&
        lower(chunk[i + 2]) == 'w' && chunk[i + 3] == '.') {
      return true;
    }
  }
  return false;
}

bool find_address_chunks(std::string_view source, bool wide_breaks, AddressChunks& chunks) {
  // The address chunks, found from their marks ('@', ':' of "://", '.' of "www."): a search for
  // three bytes is much faster than a look at every word.
  chunks.clear();
  for (const char mark : {'@', ':', '.'}) {
    for (std::size_t at = source.find(mark); at != std::string_view::npos;
         at = source.find(mark, at + 1)) {
      // Only an '@', the ':' of "://" or the '.' of "www." makes an address.
      if (mark == ':' && source.substr(at + 1, 2) != "//") continue;
      if (mark == '.' && (at < 3 || lower(source[at - 3]) != 'w' || lower(source[at - 2]) != 'w' ||
                          lower(source[at - 1]) != 'w')) {
        continue;
      }
      std::size_t b = at, e = at + 1;
      while (b > 0 && chunk_byte(source, b - 1, wide_breaks)) --b;
      while (e < source.size() && chunk_byte(source, e, wide_breaks)) ++e;
      if (is_address_chunk(source.substr(b, e - b))) chunks.emplace_back(b, e);
      at = e;  // the next chunk
    }
  }
  if (chunks.empty()) return false;
  std::sort(chunks.begin(), chunks.end());
  chunks.erase(std::unique(chunks.begin(), chunks.end()), chunks.end());
  return true;
}

void join_chunk_words(const NormalizedText& norm, const AddressChunks& chunks,
                      std::vector<Token>& tokens, std::vector<std::uint64_t>& hashes) {
  const std::vector<Token>& in = norm.tokens;
  tokens.clear();
  hashes.clear();
  // Words before `done` are copied; the words of an address chunk become one.
  std::size_t done = 0;
  auto copy_until = [&](std::size_t end) {
    tokens.insert(tokens.end(), in.begin() + static_cast<long>(done),
                  in.begin() + static_cast<long>(end));
    hashes.insert(hashes.end(), norm.hashes.begin() + static_cast<long>(done),
                  norm.hashes.begin() + static_cast<long>(end));
    done = end;
  };
  auto src_before = [](const Token& t, std::size_t at) { return t.src_begin < at; };
  for (const auto& [begin, end] : chunks) {
    const auto first =
        std::lower_bound(in.begin() + static_cast<long>(done), in.end(), begin, src_before);
    const auto last = std::lower_bound(first, in.end(), end, src_before);
    if (last - first < 2) continue;
    copy_until(static_cast<std::size_t>(first - in.begin()));
    Token joined = *first;
    joined.end = std::prev(last)->end;
    joined.src_end = std::prev(last)->src_end;
    tokens.push_back(joined);
    hashes.push_back(token_hash(norm.word(joined)));
    done = static_cast<std::size_t>(last - in.begin());
  }
  copy_until(in.size());
}

void join_address_words(std::string_view source, bool wide_breaks, NormalizedText& norm,
                        AddressChunks& chunks) {
  if (!find_address_chunks(source, wide_breaks, chunks)) return;
  std::vector<Token> tokens;
  std::vector<std::uint64_t> hashes;
  join_chunk_words(norm, chunks, tokens, hashes);
  norm.tokens = std::move(tokens);
  norm.hashes = std::move(hashes);
}

}  // namespace doppel
