// The command line: standard input, output destinations, determinism across thread counts,
// input formats and compression, the matching options, help, version and the stats file.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cctype>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "e2e/fixtures.h"
#include "e2e/harness.h"
#include "e2e/outputs.h"

namespace doppel::test {
namespace {

std::string news_dir() { return source_dir() + "/examples/news"; }
std::string news_jsonl() { return source_dir() + "/examples/news.jsonl"; }

// Every output file of one run.
struct Files {
  RunResult run;
  std::string clusters, pairs, removed, output, stats;
};

Files run_all(const std::vector<std::string>& inputs, const std::vector<std::string>& extra = {},
              const std::string& stdin_bytes = "") {
  const std::string dir = temp_dir();
  std::vector<std::string> args = {"dedup"};
  args.insert(args.end(), inputs.begin(), inputs.end());
  for (const char* o : {"--clusters", "--pairs", "--removed", "--output", "--stats"}) {
    args.push_back(o);
    args.push_back(dir + "/" + (o + 2));
  }
  args.insert(args.end(), extra.begin(), extra.end());
  Files f;
  f.run = run_doppel(args, stdin_bytes);
  EXPECT_EQ(f.run.exit_code, 0) << f.run.err;
  if (f.run.exit_code != 0) return f;
  f.clusters = read_file(dir + "/clusters");
  f.pairs = read_file(dir + "/pairs");
  f.removed = read_file(dir + "/removed");
  f.output = read_file(dir + "/output");
  f.stats = read_file(dir + "/stats");
  return f;
}

TEST(Stdin, JsonLinesFromStandardInput) {
  const Files from_file = run_all({news_jsonl()});
  const Files from_stdin = run_all({"-"}, {}, read_file(news_jsonl()));
  EXPECT_EQ(from_stdin.clusters, from_file.clusters);
  EXPECT_EQ(from_stdin.removed, from_file.removed);
  EXPECT_EQ(from_stdin.pairs, from_file.pairs);
  EXPECT_EQ(parse_flat(from_stdin.stats).num("documents.read"), 12);
}

TEST(Stdin, OutputIsTheKeptLinesVerbatim) {
  // --output needs a second pass over standard input: doppel spools a copy.
  const std::string input = read_file(news_jsonl());
  const Files f = run_all({"-"}, {}, input);
  std::set<std::string> removed;
  for (const auto& r : parse_removed(f.removed)) removed.insert(r.id);
  ASSERT_EQ(removed.size(), 3u);
  std::string expected;
  simdjson::dom::parser parser;
  for (const auto& line : split_lines(input)) {
    simdjson::dom::object o;
    ASSERT_TRUE(parse_object(parser, line, o));
    if (!removed.count(get_string(o, "id"))) expected += line + "\n";
  }
  EXPECT_EQ(f.output, expected);
  EXPECT_EQ(f.output, run_all({news_jsonl()}).output);
}

TEST(Stdin, LargeInputThroughThePipe) {
  // More than a pipe buffer in and out at once: the harness and doppel must not deadlock.
  const std::string input = jsonl_corpus("s", 3000, 60, 3);
  const RunResult r = run_doppel({"dedup", "-", "--output", "-", "-q"}, input);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, split_lines(input).back())) << "the corpus on standard output";
}

TEST(Stdin, BadLinesAreNamedAfterStdin) {
  const std::string input = jsonl_doc("a", random_text(1, 40)) + "\nnot json\n";
  const RunResult r = run_doppel({"dedup", "-"}, input);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GE(count_lines_with(r.err, {"warning", "<stdin>:2", "malformed JSON"}), 1) << r.err;
}

// "-" twice: standard input is read once, so the second "-" is empty in the first pass; the
// second pass (--output) must not then read the spooled copy twice.
TEST(Stdin, GivenTwiceIsNotAnInternalError) {
  const std::string input = jsonl_corpus("t", 5, 30, 9);
  const RunResult r = run_doppel({"dedup", "-", "-", "--output", "-", "-q"}, input);
  EXPECT_FALSE(contains(r.err, "internal error")) << r.err;
  if (r.exit_code == 0) {
    EXPECT_EQ(count_lines_with(r.out, {"\"id\":\"t"}), 5) << "each document once:\n" << r.out;
  } else {
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_TRUE(contains(r.err, "doppel: error: ")) << "a usage error: " << r.err;
  }
}

TEST(Output, ClustersDashPrintsJsonLinesInsteadOfTheListing) {
  const RunResult r = run_doppel({"dedup", news_dir(), "--clusters", "-", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(contains(r.out, "cluster 0 ·")) << r.out;
  EXPECT_FALSE(contains(r.out, "Similarity is")) << r.out;
  EXPECT_EQ(r.out, run_all({news_dir()}).clusters);
  EXPECT_EQ(parse_clusters(r.out).size(), 2u);
}

TEST(Output, ListingByDefault) {
  const RunResult r = run_doppel({"dedup", news_dir()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "cluster 0")) << r.out;
  EXPECT_TRUE(contains(r.out, "keep   01-harbour-bridge.txt")) << r.out;
  EXPECT_TRUE(contains(r.out, "word 5-gram shingles")) << r.out;
}

// Each cluster's kept document is shown by an excerpt of its text (its start and its end, read
// again from the input), so that a person sees what the cluster is about; standard input, read
// once, is listed without it.
TEST(Output, ListingShowsAnExcerptOfEachKeptDocument) {
  const RunResult r = run_doppel({"dedup", news_dir()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(
      contains(r.out,
               "cluster 0 · exact duplicates · 3 documents\n"
               "  \u201cCalderport's Tollard Swing Bridge reopened to \u2026 at the next full "
               "meeting.\u201d\n"
               "  keep   01-harbour-bridge.txt"))
      << r.out;
  EXPECT_FALSE(contains(r.err, "warning")) << r.err;

  const std::string text = random_text(5, 40);
  const RunResult piped =
      run_doppel({"dedup", "-"}, jsonl_doc("a", text) + "\n" + jsonl_doc("b", text) + "\n");
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_TRUE(contains(piped.out, "cluster 0 · exact duplicates · 2 documents\n  keep "))
      << piped.out;
  EXPECT_FALSE(contains(piped.err, "warning")) << piped.err;
}

// A cluster of a page copied many times lists ten of its documents, the kept one first, and a
// count of the others (all of them are in --clusters).
TEST(Output, ListingShowsTenDocumentsOfALargeCluster) {
  const std::string dir = temp_dir();
  const std::string text = random_text(9, 30);
  std::string corpus;
  for (int i = 0; i < 25; ++i) corpus += jsonl_doc("c" + std::to_string(i), text) + "\n";
  write_file(dir + "/copies.jsonl", corpus);
  const RunResult r = run_doppel({"dedup", dir + "/copies.jsonl"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "cluster 0 · exact duplicates · 25 documents\n")) << r.out;
  EXPECT_EQ(count_lines_with(r.out, {"  keep   c0"}), 1) << r.out;
  EXPECT_EQ(count_lines_with(r.out, {"  exact  c"}), 9) << r.out;
  EXPECT_TRUE(contains(r.out, "  exact  c9\n  ... and 15 more documents\n")) << r.out;
}

// A listing reads the input again for its excerpts only up to a limit (2 GiB; lowered here): past
// it, the clusters and passages are listed without them, and a note says why.
TEST(Output, ListingLeavesTheExcerptsOutWhereTheyWouldReadTooMuch) {
  for (const char* command : {"dedup", "reuse"}) {
    const RunResult r =
        run_program({DOPPEL_BINARY, command, news_dir()}, "", {"DOPPEL_LISTING_READ_BYTES=100"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(contains(r.out, command == std::string("dedup") ? "cluster 0 ·" : "passage 0 ·"))
        << r.out;
    EXPECT_FALSE(contains(r.out, "\u201c")) << r.out;
    EXPECT_TRUE(contains(r.err, "listed without their text: it would take reading")) << r.err;
    EXPECT_TRUE(contains(r.err, "(a listing reads at most 100 B)")) << r.err;
  }
}

// Regression: -q printed the whole listing; quiet means nothing but errors.
TEST(Output, QuietPrintsNothing) {
  for (const char* command : {"dedup", "reuse"}) {
    const RunResult r = run_doppel({command, news_dir(), "-q"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "") << command;
    EXPECT_EQ(r.err, "") << command;
  }
}

// Regression: the listing said "word shingles" when the shingles were characters.
TEST(Output, ListingNamesTheShinglesUsed) {
  const RunResult r = run_doppel({"dedup", news_dir(), "--shingle", "char", "--ngram", "9"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "Jaccard similarity of character 9-gram shingles")) << r.out;
}

TEST(Output, ShowLimitsTheListing) {
  const RunResult r = run_doppel({"dedup", news_dir(), "--show", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "01-harbour-bridge.txt"));
  EXPECT_FALSE(contains(r.out, "04-ferry-timetable.txt")) << r.out;
  EXPECT_TRUE(contains(r.out, "1 more cluster")) << r.out;
}

TEST(Output, SummaryOnStandardError) {
  const RunResult r = run_doppel({"dedup", news_dir()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.err, "12 documents")) << r.err;
  EXPECT_FALSE(contains(r.out, "12 documents")) << "the summary is not on standard output";
}

TEST(Output, FailedWriteExitsTwo) {
  for (const char* flag : {"--output", "--clusters", "--removed", "--stats", "--pairs"}) {
    SCOPED_TRACE(flag);
    const RunResult r = run_doppel({"dedup", news_dir(), flag, "/dev/full", "-q"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_TRUE(contains(r.err, "write failed")) << r.err;
  }
}

// The listing goes to standard output through stdio: a full disk there fails the run too.
TEST(Output, AListingThatCannotBeWrittenExitsTwo) {
  for (const char* command : {"dedup", "reuse"}) {
    SCOPED_TRACE(command);
    const RunResult r =
        run_program({"/bin/sh", "-c", std::string("exec \"$0\" ") + command + " \"$1\" > /dev/full",
                     DOPPEL_BINARY, news_dir()});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_TRUE(contains(r.err, "standard output: write failed")) << r.err;
  }
}

// `--output=$OUT` with OUT unset: CLI11 would take the next argument, an input, as the output and
// overwrite it. An empty value given apart (`--output "$OUT"`) would write nothing and exit 0.
TEST(Output, AnEmptyValueIsRefusedBeforeAnyFileIsTouched) {
  const std::string dir = temp_dir();
  const std::string a = dir + "/a.jsonl", b = dir + "/b.jsonl";
  const std::string bytes = read_file(news_jsonl());
  write_file(a, bytes);
  write_file(b, bytes);
  const std::vector<std::vector<std::string>> cases = {
      {"dedup", a, "--output=", b},    {"dedup", a, "--removed=", b},
      {"reuse", a, "--pairs=", b},     {"report", a, "--output=", b},
      {"dedup", a, "--output", "", b}, {"reuse", a, "--clusters", "", b},
      {"report", a, "-o", ""},         {"index", "add", dir + "/i", "--answers=", b},
  };
  for (const auto& args : cases) {
    SCOPED_TRACE(args[0] + " " + args[2] + " " + args[3]);
    const RunResult r = run_doppel(args);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_TRUE(contains(r.err, "empty")) << r.err;
    EXPECT_TRUE(read_file(b) == bytes) << "the input was overwritten";
  }
  EXPECT_FALSE(std::filesystem::exists(dir + "/i"));
}

// Ids and dates come from the input: an escape sequence among them drove the terminal, and a
// newline made a listing line of its own.
TEST(Output, ControlCharactersFromTheInputAreEscapedOnTheTerminal) {
  const std::string dir = temp_dir();
  const std::string path = dir + "/c.jsonl";
  const std::string text = "one two three four five six seven eight nine ten";
  write_file(path, std::string("{\"id\":\"c\\u009b31m\",\"text\":\"x y\"}\n") +
                       "{\"id\":\"a\\u001b[31mred\",\"text\":\"" + text + "\"}\n" +
                       "{\"id\":\"b\\nfake\",\"text\":\"" + text + "\"}\n" +
                       "{\"id\":\"a\\u001b[31mred\",\"text\":\"x\"}\n" +
                       "{\"id\":\"d\\u202etxt.exe\",\"text\":\"" + text + "\"}\n" +
                       "{\"id\":\"e\\u200fmark\\u061c\",\"text\":\"" + text + "\"}\n");
  for (const char* command : {"dedup", "reuse"}) {
    SCOPED_TRACE(command);
    std::vector<std::string> args = {command, path};
    if (command == std::string("reuse")) args.insert(args.end(), {"--min-words", "5"});
    const RunResult d = run_doppel(args);
    ASSERT_EQ(d.exit_code, 0) << d.err;
    for (const std::string& s : {d.out, d.err}) {
      EXPECT_FALSE(contains(s, "\x1b")) << s;
      EXPECT_FALSE(contains(s, "b\nfake")) << s;
    }
    EXPECT_TRUE(contains(d.out, "a\\x1B[31mred")) << d.out;
    EXPECT_TRUE(contains(d.out, "b\\x0Afake")) << d.out;
    EXPECT_TRUE(contains(d.err, "duplicate id \"a\\x1B[31mred\"")) << d.err;
    EXPECT_FALSE(contains(d.out + d.err, "\xc2\x9b")) << "a C1 control";
    EXPECT_TRUE(contains(d.out, "d\\u202Etxt.exe")) << d.out;
    EXPECT_FALSE(contains(d.out + d.err, "\xe2\x80\xae")) << "a right-to-left override";
    EXPECT_TRUE(contains(d.out, "e\\u200Fmark\\u061C")) << d.out;
    EXPECT_FALSE(contains(d.out + d.err, "\xe2\x80\x8f")) << "a right-to-left mark";
  }
}

// CLI11 reads "-1" into an unsigned option as 2^64 - 1 (`--max-doc-bytes -1`, `--max-body -1`
// lifted their limits) and a number past 2^64 - 1 as another one (`--seed`); thread counts past
// what the system can start aborted the process.
TEST(Options, NegativeHugeAndOutOfRangeNumbersAreRefused) {
  const std::vector<std::vector<std::string>> cases = {
      {"dedup", news_jsonl(), "--max-doc-bytes", "-1"},
      {"dedup", news_jsonl(), "--seed", "-1"},
      {"dedup", news_jsonl(), "--seed", "18446744073709551616"},
      {"dedup", news_jsonl(), "--threads", "100000"},
      {"dedup", news_jsonl(), "--show", "-1"},
      {"reuse", news_jsonl(), "--max-warnings", "-1"},
      {"reuse", news_jsonl(), "--threads", "1025"},
      {"dedup", news_jsonl(), "--seed", "0x1FFFFFFFFFFFFFFFFF"},
      {"dedup", news_jsonl(), "--max-doc-bytes", "-1b"},
      // (Port 0: were the value taken, the server would start and the test wait for it.)
      {"serve", temp_dir() + "/i", "--listen", "127.0.0.1:0", "--max-body", "-1"},
      {"serve", temp_dir() + "/i", "--listen", "127.0.0.1:0", "--max-body", "-1b"},
      {"serve", temp_dir() + "/i", "--listen", "127.0.0.1:0", "--max-body", "99999999999999999999"},
      {"serve", temp_dir() + "/i", "--listen", "127.0.0.1:0", "--http-threads", "100000"},
      {"index", "add", temp_dir() + "/i", news_jsonl(), "--batch", "-1"},
  };
  for (const auto& args : cases) {
    SCOPED_TRACE(args[0] + " " + args[args.size() - 2] + " " + args.back());
    const RunResult r = run_doppel(args);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_TRUE(contains(r.err, "negative") || contains(r.err, "too large") ||
                contains(r.err, "must be in"))
        << r.err;
  }
  EXPECT_EQ(run_doppel({"dedup", news_jsonl(), "--seed", "18446744073709551615", "-q"}).exit_code,
            0);
}

// Opening the outputs first must not truncate an input that is also an output: that would
// silently destroy the user's corpus and dedup an empty file.
TEST(Output, AnOutputThatIsAlsoAnInputIsRefused) {
  const std::string dir = temp_dir();
  const std::string path = dir + "/corpus.jsonl";
  const std::string bytes = read_file(news_jsonl());
  write_file(path, bytes);
  for (const char* flag : {"--output", "--clusters", "--removed"}) {
    SCOPED_TRACE(flag);
    const RunResult r = run_doppel({"dedup", path, flag, path, "-q"});
    const std::string after = read_file(path);
    EXPECT_TRUE(after == bytes) << "the input was overwritten: " << bytes.size()
                                << " bytes before, " << after.size() << " after";
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_TRUE(contains(r.err, path)) << r.err;
    write_file(path, bytes);
  }
}

// The outputs are created before the inputs are listed, so an output inside an input directory
// was read as input: empty in the first pass, partly written in the second.
TEST(Output, AnOutputInsideAnInputDirectoryIsNotReadAsInput) {
  const std::string dir = temp_dir();
  for (int i = 0; i < 700; ++i) {  // ~3 MB: more than one read batch and one write block
    char name[32];
    std::snprintf(name, sizeof name, "/%04d.txt", i);
    write_file(dir + name, random_text(7000 + i, 600));
  }
  const std::string out = dir + "/zz-deduped.jsonl";
  const std::string stats = temp_dir() + "/stats.json";
  const RunResult r = run_doppel({"dedup", dir, "--output", out, "--stats", stats, "-q"});
  EXPECT_FALSE(contains(r.err, "internal error")) << r.err;
  if (r.exit_code == 0) {
    EXPECT_EQ(parse_flat(read_file(stats)).num("documents.read"), 700);
    EXPECT_EQ(split_lines(read_file(out)).size(), 700u);
  } else {
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_TRUE(contains(r.err, out)) << "a usage error naming the output: " << r.err;
  }
}

TEST(Output, PairsAreVerifiedNearDuplicatesInInputOrder) {
  const Files f = run_all({news_dir()}, {"--threshold", "0.3"});
  const auto pairs = parse_pairs(f.pairs);
  ASSERT_FALSE(pairs.empty());
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& p : pairs) {
    EXPECT_LT(p.a, p.b) << "a comes first in the input (names sort like the input here)";
    EXPECT_GE(p.similarity, 0.3 - 1e-4) << p.a << " " << p.b;
    EXPECT_TRUE(seen.insert({p.a, p.b}).second) << "listed twice";
    EXPECT_FALSE(p.a < "04" && p.b < "04")
        << "exact duplicates are not pairs: " << p.a << " " << p.b;
  }
  EXPECT_TRUE(seen.count({"04-ferry-timetable.txt", "05-ferry-timetable-update.txt"}));
}

// Every output byte-identical for 1 and 2 (and 4) threads.
void expect_same_for_thread_counts(const std::vector<std::string>& inputs,
                                   const std::vector<std::string>& extra = {}) {
  std::vector<std::string> a = extra, b = extra, c = extra;
  a.insert(a.end(), {"--threads", "1", "-q"});
  b.insert(b.end(), {"--threads", "2", "-q"});
  c.insert(c.end(), {"--threads", "4", "-q"});
  const Files one = run_all(inputs, a), two = run_all(inputs, b), four = run_all(inputs, c);
  EXPECT_EQ(one.clusters, two.clusters);
  EXPECT_EQ(one.pairs, two.pairs);
  EXPECT_EQ(one.removed, two.removed);
  EXPECT_EQ(one.output, two.output);
  EXPECT_EQ(one.run.out, two.run.out);
  EXPECT_EQ(one.clusters, four.clusters);
  EXPECT_EQ(one.removed, four.removed);
  EXPECT_EQ(parse_flat(two.stats).num("options.threads"), 2);
}

TEST(Threads, IdenticalOutputsOnExamples) {
  expect_same_for_thread_counts({news_dir()});
  expect_same_for_thread_counts({news_jsonl()}, {"--threshold", "0.3"});
}

// ~2000 documents over several read batches, with exact copies, light edits and bad lines.
std::string generated_corpus(const std::string& dir) {
  std::string s;
  std::vector<std::string> bases;
  for (int i = 0; i < 1500; ++i) {
    bases.push_back(random_text(50000 + i, 250));
    s += jsonl_doc("base" + std::to_string(i), bases.back()) + "\n";
    if (i % 3 == 0) {  // an exact copy, recased
      std::string copy = bases[i / 2];
      for (std::size_t k = 0; k < copy.size(); k += 13)
        copy[k] = static_cast<char>(std::toupper(copy[k]));
      s += jsonl_doc("copy" + std::to_string(i), copy) + "\n";
    } else if (i % 5 == 1) {  // a light edit of an earlier base
      std::string edit = bases[i / 3];
      edit.replace(edit.size() / 2, 9, "zzzz qqqq");
      s += jsonl_doc("edit" + std::to_string(i), edit + " ostemb kaqua") + "\n";
    } else if (i % 97 == 0) {
      s += "not json\n";
    }
  }
  const std::string a = dir + "/part1.jsonl", b = dir + "/part2.jsonl";
  const std::size_t half = s.find('\n', s.size() / 2) + 1;
  write_file(a, s.substr(0, half));
  write_file(b, s.substr(half));
  return dir;
}

TEST(Threads, IdenticalOutputsOnAGeneratedCorpus) {
  const std::string dir = generated_corpus(temp_dir());
  const std::vector<std::string> inputs = {dir + "/part1.jsonl", dir + "/part2.jsonl"};
  expect_same_for_thread_counts(inputs);
  const Files f = run_all(inputs, {"-q"});
  const FlatJson stats = parse_flat(f.stats);
  EXPECT_GT(stats.num("documents.read"), 1900);
  EXPECT_GT(stats.num("input_bytes"), 3e6) << "several read batches (2 MiB each)";
  EXPECT_GT(stats.num("documents.exact_duplicate"), 400);
  EXPECT_GT(stats.num("documents.near_duplicate"), 150);
  EXPECT_EQ(stats.num("documents.kept") + stats.num("documents.removed"),
            stats.num("documents.read"));
}

TEST(Format, TextOnAJsonLinesFileIsOneDocument) {
  const std::string dir = temp_dir();
  const std::string path = dir + "/corpus.jsonl";
  const std::string bytes = read_file(news_jsonl());
  write_file(path, bytes);
  const Files f = run_all({path}, {"--format", "text"});
  const FlatJson stats = parse_flat(f.stats);
  EXPECT_EQ(stats.num("documents.read"), 1);
  const auto corpus = parse_corpus(f.output);
  ASSERT_EQ(corpus.size(), 1u);
  EXPECT_EQ(corpus[0].at("id"), "corpus.jsonl");
  EXPECT_EQ(corpus[0].at("text"), bytes);
}

TEST(Format, JsonlOnAnyFileName) {
  const std::string dir = temp_dir();
  const std::string path = dir + "/corpus.txt";
  write_file(path, read_file(news_jsonl()));
  const Files f = run_all({path}, {"--format", "jsonl"});
  EXPECT_EQ(f.clusters, run_all({news_jsonl()}).clusters);
}

TEST(Format, CompressedJsonLinesGiveTheSameResults) {
  const std::string dir = temp_dir();
  const std::string plain = dir + "/news.jsonl";
  write_file(plain, read_file(news_jsonl()));
  ASSERT_NO_FATAL_FAILURE(shell("gzip -q -k " + plain));
  ASSERT_NO_FATAL_FAILURE(shell("zstd -q -k " + plain));
  const Files p = run_all({plain}), gz = run_all({plain + ".gz"}), zst = run_all({plain + ".zst"});
  for (const Files* f : {&gz, &zst}) {
    EXPECT_EQ(f->clusters, p.clusters);
    EXPECT_EQ(f->removed, p.removed);
    EXPECT_EQ(f->pairs, p.pairs);
    EXPECT_EQ(f->output, p.output);
    const FlatJson stats = parse_flat(f->stats);
    EXPECT_EQ(stats.num("input_bytes"), static_cast<double>(read_file(plain).size()))
        << "input_bytes counts decompressed bytes";
  }
}

TEST(Format, CompressedTextFilesInADirectory) {
  const std::string dir = temp_dir();
  for (const char* name : {"01-harbour-bridge.txt", "02-bridge-reopens-repost.txt",
                           "04-ferry-timetable.txt", "05-ferry-timetable-update.txt"}) {
    write_file(dir + "/" + name, read_file(news_dir() + "/" + name));
  }
  ASSERT_NO_FATAL_FAILURE(shell("gzip -q " + dir + "/01-harbour-bridge.txt"));
  ASSERT_NO_FATAL_FAILURE(shell("zstd -q --rm " + dir + "/05-ferry-timetable-update.txt"));
  const auto sets = cluster_sets(parse_clusters(run_all({dir}).clusters));
  EXPECT_TRUE(sets.count({"01-harbour-bridge.txt.gz", "02-bridge-reopens-repost.txt"}));
  EXPECT_TRUE(sets.count({"04-ferry-timetable.txt", "05-ferry-timetable-update.txt.zst"}));
}

TEST(Format, ConcatenatedCompressedStreams) {
  const std::string dir = temp_dir();
  write_file(dir + "/a.jsonl", jsonl_corpus("a", 5, 30, 1));
  write_file(dir + "/b.jsonl", jsonl_corpus("b", 7, 30, 2));
  ASSERT_NO_FATAL_FAILURE(
      shell("cd " + dir + " && gzip -c a.jsonl > c.jsonl.gz && gzip -c b.jsonl >> c.jsonl.gz"));
  ASSERT_NO_FATAL_FAILURE(shell(
      "cd " + dir + " && zstd -q -c a.jsonl > c.jsonl.zst && zstd -q -c b.jsonl >> c.jsonl.zst"));
  for (const char* name : {"/c.jsonl.gz", "/c.jsonl.zst"}) {
    SCOPED_TRACE(name);
    const Files f = run_all({dir + name});
    EXPECT_EQ(parse_flat(f.stats).num("documents.read"), 12) << "every member / frame is read";
    EXPECT_EQ(parse_flat(f.stats).num("file_problems"), 0);
    EXPECT_EQ(f.output, read_file(dir + "/a.jsonl") + read_file(dir + "/b.jsonl"));
  }
}

TEST(Format, DirectoryOrderHiddenFilesAndByteOrderMark) {
  const std::string dir = temp_dir();
  mkdir((dir + "/sub").c_str(), 0755);
  mkdir((dir + "/.git").c_str(), 0755);
  write_file(dir + "/b.txt", random_text(1, 40));
  write_file(dir + "/sub/a.txt", random_text(2, 40));
  write_file(dir + "/a.txt", "\xEF\xBB\xBF date 2023-07-08 By Bo M\n\n" + random_text(3, 40));
  write_file(dir + "/.hidden.txt", random_text(1, 40));  // would be an exact duplicate of b.txt
  write_file(dir + "/.git/HEAD", random_text(1, 40));
  write_file(dir + "/c.jsonl", jsonl_doc("j1", random_text(4, 40)) + "\n");
  const Files f = run_all({dir});
  const auto corpus = parse_corpus(f.output);
  std::vector<std::string> ids;
  for (const auto& row : corpus) ids.push_back(row.at("id"));
  EXPECT_EQ(ids, (std::vector<std::string>{"a.txt", "b.txt", "j1", "sub/a.txt"}))
      << "sorted by path, hidden entries skipped, JSON Lines inside read as JSON Lines";
  EXPECT_EQ(parse_flat(f.stats).num("files"), 4);
  ASSERT_FALSE(corpus.empty());
  EXPECT_EQ(corpus[0].at("date"), "2023-07-08") << "the header is found after a BOM";
  EXPECT_EQ(corpus[0].at("byline"), "Bo M");
  EXPECT_EQ(corpus[0].at("text"), random_text(3, 40));
}

TEST(Format, IntegerIdsAndALastLineWithoutNewline) {
  const std::string dir = temp_dir();
  const std::string path = dir + "/ints.jsonl";
  const std::string text = random_text(5, 40);
  write_file(path, "{\"id\": 7, \"text\": \"" + text + "\"}\n{\"id\": \"8\", \"text\": \"" + text +
                       "\"}\n{\"id\": \"7\", \"text\": \"" + random_text(6, 40) + "\"}");
  const Files f = run_all({path});
  const auto clusters = parse_clusters(f.clusters);
  ASSERT_EQ(clusters.size(), 1u);
  EXPECT_EQ(clusters[0].representative, "7") << "integer ids as decimal strings";
  const auto removed = parse_removed(f.removed);
  const RemovedRow* dup = find_removed(removed, "7");
  ASSERT_NE(dup, nullptr) << "the last line, without a newline, is still read";
  EXPECT_EQ(dup->reason, "duplicate_id") << "7 and \"7\" are the same id";
  EXPECT_EQ(parse_flat(f.stats).num("documents.read"), 3);
}

// An input without a single document is an error, not an empty result that a pipeline would
// take for a corpus; no output is written.
TEST(Format, EmptyInputIsAnError) {
  const std::string dir = temp_dir();
  write_file(dir + "/empty.jsonl", "");
  write_file(dir + "/blank.jsonl", "\n  \n");
  for (const auto& [name, why] : {std::pair("empty.jsonl", "the input is empty"),
                                  std::pair("blank.jsonl", "only blank lines")}) {
    for (const char* command : {"dedup", "reuse"}) {
      const std::string out = dir + "/out.jsonl";
      const RunResult r = run_doppel({command, dir + "/" + name, "--output", out});
      EXPECT_EQ(r.exit_code, 2) << command << " " << name;
      EXPECT_TRUE(contains(r.err, "no documents: the inputs hold no document")) << r.err;
      EXPECT_TRUE(contains(r.err, why)) << r.err;
      EXPECT_FALSE(std::filesystem::exists(out));
    }
  }
}

TEST(Format, CustomFieldNames) {
  const std::string dir = temp_dir();
  const std::string path = dir + "/custom.jsonl";
  const std::string text = random_text(11, 60);
  write_file(path, "{\"doc\":\"one\",\"body\":\"" + text + "\",\"when\":\"2020-01-01\"}\n" +
                       "{\"doc\":\"two\",\"body\":\"" + text + "\",\"when\":\"2019-01-01\"}\n");
  const Files f = run_all({path}, {"--id-field", "doc", "--text-field", "body", "--date-field",
                                   "when", "--keep", "earliest"});
  const auto clusters = parse_clusters(f.clusters);
  ASSERT_EQ(clusters.size(), 1u) << f.run.err;
  EXPECT_EQ(clusters[0].representative, "two");
  EXPECT_EQ(clusters[0].member("one")->date, "2020-01-01");
}

// first / earliest / longest on a cluster made for it: "a" comes first, "b" has the earliest
// date, "c" is longest and has no date.
TEST(Keep, PoliciesPickTheirRepresentative) {
  const std::string dir = temp_dir();
  const std::string path = dir + "/keep.jsonl";
  const std::string base = random_text(21, 200);
  std::string edited = base;
  edited.replace(edited.size() / 2, 4, "qqqq");
  const std::string tie = random_text(22, 100);
  const std::string undated = random_text(23, 100);
  write_file(
      path, jsonl_doc("a", base, "2022-05-01") + "\n" + jsonl_doc("b", edited, "2021-01-01") +
                "\n" + jsonl_doc("c", base + " ostemb kaqua lomi", "") + "\n" +
                jsonl_doc("tie1", tie, "2020-02-02") + "\n" + jsonl_doc("tie2", tie, "2020-02-02") +
                "\n" + jsonl_doc("nodate", undated, "") + "\n" +
                jsonl_doc("dated", undated, "2099-12-31") + "\n");
  const std::map<std::string, std::vector<std::string>> expected = {
      {"first", {"a", "tie1", "nodate"}},
      {"earliest", {"b", "tie1", "dated"}},  // undated counts as latest; ties go to the first
      {"latest", {"a", "tie1", "dated"}},    // undated counts as earliest
      {"longest", {"c", "tie1", "nodate"}},
  };
  for (const auto& [policy, reps] : expected) {
    SCOPED_TRACE(policy);
    const Files f = run_all({path}, {"--keep", policy});
    const auto clusters = parse_clusters(f.clusters);
    ASSERT_EQ(clusters.size(), 3u) << f.clusters;
    std::vector<std::string> got;
    for (const auto& c : clusters) got.push_back(c.representative);
    EXPECT_EQ(got, reps);
    // The removed documents point at the representative; the corpus holds it.
    std::set<std::string> kept;
    for (const auto& row : parse_corpus(f.output)) kept.insert(row.at("id"));
    for (const auto& rep : reps) EXPECT_TRUE(kept.count(rep)) << rep;
    for (const auto& row : parse_removed(f.removed)) {
      EXPECT_EQ(kept.count(row.id), 0u);
      EXPECT_TRUE(row.duplicate_of == reps[0] || row.duplicate_of == reps[1] ||
                  row.duplicate_of == reps[2])
          << row.id << " -> " << row.duplicate_of;
    }
  }
}

TEST(Keep, LongestOnExamples) {
  const auto clusters = parse_clusters(run_all({news_dir()}, {"--keep", "longest"}).clusters);
  ASSERT_EQ(clusters.size(), 2u);
  EXPECT_EQ(clusters[1].representative, "05-ferry-timetable-update.txt")
      << "05 adds a sentence to 04";
}

TEST(Matching, NormalizeNoneSeparatesTheRewrappedCopy) {
  const auto clusters = parse_clusters(run_all({news_dir()}, {"--normalize", "none"}).clusters);
  bool found = false;
  for (const auto& c : clusters) {
    const Member* m01 = c.member("01-harbour-bridge.txt");
    if (m01 == nullptr) continue;
    found = true;
    const Member* m02 = c.member("02-bridge-reopens-repost.txt");
    ASSERT_NE(m02, nullptr) << "02's body is byte-identical to 01's";
    EXPECT_TRUE(m02->exact);
    const Member* m03 = c.member("03-bridge-reopens-wire.txt");
    if (m03 != nullptr) {
      EXPECT_FALSE(m03->exact) << "03 is re-wrapped and recased";
    }
  }
  EXPECT_TRUE(found);
  // With the default normalization it is an exact duplicate.
  const auto normal = parse_clusters(run_all({news_dir()}).clusters);
  ASSERT_FALSE(normal.empty());
  ASSERT_NE(normal[0].member("03-bridge-reopens-wire.txt"), nullptr);
  EXPECT_TRUE(normal[0].member("03-bridge-reopens-wire.txt")->exact);
}

TEST(Matching, NormalizeStepsCanBeCombined) {
  const Files f = run_all({news_dir()}, {"--normalize", "nfkc,space"});
  const auto clusters = parse_clusters(f.clusters);
  ASSERT_FALSE(clusters.empty());
  const Member* m03 = clusters[0].member("03-bridge-reopens-wire.txt");
  EXPECT_TRUE(m03 == nullptr || !m03->exact) << "without case folding 03 differs in case";
}

// A story printed in traditional characters (Taipei, Hong Kong) and in simplified ones (Beijing)
// is one text under the step "hans", and two without it; reuse finds it as one passage too.
TEST(Matching, HansMakesTraditionalAndSimplifiedChineseOneText) {
  const std::string dir = temp_dir();
  const std::string simplified =
      "北京时间周三上午，国家统计局发布了最新的经济数据，显示今年第三季度国内生产总值同比增长百分之"
      "四点九，略低于市场此前的普遍预期。分析人士认为，房地产市场持续低迷以及外部需求疲软。";
  const std::string traditional =
      "北京時間週三上午，國家統計局發布了最新的經濟數據，顯示今年第三季度國內生產總值同比增長百分之"
      "四點九，略低於市場此前的普遍預期。分析人士認為，房地產市場持續低迷以及外部需求疲軟。";
  write_file(dir + "/c.jsonl", jsonl_doc("beijing", simplified, "2023-10-18") + "\n" +
                                   jsonl_doc("taipei", traditional, "2023-10-19") + "\n");
  const RunResult plain = run_doppel({"dedup", dir + "/c.jsonl", "--clusters", "-", "-q"});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(plain.out, "") << "two texts without hans";
  const RunResult hans = run_doppel({"dedup", dir + "/c.jsonl", "--normalize",
                                     "nfkc,case,punct,space,hans", "--clusters", "-", "-q"});
  ASSERT_EQ(hans.exit_code, 0) << hans.err;
  EXPECT_NE(hans.out.find("\"exact\":true"), std::string::npos) << hans.out;
  EXPECT_NE(hans.out.find("taipei"), std::string::npos) << hans.out;
  const RunResult reuse =
      run_doppel({"reuse", dir + "/c.jsonl", "--normalize", "nfkc,case,punct,space,hans"});
  ASSERT_EQ(reuse.exit_code, 0) << reuse.err;
  EXPECT_NE(reuse.out.find("passage 0 · 2 documents · 2 occurrences · first in beijing"),
            std::string::npos)
      << reuse.out;
  const RunResult bad = run_doppel({"dedup", dir + "/c.jsonl", "--normalize", "nfkc,hant"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("(steps: nfkc, case, punct, space, hans; or none)"), std::string::npos)
      << bad.err;
}

TEST(Matching, CharacterShingles) {
  const Files f = run_all({news_dir()}, {"--shingle", "char"});
  const FlatJson stats = parse_flat(f.stats);
  EXPECT_EQ(stats.strings.at("options.shingle"), "char");
  const auto clusters = parse_clusters(f.clusters);
  const auto sets = cluster_sets(clusters);
  EXPECT_TRUE(sets.count(
      {"01-harbour-bridge.txt", "02-bridge-reopens-repost.txt", "03-bridge-reopens-wire.txt"}))
      << f.clusters;
  const auto of = cluster_of(clusters);
  ASSERT_TRUE(of.count("04-ferry-timetable.txt") && of.count("05-ferry-timetable-update.txt"))
      << f.clusters;
  EXPECT_EQ(of.at("04-ferry-timetable.txt"), of.at("05-ferry-timetable-update.txt"));
  EXPECT_FALSE(of.count("12-sister-city-market.txt"));
}

TEST(Matching, CharacterShinglesFindUnsegmentedText) {
  // No spaces or punctuation: one "word" each, so word shingles cannot tell a near copy from
  // another text.
  const std::string dir = temp_dir();
  std::string a = random_text(31, 300);
  std::erase(a, ' ');
  std::erase(a, '.');
  std::string b = a;
  b[b.size() / 2] = 'x';
  const std::string path = dir + "/cjk-like.jsonl";
  write_file(path, jsonl_doc("a", a) + "\n" + jsonl_doc("b", b) + "\n");
  EXPECT_TRUE(parse_clusters(run_all({path}).clusters).empty()) << "words: two distinct tokens";
  const auto clusters = parse_clusters(run_all({path}, {"--shingle", "char"}).clusters);
  ASSERT_EQ(clusters.size(), 1u);
  EXPECT_EQ(clusters[0].kind, "near");
}

TEST(Matching, VerifyExactReportsExactJaccard) {
  const Files f = run_all({news_dir()}, {"--verify", "exact", "--threshold", "0.1"});
  EXPECT_EQ(parse_flat(f.stats).strings.at("options.verify"), "exact");
  const auto pairs = parse_pairs(f.pairs);
  ASSERT_GE(pairs.size(), 2u);
  auto body = [](const std::string& id) {
    const std::string file = read_file(source_dir() + "/examples/news/" + id);
    return file.substr(file.find("\n\n") + 2);
  };
  for (const auto& p : pairs) {
    const double truth = jaccard(word_shingles(body(p.a)), word_shingles(body(p.b)));
    EXPECT_NEAR(p.similarity, truth, 6e-5) << p.a << " " << p.b;
  }
  // The README's figures.
  const auto clusters = parse_clusters(f.clusters);
  for (const auto& c : clusters) {
    if (const Member* m = c.member("05-ferry-timetable-update.txt"); m != nullptr) {
      EXPECT_NEAR(m->similarity, 0.901, 5e-4);
    }
    if (const Member* m = c.member("07-fish-market-feature.txt"); m != nullptr) {
      EXPECT_NEAR(m->similarity, 0.407, 5e-4);
    }
  }
}

TEST(Matching, ThresholdOneKeepsOnlyExactDuplicates) {
  const auto clusters = parse_clusters(run_all({news_dir()}, {"--threshold", "1"}).clusters);
  ASSERT_EQ(clusters.size(), 1u);
  EXPECT_EQ(clusters[0].kind, "exact");
}

TEST(Matching, ExplicitBandsAndRows) {
  const Files f = run_all({news_dir()}, {"--bands", "32", "--rows", "4"});
  const FlatJson stats = parse_flat(f.stats);
  EXPECT_EQ(stats.num("options.bands"), 32);
  EXPECT_EQ(stats.num("options.rows"), 4);
  EXPECT_EQ(f.clusters, run_all({news_dir()}).clusters);
}

TEST(Help, TopLevel) {
  const RunResult r = run_doppel({"--help"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "dedup")) << r.out;
  EXPECT_TRUE(contains(r.out, "--version")) << r.out;
  EXPECT_TRUE(contains(r.out, "--help")) << r.out;
}

TEST(Help, DedupMentionsEveryFlag) {
  const RunResult r = run_doppel({"dedup", "--help"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  for (const char* flag :
       {"--format",   "--id-field",  "--text-field", "--date-field", "--max-doc-bytes",
        "--on-error", "--normalize", "--shingle",    "--ngram",      "--threshold",
        "--hashes",   "--bands",     "--rows",       "--seed",       "--verify",
        "--keep",     "--clusters",  "--pairs",      "--output",     "--removed",
        "--stats",    "--show",      "--threads",    "--progress",   "--max-warnings",
        "--quiet",    "-q",          "--help"}) {
    EXPECT_TRUE(contains(r.out, flag)) << flag << " not in:\n" << r.out;
  }
  EXPECT_TRUE(contains(r.out, "Exit status")) << r.out;
}

// docs/cli.md's flag tables are generated from the flag definitions (make docs): the page holds
// exactly what `doppel docs-cli` prints, so it cannot drift from --help.
TEST(Help, CliDocsMatchTheFlagDefinitions) {
  const RunResult r = run_doppel({"docs-cli"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string page = read_file(source_dir() + "/docs/cli.md");
  int blocks = 0;
  for (std::size_t at = r.out.find("<!-- flags:"); at != std::string::npos;
       at = r.out.find("<!-- flags:", at + 1)) {
    const std::size_t end = r.out.find("<!-- /flags -->", at);
    ASSERT_NE(end, std::string::npos);
    const std::string block = r.out.substr(at, end - at);
    EXPECT_NE(page.find(block), std::string::npos)
        << "docs/cli.md is out of date (run make docs); it lacks:\n"
        << block;
    ++blocks;
  }
  EXPECT_EQ(blocks, 9);  // dedup, reuse, report, index add|query|remove|stats|export, serve
}

TEST(Help, Version) {
  const RunResult r = run_doppel({"--version"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.starts_with("doppel ")) << r.out;
  EXPECT_NE(r.out.find_first_of("0123456789"), std::string::npos) << r.out;
}

TEST(Stats, HasTheDocumentedKeys) {
  const Files f = run_all({news_dir()}, {"--threads", "2"});
  const FlatJson s = parse_flat(f.stats);
  for (const char* key : {"version",
                          "input_bytes",
                          "documents.read",
                          "documents.kept",
                          "documents.removed",
                          "documents.exact_duplicate",
                          "documents.near_duplicate",
                          "documents.malformed_json",
                          "documents.missing_text",
                          "documents.invalid_utf8",
                          "documents.empty_text",
                          "documents.duplicate_id",
                          "documents.too_large",
                          "documents.binary_file",
                          "documents.truncated",
                          "documents.unreadable",
                          "files",
                          "file_problems",
                          "blank_lines",
                          "synthesized_ids",
                          "clusters.exact",
                          "clusters.near",
                          "clusters.largest",
                          "candidate_pairs",
                          "verified_pairs",
                          "options.threshold",
                          "options.hashes",
                          "options.bands",
                          "options.rows",
                          "options.ngram",
                          "options.threads",
                          "seconds.read_sketch",
                          "seconds.exact",
                          "seconds.candidates",
                          "seconds.verify",
                          "seconds.cluster",
                          "seconds.total",
                          "mb_per_s",
                          "docs_per_s",
                          "peak_rss_bytes"}) {
    EXPECT_TRUE(s.numbers.count(key)) << "no number " << key << " in:\n" << f.stats;
  }
  for (const char* key : {"options.shingle", "options.verify"}) {
    EXPECT_TRUE(s.strings.count(key)) << "no string " << key;
  }
  EXPECT_EQ(s.num("version"), 1);
  EXPECT_EQ(s.num("files"), 12);
  EXPECT_EQ(s.num("documents.read"), 12);
  EXPECT_EQ(s.num("clusters.exact"), 1);
  EXPECT_EQ(s.num("clusters.near"), 1);
  EXPECT_EQ(s.num("clusters.largest"), 3);
  EXPECT_EQ(s.num("options.threshold"), 0.8);
  EXPECT_EQ(s.num("options.hashes"), 128);
  EXPECT_EQ(s.num("options.ngram"), 5);
  EXPECT_EQ(s.num("options.threads"), 2);
  EXPECT_LE(s.num("options.bands") * s.num("options.rows"), 128);
  EXPECT_GE(s.num("candidate_pairs"), s.num("verified_pairs"));
  EXPECT_GT(s.num("peak_rss_bytes"), 0);
  double bytes = 0;
  for (const char* name :
       {"01-harbour-bridge.txt", "02-bridge-reopens-repost.txt", "03-bridge-reopens-wire.txt",
        "04-ferry-timetable.txt", "05-ferry-timetable-update.txt", "06-fish-market.txt",
        "07-fish-market-feature.txt", "08-lighthouse-museum.txt", "09-dredging-contract.txt",
        "10-cruise-season.txt", "11-pilot-boat.txt", "12-sister-city-market.txt"}) {
    bytes += static_cast<double>(read_file(news_dir() + "/" + name).size());
  }
  EXPECT_EQ(s.num("input_bytes"), bytes);
}

// index and serve run in doppel-index, beside doppel (tools/doppel/commands.h): through doppel
// they work as its own commands; a doppel without it says which file it needs, and runs the
// other commands all the same.
TEST(IndexBinary, IndexAndServeRunInDoppelIndexBesideDoppel) {
  const std::string dir = temp_dir();
  const RunResult added = run_doppel({"index", "add", dir + "/news.idx", news_dir()});
  EXPECT_EQ(added.exit_code, 0) << added.err;
  EXPECT_NE(added.out.find("\"status\""), std::string::npos);
  const RunResult help = run_doppel({"serve", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--listen"), std::string::npos);
  // doppel's own --help lists them, with their descriptions.
  const RunResult listing = run_doppel({"--help"});
  EXPECT_NE(listing.out.find("  index  "), std::string::npos) << listing.out;
  EXPECT_NE(listing.out.find("Serve INDEX over HTTP"), std::string::npos) << listing.out;

  const std::string alone = dir + "/alone";
  std::filesystem::create_directory(alone);
  std::filesystem::copy_file(DOPPEL_BINARY, alone + "/doppel");
  std::filesystem::permissions(alone + "/doppel", std::filesystem::perms::owner_all);
  const RunResult missing = run_program({alone + "/doppel", "index", "stats", dir + "/news.idx"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find(alone + "/doppel-index"), std::string::npos) << missing.err;
  const RunResult dedup = run_program({alone + "/doppel", "dedup", news_dir(), "-q"});
  EXPECT_EQ(dedup.exit_code, 0) << dedup.err;
}

TEST(Quiet, NoStandardErrorEvenWithBadInput) {
  const std::string dir = temp_dir();
  write_file(dir + "/x.jsonl", "not json\n" + jsonl_doc("a", random_text(1, 30)) + "\n");
  const RunResult r = run_doppel({"dedup", dir + "/x.jsonl", "-q"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.err, "");
}

// An option of another command says which commands take it ("report --seed-words" said only
// that the argument was not expected).
TEST(Cli, AnOptionOfAnotherCommandSaysWhichCommandsTakeIt) {
  const RunResult r = run_doppel({"report", source_dir() + "/examples/news", "--seed-words", "4",
                                  "-o", temp_dir() + "/r.html"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--seed-words is an option of doppel reuse"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("not of doppel report"), std::string::npos) << r.err;
  const RunResult unknown = run_doppel({"reuse", source_dir() + "/examples/news", "--bogus"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_EQ(unknown.err.find("is an option of"), std::string::npos) << unknown.err;
  // An option this command takes too is not named beside the one it does not ("--progress is an
  // option of doppel dedup, doppel report, not of doppel reuse" was said of reuse's own option).
  const RunResult own = run_doppel(
      {"reuse", source_dir() + "/examples/news", "--progress", "never", "--keep", "earliest"});
  EXPECT_EQ(own.exit_code, 2);
  EXPECT_NE(own.err.find("--keep is an option of doppel dedup, not of doppel reuse"),
            std::string::npos)
      << own.err;
  EXPECT_EQ(own.err.find("--progress is an option"), std::string::npos) << own.err;
}

}  // namespace
}  // namespace doppel::test
