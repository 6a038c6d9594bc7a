#include "candidates/band_index.h"

#include <xxhash.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>

namespace doppel {

BandIndex::BandIndex(int bands, std::size_t band_bytes)
    : bands_(bands),
      band_bytes_(band_bytes),
      band_buckets_(static_cast<std::size_t>(bands)),
      signatures_(band_bytes * static_cast<std::size_t>(bands)),
      links_(2 * static_cast<std::size_t>(bands)) {}

std::uint64_t BandIndex::bucket_key(int band, std::span<const std::byte> content) const {
  return (XXH3_64bits(content.data(), content.size()) & ~std::uint64_t{0xffff}) |
         static_cast<std::uint64_t>(band);
}

std::size_t BandIndex::find(int band, std::uint64_t key, std::span<const std::byte> content) const {
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = home(key);; i = (i + 1) & mask) {
    const Bucket& s = slots_[i];
    if (s.head == kNone) return i;
    if (s.key == key &&
        std::memcmp(band_content(s.head, band).data(), content.data(), band_bytes_) == 0) {
      return i;
    }
  }
}

void BandIndex::find_all(std::span<const std::byte> signature, BandQueryScratch& scratch) const {
  const std::size_t bands = static_cast<std::size_t>(bands_);
  scratch.keys.resize(bands);
  scratch.slots.resize(bands);
  if (slots_.empty()) {
    std::fill(scratch.slots.begin(), scratch.slots.end(), SIZE_MAX);
    return;
  }
  const auto content = [&](std::size_t band) {
    return signature.subspan(band * band_bytes_, band_bytes_);
  };
  // Keys, and their home slots fetched.
  for (std::size_t band = 0; band < bands; ++band) {
    scratch.keys[band] = bucket_key(static_cast<int>(band), content(band));
    __builtin_prefetch(&slots_[home(scratch.keys[band])]);
  }
  // The first slot of each probe run with the same key (or free), and its bucket's content
  // fetched.
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t band = 0; band < bands; ++band) {
    std::size_t i = home(scratch.keys[band]);
    while (slots_[i].head != kNone && slots_[i].key != scratch.keys[band]) i = (i + 1) & mask;
    scratch.slots[band] = i;
    if (slots_[i].head != kNone) {
      const std::byte* p = band_content(slots_[i].head, static_cast<int>(band)).data();
      __builtin_prefetch(p);
      __builtin_prefetch(p + band_bytes_ - 1);
    }
  }
  // Contents compared; a different content under the same key (a 48-bit hash collision) takes
  // the plain probe.
  for (std::size_t band = 0; band < bands; ++band) {
    const Bucket& s = slots_[scratch.slots[band]];
    if (s.head != kNone && std::memcmp(band_content(s.head, static_cast<int>(band)).data(),
                                       content(band).data(), band_bytes_) != 0) {
      scratch.slots[band] = find(static_cast<int>(band), scratch.keys[band], content(band));
    }
  }
}

void BandIndex::grow() {
  auto old = std::move(slots_);
  slots_.assign(old.empty() ? 64 : old.size() * 2, Bucket{});
  shift_ = 64 - std::countr_zero(slots_.size());
  const std::size_t mask = slots_.size() - 1;
  for (const Bucket& s : old) {
    if (s.head == kNone) continue;
    std::size_t i = home(s.key);
    while (slots_[i].head != kNone) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

// Backward-shift deletion: later buckets of the probe run move up into the hole unless their
// home slot lies (cyclically) after it.
void BandIndex::erase_slot(std::size_t slot) {
  --band_buckets_[slots_[slot].key & 0xffff];
  const std::size_t mask = slots_.size() - 1;
  std::size_t hole = slot;
  for (std::size_t j = (hole + 1) & mask; slots_[j].head != kNone; j = (j + 1) & mask) {
    if (((j - home(slots_[j].key)) & mask) >= ((j - hole) & mask)) {
      slots_[hole] = slots_[j];
      hole = j;
    }
  }
  slots_[hole] = Bucket{};
  --buckets_;
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

  while ((buckets_ + static_cast<std::size_t>(bands_)) * 4 > slots_.size() * 3) grow();
  find_all(signature, insert_scratch_);
  for (int band = 0; band < bands_; ++band) {
    const auto b = static_cast<std::size_t>(band);
    std::size_t i = insert_scratch_.slots[b];
    // A new bucket of an earlier band of this entry may have taken the free slot found.
    if (slots_[i].head != kNone && slots_[i].key != insert_scratch_.keys[b]) {
      i = find(band, insert_scratch_.keys[b], band_content(e, band));
    }
    Bucket& s = slots_[i];
    prev(e, band) = kNone;
    if (s.head == kNone) {
      s = Bucket{insert_scratch_.keys[b], e, 1};
      next(e, band) = kNone;
      ++buckets_;
      ++band_buckets_[b];
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
      const auto content = band_content(e, band);
      const std::size_t slot = find(band, bucket_key(band, content), content);
      Bucket& s = slots_[slot];
      const std::uint32_t p = prev(e, band), n = next(e, band);
      if (p == kNone) {
        s.head = n;
      } else {
        next(p, band) = n;
      }
      if (n != kNone) prev(n, band) = p;
      if (--s.count == 0) erase_slot(slot);
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
    collect(slots_[i], band, out, scratch);
  }
}

void BandIndex::bucket_keys(int band, std::span<const std::byte> content,
                            std::vector<std::uint32_t>& out, BandQueryScratch& scratch) const {
  if (bucket_count(band) == 0 || content.size() != band_bytes_) return;
  const Bucket& bucket = slots_[find(band, bucket_key(band, content), content)];
  if (bucket.head == kNone) return;
  // Every entry, newest first; then each key kept once, at its oldest entry: a key inserted twice
  // into one bucket stays where it first came in, as in a set filled with the keys in turn.
  const std::size_t first = out.size();
  std::uint32_t e = bucket.head;
  for (std::uint32_t left = bucket.count; left > 0; --left) {
    out.push_back(entry_key_[e]);
    if (left > 1) e = next(e, band);
  }
  next_round(scratch, key_head_.size());
  std::size_t kept = out.size();  // out[kept, end) holds the keys kept so far, oldest last
  for (std::size_t i = out.size(); i-- > first;) {
    const std::uint32_t key = out[i];
    if (scratch.seen[key] != scratch.round) {
      scratch.seen[key] = scratch.round;
      out[--kept] = key;  // kept - 1 >= i: that entry was read already
    }
  }
  out.erase(out.begin() + static_cast<std::ptrdiff_t>(first),
            out.begin() + static_cast<std::ptrdiff_t>(kept));
}

void BandIndex::bucket_entries(int band, std::vector<std::uint32_t>& out) const {
  if (bucket_count(band) == 0) return;
  for (const Bucket& s : slots_) {
    if (s.head != kNone && (s.key & 0xffff) == static_cast<std::uint64_t>(band))
      out.push_back(s.head);
  }
}

void BandIndex::key_entries(std::uint32_t key, std::vector<std::uint32_t>& out) const {
  if (!contains(key)) return;
  const std::size_t first = out.size();
  for (std::uint32_t e = key_head_[key]; e != kNone; e = next_same_key_[e]) out.push_back(e);
  std::reverse(out.begin() + static_cast<std::ptrdiff_t>(first), out.end());
}

}  // namespace doppel
