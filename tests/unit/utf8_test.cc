// UTF-8 validation, decoding and encoding against a decoder written straight
// from the Unicode standard (chapter 3, table 3-7 "Well-formed UTF-8 byte
// sequences").
#include "text/utf8.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>

namespace doppel {
namespace {

// The reference: decodes one sequence the slow way, returning its length, or 0
// when the bytes at text[i] do not start a well-formed sequence.
int reference_sequence_length(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  int len;
  std::uint32_t cp;
  if (lead <= 0x7F) return 1;
  if ((lead & 0xE0) == 0xC0) {
    len = 2, cp = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    len = 3, cp = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    len = 4, cp = lead & 0x07;
  } else {
    return 0;  // a continuation byte where a sequence should start, or F8..FF
  }
  if (i + static_cast<std::size_t>(len) > text.size()) return 0;  // truncated
  for (int k = 1; k < len; ++k) {
    if ((byte(i + static_cast<std::size_t>(k)) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + static_cast<std::size_t>(k)) & 0x3F);
  }
  const std::uint32_t shortest_min[5] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < shortest_min[len]) return 0;        // overlong
  if (cp >= 0xD800 && cp <= 0xDFFF) return 0;  // surrogate
  if (cp > 0x10FFFF) return 0;                 // beyond Unicode
  return len;
}

std::size_t reference_find_invalid(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const int len = reference_sequence_length(text, i);
    if (len == 0) return i;
    i += static_cast<std::size_t>(len);
  }
  return text.size();
}

std::string encode(char32_t cp) {
  char buf[4];
  const int len = encode_utf8(cp, buf);
  return std::string(buf, static_cast<std::size_t>(len));
}

// Bytes that make near-misses likely: valid sequences of every length, their
// pieces, and the boundary bytes of table 3-7.
std::string random_utf8ish(std::mt19937_64& rng) {
  static constexpr unsigned char kEdgeBytes[] = {
      0x00, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0,
      0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xF7, 0xF8, 0xFF};
  static constexpr char32_t kEdgeCodePoints[] = {
      0x7F,   0x80,   0x7FF,   0x800,   0xFFF,   0x1000,  0xD7FF,   0xE000,
      0xFFFD, 0xFFFF, 0x10000, 0x3FFFF, 0x40000, 0xFFFFF, 0x100000, 0x10FFFF};
  std::string s;
  const int pieces = static_cast<int>(rng() % 24);
  for (int p = 0; p < pieces; ++p) {
    switch (rng() % 8) {
      case 0:  // an ASCII run, long enough for the eight-byte fast path
        for (int k = static_cast<int>(rng() % 20); k > 0; --k)
          s += static_cast<char>('a' + rng() % 26);
        break;
      case 1:
        s += static_cast<char>(kEdgeBytes[rng() % std::size(kEdgeBytes)]);
        break;
      case 2:
        s += static_cast<char>(0x80 + rng() % 64);  // a continuation byte
        break;
      case 3:
        s += encode(kEdgeCodePoints[rng() % std::size(kEdgeCodePoints)]);
        break;
      case 4: {  // a valid code point of random length
        char32_t cp;
        do {
          const std::uint64_t ranges[4] = {0x80, 0x800, 0x10000, 0x110000};
          cp = static_cast<char32_t>(rng() % ranges[rng() % 4]);
        } while (cp >= 0xD800 && cp <= 0xDFFF);
        s += encode(cp);
        break;
      }
      case 5: {  // a valid sequence cut short
        std::string e = encode(static_cast<char32_t>(0x800 + rng() % 0xF000));
        s += e.substr(0, 1 + rng() % (e.size() - 1));
        break;
      }
      case 6:  // encodings of a surrogate or of a code point beyond U+10FFFF
        s += rng() % 2 ? encode(static_cast<char32_t>(0xD800 + rng() % 0x800))
                       : encode(static_cast<char32_t>(0x110000 + rng() % 0xF0000));
        break;
      default:
        s += static_cast<char>(rng() % 256);
        break;
    }
  }
  return s;
}

TEST(FindInvalidUtf8, MatchesReferenceOnRandomBytes) {
  std::mt19937_64 rng(0x75746638);
  int valid = 0;
  for (int t = 0; t < 20000; ++t) {
    const std::string s = random_utf8ish(rng);
    const std::size_t expected = reference_find_invalid(s);
    valid += expected == s.size();
    // On a heap copy of exactly s.size() bytes, so that AddressSanitizer sees
    // any over-read of the eight-byte fast path.
    const auto copy = std::make_unique<char[]>(std::max<std::size_t>(s.size(), 1));
    std::copy(s.begin(), s.end(), copy.get());
    ASSERT_EQ(find_invalid_utf8(std::string_view(copy.get(), s.size())), expected)
        << "case " << t << " " << testing::PrintToString(s);
  }
  // Both outcomes are exercised often.
  EXPECT_GT(valid, 1000);
  EXPECT_LT(valid, 19000);
}

TEST(FindInvalidUtf8, HandPickedCases) {
  struct Case {
    std::string bytes;
    std::size_t invalid_at;
  };
  const Case cases[] = {
      {"", 0},
      {"plain ascii text longer than eight bytes", 40},
      {"caf\xC3\xA9", 5},       // é
      {"\xE2\x82\xAC", 3},      // €
      {"\xF0\x9F\x98\x80", 4},  // 😀
      {"\xF4\x8F\xBF\xBF", 4},  // U+10FFFF
      {"\xEF\xBF\xBF", 3},      // U+FFFF, a noncharacter but valid
      {"\xED\x9F\xBF", 3},      // U+D7FF
      {"\xEE\x80\x80", 3},      // U+E000
      {"\xC0\x80", 0},          // overlong NUL
      {"\xC1\xBF", 0},          // overlong
      {"\xE0\x80\x80", 0},      // overlong three-byte
      {"\xE0\x9F\xBF", 0},      // overlong U+07FF
      {"\xF0\x80\x80\x80", 0},  // overlong four-byte
      {"\xF0\x8F\xBF\xBF", 0},  // overlong U+FFFF
      {"\xED\xA0\x80", 0},      // U+D800
      {"\xED\xBF\xBF", 0},      // U+DFFF
      {"\xF4\x90\x80\x80", 0},  // U+110000
      {"\xF5\x80\x80\x80", 0},  // lead byte beyond U+10FFFF
      {"\xFF", 0},
      {"\x80", 0},          // stray continuation
      {"abcdefgh\x80", 8},  // after the fast path
      {"abc\xC3", 3},       // truncated at the end
      {"abc\xE2\x82", 3},
      {"abc\xF0\x9F\x98", 3},
      {"\xC3\x28", 0},  // lead byte followed by ASCII
      {"\xE2\x28\xA1", 0},
      {"\xC3\xA9\xA9", 2},          // one continuation too many
      {std::string("a\0b", 3), 3},  // NUL is valid UTF-8
  };
  for (const auto& c : cases) {
    EXPECT_EQ(find_invalid_utf8(c.bytes), c.invalid_at) << testing::PrintToString(c.bytes);
    EXPECT_EQ(reference_find_invalid(c.bytes), c.invalid_at) << testing::PrintToString(c.bytes);
  }
}

TEST(Utf8, EncodeDecodeRoundTripsEveryScalarValue) {
  std::string all;
  for (char32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    char buf[4];
    const int len = encode_utf8(cp, buf);
    const int expected_len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    ASSERT_EQ(len, expected_len) << std::hex << static_cast<std::uint32_t>(cp);
    const std::string_view bytes(buf, static_cast<std::size_t>(len));
    ASSERT_EQ(reference_sequence_length(bytes, 0), len)
        << std::hex << static_cast<std::uint32_t>(cp);
    char32_t decoded = 0;
    ASSERT_EQ(decode_utf8(bytes, 0, decoded), len) << std::hex << static_cast<std::uint32_t>(cp);
    ASSERT_EQ(static_cast<std::uint32_t>(decoded), static_cast<std::uint32_t>(cp));
    all.append(bytes);
  }
  // The concatenation of every scalar value is valid, and decodes back in
  // order.
  EXPECT_EQ(find_invalid_utf8(all), all.size());
  std::size_t i = 0;
  for (char32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    char32_t decoded = 0;
    i += static_cast<std::size_t>(decode_utf8(all, i, decoded));
    ASSERT_EQ(static_cast<std::uint32_t>(decoded), static_cast<std::uint32_t>(cp));
  }
  EXPECT_EQ(i, all.size());
}

TEST(FindInvalidUtf8, RejectsEverySurrogate) {
  for (char32_t cp = 0xD800; cp <= 0xDFFF; ++cp) {
    const std::string s = "ok" + encode(cp);  // encode_utf8 writes the generalized form
    ASSERT_EQ(find_invalid_utf8(s), 2u) << std::hex << static_cast<std::uint32_t>(cp);
  }
}

}  // namespace
}  // namespace doppel
