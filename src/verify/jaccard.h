// Exact Jaccard similarity of shingle sets, the reference that signatures estimate. Pure.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace doppel {

// |A ∩ B| / |A ∪ B| of two sorted sets without repeats; 0 when both are empty.
double exact_jaccard(std::span<const std::uint64_t> a, std::span<const std::uint64_t> b);

// Sorts and removes repeats in place: a shingle list becomes a shingle set.
void make_set(std::vector<std::uint64_t>& shingles);

}  // namespace doppel
