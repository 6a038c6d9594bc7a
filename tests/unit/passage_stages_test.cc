// The reuse stages after alignment (cutting an alignment where the reuse stops and joining the
// pieces of one pair: segments_test.cc): which passages qualify, choosing a passage's source, the
// map from words to source offsets, and cutting passages out of a text, each against a slow
// reference.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "passages/cleaning.h"
#include "passages/segments.h"
#include "passages/sources.h"
#include "text/normalize.h"
#include "text/source_offsets.h"
#include "text/utf8.h"

namespace doppel {
namespace {

TEST(PassageQualifies, BothSidesLongEnoughAndSimilarEnough) {
  const Piece p{10, 30, 50, 66, 15, 0};  // 20 and 16 words, 15 matches: 30/36
  EXPECT_TRUE(passage_qualifies(p, 16, 0.8));
  EXPECT_FALSE(passage_qualifies(p, 17, 0.8));
  EXPECT_FALSE(passage_qualifies(p, 16, 0.85));
}

TEST(Sources, RankByDateAndTheEarliestDatedMember) {
  Corpus corpus;
  const std::vector<std::pair<const char*, const char*>> docs = {
      {"a", "2021-05-01"}, {"b", ""}, {"c", "2020-01-01"}, {"d", "2020-01-01"}, {"e", ""}};
  for (const auto& [id, date] : docs) {
    Document d;
    d.id_begin = corpus.strings.size();
    d.id_size = 1;
    d.date_size = static_cast<std::uint32_t>(std::string_view(date).size());
    corpus.strings += id;
    corpus.strings += date;
    corpus.docs.push_back(d);
  }
  const std::vector<std::uint32_t> rank = rank_by_date(corpus);
  EXPECT_EQ(rank, (std::vector<std::uint32_t>{2, 3, 0, 1, 4}));  // c, d, a, then b, e
  const std::vector<std::uint8_t> dated = {1, 0, 1, 1, 0};
  const std::vector<WordRange> occurrences = {
      {0, 5, 9}, {1, 0, 4}, {3, 2, 6}, {3, 10, 14}, {2, 7, 9}};
  EXPECT_EQ(choose_source(occurrences, rank, dated), 4u);  // c, ranked first
  const std::vector<WordRange> tie = {{3, 2, 6}, {3, 10, 14}};
  EXPECT_EQ(choose_source(tie, rank, dated), 0u);  // the first occurrence in that document
  const std::vector<WordRange> undated = {{1, 0, 3}, {4, 0, 3}};
  EXPECT_EQ(choose_source(undated, rank, dated), kNoSource);
}

// The code point spans against a slow reference that decodes the text up to each byte.
// Regression (tests/fuzz/fuzz_normalize): NFKC makes "¼" two words, "1" and "4", both from one
// character; the second one's code points were counted from after the character.
TEST(SourceOffsets, TwoWordsFromOneCharacter) {
  const std::string source = "a ¼ b";
  NormalizedText norm;
  normalize(source, NormalizeOptions{}, norm);
  ASSERT_EQ(norm.tokens.size(), 4u);  // a, 1, 4, b
  std::vector<SourceSpan> bytes, cps;
  word_byte_spans(norm.tokens, 0, bytes);
  word_code_point_spans(source, bytes, cps);
  EXPECT_EQ(cps[1].begin, 2u);
  EXPECT_EQ(cps[1].end, 3u);
  EXPECT_EQ(cps[2].begin, 2u);  // was 3
  EXPECT_EQ(cps[2].end, 3u);
  EXPECT_EQ(cps[3].begin, 4u);
}

TEST(SourceOffsets, WordSpansInBytesAndCodePoints) {
  std::mt19937_64 rng(23);
  const std::vector<std::string> pieces = {"word",   "Straße", "naïve", " ", "  ",  "\n", "—",
                                           "日本語", "ﬁne",    "😀",     ",", "A.B", "¼",  "x²"};
  for (int t = 0; t < 300; ++t) {
    std::string header = rng() % 2 ? "date 2020-01-01\n\n" : "";
    std::string body;
    for (std::size_t i = rng() % 40; i > 0; --i) body += pieces[rng() % pieces.size()];
    const std::string source = header + body;
    NormalizedText norm;
    normalize(body, NormalizeOptions{}, norm);
    std::vector<SourceSpan> bytes, cps;
    word_byte_spans(norm.tokens, header.size(), bytes);
    word_code_point_spans(source, bytes, cps);
    ASSERT_EQ(bytes.size(), norm.tokens.size());
    ASSERT_EQ(cps.size(), bytes.size());
    auto code_points_before = [&](std::size_t byte) {
      return count_code_points(std::string_view(source).substr(0, byte));
    };
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      ASSERT_EQ(bytes[i].begin, header.size() + norm.tokens[i].src_begin);
      ASSERT_EQ(bytes[i].end, header.size() + norm.tokens[i].src_end);
      ASSERT_EQ(cps[i].begin, code_points_before(bytes[i].begin));
      ASSERT_EQ(cps[i].end, code_points_before(bytes[i].end));
    }
    std::uint64_t n = 0;
    for (std::size_t i = 0; i < source.size();) {
      char32_t cp = 0;
      i += static_cast<std::size_t>(decode_utf8(source, i, cp));
      ++n;
    }
    ASSERT_EQ(count_code_points(source), n);
  }
}

std::string clean(std::string_view body, std::size_t offset, std::vector<ByteSpan> spans) {
  std::string out;
  apply_cuts(body, plan_cuts(body, offset, spans), out);
  return out;
}

TEST(Cleaning, CutsTakeClosingPunctuationAndTheSpaceAfter) {
  //                    0         1         2         3         4
  //                    0123456789012345678901234567890123456789012345
  const std::string body = "New text. Reused passage, “quoted.” More new.";
  // The passage "Reused passage" and its comma and the space after it.
  EXPECT_EQ(clean(body, 0, {{10, 24}}), "New text. “quoted.” More new.");
  // "quoted" with its opening “ and closing .” (multi-byte marks), and the space after.
  const std::size_t q = body.find("quoted");
  EXPECT_EQ(clean(body, 0, {{q, q + 6}}), "New text. Reused passage, More new.");
  // An opening mark right after a word is not its own: kept, and the space after the cut too.
  EXPECT_EQ(clean("said\"yes. Next", 0, {{5, 8}}), "said\" Next");
  // Marks one after another, at the start of the text.
  EXPECT_EQ(clean("(\"Quoted\") after", 0, {{2, 8}}), "after");
  // In source coordinates: the body starts 5 bytes into the source.
  EXPECT_EQ(clean(body, 5, {{15, 29}}), "New text. “quoted.” More new.");
  // Mid-word (no space before): the space after is kept.
  EXPECT_EQ(clean("abc def", 0, {{1, 3}}), "a def");
  // Chinese and Japanese: full-width closing marks go with the passage, and a full-width opening
  // mark too, though no space comes before it.
  const std::string zh = "导语。共享段落文字。戊己。";
  const std::size_t p = zh.find("共享");
  const std::size_t e = zh.find("。戊");
  EXPECT_EQ(clean(zh, 0, {{p, e}}), "导语。戊己。");
  const std::string ja = "導入。「共有の段落」！次の話。";
  EXPECT_EQ(clean(ja, 0, {{ja.find("共有"), ja.find("」")}}), "導入。次の話。");
  const std::string quoted = "前文，（引用部分）。后文";
  EXPECT_EQ(clean(quoted, 0, {{quoted.find("引用"), quoted.find("）")}}), "前文，后文");
  // An ASCII mark against the word before stays (as above); the full-width one after it goes.
  const std::string mixed = "said\"「引用部分」 next";
  EXPECT_EQ(clean(mixed, 0, {{mixed.find("引用"), mixed.find("」")}}), "said\" next");
  // An occurrence that starts inside an earlier cut is left out.
  const auto cuts = plan_cuts(body, 0, std::vector<ByteSpan>{{10, 24}, {20, 30}});
  ASSERT_EQ(cuts.size(), 1u);
  EXPECT_EQ(cuts[0].occurrence, 0u);
}

TEST(Cleaning, PolicyCutsPassagesInEnoughDocumentsAndMaybeNotTheSource) {
  const CleaningPolicy policy{3, false};
  EXPECT_FALSE(is_cut(policy, 2, false));
  EXPECT_TRUE(is_cut(policy, 3, true));
  const CleaningPolicy keep_source{2, true};
  EXPECT_FALSE(is_cut(keep_source, 5, true));
  EXPECT_TRUE(is_cut(keep_source, 5, false));
}

}  // namespace
}  // namespace doppel
