// `doppel report`: runs dedup and reuse over a corpus and writes one self-contained HTML file that
// shows what they found (docs/report.md). Flags are defined once, here, with their help text;
// docs/cli.md repeats them for readers.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "cli_common.h"
#include "commands.h"
#include "doppel/dedup.h"
#include "doppel/report.h"
#include "doppel/reuse.h"
#include "doppel_version.h"

namespace doppel::cli {
namespace {

struct ReportFlags {
  CommonFlags common;
  DedupOptions dedup;
  ReuseOptions reuse;
  ReportOptions report;
  std::string output = "doppel-report.html";
  std::vector<OutputFlag> outputs() const { return {{"--output", &output}}; }
};

// `seconds`: the whole command's, both runs and the writing.
void print_summary(const ReportFlags& f, const DedupResult& dd, const ReuseResult& r,
                   double seconds) {
  std::string s = summary_head("report", dd, seconds);
  s += document_accounting(dd, f.dedup.read);
  s += fmt::format("  near duplicates   {:>12}  ({} exact and {} near-duplicate clusters)\n",
                   thousands(dd.stats.by_status[static_cast<int>(DocStatus::kExactDuplicate)] +
                             dd.stats.by_status[static_cast<int>(DocStatus::kNearDuplicate)]),
                   thousands(dd.stats.exact_clusters), thousands(dd.stats.near_clusters));
  s += fmt::format("  passages          {:>12}  ({} occurrences)\n", thousands(r.clusters.size()),
                   thousands(r.occurrences.size()));
  std::error_code ec;
  const auto bytes = std::filesystem::file_size(f.output, ec);
  s += fmt::format("  report            {}  ({})\n", f.output,
                   ec ? std::string("size unknown") : human_bytes(double(bytes)));
  s += summary_memory(r.corpus.stats.peak_rss_bytes > dd.stats.peak_rss_bytes ? r.corpus.stats
                                                                              : dd.stats);
  std::fputs(s.c_str(), stderr);
}

Status run_report(ReportFlags& f) {
  if (std::find(f.common.inputs.begin(), f.common.inputs.end(), "-") != f.common.inputs.end()) {
    return Status::InvalidArgument(
        "doppel report reads its input three times and cannot read standard input ('-'); save "
        "it to a file first");
  }
  const auto start = std::chrono::steady_clock::now();
  DedupOptions& d = f.dedup;
  ReuseOptions& u = f.reuse;
  d.threads = u.threads = f.common.threads;
  d.progress = u.progress = want_progress(f.common);
  u.read = d.read;
  // Both runs' options before anything is written or read: a bad --min-words must neither wait
  // for dedup nor leave an empty report behind.
  DOPPEL_RETURN_IF_ERROR(validate_options(d));
  DOPPEL_RETURN_IF_ERROR(validate_options(u));
  RunFiles files;
  DOPPEL_RETURN_IF_ERROR(open_run(f.common, f.outputs(), false, d.normalize, files));
  u.normalize = d.normalize;

  // Bad input is reported once, by the first run; the second reads the same documents.
  Warnings warnings(f.common, d.progress, "doppel dedup --removed FILE");
  auto dd = dedup(f.common.inputs, d, warnings.callback());
  if (!dd.ok()) return dd.status();
  warnings.print_hidden();
  auto r = reuse(f.common.inputs, u);
  if (!r.ok()) return r.status();
  f.report.generator = std::string("doppel ") + DOPPEL_VERSION;
  DOPPEL_RETURN_IF_ERROR(
      write_html_report(*dd, *r, u.read, std::string(), f.report, files.out(f.output)));
  if (!f.common.quiet) {
    print_summary(f, *dd, *r,
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return Status::Ok();
}

int run(ReportFlags& f) {
  const Status s = run_report(f);
  return s.ok() ? kExitOk : fail(s);
}

}  // namespace

std::function<int()> add_report_command(CLI::App& app) {
  auto flags = std::make_shared<ReportFlags>();
  ReportFlags& f = *flags;
  CLI::App* cmd = app.add_subcommand(
      "report",
      "Run dedup and reuse and write one self-contained HTML report (no network needed) of the "
      "duplicates and shared passages.");
  cmd->footer(
      "Examples:\n"
      "  doppel report articles/ -o report.html\n"
      "  doppel report corpus.jsonl.zst --threshold 0.7 --min-words 20 -o report.html\n"
      "Exit status: 0 on success, 2 on an error (bad usage, unreadable input, --on-error=fail).\n"
      "The report: docs/report.md.");
  add_input_flags(cmd, f.common, f.dedup.read);

  auto* match = cmd->add_option_group("Matching");
  add_normalize_flag(match, f.common);
  match
      ->add_option("--threshold", f.dedup.lsh.threshold,
                   "Near duplicates: least Jaccard similarity of word 5-gram shingles")
      ->capture_default_str();
  match->add_option("--min-words", f.reuse.min_words, "Passages: shortest reported, in words")
      ->capture_default_str();
  match
      ->add_option("--min-similarity", f.reuse.min_similarity,
                   "Passages: least share of aligned words that match")
      ->capture_default_str();

  auto* output = cmd->add_option_group("Output");
  output->add_option("-o,--output", f.output, "The HTML file to write")->capture_default_str();
  output->add_option("--title", f.report.title, "Title of the report")->capture_default_str();
  output
      ->add_option("--block-docs", f.report.text_block_docs,
                   "Documents per block of text that the browser parses on demand")
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str();

  add_running_flags(cmd, f.common);
  return [flags] { return run(*flags); };
}

}  // namespace doppel::cli
