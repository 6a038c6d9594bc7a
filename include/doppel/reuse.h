// Passage reuse across a corpus: the `doppel reuse` job as a library call.
//
// Pipeline (docs/architecture.md): read and normalize (input/, corpus/, text/; an address is one
// word: passages/passage_words) -> word n-gram seeds shared by documents (passages/seeds) ->
// banded local alignment around chains of seeds (align/) -> pieces of aligned words joined into
// passages (passages/segments) -> passage clusters (passages/passage_clusters) and their earliest
// source (passages/sources) -> write (output/).
//
// Offsets: every span is given in Unicode code points and in UTF-8 bytes of the document's source
// text: the decoded text field of a JSON line, or the whole text file as it is on disk (a header
// line included), end exclusive.
//
// Thread-safety: reuse() is reentrant and runs its own threads; a ReuseResult is a plain value.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "doppel/corpus.h"
#include "doppel/options.h"
#include "doppel/output.h"
#include "doppel/status.h"

namespace doppel {

struct ReuseOptions {
  ReadOptions read;
  NormalizeOptions normalize;
  int seed_words = 5;           // seeds are shared word n-grams of this length: shorter finds more
                                // heavily edited reuse and costs more candidate seeds
  int min_words = 15;           // the shortest passage reported, in words on both sides
  double min_similarity = 0.5;  // aligned words that match, 2*matches/(words_a + words_b)
  double cluster_trigrams = 0.5;  // a text joins a passage cluster when this share of its word
                                  // 3-grams is in the cluster's source (center) occurrence: lower
                                  // lets rewrites and templates with different fillers (earnings
                                  // tables) join, and members be less like their source
  int band = 8;              // the alignment follows the seeds within this many inserted or deleted
                             // words; more tolerates heavier edits
  int max_unmatched = 12;    // a stretch of more words than this without a match ends a passage (an
                             // inserted sentence is new text, not part of the reused passage)
  int max_gap = 25;          // seeds further apart than this many words start a new passage
  int all_pairs_docs = 8;    // a seed in at most this many documents links every pair of them; one
                             // in more links each to its earliest occurrence only: linear in the
                             // number of documents, so boilerplate in 100,000 documents stays cheap
  int min_docs = 2;          // cleaned corpus: passages in at least this many documents are removed
  bool keep_source = false;  // cleaned corpus: keep each passage in its source document
  int threads = 0;           // 0: every core
  bool progress = false;     // a progress bar on standard error
};

inline constexpr std::uint32_t kNoOccurrence = 0xffffffffu;
inline constexpr std::uint32_t kNoPassageCluster = 0xffffffffu;

// Two documents sharing a passage, aligned word by word. a < b in input order.
struct PassagePair {
  std::uint32_t a = 0, b = 0;
  TextSpan a_span, b_span;
  std::uint32_t matches = 0;  // aligned words that are equal after normalization
  float similarity = 0;       // 2 * matches / (a_span.words + b_span.words)
  // Of the passage clusters holding words of both sides, the one holding most; kNoPassageCluster
  // when there is none (its sides went to different clusters, or to none).
  std::uint32_t cluster = kNoPassageCluster;
};

// One occurrence of a passage: a stretch of a document that belongs to one passage cluster.
struct Occurrence {
  std::uint32_t doc = 0;
  std::uint32_t cluster = 0;
  TextSpan span;
};

// A passage cluster: the occurrences of one passage, over two or more documents: a stretch of its
// earliest document and the stretches of others aligned to it that are mostly the same text (at
// least ReuseOptions::cluster_trigrams of their word 3-grams in it; docs/reuse.md).
struct PassageCluster {
  std::uint32_t occurrences_begin = 0, size = 0;  // ReuseResult::occurrences[begin, begin+size)
  std::uint32_t documents = 0;                    // distinct documents
  std::uint32_t source = kNoOccurrence;  // the occurrence in the earliest dated document (ties:
                                         // first in input order); none when no member has a date
};

// An occurrence's place in its cluster's history.
enum class OccurrenceRole {
  kUnknown,  // the cluster has no source (no member has a date), or the document has no date
  kSource,   // in the cluster's source document
  kReuse,    // in a later dated document (or one of the source's date, later in the input)
};

struct ReuseSeconds {
  double read = 0, seeds = 0, align = 0, cluster = 0, total = 0;
};

struct ReuseStats {
  std::uint64_t seeds = 0;            // document pairs x positions sharing a seed n-gram
  std::uint64_t chains_aligned = 0;   // chains of two or more seeds, aligned
  std::uint64_t frequent_ngrams = 0;  // seed n-grams in more than all_pairs_docs documents
  std::uint64_t reused_bytes = 0, text_bytes = 0;
  // Documents of 40 code points or more with 12 or more a word on average: text written without
  // spaces (Chinese, Japanese, Thai) or encoded data, where passages are whole runs of long words.
  std::uint64_t long_word_docs = 0;
  int threads = 0;
  ReuseSeconds seconds;
  std::uint64_t peak_rss_bytes = 0;
};

struct ReuseResult {
  Corpus corpus;                         // every document read, and how reading went
  std::vector<PassagePair> pairs;        // by (a, b, a_span.begin)
  std::vector<Occurrence> occurrences;   // grouped by cluster; within one, by input order
  std::vector<PassageCluster> clusters;  // ordered by first occurrence
  std::vector<std::uint64_t> doc_chars;  // per document: code points of its source text
  ReuseStats stats;
};

OccurrenceRole role_of(const ReuseResult& result, const Occurrence& occurrence);

// Per document: code points of its text in passage clusters. A document's occurrences never
// overlap (a text belongs to one cluster at most), so this is their sum.
std::vector<std::uint64_t> reused_chars(const ReuseResult& result);

// Occurrence indices sorted by (document, begin): each document's passages in text order.
std::vector<std::uint32_t> occurrences_by_document(const ReuseResult& result);

// Whether the options can be used; reuse() checks them first too.
Status validate_options(const ReuseOptions& options);

// Reads every input like dedup() and finds the passages shared between documents. Fails on
// unusable options or inputs, when no document could be read, or on the first bad document with
// ErrorPolicy::kFail.
Result<ReuseResult> reuse(std::span<const std::string> inputs, const ReuseOptions& options,
                          const ProblemCallback& on_problem = {});

// Writers of the formats in docs/formats.md (JSON Lines, and JSON for the statistics).
Status write_passage_pairs(const ReuseResult& result, OutputStream& out);
Status write_passage_clusters(const ReuseResult& result, OutputStream& out);
Status write_reuse_documents(const ReuseResult& result, OutputStream& out);
Status write_reuse_stats(const ReuseResult& result, const ReuseOptions& options, OutputStream& out);
// A document with the passages of clusters over at least ReuseOptions::min_docs documents cut
// out (except in their source with ReuseOptions::keep_source): what is new in it.
struct CleanedDocument {
  std::uint32_t doc = 0;
  std::string text;         // the document text (a text file's body) without those passages
  std::string_view byline;  // text files with a header line
  std::vector<const Occurrence*> removed;
};
using CleanedDocumentCallback = std::function<Status(const CleanedDocument&)>;
// Reads the inputs again and calls `fn` for every compared document, in input order. Standard
// input needs ReadOptions::keep_stdin.
Status for_each_cleaned_document(const ReuseResult& result, const ReuseOptions& options,
                                 const CleanedDocumentCallback& fn);
// Calls `fn(k, text)` for each k of `occurrences` (indices into result.occurrences), in input
// order: the text is its document's source text between the occurrence's byte offsets, read again
// from the inputs, and valid during the call. The reading stops after the last document it needs.
// Standard input needs ReadOptions::keep_stdin; fails if an input changed since the run read it.
using OccurrenceTextCallback = std::function<Status(std::size_t k, std::string_view text)>;
Status for_each_occurrence_text(const ReuseResult& result,
                                std::span<const std::uint32_t> occurrences,
                                const OccurrenceTextCallback& fn);
// Reads the inputs again and writes each readable document with the passages of clusters over
// at least options.min_docs documents removed, and the removed spans listed.
Status write_cleaned_corpus(const ReuseResult& result, const ReuseOptions& options,
                            OutputStream& out);

}  // namespace doppel
