// `doppel dedup`: exact and near-duplicate documents. Flags are defined once, here, with their
// help text; docs/cli.md repeats them for readers.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "cli_common.h"
#include "commands.h"
#include "doppel/dedup.h"

namespace doppel::cli {
namespace {

struct DedupFlags {
  CommonFlags common;
  DedupOptions options;
  std::string clusters, pairs, output, removed, stats;
  int show = 20;
  std::vector<OutputFlag> outputs() const {
    return {{"--clusters", &clusters},
            {"--pairs", &pairs},
            {"--output", &output},
            {"--removed", &removed},
            {"--stats", &stats}};
  }
};

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
  std::string s = summary_head("dedup", r, r.stats.seconds.total);
  auto count = [&](DocStatus k) { return st.by_status[static_cast<int>(k)]; };
  s += fmt::format("  kept              {:>12}\n", thousands(count(DocStatus::kKept)));
  s += fmt::format("  exact duplicates  {:>12}\n", thousands(count(DocStatus::kExactDuplicate)));
  s += fmt::format("  near duplicates   {:>12}\n", thousands(count(DocStatus::kNearDuplicate)));
  s += document_accounting(r, o.read);
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
  s += summary_memory(st);
  std::fputs(s.c_str(), stderr);
}

Status run_dedup(DedupFlags& f) {
  f.options.threads = f.common.threads;
  f.options.progress = want_progress(f.common);
  f.options.keep_pairs = !f.pairs.empty();
  // Standard input can be read once; keep a copy if the corpus must be written from it.
  RunFiles files;
  DOPPEL_RETURN_IF_ERROR(
      open_run(f.common, f.outputs(), !f.output.empty(), f.options.normalize, files));

  Warnings warnings(f.common, f.options.progress, "--removed FILE");
  auto result = dedup(f.common.inputs, f.options, warnings.callback(), files.stdin_copy.file());
  if (!result.ok()) return result.status();
  warnings.print_hidden();
  files.stdin_copy.flush();

  const DedupResult& r = *result;
  DOPPEL_RETURN_IF_ERROR(
      files.write_if_given(f.clusters, [&](std::FILE* out) { return write_clusters(r, out); }));
  if (f.clusters != "-") print_clusters(r, f.show);
  std::fflush(stdout);  // the listing before the summary on a shared terminal
  DOPPEL_RETURN_IF_ERROR(
      files.write_if_given(f.pairs, [&](std::FILE* out) { return write_pairs(r, out); }));
  DOPPEL_RETURN_IF_ERROR(
      files.write_if_given(f.removed, [&](std::FILE* out) { return write_removed(r, out); }));
  DOPPEL_RETURN_IF_ERROR(files.write_if_given(f.output, [&](std::FILE* out) {
    return write_deduplicated_corpus(r, f.options, files.stdin_copy.path(), out);
  }));
  DOPPEL_RETURN_IF_ERROR(files.write_if_given(
      f.stats, [&](std::FILE* out) { return write_stats(r, f.options, out); }));
  if (!f.common.quiet) print_summary(r, f.options);
  return Status::Ok();
}

int run(DedupFlags& f) {
  const Status s = run_dedup(f);
  return s.ok() ? kExitOk : fail(s);
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

  add_input_flags(cmd, f.common, o.read);

  auto* match = cmd->add_option_group("Matching");
  add_normalize_flag(match, f.common);
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

  add_running_flags(cmd, f.common);

  return [flags] { return run(*flags); };
}

}  // namespace doppel::cli
