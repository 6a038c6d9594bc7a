#include "flags.h"

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <map>
#include <memory>
#include <type_traits>
#include <utility>

namespace doppel::cli {
namespace {

constexpr const char* kInput = "Input";
constexpr const char* kMatching = "Matching";
constexpr const char* kOutput = "Output";
constexpr const char* kRunning = "Running";

// A flag whose value is one of a few names (case does not matter); --help shows them as
// NAME|NAME, and a wrong value gets a message that lists them.
template <typename T>
CLI::Option* add_choice(CLI::Option_group& group, const std::string& flag, T& value,
                        const std::string& help,
                        const std::vector<std::pair<std::string, T>>& names) {
  std::string type, list;
  for (const auto& [name, v] : names) {
    type += (type.empty() ? "" : "|") + name;
    list += (list.empty() ? "" : ", ") + name;
  }
  std::string default_name;
  for (const auto& [name, v] : names) {
    if (v == value) default_name = name;
  }
  auto* option = group.add_option_function<std::string>(
      flag,
      [&value, names](const std::string& given) {
        for (const auto& [name, v] : names) {
          if (CLI::detail::to_lower(given) == name) {
            value = v;
            return;
          }
        }
      },
      help);
  option->check(CLI::Validator(
      [names, list](std::string& given) -> std::string {
        for (const auto& [name, v] : names) {
          if (CLI::detail::to_lower(given) == name) return {};
        }
        return fmt::format("'{}' is not one of {}", given, list);
      },
      "", ""));
  return option->type_name(type)->default_str(default_name);
}

struct FlagDef {
  const char* key;      // unique among all flags
  const char* name;     // as CLI11 takes it: "--threshold", "-o,--output"
  const char* group;    // Input, Matching, Output or Running
  const char* metavar;  // shown after the flag; "" for a switch or a choice
  const char* help;
  CLI::Option* (*add)(CLI::Option_group& group, Settings& s, const FlagDef& f);
};

// Refuses a value written with a minus sign (no description: --help's metavar stays as it is).
CLI::Validator not_negative() {
  return CLI::Validator(
      [](std::string& given) -> std::string {
        const auto first = given.find_first_not_of(" \t");
        if (first != std::string::npos && given[first] == '-') {
          return fmt::format("'{}' is negative", given);
        }
        return {};
      },
      "", "");
}

// Refuses what an unsigned field would read as another number: CLI11 reads "-1" as 2^64 - 1
// (`--max-body -1` lifted the limit) and, with strtoull, a number past 2^64 - 1 as 2^64 - 1
// (decimal, hex or with a sign alike). A size flag runs it before its unit is applied.
CLI::Validator unsigned_in_range() {
  return CLI::Validator(
      [](std::string& given) -> std::string {
        if (std::string why = not_negative()(given); !why.empty()) return why;
        errno = 0;
        char* end = nullptr;
        (void)std::strtoull(given.c_str(), &end, 0);
        if (errno == ERANGE) return fmt::format("'{}' is too large", given);
        return {};
      },
      "", "");
}

// Adds an option bound to `field` with the definition's name, help, metavar and default.
template <typename T>
CLI::Option* option(CLI::Option_group& g, const FlagDef& f, T& field, bool show_default = true) {
  auto* o = g.add_option(f.name, field, f.help)->type_name(f.metavar);
  if constexpr (std::is_unsigned_v<T>) o->check(unsigned_in_range());
  return show_default ? o->capture_default_str() : o;
}

// Every flag of every command. The help text is what --help prints and what docs/cli.md's tables
// say: say what the flag does and what it trades.
const std::vector<FlagDef>& flag_table() {
  static const std::vector<FlagDef> table = {
      // --- Input ---------------------------------------------------------------------------
      {"format", "--format", kInput, "",
       "Input format: by file name (auto: .jsonl, .ndjson and .json, also .gz or .zst, and - are "
       "JSON Lines; other files are text, and refused if they hold JSON Lines), JSON Lines, or "
       "plain text",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return add_choice<InputFormat>(g, f.name, s.read.format, f.help,
                                        {{"auto", InputFormat::kAuto},
                                         {"jsonl", InputFormat::kJsonl},
                                         {"text", InputFormat::kText}});
       }},
      {"id-field", "--id-field", kInput, "NAME", "JSON field holding the document id",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return option(g, f, s.read.id_field);
       }},
      {"text-field", "--text-field", kInput, "NAME", "JSON field holding the document text",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return option(g, f, s.read.text_field);
       }},
      {"date-field", "--date-field", kInput, "NAME",
       "JSON field with the document date (ISO 8601, RFC 2822: ordered in UTC), carried along; "
       "optional",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return option(g, f, s.read.date_field);
       }},
      {"max-doc-bytes", "--max-doc-bytes", kInput, "SIZE",
       "Larger documents are bad input (too_large); suffixes K, M, G (powers of 1024)",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return option(g, f, s.read.max_doc_bytes, false)
             ->transform(CLI::AsSizeValue(false).description(""))
             ->transform(unsigned_in_range())
             ->default_str("64M");
       }},
      {"on-error", "--on-error", kInput, "",
       "Bad input: skip (report, count, list as removed, go on) or fail (stop, exit 2)",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return add_choice<ErrorPolicy>(
             g, f.name, s.read.on_error, f.help,
             {{"skip", ErrorPolicy::kSkip}, {"fail", ErrorPolicy::kFail}});
       }},
      // --- Matching ------------------------------------------------------------------------
      {"normalize", "--normalize", kMatching, "STEPS",
       "Normalization steps, comma-separated: nfkc, case, punct, space, and hans (traditional "
       "Chinese read as simplified; off by default); or none for byte-exact comparison",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return option(g, f, s.normalize);
       }},
      {"shingle", "--shingle", kMatching, "",
       "Shingles of words (prose) or of characters (text without spaces, OCR noise)",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return add_choice<ShingleKind>(
             g, f.name, s.dedup.shingle.kind, f.help,
             {{"word", ShingleKind::kWords}, {"char", ShingleKind::kChars}});
       }},
      {"ngram", "--ngram", kMatching, "N",
       "Shingle length in words (or characters): smaller finds looser matches",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return option(g, f, s.dedup.shingle.n);
       }},
      {"threshold", "--threshold", kMatching, "X",
       "Near duplicates: the least Jaccard similarity of two documents' shingle sets",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return option(g, f, s.dedup.lsh.threshold);
       }},
      {"hashes", "--hashes", kMatching, "K",
       "MinHash bins per document: error about sqrt(J(1-J)/K), 2 bytes each",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return option(g, f, s.dedup.sketch.num_hashes);
       }},
      {"bands", "--bands", kMatching, "B",
       "LSH bands (default: chosen from --threshold and --hashes); set with --rows",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return option(g, f, s.dedup.lsh.bands, false);
       }},
      {"rows", "--rows", kMatching, "R",
       "LSH rows per band (default: chosen from --threshold and --hashes); B x R <= K",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return option(g, f, s.dedup.lsh.rows, false);
       }},
      {"bucket-window", "--bucket-window", kMatching, "N",
       "LSH buckets of 64+ documents: each later one is compared with the first and the N before "
       "it; raise (up to 63) for families of near duplicates around the threshold, at N times the "
       "pairs",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return option(g, f, s.dedup.lsh.bucket_window);
       }},
      {"seed", "--seed", kMatching, "S", "Hash seed: results are reproducible for a given seed",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return option(g, f, s.dedup.sketch.seed);
       }},
      {"verify", "--verify", kMatching, "",
       "Check candidates by signature estimate (fast) or exact Jaccard (holds 8 bytes per shingle "
       "of every document)",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return add_choice<VerifyMode>(
             g, f.name, s.dedup.verify, f.help,
             {{"signature", VerifyMode::kSignature}, {"exact", VerifyMode::kExact}});
       }},
      {"keep", "--keep", kMatching, "",
       "Which document a cluster keeps: first in input order, earliest or latest date (an undated "
       "one only if no member has a date), longest text (in bytes); ties go to the first",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return add_choice<KeepPolicy>(g, f.name, s.dedup.keep, f.help,
                                       {{"first", KeepPolicy::kFirst},
                                        {"earliest", KeepPolicy::kEarliest},
                                        {"latest", KeepPolicy::kLatest},
                                        {"longest", KeepPolicy::kLongest}});
       }},
      {"min-words", "--min-words", kMatching, "N",
       "Passages: the shortest reported, in words on both sides",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return option(g, f, s.reuse.min_words);
       }},
      {"min-similarity", "--min-similarity", kMatching, "X",
       "Passages: the least share of aligned words that match, 2*matches/(words_a+words_b)",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return option(g, f, s.reuse.min_similarity);
       }},
      {"cluster-trigrams", "--cluster-trigrams", kMatching, "X",
       "Passages: the least share of a text's word 3-grams found in a passage cluster's first "
       "occurrence for it to join the cluster; rewrites and templates with other fillers "
       "(earnings tables) stay out, lower lets them in",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return option(g, f, s.reuse.cluster_trigrams);
       }},
      {"seed-words", "--seed-words", kMatching, "N",
       "Length of the shared word n-grams that seed an alignment: shorter finds heavier edits "
       "and costs more",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return option(g, f, s.reuse.seed_words);
       }},
      {"band", "--band", kMatching, "N",
       "Inserted or deleted words the alignment tolerates between two seeds",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return option(g, f, s.reuse.band);
       }},
      {"max-unmatched", "--max-unmatched", kMatching, "N",
       "A stretch of more words than this without a match ends a passage (a new sentence between "
       "two reused ones is not reuse)",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return option(g, f, s.reuse.max_unmatched);
       }},
      {"max-gap", "--max-gap", kMatching, "N",
       "Seeds further apart than this many words start a new chain",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return option(g, f, s.reuse.max_gap);
       }},
      {"all-pairs-docs", "--all-pairs-docs", kMatching, "N",
       "An n-gram in more documents than this links each to its earliest occurrence only "
       "(linear cost for boilerplate)",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return option(g, f, s.reuse.all_pairs_docs);
       }},
      {"max-candidates", "--max-candidates", kMatching, "N",
       "Index: align each document with at most this many earlier ones, those sharing the most "
       "passage fingerprints (0: all)",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return option(g, f, s.index.max_candidates);
       }},
      {"winnow-window", "--winnow-window", kMatching, "N",
       "Index: n-grams per winnowing window (0: --min-words - --seed-words + 1, so that every "
       "shared run of --min-words words keeps a fingerprint); larger stores fewer",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return option(g, f, s.index.winnow_window);
       }},
      {"passages", "--passages", kMatching, "",
       "Index: find reused passages (on), or answer exact and near duplicates only (off: no "
       "words stored, faster)",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return add_choice<bool>(g, f.name, s.index.passages, f.help,
                                 {{"on", true}, {"off", false}});
       }},
      // --- Output: dedup -------------------------------------------------------------------
      {"dedup.clusters", "--clusters", kOutput, "FILE",
       "Write clusters as JSON Lines to FILE (- for standard output, replacing the listing)",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return option(g, f, s.clusters, false);
       }},
      {"dedup.pairs", "--pairs", kOutput, "FILE",
       "Write every verified near-duplicate pair as JSON Lines",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return option(g, f, s.pairs, false);
       }},
      {"dedup.output", "--output", kOutput, "FILE",
       "Write the deduplicated corpus (the kept documents) as JSON Lines",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return option(g, f, s.output, false);
       }},
      {"removed", "--removed", kOutput, "FILE",
       "Write every document not kept, with the reason, as JSON Lines",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return option(g, f, s.removed, false);
       }},
      {"dedup.show", "--show", kOutput, "N",
       "Clusters to list on standard output, in order of first member, each with an excerpt of "
       "its kept document's text and at most ten of its documents (0: all)",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return option(g, f, s.show)->check(not_negative());
       }},
      // --- Output: reuse -------------------------------------------------------------------
      {"reuse.pairs", "--pairs", kOutput, "FILE", "Write every aligned passage pair as JSON Lines",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return option(g, f, s.pairs, false);
       }},
      {"reuse.clusters", "--clusters", kOutput, "FILE",
       "Write passage clusters (every occurrence, the source) as JSON Lines",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return option(g, f, s.clusters, false);
       }},
      {"documents", "--documents", kOutput, "FILE",
       "Write each document's reused share and spans as JSON Lines",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return option(g, f, s.documents, false);
       }},
      {"reuse.output", "--output", kOutput, "FILE",
       "Write the cleaned corpus: each document without its shared passages, and the spans removed",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return option(g, f, s.output, false);
       }},
      {"min-docs", "--min-docs", kOutput, "N",
       "The cleaned corpus drops passages found in at least this many documents",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return option(g, f, s.reuse.min_docs);
       }},
      {"keep-source", "--keep-source", kOutput, "",
       "The cleaned corpus keeps each passage in its source (earliest) document",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return g.add_flag(f.name, s.reuse.keep_source, f.help);
       }},
      {"reuse.show", "--show", kOutput, "N",
       "Passages (largest first, each with an excerpt of its text and at most five occurrences) "
       "and documents (of more than N, the most reused; with --new, the first N) to list on "
       "standard output (0: all)",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return option(g, f, s.show)->check(not_negative());
       }},
      {"new", "--new", kOutput, "",
       "List what is new in each document (its text without shared passages)",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return g.add_flag(f.name, s.show_new, f.help);
       }},
      // --- Output: both jobs ---------------------------------------------------------------
      {"stats", "--stats", kOutput, "FILE", "Write counts, timings and memory as JSON",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return option(g, f, s.stats, false);
       }},
      // --- Output: index -------------------------------------------------------------------
      {"answers", "--answers", kOutput, "FILE",
       "Write the answers as JSON Lines to FILE instead of standard output (written when the run "
       "succeeds; on standard output each batch's answers come once it is committed, so those of "
       "the batches an add keeps after a failure or Ctrl-C are there)",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return option(g, f, s.answers, false);
       }},
      {"listing", "--listing", kOutput, "",
       "Print the answers for a person on standard output, one block each (status, new share, "
       "each passage's earliest source and an excerpt of its text), instead of JSON Lines; "
       "--answers FILE still writes those",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return g.add_flag(f.name, s.listing, f.help);
       }},
      {"export.pairs", "--pairs", kOutput, "FILE",
       "Write every near-duplicate pair in the index, as doppel dedup --pairs does",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return option(g, f, s.pairs, false);
       }},
      {"export.clusters", "--clusters", kOutput, "FILE",
       "Write the clusters of the index, as doppel dedup --clusters --keep first does",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return option(g, f, s.clusters, false);
       }},
      // --- Output: report ------------------------------------------------------------------
      {"report.output", "-o,--output", kOutput, "FILE",
       "The HTML file to write (a .json, .jsonl or .ndjson name is refused)",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return option(g, f, s.report_output);
       }},
      {"title", "--title", kOutput, "TEXT", "Title of the report",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return option(g, f, s.report.title);
       }},
      {"block-docs", "--block-docs", kOutput, "N",
       "Documents per block of text that the browser parses when it first shows one of them",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return option(g, f, s.report.text_block_docs);
       }},
      // --- Running -------------------------------------------------------------------------
      {"threads", "--threads", kRunning, "N",
       "Worker threads (0: one per core); results do not depend on the number",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) { return option(g, f, s.threads); }},
      {"progress", "--progress", kRunning, "",
       "Progress bar on standard error: auto (on a terminal), always, never",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return add_choice<std::string>(
             g, f.name, s.progress, f.help,
             {{"auto", "auto"}, {"always", "always"}, {"never", "never"}});
       }},
      {"max-warnings", "--max-warnings", kRunning, "N",
       "Bad-input warnings to print before counting the rest silently",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return option(g, f, s.max_warnings)->check(not_negative());
       }},
      {"batch", "--batch", kRunning, "N",
       "Documents per commit: each batch is synced, then answered; larger batches amortize the "
       "sync",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return option(g, f, s.index_read.batch_docs);
       }},
      {"skip-passages", "--skip-passages", kRunning, "",
       "Do not look for reused passages: answers give the status and near duplicates, with "
       "passages and new_share null. No alignment, most of an add's work; the index stores the "
       "same, and later documents find their passages in these as usual (bulk loads)",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return g.add_flag_callback(
             f.name, [&s] { s.index_read.find_passages = false; }, f.help);
       }},
      {"no-sync", "--no-sync", kRunning, "",
       "Do not sync commits to disk (bulk loads that can be redone: a crash may lose acknowledged "
       "batches, never part of one)",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return g.add_flag(f.name, s.no_sync, f.help);
       }},
      {"listen", "--listen", kRunning, "HOST:PORT",
       "Address to serve on; the default is loopback only (port 0: any free port)",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) { return option(g, f, s.listen); }},
      {"token-file", "--token-file", kRunning, "FILE",
       "Writes (POST /v1/documents, DELETE) need Authorization: Bearer and the token in FILE",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return option(g, f, s.token_file, false);
       }},
      {"access-log", "--access-log", kRunning, "FILE",
       "Append a JSON line per answered request to FILE (- : standard error): time, client, "
       "method, target, status, sizes, seconds",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return option(g, f, s.access_log, false);
       }},
      {"max-body", "--max-body", kRunning, "SIZE",
       "Larger request bodies get 413; suffixes K, M, G. Bounds a request's memory",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return option(g, f, s.max_body, false)
             ->transform(CLI::AsSizeValue(false).description(""))
             ->transform(unsigned_in_range())
             ->default_str("16M");
       }},
      {"http-threads", "--http-threads", kRunning, "N", "Requests served at once",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return option(g, f, s.http_threads);
       }},
      {"queue", "--queue", kRunning, "N",
       "Connections waiting for a request thread; beyond them the server stops accepting (memory "
       "stays bounded)",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) { return option(g, f, s.queue); }},
      {"quiet", "-q,--quiet", kRunning, "",
       "Print nothing but errors: no listing, warnings, summary or progress bar",
       [](CLI::Option_group& g, Settings& s, const FlagDef& f) {
         return g.add_flag(f.name, s.quiet, f.help);
       }},
  };
  return table;
}

const std::vector<const char*>& input_flags() {
  static const std::vector<const char*> keys = {"format",     "id-field",      "text-field",
                                                "date-field", "max-doc-bytes", "on-error"};
  return keys;
}
const std::vector<const char*>& running_flags() {
  static const std::vector<const char*> keys = {"threads", "progress", "max-warnings", "quiet"};
  return keys;
}

const std::vector<const char*>& index_matching_flags() {
  static const std::vector<const char*> keys = {
      "normalize",      "shingle",        "ngram",         "threshold",     "hashes",
      "bands",          "rows",           "bucket-window", "seed",          "min-words",
      "min-similarity", "seed-words",     "band",          "max-unmatched", "max-gap",
      "all-pairs-docs", "max-candidates", "winnow-window", "passages"};
  return keys;
}

std::vector<const char*> flags_of(Command command) {
  std::vector<const char*> keys;
  auto add = [&](std::initializer_list<const char*> more) { keys.insert(keys.end(), more); };
  auto add_all = [&](const std::vector<const char*>& more) {
    keys.insert(keys.end(), more.begin(), more.end());
  };
  switch (command) {
    case Command::kIndexAdd:
    case Command::kIndexQuery:
      add_all(input_flags());
      add_all(index_matching_flags());
      add({"answers", "listing", "skip-passages"});
      if (command == Command::kIndexAdd) add({"batch", "no-sync"});
      add_all(running_flags());
      return keys;
    case Command::kIndexRemove:
      add({"no-sync", "quiet"});
      return keys;
    case Command::kIndexStats:
      return keys;
    case Command::kIndexExport:
      add({"export.pairs", "export.clusters", "quiet"});
      return keys;
    case Command::kServe:
      add({"id-field", "text-field", "date-field", "max-doc-bytes"});
      add_all(index_matching_flags());
      add({"listen", "token-file", "access-log", "max-body", "http-threads", "queue", "no-sync",
           "threads", "quiet"});
      return keys;
    default:
      break;
  }
  add_all(input_flags());
  switch (command) {
    case Command::kDedup:
      add({"normalize", "shingle", "ngram", "threshold", "hashes", "bands", "rows", "bucket-window",
           "seed", "verify", "keep", "dedup.clusters", "dedup.pairs", "dedup.output", "removed",
           "stats", "dedup.show"});
      break;
    case Command::kReuse:
      add({"normalize", "min-words", "min-similarity", "cluster-trigrams", "seed-words", "band",
           "max-unmatched", "max-gap", "all-pairs-docs", "reuse.pairs", "reuse.clusters",
           "documents", "reuse.output", "min-docs", "keep-source", "stats", "reuse.show", "new"});
      break;
    case Command::kReport:
      add({"normalize", "threshold", "min-words", "min-similarity", "report.output", "title",
           "block-docs"});
      break;
    default:
      break;
  }
  keys.insert(keys.end(), running_flags().begin(), running_flags().end());
  return keys;
}

const FlagDef& flag(std::string_view key) {
  for (const FlagDef& f : flag_table()) {
    if (key == f.key) return f;
  }
  throw std::logic_error(fmt::format("no flag {}", key));
}

// "--max-doc-bytes" of "-o,--output" and the like: the long name.
std::string long_name(const FlagDef& f) {
  const std::string_view name = f.name;
  const auto comma = name.find(',');
  return std::string(comma == std::string_view::npos ? name : name.substr(comma + 1));
}

}  // namespace

CLI::App& add_subcommand(CLI::App& parent, const std::string& name, const std::string& description,
                         const std::string& footer) {
  CLI::App* cmd = parent.add_subcommand(name, description);
  if (description.empty()) cmd->group("");  // CLI11 leaves a group without a name out of --help
  if (!footer.empty()) cmd->footer(footer);
  return *cmd;
}

void require_one_subcommand(CLI::App& cmd) { cmd.require_subcommand(1); }

bool was_parsed(const CLI::App& cmd) { return cmd.parsed(); }

std::string_view command_name(Command command) {
  switch (command) {
    case Command::kDedup:
      return "dedup";
    case Command::kReuse:
      return "reuse";
    case Command::kReport:
      return "report";
    case Command::kIndexAdd:
      return "index-add";
    case Command::kIndexQuery:
      return "index-query";
    case Command::kIndexRemove:
      return "index-remove";
    case Command::kIndexStats:
      return "index-stats";
    case Command::kIndexExport:
      return "index-export";
    case Command::kServe:
      return "serve";
  }
  return "";
}

bool is_index_command(Command command) {
  return command != Command::kDedup && command != Command::kReuse && command != Command::kReport;
}

void add_flags(Command command, CLI::App& cmd, Settings& settings) {
  if (is_index_command(command)) {
    // Named as the usage line names it, so that CLI11's "INDEX is required" says which argument.
    cmd.add_option("INDEX", settings.index_path,
                   "The index: a directory (made by the first add or serve)")
        ->type_name("")
        ->required();
  }
  if (command == Command::kIndexRemove) {
    cmd.add_option("ID", settings.inputs, "Ids of the documents to remove")
        ->type_name("")
        ->required();
  } else if (!is_index_command(command) || command == Command::kIndexAdd ||
             command == Command::kIndexQuery) {
    auto* inputs =
        cmd.add_option("INPUT", settings.inputs,
                       "JSON Lines files (.jsonl, .ndjson, .json; also .gz or .zst), text files, "
                       "directories (read file by file, each as its name says), or - for JSON "
                       "Lines on standard input")
            ->type_name("");
    if (is_index_command(command)) inputs->required();
  }
  std::map<std::string, CLI::Option_group*> groups;
  const auto keys = flags_of(command);
  for (const char* group : {kInput, kMatching, kOutput, kRunning}) {
    // A group without a flag of the command would be an empty heading in --help.
    if (std::any_of(keys.begin(), keys.end(),
                    [&](const char* key) { return std::string_view(flag(key).group) == group; })) {
      groups[group] = cmd.add_option_group(group);
    }
  }
  for (const char* key : keys) {
    const FlagDef& f = flag(key);
    f.add(*groups.at(f.group), settings, f);
  }
}

std::vector<std::string> given_matching_options(Command command, const CLI::App& cmd) {
  std::vector<std::string> given;
  for (const char* key : flags_of(command)) {
    const FlagDef& f = flag(key);
    if (std::string_view(f.group) != kMatching) continue;
    const CLI::Option* o = cmd.get_option_no_throw(long_name(f));
    if (o == nullptr || o->count() == 0) continue;
    std::string name = std::string(key);
    std::replace(name.begin(), name.end(), '-', '_');
    given.push_back(name);
  }
  return given;
}

std::string flags_markdown(Command command) {
  Settings settings;
  CLI::App app;
  add_flags(command, app, settings);
  std::string md;
  for (const char* group : {kInput, kMatching, kOutput, kRunning}) {
    std::string rows;
    for (const char* key : flags_of(command)) {
      const FlagDef& f = flag(key);
      if (std::string_view(f.group) != group) continue;
      const CLI::Option* o = app.get_option(long_name(f));
      std::string names = f.name;
      std::replace(names.begin(), names.end(), ',', ' ');
      if (names.find(' ') != std::string::npos) names.insert(names.find(' '), ",");
      // The metavar, or a choice's names (CLI11 adds a validator's description after a colon).
      std::string type = o->get_type_name();
      // CLI11 appends a validator's description after a colon; a metavar may hold one itself.
      if (f.metavar[0] == '\0' || !type.starts_with(f.metavar)) {
        type = type.substr(0, type.find(':'));
      } else {
        type = f.metavar;
      }
      const std::string shown =
          type.empty() || type == "FLAG" ? names : fmt::format("{} {}", names, type);
      // Pipes separate table cells: escaped in choices such as auto|jsonl|text.
      std::string escaped;
      for (const char c : shown) {
        if (c == '|') escaped += '\\';
        escaped += c;
      }
      const std::string def = o->get_default_str();
      rows +=
          fmt::format("| `{}` | {} | {} |\n", escaped, def.empty() ? "" : "`" + def + "`", f.help);
    }
    if (rows.empty()) continue;
    md += fmt::format("**{}**\n\n| flag | default | |\n|---|---|---|\n{}\n", group, rows);
  }
  return md;
}

std::string with_flag_names(std::string_view message) {
  std::string out;
  std::size_t i = 0;
  while (i < message.size()) {
    const std::size_t open = message.find('`', i);
    const std::size_t close = open == std::string_view::npos ? open : message.find('`', open + 1);
    if (close == std::string_view::npos) break;
    std::string name(message.substr(open + 1, close - open - 1));
    std::string dashed = "--" + name;
    std::replace(dashed.begin(), dashed.end(), '_', '-');
    const bool is_flag = std::any_of(flag_table().begin(), flag_table().end(),
                                     [&](const FlagDef& f) { return long_name(f) == dashed; });
    out.append(message.substr(i, open - i));
    out += is_flag ? dashed : "`" + name + "`";
    i = close + 1;
  }
  out.append(message.substr(i));
  return out;
}

}  // namespace doppel::cli
