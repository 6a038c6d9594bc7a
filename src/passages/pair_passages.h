// The passages each document pair shares: its seeds chained (passages/seeds), each chain of two
// or more seeds aligned (align/), the alignments cut into pieces and the pieces joined into
// passages (passages/segments; a reordered passage is one), and the passages that qualify kept
// with their pieces. Document pairs are spread over threads; the result does not depend on their
// number. Pure function over spans.
#pragma once

#include <atomic>
#include <cstdint>
#include <span>
#include <vector>

#include "align/local_align.h"
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
  // Chains of fewer seeds are not aligned: a lone shared n-gram is a phrase, not yet a passage.
  // The index seeds with winnowed n-grams only, each standing for several: it takes 1.
  std::uint32_t min_chain_seeds = 2;
  // Set to true, the threads take no more pairs: what is returned is unfinished (the caller that
  // set it discards it).
  const std::atomic<bool>* stop = nullptr;
};

struct PairPassages {
  std::vector<AlignedPair> passages;
  std::vector<Piece> pieces;  // each passage's monotone pieces (AlignedPair::first_piece, pieces)
};

// What passages_of_pair() works in, kept between calls so that it allocates nothing once warm.
struct PairScratch {
  AlignScratch align;
  std::vector<Anchor> anchors;
  std::vector<Chain> chains;
  ChainScratch chain;
  std::vector<Piece> pieces;
  std::vector<Anchor> matched;  // the pieces' aligned pairs when two alignments or more gave some
  std::vector<PieceGroup> groups;
};

// The passages of one document pair (a, b) from its seeds (all of that pair, sorted by a_pos,
// then b_pos), appended to `out` by (a_begin, b_begin): the seeds chained, each chain of
// min_chain_seeds or more aligned, the alignments cut and joined (passages/segments), those that
// qualify kept. Each passage's pieces are appended to `out_pieces` when given
// (AlignedPair::first_piece counts in it); without it first_piece is 0. Returns the chains
// aligned. The unit of work of pair_passages() below and of the index.
std::uint64_t passages_of_pair(std::span<const Seed> pair_seeds, std::span<const std::uint32_t> a,
                               std::span<const std::uint32_t> b, const PairPassageOptions& options,
                               PairScratch& scratch, std::vector<AlignedPair>& out,
                               std::vector<Piece>* out_pieces = nullptr);

// `seeds` sorted by (pair, a_pos, b_pos), as find_seeds gives them. The passages come by
// document pair (in seed order), then by (a_begin, b_begin). `chains_aligned` counts the chains
// aligned.
PairPassages pair_passages(std::span<const Seed> seeds, const WordTable& words,
                           const PairPassageOptions& options, std::uint64_t& chains_aligned);

}  // namespace doppel
