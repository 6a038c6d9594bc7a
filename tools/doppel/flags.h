// Every flag of every command, each defined once (flags.cc) with its help text and bound to one
// field of Settings. A command names the flags it takes; --help and the tables of docs/cli.md
// are generated from the same definitions (doppel docs-cli, checked by a test).
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "doppel/dedup.h"
#include "doppel/options.h"
#include "doppel/report.h"
#include "doppel/reuse.h"

namespace doppel::cli {

// Everything the flags set. Options that both jobs share (reading, normalization, threads) are
// set once here and copied into each job's options by prepare_options().
struct Settings {
  std::vector<std::string> inputs;
  ReadOptions read;
  std::string normalize = "nfkc,case,punct,space";
  int threads = 0;
  std::string progress = "auto";
  int max_warnings = 20;
  bool quiet = false;

  DedupOptions dedup;
  ReuseOptions reuse;
  ReportOptions report;

  // Outputs; "" when not given, "-" for standard output.
  std::string clusters, pairs, removed, documents, output, stats;
  std::string report_output = "doppel-report.html";
  int show = 20;
  bool show_new = false;
};

// The commands, in the order --help lists them.
enum class Command { kDedup, kReuse, kReport };
std::string_view command_name(Command command);

// Registers the flags of `command` on `cmd`, bound to `settings`, in groups (Input, Matching,
// Output, Running).
void add_flags(Command command, CLI::App& cmd, Settings& settings);

// The markdown tables of `command`'s flags, one per group, as docs/cli.md holds them between
// "<!-- flags:NAME -->" and "<!-- /flags -->".
std::string flags_markdown(Command command);

// A library message with its options (`max_doc_bytes`) written as this tool's flags
// (--max-doc-bytes), for every option that is a flag here.
std::string with_flag_names(std::string_view message);

}  // namespace doppel::cli
