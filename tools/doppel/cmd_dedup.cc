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
  s += fmt::format(
      "  peak memory       {:>12}  ({} per document)\n", human_bytes(double(st.peak_rss_bytes)),
      st.documents > 0 ? human_bytes(double(st.peak_rss_bytes) / double(st.documents)) : "-");
  std::fputs(s.c_str(), stderr);
}

int run(DedupFlags& f) {
  if (Status s = parse_normalize(f.common.normalize, f.options.normalize); !s.ok()) return fail(s);
  f.options.threads = f.common.threads;
  f.options.progress = want_progress(f.common);
  f.options.keep_pairs = !f.pairs.empty();
  if (Status s = check_outputs_are_not_inputs(f.common.inputs, f.outputs()); !s.ok()) {
    return fail(s);
  }
  auto outs = open_outputs(f.outputs());
  if (!outs.ok()) return fail(outs.status());
  auto out = [&](const std::string& path) { return outs->at(path).get(); };
  // Standard input can be read once; keep a copy if the corpus must be written from it.
  StdinCopy stdin_copy;
  const bool reads_stdin =
      std::find(f.common.inputs.begin(), f.common.inputs.end(), "-") != f.common.inputs.end();
  if (Status s = stdin_copy.create_if(reads_stdin && !f.output.empty()); !s.ok()) return fail(s);

  Warnings warnings(f.common, f.options.progress, "--removed FILE");
  auto result = dedup(f.common.inputs, f.options, warnings.callback(), stdin_copy.file());
  if (!result.ok()) return fail(result.status());
  warnings.print_hidden();
  stdin_copy.flush();

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
    if (Status s = write_deduplicated_corpus(*result, f.options, stdin_copy.path(), out(f.output));
        !s.ok()) {
      return fail(s);
    }
  }
  if (!f.stats.empty()) {
    if (Status s = write_stats(*result, f.options, out(f.stats)); !s.ok()) return fail(s);
  }
  if (!f.common.quiet) print_summary(*result, f.options);
  return kExitOk;
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
