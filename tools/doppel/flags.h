// Every flag of every command, each defined once (flags.cc) with its help text and bound to one
// field of Settings. A command names the flags it takes; --help and the tables of docs/cli.md
// are generated from the same definitions (doppel docs-cli, checked by a test).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "doppel/dedup.h"
#include "doppel/index.h"
#include "doppel/options.h"
#include "doppel/report.h"
#include "doppel/reuse.h"

// CLI11 is header-only and slow to compile (about ten seconds a file under the test build's
// sanitizers), so only flags.cc and main.cc include it; the commands reach it through the few
// functions below.
namespace CLI {
class App;
}

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
  // doppel index and serve: the matching options (those the index shares with dedup and reuse
  // are set through their fields and copied in by prepare_options()), and the call's.
  IndexOptions index;
  IndexReadOptions index_read;
  std::string index_path;  // INDEX
  bool no_sync = false;
  std::string listen = "127.0.0.1:8080";
  std::string token_file;
  std::string access_log;  // "" none, "-" standard error
  std::size_t max_body = std::size_t{16} << 20;
  int http_threads = 8;
  std::size_t queue = 64;

  // Outputs; "" when not given, "-" for standard output.
  std::string clusters, pairs, removed, documents, output, stats, answers;
  std::string report_output = "doppel-report.html";
  int show = 20;
  bool show_new = false;
  bool listing = false;  // index add and query: the answers for a person on standard output
};

// The commands, in the order --help lists them.
enum class Command {
  kDedup,
  kReuse,
  kReport,
  kIndexAdd,
  kIndexQuery,
  kIndexRemove,
  kIndexStats,
  kIndexExport,
  kServe
};
// "dedup", ..., "index-add", ..., "serve": the command's name in docs/cli.md's markers.
std::string_view command_name(Command command);
// doppel index's subcommands and doppel serve: they take an INDEX first.
bool is_index_command(Command command);
inline constexpr Command kAllCommands[] = {
    Command::kDedup,      Command::kReuse,       Command::kReport,
    Command::kIndexAdd,   Command::kIndexQuery,  Command::kIndexRemove,
    Command::kIndexStats, Command::kIndexExport, Command::kServe};

// A new subcommand `name` of `parent`, with the description --help lists (none: hidden from
// --help) and the footer its --help ends with.
CLI::App& add_subcommand(CLI::App& parent, const std::string& name, const std::string& description,
                         const std::string& footer);
// `cmd` then needs exactly one of its subcommands (doppel index COMMAND).
void require_one_subcommand(CLI::App& cmd);
// Whether `cmd` was named on the command line.
bool was_parsed(const CLI::App& cmd);

// Registers the flags of `command` on `cmd`, bound to `settings`, in groups (Input, Matching,
// Output, Running).
void add_flags(Command command, CLI::App& cmd, Settings& settings);

// The matching options (by their library names: "threshold", "min_words") whose flags were given
// to `cmd`: an existing index must have been made with the same values.
std::vector<std::string> given_matching_options(Command command, const CLI::App& cmd);

// The markdown tables of `command`'s flags, one per group, as docs/cli.md holds them between
// "<!-- flags:NAME -->" and "<!-- /flags -->".
std::string flags_markdown(Command command);

// A library message with its options (`max_doc_bytes`) written as this tool's flags
// (--max-doc-bytes), for every option that is a flag here.
std::string with_flag_names(std::string_view message);

}  // namespace doppel::cli
