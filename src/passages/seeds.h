// Seeds: word n-grams that two documents share, found by sorting every n-gram of the corpus by
// its hash. A seed links two positions of two documents; chains of nearby seeds on nearly the
// same diagonal become the anchors of one local alignment. Pure functions.
#pragma once

#include <atomic>
#include <bit>
#include <cstdint>
#include <span>
#include <vector>

#include "align/local_align.h"
#include "util/hash.h"
#include "util/huge_pages.h"

namespace doppel {

// A word as the passage stages compare it: its 64-bit token hash (text/normalize.h) folded to 32
// bits.
inline std::uint32_t word_key(std::uint64_t token_hash) {
  return static_cast<std::uint32_t>(token_hash ^ (token_hash >> 32));
}

// The key of the n-gram of words w[0 .. n): equal n-grams have equal keys.
inline std::uint64_t ngram_key(const std::uint32_t* w, std::size_t n) {
  std::uint64_t h = 0x9e3779b97f4a7c15ULL;
  for (std::size_t k = 0; k < n; ++k) h = (h ^ w[k]) * 0x100000001b3ULL;
  return mix64(h);
}

// The key of the n-gram of words w[0 .. n) in the seed stage: equal n-grams have equal keys. The
// words go two at a time into 64-bit products, each by a constant of its place, combined by
// exclusive or at different rotations: no multiplication waits for another, where ngram_key()
// chains one per word (n = 5, Reuters' 2.7M n-grams: 4 ms a pass against 7, and the stage hashes
// every n-gram two or three times). Outputs do not depend on the key, only on which n-grams are
// equal. (The index keeps ngram_key(): its fingerprints are stored.)
inline std::uint64_t seed_key(const std::uint32_t* w, std::size_t n) {
  constexpr std::uint64_t kPlace[8] = {
      0x9e3779b97f4a7c15ULL, 0xc2b2ae3d27d4eb4fULL, 0x165667b19e3779f9ULL, 0xd6e8feb86659fd93ULL,
      0xa0761d6478bd642fULL, 0xe7037ed1a0b428dbULL, 0x8ebc6af09c88c6e3ULL, 0x589965cc75374cc3ULL};
  std::uint64_t h = n;
  std::size_t k = 0;
  for (std::size_t j = 0; k + 2 <= n; k += 2, ++j) {
    const std::uint64_t pair = std::uint64_t{w[k]} << 32 | w[k + 1];
    h ^= std::rotl(pair * kPlace[j % 8], static_cast<int>((j * 23) % 64));
  }
  if (k < n) h ^= std::rotl(std::uint64_t{w[k]} * 0xff51afd7ed558ccdULL, 47);
  return mix64(h);
}

// The corpus's words as 32-bit hashes, each document's contiguous; where they are is the
// caller's (the reuse job leaves them where its reading threads wrote them). docs[d] ..
// docs[d + 1] number the words of document d among all words (an empty range for documents left
// out); first[d] points to its first word.
struct WordTable {
  std::vector<const std::uint32_t*> first;  // size: documents
  std::vector<std::uint64_t> docs;          // size: documents + 1
  std::span<const std::uint32_t> doc(std::uint32_t d) const {
    return {first[d], static_cast<std::size_t>(docs[d + 1] - docs[d])};
  }
  std::uint32_t num_docs() const { return static_cast<std::uint32_t>(docs.size() - 1); }
  std::uint64_t size() const { return docs.back(); }  // words in all documents
};

// Document a < b share the n-gram at word a_pos of a and b_pos of b.
// No default member initializers: arrays of seeds are made without zeroing them first.
struct Seed {
  std::uint64_t pair;  // a << 32 | b
  std::uint32_t a_pos, b_pos;
  friend auto operator<=>(const Seed&, const Seed&) = default;  // NOLINT(modernize-use-nullptr)
  std::uint32_t a() const { return static_cast<std::uint32_t>(pair >> 32); }
  std::uint32_t b() const { return static_cast<std::uint32_t>(pair); }
};

// An n-gram of the corpus: its key, its document and its first word there. The document fills
// what would be padding after the position, and saves a word-to-document table.
// No default member initializers: arrays of all n-grams are made without zeroing them first.
struct Gram {
  std::uint64_t key;
  std::uint32_t doc, pos;
  friend auto operator<=>(const Gram&, const Gram&) = default;  // NOLINT(modernize-use-nullptr)
};

// Calls fn(Gram) for every n-gram of documents [first, last) of `table`, in order, numbering the
// documents from `base` (a distributed run's global numbers).
template <typename Fn>
void for_each_ngram(const WordTable& table, std::size_t n, std::uint32_t first, std::uint32_t last,
                    std::uint32_t base, Fn fn) {
  for (std::uint32_t d = first; d < last; ++d) {
    const auto words = table.doc(d);
    for (std::size_t i = 0; i + n <= words.size(); ++i) {
      fn(Gram{seed_key(words.data() + i, n), base + d, static_cast<std::uint32_t>(i)});
    }
  }
}

struct SeedOptions {
  int ngram = 5;
  int all_pairs_docs = 8;        // more documents: each linked to the earliest only (and the
                                 // earliest's other occurrences to the next earliest's)
  int max_postings_per_doc = 8;  // repeats of one n-gram within one document beyond this are
                                 // linked by their order only (the i-th with the i-th elsewhere,
                                 // on the diagonal of the (i - 1)-th pair)
  int threads = 1;               // the result is the same for any number
  // Set to true, the partitions not yet begun are left out: the seeds returned are unfinished
  // (the caller that set it discards them).
  const std::atomic<bool>* stop = nullptr;
};

struct SeedStats {
  std::uint64_t ngrams = 0, shared_ngrams = 0, frequent_ngrams = 0;
};

// Every seed, sorted by (pair, a_pos, b_pos), without repeats. `rank[d]` orders documents for
// frequent n-grams (the lowest rank is the hub every other occurrence links to; the hub
// document's other occurrences link to the lowest-ranked occurrence in another document).
HugeVector<Seed> find_seeds(const WordTable& table, std::span<const std::uint32_t> rank,
                            const SeedOptions& options, SeedStats& stats);

// The same from n-grams gathered elsewhere (a distributed run: every occurrence of each n-gram
// held, in any order), of documents numbered below `num_docs`, none longer than `longest` words:
// the seeds find_seeds() gives from those n-grams. How many seeds an n-gram gives depends only on
// its own occurrences, so the seeds of a corpus are those of its n-grams split by key.
HugeVector<Seed> seeds_of_ngrams(std::span<const Gram> grams, std::uint32_t num_docs,
                                 std::uint64_t longest, std::span<const std::uint32_t> rank,
                                 const SeedOptions& options, SeedStats& stats);

// A chain: seeds of one document pair in increasing a_pos, each within max_gap words of the
// previous one and within `band` of its diagonal, as anchors (each a seed's a_pos and b_pos).
struct Chain {
  std::uint32_t first = 0, count = 0;  // anchors[first, first + count) of the output
};

// What chain_seeds() works in, kept between calls so that it allocates nothing once warm.
struct ChainScratch {
  struct Open {
    std::uint32_t chain = 0;
    std::int64_t last_a = 0, last_b = 0;
  };
  std::vector<Open> open;               // the chains that may still grow
  std::vector<std::uint32_t> chain_of;  // per seed: its chain
  std::vector<std::uint32_t> next;      // per chain: where its next anchor goes
};

// Splits the seeds of one document pair (sorted by a_pos, then b_pos) into chains, in the order
// of their first anchors; `anchors` receives each chain's anchors contiguously. A seed continues
// the open chain it is ahead of in both documents (by at most max_gap words in a, max_gap + band
// in b) with the nearest diagonal, the earliest-opened on a tie; else it opens a chain.
void chain_seeds(std::span<const Seed> pair_seeds, int max_gap, int band, ChainScratch& scratch,
                 std::vector<Anchor>& anchors, std::vector<Chain>& chains);

}  // namespace doppel
