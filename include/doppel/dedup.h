// Exact and near-duplicate detection over a corpus: the `doppel dedup` job as a library call.
//
// Pipeline (one folder of src/ per stage, docs/architecture.md):
//   read (input/, corpus/) -> normalize, tokenize, shingle (text/) -> sketch (sketch/) -> exact
//   groups and LSH candidates (candidates/) -> verify (verify/) -> clusters and representatives
//   (cluster/) -> write (output/)
//
// Thread-safety: dedup() is reentrant; it runs its own worker threads (DedupOptions::threads).
// A DedupResult is a plain value, safe to read from many threads.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "doppel/corpus.h"
#include "doppel/options.h"
#include "doppel/output.h"
#include "doppel/status.h"

namespace doppel {

// What dedup decided about a document.
enum class DedupVerdict : std::uint8_t {
  kKept = 0,        // kept: unique, or the representative of its cluster
  kExactDuplicate,  // normalized text identical to the cluster's representative
  kNearDuplicate,   // in a cluster of near duplicates, not its representative
  kNotCompared,     // bad input (Corpus::docs[d].status says why)
};

inline constexpr std::uint32_t kNoCluster = 0xffffffffu;

// Per document, in input order (beside Corpus::docs).
struct DedupDocument {
  std::uint32_t cluster = kNoCluster;
  float similarity = 0;  // to the cluster's representative (1 for itself)
  DedupVerdict verdict = DedupVerdict::kKept;
  bool exact = false;  // normalized text identical to the representative's
};

struct Cluster {
  std::uint32_t representative = 0;  // document index, chosen by DedupOptions::keep
  std::uint32_t members_begin = 0;   // members: DedupResult::members[begin, begin + size)
  std::uint32_t size = 0;
  bool all_exact = false;  // every member has the representative's normalized text
};

struct NearPair {
  std::uint32_t a = 0, b = 0;  // document indices, a < b
  float similarity = 0;        // estimated (signature) or exact Jaccard, per VerifyMode
};

struct DedupSeconds {
  double read_sketch = 0;  // read, parse, normalize, shingle and sketch (parallel)
  double exact = 0;        // group identical normalized texts
  double candidates = 0;   // LSH banding and bucket scans
  double verify = 0;       // candidate verification and union-find
  double cluster = 0;      // clusters, representatives and similarities
  double total = 0;
};

struct DedupStats {
  std::uint64_t kept = 0, exact_duplicates = 0, near_duplicates = 0;
  std::uint64_t candidate_pairs = 0;  // pairs sharing an LSH bucket, before verification
  std::uint64_t verified_pairs = 0;   // candidates that reached the threshold
  std::uint64_t exact_clusters = 0, near_clusters = 0, largest_cluster = 0;
  int bands = 0, rows = 0, threads = 0;
  DedupSeconds seconds;
  std::uint64_t peak_rss_bytes = 0;
};

struct DedupResult {
  Corpus corpus;                       // every document read, and how reading went
  std::vector<DedupDocument> docs;     // input order
  std::vector<Cluster> clusters;       // clusters of two or more, ordered by first member
  std::vector<std::uint32_t> members;  // document indices, ascending within each cluster
  std::vector<NearPair> pairs;         // verified near-duplicate pairs (DedupOptions::keep_pairs)
  DedupStats stats;

  std::uint32_t duplicate_of(std::uint32_t doc) const {  // representative, or doc itself
    const auto c = docs[doc].cluster;
    return c == kNoCluster ? doc : clusters[c].representative;
  }
};

// Why a document is not in the deduplicated corpus: "exact_duplicate", "near_duplicate", or its
// bad-input reason ("malformed_json", ...); "" when it is kept.
std::string_view removal_reason(const DedupResult& result, std::uint32_t doc);

// Whether the options can be used (ranges, options that go together, reading limits, threads);
// dedup() checks them first too. For callers that want to refuse bad options before any work.
Status validate_options(const DedupOptions& options);

// Reads every input (files, directories of text files, "-" for standard input as JSON Lines),
// finds exact and near-duplicate clusters and decides which document each cluster keeps.
// Fails on unusable options or inputs, when no document could be read, or on the first bad
// document with ErrorPolicy::kFail.
Result<DedupResult> dedup(std::span<const std::string> inputs, const DedupOptions& options,
                          const ProblemCallback& on_problem = {});

// Writers of the formats in docs/formats.md. Each writes JSON Lines (or JSON) to `out`.
Status write_clusters(const DedupResult& result, OutputStream& out);
Status write_pairs(const DedupResult& result, OutputStream& out);
Status write_removed(const DedupResult& result, OutputStream& out);
Status write_stats(const DedupResult& result, const DedupOptions& options, OutputStream& out);
// Reads the inputs again and writes every kept document: JSON Lines input line for line,
// verbatim; text files as {"id", "text", "date", "byline"}. Standard input needs
// ReadOptions::keep_stdin.
Status write_deduplicated_corpus(const DedupResult& result, OutputStream& out);

// The LSH shape for a threshold: the (bands, rows) with bands*rows <= num_hashes that minimises
// 0.05 x (probability mass of false candidates below the threshold) + 0.95 x (mass of missed
// pairs above it). Verification removes false candidates, so misses weigh far more.
struct BandsRows {
  int bands = 0, rows = 0;
};
BandsRows choose_bands_rows(double threshold, int num_hashes);

}  // namespace doppel
