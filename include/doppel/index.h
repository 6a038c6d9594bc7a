// A persistent, incremental index of documents and their passages (`doppel index`, `doppel
// serve`). Each document added is compared with every document already in the index and with the
// documents before it in the same call: is it new, an exact duplicate, a near duplicate (of which
// documents), which of its passages were indexed before, where, and first by whom.
//
// The index lives in a directory (on-disk format, with its version: docs/index.md): a RocksDB
// database holding every document's record, the matching options, the near-duplicate pairs and
// the commit point, beside an append-only file of what passage alignment and verification read
// (signatures, word hashes and their places in the text). The look-up tables (LSH buckets,
// winnowed passage fingerprints, ids) are kept in memory and rebuilt when the index is opened.
//
// Same answers as a batch run: adding a corpus in any number of calls finds exactly the
// near-duplicate pairs and clusters that `doppel dedup` finds for the whole corpus with the same
// options (the LSH bucket rule is prefix-stable, candidates/lsh.h). Passages are found by reuse's
// own stages for each candidate pair; docs/index.md says where they differ from `doppel reuse`.
//
// Durability: an add or a removal returns after its changes are synced to disk; a process killed
// at any moment loses no acknowledged change and leaves no part of a batch visible. One process at
// a time may open an index for writing; another is refused with a message naming the holder (pid,
// host, since when).
//
// Thread-safety: an Index is safe to use from many threads. Writes (add, remove) run one at a
// time; queries, get() and stats() run in parallel with them and with each other, and see every
// write that returned before they started.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "doppel/corpus.h"
#include "doppel/options.h"
#include "doppel/output.h"
#include "doppel/status.h"

namespace doppel {

// The matching options, fixed when an index is created and stored in it (by these names: the
// names of messages, `threshold`, `min_words`, ...).
struct IndexOptions {
  NormalizeOptions normalize;
  ShingleOptions shingle;       // near duplicates: the shingles of the signature
  SketchOptions sketch;         // MinHash bins and seed
  LshOptions lsh;               // threshold, bands and rows, the bucket rule
  int seed_words = 5;           // passages: seeds are shared word n-grams of this length
  int min_words = 15;           // the shortest passage reported, in words on both sides
  double min_similarity = 0.5;  // aligned words that match, 2*matches/(words_a + words_b)
  int band = 8;                 // alignment band: words inserted or deleted along the seeds
  int max_unmatched = 12;       // a stretch of more unmatched words ends a passage
  int max_gap = 25;             // seeds further apart start a new chain
  int all_pairs_docs = 8;       // a fingerprint held by this many documents or fewer (the new one
                                // included) links the new one to each; one held by more, to the
                                // earliest dated holder only: bounded work for boilerplate
  int max_candidates = 16;      // a document is aligned with at most this many earlier ones,
                                // those sharing the most fingerprints with it (ties: the earliest
                                // added); 0: all. Bounds the work per document where text is
                                // reused heavily, at the cost of the holders beyond it.
  int winnow_window = 0;        // n-grams per winnowing window; 0: min_words - seed_words + 1, so
                                // that every shared run of min_words words keeps a fingerprint in
                                // common. Larger stores fewer and misses more short passages.
  bool passages = true;         // find reused passages. Off: the index keeps no words, spans nor
                                // fingerprints and answers exact and near duplicates only
};

// Checks ranges and combinations: the checks of dedup and reuse where they overlap.
Status validate_options(const IndexOptions& options);

// The options as stored: one `name value` line each, in a fixed order.
std::string to_string(const IndexOptions& options);

struct IndexOpenOptions {
  bool create_if_missing = true;  // a missing index is created with the options given to open()
  bool read_only = false;         // no writer lock: query, get, stats and export only; sees what
                                  // was committed when it was opened
  bool sync = true;  // sync to disk before a write returns; off only for bulk loads that can be
                     // redone (a crash may then lose acknowledged batches, never half of one)
  int threads = 0;   // threads for reading and aligning within a call; 0: every core
  // Options the caller chose (by name: "threshold", "min_words"): an existing index must have
  // been created with the same values, else open() fails naming each difference. Options not
  // named are taken from the index.
  std::vector<std::string> must_match;
};

// The longest id an index adds: its percent-encoded form (3 bytes a byte at most) fits the 8 KiB
// URL the service reads, for GET and DELETE /v1/documents/{id}. An add gives each document that
// has no id of its own, an empty one or a longer one the answer bad_input (malformed_json).
inline constexpr std::size_t kMaxIndexIdBytes = 2048;

// How a call reads its documents.
struct IndexReadOptions {
  ReadOptions read;  // inputs and their bad-input policy, as for dedup
  std::size_t batch_docs =
      4096;  // (`batch`) documents per commit (add): answers come a batch at a time;
             // larger batches amortize the sync, smaller ones answer sooner. A query is one
             // batch, whatever this says: it holds all its documents until it answers
  bool all_or_nothing = false;  // any bad input: nothing is added, and the call fails naming it
                                // (the service's rule for a request)
  bool progress = false;        // a progress bar on standard error
  // No readable document is an error (StatusCode::kNoDocuments), as for dedup; false: the call
  // answers every document (bad_input ones too), and an empty input with no answer.
  bool require_documents = true;
  int threads = 0;  // threads for this call's reading and aligning; 0: the index's (the service
                    // reads each request on its own thread)
  // Look for each document's reused passages. false (`--skip-passages`): the answers give the
  // status and near duplicates only (Answer::passages_looked_for false), with no alignment, which
  // is most of an add's work; an add stores the same as with true, so that later documents find
  // their passages in these as usual (a bulk load of an archive that needs no answers).
  bool find_passages = true;
  // An add syncs and commits each batch on a thread of its own while it reads, looks up and
  // compares the next one; a batch's answers still come only once its commit has returned. The
  // cost: a reader in this process (a query, the service) may see a batch before its commit has
  // returned, and if that commit fails the index keeps it in memory until opened again (writes
  // are refused meanwhile), and a batch's answers wait until the next batch is read. `doppel
  // index add` of files sets it: nothing else reads its index, and reading never waits long.
  bool commit_behind = false;
  // Called after each batch's answers went to the AnswerCallback (add: once its commit returned),
  // so that a caller buffering them can pass them on a batch at a time; a failure stops the call.
  std::function<Status()> after_batch;
  // More than 0: each PassageAnswer::excerpt is filled, at most this many code points. The batch's
  // texts are kept until it is answered (`doppel index add --listing`).
  std::size_t passage_excerpt_chars = 0;
  // read.stop (ReadOptions::stop) set to true, by a signal handler or another thread, stops the
  // call's reading: the batch being read is dropped unanswered, the one whose commit is in flight
  // is committed and answered, and the call returns with IndexCallStats::stopped. Every document
  // answered "added" stays; none other was added. `doppel index add` sets it on the first SIGINT,
  // SIGTERM or SIGHUP.
};

// Checks `max_doc_bytes`, `threads` and `batch` (batch_docs).
Status validate_options(const IndexReadOptions& options);

enum class AnswerStatus : std::uint8_t {
  kNew = 0,         // no indexed document has the same text or a near-duplicate one
  kExactDuplicate,  // identical normalized text to an indexed document
  kNearDuplicate,   // Jaccard similarity at or above the threshold with indexed documents
  kDuplicateId,     // not added: the id is in the index already
  kBadInput,        // not added: bad input (Answer::reason), as `doppel dedup` reads it
};
std::string_view to_string(AnswerStatus status);

struct NearMatch {
  std::string id;
  float similarity = 0;  // estimated Jaccard similarity of the signatures
};

// An earlier document holding a passage: its aligned stretch and this document's.
struct PassageHolder {
  std::string id, date;
  TextSpan span;         // in the earlier document
  TextSpan here;         // in this document (within the passage)
  float similarity = 0;  // 2*matches/(words here + words there)
};

struct PassageAnswer {
  TextSpan span;                       // in this document: overlapping aligned stretches merged
  std::vector<PassageHolder> holders;  // in the order they were added to the index
  // The earliest dated holder, or this document when it is earlier than all of them (ties: the
  // holder); empty when neither has a date.
  std::string source_id, source_date;
  // With IndexReadOptions::passage_excerpt_chars: the passage's text in this document on one
  // line, white space folded, and where longer, its start and end joined by " … " (for a
  // person's listing; the JSON answers do not hold it). Else empty.
  std::string excerpt;
};

struct Answer {
  std::string id;
  AnswerStatus status = AnswerStatus::kNew;
  ReadStatus reason = ReadStatus::kOk;  // kBadInput: why
  std::string message;                  // kBadInput, kDuplicateId: what is wrong, and where
  std::string duplicate_of;             // kExactDuplicate: the first document with that text
  std::vector<NearMatch> near;          // kNearDuplicate: highest similarity first
  std::vector<PassageAnswer> passages;  // in text order
  std::uint64_t code_points = 0;        // of the source text
  std::uint64_t new_code_points = 0;    // of the source text, in no passage
  bool added = false;                   // stored in the index (add of an accepted document)
  // The document's date is in no form reads_as_date() reads ("03/01/2021", a Unix time): it is
  // ordered as text, so which document came first may be wrong.
  bool date_unread = false;
  // false: the call did not look for passages (IndexReadOptions::find_passages): `passages` is
  // empty and `new_code_points` equals `code_points` without saying anything about reuse.
  bool passages_looked_for = true;
};

// Called with each answer, in input order, once its batch is committed (add) or answered
// (query). A failure stops the call; batches committed before it stay.
using AnswerCallback = std::function<Status(const Answer&)>;

struct IndexCallStats {
  Corpus corpus;                         // what was read: files, documents, problems, figures
  std::uint64_t added = 0;               // documents stored (add)
  std::uint64_t by_status[5] = {};       // answers by AnswerStatus
  std::uint64_t passages = 0;            // passages answered
  std::uint64_t batches = 0;             // batches committed or answered
  std::uint64_t near_candidates = 0;     // LSH candidates verified
  std::uint64_t passage_candidates = 0;  // earlier documents aligned with a new one
  std::uint64_t holders = 0;             // of them, those sharing a passage with it
  double seconds = 0;                    // the whole call
  double read_seconds = 0;               // of which reading, normalizing and sketching
  double lookup_seconds = 0;             // of which looking documents up, in order (one thread)
  double compare_seconds = 0;        // of which verifying and aligning candidates (every thread)
  double commit_seconds = 0;         // of which writing and syncing (add)
  double publish_seconds = 0;        // of which putting batches into the tables (one thread)
  std::uint64_t peak_rss_bytes = 0;  // of the process, at the end of the call
  bool stopped = false;              // ReadOptions::stop ended the call before its input did
};

struct IndexStats {
  std::uint64_t documents = 0;           // in the index now
  std::uint64_t added = 0, removed = 0;  // over its life
  std::uint64_t near_pairs = 0;          // verified near-duplicate pairs held
  std::uint64_t fingerprints = 0;        // winnowed (fingerprint, document) pairs held
  std::uint64_t disk_bytes = 0;          // the directory's files
  std::uint64_t memory_bytes = 0;        // the look-up tables and document records in memory
  std::string created, last_change;      // UTC, ISO 8601
  int format_version = 0;
  // The version of ICU that cut the stored words of Thai, Lao, Khmer and Myanmar text (""
  // for an index made before doppel recorded it): see icu_version_mismatch().
  std::string icu_version;
  IndexOptions options;
  int bands = 0, rows = 0;  // the LSH shape in force
  double open_seconds = 0;  // rebuilding the tables when the index was opened
};

// What GET /v1/documents/{id} shows: a document, its record and its cluster now.
struct DocumentRecord {
  std::string id, date;
  std::uint64_t seq = 0;             // its place among all documents ever added, from 0
  std::uint64_t code_points = 0;     // of its source text
  std::uint32_t words = 0;           // after normalization
  std::string exact_of;              // the first document with the same text, if not this one
  std::vector<NearMatch> near;       // verified pairs with this document, either side
  std::vector<std::string> cluster;  // every member of its cluster in seq order ({id} alone)
};

// What to tell the user of an index made with another version of ICU than this build's, where
// its normalization uses ICU (Thai, Lao, Khmer and Myanmar words; the step hans), or "": such
// text's new documents may be read a little differently from the stored ones, and then match
// them less well.
std::string icu_version_warning(const IndexStats& stats);

// The wire format (docs/formats.md, "doppel index"): each as one JSON object appended to `out`.
// The CLI writes answers as JSON Lines, the service in an array.
void append_answer_json(std::string& out, const Answer& answer);
void append_record_json(std::string& out, const DocumentRecord& record);
void append_stats_json(std::string& out, const IndexStats& stats);

class Index {
 public:
  // Opens the index in directory `path`, or creates it there with `options` (see
  // IndexOpenOptions::must_match for an existing one).
  static Result<std::unique_ptr<Index>> open(const std::string& path, const IndexOptions& options,
                                             const IndexOpenOptions& open_options);
  // The stored options of an index, without opening it for writing; nullopt if there is none.
  static Result<std::optional<IndexOptions>> stored_options(const std::string& path);
  virtual ~Index() = default;

  // Reads the inputs (files, directories, "-"; ReadOptions::env supplies them) and compares each
  // readable document with the index and the ones before it, storing the accepted ones a batch
  // at a time and answering each document in input order.
  virtual Result<IndexCallStats> add(std::span<const std::string> inputs,
                                     const IndexReadOptions& read,
                                     const ProblemCallback& on_problem,
                                     const AnswerCallback& on_answer) = 0;
  // The answers add() would give, storing nothing: each document is compared with the index and
  // with every document before it in the call. Its documents' features stay in memory until the
  // call answers (about 1 KiB plus 12 bytes a word each): split a very large query into calls,
  // each then blind to the others.
  virtual Result<IndexCallStats> query(std::span<const std::string> inputs,
                                       const IndexReadOptions& read,
                                       const ProblemCallback& on_problem,
                                       const AnswerCallback& on_answer) const = 0;
  // Removes documents by id; returns how many were there. Their pairs, passages and places in
  // clusters go with them.
  virtual Result<std::uint64_t> remove(std::span<const std::string> ids) = 0;
  virtual Result<std::optional<DocumentRecord>> get(std::string_view id) const = 0;
  virtual IndexStats stats() const = 0;
  virtual const IndexOptions& options() const = 0;

  // Every near-duplicate pair and cluster of the documents in the index, in the formats of
  // `doppel dedup --pairs` and `--clusters` with --keep first (docs/formats.md).
  virtual Status write_pairs(OutputStream& out) const = 0;
  virtual Status write_clusters(OutputStream& out) const = 0;
};

}  // namespace doppel
