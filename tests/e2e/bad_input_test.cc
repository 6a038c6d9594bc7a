// Bad input, one test per kind (docs/input.md): under the default --on-error=skip doppel exits 0,
// warns naming the file, the line and the reason, counts the document under its reason in
// --stats, lists it in --removed with that reason and message, and processes the good documents
// around it, so that kept + removed = read. Then --on-error=fail and usage errors (exit 2).
#include <gtest/gtest.h>

#include <cctype>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "e2e/fixtures.h"
#include "e2e/harness.h"
#include "e2e/outputs.h"
#include "text/utf8.h"

namespace doppel::test {
namespace {

// One run with every output file, parsed.
struct Outcome {
  RunResult run;
  FlatJson stats;
  std::vector<RemovedRow> removed;
  std::vector<CorpusRow> corpus;
  std::string output;          // the corpus file's bytes
  std::set<std::string> kept;  // ids in the output corpus
};

// `parse_output`: false leaves `corpus` and `kept` empty (for outputs of hundreds of MB).
Outcome dedup(const std::vector<std::string>& inputs, const std::vector<std::string>& extra = {},
              bool parse_output = true) {
  const std::string dir = temp_dir();
  std::vector<std::string> args = {"dedup"};
  args.insert(args.end(), inputs.begin(), inputs.end());
  for (const char* o : {"--stats", "--removed", "--output", "--clusters"}) {
    args.push_back(o);
    args.push_back(dir + "/" + (o + 2));
  }
  args.insert(args.end(), extra.begin(), extra.end());
  Outcome o;
  o.run = run_doppel(args);
  if (o.run.exit_code != 0) return o;
  o.stats = parse_flat(read_file(dir + "/stats"));
  o.removed = parse_removed(read_file(dir + "/removed"));
  o.output = read_file(dir + "/output");
  if (!parse_output) return o;
  o.corpus = parse_corpus(o.output);
  for (const auto& row : o.corpus) o.kept.insert(row.count("id") ? row.at("id") : "");
  return o;
}

// The common contract of a skipped bad document.
void expect_skipped(const Outcome& o, const std::string& id, const std::string& reason,
                    const std::string& where, const std::string& why, double count = 1) {
  SCOPED_TRACE(reason + " " + id);
  ASSERT_EQ(o.run.exit_code, 0) << o.run.err;
  // A warning on standard error naming the place and the reason.
  EXPECT_GE(count_lines_with(o.run.err, {"doppel: warning: ", where, why}), 1)
      << "no warning with \"" << where << "\" and \"" << why << "\" in:\n"
      << o.run.err;
  // Counted under its reason.
  EXPECT_EQ(o.stats.num("documents." + reason), count);
  // Listed in --removed with its reason, file and message.
  const RemovedRow* row = find_removed(o.removed, id);
  ASSERT_NE(row, nullptr) << "not in --removed: " << id;
  EXPECT_EQ(row->reason, reason);
  EXPECT_FALSE(row->file.empty());
  EXPECT_TRUE(contains(row->message, where)) << "message: " << row->message;
  EXPECT_TRUE(contains(row->message, why)) << "message: " << row->message;
  if (reason != "duplicate_id") {  // the first document with the id is kept
    EXPECT_EQ(o.kept.count(id), 0u) << "a bad document is not in the corpus";
  }
}

// A too_large document's warning names the flag that raises the limit; the library's message in
// --removed names the option the way every front end shares (`max_doc_bytes`).
void expect_names_the_limit(const Outcome& o, const std::string& id) {
  EXPECT_GE(count_lines_with(o.run.err, {"doppel: warning: ", "larger than --max-doc-bytes"}), 1)
      << o.run.err;
  const RemovedRow* row = find_removed(o.removed, id);
  ASSERT_NE(row, nullptr);
  EXPECT_TRUE(contains(row->message, "larger than `max_doc_bytes`")) << row->message;
}

// kept + removed = read, in the stats and in the files.
void expect_accounted(const Outcome& o) {
  ASSERT_EQ(o.run.exit_code, 0) << o.run.err;
  const double read = o.stats.num("documents.read");
  EXPECT_EQ(o.stats.num("documents.kept") + o.stats.num("documents.removed"), read);
  EXPECT_EQ(static_cast<double>(o.corpus.size()), o.stats.num("documents.kept"));
  EXPECT_EQ(static_cast<double>(o.removed.size()), o.stats.num("documents.removed"));
}

void expect_kept(const Outcome& o, const std::vector<std::string>& ids) {
  for (const auto& id : ids) EXPECT_EQ(o.kept.count(id), 1u) << "good document not kept: " << id;
}

std::string good(int i) { return jsonl_doc("good" + std::to_string(i), random_text(900 + i, 40)); }

// A JSON Lines file with good documents around `bad` (line 3); returns its path.
std::string sandwich(const std::string& dir, const std::string& bad,
                     const std::string& name = "bad.jsonl") {
  const std::string path = dir + "/" + name;
  write_file(path, good(0) + "\n" + good(1) + "\n" + bad + "\n" + good(2) + "\n" + good(3) + "\n");
  return path;
}

const std::vector<std::string> kGood = {"good0", "good1", "good2", "good3"};

void expect_bad_line(const std::string& bad, const std::string& reason, const std::string& why,
                     const std::string& id = "") {
  const std::string dir = temp_dir();
  const std::string path = sandwich(dir, bad);
  const Outcome o = dedup({path});
  expect_skipped(o, id.empty() ? path + ":3" : id, reason, path + ":3", why);
  expect_kept(o, kGood);
  expect_accounted(o);
  EXPECT_EQ(o.stats.num("documents.read"), 5);
  EXPECT_EQ(o.stats.num("documents.kept"), 4);
  for (const auto& row : o.removed) {
    if (row.reason == reason) {
      EXPECT_EQ(row.line, 3) << row.id;
    }
  }
}

// A file named twice (or also inside a directory named, or through a link) was read twice, and
// every document of its second reading answered as a duplicate of itself.
TEST(BadInput, AFileNamedTwiceIsRefusedBeforeReading) {
  const std::string dir = temp_dir();
  write_file(dir + "/a.jsonl", good(0) + "\n" + good(1) + "\n");
  write_file(dir + "/other.jsonl", good(2) + "\n");
  std::filesystem::create_symlink("a.jsonl", dir + "/link.jsonl");
  const std::vector<std::vector<std::string>> twice = {
      {dir + "/a.jsonl", dir + "/a.jsonl"},
      {dir, dir + "/a.jsonl"},
      {dir + "/a.jsonl", dir + "/link.jsonl"},
      {dir + "/a.jsonl",
       dir + "/../" + std::filesystem::path(dir).filename().string() + "/a.jsonl"}};
  for (const auto& inputs : twice) {
    std::vector<std::string> args = {"dedup"};
    args.insert(args.end(), inputs.begin(), inputs.end());
    const RunResult r = run_doppel(args);
    EXPECT_EQ(r.exit_code, 2) << inputs[1];
    EXPECT_NE(r.err.find("the same file is named twice"), std::string::npos) << r.err;
  }
  const RunResult ok = run_doppel({"dedup", dir + "/a.jsonl", dir + "/other.jsonl", "-q"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
}

TEST(BadInput, MalformedJsonMissingBrace) {
  expect_bad_line(R"({"id": "x", "text": "abc")", "malformed_json", "malformed JSON");
}

TEST(BadInput, MalformedJsonNotJson) {
  expect_bad_line("not json", "malformed_json", "malformed JSON");
}

// Regression: the first of two "text" (or "id") keys was read without a word, where Python's json,
// jq and JavaScript read the last: the document compared as a text its author never meant.
TEST(BadInput, AFieldGivenTwiceIsMalformed) {
  expect_bad_line(R"({"id": "b", "text": "one two three", "text": "four five six"})",
                  "malformed_json", "field \"text\" appears 2 times");
  expect_bad_line(R"({"id": "k1", "id": "k2", "text": "one two three"})", "malformed_json",
                  "field \"id\" appears 2 times");
}

TEST(BadInput, JsonThatIsNotAnObject) {
  expect_bad_line("[1, 2, 3]", "malformed_json", "not an object");
}

TEST(BadInput, IdThatIsNeitherStringNorInteger) {
  expect_bad_line(R"({"id": 1.5, "text": "a float id is no id"})", "malformed_json",
                  "must be a string or an integer");
}

// A date is a string or a number; an object or a boolean was dropped without a word, and the
// document then counted as undated for --keep earliest.
TEST(BadInput, DateThatIsNeitherStringNumberNorNull) {
  expect_bad_line(R"({"id": "t", "date": {"year": 1987}, "text": "an object date is no date"})",
                  "malformed_json", "field \"date\" must be a string, a number or null", "t");
  expect_bad_line(R"({"id": "b", "date": true, "text": "a boolean date is no date"})",
                  "malformed_json", "field \"date\" must be a string, a number or null", "b");
}

TEST(BadInput, NullAndNumberDatesAreRead) {
  const std::string dir = temp_dir();
  const std::string path = dir + "/dates.jsonl";
  write_file(path, R"({"id": "n", "date": null, "text": "one two three"})"
                   "\n"
                   R"({"id": "y", "date": 1987, "text": "four five six"})"
                   "\n");
  const Outcome o = dedup({path});
  expect_accounted(o);
  EXPECT_EQ(o.stats.num("documents.kept"), 2);
  EXPECT_EQ(o.stats.num("documents.malformed_json"), 0);
}

// Regression: a date of spaces (" ") sorted before every real date and made its document the
// earliest; spaces around a date moved it too. They are trimmed; spaces only is no date.
TEST(BadInput, SpacesAroundADateAreNotPartOfIt) {
  const std::string dir = temp_dir();
  const std::string path = dir + "/dates.jsonl";
  const std::string text = "the same words in every document of this little corpus here";
  write_file(path, R"({"id": "blank", "date": "   ", "text": ")" + text + "\"}\n" +
                       R"({"id": "may", "date": "2021-05-01", "text": ")" + text + "\"}\n" +
                       R"({"id": "april", "date": " 2021-04-01\t", "text": ")" + text + "\"}\n");
  const Outcome o = dedup({path}, {"--keep", "earliest"});
  expect_accounted(o);
  EXPECT_EQ(o.kept, std::set<std::string>{"april"});
  EXPECT_NE(o.output.find(R"("date": " 2021-04-01\t")"), std::string::npos)
      << "the input line is copied as it was";
}

TEST(BadInput, MissingTextField) {
  expect_bad_line(R"({"id": "m", "title": "no text here"})", "missing_text", "no \"text\" field",
                  "m");
}

TEST(BadInput, NonStringText) {
  expect_bad_line(R"({"id": "n", "text": 42})", "missing_text", "\"text\" is not a string", "n");
}

// Named by its own id: the bytes are in the text (the line is read again with them replaced, for
// the id); docs/input.md.
TEST(BadInput, InvalidUtf8InJsonLine) {
  expect_bad_line("{\"id\": \"u\", \"text\": \"caf\xe9 au lait \xff\"}", "invalid_utf8",
                  "invalid UTF-8", "u");
}

// docs/input.md: an escape of a lone surrogate is invalid JSON (the parser cannot decode the line,
// so the document is named after its location, not its id).
TEST(BadInput, LoneSurrogateEscapeIsMalformedJson) {
  expect_bad_line(R"({"id": "s", "text": "a lone \ud800 surrogate"})", "malformed_json",
                  "malformed JSON");
}

TEST(BadInput, InvalidUtf8InTextFile) {
  const std::string dir = temp_dir();
  const std::string corpus = dir + "/corpus";
  mkdir(corpus.c_str(), 0755);
  write_file(corpus + "/a.txt", random_text(1, 50) + "\n");
  write_file(corpus + "/b.txt", random_text(2, 10) + "\nsecond line \xc3\x28 here\n");
  write_file(corpus + "/c.txt", random_text(3, 50) + "\n");
  const Outcome o = dedup({corpus});
  expect_skipped(o, "b.txt", "invalid_utf8", corpus + "/b.txt", "invalid UTF-8 at byte");
  const RemovedRow* row = find_removed(o.removed, "b.txt");
  ASSERT_NE(row, nullptr);
  EXPECT_TRUE(contains(row->message, "(line 2)")) << row->message;
  EXPECT_EQ(row->line, 0) << "text files have no line field";
  expect_kept(o, {"a.txt", "c.txt"});
  expect_accounted(o);
  EXPECT_EQ(o.stats.num("documents.read"), 3);
}

TEST(BadInput, EmptyAndPunctuationOnlyText) {
  const std::string dir = temp_dir();
  const std::string path = dir + "/empty.jsonl";
  write_file(path, good(0) + "\n" + R"({"id": "e", "text": ""})" + "\n" + good(1) + "\n" +
                       R"({"id": "p", "text": "  ... !!! --- \n\t \u2014 ?"})" + "\n" + good(2) +
                       "\n");
  const Outcome o = dedup({path});
  expect_skipped(o, "e", "empty_text", path + ":2", "no words", 2);
  expect_skipped(o, "p", "empty_text", path + ":4", "no words", 2);
  expect_kept(o, {"good0", "good1", "good2"});
  expect_accounted(o);
}

TEST(BadInput, EmptyTextFile) {
  const std::string dir = temp_dir();
  write_file(dir + "/a.txt", random_text(1, 50));
  write_file(dir + "/blank.txt", " \n\n\t\n");
  const Outcome o = dedup({dir});
  expect_skipped(o, "blank.txt", "empty_text", dir + "/blank.txt", "no words");
  expect_kept(o, {"a.txt"});
  expect_accounted(o);
}

TEST(BadInput, DuplicateIdRemovesTheSecond) {
  const std::string dir = temp_dir();
  const std::string path = dir + "/ids.jsonl";
  write_file(path, good(0) + "\n" + good(1) + "\n" + jsonl_doc("good0", random_text(77, 40)) +
                       "\n" + good(2) + "\n");
  const Outcome o = dedup({path});
  ASSERT_EQ(o.run.exit_code, 0) << o.run.err;
  EXPECT_EQ(o.stats.num("documents.duplicate_id"), 1);
  ASSERT_EQ(o.removed.size(), 1u);
  const RemovedRow& row = o.removed[0];
  EXPECT_EQ(row.id, "good0");
  EXPECT_EQ(row.reason, "duplicate_id");
  EXPECT_EQ(row.line, 3);
  EXPECT_TRUE(contains(row.message, path + ":3")) << row.message;
  EXPECT_TRUE(contains(row.message, "first at " + path + ":1")) << row.message;
  EXPECT_GE(count_lines_with(o.run.err, {"warning", path + ":3", "duplicate id", path + ":1"}), 1)
      << o.run.err;
  // The first one is kept, verbatim.
  const auto lines = split_lines(o.output);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], good(0));
  expect_kept(o, {"good0", "good1", "good2"});
  expect_accounted(o);
}

// A bad line claimed its id, so its corrected version later in the input was a duplicate_id and
// no version of the document survived.
TEST(BadInput, ABadLineDoesNotClaimItsId) {
  const std::string dir = temp_dir();
  const std::string path = dir + "/ids.jsonl";
  write_file(path, "{\"id\":\"good0\",\"text\":5}\n" + jsonl_doc("good1", "") + "\n" + good(0) +
                       "\n" + good(1) + "\n" + jsonl_doc("good1", "") + "\n" + good(2) + "\n");
  const Outcome o = dedup({path});
  ASSERT_EQ(o.run.exit_code, 0) << o.run.err;
  EXPECT_EQ(o.stats.num("documents.duplicate_id"), 0);
  EXPECT_EQ(o.stats.num("documents.empty_text"), 2);
  expect_kept(o, {"good0", "good1", "good2"});
  expect_accounted(o);
}

TEST(BadInput, DuplicateIdAcrossFiles) {
  const std::string dir = temp_dir();
  write_file(dir + "/a.jsonl", good(0) + "\n" + good(1) + "\n");
  write_file(dir + "/b.jsonl", good(2) + "\n" + jsonl_doc("good1", random_text(78, 40)) + "\n");
  const Outcome o = dedup({dir + "/a.jsonl", dir + "/b.jsonl"});
  expect_skipped(o, "good1", "duplicate_id", dir + "/b.jsonl:2", "first at " + dir + "/a.jsonl:2");
  expect_kept(o, {"good0", "good1", "good2"});
  expect_accounted(o);
}

TEST(BadInput, BinaryFileInDirectory) {
  const std::string dir = temp_dir();
  write_file(dir + "/a.txt", random_text(1, 50));
  write_file(dir + "/b.bin", std::string("\x7f"
                                         "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0",
                                         16) +
                                 random_text(2, 50));
  write_file(dir + "/c.txt", random_text(3, 50));
  const Outcome o = dedup({dir});
  expect_skipped(o, "b.bin", "binary_file", dir + "/b.bin", "binary file");
  expect_kept(o, {"a.txt", "c.txt"});
  expect_accounted(o);
  EXPECT_EQ(o.stats.num("documents.read"), 3);
}

// Regression: a link in a directory whose target could not be looked at was skipped without a
// word, as links to directories are: a document lost in silence. Now it is read, and reported
// unreadable with the reason.
TEST(BadInput, DanglingLinkInDirectoryIsUnreadable) {
  const std::string dir = temp_dir();
  write_file(dir + "/a.txt", random_text(1, 50));
  std::filesystem::create_symlink(dir + "/gone.txt", dir + "/b.txt");
  std::filesystem::create_symlink("c.txt", dir + "/c.txt");  // a loop
  const Outcome o = dedup({dir});
  expect_skipped(o, "b.txt", "unreadable", dir + "/b.txt", "No such file or directory", 2);
  expect_skipped(o, "c.txt", "unreadable", dir + "/c.txt", "Too many levels of symbolic links", 2);
  expect_kept(o, {"a.txt"});
  expect_accounted(o);
  EXPECT_EQ(o.stats.num("documents.read"), 3);
}

// Regression: one subdirectory that could not be listed (a root-owned lost+found) ended the
// whole run. Now it is reported unreadable, and the rest is read. Run as an unprivileged user
// (root may list anything).
TEST(BadInput, UnlistableSubdirectoryIsUnreadable) {
  namespace fs = std::filesystem;
  const std::string dir = temp_dir();
  fs::permissions(dir, fs::perms::all);
  fs::create_directories(dir + "/in/private");
  write_file(dir + "/in/a.txt", random_text(1, 50));
  write_file(dir + "/in/private/b.txt", random_text(2, 50));
  fs::permissions(dir + "/in", fs::perms::owner_all | fs::perms::group_read |
                                   fs::perms::group_exec | fs::perms::others_read |
                                   fs::perms::others_exec);
  fs::permissions(dir + "/in/a.txt", fs::perms::owner_read | fs::perms::others_read);
  fs::permissions(dir + "/in/private", fs::perms::owner_all);
  std::vector<std::string> argv;
  if (::geteuid() == 0) {
    if (!fs::exists("/usr/bin/setpriv")) GTEST_SKIP() << "needs setpriv (util-linux) as root";
    argv = {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};
  }
  argv.insert(argv.end(), {DOPPEL_BINARY, "dedup", dir + "/in", "--removed", "-", "-q"});
  const RunResult r = run_program(argv);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"id\":\"private\",\"reason\":\"unreadable\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Permission denied"), std::string::npos) << r.out;
  // A file named inside it: not "no such file", which it is not.
  argv.resize(argv.size() - 5);
  argv.insert(argv.end(), {"dedup", dir + "/in/private/b.txt"});
  const RunResult named = run_program(argv);
  EXPECT_EQ(named.exit_code, 2);
  EXPECT_NE(named.err.find("b.txt: cannot look at it: Permission denied"), std::string::npos)
      << named.err;
}

TEST(BadInput, BinaryJsonLinesFileIsOneDocument) {
  const std::string dir = temp_dir();
  const std::string bin = dir + "/utf16.jsonl";
  // UTF-16LE text without a byte order mark: NUL after every ASCII byte. doppel does not guess
  // encodings, so this is binary data (a marked one: UnicodeWithAByteOrderMarkIsNamed).
  std::string utf16;
  for (char c : good(5) + "\n" + good(6) + "\n") {
    utf16.push_back(c);
    utf16.push_back('\0');
  }
  write_file(bin, utf16);
  write_file(dir + "/good.jsonl", good(0) + "\n" + good(1) + "\n");
  const Outcome o = dedup({dir + "/good.jsonl", bin});
  ASSERT_EQ(o.run.exit_code, 0) << o.run.err;
  EXPECT_EQ(o.stats.num("documents.binary_file"), 1) << "the whole file counts as one document";
  EXPECT_EQ(o.stats.num("documents.read"), 3);
  ASSERT_EQ(o.removed.size(), 1u);
  EXPECT_EQ(o.removed[0].reason, "binary_file");
  EXPECT_EQ(o.removed[0].id, bin) << "named after the file (docs/input.md)";
  EXPECT_EQ(o.removed[0].file, bin);
  EXPECT_TRUE(contains(o.removed[0].message, "binary file")) << o.removed[0].message;
  EXPECT_GE(count_lines_with(o.run.err, {"warning", bin, "binary file"}), 1) << o.run.err;
  expect_kept(o, {"good0", "good1"});
  expect_accounted(o);
}

// UTF-16 and UTF-32 text with a byte order mark (Windows' "Unicode" text files) was "binary file
// (NUL byte at offset 1)", or, with no NUL (UTF-16 of Chinese), "invalid UTF-8 at byte 0": now
// it is named, with the command that converts it, and counted as invalid_utf8; text files and
// JSON Lines alike.
TEST(BadInput, UnicodeWithAByteOrderMarkIsNamed) {
  const std::string dir = temp_dir();
  std::filesystem::create_directories(dir + "/in");
  auto wide = [](const std::string& ascii, int width, bool big_endian) {
    std::string out;
    for (char c : ascii) {
      std::string unit(static_cast<std::size_t>(width), '\0');
      unit[big_endian ? unit.size() - 1 : 0] = c;
      out += unit;
    }
    return out;
  };
  const std::string text = random_text(7, 40);
  write_file(dir + "/in/le16.txt", "\xff\xfe" + wide(text, 2, false));
  write_file(dir + "/in/be16.txt", "\xfe\xff" + wide(text, 2, true));
  // UTF-16BE of "中文" (U+4E2D U+6587): no NUL byte at all.
  write_file(dir + "/in/cjk16.txt", std::string("\xfe\xff\x4e\x2d\x65\x87", 6));
  write_file(dir + "/in/le32.txt", std::string("\xff\xfe\0\0", 4) + wide(text, 4, false));
  write_file(dir + "/in/good.txt", random_text(8, 40));
  write_file(dir + "/in/be32.txt", std::string("\0\0\xfe\xff", 4) + wide(text, 4, true));
  const std::string jsonl = dir + "/wide.jsonl";
  write_file(jsonl, "\xff\xfe" + wide(good(5) + "\n", 2, false));
  // UTF-32LE JSON Lines in two gzip members, the first holding only FF FE: read apart, the mark
  // looked like UTF-16LE's (and the hint converted it wrongly).
  const std::string split = dir + "/split.jsonl.gz";
  write_file(dir + "/part1", "\xff\xfe");
  write_file(dir + "/part2", std::string("\0\0", 2) + wide(good(6) + "\n", 4, false));
  ASSERT_NO_FATAL_FAILURE(
      shell("gzip -c " + dir + "/part1 > " + split + " && gzip -c " + dir + "/part2 >> " + split));
  const Outcome o = dedup({dir + "/in", jsonl, split});
  expect_accounted(o);
  EXPECT_EQ(o.stats.num("documents.invalid_utf8"), 7);
  EXPECT_EQ(o.stats.num("documents.binary_file"), 0);
  const std::vector<std::pair<std::string, std::string>> named = {
      {"in/le16.txt", "UTF-16LE text (by its byte order mark)"},
      {"in/be16.txt", "UTF-16BE text"},
      {"in/cjk16.txt", "UTF-16BE text"},
      {"in/le32.txt", "UTF-32LE text"},
      {"in/be32.txt", "UTF-32BE text"},
      {jsonl, "UTF-16LE text"},
      {split, "UTF-32LE text"}};
  for (const auto& [id, why] : named) {
    const RemovedRow* row = find_removed(o.removed, id);
    ASSERT_NE(row, nullptr) << id;
    EXPECT_EQ(row->reason, "invalid_utf8") << id;
    EXPECT_TRUE(contains(row->message, why)) << row->message;
    EXPECT_TRUE(contains(row->message, "iconv -f UTF-")) << row->message;
    EXPECT_GE(count_lines_with(o.run.err, {"warning", id, why}), 1) << o.run.err;
  }
  EXPECT_TRUE(contains(find_removed(o.removed, jsonl)->message, "NEW.jsonl"));
  EXPECT_TRUE(contains(find_removed(o.removed, "in/le16.txt")->message, "NEW.txt"));
  expect_kept(o, {"in/good.txt"});
}

// A JSON Lines file of fewer than 4 bytes that could begin a byte order mark (its head is kept
// back in case the next read completes one) is still judged when it ends there: NUL bytes are a
// binary file and a UTF-16 mark is named, plain, compressed and on standard input alike.
TEST(BadInput, ATinyFileThatCouldBeginAMarkIsStillJudged) {
  const std::string dir = temp_dir();
  write_file(dir + "/good.jsonl", good(0) + "\n");
  const std::vector<std::pair<std::string, std::string>> tiny = {
      {std::string("\0", 1), "binary_file"},
      {std::string("\0\0\xfe", 3), "binary_file"},
      {"\xff\xfe", "invalid_utf8"},
      {"\xfe\xff", "invalid_utf8"}};
  for (std::size_t i = 0; i < tiny.size(); ++i) {
    const auto& [bytes, reason] = tiny[i];
    const std::string plain = dir + "/t" + std::to_string(i) + ".jsonl";
    write_file(plain, bytes);
    const std::string packed = plain + ".gz";
    ASSERT_NO_FATAL_FAILURE(shell("gzip -c " + plain + " > " + packed));
    for (const std::string& path : {plain, packed}) {
      const Outcome o = dedup({dir + "/good.jsonl", path});
      SCOPED_TRACE(path);
      expect_accounted(o);
      EXPECT_EQ(o.stats.num("documents." + reason), 1);
      const RemovedRow* row = find_removed(o.removed, path);
      ASSERT_NE(row, nullptr) << "not rejected whole: " << o.run.err;
      EXPECT_EQ(row->reason, reason);
      EXPECT_TRUE(contains(row->message, reason == "binary_file" ? "NUL byte at offset 0"
                                                                 : "by its byte order mark"))
          << row->message;
    }
    const RunResult piped = run_doppel({"dedup", "-"}, bytes);
    EXPECT_EQ(piped.exit_code, 2);
    EXPECT_TRUE(contains(piped.err, reason == "binary_file" ? "binary file" : "UTF-16"))
        << piped.err;
  }
}

// A corpus big enough to span many compressed blocks, so that half of the compressed file holds
// complete lines.
std::string write_compressible_corpus(const std::string& path, int docs) {
  write_file(path, jsonl_corpus("d", docs, 80, 7));
  return path;
}

void expect_truncated_stream(const std::string& tool, const std::string& ext,
                             const std::string& stream_word) {
  const std::string dir = temp_dir();
  const std::string plain = write_compressible_corpus(dir + "/corpus.jsonl", 3000);
  const std::string packed = dir + "/whole.jsonl." + ext;
  ASSERT_NO_FATAL_FAILURE(shell(tool + " -q -c " + plain + " > " + packed));
  const std::string cut = dir + "/cut.jsonl." + ext;
  cut_in_half(packed, cut);
  write_file(dir + "/after.jsonl", good(0) + "\n" + good(1) + "\n");
  const Outcome o = dedup({cut, dir + "/after.jsonl"});
  ASSERT_EQ(o.run.exit_code, 0) << o.run.err;

  // The file is reported as damaged, by name.
  EXPECT_EQ(o.stats.num("file_problems"), 1);
  EXPECT_GE(count_lines_with(o.run.err, {"warning", cut, "truncated " + stream_word}), 1)
      << o.run.err;
  // The partial last line is a truncated document; every line before it is kept.
  EXPECT_EQ(o.stats.num("documents.truncated"), 1);
  std::int64_t truncated_line = 0;
  for (const auto& row : o.removed) {
    if (row.reason == "truncated") truncated_line = row.line;
  }
  ASSERT_GT(truncated_line, 100) << "half the file holds many complete lines";
  ASSERT_LT(truncated_line, 3000);
  expect_skipped(o, cut + ":" + std::to_string(truncated_line), "truncated",
                 cut + ":" + std::to_string(truncated_line), "cut short");
  // The file's message counts the complete lines before the damage (it counted the partial one).
  EXPECT_GE(count_lines_with(o.run.err, {"warning", cut,
                                         "after line " + std::to_string(truncated_line - 1) + ";"}),
            1)
      << o.run.err;
  for (std::int64_t i = 0; i < truncated_line - 1; ++i) {
    ASSERT_EQ(o.kept.count("d" + std::to_string(i)), 1u) << "d" << i;
  }
  EXPECT_EQ(o.stats.num("documents.read"), static_cast<double>(truncated_line + 2));
  // The next file is read as usual.
  expect_kept(o, {"good0", "good1"});
  expect_accounted(o);
}

TEST(BadInput, TruncatedZstd) { expect_truncated_stream("zstd", "zst", "zstd"); }

TEST(BadInput, TruncatedGzip) { expect_truncated_stream("gzip", "gz", "gzip"); }

TEST(BadInput, CorruptZstdIsADamagedFile) {
  const std::string dir = temp_dir();
  std::string garbage;
  std::uint64_t x = 42;
  for (int i = 0; i < 20000; ++i) {
    x = x * 6364136223846793005ULL + 1;
    garbage.push_back(static_cast<char>(x >> 56));
  }
  garbage[0] = 'G';  // not the zstd magic number
  const std::string bad = dir + "/garbage.jsonl.zst";
  write_file(bad, garbage);
  write_file(dir + "/good.jsonl", good(0) + "\n" + good(1) + "\n");
  const Outcome o = dedup({bad, dir + "/good.jsonl"});
  ASSERT_EQ(o.run.exit_code, 0) << o.run.err;
  EXPECT_EQ(o.stats.num("file_problems"), 1);
  EXPECT_GE(count_lines_with(o.run.err, {"warning", bad, "corrupt zstd"}), 1) << o.run.err;
  EXPECT_EQ(o.stats.num("documents.read"), 2) << "no document comes out of garbage";
  expect_kept(o, {"good0", "good1"});
  expect_accounted(o);
}

// Regression: a file named .gz that was never compressed was "corrupt gzip stream: incorrect
// header check", which does not tell the user what is wrong with it.
TEST(BadInput, PlainTextUnderAGzipNameSaysItIsNotGzip) {
  const std::string dir = temp_dir();
  const std::string plain = dir + "/plain.jsonl.gz";
  write_file(plain, good(0) + "\n");
  write_file(dir + "/good.jsonl", good(1) + "\n");
  const Outcome o = dedup({plain, dir + "/good.jsonl"});
  ASSERT_EQ(o.run.exit_code, 0) << o.run.err;
  EXPECT_EQ(o.stats.num("file_problems"), 1);
  EXPECT_GE(count_lines_with(o.run.err, {"warning", plain, "not gzip data", "without .gz"}), 1)
      << o.run.err;
  // No line was read from it: nothing "after line 0" to keep.
  EXPECT_GE(count_lines_with(o.run.err, {plain, "before any whole line was read from it"}), 1)
      << o.run.err;
  EXPECT_EQ(o.run.err.find("after line 0"), std::string::npos) << o.run.err;
  expect_kept(o, {"good1"});
  expect_accounted(o);
  // Alone, quiet: the error says which file and why, not only that every file was damaged.
  const RunResult alone = run_doppel({"dedup", plain, "-q"});
  EXPECT_EQ(alone.exit_code, 2);
  EXPECT_NE(alone.err.find("every file was damaged or unreadable; the first: " + plain +
                           ": not gzip data"),
            std::string::npos)
      << alone.err;
}

// Regression: --removed lost the message of every bad document listed after a damaged file
// (the file's problem, which has no document, stopped the writer's walk over the problems).
TEST(BadInput, RemovedKeepsMessagesAfterADamagedFile) {
  const std::string dir = temp_dir();
  const std::string plain = write_compressible_corpus(dir + "/corpus.jsonl", 3000);
  ASSERT_NO_FATAL_FAILURE(shell("zstd -q -c " + plain + " > " + dir + "/whole.jsonl.zst"));
  cut_in_half(dir + "/whole.jsonl.zst", dir + "/cut.jsonl.zst");
  const std::string after = sandwich(dir, "not json", "after.jsonl");
  const Outcome o = dedup({dir + "/cut.jsonl.zst", after});
  ASSERT_EQ(o.run.exit_code, 0) << o.run.err;
  ASSERT_FALSE(o.removed.empty());
  for (const auto& row : o.removed) {
    EXPECT_FALSE(row.message.empty()) << "no message for " << row.id << " (" << row.reason << ")";
  }
  expect_skipped(o, after + ":3", "malformed_json", after + ":3", "malformed JSON");
}

// A ~100 MB JSON line: too_large by default, read past without being held; processed when the
// limit is raised.
class HugeDocument : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(temp_dir());
    std::ofstream out(path(), std::ios::binary);
    out << good(0) << "\n";
    out << R"({"id": "huge", "text": ")";
    const std::string block = random_text(4242, 20000) + " ";
    std::size_t written = 0;
    while (written < (100u << 20)) {
      out << block;
      written += block.size();
    }
    out << "\"}\n" << good(1) << "\n";
  }
  static void TearDownTestSuite() {
    std::remove(path().c_str());
    delete dir_;
  }
  static std::string path() { return *dir_ + "/huge.jsonl"; }
  static std::string* dir_;
};
std::string* HugeDocument::dir_ = nullptr;

TEST_F(HugeDocument, SkippedAsTooLargeByDefault) {
  const auto start = std::chrono::steady_clock::now();
  const Outcome o = dedup({path()});
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("100 MB line, default limit: %.2f s (doppel: %.2f s)\n", secs,
              o.stats.num("seconds.total"));
  expect_skipped(o, path() + ":2", "too_large", path() + ":2", "larger than");
  expect_names_the_limit(o, path() + ":2");
  expect_kept(o, {"good0", "good1"});
  expect_accounted(o);
  EXPECT_EQ(o.stats.num("documents.read"), 3);
  EXPECT_LT(o.stats.num("peak_rss_bytes"), 1.0 * (1u << 30))
      << "an over-long line is read past in blocks, not held";
}

TEST_F(HugeDocument, KeptWithAHigherLimit) {
  const auto start = std::chrono::steady_clock::now();
  const Outcome o = dedup({path()}, {"--max-doc-bytes", "200M", "-q"}, false);
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("100 MB line, --max-doc-bytes 200M: %.2f s (doppel: %.2f s)\n", secs,
              o.stats.num("seconds.total"));
  ASSERT_EQ(o.run.exit_code, 0) << o.run.err;
  EXPECT_EQ(o.stats.num("documents.read"), 3);
  EXPECT_EQ(o.stats.num("documents.too_large"), 0);
  EXPECT_EQ(o.stats.num("documents.kept"), 3);
  EXPECT_TRUE(o.removed.empty());
  // The corpus is the input, line for line.
  EXPECT_EQ(o.output.size(), read_file(path()).size());
  EXPECT_TRUE(o.output.starts_with(good(0) + "\n{\"id\": \"huge\", \"text\": \""));
  EXPECT_TRUE(o.output.ends_with("\"}\n" + good(1) + "\n"));
}

TEST(BadInput, TooLargeTextFile) {
  const std::string dir = temp_dir();
  write_file(dir + "/small.txt", random_text(1, 50));
  write_file(dir + "/large.txt", random_text(2, 2000));
  const Outcome o = dedup({dir}, {"--max-doc-bytes", "4K"});
  expect_skipped(o, "large.txt", "too_large", dir + "/large.txt", "larger than");
  expect_names_the_limit(o, "large.txt");
  expect_kept(o, {"small.txt"});
  expect_accounted(o);
}

TEST(BadInput, TooLargeLineWithinABlock) {
  const std::string dir = temp_dir();
  const std::string path =
      sandwich(dir, jsonl_doc("long", random_text(3, 2000)));  // ~15 KB, complete in one block
  const Outcome o = dedup({path}, {"--max-doc-bytes", "4K"});
  expect_skipped(o, path + ":3", "too_large", path + ":3", "larger than");
  expect_names_the_limit(o, path + ":3");
  expect_kept(o, kGood);
  expect_accounted(o);
}

TEST(BadInput, BlankLinesAreNotDocuments) {
  const std::string dir = temp_dir();
  const std::string path = dir + "/blank.jsonl";
  write_file(path, "\n" + good(0) + "\n\n   \n\t\n" + good(1) + "\n\n");
  const Outcome o = dedup({path});
  expect_accounted(o);
  EXPECT_EQ(o.stats.num("blank_lines"), 5);
  EXPECT_EQ(o.stats.num("documents.read"), 2);
  EXPECT_TRUE(o.removed.empty());
  EXPECT_FALSE(contains(o.run.err, "warning")) << o.run.err;
  expect_kept(o, {"good0", "good1"});
}

TEST(BadInput, MissingIdIsSynthesizedFromFileAndLine) {
  const std::string dir = temp_dir();
  const std::string path = dir + "/noid.jsonl";
  const std::string text = random_text(5, 40);
  // Line 2 has no id; line 4 has the same text, so the cluster names line 2's id.
  write_file(path, good(0) + "\n{\"text\": \"" + text + "\"}\n" + good(1) + "\n" +
                       jsonl_doc("copy", text) + "\n");
  const std::string cdir = temp_dir();
  const RunResult r = run_doppel(
      {"dedup", path, "--clusters", cdir + "/c", "--stats", cdir + "/s", "--output", cdir + "/o"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const FlatJson stats = parse_flat(read_file(cdir + "/s"));
  EXPECT_EQ(stats.num("synthesized_ids"), 1);
  EXPECT_EQ(stats.num("documents.read"), 4);
  EXPECT_EQ(stats.num("documents.kept"), 3) << "a missing id is not bad input";
  const auto clusters = parse_clusters(read_file(cdir + "/c"));
  ASSERT_EQ(clusters.size(), 1u);
  EXPECT_EQ(clusters[0].representative, path + ":2");
  EXPECT_NE(clusters[0].member("copy"), nullptr);
  EXPECT_TRUE(contains(r.err, "ids synthesized")) << r.err;
  // The corpus keeps the line verbatim (it has no id to add).
  EXPECT_EQ(split_lines(read_file(cdir + "/o"))[1], "{\"text\": \"" + text + "\"}");
}

// docs/formats.md: synthesized_ids counts "JSON documents without an id"; a line that is not
// JSON at all is malformed_json, not a document without an id.
TEST(BadInput, MalformedLinesAreNotCountedAsSynthesizedIds) {
  const std::string dir = temp_dir();
  const std::string path = sandwich(dir, "not json");
  const Outcome o = dedup({path});
  expect_accounted(o);
  EXPECT_EQ(o.stats.num("documents.malformed_json"), 1);
  EXPECT_EQ(o.stats.num("synthesized_ids"), 0);
  EXPECT_FALSE(contains(o.run.err, "ids synthesized")) << o.run.err;
}

TEST(BadInput, CrlfLineEndings) {
  const std::string dir = temp_dir();
  const std::string path = dir + "/crlf.jsonl";
  write_file(path, good(0) + "\r\n" + good(1) + "\r\n\r\n" + good(2) + "\r\n");
  const Outcome o = dedup({path});
  expect_accounted(o);
  EXPECT_TRUE(o.removed.empty()) << o.run.err;
  EXPECT_EQ(o.stats.num("documents.read"), 3);
  EXPECT_EQ(o.stats.num("blank_lines"), 1);
  expect_kept(o, {"good0", "good1", "good2"});
  EXPECT_EQ(split_lines(o.output), (std::vector<std::string>{good(0), good(1), good(2)}))
      << "the \\r is dropped";
}

TEST(BadInput, CrlfTextFileHeader) {
  const std::string dir = temp_dir();
  write_file(dir + "/a.txt",
             " date 2024-01-02 By Ann Example\r\n\r\n" + random_text(1, 40) + "\r\n");
  const Outcome o = dedup({dir});
  expect_accounted(o);
  ASSERT_EQ(o.corpus.size(), 1u);
  EXPECT_EQ(o.corpus[0].at("date"), "2024-01-02");
  EXPECT_EQ(o.corpus[0].at("byline"), "Ann Example");
  EXPECT_FALSE(contains(o.corpus[0].at("text"), "date")) << o.corpus[0].at("text");
}

// Compressed data under a plain name, or on standard input, is not taken for binary text: the
// message says how to name or decompress it.
TEST(BadInput, CompressedDataUnderAPlainName) {
  const std::string dir = temp_dir();
  write_file(dir + "/plain.jsonl", good(0) + "\n" + good(1) + "\n");
  ASSERT_NO_FATAL_FAILURE(shell("gzip -c " + dir + "/plain.jsonl > " + dir + "/packed.jsonl"));
  const Outcome o = dedup({dir + "/packed.jsonl", dir + "/plain.jsonl"});
  expect_skipped(o, dir + "/packed.jsonl", "binary_file", dir + "/packed.jsonl",
                 "gzip-compressed data");
  const std::string zst = dir + "/in.zst";
  ASSERT_NO_FATAL_FAILURE(shell("zstd -q -c " + dir + "/plain.jsonl > " + zst));
  const RunResult r = run_doppel({"dedup", "-"}, read_file(zst));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "zstd-compressed data")) << r.err;
  EXPECT_TRUE(contains(r.err, "zstd -dc")) << r.err;
}

// A file read as text because of its name that holds JSON Lines (data.gz of a .jsonl, or a
// process substitution, /dev/fd/63) was one text document made of many, without a word;
// compressed data under a plain name was "binary file" without a hint. Both are rejected whole,
// saying what to do; text that merely starts with a brace is still text.
TEST(BadInput, JsonLinesOrCompressedDataUnderATextName) {
  const std::string dir = temp_dir();
  std::filesystem::create_directories(dir + "/in");
  write_file(dir + "/in/plain.jsonl", good(0) + "\n" + good(1) + "\n");
  ASSERT_NO_FATAL_FAILURE(shell("gzip -c " + dir + "/in/plain.jsonl > " + dir + "/in/data.gz"));
  ASSERT_NO_FATAL_FAILURE(shell("gzip -c " + dir + "/in/plain.jsonl > " + dir + "/in/data.bin"));
  write_file(dir + "/in/braces.txt", "{curly} " + random_text(5, 40) + " {\"text\": 1}\n");
  const Outcome o = dedup({dir + "/in"});
  expect_accounted(o);
  expect_skipped(o, "data.gz", "malformed_json", "data.gz", "holds JSON Lines");
  expect_skipped(o, "data.bin", "binary_file", "data.bin", "name it FILE.gz");
  EXPECT_TRUE(contains(o.run.err, "--format jsonl")) << o.run.err;
  EXPECT_EQ(o.kept.count("braces.txt"), 1u);
  EXPECT_EQ(o.stats.num("documents.read"), 5);

  const Outcome as_jsonl = dedup({dir + "/in/data.gz"}, {"--format", "jsonl"});
  expect_accounted(as_jsonl);
  EXPECT_EQ(as_jsonl.stats.num("documents.kept"), 2);
  const Outcome as_text = dedup({dir + "/in/data.gz"}, {"--format", "text"});
  expect_accounted(as_text);
  EXPECT_EQ(as_text.stats.num("documents.kept"), 1);

  const RunResult piped = run_program(
      {"/bin/bash", "-c", std::string(DOPPEL_BINARY) + " dedup <(cat " + dir + "/in/plain.jsonl)"});
  EXPECT_EQ(piped.exit_code, 2) << piped.err;
  EXPECT_TRUE(contains(piped.err, "holds JSON Lines")) << piped.err;
}

// --format text reads standard input as one text document (it was read as JSON Lines whatever
// --format said).
TEST(BadInput, StandardInputAsOneTextDocument) {
  const std::string text = random_text(21, 60);
  const RunResult r =
      run_doppel({"dedup", "--format", "text", "-", "--clusters", "-", "-q"}, text + "\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string dir = temp_dir();
  write_file(dir + "/copy.txt", text + "\n");
  const RunResult both = run_doppel(
      {"dedup", "--format", "text", "-", dir + "/copy.txt", "--clusters", "-", "-q"}, text + "\n");
  ASSERT_EQ(both.exit_code, 0) << both.err;
  EXPECT_TRUE(contains(both.out, "\"kind\":\"exact\"")) << both.out;
  EXPECT_TRUE(contains(both.out, "copy.txt")) << both.out;
}

// Editors on Windows start a file with a byte-order mark; it is not part of the first line's JSON.
TEST(BadInput, ByteOrderMarkBeforeTheFirstJsonLine) {
  const std::string dir = temp_dir();
  const std::string path = dir + "/bom.jsonl";
  // The second as `cat` of two such files leaves it (was malformed JSON: "improper structure").
  write_file(path, "\xEF\xBB\xBF" + good(0) + "\n\xEF\xBB\xBF" + good(1) + "\n");
  const Outcome o = dedup({path});
  expect_accounted(o);
  EXPECT_TRUE(o.removed.empty()) << o.run.err;
  expect_kept(o, {"good0", "good1"});
}

// Regression: a made-up id (FILE:LINE, for an object without one) was not checked against the
// real ids: a document whose id was "FILE:1" and the object on line 1 were both kept under one id.
TEST(BadInput, SynthesizedIdEqualToARealIdIsADuplicate) {
  const std::string dir = temp_dir();
  const std::string path = dir + "/c.jsonl";
  write_file(path, "{\"text\": \"" + random_text(7, 30) + "\"}\n" +
                       jsonl_doc(path + ":1", random_text(8, 30)) + "\n" + good(0) + "\n");
  const Outcome o = dedup({path});
  expect_accounted(o);
  EXPECT_EQ(o.stats.num("documents.duplicate_id"), 1);
  const RemovedRow* row = find_removed(o.removed, path + ":1");
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(row->reason, "duplicate_id");
  EXPECT_EQ(row->line, 2);
}

// Every output is UTF-8 (docs/formats.md), also when a file's name is not: its bytes that are not
// UTF-8 are written as \xHH, in ids and messages alike.
TEST(BadInput, FileNameThatIsNotUtf8IsEscapedInEveryOutput) {
  const std::string dir = temp_dir();
  const std::string text = random_text(11, 40);
  write_file(dir + "/caf\xE9.txt", text);
  write_file(dir + "/copy.txt", text);
  write_file(dir + "/bad\xFF.txt", "not \xFF utf-8");
  const Outcome o = dedup({dir});
  ASSERT_EQ(o.run.exit_code, 0) << o.run.err;
  const RunResult listed = run_doppel({"dedup", dir, "--clusters", "-", "--removed", "-", "-q"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_TRUE(contains(listed.out, "\"caf\\\\xE9.txt\"")) << listed.out;
  for (const std::string& bytes : {o.output, o.run.err, listed.out}) {
    EXPECT_EQ(find_invalid_utf8(bytes), bytes.size()) << bytes;
  }
  EXPECT_EQ(o.kept.count("caf\\xE9.txt"), 1u);
  const RemovedRow* row = find_removed(o.removed, "copy.txt");
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(row->reason, "exact_duplicate");
  const RemovedRow* bad = find_removed(o.removed, "bad\\xFF.txt");
  ASSERT_NE(bad, nullptr);
  EXPECT_EQ(bad->reason, "invalid_utf8");
  EXPECT_TRUE(contains(o.run.err, "bad\\xFF.txt")) << o.run.err;
}

TEST(BadInput, WarningsBeyondMaxWarningsAreCounted) {
  const std::string dir = temp_dir();
  const std::string path = dir + "/many.jsonl";
  std::string s = good(0) + "\n";
  for (int i = 0; i < 30; ++i) s += "not json " + std::to_string(i) + "\n";
  write_file(path, s);
  const Outcome o = dedup({path}, {"--max-warnings", "5"});
  expect_accounted(o);
  EXPECT_EQ(o.stats.num("documents.malformed_json"), 30);
  EXPECT_EQ(count_lines_with(o.run.err, {"doppel: warning: ", "malformed JSON"}), 5) << o.run.err;
  EXPECT_TRUE(contains(o.run.err, "25 more problems")) << o.run.err;
  EXPECT_EQ(o.removed.size(), 30u) << "--removed lists all of them";
  // A run that fails for want of any readable document says how many it did not show too, and
  // points to no output (none is written).
  write_file(path, s.substr(s.find('\n') + 1));
  const RunResult failed =
      run_doppel({"dedup", path, "--max-warnings", "5", "--removed", dir + "/removed.jsonl"});
  EXPECT_EQ(failed.exit_code, 2);
  EXPECT_TRUE(contains(failed.err, "doppel: warning: 25 more problems not shown\n")) << failed.err;
  EXPECT_FALSE(std::filesystem::exists(dir + "/removed.jsonl"));
}

// --on-error=fail: stop at the first bad document, exit 2, name it.
TEST(OnErrorFail, StopsAtTheFirstBadDocument) {
  const std::string dir = temp_dir();
  const std::string path = dir + "/bad.jsonl";
  write_file(path, good(0) + "\n" + good(1) + "\nnot json\n" + R"({"id":"m"})" + "\n");
  const RunResult r = run_doppel({"dedup", path, "--on-error=fail"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "error")) << r.err;
  EXPECT_TRUE(contains(r.err, path + ":3")) << r.err;
  EXPECT_TRUE(contains(r.err, "malformed JSON")) << r.err;
  EXPECT_FALSE(contains(r.err, path + ":4")) << "it stops at the first";
  EXPECT_FALSE(contains(r.out, "No duplicates")) << "no results after a failure";
}

TEST(OnErrorFail, TextFileInDirectory) {
  const std::string dir = temp_dir();
  write_file(dir + "/a.txt", random_text(1, 50));
  write_file(dir + "/b.txt", "bad \xff\n");
  const RunResult r = run_doppel({"dedup", dir, "--on-error", "fail"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, dir + "/b.txt")) << r.err;
  EXPECT_TRUE(contains(r.err, "invalid UTF-8")) << r.err;
}

// A damaged file loses the documents after the damage: under fail that stops the run too.
TEST(OnErrorFail, DamagedFileStopsTheRun) {
  const std::string dir = temp_dir();
  write_file(dir + "/ok.jsonl", good(0) + "\n" + good(1) + "\n");
  write_file(dir + "/plain.jsonl.zst", good(2) + "\n");  // named .zst, not compressed
  const RunResult r =
      run_doppel({"dedup", dir + "/ok.jsonl", dir + "/plain.jsonl.zst", "--on-error=fail", "-q"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, dir + "/plain.jsonl.zst")) << r.err;
  EXPECT_TRUE(contains(r.err, "corrupt zstd")) << r.err;
  EXPECT_FALSE(contains(r.err, "kept")) << "nothing is kept under fail: " << r.err;
}

TEST(OnErrorFail, GoodInputStillSucceeds) {
  const std::string dir = temp_dir();
  write_file(dir + "/ok.jsonl", good(0) + "\n" + good(1) + "\n");
  const RunResult r = run_doppel({"dedup", dir + "/ok.jsonl", "--on-error=fail", "-q"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

// Usage errors: exit 2 with a message, before anything is read.
TEST(UsageError, NonexistentInput) {
  const std::string missing = temp_dir() + "/no-such-file.jsonl";
  const RunResult r = run_doppel({"dedup", missing});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, missing)) << r.err;
  EXPECT_TRUE(contains(r.err, "no such file")) << r.err;
}

TEST(UsageError, UnwritableOutputFailsBeforeProcessing) {
  const std::string dir = temp_dir();
  const std::string path = sandwich(dir, "not json");  // would warn if it were read
  for (const char* flag : {"--output", "--clusters", "--removed", "--stats", "--pairs"}) {
    SCOPED_TRACE(flag);
    const std::string bad = dir + "/no-such-dir/out.jsonl";
    const RunResult r = run_doppel({"dedup", path, flag, bad});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_TRUE(contains(r.err, bad)) << r.err;
    EXPECT_FALSE(contains(r.err, "warning")) << "nothing is read before the outputs open:\n"
                                             << r.err;
    EXPECT_EQ(r.out, "");
  }
  const RunResult r = run_doppel({"dedup", path, "--output", dir});  // a directory
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, dir)) << r.err;
}

struct BadFlag {
  std::vector<std::string> args;
  std::string message;  // expected in the error
};

void PrintTo(const BadFlag& flag, std::ostream* os) {
  for (const auto& arg : flag.args) *os << arg << ' ';
}

class BadFlagValue : public ::testing::TestWithParam<BadFlag> {};

TEST_P(BadFlagValue, ExitsTwoWithAMessage) {
  const std::string input = source_dir() + "/examples/news.jsonl";
  std::vector<std::string> args = {"dedup", input};
  args.insert(args.end(), GetParam().args.begin(), GetParam().args.end());
  const RunResult r = run_doppel(args);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(contains(r.err, GetParam().message)) << r.err;
  EXPECT_EQ(r.out, "");
}

INSTANTIATE_TEST_SUITE_P(UsageError, BadFlagValue,
                         ::testing::Values(BadFlag{{"--threshold", "1.5"}, "--threshold"},
                                           BadFlag{{"--threshold", "0"}, "--threshold"},
                                           BadFlag{{"--threshold", "-0.2"}, "--threshold"},
                                           BadFlag{{"--bands", "16"}, "--rows"},
                                           BadFlag{{"--rows", "8"}, "--bands"},
                                           BadFlag{{"--bands", "64", "--rows", "8"}, "--hashes"},
                                           BadFlag{{"--normalize", "bogus"}, "bogus"},
                                           BadFlag{{"--normalize", "nfkc,,case"}, "--normalize"},
                                           BadFlag{{"--hashes", "0"}, "--hashes"},
                                           BadFlag{{"--ngram", "0"}, "--ngram"},
                                           BadFlag{{"--max-doc-bytes", "0"}, "--max-doc-bytes"},
                                           BadFlag{{"--threads", "-1"}, "--threads"},
                                           BadFlag{{"--keep", "newest"}, "--keep"},
                                           BadFlag{{"--verify", "maybe"}, "--verify"},
                                           BadFlag{{"--format", "xml"}, "--format"},
                                           BadFlag{{"--on-error", "ignore"}, "--on-error"},
                                           BadFlag{{"--threshold", "high"}, "--threshold"},
                                           BadFlag{{"--no-such-flag"}, "--no-such-flag"}),
                         [](const ::testing::TestParamInfo<BadFlag>& info) {
                           // A readable test name: the flags, letters and digits only.
                           std::string name;
                           for (const auto& arg : info.param.args) {
                             for (const char c : arg) {
                               if (std::isalnum(static_cast<unsigned char>(c))) name += c;
                             }
                             name += '_';
                           }
                           return name + std::to_string(info.index);
                         });

TEST(UsageError, NoInput) {
  for (const char* command : {"dedup", "reuse", "report"}) {
    const RunResult r = run_doppel({command});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_TRUE(contains(r.err, "doppel: error: invalid argument: no input given")) << r.err;
  }
}

// Regression: an empty directory ran and exited 0 with nothing compared.
TEST(UsageError, DirectoryWithoutFiles) {
  const std::string dir = temp_dir();
  write_file(dir + "/.hidden.txt", "a hidden file is not read");
  const RunResult r = run_doppel({"dedup", dir});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, dir + ": the directory holds no files to read")) << r.err;
}

TEST(UsageError, NoCommand) {
  const RunResult r = run_doppel({});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "doppel: error: no command given")) << r.err;
}

// Regression: `doppel foo` said "A subcommand is required".
TEST(UsageError, UnknownCommand) {
  const RunResult r = run_doppel({"dedupe", "corpus.jsonl"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "doppel: error: unknown command 'dedupe' (commands: dedup, reuse"))
      << r.err;
}

// `doppel index bogus` said "A subcommand is required", `doppel index add` "index is required",
// and both pointed to `doppel index --help`.
TEST(UsageError, UnknownIndexCommandAndMissingIndex) {
  const RunResult bogus = run_doppel({"index", "bogus", "x.idx"});
  EXPECT_EQ(bogus.exit_code, 2);
  EXPECT_TRUE(contains(
      bogus.err, "unknown index command 'bogus' (commands: add, query, remove, stats, export"))
      << bogus.err;
  const RunResult bare = run_doppel({"index", "add"});
  EXPECT_EQ(bare.exit_code, 2);
  EXPECT_TRUE(contains(bare.err, "INDEX is required")) << bare.err;
  EXPECT_TRUE(contains(bare.err, "Run 'doppel index add --help'")) << bare.err;
  const RunResult help = run_doppel({"index", "stats", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_FALSE(contains(help.out, "[Option Group: Input]")) << "an empty group: " << help.out;
}

// Regression: `--keep latest` failed with "Check latest value in {earliest->1,...} FAILED";
// a value a flag does not take is named with the values it does.
TEST(UsageError, WrongChoiceListsTheChoices) {
  const RunResult r = run_doppel({"dedup", "x", "--keep", "newest"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "--keep: 'newest' is not one of first, earliest, latest, longest"))
      << r.err;
}

}  // namespace
}  // namespace doppel::test
