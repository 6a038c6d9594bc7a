// The seeds of one document pair, for an index that compares each new document with a few
// earlier ones instead of sorting every n-gram of a corpus (passages/seeds.h): a table of the new
// document's word n-grams, probed with each n-gram of an earlier one. The seeds are those
// find_seeds() gives the two documents alone: every n-gram they share, with its first
// `max_per_doc` places in each, sorted by (a_pos, b_pos).
// Thread-safety: one PairSeeder per thread.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "passages/seeds.h"

namespace doppel {

class PairSeeder {
 public:
  // The later document `b` of the pairs to come: its words, the n-gram length, and how many
  // places of one n-gram in a document count (SeedOptions::max_postings_per_doc).
  void set_b(std::span<const std::uint32_t> b_words, int ngram, int max_per_doc);
  // Replaces `out` with the seeds of (a_doc, b_doc), a_doc < b_doc, where `a_words` are a_doc's.
  void seeds(std::uint32_t a_doc, std::uint32_t b_doc, std::span<const std::uint32_t> a_words,
             std::vector<Seed>& out);

 private:
  std::size_t slot_of(std::uint64_t key) const;
  std::size_t n_ = 5, max_per_doc_ = 8, mask_ = 0;
  std::vector<std::uint64_t> keys_;    // per slot
  std::vector<std::uint32_t> first_;   // per slot: its places in places_
  std::vector<std::uint32_t> count_;   // per slot: places kept (at most max_per_doc), 0: empty
  std::vector<std::uint32_t> seen_;    // per slot: places of the key met in `a` so far
  std::vector<std::uint32_t> stamp_;   // per slot: the call of seeds() seen_ counts for
  std::vector<std::uint32_t> places_;  // b's places, grouped by slot
  std::vector<std::uint64_t> b_grams_;
  std::uint32_t call_ = 0;
};

}  // namespace doppel
