// `doppel report`: runs dedup and reuse over one reading of a corpus and writes one
// self-contained HTML file that shows what they found (docs/report.md). Its flags are defined in
// flags.cc.
#include <fmt/format.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "cli_common.h"
#include "commands.h"
#include "doppel/report.h"
#include "doppel_version.h"
#include "run_outputs.h"

namespace doppel::cli {
namespace {

std::vector<OutputFlag> outputs_of(const Settings& s) { return {{"--output", &s.report_output}}; }

// `seconds`: the whole command's, the run and the writing.
void print_summary(const Settings& s, const DedupAndReuse& run, double seconds) {
  const DedupResult& dd = run.dedup;
  const ReuseResult& r = run.reuse;
  std::string out =
      summary_head("report", dd.corpus.stats, dd.corpus.inputs.size(), seconds, dd.stats.threads);
  out += document_accounting(dd.corpus.stats, s.dedup.read);
  // The documents a dedup would remove, then the clusters they fall in (dedup's own lines).
  out += fmt::format("  exact duplicates  {:>12}\n", thousands(dd.stats.exact_duplicates));
  out += fmt::format("  near duplicates   {:>12}\n", thousands(dd.stats.near_duplicates));
  out += fmt::format("  clusters          {:>12}  ({} exact, {} near)\n",
                     thousands(dd.stats.exact_clusters + dd.stats.near_clusters),
                     thousands(dd.stats.exact_clusters), thousands(dd.stats.near_clusters));
  out += fmt::format("  passages          {:>12}  ({} occurrences)\n", thousands(r.clusters.size()),
                     thousands(r.occurrences.size()));
  out += summary_long_words(r.stats.long_word_docs);
  out += summary_dates(dd.corpus, s.dedup.read, "passages have no source");
  std::error_code ec;
  const auto bytes = std::filesystem::file_size(s.report_output, ec);
  out += fmt::format("  report            {}  ({})\n", s.report_output,
                     ec ? std::string("size unknown") : human_bytes(double(bytes)));
  out += summary_memory(std::max(dd.stats.peak_rss_bytes, r.stats.peak_rss_bytes),
                        dd.corpus.stats.documents);
  std::fputs(out.c_str(), stderr);
}

Status run_report(Settings& s) {
  const auto start = std::chrono::steady_clock::now();
  // Both runs' options before anything is read or written: a bad --min-words must neither wait
  // for the run nor leave an empty report behind. The texts are read again for the report, so
  // standard input is kept.
  DOPPEL_RETURN_IF_ERROR(prepare_options(Command::kReport, outputs_of(s), true, s));
  // The report is HTML; a JSON Lines name is a mistake for reuse's --output (the new text), and
  // would leave HTML where a pipeline expects JSON.
  std::string extension = std::filesystem::path(s.report_output).extension().string();
  for (char& c : extension) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (extension == ".json" || extension == ".jsonl" || extension == ".ndjson") {
    return Status::InvalidArgument(fmt::format(
        "--output {}: the report is an HTML page; give it a .html name (the JSON Lines outputs "
        "are doppel reuse's and dedup's, --output among them)",
        s.report_output));
  }
  RunOutputs outputs;
  const InterruptGuard guard(s.dedup.progress);
  DOPPEL_RETURN_IF_ERROR(outputs.open(outputs_of(s)));

  Warnings warnings(s, s.dedup.progress, "doppel dedup --removed FILE");
  auto run = dedup_and_reuse(s.inputs, s.dedup, s.reuse, warnings.callback());
  warnings.print_hidden(!run.ok());
  if (!run.ok()) return run.status();
  s.report.generator = std::string("doppel ") + DOPPEL_VERSION;
  DOPPEL_RETURN_IF_ERROR(
      write_html_report(run->dedup, run->reuse, s.report, outputs.stream(s.report_output)));
  DOPPEL_RETURN_IF_ERROR(outputs.commit());
  if (!s.quiet) {
    print_summary(s, *run,
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return Status::Ok();
}

}  // namespace

std::function<int()> add_report_command(CLI::App& app) {
  auto settings = std::make_shared<Settings>();
  CLI::App* cmd = &add_subcommand(
      app, "report",
      "Run dedup and reuse over one reading of the inputs and write one self-contained HTML "
      "report (no network needed) of the duplicates and shared passages.",
      "Examples:\n"
      "  doppel report articles/ -o report.html\n"
      "  doppel report corpus.jsonl.zst --threshold 0.7 --min-words 20 -o report.html\n"
      "  zstdcat corpus.jsonl.zst | doppel report - -o report.html\n"
      "Exit status: 0 on success; 2 on an error (bad usage, unreadable input, no readable\n"
      "document, --on-error=fail); 130 when interrupted. The report is written only on success.\n"
      "The report: docs/report.md.");
  add_flags(Command::kReport, *cmd, *settings);
  return [settings] {
    const Status s = run_report(*settings);
    return s.ok() ? kExitOk : fail(s);
  };
}

}  // namespace doppel::cli
