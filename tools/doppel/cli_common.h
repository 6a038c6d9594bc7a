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

// What a command opens before it runs: its outputs, keyed by path, and a copy of standard input
// when it is read and must be read again.
struct RunFiles {
  std::map<std::string, FilePtr> outputs;
  StdinCopy stdin_copy;
  std::FILE* out(const std::string& path) const { return outputs.at(path).get(); }
  // Runs `write(FILE*)` when `path` was given.
  template <typename Write>
  Status write_if_given(const std::string& path, Write write) const {
    return path.empty() ? Status::Ok() : write(out(path));
  }
};

// Parses --normalize ("nfkc,case,punct,space" or "none") into `normalize`; refuses what would
// destroy or feed back the user's data (an output that is an input file, which would be truncated
// before it is read; an output inside an input directory, which would be read as input; standard
// input given twice); opens every output, so that a typo in a path costs nothing; and copies
// standard input if it is an input and `reread_input` is true.
Status open_run(const CommonFlags& f, const std::vector<OutputFlag>& outputs, bool reread_input,
                NormalizeOptions& normalize, RunFiles& files);

// The first line of a summary ("doppel JOB: N documents from F files in S s ... threads"), with
// rates over `seconds`, and the peak-memory line.
std::string summary_head(std::string_view job, const DedupResult& r, double seconds);
std::string summary_memory(const DedupStats& st);

}  // namespace doppel::cli
