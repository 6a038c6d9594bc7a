// BodyDecoder against the encoders themselves: every body decodes to what was encoded, whatever
// the pieces it arrives in; a stream cut anywhere before its end is never finished(); bytes after
// the end, and output past the limit, are refused.
#include "index/request_body.h"

#include <brotli/encode.h>
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "support/zlib_encode.h"

namespace doppel {
namespace {

std::string brotli_encode(const std::string& bytes) {
  std::size_t size = BrotliEncoderMaxCompressedSize(bytes.size());
  std::string out(size, '\0');
  BrotliEncoderCompress(5, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT, bytes.size(),
                        reinterpret_cast<const std::uint8_t*>(bytes.data()), &size,
                        reinterpret_cast<std::uint8_t*>(out.data()));
  out.resize(size);
  return out;
}

std::string text(std::size_t words, unsigned seed) {
  std::mt19937 rng(seed);
  std::string out;
  for (std::size_t i = 0; i < words; ++i) out += "w" + std::to_string(rng() % 5000) + " ";
  return out;
}

struct Decoded {
  bool ok = true, finished = false, over_limit = false;
  std::string out;
};

// `encoded` fed in pieces of random sizes.
Decoded decode(BodyDecoder::Kind kind, const std::string& encoded, std::size_t limit,
               unsigned seed) {
  BodyDecoder decoder(kind, limit);
  Decoded d;
  std::mt19937 rng(seed);
  for (std::size_t at = 0; at < encoded.size() && d.ok;) {
    const std::size_t n = std::min<std::size_t>(encoded.size() - at, 1 + rng() % 3000);
    d.ok = decoder.feed(std::string_view(encoded).substr(at, n), d.out);
    at += n;
  }
  d.finished = decoder.finished();
  d.over_limit = decoder.over_limit();
  return d;
}

TEST(BodyDecoder, KnowsTheEncodingsHttplibNames) {
  EXPECT_EQ(BodyDecoder::kind_of("gzip"), BodyDecoder::Kind::kGzip);
  EXPECT_EQ(BodyDecoder::kind_of("deflate"), BodyDecoder::Kind::kDeflate);
  EXPECT_EQ(BodyDecoder::kind_of("br"), BodyDecoder::Kind::kBrotli);
  EXPECT_FALSE(BodyDecoder::kind_of(""));
  EXPECT_FALSE(BodyDecoder::kind_of("identity"));
  EXPECT_FALSE(BodyDecoder::kind_of("GZIP"));
}

TEST(BodyDecoder, WholeStreamsDecodeAndCutOnesNeverFinish) {
  for (unsigned seed = 1; seed <= 4; ++seed) {
    const std::string plain = text(seed * 3000, seed);
    const std::pair<BodyDecoder::Kind, std::string> cases[] = {
        {BodyDecoder::Kind::kGzip, zlib_encode(plain, 15 + 16)},
        {BodyDecoder::Kind::kDeflate, zlib_encode(plain, 15)},  // zlib-wrapped, as RFC 9110 says
        {BodyDecoder::Kind::kGzip, zlib_encode(plain, 15)},     // either header, as httplib takes
        {BodyDecoder::Kind::kBrotli, brotli_encode(plain)},
    };
    for (const auto& [kind, encoded] : cases) {
      const Decoded whole = decode(kind, encoded, 1 << 30, seed);
      EXPECT_TRUE(whole.ok && whole.finished);
      EXPECT_EQ(whole.out, plain);
      std::mt19937 rng(seed);
      for (int cut = 0; cut < 20; ++cut) {
        const std::size_t keep = rng() % encoded.size();
        const Decoded part = decode(kind, encoded.substr(0, keep), 1 << 30, seed + cut);
        EXPECT_FALSE(part.ok && part.finished) << "cut at " << keep << " of " << encoded.size();
      }
      const Decoded trailing = decode(kind, encoded + "x", 1 << 30, seed);
      EXPECT_FALSE(trailing.ok && trailing.finished) << "a byte after the end";
      // "x" may begin another gzip member (a zlib header's first byte); these bytes begin none.
      const Decoded junk = decode(kind, encoded + "\xff\xff\xff\xff", 1 << 30, seed);
      EXPECT_FALSE(junk.ok) << "junk after the end is refused";
      const Decoded small = decode(kind, encoded, plain.size() - 1, seed);
      EXPECT_FALSE(small.ok);
      EXPECT_TRUE(small.over_limit);
      const Decoded exact = decode(kind, encoded, plain.size(), seed);
      EXPECT_TRUE(exact.ok && exact.finished);
    }
  }
}

TEST(BodyDecoder, GzipMembersOneAfterAnotherAreOneBody) {
  const std::string a = text(500, 7), b = text(700, 8);
  const Decoded d =
      decode(BodyDecoder::Kind::kGzip, zlib_encode(a, 31) + zlib_encode(b, 31), 1 << 30, 3);
  EXPECT_TRUE(d.ok && d.finished);
  EXPECT_EQ(d.out, a + b);
}

// Regression: a byte-order mark before a JSON array body was a 400, where the same mark before a
// JSON Lines body (and a file's first line) is skipped.
TEST(RequestBody, AByteOrderMarkBeforeAJsonBodyIsSkipped) {
  const auto lines = body_as_json_lines("\xEF\xBB\xBF[{\"id\": \"a\", \"text\": \"x\"}]", false);
  ASSERT_TRUE(lines.ok()) << lines.status().ToString();
  EXPECT_EQ(*lines, "{\"id\":\"a\",\"text\":\"x\"}\n");
}

TEST(BodyDecoder, GarbageIsRefused) {
  for (const auto kind :
       {BodyDecoder::Kind::kGzip, BodyDecoder::Kind::kDeflate, BodyDecoder::Kind::kBrotli}) {
    const Decoded d = decode(kind, std::string(100, '\xff'), 1 << 20, 1);
    EXPECT_FALSE(d.ok) << "refused, not merely unfinished";
    EXPECT_TRUE(d.out.empty());
  }
}

// An array of arrays: refused as such (read on, each inner array became a line that the reader
// took for a file holding one JSON array, and the error advised sending a JSON array).
TEST(RequestBody, AnArrayOfArraysIsRefusedAsSuch) {
  const auto nested = body_as_json_lines(R"([[{"id":"q","text":"a b c"}]])", false);
  ASSERT_FALSE(nested.ok());
  EXPECT_NE(nested.status().message().find("element 1 of the body's array is itself an array"),
            std::string::npos)
      << nested.status().message();
  const auto flat = body_as_json_lines(R"([{"id":"q","text":"a b c"}, 7])", false);
  ASSERT_TRUE(flat.ok());
  EXPECT_EQ(*flat, "{\"id\":\"q\",\"text\":\"a b c\"}\n7\n");
}

}  // namespace
}  // namespace doppel
