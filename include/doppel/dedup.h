// Exact and near-duplicate detection over a corpus: the `doppel dedup` job as a library call.
//
// Pipeline (one folder of src/ per stage):
//   read (io/) -> normalize, tokenize, shingle (text/) -> sketch (sketch/) -> exact groups and
//   LSH candidates (candidates/) -> verify (verify/) -> union-find clusters (cluster/) -> write
//   (io/)
//
// Thread-safety: dedup() is reentrant; it runs its own worker threads (DedupOptions::threads).
// A DedupResult is a plain value, safe to read from many threads.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "doppel/options.h"
#include "doppel/status.h"

namespace doppel {

// What became of a document. Everything but kKept is a reason for removal; every document read
// has exactly one, so kept + removed = read.
enum class DocStatus : std::uint8_t {
  kKept = 0,
  kExactDuplicate,  // normalized text identical to the cluster's representative
  kNearDuplicate,   // in a cluster of near duplicates, not its representative
  // Bad input (docs/input.md gives the policy of each):
  kMalformedJson,  // the line is not a JSON object
  kMissingText,    // no text field, or it is not a string
  kInvalidUtf8,    // bytes that are not UTF-8
  kEmptyText,      // no word left after normalization
  kDuplicateId,    // an id seen earlier in the input
  kTooLarge,       // more than ReadOptions::max_doc_bytes
  kBinaryFile,     // NUL bytes: not text
  kTruncated,      // cut short by the end of a truncated compressed file
  kUnreadable,     // the file could not be read
};
inline constexpr int kNumDocStatus = 12;
// Stable snake_case name used in every output ("near_duplicate", "invalid_utf8", ...).
std::string_view to_string(DocStatus status);
inline bool is_bad_input(DocStatus s) { return s >= DocStatus::kMalformedJson; }

inline constexpr std::uint32_t kNoCluster = 0xffffffffu;
inline constexpr std::uint32_t kNoDoc = 0xffffffffu;  // a Problem of a whole file

// One per document read, in input order. Strings live in DedupResult::strings.
struct DocumentInfo {
  std::uint64_t id_begin = 0;  // id: strings.substr(id_begin, id_size)
  std::uint32_t id_size = 0;
  std::uint32_t date_size = 0;  // date follows the id in `strings` ("" when none)
  std::uint32_t input = 0;      // index into DedupResult::inputs
  std::uint32_t cluster = kNoCluster;
  std::uint64_t line = 0;        // 1-based line of a JSON Lines file; 0 for a text file
  std::uint64_t text_bytes = 0;  // bytes of document text (header excluded)
  float similarity = 0;          // to the cluster's representative (1 for itself)
  DocStatus status = DocStatus::kKept;
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

// A message about bad input, in input order: "corpus.jsonl:17: malformed JSON (...)".
struct Problem {
  std::uint32_t input = 0;
  std::uint64_t line = 0;      // 0 when it concerns the whole file
  std::uint32_t doc = kNoDoc;  // the document it removed, if any
  std::string message;
};

struct StageSeconds {
  double read_sketch = 0;  // read, parse, normalize, shingle and sketch (parallel)
  double exact = 0;        // group identical normalized texts
  double candidates = 0;   // LSH banding and bucket scans
  double verify = 0;       // candidate verification and union-find
  double cluster = 0;      // clusters, representatives and similarities
  double total = 0;
};

struct DedupStats {
  std::uint64_t input_bytes = 0;  // bytes of (decompressed) input read
  std::uint64_t documents = 0;    // documents read
  std::uint64_t by_status[kNumDocStatus] = {};
  std::uint64_t blank_lines = 0;      // empty lines in JSON Lines input; not documents
  std::uint64_t synthesized_ids = 0;  // JSON documents without an id, named "file:line"
  std::uint64_t candidate_pairs = 0;  // pairs sharing an LSH bucket, before verification
  std::uint64_t verified_pairs = 0;   // candidates that reached the threshold
  std::uint64_t exact_clusters = 0, near_clusters = 0, largest_cluster = 0;
  int bands = 0, rows = 0, threads = 0;
  StageSeconds seconds;
  std::uint64_t peak_rss_bytes = 0;
};

struct DedupResult {
  std::vector<std::string> inputs;  // every file read, as named in messages
  std::vector<InputFormat> input_formats;
  std::vector<DocumentInfo> docs;      // input order
  std::string strings;                 // ids and dates, see DocumentInfo
  std::vector<Cluster> clusters;       // clusters of two or more, ordered by first member
  std::vector<std::uint32_t> members;  // document indices, ascending within each cluster
  std::vector<NearPair> pairs;         // verified near-duplicate pairs (DedupOptions::keep_pairs)
  std::vector<Problem> problems;       // bad input, in input order
  DedupStats stats;

  std::string_view id(std::uint32_t doc) const {
    return std::string_view(strings).substr(docs[doc].id_begin, docs[doc].id_size);
  }
  std::string_view date(std::uint32_t doc) const {
    return std::string_view(strings).substr(docs[doc].id_begin + docs[doc].id_size,
                                            docs[doc].date_size);
  }
  std::uint64_t file_problem_count() const {  // problems of whole files (damaged, unreadable)
    std::uint64_t n = 0;
    for (const Problem& p : problems) n += p.doc == kNoDoc;
    return n;
  }
  std::uint32_t duplicate_of(std::uint32_t doc) const {  // representative, or doc itself
    const auto c = docs[doc].cluster;
    return c == kNoCluster ? doc : clusters[c].representative;
  }
};

// Called for each Problem as soon as it is known, in input order (for live warnings).
using ProblemCallback = std::function<void(const DedupResult&, const Problem&)>;

// Whether the options can be used (ranges, flags that go together, reading limits and threads);
// dedup() checks them first too. For callers that want to refuse bad options before any work.
Status validate_options(const DedupOptions& options);

// Reads every input (files, directories of text files, "-" for standard input as JSON Lines),
// finds exact and near-duplicate clusters and decides which document each cluster keeps.
// Fails on unusable options or inputs, or on the first bad document with ErrorPolicy::kFail.
// `stdin_copy`, if given, receives a verbatim copy of standard input so that it can be read again
// by write_deduplicated_corpus.
Result<DedupResult> dedup(std::span<const std::string> inputs, const DedupOptions& options,
                          const ProblemCallback& on_problem = {}, std::FILE* stdin_copy = nullptr);

// Writers of the formats in docs/formats.md. Each writes JSON Lines to `out`.
Status write_clusters(const DedupResult& result, std::FILE* out);
Status write_pairs(const DedupResult& result, std::FILE* out);
Status write_removed(const DedupResult& result, std::FILE* out);
Status write_stats(const DedupResult& result, const DedupOptions& options, std::FILE* out);
// Reads the inputs a second time and writes every kept document: JSON Lines input line for line,
// verbatim; text files as {"id", "text", "date", "byline"}. `stdin_copy_path` replaces "-".
Status write_deduplicated_corpus(const DedupResult& result, const DedupOptions& options,
                                 const std::string& stdin_copy_path, std::FILE* out);

// The LSH shape for a threshold: the (bands, rows) with bands*rows <= num_hashes that minimises
// 0.05 x (probability mass of false candidates below the threshold) + 0.95 x (mass of missed
// pairs above it). Verification removes false candidates, so misses weigh far more.
struct BandsRows {
  int bands = 0, rows = 0;
};
BandsRows choose_bands_rows(double threshold, int num_hashes);

}  // namespace doppel
