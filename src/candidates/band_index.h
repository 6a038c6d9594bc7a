// A dynamic LSH index over banded signatures, the kind datasketch's MinHashLSH keeps (and
// doppel.datasketch.MinHashLSH is built on it): an entry's signature is `bands` bands of
// `band_bytes` bytes, and two entries share the bucket of band i when their i-th bands are equal
// byte for byte. Entries can be inserted and removed at any time; a query returns the keys of
// every entry that shares a bucket with a signature in some band.
//
// Data-oriented: signatures live in one flat array, each band's buckets in an open-addressing
// table (hash, one member, count), and a bucket's members in a doubly linked list threaded
// through per-entry arrays, so insert and remove cost O(bands) and a query O(bands + members).
// Keys are small integers chosen by the caller; a key may have several entries (datasketch
// lets a key be inserted again), and queries return each key once.
//
// Not thread-safe for writes; const methods may run concurrently, each with its own scratch.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "util/chunked_rows.h"
#include "util/huge_pages.h"

namespace doppel {

// Reusable buffers of the queries (one per thread).
struct BandQueryScratch {
  std::vector<std::uint32_t> seen;  // per key: the round that last returned it
  std::uint32_t round = 0;
  std::vector<std::uint64_t> hashes;  // per band
  std::vector<std::size_t> slots;     // per band
};

class BandIndex {
 public:
  static constexpr std::uint32_t kNone = 0xffffffffu;

  BandIndex(int bands, std::size_t band_bytes);

  int bands() const { return bands_; }
  std::size_t band_bytes() const { return band_bytes_; }
  std::size_t signature_bytes() const { return band_bytes_ * static_cast<std::size_t>(bands_); }

  // Adds an entry of `key` with `signature` (signature_bytes() bytes). Returns its entry id.
  std::uint32_t insert(std::uint32_t key, std::span<const std::byte> signature);
  // Removes every entry of `key`; returns false if it had none.
  bool remove(std::uint32_t key);
  bool contains(std::uint32_t key) const {
    return key < key_head_.size() && key_head_[key] != kNone;
  }
  std::size_t key_count() const { return key_count_; }  // keys with at least one entry

  // Appends to `out` every key with an entry sharing a bucket with `signature` in some band,
  // each once (first band first, then bucket order).
  void query(std::span<const std::byte> signature, std::vector<std::uint32_t>& out,
             BandQueryScratch& scratch) const;
  // Appends to `out` the distinct keys of band `band`'s bucket `content` (band_bytes() bytes);
  // nothing if there is no such bucket.
  void bucket_keys(int band, std::span<const std::byte> content, std::vector<std::uint32_t>& out,
                   BandQueryScratch& scratch) const;
  // Number of buckets in band `band`.
  std::size_t bucket_count(int band) const { return tables_[static_cast<std::size_t>(band)].size; }
  // One entry of each bucket of band `band` (its band_content() is the bucket's content).
  void bucket_entries(int band, std::vector<std::uint32_t>& out) const;

  // The entries of `key`, oldest first.
  void key_entries(std::uint32_t key, std::vector<std::uint32_t>& out) const;
  std::span<const std::byte> signature(std::uint32_t entry) const {
    return {signatures_.row(entry), signature_bytes()};
  }
  std::span<const std::byte> band_content(std::uint32_t entry, int band) const {
    return signature(entry).subspan(static_cast<std::size_t>(band) * band_bytes_, band_bytes_);
  }

 private:
  struct Bucket {
    std::uint64_t hash = 0;
    std::uint32_t head = kNone;  // a member entry; kNone marks a free slot
    std::uint32_t count = 0;     // member entries
  };
  struct Table {
    HugeVector<Bucket> slots;  // power-of-two size, linear probing
    std::size_t size = 0;      // buckets in use
  };

  std::uint64_t hash_band(std::span<const std::byte> content) const;
  // The slot of the bucket with `content` in `table`, or of the free slot where it would go.
  std::size_t find(const Table& table, int band, std::uint64_t hash,
                   std::span<const std::byte> content) const;
  // find() over every band of `signature` at once, into scratch.slots (SIZE_MAX for a band
  // whose table has no slots yet): each phase issues all bands' memory reads before it waits on
  // one, so the cache misses of the bands overlap instead of adding up.
  void find_all(std::span<const std::byte> signature, BandQueryScratch& scratch) const;
  void grow(Table& table);
  void erase_slot(Table& table, std::size_t slot);
  // The bucket list links of an entry in a band.
  std::uint32_t& next(std::uint32_t entry, int band) { return links_.row(entry)[band]; }
  std::uint32_t next(std::uint32_t entry, int band) const { return links_.row(entry)[band]; }
  std::uint32_t& prev(std::uint32_t entry, int band) { return links_.row(entry)[bands_ + band]; }
  void collect(const Bucket& bucket, int band, std::vector<std::uint32_t>& out,
               BandQueryScratch& scratch) const;
  static void next_round(BandQueryScratch& scratch, std::size_t keys);

  int bands_;
  std::size_t band_bytes_;
  std::vector<Table> tables_;  // one per band
  // Per entry, in chunks that never move (an insert copies nothing) and, once large, lie on huge
  // pages (filling them otherwise costs a page fault per 4 KiB, on a virtual machine most of an
  // insert's time).
  ChunkedRows<std::byte> signatures_;     // signature_bytes() per entry
  ChunkedRows<std::uint32_t> links_;      // bucket lists: next in each band, then prev in each
  std::vector<std::uint32_t> entry_key_;  // kNone for a free entry
  std::vector<std::uint32_t> next_same_key_;
  std::vector<std::uint32_t> free_entries_;
  std::vector<std::uint32_t> key_head_;  // newest entry of each key
  std::size_t key_count_ = 0;
  BandQueryScratch insert_scratch_;
};

}  // namespace doppel
