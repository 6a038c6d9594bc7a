// The listing's one-line excerpt: white space folded, whole texts kept, long ones cut at a space
// near the cut into a start and an end; checked on examples and, on random texts, against what
// must hold of any excerpt (length, a prefix and a suffix of the folded text, valid UTF-8).
#include "text/excerpt.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "text/normalize.h"
#include "text/utf8.h"

namespace doppel {
namespace {

std::size_t code_points(std::string_view s) {
  std::size_t n = 0;
  for (const char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// The folded text, the slow way: words split at white space, joined by one space.
std::string folded(std::string_view text) {
  std::vector<std::string> words(1);
  for (std::size_t i = 0; i < text.size();) {
    char32_t cp = 0;
    const int n = decode_utf8(text, i, cp);
    const bool space = cp == ' ' || cp == '\n' || cp == '\t' || cp == '\r' || cp == 0xA0 ||
                       cp == 0x3000 || cp == 0x2009;
    if (space) {
      if (!words.back().empty()) words.emplace_back();
    } else {
      words.back().append(text.substr(i, static_cast<std::size_t>(n)));
    }
    i += static_cast<std::size_t>(n);
  }
  std::string out;
  for (const std::string& w : words) {
    if (w.empty()) continue;
    if (!out.empty()) out += ' ';
    out += w;
  }
  return out;
}

TEST(Excerpt, AShortTextIsKeptWholeOnOneLine) {
  EXPECT_EQ(excerpt("  The  war\n\nin\tAfghanistan \u00a0 ended. \n", 80),
            "The war in Afghanistan ended.");
  EXPECT_EQ(excerpt("", 80), "");
  EXPECT_EQ(excerpt(" \n\t ", 80), "");
}

TEST(Excerpt, ALongTextKeepsItsStartAndItsEndCutAtSpaces) {
  const std::string text =
      "The Taliban took control of Kabul in August 2021, after the government collapsed and the "
      "president fled the country; aid was frozen and the economy fell into a crisis that the "
      "United Nations called one of the worst in the world.";
  const std::string e = excerpt(text, 60);
  EXPECT_LE(code_points(e), 60u);
  EXPECT_EQ(e, "The Taliban took control of Kabul in \u2026 worst in the world.");
}

TEST(Excerpt, TextWithoutSpacesIsCutBetweenCharacters) {
  std::string text;
  for (int i = 0; i < 50; ++i) text += "\u4e2d\u6587";  // 100 code points of Chinese
  const std::string e = excerpt(text, 20);
  EXPECT_EQ(code_points(e), 20u);
  EXPECT_EQ(e.substr(0, 3), "\u4e2d");
  EXPECT_NE(e.find(" \u2026 "), std::string::npos);
}

// Thai is written without spaces and with vowel and tone marks above and below its letters: a
// cut between characters leaves no mark without its letter, at the end of the start or at the
// beginning of the end.
TEST(Excerpt, TextWithoutSpacesIsNotCutBeforeAMark) {
  static constexpr std::string_view kPieces[] = {"น้ำ", "ท่วม", "ที่", "กล่าว", "ไทย", "ก", "ปี่", "ค้"};
  const auto is_mark = [](char32_t cp) {
    return (cp >= 0x0E34 && cp <= 0x0E3A) || (cp >= 0x0E47 && cp <= 0x0E4E) || cp == 0x0E31;
  };
  std::mt19937 rng(17);
  for (int t = 0; t < 500; ++t) {
    std::string text;
    for (int k = 30 + static_cast<int>(rng() % 60); k > 0; --k) text += kPieces[rng() % 8];
    const std::string e = excerpt(text, 20 + rng() % 40);
    const std::size_t join = e.find(" \u2026 ");
    ASSERT_NE(join, std::string::npos) << text;
    const std::string_view head = std::string_view(e).substr(0, join);
    const std::string_view tail =
        std::string_view(e).substr(join + std::string_view(" \u2026 ").size());
    ASSERT_EQ(text.substr(0, head.size()), head);
    ASSERT_EQ(text.substr(text.size() - tail.size()), tail);
    char32_t after_head = 0, tail_first = 0;
    decode_utf8(text, head.size(), after_head);
    decode_utf8(tail, 0, tail_first);
    EXPECT_FALSE(is_mark(after_head)) << "the start ends before a mark: " << e;
    EXPECT_FALSE(is_mark(tail_first)) << "the end begins with a mark: " << e;
  }
}

// Thai without spaces is cut between words where ICU's dictionaries find a break near the cut
// (on the whole text, the same breaks, but for a few near the window's edges); a cut between
// characters lands on one about a time in four.
TEST(Excerpt, ThaiIsCutBetweenDictionaryWords) {
  static constexpr std::string_view kWords[] = {"รัฐบาล",  "งบประมาณ", "โรงพยาบาล", "เศรษฐกิจ",
                                                "ประเทศ", "ไทย",      "นายก",      "ภาค",
                                                "เหนือ",   "ประชุม",    "การศึกษา",   "ว่า"};
  std::mt19937 rng(23);
  int rounds = 0, at_breaks = 0;
  for (int t = 0; t < 300; ++t) {
    std::string text;
    for (int k = 20 + static_cast<int>(rng() % 40); k > 0; --k) text += kWords[rng() % 12];
    const std::vector<std::size_t> breaks = dictionary_word_breaks(text);
    const std::string e = excerpt(text, 30 + rng() % 40);
    const std::size_t join = e.find(" \u2026 ");
    ASSERT_NE(join, std::string::npos) << text;
    const std::size_t head = join, tail = e.size() - join - std::string_view(" \u2026 ").size();
    ASSERT_EQ(text.compare(0, head, e, 0, head), 0);
    ++rounds;
    at_breaks += std::binary_search(breaks.begin(), breaks.end(), head) &&
                 std::binary_search(breaks.begin(), breaks.end(), text.size() - tail);
  }
  EXPECT_GE(at_breaks, rounds * 9 / 10) << at_breaks << " of " << rounds;
}

// A mark alone between two spaces where the end would begin: the end begins after the space
// that follows it, not with a space (review of eab9247).
TEST(Excerpt, ALoneMarkDoesNotLeaveTheEndStartingWithASpace) {
  EXPECT_EQ(excerpt("aaaa bbbbbbbbbbb \u0301 cc", 20), "aaaa bbbbbbb \u2026 cc");
  const std::string e = excerpt(
      "The quick brown fox jumps over the lazy dog and keeps running far away xxxxxxxxxxxxx "
      "\u0e48 end of text",
      72);
  EXPECT_NE(e.find(" \u2026 end of text"), std::string::npos) << e;
  EXPECT_EQ(e.find("\u2026  "), std::string::npos) << e;
}

TEST(Excerpt, InvalidBytesBecomeReplacementCharacters) {
  EXPECT_EQ(excerpt("caf\xe9 ok", 80), "caf\ufffd ok");
}

// A long text is excerpted from its first and last bytes only; the excerpt is the same one.
TEST(Excerpt, ALongTextGivesItsStartAndItsEnd) {
  std::mt19937 rng(11);
  for (const std::string& unit :
       {std::string("word "), std::string("\u4e2d\u6587"), std::string("caf\u00e9\n\n  ")}) {
    std::string text = "First words of it. ";
    while (text.size() < (std::size_t{1} << 20)) text += unit + std::to_string(rng() % 100) + " ";
    text += "the last words.";
    const std::string e = excerpt(text, 74);
    const std::string whole = folded(text);
    const std::size_t join = e.find(" \u2026 ");
    ASSERT_NE(join, std::string::npos) << e;
    EXPECT_LE(code_points(e), 74u) << e;
    EXPECT_EQ(e.rfind("First words of it.", 0), 0u) << e;
    EXPECT_TRUE(e.ends_with(" the last words.")) << e;
    const std::string tail = e.substr(join + std::string_view(" \u2026 ").size());
    EXPECT_EQ(whole.substr(0, join), e.substr(0, join));
    EXPECT_EQ(whole.substr(whole.size() - tail.size()), tail);
  }
}

// White space at the ends or in the middle, however long, is folded like any other.
TEST(Excerpt, LongRunsOfWhiteSpaceAreFolded) {
  const std::string spaces(200000, ' '), lines(70000, '\n');
  EXPECT_EQ(excerpt("hello" + spaces + "world", 74), "hello world");
  EXPECT_EQ(excerpt(lines + "start words here" + lines, 74), "start words here");
  std::string words;
  for (int i = 0; i < 40; ++i) words += "word" + std::to_string(i) + " ";
  const std::string e = excerpt(lines + words + spaces + "\u3000\n", 74);
  EXPECT_EQ(e.rfind("word0 word1", 0), 0u) << e;
  EXPECT_TRUE(e.ends_with("word38 word39")) << e;
}

TEST(Excerpt, RandomTextsGiveAStartAndAnEndOfTheFoldedText) {
  std::mt19937 rng(7);
  // (With marks: a combining acute, a Thai tone mark, alone or after a letter.)
  const std::vector<std::string> pieces = {"a",  "word",   "longerword", " ",           "  ",
                                           "\n", "\u00e9", "\u4e2d",     "\U0001F600",  "\u3000",
                                           "\t", "x.",     "\u0301",     "\u0e01\u0e48"};
  const std::string long_space(30000, ' ');
  for (int round = 0; round < 3100; ++round) {
    std::string text;
    // The last rounds: texts past the 64 KiB from which the end is taken, with long runs of
    // white space.
    const bool long_text = round >= 3000;
    const int n = static_cast<int>(rng() % (long_text ? 40000 : 120));
    for (int k = 0; k < n; ++k) {
      text += long_text && rng() % 8000 == 0 ? long_space : pieces[rng() % pieces.size()];
    }
    const std::size_t max_chars = 9 + rng() % 60;
    const std::string e = excerpt(text, max_chars);
    const std::string whole = folded(text);
    SCOPED_TRACE(testing::Message() << "round " << round << " max " << max_chars);
    ASSERT_EQ(find_invalid_utf8(e), e.size());
    ASSERT_LE(code_points(e), max_chars);
    if (code_points(whole) <= max_chars) {
      ASSERT_EQ(e, whole);
      continue;
    }
    const std::size_t join = e.find(" \u2026 ");
    ASSERT_NE(join, std::string::npos);
    const std::string head = e.substr(0, join);
    const std::string tail = e.substr(join + std::string_view(" \u2026 ").size());
    ASSERT_EQ(whole.substr(0, head.size()), head);
    ASSERT_GE(whole.size(), tail.size());
    ASSERT_EQ(whole.substr(whole.size() - tail.size()), tail);
    ASSERT_LT(head.size() + tail.size(), whole.size());
    // Neither part is empty, and neither starts or ends with a space.
    ASSERT_FALSE(head.empty());
    ASSERT_FALSE(tail.empty());
    ASSERT_NE(head.back(), ' ');
    ASSERT_NE(tail.front(), ' ');
  }
}

}  // namespace
}  // namespace doppel
