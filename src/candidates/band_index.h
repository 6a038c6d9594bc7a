// A dynamic LSH index over banded signatures, the kind datasketch's MinHashLSH keeps (and
// doppel.datasketch.MinHashLSH is built on it): an entry's signature is `bands` bands of
// `band_bytes` bytes, and two entries share the bucket of band i when their i-th bands are equal
// byte for byte. Entries can be inserted and removed at any time; a query returns the keys of
// every entry that shares a bucket with a signature in some band.
//
// Data-oriented: signatures live in chunked flat arrays, every band's buckets in one
// open-addressing table (band and hash, one member, count; one table rather than one a band, so
// that it is large enough for huge pages), and a bucket's members in a doubly linked list
// threaded through per-entry arrays, so insert and remove cost O(bands) and a query
// O(bands + members). At most 65,535 bands.
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
  std::vector<std::uint64_t> keys;  // per band
  std::vector<std::size_t> slots;   // per band
};

class BandIndex {
 public:
  static constexpr std::uint32_t kNone = 0xffffffffu;

  // 1 <= bands <= 65,535.
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
  // Appends to `out` the distinct keys of band `band`'s bucket `content` (band_bytes() bytes),
  // newest first, a key inserted more than once placed by its oldest entry; nothing if there is
  // no such bucket.
  void bucket_keys(int band, std::span<const std::byte> content, std::vector<std::uint32_t>& out,
                   BandQueryScratch& scratch) const;
  // Number of buckets in band `band`.
  std::size_t bucket_count(int band) const { return band_buckets_[static_cast<std::size_t>(band)]; }
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
    std::uint64_t key = 0;       // the band in the low 16 bits, the rest of its content's hash
    std::uint32_t head = kNone;  // a member entry; kNone marks a free slot
    std::uint32_t count = 0;     // member entries
  };

  std::uint64_t bucket_key(int band, std::span<const std::byte> content) const;
  // A key's first slot (Fibonacci hashing: the top bits of a multiple). Only once slots exist.
  std::size_t home(std::uint64_t key) const { return (key * 0x9E3779B97F4A7C15ULL) >> shift_; }
  // The slot of band `band`'s bucket with `content` (its key: `key`), or of the free slot where
  // it would go. The table must have slots.
  std::size_t find(int band, std::uint64_t key, std::span<const std::byte> content) const;
  // find() over every band of `signature` at once, into scratch.slots (SIZE_MAX for every band
  // while the table has no slots): each phase issues all bands' memory reads before it waits on
  // one, so the cache misses of the bands overlap instead of adding up.
  void find_all(std::span<const std::byte> signature, BandQueryScratch& scratch) const;
  void grow();
  void erase_slot(std::size_t slot);
  // The bucket list links of an entry in a band.
  std::uint32_t& next(std::uint32_t entry, int band) { return links_.row(entry)[band]; }
  std::uint32_t next(std::uint32_t entry, int band) const { return links_.row(entry)[band]; }
  std::uint32_t& prev(std::uint32_t entry, int band) { return links_.row(entry)[bands_ + band]; }
  void collect(const Bucket& bucket, int band, std::vector<std::uint32_t>& out,
               BandQueryScratch& scratch) const;
  static void next_round(BandQueryScratch& scratch, std::size_t keys);

  int bands_;
  std::size_t band_bytes_;
  // Huge pages from 1 MiB rather than 4 MiB: the table of 20 Newsgroups' 18,846 documents at
  // b=5 is 2 MiB, and filling a fresh one 4 KiB page by page took 512 page faults, which cost a
  // virtual machine 10-14 us each.
  std::vector<Bucket, HugePageAllocator<Bucket, std::size_t{1} << 20>>
      slots_;                // every band's buckets: power-of-two size, linear probing, load <= 3/4
  int shift_ = 64;           // 64 - log2(slots_.size())
  std::size_t buckets_ = 0;  // slots in use
  std::vector<std::size_t> band_buckets_;
  // Per entry, in chunks that never move (an insert copies nothing; util/chunked_rows.h).
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
