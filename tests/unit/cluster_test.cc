// Disjoint sets against naive label propagation; clusters and representatives on hand-built
// results.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string_view>
#include <utility>
#include <vector>

#include "cluster/clusters.h"
#include "cluster/union_find.h"
#include "doppel/dedup.h"

namespace doppel {
namespace {

// The reference: every element labelled with the smallest member of its component, by relabelling
// one whole component at each union.
class NaiveSets {
 public:
  explicit NaiveSets(std::uint32_t n) : label_(n) {
    for (std::uint32_t i = 0; i < n; ++i) label_[i] = i;
  }
  void unite(std::uint32_t a, std::uint32_t b) {
    const std::uint32_t la = label_[a], lb = label_[b];
    const std::uint32_t keep = std::min(la, lb), drop = std::max(la, lb);
    for (auto& l : label_) {
      if (l == drop) l = keep;
    }
  }
  std::uint32_t label(std::uint32_t x) const { return label_[x]; }

 private:
  std::vector<std::uint32_t> label_;
};

TEST(UnionFind, MatchesNaiveLabelsAndRootIsSmallestMember) {
  std::mt19937_64 rng(0x7566);
  for (int t = 0; t < 200; ++t) {
    const auto n = static_cast<std::uint32_t>(1 + rng() % 200);
    UnionFind sets(n);
    NaiveSets naive(n);
    ASSERT_EQ(sets.size(), n);
    const int unions = static_cast<int>(rng() % (n + 1));
    for (int u = 0; u < unions; ++u) {
      const auto a = static_cast<std::uint32_t>(rng() % n),
                 b = static_cast<std::uint32_t>(rng() % n);
      const bool were_apart = naive.label(a) != naive.label(b);
      ASSERT_EQ(sets.unite(a, b), were_apart);
      naive.unite(a, b);
    }
    for (std::uint32_t x = 0; x < n; ++x) ASSERT_EQ(sets.find(x), naive.label(x)) << x;
  }
}

TEST(UnionFind, OrderOfUnionsDoesNotChangeRoots) {
  std::mt19937_64 rng(0x6f72);
  std::vector<std::pair<std::uint32_t, std::uint32_t>> edges(300);
  for (auto& e : edges)
    e = {static_cast<std::uint32_t>(rng() % 500), static_cast<std::uint32_t>(rng() % 500)};
  UnionFind forward(500), backward(500);
  for (const auto& [a, b] : edges) forward.unite(a, b);
  for (auto it = edges.rbegin(); it != edges.rend(); ++it) backward.unite(it->second, it->first);
  for (std::uint32_t x = 0; x < 500; ++x) EXPECT_EQ(forward.find(x), backward.find(x));
}

// Clusters of the reference: components of two or more in-play elements, by smallest member.
std::vector<std::vector<std::uint32_t>> reference_clusters(
    const NaiveSets& naive, std::uint32_t n, const std::vector<std::uint8_t>& in_play) {
  std::vector<std::vector<std::uint32_t>> by_label(n);
  for (std::uint32_t d = 0; d < n; ++d) {
    if (in_play[d]) by_label[naive.label(d)].push_back(d);
  }
  std::vector<std::vector<std::uint32_t>> out;
  for (auto& members : by_label) {
    if (members.size() >= 2) out.push_back(members);
  }
  std::sort(out.begin(), out.end());  // by smallest member, as members are ascending
  return out;
}

TEST(CollectClusters, MatchesReference) {
  std::mt19937_64 rng(0x636c);
  for (int t = 0; t < 200; ++t) {
    const auto n = static_cast<std::uint32_t>(1 + rng() % 150);
    UnionFind sets(n);
    NaiveSets naive(n);
    for (int u = static_cast<int>(rng() % n); u > 0; --u) {
      const auto a = static_cast<std::uint32_t>(rng() % n),
                 b = static_cast<std::uint32_t>(rng() % n);
      sets.unite(a, b);
      naive.unite(a, b);
    }
    std::vector<std::uint8_t> in_play(n);
    for (auto& p : in_play) p = rng() % 5 != 0;
    const Components components = collect_clusters(sets, in_play);
    std::vector<std::vector<std::uint32_t>> got;
    ASSERT_EQ(components.begin.front(), 0u);
    for (std::size_t c = 0; c < components.count(); ++c) {
      ASSERT_LT(components.begin[c], components.begin[c + 1]);
      got.emplace_back(components.of(c).begin(), components.of(c).end());
    }
    ASSERT_EQ(components.begin.back(), components.members.size());
    ASSERT_EQ(got, reference_clusters(naive, n, in_play));  // same order, members ascending
  }
}

TEST(CollectClusters, ExcludesSingletonsAndDocumentsOutOfPlay) {
  UnionFind sets(6);
  sets.unite(0, 1);  // 0 is out of play: {1} alone is not a cluster
  sets.unite(2, 4);
  sets.unite(4, 5);  // {2, 4, 5}
  const std::vector<std::uint8_t> in_play = {0, 1, 1, 1, 1, 1};
  const Components components = collect_clusters(sets, in_play);
  ASSERT_EQ(components.count(), 1u);
  EXPECT_EQ(components.members, (std::vector<std::uint32_t>{2, 4, 5}));
}

TEST(CollectClusters, ClusterWhoseSmallestMemberIsOutOfPlay) {
  UnionFind sets(5);
  sets.unite(0, 3);
  sets.unite(3, 4);  // root 0 is out of play; {3, 4} remains a cluster
  const std::vector<std::uint8_t> in_play = {0, 1, 1, 1, 1};
  const Components components = collect_clusters(sets, in_play);
  ASSERT_EQ(components.count(), 1u);
  EXPECT_EQ(components.members, (std::vector<std::uint32_t>{3, 4}));
}

// A Corpus with only what choose_representative reads: ids, dates and text sizes.
struct Doc {
  const char* id;
  const char* date;
  std::uint64_t text_bytes;
};
Corpus make_result(const std::vector<Doc>& docs) {
  Corpus r;
  for (const Doc& d : docs) {
    Document info;
    info.id_begin = r.strings.size();
    info.id_size = static_cast<std::uint32_t>(std::string_view(d.id).size());
    info.date_size = static_cast<std::uint32_t>(std::string_view(d.date).size());
    info.text_bytes = d.text_bytes;
    r.strings += d.id;
    r.strings += d.date;
    r.docs.push_back(info);
  }
  return r;
}

TEST(ChooseRepresentative, FirstIsTheFirstMember) {
  const Corpus r = make_result({{"a", "2020-01-01", 5}, {"b", "2019-01-01", 50}, {"c", "", 9}});
  const std::vector<std::uint32_t> members = {1, 2};
  EXPECT_EQ(r.date(1), "2019-01-01");
  EXPECT_EQ(choose_representative(r, members, KeepPolicy::kFirst), 1u);
}

TEST(ChooseRepresentative, EarliestDate) {
  const Corpus r = make_result({{"a", "2020-05-01", 1},
                                {"b", "2019-12-31", 1},
                                {"c", "2021-01-01", 1},
                                {"d", "2019-12-31", 1}});
  const std::vector<std::uint32_t> all = {0, 1, 2, 3};
  EXPECT_EQ(choose_representative(r, all, KeepPolicy::kEarliest), 1u);  // tie with 3: first
}

TEST(ChooseRepresentative, UndatedCountsAsLatest) {
  const Corpus r = make_result({{"a", "", 1}, {"b", "2030-01-01", 1}, {"c", "", 1}});
  EXPECT_EQ(choose_representative(r, std::vector<std::uint32_t>{0, 1, 2}, KeepPolicy::kEarliest),
            1u);
  EXPECT_EQ(choose_representative(r, std::vector<std::uint32_t>{1, 2}, KeepPolicy::kEarliest), 1u);
  // None dated: the first.
  EXPECT_EQ(choose_representative(r, std::vector<std::uint32_t>{0, 2}, KeepPolicy::kEarliest), 0u);
}

TEST(ChooseRepresentative, LongestTextTiesToFirst) {
  const Corpus r = make_result({{"a", "", 10}, {"b", "", 30}, {"c", "", 30}, {"d", "", 29}});
  EXPECT_EQ(choose_representative(r, std::vector<std::uint32_t>{0, 1, 2, 3}, KeepPolicy::kLongest),
            1u);
  EXPECT_EQ(choose_representative(r, std::vector<std::uint32_t>{0, 3}, KeepPolicy::kLongest), 3u);
  EXPECT_EQ(choose_representative(r, std::vector<std::uint32_t>{2, 1}, KeepPolicy::kLongest), 2u);
}

TEST(ChooseRepresentative, MatchesReferenceOnRandomClusters) {
  std::mt19937_64 rng(0x726570);
  const char* dates[] = {"", "2001-02-03", "2001-02-04", "1999-12-31", "2010-10-10"};
  for (int t = 0; t < 300; ++t) {
    std::vector<Doc> docs(1 + rng() % 12);
    for (auto& d : docs) d = Doc{"x", dates[rng() % 5], rng() % 4};
    const Corpus r = make_result(docs);
    std::vector<std::uint32_t> members(docs.size());
    for (std::uint32_t i = 0; i < members.size(); ++i) members[i] = i;
    // Reference: the first member with the smallest (undated, date) or the largest size.
    const auto date_key = [](const Doc& d) {
      return std::pair(std::string_view(d.date).empty(), std::string_view(d.date));
    };
    const auto earliest = static_cast<std::uint32_t>(
        std::min_element(docs.begin(), docs.end(),
                         [&](const Doc& a, const Doc& b) { return date_key(a) < date_key(b); }) -
        docs.begin());
    const auto longest = static_cast<std::uint32_t>(
        std::max_element(docs.begin(), docs.end(),
                         [](const Doc& a, const Doc& b) { return a.text_bytes < b.text_bytes; }) -
        docs.begin());
    ASSERT_EQ(choose_representative(r, members, KeepPolicy::kFirst), 0u);
    ASSERT_EQ(choose_representative(r, members, KeepPolicy::kEarliest), earliest);
    ASSERT_EQ(choose_representative(r, members, KeepPolicy::kLongest), longest);
    // Latest: the first member with the largest (dated, date); undated count as earliest.
    const auto latest = static_cast<std::uint32_t>(
        std::min_element(docs.begin(), docs.end(),
                         [&](const Doc& a, const Doc& b) {
                           return std::string_view(a.date) > std::string_view(b.date);
                         }) -
        docs.begin());
    ASSERT_EQ(choose_representative(r, members, KeepPolicy::kLatest), latest);
  }
}

TEST(ChooseRepresentative, LatestDateAndUndatedCountsAsEarliest) {
  const Corpus r = make_result(
      {{"a", "", 1}, {"b", "2019-01-01", 1}, {"c", "2021-06-30", 1}, {"d", "2021-06-30", 1}});
  EXPECT_EQ(choose_representative(r, std::vector<std::uint32_t>{0, 1, 2, 3}, KeepPolicy::kLatest),
            2u);  // tie with 3: first
  EXPECT_EQ(choose_representative(r, std::vector<std::uint32_t>{0, 1}, KeepPolicy::kLatest), 1u);
  EXPECT_EQ(choose_representative(r, std::vector<std::uint32_t>{0}, KeepPolicy::kLatest), 0u);
}

TEST(LikenessToRepresentative, ExactMembersScoreOneOthersTheirSimilarity) {
  const std::vector<std::uint32_t> members = {3, 5, 8};
  const std::vector<int> text = {0, 0, 0, 7, 0, 7, 0, 0, 9};  // 3 and 5 have the same text
  std::vector<Likeness> out(3);
  likeness_to_representative(
      members, 3, [&](std::uint32_t a, std::uint32_t b) { return text[a] == text[b]; },
      [](std::uint32_t a, std::uint32_t b) { return a == 8 && b == 3 ? 0.75 : -1.0; },
      std::span(out));
  EXPECT_TRUE(out[0].exact);
  EXPECT_EQ(out[0].similarity, 1.0f);
  EXPECT_TRUE(out[1].exact);
  EXPECT_EQ(out[1].similarity, 1.0f);
  EXPECT_FALSE(out[2].exact);
  EXPECT_EQ(out[2].similarity, 0.75f);
}

}  // namespace
}  // namespace doppel
