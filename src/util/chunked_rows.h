// A growable array of fixed-width rows that never moves a row: rows live in chunks of 64, 128,
// 256, ... rows (each chunk twice the one before), so adding a row copies nothing and touches
// only the new row's memory, and a row's address stays valid while it exists. Chunks of 1 MiB
// or more lie on transparent huge pages: filling them otherwise takes a page fault per 4 KiB,
// and on a virtual machine those faults were most of the time of a BandIndex insert.
// Elements are not initialized. Header-only; not thread-safe for add_row, readers may share it
// otherwise. T must be trivially copyable.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

#include "util/huge_pages.h"

namespace doppel {

template <typename T>
class ChunkedRows {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  explicit ChunkedRows(std::size_t width) : width_(width) {}

  std::size_t width() const { return width_; }
  std::size_t size() const { return rows_; }

  // Appends a row (uninitialized) and returns its index.
  std::size_t add_row() {
    if (rows_ == capacity_) {
      const std::size_t rows = kFirstRows << chunks_.size();
      chunks_.push_back(Chunk::make(rows * width_ * sizeof(T)));
      capacity_ += rows;
    }
    return rows_++;
  }

  T* row(std::size_t r) { return const_cast<T*>(std::as_const(*this).row(r)); }
  const T* row(std::size_t r) const {
    // Row r is the (r + kFirstRows)-th row of a doubling sequence starting at kFirstRows: its
    // chunk is given by the highest bit of that number.
    const std::size_t x = r + kFirstRows;
    const auto chunk = static_cast<std::size_t>(std::bit_width(x)) - 1 - kFirstBits;
    return static_cast<const T*>(chunks_[chunk].get()) + (x - (kFirstRows << chunk)) * width_;
  }

 private:
  static constexpr std::size_t kFirstBits = 6;
  static constexpr std::size_t kFirstRows = std::size_t{1} << kFirstBits;
  static constexpr std::size_t kHugeMin = std::size_t{1} << 20;

  struct Release {
    bool huge;
    void operator()(void* p) const noexcept {
      if (huge) {
        release_huge(p);
      } else {
        std::free(p);
      }
    }
  };
  struct Chunk : std::unique_ptr<void, Release> {
    using std::unique_ptr<void, Release>::unique_ptr;
    static Chunk make(std::size_t bytes) {
      if (bytes >= kHugeMin) return Chunk(allocate_huge(bytes), Release{true});
      void* p = std::malloc(bytes);
      if (p == nullptr) throw std::bad_alloc();
      return Chunk(p, Release{false});
    }
  };

  std::size_t width_;
  std::size_t rows_ = 0, capacity_ = 0;
  std::vector<Chunk> chunks_;
};

}  // namespace doppel
