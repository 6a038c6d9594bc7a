// A growable array of fixed-width rows that never moves a row: rows live in chunks of 64, 128,
// 256, ... rows (each chunk twice the one before, the large ones on huge pages), so adding a row
// copies nothing and touches only the new row's memory, and a row's address stays valid while
// it exists. Header-only; not thread-safe for add_row, readers may share it otherwise.
#pragma once

#include <bit>
#include <cstddef>
#include <utility>
#include <vector>

#include "util/huge_pages.h"

namespace doppel {

template <typename T>
class ChunkedRows {
 public:
  explicit ChunkedRows(std::size_t width) : width_(width) {}

  std::size_t width() const { return width_; }
  std::size_t size() const { return rows_; }

  // Appends a row (its elements default-initialized: garbage for scalars) and returns its index.
  std::size_t add_row() {
    if (rows_ == capacity_) {
      const std::size_t rows = kFirstRows << chunks_.size();
      chunks_.emplace_back(rows * width_);
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
    return chunks_[chunk].data() + (x - (kFirstRows << chunk)) * width_;
  }

 private:
  static constexpr std::size_t kFirstBits = 6;
  static constexpr std::size_t kFirstRows = std::size_t{1} << kFirstBits;

  std::size_t width_;
  std::size_t rows_ = 0, capacity_ = 0;
  std::vector<HugeVector<T>> chunks_;
};

}  // namespace doppel
