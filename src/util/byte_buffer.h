// A growable byte buffer that, unlike std::string, does not zero the bytes it grows by: input is
// read straight into it, and a reused buffer costs no page faults or memset per batch.
// Thread-safety: none (one owner).
#pragma once

#include <cstring>
#include <memory>
#include <string_view>

namespace doppel {

class ByteBuffer {
 public:
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  char* data() { return data_.get(); }
  const char* data() const { return data_.get(); }
  std::string_view view() const { return {data_.get(), size_}; }
  char operator[](std::size_t i) const { return data_[i]; }
  void clear() { size_ = 0; }

  // Grows or shrinks to n bytes; new bytes are uninitialized.
  void resize(std::size_t n) {
    reserve(n);
    size_ = n;
  }
  void append(const char* p, std::size_t n) {
    reserve(size_ + n);
    if (n > 0) std::memcpy(data_.get() + size_, p, n);
    size_ += n;
  }
  void append(std::string_view s) { append(s.data(), s.size()); }
  void append(std::size_t n, char c) {
    reserve(size_ + n);
    std::memset(data_.get() + size_, c, n);
    size_ += n;
  }
  void reserve(std::size_t n) {
    if (n <= capacity_) return;
    const std::size_t cap = std::max(n, capacity_ * 2);
    auto bigger = std::make_unique_for_overwrite<char[]>(cap);
    if (size_ > 0) std::memcpy(bigger.get(), data_.get(), size_);
    data_ = std::move(bigger);
    capacity_ = cap;
  }

 private:
  std::unique_ptr<char[]> data_;
  std::size_t size_ = 0, capacity_ = 0;
};

}  // namespace doppel
