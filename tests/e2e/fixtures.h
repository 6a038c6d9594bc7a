// Generated inputs for the e2e tests: texts that share no 5-word run with each other (so that
// they never cluster unless a test makes them), JSON Lines around them, and the compressors'
// command-line tools. Header-only, deterministic.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "e2e/harness.h"

namespace doppel::test {

// A pseudo-random word from a vocabulary of ~17,000 (consonant-vowel syllables).
inline std::string synthetic_word(std::uint64_t& state) {
  static const char* kSyllables[] = {"ka",  "lo",  "mi",  "ne",  "pu",  "ra",  "si",  "to",
                                     "vu",  "ze",  "bri", "cho", "dra", "fle", "gro", "shu",
                                     "tha", "wen", "qua", "ys",  "ost", "emb", "ilk", "orn"};
  constexpr std::uint64_t kCount = sizeof kSyllables / sizeof kSyllables[0];
  std::string w;
  state = state * 6364136223846793005ULL + 1442695040888963407ULL;
  std::uint64_t x = state >> 20;
  const int syllables = 2 + static_cast<int>(x % 2);
  x /= 2;
  for (int i = 0; i < syllables; ++i) {
    w += kSyllables[x % kCount];
    x /= kCount;
  }
  return w;
}

// `words` pseudo-random words; distinct seeds give unrelated texts (Jaccard of 5-grams ~ 0).
inline std::string random_text(std::uint64_t seed, int words) {
  std::uint64_t state = seed * 0x9E3779B97F4A7C15ULL + 12345;
  std::string s;
  for (int i = 0; i < words; ++i) {
    if (i > 0) s += (i % 17 == 0) ? ". " : " ";
    s += synthetic_word(state);
  }
  return s + ".";
}

// A JSON Lines document; `text` must need no escaping (random_text never does).
inline std::string jsonl_doc(const std::string& id, const std::string& text,
                             const std::string& date = "") {
  std::string s = "{\"id\":\"" + id + "\"";
  if (!date.empty()) s += ",\"date\":\"" + date + "\"";
  return s + ",\"text\":\"" + text + "\"}";
}

// `n` unrelated documents "<prefix><i>", one a line.
inline std::string jsonl_corpus(const std::string& prefix, int n, int words = 60,
                                std::uint64_t seed = 1) {
  std::string s;
  for (int i = 0; i < n; ++i) {
    s += jsonl_doc(prefix + std::to_string(i), random_text(seed * 1000003 + i, words)) + "\n";
  }
  return s;
}

// Runs a command line through the shell (for zstd, gzip); fails the test if it fails.
inline void shell(const std::string& command) {
  const int rc = std::system(command.c_str());
  ASSERT_EQ(rc, 0) << command;
}

// `path` cut to its first half, written to `out`.
inline void cut_in_half(const std::string& path, const std::string& out) {
  const std::string bytes = read_file(path);
  write_file(out, bytes.substr(0, bytes.size() / 2));
}

inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// The lines of `text` that contain every one of `needles`.
inline int count_lines_with(const std::string& text, const std::vector<std::string>& needles) {
  int n = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    const std::string line = text.substr(start, nl - start);
    bool all = true;
    for (const auto& needle : needles) all = all && contains(line, needle);
    n += all;
    start = nl + 1;
  }
  return n;
}

}  // namespace doppel::test
