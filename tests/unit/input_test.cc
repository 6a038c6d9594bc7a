// The input layer: byte sources (plain, gzip, zstd, damaged), the expansion of inputs into files
// and ids, the batch reader's split of JSON Lines (against a plain split, at every read size),
// the rejection of input that is not a document, the document parser, and the copy of standard
// input for a second reading. Files live in a MemoryEnv.
#include <gtest/gtest.h>
#include <zstd.h>

#include <fmt/format.h>

#include <algorithm>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "corpus/corpus_source.h"
#include "input/batch_reader.h"
#include "input/byte_source.h"
#include "input/document_parser.h"
#include "input/input_files.h"
#include "support/memory_env.h"
#include "support/zlib_encode.h"

namespace doppel {
namespace {

using test::MemoryEnv;

std::string random_bytes(std::mt19937_64& rng, std::size_t n, bool text) {
  std::string s(n, ' ');
  for (auto& c : s) {
    c = text ? static_cast<char>("abcdefgh ij\n"[rng() % 12]) : static_cast<char>(rng());
  }
  return s;
}

std::string zstd_compress(const std::string& in) {
  std::string out(ZSTD_compressBound(in.size()), '\0');
  const std::size_t n = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 3);
  EXPECT_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

std::string gzip_compress(const std::string& in) { return zlib_encode(in, 15 + 16); }

// Everything a source gives, read `step` bytes at a time; `ok` false if it ended in an error.
std::string drain(ByteSource& source, std::size_t step, bool& ok) {
  std::string out;
  std::vector<char> buf(step);
  ok = true;
  for (;;) {
    auto n = source.read(buf);
    if (!n.ok()) {
      ok = false;
      return out;
    }
    if (*n == 0) return out;
    out.append(buf.data(), *n);
  }
}

std::unique_ptr<ByteSource> source_of(MemoryEnv& env, const std::string& path) {
  auto file = env.open(path);
  EXPECT_TRUE(file.ok());
  return open_byte_source(std::move(*file), compression_from_name(path));
}

TEST(ByteSource, CompressionFromName) {
  EXPECT_EQ(compression_from_name("a.jsonl.zst"), Compression::kZstd);
  EXPECT_EQ(compression_from_name("a.zstd"), Compression::kZstd);
  EXPECT_EQ(compression_from_name("a.txt.gz"), Compression::kGzip);
  EXPECT_EQ(compression_from_name("a.jsonl"), Compression::kNone);
  EXPECT_EQ(compression_from_name("gz"), Compression::kNone);
}

TEST(ByteSource, RoundTripsAtEveryReadSize) {
  std::mt19937_64 rng(1);
  MemoryEnv env;
  env.read_chunk = 777;  // short reads from the file too
  const std::string plain = random_bytes(rng, 300000, false);
  env.files["/p.bin"] = plain;
  env.files["/z.zst"] = zstd_compress(plain);
  env.files["/g.gz"] = gzip_compress(plain);
  for (const char* path : {"/p.bin", "/z.zst", "/g.gz"}) {
    for (const std::size_t step : {1u, 13u, 4096u, 1u << 20}) {
      SCOPED_TRACE(std::string(path) + " step " + std::to_string(step));
      auto source = source_of(env, path);
      bool ok = false;
      EXPECT_EQ(drain(*source, step, ok), plain);
      EXPECT_TRUE(ok);
      EXPECT_FALSE(source->truncated());
      EXPECT_EQ(source->consumed(), env.files[path].size());
    }
  }
}

TEST(ByteSource, ConcatenatedFramesAndMembersAreOneStream) {
  MemoryEnv env;
  env.files["/z.zst"] = zstd_compress("first part, ") + zstd_compress("second part");
  env.files["/g.gz"] = gzip_compress("first part, ") + gzip_compress("second part");
  for (const char* path : {"/z.zst", "/g.gz"}) {
    auto source = source_of(env, path);
    bool ok = false;
    EXPECT_EQ(drain(*source, 5, ok), "first part, second part") << path;
    EXPECT_TRUE(ok);
  }
}

TEST(ByteSource, TruncatedStreamsSayTheyAreTruncated) {
  std::mt19937_64 rng(2);
  const std::string plain = random_bytes(rng, 200000, true);
  for (const auto& [path, packed] :
       {std::pair("/z.zst", zstd_compress(plain)), std::pair("/g.gz", gzip_compress(plain))}) {
    for (int t = 0; t < 20; ++t) {
      MemoryEnv env;
      const std::size_t cut = 1 + rng() % (packed.size() - 1);
      env.files[path] = packed.substr(0, cut);
      auto source = source_of(env, path);
      bool ok = true;
      const std::string got = drain(*source, 4096, ok);
      SCOPED_TRACE(std::string(path) + " cut at " + std::to_string(cut));
      EXPECT_FALSE(ok);
      // Some cuts leave a header that is itself incomplete: corrupt or truncated, never silent.
      EXPECT_EQ(plain.compare(0, got.size(), got), 0) << "bytes before the damage are right";
      if (cut > packed.size() / 2) {
        EXPECT_TRUE(source->truncated());
      }
    }
  }
}

TEST(ByteSource, CorruptStreamsFail) {
  std::mt19937_64 rng(3);
  const std::string plain = random_bytes(rng, 100000, true);
  for (const auto& [path, packed] :
       {std::pair("/z.zst", zstd_compress(plain)), std::pair("/g.gz", gzip_compress(plain))}) {
    MemoryEnv env;
    std::string bad = packed;
    for (std::size_t i = 20; i < bad.size(); i += 97) bad[i] = static_cast<char>(bad[i] ^ 0x5a);
    env.files[path] = bad;
    auto source = source_of(env, path);
    bool ok = true;
    const std::string got = drain(*source, 4096, ok);
    EXPECT_FALSE(ok) << path;
    EXPECT_FALSE(source->truncated()) << path;
  }
}

// --- expanding inputs -------------------------------------------------------------------------

std::vector<std::string> ids_of(const std::vector<InputFile>& files) {
  std::vector<std::string> ids;
  for (const auto& f : files) ids.push_back(f.doc_id);
  return ids;
}

TEST(ExpandInputs, OneDirectoryNamesFilesRelativeToIt) {
  MemoryEnv env;
  env.files = {{"/c/b.txt", "b"},   {"/c/a.txt", "a"},  {"/c/sub/z.txt", "z"},
               {"/c/.hidden", "h"}, {"/c/.git/x", "x"}, {"/c/d.jsonl", "{}"}};
  const std::vector<std::string> args = {"/c"};
  auto files = expand_inputs(args, InputFormat::kAuto, env);
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  EXPECT_EQ(ids_of(*files), (std::vector<std::string>{"a.txt", "b.txt", "d.jsonl", "sub/z.txt"}));
  EXPECT_EQ((*files)[0].path, "/c/a.txt");
  EXPECT_EQ((*files)[0].format, InputFormat::kText);
  EXPECT_EQ((*files)[2].format, InputFormat::kJsonl);
  EXPECT_EQ((*files)[0].size, 1u);
}

// Regression: `doppel dedup 2023 2024` gave 2023/article.txt and 2024/article.txt one id.
TEST(ExpandInputs, TwoDirectoriesKeepTheirNamesInFront) {
  MemoryEnv env;
  env.files = {{"/news/2023/article.txt", "x"}, {"/news/2024/article.txt", "y"}};
  const std::vector<std::string> args = {"/news/2023", "/news/2024/"};
  auto files = expand_inputs(args, InputFormat::kAuto, env);
  ASSERT_TRUE(files.ok());
  EXPECT_EQ(ids_of(*files), (std::vector<std::string>{"2023/article.txt", "2024/article.txt"}));
}

TEST(ExpandInputs, FilesAreNamedRelativeToTheirCommonDirectory) {
  MemoryEnv env;
  env.files = {{"/a/f.txt", "1"}, {"/b/f.txt", "2"}, {"/a/g.txt", "3"}};
  const std::vector<std::string> one = {"/a/f.txt"};
  EXPECT_EQ(ids_of(*expand_inputs(one, InputFormat::kAuto, env)),
            (std::vector<std::string>{"f.txt"}));
  const std::vector<std::string> same_dir = {"/a/g.txt", "/a/f.txt"};
  EXPECT_EQ(ids_of(*expand_inputs(same_dir, InputFormat::kAuto, env)),
            (std::vector<std::string>{"g.txt", "f.txt"}));
  const std::vector<std::string> two_dirs = {"/a/f.txt", "/b/f.txt"};
  EXPECT_EQ(ids_of(*expand_inputs(two_dirs, InputFormat::kAuto, env)),
            (std::vector<std::string>{"a/f.txt", "b/f.txt"}));
}

TEST(ExpandInputs, MissingPathsEmptyDirectoriesAndNoInputsAreErrors) {
  MemoryEnv env;
  env.files = {{"/d/.only-hidden", "x"}, {"/f.txt", "x"}};
  const std::vector<std::string> missing = {"/f.txt", "/nope"};
  auto r = expand_inputs(missing, InputFormat::kAuto, env);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "/nope: no such file or directory");
  const std::vector<std::string> empty_dir = {"/d"};
  r = expand_inputs(empty_dir, InputFormat::kAuto, env);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("holds no files"), std::string::npos);
  r = expand_inputs({}, InputFormat::kAuto, env);
  ASSERT_FALSE(r.ok());
}

TEST(ExpandInputs, FormatByNameOrForced) {
  for (const char* name :
       {"a.jsonl", "a.ndjson", "a.json", "a.jsonl.gz", "a.json.zst", "a.ndjson.zst", "-"}) {
    EXPECT_TRUE(is_jsonl_name(name) || std::string(name) == "-") << name;
  }
  for (const char* name : {"a.txt", "a.txt.gz", "jsonl", "a.jsonlx", "a.gz"}) {
    EXPECT_FALSE(is_jsonl_name(name)) << name;
  }
  MemoryEnv env;
  env.files = {{"/x.txt", "t"}, {"/y.json", "{}"}};
  const std::vector<std::string> args = {"/x.txt", "/y.json", "-"};
  auto files = expand_inputs(args, InputFormat::kAuto, env);
  ASSERT_TRUE(files.ok());
  EXPECT_EQ((*files)[0].format, InputFormat::kText);
  EXPECT_EQ((*files)[1].format, InputFormat::kJsonl);
  EXPECT_EQ((*files)[2].format, InputFormat::kJsonl);
  EXPECT_TRUE((*files)[2].is_stdin());
  EXPECT_EQ((*files)[2].name, "<stdin>");
  files = expand_inputs(args, InputFormat::kText, env);
  EXPECT_EQ((*files)[1].format, InputFormat::kText);
}

// --- reading batches --------------------------------------------------------------------------

struct ReadDoc {
  std::uint32_t input = 0;
  std::uint64_t line = 0;
  std::string bytes;
  ReadStatus preset = ReadStatus::kOk;
  std::string detail;
};

struct ReadAll {
  std::vector<ReadDoc> docs;
  std::vector<std::string> file_problems;
  std::uint64_t blank_lines = 0, bytes = 0;
};

ReadAll read_all(MemoryEnv& env, const std::vector<std::string>& args, ReadOptions read = {}) {
  read.env = &env;
  auto source = CorpusSource::open(args, read);
  EXPECT_TRUE(source.ok()) << source.status().ToString();
  ReadAll out;
  if (!source.ok()) return out;
  auto reader = (*source)->read();
  EXPECT_TRUE(reader.ok());
  Batch batch;
  while ((*reader)->next(batch)) {
    for (const RawDoc& d : batch.docs) {
      out.docs.push_back(
          ReadDoc{d.input, d.line, std::string(batch.doc_bytes(d)), d.preset, d.detail});
    }
    for (const auto& p : batch.file_problems) out.file_problems.push_back(p.message);
    out.blank_lines += batch.blank_lines;
    out.bytes += batch.bytes;
    EXPECT_EQ(batch.buffer.view().substr(batch.buffer.size() - kBatchPadding),
              std::string(kBatchPadding, ' '));
  }
  return out;
}

// The lines of a JSON Lines text as a plain split gives them: (line number, bytes), blank lines
// left out, a \r before the \n dropped.
std::vector<std::pair<std::uint64_t, std::string>> reference_lines(const std::string& text) {
  std::vector<std::pair<std::uint64_t, std::string>> out;
  std::uint64_t line = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    ++line;
    std::string l = text.substr(start, end - start);
    if (!l.empty() && l.back() == '\r') l.pop_back();
    if (l.find_first_not_of(" \t\r") != std::string::npos) out.emplace_back(line, l);
    start = end + 1;
  }
  return out;
}

TEST(BatchReader, SplitsJsonLinesAsAPlainSplitDoesAtEveryReadSize) {
  std::mt19937_64 rng(4);
  for (int t = 0; t < 30; ++t) {
    std::string text;
    const int lines = 1 + static_cast<int>(rng() % 400);
    for (int i = 0; i < lines; ++i) {
      const int kind = static_cast<int>(rng() % 10);
      if (kind == 0) {
        text += "\n";  // blank
      } else if (kind == 1) {
        text += "  \t\r\n";  // blank with spaces
      } else {
        // Now and then a line longer than a read block (1 MiB).
        const std::size_t size = kind == 9 && rng() % 40 == 0 ? 1500000 : rng() % 300;
        std::string words(size, ' ');
        for (auto& c : words) c = "abcdefgh ij"[rng() % 11];
        text += "{\"id\":" + std::to_string(i) + ",\"text\":\"" + words + "\"}";
        text += rng() % 3 == 0 ? "\r\n" : "\n";
      }
    }
    if (rng() % 2 == 0 && !text.empty()) text.pop_back();  // a last line without a newline
    MemoryEnv env;
    env.read_chunk = std::vector<std::size_t>{1 << 20, 100003, 4099}[rng() % 3];
    env.files["/c.jsonl"] = text;
    const ReadAll got = read_all(env, {"/c.jsonl"});
    const auto expected = reference_lines(text);
    ASSERT_EQ(got.docs.size(), expected.size()) << "trial " << t;
    for (std::size_t i = 0; i < expected.size(); ++i) {
      ASSERT_EQ(got.docs[i].line, expected[i].first) << "trial " << t << " doc " << i;
      ASSERT_EQ(got.docs[i].bytes, expected[i].second) << "trial " << t << " doc " << i;
      ASSERT_EQ(got.docs[i].preset, ReadStatus::kOk);
    }
    EXPECT_EQ(got.bytes, text.size());
  }
}

TEST(BatchReader, LinesOverTheLimitAreSkippedWhereverTheyEnd) {
  for (const std::size_t big : {5000u, 3000000u}) {  // within one block, and across blocks
    MemoryEnv env;
    const std::string line = "{\"id\":\"big\",\"text\":\"" + std::string(big, 'x') + "\"}";
    env.files["/c.jsonl"] = "{\"id\":1}\n" + line + "\n{\"id\":3}\n";
    ReadOptions read;
    read.max_doc_bytes = 4096;
    const ReadAll got = read_all(env, {"/c.jsonl"}, read);
    ASSERT_EQ(got.docs.size(), 3u);
    EXPECT_EQ(got.docs[1].line, 2u);
    EXPECT_EQ(got.docs[1].preset, ReadStatus::kTooLarge);
    EXPECT_NE(got.docs[1].detail.find("larger than `max_doc_bytes` (4096)"), std::string::npos)
        << got.docs[1].detail;
    EXPECT_EQ(got.docs[2].line, 3u);
    EXPECT_EQ(got.docs[2].bytes, "{\"id\":3}");
  }
}

// Regression: a line over the limit that ends in "\r\n" was measured with its '\r' when read
// block by block and without it when whole, so the message depended on where the reads fell.
TEST(BatchReader, LengthOfALineOverTheLimitLeavesOutItsCarriageReturnAtEveryReadSize) {
  for (const std::size_t big : {4096u, 4097u, 5000u, 3000000u}) {
    const std::string line = std::string(big, 'x');
    for (const std::size_t chunk : {std::size_t{1} << 20, std::size_t{100003}, std::size_t{4099}}) {
      MemoryEnv env;
      env.read_chunk = chunk;
      env.files["/c.jsonl"] = "{\"id\":1}\r\n" + line + "\r\n{\"id\":3}\r\n";
      ReadOptions read;
      read.max_doc_bytes = 4096;
      const ReadAll got = read_all(env, {"/c.jsonl"}, read);
      ASSERT_EQ(got.docs.size(), 3u);
      if (big <= 4096) {
        EXPECT_EQ(got.docs[1].preset, ReadStatus::kOk) << big << " " << chunk;
        continue;
      }
      EXPECT_EQ(got.docs[1].preset, ReadStatus::kTooLarge);
      EXPECT_EQ(got.docs[1].detail,
                fmt::format("line of {} bytes is larger than `max_doc_bytes` (4096)", big))
          << chunk;
    }
  }
}

TEST(BatchReader, BinaryAndNonJsonLinesFilesAreRejectedWhole) {
  MemoryEnv env;
  env.files["/bin.jsonl"] = std::string("{\"id\":1}\n\0\0\0", 12);
  env.files["/array.json"] = "  [\n {\"id\": 1, \"text\": \"a\"},\n {\"id\": 2}\n]\n";
  env.files["/object.json"] = "{\n  \"id\": 1,\n  \"text\": \"a\"\n}\n";
  env.files["/lines.json"] = "{\"id\": 1, \"text\": \"a\"}\n{\"id\": 2, \"text\": \"b\"}\n";
  const ReadAll got = read_all(env, {"/bin.jsonl", "/array.json", "/object.json", "/lines.json"});
  ASSERT_EQ(got.docs.size(), 5u);
  EXPECT_EQ(got.docs[0].preset, ReadStatus::kBinaryFile);
  EXPECT_EQ(got.docs[1].preset, ReadStatus::kMalformedJson);
  EXPECT_NE(got.docs[1].detail.find("one JSON array, not JSON Lines"), std::string::npos);
  EXPECT_NE(got.docs[1].detail.find("jq -c '.[]' /array.json"), std::string::npos);
  EXPECT_EQ(got.docs[2].preset, ReadStatus::kMalformedJson);
  EXPECT_NE(got.docs[2].detail.find("one JSON object over many lines"), std::string::npos);
  EXPECT_EQ(got.docs[3].preset, ReadStatus::kOk);  // .json holding JSON Lines is read as such
  EXPECT_EQ(got.docs[4].bytes, "{\"id\": 2, \"text\": \"b\"}");
}

TEST(BatchReader, TruncatedCompressedJsonLinesKeepTheLinesBefore) {
  std::string text;
  // Several zstd blocks (128 KiB each): a cut frame still gives the blocks before the cut.
  for (int i = 0; i < 100000; ++i) text += "{\"id\":" + std::to_string(i) + "}\n";
  const std::string packed = zstd_compress(text);
  MemoryEnv env;
  env.files["/c.jsonl.zst"] = packed.substr(0, packed.size() * 2 / 3);
  const ReadAll got = read_all(env, {"/c.jsonl.zst"});
  ASSERT_FALSE(got.docs.empty());
  EXPECT_EQ(got.docs.back().preset, ReadStatus::kTruncated);
  for (std::size_t i = 0; i + 1 < got.docs.size(); ++i) {
    ASSERT_EQ(got.docs[i].bytes, "{\"id\":" + std::to_string(i) + "}");
  }
  ASSERT_EQ(got.file_problems.size(), 1u);
  EXPECT_NE(got.file_problems[0].find("truncated zstd stream"), std::string::npos);
}

TEST(BatchReader, TextFilesAreOneDocumentEach) {
  MemoryEnv env;
  env.files["/d/a.txt"] = "alpha";
  env.files["/d/b.txt.zst"] = zstd_compress("beta");
  env.files["/d/c.txt"] = std::string("ga\0mma", 6);
  env.files["/d/d.txt"] = std::string(5000, 'x');
  ReadOptions read;
  read.max_doc_bytes = 4096;
  const ReadAll got = read_all(env, {"/d"}, read);
  ASSERT_EQ(got.docs.size(), 4u);
  EXPECT_EQ(got.docs[0].bytes, "alpha");
  EXPECT_EQ(got.docs[1].bytes, "beta");
  EXPECT_EQ(got.docs[2].preset, ReadStatus::kBinaryFile);
  EXPECT_EQ(got.docs[3].preset, ReadStatus::kTooLarge);
  for (const auto& d : got.docs) EXPECT_EQ(d.line, 0u);
}

// --- parsing documents -----------------------------------------------------------------------

// Reads `text` as the ranges of /c.jsonl that `cuts` (ascending byte offsets) divide it into, each
// range with its own reader, as processes of a distributed run do; the line counts before each
// range come from count_lines().
ReadAll read_in_ranges(MemoryEnv& env, const std::string& text,
                       const std::vector<std::uint64_t>& cuts, ReadOptions read = {}) {
  read.env = &env;
  env.files["/c.jsonl"] = text;
  auto files = expand_inputs(std::vector<std::string>{"/c.jsonl"}, InputFormat::kAuto, env);
  EXPECT_TRUE(files.ok());
  std::vector<std::uint64_t> bounds = {0};
  bounds.insert(bounds.end(), cuts.begin(), cuts.end());
  bounds.push_back(kToTheEnd);
  ReadAll out;
  std::uint64_t lines_before = 0;
  for (std::size_t k = 0; k + 1 < bounds.size(); ++k) {
    const FileRange range{0, bounds[k], bounds[k + 1], lines_before};
    auto file = env.open("/c.jsonl");
    EXPECT_TRUE(file.ok());
    auto lines = count_lines(**file, range.begin, range.end);
    EXPECT_TRUE(lines.ok());
    lines_before += *lines;
    auto source = CorpusSource::open_ranges(*files, {range}, read);
    EXPECT_TRUE(source.ok());
    auto reader = (*source)->read();
    EXPECT_TRUE(reader.ok());
    Batch batch;
    while ((*reader)->next(batch)) {
      for (const RawDoc& d : batch.docs) {
        out.docs.push_back(
            ReadDoc{d.input, d.line, std::string(batch.doc_bytes(d)), d.preset, d.detail});
      }
      out.blank_lines += batch.blank_lines;
      out.bytes += batch.bytes;
    }
  }
  // Every line is counted by exactly one range.
  const auto newlines = static_cast<std::uint64_t>(std::count(text.begin(), text.end(), '\n'));
  EXPECT_EQ(lines_before, newlines + (!text.empty() && text.back() != '\n' ? 1 : 0));
  return out;
}

void expect_same_reading(const ReadAll& whole, const ReadAll& ranged, const std::string& what) {
  ASSERT_EQ(ranged.docs.size(), whole.docs.size()) << what;
  for (std::size_t i = 0; i < whole.docs.size(); ++i) {
    ASSERT_EQ(ranged.docs[i].line, whole.docs[i].line) << what << " doc " << i;
    ASSERT_EQ(ranged.docs[i].preset, whole.docs[i].preset) << what << " doc " << i;
    // The bytes of a line over the limit are kept only when it ends in the block it starts in,
    // which depends on where reading started; they are never parsed.
    if (whole.docs[i].preset == ReadStatus::kOk) {
      ASSERT_TRUE(ranged.docs[i].bytes == whole.docs[i].bytes) << what << " doc " << i;
    }
    ASSERT_EQ(ranged.docs[i].detail, whole.docs[i].detail) << what << " doc " << i;
  }
  EXPECT_EQ(ranged.blank_lines, whole.blank_lines) << what;
  EXPECT_EQ(ranged.bytes, whole.bytes) << what;
}

TEST(BatchReader, RangesCutAtEveryByteReadWhatTheWholeFileGives) {
  const std::string text =
      "{\"id\":1}\n\n{\"id\":22,\"text\":\"a b\"}\r\n  \n{\"id\":333}\n\n\n{\"id\":4}";
  for (const std::string& t : {text, text + "\n"}) {
    MemoryEnv env;
    env.files["/c.jsonl"] = t;
    const ReadAll whole = read_all(env, {"/c.jsonl"});
    for (std::uint64_t cut = 0; cut <= t.size() + 1; ++cut) {
      for (const std::uint64_t second : {cut, cut + 5}) {
        MemoryEnv ranged_env;
        ranged_env.read_chunk = 1 + cut % 7;  // short reads too
        expect_same_reading(whole, read_in_ranges(ranged_env, t, {cut, second}),
                            fmt::format("cuts {} {}", cut, second));
      }
    }
  }
}

TEST(BatchReader, RangesOfLargeFilesReadWhatTheWholeFileGives) {
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 6; ++trial) {
    std::string text;
    const int lines = 1 + static_cast<int>(rng() % 2000);
    for (int i = 0; i < lines; ++i) {
      const int kind = static_cast<int>(rng() % 10);
      if (kind == 0) {
        text += "\n";
        continue;
      }
      // Now and then a line longer than `max_doc_bytes` below, or than a read block.
      const std::size_t size = kind == 9 && rng() % 10 == 0 ? (rng() % 2 == 0 ? 5000 : 1500000)
                                                            : static_cast<std::size_t>(rng() % 300);
      std::string words(size, ' ');
      for (auto& c : words) c = "abcdefgh ij"[rng() % 11];
      text += "{\"id\":" + std::to_string(i) + ",\"text\":\"" + words + "\"}";
      text += rng() % 3 == 0 ? "\r\n" : "\n";
    }
    if (rng() % 2 == 0) text.pop_back();
    std::vector<std::uint64_t> cuts;
    for (int k = static_cast<int>(rng() % 4); k >= 0; --k)
      cuts.push_back(rng() % (text.size() + 10));
    std::sort(cuts.begin(), cuts.end());
    ReadOptions read;
    read.max_doc_bytes = 4096;
    MemoryEnv env;
    env.files["/c.jsonl"] = text;
    const ReadAll whole = read_all(env, {"/c.jsonl"}, read);
    MemoryEnv ranged_env;
    ranged_env.read_chunk = std::vector<std::size_t>{1 << 20, 100003, 4099}[rng() % 3];
    expect_same_reading(whole, read_in_ranges(ranged_env, text, cuts, read),
                        fmt::format("trial {}", trial));
  }
}

// A range whose last line fills a batch: its bytes, counted when the range closes, come in a
// batch of no documents, which must still be given out (a 4-rank run of Reuters had reported a
// quarter of its size).
TEST(BatchReader, ARangeEndingWithAFullBatchCountsItsBytes) {
  const std::string first = "{\"id\":1,\"text\":\"a b c\"}\n";
  const std::string text = first + "{\"id\":2,\"text\":\"" + std::string(3u << 20, 'x') + "\"}\n";
  MemoryEnv env;
  env.files["/c.jsonl"] = text;
  const ReadAll whole = read_all(env, {"/c.jsonl"});
  EXPECT_EQ(whole.bytes, text.size());
  MemoryEnv ranged_env;
  expect_same_reading(whole, read_in_ranges(ranged_env, text, {first.size()}), "one cut");
}

TEST(BatchReader, FilesRejectedWholeAreKnownByTheirHead) {
  EXPECT_TRUE(rejected_whole(std::string("{\"id\":1}\n\0", 11)));
  EXPECT_TRUE(rejected_whole("  [\n{\"id\":1}\n]"));
  EXPECT_TRUE(rejected_whole("{\n  \"id\": 1\n}\n"));
  EXPECT_FALSE(rejected_whole("{\"id\":1}\n{\"id\":2}\n"));
  EXPECT_FALSE(rejected_whole(""));
  // Only the first kBinarySniff bytes count.
  EXPECT_FALSE(rejected_whole(std::string(kBinarySniff, '\n') + std::string(1, '\0')));
}

TEST(TextHeader, DateAndBylineOrNothing) {
  const TextHeader h = parse_text_header(" date 2021-10-19 By Vugar Khalilov\n\n\nBody text.");
  EXPECT_TRUE(h.found);
  EXPECT_EQ(h.date, "2021-10-19");
  EXPECT_EQ(h.byline, "Vugar Khalilov");
  EXPECT_EQ(std::string(" date 2021-10-19 By Vugar Khalilov\n\n\nBody text.").substr(h.body_offset),
            "Body text.");
  EXPECT_TRUE(parse_text_header("date 2020-01-02\r\nBody").found);
  // Other forms of the date, and "Date:" as e-mail and news archives write it.
  for (const auto& [line, date, byline] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"Date: 2023-02-07\nBody", "2023-02-07", ""},
           {"date 2023-02-08T10:00 By Bob\nBody", "2023-02-08T10:00", "Bob"},
           {"DATE: Fri, 01 Oct 2021 08:00:00 +0000\n\nBody", "Fri, 01 Oct 2021 08:00:00 +0000", ""},
           {"Date:  7 Feb 2023  By  A. Writer \nBody", "7 Feb 2023", "A. Writer"}}) {
    const TextHeader got = parse_text_header(line);
    EXPECT_TRUE(got.found) << line;
    EXPECT_EQ(got.date, date) << line;
    EXPECT_EQ(got.byline, byline) << line;
    EXPECT_EQ(line.substr(got.body_offset), "Body") << line;
  }
  for (const char* not_a_header :
       {"", "date", "date 2021-10-19X", "dated 2021-10-19 by someone", "date 2021-1-19 By X",
        "date 2021-10-19 by lowercase", "Body text without a header", "Date: unknown",
        "Date: 2021-02-30", "date:2021-10-19", "Date of the meeting: 2021-10-19"}) {
    EXPECT_FALSE(parse_text_header(not_a_header).found) << not_a_header;
  }
}

ParsedDoc parse_one(const std::string& bytes, InputFormat format, const ReadOptions& read = {}) {
  MemoryEnv env;
  const std::string path = format == InputFormat::kJsonl ? "/d/x.jsonl" : "/d/x.txt";
  env.files[path] = bytes;
  ReadOptions options = read;
  options.env = &env;
  auto source = CorpusSource::open(std::vector<std::string>{path}, options);
  EXPECT_TRUE(source.ok());
  auto reader = (*source)->read();
  Batch batch;
  EXPECT_TRUE((*reader)->next(batch));
  EXPECT_EQ(batch.docs.size(), 1u);
  DocumentParser parser(options);
  ParsedDoc out;
  parser.parse(batch, batch.docs[0], (*source)->files()[0], out);
  // Copy what points into the batch before it goes.
  static std::string keep;
  keep = std::string(out.source);
  out.source = keep;
  return out;
}

TEST(DocumentParser, JsonIdsDatesAndText) {
  ParsedDoc d =
      parse_one(R"({"id":"a1","text":"Hello \u00e9","date":"2020-01-01"})", InputFormat::kJsonl);
  EXPECT_EQ(d.status, ReadStatus::kOk);
  EXPECT_EQ(d.id, "a1");
  EXPECT_TRUE(d.id_from_input);
  EXPECT_EQ(d.source, "Hello \xc3\xa9");
  EXPECT_EQ(d.body(), d.source);
  EXPECT_EQ(d.date, "2020-01-01");
  d = parse_one(R"({"id":-7,"text":"x","date":20200101})", InputFormat::kJsonl);
  EXPECT_EQ(d.id, "-7");
  EXPECT_EQ(d.date, "20200101");
  d = parse_one(R"({"text":"x"})", InputFormat::kJsonl);
  EXPECT_TRUE(d.synthesized_id);
  EXPECT_EQ(d.id, "/d/x.jsonl:1");
  d = parse_one(R"({"id":[1],"text":"x"})", InputFormat::kJsonl);
  EXPECT_EQ(d.status, ReadStatus::kMalformedJson);
  d = parse_one(R"({"id":1,"text":"x")", InputFormat::kJsonl);
  EXPECT_EQ(d.status, ReadStatus::kMalformedJson);
  d = parse_one(R"([1,2])", InputFormat::kJsonl);
  EXPECT_EQ(d.status, ReadStatus::kMalformedJson);
  d = parse_one(R"({"id":18446744073709551616,"text":"x"})", InputFormat::kJsonl);
  EXPECT_EQ(d.status, ReadStatus::kMalformedJson);
  EXPECT_NE(
      d.message.find(
          "an integer beyond 64 bits or a number beyond 1.8e308, in any field: write such numbers "
          "as strings"),
      std::string::npos)
      << d.message;
  d = parse_one(R"({"id":"a","text":"x","date":1e400})", InputFormat::kJsonl);
  EXPECT_EQ(d.status, ReadStatus::kMalformedJson);
  EXPECT_NE(d.message.find("in any field"), std::string::npos) << d.message;
  d = parse_one(R"({"id":1,"text":3})", InputFormat::kJsonl);
  EXPECT_EQ(d.status, ReadStatus::kMissingText);
  d = parse_one("{\"id\":1,\"text\":\"\xff\"}", InputFormat::kJsonl);
  EXPECT_EQ(d.status, ReadStatus::kInvalidUtf8);
  EXPECT_EQ(d.id, "1") << "invalid UTF-8 in the text only: named by its own id";
  EXPECT_TRUE(d.id_from_input);
  // A lone surrogate as Python writes it (surrogatepass), and a Latin-1 byte in another field.
  d = parse_one("{\"id\":\"py\",\"text\":\"a \xed\xb3\x80 b\"}", InputFormat::kJsonl);
  EXPECT_EQ(d.status, ReadStatus::kInvalidUtf8);
  EXPECT_EQ(d.id, "py");
  d = parse_one("{\"id\":\"l1\",\"note\":\"caf\xe9\",\"text\":\"ok\"}", InputFormat::kJsonl);
  EXPECT_EQ(d.status, ReadStatus::kInvalidUtf8);
  EXPECT_EQ(d.id, "l1");
  // Invalid bytes in the id, or a line that is not JSON once repaired: named by the place.
  for (const std::string& line : {std::string("{\"id\":\"caf\xe9\",\"text\":\"x\"}"),
                                  std::string("{\"id\":\"a\",\"text\":\"\xff\"")}) {
    d = parse_one(line, InputFormat::kJsonl);
    EXPECT_EQ(d.status, ReadStatus::kInvalidUtf8) << line;
    EXPECT_EQ(d.id, "/d/x.jsonl:1") << line;
  }
  ReadOptions custom;
  custom.id_field = "doc";
  custom.text_field = "body";
  d = parse_one(R"({"doc":"z","body":"b"})", InputFormat::kJsonl, custom);
  EXPECT_EQ(d.id, "z");
  EXPECT_EQ(d.source, "b");
}

// A line without the text field says which fields it has, and which one holds the longest
// string, so that the run's error can suggest the right `text_field`.
TEST(DocumentParser, MissingTextNamesTheFieldsTheLineHas) {
  const ParsedDoc d =
      parse_one(R"({"id":"1","title":"Short","content":"The longest string of them all","n":4})",
                InputFormat::kJsonl);
  EXPECT_EQ(d.status, ReadStatus::kMissingText);
  EXPECT_EQ(d.message, R"(no "text" field (the line has "id", "title", "content", "n"))");
  EXPECT_EQ(d.text_field_hint, "content");
}

TEST(DocumentParser, TextFileSourceIncludesTheHeader) {
  const std::string file = "\xEF\xBB\xBF date 2021-10-19 By Someone\n\nThe body.";
  const ParsedDoc d = parse_one(file, InputFormat::kText);
  EXPECT_EQ(d.status, ReadStatus::kOk);
  EXPECT_EQ(d.id, "x.txt");
  EXPECT_EQ(d.source, file);  // offsets count from the file's first byte
  EXPECT_EQ(d.body(), "The body.");
  EXPECT_EQ(d.date, "2021-10-19");
  EXPECT_EQ(d.byline, "Someone");
  EXPECT_EQ(parse_one("ok \xc3\x28", InputFormat::kText).status, ReadStatus::kInvalidUtf8);
}

// --- reading again ---------------------------------------------------------------------------

TEST(CorpusSource, StandardInputIsReadOnceAndKeptForASecondReading) {
  MemoryEnv env;
  env.read_chunk = 1000;
  std::string text;
  for (int i = 0; i < 3000; ++i) text += "{\"id\":" + std::to_string(i) + ",\"text\":\"t\"}\n";
  env.stdin_bytes = text;
  ReadOptions read;
  read.env = &env;
  read.keep_stdin = true;
  auto source = CorpusSource::open(std::vector<std::string>{"-"}, read);
  ASSERT_TRUE(source.ok());
  auto lines = [&] {
    auto reader = (*source)->read();
    EXPECT_TRUE(reader.ok());
    std::string all;
    Batch batch;
    while ((*reader)->next(batch)) {
      for (const RawDoc& d : batch.docs) all += std::string(batch.doc_bytes(d)) + "\n";
    }
    return all;
  };
  EXPECT_EQ(lines(), text);
  EXPECT_EQ(lines(), text);
  EXPECT_EQ(lines(), text);
  EXPECT_EQ(env.stdin_opens, 1);
}

TEST(CorpusSource, StandardInputNotKeptCannotBeReadAgain) {
  MemoryEnv env;
  env.stdin_bytes = "{\"id\":1,\"text\":\"t\"}\n";
  ReadOptions read;
  read.env = &env;
  auto source = CorpusSource::open(std::vector<std::string>{"-"}, read);
  ASSERT_TRUE(source.ok());
  ASSERT_TRUE((*source)->read().ok());
  auto again = (*source)->read();
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.status().message().find("`keep_stdin`"), std::string::npos);
}

}  // namespace
}  // namespace doppel
