// Nothing the user had is lost: outputs are written beside their targets and renamed into place
// only when a run succeeds. A bad option, a missing input, a failed run or an interruption
// (SIGINT, SIGTERM, SIGHUP) leaves an earlier file of an output's name as it was, and no temporary.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <string>
#include <vector>

#include "e2e/fixtures.h"
#include "e2e/harness.h"

namespace doppel::test {
namespace {

namespace fs = std::filesystem;

std::string news_dir() { return source_dir() + "/examples/news"; }

// Temporaries doppel left in `dir` (".NAME.doppel-PID-N.tmp").
std::vector<std::string> temporaries(const std::string& dir) {
  std::vector<std::string> found;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.find(".doppel-") != std::string::npos) found.push_back(name);
  }
  return found;
}

// Regression: an output was emptied before the options were checked; a bad value left it at 0
// bytes.
TEST(SafeOutputs, ABadOptionOrInputLeavesEarlierFilesAsTheyWere) {
  const std::string dir = temp_dir();
  const std::string prev = dir + "/prev.jsonl", prev_html = dir + "/prev.html";
  const std::vector<std::vector<std::string>> runs = {
      {"dedup", news_dir(), "--output", prev, "--threshold", "1.5"},
      {"dedup", news_dir(), "--clusters", prev, "--threads", "-1"},
      {"reuse", news_dir(), "--output", prev, "--min-similarity", "7"},
      {"reuse", news_dir(), "--pairs", prev, "--normalize", "nfkc,bogus"},
      {"dedup", dir + "/missing.jsonl", "--output", prev},
      {"report", "/nonexistent", "-o", prev_html},
      {"report", news_dir(), "-o", prev_html, "--block-docs", "0"},
      {"dedup", news_dir(), "--output", prev, "--pairs", dir + "/no/such/dir/pairs.jsonl"},
  };
  for (const auto& args : runs) {
    write_file(prev, "keep\n");
    write_file(prev_html, "keep\n");
    const RunResult r = run_doppel(args);
    SCOPED_TRACE(args[0] + " " + args[args.size() - 2] + " " + args.back());
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_TRUE(r.err.starts_with("doppel: error: ")) << r.err;
    EXPECT_EQ(r.err.find("the report is an HTML page"), std::string::npos) << r.err;
    EXPECT_EQ(read_file(prev), "keep\n");
    EXPECT_EQ(read_file(prev_html), "keep\n");
    EXPECT_TRUE(temporaries(dir).empty());
  }
}

// Regression: an output was replaced by a rename, which needs only the directory's permission, so
// a file its owner had made read-only was replaced where `echo > file` is refused. Run as an
// unprivileged user (root may write anywhere): refused, and the file kept.
TEST(SafeOutputs, AWriteProtectedOutputIsRefusedAndKept) {
  const std::string dir = temp_dir();
  fs::permissions(dir, fs::perms::all);  // anyone may make files here, as in /tmp
  const std::string in = dir + "/in.jsonl", out = dir + "/mine.jsonl";
  write_file(in, jsonl_corpus("d", 5));
  write_file(out, "mine\n");
  fs::permissions(in, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  fs::permissions(out, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  std::vector<std::string> argv;
  if (::geteuid() == 0) {
    if (!fs::exists("/usr/bin/setpriv")) GTEST_SKIP() << "needs setpriv (util-linux) as root";
    argv = {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};
  }
  argv.insert(argv.end(), {DOPPEL_BINARY, "dedup", in, "--output", out});
  const RunResult r = run_program(argv);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find(out + ": cannot write: Permission denied"), std::string::npos) << r.err;
  EXPECT_EQ(read_file(out), "mine\n");
  EXPECT_TRUE(temporaries(dir).empty());
}

// A run that fails after its outputs were opened (no document could be read) writes none.
TEST(SafeOutputs, AFailedRunWritesNothing) {
  const std::string dir = temp_dir();
  write_file(dir + "/in.jsonl", "{\"id\":1,\"content\":\"words here\"}\n");
  write_file(dir + "/prev.jsonl", "keep\n");
  const RunResult r = run_doppel({"dedup", dir + "/in.jsonl", "--output", dir + "/prev.jsonl",
                                  "--removed", dir + "/removed.jsonl"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(read_file(dir + "/prev.jsonl"), "keep\n");
  EXPECT_FALSE(fs::exists(dir + "/removed.jsonl"));
  EXPECT_TRUE(temporaries(dir).empty());
}

// Regression: an interrupted run exited 130 without a word and left 0-byte or half-written files
// under their final names. The run reads standard input, which is held open, so that it is
// certainly in the middle when the signal comes.
TEST(SafeOutputs, AnInterruptedRunSaysSoAndLeavesEarlierFilesAsTheyWere) {
  for (const int sig : {SIGINT, SIGTERM, SIGHUP}) {
    const std::string said = sig == SIGINT   ? "doppel: interrupted (SIGINT)"
                             : sig == SIGHUP ? "doppel: hung up (SIGHUP)"
                                             : "doppel: terminated (SIGTERM)";
    for (const char* command : {"dedup", "reuse", "report"}) {
      SCOPED_TRACE(std::string(command) + " " + said);
      const std::string dir = temp_dir();
      // (The report is HTML, and refuses a JSON Lines name.)
      const std::string out = dir + (std::string(command) == "report" ? "/out.html" : "/out.jsonl");
      const std::string clusters = dir + "/clusters.jsonl";
      write_file(out, "earlier output\n");
      std::vector<std::string> args = {command, "-"};
      if (std::string(command) == "report") {
        args.insert(args.end(), {"-o", out});
      } else {
        args.insert(args.end(), {"--output", out, "--clusters", clusters});
      }
      const RunResult r = run_doppel_interrupted(args, jsonl_corpus("d", 50), sig, [&] {
        return temporaries(dir).size() == (std::string(command) == "report" ? 1u : 2u);
      });
      EXPECT_EQ(r.exit_code, 130) << r.err;
      EXPECT_TRUE(r.err.find(said) != std::string::npos) << r.err;
      EXPECT_TRUE(r.err.find("no output was written") != std::string::npos) << r.err;
      EXPECT_EQ(read_file(out), "earlier output\n");
      EXPECT_FALSE(fs::exists(clusters));
      EXPECT_TRUE(temporaries(dir).empty());
    }
  }
}

// Regression: doppel caught SIGHUP under `nohup` (and SIGINT where a shell had started it in the
// background, ignoring it): a run meant to outlive the terminal ended with 130 and no output. A
// signal inherited as ignored stays ignored; the run finishes and writes its outputs.
TEST(SafeOutputs, ASignalInheritedAsIgnoredStaysIgnored) {
  for (const int sig : {SIGHUP, SIGINT}) {
    SCOPED_TRACE(sig == SIGHUP ? "SIGHUP" : "SIGINT");
    const std::string dir = temp_dir();
    const std::string out = dir + "/out.jsonl";
    write_file(out, "earlier output\n");
    const std::vector<std::string> argv = {
        "/bin/sh",  "-c", "trap '' HUP INT; exec \"$0\" \"$@\"", DOPPEL_BINARY, "dedup", "-",
        "--output", out};
    const RunResult r = run_program_signalled(argv, jsonl_corpus("d", 50), sig,
                                              [&] { return temporaries(dir).size() == 1u; });
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err.find("(SIG"), std::string::npos) << r.err;
    EXPECT_NE(read_file(out), "earlier output\n");
    EXPECT_TRUE(temporaries(dir).empty());
  }
}

// Regression: a signal that came while the outputs were renamed into place waited (it was blocked
// in that thread only, or for the renames only) and then ended the run with "no output was
// written" after every output had been replaced. Signals sent at times spread over a run's end:
// each outcome must say truly what is on disk: all of the outputs (exit 0, or 130 saying so) or
// none.
TEST(SafeOutputs, ASignalAtTheEndOfARunSaysTrulyWhetherTheOutputsWereWritten) {
  const std::string dir = temp_dir();
  const std::string in = dir + "/in.jsonl";
  write_file(in, jsonl_corpus("d", 3000, 80));
  const std::string out = dir + "/out.jsonl", pairs = dir + "/pairs.jsonl";
  const std::vector<std::string> args = {"dedup", in, "--output", out, "--pairs", pairs, "-q"};
  const auto started = std::chrono::steady_clock::now();
  ASSERT_EQ(run_doppel(args).exit_code, 0);
  const auto took = std::chrono::steady_clock::now() - started;
  const std::string whole_out = read_file(out), whole_pairs = read_file(pairs);
  int both = 0, none = 0;
  for (int i = 0; i < 24; ++i) {
    SCOPED_TRACE("try " + std::to_string(i));
    write_file(out, "earlier output\n");
    fs::remove(pairs);
    const auto delay = took * (0.6 + 0.05 * i);
    const auto start = std::chrono::steady_clock::now();
    const RunResult r = run_doppel_interrupted(
        args, "", SIGTERM, [&] { return std::chrono::steady_clock::now() - start >= delay; });
    const bool written = read_file(out) == whole_out;
    if (written) {
      EXPECT_TRUE(fs::exists(pairs) && read_file(pairs) == whole_pairs);
      // After the commit: success, the handler saying so, or (once the command has put its
      // handlers away, at its very end) the default action of SIGTERM, 128 + 15.
      EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 143 ||
                  (r.exit_code == 130 && contains(r.err, "every output had been written")))
          << r.exit_code << " " << r.err;
      ++both;
    } else {
      EXPECT_EQ(read_file(out), "earlier output\n") << "an output half written";
      EXPECT_FALSE(fs::exists(pairs));
      // The handler saying so, or (before the command has put its handlers up, at its very
      // start, when no output is open yet) the default action of SIGTERM.
      EXPECT_TRUE((r.exit_code == 130 && contains(r.err, "no output was written")) ||
                  r.exit_code == 143)
          << r.exit_code << " " << r.err;
      ++none;
    }
    EXPECT_TRUE(temporaries(dir).empty());
  }
  RecordProperty("written", both);
  RecordProperty("not_written", none);
}

// The same, made certain: the commit pauses between its two renames (a hook for tests), and
// SIGTERM comes once the first output is in place. It must wait for the second, and say so.
TEST(SafeOutputs, ASignalDuringTheRenamesWaitsForTheLast) {
  const std::string dir = temp_dir();
  const std::string in = dir + "/in.jsonl";
  write_file(in, jsonl_corpus("d", 200));
  const std::string a = dir + "/a.jsonl", b = dir + "/b.jsonl";
  write_file(a, "earlier a\n");
  write_file(b, "earlier b\n");
  ::setenv("DOPPEL_TEST_COMMIT_PAUSE_MS", "400", 1);
  const RunResult r = run_doppel_interrupted(
      {"dedup", in, "--output", a, "--removed", b, "-q"}, "", SIGTERM,
      [&] { return read_file(a) != "earlier a\n" || read_file(b) != "earlier b\n"; });
  ::unsetenv("DOPPEL_TEST_COMMIT_PAUSE_MS");
  EXPECT_EQ(r.exit_code, 130);
  EXPECT_TRUE(contains(r.err, "doppel: terminated (SIGTERM); every output had been written"))
      << r.err;
  EXPECT_EQ(split_lines(read_file(a)).size(), 200u);
  EXPECT_NE(read_file(b), "earlier b\n");
  EXPECT_TRUE(temporaries(dir).empty());
}

TEST(SafeOutputs, TwoOutputsNamingOneFileAreRefused) {
  const std::string dir = temp_dir();
  const std::string out = dir + "/o.jsonl";
  for (const auto& other :
       {out, dir + "/./o.jsonl", dir + "/../" + fs::path(dir).filename().string() + "/o.jsonl"}) {
    SCOPED_TRACE(other);
    write_file(out, "keep\n");
    const RunResult r =
        run_doppel({"dedup", news_dir(), "--output", out, "--removed", other, "-q"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_TRUE(contains(r.err, "name the same file")) << r.err;
    EXPECT_EQ(read_file(out), "keep\n");
  }
  // Relative paths too: "o" and "./o" are one file before it exists.
  const RunResult r = run_program(
      {"/bin/sh", "-c",
       "cd " + dir + " && exec \"$0\" dedup \"$1\" --output new.jsonl --clusters ./new.jsonl -q",
       std::string(DOPPEL_BINARY), news_dir()});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_FALSE(fs::exists(dir + "/new.jsonl"));
  // A device takes several outputs.
  const RunResult null =
      run_doppel({"dedup", news_dir(), "--pairs", "/dev/null", "--clusters", "/dev/null", "-q"});
  EXPECT_EQ(null.exit_code, 0) << null.err;
}

// Distinct documents enough for outputs larger than a pipe's buffer (64 KiB).
std::string many_documents(int n) {
  std::string s;
  for (int d = 0; d < n; ++d) {
    s += "{\"id\":\"d" + std::to_string(d) + "\",\"text\":\"";
    for (int w = 0; w < 40; ++w) s += "w" + std::to_string(d * 40 + w) + " ";
    s += "\"}\n";
  }
  return s;
}

// `script` run by bash in `dir`, with "$0" the doppel binary.
RunResult run_script_in(const std::string& dir, const std::string& script) {
  return run_program(
      {"/bin/bash", "-c", "cd \"$1\" && " + script, std::string(DOPPEL_BINARY), dir});
}

// `doppel ... --output - | head`: the reader goes away. SIGPIPE killed the process, which left its
// temporary files behind; the failed write now fails the run like any other.
TEST(SafeOutputs, AReaderThatGoesAwayFailsTheRunAndLeavesNoTemporary) {
  const std::string dir = temp_dir();
  write_file(dir + "/corpus.jsonl", many_documents(3000));
  write_file(dir + "/removed.jsonl", "keep\n");
  const RunResult r = run_script_in(dir,
                                    "\"$0\" dedup corpus.jsonl --output - --removed removed.jsonl "
                                    "-q | head -c 10 > /dev/null; exit ${PIPESTATUS[0]}");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(contains(r.err, "write failed")) << r.err;
  EXPECT_EQ(read_file(dir + "/removed.jsonl"), "keep\n");
  for (const auto& e : fs::directory_iterator(dir)) {
    EXPECT_FALSE(contains(e.path().filename().string(), ".tmp")) << e.path();
  }
}

// Standard input is copied for the outputs that read the documents again. A copy that could not
// be written whole (a full $TMPDIR: here a file size limit) made the first reading take the rest
// of the stream for a damaged input, and the run succeeded with documents missing.
TEST(SafeOutputs, ACopyOfStandardInputThatCannotBeWrittenFailsTheRun) {
  const std::string dir = temp_dir();
  write_file(dir + "/corpus.jsonl", many_documents(3000));
  // bash's `ulimit -f` counts 1024-byte blocks; SIGXFSZ, ignored, is inherited by doppel.
  const RunResult r = run_script_in(
      dir,
      "trap '' XFSZ && ulimit -f 64 && cat corpus.jsonl | \"$0\" dedup - --output out.jsonl -q");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(contains(r.err, "temporary copy of standard input")) << r.err;
  EXPECT_FALSE(fs::exists(dir + "/out.jsonl"));
}

// A named pipe given as input is read once, like standard input, and copied for the outputs that
// read the documents again.
TEST(SafeOutputs, ANamedPipeInputServesEveryOutput) {
  const std::string dir = temp_dir();
  const std::string corpus = jsonl_corpus("p", 40);
  write_file(dir + "/in.jsonl", corpus);
  const std::string fifo = dir + "/pipe";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  ASSERT_NO_FATAL_FAILURE(shell("cat " + dir + "/in.jsonl > " + fifo + " &"));
  const RunResult r =
      run_doppel({"dedup", "--format", "jsonl", fifo, "--output", dir + "/kept.jsonl", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_file(dir + "/kept.jsonl"), corpus) << "40 distinct documents, all kept";
}

TEST(SafeOutputs, ASuccessfulRunReplacesTheFilesAndLeavesNoTemporary) {
  const std::string dir = temp_dir();
  write_file(dir + "/out.jsonl", "earlier output\n");
  const RunResult r = run_doppel({"dedup", news_dir(), "--output", dir + "/out.jsonl", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(split_lines(read_file(dir + "/out.jsonl")).size(), 9u);  // the kept documents
  EXPECT_TRUE(temporaries(dir).empty());
}

// Regression (found while building the temporaries): a device must be written, never replaced;
// `--clusters /dev/null` is how benchmarks throw an output away.
TEST(SafeOutputs, DevicesAreWrittenInPlaceAndLinksKeepPointing) {
  const RunResult r = run_doppel({"dedup", news_dir(), "--clusters", "/dev/null", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  struct stat st {};
  ASSERT_EQ(stat("/dev/null", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode)) << "/dev/null is still a device";

  const std::string dir = temp_dir();
  write_file(dir + "/target.jsonl", "old\n");
  fs::create_symlink(dir + "/target.jsonl", dir + "/link.jsonl");
  const RunResult linked =
      run_doppel({"dedup", news_dir(), "--clusters", dir + "/link.jsonl", "-q"});
  ASSERT_EQ(linked.exit_code, 0) << linked.err;
  EXPECT_TRUE(fs::is_symlink(dir + "/link.jsonl"));
  EXPECT_NE(read_file(dir + "/target.jsonl"), "old\n");
  EXPECT_EQ(split_lines(read_file(dir + "/target.jsonl")).size(), 2u);
  // A link to a file that does not exist yet: the file is made, the link stays (relative too).
  fs::create_symlink("made.jsonl", dir + "/dangling.jsonl");
  const RunResult dangling =
      run_doppel({"dedup", news_dir(), "--clusters", dir + "/dangling.jsonl", "-q"});
  ASSERT_EQ(dangling.exit_code, 0) << dangling.err;
  EXPECT_TRUE(fs::is_symlink(dir + "/dangling.jsonl"));
  EXPECT_EQ(split_lines(read_file(dir + "/made.jsonl")).size(), 2u);
}

// /dev/stdout, /dev/stderr and /dev/fd/N name the process's own descriptors. Opened by name and
// replaced like a file, the file the shell had redirected to lost what was written before
// (`{ echo; doppel ...; } > f`, `2>> log`) and whatever came after went to the deleted file.
TEST(SafeOutputs, AnOutputNamingADescriptorIsWrittenThroughItWhereTheShellLeftIt) {
  const std::string dir = temp_dir();
  write_file(dir + "/corpus.jsonl", many_documents(20));
  const RunResult r = run_script_in(
      dir,
      "{ echo before; \"$0\" dedup corpus.jsonl --removed /dev/stdout --output /dev/fd/1; "
      "echo after; } > grouped.txt && echo old > log.txt && "
      "\"$0\" dedup corpus.jsonl --stats /dev/stderr 2>> log.txt > /dev/null && "
      "\"$0\" dedup corpus.jsonl --output /dev/fd/7 -q 7> seven.txt");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto grouped = split_lines(read_file(dir + "/grouped.txt"));
  ASSERT_EQ(grouped.size(), 22u) << read_file(dir + "/grouped.txt");
  EXPECT_EQ(grouped.front(), "before");
  EXPECT_EQ(grouped.back(), "after");
  EXPECT_FALSE(contains(read_file(dir + "/grouped.txt"), "cluster")) << "no listing among them";
  const std::string log = read_file(dir + "/log.txt");
  EXPECT_EQ(log.rfind("old\n", 0), 0u) << log;
  EXPECT_TRUE(contains(log, "\"version\"")) << log;
  EXPECT_TRUE(contains(log, "doppel dedup: 20 documents")) << "the summary after the stats";
  EXPECT_EQ(split_lines(read_file(dir + "/seven.txt")).size(), 20u);
  const RunResult closed = run_doppel({"dedup", dir + "/corpus.jsonl", "--output", "/dev/fd/9"});
  EXPECT_EQ(closed.exit_code, 2);
  EXPECT_TRUE(contains(closed.err, "/dev/fd/9: cannot write: Bad file descriptor")) << closed.err;
  // A descriptor the shell did not open is not one doppel opened for another output: the first
  // temporary took descriptor 3, and /dev/fd/3 wrote into it.
  write_file(dir + "/pairs.jsonl", "kept\n");
  const RunResult three = run_script_in(
      dir, "\"$0\" dedup corpus.jsonl --clusters pairs.jsonl --output /dev/fd/3 -q 3>&-");
  EXPECT_EQ(three.exit_code, 2) << three.err;
  EXPECT_TRUE(contains(three.err, "/dev/fd/3: cannot write: Bad file descriptor")) << three.err;
  EXPECT_EQ(read_file(dir + "/pairs.jsonl"), "kept\n");
  // Standard output redirected to the file another output replaces: refused, as two outputs
  // naming one file are (the renamed file would have lost what went through the descriptor).
  const RunResult same = run_script_in(
      dir, "\"$0\" dedup corpus.jsonl --removed out.txt --output /dev/stdout -q > out.txt");
  EXPECT_EQ(same.exit_code, 2) << same.err;
  EXPECT_TRUE(contains(same.err, "name the same file")) << same.err;
}

// Regression: a replaced output took the default permissions; a private file became readable.
TEST(SafeOutputs, AReplacedFileKeepsItsPermissions) {
  const std::string dir = temp_dir();
  const std::string out = dir + "/private.jsonl";
  write_file(out, "old\n");
  fs::permissions(out, fs::perms::owner_read | fs::perms::owner_write);
  const RunResult r = run_doppel({"dedup", news_dir(), "--clusters", out, "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(read_file(out), "old\n");
  EXPECT_EQ(fs::status(out).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
}

// --- wrong input fails loudly ----------------------------------------------------------------

// Regression: a JSON Lines file whose text field is `content` gave 300 of 300 missing_text, exit
// 0, "No duplicates found." and an empty --output.
TEST(WrongInput, NoReadableDocumentIsAnErrorThatNamesTheFields) {
  const std::string dir = temp_dir();
  std::string corpus;
  for (int i = 0; i < 300; ++i) {
    corpus += "{\"id\":\"d" + std::to_string(i) + "\",\"content\":\"" + random_text(i, 40) +
              "\",\"title\":\"t\"}\n";
  }
  write_file(dir + "/c.jsonl", corpus);
  for (const char* command : {"dedup", "reuse", "report"}) {
    const RunResult r = run_doppel({command, dir + "/c.jsonl", "-q"});
    EXPECT_EQ(r.exit_code, 2) << command;
    EXPECT_TRUE(r.err.find("none of the 300 documents could be read (300 missing_text)") !=
                std::string::npos)
        << r.err;
    EXPECT_TRUE(r.err.find("no \"text\" field (the line has \"id\", \"content\", \"title\")") !=
                std::string::npos)
        << r.err;
    EXPECT_TRUE(r.err.find("set --text-field to the field that holds the text, perhaps "
                           "\"content\"") != std::string::npos)
        << r.err;
  }
  const RunResult fixed = run_doppel({"dedup", dir + "/c.jsonl", "--text-field", "content", "-q"});
  EXPECT_EQ(fixed.exit_code, 0) << fixed.err;
}

// Regression: a JSON Lines file named .json was read as one text document.
TEST(WrongInput, JsonFilesAreJsonLinesOrRefused) {
  const std::string dir = temp_dir();
  const std::string a = random_text(1, 50), b = random_text(2, 50);
  write_file(dir + "/lines.json", jsonl_doc("x", a) + "\n" + jsonl_doc("y", a) + "\n");
  const RunResult lines = run_doppel({"dedup", dir + "/lines.json", "--clusters", "-", "-q"});
  ASSERT_EQ(lines.exit_code, 0) << lines.err;
  EXPECT_TRUE(lines.out.find("\"representative\":\"x\"") != std::string::npos) << lines.out;

  write_file(dir + "/array.json", "[" + jsonl_doc("x", a) + ",\n" + jsonl_doc("y", b) + "]\n");
  const RunResult array = run_doppel({"dedup", dir + "/array.json"});
  EXPECT_EQ(array.exit_code, 2);
  EXPECT_TRUE(array.err.find("one JSON array, not JSON Lines") != std::string::npos) << array.err;
  EXPECT_TRUE(array.err.find("jq -c '.[]'") != std::string::npos) << array.err;
}

TEST(WrongInput, TwoDirectoriesWithTheSameRelativePathKeepDistinctIds) {
  const std::string dir = temp_dir();
  fs::create_directories(dir + "/2023");
  fs::create_directories(dir + "/2024");
  write_file(dir + "/2023/article.txt", random_text(5, 80));
  write_file(dir + "/2024/article.txt", random_text(6, 80));
  const RunResult r = run_doppel({"dedup", dir + "/2023", dir + "/2024", "--output", "-", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.find("\"id\":\"2023/article.txt\"") != std::string::npos) << r.out;
  EXPECT_TRUE(r.out.find("\"id\":\"2024/article.txt\"") != std::string::npos) << r.out;
  EXPECT_EQ(split_lines(r.out).size(), 2u);
}

}  // namespace
}  // namespace doppel::test
