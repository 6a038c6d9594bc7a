// join_address_words against a slow reference written from its header: the source split at
// whitespace and wide code points into chunks, each chunk that is an address taking all its words
// as one.
#include "passages/passage_words.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "text/utf8.h"

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

std::vector<Word> reference(const std::string& source, const NormalizedText& n, bool wide_breaks) {
  // The chunks of the source: [begin, end) between whitespace and code points from U+2E80 on
  // (Chinese, Japanese and Korean letters and punctuation, full-width forms), which text without
  // spaces puts against an address.
  auto separates = [&](std::size_t i, std::size_t& len) {
    char32_t cp;
    len = static_cast<std::size_t>(decode_utf8(source, i, cp));
    return std::string(" \t\n\r\f\v").find(source[i]) != std::string::npos ||
           (wide_breaks && cp >= 0x2E80);
  };
  std::vector<std::pair<std::size_t, std::size_t>> chunks;
  for (std::size_t i = 0, len = 0; i < source.size();) {
    if (separates(i, len)) {
      i += len;
      continue;
    }
    std::size_t j = i;
    while (j < source.size() && !separates(j, len)) j += len;
    chunks.emplace_back(i, j);
    i = j;
  }
  std::vector<Word> out;
  for (std::size_t i = 0; i < n.tokens.size();) {
    const Token& t = n.tokens[i];
    std::size_t c = 0;
    while (c < chunks.size() &&
           !(chunks[c].first <= t.src_begin && t.src_begin < chunks[c].second)) {
      ++c;
    }
    std::size_t j = i + 1;
    if (c < chunks.size() && is_address_chunk(std::string_view(source).substr(
                                 chunks[c].first, chunks[c].second - chunks[c].first))) {
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
  join_address_words(line, true, n, chunks);
  const std::vector<Word> w = words_of(n);
  ASSERT_EQ(w.size(), 5u);
  EXPECT_EQ(line.substr(w[2].src_begin, w[2].src_end - w[2].src_begin),
            "1993Apr5.091139.823@batman.bmd.trw.com");
  EXPECT_EQ(line.substr(w[3].src_begin, w[3].src_end - w[3].src_begin),
            "jbrown@batman.bmd.trw.com");
  EXPECT_EQ(w[4].canonical, "writes");
}

// Chinese puts no space around an address: the address is still one word, and the letters
// around it stay words of their own.
TEST(PassageWords, AnAddressInChineseTextIsOneWordAndOnlyThat) {
  const std::string text = "国家统计局称详见www.stats.gov.cn。数据显示";
  NormalizedText n = normalized(text);
  Chunks chunks;
  join_address_words(text, true, n, chunks);
  std::vector<std::string> got;
  for (const Token& t : n.tokens) got.emplace_back(n.word(t));
  EXPECT_EQ(got, (std::vector<std::string>{"国", "家", "统", "计", "局", "称", "详", "见",
                                           "www stats gov cn", "数", "据", "显", "示"}));
  // An index made before the rule (format version 3) keeps the chunk between spaces.
  NormalizeOptions old;
  old.cjk_characters_are_words = false;
  normalize(text, old, n);
  join_address_words(text, false, n, chunks);
  ASSERT_EQ(n.tokens.size(), 1U);
}

TEST(PassageWords, OtherWordsStayAsTheyAre) {
  const std::string text = "The U.S. economy grew 2.5 pct, said Mr. Smith (not an address).";
  NormalizedText n = normalized(text);
  const std::vector<Word> before = words_of(n);
  Chunks chunks;
  join_address_words(text, true, n, chunks);
  EXPECT_EQ(words_of(n), before);
}

TEST(PassageWords, MatchesTheReferenceOnRandomText) {
  const std::vector<std::string> pieces = {
      "word",  "Über",   "naïve", "e-mail", "a@b.c",       "<x.y@z.org>", "http://h.org/p?q=1",
      "www.x", "2.5",    "U.S.",  "(",      ")",           "@",           "foo@",
      "://",   "café—",  "x",     "--",     "Ünï@cödé.de", "详见",        "。",
      "，",    "ｗｗｗ", "\u2e80"};
  const std::vector<std::string> spaces = {" ", "  ", "\n", "\t", "", "", "", "\r\n"};
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 2000; ++trial) {
    std::string text;
    const int n = static_cast<int>(rng() % 30);
    for (int k = 0; k < n; ++k) {
      text += pieces[rng() % pieces.size()];
      text += spaces[rng() % spaces.size()];
    }
    for (const bool wide_breaks : {true, false}) {
      NormalizedText norm = normalized(text);
      const std::vector<Word> expected = reference(text, norm, wide_breaks);
      Chunks chunks;
      join_address_words(text, wide_breaks, norm, chunks);
      ASSERT_EQ(words_of(norm), expected) << text << (wide_breaks ? "" : " (no wide breaks)");
    }
  }
}

}  // namespace
}  // namespace doppel
