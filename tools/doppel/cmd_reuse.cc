// `doppel reuse`: passages shared between documents. Flags are defined once, here, with their
// help text; docs/cli.md repeats them for readers.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "cli_common.h"
#include "commands.h"
#include "doppel/reuse.h"

namespace doppel::cli {
namespace {

struct ReuseFlags {
  CommonFlags common;
  ReuseOptions options;
  std::string pairs, clusters, documents, output, stats;
  int show = 20;
  bool show_new = false;
  std::vector<OutputFlag> outputs() const {
    return {{"--pairs", &pairs},
            {"--clusters", &clusters},
            {"--documents", &documents},
            {"--output", &output},
            {"--stats", &stats}};
  }
};

std::string percent(std::uint64_t part, std::uint64_t whole) {
  return whole == 0 ? "0%" : fmt::format("{:.0f}%", 100.0 * double(part) / double(whole));
}

// The passage clusters for a person: one block each, the source first.
void print_clusters(const ReuseResult& r, int show) {
  const DedupResult& c = r.corpus;
  if (r.clusters.empty()) {
    std::fputs("No reused passages found.\n", stdout);
    return;
  }
  const std::size_t limit =
      show <= 0 ? r.clusters.size() : std::min<std::size_t>(show, r.clusters.size());
  for (std::size_t k = 0; k < limit; ++k) {
    const PassageCluster& cl = r.clusters[k];
    std::string block =
        fmt::format("passage {} · {} documents · {} occurrences", k, cl.documents, cl.size);
    if (cl.source != kNoCluster) {
      const std::uint32_t d = r.occurrences[cl.source].doc;
      block += fmt::format(" · first in {} ({})", c.id(d), c.date(d));
    }
    block += '\n';
    for (std::uint32_t i = 0; i < cl.size; ++i) {
      const Occurrence& o = r.occurrences[cl.occurrences_begin + i];
      const OccurrenceRole rl = role_of(r, o);
      const char* role = rl == OccurrenceRole::kSource  ? "first"
                         : rl == OccurrenceRole::kReuse ? "reuse"
                                                        : "     ";
      block += fmt::format("  {}  {}", role, c.id(o.doc));
      if (!c.date(o.doc).empty()) block += fmt::format("  ({})", c.date(o.doc));
      block += fmt::format("  chars {}-{}, {} words\n", o.span.begin, o.span.end, o.span.words);
    }
    std::fputs(block.c_str(), stdout);
  }
  if (limit < r.clusters.size()) {
    std::fprintf(stdout, "... and %zu more passages (all of them: --clusters FILE, or --show 0)\n",
                 r.clusters.size() - limit);
  }
}

// Per document: how much of it is reused, and with --new what is left, i.e. what is new in it.
Status print_documents(const ReuseResult& r, const ReuseFlags& f, const std::string& stdin_path) {
  const DedupResult& c = r.corpus;
  const std::vector<std::uint64_t> reused = reused_chars(r);
  auto header = [&](std::uint32_t d) {
    std::string s = fmt::format("{}", c.id(d));
    if (!c.date(d).empty()) s += fmt::format("  ({})", c.date(d));
    s += fmt::format("  {} reused\n", percent(reused[d], r.doc_chars[d]));
    return s;
  };
  std::fputs(
      f.show_new ? "\nWhat is new in each document:\n" : "\nReused share of each document:\n",
      stdout);
  int shown = 0, total = 0;
  if (!f.show_new) {
    for (std::uint32_t d = 0; d < c.docs.size(); ++d) {
      if (c.docs[d].status != DocStatus::kKept) continue;
      ++total;
      if (f.show > 0 && shown >= f.show) continue;
      ++shown;
      std::fputs(("  " + header(d)).c_str(), stdout);
    }
  } else {
    auto print_new = [&](const CleanedDocument& doc) {
      ++total;
      if (f.show > 0 && shown >= f.show) return Status::Ok();
      ++shown;
      std::string block = "\n" + header(doc.doc);
      std::string body = doc.text;
      while (!body.empty() && (body.back() == '\n' || body.back() == ' ')) body.pop_back();
      // Indented, so that the documents stand apart.
      block += "    ";
      for (const char ch : body) {
        block.push_back(ch);
        if (ch == '\n') block += "    ";
      }
      block += '\n';
      std::fputs(block.c_str(), stdout);
      return Status::Ok();
    };
    if (Status s = for_each_cleaned_document(r, f.options, stdin_path, print_new); !s.ok()) {
      return s;
    }
  }
  if (shown < total) {
    std::fprintf(stdout, "... and %d more documents (all of them: --documents FILE, or --show 0)\n",
                 total - shown);
  }
  return Status::Ok();
}

void print_summary(const ReuseResult& r, const ReuseOptions& o) {
  const DedupStats& st = r.corpus.stats;
  const ReuseStats& rs = r.stats;
  std::string s = summary_head("reuse", r.corpus, r.corpus.stats.seconds.total);
  s += fmt::format("  compared          {:>12}\n", thousands(st.by_status[0]));
  s += document_accounting(r.corpus, o.read);
  s += fmt::format("  passages          {:>12}  ({} occurrences, {} aligned pairs)\n",
                   thousands(r.clusters.size()), thousands(r.occurrences.size()),
                   thousands(r.pairs.size()));
  s += fmt::format("  reused text       {:>12}  ({} of the text compared)\n",
                   human_bytes(double(rs.reused_bytes)), percent(rs.reused_bytes, rs.text_bytes));
  s +=
      fmt::format("  seeds             {:>12}  ({} chains aligned; {} frequent n-grams)\n",
                  thousands(rs.seeds), thousands(rs.chains_aligned), thousands(rs.frequent_ngrams));
  s += fmt::format("  seconds           read {:.3f}, seeds {:.3f}, align {:.3f}, cluster {:.3f}\n",
                   rs.seconds_read, rs.seconds_seeds, rs.seconds_align, rs.seconds_cluster);
  s += summary_memory(st);
  std::fputs(s.c_str(), stderr);
}

Status run_reuse(ReuseFlags& f) {
  ReuseOptions& o = f.options;
  o.threads = f.common.threads;
  o.progress = want_progress(f.common);
  // The cleaned corpus and --new read the input again: keep a copy of standard input.
  RunFiles files;
  DOPPEL_RETURN_IF_ERROR(
      open_run(f.common, f.outputs(), !f.output.empty() || f.show_new, o.normalize, files));

  Warnings warnings(f.common, o.progress, "raise --max-warnings");
  auto result = reuse(f.common.inputs, o, warnings.callback(), files.stdin_copy.file());
  if (!result.ok()) return result.status();
  warnings.print_hidden();
  files.stdin_copy.flush();

  const ReuseResult& r = *result;
  DOPPEL_RETURN_IF_ERROR(files.write_if_given(
      f.clusters, [&](std::FILE* out) { return write_passage_clusters(r, out); }));
  if (f.clusters != "-" && f.pairs != "-" && f.documents != "-" && f.output != "-") {
    print_clusters(r, f.show);
    DOPPEL_RETURN_IF_ERROR(print_documents(r, f, files.stdin_copy.path()));
  }
  std::fflush(stdout);
  DOPPEL_RETURN_IF_ERROR(
      files.write_if_given(f.pairs, [&](std::FILE* out) { return write_passage_pairs(r, out); }));
  DOPPEL_RETURN_IF_ERROR(files.write_if_given(
      f.documents, [&](std::FILE* out) { return write_reuse_documents(r, out); }));
  DOPPEL_RETURN_IF_ERROR(files.write_if_given(f.output, [&](std::FILE* out) {
    return write_cleaned_corpus(r, o, files.stdin_copy.path(), out);
  }));
  DOPPEL_RETURN_IF_ERROR(
      files.write_if_given(f.stats, [&](std::FILE* out) { return write_reuse_stats(r, o, out); }));
  if (!f.common.quiet) print_summary(r, o);
  return Status::Ok();
}

int run(ReuseFlags& f) {
  const Status s = run_reuse(f);
  return s.ok() ? kExitOk : fail(s);
}

}  // namespace

std::function<int()> add_reuse_command(CLI::App& app) {
  auto flags = std::make_shared<ReuseFlags>();
  ReuseFlags& f = *flags;
  ReuseOptions& o = f.options;
  CLI::App* cmd = app.add_subcommand(
      "reuse",
      "Find passages shared between documents, align them, group them into clusters and name the "
      "earliest source; write what is new in each document.");
  cmd->footer(
      "Examples:\n"
      "  doppel reuse articles/ --new\n"
      "  doppel reuse corpus.jsonl.zst --pairs pairs.jsonl --clusters passages.jsonl "
      "--output cleaned.jsonl\n"
      "Exit status: 0 on success, 2 on an error (bad usage, unreadable input, --on-error=fail).\n"
      "Formats: docs/formats.md.");
  add_input_flags(cmd, f.common, o.read);

  auto* match = cmd->add_option_group("Matching");
  add_normalize_flag(match, f.common);
  match->add_option("--min-words", o.min_words, "Shortest passage reported, in words")
      ->capture_default_str();
  match
      ->add_option("--min-similarity", o.min_similarity,
                   "Least share of aligned words that match, 2*matches/(words_a+words_b)")
      ->capture_default_str();
  match
      ->add_option("--seed-words", o.seed_words,
                   "Length of the shared word n-grams that seed an alignment: shorter finds "
                   "heavier edits, costs more")
      ->capture_default_str();
  match
      ->add_option("--band", o.band,
                   "Inserted or deleted words the alignment tolerates between two seeds")
      ->capture_default_str();
  match
      ->add_option("--max-unmatched", o.max_unmatched,
                   "A stretch of more words than this without a match ends a passage")
      ->capture_default_str();
  match->add_option("--max-gap", o.max_gap, "Words between seeds of one passage, at most")
      ->capture_default_str();
  match
      ->add_option("--all-pairs-docs", o.all_pairs_docs,
                   "An n-gram in more documents than this links each to its earliest occurrence "
                   "only (linear cost for boilerplate)")
      ->capture_default_str();

  auto* output = cmd->add_option_group("Output");
  output->add_option("--pairs", f.pairs, "Write every aligned passage pair as JSON Lines");
  output->add_option("--clusters", f.clusters,
                     "Write passage clusters (every occurrence, the source) as JSON Lines");
  output->add_option("--documents", f.documents,
                     "Write each document's reused share and spans as JSON Lines");
  output->add_option("--output", f.output,
                     "Write the cleaned corpus: each document without its shared passages, and "
                     "the spans removed");
  output
      ->add_option("--min-docs", o.min_docs,
                   "The cleaned corpus drops passages found in at least this many documents")
      ->capture_default_str();
  output->add_flag("--keep-source", o.keep_source,
                   "The cleaned corpus keeps each passage in its source (earliest) document");
  output->add_option("--stats", f.stats, "Write counts, timings and memory as JSON");
  output->add_option("--show", f.show, "Passages and documents to list on standard output (0: all)")
      ->capture_default_str();
  output->add_flag("--new", f.show_new,
                   "List what is new in each document (its text without shared passages)");

  add_running_flags(cmd, f.common);
  return [flags] { return run(*flags); };
}

}  // namespace doppel::cli
