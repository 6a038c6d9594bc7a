// From disjoint sets to clusters, the document each cluster keeps, and how like it each member
// is. Pure functions (UnionFind::find compresses paths, hence the non-const reference).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "cluster/union_find.h"
#include "corpus/dates.h"
#include "doppel/corpus.h"
#include "doppel/options.h"

namespace doppel {

// Sets of two or more documents: cluster c's members are members[begin[c], begin[c + 1]).
struct Components {
  std::vector<std::uint32_t> begin;    // one more than there are clusters
  std::vector<std::uint32_t> members;  // ascending within each cluster
  std::size_t count() const { return begin.empty() ? 0 : begin.size() - 1; }
  std::span<const std::uint32_t> of(std::size_t c) const {
    return std::span(members).subspan(begin[c], begin[c + 1] - begin[c]);
  }
};

// Every set of two or more documents among those with in_play[doc], ordered by first member.
Components collect_clusters(UnionFind& sets, std::span<const std::uint8_t> in_play);

// The member kept by `keep`: first in input order, earliest or latest date (compare_dates();
// undated documents count as latest for kEarliest and as earliest for kLatest) or longest text;
// ties go to the first.
std::uint32_t choose_representative(const Corpus& corpus, std::span<const std::uint32_t> members,
                                    KeepPolicy keep);
// The same rule over `count` members in input order, given member k's date (date_of(k), a
// string_view) and text bytes (bytes_of(k)): returns the index of the member kept.
template <typename DateOf, typename BytesOf>
std::uint32_t choose_member(std::uint32_t count, KeepPolicy keep, DateOf date_of,
                            BytesOf bytes_of) {
  std::uint32_t best = 0;
  for (std::uint32_t k = 1; k < count; ++k) {
    switch (keep) {
      case KeepPolicy::kFirst:
        break;
      case KeepPolicy::kEarliest: {
        const std::string_view a = date_of(k), b = date_of(best);
        if (!a.empty() && (b.empty() || compare_dates(a, b) < 0)) best = k;
        break;
      }
      case KeepPolicy::kLatest: {
        const std::string_view a = date_of(k), b = date_of(best);
        if (!a.empty() && (b.empty() || compare_dates(a, b) > 0)) best = k;
        break;
      }
      case KeepPolicy::kLongest:
        if (bytes_of(k) > bytes_of(best)) best = k;
        break;
    }
  }
  return best;
}

// A member's likeness to its cluster's representative.
struct Likeness {
  bool exact = false;  // identical normalized text
  float similarity = 0;
};

// For each member: exact when its normalized text equals the representative's (`same_text`),
// with similarity 1; otherwise `similarity(member, representative)`.
template <typename SameText, typename Similarity>
void likeness_to_representative(std::span<const std::uint32_t> members,
                                std::uint32_t representative, const SameText& same_text,
                                const Similarity& similarity, std::span<Likeness> out) {
  for (std::size_t k = 0; k < members.size(); ++k) {
    const std::uint32_t d = members[k];
    const bool exact = same_text(d, representative);
    out[k] = Likeness{exact, exact ? 1.0f : static_cast<float>(similarity(d, representative))};
  }
}

}  // namespace doppel
