#include "index/tables.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

#include <algorithm>
#include <type_traits>

namespace doppel {

void BucketTable::members(int band, std::uint64_t key, std::vector<std::uint32_t>& out) const {
  const std::uint32_t* v = bands_[static_cast<std::size_t>(band)].find(key);
  if (v == nullptr || *v == FlatMap<std::uint64_t>::kDead) return;
  if ((*v & kList) == 0) {
    out.push_back(*v - 1);
    return;
  }
  const auto& list = lists_[static_cast<std::size_t>(band)][*v & ~kList];
  out.insert(out.end(), list.begin(), list.end());
}

void BucketTable::insert(int band, std::uint64_t key, std::uint32_t seq) {
  std::uint32_t& v = bands_[static_cast<std::size_t>(band)].at(key);
  auto& lists = lists_[static_cast<std::size_t>(band)];
  if (v == FlatMap<std::uint64_t>::kDead) {
    v = seq + 1;
  } else if ((v & kList) == 0) {
    lists.push_back({v - 1, seq});
    v = static_cast<std::uint32_t>(lists.size() - 1) | kList;
  } else {
    lists[v & ~kList].push_back(seq);
  }
}

void BucketTable::erase(int band, std::uint64_t key, std::uint32_t seq, std::uint32_t replacement) {
  std::uint32_t* v = bands_[static_cast<std::size_t>(band)].find(key);
  if (v == nullptr || *v == FlatMap<std::uint64_t>::kDead) return;
  if ((*v & kList) == 0) {
    if (*v - 1 == seq) *v = replacement == kNoSeq ? FlatMap<std::uint64_t>::kDead : replacement + 1;
    return;
  }
  auto& list = lists_[static_cast<std::size_t>(band)][*v & ~kList];
  const auto it = std::find(list.begin(), list.end(), seq);
  if (it == list.end()) return;
  if (replacement == kNoSeq) {
    list.erase(it);
    return;
  }
  // The replacement (a later document with the same text) takes the removed member's place.
  list.erase(it);
  list.insert(std::lower_bound(list.begin(), list.end(), replacement), replacement);
}

std::uint64_t BucketTable::memory_bytes() const {
  std::uint64_t n = 0;
  for (const auto& b : bands_) n += b.memory_bytes();
  for (const auto& lists : lists_) {
    n += lists.capacity() * sizeof(std::decay_t<decltype(lists)>::value_type);
    for (const auto& l : lists) n += l.capacity() * sizeof(std::uint32_t);
  }
  return n;
}

std::size_t BucketTable::members(int band, std::uint64_t key, std::size_t tail,
                                 std::vector<std::uint32_t>& out) const {
  const std::uint32_t* v = bands_[static_cast<std::size_t>(band)].find(key);
  if (v == nullptr || *v == FlatMap<std::uint64_t>::kDead) return 0;
  if ((*v & kList) == 0) {
    out.push_back(*v - 1);
    return 1;
  }
  const auto& list = lists_[static_cast<std::size_t>(band)][*v & ~kList];
  if (list.size() <= tail + 1) {
    out.insert(out.end(), list.begin(), list.end());
  } else {
    out.push_back(list.front());
    out.insert(out.end(), list.end() - static_cast<std::ptrdiff_t>(tail), list.end());
  }
  return list.size();
}

void bucket_partners(std::span<const std::uint32_t> members, std::size_t count,
                     const BucketRule& rule, std::vector<std::uint32_t>& out) {
  if (count < rule.max_members) {
    out.insert(out.end(), members.begin(), members.end());
  } else if (!members.empty()) {
    out.push_back(members.front());
    const std::size_t window = std::min(rule.window, members.size() - 1);
    out.insert(out.end(), members.end() - static_cast<std::ptrdiff_t>(window), members.end());
  }
}

bool PostingTable::lookup(std::uint32_t fp, const EarlierFn& earlier, Holders& out) const {
  const std::uint32_t* v = map_.find(fp);
  if (v == nullptr || *v == FlatMap<std::uint32_t>::kDead) return false;
  auto take = [&](std::uint32_t seq) {
    if (out.docs.size() < keep_) out.docs.push_back(seq);
  };
  if ((*v & kList) == 0) {
    const std::uint32_t seq = *v - 1;
    ++out.count;
    take(seq);
    if (out.hub == kNoSeq || earlier(seq, out.hub)) out.hub = seq;
    return true;
  }
  const std::uint32_t* e = entry(*v);
  if (e[0] == 0) return false;
  out.count += e[0];
  for (std::uint32_t k = 0; k < e[2]; ++k) take(e[3 + k]);
  if (e[1] != kNoSeq && (out.hub == kNoSeq || earlier(e[1], out.hub))) out.hub = e[1];
  return true;
}

void PostingTable::insert(std::uint32_t fp, std::uint32_t seq, const EarlierFn& earlier) {
  ++postings_;
  std::uint32_t& v = map_.at(fp);
  if (v == FlatMap<std::uint32_t>::kDead) {
    v = seq + 1;
    return;
  }
  if ((v & kList) == 0) {
    // A second holder: the fingerprint gets a slab entry.
    const std::uint32_t first = v - 1;
    const auto index = static_cast<std::uint32_t>(slab_.size() / stride_);
    slab_.resize(slab_.size() + stride_, 0);
    std::uint32_t* e = slab_.data() + index * stride_;
    e[0] = 1;
    e[1] = first;
    e[2] = keep_ > 0 ? 1 : 0;
    if (keep_ > 0) e[3] = first;
    v = index | kList;
  }
  std::uint32_t* e = entry(v);
  ++e[0];
  if (e[2] < keep_) e[3 + e[2]++] = seq;
  if (e[1] == kNoSeq || earlier(seq, e[1])) e[1] = seq;
}

void PostingTable::erase(std::uint32_t fp, std::uint32_t seq, const EarlierFn& earlier) {
  std::uint32_t* v = map_.find(fp);
  if (v == nullptr || *v == FlatMap<std::uint32_t>::kDead) return;
  if ((*v & kList) == 0) {
    if (*v - 1 == seq) {
      *v = FlatMap<std::uint32_t>::kDead;
      --postings_;
    }
    return;
  }
  std::uint32_t* e = entry(*v);
  if (e[0] == 0) return;
  --e[0];
  --postings_;
  std::uint32_t* listed = e + 3;
  std::uint32_t* end = listed + e[2];
  std::uint32_t* it = std::find(listed, end, seq);
  if (it != end) {
    std::copy(it + 1, end, it);
    --e[2];
  }
  if (e[1] == seq) {
    e[1] = kNoSeq;
    for (std::uint32_t k = 0; k < e[2]; ++k) {
      if (e[1] == kNoSeq || earlier(listed[k], e[1])) e[1] = listed[k];
    }
  }
}

std::uint64_t PostingTable::memory_bytes() const {
  return map_.memory_bytes() + slab_.capacity() * sizeof(std::uint32_t);
}

std::uint64_t IdTable::hash(std::string_view id) { return XXH3_64bits(id.data(), id.size()); }

std::uint32_t IdTable::find(std::string_view id, const IdOf& id_of) const {
  if (slots_.empty()) return kNoSeq;
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = hash(id) & mask;; i = (i + 1) & mask) {
    const std::uint32_t v = slots_[i];
    if (v == 0) return kNoSeq;
    if (v != kDead && id_of(v - 1) == id) return v - 1;
  }
}

void IdTable::insert(std::string_view id, std::uint32_t seq, const IdOf& id_of) {
  if ((used_ + 1) * 4 > slots_.size() * 3) grow(id_of);
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = hash(id) & mask;; i = (i + 1) & mask) {
    if (slots_[i] == 0) {
      slots_[i] = seq + 1;
      ++used_;
      return;
    }
  }
}

void IdTable::erase(std::string_view id, const IdOf& id_of) {
  if (slots_.empty()) return;
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = hash(id) & mask;; i = (i + 1) & mask) {
    const std::uint32_t v = slots_[i];
    if (v == 0) return;
    if (v != kDead && id_of(v - 1) == id) {
      slots_[i] = kDead;
      return;
    }
  }
}

void IdTable::grow(const IdOf& id_of) {
  std::vector<std::uint32_t> old = std::move(slots_);
  std::size_t live = 0;
  for (const std::uint32_t v : old) live += v != 0 && v != kDead;
  std::size_t n = 1024;
  while (n * 3 < (live + 1) * 8) n *= 2;  // at most 3/8 full after growing
  slots_.assign(n, 0);
  used_ = 0;
  const std::size_t mask = n - 1;
  for (const std::uint32_t v : old) {
    if (v == 0 || v == kDead) continue;
    std::size_t i = hash(id_of(v - 1)) & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = v;
    ++used_;
  }
}

}  // namespace doppel
