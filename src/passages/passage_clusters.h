// From aligned passage pairs to passage clusters, each the occurrences of ONE passage.
//
// A cluster is a star around its center: a stretch of the earliest document that holds it (by
// `rank`: date, then input order), and the stretches of other documents aligned to it. Linking
// every overlapping stretch instead (union-find) chains unrelated texts: a reply that quotes one
// post and is quoted by another joins both, and through them the whole thread.
//
// Documents are taken in rank order; each one's aligned pieces (passages/segments.h) are cut
// where its own text, or the other document's, already belongs to a cluster (a cut is mapped
// between the two documents by linear interpolation, moved to where the words around it match
// best), and each part goes where its text belongs:
//   * the center's part already belongs to cluster k (the document is itself a later copy of k's
//     passage): the other document's part joins k;
//   * only the other document's part belongs to cluster k: the center's part joins k;
//   * neither: the center's parts that overlap or touch form one new cluster, whose members are the
//     other documents' parts. The center's text is cut where the documents aligned to it change,
//     counting only documents whose text is alike the center's words it aligns: one that joins no
//     cluster (a template with other fillers) does not cut a passage others share. Where such a
//     cluster gets no text of another document because a cluster made just before from the same
//     center took it (the center holds that passage twice), the new one is given up and its parts
//     aligned to that text join that cluster, as by the rule above.
// A part joins a cluster only if at least GroupOptions::min_trigrams of its word 3-grams are in
// the cluster's center occurrence: a member is mostly the same text as the center, word 3-grams
// and not only words. A rewrite, or a template whose words are mostly different fillers
// (earnings tables, bond announcements), shares words but few 3-grams and joins no cluster; a
// chain of texts each like the next does not grow a cluster whose ends differ. It joins for the
// words of it that belong to none yet, in stretches of at least
// `min_words` words or touching the cluster's occurrence in that document: a text belongs to one
// cluster at most, and occurrences made of several passages are split, each piece in its own
// cluster. Clusters over fewer than two documents are dropped. Pure function.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "passages/seeds.h"
#include "passages/segments.h"

namespace doppel {

// Words [a_begin, a_end) of document a aligned to [b_begin, b_end) of document b.
struct AlignedPair {
  std::uint32_t a = 0, b = 0;
  std::uint32_t a_begin = 0, a_end = 0, b_begin = 0, b_end = 0;
  std::uint32_t matches = 0;
  std::uint32_t first_piece = 0, pieces = 0;  // its monotone pieces (passages/segments.h), in an
                                              // array the caller keeps
};

struct WordRange {
  std::uint32_t doc = 0, begin = 0, end = 0;
};

struct GroupOptions {
  double min_trigrams = 0.5;     // a text joins a cluster when this share of its word 3-grams
                                 // are in the cluster's center (ReuseOptions::cluster_trigrams)
  std::uint32_t min_words = 15;  // the shortest occurrence (a part of a passage left over beside
                                 // another cluster's occurrence is dropped, unless it extends an
                                 // occurrence of its own cluster)
};

inline constexpr std::uint32_t kNoGroup = 0xffffffffu;

struct PassageGroups {
  std::vector<WordRange> occurrences;        // grouped by cluster, each group by (doc, begin)
  std::vector<std::uint32_t> cluster_begin;  // cluster c: occurrences[begin[c], begin[c + 1])
  std::vector<std::uint32_t> center;         // per cluster: its center occurrence (an index of
                                             // `occurrences`), in its document of lowest rank
  std::vector<std::uint32_t> pair_cluster;   // per input pair: of the clusters holding words of
                                             // both its sides, the one holding most; kNoGroup
                                             // when there is none
};

// `pieces` holds every pair's pieces (AlignedPair::first_piece, pieces); `words` every
// document's words; `rank` orders the documents (lowest first), one per document. Clusters are
// ordered by their first occurrence (doc, begin).
PassageGroups group_passages(std::span<const AlignedPair> pairs, std::span<const Piece> pieces,
                             const WordTable& words, std::span<const std::uint32_t> rank,
                             const GroupOptions& options);

}  // namespace doppel
