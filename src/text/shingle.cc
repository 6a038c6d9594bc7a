#include "text/shingle.h"

#define XXH_INLINE_ALL  // short keys: inlining beats the library call
#include <xxhash.h>

#include <algorithm>

#include "util/hash.h"

namespace doppel {
namespace {

// A shingle is the polynomial sum(word_hash[i + j] * kBase^(width - 1 - j)) over its words,
// mixed: position matters ("a b" differs from "b a"), and sliding the window costs two
// multiplications whatever the shingle length.
constexpr std::uint64_t kBase = 0x9e3779b97f4a7c15ULL;

void word_shingles(const NormalizedText& text, int n, std::uint64_t seed,
                   std::vector<std::uint64_t>& out) {
  const auto& tokens = text.tokens;
  if (tokens.empty()) return;
  // The words' hashes (from normalization), seeded, into `out`; shingle i then overwrites out[i]
  // (it reads i..i+width-1).
  std::vector<std::uint64_t>& word_hash = out;
  word_hash.resize(tokens.size());
  for (std::size_t i = 0; i < tokens.size(); ++i) word_hash[i] = text.hashes[i] ^ seed;
  const std::size_t width = std::min<std::size_t>(static_cast<std::size_t>(n), tokens.size());
  const std::size_t count = tokens.size() - width + 1;
  std::uint64_t top = 1;  // kBase^(width - 1)
  for (std::size_t j = 1; j < width; ++j) top *= kBase;
  std::uint64_t sum = 0;
  for (std::size_t j = 0; j < width; ++j) sum = sum * kBase + word_hash[j];
  for (std::size_t i = 0;; ++i) {
    const std::uint64_t first = word_hash[i];
    word_hash[i] = mix64(sum + width);
    if (i + 1 == count) break;
    sum = (sum - first * top) * kBase + word_hash[i + width];
  }
  out.resize(count);
}

void char_shingles(const NormalizedText& text, int n, std::uint64_t seed,
                   std::vector<std::uint64_t>& out) {
  const std::string& s = text.text;
  if (s.empty()) return;
  std::vector<std::uint32_t> starts;  // byte offset of each code point
  starts.reserve(s.size() + 1);
  for (std::uint32_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) starts.push_back(i);
  }
  starts.push_back(static_cast<std::uint32_t>(s.size()));
  const std::size_t chars = starts.size() - 1;
  const std::size_t width = std::min<std::size_t>(static_cast<std::size_t>(n), chars);
  for (std::size_t i = 0; i + width <= chars; ++i) {
    out.push_back(XXH3_64bits_withSeed(s.data() + starts[i], starts[i + width] - starts[i], seed));
  }
}

}  // namespace

ExactHash exact_hash(const NormalizedText& text) {
  const XXH128_hash_t h = XXH3_128bits(text.text.data(), text.text.size());
  return ExactHash{h.low64, h.high64};
}

void shingle_hashes(const NormalizedText& text, const ShingleOptions& options, std::uint64_t seed,
                    std::vector<std::uint64_t>& out) {
  out.clear();
  if (options.kind == ShingleKind::kWords) {
    word_shingles(text, options.n, seed, out);
  } else {
    char_shingles(text, options.n, seed, out);
  }
}

}  // namespace doppel
