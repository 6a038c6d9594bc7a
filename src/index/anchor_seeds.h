// The seeds of one document pair as the index finds them: the winnowed n-grams both documents
// hold (index/features.h), matched by fingerprint, instead of every n-gram they share (what
// passages/seeds.h finds by sorting a whole corpus). Each winnowed n-gram stands for the window
// it was chosen from, so the index aligns chains of one seed too (docs/index.md says what this
// costs against doppel reuse). Pure function.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "index/features.h"
#include "passages/seeds.h"

namespace doppel {

// Replaces `out` with the seeds of (a_doc, b_doc), a_doc < b_doc: for each fingerprint in both
// lists (each sorted by (fp, pos)), every pair of its first `max_per_doc` places in a and in b,
// and past those the k-th place in a with the k-th in b where they continue the diagonal of the
// (k - 1)-th pair; sorted by (a_pos, b_pos).
void anchor_seeds(std::span<const Winnowed> a, std::span<const Winnowed> b, std::uint32_t a_doc,
                  std::uint32_t b_doc, int max_per_doc, std::vector<Seed>& out);

}  // namespace doppel
