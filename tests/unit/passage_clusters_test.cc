// group_passages against a slow reference written from its header: occurrences are the connected
// groups of overlapping aligned ranges of a document, clusters the connected groups of
// occurrences linked by a pair, ordered by their first occurrence.
#include "passages/passage_clusters.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <tuple>
#include <vector>

namespace doppel {
namespace {

// Labels of the connected components of n nodes under `linked(i, j)`, each the smallest member.
template <typename Linked>
std::vector<std::size_t> components(std::size_t n, Linked linked) {
  std::vector<std::size_t> label(n);
  for (std::size_t i = 0; i < n; ++i) label[i] = i;
  for (bool changed = true; changed;) {
    changed = false;
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = 0; j < n; ++j) {
        if (label[j] < label[i] && linked(i, j)) {
          label[i] = label[j];
          changed = true;
        }
      }
    }
  }
  return label;
}

PassageGroups reference_groups(const std::vector<AlignedPair>& pairs) {
  // Every side of every pair; sides of one document that overlap, directly or through others,
  // are one occurrence spanning them all.
  std::vector<WordRange> sides;
  for (const AlignedPair& p : pairs) {
    sides.push_back({p.a, p.a_begin, p.a_end});
    sides.push_back({p.b, p.b_begin, p.b_end});
  }
  const auto side_group = components(sides.size(), [&](std::size_t i, std::size_t j) {
    return sides[i].doc == sides[j].doc && sides[i].begin < sides[j].end &&
           sides[j].begin < sides[i].end;
  });
  std::vector<WordRange> occurrences;  // by smallest side
  std::vector<std::size_t> occurrence_of_side(sides.size());
  for (std::size_t i = 0; i < sides.size(); ++i) {
    if (side_group[i] != i) continue;
    WordRange o = sides[i];
    for (std::size_t j = 0; j < sides.size(); ++j) {
      if (side_group[j] != i) continue;
      o.begin = std::min(o.begin, sides[j].begin);
      o.end = std::max(o.end, sides[j].end);
    }
    occurrences.push_back(o);
  }
  for (std::size_t i = 0; i < sides.size(); ++i) {
    const WordRange& g = sides[side_group[i]];
    for (std::size_t k = 0; k < occurrences.size(); ++k) {
      if (occurrences[k].doc == g.doc && occurrences[k].begin <= g.begin &&
          g.begin < occurrences[k].end) {
        occurrence_of_side[i] = k;
      }
    }
  }
  // Occurrences linked by a pair are one cluster.
  const auto cluster_label = components(occurrences.size(), [&](std::size_t x, std::size_t y) {
    for (std::size_t p = 0; p < pairs.size(); ++p) {
      const std::size_t a = occurrence_of_side[2 * p], b = occurrence_of_side[2 * p + 1];
      if ((a == x && b == y) || (a == y && b == x)) return true;
    }
    return false;
  });
  auto before = [](const WordRange& x, const WordRange& y) {
    return std::tie(x.doc, x.begin) < std::tie(y.doc, y.begin);
  };
  std::vector<std::vector<WordRange>> clusters;
  std::vector<std::size_t> labels;
  for (std::size_t k = 0; k < occurrences.size(); ++k) {
    const auto it = std::find(labels.begin(), labels.end(), cluster_label[k]);
    if (it == labels.end()) {
      labels.push_back(cluster_label[k]);
      clusters.push_back({occurrences[k]});
    } else {
      clusters[static_cast<std::size_t>(it - labels.begin())].push_back(occurrences[k]);
    }
  }
  for (auto& c : clusters) std::sort(c.begin(), c.end(), before);
  std::sort(clusters.begin(), clusters.end(),
            [&](const auto& x, const auto& y) { return before(x.front(), y.front()); });
  PassageGroups out;
  out.cluster_begin.push_back(0);
  for (const auto& c : clusters) {
    out.occurrences.insert(out.occurrences.end(), c.begin(), c.end());
    out.cluster_begin.push_back(static_cast<std::uint32_t>(out.occurrences.size()));
  }
  for (std::size_t p = 0; p < pairs.size(); ++p) {
    const WordRange& o = occurrences[occurrence_of_side[2 * p]];
    for (std::size_t c = 0; c < clusters.size(); ++c) {
      for (const WordRange& m : clusters[c]) {
        if (m.doc == o.doc && m.begin == o.begin) {
          out.pair_cluster.push_back(static_cast<std::uint32_t>(c));
        }
      }
    }
  }
  return out;
}

bool same(const WordRange& x, const WordRange& y) {
  return x.doc == y.doc && x.begin == y.begin && x.end == y.end;
}

TEST(GroupPassages, MatchesReferenceOnRandomPairs) {
  std::mt19937_64 rng(0xc1u);
  for (int t = 0; t < 300; ++t) {
    const std::uint32_t docs = 1 + static_cast<std::uint32_t>(rng() % 8);
    const std::uint32_t words = 10 + static_cast<std::uint32_t>(rng() % 200);
    std::vector<AlignedPair> pairs(rng() % 30);
    auto range = [&](std::uint32_t& begin, std::uint32_t& end) {
      begin = static_cast<std::uint32_t>(rng() % words);
      end = begin + 1 + static_cast<std::uint32_t>(rng() % 40);
    };
    for (AlignedPair& p : pairs) {
      p.a = static_cast<std::uint32_t>(rng() % docs);
      p.b = static_cast<std::uint32_t>(rng() % docs);
      range(p.a_begin, p.a_end);
      range(p.b_begin, p.b_end);
      p.matches = 1;
    }
    const PassageGroups got = group_passages(pairs);
    const PassageGroups want = reference_groups(pairs);
    ASSERT_EQ(got.cluster_begin, want.cluster_begin) << "trial " << t;
    ASSERT_EQ(got.pair_cluster, want.pair_cluster) << "trial " << t;
    ASSERT_EQ(got.occurrences.size(), want.occurrences.size());
    for (std::size_t k = 0; k < got.occurrences.size(); ++k) {
      ASSERT_TRUE(same(got.occurrences[k], want.occurrences[k])) << "trial " << t << " at " << k;
    }
  }
}

}  // namespace
}  // namespace doppel
