// doppel index and doppel serve, end to end: the same pairs and clusters as doppel dedup however
// a corpus is split into adds; answers; stored options; one writer; the HTTP API and its bad
// requests; durability under kill -9 (server and CLI); queries during adds; SIGTERM; memory under
// a flood of requests (bounded in count and time, and reported).
#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "doppel/index.h"
#include "e2e/fixtures.h"
#include "e2e/harness.h"
#include "index/store.h"
#include "sketch/minhash.h"
#include "support/zlib_encode.h"
#include "text/excerpt.h"
#include "text/normalize.h"
#include "text/shingle.h"

namespace doppel::test {
namespace {

using namespace std::chrono_literals;

std::string lines_of(const std::vector<std::string>& lines, std::size_t first, std::size_t last) {
  std::string s;
  for (std::size_t i = first; i < last; ++i) s += lines[i] + "\n";
  return s;
}

std::string doc(const std::string& id, const std::string& text) {
  return "{\"id\":\"" + id + "\",\"text\":\"" + text + "\"}";
}

// Text of n distinct words that no call with another seed shares.
std::string words(int seed, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += "w" + std::to_string(seed) + "x" + std::to_string(i) + " ";
  return s;
}

// "\"documents\":N" of `doppel index stats`.
long stats_documents(const std::string& index) {
  const RunResult r = run_doppel({"index", "stats", index});
  const auto at = r.out.find("\"documents\":");
  if (r.exit_code != 0 || at == std::string::npos) return -1;
  return std::stol(r.out.substr(at + 12));
}

// A `doppel serve` child process on a free loopback port.
class Server {
 public:
  explicit Server(const std::string& index, const std::vector<std::string>& extra = {}) {
    log_ = temp_dir() + "/serve.log";
    write_file(log_, "");  // there before the child opens it: the constructor reads it
    std::vector<std::string> args = {DOPPEL_BINARY, "serve",       index,
                                     "--listen",    "127.0.0.1:0", "-q"};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_ = fork();
    if (pid_ == 0) {
      // Dies with the test process, however that ends: an orphaned server would hold ctest's
      // pipe open and hang the run.
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      const int fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(fd, 2);
      execv(argv[0], argv.data());
      _exit(127);
    }
    // The port, from the line the server prints once it listens.
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (port_ == 0 && std::chrono::steady_clock::now() < deadline) {
      const std::string log = read_file(log_);
      const auto at = log.find("http://127.0.0.1:");
      if (at != std::string::npos && log.find('/', at + 17) != std::string::npos) {
        port_ = std::stoi(log.substr(at + 17));
      } else if (waitpid(pid_, &status_, WNOHANG) == pid_) {
        exited_ = true;
        break;
      } else {
        std::this_thread::sleep_for(10ms);
      }
    }
  }
  ~Server() {
    if (!exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status_, 0);
    }
  }
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string log() const { return read_file(log_); }
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(120, 0);
    c.set_write_timeout(120, 0);
    return c;
  }
  // Sends `sig` and waits: the exit status.
  int stop(int sig) {
    kill(pid_, sig);
    waitpid(pid_, &status_, 0);
    exited_ = true;
    return status_;
  }
  // The server's peak resident memory so far (VmHWM), in MiB.
  long peak_mib() const {
    const std::string status = read_file("/proc/" + std::to_string(pid_) + "/status");
    const auto at = status.find("VmHWM:");
    return at == std::string::npos ? -1 : std::stol(status.substr(at + 6)) / 1024;
  }

 private:
  std::string log_;
  pid_t pid_ = -1;
  int port_ = 0, status_ = 0;
  bool exited_ = false;
};

TEST(Index, ChunkedAddsGiveTheDedupPairsAndClusters) {
  if (shared_dir().empty()) GTEST_SKIP() << "../shared not found: the Reuters test needs it";
  const std::string dir = temp_dir();
  const std::string corpus = shared_dir() + "/corpora/reuters21578.jsonl.zst";
  ASSERT_EQ(run_doppel({"dedup", corpus, "--pairs", dir + "/d.pairs", "--clusters",
                        dir + "/d.clusters", "-q"})
                .exit_code,
            0);
  const std::string pairs = read_file(dir + "/d.pairs"), clusters = read_file(dir + "/d.clusters");
  ASSERT_GT(split_lines(pairs).size(), 100u);
  std::vector<std::string> lines;
  {
    const std::string jsonl = dir + "/r.jsonl";
    ASSERT_EQ(std::system(("zstd -dcq " + corpus + " > " + jsonl).c_str()), 0);
    lines = read_lines(jsonl);
  }
  for (const std::size_t chunks : {1u, 2u, 7u}) {
    const std::string index = dir + "/r" + std::to_string(chunks) + ".idx";
    for (std::size_t c = 0; c < chunks; ++c) {
      const std::string part = dir + "/part" + std::to_string(c) + ".jsonl";
      write_file(part, lines_of(lines, lines.size() * c / chunks, lines.size() * (c + 1) / chunks));
      const RunResult r =
          run_doppel({"index", "add", index, part, "--answers", dir + "/answers", "-q"});
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    ASSERT_EQ(run_doppel({"index", "export", index, "--pairs", dir + "/i.pairs", "--clusters",
                          dir + "/i.clusters"})
                  .exit_code,
              0);
    EXPECT_EQ(read_file(dir + "/i.pairs"), pairs) << chunks << " chunks";
    EXPECT_EQ(read_file(dir + "/i.clusters"), clusters) << chunks << " chunks";
  }
  EXPECT_NE(run_doppel({"index", "query", dir + "/none.idx", corpus, "-q"}).exit_code, 0)
      << "a query of a missing index fails";
}

// A family of near duplicates whose buckets hold far more than 64 members (a template with a
// few words changed in each copy): chunked adds give dedup's pairs with the default window and
// with a wide one, which finds more of them; an index keeps the window it was made with.
TEST(Index, BigBucketsGiveTheDedupPairsWithEitherWindow) {
  const std::string dir = temp_dir();
  const std::string base = random_text(91, 120);
  std::vector<std::string> words;
  for (std::size_t at = 0, next = 0; at < base.size(); at = next + 1) {
    next = std::min(base.find(' ', at), base.size());
    words.push_back(base.substr(at, next - at));
  }
  std::mt19937_64 rng(0x77696e);
  std::vector<std::string> lines;
  for (int d = 0; d < 240; ++d) {
    std::vector<std::string> copy = words;
    for (int e = 1 + static_cast<int>(rng() % 3); e > 0; --e) {
      copy[rng() % copy.size()] = "w" + std::to_string(rng() % 100000);
    }
    std::string text;
    for (const std::string& w : copy) text += (text.empty() ? "" : " ") + w;
    lines.push_back(jsonl_doc("t" + std::to_string(d), text));
  }
  write_file(dir + "/all.jsonl", lines_of(lines, 0, lines.size()));
  std::size_t narrow_pairs = 0;
  for (const std::string window : {"1", "40"}) {
    ASSERT_EQ(run_doppel({"dedup", dir + "/all.jsonl", "--bucket-window", window, "--pairs",
                          dir + "/d.pairs", "-q"})
                  .exit_code,
              0);
    const std::string pairs = read_file(dir + "/d.pairs");
    if (window == "1") {
      narrow_pairs = split_lines(pairs).size();
    } else {
      EXPECT_GT(split_lines(pairs).size(), narrow_pairs) << "a wider window finds more pairs";
    }
    const std::string index = dir + "/w" + window + ".idx";
    for (std::size_t c = 0; c < 3; ++c) {
      const std::string part = dir + "/part" + std::to_string(c) + ".jsonl";
      write_file(part, lines_of(lines, lines.size() * c / 3, lines.size() * (c + 1) / 3));
      std::vector<std::string> args = {"index", "add", index, part, "--answers", "/dev/null", "-q"};
      if (c == 0 && window != "1") args.insert(args.end(), {"--bucket-window", window});
      const RunResult r = run_doppel(args);
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    ASSERT_EQ(run_doppel({"index", "export", index, "--pairs", dir + "/i.pairs"}).exit_code, 0);
    EXPECT_EQ(read_file(dir + "/i.pairs"), pairs) << "window " << window;
  }
  const RunResult other = run_doppel(
      {"index", "add", dir + "/w40.idx", dir + "/part0.jsonl", "--bucket-window", "2", "-q"});
  EXPECT_EQ(other.exit_code, 2);
  EXPECT_NE(other.err.find("--bucket-window 40 (asked: 2)"), std::string::npos) << other.err;
}

// A paragraph first published in A, then with two more paragraphs in B: a copy of B has two
// passages, the paragraph from A and the rest from B (one passage credited wholly to A said A
// first published text it never held).
TEST(Index, EachPassageNamesItsOwnFirstPublisher) {
  const std::string dir = temp_dir();
  const std::string p1 = random_text(31, 30), p2 = random_text(32, 35), p3 = random_text(33, 35);
  write_file(dir + "/arch.jsonl", jsonl_doc("A", p1, "2005-01-01") + "\n" +
                                      jsonl_doc("B", p1 + " " + p2 + " " + p3, "2005-02-01") +
                                      "\n");
  write_file(dir + "/q.jsonl", jsonl_doc("C", p1 + " " + p2 + " " + p3, "2005-03-01") + "\n");
  ASSERT_EQ(
      run_doppel({"index", "add", dir + "/i.idx", dir + "/arch.jsonl", "--answers", "/dev/null"})
          .exit_code,
      0);
  const RunResult q = run_doppel({"index", "query", dir + "/i.idx", dir + "/q.jsonl", "-q"});
  ASSERT_EQ(q.exit_code, 0) << q.err;
  // The first passage: p1's 30 words, held by A and B, source A; the second: the other 70,
  // held by B, its source.
  const std::size_t first = q.out.find("\"words\":30,\"earlier\":[{\"id\":\"A\"");
  const std::size_t first_source = q.out.find("\"source\":{\"id\":\"A\"");
  const std::size_t second = q.out.find("\"words\":70,\"earlier\":[{\"id\":\"B\"");
  const std::size_t second_source = q.out.find("\"source\":{\"id\":\"B\"");
  ASSERT_NE(second_source, std::string::npos) << q.out;
  EXPECT_LT(first, first_source) << q.out;
  EXPECT_LT(first_source, second) << q.out;
  EXPECT_LT(second, second_source) << q.out;
}

// --listing prints each answer for a person: what the document is, how much of it is new, and
// each passage's earliest source and other holders; the JSON Lines go to --answers FILE, the
// same as without it, or nowhere; --answers - beside it is refused.
TEST(Index, TheListingGivesEachAnswerForAPerson) {
  const std::string dir = temp_dir();
  const std::string passage = random_text(61, 60);
  write_file(dir + "/old.jsonl",
             jsonl_doc("first", random_text(62, 30) + " " + passage, "2020-01-01") + "\n" +
                 jsonl_doc("second", random_text(63, 30) + " " + passage, "2020-02-01") + "\n");
  const std::string copy = random_text(64, 50);
  write_file(dir + "/new.jsonl",
             jsonl_doc("reuser", passage + " " + random_text(65, 60), "2020-03-01") + "\n" +
                 jsonl_doc("copy", copy) + "\n" + jsonl_doc("copy2", copy) + "\n" + "{broken\n");
  const std::string idx = dir + "/i.idx";
  const RunResult added = run_doppel({"index", "add", idx, dir + "/old.jsonl", "--listing", "-q"});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  EXPECT_EQ(added.out.rfind("first  new · 100% of it new · added\n", 0), 0u) << added.out;
  EXPECT_NE(added.out.find("\nsecond  new · "), std::string::npos) << added.out;
  EXPECT_NE(added.out.find(" words · first in first (2020-01-01)\n"), std::string::npos)
      << added.out;

  const RunResult q = run_doppel({"index", "query", idx, dir + "/new.jsonl", "--listing", "-q",
                                  "--answers", dir + "/answers.jsonl"});
  ASSERT_EQ(q.exit_code, 0) << q.err;
  EXPECT_NE(q.out.find("reuser  new · "), std::string::npos) << q.out;
  EXPECT_NE(q.out.find(" words · first in first (2020-01-01); also in second (2020-02-01)\n"),
            std::string::npos)
      << q.out;
  // Under each passage, its text in this document on one line: the start and the end of it.
  const std::string passage_line =
      " words · first in first (2020-01-01); also in second (2020-02-01)\n";
  const std::size_t excerpt_at = q.out.find(passage_line) + passage_line.size();
  EXPECT_EQ(q.out.substr(excerpt_at, q.out.find('\n', excerpt_at) + 1 - excerpt_at),
            "    \u201c" + excerpt(passage.substr(0, passage.size() - 1), 72) + "\u201d\n")
      << q.out;
  EXPECT_NE(excerpt(passage, 72).find(" \u2026 "), std::string::npos) << "cut: start and end";
  EXPECT_NE(q.out.find("copy  new · 100% of it new\n"), std::string::npos) << q.out;
  EXPECT_NE(q.out.find("copy2  exact duplicate of copy · "), std::string::npos) << q.out;
  EXPECT_NE(q.out.find("  bad input (malformed_json): "), std::string::npos) << q.out;
  EXPECT_EQ(q.out.find("{\"id\""), std::string::npos) << "no JSON on standard output";
  const RunResult json = run_doppel({"index", "query", idx, dir + "/new.jsonl", "-q"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_EQ(read_file(dir + "/answers.jsonl"), json.out);  // no excerpt in the JSON

  for (const char* to : {"-", "/dev/stdout"}) {
    const RunResult both =
        run_doppel({"index", "query", idx, dir + "/new.jsonl", "--listing", "--answers", to});
    EXPECT_EQ(both.exit_code, 2) << to;
    EXPECT_NE(both.err.find("--listing prints the answers on standard output"), std::string::npos)
        << both.err;
  }

  // An id from the input is one field, in the message that quotes it too: a tab or a newline in
  // it cannot break the block or make a line of its own.
  write_file(dir + "/odd.jsonl", jsonl_doc("t\\tab\\nx", random_text(66, 30)) + "\n");
  ASSERT_EQ(run_doppel({"index", "add", idx, dir + "/odd.jsonl", "-q"}).exit_code, 0);
  const RunResult again =
      run_doppel({"index", "query", idx, dir + "/odd.jsonl", "--listing", "-q"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out,
            "t\\x09ab\\x0Ax  not compared: id \"t\\x09ab\\x0Ax\" is in the index already\n");

  // An excerpt is escaped as the ids are: a control character in the text is shown, not sent.
  const std::string shared = random_text(67, 3) + " \\u001b[2J " + random_text(69, 30);
  write_file(dir + "/esc.jsonl", jsonl_doc("e1", random_text(68, 10) + " " + shared) + "\n");
  write_file(dir + "/esc2.jsonl", jsonl_doc("e2", shared) + "\n");
  ASSERT_EQ(run_doppel({"index", "add", idx, dir + "/esc.jsonl", "-q"}).exit_code, 0);
  const RunResult esc = run_doppel({"index", "query", idx, dir + "/esc2.jsonl", "--listing", "-q"});
  ASSERT_EQ(esc.exit_code, 0) << esc.err;
  EXPECT_EQ(esc.out.find('\x1b'), std::string::npos) << esc.out;
  EXPECT_NE(esc.out.find("\\x1B[2J"), std::string::npos) << esc.out;
}

// The summary names only the steps a call ran, and what missing dates cost it: a query commits
// and publishes nothing; with --skip-passages no passage of the call lacks a source.
TEST(Index, TheSummarySaysWhatTheCallDid) {
  const std::string dir = temp_dir();
  write_file(dir + "/d.jsonl", jsonl_doc("a", random_text(51, 40)) + "\n" +
                                   jsonl_doc("b", random_text(52, 40)) + "\n");
  write_file(dir + "/q.jsonl", jsonl_doc("q", random_text(51, 40)) + "\n");
  const std::string idx = dir + "/i.idx";
  struct Call {
    std::vector<std::string> args;
    const char* dates;  // the end of the dates line
    bool writes;        // commit and publish in the seconds line
  };
  const Call calls[] = {
      {{"index", "add", idx, dir + "/d.jsonl", "--skip-passages"},
       "passages found in them later cannot name them as the source)",
       true},
      {{"index", "query", idx, dir + "/q.jsonl"}, "passages have no source)", false},
      {{"index", "query", idx, dir + "/q.jsonl", "--skip-passages"},
       "passages were not looked for)",
       false}};
  for (const Call& call : calls) {
    std::vector<std::string> args = call.args;
    args.insert(args.end(), {"--answers", "/dev/null"});
    const RunResult r = run_doppel(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find(std::string(call.dates) + "\n"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("commit ") != std::string::npos, call.writes) << r.err;
    EXPECT_EQ(r.err.find("publish ") != std::string::npos, call.writes) << r.err;
    EXPECT_NE(r.err.find("  seconds           read+sketch "), std::string::npos) << r.err;
  }
}

// A date in no form doppel reads is ordered as text, before every readable one: index add says
// how many it took, as reuse does.
TEST(Index, TheSummaryCountsDatesItCannotRead) {
  const std::string dir = temp_dir();
  write_file(dir + "/d.jsonl", jsonl_doc("us", random_text(41, 30), "03/01/2021") + "\n" +
                                   jsonl_doc("iso", random_text(42, 30), "2021-03-01") + "\n");
  const RunResult r =
      run_doppel({"index", "add", dir + "/i.idx", dir + "/d.jsonl", "--answers", "/dev/null"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("dates unread                 1  (not a form doppel reads, ordered as "
                       "text: \"03/01/2021\" of us;"),
            std::string::npos)
      << r.err;
  // Each answer says it too, and so the service's (which has no summary).
  write_file(dir + "/q.jsonl", jsonl_doc("q-us", random_text(43, 30), "12/31/2020") + "\n" +
                                   jsonl_doc("q-iso", random_text(44, 30), "2020-12-31") + "\n" +
                                   jsonl_doc("q-none", random_text(45, 30)) + "\n");
  const RunResult q = run_doppel({"index", "query", dir + "/i.idx", dir + "/q.jsonl", "-q"});
  ASSERT_EQ(q.exit_code, 0) << q.err;
  const auto lines = split_lines(q.out);
  ASSERT_EQ(lines.size(), 3U) << q.out;
  EXPECT_NE(lines[0].find("\"added\":false,\"date_unread\":true,"), std::string::npos) << lines[0];
  EXPECT_EQ(lines[1].find("date_unread"), std::string::npos) << lines[1];
  EXPECT_EQ(lines[2].find("date_unread"), std::string::npos) << lines[2];
  Server server(dir + "/i.idx");
  ASSERT_GT(server.port(), 0) << server.log();
  auto res = server.client().Post("/v1/query", read_file(dir + "/q.jsonl"), "application/x-ndjson");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_NE(
      res->body.find("{\"id\":\"q-us\",\"status\":\"new\",\"added\":false,\"date_unread\":true,"),
      std::string::npos)
      << res->body;
  EXPECT_EQ(res->body.find("date_unread"), res->body.rfind("date_unread")) << res->body;
}

TEST(Index, AnswersNewExactNearAndPassages) {
  const std::string dir = temp_dir();
  const std::string index = dir + "/news.idx";
  const RunResult r = run_doppel({"index", "add", index, source_dir() + "/examples/news", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto answers = split_lines(r.out);
  ASSERT_EQ(answers.size(), 12u);
  EXPECT_NE(answers[0].find("\"status\":\"new\",\"added\":true"), std::string::npos) << answers[0];
  EXPECT_NE(answers[1].find("\"status\":\"exact_duplicate\",\"added\":true,\"duplicate_of\":"
                            "\"01-harbour-bridge.txt\""),
            std::string::npos)
      << answers[1];
  EXPECT_NE(answers[4].find("\"status\":\"near_duplicate\",\"added\":true,\"near_duplicates\":[{"
                            "\"id\":\"04-ferry-timetable.txt\""),
            std::string::npos)
      << answers[4];
  // 09 repeats a background paragraph of 08 (the demo's shared passage).
  EXPECT_NE(answers[8].find("\"earlier\":[{\"id\":\"08-lighthouse-museum.txt\""), std::string::npos)
      << answers[8];
  // Adding again: every id is taken.
  const RunResult again =
      run_doppel({"index", "add", index, source_dir() + "/examples/news", "-q"});
  ASSERT_EQ(again.exit_code, 0);
  for (const auto& line : split_lines(again.out)) {
    EXPECT_NE(line.find("\"status\":\"duplicate_id\""), std::string::npos) << line;
  }
  const RunResult removed = run_doppel(
      {"index", "remove", index, "10-cruise-season.txt", "10-cruise-season.txt", "nope"});
  ASSERT_EQ(removed.exit_code, 0) << removed.err;
  // An id named twice is one id, found: only "nope" is not in the index.
  EXPECT_NE(removed.err.find("removed 1 of 2 ids (1 not found in the index); 1 named more than "
                             "once, counted once"),
            std::string::npos)
      << removed.err;
  // A query sees the stored passage and adds nothing.
  const RunResult q = run_doppel(
      {"index", "query", index, source_dir() + "/examples/news/10-cruise-season.txt", "-q"});
  ASSERT_EQ(q.exit_code, 0) << q.err;
  EXPECT_NE(q.out.find("\"status\":\"new\",\"added\":false"), std::string::npos) << q.out;
  EXPECT_NE(q.out.find("\"id\":\"08-lighthouse-museum.txt\""), std::string::npos)
      << "the shared background paragraph is found in the documents before it: " << q.out;
  EXPECT_EQ(stats_documents(index), 11);
}

// The earliest source is the earliest moment, whatever the zone a date is written in: as text,
// "2021-10-01T09:30:00Z" sorts before "2021-10-01T10:00:00+02:00", which is 08:00 UTC.
TEST(Index, TheSourceIsTheEarliestMomentWhateverTheZone) {
  const std::string dir = temp_dir();
  const std::string passage = words(41, 40);
  auto dated = [](const std::string& id, const std::string& text, const std::string& date) {
    return "{\"id\":\"" + id + "\",\"date\":\"" + date + "\",\"text\":\"" + text + "\"}";
  };
  write_file(dir + "/z.jsonl",
             dated("utc", words(42, 30) + " " + passage, "2021-10-01T09:30:00Z") + "\n" +
                 dated("paris", passage + " " + words(43, 30), "2021-10-01T10:00:00+02:00") + "\n");
  ASSERT_EQ(run_doppel({"index", "add", dir + "/z.idx", dir + "/z.jsonl", "-q"}).exit_code, 0);
  write_file(
      dir + "/q.jsonl",
      dated("feed", words(44, 20) + " " + passage, "Fri, 01 Oct 2021 08:15:00 +0000") + "\n");
  const RunResult q = run_doppel({"index", "query", dir + "/z.idx", dir + "/q.jsonl", "-q"});
  ASSERT_EQ(q.exit_code, 0) << q.err;
  EXPECT_NE(q.out.find("\"source\":{\"id\":\"paris\""), std::string::npos) << q.out;
}

// An output inside the index (its data log, a file beside it, through a link to the directory,
// or through a dangling link to a file there) is refused before anything runs: writing it
// replaced the data log, and the index no longer opened, even after a query. A hard link to one
// of its files is written as any output is, to a temporary renamed over the link's name: the
// index's file is not touched.
TEST(Index, AnOutputInsideTheIndexIsRefusedAndTheIndexStaysWhole) {
  const std::string dir = temp_dir();
  const std::string index = dir + "/o.idx";
  write_file(dir + "/a.jsonl", doc("a", words(51, 30)) + "\n");
  ASSERT_EQ(run_doppel({"index", "add", index, dir + "/a.jsonl", "-q"}).exit_code, 0);
  std::filesystem::create_hard_link(index + "/data.log", dir + "/hard");
  std::filesystem::create_directory_symlink(index, dir + "/link");
  std::filesystem::create_symlink(index + "/db/new.sst", dir + "/dangling");
  const std::vector<std::vector<std::string>> runs = {
      {"index", "query", index, dir + "/a.jsonl", "--answers", index + "/data.log"},
      {"index", "add", index, dir + "/a.jsonl", "--answers", index + "/answers.jsonl"},
      {"index", "query", index, dir + "/a.jsonl", "--answers", dir + "/dangling"},
      {"index", "export", index, "--pairs", dir + "/link/pairs.jsonl"}};
  for (const auto& args : runs) {
    const RunResult r = run_doppel(args);
    EXPECT_EQ(r.exit_code, 2) << args.back();
    EXPECT_NE(r.err.find("writing it would damage the index"), std::string::npos) << r.err;
  }
  EXPECT_FALSE(std::filesystem::exists(index + "/answers.jsonl"));
  EXPECT_FALSE(std::filesystem::exists(index + "/db/new.sst"));
  const auto log_size = std::filesystem::file_size(index + "/data.log");
  const RunResult hard =
      run_doppel({"index", "query", index, dir + "/a.jsonl", "--answers", dir + "/hard", "-q"});
  EXPECT_EQ(hard.exit_code, 0) << hard.err;
  EXPECT_EQ(std::filesystem::file_size(index + "/data.log"), log_size);
  EXPECT_EQ(std::filesystem::hard_link_count(index + "/data.log"), 1u);
  EXPECT_EQ(stats_documents(index), 1);
  // The same text under another id: an exact duplicate of the stored document.
  write_file(dir + "/b.jsonl", doc("b", words(51, 30)) + "\n");
  const RunResult q = run_doppel({"index", "query", index, dir + "/b.jsonl", "-q"});
  ASSERT_EQ(q.exit_code, 0) << q.err;
  EXPECT_NE(q.out.find("\"status\":\"exact_duplicate\""), std::string::npos) << q.out;
}

// Text that two documents repeat many times: a fingerprint's places past the eighth made no
// seeds, and a notice pasted 50 times was found in its first copies only (81% of the later
// document answered new).
TEST(Index, TextBothDocumentsRepeatManyTimesIsFoundWhole) {
  const std::string dir = temp_dir();
  const std::string notice = words(9, 25);
  std::string repeated;
  for (int i = 0; i < 50; ++i) repeated += " " + notice;
  write_file(dir + "/r.jsonl", doc("r1", "alpha start one two" + repeated) + "\n" +
                                   doc("r2", "beta start three four" + repeated + " done") + "\n");
  const RunResult r = run_doppel({"index", "add", dir + "/r.idx", dir + "/r.jsonl", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto answers = split_lines(r.out);
  ASSERT_EQ(answers.size(), 2u) << r.out;
  const auto at = answers[1].find("\"new_share\":");
  ASSERT_NE(at, std::string::npos) << answers[1];
  EXPECT_LT(std::stod(answers[1].substr(at + 12)), 0.05) << answers[1];
}

// --passages off: the same statuses, no passages, no fingerprints stored, the option kept.
TEST(Index, PassagesOffAnswersDuplicatesOnly) {
  const std::string dir = temp_dir();
  const std::string index = dir + "/dup.idx";
  const RunResult r = run_doppel(
      {"index", "add", index, source_dir() + "/examples/news", "--passages", "off", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto answers = split_lines(r.out);
  ASSERT_EQ(answers.size(), 12u);
  EXPECT_NE(answers[1].find("\"status\":\"exact_duplicate\""), std::string::npos) << answers[1];
  EXPECT_NE(answers[4].find("\"status\":\"near_duplicate\""), std::string::npos) << answers[4];
  for (const auto& a : answers) {
    EXPECT_NE(a.find("\"passages\":[],"), std::string::npos) << a;
  }
  const RunResult st = run_doppel({"index", "stats", index});
  EXPECT_NE(st.out.find("\"fingerprints\":0,"), std::string::npos) << st.out;
  EXPECT_NE(st.out.find("\"passages\":\"off\""), std::string::npos) << st.out;
  const RunResult on = run_doppel(
      {"index", "add", index, source_dir() + "/examples/news", "--passages", "on", "-q"});
  EXPECT_EQ(on.exit_code, 2);
  EXPECT_NE(on.err.find("--passages off (asked: on)"), std::string::npos) << on.err;
}

TEST(Index, BadInputIsAnsweredAndNotAdded) {
  const std::string dir = temp_dir();
  const std::string in = dir + "/in.jsonl";
  write_file(in, doc("a", words(1, 30)) + "\n{\"id\":\"b\"}\n" + doc("c", "caf\xc3\x28") + "\n" +
                     doc("a", words(2, 30)) + "\n");
  const RunResult r = run_doppel({"index", "add", dir + "/b.idx", in, "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = split_lines(r.out);
  ASSERT_EQ(lines.size(), 4u) << r.out;
  EXPECT_NE(lines[1].find("\"status\":\"bad_input\",\"reason\":\"missing_text\""),
            std::string::npos)
      << lines[1];
  EXPECT_NE(lines[2].find("\"reason\":\"invalid_utf8\""), std::string::npos) << lines[2];
  EXPECT_NE(lines[3].find("\"reason\":\"duplicate_id\""), std::string::npos) << lines[3];
  EXPECT_EQ(stats_documents(dir + "/b.idx"), 1);
  const RunResult fail =
      run_doppel({"index", "add", dir + "/f.idx", in, "-q", "--on-error", "fail"});
  EXPECT_EQ(fail.exit_code, 2);
  EXPECT_NE(fail.err.find("--on-error=fail"), std::string::npos) << fail.err;
  EXPECT_FALSE(std::filesystem::exists(dir + "/f.idx"))
      << "a first add that failed before committing leaves no index to fix the options";
  // Stopped after a committed batch: the documents stay, and the message says so, since the
  // answers file (written only by a run that succeeds) does not list them.
  const RunResult later = run_doppel({"index", "add", dir + "/g.idx", in, "-q", "--on-error",
                                      "fail", "--batch", "1", "--answers", dir + "/g.answers"});
  EXPECT_EQ(later.exit_code, 2);
  EXPECT_NE(later.err.find("1 document was committed before the stop and stays in the index"),
            std::string::npos)
      << later.err;
  EXPECT_FALSE(std::filesystem::exists(dir + "/g.answers"));
  EXPECT_EQ(stats_documents(dir + "/g.idx"), 1);
}

TEST(Index, AnAddRefusesDocumentsWithoutAnIdOfTheirOwn) {
  // Without an id a document was named "FILE:LINE" and added; the next add's document at that
  // line was then answered duplicate_id and left out, with nothing said. An empty id could not be
  // removed from the command line nor named over HTTP, nor an id too long for a URL.
  const std::string dir = temp_dir();
  const std::string in = dir + "/in.jsonl";
  write_file(in, "{\"text\":\"" + words(1, 30) + "\"}\n" + doc("", words(2, 30)) + "\n" +
                     doc(std::string(kMaxIndexIdBytes + 1, 'y'), words(3, 30)) + "\n" +
                     doc(std::string(kMaxIndexIdBytes, 'z'), words(4, 30)) + "\n");
  const RunResult r = run_doppel({"index", "add", dir + "/i.idx", in, "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = split_lines(r.out);
  ASSERT_EQ(lines.size(), 4u) << r.out;
  for (int k = 0; k < 3; ++k) {
    EXPECT_NE(lines[k].find("\"status\":\"bad_input\",\"reason\":\"malformed_json\""),
              std::string::npos)
        << lines[k];
  }
  EXPECT_NE(lines[0].find("has no id"), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find("has an empty id"), std::string::npos) << lines[1];
  EXPECT_NE(lines[2].find("bytes long"), std::string::npos) << lines[2];
  EXPECT_NE(lines[3].find("\"status\":\"new\""), std::string::npos) << lines[3];
  EXPECT_EQ(stats_documents(dir + "/i.idx"), 1);
  // Text on standard input is named "<stdin>" in every add.
  const RunResult text = run_doppel({"index", "add", dir + "/i.idx", "--format", "text", "-", "-q"},
                                    words(5, 30) + "\n");
  EXPECT_EQ(text.exit_code, 2) << text.err;
  EXPECT_NE(text.err.find("read from standard input or a pipe"), std::string::npos) << text.err;
  EXPECT_EQ(stats_documents(dir + "/i.idx"), 1);
  // A query keeps nothing: a document without an id is answered under its made-up name.
  const RunResult q = run_doppel({"index", "query", dir + "/i.idx", in, "--answers", "/dev/null"});
  ASSERT_EQ(q.exit_code, 0) << q.err;
  EXPECT_NE(q.err.find("ids synthesized              1  (no \"id\" field: named file:line)"),
            std::string::npos)
      << q.err;
  const RunResult qq = run_doppel({"index", "query", dir + "/i.idx", in, "-q"});
  EXPECT_NE(split_lines(qq.out)[0].find("\"status\":\"new\""), std::string::npos) << qq.out;
  // The summary of an add does not say it synthesized the ids of documents it refused.
  const RunResult again =
      run_doppel({"index", "add", dir + "/i.idx", in, "--answers", "/dev/null"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.err.find("ids synthesized"), std::string::npos) << again.err;
  EXPECT_NE(again.err.find("without an id                1  (no \"id\" field: refused"),
            std::string::npos)
      << again.err;
}

TEST(Index, AFailedFirstAddLeavesNoIndex) {
  const std::string dir = temp_dir();
  write_file(dir + "/empty.jsonl", doc("a", "") + "\n");
  EXPECT_EQ(run_doppel({"index", "add", dir + "/m.idx", dir + "/missing.jsonl", "-q"}).exit_code,
            2);
  EXPECT_FALSE(std::filesystem::exists(dir + "/m.idx"));
  EXPECT_EQ(
      run_doppel({"index", "add", dir + "/e.idx", dir + "/empty.jsonl", "-q", "--threshold", "0.6"})
          .exit_code,
      2);
  EXPECT_FALSE(std::filesystem::exists(dir + "/e.idx"));
  // A directory the user made stays, emptied of what the index put there.
  std::filesystem::create_directory(dir + "/mine.idx");
  EXPECT_EQ(run_doppel({"index", "add", dir + "/mine.idx", dir + "/empty.jsonl", "-q"}).exit_code,
            2);
  EXPECT_TRUE(std::filesystem::is_empty(dir + "/mine.idx"));
  // "new/.." names the directory the user is in: a failed add leaves everything in it.
  write_file(dir + "/mine.idx/notes.txt", "mine");
  EXPECT_EQ(
      run_doppel({"index", "add", dir + "/mine.idx/new/..", dir + "/empty.jsonl", "-q"}).exit_code,
      2);
  EXPECT_EQ(read_file(dir + "/mine.idx/notes.txt"), "mine");
  // Then an add with other options makes the index with those.
  write_file(dir + "/a.jsonl", doc("a", words(1, 40)) + "\n");
  ASSERT_EQ(
      run_doppel({"index", "add", dir + "/e.idx", dir + "/a.jsonl", "-q", "--threshold", "0.9"})
          .exit_code,
      0);
  EXPECT_NE(run_doppel({"index", "stats", dir + "/e.idx"}).out.find("\"threshold\":0.9,"),
            std::string::npos);
  // A failure after something was committed keeps the index (the committed batches are real).
  EXPECT_EQ(run_doppel({"index", "add", dir + "/e.idx", dir + "/empty.jsonl", "-q"}).exit_code, 2);
  EXPECT_EQ(stats_documents(dir + "/e.idx"), 1);
}

TEST(Index, AnIndexInsideItsInputDirectoryIsRefused) {
  const std::string dir = temp_dir();
  write_file(dir + "/a.txt", words(1, 40));
  const RunResult r = run_doppel({"index", "add", dir + "/news.idx", dir, "-q"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("is inside the input directory"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir + "/news.idx"));
  // Nor may the index be the input directory itself, however it is named.
  EXPECT_EQ(run_doppel({"index", "add", dir, dir, "-q"}).exit_code, 2);
  EXPECT_EQ(run_doppel({"index", "add", dir + "/sub/..", dir, "-q"}).exit_code, 2);
  EXPECT_FALSE(std::filesystem::exists(dir + "/db"));
  // A hidden one is skipped by the directory walk: allowed, and its files are not read.
  const RunResult hidden = run_doppel({"index", "add", dir + "/.news.idx", dir, "-q"});
  ASSERT_EQ(hidden.exit_code, 0) << hidden.err;
  EXPECT_EQ(split_lines(hidden.out).size(), 1u) << hidden.out;
  const RunResult again = run_doppel({"index", "query", dir + "/.news.idx", dir, "-q"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("\"status\":\"duplicate_id\""), std::string::npos) << again.out;
}

// A directory that holds something else is not made into an index: the data log and the lock
// file were opened over files of those names (the data log truncated). What an interrupted
// creation leaves (an empty data log, a lock file naming a process) is taken over.
TEST(Index, IsNotMadeInADirectoryThatHoldsOtherFiles) {
  const std::string dir = temp_dir();
  write_file(dir + "/a.jsonl", doc("a", words(1, 40)) + "\n");
  const std::vector<std::pair<std::string, std::string>> foreign = {
      {"data.log", "my precious log line\n"}, {"writer.lock", "important\n"}, {"notes.txt", "x"}};
  for (const auto& [name, bytes] : foreign) {
    SCOPED_TRACE(name);
    const std::string index = dir + "/" + name + ".idx";
    std::filesystem::create_directory(index);
    write_file(index + "/" + name, bytes);
    for (const char* command : {"index", "serve"}) {
      const RunResult r = command == std::string("index")
                              ? run_doppel({"index", "add", index, dir + "/a.jsonl", "-q"})
                              : run_doppel({"serve", index, "--listen", "127.0.0.1:0", "-q"});
      EXPECT_EQ(r.exit_code, 2) << r.err;
      EXPECT_TRUE(contains(r.err, "not an index, and not empty")) << r.err;
    }
    EXPECT_EQ(read_file(index + "/" + name), bytes);
    EXPECT_FALSE(std::filesystem::exists(index + "/db"));
  }
  const std::string left = dir + "/left.idx";
  std::filesystem::create_directories(left + "/db");
  write_file(left + "/data.log", "");
  write_file(left + "/writer.lock", "pid 1 on host h since 2026-12-06T00:00:00Z\n");
  const RunResult r = run_doppel({"index", "add", left, dir + "/a.jsonl", "-q"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(stats_documents(left), 1);
  // A lock file left empty: its maker was killed before it wrote its name.
  const std::string empty_lock = dir + "/empty-lock.idx";
  std::filesystem::create_directories(empty_lock);
  write_file(empty_lock + "/writer.lock", "");
  const RunResult e = run_doppel({"index", "add", empty_lock, dir + "/a.jsonl", "-q"});
  EXPECT_EQ(e.exit_code, 0) << e.err;
}

// cpp-httplib's default socket options let a second server bind a port in use, and the kernel
// then split the requests between the two servers and their indexes.
// A document over the server's limit is named with the flag that sets it, not the library's
// option name.
TEST(Serve, ADocumentOverTheLimitNamesTheServersFlag) {
  const std::string dir = temp_dir();
  Server server(dir + "/l.idx", {"--max-doc-bytes", "1K"});
  ASSERT_GT(server.port(), 0) << server.log();
  auto c = server.client();
  auto res = c.Post("/v1/query", "[" + doc("big", words(3, 400)) + "]", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400) << res->body;
  EXPECT_NE(res->body.find("the server's --max-doc-bytes"), std::string::npos) << res->body;
  EXPECT_EQ(res->body.find("max_doc_bytes"), std::string::npos) << res->body;
}

TEST(Serve, ASecondServerOnAPortInUseIsRefused) {
  const std::string dir = temp_dir();
  Server first(dir + "/one.idx");
  ASSERT_GT(first.port(), 0) << first.log();
  const RunResult r =
      run_program({"/usr/bin/timeout", "60", DOPPEL_BINARY, "serve", dir + "/two.idx", "--listen",
                   "127.0.0.1:" + std::to_string(first.port()), "-q"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(contains(r.err, "cannot listen")) << r.err;
  // The index this run would have made is not left behind (nor in a directory that was empty);
  // one that existed stays whole.
  EXPECT_FALSE(std::filesystem::exists(dir + "/two.idx"));
  std::filesystem::create_directory(dir + "/empty.idx");
  const RunResult in_empty =
      run_program({"/usr/bin/timeout", "60", DOPPEL_BINARY, "serve", dir + "/empty.idx", "--listen",
                   "127.0.0.1:" + std::to_string(first.port()), "-q"});
  EXPECT_EQ(in_empty.exit_code, 2) << in_empty.err;
  EXPECT_TRUE(std::filesystem::is_empty(dir + "/empty.idx"));
  write_file(dir + "/a.jsonl", doc("a", words(1, 40)) + "\n");
  ASSERT_EQ(run_doppel({"index", "add", dir + "/three.idx", dir + "/a.jsonl", "-q"}).exit_code, 0);
  const RunResult held =
      run_program({"/usr/bin/timeout", "60", DOPPEL_BINARY, "serve", dir + "/three.idx", "--listen",
                   "127.0.0.1:" + std::to_string(first.port()), "-q"});
  EXPECT_EQ(held.exit_code, 2) << held.err;
  const RunResult stats = run_doppel({"index", "stats", dir + "/three.idx"});
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  EXPECT_TRUE(contains(stats.out, "\"documents\":1,")) << stats.out;
}

// A query holds all its documents: the last of more than a batch's worth (4,096) is compared
// with the first, as an add would.
TEST(Index, AQueryComparesEachDocumentWithEveryEarlierOneOfTheCall) {
  const std::string dir = temp_dir();
  write_file(dir + "/seed.jsonl", doc("seed", words(1, 40)) + "\n");
  ASSERT_EQ(run_doppel({"index", "add", dir + "/q.idx", dir + "/seed.jsonl", "-q"}).exit_code, 0);
  std::string in;
  for (int i = 0; i < 4100; ++i) in += doc("d" + std::to_string(i), words(100 + i, 30)) + "\n";
  in += doc("last", words(100, 30)) + "\n";
  write_file(dir + "/q.jsonl", in);
  const RunResult q = run_doppel({"index", "query", dir + "/q.idx", dir + "/q.jsonl", "-q"});
  ASSERT_EQ(q.exit_code, 0) << q.err;
  const auto lines = split_lines(q.out);
  ASSERT_EQ(lines.size(), 4101u);
  EXPECT_NE(
      lines.back().find("\"status\":\"exact_duplicate\",\"added\":false,\"duplicate_of\":\"d0\""),
      std::string::npos)
      << lines.back();
  const RunResult add = run_doppel({"index", "add", dir + "/q.idx", dir + "/q.jsonl", "-q"});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  const auto added = split_lines(add.out);
  ASSERT_EQ(added.size(), 4101u);
  EXPECT_NE(added.back().find("\"duplicate_of\":\"d0\""), std::string::npos) << added.back();
}

// The look-ups of a batch run on every thread while one thread takes the documents, in order,
// through the look-ups among the batch's earlier ones: the answers must not depend on the number
// of threads. 2,000 documents made of passages from a pool of 60, with exact copies, near copies
// and repeated ids, added in two calls of 1,000 (16 blocks of 64 each; enough documents for
// three threads to look up, at 256 a thread at least).
// "similarity":X of the first near duplicate in an answer line.
std::string first_similarity(const std::string& answers) {
  const auto at = answers.find("\"similarity\":");
  if (at == std::string::npos) return "";
  return answers.substr(at + 13, answers.find_first_of(",}", at) - at - 13);
}

// Writes `version` as an index's format, as the doppel of that version would have.
void set_format(const std::string& index, const std::string& version) {
  auto store = Store::open(index, false, false, true);
  ASSERT_TRUE(store.ok()) << store.status().message();
  StoreBatch batch;
  batch.put_meta("format", version);
  ASSERT_TRUE((*store)->commit(batch).ok());
}

// An empty index of format `version`, as the doppel of that version made it.
void make_index_of_version(const std::string& index, const std::string& version) {
  {
    auto made = Index::open(index, IndexOptions{}, IndexOpenOptions{});
    ASSERT_TRUE(made.ok()) << made.status().message();
  }
  set_format(index, version);
}

// An index of format version 1 (made before signatures' borrowed bins were hashed with the bin)
// is still opened and added to, and keeps making the signatures it holds; a version this doppel
// does not know is refused.
TEST(Index, OpensFormatVersion1AndKeepsItsSignatures) {
  const std::string dir = temp_dir();
  // 20 words: 16 shingles in 128 bins, so most bins borrow, and the two kinds of signature differ.
  const std::string text = words(1, 20);
  write_file(dir + "/a.jsonl", doc("a", text) + "\n");
  write_file(dir + "/b.jsonl", doc("b", text + "extra") + "\n");
  write_file(dir + "/c.jsonl", doc("c", text + "more") + "\n");
  std::string similarity[2], stored[2];
  for (const int version : {1, 2}) {
    const std::string index = dir + "/v" + std::to_string(version) + ".idx";
    make_index_of_version(index, std::to_string(version));
    ASSERT_EQ(run_doppel({"index", "add", index, dir + "/a.jsonl", "-q"}).exit_code, 0);
    // a's signature, first in the data log, is of the index's kind.
    const IndexOptions options;
    NormalizedText norm;
    normalize(text, options.normalize, norm);
    std::vector<std::uint64_t> shingles;
    shingle_hashes(norm, options.shingle, options.sketch.seed, shingles);
    std::vector<SigValue> expected(static_cast<std::size_t>(options.sketch.num_hashes));
    std::vector<std::uint32_t> scratch;
    OphSketcher(options.sketch.num_hashes, options.sketch.seed,
                version == 1 ? BorrowedBins::kCopied : BorrowedBins::kHashedWithBin)
        .sketch(shingles, expected, scratch);
    stored[version - 1] = read_file(index + "/data.log").substr(0, expected.size() * 2);
    EXPECT_EQ(stored[version - 1],
              std::string(reinterpret_cast<const char*>(expected.data()), expected.size() * 2));
    const RunResult b = run_doppel({"index", "add", index, dir + "/b.jsonl", "-q"});
    ASSERT_EQ(b.exit_code, 0) << b.err;
    EXPECT_NE(b.out.find("\"status\":\"near_duplicate\""), std::string::npos) << b.out;
    similarity[version - 1] = first_similarity(b.out);
    EXPECT_NE(run_doppel({"index", "stats", index})
                  .out.find("\"format_version\":" + std::to_string(version) + ","),
              std::string::npos);
    // Queries too.
    const RunResult q = run_doppel({"index", "query", index, dir + "/c.jsonl", "-q"});
    ASSERT_EQ(q.exit_code, 0) << q.err;
    EXPECT_NE(q.out.find("\"status\":\"near_duplicate\""), std::string::npos) << q.out;
  }
  ASSERT_FALSE(similarity[0].empty());
  ASSERT_FALSE(similarity[1].empty());
  // The kinds differ in the bins that borrowed, but agree where the same bins agree: the same
  // pair is estimated alike.
  EXPECT_NE(stored[0], stored[1]);
  EXPECT_EQ(similarity[0], similarity[1]);
  set_format(dir + "/v2.idx", "6");
  const RunResult r = run_doppel({"index", "add", dir + "/v2.idx", dir + "/a.jsonl", "-q"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("index format version 6; this doppel reads versions 1 to 5"),
            std::string::npos)
      << r.err;
}

// Version 3 reads U+200B ZERO WIDTH SPACE as a space between words; an index of version 2 keeps
// removing it, so that a text added later compares with its texts as before: the same words
// joined by U+200B are an exact duplicate there, and of the spaced text in a new index.
TEST(Index, AVersion2IndexKeepsRemovingZeroWidthSpaces) {
  const std::string dir = temp_dir();
  const std::string spaced = words(7, 40);
  std::string joined;
  for (const char c : spaced) joined += c == ' ' ? std::string("\u200b") : std::string(1, c);
  write_file(dir + "/orig.jsonl", doc("orig", joined) + "\n");
  write_file(dir + "/q.jsonl", doc("zw", joined) + "\n" + doc("sp", spaced) + "\n");
  for (const char* version : {"2", "3"}) {
    const std::string index = dir + "/v" + version + ".idx";
    make_index_of_version(index, version);
    ASSERT_EQ(run_doppel({"index", "add", index, dir + "/orig.jsonl", "-q"}).exit_code, 0);
    const RunResult q = run_doppel({"index", "query", index, dir + "/q.jsonl", "-q"});
    ASSERT_EQ(q.exit_code, 0) << q.err;
    const auto lines = split_lines(q.out);
    ASSERT_EQ(lines.size(), 2u) << q.out;
    EXPECT_NE(lines[0].find("\"status\":\"exact_duplicate\""), std::string::npos) << lines[0];
    // The spaced text: one word of 40 glued together in version 2, the same words in version 3.
    EXPECT_EQ(lines[1].find("\"status\":\"exact_duplicate\"") != std::string::npos,
              std::string(version) == "3")
        << version << ": " << lines[1];
    EXPECT_NE(run_doppel({"index", "stats", index})
                  .out.find(std::string("\"format_version\":") + version + ","),
              std::string::npos);
  }
}

// `text` in an index of version `old_version` and of `new_version`, queried with `text` where
// `before` is replaced by `after`: a near duplicate in the new one only (the old one keeps its old
// words, so one edit changes a whole clause and the copy is new).
void expect_near_copy_only_in_the_new_version(const std::string& text, const std::string& before,
                                              const std::string& after,
                                              const std::string& old_version,
                                              const std::string& new_version) {
  std::string edited = text;
  edited.replace(edited.find(before), before.size(), after);
  const std::string dir = temp_dir();
  write_file(dir + "/orig.jsonl", doc("orig", text) + "\n");
  write_file(dir + "/q.jsonl", doc("edited", edited) + "\n");
  for (const std::string& version : {old_version, new_version}) {
    const std::string index = dir + "/v" + version + ".idx";
    make_index_of_version(index, version);
    ASSERT_EQ(run_doppel({"index", "add", index, dir + "/orig.jsonl", "-q"}).exit_code, 0);
    const RunResult q = run_doppel({"index", "query", index, dir + "/q.jsonl", "-q"});
    ASSERT_EQ(q.exit_code, 0) << q.err;
    EXPECT_EQ(q.out.find("\"status\":\"near_duplicate\"") != std::string::npos,
              version == new_version)
        << version << ": " << q.out;
    EXPECT_NE(run_doppel({"index", "stats", index}).out.find("\"format_version\":" + version + ","),
              std::string::npos);
  }
}

// Version 4 reads each CJK letter as a word; an index of version 3 keeps a run of them as one
// word, so that a text added later compares with its texts as before: there, one character
// changed in a Chinese paragraph changes a whole clause and the copy is new; in a new index it
// is a near duplicate.
TEST(Index, AVersion3IndexKeepsARunOfCjkLettersOneWord) {
  const std::string text =
      "北京时间周三上午，国家统计局发布了最新的经济数据，显示今年第三季度国内生产总值同比增长百分"
      "之四点九，略低于市场此前的普遍预期。分析人士认为，房地产市场持续低迷以及外部需求疲软，是拖"
      "累经济增长的主要因素，但消费和服务业的恢复势头依然稳健。";
  expect_near_copy_only_in_the_new_version(text, "四", "五", "3", "4");  // "4.9" -> "5.9"
}

// Version 5 cuts Thai (and Lao, Khmer, Myanmar) into dictionary words; an index of version 4
// keeps a run of such letters, up to the next space, as one word: the same, for a Thai
// paragraph with one number changed.
TEST(Index, AVersion4IndexKeepsARunOfThaiLettersOneWord) {
  const std::string text =
      "นายกรัฐมนตรีกล่าวในการประชุมคณะรัฐมนตรีเมื่อวันอังคารว่ารัฐบาลจะเพิ่มงบประมาณสำหรับการศึกษาและ"
      "การสาธารณสุขในปีหน้า โดยเน้นที่พื้นที่ชนบทซึ่งยังขาดแคลนโรงเรียนและโรงพยาบาล "
      "นักวิเคราะห์เศรษฐกิจระบุว่ามาตรการดังกล่าวอาจช่วยกระตุ้นการบริโภคภายในประเทศได้ในระยะสั้น "
      "กระทรวงการคลังคาดว่าเศรษฐกิจจะขยายตัวราวร้อยละสามในปีนี้";
  // "3 percent" -> "4 percent"
  expect_near_copy_only_in_the_new_version(text, "สาม", "สี่", "4", "5");
}

// An index records the ICU version that cut its Thai, Lao, Khmer and Myanmar words; opened by a
// doppel with another, it says so on standard error (a warning; `doppel serve` gives it too),
// and an index of version 4, which cuts no such words, does not.
TEST(Index, AnIndexMadeWithAnotherIcuVersionSaysSo) {
  const std::string dir = temp_dir();
  write_file(dir + "/a.jsonl", doc("a", words(1, 30)) + "\n");
  const std::string index = dir + "/i.idx";
  ASSERT_EQ(run_doppel({"index", "add", index, dir + "/a.jsonl", "-q"}).exit_code, 0);
  const RunResult fresh = run_doppel({"index", "stats", index});
  ASSERT_EQ(fresh.exit_code, 0) << fresh.err;
  EXPECT_NE(fresh.out.find("\"icu_version\":\"" + icu_version() + "\""), std::string::npos)
      << fresh.out;
  EXPECT_EQ(fresh.err.find("ICU"), std::string::npos) << fresh.err;
  auto set_icu = [](const std::string& path, const std::string& version) {
    auto store = Store::open(path, false, false, true);
    ASSERT_TRUE(store.ok()) << store.status().message();
    StoreBatch batch;
    batch.put_meta("icu", version);
    ASSERT_TRUE((*store)->commit(batch).ok());
  };
  ASSERT_NO_FATAL_FAILURE(set_icu(index, "1.0"));
  for (const std::string command : {"stats", "query"}) {
    std::vector<std::string> args = {"index", command, index};
    if (command == "query") args.push_back(dir + "/a.jsonl");
    const RunResult r = run_doppel(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(count_lines_with(r.err, {"doppel: warning: ", index,
                                       "made with ICU 1.0, this doppel has ICU " + icu_version()}),
              1)
        << command << ": " << r.err;
  }
  EXPECT_NE(run_doppel({"index", "stats", index}).out.find("\"icu_version\":\"1.0\""),
            std::string::npos);
  EXPECT_EQ(run_doppel({"index", "query", index, dir + "/a.jsonl", "-q"}).err, "");
  // Version 4 keeps runs of these letters whole: ICU cuts none of its words.
  const std::string v4 = dir + "/v4.idx";
  make_index_of_version(v4, "4");
  ASSERT_NO_FATAL_FAILURE(set_icu(v4, "1.0"));
  EXPECT_EQ(run_doppel({"index", "stats", v4}).err.find("ICU"), std::string::npos);
}

// Two adds' worth of documents (dir/first.jsonl, dir/second.jsonl, 1,000 each) with exact and
// near copies, shared passages between documents' own words, and ids that repeat.
void write_mixed_adds(const std::string& dir) {
  std::mt19937_64 rng(0x746872);
  std::string first, second;
  std::vector<std::string> texts;
  for (int i = 0; i < 2000; ++i) {
    std::string text;
    if (i > 10 && rng() % 10 == 0) {
      text = texts[rng() % texts.size()];  // an exact copy
    } else if (i > 10 && rng() % 10 == 0) {
      text = texts[rng() % texts.size()] + words(5000 + i, 3);  // a near copy
    } else {
      for (int k = 0, n = 2 + static_cast<int>(rng() % 4); k < n; ++k) {
        text += words(static_cast<int>(rng() % 60), 20 + static_cast<int>(rng() % 30));
        text += words(10000 + i * 10 + k, 5);  // this document's own words between passages
      }
    }
    texts.push_back(text);
    // Some ids repeat: in the same file (bad input), or one of the first add's in the second.
    const int id = i % 7 != 6 ? i : (i < 1000 ? i - 3 : i - 1000);
    (i < 1000 ? first : second) += doc("d" + std::to_string(id), text) + "\n";
  }
  write_file(dir + "/first.jsonl", first);
  write_file(dir + "/second.jsonl", second);
}

// Adds dir/first.jsonl, then dir/second.jsonl, to `index` with `flags`: both adds' answers into
// `answers` (call under ASSERT_NO_FATAL_FAILURE).
void add_mixed_adds(const std::string& dir, const std::string& index,
                    const std::vector<std::string>& flags, std::string& answers) {
  answers.clear();
  for (const char* part : {"/first.jsonl", "/second.jsonl"}) {
    std::vector<std::string> args = {"index", "add", index, dir + part};
    args.insert(args.end(), flags.begin(), flags.end());
    const RunResult r = run_doppel(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    answers += r.out;
  }
}

TEST(Index, AnswersDoNotDependOnTheThreads) {
  const std::string dir = temp_dir();
  write_mixed_adds(dir);
  std::string expected;
  for (const char* threads : {"1", "2", "3"}) {
    const std::string index = dir + "/t" + threads + ".idx";
    std::string answers;
    ASSERT_NO_FATAL_FAILURE(add_mixed_adds(dir, index, {"--threads", threads, "-q"}, answers));
    if (expected.empty()) {
      expected = answers;
      ASSERT_NE(answers.find("\"status\":\"exact_duplicate\""), std::string::npos);
      ASSERT_NE(answers.find("\"status\":\"near_duplicate\""), std::string::npos);
      ASSERT_NE(answers.find("\"status\":\"duplicate_id\""), std::string::npos);
      ASSERT_NE(answers.find("\"earlier\":[{"), std::string::npos) << "passages found";
    } else {
      EXPECT_EQ(answers, expected) << threads << " threads";
    }
  }
}

// An add commits each batch behind the next one's work (IndexReadOptions::commit_behind); the
// answers still come in input order, each batch's after its commit, batches with nothing to
// commit (a lone bad input or repeated id, with --batch 1) among them, and are what one batch
// gives: a document is compared with the index and the batch's earlier documents alike.
TEST(Index, AnswersDoNotDependOnTheBatchSize) {
  const std::string dir = temp_dir();
  write_mixed_adds(dir);
  std::string expected;
  for (const char* batch : {"100000", "1", "7"}) {
    const std::string index = dir + "/b" + batch + ".idx";
    std::vector<std::string> flags = {"--batch", batch, "-q"};
    if (std::string(batch) == "1") flags.push_back("--no-sync");  // 2,000 syncs would be slow
    std::string answers;
    ASSERT_NO_FATAL_FAILURE(add_mixed_adds(dir, index, flags, answers));
    if (expected.empty()) {
      expected = answers;
      ASSERT_NE(answers.find("\"status\":\"bad_input\""), std::string::npos);
      ASSERT_NE(answers.find("\"status\":\"duplicate_id\""), std::string::npos);
      ASSERT_NE(answers.find("\"earlier\":[{"), std::string::npos);
    } else {
      EXPECT_EQ(answers, expected) << "--batch " << batch;
    }
    EXPECT_EQ(read_file(index + "/data.log"), read_file(dir + "/b100000.idx/data.log")) << batch;
  }
}

// A batch's sync fails while the next batch is worked on (commit behind): the batches committed
// before it are answered and stay, its own and later ones are neither answered nor kept, and the
// stop message counts only what was committed. The failure is real: fdatasync() of the data log
// fails from its third call on (tests/support/failing_sync.cc, preloaded).
TEST(Index, AFailedCommitAnswersOnlyTheCommittedBatches) {
  const std::string dir = temp_dir();
  const std::string in = dir + "/in.jsonl", index = dir + "/f.idx";
  std::string docs;
  for (int i = 0; i < 50; ++i) docs += doc("d" + std::to_string(i), words(i, 40)) + "\n";
  write_file(in, docs);
  const std::vector<std::string> env = {"LD_PRELOAD=" DOPPEL_FAILING_SYNC,
                                        "DOPPEL_TEST_FAILING_SYNC=3",
                                        "ASAN_OPTIONS=verify_asan_link_order=0"};
  const RunResult r =
      run_program({DOPPEL_BINARY, "index", "add", index, in, "--batch", "10", "-q"}, "", env);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("sync failed"), std::string::npos) << r.err;
  const auto lines = split_lines(r.out);
  ASSERT_EQ(lines.size(), 20u) << r.out;
  for (std::size_t k = 0; k < lines.size(); ++k) {
    EXPECT_NE(
        lines[k].find("{\"id\":\"d" + std::to_string(k) + "\",\"status\":\"new\",\"added\":true"),
        std::string::npos)
        << lines[k];
  }
  // With an answers file (written only by a run that succeeds) the message says what stayed.
  const std::string index2 = dir + "/g.idx";
  const RunResult named = run_program({DOPPEL_BINARY, "index", "add", index2, in, "--batch", "10",
                                       "-q", "--answers", dir + "/g.answers"},
                                      "", env);
  EXPECT_EQ(named.exit_code, 2) << named.err;
  EXPECT_NE(named.err.find("20 documents were committed before the stop and stay in the index"),
            std::string::npos)
      << named.err;
  // Opened again (syncs work): the 20 committed documents, and the rest can be added.
  EXPECT_EQ(stats_documents(index), 20);
  const RunResult again = run_doppel({"index", "add", index, in, "-q"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  const auto answers = split_lines(again.out);
  ASSERT_EQ(answers.size(), 50u);
  EXPECT_NE(answers[19].find("\"status\":\"duplicate_id\""), std::string::npos) << answers[19];
  EXPECT_NE(answers[20].find("\"added\":true"), std::string::npos) << answers[20];
  EXPECT_EQ(stats_documents(index), 50);
}

// An add from standard input stopped by SIGINT: every document that stays in the index has its
// answer on standard output (each batch's answers go out once it is committed), and a batch is
// answered without waiting for the next one to be read.
TEST(Index, AnAddStoppedBySigintHasPrintedTheAnswersOfWhatStays) {
  const std::string dir = temp_dir();
  const std::string index = dir + "/s.idx";
  // About 3 MiB, then standard input stays open: the reader, which takes about 1 MiB at a time,
  // adds what it has and waits. The signal comes once the count has not moved for 2 s.
  std::string docs;
  for (int i = 0; i < 12000; ++i) docs += doc("d" + std::to_string(i), words(i, 40)) + "\n";
  long last = -1;
  auto since = std::chrono::steady_clock::now();
  const RunResult r = run_doppel_interrupted(
      {"index", "add", index, "-", "--batch", "1000", "-q"}, docs, SIGINT, [&] {
        const long now = std::filesystem::exists(index + "/db") ? stats_documents(index) : -1;
        if (now != last) {
          last = now;
          since = std::chrono::steady_clock::now();
        }
        return now > 0 && std::chrono::steady_clock::now() - since > std::chrono::seconds(2);
      });
  EXPECT_EQ(r.exit_code, 130) << r.err;
  const long stayed = stats_documents(index);
  EXPECT_GE(stayed, 1000);
  EXPECT_EQ(static_cast<long>(split_lines(r.out).size()), stayed) << r.err;
}

// Reading files, the first SIGINT stops the add once the batch whose commit is in flight is
// committed and answered: every document in the index was answered, none other was added. (The
// process used to end at once, the last committed batch's answers unwritten: 5,000 documents
// in the index that the caller was never told of.)
TEST(Index, AnAddOfFilesStoppedBySigintAnswersEveryDocumentThatStays) {
  auto thousands = [](long n) {  // 12345 -> "12,345", as the messages write counts
    std::string digits = std::to_string(n), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
      if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
      out += digits[i];
    }
    return out;
  };
  const std::string dir = temp_dir();
  std::string docs;
  for (int i = 0; i < 60000; ++i) docs += doc("d" + std::to_string(i), words(i, 30)) + "\n";
  write_file(dir + "/in.jsonl", docs);
  for (const bool to_file : {false, true}) {
    const std::string index = dir + (to_file ? "/f.idx" : "/s.idx");
    std::vector<std::string> args = {"index", "add", index, dir + "/in.jsonl", "--batch", "500"};
    if (to_file) args.insert(args.end(), {"--answers", dir + "/answers.jsonl"});
    const RunResult r = run_doppel_interrupted(args, "", SIGINT, [&] {
      return std::filesystem::exists(index + "/db") && stats_documents(index) > 0;
    });
    EXPECT_EQ(r.exit_code, 130) << r.err;
    const long stayed = stats_documents(index);
    ASSERT_GT(stayed, 0);
    ASSERT_LT(stayed, 60000) << "the add ended before the signal";
    EXPECT_NE(r.err.find("doppel: interrupted (SIGINT); stopping once the batch in flight is "
                         "committed"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("doppel index add: stopped by SIGINT; " + thousands(stayed) +
                         " documents were "
                         "committed before the stop and stay in the index"),
              std::string::npos)
        << r.err;
    if (to_file) {
      EXPECT_FALSE(std::filesystem::exists(dir + "/answers.jsonl"));
      EXPECT_NE(r.err.find("their answers not in " + dir + "/answers.jsonl"), std::string::npos)
          << r.err;
    } else {
      const auto lines = split_lines(r.out);
      EXPECT_EQ(static_cast<long>(lines.size()), stayed) << r.err;
      EXPECT_EQ(std::count_if(lines.begin(), lines.end(),
                              [](const std::string& l) {
                                return l.find("\"added\":true") != std::string::npos;
                              }),
                stayed);
    }
  }
}

// Stopped before its first batch was committed (one batch for the whole input), an add that made
// the index takes it away again, and says that nothing was added.
TEST(Index, AnAddStoppedBeforeItsFirstCommitLeavesNoIndex) {
  const std::string dir = temp_dir();
  std::string docs;
  for (int i = 0; i < 60000; ++i) docs += doc("d" + std::to_string(i), words(i, 30)) + "\n";
  write_file(dir + "/in.jsonl", docs);
  const std::string index = dir + "/n.idx";
  std::optional<std::chrono::steady_clock::time_point> opened;
  const RunResult r = run_doppel_interrupted(
      {"index", "add", index, dir + "/in.jsonl", "--batch", "100000", "-q"}, "", SIGINT, [&] {
        if (!opened && std::filesystem::exists(index + "/data.log")) {
          opened = std::chrono::steady_clock::now();
        }
        return opened &&
               std::chrono::steady_clock::now() - *opened > std::chrono::milliseconds(300);
      });
  EXPECT_EQ(r.exit_code, 130) << r.err;
  EXPECT_NE(r.err.find("doppel index add: stopped by SIGINT before any document was committed; "
                       "nothing was added"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_FALSE(std::filesystem::exists(index)) << r.err;
}

// An answer line without what --skip-passages leaves out: passages, new_code_points, new_share.
std::string without_passages(const std::string& answers) {
  std::string out;
  std::size_t at = 0;
  while (at < answers.size()) {
    std::size_t end = answers.find('\n', at);
    if (end == std::string::npos) end = answers.size();
    std::string line = answers.substr(at, end - at);
    if (const std::size_t p = line.find(",\"passages\":"); p != std::string::npos) {
      line = line.substr(0, p) + "}";
    }
    out += line + "\n";
    at = end + 1;
  }
  return out;
}

TEST(Index, SkippingPassagesAnswersTheRestAndStoresTheSameIndex) {
  const std::string dir = temp_dir();
  write_mixed_adds(dir);
  const std::string full = dir + "/full.idx", bulk = dir + "/bulk.idx";
  const RunResult a = run_doppel({"index", "add", full, dir + "/first.jsonl", "-q"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  const RunResult b = run_doppel(
      {"index", "add", bulk, dir + "/first.jsonl", "--skip-passages", "--progress", "never"});
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_NE(b.err.find("passages          not looked for (--skip-passages)"), std::string::npos)
      << b.err;
  // The same statuses and near duplicates; passages not looked for, said as null.
  ASSERT_NE(a.out.find("\"earlier\":[{"), std::string::npos) << "the full add finds passages";
  EXPECT_EQ(b.out.find("\"passages\":["), std::string::npos) << b.out;
  EXPECT_NE(b.out.find("\"passages\":null,\"code_points\":"), std::string::npos) << b.out;
  EXPECT_NE(b.out.find("\"new_code_points\":null,\"new_share\":null}"), std::string::npos);
  EXPECT_EQ(without_passages(b.out), without_passages(a.out));
  // The same index: its data log byte for byte, and what a later add, a query and an export see.
  EXPECT_EQ(read_file(bulk + "/data.log"), read_file(full + "/data.log"));
  const RunResult a2 = run_doppel({"index", "add", full, dir + "/second.jsonl", "-q"});
  const RunResult b2 = run_doppel({"index", "add", bulk, dir + "/second.jsonl", "-q"});
  ASSERT_EQ(a2.exit_code, 0) << a2.err;
  ASSERT_EQ(b2.exit_code, 0) << b2.err;
  ASSERT_NE(a2.out.find("\"earlier\":[{"), std::string::npos);
  EXPECT_EQ(b2.out, a2.out);
  for (const char* what : {"--pairs", "--clusters"}) {
    const RunResult x = run_doppel({"index", "export", full, what, "-"});
    const RunResult y = run_doppel({"index", "export", bulk, what, "-"});
    ASSERT_EQ(x.exit_code, 0) << x.err;
    EXPECT_FALSE(x.out.empty()) << what;
    EXPECT_EQ(y.out, x.out) << what;
  }
  // A query may skip them too.
  const RunResult q = run_doppel({"index", "query", full, dir + "/second.jsonl", "-q"});
  const RunResult qs =
      run_doppel({"index", "query", full, dir + "/second.jsonl", "--skip-passages", "-q"});
  ASSERT_EQ(q.exit_code, 0) << q.err;
  ASSERT_EQ(qs.exit_code, 0) << qs.err;
  EXPECT_EQ(without_passages(qs.out), without_passages(q.out));
  EXPECT_EQ(qs.out.find("\"passages\":["), std::string::npos);
}

TEST(Index, StoredOptionsMustMatch) {
  const std::string dir = temp_dir();
  const std::string index = dir + "/o.idx";
  const std::string in = dir + "/a.jsonl";
  write_file(in, doc("a", words(1, 40)) + "\n");
  ASSERT_EQ(run_doppel({"index", "add", index, in, "--threshold", "0.7", "--min-words", "20", "-q"})
                .exit_code,
            0);
  write_file(in, doc("b", words(2, 40)) + "\n");
  const RunResult bad =
      run_doppel({"index", "add", index, in, "--threshold", "0.8", "--min-words", "15", "-q"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--threshold 0.7 (asked: 0.8)"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("--min-words 20 (asked: 15)"), std::string::npos) << bad.err;
  EXPECT_EQ(run_doppel({"index", "add", index, in, "--threshold", "0.7", "-q"}).exit_code, 0)
      << "an option given with the stored value";
  write_file(in, doc("c", words(3, 40)) + "\n");
  EXPECT_EQ(run_doppel({"index", "add", index, in, "-q"}).exit_code, 0) << "stored ones used";
  EXPECT_EQ(stats_documents(index), 3);
  const RunResult st = run_doppel({"index", "stats", index});
  EXPECT_NE(st.out.find("\"threshold\":0.7,"), std::string::npos) << st.out;
  EXPECT_NE(st.out.find("\"passages\":\"on\""), std::string::npos) << st.out;
  // The LSH shape and the winnowing window were left to their defaults: giving the values they
  // stood for is no difference (it was refused as "--bands 0 (asked: ...)"); other values are.
  const auto at = st.out.find("\"lsh\":{\"bands\":");
  ASSERT_NE(at, std::string::npos) << st.out;
  const int bands = std::stoi(st.out.substr(at + 15));
  const auto rows_at = st.out.find("\"rows\":", at);
  ASSERT_NE(rows_at, std::string::npos) << st.out;
  const int rows = std::stoi(st.out.substr(rows_at + 7));
  const RunResult same =
      run_doppel({"index", "query", index, in, "--bands", std::to_string(bands), "--rows",
                  std::to_string(rows), "--winnow-window", "16", "-q"});
  EXPECT_EQ(same.exit_code, 0) << same.err;
  // Zero, as the index was made, stands for the index's own window and shape, not for the ones
  // the front end's default --min-words and --threshold would give.
  const RunResult zero = run_doppel(
      {"index", "query", index, in, "--winnow-window", "0", "--bands", "0", "--rows", "0", "-q"});
  EXPECT_EQ(zero.exit_code, 0) << zero.err;
  const RunResult other = run_doppel({"index", "query", index, in, "--winnow-window", "11", "-q"});
  EXPECT_EQ(other.exit_code, 2);
  EXPECT_NE(other.err.find("--winnow-window 16 (asked: 11)"), std::string::npos) << other.err;
}

TEST(Index, RefusesASecondWriterNamingTheHolder) {
  const std::string dir = temp_dir();
  const std::string index = dir + "/w.idx";
  Server server(index);
  ASSERT_GT(server.port(), 0) << server.log();
  const std::string in = dir + "/a.jsonl";
  write_file(in, doc("a", words(1, 40)) + "\n");
  const RunResult r = run_doppel({"index", "add", index, in, "-q"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("is open for writing by pid " + std::to_string(server.pid()) + " on host "),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(" since 20"), std::string::npos) << r.err;
  EXPECT_NE(run_doppel({"serve", index, "--listen", "127.0.0.1:0", "-q"}).exit_code, 0)
      << "a second server is a second writer";
  EXPECT_EQ(stats_documents(index), 0) << "readers are welcome";
}

// A query run by another process while the server writes sees what was committed.
TEST(Index, ReadOnlyQueryBesideAWriter) {
  const std::string dir = temp_dir();
  const std::string index = dir + "/q.idx";
  Server server(index);
  ASSERT_GT(server.port(), 0) << server.log();
  auto c = server.client();
  auto added = c.Post("/v1/documents", "[" + doc("x1", words(7, 40)) + "]", "application/json");
  ASSERT_TRUE(added);
  ASSERT_EQ(added->status, 200) << added->body;
  const std::string in = dir + "/q.jsonl";
  write_file(in, doc("q", words(7, 40)) + "\n");
  const RunResult q = run_doppel({"index", "query", index, in, "-q"});
  ASSERT_EQ(q.exit_code, 0) << q.err;
  EXPECT_NE(q.out.find("\"duplicate_of\":\"x1\""), std::string::npos) << q.out;
}

// POST ?passages=skip answers as --skip-passages does, and what it adds holds passages for later
// documents as any add's.
TEST(Serve, PassagesSkipAnswersWithoutPassages) {
  const std::string dir = temp_dir();
  Server server(dir + "/s.idx");
  ASSERT_GT(server.port(), 0) << server.log();
  auto c = server.client();
  const std::string first = doc("a", words(1, 60) + " " + words(2, 40));
  auto added = c.Post("/v1/documents?passages=skip", "[" + first + "]", "application/json");
  ASSERT_TRUE(added);
  EXPECT_EQ(added->status, 200) << added->body;
  EXPECT_NE(added->body.find("\"added\":true,\"near_duplicates\":[],\"passages\":null,"),
            std::string::npos)
      << added->body;
  const std::string later = "[" + doc("b", words(3, 30) + " " + words(1, 60)) + "]";
  for (const char* target : {"/v1/query", "/v1/query?passages=on"}) {
    auto found = c.Post(target, later, "application/json");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->status, 200) << found->body;
    EXPECT_NE(found->body.find("\"earlier\":[{\"id\":\"a\""), std::string::npos)
        << target << ": " << found->body;
  }
  auto skipped = c.Post("/v1/query?passages=skip", later, "application/json");
  ASSERT_TRUE(skipped);
  EXPECT_NE(skipped->body.find("\"passages\":null"), std::string::npos) << skipped->body;
  for (const char* target : {"/v1/query?passages=off", "/v1/query?passages=skip&passages=on",
                             "/v1/documents?passages="}) {
    auto bad = c.Post(target, later, "application/json");
    ASSERT_TRUE(bad) << target;
    EXPECT_EQ(bad->status, 400) << target << ": " << bad->body;
    EXPECT_NE(bad->body.find("passages takes on or skip"), std::string::npos) << bad->body;
  }
  // A misspelt or unknown parameter is refused, not ignored; the index is left as it was.
  struct Unknown {
    const char* method;
    const char* target;
    const char* says;
  };
  for (const Unknown& u :
       {Unknown{"POST", "/v1/documents?passage=skip", R"(\"passage\": this path takes passages)"},
        Unknown{"POST", "/v1/query?passages=skip&x=1", R"(\"x\": this path takes passages)"},
        Unknown{"GET", "/v1/stats?verbose=1", R"(\"verbose\": this path takes none)"},
        Unknown{"GET", "/v1/documents/a?fields=id", R"(\"fields\": this path takes none)"},
        Unknown{"DELETE", "/v1/documents/a?force=1", R"(\"force\": this path takes none)"},
        Unknown{"GET", "/health?probe=1", R"(\"probe\": this path takes none)"}}) {
    auto fresh = server.client();  // the refusal closes the connection
    const std::string method = u.method;
    auto bad = method == "POST"  ? fresh.Post(u.target, later, "application/json")
               : method == "GET" ? fresh.Get(u.target)
                                 : fresh.Delete(u.target);
    ASSERT_TRUE(bad) << u.target;
    EXPECT_EQ(bad->status, 400) << u.target << ": " << bad->body;
    EXPECT_NE(bad->body.find(std::string("unknown query parameter ") + u.says), std::string::npos)
        << u.target << ": " << bad->body;
  }
  // A method the path does not have is answered 405 first, parameters or not.
  auto wrong_method = server.client().Delete("/health?probe=1");
  ASSERT_TRUE(wrong_method);
  EXPECT_EQ(wrong_method->status, 405) << wrong_method->body;
  auto fresh = server.client();
  auto record = fresh.Get("/v1/documents/a");
  ASSERT_TRUE(record);
  EXPECT_EQ(record->status, 200) << "the refused DELETE removed a: " << record->body;
  auto stats = fresh.Get("/v1/stats");
  ASSERT_TRUE(stats);
  EXPECT_NE(stats->body.find("\"documents\":1,"), std::string::npos) << stats->body;
}

TEST(Serve, BadRequestsGetJsonErrors) {
  const std::string dir = temp_dir();
  write_file(dir + "/token", "s3cret\n");
  Server server(dir + "/b.idx", {"--token-file", dir + "/token", "--max-body", "64K"});
  ASSERT_GT(server.port(), 0) << server.log();
  auto c = server.client();
  const httplib::Headers auth = {{"Authorization", "Bearer s3cret"}};
  auto expect_error = [&](const httplib::Result& res, int code, const char* what) {
    ASSERT_TRUE(res) << what;
    EXPECT_EQ(res->status, code) << what << ": " << res->body;
    EXPECT_EQ(res->body.rfind("{\"error\":{\"code\":" + std::to_string(code) + ",\"message\":", 0),
              0u)
        << what << ": " << res->body;
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/json") << what;
  };
  expect_error(c.Post("/v1/documents", auth, "[{\"id\":\"a\",\"text\":", "application/json"), 400,
               "malformed JSON");
  expect_error(c.Post("/v1/documents", auth, "[{\"id\":\"a\",\"text\":\"caf\xc3\x28\"}]",
                      "application/json"),
               400, "invalid UTF-8 in a JSON array");
  expect_error(c.Post("/v1/documents", auth, "{\"id\":\"a\",\"text\":\"caf\xc3\x28\"}\n",
                      "application/x-ndjson"),
               400, "invalid UTF-8 in JSON Lines");
  expect_error(
      c.Post("/v1/documents", auth,
             "[" + doc("ok", words(1, 20)) + ",{\"id\":\"a\",\"body\":\"x\"}]", "application/json"),
      400, "a missing text field");
  expect_error(c.Post("/v1/documents", auth, "[]", "application/json"), 400, "no documents");
  expect_error(c.Post("/v1/documents", auth, "42", "application/json"), 400, "not an array");
  expect_error(c.Post("/v1/documents", auth, std::string(100000, ' '), "application/json"), 413,
               "body over the limit");
  expect_error(c.Post("/v1/documents", auth, doc("a", "x y z"), "text/plain"), 415, "content type");
  expect_error(c.Post("/v1/documents", doc("a", "x y z"), "application/json"), 401, "no token");
  expect_error(c.Delete("/v1/documents/a"), 401, "delete without token");
  expect_error(c.Delete("/v1/documents/a", {{"Authorization", "Bearer s3cre"}}), 401,
               "a wrong token");
  {
    // A wrong token is told apart from none.
    auto wrong = c.Delete("/v1/documents/a", {{"Authorization", "Bearer s3cre"}});
    ASSERT_TRUE(wrong);
    EXPECT_NE(wrong->body.find("does not match"), std::string::npos) << wrong->body;
    auto none = c.Delete("/v1/documents/a");
    ASSERT_TRUE(none);
    EXPECT_NE(none->body.find("need a bearer token"), std::string::npos) << none->body;
  }
  expect_error(c.Delete("/v1/documents/a", {{"Authorization", "Bearers3cret"}}), 401,
               "no space after the scheme");
  // One space or more after the scheme (RFC 7235): the token is checked, and the id is unknown.
  expect_error(c.Delete("/v1/documents/a", {{"Authorization", "Bearer   s3cret"}}), 404,
               "spaces after the scheme");
  expect_error(c.Get("/v1/documents/nope"), 404, "unknown id");
  expect_error(c.Delete("/v1/documents/nope", auth), 404, "delete unknown id");
  expect_error(c.Put("/v1/stats", "", "application/json"), 405, "wrong method");
  expect_error(c.Get("/v1/documents"), 405, "GET on the collection");
  expect_error(c.Get("/etc/passwd"), 404, "unknown path");
  {
    auto res = c.Post("/v1/query", "[{\"id\":\"a\",\"text\":\"\\u0000 x\"}]", "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200) << "a NUL escaped in JSON is text: " << res->body;
  }
  // Nothing was added by the refused requests, and the server is still there.
  auto health = c.Get("/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  auto stats = c.Get("/v1/stats");
  ASSERT_TRUE(stats);
  EXPECT_NE(stats->body.find("\"documents\":0"), std::string::npos) << stats->body;
  // A good add, its record (an id with a slash and a space, percent-encoded), its removal.
  auto added =
      c.Post("/v1/documents", auth, "[" + doc("a/1 b", words(3, 40)) + "]", "application/json");
  ASSERT_TRUE(added);
  EXPECT_EQ(added->status, 200) << added->body;
  EXPECT_EQ(added->body.rfind("{\"answers\":[{\"id\":\"a/1 b\",\"status\":\"new\"", 0), 0u)
      << added->body;
  auto got = c.Get("/v1/documents/a%2F1%20b");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->status, 200) << got->body;
  EXPECT_NE(got->body.find("\"cluster\":[\"a/1 b\"]"), std::string::npos) << got->body;
  auto del = c.Delete("/v1/documents/a%2F1%20b", auth);
  ASSERT_TRUE(del);
  EXPECT_EQ(del->status, 200) << del->body;
  expect_error(c.Get("/v1/documents/a%2F1%20b"), 404, "removed");
  EXPECT_EQ(server.stop(SIGTERM), 0) << server.log();
}

// Sends `request` on a new connection, as much of it as the server takes before it answers and
// closes (a client that sends the whole request before it reads the answer: Python's
// http.client without "Expect: 100-continue"); then reads everything that comes back until the
// server closes the connection (nothing after 60 s). Says whether every byte went out.
struct WholeExchange {
  bool sent_all = false;
  std::string reply;
};
WholeExchange exchange_whole(int port, const std::string& request) {
  WholeExchange out;
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout{60, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return out;
  }
  std::size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<std::size_t>(n);
  }
  out.sent_all = sent == request.size();
  char buf[4096];
  for (ssize_t n; (n = recv(fd, buf, sizeof buf, 0)) > 0;)
    out.reply.append(buf, static_cast<std::size_t>(n));
  close(fd);
  return out;
}

// exchange_whole() of `head` and then `body`: what came back.
std::string exchange(int port, const std::string& head, const std::string& body) {
  return exchange_whole(port, head + body).reply;
}

std::string gzip(const std::string& bytes) {
  return zlib_encode(bytes, 15 + 16, Z_BEST_COMPRESSION);
}

std::string chunked(const std::string& bytes, std::size_t chunk) {
  std::string out;
  for (std::size_t at = 0; at < bytes.size(); at += chunk) {
    const std::string part = bytes.substr(at, chunk);
    out += fmt::format("{:x}\r\n", part.size()) + part + "\r\n";
  }
  return out + "0\r\n\r\n";
}

// Where a body ends is never in doubt, and a body cut short adds nothing: a compressed stream
// that stops before its end (or its checksum) is refused; a Transfer-Encoding other than chunked,
// a malformed or doubled Content-Length, or both framings at once are refused and the connection
// closed, so that no byte after them is read as a request of its own.
TEST(Serve, FramingAndCompressionLeaveNoDoubt) {
  const std::string dir = temp_dir();
  Server server(dir + "/g.idx", {});
  ASSERT_GT(server.port(), 0) << server.log();
  const int port = server.port();
  auto status_of = [](const std::string& reply) {
    return reply.size() > 12 && reply.starts_with("HTTP/1.1 ") ? std::stoi(reply.substr(9, 3)) : 0;
  };
  const std::string post =
      "POST /v1/documents HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\n"
      "Connection: close\r\n";
  auto held = [&](const std::string& encoded_id) {
    return status_of(exchange(
        port,
        "GET /v1/documents/" + encoded_id + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        ""));
  };
  auto send_gzip = [&](const std::string& body) {
    return status_of(exchange(
        port,
        post + fmt::format("Content-Encoding: gzip\r\nContent-Length: {}\r\n\r\n", body.size()),
        body));
  };
  const std::string three = doc("c0", words(1, 30)) + "\n" + doc("c1", words(2, 30)) + "\n" +
                            doc("c2", words(3, 30)) + "\n";
  const std::string whole = gzip(three);
  EXPECT_EQ(send_gzip(whole.substr(0, whole.size() - 8)), 400) << "no checksum and length";
  EXPECT_EQ(send_gzip(whole.substr(0, whole.size() / 2)), 400) << "cut in the middle";
  EXPECT_EQ(send_gzip(whole + "junk"), 400) << "bytes after the end";
  EXPECT_EQ(held("c0"), 404) << "nothing of a refused body is added";
  EXPECT_EQ(send_gzip(gzip(doc("m0", words(4, 30)) + "\n") + gzip(doc("m1", words(5, 30)) + "\n")),
            200)
      << "two gzip members are one body, as gunzip reads them";
  EXPECT_EQ(held("m0"), 200);
  EXPECT_EQ(held("m1"), 200);
  EXPECT_EQ(send_gzip(whole), 200);
  EXPECT_EQ(held("c2"), 200);

  const std::string one = doc("t1", words(6, 30));
  {
    const std::string reply = exchange(port, post + "Transfer-Encoding: foo\r\n\r\n", one);
    EXPECT_EQ(status_of(reply), 501) << reply;
    EXPECT_EQ(held("t1"), 404);
  }
  EXPECT_EQ(status_of(exchange(port, post + "Transfer-Encoding: chunked, foo\r\n\r\n", "")), 501);
  EXPECT_EQ(
      status_of(exchange(port, post + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
                         chunked(one, 10))),
      400);
  EXPECT_EQ(status_of(exchange(port, post + "Content-Length: -1\r\n\r\n", one)), 400);
  {  // two that differ: said so, not that the second is malformed
    const std::string reply =
        exchange(port, post + "Content-Length: 0\r\nContent-Length: 5\r\n\r\n", one);
    EXPECT_EQ(status_of(reply), 400);
    EXPECT_NE(reply.find("Content-Length headers that differ"), std::string::npos) << reply;
  }
  {  // "abc" is not read as 0, with what follows taken for the next request
    const std::string reply =
        exchange(port,
                 "POST /v1/query HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 "Content-Length: abc\r\n\r\n",
                 "DELETE /v1/documents/c2 HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(status_of(reply), 400) << reply;
    EXPECT_EQ(reply.find("removed"), std::string::npos) << reply;
    EXPECT_EQ(held("c2"), 200);
  }
  {  // two Content-Encodings: refused, not decoded twice (httplib's decoder, then ours)
    const std::string body = gzip(doc("e2", words(10, 30)) + "\n");
    const std::string reply =
        exchange(port,
                 post + fmt::format("Content-Encoding: gzip\r\nContent-Encoding: gzip\r\n"
                                    "Content-Length: {}\r\n\r\n",
                                    body.size()),
                 body);
    EXPECT_EQ(status_of(reply), 400) << reply;
    EXPECT_NE(reply.find("more than one Content-Encoding"), std::string::npos) << reply;
    EXPECT_EQ(held("e2"), 404);
  }
  {  // under "Expect: 100-continue" the framing is checked before the client is told to send
    const std::string expect = "Expect: 100-continue\r\n";
    std::string reply = exchange(port, post + expect + "Content-Length: abc\r\n\r\n", "");
    EXPECT_EQ(status_of(reply), 400) << reply;
    EXPECT_EQ(reply.find("100 Continue"), std::string::npos) << reply;
    reply = exchange(port, post + expect + "Transfer-Encoding: gzip\r\n\r\n", "");
    EXPECT_EQ(status_of(reply), 501) << reply;
    reply = exchange(port,
                     post + expect + "Content-Encoding: gzip\r\nContent-Encoding: br\r\n" +
                         "Content-Length: 10\r\n\r\n",
                     "");
    EXPECT_EQ(status_of(reply), 400) << reply;
    reply = exchange(
        port, "POST /health HTTP/1.1\r\nHost: x\r\n" + expect + "Content-Length: 10\r\n\r\n", "");
    EXPECT_EQ(status_of(reply), 405) << reply << " (a body where none belongs)";
    EXPECT_EQ(reply.find("100 Continue"), std::string::npos) << reply;
  }
  {  // a message about the whole body names no line
    const std::string body = "[" + doc("arr", words(9, 30)) + "]\n";
    const std::string reply =
        exchange(port, post + fmt::format("Content-Length: {}\r\n\r\n", body.size()), body);
    EXPECT_EQ(status_of(reply), 400) << reply;
    EXPECT_NE(reply.find("the body: the file is one JSON array"), std::string::npos) << reply;
  }
  // Every id the service adds can be named in a URL: a line feed included; one too long for a
  // URL is refused.
  {
    const std::string body = "{\"id\":\"two\\nlines\",\"text\":\"" + words(7, 30) + "\"}\n";
    EXPECT_EQ(status_of(exchange(
                  port, post + fmt::format("Content-Length: {}\r\n\r\n", body.size()), body)),
              200);
    EXPECT_EQ(held("two%0Alines"), 200);
  }
  {
    const std::string body = doc(std::string(3000, 'x'), words(8, 30)) + "\n";
    const std::string reply =
        exchange(port, post + fmt::format("Content-Length: {}\r\n\r\n", body.size()), body);
    EXPECT_EQ(status_of(reply), 400) << reply;
    EXPECT_NE(reply.find("at most 2048 bytes"), std::string::npos) << reply;
  }
  EXPECT_EQ(server.stop(SIGTERM), 0) << server.log();
}

// A request line may name the resource in absolute form ("GET http://host/health HTTP/1.1"),
// which HTTP/1.1 servers must accept: it answered 404.
TEST(Serve, ARequestLineInAbsoluteFormIsServed) {
  const std::string dir = temp_dir();
  Server server(dir + "/a.idx", {});
  ASSERT_GT(server.port(), 0) << server.log();
  const std::string at = fmt::format("http://127.0.0.1:{}", server.port());
  auto ask = [&](const std::string& line, const std::string& body) {
    return exchange(server.port(),
                    line + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" +
                        (body.empty() ? std::string()
                                      : fmt::format("Content-Type: application/x-ndjson\r\n"
                                                    "Content-Length: {}\r\n",
                                                    body.size())) +
                        "\r\n",
                    body);
  };
  EXPECT_TRUE(ask("GET " + at + "/health", "").starts_with("HTTP/1.1 200")) << server.log();
  const std::string added = ask("POST " + at + "/v1/documents", doc("x1", words(1, 30)) + "\n");
  EXPECT_TRUE(added.starts_with("HTTP/1.1 200")) << added;
  EXPECT_TRUE(ask("GET HTTP://other/v1/documents/x1", "").starts_with("HTTP/1.1 200"));
  const std::string wrong = ask("GET " + at + "/v1/query", "");
  EXPECT_TRUE(wrong.starts_with("HTTP/1.1 405")) << wrong;
  EXPECT_TRUE(contains(wrong, "Allow: POST, OPTIONS")) << wrong;
  EXPECT_TRUE(ask("DELETE " + at + "/v1/documents/x1", "").starts_with("HTTP/1.1 200"));
  EXPECT_TRUE(ask("GET " + at + "/v2/x", "").starts_with("HTTP/1.1 404"));
}

// A body refused before it is read (over --max-body, no token, a content type or parameter not
// taken) is still read and thrown away, up to 64 MiB, for a client that sends all of it before
// reading the answer: closed with the body unread, the connection was reset, and such a client
// (Python's http.client) got "Broken pipe" instead of the answer.
TEST(Serve, ARefusedBodyIsReadSoThatItsClientGetsTheAnswer) {
  const std::string dir = temp_dir();
  write_file(dir + "/token", "s3cret\n");
  Server server(dir + "/r.idx", {"--token-file", dir + "/token", "--max-body", "64K"});
  ASSERT_GT(server.port(), 0) << server.log();
  const std::string body = "[" + std::string(std::size_t{12} << 20, 'x') + "]";
  const std::string auth = "Authorization: Bearer s3cret\r\n";
  struct Case {
    const char* what;
    std::string head;
    std::string body;
    int status;
  };
  const auto head = [](const std::string& target, const std::string& headers) {
    return "POST " + target + " HTTP/1.1\r\nHost: x\r\n" + headers;
  };
  const std::string json = "Content-Type: application/json\r\n";
  const std::string length = fmt::format("Content-Length: {}\r\n\r\n", body.size());
  const Case cases[] = {
      {"a length over the limit", head("/v1/documents", auth + json + length), body, 413},
      {"a chunked body over the limit",
       head("/v1/documents", auth + json + "Transfer-Encoding: chunked\r\n\r\n"),
       chunked(body, 65536), 413},
      {"no token", head("/v1/documents", json + length), body, 401},
      {"a content type not taken",
       head("/v1/documents", auth + "Content-Type: text/csv\r\n" + length), body, 415},
      {"an unknown parameter", head("/v1/query?passage=skip", json + length), body, 400}};
  for (const Case& c : cases) {
    const WholeExchange x = exchange_whole(server.port(), c.head + c.body);
    EXPECT_TRUE(x.sent_all) << c.what;
    EXPECT_TRUE(x.reply.starts_with(fmt::format("HTTP/1.1 {} ", c.status)))
        << c.what << ": " << x.reply.substr(0, 300);
    EXPECT_NE(x.reply.find(fmt::format("{{\"error\":{{\"code\":{},", c.status)), std::string::npos)
        << c.what << ": " << x.reply.substr(0, 300);
  }
  // A multipart body is not read (cpp-httplib would parse it, and threw for want of a handler:
  // 500): refused as a content type not taken, the connection closed.
  const std::string part = "--xyz\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\n" +
                           std::string(1000, 'y') + "\r\n--xyz--\r\n";
  const WholeExchange multipart = exchange_whole(
      server.port(),
      head("/v1/documents", auth + "Content-Type: multipart/form-data; boundary=xyz\r\n" +
                                fmt::format("Content-Length: {}\r\n\r\n", part.size())) +
          part);
  EXPECT_TRUE(multipart.reply.starts_with("HTTP/1.1 415 ")) << multipart.reply.substr(0, 300);
  // The service still answers.
  auto health = server.client().Get("/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
}

// --max-body holds whatever the framing: a chunked body, one that decompresses past the limit; a
// body where none belongs is not read; the connection is closed after an answer that leaves part
// of a body unread.
TEST(Serve, BodiesAreBoundedWhateverTheirFraming) {
  const std::string dir = temp_dir();
  write_file(dir + "/token", "s3cret\n");
  Server server(dir + "/f.idx", {"--token-file", dir + "/token", "--max-body", "64K"});
  ASSERT_GT(server.port(), 0) << server.log();
  const int port = server.port();
  const std::string post =
      "POST /v1/documents HTTP/1.1\r\nHost: x\r\nAuthorization: bearer s3cret\r\n"
      "Content-Type: application/json\r\n";
  auto status_of = [](const std::string& reply) {
    return reply.size() > 12 && reply.starts_with("HTTP/1.1 ") ? std::stoi(reply.substr(9, 3)) : 0;
  };
  std::string big = "[";
  for (int i = 0; i < 2000; ++i)
    big += (i > 0 ? "," : "") + doc("b" + std::to_string(i), words(i, 60));
  big += "]";
  ASSERT_GT(big.size(), std::size_t{512} << 10);
  {
    const std::string reply =
        exchange(port, post + "Transfer-Encoding: chunked\r\n\r\n", chunked(big, 8192));
    EXPECT_EQ(status_of(reply), 413) << reply;
    EXPECT_NE(reply.find("Connection: close"), std::string::npos) << reply;
  }
  {  // the request asks to close too: the answer says so once
    const std::string reply = exchange(
        port, post + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n", chunked(big, 8192));
    EXPECT_EQ(status_of(reply), 413) << reply;
    const std::size_t first = reply.find("Connection: close");
    ASSERT_NE(first, std::string::npos) << reply;
    EXPECT_EQ(reply.find("Connection: close", first + 1), std::string::npos) << reply;
  }
  {
    std::string text;
    for (int i = 0; i < (1 << 21); ++i) text += "a ";
    const std::string bomb = gzip("[" + doc("bomb", text) + "]");
    ASSERT_LT(bomb.size(), std::size_t{64} << 10) << "small enough to pass the length check";
    const std::string reply = exchange(
        port,
        post + fmt::format("Content-Encoding: gzip\r\nContent-Length: {}\r\n\r\n", bomb.size()),
        bomb);
    EXPECT_EQ(status_of(reply), 413) << reply;
    EXPECT_NE(reply.find("once decompressed"), std::string::npos) << reply;
  }
  {  // empty gzip members decode to nothing: the body is bounded as sent, too
    const std::string empty_member = gzip("");
    std::string endless;
    while (endless.size() < (std::size_t{1} << 20)) endless += empty_member;
    const std::string reply =
        exchange(port, post + "Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n",
                 chunked(endless, 8192));
    EXPECT_EQ(status_of(reply), 413) << reply;
    EXPECT_NE(reply.find("as sent"), std::string::npos) << reply;
    EXPECT_NE(reply.find("Connection: close"), std::string::npos) << reply;
  }
  {  // a body that decodes within the limit passes whatever compression adds (stored: no gain)
    std::string text = words(77, 7300);
    text += std::string((std::size_t{64} << 10) - 4 - ("[" + doc("s1", text) + "]").size(), ' ');
    const std::string body = "[" + doc("s1", text) + "]";
    ASSERT_EQ(body.size(), (std::size_t{64} << 10) - 4);
    const std::string stored = zlib_encode(body, 15 + 16, Z_NO_COMPRESSION);
    ASSERT_GT(stored.size(), std::size_t{64} << 10) << "larger as sent than the limit";
    const std::string query = "POST /v1/query" + post.substr(post.find(" HTTP/1.1"));
    const std::string reply = exchange(
        port,
        query + "Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        chunked(stored, 4096));
    EXPECT_EQ(status_of(reply), 200) << reply.substr(0, 300);
  }
  {  // chunked and compressed, under the limit: added
    const std::string body = gzip("[" + doc("z1", words(1, 40)) + "]");
    const std::string reply = exchange(
        port,
        post + "Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        chunked(body, 100));
    EXPECT_EQ(status_of(reply), 200) << reply;
    EXPECT_NE(reply.find("{\"answers\":[{\"id\":\"z1\",\"status\":\"new\",\"added\":true"),
              std::string::npos)
        << reply;
  }
  EXPECT_EQ(status_of(exchange(port, post + "\r\n", "")), 411);
  EXPECT_EQ(status_of(exchange(
                port, post + "Content-Encoding: compress\r\nContent-Length: 2\r\n\r\n", "[]")),
            415);
  {
    const std::string reply =
        exchange(port, "POST /health HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
                 chunked(big, 8192));
    EXPECT_EQ(status_of(reply), 405) << reply;
    EXPECT_NE(reply.find("Allow: GET"), std::string::npos) << reply;
  }
  EXPECT_EQ(status_of(exchange(port,
                               "DELETE /v1/documents/z1 HTTP/1.1\r\nHost: x\r\nContent-Length: "
                               "5\r\n\r\n",
                               "hello")),
            400);
  EXPECT_EQ(status_of(exchange(
                port, "PUT /nowhere HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n", "hello")),
            404);
  {
    const std::string reply = exchange(
        port, "OPTIONS /v1/documents/z1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "");
    EXPECT_EQ(status_of(reply), 200) << reply;
    EXPECT_NE(reply.find("Allow: GET, HEAD, DELETE, OPTIONS"), std::string::npos) << reply;
  }
  {  // HEAD, which Allow lists, is answered as GET without the body
    const std::string reply =
        exchange(port, "HEAD /v1/stats HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "");
    EXPECT_EQ(status_of(reply), 200) << reply;
    EXPECT_EQ(reply.find("\"documents\""), std::string::npos) << reply;
  }
  {  // a length over the limit: refused at once, the body never read
    const std::string reply = exchange(port, post + "Content-Length: 100000000\r\n\r\n", "");
    EXPECT_EQ(status_of(reply), 413) << reply;
  }
  // Methods that read a body are answered unread, with or without a length.
  EXPECT_EQ(status_of(exchange(port, "POST /health HTTP/1.1\r\nHost: x\r\n\r\n", big)), 405);
  EXPECT_EQ(
      status_of(exchange(port, post + "Content-Encoding: GZIP\r\nContent-Length: 2\r\n\r\n", "[]")),
      415)
      << "httplib decodes lower-case names only";
  {  // HEAD with a body: the body is not taken for the next request (a DELETE here)
    const std::string del =
        "DELETE /v1/documents/z1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer s3cret\r\n\r\n";
    const std::string reply = exchange(
        port,
        fmt::format("HEAD /health HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n", del.size()),
        del);
    EXPECT_EQ(status_of(reply), 400) << reply;
    EXPECT_EQ(reply.find("removed"), std::string::npos) << reply;
  }
  {  // "Expect: 100-continue": a body that would be refused is refused before it is sent
    const std::string body = "[" + doc("e1", "a b c d") + "]";
    const std::string expect = fmt::format(
        "POST /v1/documents HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: {}\r\n",
        body.size());
    std::string reply = exchange(port, expect + "Content-Type: application/json\r\n\r\n", "");
    EXPECT_EQ(status_of(reply), 401) << reply << " (no token)";
    reply = exchange(
        port, expect + "Authorization: Bearer s3cret\r\nContent-Type: text/plain\r\n\r\n", "");
    EXPECT_EQ(status_of(reply), 415) << reply;
    reply = exchange(port,
                     fmt::format("POST /v1/query HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                                 "Content-Length: {}\r\nContent-Type: application/json\r\n"
                                 "Connection: close\r\n\r\n",
                                 body.size()),
                     body);
    EXPECT_EQ(status_of(reply), 100) << reply;
    EXPECT_NE(reply.find("\"id\":\"e1\",\"status\":\"new\",\"added\":false"), std::string::npos)
        << reply;
  }
  auto c = server.client();
  const httplib::Headers auth = {{"Authorization", "Bearer s3cret"}};
  for (const char* body : {"[{\"text\":\"a b c d\"}]", "[{\"id\":\"\",\"text\":\"a b c d\"}]",
                           "[{\"id\":null,\"text\":\"a b c d\"}]"}) {
    auto res = c.Post("/v1/documents", auth, body, "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << body << ": " << res->body;
    EXPECT_NE(res->body.find("body document 1: the document has"), std::string::npos) << res->body;
  }
  {  // JSON Lines name lines, a JSON array its documents
    const std::string good = doc("g1", "a b c d");
    auto lines =
        c.Post("/v1/query", good + "\n" + "{\"id\":\"g2\",\"text\":1}\n", "application/x-ndjson");
    ASSERT_TRUE(lines);
    EXPECT_EQ(lines->status, 400) << lines->body;
    EXPECT_NE(lines->body.find("body line 2 (id"), std::string::npos) << lines->body;
    auto array =
        c.Post("/v1/query", "[" + good + ",{\"id\":\"g2\",\"text\":1}]", "application/json");
    ASSERT_TRUE(array);
    EXPECT_EQ(array->status, 400) << array->body;
    EXPECT_NE(array->body.find("body document 2 (id"), std::string::npos) << array->body;
  }
  {
    auto res = c.Get("/v1/documents/%FF%FEx");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 404);
    EXPECT_NE(res->body.find("\\\\xFF\\\\xFEx"), std::string::npos) << res->body;
  }
  // The server is still there, holding only z1; its record names an exact duplicate's first.
  auto dup = c.Post("/v1/documents", auth, "[" + doc("z2", words(1, 40)) + "]", "application/json");
  ASSERT_TRUE(dup);
  ASSERT_EQ(dup->status, 200) << dup->body;
  auto record = c.Get("/v1/documents/z2");
  ASSERT_TRUE(record);
  EXPECT_NE(record->body.find("\"duplicate_of\":\"z1\""), std::string::npos) << record->body;
  auto stats = c.Get("/v1/stats");
  ASSERT_TRUE(stats);
  EXPECT_NE(stats->body.find("\"documents\":2,"), std::string::npos) << stats->body;
  EXPECT_EQ(server.stop(SIGTERM), 0) << server.log();
}

TEST(Serve, ATokenThatNoHeaderCanCarryIsRefused) {
  const std::string dir = temp_dir();
  write_file(dir + "/two", "first\nsecond\n");
  const RunResult r = run_doppel(
      {"serve", dir + "/t.idx", "--listen", "127.0.0.1:0", "--token-file", dir + "/two", "-q"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("the token must be one line without spaces"), std::string::npos) << r.err;
  // A NUL (or another control character) cannot be sent in a header either.
  write_file(dir + "/nul", std::string("t\0k\n", 4));
  const RunResult n = run_doppel(
      {"serve", dir + "/t.idx", "--listen", "127.0.0.1:0", "--token-file", dir + "/nul", "-q"});
  EXPECT_EQ(n.exit_code, 2);
  EXPECT_NE(n.err.find("without spaces or control characters"), std::string::npos) << n.err;
  // A directory read as a token file was "the token is empty".
  const RunResult d =
      run_doppel({"serve", dir + "/t.idx", "--listen", "127.0.0.1:0", "--token-file", dir, "-q"});
  EXPECT_EQ(d.exit_code, 2);
  EXPECT_NE(d.err.find("the token file is a directory"), std::string::npos) << d.err;
}

// kill -9 during a stream of adds, again and again: after each restart every acknowledged
// document is there, and each batch is there whole or not at all.
// The look-up tables an opened index rebuilds from its records (in chunks of 16,384 documents,
// on both threads) answer exactly as those the running server built add by add: more documents
// than one chunk, passages shared by up to 30 of them, exact duplicates, near copies of one text
// in more than 64 documents (a bucket that large pairs a new member with its first and last
// only, so the order of its members counts), dates out of adding order and
// undated documents (passage hubs are the earliest dated holder).
TEST(Serve, ReopenedTablesAnswerAsTheLiveOnes) {
  const std::string dir = temp_dir();
  const std::string index = dir + "/r.idx";
  std::mt19937 rng(11);
  std::vector<std::string> passages;
  for (int p = 0; p < 600; ++p) passages.push_back(words(100000 + p, 20));
  auto text = [&](int n) {
    std::string t =
        words(static_cast<int>(rng() % 1000000) + 200000, 3 + static_cast<int>(rng() % 8));
    for (int k = 0; k < n; ++k) t += passages[rng() % passages.size()];
    return t;
  };
  auto dated = [&](const std::string& id, const std::string& t) {  // one in eight undated
    const std::string head = "{\"id\":\"" + id + "\",\"text\":\"" + t + "\"";
    if (rng() % 8 == 0) return head + "}";
    return head + ",\"date\":\"20" + std::to_string(10 + rng() % 14) + "-0" +
           std::to_string(1 + rng() % 9) + "-1" + std::to_string(rng() % 10) + "\"}";
  };
  std::vector<std::string> texts;
  const std::string near = passages[0] + passages[1] + passages[2] + passages[3];
  std::string query = "[" + dated("q-near", near + "vq") + ",";
  for (int q = 0; q < 60; ++q) {
    query += (q > 0 ? "," : "") + dated("q" + std::to_string(q), text(1 + q % 3));
  }
  std::vector<std::string> answers;
  for (int round = 0; round < 2; ++round) {
    Server server(index, {"--threads", "2"});
    ASSERT_GT(server.port(), 0) << server.log();
    auto c = server.client();
    if (round == 0) {  // the live tables, built add by add
      constexpr int kDocs = 17000, kPerBatch = 1700;
      for (int batch = 0; batch * kPerBatch < kDocs; ++batch) {
        std::string body = "[";
        for (int k = 0; k < kPerBatch; ++k) {
          const int d = batch * kPerBatch + k;
          if (d % 97 == 0) {  // near copies of one text, more than a bucket pairs in full
            texts.push_back(near + "v" + std::to_string(d));
          } else {
            texts.push_back(d % 40 == 39 ? texts[rng() % texts.size()] : text(1 + d % 2));
          }
          body += (k > 0 ? "," : "") + dated("d" + std::to_string(d), texts.back());
        }
        body += "]";
        auto res = c.Post("/v1/documents", body, "application/json");
        ASSERT_TRUE(res);
        ASSERT_EQ(res->status, 200) << res->body.substr(0, 500);
      }
      query += "," + dated("q-copy", texts[123]) + "]";
    }
    auto res = c.Post("/v1/query", query, "application/json");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body.substr(0, 500);
    answers.push_back(res->body);
    EXPECT_EQ(server.stop(SIGTERM), 0) << server.log();
  }
  EXPECT_NE(answers[0].find("\"status\":\"exact_duplicate\""), std::string::npos);
  EXPECT_NE(answers[0].find("\"status\":\"near_duplicate\""), std::string::npos);
  EXPECT_NE(answers[0].find("\"earlier\":[{"), std::string::npos) << "passages found";
  EXPECT_EQ(answers[0], answers[1]);
}

TEST(Serve, AcknowledgedAddsSurviveKill9) {
  const std::string dir = temp_dir();
  const std::string index = dir + "/k.idx";
  std::set<int> acknowledged;
  int next_batch = 0;
  constexpr int kPerBatch = 5;
  for (int round = 0; round < 6; ++round) {
    {
      Server server(index);
      ASSERT_GT(server.port(), 0) << server.log();
      std::atomic<bool> stop{false};
      std::mutex mutex;
      std::atomic<int> acked_now{0};
      std::thread writer([&] {
        auto c = server.client();
        while (!stop) {
          int batch = 0;
          {
            std::lock_guard lock(mutex);
            batch = next_batch++;
          }
          std::string body = "[";
          for (int k = 0; k < kPerBatch; ++k) {
            body += (k > 0 ? "," : "") + doc("b" + std::to_string(batch) + "-" + std::to_string(k),
                                             words(batch * kPerBatch + k, 30));
          }
          body += "]";
          auto res = c.Post("/v1/documents", body, "application/json");
          if (!res) break;  // killed
          if (res->status == 200) {
            std::lock_guard lock(mutex);
            acknowledged.insert(batch);
            ++acked_now;
          }
        }
      });
      // Kill at a different moment each round, once some adds were acknowledged.
      const auto deadline = std::chrono::steady_clock::now() + 60s;
      while (acked_now < 2 + round && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(5ms);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(13 * round));
      server.stop(SIGKILL);
      stop = true;
      writer.join();
    }
    // Restart and check.
    Server again(index);
    ASSERT_GT(again.port(), 0) << again.log();
    auto c = again.client();
    for (int batch = 0; batch < next_batch; ++batch) {
      int present = 0;
      for (int k = 0; k < kPerBatch; ++k) {
        auto res = c.Get("/v1/documents/b" + std::to_string(batch) + "-" + std::to_string(k));
        ASSERT_TRUE(res);
        present += res->status == 200;
      }
      if (acknowledged.count(batch) > 0) {
        EXPECT_EQ(present, kPerBatch) << "acknowledged batch " << batch << " lost";
      } else {
        EXPECT_TRUE(present == 0 || present == kPerBatch) << "half of batch " << batch;
      }
    }
  }
  EXPECT_GE(acknowledged.size(), 12u);
}

// kill -9 of `doppel index add` at several moments: the index opens, and holds whole batches.
TEST(Index, Kill9DuringAddLeavesWholeBatches) {
  const std::string dir = temp_dir();
  const std::string in = dir + "/in.jsonl";
  std::string text;
  for (int i = 0; i < 4000; ++i) text += doc("d" + std::to_string(i), words(i, 40)) + "\n";
  write_file(in, text);
  for (int round = 0; round < 3; ++round) {
    const std::string index = dir + "/k" + std::to_string(round) + ".idx";
    const auto start = std::chrono::steady_clock::now();
    const RunResult r = run_doppel_interrupted(
        {"index", "add", index, in, "--batch", "100", "--answers", dir + "/a.jsonl", "-q"}, "",
        SIGKILL, [&] {
          return std::chrono::steady_clock::now() - start >
                 std::chrono::milliseconds(300 + 400 * round);
        });
    const long n = stats_documents(index);
    if (r.exit_code == 0) {
      EXPECT_EQ(n, 4000) << "finished before the kill";
    } else {
      // Killed before the index was created (a busy machine, the sanitizers): there is no
      // index, and the add below must create it over what the killed one left.
      if (n < 0) {
        const RunResult st = run_doppel({"index", "stats", index});
        ASSERT_NE(st.err.find("no index there"), std::string::npos)
            << "the index must open after kill -9: " << st.err;
      }
      EXPECT_EQ(std::max(n, 0L) % 100, 0) << n << " documents: not whole batches";
    }
    // Adding the whole input again: what is there is refused, the rest added.
    ASSERT_EQ(run_doppel({"index", "add", index, in, "--answers", "/dev/null", "-q"}).exit_code, 0);
    EXPECT_EQ(stats_documents(index), 4000);
  }
}

TEST(Serve, QueriesSeeEveryAcknowledgedAddWhileAddsRun) {
  const std::string dir = temp_dir();
  Server server(dir + "/c.idx");
  ASSERT_GT(server.port(), 0) << server.log();
  std::atomic<int> last_acked{-1};
  std::atomic<bool> done{false};
  std::thread writer([&] {
    auto c = server.client();
    for (int i = 0; i < 60; ++i) {
      auto res = c.Post("/v1/documents", "[" + doc("d" + std::to_string(i), words(i, 40)) + "]",
                        "application/json");
      if (res && res->status == 200) last_acked = i;
    }
    done = true;
  });
  int checked = 0;
  auto c = server.client();
  while (!done) {
    const int acked = last_acked;
    if (acked < 0) {
      std::this_thread::sleep_for(1ms);
      continue;
    }
    // A query of the acknowledged document's text, started after the acknowledgement.
    auto res = c.Post("/v1/query", "[" + doc("q", words(acked, 40)) + "]", "application/json");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
    EXPECT_NE(res->body.find("\"duplicate_of\":\"d" + std::to_string(acked) + "\""),
              std::string::npos)
        << res->body;
    ++checked;
  }
  writer.join();
  EXPECT_GT(checked, 5);
  EXPECT_EQ(server.stop(SIGTERM), 0);
}

// A flood of requests from many connections, bounded in count and time: every one answered, and
// the server's peak memory does not grow with the number of requests. Reports what it measured.
TEST(Serve, MemoryStaysBoundedUnderAFlood) {
  const std::string dir = temp_dir();
  Server server(dir + "/f.idx", {"--http-threads", "4", "--queue", "8", "--max-body", "1M"});
  ASSERT_GT(server.port(), 0) << server.log();
  {
    auto c = server.client();
    std::string body = "[";
    for (int i = 0; i < 200; ++i)
      body += (i > 0 ? "," : "") + doc("s" + std::to_string(i), words(i, 60));
    body += "]";
    auto res = c.Post("/v1/documents", body, "application/json");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200);
  }
  constexpr int kClients = 24;
  auto flood = [&](int per_client, int round) {
    std::atomic<int> ok{0}, failed{0};
    std::mutex first_failure_mutex;
    std::string first_failure;  // what the first request that failed got, for the message
    std::vector<std::thread> clients;
    for (int t = 0; t < kClients; ++t) {
      clients.emplace_back([&, t] {
        auto c = server.client();
        for (int i = 0; i < per_client; ++i) {
          // Large bodies (600 KB): memory would grow if anything queued them without bound.
          const std::string text = words(round * 100000 + t * 1000 + i, 200);
          const std::string body =
              "[" + doc("q", text + std::string(600000 - text.size(), 'y') + " end") + "]";
          auto res = c.Post("/v1/query", body, "application/json");
          if (res && res->status == 200) {
            ++ok;
            continue;
          }
          ++failed;
          std::lock_guard lock(first_failure_mutex);
          if (first_failure.empty()) {
            first_failure =
                res ? "status " + std::to_string(res->status) + ": " + res->body.substr(0, 200)
                    : "no response: " + httplib::to_string(res.error());
          }
        }
      });
    }
    for (auto& t : clients) t.join();
    EXPECT_EQ(failed.load(), 0) << "the first failure: " << first_failure;
    EXPECT_EQ(ok.load(), kClients * per_client);
  };
  const auto start = std::chrono::steady_clock::now();
  flood(2, 0);
  const long after_first = server.peak_mib();
  flood(6, 1);  // three times the requests
  const long after_second = server.peak_mib();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "[ MEASURED ] %d queries of 600 KB from %d connections in %.1f s; server peak RSS %ld MiB "
      "after %d, %ld MiB after %d\n",
      kClients * 8, kClients, seconds, after_first, kClients * 2, after_second, kClients * 8);
  // 4 requests run at once, each holding its body a few times over; under the sanitizers memory
  // is freed late (quarantine), so the bound is loose, but it does not grow with the requests.
  EXPECT_LT(after_second, after_first + 200);
  EXPECT_LT(after_second, 1500);
  EXPECT_LT(seconds, 600);
  EXPECT_EQ(server.stop(SIGTERM), 0);
}

// --access-log appends a JSON line per answered request: routed ones with their time taken,
// refused ones too, and a server started again adds to the file rather than truncating it.
TEST(Serve, TheAccessLogHasALinePerAnsweredRequest) {
  const std::string dir = temp_dir();
  const std::string log = dir + "/access.jsonl";
  write_file(log, "{\"earlier\":\"line\"}\n");
  const std::string body = "[" + doc("a1", words(1, 40)) + "]";
  {
    Server server(dir + "/l.idx", {"--access-log", log});
    ASSERT_GT(server.port(), 0) << server.log();
    auto c = server.client();
    auto health = c.Get("/health");
    ASSERT_TRUE(health);
    auto added = c.Post("/v1/documents", body, "application/json");
    ASSERT_TRUE(added);
    EXPECT_EQ(added->status, 200) << added->body;
    const std::string broken = "[{\"id\":";
    auto bad = c.Post("/v1/query", broken, "application/json");
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->status, 400);
    auto missing = c.Get("/v1/documents/no%20such?x=1");  // no path takes x: 400
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->status, 400);
    const int status = server.stop(SIGTERM);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status << server.log();
    const auto lines = split_lines(read_file(log));
    ASSERT_EQ(lines.size(), 5U) << read_file(log);
    EXPECT_EQ(lines[0], "{\"earlier\":\"line\"}");
    // Each line: its fields in this order, values as text.
    const char* names[] = {"time",   "client",         "method",         "target",
                           "status", "content_length", "response_bytes", "seconds"};
    auto fields = [&](const std::string& line) {
      std::vector<std::string> values;
      std::size_t at = 0;
      for (const char* name : names) {
        const std::string key = std::string(values.empty() ? "{" : ",") + "\"" + name + "\":";
        if (line.compare(at, key.size(), key) != 0) return std::vector<std::string>{};
        at += key.size();
        std::size_t end = at;
        if (line[at] == '"') {
          end = line.find('"', at + 1) + 1;
        } else {
          end = line.find_first_of(",}", at);
        }
        values.push_back(line.substr(at, end - at));
        at = end;
      }
      return line.substr(at) == "}" ? values : std::vector<std::string>{};
    };
    const std::string expected[][4] = {
        {"GET", "/health", "200", "null"},
        {"POST", "/v1/documents", "200", std::to_string(body.size())},
        {"POST", "/v1/query", "400", std::to_string(broken.size())},
        {"GET", "/v1/documents/no%20such?x=1", "400", "null"}};
    const std::size_t response_sizes[] = {health->body.size(), added->body.size(), bad->body.size(),
                                          missing->body.size()};
    // A line goes out after its answer, so the next request, on another connection after the
    // 400 closed one, may be written first: each expected line is looked up by its target.
    for (std::size_t i = 0; i < 4; ++i) {
      const std::string target = "\"target\":\"" + expected[i][1] + "\"";
      const auto found = std::find_if(lines.begin() + 1, lines.end(), [&](const std::string& l) {
        return l.find(target) != std::string::npos;
      });
      ASSERT_NE(found, lines.end()) << target << " in " << read_file(log);
      const std::string& line = *found;
      const std::vector<std::string> v = fields(line);
      ASSERT_EQ(v.size(), 8U) << line;
      // "2026-12-07T11:15:22.748Z"
      ASSERT_EQ(v[0].size(), 26U) << line;
      EXPECT_EQ(v[0].substr(5, 1) + v[0].substr(11, 1) + v[0].substr(20, 1) + v[0].substr(24),
                "-T.Z\"")
          << line;
      EXPECT_EQ(v[1], "\"127.0.0.1\"") << line;
      EXPECT_EQ(v[2], "\"" + expected[i][0] + "\"") << line;
      EXPECT_EQ(v[3], "\"" + expected[i][1] + "\"") << line;
      EXPECT_EQ(v[4], expected[i][2]) << line;
      EXPECT_EQ(v[5], expected[i][3]) << line;
      EXPECT_EQ(v[6], std::to_string(response_sizes[i])) << line;
      EXPECT_NE(v[7], "null") << "a routed request has its time: " << line;
      EXPECT_GE(std::stod(v[7]), 0.0) << line;
    }
  }
  // Started again, it appends.
  Server again(dir + "/l.idx", {"--access-log", log});
  ASSERT_GT(again.port(), 0) << again.log();
  ASSERT_TRUE(again.client().Get("/v1/stats"));
  again.stop(SIGTERM);
  EXPECT_EQ(split_lines(read_file(log)).size(), 6U);
  // A directory is refused, naming it.
  const RunResult r = run_program({"/usr/bin/timeout", "60", DOPPEL_BINARY, "serve", dir + "/l.idx",
                                   "--listen", "127.0.0.1:0", "--access-log", dir});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(dir + ": the access log is a directory"), std::string::npos) << r.err;
}

TEST(Serve, SigtermFinishesTheRequestInFlight) {
  const std::string dir = temp_dir();
  Server server(dir + "/t.idx");
  ASSERT_GT(server.port(), 0) << server.log();
  std::string body = "[";
  for (int i = 0; i < 3000; ++i) {
    body += (i > 0 ? "," : "") + doc("t" + std::to_string(i), words(i, 80));
  }
  body += "]";
  httplib::Result res(nullptr, httplib::Error::Unknown);
  std::atomic<bool> sent{false};
  std::thread client([&] {
    auto c = server.client();
    c.set_write_timeout(120, 0);
    sent = true;
    res = c.Post("/v1/documents", body, "application/json");
  });
  while (!sent) std::this_thread::sleep_for(1ms);
  std::this_thread::sleep_for(300ms);
  const int status = server.stop(SIGTERM);
  client.join();
  ASSERT_TRUE(res) << "the request in flight was cut off: " << server.log();
  EXPECT_EQ(res->status, 200);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status << server.log();
  EXPECT_EQ(stats_documents(dir + "/t.idx"), 3000);
}

}  // namespace
}  // namespace doppel::test
