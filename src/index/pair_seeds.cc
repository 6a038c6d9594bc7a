#include "index/pair_seeds.h"

#include <algorithm>
#include <bit>

namespace doppel {

std::size_t PairSeeder::slot_of(std::uint64_t key) const {
  std::size_t i = static_cast<std::size_t>(key) & mask_;
  while (count_[i] != 0 && keys_[i] != key) i = (i + 1) & mask_;
  return i;
}

void PairSeeder::set_b(std::span<const std::uint32_t> b_words, int ngram, int max_per_doc) {
  n_ = static_cast<std::size_t>(ngram);
  max_per_doc_ = static_cast<std::size_t>(max_per_doc);
  b_grams_.clear();
  for (std::size_t p = 0; p + n_ <= b_words.size(); ++p) {
    b_grams_.push_back(ngram_key(b_words.data() + p, n_));
  }
  // At most half full. Keys are mixed hashes: their low bits pick the slot.
  const std::size_t size = std::bit_ceil(std::max<std::size_t>(16, 2 * b_grams_.size()));
  mask_ = size - 1;
  keys_.assign(size, 0);
  count_.assign(size, 0);
  first_.assign(size, 0);
  seen_.assign(size, 0);
  stamp_.assign(size, 0);
  call_ = 0;
  // Counts, then each key's run of places, then the places in text order.
  for (const std::uint64_t key : b_grams_) {
    const std::size_t i = slot_of(key);
    keys_[i] = key;
    if (count_[i] < max_per_doc_ || count_[i] == 0) ++count_[i];
  }
  std::uint32_t at = 0;
  for (std::size_t i = 0; i < size; ++i) {
    first_[i] = at;
    at += count_[i];
  }
  places_.assign(at, 0);
  std::vector<std::uint32_t>& filled = seen_;  // reused: places filled per slot
  for (std::size_t p = 0; p < b_grams_.size(); ++p) {
    const std::size_t i = slot_of(b_grams_[p]);
    if (filled[i] < count_[i]) places_[first_[i] + filled[i]++] = static_cast<std::uint32_t>(p);
  }
  std::fill(seen_.begin(), seen_.end(), 0);
}

void PairSeeder::seeds(std::uint32_t a_doc, std::uint32_t b_doc,
                       std::span<const std::uint32_t> a_words, std::vector<Seed>& out) {
  out.clear();
  if (++call_ == 0) {  // the stamps wrapped: start them again
    std::fill(stamp_.begin(), stamp_.end(), 0);
    call_ = 1;
  }
  const std::uint64_t pair = std::uint64_t{a_doc} << 32 | b_doc;
  for (std::size_t p = 0; p + n_ <= a_words.size(); ++p) {
    const std::uint64_t key = ngram_key(a_words.data() + p, n_);
    const std::size_t i = slot_of(key);
    if (count_[i] == 0) continue;
    if (stamp_[i] != call_) {
      stamp_[i] = call_;
      seen_[i] = 0;
    }
    if (seen_[i]++ >= max_per_doc_) continue;
    for (std::uint32_t k = 0; k < count_[i]; ++k) {
      out.push_back(Seed{pair, static_cast<std::uint32_t>(p), places_[first_[i] + k]});
    }
  }
}

}  // namespace doppel
