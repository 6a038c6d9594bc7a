// The JSON appenders every writer builds its lines from, against slow, obvious references.
#include "util/json_writer.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <random>
#include <string>

namespace doppel {
namespace {

// The escaping rules of the header, one byte at a time with printf.
std::string reference_json_string(std::string_view text) {
  std::string out = "\"";
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"') {
      out += "\\\"";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out.push_back(ch);
    }
  }
  return out + "\"";
}

TEST(JsonWriter, StringsEscapeEveryByteLikeTheReference) {
  for (int c = 0; c < 256; ++c) {
    const std::string text = std::string("a") + static_cast<char>(c) + "b";
    std::string got = "x";  // appends after what is there
    append_json_string(got, text);
    EXPECT_EQ(got, "x" + reference_json_string(text)) << "byte " << c;
  }
  std::mt19937_64 rng(7);
  for (int t = 0; t < 2000; ++t) {
    std::string text(rng() % 40, ' ');
    for (char& ch : text) ch = static_cast<char>(rng() % 2 == 0 ? 'a' + rng() % 26 : rng() % 128);
    std::string got;
    append_json_string(got, text);
    EXPECT_EQ(got, reference_json_string(text));
  }
}

TEST(JsonWriter, UnsignedIntegersAsDecimalDigits) {
  std::mt19937_64 rng(11);
  for (int t = 0; t < 5000; ++t) {
    const std::uint64_t n = rng() >> (rng() % 64);  // every magnitude
    std::string got = "k:";
    append_uint(got, n);
    EXPECT_EQ(got, "k:" + std::to_string(n));
  }
  std::string edges;
  append_uint(edges, 0);
  edges.push_back(',');
  append_uint(edges, std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(edges, "0,18446744073709551615");
}

TEST(JsonWriter, NumbersWithUpToFourDecimalsAndNoTrailingZeros) {
  const std::pair<double, const char*> cases[] = {
      {1.0, "1"},
      {0.0, "0"},
      {0.5, "0.5"},
      {0.8125, "0.8125"},
      {0.94736842, "0.9474"},
      {-0.00001, "0"},
      {2.5e6, "2500000"},
      {std::numeric_limits<double>::infinity(), "null"},
      {-1e40, "-10000000000000000303786028427003666890752"}};
  for (const auto& [value, text] : cases) {
    std::string got;
    append_json_number(got, value);
    EXPECT_EQ(got, text) << value;
  }
}

}  // namespace
}  // namespace doppel
