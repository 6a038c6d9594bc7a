// Exact duplicates: documents whose normalized texts are identical (equal 128-bit hashes) are
// united, and only the first document of each distinct text goes on to the LSH stage.
// Pure function over spans; the union-find is the caller's.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "cluster/union_find.h"
#include "text/shingle.h"

namespace doppel {

// Unites the documents d with in_play[d] that share a hash; returns the first document of each
// distinct text, ascending.
std::vector<std::uint32_t> group_exact(std::span<const ExactHash> hashes,
                                       std::span<const std::uint8_t> in_play, UnionFind& sets);

}  // namespace doppel
