// `doppel dedup`: exact and near-duplicate documents. Its flags are defined in flags.cc.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "cli_common.h"
#include "commands.h"
#include "doppel/dedup.h"
#include "output/dedup_lines.h"
#include "run_outputs.h"

namespace doppel::cli {
namespace {

std::vector<OutputFlag> outputs_of(const Settings& s) {
  return {{"--clusters", &s.clusters},
          {"--pairs", &s.pairs},
          {"--output", &s.output},
          {"--removed", &s.removed},
          {"--stats", &s.stats}};
}

// The clusters for a person: one block each, the kept document first.
void print_clusters(const DedupResult& r, const DedupOptions& o, int show) {
  const Corpus& c = r.corpus;
  const std::size_t limit =
      show <= 0 ? r.clusters.size() : std::min<std::size_t>(show, r.clusters.size());
  if (r.clusters.empty()) {
    std::fputs("No duplicates found.\n", stdout);
    return;
  }
  for (std::size_t k = 0; k < limit; ++k) {
    const Cluster& cl = r.clusters[k];
    const auto members = std::span(r.members).subspan(cl.members_begin, cl.size);
    const auto rep = static_cast<std::uint32_t>(
        std::find(members.begin(), members.end(), cl.representative) - members.begin());
    std::string block;
    append_cluster_block(
        block, static_cast<std::uint32_t>(k), cl.all_exact, cl.size, rep, [&](std::uint32_t i) {
          const std::uint32_t d = members[i];
          return MemberLine{c.id(d), r.docs[d].similarity, r.docs[d].exact, c.date(d)};
        });
    std::fputs(block.c_str(), stdout);
  }
  if (limit < r.clusters.size()) {
    std::fprintf(stdout, "... and %zu more clusters (all of them: --clusters FILE, or --show 0)\n",
                 r.clusters.size() - limit);
  }
  std::fprintf(stdout,
               "Similarity is the Jaccard similarity of %s %d-gram shingles to the kept document; "
               "'exact' means identical after normalization.\n",
               o.shingle.kind == ShingleKind::kWords ? "word" : "character", o.shingle.n);
}

void print_summary(const DedupResult& r, const DedupOptions& o) {
  const DedupStats& st = r.stats;
  std::string s = summary_head("dedup", r.corpus, st.seconds.total, st.threads);
  s += fmt::format("  kept              {:>12}\n", thousands(st.kept));
  s += fmt::format("  exact duplicates  {:>12}\n", thousands(st.exact_duplicates));
  s += fmt::format("  near duplicates   {:>12}\n", thousands(st.near_duplicates));
  s += document_accounting(r.corpus, o.read);
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
  s += summary_memory(st.peak_rss_bytes, r.corpus.stats.documents);
  std::fputs(s.c_str(), stderr);
}

Status run_dedup(Settings& s) {
  // Standard input can be read once; it is kept if the corpus must be written from it.
  DOPPEL_RETURN_IF_ERROR(prepare_options(Command::kDedup, outputs_of(s), !s.output.empty(), s));
  const DedupOptions& o = s.dedup;
  RunOutputs outputs;
  DOPPEL_RETURN_IF_ERROR(outputs.open(outputs_of(s)));
  const InterruptGuard guard(o.progress);

  Warnings warnings(s, o.progress, "--removed FILE");
  auto result = dedup(s.inputs, o, warnings.callback());
  if (!result.ok()) return result.status();
  warnings.print_hidden();

  const DedupResult& r = *result;
  DOPPEL_RETURN_IF_ERROR(outputs.write_if_given(
      s.clusters, [&](OutputStream& out) { return write_clusters(r, out); }));
  DOPPEL_RETURN_IF_ERROR(
      outputs.write_if_given(s.pairs, [&](OutputStream& out) { return write_pairs(r, out); }));
  DOPPEL_RETURN_IF_ERROR(
      outputs.write_if_given(s.removed, [&](OutputStream& out) { return write_removed(r, out); }));
  DOPPEL_RETURN_IF_ERROR(outputs.write_if_given(
      s.output, [&](OutputStream& out) { return write_deduplicated_corpus(r, out); }));
  DOPPEL_RETURN_IF_ERROR(
      outputs.write_if_given(s.stats, [&](OutputStream& out) { return write_stats(r, o, out); }));
  DOPPEL_RETURN_IF_ERROR(outputs.commit());
  if (!s.quiet) {
    if (s.clusters != "-") print_clusters(r, o, s.show);
    std::fflush(stdout);  // the listing before the summary on a shared terminal
    print_summary(r, o);
  }
  return Status::Ok();
}

}  // namespace

std::function<int()> add_dedup_command(CLI::App& app) {
  auto settings = std::make_shared<Settings>();
  CLI::App* cmd = app.add_subcommand(
      "dedup",
      "Find exact and near-duplicate documents, cluster them and keep one document per cluster.");
  cmd->footer(
      "Examples:\n"
      "  doppel dedup examples/news\n"
      "  doppel dedup corpus.jsonl.zst --clusters clusters.jsonl --output deduped.jsonl\n"
      "Exit status: 0 on success; 2 on an error (bad usage, unreadable input, no readable\n"
      "document, --on-error=fail); 130 when interrupted. Outputs are written only on success.\n"
      "Formats: docs/formats.md. Normalization: docs/normalization.md.");
  add_flags(Command::kDedup, *cmd, *settings);
  return [settings] {
    const Status s = run_dedup(*settings);
    return s.ok() ? kExitOk : fail(s);
  };
}

}  // namespace doppel::cli
