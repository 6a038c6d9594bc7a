// What every subcommand shares: turning Settings into each job's options and checking them,
// the checks that protect the user's inputs, warnings, summaries, number formatting and the one
// place where errors become messages and exit codes (docs/cli.md).
#pragma once

#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "doppel/corpus.h"
#include "doppel/options.h"
#include "doppel/status.h"
#include "flags.h"

namespace doppel::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 2;  // bad usage, unreadable input, no documents, failed write,
                                      // --on-error=fail
inline constexpr int kExitInterrupted =
    130;  // SIGINT, SIGTERM or SIGHUP (128 + 2, as shells report SIGINT)

// An output flag and its path ("" when not given, "-" for standard output).
using OutputFlag = std::pair<const char*, const std::string*>;

// Whether any output given goes to standard output: `-`, or a name of it (/dev/stdout,
// /dev/fd/1). The listing is then left out, so that standard output holds the output alone.
bool any_on_standard_output(const std::vector<OutputFlag>& outputs);

std::string human_bytes(double bytes);
std::string thousands(std::uint64_t n);
std::string percent(std::uint64_t part, std::uint64_t whole);

// Copies the shared settings (reading, normalization, threads, progress) into the options of
// both jobs and checks everything that can be checked before a file is opened: --normalize, the
// jobs' options, and that no output would destroy or feed back an input (an output that is an
// input file would be truncated before it is read; one inside an input directory would be read
// as input; standard input can be given once). `rereads` says whether the run reads its input a
// second time (standard input is then kept).
Status prepare_options(Command command, const std::vector<OutputFlag>& outputs, bool rereads,
                       Settings& s);

// Whether to draw a progress bar: --progress, and standard error being a terminal.
bool want_progress(const Settings& s);

// Prints bad-input warnings as they come, up to --max-warnings; then counts them.
class Warnings {
 public:
  // `where_all`: where the user finds every problem ("--removed FILE").
  Warnings(const Settings& s, bool progress, const char* where_all)
      : settings_(s), progress_(progress), where_all_(where_all) {}
  ProblemCallback callback();
  // Problems counted but not given to the callback (the ranks of a distributed run send rank 0
  // only the first few).
  void add_hidden(std::uint64_t n) { hidden_ += static_cast<int>(n); }
  // The count of the problems not shown; `run_failed`: the outputs that would list them all are
  // not written, so it is not pointed to.
  void print_hidden(bool run_failed = false) const;

 private:
  const Settings& settings_;
  bool progress_;
  const char* where_all_;
  int shown_ = 0, hidden_ = 0;
};

// The summary lines on documents read: bad input by reason, damaged files, blank lines,
// synthesized ids.
std::string document_accounting(const ReadStats& st, const ReadOptions& read);

// The first line of a summary ("doppel JOB: N documents from F files in S s ... threads"), with
// rates over `seconds`, and the peak-memory line.
std::string summary_head(std::string_view job, const ReadStats& st, std::size_t files,
                         double seconds, int threads);
// A distributed run's line: its ranks and the bytes they sent each other.
std::string summary_ranks(int ranks, std::uint64_t bytes_sent, std::uint64_t documents);
std::string summary_memory(std::uint64_t peak_rss_bytes, std::uint64_t documents);
// "  dates  none ..." when no document read has a date (passages then have no source, and a
// misnamed --date-field would go unnoticed); "  dates unread N ..." when some dates are not in a
// form doppel reads as a moment (they are ordered as text); "" otherwise.
// `without_dates`: what having none means ("passages have no source").
std::string summary_dates(const Corpus& corpus, const ReadOptions& read,
                          std::string_view without_dates);
// The same from counts, which a distributed run sums over its ranks (the example is rank 0's,
// or none); `readable`: the documents read.
struct DateCounts {
  std::uint64_t dated = 0, unread = 0;
  std::string example_date, example_id;  // printable; the first unread one
};
DateCounts count_dates(const Corpus& corpus);
std::string summary_dates(const DateCounts& counts, std::uint64_t readable, const ReadOptions& read,
                          std::string_view without_dates);
// "  long words  N documents ..." (ReuseStats::long_word_docs) when N > 0; "" otherwise.
std::string summary_long_words(std::uint64_t documents);

// `text` for a terminal: each control character but tab and line ends (ESC, a lone carriage
// return, the C1 controls U+0080-U+009F, ...) written as \xHH (\xC2\xHH for a C1 control), and
// the bidirectional marks, embeddings, overrides and isolates (U+061C, U+200E-U+200F,
// U+202A-U+202E, U+2066-U+2069) as \uHHHH.
// Ids, dates and texts come from the input: an escape sequence among them would drive the user's
// terminal, and an override would show the rest of the line reordered.
std::string printable(std::string_view text);
// The same for one field of a line (an id, a date): tab and newline written as \x09 and \x0A too.
std::string printable_field(std::string_view text);

// The listings' one-line excerpts of texts (text/excerpt.h), for `count` texts that
// `read(fn)` passes to fn(k, text) by their number k: the documents' or passages' texts, read
// again from the corpus's inputs, up to `stored_bytes` of them (document_texts.h). None where the
// inputs cannot be read again (standard input not kept for a second reading); none, with a note,
// where that would read more than kListingReadBytes (tests lower it with the environment variable
// DOPPEL_LISTING_READ_BYTES); none, with a warning, where the reading
// fails (an input changed since the run read it). `what` names the listed things in messages.
inline constexpr std::uint64_t kListingReadBytes = std::uint64_t{2} << 30;
std::uint64_t listing_read_bytes();  // kListingReadBytes, or DOPPEL_LISTING_READ_BYTES
using TextVisitor = std::function<Status(std::size_t k, std::string_view text)>;
std::vector<std::string> listing_excerpts(const Corpus& corpus, std::size_t count,
                                          std::uint64_t stored_bytes,
                                          const std::function<Status(const TextVisitor&)>& read,
                                          std::string_view what);

// Prints the error (options written as flags) and returns the exit status. `where`: the rank
// and host of a distributed run's rank that failed ("rank 1 on node7"), or "".
int fail(const Status& s, std::string_view where = {});

}  // namespace doppel::cli
