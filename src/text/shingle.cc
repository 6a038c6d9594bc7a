#include "text/shingle.h"

#define XXH_INLINE_ALL  // short keys: inlining beats the library call
#include <xxhash.h>

#include <algorithm>

#include "util/hash.h"

namespace doppel {
namespace {

// Odd multipliers, one per position in the n-gram, so that "a b" and "b a" differ.
constexpr std::uint64_t kPositionMultiplier[16] = {
    0x9e3779b97f4a7c15ULL, 0xc2b2ae3d27d4eb4fULL, 0x165667b19e3779f9ULL, 0xd6e8feb86659fd93ULL,
    0xa0761d6478bd642fULL, 0xe7037ed1a0b428dbULL, 0x8ebc6af09c88c6e3ULL, 0x589965cc75374cc3ULL,
    0x1d8e4e27c47d124fULL, 0xbf58476d1ce4e5b9ULL, 0x94d049bb133111ebULL, 0x2545f4914f6cdd1dULL,
    0x60bee2bee120fc15ULL, 0xa3b195354a39b70dULL, 0x1b03738712fad5c9ULL, 0xd1b54a32d192ed03ULL};

void word_shingles(const NormalizedText& text, int n, std::uint64_t seed,
                   std::vector<std::uint64_t>& out) {
  const auto& tokens = text.tokens;
  if (tokens.empty()) return;
  // Hash each word once; a shingle combines n word hashes by position.
  std::vector<std::uint64_t>& word_hash = out;  // reuse `out` as scratch, then overwrite in place
  word_hash.resize(tokens.size());
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const auto w = text.word(tokens[i]);
    word_hash[i] = XXH3_64bits_withSeed(w.data(), w.size(), seed);
  }
  const std::size_t width = std::min<std::size_t>(static_cast<std::size_t>(n), tokens.size());
  const std::size_t count = tokens.size() - width + 1;
  for (std::size_t i = 0; i < count; ++i) {  // shingle i reads words i..i+width-1, i <= them
    std::uint64_t sum = 0;
    for (std::size_t j = 0; j < width; ++j) sum += word_hash[i + j] * kPositionMultiplier[j & 15];
    word_hash[i] = mix64(sum + width);
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
