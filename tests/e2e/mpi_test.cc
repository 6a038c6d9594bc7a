// doppel on the ranks of an MPI job (mpirun -np 1, 2, 3): every output byte for byte what one
// process writes (stats apart from timings, rates, memory and the ranks' own line), on generated
// corpora always and on the real corpora of ../shared when present; and a job whose rank fails
// (bad input under --on-error=fail, killed) stops with one message naming the rank and leaves no
// output. (A rank out of memory fails the same way, through Status::OutOfMemory; it is not tested
// here: under AddressSanitizer a failed operator new aborts instead of throwing.)
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "e2e/fixtures.h"
#include "e2e/harness.h"

namespace doppel::test {
namespace {

#define REQUIRE_MPIRUN()                                                              \
  do {                                                                                \
    if (mpirun_path().empty()) GTEST_SKIP() << "mpirun not found (scripts/setup.sh)"; \
  } while (0)

#define REQUIRE_SHARED()                                                                      \
  do {                                                                                        \
    if (shared_dir().empty()) {                                                               \
      GTEST_SKIP() << "../shared not found: " << source_dir() << "/../shared holds the real " \
                   << "corpora these tests read";                                             \
    }                                                                                         \
  } while (0)

// A JSON Lines corpus of about `docs` lines with everything a run meets: near and exact
// duplicates (some far apart, so on different ranks), dated and undated documents, ids repeated
// far apart, malformed lines, lines without text, blank lines and \r\n line ends.
std::string generated_corpus(int docs, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  std::vector<std::string> vocabulary;
  for (int i = 0; i < 3000; ++i) vocabulary.push_back("w" + std::to_string(i));
  std::vector<std::string> texts;
  std::string out;
  for (int i = 0; i < docs; ++i) {
    const std::size_t r = pick(1000);
    if (r < 20) {
      out += "\n";
      continue;
    }
    if (r < 30) {
      out += "{\"id\": \"bad" + std::to_string(i) + "\", \"text\": \n";
      continue;
    }
    if (r < 35) {
      out += "{\"id\": \"nt" + std::to_string(i) + "\", \"body\": \"x y z\"}\n";
      continue;
    }
    std::string text;
    if (r < 60 && !texts.empty()) {  // a near duplicate: a few words changed
      std::vector<std::string> words;
      std::string w;
      for (const char c : texts[pick(texts.size())] + " ") {
        if (c == ' ') {
          words.push_back(w);
          w.clear();
        } else {
          w.push_back(c);
        }
      }
      for (std::size_t k = pick(6); k > 0; --k) words[pick(words.size())] = vocabulary[pick(3000)];
      for (const auto& x : words) text += (text.empty() ? "" : " ") + x;
    } else if (r < 80 && !texts.empty()) {  // an exact duplicate after normalization
      text = texts[pick(texts.size())];
      for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    } else {
      for (std::size_t k = 20 + pick(100); k > 0; --k) {
        text += (text.empty() ? "" : " ") + vocabulary[pick(3000)];
      }
      texts.push_back(text);
    }
    std::string id = "d" + std::to_string(i);
    if (i > 100 && pick(100) == 0) id = "d" + std::to_string(pick(static_cast<std::size_t>(i)));
    out += "{\"id\": \"" + id + "\", \"text\": \"" + text + "\"";
    if (pick(10) < 7) {
      out += ", \"date\": \"2020-" + std::to_string(10 + pick(3)) + "-" +
             std::to_string(10 + pick(18)) + "\"";
    }
    out += pick(10) == 0 ? "}\r\n" : "}\n";
  }
  return out;
}

// The outputs of one run, by flag; the stats without what may differ (timings, rates, memory,
// the ranks' line).
using Outputs = std::map<std::string, std::string>;

std::string comparable_stats(const std::string& stats) {
  std::string out;
  for (const std::string& line : split_lines(stats)) {
    if (line.find("\"seconds\"") != std::string::npos ||
        line.find("\"ranks\"") != std::string::npos ||
        line.find("\"mb_per_s\"") != std::string::npos ||
        line.find("\"peak_rss_bytes\"") != std::string::npos) {
      continue;
    }
    // The runs compared may use different --threads; the options' other values must agree.
    std::string kept = line;
    const std::size_t at = kept.find(", \"threads\": ");
    if (at != std::string::npos) {
      const std::size_t end = kept.find_first_not_of("0123456789", at + 13);
      kept.erase(at, end - at);
    }
    out += kept + "\n";
  }
  return out;
}

const std::vector<std::string> kDedupOutputs = {"--clusters", "--pairs", "--removed", "--output",
                                                "--stats"};
const std::vector<std::string> kReuseOutputs = {"--pairs", "--clusters", "--documents", "--output",
                                                "--stats"};

// Runs `doppel <command>` (ranks == 0: one process; else under mpirun) with every output of
// `flags` and reads them.
Outputs run_job(const std::string& command, const std::vector<std::string>& flags, int ranks,
                const std::vector<std::string>& inputs, const std::vector<std::string>& extra,
                const std::string& stdin_bytes, const std::vector<std::string>& env) {
  const std::string dir = temp_dir();
  std::vector<std::string> args = {command};
  args.insert(args.end(), inputs.begin(), inputs.end());
  for (const std::string& flag : flags) {
    args.push_back(flag);
    args.push_back(dir + "/" + flag.substr(2));
  }
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back("-q");
  const RunResult run = ranks == 0 ? run_doppel(args, stdin_bytes)
                                   : run_doppel_mpi(ranks, args, stdin_bytes, {}, env);
  EXPECT_EQ(run.exit_code, 0) << ranks << " ranks\n" << run.err;
  if (ranks > 0) {
    EXPECT_EQ(mpi_sanitizer_findings(), "");
  }
  Outputs out;
  for (const std::string& flag : flags) {
    const std::string path = dir + "/" + flag.substr(2);
    if (!std::filesystem::exists(path)) {
      ADD_FAILURE() << flag << " not written, " << ranks << " ranks";
      continue;
    }
    out[flag] = flag == "--stats" ? comparable_stats(read_file(path)) : read_file(path);
  }
  return out;
}

Outputs run_dedup(int ranks, const std::vector<std::string>& inputs,
                  const std::vector<std::string>& extra, const std::string& stdin_bytes = "",
                  const std::vector<std::string>& env = {}) {
  return run_job("dedup", kDedupOutputs, ranks, inputs, extra, stdin_bytes, env);
}

Outputs run_reuse(int ranks, const std::vector<std::string>& inputs,
                  const std::vector<std::string>& extra, const std::vector<std::string>& env = {}) {
  return run_job("reuse", kReuseOutputs, ranks, inputs, extra, "", env);
}

void expect_same(const Outputs& one, const Outputs& job, const std::string& what) {
  for (const auto& [flag, bytes] : one) {
    const auto it = job.find(flag);
    ASSERT_NE(it, job.end()) << what << ": " << flag;
    // Not EXPECT_EQ: a failure would print megabytes.
    EXPECT_TRUE(it->second == bytes) << what << ": " << flag << " differs (" << it->second.size()
                                     << " bytes against " << bytes.size() << ")";
  }
}

struct GeneratedInputs {
  std::string dir;
  std::vector<std::string> inputs;
};

// A large JSON Lines file (cut among ranks), a compressed one (read whole by one rank) and a
// directory of text files.
const GeneratedInputs& generated_inputs() {
  static const GeneratedInputs inputs = [] {
    GeneratedInputs g;
    g.dir = temp_dir();
    write_file(g.dir + "/big.jsonl", generated_corpus(6000, 5));
    write_file(g.dir + "/small.jsonl", generated_corpus(300, 6));
    const RunResult z = run_program({"/usr/bin/zstd", "-q", "--rm", g.dir + "/small.jsonl"});
    EXPECT_EQ(z.exit_code, 0) << z.err;
    g.inputs = {g.dir + "/big.jsonl", g.dir + "/small.jsonl.zst", source_dir() + "/examples/news"};
    return g;
  }();
  return inputs;
}

TEST(MpiDedup, OutputsAreThoseOfOneProcessForOneTwoAndThreeRanks) {
  REQUIRE_MPIRUN();
  const auto& g = generated_inputs();
  const Outputs one = run_dedup(0, g.inputs, {"--threads", "2"});
  for (const int ranks : {1, 2, 3}) {
    expect_same(one, run_dedup(ranks, g.inputs, {"--threads", "1"}),
                std::to_string(ranks) + " ranks");
  }
}

// Ranks may run different numbers of threads (hosts of different sizes, with the default
// --threads 0): they must still make the same collective calls in the same order, and give one
// process's outputs. Two application contexts of one mpirun: rank 0 on one thread, ranks 1 and 2
// on three.
TEST(MpiDedup, RanksWithDifferentThreadCountsAsInOneProcess) {
  REQUIRE_MPIRUN();
  const auto& g = generated_inputs();
  const Outputs one = run_dedup(0, g.inputs, {"--threads", "2"});
  const std::string dir = temp_dir();
  std::vector<std::string> job = {"dedup"};
  job.insert(job.end(), g.inputs.begin(), g.inputs.end());
  for (const std::string& flag : kDedupOutputs) {
    job.push_back(flag);
    job.push_back(dir + "/" + flag.substr(2));
  }
  job.push_back("-q");
  std::vector<std::string> argv = {DOPPEL_MPIEXEC, "--oversubscribe"};
  if (geteuid() == 0) argv.emplace_back("--allow-run-as-root");
  const auto app = [&](const char* ranks, const char* threads) {
    argv.insert(argv.end(), {"-np", ranks, DOPPEL_BINARY});
    argv.insert(argv.end(), job.begin(), job.end());
    argv.insert(argv.end(), {"--threads", threads});
  };
  app("1", "1");
  argv.emplace_back(":");
  app("2", "3");
  const std::string logs = temp_dir();
  const RunResult run =
      run_program(argv, "",
                  {"ASAN_OPTIONS=log_path=" + logs + "/asan",
                   "UBSAN_OPTIONS=log_path=" + logs + "/ubsan", "LSAN_OPTIONS=exitcode=0"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  Outputs mixed;
  for (const std::string& flag : kDedupOutputs) {
    const std::string bytes = read_file(dir + "/" + flag.substr(2));
    mixed[flag] = flag == "--stats" ? comparable_stats(bytes) : bytes;
  }
  expect_same(one, mixed, "1 + 2 ranks of 1 and 3 threads");
}

TEST(MpiDedup, KeepPoliciesAndExactVerificationAsInOneProcess) {
  REQUIRE_MPIRUN();
  const auto& g = generated_inputs();
  for (const auto& [ranks, extra] : std::vector<std::pair<int, std::vector<std::string>>>{
           {3, {"--keep", "earliest", "--verify", "exact"}},
           {2, {"--keep", "latest"}},
           {2, {"--keep", "longest", "--threshold", "0.6"}}}) {
    const Outputs one = run_dedup(0, g.inputs, extra);
    expect_same(one, run_dedup(ranks, g.inputs, extra), extra[1]);
  }
}

TEST(MpiDedup, StandardInputIsReadByRankZero) {
  REQUIRE_MPIRUN();
  const std::string corpus = generated_corpus(1500, 7);
  const Outputs one = run_dedup(0, {"-"}, {}, corpus);
  expect_same(one, run_dedup(2, {"-"}, {}, corpus), "standard input");
}

// The listing for a person, with ids and dates that hold control characters: escaped as one
// process escapes them (an escape sequence from the input would drive the terminal).
TEST(MpiDedup, TheListingEscapesControlCharactersAsOneProcessDoes) {
  REQUIRE_MPIRUN();
  const std::string dir = temp_dir();
  const std::string path = dir + "/c.jsonl";
  const std::string text = "one two three four five six seven eight nine ten";
  std::string corpus;
  for (int i = 0; i < 40; ++i) {
    corpus += "{\"id\":\"a\\u001b[31m" + std::to_string(i) + "\",\"date\":\"d\\u009b" +
              std::to_string(i) + "\",\"text\":\"" + text + " " + std::to_string(i % 4) + "\"}\n";
  }
  write_file(path, corpus);
  const RunResult one = run_doppel({"dedup", path});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_TRUE(contains(one.out, "a\\x1B[31m39  (d\\xC2\\x9B39)")) << one.out;
  const RunResult job = run_doppel_mpi(2, {"dedup", path});
  ASSERT_EQ(job.exit_code, 0) << job.err;
  EXPECT_EQ(job.out, one.out);
  EXPECT_FALSE(contains(job.out + job.err, "\x1b"));
  EXPECT_FALSE(contains(job.out + job.err, "\xc2\x9b"));
}

// The listing of a job, excerpts and the count of a large cluster's unlisted documents included,
// is the listing of one process, also where the kept document is on another rank than the
// cluster's first member (--keep latest).
TEST(MpiDedup, TheListingWithExcerptsIsThatOfOneProcess) {
  REQUIRE_MPIRUN();
  const std::string dir = temp_dir();
  const std::string path = dir + "/c.jsonl";
  // Its start holds an escape sequence, a C1 control and a right-to-left override: the listing
  // escapes them in an excerpt as in an id.
  const std::string text =
      "Evil \\u001b[31mRED\\u001b[0m \\u009b2J \\u202eRTL " + random_text(17, 30);
  std::string corpus;
  for (int i = 0; i < 30; ++i) {
    corpus += jsonl_doc("c" + std::to_string(i), text, "2020-01-" + std::to_string(10 + i % 20)) +
              "\n" + jsonl_doc("u" + std::to_string(i), random_text(100 + i, 30)) + "\n";
  }
  write_file(path, corpus);
  const RunResult one = run_doppel({"dedup", path, "--keep", "latest"});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_TRUE(contains(one.out, "  \u201cEvil \\x1B[31mRED\\x1B[0m \\xC2\\x9B2J \\u202ERTL "))
      << one.out;
  EXPECT_TRUE(contains(one.out, "  ... and 20 more documents\n")) << one.out;
  const RunResult job = run_doppel_mpi(3, {"dedup", path, "--keep", "latest"});
  ASSERT_EQ(job.exit_code, 0) << job.err;
  EXPECT_EQ(job.out, one.out);
  EXPECT_FALSE(contains(job.out, "\x1b"));
  EXPECT_FALSE(contains(job.out, "\xe2\x80\xae"));
}

TEST(MpiDedup, ExchangesInPiecesGiveTheSameOutputs) {
  REQUIRE_MPIRUN();
  // Every exchange and broadcast in pieces of 1,000 bytes, as MPI's int counts make huge ones.
  const auto& g = generated_inputs();
  const Outputs one = run_dedup(0, g.inputs, {});
  expect_same(one, run_dedup(3, g.inputs, {}, "", {"DOPPEL_MPI_ROUND_BYTES=1000"}), "pieces");
}

TEST(MpiDedup, PartsSentToRankZeroLandAtTheirPlace) {
  REQUIRE_MPIRUN();
  // Ranks on rank 0's host write their parts into the outputs themselves; ranks on other hosts
  // send them to rank 0, which writes them at their offsets. Rank 1 here does the latter, rank 2
  // the former, so both kinds meet in one file.
  const auto& g = generated_inputs();
  const Outputs one = run_dedup(0, g.inputs, {});
  expect_same(one, run_dedup(3, g.inputs, {}, "", {"DOPPEL_MPI_SEND_PARTS=1"}), "parts sent");
}

// Reuters and 20 Newsgroups, compressed as shipped (one rank reads each whole) and decompressed
// (cut among the ranks).
TEST(MpiDedup, RealCorporaAsInOneProcess) {
  REQUIRE_MPIRUN();
  REQUIRE_SHARED();
  const std::string dir = temp_dir();
  for (const std::string name : {"reuters21578", "20newsgroups"}) {
    const std::string zst = shared_dir() + "/corpora/" + name + ".jsonl.zst";
    const std::string plain = dir + "/" + name + ".jsonl";
    const RunResult z = run_program({"/usr/bin/zstd", "-q", "-d", "-f", zst, "-o", plain});
    ASSERT_EQ(z.exit_code, 0) << z.err;
    const Outputs one = run_dedup(0, {plain}, {});
    for (const int ranks : {1, 2, 3}) {
      expect_same(one, run_dedup(ranks, {plain}, {}), name + ", ranks " + std::to_string(ranks));
    }
    const Outputs one_zst = run_dedup(0, {zst}, {});
    expect_same(one_zst, run_dedup(2, {zst}, {}), name + ".zst");
  }
}

// Reuse: seeds by n-gram on their key's rank, pairs aligned on their pair's rank, clusters on
// rank 0; every output as one process's.
TEST(MpiReuse, OutputsAreThoseOfOneProcessForOneTwoAndThreeRanks) {
  REQUIRE_MPIRUN();
  const auto& g = generated_inputs();
  const Outputs one = run_reuse(0, g.inputs, {"--threads", "2"});
  ASSERT_NE(one.at("--pairs"), "");  // passages found: the comparison below means something
  for (const int ranks : {1, 2, 3}) {
    expect_same(one, run_reuse(ranks, g.inputs, {"--threads", "1"}),
                std::to_string(ranks) + " ranks");
  }
}

// The summary's counts of the whole job: documents of long "words" (text without spaces) on
// every rank are counted, as one process counts them (the line was missing).
TEST(MpiReuse, TheSummaryCountsLongWordDocumentsOfEveryRank) {
  REQUIRE_MPIRUN();
  const std::string dir = temp_dir();
  // Base64, 36 and 38 characters a "word" (Thai is cut into dictionary words now).
  const std::string encoded =
      "TWFueSBoYW5kcyBtYWtlIGxpZ2h0IHdvcmsu SGVsbG8sIFdvcmxkISBUaGlzIGlzIGJhc2U2NA";
  std::string corpus;
  for (int d = 0; d < 400; ++d) {
    const std::string text = d % 100 == 7 ? encoded : random_text(d + 1, 40);
    corpus += jsonl_doc("d" + std::to_string(d), text) + "\n";
  }
  write_file(dir + "/c.jsonl", corpus);
  const std::vector<std::string> args = {"reuse", dir + "/c.jsonl", "--clusters", "/dev/null"};
  const RunResult one = run_doppel(args);
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_NE(one.err.find("long words                   4  documents"), std::string::npos)
      << one.err;
  const RunResult job = run_doppel_mpi(3, args);
  ASSERT_EQ(job.exit_code, 0) << job.err;
  EXPECT_NE(job.err.find("long words                   4  documents"), std::string::npos)
      << job.err;
}

// N-grams in more documents than --all-pairs-docs link each occurrence to the earliest document
// only: the rank that owns the n-gram needs every document's date rank.
TEST(MpiReuse, FrequentNgramsAndOtherOptionsAsInOneProcess) {
  REQUIRE_MPIRUN();
  const auto& g = generated_inputs();
  for (const auto& [ranks, extra] : std::vector<std::pair<int, std::vector<std::string>>>{
           {3, {"--all-pairs-docs", "2"}},
           {2, {"--all-pairs-docs", "3", "--keep-source", "--min-docs", "3"}},
           {2, {"--seed-words", "3", "--min-words", "8", "--cluster-trigrams", "0.3"}}}) {
    const Outputs one = run_reuse(0, g.inputs, extra);
    expect_same(one, run_reuse(ranks, g.inputs, extra), extra[0] + " " + extra[1]);
  }
}

TEST(MpiReuse, ExchangesInPiecesGiveTheSameOutputs) {
  REQUIRE_MPIRUN();
  const auto& g = generated_inputs();
  const Outputs one = run_reuse(0, g.inputs, {});
  expect_same(one, run_reuse(3, g.inputs, {}, {"DOPPEL_MPI_ROUND_BYTES=1000"}), "pieces");
}

TEST(MpiReuse, RealCorporaAsInOneProcess) {
  REQUIRE_MPIRUN();
  REQUIRE_SHARED();
  const std::string dir = temp_dir();
  for (const std::string name : {"reuters21578", "20newsgroups"}) {
    const std::string zst = shared_dir() + "/corpora/" + name + ".jsonl.zst";
    const std::string plain = dir + "/" + name + ".jsonl";
    const RunResult z = run_program({"/usr/bin/zstd", "-q", "-d", "-f", zst, "-o", plain});
    ASSERT_EQ(z.exit_code, 0) << z.err;
    const Outputs one = run_reuse(0, {plain}, {});
    for (const int ranks : {1, 2, 3}) {
      expect_same(one, run_reuse(ranks, {plain}, {}), name + ", ranks " + std::to_string(ranks));
    }
  }
}

// The lines of standard error that are doppel's own messages.
std::vector<std::string> doppel_errors(const std::string& err) {
  std::vector<std::string> lines;
  for (const std::string& line : split_lines(err)) {
    if (line.rfind("doppel: error: ", 0) == 0) lines.push_back(line);
  }
  return lines;
}

// Nothing under an output's name, and no temporary left beside it.
void expect_no_outputs(const std::string& dir) {
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    ADD_FAILURE() << "left behind: " << entry.path();
  }
}

std::string host_name() {
  char name[256] = {};
  gethostname(name, sizeof name - 1);
  return name;
}

// `command` on 3 ranks over a corpus whose one broken line is in the last rank's share, with
// --on-error=fail: one message, the one of one process naming the rank and its host, and no
// output.
void expect_bad_input_stops(const std::string& command, const std::vector<std::string>& outputs) {
  const std::string in = temp_dir();
  std::string corpus = generated_corpus(3000, 8);
  // Only well-formed lines with ids not seen before, then one broken line in the last third: the
  // last rank's share.
  std::string good;
  std::set<std::string> ids;
  for (const std::string& line : split_lines(corpus)) {
    if (line.rfind("{\"id\": \"d", 0) == 0 && line.find("\"text\"") != std::string::npos &&
        ids.insert(line.substr(0, line.find('"', 9))).second) {
      good += line + "\n";
    }
  }
  good.insert(good.size() * 5 / 6, "\n{\"id\": \"broken\", \"text\": \n");
  write_file(in + "/c.jsonl", good);
  const RunResult one = run_doppel({command, in + "/c.jsonl", "--on-error=fail", "-q"});
  ASSERT_EQ(one.exit_code, 2);
  const std::vector<std::string> expected = doppel_errors(one.err);
  ASSERT_EQ(expected.size(), 1u) << one.err;
  const std::string out = temp_dir();
  std::vector<std::string> args = {command, in + "/c.jsonl", "--on-error=fail", "-q"};
  for (const std::string& flag : outputs) {
    args.push_back(flag);
    args.push_back(out + "/" + flag.substr(2));
  }
  const RunResult job = run_doppel_mpi(3, args);
  EXPECT_NE(job.exit_code, 0);
  const std::vector<std::string> errors = doppel_errors(job.err);
  ASSERT_EQ(errors.size(), 1u) << job.err;
  // The message of one process, naming the rank and its host.
  EXPECT_EQ(errors[0], "doppel: error: rank 2 on " + host_name() + ": " +
                           expected[0].substr(std::string("doppel: error: ").size()));
  EXPECT_EQ(mpi_sanitizer_findings(), "");
  expect_no_outputs(out);
}

// Every rank parses the same arguments; a usage error, the help and the version were printed
// once per rank.
TEST(MpiFailures, AUsageErrorOrTheVersionIsPrintedOnce) {
  REQUIRE_MPIRUN();
  const RunResult bad =
      run_doppel_mpi(3, {"dedup", source_dir() + "/examples/news", "--no-such-flag"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_EQ(count_lines_with(bad.err, {"doppel: error: ", "--no-such-flag"}), 1) << bad.err;
  const RunResult version = run_doppel_mpi(3, {"--version"});
  EXPECT_EQ(version.exit_code, 0) << version.err;
  EXPECT_EQ(count_lines_with(version.out, {"doppel "}), 1) << version.out;
}

TEST(MpiFailures, BadInputOnTheLastRankStopsTheJobWithOneMessage) {
  REQUIRE_MPIRUN();
  expect_bad_input_stops("dedup", {"--clusters", "--removed", "--output"});
}

TEST(MpiFailures, BadInputOnTheLastRankStopsAReuseJobWithOneMessage) {
  REQUIRE_MPIRUN();
  expect_bad_input_stops("reuse", kReuseOutputs);
}

// The pid of rank `rank` among the children of mpirun (`parent`), or 0.
int rank_pid(int parent, int rank) {
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string pid, comm, state;
    int ppid = 0;
    if (!(stat >> pid >> comm >> state >> ppid) || ppid != parent) continue;
    std::ifstream environ(entry.path() / "environ", std::ios::binary);
    std::string env((std::istreambuf_iterator<char>(environ)), std::istreambuf_iterator<char>());
    if (env.find(std::string("OMPI_COMM_WORLD_RANK=") + std::to_string(rank) + '\0') !=
        std::string::npos) {
      return std::stoi(name);
    }
  }
  return 0;
}

TEST(MpiFailures, AKilledRankStopsTheJobAndLeavesNoOutput) {
  REQUIRE_MPIRUN();
  const std::string in = temp_dir();
  write_file(in + "/c.jsonl", generated_corpus(20000, 10));
  const std::string out = temp_dir();
  int killed = 0;
  const auto start = std::chrono::steady_clock::now();
  const RunResult job = run_doppel_mpi(
      2,
      {"dedup", in + "/c.jsonl", "--threads", "1", "--clusters", out + "/c.jsonl", "--output",
       out + "/o.jsonl", "-q"},
      "", [&](int mpirun) {
        // Once both ranks run, and a moment later (reading), rank 1 is killed as the kernel's
        // out-of-memory killer would.
        if (std::chrono::steady_clock::now() - start < std::chrono::milliseconds(300)) return false;
        const int pid = rank_pid(mpirun, 1);
        if (pid == 0 || rank_pid(mpirun, 0) == 0) return false;
        killed = pid;
        kill(pid, SIGKILL);
        return true;
      });
  ASSERT_NE(killed, 0);
  EXPECT_NE(job.exit_code, 0);
  // mpirun names the rank, its host and the signal; doppel adds nothing.
  EXPECT_NE(job.err.find("rank 1"), std::string::npos) << job.err;
  EXPECT_NE(job.err.find("signal 9"), std::string::npos) << job.err;
  EXPECT_EQ(doppel_errors(job.err).size(), 0u) << job.err;
  expect_no_outputs(out);
}

TEST(MpiProgress, OneBarForTheWholeReuseJob) {
  REQUIRE_MPIRUN();
  const auto& g = generated_inputs();
  const RunResult job =
      run_doppel_mpi(2, {"reuse", g.inputs[0], "--progress", "always", "--threads", "1"});
  ASSERT_EQ(job.exit_code, 0) << job.err;
  EXPECT_NE(job.err.find("reuse ["), std::string::npos) << job.err;
  EXPECT_NE(job.err.find("100%"), std::string::npos) << job.err;
}

TEST(MpiProgress, OneBarForTheWholeJob) {
  REQUIRE_MPIRUN();
  const auto& g = generated_inputs();
  const RunResult job =
      run_doppel_mpi(2, {"dedup", g.inputs[0], "--progress", "always", "--threads", "1"});
  ASSERT_EQ(job.exit_code, 0) << job.err;
  // The bar's last drawing counts the input of both ranks: 100% (either rank alone reads half).
  EXPECT_NE(job.err.find("dedup ["), std::string::npos) << job.err;
  EXPECT_NE(job.err.find("100%"), std::string::npos) << job.err;
}

// A rank's standard error is a pipe to mpirun; --progress auto still draws the bar when mpirun's
// own standard error is a terminal (a pseudo-terminal of script(1) here), and not when it is a
// pipe.
TEST(MpiProgress, AutoDrawsWhenMpirunIsOnATerminal) {
  REQUIRE_MPIRUN();
  if (access("/usr/bin/script", X_OK) != 0) GTEST_SKIP() << "script(1) not found (util-linux)";
  const auto& g = generated_inputs();
  std::string command = std::string(DOPPEL_MPIEXEC) + " --oversubscribe";
  if (geteuid() == 0) command += " --allow-run-as-root";
  command +=
      " -np 2 " + std::string(DOPPEL_BINARY) + " dedup '" + g.inputs[0] + "' --threads 1 --show 0";
  const std::string logs = temp_dir();
  const RunResult on_terminal =
      run_program({"/usr/bin/script", "-qec", command, "/dev/null"}, "",
                  {"ASAN_OPTIONS=log_path=" + logs + "/asan",
                   "UBSAN_OPTIONS=log_path=" + logs + "/ubsan", "LSAN_OPTIONS=exitcode=0"});
  ASSERT_EQ(on_terminal.exit_code, 0) << on_terminal.out << on_terminal.err;
  // script(1) writes what the terminal showed on its standard output.
  EXPECT_NE(on_terminal.out.find("dedup ["), std::string::npos) << on_terminal.out;
  EXPECT_NE(on_terminal.out.find("100%"), std::string::npos) << on_terminal.out;

  const RunResult piped = run_doppel_mpi(2, {"dedup", g.inputs[0], "--threads", "1"});
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_EQ(piped.err.find("dedup ["), std::string::npos) << piped.err;
}

}  // namespace
}  // namespace doppel::test
