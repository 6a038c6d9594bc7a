// `doppel reuse`: passages shared between documents. Its flags are defined in flags.cc.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cli_common.h"
#include "commands.h"
#include "corpus/corpus_source.h"
#include "corpus/document_texts.h"
#if DOPPEL_FULL_BINARY
#include "dist/dist_reuse.h"
#include "distributed.h"
#endif
#include "doppel/reuse.h"
#include "output/reuse_stats.h"
#include "run_outputs.h"

namespace doppel::cli {
namespace {

std::vector<OutputFlag> outputs_of(const Settings& s) {
  return {{"--pairs", &s.pairs},
          {"--clusters", &s.clusters},
          {"--documents", &s.documents},
          {"--output", &s.output},
          {"--stats", &s.stats}};
}

// Occurrences listed per passage on standard output; the others are counted.
constexpr std::uint32_t kListedOccurrences = 5;
// The occurrences a listing shows of cluster k: its source first, then the others in input order.
std::vector<std::uint32_t> listed_occurrences(const ReuseResult& r, std::uint32_t k) {
  const PassageCluster& cl = r.clusters[k];
  std::vector<std::uint32_t> listed;
  if (cl.source != kNoOccurrence) listed.push_back(cl.source);
  for (std::uint32_t i = cl.occurrences_begin; i < cl.occurrences_begin + cl.size; ++i) {
    if (listed.size() == kListedOccurrences) break;
    if (i != cl.source) listed.push_back(i);
  }
  return listed;
}

// One excerpt per listed cluster (`order`): the text of its first listed occurrence.
std::vector<std::string> cluster_excerpts(const ReuseResult& r,
                                          std::span<const std::uint32_t> order) {
  std::vector<std::uint32_t> occurrences;
  occurrences.reserve(order.size());
  for (const std::uint32_t k : order) occurrences.push_back(listed_occurrences(r, k).front());
  std::vector<std::uint32_t> docs;
  docs.reserve(occurrences.size());
  for (const std::uint32_t o : occurrences) docs.push_back(r.occurrences[o].doc);
  return listing_excerpts(
      r.corpus, occurrences.size(), stored_bytes_to_reach(r.corpus, docs),
      [&](const TextVisitor& fn) { return for_each_occurrence_text(r, occurrences, fn); },
      "passages");
}

// The passage clusters for a person, largest first (documents, then words of the longest
// occurrence), one block each: a few occurrences, the source first, and a count of the rest.
void print_clusters(const ReuseResult& r, int show) {
  const Corpus& c = r.corpus;
  if (r.clusters.empty()) {
    std::fputs("No reused passages found.\n", stdout);
    return;
  }
  std::vector<std::uint64_t> longest(r.clusters.size(), 0);
  for (const Occurrence& o : r.occurrences) {
    longest[o.cluster] = std::max<std::uint64_t>(longest[o.cluster], o.span.words);
  }
  std::vector<std::uint32_t> order(r.clusters.size());
  for (std::uint32_t k = 0; k < order.size(); ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t x, std::uint32_t y) {
    if (r.clusters[x].documents != r.clusters[y].documents) {
      return r.clusters[x].documents > r.clusters[y].documents;
    }
    return longest[x] > longest[y];
  });
  const std::size_t limit =
      show <= 0 ? r.clusters.size() : std::min<std::size_t>(show, r.clusters.size());
  const std::vector<std::string> excerpts = cluster_excerpts(r, std::span(order).first(limit));
  for (std::size_t n = 0; n < limit; ++n) {
    const std::uint32_t k = order[n];
    const PassageCluster& cl = r.clusters[k];
    std::string block =
        fmt::format("passage {} · {} documents · {} occurrences", k, cl.documents, cl.size);
    if (cl.source != kNoOccurrence) {
      const std::uint32_t d = r.occurrences[cl.source].doc;
      block +=
          fmt::format(" · first in {} ({})", printable_field(c.id(d)), printable_field(c.date(d)));
    }
    block += '\n';
    if (!excerpts.empty()) block += fmt::format("  \u201c{}\u201d\n", excerpts[n]);
    const std::vector<std::uint32_t> listed = listed_occurrences(r, k);
    for (const std::uint32_t i : listed) {
      const Occurrence& o = r.occurrences[i];
      const OccurrenceRole rl = role_of(r, o);
      const char* role = rl == OccurrenceRole::kSource  ? "first"
                         : rl == OccurrenceRole::kReuse ? "reuse"
                                                        : "     ";
      block += fmt::format("  {}  {}", role, printable_field(c.id(o.doc)));
      if (!c.date(o.doc).empty()) block += fmt::format("  ({})", printable_field(c.date(o.doc)));
      block += fmt::format("  chars {}-{}, {} words\n", o.span.begin, o.span.end, o.span.words);
    }
    if (cl.size > listed.size()) {
      const std::size_t more = cl.size - listed.size();
      block += fmt::format("  ... and {} more occurrence{}\n", more, more == 1 ? "" : "s");
    }
    std::fputs(printable(block).c_str(), stdout);
  }
  if (limit < r.clusters.size()) {
    std::fprintf(stdout, "... and %zu more passages (all of them: --clusters FILE, or --show 0)\n",
                 r.clusters.size() - limit);
  }
}

// Per document: how much of it is reused, and with --new what is left, i.e. what is new in it.
Status print_documents(const ReuseResult& r, const Settings& s) {
  const Corpus& c = r.corpus;
  const std::vector<std::uint64_t> reused = reused_chars(r);
  // What of it is the source occurrence of its passage: the first publication of that text is not
  // "reused" from anyone.
  std::vector<std::uint64_t> first(c.docs.size(), 0);
  for (const Occurrence& o : r.occurrences) {
    if (role_of(r, o) == OccurrenceRole::kSource) first[o.doc] += o.span.end - o.span.begin;
  }
  auto header = [&](std::uint32_t d) {
    std::string line = printable_field(c.id(d));
    if (!c.date(d).empty()) line += fmt::format("  ({})", printable_field(c.date(d)));
    if (first[d] == 0) {
      line += fmt::format("  {} reused\n", percent(reused[d], r.doc_chars[d]));
    } else if (first[d] >= reused[d]) {
      line +=
          fmt::format("  {} shared, first published here\n", percent(reused[d], r.doc_chars[d]));
    } else {
      line += fmt::format("  {} shared, {} first published here\n",
                          percent(reused[d], r.doc_chars[d]), percent(first[d], r.doc_chars[d]));
    }
    return line;
  };
  int shown = 0, total = 0;
  bool by_share = false;  // the most reused of more than --show
  if (!s.show_new) {
    std::vector<std::uint32_t> listed;
    for (std::uint32_t d = 0; d < c.docs.size(); ++d) {
      if (c.ok(d)) listed.push_back(d);
    }
    total = static_cast<int>(listed.size());
    // All of them in input order; of more than --show, the most reused (by the share of text
    // first published elsewhere, then in input order), and none that reuses nothing: on a
    // corpus, the first twenty in input order were mostly "0% reused" and said nothing. A
    // document's own source occurrences do not count: a short press release that was only
    // copied is not "reused".
    by_share = s.show > 0 && total > s.show;
    if (by_share) {
      auto from_others = [&](std::uint32_t d) { return reused[d] - std::min(first[d], reused[d]); };
      auto share = [&](std::uint32_t d) {
        return r.doc_chars[d] == 0
                   ? 0.0
                   : static_cast<double>(from_others(d)) / static_cast<double>(r.doc_chars[d]);
      };
      std::erase_if(listed, [&](std::uint32_t d) { return from_others(d) == 0; });
      std::stable_sort(listed.begin(), listed.end(),
                       [&](std::uint32_t a, std::uint32_t b) { return share(a) > share(b); });
      listed.resize(std::min(listed.size(), static_cast<std::size_t>(s.show)));
    }
    std::fputs(by_share ? "\nMost reused documents:\n" : "\nReused share of each document:\n",
               stdout);
    for (const std::uint32_t d : listed) std::fputs(printable("  " + header(d)).c_str(), stdout);
    shown = static_cast<int>(listed.size());
  } else {
    std::fputs("\nWhat is new in each document:\n", stdout);
    auto print_new = [&](const CleanedDocument& doc) {
      ++total;
      if (s.show > 0 && shown >= s.show) return Status::Ok();
      ++shown;
      std::string block = "\n" + header(doc.doc);
      std::string body = doc.text;
      while (!body.empty() && (body.back() == '\n' || body.back() == ' ')) body.pop_back();
      if (body.empty()) body = "(nothing new: all of its text is shared)";
      // Indented, so that the documents stand apart.
      block += "    ";
      for (const char ch : body) {
        block.push_back(ch);
        if (ch == '\n') block += "    ";
      }
      block += '\n';
      std::fputs(printable(block).c_str(), stdout);
      return Status::Ok();
    };
    DOPPEL_RETURN_IF_ERROR(for_each_cleaned_document(r, s.reuse, print_new));
  }
  if (shown < total) {
    std::fprintf(stdout,
                 "... and %d more documents%s (all of them: --documents FILE, or --show 0)\n",
                 total - shown, by_share ? ", less reused or not at all" : "");
  }
  return Status::Ok();
}

// `ranks_line`: a distributed run's (summary_ranks), or empty.
void print_summary(const ReuseResult& r, const ReuseOptions& o, const std::string& ranks_line) {
  const ReadStats& st = r.corpus.stats;
  const ReuseStats& rs = r.stats;
  std::string s = summary_head("reuse", st, r.corpus.inputs.size(), rs.seconds.total, rs.threads);
  s += fmt::format("  compared          {:>12}\n", thousands(st.ok()));
  s += document_accounting(st, o.read);
  s += fmt::format("  passages          {:>12}  ({} occurrences, {} aligned pairs)\n",
                   thousands(r.clusters.size()), thousands(r.occurrences.size()),
                   thousands(r.pairs.size()));
  // The share in characters (code points), as each document's line gives it: in bytes, text of
  // three-byte characters (Chinese) weighed three times as much as ASCII beside it.
  std::uint64_t reused = 0, chars = 0;
  for (const std::uint64_t n : reused_chars(r)) reused += n;
  for (const std::uint64_t n : r.doc_chars) chars += n;
  s += fmt::format("  reused text       {:>12}  ({} of the characters compared)\n",
                   human_bytes(double(rs.reused_bytes)),
                   chars > 0 ? percent(reused, chars) : percent(rs.reused_bytes, rs.text_bytes));
  s += summary_long_words(rs.long_word_docs);
  s +=
      fmt::format("  seeds             {:>12}  ({} chains aligned; {} frequent n-grams)\n",
                  thousands(rs.seeds), thousands(rs.chains_aligned), thousands(rs.frequent_ngrams));
  s += fmt::format("  seconds           read {:.3f}, seeds {:.3f}, align {:.3f}, cluster {:.3f}\n",
                   rs.seconds.read, rs.seconds.seeds, rs.seconds.align, rs.seconds.cluster);
  s += summary_dates(r.corpus, o.read, "passages have no source");
  s += ranks_line;
  s += summary_memory(rs.peak_rss_bytes, st.documents);
  std::fputs(s.c_str(), stderr);
}

Status run_reuse(Settings& s) {
  // The cleaned corpus and --new read the input again: standard input is kept for them.
  const bool listing = !s.quiet && !any_on_standard_output(outputs_of(s));
  DOPPEL_RETURN_IF_ERROR(prepare_options(Command::kReuse, outputs_of(s),
                                         !s.output.empty() || (listing && s.show_new), s));
  const ReuseOptions& o = s.reuse;
  RunOutputs outputs;
  const InterruptGuard guard(o.progress);
  DOPPEL_RETURN_IF_ERROR(outputs.open(outputs_of(s)));

  Warnings warnings(s, o.progress, "raise --max-warnings");
  auto result = reuse(s.inputs, o, warnings.callback());
  warnings.print_hidden(!result.ok());
  if (!result.ok()) return result.status();

  const ReuseResult& r = *result;
  DOPPEL_RETURN_IF_ERROR(outputs.write_if_given(
      s.clusters, [&](OutputStream& out) { return write_passage_clusters(r, out); }));
  DOPPEL_RETURN_IF_ERROR(outputs.write_if_given(
      s.pairs, [&](OutputStream& out) { return write_passage_pairs(r, out); }));
  DOPPEL_RETURN_IF_ERROR(outputs.write_if_given(
      s.documents, [&](OutputStream& out) { return write_reuse_documents(r, out); }));
  DOPPEL_RETURN_IF_ERROR(outputs.write_if_given(
      s.output, [&](OutputStream& out) { return write_cleaned_corpus(r, o, out); }));
  DOPPEL_RETURN_IF_ERROR(outputs.write_if_given(
      s.stats, [&](OutputStream& out) { return write_reuse_stats(r, o, out); }));
  DOPPEL_RETURN_IF_ERROR(outputs.commit());
  if (listing) {
    print_clusters(r, s.show);
    DOPPEL_RETURN_IF_ERROR(print_documents(r, s));
    std::fflush(stdout);
  }
  if (!s.quiet) print_summary(r, o, "");
  return Status::Ok();
}

#if DOPPEL_FULL_BINARY
// The same on the ranks of an MPI job (dist/dist_reuse.h): the ranks read, seed and align
// together; rank 0 holds the run's result, writes every output and renames them into place once
// all ranks succeeded.
Status run_reuse_distributed(Settings& s, dist::Communicator& comm) {
  const bool root = comm.rank() == 0;
  const bool listing = !s.quiet && !any_on_standard_output(outputs_of(s));
  const bool rereads = !s.output.empty() || (listing && s.show_new);
  DOPPEL_RETURN_IF_ERROR(prepare_options(Command::kReuse, outputs_of(s), rereads, s));
  if (rereads && std::find(s.inputs.begin(), s.inputs.end(), "-") != s.inputs.end()) {
    return Status::InvalidArgument(
        "under MPI, --output and --new read the input again and cannot take standard input (a "
        "limit of this version)");
  }
  DOPPEL_RETURN_IF_ERROR(agree_on_progress(comm, s, s.reuse.progress));
  const ReuseOptions& o = s.reuse;
  RunOutputs outputs;
  const InterruptGuard guard(o.progress, !root);
  DOPPEL_RETURN_IF_ERROR(comm.agree(root ? outputs.open(outputs_of(s)) : Status::Ok()));

  dist::RankReuse rr;
  DOPPEL_RETURN_IF_ERROR(dist::reuse_distributed(comm, s.inputs, o, rr));
  DOPPEL_RETURN_IF_ERROR(print_rank_warnings(comm, s, rr.rc.corpus, "raise --max-warnings"));
  std::vector<std::uint64_t> sent = {comm.bytes_sent()};
  DOPPEL_RETURN_IF_ERROR(comm.sum(sent));
  const std::uint64_t documents = rr.rc.totals.documents;
  ReuseResult& r = rr.result;
  Status written;
  if (root && (rereads || listing)) {
    // The listing's excerpts read the input again too, where it can be read again; a failure to
    // open it fails only the outputs that need it.
    auto source = CorpusSource::open(s.inputs, o.read);
    if (source.ok()) {
      r.corpus.source = *source;
    } else if (rereads) {
      written = source.status();
    }
  }
  auto write = [&](const std::string& path, auto fn) {
    if (written.ok()) written = outputs.write_if_given(path, fn);
  };
  if (root) {
    write(s.clusters, [&](OutputStream& out) { return write_passage_clusters(r, out); });
    write(s.pairs, [&](OutputStream& out) { return write_passage_pairs(r, out); });
    write(s.documents, [&](OutputStream& out) { return write_reuse_documents(r, out); });
    write(s.output, [&](OutputStream& out) { return write_cleaned_corpus(r, o, out); });
    const dist::ReuseTraffic& t = rr.job_traffic;
    const std::string ranks_line = fmt::format(
        "  \"ranks\": {{\"count\": {}, \"bytes_sent\": {}, \"bytes_per_document\": {:.1f}, "
        "\"bytes_by_stage\": {{\"read\": {}, \"seeds\": {}, \"align\": {}, \"cluster\": {}}}}},\n",
        comm.size(), sent[0], documents > 0 ? double(sent[0]) / double(documents) : 0.0, t.read,
        t.seeds, t.align, t.clusters);
    write(s.stats,
          [&](OutputStream& out) { return write_reuse_stats_with(r, o, ranks_line, out); });
    if (written.ok()) written = outputs.commit();
  }
  DOPPEL_RETURN_IF_ERROR(comm.agree(written));
  if (root && listing) {
    print_clusters(r, s.show);
    DOPPEL_RETURN_IF_ERROR(print_documents(r, s));
    std::fflush(stdout);
  }
  if (root && !s.quiet) print_summary(r, o, summary_ranks(comm.size(), sent[0], documents));
  return Status::Ok();
}
#endif

}  // namespace

std::function<int()> add_reuse_command(CLI::App& app, dist::Communicator* comm) {
  auto settings = std::make_shared<Settings>();
  CLI::App* cmd = &add_subcommand(
      app, "reuse",
      "Find passages shared between documents, align them, group them into clusters and name the "
      "earliest source; write what is new in each document.",
      "Examples:\n"
      "  doppel reuse articles/ --new\n"
      "  doppel reuse corpus.jsonl.zst --pairs pairs.jsonl --clusters passages.jsonl "
      "--output cleaned.jsonl\n"
      "Exit status: 0 on success; 2 on an error (bad usage, unreadable input, no readable\n"
      "document, --on-error=fail); 130 when interrupted. Outputs are written only on success.\n"
      "Formats: docs/formats.md.");
  add_flags(Command::kReuse, *cmd, *settings);
  return [settings, comm] {
#if DOPPEL_FULL_BINARY
    if (comm != nullptr) return finish_distributed(*comm, run_reuse_distributed(*settings, *comm));
#else
    (void)comm;  // always null: doppel hands the ranks of a job to doppel-index (commands.h)
#endif
    const Status s = run_reuse(*settings);
    return s.ok() ? kExitOk : fail(s);
  };
}

}  // namespace doppel::cli
