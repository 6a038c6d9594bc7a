// The passages each document pair shares: its seeds chained (passages/seeds), each chain of two
// or more seeds aligned (align/), the alignments cut into pieces and the pieces joined into
// passages (passages/segments; a reordered passage is one), and the passages that qualify kept
// with their pieces. Document pairs are spread over
// threads; the result does not depend on their number. Pure function over spans.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "passages/passage_clusters.h"
#include "passages/seeds.h"
#include "passages/segments.h"
#include "util/huge_pages.h"

namespace doppel {

struct PairPassageOptions {
  std::uint32_t seed_words = 5;  // the seeds' n-gram length
  std::uint32_t band = 8;        // words of drift the alignment tolerates
  std::uint32_t max_gap = 25;    // seeds further apart start a new chain
  std::uint32_t max_unmatched = 12;
  std::uint32_t min_words = 15;
  double min_similarity = 0.5;
  int threads = 1;
};

struct PairPassages {
  std::vector<AlignedPair> passages;
  std::vector<Piece> pieces;  // each passage's monotone pieces (AlignedPair::first_piece, pieces)
};

// `seeds` sorted by (pair, a_pos, b_pos), as find_seeds gives them. The passages come by
// document pair (in seed order), then by (a_begin, b_begin). `chains_aligned` counts the chains
// aligned.
PairPassages pair_passages(std::span<const Seed> seeds, const WordTable& words,
                           const PairPassageOptions& options, std::uint64_t& chains_aligned);

}  // namespace doppel
