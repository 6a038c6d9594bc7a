// The index's on-disk format (docs/index.md): a document record and a document's data pinned
// byte for byte (a change of the format must be deliberate), both read back; the data log cutting
// off an unfinished write and staying readable as it grows; the stored options read back and
// compared by name; the order of "earlier" documents from the dates' keys against the dates.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "candidates/lsh.h"
#include "corpus/dates.h"
#include "index/features.h"
#include "index/index_internal.h"
#include "index/store.h"

namespace doppel {
namespace {

std::string hex(std::string_view bytes) {
  std::string s;
  for (const char c : bytes) {
    s += "0123456789abcdef"[(static_cast<unsigned char>(c) >> 4) & 15];
    s += "0123456789abcdef"[static_cast<unsigned char>(c) & 15];
  }
  return s;
}

std::string temp_path(const char* name) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("doppel-store-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

TEST(IndexFormat, RecordBytesArePinned) {
  DocRecord r;
  r.id = "a";
  r.date = "2024";
  r.exact = ExactHash{1, 2};
  r.exact_of = 5;
  r.data = 64;
  r.data_bytes = 300;
  r.words = 10;
  r.fingerprints = 3;
  r.chars = 55;
  r.ascii = false;
  const std::string bytes = encode(r);
  EXPECT_EQ(hex(bytes),
            "0161"              // id
            "0432303234"        // date
            "0100000000000000"  // exact hash, low word
            "0200000000000000"  // high word
            "06"                // exact_of + 1
            "40"                // data offset
            "ac02"              // data bytes (300)
            "0a0337"            // words, fingerprints, code points
            "00");              // not all ASCII
  DocRecord back;
  ASSERT_TRUE(decode(bytes, back));
  EXPECT_EQ(back.id, "a");
  EXPECT_EQ(back.date, "2024");
  EXPECT_EQ(back.exact, r.exact);
  EXPECT_EQ(back.exact_of, 5u);
  EXPECT_EQ(back.data, 64u);
  EXPECT_EQ(back.data_bytes, 300u);
  EXPECT_EQ(back.words, 10u);
  EXPECT_EQ(back.fingerprints, 3u);
  EXPECT_EQ(back.chars, 55u);
  EXPECT_FALSE(back.ascii);
  r.exact_of = kNoSeq;  // none: stored as 0
  ASSERT_TRUE(decode(encode(r), back));
  EXPECT_EQ(back.exact_of, kNoSeq);
  EXPECT_FALSE(decode(bytes.substr(0, bytes.size() - 2), back)) << "a cut record is refused";
}

FeatureBatch one_document(std::vector<SigValue> sig, std::vector<std::uint32_t> words,
                          std::vector<Winnowed> fps, std::vector<SourceSpan> bytes,
                          std::vector<SourceSpan> code_points) {
  FeatureBatch f;
  f.bins = sig.size();
  f.bands = 0;
  FeatureBatch::Doc d;
  d.words = static_cast<std::uint32_t>(words.size());
  d.fingerprints = static_cast<std::uint32_t>(fps.size());
  if (!code_points.empty()) d.code_points_begin = 0;
  f.docs.push_back(d);
  f.sigs = std::move(sig);
  f.words = std::move(words);
  f.fingerprints = std::move(fps);
  f.bytes = std::move(bytes);
  f.code_points = std::move(code_points);
  return f;
}

TEST(IndexFormat, DataBytesArePinned) {
  const FeatureBatch f = one_document({0x0102, 0x0304}, {7, 8}, {{9, 1}}, {{0, 3}, {4, 9}}, {});
  std::string data;
  encode_data(f, 0, data);
  EXPECT_EQ(hex(data),
            "02010403"          // signature: 2 bins
            "0700000008000000"  // word hashes
            "0900000001000000"  // winnowed: fingerprint 9 at word 1
            "0003"              // word 0: begin +0, length 3
            "0805");            // word 1: begin +4 (zigzag 8), length 5: 24 bytes
  const DocData d = doc_data(data.data(), 2, 2, 1, static_cast<std::uint32_t>(data.size()), true);
  EXPECT_EQ(d.signature()[1], 0x0304);
  EXPECT_EQ(d.word_span()[1], 8u);
  EXPECT_EQ(d.fingerprint_span()[0], (Winnowed{9, 1}));
  TextSpan span;
  ASSERT_TRUE(stored_span(d, 1, 2, span));
  EXPECT_EQ(span.byte_begin, 4u);
  EXPECT_EQ(span.byte_end, 9u);
  EXPECT_EQ(span.begin, 4u) << "all ASCII: code points are bytes";
  EXPECT_EQ(span.words, 1u);
}

// Random documents, some not ASCII, some with words that begin before the previous one ends
// (NFKC: "¼" -> "1⁄4"): every span read back is the one written.
TEST(IndexFormat, StoredSpansReadBackWhatWasWritten) {
  std::mt19937_64 rng(0x737061);
  for (int round = 0; round < 100; ++round) {
    const std::size_t n = 1 + rng() % 300;
    std::vector<SourceSpan> bytes, cps;
    std::uint32_t at = static_cast<std::uint32_t>(rng() % 100);
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint32_t len = 1 + static_cast<std::uint32_t>(rng() % 20);
      const bool overlap = i > 0 && rng() % 10 == 0;
      const std::uint32_t begin = overlap ? bytes.back().begin : at;
      bytes.push_back({begin, begin + len});
      cps.push_back({begin / 2, (begin + len) / 2 + 1});
      at = begin + len + static_cast<std::uint32_t>(rng() % 5);
    }
    const bool ascii = round % 2 == 0;
    const FeatureBatch f =
        one_document(std::vector<SigValue>(128, 7), std::vector<std::uint32_t>(n, 1), {}, bytes,
                     ascii ? std::vector<SourceSpan>{} : cps);
    std::string data;
    encode_data(f, 0, data);
    ASSERT_EQ(data.size() % 8, 0u);
    const DocData d = doc_data(data.data(), 128, static_cast<std::uint32_t>(n), 0,
                               static_cast<std::uint32_t>(data.size()), ascii);
    for (int k = 0; k < 20; ++k) {
      const auto b = static_cast<std::uint32_t>(rng() % n);
      const auto e = b + 1 + static_cast<std::uint32_t>(rng() % (n - b));
      TextSpan s;
      ASSERT_TRUE(stored_span(d, b, e, s));
      EXPECT_EQ(s.byte_begin, bytes[b].begin);
      EXPECT_EQ(s.byte_end, bytes[e - 1].end);
      EXPECT_EQ(s.begin, ascii ? bytes[b].begin : cps[b].begin);
      EXPECT_EQ(s.end, ascii ? bytes[e - 1].end : cps[e - 1].end);
      EXPECT_EQ(s.words, e - b);
    }
    TextSpan s;
    EXPECT_FALSE(stored_span(d, 0, static_cast<std::uint32_t>(n) + 1, s)) << "past the words";
  }
}

TEST(DataLog, CutsOffAnUnfinishedWriteAndStaysReadableAsItGrows) {
  const std::string path = temp_path("data.log");
  std::filesystem::remove(path);
  {
    auto log = DataLog::open(path, 0, false);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    ASSERT_TRUE((*log)->append("committed").ok());
    ASSERT_TRUE((*log)->sync().ok());
    ASSERT_TRUE((*log)->append("not committed").ok());
  }
  EXPECT_EQ(std::filesystem::file_size(path), 22u);
  auto log = DataLog::open(path, 9, false, 4096);
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(std::filesystem::file_size(path), 9u) << "the bytes past the commit are cut off";
  EXPECT_EQ(std::string((*log)->at(0), 9), "committed");
  const char* first = (*log)->at(0);
  // Past the first mapping (4 KiB): a new one; the old pointer still reads the same bytes.
  std::string block(std::size_t{5000}, 'x');
  for (int i = 0; i < 10; ++i) ASSERT_TRUE((*log)->append(block).ok());
  EXPECT_EQ(std::string(first, 9), "committed");
  EXPECT_EQ((*log)->at(9 + 10 * block.size() - 1)[0], 'x');
  EXPECT_EQ(std::string((*log)->at(0), 9), "committed");
  log->reset();
  auto damaged = DataLog::open(path, 1ull << 40, false);
  EXPECT_FALSE(damaged.ok()) << "a log shorter than its commit is damaged";
  std::filesystem::remove(path);
}

// earlier_by_key() (with the dates compared where it says so) orders every pair of dates as
// earlier_by_date() does: dates of 0 to 32 bytes from a small alphabet with a NUL byte, so that
// many are alike for the key's 24 bytes, are prefixes of one another or equal; and dates with a
// time in other zones and forms, which sort by their moment in UTC.
TEST(DateKeys, OrderDocumentsAsTheirDates) {
  std::mt19937_64 rng(0xda7e);
  const std::string alphabet("0\x00-9", 4);
  std::vector<std::string> dates = {"",
                                    "2021-10-01",
                                    "2021-10-01T12:00:00Z",
                                    "2021-10-01T12:00:00+01:00",
                                    "2021-10-01T12:00:00.5Z",
                                    "2021-10-01T12:00:00.123456789Z",
                                    "2021-10-01T12:00:00.1234567891Z",
                                    "Fri, 01 Oct 2021 13:00:00 +0100",
                                    "2021-10-01T12:00:00.12345678912345+00:00"};
  for (int i = 0; i < 300; ++i) {
    const std::size_t size = rng() % 33;
    std::string d = i % 2 == 0 ? dates[rng() % dates.size()].substr(0, size) : std::string();
    while (d.size() < size) d += alphabet[rng() % alphabet.size()];
    dates.push_back(d);
  }
  std::size_t by_dates = 0;
  for (std::uint32_t a = 0; a < dates.size(); ++a) {
    for (std::uint32_t b = 0; b < dates.size(); ++b) {
      const int by_key = earlier_by_key(date_key(dates[a]), a, date_key(dates[b]), b);
      by_dates += by_key < 0;
      const bool got = by_key >= 0 ? by_key == 1 : earlier_by_date(dates[a], a, dates[b], b);
      ASSERT_EQ(got, earlier_by_date(dates[a], a, dates[b], b))
          << "'" << dates[a] << "' (" << a << ") against '" << dates[b] << "' (" << b << ")";
      if (by_key < 0) {  // both sort by texts longer than the key holds
        DateBuffer x, y;
        EXPECT_GT(std::min(sortable_date(dates[a], x).size(), sortable_date(dates[b], y).size()),
                  DateKey::kBytes);
      }
    }
  }
  EXPECT_GT(by_dates, 0u);  // the pairs alike for 24 bytes and longer were met
}

TEST(IndexOptions, StoredTextReadsBack) {
  IndexOptions o;
  o.normalize.case_fold = false;
  o.shingle.kind = ShingleKind::kChars;
  o.lsh.threshold = 0.75;
  o.min_similarity = 0.625;
  o.max_candidates = 3;
  const std::string text = to_string(o);
  EXPECT_NE(text.find("normalize nfkc,punct,space\n"), std::string::npos) << text;
  EXPECT_NE(text.find("threshold 0.75\n"), std::string::npos) << text;
  auto back = parse_options(text);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(to_string(*back), text);
  EXPECT_FALSE(parse_options("threshold x\n").ok());
  EXPECT_FALSE(parse_options("colour blue\n").ok());
  // The bucket window is stored; an index stored before it was an option has the default (1),
  // the rule it was made with.
  IndexOptions wide = o;
  wide.lsh.bucket_window = 20;
  const std::string wide_text = to_string(wide);
  EXPECT_NE(wide_text.find("bucket_window 20\n"), std::string::npos) << wide_text;
  auto wide_back = parse_options(wide_text);
  ASSERT_TRUE(wide_back.ok());
  EXPECT_EQ(bucket_rule_of(wide_back->lsh).window, 20u);
  std::string before = wide_text;
  before.erase(before.find("bucket_window 20\n"), std::string("bucket_window 20\n").size());
  auto old = parse_options(before);
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(bucket_rule_of(old->lsh).window, 1u);
  EXPECT_FALSE(parse_options("bucket_window 0\n").ok());
}

TEST(IndexOptions, DifferencesNameOnlyTheOptionsAsked) {
  IndexOptions stored, asked;
  asked.lsh.threshold = 0.7;
  asked.min_words = 20;
  const std::vector<std::string> both = {"threshold", "min_words"};
  EXPECT_EQ(option_differences(stored, asked, both),
            "`threshold` 0.8 (asked: 0.7), `min_words` 15 (asked: 20)");
  const std::vector<std::string> other = {"hashes"};
  EXPECT_EQ(option_differences(stored, asked, other), "") << "options not given are not compared";
}

}  // namespace
}  // namespace doppel
