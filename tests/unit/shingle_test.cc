// Shingle hashes against a reference made of strings: the word n-grams (words
// joined by '\x1f') and the code-point n-grams of the canonical text. Hashes
// must behave exactly like the strings they stand for: equal n-grams give equal
// hashes and different ones different hashes, so set sizes and Jaccard
// similarities carry over exactly.
#include "text/shingle.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "text/normalize.h"

namespace doppel {
namespace {

constexpr std::uint64_t kSeed = 0x646f7070656c2121ULL;

NormalizedText normalized(std::string_view text) {
  NormalizedText out;
  normalize(text, NormalizeOptions{}, out);
  return out;
}

std::vector<std::uint64_t> shingles(const NormalizedText& text, ShingleKind kind, int n,
                                    std::uint64_t seed = kSeed) {
  std::vector<std::uint64_t> out = {1, 2, 3};  // replaced, not appended to
  shingle_hashes(text, ShingleOptions{kind, n}, seed, out);
  return out;
}

// The reference shingles: every run of n units (all of them when there are
// fewer), in order.
std::vector<std::string> string_shingles(const std::vector<std::string>& units, int n,
                                         std::string_view joiner) {
  std::vector<std::string> out;
  if (units.empty()) return out;
  const std::size_t width = std::min(units.size(), static_cast<std::size_t>(n));
  for (std::size_t i = 0; i + width <= units.size(); ++i) {
    std::string s = units[i];
    for (std::size_t j = 1; j < width; ++j) s += std::string(joiner) + units[i + j];
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<std::string> words_of(const NormalizedText& text) {
  std::vector<std::string> words;
  for (const Token& t : text.tokens) words.emplace_back(text.word(t));
  return words;
}

std::vector<std::string> code_points_of(const std::string& text) {
  std::vector<std::string> cps;
  for (const char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) == 0x80) {
      cps.back() += c;
    } else {
      cps.emplace_back(1, c);
    }
  }
  return cps;
}

std::vector<std::string> reference(const NormalizedText& text, ShingleKind kind, int n) {
  return kind == ShingleKind::kWords ? string_shingles(words_of(text), n, "\x1f")
                                     : string_shingles(code_points_of(text.text), n, "");
}

// Hashes and strings correspond one to one: same count, and positions i and j
// hold equal hashes exactly when they hold equal strings.
void expect_same_shingles(const std::vector<std::uint64_t>& hashes,
                          const std::vector<std::string>& strings, const std::string& context) {
  ASSERT_EQ(hashes.size(), strings.size()) << context;
  std::map<std::string, std::uint64_t> hash_of;
  std::map<std::uint64_t, std::string> string_of;
  for (std::size_t i = 0; i < hashes.size(); ++i) {
    const auto h = hash_of.emplace(strings[i], hashes[i]).first;
    ASSERT_EQ(h->second, hashes[i]) << "one shingle, two hashes: " << strings[i] << "; " << context;
    const auto s = string_of.emplace(hashes[i], strings[i]).first;
    ASSERT_EQ(s->second, strings[i]) << "two shingles, one hash; " << context;
  }
}

template <typename T>
double jaccard(const std::vector<T>& a, const std::vector<T>& b) {
  const std::set<T> sa(a.begin(), a.end()), sb(b.begin(), b.end());
  std::size_t common = 0;
  for (const T& x : sa) common += sb.count(x);
  const std::size_t uni = sa.size() + sb.size() - common;
  return uni == 0 ? 1.0 : double(common) / double(uni);
}

// Texts from a small vocabulary, so that n-grams repeat; some words are longer
// than 16 bytes (hashed by another path), some non-ASCII, and the separators
// vary.
std::string random_text(std::mt19937_64& rng, std::size_t max_words) {
  static constexpr std::string_view kVocabulary[] = {"the",
                                                     "The",
                                                     "a",
                                                     "cat",
                                                     "sat",
                                                     "on",
                                                     "mat",
                                                     "incomprehensibilities",
                                                     "Überweisungsträgerformular",
                                                     "café",
                                                     "日本語",
                                                     "σοφία",
                                                     "x1",
                                                     "42"};
  static constexpr std::string_view kSeparators[] = {" ", " ", " ", ", ", ". ", "\n", " -- "};
  std::string s;
  for (std::size_t k = rng() % (max_words + 1); k > 0; --k) {
    s += kVocabulary[rng() % std::size(kVocabulary)];
    s += kSeparators[rng() % std::size(kSeparators)];
  }
  return s;
}

// The start of the code point that byte `i` of s belongs to: where text may be
// inserted.
std::size_t code_point_boundary(const std::string& s, std::size_t i) {
  while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
  return i;
}

// --- Word shingles
// --------------------------------------------------------------------------------

TEST(ShingleWords, HashesCorrespondToWordNgrams) {
  std::mt19937_64 rng(0x77727331);
  for (int t = 0; t < 1500; ++t) {
    const NormalizedText text = normalized(random_text(rng, 40));
    for (const int n : {1, 2, 3, 5, 8}) {
      expect_same_shingles(shingles(text, ShingleKind::kWords, n),
                           reference(text, ShingleKind::kWords, n),
                           "n=" + std::to_string(n) + " text \"" + text.text + "\"");
    }
  }
}

// Across texts too: the distinct n-grams of a corpus have as many distinct
// hashes.
TEST(ShingleWords, DistinctCountsMatchAcrossTexts) {
  std::mt19937_64 rng(0x77727332);
  for (const int n : {1, 2, 3, 5}) {
    std::set<std::uint64_t> hashes;
    std::set<std::string> strings;
    for (int t = 0; t < 300; ++t) {
      const NormalizedText text = normalized(random_text(rng, 30));
      for (const auto h : shingles(text, ShingleKind::kWords, n)) hashes.insert(h);
      for (const auto& s : reference(text, ShingleKind::kWords, n)) strings.insert(s);
    }
    EXPECT_EQ(hashes.size(), strings.size()) << "n=" << n;
    EXPECT_GT(strings.size(), n == 1 ? 10u : 100u) << "n=" << n;  // something to count
  }
}

TEST(ShingleWords, JaccardOfHashesEqualsJaccardOfStrings) {
  std::mt19937_64 rng(0x77727333);
  int nontrivial = 0;
  for (int t = 0; t < 500; ++t) {
    const std::string a = random_text(rng, 30);
    // b: a with a few words inserted, or an unrelated text.
    std::string b;
    if (rng() % 4 == 0) {
      b = random_text(rng, 30);
    } else {
      b = a;
      for (int edits = static_cast<int>(rng() % 4); edits > 0 && !b.empty(); --edits) {
        b.insert(code_point_boundary(b, rng() % b.size()), rng() % 2 ? " mat " : " on the ");
      }
    }
    const NormalizedText ta = normalized(a), tb = normalized(b);
    const int n = 1 + static_cast<int>(rng() % 5);
    const double expected =
        jaccard(reference(ta, ShingleKind::kWords, n), reference(tb, ShingleKind::kWords, n));
    nontrivial += expected > 0 && expected < 1;
    ASSERT_EQ(jaccard(shingles(ta, ShingleKind::kWords, n), shingles(tb, ShingleKind::kWords, n)),
              expected)
        << "n=" << n << "\n"
        << ta.text << "\n"
        << tb.text;
  }
  EXPECT_GT(nontrivial, 200);
}

TEST(ShingleWords, TextShorterThanNIsOneShingleOfAllItsWords) {
  const NormalizedText text = normalized("Only three words");
  const auto five = shingles(text, ShingleKind::kWords, 5);
  ASSERT_EQ(five.size(), 1u);
  EXPECT_EQ(five, shingles(text, ShingleKind::kWords,
                           3));  // all three words, as for n = 3
  EXPECT_EQ(shingles(normalized("one"), ShingleKind::kWords, 5).size(), 1u);
  EXPECT_EQ(shingles(normalized("a b c d e"), ShingleKind::kWords, 5).size(), 1u);
  EXPECT_EQ(shingles(normalized("a b c d e f"), ShingleKind::kWords, 5).size(), 2u);
}

TEST(ShingleWords, EmptyTextHasNoShingles) {
  EXPECT_TRUE(shingles(normalized(""), ShingleKind::kWords, 5).empty());
  EXPECT_TRUE(shingles(normalized(" ... "), ShingleKind::kWords, 1).empty());
}

TEST(ShingleWords, WordOrderMatters) {
  EXPECT_NE(shingles(normalized("a b"), ShingleKind::kWords, 2),
            shingles(normalized("b a"), ShingleKind::kWords, 2));
  EXPECT_NE(shingles(normalized("the cat sat"), ShingleKind::kWords, 3),
            shingles(normalized("sat cat the"), ShingleKind::kWords, 3));
  EXPECT_NE(shingles(normalized("x y x"), ShingleKind::kWords, 3),
            shingles(normalized("y x x"), ShingleKind::kWords, 3));
}

// The CLI allows n up to 64: swapping the first and last word of an n-gram
// changes its hash.
TEST(ShingleWords, WordOrderMattersForEveryAllowedLength) {
  for (int n = 2; n <= 64; ++n) {
    std::string text, swapped;
    for (int i = 0; i < n; ++i) {
      text += "w" + std::to_string(i) + " ";
      swapped += "w" + std::to_string(i == 0 ? n - 1 : i == n - 1 ? 0 : i) + " ";
    }
    EXPECT_NE(shingles(normalized(text), ShingleKind::kWords, n),
              shingles(normalized(swapped), ShingleKind::kWords, n))
        << "n=" << n;
  }
}

TEST(ShingleWords, WordBoundariesMatter) {
  EXPECT_NE(shingles(normalized("ab c"), ShingleKind::kWords, 2),
            shingles(normalized("a bc"), ShingleKind::kWords, 2));
}

// "a a" (n = 2) is not "a" although the polynomial of one word is a prefix of
// it.
TEST(ShingleWords, RepeatedWordDiffersFromSingleWord) {
  EXPECT_NE(shingles(normalized("a a"), ShingleKind::kWords, 2),
            shingles(normalized("a"), ShingleKind::kWords, 2));
}

TEST(ShingleWords, SeedChangesEveryHash) {
  const NormalizedText text = normalized("the quick brown fox jumps over the lazy dog again");
  const auto a = shingles(text, ShingleKind::kWords, 3, 1);
  const auto b = shingles(text, ShingleKind::kWords, 3, 2);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_NE(a[i], b[i]) << i;
  EXPECT_EQ(a, shingles(text, ShingleKind::kWords, 3, 1));  // and is deterministic
}

// Shingles depend on the canonical words only.
TEST(ShingleWords, EqualAfterNormalization) {
  EXPECT_EQ(shingles(normalized("Don't  STOP me now!"), ShingleKind::kWords, 2),
            shingles(normalized("don\u2019t stop me\nnow"), ShingleKind::kWords, 2));
}

// --- Character shingles
// -------------------------------------------------------------------------

TEST(ShingleChars, HashesCorrespondToCodePointNgrams) {
  std::mt19937_64 rng(0x63687331);
  for (int t = 0; t < 1000; ++t) {
    const NormalizedText text = normalized(random_text(rng, 12));
    for (const int n : {1, 2, 3, 5, 9}) {
      expect_same_shingles(shingles(text, ShingleKind::kChars, n),
                           reference(text, ShingleKind::kChars, n),
                           "n=" + std::to_string(n) + " text \"" + text.text + "\"");
    }
  }
}

TEST(ShingleChars, JaccardOfHashesEqualsJaccardOfStrings) {
  std::mt19937_64 rng(0x63687332);
  for (int t = 0; t < 500; ++t) {
    const std::string a = random_text(rng, 10);
    std::string b = a;
    if (!b.empty()) b.insert(code_point_boundary(b, rng() % b.size()), rng() % 2 ? "日本" : "ca");
    const NormalizedText ta = normalized(a), tb = normalized(b);
    const int n = 1 + static_cast<int>(rng() % 5);
    ASSERT_EQ(jaccard(shingles(ta, ShingleKind::kChars, n), shingles(tb, ShingleKind::kChars, n)),
              jaccard(reference(ta, ShingleKind::kChars, n), reference(tb, ShingleKind::kChars, n)))
        << "n=" << n << "\n"
        << ta.text << "\n"
        << tb.text;
  }
}

TEST(ShingleChars, CountsCodePointsNotBytes) {
  // "日本語" is three code points of three bytes: n = 3 gives one shingle, n =
  // 2 two.
  const NormalizedText text = normalized("日本語");
  EXPECT_EQ(shingles(text, ShingleKind::kChars, 3).size(), 1u);
  EXPECT_EQ(shingles(text, ShingleKind::kChars, 2).size(), 2u);
  EXPECT_EQ(shingles(normalized("ab c"), ShingleKind::kChars, 2).size(),
            3u);  // the space counts
}

TEST(ShingleChars, TextShorterThanNIsOneShingle) {
  const NormalizedText text = normalized("h\u00e9");
  ASSERT_EQ(shingles(text, ShingleKind::kChars, 5).size(), 1u);
  EXPECT_EQ(shingles(text, ShingleKind::kChars, 5), shingles(text, ShingleKind::kChars, 2));
}

TEST(ShingleChars, EmptyTextHasNoShingles) {
  EXPECT_TRUE(shingles(normalized(""), ShingleKind::kChars, 3).empty());
}

TEST(ShingleChars, OrderMattersAndSeedChangesHashes) {
  EXPECT_NE(shingles(normalized("ab"), ShingleKind::kChars, 2),
            shingles(normalized("ba"), ShingleKind::kChars, 2));
  const NormalizedText text = normalized("some text here");
  const auto a = shingles(text, ShingleKind::kChars, 4, 1);
  const auto b = shingles(text, ShingleKind::kChars, 4, 2);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_NE(a[i], b[i]) << i;
}

// --- Exact hash
// ---------------------------------------------------------------------------------

TEST(ExactHash, EqualForTextsEqualAfterNormalization) {
  EXPECT_EQ(exact_hash(normalized("Hello  World")), exact_hash(normalized("hello world!")));
  EXPECT_EQ(exact_hash(normalized("\uFB01ne CAFE\u0301")),
            exact_hash(normalized("fine caf\u00e9")));
  EXPECT_EQ(exact_hash(normalized("")), exact_hash(normalized(" ... ")));
}

TEST(ExactHash, DifferentForDifferentTexts) {
  EXPECT_NE(exact_hash(normalized("hello world")), exact_hash(normalized("hello worlds")));
  EXPECT_NE(exact_hash(normalized("ab")), exact_hash(normalized("a b")));
  EXPECT_NE(exact_hash(normalized("world hello")), exact_hash(normalized("hello world")));
  EXPECT_NE(exact_hash(normalized("")), exact_hash(normalized("a")));
}

TEST(ExactHash, EqualExactlyWhenCanonicalTextsAreEqual) {
  std::mt19937_64 rng(0x65786163);
  std::map<std::string, ExactHash> by_text;
  std::set<ExactHash> hashes;
  for (int t = 0; t < 3000; ++t) {
    const NormalizedText text = normalized(random_text(rng, 6));
    const ExactHash h = exact_hash(text);
    const auto [it, inserted] = by_text.emplace(text.text, h);
    ASSERT_TRUE(it->second == h) << text.text;
    if (inserted) {
      ASSERT_TRUE(hashes.insert(h).second) << "collision: " << text.text;
    }
  }
  EXPECT_GT(by_text.size(), 1000u);
  EXPECT_LT(by_text.size(),
            3000u);  // repeats happen, so equal texts were compared too
}

}  // namespace
}  // namespace doppel
