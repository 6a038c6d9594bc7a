// Every document's signature in fixed-size chunks: appending never moves earlier signatures, so
// the store grows without the 2x peak of a doubling vector. Thread-safety: append from one thread;
// reads are safe once appends are done.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "sketch/minhash.h"

namespace doppel {

class SignatureStore {
 public:
  explicit SignatureStore(int bins) : bins_(static_cast<std::size_t>(bins)) {}

  std::uint32_t size() const { return size_; }
  std::size_t bins() const { return bins_; }

  void append(std::span<const SigValue> sig) {
    if (size_ % kPerChunk == 0) {
      chunks_.push_back(std::make_unique_for_overwrite<SigValue[]>(kPerChunk * bins_));
    }
    std::copy(sig.begin(), sig.end(), chunks_.back().get() + (size_ % kPerChunk) * bins_);
    ++size_;
  }
  std::span<const SigValue> operator[](std::uint32_t doc) const {
    return {chunks_[doc / kPerChunk].get() + (doc % kPerChunk) * bins_, bins_};
  }
  std::uint64_t memory_bytes() const {
    return chunks_.size() * kPerChunk * bins_ * sizeof(SigValue);
  }

 private:
  static constexpr std::size_t kPerChunk = 16384;
  std::size_t bins_;
  std::uint32_t size_ = 0;
  std::vector<std::unique_ptr<SigValue[]>> chunks_;
};

}  // namespace doppel
