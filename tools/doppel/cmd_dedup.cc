// `doppel dedup`: exact and near-duplicate documents. Its flags are defined in flags.cc.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <deque>
#include <iterator>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "cli_common.h"
#include "commands.h"
#include "corpus/document_texts.h"
#if DOPPEL_FULL_BINARY
#include "dist/dist_dedup.h"
#include "dist/wire.h"
#include "distributed.h"
#endif
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

// The end of the listing: what was not shown, and what the numbers mean.
void print_listing_end(std::uint64_t shown, std::uint64_t clusters, const DedupOptions& o) {
  if (shown < clusters) {
    std::fprintf(stdout, "... and %llu more clusters (all of them: --clusters FILE, or --show 0)\n",
                 static_cast<unsigned long long>(clusters - shown));
  }
  std::fprintf(stdout,
               "Similarity is the Jaccard similarity of %s %d-gram shingles to the kept document; "
               "'exact' means identical after normalization.\n",
               o.shingle.kind == ShingleKind::kWords ? "word" : "character", o.shingle.n);
}

std::uint64_t listing_limit(int show, std::uint64_t clusters) {
  return show <= 0 ? clusters : std::min<std::uint64_t>(static_cast<std::uint64_t>(show), clusters);
}

// The listing's excerpts of the kept documents `kept` (listing_excerpts): their texts.
std::vector<std::string> kept_excerpts(const Corpus& c, std::span<const std::uint32_t> kept,
                                       std::uint64_t stored_bytes) {
  return listing_excerpts(
      c, kept.size(), stored_bytes,
      [&](const TextVisitor& fn) {
        return for_each_document_text(
            c, kept, [&](std::size_t k, const ParsedDoc& parsed) { return fn(k, parsed.body()); });
      },
      "clusters");
}

// The clusters for a person: one block each, the kept document first.
void print_clusters(const DedupResult& r, const DedupOptions& o, int show) {
  const Corpus& c = r.corpus;
  if (r.clusters.empty()) {
    std::fputs("No duplicates found.\n", stdout);
    return;
  }
  const std::uint64_t limit = listing_limit(show, r.clusters.size());
  // Each listed cluster's kept document says what the cluster is about.
  std::vector<std::uint32_t> kept;
  kept.reserve(limit);
  for (std::size_t k = 0; k < limit; ++k) kept.push_back(r.clusters[k].representative);
  const std::vector<std::string> excerpts = kept_excerpts(c, kept, stored_bytes_to_reach(c, kept));
  for (std::size_t k = 0; k < limit; ++k) {
    const Cluster& cl = r.clusters[k];
    const auto members = std::span(r.members).subspan(cl.members_begin, cl.size);
    const auto rep = static_cast<std::uint32_t>(
        std::find(members.begin(), members.end(), cl.representative) - members.begin());
    std::string block;
    std::deque<std::string> fields;  // the lines' ids and dates as printed (stable addresses)
    append_cluster_block(
        block, static_cast<std::uint32_t>(k), cl.all_exact, cl.size, rep,
        [&](std::uint32_t i) {
          const std::uint32_t d = members[i];
          const std::string& id = fields.emplace_back(printable_field(c.id(d)));
          const std::string& date = fields.emplace_back(printable_field(c.date(d)));
          return MemberLine{id, r.docs[d].similarity, r.docs[d].exact, date};
        },
        excerpts.empty() ? std::string_view() : std::string_view(excerpts[k]));
    std::fputs(printable(block).c_str(), stdout);
  }
  print_listing_end(limit, r.clusters.size(), o);
}

std::string summary(const ReadStats& rs, std::size_t files, const DedupStats& st,
                    const DedupOptions& o) {
  std::string s = summary_head("dedup", rs, files, st.seconds.total, st.threads);
  s += fmt::format("  kept              {:>12}\n", thousands(st.kept));
  s += fmt::format("  exact duplicates  {:>12}\n", thousands(st.exact_duplicates));
  s += fmt::format("  near duplicates   {:>12}\n", thousands(st.near_duplicates));
  s += document_accounting(rs, o.read);
  s += fmt::format("  clusters          {:>12}  ({} exact, {} near; largest {})\n",
                   thousands(st.exact_clusters + st.near_clusters), thousands(st.exact_clusters),
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
  return s;
}

Status run_dedup(Settings& s) {
  // Standard input can be read once; it is kept if the corpus must be written from it.
  DOPPEL_RETURN_IF_ERROR(prepare_options(Command::kDedup, outputs_of(s), !s.output.empty(), s));
  const DedupOptions& o = s.dedup;
  RunOutputs outputs;
  const InterruptGuard guard(o.progress);
  DOPPEL_RETURN_IF_ERROR(outputs.open(outputs_of(s)));

  Warnings warnings(s, o.progress, "--removed FILE");
  auto result = dedup(s.inputs, o, warnings.callback());
  warnings.print_hidden(!result.ok());
  if (!result.ok()) return result.status();

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
    if (!any_on_standard_output(outputs_of(s))) print_clusters(r, o, s.show);
    std::fflush(stdout);  // the listing before the summary on a shared terminal
    std::string sum = summary(r.corpus.stats, r.corpus.inputs.size(), r.stats, o);
    // Dates decide which document is kept only with --keep earliest or latest.
    if (o.keep == KeepPolicy::kEarliest || o.keep == KeepPolicy::kLatest) {
      sum += summary_dates(r.corpus, o.read, "each cluster keeps its first member");
    }
    sum += summary_memory(r.stats.peak_rss_bytes, r.corpus.stats.documents);
    std::fputs(sum.c_str(), stderr);
  }
  return Status::Ok();
}

#if DOPPEL_FULL_BINARY
// Collective. The excerpts of the kept documents of this rank's clusters numbered below `limit`
// (RankDedup::clusters), by cluster number: each rank reads its own kept documents again and
// sends each excerpt to the rank that lists its cluster, the one that holds the cluster's first
// member (not always the kept one). Clusters are numbered in order of their first member, so
// each rank lists one range of numbers.
Result<std::vector<std::pair<std::uint32_t, std::string>>> kept_excerpts_distributed(
    dist::Communicator& comm, const dist::RankDedup& r, std::uint64_t limit) {
  std::vector<std::uint32_t> kept, numbers;
  for (std::uint32_t d = 0; d < r.docs.size(); ++d) {
    const DedupDocument& doc = r.docs[d];
    if (doc.cluster != kNoCluster && doc.cluster < limit && doc.verdict == DedupVerdict::kKept) {
      kept.push_back(d);
      numbers.push_back(doc.cluster);
    }
  }
  const Corpus& c = r.rc.corpus;
  // Each rank reads its share again, in parallel: the largest share is what the listing waits
  // for, and every rank goes by it, so that all give excerpts or none do; rank 0 says why.
  std::vector<std::uint64_t> bytes = {stored_bytes_to_reach(c, kept)};
  DOPPEL_RETURN_IF_ERROR(comm.max(bytes));
  if (comm.rank() != 0 && bytes[0] > listing_read_bytes()) {
    kept.clear();
    bytes[0] = 0;
  }
  const std::vector<std::string> mine = kept_excerpts(c, kept, bytes[0]);
  // The first number each rank lists, for the ranks that list any: ascending in rank order.
  std::string first;
  if (!r.clusters.empty()) dist::WireWriter(first).put<std::uint64_t>(r.clusters.front().number);
  auto firsts = comm.all_gather(first);
  if (!firsts.ok()) return firsts.status();
  std::vector<std::pair<std::uint64_t, std::size_t>> listers;  // (first number, rank)
  for (std::size_t rank = 0; rank < firsts->size(); ++rank) {
    if (!(*firsts)[rank].empty()) {
      listers.emplace_back(dist::WireReader((*firsts)[rank]).get<std::uint64_t>(), rank);
    }
  }
  // Per excerpt: its cluster number, then the excerpt, to the rank that lists the cluster (the
  // last to list a number at or below it).
  std::vector<std::string> send(static_cast<std::size_t>(comm.size()));
  for (std::size_t k = 0; k < mine.size(); ++k) {
    const auto after =
        std::upper_bound(listers.begin(), listers.end(),
                         std::pair<std::uint64_t, std::size_t>(numbers[k], SIZE_MAX));
    if (after == listers.begin()) continue;  // listed by no rank (cannot happen)
    dist::WireWriter to(send[std::prev(after)->second]);
    to.put<std::uint32_t>(numbers[k]);
    to.put_string(mine[k]);
  }
  auto got = comm.exchange(send);
  if (!got.ok()) return got.status();
  dist::WireReader in(std::string_view(got->data(), got->size()));
  std::vector<std::pair<std::uint32_t, std::string>> excerpts;
  while (!in.done()) {
    const auto number = in.get<std::uint32_t>();
    const std::string_view text = in.get_string();
    if (!in.ok()) return Status::Internal("a rank sent an excerpt cut short");
    excerpts.emplace_back(number, std::string(text));
  }
  std::sort(excerpts.begin(), excerpts.end());
  return excerpts;
}

// The same on the ranks of an MPI job (dist/dist_dedup.h): rank 0 opens the outputs, every rank
// writes its part of each, and rank 0 joins them and renames them into place once all succeeded.
Status run_dedup_distributed(Settings& s, dist::Communicator& comm) {
  const bool root = comm.rank() == 0;
  DOPPEL_RETURN_IF_ERROR(prepare_options(Command::kDedup, outputs_of(s), !s.output.empty(), s));
  DOPPEL_RETURN_IF_ERROR(agree_on_progress(comm, s, s.dedup.progress));
  const DedupOptions& o = s.dedup;
  RunOutputs outputs;
  const InterruptGuard guard(o.progress, !root);
  DOPPEL_RETURN_IF_ERROR(comm.agree(root ? outputs.open(outputs_of(s)) : Status::Ok()));

  dist::RankDedup r;
  DOPPEL_RETURN_IF_ERROR(dist::dedup_distributed(comm, s.inputs, o, r));
  DOPPEL_RETURN_IF_ERROR(print_rank_warnings(comm, s, r.rc.corpus, "--removed FILE"));

  const std::uint64_t before_outputs = comm.bytes_sent();
  auto part = [&](const std::string& path, auto write) -> Status {
    if (path.empty()) return Status::Ok();
    dist::PartOutput mine;
    DOPPEL_RETURN_IF_ERROR(comm.agree(write(mine)));
    return dist::join_parts(comm, mine, root ? &outputs.stream(path) : nullptr);
  };
  DOPPEL_RETURN_IF_ERROR(
      part(s.clusters, [&](OutputStream& out) { return dist::write_clusters_part(r, out); }));
  DOPPEL_RETURN_IF_ERROR(
      part(s.pairs, [&](OutputStream& out) { return dist::write_pairs_part(r, out); }));
  DOPPEL_RETURN_IF_ERROR(
      part(s.removed, [&](OutputStream& out) { return dist::write_removed_part(r, out); }));
  DOPPEL_RETURN_IF_ERROR(
      part(s.output, [&](OutputStream& out) { return dist::write_deduplicated_part(r, out); }));
  const bool listing = !s.quiet && !any_on_standard_output(outputs_of(s));
  const std::uint64_t limit = listing_limit(s.show, r.clusters_total);
  dist::PartOutput listed;
  if (listing) {
    const auto excerpts = kept_excerpts_distributed(comm, r, limit);
    if (!excerpts.ok()) return excerpts.status();
    DOPPEL_RETURN_IF_ERROR(
        comm.agree(dist::write_listing_part(r, limit, printable_field, *excerpts, listed)));
  }
  r.traffic.outputs = comm.bytes_sent() - before_outputs;
  std::vector<std::uint64_t> sent = {comm.bytes_sent()};
  DOPPEL_RETURN_IF_ERROR(comm.sum(sent));
  Status written;
  if (root && !s.stats.empty()) {
    written = dist::write_stats_distributed(r, o, comm.size(), sent[0], outputs.stream(s.stats));
  }
  if (written.ok() && root) written = outputs.commit();
  DOPPEL_RETURN_IF_ERROR(comm.agree(written));
  if (listing) {
    StdoutOutput out;
    if (root && r.clusters_total == 0) std::fputs("No duplicates found.\n", stdout);
    std::fflush(stdout);
    DOPPEL_RETURN_IF_ERROR(dist::join_parts(comm, listed, root ? &out : nullptr));
    if (root && r.clusters_total > 0) print_listing_end(limit, r.clusters_total, o);
  }
  // Dates decide which document is kept only with --keep earliest or latest: counted on every
  // rank (each holds its share of the corpus), summed.
  const bool by_date = o.keep == KeepPolicy::kEarliest || o.keep == KeepPolicy::kLatest;
  DateCounts dates;
  if (by_date) {
    dates = count_dates(r.rc.corpus);
    std::vector<std::uint64_t> counts = {dates.dated, dates.unread};
    DOPPEL_RETURN_IF_ERROR(comm.sum(counts));
    dates.dated = counts[0];
    dates.unread = counts[1];
  }
  if (root && !s.quiet) {
    std::fflush(stdout);
    std::string sum = summary(r.rc.totals, r.rc.corpus.inputs.size(), r.stats, o);
    if (by_date) {
      sum += summary_dates(dates, r.rc.totals.ok(), o.read, "each cluster keeps its first member");
    }
    sum += summary_ranks(comm.size(), sent[0], r.rc.totals.documents);
    sum += summary_memory(r.stats.peak_rss_bytes, r.rc.totals.documents / comm.size());
    std::fputs(sum.c_str(), stderr);
  }
  return Status::Ok();
}
#endif

}  // namespace

std::function<int()> add_dedup_command(CLI::App& app, dist::Communicator* comm) {
  auto settings = std::make_shared<Settings>();
  CLI::App* cmd = &add_subcommand(
      app, "dedup",
      "Find exact and near-duplicate documents, cluster them and keep one document per cluster.",
      "Examples:\n"
      "  doppel dedup examples/news\n"
      "  doppel dedup corpus.jsonl.zst --clusters clusters.jsonl --output deduped.jsonl\n"
      "Exit status: 0 on success; 2 on an error (bad usage, unreadable input, no readable\n"
      "document, --on-error=fail); 130 when interrupted. Outputs are written only on success.\n"
      "Formats: docs/formats.md. Normalization: docs/normalization.md.");
  add_flags(Command::kDedup, *cmd, *settings);
  return [settings, comm] {
#if DOPPEL_FULL_BINARY
    if (comm != nullptr) return finish_distributed(*comm, run_dedup_distributed(*settings, *comm));
#else
    (void)comm;  // always null: doppel hands the ranks of a job to doppel-index (commands.h)
#endif
    const Status s = run_dedup(*settings);
    return s.ok() ? kExitOk : fail(s);
  };
}

}  // namespace doppel::cli
