// Every document's shingle set, for exact verification (VerifyMode::kExact), in chunks that never
// move: growing costs no copy of what is stored (a single vector would copy gigabytes at each
// doubling). 8 bytes per shingle. Thread-safety: append from one thread; reads once it is done.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace doppel {

class ShingleSets {
 public:
  void append(std::span<const std::uint64_t> set) {
    if (set.size() > room_) {
      const std::size_t size = std::max(kChunk, set.size());
      chunks_.push_back(std::make_unique_for_overwrite<std::uint64_t[]>(size));
      next_ = chunks_.back().get();
      room_ = size;
    }
    if (!set.empty()) std::copy(set.begin(), set.end(), next_);
    sets_.emplace_back(next_, set.size());
    next_ += set.size();
    room_ -= set.size();
  }
  std::span<const std::uint64_t> operator[](std::uint32_t doc) const { return sets_[doc]; }

 private:
  static constexpr std::size_t kChunk = std::size_t{1} << 22;  // 32 MiB of hashes
  std::vector<std::unique_ptr<std::uint64_t[]>> chunks_;
  std::vector<std::span<const std::uint64_t>> sets_;
  std::uint64_t* next_ = nullptr;
  std::size_t room_ = 0;
};

}  // namespace doppel
