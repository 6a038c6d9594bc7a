// The index on disk (format version kIndexFormatVersion, specified in docs/index.md): a directory
// holding a RocksDB database (document records, near-duplicate pairs, the options and counters,
// and the commit point) and an append-only data log (per document: signature, word hashes,
// fingerprints, word spans) that the index maps into memory and reads in place.
//
// A write appends its documents' data to the log and syncs it, then commits one RocksDB write
// batch, synced, that holds the records and the log's new committed length: a crash before the
// batch leaves bytes past the committed length, which the next open cuts off. One process at a
// time opens an index for writing: writer.lock, flock()ed and naming its holder.
//
// Thread-safety: a Store may be read from many threads; commit() from one at a time. A DataLog's
// committed bytes may be read from many threads while one thread appends.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "doppel/corpus.h"
#include "doppel/status.h"
#include "index/features.h"
#include "index/tables.h"
#include "sketch/minhash.h"
#include "text/shingle.h"

namespace doppel {

// Version 2 (2026-12-06): signatures' borrowed bins hashed with the bin (sketch/minhash.h).
// Version 3 (2026-12-07): U+200B separates words (NormalizeOptions::zero_width_space_breaks).
// Version 4 (2026-12-07): each CJK letter is a word (NormalizeOptions::cjk_characters_are_words).
// Version 5 (2026-12-07): Thai, Lao, Khmer and Myanmar are cut into words by ICU's dictionaries
// (NormalizeOptions::dictionary_words).
// Indexes of versions 1 to 4 are still read and written, with the signatures and the
// normalization they were made with.
inline constexpr int kIndexFormatVersion = 5;

// UTC now, ISO 8601 to the second.
std::string now_utc();

// A document's record (RocksDB family `docs`, keyed by seq).
struct DocRecord {
  std::string id, date;
  ExactHash exact;
  std::uint32_t exact_of = kNoSeq;  // the first document with the same text, if not this one
  std::uint64_t data = 0;           // where its data starts in the data log
  std::uint32_t data_bytes = 0;
  std::uint32_t words = 0, fingerprints = 0;
  std::uint64_t chars = 0;  // code points of the source text
  bool ascii = true;        // code points and bytes are the same (no code point spans stored)
};
std::string encode(const DocRecord& r);
bool decode(std::string_view bytes, DocRecord& r);

// A document's data in the log: the signature (bins x 2 bytes, padded to 4), word hashes (4
// bytes each), winnowed n-grams (fingerprint and word position, 4 bytes each, by fingerprint),
// then the words' byte spans and, unless all ASCII,
// their code point spans, each span as two varints (zigzag delta of its begin from the previous
// word's begin, its length); padded to 8 bytes. Appends document `d` of `batch` to `out`.
void encode_data(const FeatureBatch& batch, std::size_t d, std::string& out);

// A document's data, read in place in the data log.
struct DocData {
  const SigValue* sig = nullptr;
  std::size_t bins = 0;
  const std::uint32_t* words = nullptr;
  std::uint32_t word_count = 0;
  const Winnowed* fingerprints = nullptr;
  std::uint32_t fingerprint_count = 0;
  const std::uint8_t* spans = nullptr;
  const std::uint8_t* end = nullptr;
  bool ascii = true;
  std::span<const SigValue> signature() const { return {sig, bins}; }
  std::span<const std::uint32_t> word_span() const { return {words, word_count}; }
  std::span<const Winnowed> fingerprint_span() const { return {fingerprints, fingerprint_count}; }
};
DocData doc_data(const char* at, std::size_t bins, std::uint32_t words, std::uint32_t fingerprints,
                 std::uint32_t bytes, bool ascii);
// Words [begin, end) of a stored document as a span of its source text; false if the stored
// spans are damaged.
bool stored_span(const DocData& data, std::uint32_t begin, std::uint32_t end, TextSpan& out);

// The append-only data log, mapped into memory. Mappings only grow (a larger one is added; the
// old ones stay until the log is closed), so a pointer into committed bytes stays valid.
class DataLog {
 public:
  // Opens (creating) `path`; bytes past `committed` are cut off (they belong to a write that did
  // not commit). Read-only: maps what is there up to `committed`. The first mapping is
  // max(2 x committed, `map_bytes`) long.
  static Result<std::unique_ptr<DataLog>> open(const std::string& path, std::uint64_t committed,
                                               bool read_only,
                                               std::uint64_t map_bytes = std::uint64_t{1} << 30);
  ~DataLog();
  DataLog(const DataLog&) = delete;
  DataLog& operator=(const DataLog&) = delete;

  std::uint64_t end() const { return end_; }  // committed bytes, and those appended since
  // Appends `bytes` at end(); not durable until sync().
  Status append(std::string_view bytes);
  Status sync();
  // Forgets what was appended since `end` (a write that failed).
  Status truncate(std::uint64_t end);
  // The bytes at `offset`, which must have been appended.
  const char* at(std::uint64_t offset) const {
    return base_.load(std::memory_order_acquire) + offset;
  }
  std::uint64_t file_bytes() const { return end_; }

 private:
  DataLog() = default;
  Status map(std::uint64_t length);
  std::string path_;
  int fd_ = -1;
  std::uint64_t end_ = 0;
  std::atomic<const char*> base_{nullptr};
  std::uint64_t mapped_ = 0;
  std::vector<std::pair<void*, std::uint64_t>> mappings_;
};

// One atomic write of the RocksDB part.
class StoreBatch {
 public:
  StoreBatch();
  ~StoreBatch();
  void put_doc(std::uint32_t seq, const DocRecord& r);
  void delete_doc(std::uint32_t seq);
  void put_pair(std::uint32_t later, std::uint32_t earlier, float similarity);
  void delete_pair(std::uint32_t later, std::uint32_t earlier);
  void put_meta(std::string_view key, std::string_view value);

 private:
  friend class Store;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class Store {
 public:
  // Opens the database in `dir`/db: creating it when `create`; with `read_only`, without the
  // writer lock. `sync`: commits are synced before they return.
  static Result<std::unique_ptr<Store>> open(const std::string& dir, bool create, bool read_only,
                                             bool sync);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  Result<std::optional<std::string>> get_meta(std::string_view key) const;
  Result<std::optional<DocRecord>> get_doc(std::uint32_t seq) const;
  // Every record, in seq order.
  Status for_each_doc(const std::function<Status(std::uint32_t, const DocRecord&)>& fn) const;
  // Every pair, by (later, earlier).
  Status for_each_pair(const std::function<void(std::uint32_t, std::uint32_t, float)>& fn) const;
  Status commit(StoreBatch& batch);
  bool sync() const;
  // Bytes of every file of the directory.
  std::uint64_t disk_bytes() const;

 private:
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace doppel
