// join_address_words against a slow reference written from its header: the source split at
// whitespace into chunks, each chunk that is an address taking all its words as one.
#include "passages/passage_words.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace doppel {
namespace {

struct Word {
  std::uint32_t src_begin, src_end;
  std::string canonical;  // the canonical bytes the word's hash is of
  friend bool operator==(const Word&, const Word&) = default;
};

std::vector<Word> words_of(const NormalizedText& n) {
  std::vector<Word> out;
  for (std::size_t i = 0; i < n.tokens.size(); ++i) {
    const Token& t = n.tokens[i];
    EXPECT_EQ(n.hashes[i], token_hash(n.word(t)));
    out.push_back({t.src_begin, t.src_end, std::string(n.word(t))});
  }
  return out;
}

std::vector<Word> reference(const std::string& source, const NormalizedText& n) {
  // The chunks of the source: [begin, end) between whitespace.
  std::vector<std::pair<std::size_t, std::size_t>> chunks;
  for (std::size_t i = 0; i < source.size();) {
    if (std::string(" \t\n\r\f\v").find(source[i]) != std::string::npos) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < source.size() && std::string(" \t\n\r\f\v").find(source[j]) == std::string::npos) {
      ++j;
    }
    chunks.emplace_back(i, j);
    i = j;
  }
  std::vector<Word> out;
  for (std::size_t i = 0; i < n.tokens.size();) {
    const Token& t = n.tokens[i];
    std::size_t c = 0;
    while (!(chunks[c].first <= t.src_begin && t.src_begin < chunks[c].second)) ++c;
    std::size_t j = i + 1;
    if (is_address_chunk(
            std::string_view(source).substr(chunks[c].first, chunks[c].second - chunks[c].first))) {
      while (j < n.tokens.size() && n.tokens[j].src_begin < chunks[c].second) ++j;
    }
    const Token& last = n.tokens[j - 1];
    out.push_back({t.src_begin, last.src_end, n.text.substr(t.begin, last.end - t.begin)});
    i = j;
  }
  return out;
}

using Chunks = std::vector<std::pair<std::size_t, std::size_t>>;  // join_address_words' scratch

NormalizedText normalized(const std::string& text) {
  NormalizedText n;
  normalize(text, NormalizeOptions{}, n);
  return n;
}

TEST(PassageWords, AddressesAreChunksWithAtSignsSchemesOrWww) {
  EXPECT_TRUE(is_address_chunk("jbrown@batman.bmd.trw.com"));
  EXPECT_TRUE(is_address_chunk("<1993Apr5.091139.823@batman.bmd.trw.com>"));
  EXPECT_TRUE(is_address_chunk("(http://example.org/a/b.html)"));
  EXPECT_TRUE(is_address_chunk("ftp://ftp.uu.net/pub"));
  EXPECT_TRUE(is_address_chunk("WWW.Example.com,"));
  EXPECT_FALSE(is_address_chunk("writes:"));
  EXPECT_FALSE(is_address_chunk("1993Apr5.091139.823"));
  EXPECT_FALSE(is_address_chunk("http:/x"));
  EXPECT_FALSE(is_address_chunk("ww.x"));
  EXPECT_FALSE(is_address_chunk("www"));
}

TEST(PassageWords, AnAttributionLineIsFiveWords) {
  const std::string line =
      "In article <1993Apr5.091139.823@batman.bmd.trw.com> jbrown@batman.bmd.trw.com writes:";
  NormalizedText n = normalized(line);
  EXPECT_EQ(n.tokens.size(), 15u);  // as many as --min-words asks of a passage
  Chunks chunks;
  join_address_words(line, n, chunks);
  const std::vector<Word> w = words_of(n);
  ASSERT_EQ(w.size(), 5u);
  EXPECT_EQ(line.substr(w[2].src_begin, w[2].src_end - w[2].src_begin),
            "1993Apr5.091139.823@batman.bmd.trw.com");
  EXPECT_EQ(line.substr(w[3].src_begin, w[3].src_end - w[3].src_begin),
            "jbrown@batman.bmd.trw.com");
  EXPECT_EQ(w[4].canonical, "writes");
}

TEST(PassageWords, OtherWordsStayAsTheyAre) {
  const std::string text = "The U.S. economy grew 2.5 pct, said Mr. Smith (not an address).";
  NormalizedText n = normalized(text);
  const std::vector<Word> before = words_of(n);
  Chunks chunks;
  join_address_words(text, n, chunks);
  EXPECT_EQ(words_of(n), before);
}

TEST(PassageWords, MatchesTheReferenceOnRandomText) {
  const std::vector<std::string> pieces = {
      "word",  "Über",  "naïve", "e-mail", "a@b.c",      "<x.y@z.org>", "http://h.org/p?q=1",
      "www.x", "2.5",   "U.S.",  "(",      ")",          "@",           "foo@",
      "://",   "café—", "x",     "--",     "Ünï@cödé.de"};
  const std::vector<std::string> spaces = {" ", "  ", "\n", "\t", "", "", "", "\r\n"};
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 2000; ++trial) {
    std::string text;
    const int n = static_cast<int>(rng() % 30);
    for (int k = 0; k < n; ++k) {
      text += pieces[rng() % pieces.size()];
      text += spaces[rng() % spaces.size()];
    }
    NormalizedText norm = normalized(text);
    const std::vector<Word> expected = reference(text, norm);
    Chunks chunks;
    join_address_words(text, norm, chunks);
    ASSERT_EQ(words_of(norm), expected) << text;
  }
}

}  // namespace
}  // namespace doppel
