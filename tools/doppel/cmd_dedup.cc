// `doppel dedup`: exact and near-duplicate documents. Flags are defined once, here, with their
// help text; docs/cli.md repeats them for readers.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "commands.h"
#include "doppel/dedup.h"

namespace doppel::cli {
namespace {

struct DedupFlags {
  std::vector<std::string> inputs;
  DedupOptions options;
  std::string normalize = "nfkc,case,punct,space";
  std::string clusters, pairs, output, removed, stats;
  std::string progress = "auto";
  bool quiet = false;
  int max_warnings = 20;
  int show = 20;
};

struct FileCloser {
  void operator()(std::FILE* f) const {
    if (f != nullptr && f != stdout) std::fclose(f);
  }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

Result<FilePtr> open_output(const std::string& path) {
  if (path == "-") return FilePtr(stdout);
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) {
    return Status::IoError(fmt::format("{}: cannot write: {}", path, std::strerror(errno)));
  }
  return FilePtr(f);
}

// Refuses what would destroy or feed back the user's data: an output that is an input file (it
// would be truncated before it is read), an output inside an input directory (it would be read as
// input), and standard input given twice (it can be read only once).
Status check_outputs_are_not_inputs(const DedupFlags& f) {
  namespace fs = std::filesystem;
  int stdin_count = 0;
  for (const auto& in : f.inputs) stdin_count += in == "-";
  if (stdin_count > 1) {
    return Status::InvalidArgument("standard input (-) can be given only once");
  }
  const std::pair<const char*, const std::string*> outputs[] = {{"--clusters", &f.clusters},
                                                                {"--pairs", &f.pairs},
                                                                {"--output", &f.output},
                                                                {"--removed", &f.removed},
                                                                {"--stats", &f.stats}};
  for (const auto& [flag, path] : outputs) {
    if (path->empty() || *path == "-") continue;
    std::error_code ec;
    const fs::path out = fs::weakly_canonical(*path, ec);
    if (ec) continue;  // opening it will say what is wrong
    for (const auto& in : f.inputs) {
      if (in == "-") continue;
      const fs::path input = fs::weakly_canonical(in, ec);
      if (ec) continue;
      if (out == input) {
        return Status::InvalidArgument(fmt::format(
            "{} {}: this file is also an input; writing it would destroy it", flag, *path));
      }
      if (fs::is_directory(input, ec)) {
        const auto mismatch = std::mismatch(input.begin(), input.end(), out.begin(), out.end());
        if (mismatch.first == input.end()) {
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

// The clusters for a person: one block each, the kept document first.
void print_clusters(const DedupResult& r, int show) {
  const std::size_t limit =
      show <= 0 ? r.clusters.size() : std::min<std::size_t>(show, r.clusters.size());
  if (r.clusters.empty()) {
    std::fputs("No duplicates found.\n", stdout);
    return;
  }
  for (std::size_t c = 0; c < limit; ++c) {
    const Cluster& cl = r.clusters[c];
    std::string block = fmt::format("cluster {} · {} · {} documents\n", c,
                                    cl.all_exact ? "exact duplicates" : "near duplicates", cl.size);
    auto line = [&](std::uint32_t d, bool keep) {
      const auto& info = r.docs[d];
      const std::string what =
          keep ? "keep " : (info.exact ? "exact" : fmt::format("{:.2f} ", info.similarity));
      block += fmt::format("  {}  {}", what, r.id(d));
      if (!r.date(d).empty()) block += fmt::format("  ({})", r.date(d));
      block += '\n';
    };
    line(cl.representative, true);
    for (std::uint32_t k = 0; k < cl.size; ++k) {
      const std::uint32_t d = r.members[cl.members_begin + k];
      if (d != cl.representative) line(d, false);
    }
    std::fputs(block.c_str(), stdout);
  }
  if (limit < r.clusters.size()) {
    std::fprintf(stdout, "... and %zu more clusters (all of them: --clusters FILE, or --show 0)\n",
                 r.clusters.size() - limit);
  }
  std::fputs(
      "Similarity is the Jaccard similarity of word shingles to the kept document; "
      "'exact' means identical after normalization.\n",
      stdout);
}

void print_summary(const DedupResult& r, const DedupOptions& o) {
  const DedupStats& st = r.stats;
  const double secs = st.seconds.total > 0 ? st.seconds.total : 1e-9;
  std::string s = fmt::format(
      "doppel dedup: {} documents from {} file{} ({}) in {:.2f} s: {:.1f} MB/s, {} docs/s, {} "
      "thread{}\n",
      thousands(st.documents), r.inputs.size(), r.inputs.size() == 1 ? "" : "s",
      human_bytes(double(st.input_bytes)), secs, double(st.input_bytes) / secs / 1e6,
      thousands(static_cast<std::uint64_t>(double(st.documents) / secs)), st.threads,
      st.threads == 1 ? "" : "s");
  auto count = [&](DocStatus k) { return st.by_status[static_cast<int>(k)]; };
  s += fmt::format("  kept              {:>12}\n", thousands(count(DocStatus::kKept)));
  s += fmt::format("  exact duplicates  {:>12}\n", thousands(count(DocStatus::kExactDuplicate)));
  s += fmt::format("  near duplicates   {:>12}\n", thousands(count(DocStatus::kNearDuplicate)));
  std::uint64_t bad = 0;
  std::string reasons;
  for (int k = static_cast<int>(DocStatus::kMalformedJson); k < kNumDocStatus; ++k) {
    if (st.by_status[k] == 0) continue;
    bad += st.by_status[k];
    reasons += fmt::format("{}{} {}", reasons.empty() ? "" : ", ", thousands(st.by_status[k]),
                           to_string(static_cast<DocStatus>(k)));
  }
  s += fmt::format("  bad input         {:>12}{}\n", thousands(bad),
                   reasons.empty() ? "" : fmt::format("  ({})", reasons));
  std::uint64_t file_problems = 0;
  for (const Problem& p : r.problems) file_problems += p.doc == kNoDoc;
  if (file_problems > 0) s += fmt::format("  damaged files     {:>12}\n", file_problems);
  if (st.blank_lines > 0)
    s += fmt::format("  blank lines       {:>12}  (not documents)\n", thousands(st.blank_lines));
  if (st.synthesized_ids > 0) {
    s += fmt::format("  ids synthesized   {:>12}  (no \"{}\" field: named file:line)\n",
                     thousands(st.synthesized_ids), o.read.id_field);
  }
  s += fmt::format("  clusters          {:>12}  ({} exact, {} near; largest {})\n",
                   thousands(r.clusters.size()), thousands(st.exact_clusters),
                   thousands(st.near_clusters), st.largest_cluster);
  s += fmt::format("  candidate pairs   {:>12}  ({} at >= {} by {}; {} bands x {} rows)\n",
                   thousands(st.candidate_pairs), thousands(st.verified_pairs), o.lsh.threshold,
                   o.verify == VerifyMode::kExact ? "exact Jaccard" : "signature estimate",
                   st.bands, st.rows);
  const auto& t = st.seconds;
  s += fmt::format(
      "  seconds           read+sketch {:.3f}, exact {:.3f}, candidates {:.3f}, verify {:.3f}, "
      "cluster {:.3f}\n",
      t.read_sketch, t.exact, t.candidates, t.verify, t.cluster);
  s += fmt::format(
      "  peak memory       {:>12}  ({} per document)\n", human_bytes(double(st.peak_rss_bytes)),
      st.documents > 0 ? human_bytes(double(st.peak_rss_bytes) / double(st.documents)) : "-");
  std::fputs(s.c_str(), stderr);
}

int run(DedupFlags& f) {
  auto fail = [](const Status& s) {
    std::fprintf(stderr, "doppel: error: %s\n", s.ToString().c_str());
    return kExitError;
  };
  if (Status s = parse_normalize(f.normalize, f.options.normalize); !s.ok()) return fail(s);
  const bool tty = isatty(STDERR_FILENO) != 0;
  f.options.progress = !f.quiet && (f.progress == "always" || (f.progress == "auto" && tty));
  f.options.keep_pairs = !f.pairs.empty();

  if (Status s = check_outputs_are_not_inputs(f); !s.ok()) return fail(s);
  // Open every output first: a typo in a path should not cost a whole run.
  std::map<std::string, FilePtr> outs;
  for (const std::string* path : {&f.clusters, &f.pairs, &f.output, &f.removed, &f.stats}) {
    if (path->empty()) continue;
    auto file = open_output(*path);
    if (!file.ok()) return fail(file.status());
    outs[*path] = std::move(*file);
  }
  auto out = [&](const std::string& path) { return outs.at(path).get(); };

  // Standard input can be read once; keep a copy if the corpus must be written from it.
  FilePtr stdin_copy;
  std::string stdin_copy_path;
  bool reads_stdin = false;
  for (const auto& in : f.inputs) reads_stdin = reads_stdin || in == "-";
  if (reads_stdin && !f.output.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    std::string templ = std::string(tmp != nullptr ? tmp : "/tmp") + "/doppel-stdin-XXXXXX";
    const int fd = mkstemp(templ.data());
    if (fd < 0) return fail(Status::IoError("cannot create a temporary copy of standard input"));
    stdin_copy.reset(fdopen(fd, "w+b"));
    stdin_copy_path = templ;
  }
  struct Unlinker {
    std::string path;
    ~Unlinker() {
      if (!path.empty()) std::remove(path.c_str());
    }
  } unlink_copy{stdin_copy_path};

  int shown = 0, hidden = 0;
  const ProblemCallback warn = [&](const DedupResult&, const Problem& p) {
    if (f.quiet) return;
    if (shown < f.max_warnings) {
      // On a terminal, first clear the progress bar's line.
      std::fprintf(stderr, "%sdoppel: warning: %s\n", f.options.progress ? "\r\033[K" : "",
                   p.message.c_str());
      ++shown;
    } else {
      ++hidden;
    }
  };
  auto result = dedup(f.inputs, f.options, warn, stdin_copy.get());
  if (!result.ok()) return fail(result.status());
  if (hidden > 0) {
    std::fprintf(stderr,
                 "doppel: warning: %d more problems not shown (all of them: --removed FILE)\n",
                 hidden);
  }
  if (stdin_copy) std::fflush(stdin_copy.get());

  if (!f.clusters.empty()) {
    if (Status s = write_clusters(*result, out(f.clusters)); !s.ok()) return fail(s);
  }
  if (f.clusters != "-") print_clusters(*result, f.show);
  std::fflush(stdout);  // the listing before the summary on a shared terminal
  if (!f.pairs.empty()) {
    if (Status s = write_pairs(*result, out(f.pairs)); !s.ok()) return fail(s);
  }
  if (!f.removed.empty()) {
    if (Status s = write_removed(*result, out(f.removed)); !s.ok()) return fail(s);
  }
  if (!f.output.empty()) {
    if (Status s = write_deduplicated_corpus(*result, f.options, stdin_copy_path, out(f.output));
        !s.ok()) {
      return fail(s);
    }
  }
  if (!f.stats.empty()) {
    if (Status s = write_stats(*result, f.options, out(f.stats)); !s.ok()) return fail(s);
  }
  if (!f.quiet) print_summary(*result, f.options);
  return kExitOk;
}

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

}  // namespace

std::function<int()> add_dedup_command(CLI::App& app) {
  auto flags = std::make_shared<DedupFlags>();
  DedupFlags& f = *flags;
  DedupOptions& o = f.options;
  CLI::App* cmd = app.add_subcommand(
      "dedup",
      "Find exact and near-duplicate documents, cluster them and keep one document per cluster.");
  cmd->footer(
      "Examples:\n"
      "  doppel dedup examples/news\n"
      "  doppel dedup corpus.jsonl.zst --clusters clusters.jsonl --output deduped.jsonl\n"
      "Exit status: 0 on success, 2 on an error (bad usage, unreadable input, --on-error=fail).\n"
      "Formats: docs/formats.md. Normalization: docs/normalization.md.");

  cmd->add_option("inputs", f.inputs,
                  "JSON Lines files (.jsonl, .jsonl.gz, .jsonl.zst), text files, directories of "
                  "text files, or - for JSON Lines on standard input")
      ->required();
  auto* input = cmd->add_option_group("Input");
  add_choice<InputFormat>(
      input, "--format", o.read.format,
      "Input format: by file name (auto), JSON Lines or plain text",
      {{"auto", InputFormat::kAuto}, {"jsonl", InputFormat::kJsonl}, {"text", InputFormat::kText}},
      "auto");
  input->add_option("--id-field", o.read.id_field, "JSON field holding the document id")
      ->capture_default_str();
  input->add_option("--text-field", o.read.text_field, "JSON field holding the document text")
      ->capture_default_str();
  input
      ->add_option("--date-field", o.read.date_field,
                   "JSON field with the document date (ISO 8601), carried along; optional")
      ->capture_default_str();
  input
      ->add_option("--max-doc-bytes", o.read.max_doc_bytes,
                   "Larger documents are reported as bad input (too_large); suffixes K, M, G")
      ->transform(CLI::AsSizeValue(false))
      ->default_str("64M");
  add_choice<ErrorPolicy>(
      input, "--on-error", o.read.on_error,
      "Bad input: skip (report, count, list as removed, go on) or fail (stop, exit 2)",
      {{"skip", ErrorPolicy::kSkip}, {"fail", ErrorPolicy::kFail}}, "skip");

  auto* match = cmd->add_option_group("Matching");
  match
      ->add_option("--normalize", f.normalize,
                   "Normalization steps, comma-separated: nfkc, case, punct, space; or none for "
                   "byte-exact comparison")
      ->capture_default_str();
  add_choice<ShingleKind>(match, "--shingle", o.shingle.kind, "Shingles of words or of characters",
                          {{"word", ShingleKind::kWords}, {"char", ShingleKind::kChars}}, "word");
  match->add_option("--ngram", o.shingle.n, "Shingle length in words (or characters)")
      ->capture_default_str();
  match
      ->add_option("--threshold", o.lsh.threshold,
                   "Jaccard similarity at or above which two documents are near duplicates")
      ->capture_default_str();
  match
      ->add_option("--hashes", o.sketch.num_hashes,
                   "MinHash bins per document: more is more exact and costs 2 bytes each")
      ->capture_default_str();
  match->add_option("--bands", o.lsh.bands, "LSH bands (default: chosen from --threshold)");
  match->add_option("--rows", o.lsh.rows, "LSH rows per band (default: chosen from --threshold)");
  match->add_option("--seed", o.sketch.seed, "Hash seed")->capture_default_str();
  add_choice<VerifyMode>(match, "--verify", o.verify,
                         "Check candidates by signature estimate (fast) or exact Jaccard (keeps "
                         "every shingle set in memory)",
                         {{"signature", VerifyMode::kSignature}, {"exact", VerifyMode::kExact}},
                         "signature");
  add_choice<KeepPolicy>(match, "--keep", o.keep,
                         "Which document a cluster keeps: first in input order, earliest date, or "
                         "longest text",
                         {{"first", KeepPolicy::kFirst},
                          {"earliest", KeepPolicy::kEarliest},
                          {"longest", KeepPolicy::kLongest}},
                         "first");

  auto* output = cmd->add_option_group("Output");
  output->add_option("--clusters", f.clusters,
                     "Write clusters as JSON Lines to FILE (- for standard output, replacing the "
                     "listing)");
  output->add_option("--pairs", f.pairs, "Write every verified near-duplicate pair as JSON Lines");
  output->add_option("--output", f.output,
                     "Write the deduplicated corpus (kept documents) as JSON Lines");
  output->add_option("--removed", f.removed,
                     "Write every document not kept, with the reason, as JSON Lines");
  output->add_option("--stats", f.stats, "Write counts, timings and memory as JSON");
  output->add_option("--show", f.show, "Clusters to list on standard output (0: all)")
      ->capture_default_str();

  auto* run_group = cmd->add_option_group("Running");
  run_group->add_option("--threads", o.threads, "Worker threads (0: one per core)")
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

  return [flags] { return run(*flags); };
}

}  // namespace doppel::cli
