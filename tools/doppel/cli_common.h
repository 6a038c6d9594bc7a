// What every subcommand shares: output files, the checks that protect the user's inputs, the
// input and running flags, the temporary copy of standard input, warnings and number formatting.
#pragma once

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "doppel/dedup.h"
#include "doppel/options.h"
#include "doppel/status.h"

namespace doppel::cli {

struct FileCloser {
  void operator()(std::FILE* f) const {
    if (f != nullptr && f != stdout) std::fclose(f);
  }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

// An output flag and its path ("" when not given, "-" for standard output).
using OutputFlag = std::pair<const char*, const std::string*>;

// Refuses what would destroy or feed back the user's data: an output that is an input file (it
// would be truncated before it is read), an output inside an input directory (it would be read as
// input), and standard input given twice (it can be read only once).
Status check_outputs_are_not_inputs(const std::vector<std::string>& inputs,
                                    const std::vector<OutputFlag>& outputs);

// Opens every given output, so that a typo in a path costs nothing. Keyed by path.
Result<std::map<std::string, FilePtr>> open_outputs(const std::vector<OutputFlag>& outputs);

// "nfkc,case,punct,space" or "none".
Status parse_normalize(const std::string& spec, NormalizeOptions& out);

std::string human_bytes(double bytes);
std::string thousands(std::uint64_t n);

// Standard input can be read once: a temporary copy, removed on destruction, lets a writer read
// it again. Empty unless needed.
class StdinCopy {
 public:
  Status create_if(bool needed);
  ~StdinCopy();
  std::FILE* file() const { return file_.get(); }
  const std::string& path() const { return path_; }
  void flush() const {
    if (file_) std::fflush(file_.get());
  }

 private:
  FilePtr file_;
  std::string path_;
};

// The flags every job shares.
struct CommonFlags {
  std::vector<std::string> inputs;
  std::string normalize = "nfkc,case,punct,space";
  std::string progress = "auto";
  bool quiet = false;
  int max_warnings = 20;
  int threads = 0;
};

// Prints bad-input warnings as they come, up to a limit; then counts them.
class Warnings {
 public:
  // `where_all`: where the user finds every problem ("--removed FILE").
  Warnings(const CommonFlags& flags, bool progress, const char* where_all)
      : flags_(flags), progress_(progress), where_all_(where_all) {}
  ProblemCallback callback();
  void print_hidden() const;

 private:
  const CommonFlags& flags_;
  bool progress_;
  const char* where_all_;
  int shown_ = 0, hidden_ = 0;
};

// A flag whose value is one of a few names; --help shows them as NAME|NAME.
template <typename T>
CLI::Option* add_choice(CLI::Option_group* group, const std::string& flag, T& value,
                        const std::string& help,
                        const std::vector<std::pair<std::string, T>>& names,
                        const std::string& default_name) {
  std::map<std::string, T> map(names.begin(), names.end());
  std::string type;
  for (const auto& [name, v] : names) type += (type.empty() ? "" : "|") + name;
  return group->add_option(flag, value, help)
      ->transform(CLI::CheckedTransformer(map, CLI::ignore_case).description(""))
      ->type_name(type)
      ->default_str(default_name);
}

// The positional inputs and the "Input" group (--format, --id-field, ..., --on-error).
void add_input_flags(CLI::App* cmd, CommonFlags& f, ReadOptions& read);
// --normalize, in the given group.
void add_normalize_flag(CLI::Option_group* group, CommonFlags& f);
// The "Running" group: --threads, --progress, --max-warnings, --quiet.
void add_running_flags(CLI::App* cmd, CommonFlags& f);
// Whether to draw a progress bar: --progress, and standard error being a terminal.
bool want_progress(const CommonFlags& f);

// The summary lines on documents read: bad input by reason, damaged files, blank lines,
// synthesized ids.
std::string document_accounting(const DedupResult& r, const ReadOptions& read);

int fail(const Status& s);

}  // namespace doppel::cli
