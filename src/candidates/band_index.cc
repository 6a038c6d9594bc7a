#include "candidates/band_index.h"

#include <xxhash.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace doppel {

BandIndex::BandIndex(int bands, std::size_t band_bytes)
    : bands_(bands),
      band_bytes_(band_bytes),
      tables_(static_cast<std::size_t>(bands)),
      signatures_(band_bytes * static_cast<std::size_t>(bands)),
      links_(2 * static_cast<std::size_t>(bands)) {}

std::uint64_t BandIndex::hash_band(std::span<const std::byte> content) const {
  return XXH3_64bits(content.data(), content.size());
}

std::size_t BandIndex::find(const Table& table, int band, std::uint64_t hash,
                            std::span<const std::byte> content) const {
  const std::size_t mask = table.slots.size() - 1;
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    const Bucket& s = table.slots[i];
    if (s.head == kNone) return i;
    if (s.hash == hash &&
        std::memcmp(band_content(s.head, band).data(), content.data(), band_bytes_) == 0) {
      return i;
    }
  }
}

void BandIndex::find_all(std::span<const std::byte> signature, BandQueryScratch& scratch) const {
  const std::size_t bands = static_cast<std::size_t>(bands_);
  scratch.hashes.resize(bands);
  scratch.slots.resize(bands);
  const auto content = [&](std::size_t band) {
    return signature.subspan(band * band_bytes_, band_bytes_);
  };
  // Hashes, and the home slots fetched.
  for (std::size_t band = 0; band < bands; ++band) {
    const Table& table = tables_[band];
    scratch.hashes[band] = hash_band(content(band));
    if (table.slots.empty()) continue;
    __builtin_prefetch(&table.slots[scratch.hashes[band] & (table.slots.size() - 1)]);
  }
  // The first slot of each probe run with the same hash (or free), and its bucket's content
  // fetched.
  for (std::size_t band = 0; band < bands; ++band) {
    const Table& table = tables_[band];
    if (table.slots.empty()) {
      scratch.slots[band] = SIZE_MAX;
      continue;
    }
    const std::size_t mask = table.slots.size() - 1;
    std::size_t i = scratch.hashes[band] & mask;
    while (table.slots[i].head != kNone && table.slots[i].hash != scratch.hashes[band]) {
      i = (i + 1) & mask;
    }
    scratch.slots[band] = i;
    if (table.slots[i].head != kNone) {
      const std::byte* p = band_content(table.slots[i].head, static_cast<int>(band)).data();
      __builtin_prefetch(p);
      __builtin_prefetch(p + band_bytes_ - 1);
    }
  }
  // Contents compared; a different content under the same hash (a 64-bit collision) takes the
  // plain probe.
  for (std::size_t band = 0; band < bands; ++band) {
    const std::size_t i = scratch.slots[band];
    if (i == SIZE_MAX) continue;
    const Table& table = tables_[band];
    const Bucket& s = table.slots[i];
    if (s.head != kNone && std::memcmp(band_content(s.head, static_cast<int>(band)).data(),
                                       content(band).data(), band_bytes_) != 0) {
      scratch.slots[band] =
          find(table, static_cast<int>(band), scratch.hashes[band], content(band));
    }
  }
}

void BandIndex::grow(Table& table) {
  HugeVector<Bucket> old = std::move(table.slots);
  table.slots.assign(old.empty() ? 16 : old.size() * 2, Bucket{});
  const std::size_t mask = table.slots.size() - 1;
  for (const Bucket& s : old) {
    if (s.head == kNone) continue;
    std::size_t i = s.hash & mask;
    while (table.slots[i].head != kNone) i = (i + 1) & mask;
    table.slots[i] = s;
  }
}

// Backward-shift deletion: later buckets of the probe run move up into the hole unless their
// home slot lies (cyclically) after it.
void BandIndex::erase_slot(Table& table, std::size_t slot) {
  const std::size_t mask = table.slots.size() - 1;
  std::size_t hole = slot;
  for (std::size_t j = (hole + 1) & mask; table.slots[j].head != kNone; j = (j + 1) & mask) {
    const std::size_t home = table.slots[j].hash & mask;
    if (((j - home) & mask) >= ((j - hole) & mask)) {
      table.slots[hole] = table.slots[j];
      hole = j;
    }
  }
  table.slots[hole] = Bucket{};
  --table.size;
}

std::uint32_t BandIndex::insert(std::uint32_t key, std::span<const std::byte> signature) {
  std::uint32_t e;
  if (!free_entries_.empty()) {
    e = free_entries_.back();
    free_entries_.pop_back();
  } else {
    e = static_cast<std::uint32_t>(signatures_.add_row());
    links_.add_row();
    entry_key_.push_back(kNone);
    next_same_key_.push_back(kNone);
  }
  std::memcpy(signatures_.row(e), signature.data(), signature_bytes());
  if (key >= key_head_.size())
    key_head_.resize(std::max<std::size_t>(key + 1, key_head_.size() * 2), kNone);
  if (key_head_[key] == kNone) ++key_count_;
  entry_key_[e] = key;
  next_same_key_[e] = key_head_[key];
  key_head_[key] = e;

  for (Table& table : tables_) {
    if ((table.size + 1) * 4 > table.slots.size() * 3) grow(table);  // load factor <= 3/4
  }
  find_all(signature, insert_scratch_);
  for (int band = 0; band < bands_; ++band) {
    const auto b = static_cast<std::size_t>(band);
    Table& table = tables_[b];
    Bucket& s = table.slots[insert_scratch_.slots[b]];
    prev(e, band) = kNone;
    if (s.head == kNone) {
      s = Bucket{insert_scratch_.hashes[b], e, 1};
      next(e, band) = kNone;
      ++table.size;
    } else {
      next(e, band) = s.head;
      prev(s.head, band) = e;
      s.head = e;
      ++s.count;
    }
  }
  return e;
}

bool BandIndex::remove(std::uint32_t key) {
  if (!contains(key)) return false;
  for (std::uint32_t e = key_head_[key]; e != kNone;) {
    for (int band = 0; band < bands_; ++band) {
      Table& table = tables_[static_cast<std::size_t>(band)];
      const auto content = band_content(e, band);
      const std::size_t slot = find(table, band, hash_band(content), content);
      Bucket& s = table.slots[slot];
      const std::uint32_t p = prev(e, band), n = next(e, band);
      if (p == kNone) {
        s.head = n;
      } else {
        next(p, band) = n;
      }
      if (n != kNone) prev(n, band) = p;
      if (--s.count == 0) erase_slot(table, slot);
    }
    const std::uint32_t following = next_same_key_[e];
    entry_key_[e] = kNone;
    free_entries_.push_back(e);
    e = following;
  }
  key_head_[key] = kNone;
  --key_count_;
  return true;
}

void BandIndex::next_round(BandQueryScratch& scratch, std::size_t keys) {
  if (scratch.seen.size() < keys) scratch.seen.resize(keys, scratch.round);
  if (++scratch.round == 0) {  // wrapped: forget every old round
    std::fill(scratch.seen.begin(), scratch.seen.end(), 0);
    scratch.round = 1;
  }
}

void BandIndex::collect(const Bucket& bucket, int band, std::vector<std::uint32_t>& out,
                        BandQueryScratch& scratch) const {
  if (bucket.head == kNone) return;
  std::uint32_t e = bucket.head;
  for (std::uint32_t left = bucket.count; left > 0;
       --left) {  // count: a lone member's link is not read
    const std::uint32_t key = entry_key_[e];
    if (scratch.seen[key] != scratch.round) {
      scratch.seen[key] = scratch.round;
      out.push_back(key);
    }
    if (left > 1) e = next(e, band);
  }
}

void BandIndex::query(std::span<const std::byte> signature, std::vector<std::uint32_t>& out,
                      BandQueryScratch& scratch) const {
  find_all(signature, scratch);
  next_round(scratch, key_head_.size());
  for (int band = 0; band < bands_; ++band) {
    const std::size_t i = scratch.slots[static_cast<std::size_t>(band)];
    if (i == SIZE_MAX) continue;
    collect(tables_[static_cast<std::size_t>(band)].slots[i], band, out, scratch);
  }
}

void BandIndex::bucket_keys(int band, std::span<const std::byte> content,
                            std::vector<std::uint32_t>& out, BandQueryScratch& scratch) const {
  const Table& table = tables_[static_cast<std::size_t>(band)];
  if (table.size == 0 || content.size() != band_bytes_) return;
  next_round(scratch, key_head_.size());
  collect(table.slots[find(table, band, hash_band(content), content)], band, out, scratch);
}

void BandIndex::bucket_entries(int band, std::vector<std::uint32_t>& out) const {
  for (const Bucket& s : tables_[static_cast<std::size_t>(band)].slots) {
    if (s.head != kNone) out.push_back(s.head);
  }
}

void BandIndex::key_entries(std::uint32_t key, std::vector<std::uint32_t>& out) const {
  if (!contains(key)) return;
  const std::size_t first = out.size();
  for (std::uint32_t e = key_head_[key]; e != kNone; e = next_same_key_[e]) out.push_back(e);
  std::reverse(out.begin() + static_cast<std::ptrdiff_t>(first), out.end());
}

}  // namespace doppel
