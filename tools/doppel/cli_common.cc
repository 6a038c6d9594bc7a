#include "cli_common.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "commands.h"

namespace doppel::cli {
namespace {

Status check_outputs_are_not_inputs(const std::vector<std::string>& inputs,
                                    const std::vector<OutputFlag>& outputs) {
  namespace fs = std::filesystem;
  if (std::count(inputs.begin(), inputs.end(), "-") > 1) {
    return Status::InvalidArgument("standard input (-) can be given only once");
  }
  for (const auto& [flag, path] : outputs) {
    if (path->empty() || *path == "-") continue;
    std::error_code ec;
    const fs::path out = fs::weakly_canonical(*path, ec);
    if (ec) continue;  // opening it will say what is wrong
    for (const auto& in : inputs) {
      if (in == "-") continue;
      const fs::path input = fs::weakly_canonical(in, ec);
      if (ec) continue;
      if (out == input) {
        return Status::InvalidArgument(fmt::format(
            "{} {}: this file is also an input; writing it would destroy it", flag, *path));
      }
      if (fs::is_directory(input, ec)) {
        const auto mismatch = std::mismatch(input.begin(), input.end(), out.begin(), out.end());
        if (mismatch.first == input.end() ||
            (std::next(mismatch.first) == input.end() && mismatch.first->empty())) {
          return Status::InvalidArgument(fmt::format(
              "{} {}: this file is inside the input directory {} and would be read as input; "
              "write it elsewhere",
              flag, *path, in));
        }
      }
    }
  }
  return Status::Ok();
}

Result<std::map<std::string, FilePtr>> open_outputs(const std::vector<OutputFlag>& outputs) {
  std::map<std::string, FilePtr> files;
  for (const auto& [flag, path] : outputs) {
    if (path->empty() || files.count(*path) > 0) continue;
    if (*path == "-") {
      files[*path] = FilePtr(stdout);
      continue;
    }
    std::FILE* f = std::fopen(path->c_str(), "wb");
    if (f == nullptr) {
      return Status::IoError(fmt::format("{}: cannot write: {}", *path, std::strerror(errno)));
    }
    files[*path] = FilePtr(f);
  }
  return files;
}

Status parse_normalize(const std::string& spec, NormalizeOptions& out) {
  out = NormalizeOptions{false, false, false, false};
  if (spec == "none") return Status::Ok();
  std::size_t start = 0;
  while (start <= spec.size()) {
    const std::size_t comma = std::min(spec.find(',', start), spec.size());
    const std::string part = spec.substr(start, comma - start);
    if (part == "nfkc") {
      out.nfkc = true;
    } else if (part == "case") {
      out.case_fold = true;
    } else if (part == "punct") {
      out.fold_punctuation = true;
    } else if (part == "space") {
      out.fold_whitespace = true;
    } else {
      return Status::InvalidArgument(fmt::format(
          "--normalize: unknown step \"{}\" (steps: nfkc, case, punct, space; or none)", part));
    }
    start = comma + 1;
  }
  return Status::Ok();
}

}  // namespace

std::string human_bytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (bytes >= 1024 && u < 4) bytes /= 1024, ++u;
  return u == 0 ? fmt::format("{:.0f} {}", bytes, units[u])
                : fmt::format("{:.1f} {}", bytes, units[u]);
}

std::string thousands(std::uint64_t n) {
  const std::string digits = std::to_string(n);
  std::string s;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) s.push_back(',');
    s.push_back(digits[i]);
  }
  return s;
}

Status StdinCopy::create_if(bool needed) {
  if (!needed) return Status::Ok();
  const char* tmp = std::getenv("TMPDIR");
  std::string templ = std::string(tmp != nullptr ? tmp : "/tmp") + "/doppel-stdin-XXXXXX";
  const int fd = mkstemp(templ.data());
  if (fd < 0) return Status::IoError("cannot create a temporary copy of standard input");
  file_.reset(fdopen(fd, "w+b"));
  path_ = templ;
  return Status::Ok();
}

StdinCopy::~StdinCopy() {
  if (!path_.empty()) std::remove(path_.c_str());
}

ProblemCallback Warnings::callback() {
  return [this](const DedupResult&, const Problem& p) {
    if (flags_.quiet) return;
    if (shown_ < flags_.max_warnings) {
      // On a terminal, first clear the progress bar's line.
      std::fprintf(stderr, "%sdoppel: warning: %s\n", progress_ ? "\r\033[K" : "",
                   p.message.c_str());
      ++shown_;
    } else {
      ++hidden_;
    }
  };
}

void Warnings::print_hidden() const {
  if (hidden_ > 0) {
    std::fprintf(stderr, "doppel: warning: %d more problems not shown (all of them: %s)\n", hidden_,
                 where_all_);
  }
}

void add_input_flags(CLI::App* cmd, CommonFlags& f, ReadOptions& read) {
  cmd->add_option("inputs", f.inputs,
                  "JSON Lines files (.jsonl, .jsonl.gz, .jsonl.zst), text files, directories of "
                  "text files, or - for JSON Lines on standard input")
      ->required();
  auto* input = cmd->add_option_group("Input");
  add_choice<InputFormat>(
      input, "--format", read.format, "Input format: by file name (auto), JSON Lines or plain text",
      {{"auto", InputFormat::kAuto}, {"jsonl", InputFormat::kJsonl}, {"text", InputFormat::kText}},
      "auto");
  input->add_option("--id-field", read.id_field, "JSON field holding the document id")
      ->capture_default_str();
  input->add_option("--text-field", read.text_field, "JSON field holding the document text")
      ->capture_default_str();
  input
      ->add_option("--date-field", read.date_field,
                   "JSON field with the document date (ISO 8601), carried along; optional")
      ->capture_default_str();
  input
      ->add_option("--max-doc-bytes", read.max_doc_bytes,
                   "Larger documents are reported as bad input (too_large); suffixes K, M, G")
      ->transform(CLI::AsSizeValue(false))
      ->default_str("64M");
  add_choice<ErrorPolicy>(
      input, "--on-error", read.on_error,
      "Bad input: skip (report, count, list as removed, go on) or fail (stop, exit 2)",
      {{"skip", ErrorPolicy::kSkip}, {"fail", ErrorPolicy::kFail}}, "skip");
}

void add_normalize_flag(CLI::Option_group* group, CommonFlags& f) {
  group
      ->add_option("--normalize", f.normalize,
                   "Normalization steps, comma-separated: nfkc, case, punct, space; or none for "
                   "byte-exact comparison")
      ->capture_default_str();
}

void add_running_flags(CLI::App* cmd, CommonFlags& f) {
  auto* run_group = cmd->add_option_group("Running");
  run_group->add_option("--threads", f.threads, "Worker threads (0: one per core)")
      ->capture_default_str();
  run_group
      ->add_option("--progress", f.progress, "Progress bar: auto (on a terminal), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  run_group
      ->add_option("--max-warnings", f.max_warnings,
                   "Bad-input warnings to print before counting silently")
      ->capture_default_str();
  run_group->add_flag("-q,--quiet", f.quiet, "No warnings, summary or progress bar");
}

bool want_progress(const CommonFlags& f) {
  const bool tty = isatty(STDERR_FILENO) != 0;
  return !f.quiet && (f.progress == "always" || (f.progress == "auto" && tty));
}

std::string document_accounting(const DedupResult& r, const ReadOptions& read) {
  const DedupStats& st = r.stats;
  std::uint64_t bad = 0;
  std::string reasons;
  for (int k = static_cast<int>(DocStatus::kMalformedJson); k < kNumDocStatus; ++k) {
    if (st.by_status[k] == 0) continue;
    bad += st.by_status[k];
    reasons += fmt::format("{}{} {}", reasons.empty() ? "" : ", ", thousands(st.by_status[k]),
                           to_string(static_cast<DocStatus>(k)));
  }
  std::string s = fmt::format("  bad input         {:>12}{}\n", thousands(bad),
                              reasons.empty() ? "" : fmt::format("  ({})", reasons));
  if (const std::uint64_t damaged = r.file_problem_count(); damaged > 0) {
    s += fmt::format("  damaged files     {:>12}\n", damaged);
  }
  if (st.blank_lines > 0) {
    s += fmt::format("  blank lines       {:>12}  (not documents)\n", thousands(st.blank_lines));
  }
  if (st.synthesized_ids > 0) {
    s += fmt::format("  ids synthesized   {:>12}  (no \"{}\" field: named file:line)\n",
                     thousands(st.synthesized_ids), read.id_field);
  }
  return s;
}

Status open_run(const CommonFlags& f, const std::vector<OutputFlag>& outputs, bool reread_input,
                NormalizeOptions& normalize, RunFiles& files) {
  DOPPEL_RETURN_IF_ERROR(parse_normalize(f.normalize, normalize));
  DOPPEL_RETURN_IF_ERROR(check_outputs_are_not_inputs(f.inputs, outputs));
  auto opened = open_outputs(outputs);
  if (!opened.ok()) return opened.status();
  files.outputs = std::move(*opened);
  const bool reads_stdin = std::find(f.inputs.begin(), f.inputs.end(), "-") != f.inputs.end();
  return files.stdin_copy.create_if(reads_stdin && reread_input);
}

std::string summary_head(std::string_view job, const DedupResult& r, double seconds) {
  const DedupStats& st = r.stats;
  const double secs = seconds > 0 ? seconds : 1e-9;
  return fmt::format(
      "doppel {}: {} documents from {} file{} ({}) in {:.2f} s: {:.1f} MB/s, {} docs/s, {} "
      "thread{}\n",
      job, thousands(st.documents), r.inputs.size(), r.inputs.size() == 1 ? "" : "s",
      human_bytes(double(st.input_bytes)), secs, double(st.input_bytes) / secs / 1e6,
      thousands(static_cast<std::uint64_t>(double(st.documents) / secs)), st.threads,
      st.threads == 1 ? "" : "s");
}

std::string summary_memory(const DedupStats& st) {
  return fmt::format(
      "  peak memory       {:>12}  ({} per document)\n", human_bytes(double(st.peak_rss_bytes)),
      st.documents > 0 ? human_bytes(double(st.peak_rss_bytes) / double(st.documents)) : "-");
}

int fail(const Status& s) {
  std::fprintf(stderr, "doppel: error: %s\n", s.ToString().c_str());
  return kExitError;
}

}  // namespace doppel::cli
