// The index's look-up tables, kept in memory and rebuilt from the stored records when an index is
// opened: LSH buckets (per band, the members of each bucket in the order they were added), the
// holders of winnowed passage fingerprints, and ids. Documents are numbered by `seq`, their place
// in the order of adding (never reused). Flat open-addressing arrays, not maps of small objects.
// Thread-safety: none; the index guards them (readers share, the one writer excludes).
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <vector>

#include "candidates/lsh.h"

namespace doppel {

inline constexpr std::uint32_t kNoSeq = 0xffffffffu;

// Open addressing from a key to a 32-bit value. Value 0 marks an empty slot and kDead one whose
// entry was removed (it stays, so that probing goes on past it).
template <typename Key>
class FlatMap {
 public:
  static constexpr std::uint32_t kDead = 0xffffffffu;

  // The value slot of `key`, or nullptr. A removed entry's slot is returned too (value kDead).
  std::uint32_t* find(Key key) {
    if (keys_.empty()) return nullptr;
    for (std::size_t i = slot_of(key);; i = (i + 1) & mask_) {
      if (values_[i] == 0) return nullptr;
      if (keys_[i] == key) return &values_[i];
    }
  }
  const std::uint32_t* find(Key key) const { return const_cast<FlatMap*>(this)->find(key); }
  // Asks for `key`'s first slot to be brought into the cache: a look-up or insert some steps
  // later then finds it there instead of waiting on memory (the tables of an index of a million
  // documents are far larger than the caches, and each look-up otherwise misses twice).
  void prefetch(Key key) const {
    if (keys_.empty()) return;
    const std::size_t i = slot_of(key);
    __builtin_prefetch(&keys_[i]);
    __builtin_prefetch(&values_[i]);
  }
  // The value slot of `key`, made with value kDead when it is not there.
  std::uint32_t& at(Key key) {
    if ((count_ + 1) * 4 > keys_.size() * 3) grow();
    for (std::size_t i = slot_of(key);; i = (i + 1) & mask_) {
      if (values_[i] == 0) {
        keys_[i] = key;
        values_[i] = kDead;
        ++count_;
        return values_[i];
      }
      if (keys_[i] == key) return values_[i];
    }
  }
  std::size_t size() const { return count_; }  // slots in use, removed entries included
  std::uint64_t memory_bytes() const {
    return keys_.capacity() * sizeof(Key) + values_.capacity() * sizeof(std::uint32_t);
  }

 private:
  std::size_t slot_of(Key key) const {
    const std::uint64_t x = static_cast<std::uint64_t>(key) * 0x9e3779b97f4a7c15ULL;
    return static_cast<std::size_t>(x >> 32 ^ x) & mask_;
  }
  void grow() {
    std::vector<Key> old_keys = std::move(keys_);
    std::vector<std::uint32_t> old_values = std::move(values_);
    const std::size_t n = old_keys.empty() ? 1024 : old_keys.size() * 2;
    keys_.assign(n, Key{});
    values_.assign(n, 0);
    mask_ = n - 1;
    for (std::size_t j = 0; j < old_keys.size(); ++j) {
      if (old_values[j] == 0) continue;
      std::size_t i = slot_of(old_keys[j]);
      while (values_[i] != 0) i = (i + 1) & mask_;
      keys_[i] = old_keys[j];
      values_[i] = old_values[j];
    }
  }
  std::vector<Key> keys_;
  std::vector<std::uint32_t> values_;
  std::size_t mask_ = 0, count_ = 0;
};

// LSH buckets of every band: the members of each bucket, in seq order. Bands are apart: one
// thread per band may insert at once.
class BucketTable {
 public:
  explicit BucketTable(int bands)
      : bands_(static_cast<std::size_t>(bands)), lists_(static_cast<std::size_t>(bands)) {}
  // Appends the members of bucket `key` of `band` to `out`, in seq order.
  void members(int band, std::uint64_t key, std::vector<std::uint32_t>& out) const;
  // The same for bucket_partners(): of a bucket of more than `tail` + 1 members, only the first
  // and the last `tail` (a template's bucket may hold a million). Returns how many it holds.
  std::size_t members(int band, std::uint64_t key, std::size_t tail,
                      std::vector<std::uint32_t>& out) const;
  // Adds `seq`, which must be above every member's.
  void insert(int band, std::uint64_t key, std::uint32_t seq);
  void prefetch(int band, std::uint64_t key) const {
    bands_[static_cast<std::size_t>(band)].prefetch(key);
  }
  // Removes `seq`; with `replacement` other than kNoSeq, that document takes its place.
  void erase(int band, std::uint64_t key, std::uint32_t seq, std::uint32_t replacement);
  std::uint64_t memory_bytes() const;

 private:
  static constexpr std::uint32_t kList = 0x80000000u;  // value: a list's index, else seq + 1
  std::vector<FlatMap<std::uint64_t>> bands_;
  std::vector<std::vector<std::vector<std::uint32_t>>> lists_;  // per band: buckets of 2 or more
};

// The members of a bucket that a new member pairs with, by the prefix-stable rule of
// candidates/lsh.h: all of them while there are fewer than rule.max_members, else the first and
// the last rule.window. The bucket (in seq order, without the new member) holds `count`;
// `members` is all of them, or, of a bucket of more, its first and its last rule.max_members - 1
// at least (members() with that tail): fewer would lose middle members while count is below
// rule.max_members.
void bucket_partners(std::span<const std::uint32_t> members, std::size_t count,
                     const BucketRule& rule, std::vector<std::uint32_t>& out);

// Ranks documents for fingerprint hubs: true when `a` comes before `b` (earlier date, then
// earlier seq).
using EarlierFn = std::function<bool(std::uint32_t a, std::uint32_t b)>;

// Who holds a winnowed fingerprint: how many documents, the first `keep` of them (in seq order),
// and the hub (the earliest by EarlierFn), as passage candidates need them: a fingerprint in few
// documents links a new one to each, one in many to the hub only (reuse's all_pairs_docs rule).
struct Holders {
  std::uint32_t count = 0;
  std::uint32_t hub = kNoSeq;
  std::vector<std::uint32_t> docs;  // at most `keep`
};

class PostingTable {
 public:
  explicit PostingTable(std::size_t keep) : keep_(keep), stride_(3 + keep) {}
  // Adds the holders of `fp` to `out` (count added, docs appended while fewer than `keep`, the
  // hub the earlier of both); false when there are none.
  bool lookup(std::uint32_t fp, const EarlierFn& earlier, Holders& out) const;
  void insert(std::uint32_t fp, std::uint32_t seq, const EarlierFn& earlier);
  // For a look-up or insert of `fp` some steps later: prefetch() its slot; then, once that is
  // in the cache, prefetch_entry() its holders' entry, where it has one.
  void prefetch(std::uint32_t fp) const { map_.prefetch(fp); }
  void prefetch_entry(std::uint32_t fp) const {
    const std::uint32_t* v = map_.find(fp);
    if (v != nullptr && (*v & kList) != 0 && *v != FlatMap<std::uint32_t>::kDead) {
      __builtin_prefetch(entry(*v));
    }
  }
  // Removes `seq`. A removed hub is replaced by the earliest of the holders still listed (the
  // others are not known here: docs/index.md, removal).
  void erase(std::uint32_t fp, std::uint32_t seq, const EarlierFn& earlier);
  std::uint64_t postings() const { return postings_; }  // (fingerprint, document) pairs held
  std::uint64_t memory_bytes() const;

 private:
  static constexpr std::uint32_t kList = 0x80000000u;  // value: a slab entry, else seq + 1
  // A slab entry: count, hub, listed, then `keep` slots of holders.
  std::uint32_t* entry(std::uint32_t value) { return slab_.data() + (value & ~kList) * stride_; }
  const std::uint32_t* entry(std::uint32_t value) const {
    return slab_.data() + (value & ~kList) * stride_;
  }
  std::size_t keep_, stride_;
  FlatMap<std::uint32_t> map_;
  std::vector<std::uint32_t> slab_;
  std::uint64_t postings_ = 0;
};

// Postings in shards by fingerprint, so that one thread per shard may insert at once.
class ShardedPostings {
 public:
  static constexpr std::size_t kShards = 16;
  explicit ShardedPostings(std::size_t keep) : shards_(kShards, PostingTable(keep)) {}
  static std::size_t shard_of(std::uint32_t fp) { return fp % kShards; }
  PostingTable& shard(std::size_t s) { return shards_[s]; }
  bool lookup(std::uint32_t fp, const EarlierFn& earlier, Holders& out) const {
    return shards_[shard_of(fp)].lookup(fp, earlier, out);
  }
  void prefetch(std::uint32_t fp) const { shards_[shard_of(fp)].prefetch(fp); }
  void prefetch_entry(std::uint32_t fp) const { shards_[shard_of(fp)].prefetch_entry(fp); }
  template <typename Sorted>
  void erase_all(const Sorted& sorted, std::uint32_t seq, const EarlierFn& earlier) {
    for (std::size_t i = 0; i < sorted.size(); ++i) {
      if (i > 0 && sorted[i].fp == sorted[i - 1].fp) continue;
      shards_[shard_of(sorted[i].fp)].erase(sorted[i].fp, seq, earlier);
    }
  }
  std::uint64_t postings() const {
    std::uint64_t n = 0;
    for (const auto& t : shards_) n += t.postings();
    return n;
  }
  std::uint64_t memory_bytes() const {
    std::uint64_t n = 0;
    for (const auto& t : shards_) n += t.memory_bytes();
    return n;
  }

 private:
  std::vector<PostingTable> shards_;
};

// Ids to seq, by open addressing over seq numbers (4 bytes a slot); the ids themselves are the
// caller's, reached through `id_of`.
class IdTable {
 public:
  using IdOf = std::function<std::string_view(std::uint32_t seq)>;
  std::uint32_t find(std::string_view id, const IdOf& id_of) const;  // kNoSeq when absent
  void insert(std::string_view id, std::uint32_t seq, const IdOf& id_of);
  void erase(std::string_view id, const IdOf& id_of);
  std::uint64_t memory_bytes() const { return slots_.capacity() * sizeof(std::uint32_t); }

 private:
  static constexpr std::uint32_t kDead = 0xffffffffu;  // else seq + 1; 0: empty
  static std::uint64_t hash(std::string_view id);
  void grow(const IdOf& id_of);
  std::vector<std::uint32_t> slots_;
  std::size_t used_ = 0;  // slots not empty, removed ones included
};

}  // namespace doppel
