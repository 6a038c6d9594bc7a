// Disjoint sets over document indices: 4 bytes per document. The root of a set is always its
// smallest member, so components come out the same whatever the order of unions.
// Thread-safety: none; one thread unites.
#pragma once

#include <cstdint>
#include <numeric>
#include <vector>

namespace doppel {

class UnionFind {
 public:
  explicit UnionFind(std::uint32_t n) : parent_(n) {
    std::iota(parent_.begin(), parent_.end(), 0u);
  }

  std::uint32_t find(std::uint32_t x) {
    while (parent_[x] != x) {
      parent_[x] = parent_[parent_[x]];  // path halving
      x = parent_[x];
    }
    return x;
  }
  // Returns false when a and b were already in one set.
  bool unite(std::uint32_t a, std::uint32_t b) {
    a = find(a);
    b = find(b);
    if (a == b) return false;
    if (a < b) {
      parent_[b] = a;
    } else {
      parent_[a] = b;
    }
    return true;
  }
  std::uint32_t size() const { return static_cast<std::uint32_t>(parent_.size()); }

 private:
  std::vector<std::uint32_t> parent_;
};

}  // namespace doppel
