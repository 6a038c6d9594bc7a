// group_passages against a slow reference written from its header, with every document's words
// owned word by word instead of claims over ranges; and cases a reader would recognise: a reply
// chain is not one cluster, a template with different fillers joins none, a signature beside a
// quoted paragraph is a passage of its own, a block in five documents is one cluster.
#include "passages/passage_clusters.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <set>
#include <tuple>
#include <vector>

namespace doppel {
namespace {

constexpr std::uint32_t kFree = kNoGroup;

struct Corpus {
  std::vector<std::vector<std::uint32_t>> docs;
  WordTable table;
  void index() {
    table = WordTable{};
    table.docs.push_back(0);
    for (const auto& d : docs) {
      table.first.push_back(d.data());
      table.docs.push_back(table.docs.back() + d.size());
    }
  }
};

// The header of group_passages, with an owner per word.
PassageGroups reference_groups(const std::vector<AlignedPair>& pairs,
                               const std::vector<Piece>& pieces, const Corpus& corpus,
                               const std::vector<std::uint32_t>& rank, const GroupOptions& o) {
  const std::size_t n = corpus.docs.size();
  const std::uint32_t min_words = std::max<std::uint32_t>(1, o.min_words);
  std::vector<std::vector<std::uint32_t>> owner(n);
  for (std::size_t d = 0; d < n; ++d) owner[d].assign(corpus.docs[d].size(), kFree);
  struct L {
    std::uint32_t center, other, b, e, ob, oe;
  };
  // Boundary x of document `from` in [b, e), aligned to [tb, te) of document `to`: the linear
  // estimate round(tb + (x - b) * (te - tb) / (e - b)), halves up; strictly inside, the place
  // within 6 of it, strictly inside [tb, te), whose 4 words on each side equal from's around x
  // the most, position by position (ties: the nearest, then the earlier).
  auto scale = [&](std::uint32_t from, std::uint32_t to, std::uint32_t x, std::uint32_t b,
                   std::uint32_t e, std::uint32_t tb, std::uint32_t te) {
    const double v = tb + double(x - b) * double(te - tb) / double(e - b);
    const auto estimate = static_cast<std::uint32_t>(v + 0.5);
    if (x <= b || x >= e) return estimate;
    const auto& f = corpus.docs[from];
    const auto& t = corpus.docs[to];
    auto same = [&](std::int64_t i, std::int64_t j) {
      return i >= 0 && j >= 0 && i < std::int64_t(f.size()) && j < std::int64_t(t.size()) &&
             f[std::size_t(i)] == t[std::size_t(j)];
    };
    auto agreement = [&](std::int64_t y) {
      int n = 0;
      for (int k = -4; k < 4; ++k) n += same(std::int64_t{x} + k, y + k) ? 1 : 0;
      return n;
    };
    std::int64_t best = estimate;
    for (std::int64_t d = 1; d <= 6; ++d) {
      for (const std::int64_t y : {std::int64_t{estimate} - d, std::int64_t{estimate} + d}) {
        if (y > std::int64_t{tb} && y < std::int64_t{te} && agreement(y) > agreement(best)) {
          best = y;
        }
      }
    }
    return static_cast<std::uint32_t>(best);
  };
  std::vector<L> links;
  for (const AlignedPair& p : pairs) {
    const bool a_first = rank[p.a] < rank[p.b];
    for (std::uint32_t k = p.first_piece; k < p.first_piece + p.pieces; ++k) {
      const Piece& q = pieces[k];
      links.push_back(a_first ? L{p.a, p.b, q.a_begin, q.a_end, q.b_begin, q.b_end}
                              : L{p.b, p.a, q.b_begin, q.b_end, q.a_begin, q.a_end});
    }
  }
  std::sort(links.begin(), links.end(), [&](const L& x, const L& y) {
    return std::tie(rank[x.center], x.b, x.e, x.other, x.ob, x.oe) <
           std::tie(rank[y.center], y.b, y.e, y.other, y.ob, y.oe);
  });
  auto owner_of = [&](std::uint32_t doc, std::uint32_t b, std::uint32_t e) {
    std::vector<std::uint32_t> count;
    std::uint32_t best = kFree, best_words = 0;
    for (std::uint32_t x = b; x < e; ++x) {
      const std::uint32_t k = owner[doc][x];
      if (k == kFree) continue;
      if (count.size() <= k) count.resize(k + 1, 0);
      ++count[k];
    }
    for (std::uint32_t k = 0; k < count.size(); ++k) {
      if (count[k] > best_words) {
        best = k;
        best_words = count[k];
      }
    }
    return best;
  };
  auto claim = [&](std::uint32_t doc, std::uint32_t b, std::uint32_t e, std::uint32_t k) {
    auto& w = owner[doc];
    for (std::uint32_t x = b; x < e;) {
      if (w[x] != kFree) {
        ++x;
        continue;
      }
      std::uint32_t y = x;
      while (y < e && w[y] == kFree) ++y;
      const bool touches = (x > 0 && w[x - 1] == k) || (y < w.size() && w[y] == k);
      if (y - x >= min_words || touches) {
        for (std::uint32_t z = x; z < y; ++z) w[z] = k;
      }
      x = y;
    }
  };
  struct Req {
    std::uint32_t k, doc, b, e;
  };
  std::vector<Req> reqs;
  auto flush = [&] {
    std::sort(reqs.begin(), reqs.end(), [](const Req& x, const Req& y) {
      return std::tie(x.k, x.doc, x.b, x.e) < std::tie(y.k, y.doc, y.b, y.e);
    });
    for (std::size_t i = 0; i < reqs.size();) {
      Req r = reqs[i];
      std::size_t j = i + 1;
      for (; j < reqs.size() && reqs[j].k == r.k && reqs[j].doc == r.doc && reqs[j].b <= r.e; ++j) {
        r.e = std::max(r.e, reqs[j].e);
      }
      claim(r.doc, r.b, r.e, r.k);
      i = j;
    }
    reqs.clear();
  };
  using Gram = std::tuple<std::uint32_t, std::uint32_t, std::uint32_t>;
  auto grams = [&](std::uint32_t doc, std::uint32_t b, std::uint32_t e) {
    std::set<Gram> g;
    for (std::uint32_t x = b; x + 2 < e; ++x) {
      const auto& w = corpus.docs[doc];
      g.insert({w[x], w[x + 1], w[x + 2]});
    }
    return g;
  };
  std::vector<std::set<Gram>> center_grams;
  auto alike = [&](std::uint32_t k, std::uint32_t doc, std::uint32_t b, std::uint32_t e) {
    if (e - b < 3) return true;
    const std::set<Gram> g = grams(doc, b, e);
    std::size_t found = 0;
    for (const Gram& x : g) found += center_grams[k].count(x);
    return double(found) / double(g.size()) >= o.min_trigrams;
  };
  std::uint32_t clusters = 0;
  for (std::size_t first = 0; first < links.size();) {
    const std::uint32_t d = links[first].center;
    std::size_t last = first;
    while (last < links.size() && links[last].center == d) ++last;
    struct P {
      std::size_t link;
      std::uint32_t b, e, ob, oe;
    };
    std::vector<P> parts;
    for (std::size_t l = first; l < last; ++l) {
      const L& k = links[l];
      std::set<std::uint32_t> cuts = {k.b, k.e};
      for (std::uint32_t x = k.b + 1; x < k.e; ++x) {
        if (owner[d][x - 1] != owner[d][x]) cuts.insert(x);
      }
      for (std::uint32_t y = k.ob + 1; y < k.oe; ++y) {
        if (owner[k.other][y - 1] != owner[k.other][y]) {
          cuts.insert(scale(k.other, d, y, k.ob, k.oe, k.b, k.e));
        }
      }
      const std::vector<std::uint32_t> c(cuts.begin(), cuts.end());
      std::vector<std::uint32_t> oc;  // in the other document, never decreasing
      for (const std::uint32_t x : c) {
        const std::uint32_t y = scale(d, k.other, x, k.b, k.e, k.ob, k.oe);
        oc.push_back(oc.empty() ? y : std::max(y, oc.back()));
      }
      for (std::size_t i = 0; i + 1 < c.size(); ++i) {
        parts.push_back(P{l, c[i], c[i + 1], oc[i], oc[i + 1]});
      }
    }
    for (const P& p : parts) {
      const std::uint32_t k = p.ob < p.oe ? owner_of(links[p.link].other, p.ob, p.oe) : kFree;
      if (k != kFree && owner_of(d, p.b, p.e) == kFree && alike(k, d, p.b, p.e)) {
        reqs.push_back({k, d, p.b, p.e});
      }
    }
    flush();
    std::vector<P> fresh;
    for (const P& p : parts) {
      const std::uint32_t k = owner_of(d, p.b, p.e);
      const std::uint32_t other = links[p.link].other;
      if (k == kFree) {
        fresh.push_back(p);
      } else if (p.ob < p.oe && alike(k, other, p.ob, p.oe)) {
        reqs.push_back({k, other, p.ob, p.oe});
      }
    }
    flush();
    // Passages of the center: words covered by fresh parts, split where the sets of documents
    // aligned to neighbouring words are less than half alike. Only the documents of parts whose
    // other text is alike the center words they align count.
    std::vector<P> counted;
    for (const P& p : fresh) {
      if (p.ob >= p.oe) continue;
      const std::uint32_t other = links[p.link].other;
      if (p.oe - p.ob < 3) {
        counted.push_back(p);
        continue;
      }
      const std::set<Gram> mine = grams(d, p.b, p.e), theirs = grams(other, p.ob, p.oe);
      std::size_t found = 0;
      for (const Gram& x : theirs) found += mine.count(x);
      if (double(found) / double(theirs.size()) >= o.min_trigrams) counted.push_back(p);
    }
    auto covered = [&](std::uint32_t x) {
      return std::any_of(fresh.begin(), fresh.end(),
                         [&](const P& p) { return p.b <= x && x < p.e; });
    };
    auto docs_at = [&](std::uint32_t x) {
      std::set<std::uint32_t> s;
      for (const P& p : counted) {
        if (p.b <= x && x < p.e) s.insert(links[p.link].other);
      }
      return s;
    };
    // A stretch where no document counts goes with the passage before it; what follows is
    // compared with the last documents that counted.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> regions;
    std::set<std::uint32_t> counted_before;
    const std::uint32_t len = static_cast<std::uint32_t>(corpus.docs[d].size());
    for (std::uint32_t x = 0; x < len; ++x) {
      if (!covered(x)) continue;
      const std::set<std::uint32_t> here = docs_at(x);
      bool joined = false;
      if (x > 0 && !regions.empty() && regions.back().second == x) {
        std::size_t common = 0;
        for (const auto doc : here) common += counted_before.count(doc);
        joined = here.empty() || counted_before.empty() ||
                 2 * common >= counted_before.size() + here.size() - common;
      }
      if (joined) {
        regions.back().second = x + 1;
        if (!here.empty()) counted_before = here;
      } else {
        regions.push_back({x, x + 1});
        counted_before = here;
      }
    }
    const std::uint32_t made_here = clusters;
    for (const auto& [rb, re] : regions) {
      const std::uint32_t k = clusters;
      claim(d, rb, re, k);
      if (owner_of(d, rb, re) != k) continue;
      ++clusters;
      center_grams.push_back(grams(d, rb, re));
      // Each fresh part's words within the region [b, e), with the other document's words
      // [ob, oe) they align to.
      auto for_each_part = [&](auto fn) {
        for (const P& p : fresh) {
          const std::uint32_t b = std::max(p.b, rb), e = std::min(p.e, re);
          if (b >= e) continue;
          const L& link = links[p.link];
          fn(link.other, b, e, scale(d, link.other, b, link.b, link.e, link.ob, link.oe),
             scale(d, link.other, e, link.b, link.e, link.ob, link.oe));
        }
      };
      for_each_part([&](std::uint32_t other, std::uint32_t, std::uint32_t, std::uint32_t ob,
                        std::uint32_t oe) {
        if (ob < oe && alike(k, other, ob, oe)) reqs.push_back({k, other, ob, oe});
      });
      flush();
      // k holds no other document's words: the region's parts aligned to text of a cluster made
      // from an earlier region of d join it instead.
      bool elsewhere = false;
      for (std::uint32_t doc = 0; doc < n; ++doc) {
        if (doc == d) continue;
        elsewhere |= std::find(owner[doc].begin(), owner[doc].end(), k) != owner[doc].end();
      }
      if (k == made_here || elsewhere) continue;
      for_each_part([&](std::uint32_t other, std::uint32_t b, std::uint32_t e, std::uint32_t ob,
                        std::uint32_t oe) {
        const std::uint32_t j = ob < oe ? owner_of(other, ob, oe) : kFree;
        if (j != kFree && j >= made_here && j < k && alike(j, d, b, e))
          reqs.push_back({j, d, b, e});
      });
      if (reqs.empty()) continue;
      for (auto& w : owner[d]) {
        if (w == k) w = kFree;
      }
      flush();
    }
    first = last;
  }
  // Occurrences: runs of one owner; clusters over two documents or more.
  std::vector<std::set<std::uint32_t>> docs_of(clusters);
  std::vector<std::vector<WordRange>> occ(clusters);
  for (std::uint32_t d = 0; d < n; ++d) {
    const auto& w = owner[d];
    for (std::uint32_t x = 0; x < w.size();) {
      std::uint32_t y = x + 1;
      while (y < w.size() && w[y] == w[x]) ++y;
      if (w[x] != kFree) {
        occ[w[x]].push_back({d, x, y});
        docs_of[w[x]].insert(d);
      }
      x = y;
    }
  }
  std::vector<std::uint32_t> kept;
  for (std::uint32_t k = 0; k < clusters; ++k) {
    if (docs_of[k].size() >= 2) kept.push_back(k);
  }
  std::sort(kept.begin(), kept.end(), [&](std::uint32_t x, std::uint32_t y) {
    return std::tie(occ[x][0].doc, occ[x][0].begin) < std::tie(occ[y][0].doc, occ[y][0].begin);
  });
  PassageGroups out;
  out.cluster_begin.push_back(0);
  std::vector<std::uint32_t> number(clusters, kNoGroup);
  for (std::uint32_t c = 0; c < kept.size(); ++c) {
    number[kept[c]] = c;
    std::uint32_t center = kNoGroup;
    for (const WordRange& r : occ[kept[c]]) {
      if (center == kNoGroup || rank[r.doc] < rank[out.occurrences[center].doc]) {
        center = static_cast<std::uint32_t>(out.occurrences.size());
      }
      out.occurrences.push_back(r);
    }
    out.center.push_back(center);
    out.cluster_begin.push_back(static_cast<std::uint32_t>(out.occurrences.size()));
  }
  for (const AlignedPair& p : pairs) {
    std::vector<std::uint32_t> wa(kept.size(), 0), wb(kept.size(), 0);
    for (std::uint32_t k = p.first_piece; k < p.first_piece + p.pieces; ++k) {
      for (std::uint32_t x = pieces[k].a_begin; x < pieces[k].a_end; ++x) {
        if (owner[p.a][x] != kFree && number[owner[p.a][x]] != kNoGroup)
          ++wa[number[owner[p.a][x]]];
      }
      for (std::uint32_t x = pieces[k].b_begin; x < pieces[k].b_end; ++x) {
        if (owner[p.b][x] != kFree && number[owner[p.b][x]] != kNoGroup)
          ++wb[number[owner[p.b][x]]];
      }
    }
    std::uint32_t best = kNoGroup, best_words = 0;
    for (std::uint32_t c = 0; c < kept.size(); ++c) {
      if (wa[c] > 0 && wb[c] > 0 && wa[c] + wb[c] > best_words) {
        best = c;
        best_words = wa[c] + wb[c];
      }
    }
    out.pair_cluster.push_back(best);
  }
  return out;
}

bool same(const WordRange& x, const WordRange& y) {
  return x.doc == y.doc && x.begin == y.begin && x.end == y.end;
}

void expect_same_groups(const PassageGroups& got, const PassageGroups& want, int trial) {
  ASSERT_EQ(got.cluster_begin, want.cluster_begin) << "trial " << trial;
  ASSERT_EQ(got.center, want.center) << "trial " << trial;
  ASSERT_EQ(got.pair_cluster, want.pair_cluster) << "trial " << trial;
  ASSERT_EQ(got.occurrences.size(), want.occurrences.size());
  for (std::size_t k = 0; k < got.occurrences.size(); ++k) {
    ASSERT_TRUE(same(got.occurrences[k], want.occurrences[k])) << "trial " << trial << " at " << k;
  }
}

// A random piece of `len` words somewhere in a document of `size` words.
Piece random_piece(std::mt19937_64& rng, std::uint32_t size_a, std::uint32_t size_b) {
  Piece q;
  const std::uint32_t la =
      1 + static_cast<std::uint32_t>(rng() % std::min<std::uint32_t>(40, size_a));
  const std::uint32_t lb = std::max<std::uint32_t>(
      1, std::min<std::uint32_t>(size_b, la + static_cast<std::uint32_t>(rng() % 7) - 3));
  q.a_begin = static_cast<std::uint32_t>(rng() % (size_a - la + 1));
  q.a_end = q.a_begin + la;
  q.b_begin = static_cast<std::uint32_t>(rng() % (size_b - lb + 1));
  q.b_end = q.b_begin + lb;
  q.matches = std::min(la, lb);
  return q;
}

TEST(GroupPassages, MatchesReferenceOnRandomPairs) {
  std::mt19937_64 rng(0xc1u);
  for (int t = 0; t < 1500; ++t) {
    Corpus corpus;
    const std::uint32_t docs = 2 + static_cast<std::uint32_t>(rng() % 7);
    const std::uint32_t vocabulary = 2 + static_cast<std::uint32_t>(rng() % 6);
    corpus.docs.resize(docs);
    for (auto& d : corpus.docs) {
      d.resize(5 + rng() % 120);
      for (auto& w : d) w = static_cast<std::uint32_t>(rng() % vocabulary);
    }
    corpus.index();
    std::vector<std::uint32_t> rank(docs);
    for (std::uint32_t d = 0; d < docs; ++d) rank[d] = d;
    std::shuffle(rank.begin(), rank.end(), rng);
    std::vector<AlignedPair> pairs(rng() % 12);
    std::vector<Piece> pieces;
    for (AlignedPair& p : pairs) {
      p.a = static_cast<std::uint32_t>(rng() % docs);
      p.b = static_cast<std::uint32_t>((p.a + 1 + rng() % (docs - 1)) % docs);
      if (p.a > p.b) std::swap(p.a, p.b);
      p.first_piece = static_cast<std::uint32_t>(pieces.size());
      p.pieces = 1 + static_cast<std::uint32_t>(rng() % 3);
      for (std::uint32_t k = 0; k < p.pieces; ++k) {
        pieces.push_back(random_piece(rng, static_cast<std::uint32_t>(corpus.docs[p.a].size()),
                                      static_cast<std::uint32_t>(corpus.docs[p.b].size())));
      }
      p.a_begin = p.a_end = p.b_begin = p.b_end = 0;  // group_passages reads only the pieces
    }
    GroupOptions o;
    o.min_words = 1 + static_cast<std::uint32_t>(rng() % 10);
    const double thresholds[] = {0.0, 0.3, 0.5, 0.8};
    o.min_trigrams = thresholds[rng() % 4];
    const PassageGroups got = group_passages(pairs, pieces, corpus.table, rank, o);
    const PassageGroups want = reference_groups(pairs, pieces, corpus, rank, o);
    expect_same_groups(got, want, t);
    // What the header promises whatever the reference says.
    for (std::size_t c = 0; c + 1 < got.cluster_begin.size(); ++c) {
      std::set<std::uint32_t> in;
      for (std::uint32_t k = got.cluster_begin[c]; k < got.cluster_begin[c + 1]; ++k) {
        in.insert(got.occurrences[k].doc);
        EXPECT_LE(rank[got.occurrences[got.center[c]].doc], rank[got.occurrences[k].doc]);
      }
      EXPECT_GE(in.size(), 2u) << "trial " << t;
    }
    std::vector<WordRange> all = got.occurrences;
    std::sort(all.begin(), all.end(), [](const WordRange& x, const WordRange& y) {
      return std::tie(x.doc, x.begin) < std::tie(y.doc, y.begin);
    });
    for (std::size_t k = 1; k < all.size(); ++k) {
      if (all[k].doc == all[k - 1].doc) {
        EXPECT_LE(all[k - 1].end, all[k].begin) << "trial " << t;
      }
    }
  }
}

// Words 1000 + i for i in [0, n): text no other call makes.
std::vector<std::uint32_t> text(std::uint32_t first, std::uint32_t n) {
  std::vector<std::uint32_t> w(n);
  for (std::uint32_t i = 0; i < n; ++i) w[i] = first + i;
  return w;
}
std::vector<std::uint32_t> cat(std::initializer_list<std::vector<std::uint32_t>> parts) {
  std::vector<std::uint32_t> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

struct Case {
  Corpus corpus;
  std::vector<AlignedPair> pairs;
  std::vector<Piece> pieces;
  // A pair aligning words [ab, ab + n) of a with [bb, bb + n) of b, in one piece.
  void align(std::uint32_t a, std::uint32_t ab, std::uint32_t b, std::uint32_t bb,
             std::uint32_t n) {
    pairs.push_back(
        AlignedPair{a, b, ab, ab + n, bb, bb + n, n, static_cast<std::uint32_t>(pieces.size()), 1});
    pieces.push_back(Piece{ab, ab + n, bb, bb + n, n, n - 2});
  }
  PassageGroups group() {
    corpus.index();
    std::vector<std::uint32_t> rank(corpus.docs.size());
    for (std::uint32_t d = 0; d < rank.size(); ++d) rank[d] = d;
    return group_passages(pairs, pieces, corpus.table, rank, GroupOptions{});
  }
};

std::vector<std::vector<std::uint32_t>> clusters_as_docs(const PassageGroups& g) {
  std::vector<std::vector<std::uint32_t>> out;
  for (std::size_t c = 0; c + 1 < g.cluster_begin.size(); ++c) {
    out.emplace_back();
    for (std::uint32_t k = g.cluster_begin[c]; k < g.cluster_begin[c + 1]; ++k) {
      out.back().push_back(g.occurrences[k].doc);
    }
  }
  return out;
}

TEST(GroupPassages, AReplyChainIsNotOneCluster) {
  // Post 0; reply 1 quotes 0's text X and adds its own Y; reply 2 quotes 1's Y. Union-find over
  // overlapping stretches made {0, 1, 2} one cluster; X and Y are two passages.
  const auto x = text(1000, 40), y = text(2000, 40), z = text(3000, 20);
  Case c;
  c.corpus.docs = {cat({z, x}), cat({x, y}), cat({y, z})};
  c.align(0, 20, 1, 0, 40);  // X
  c.align(1, 40, 2, 0, 40);  // Y
  const PassageGroups g = c.group();
  EXPECT_EQ(clusters_as_docs(g), (std::vector<std::vector<std::uint32_t>>{{0, 1}, {1, 2}}));
  EXPECT_EQ(g.pair_cluster, (std::vector<std::uint32_t>{0, 1}));
}

// A line of an earnings table: frame words (7 to 10) alternating with fillers, the i-th
// `fillers + i`; two lines with other fillers share their frame only.
std::vector<std::uint32_t> table_line(std::uint32_t n, std::uint32_t fillers) {
  std::vector<std::uint32_t> line;
  for (std::uint32_t i = 0; i < n; ++i) line.push_back(i % 2 == 0 ? 7 + i % 4 : fillers + i);
  return line;
}

TEST(GroupPassages, ATemplateWithOtherFillersJoinsNoCluster) {
  // "Shr N cts vs N cts Net N vs N ...": the frame's words match, the numbers do not, so the
  // alignment has similarity 0.5 and no 3-gram in common.
  const auto a = table_line(30, 100), b = table_line(30, 200);
  Case c;
  c.corpus.docs = {a, b};
  c.align(0, 0, 1, 0, 30);
  const PassageGroups g = c.group();
  EXPECT_TRUE(g.occurrences.empty());
  EXPECT_EQ(g.pair_cluster, (std::vector<std::uint32_t>{kNoGroup}));
}

TEST(GroupPassages, ASignatureBesideAQuotedParagraphIsItsOwnPassage) {
  // Post 0 ends with paragraph P and signature S; 1 quotes P; 2 and 3 carry S.
  const auto p = text(1000, 40), s = text(2000, 20), other = text(3000, 30);
  Case c;
  c.corpus.docs = {cat({other, p, s}), cat({p, other}), cat({s}), cat({other, s})};
  c.align(0, 30, 1, 0, 40);
  c.align(0, 70, 2, 0, 20);
  c.align(0, 70, 3, 30, 20);
  const PassageGroups g = c.group();
  EXPECT_EQ(clusters_as_docs(g), (std::vector<std::vector<std::uint32_t>>{{0, 1}, {0, 2, 3}}));
}

TEST(GroupPassages, ABlockInFiveDocumentsIsOneCluster) {
  // The seeds: a block of 200 words in five articles, one of them with a new sentence inside it
  // (two stretches), aligned pair by pair.
  const auto block = text(1000, 200);
  const std::vector<std::uint32_t> head(block.begin(), block.begin() + 155),
      tail(block.begin() + 155, block.end());
  Case c;
  c.corpus.docs = {cat({text(5000, 30), block}), cat({block, text(6000, 10)}), block,
                   cat({head, text(7000, 25), tail}), cat({text(8000, 5), block})};
  const std::uint32_t at[] = {30, 0, 0, 0, 5};
  for (std::uint32_t x = 0; x < 5; ++x) {
    for (std::uint32_t y = x + 1; y < 5; ++y) {
      if (y == 3) {
        c.align(x, at[x], y, 0, 155);
        c.align(x, at[x] + 155, y, 180, 45);
      } else if (x == 3) {
        c.align(x, 0, y, at[y], 155);
        c.align(x, 180, y, at[y] + 155, 45);
      } else {
        c.align(x, at[x], y, at[y], 200);
      }
    }
  }
  const PassageGroups g = c.group();
  ASSERT_EQ(g.cluster_begin.size(), 2u);
  EXPECT_EQ(clusters_as_docs(g)[0], (std::vector<std::uint32_t>{0, 1, 2, 3, 3, 4}));
  EXPECT_EQ(g.occurrences[g.center[0]].doc, 0u);
  for (const std::uint32_t k : g.pair_cluster) EXPECT_EQ(k, 0u);
}

TEST(GroupPassages, APassageTwiceInItsFirstDocumentIsOneClusterOfThreeOccurrences) {
  // Document 0 holds passage P twice, with other text around and between; document 1 holds it
  // once. The second copy made a cluster of its own, found 1's text taken by the first copy's
  // and was dropped: the copy belonged to no cluster. With the documents in the other order, all
  // three occurrences were one cluster already.
  const auto p = text(1000, 35);
  const auto twice = cat({text(2000, 17), p, text(3000, 17), p, text(4000, 17)});
  const auto once = cat({text(5000, 17), p});
  for (const bool twice_first : {true, false}) {
    Case c;
    c.corpus.docs = twice_first ? std::vector{twice, once} : std::vector{once, twice};
    c.align(0, 17, 1, 17, 35);  // the first copy
    if (twice_first) {
      c.align(0, 69, 1, 17, 35);
    } else {
      c.align(0, 17, 1, 69, 35);
    }
    const PassageGroups g = c.group();
    const std::vector<std::uint32_t> members =
        twice_first ? std::vector<std::uint32_t>{0, 0, 1} : std::vector<std::uint32_t>{0, 1, 1};
    EXPECT_EQ(clusters_as_docs(g), (std::vector<std::vector<std::uint32_t>>{members}))
        << "twice first: " << twice_first;
    EXPECT_EQ(g.pair_cluster, (std::vector<std::uint32_t>{0, 0}));
  }
}

TEST(GroupPassages, ATemplateLineInsideASharedPassageDoesNotCutIt) {
  // Documents 0 and 1 are the same 135 words, with an earnings-table line at words 48-66;
  // documents 2 and 3 hold another table line, whose frame words align with 0's and 1's but whose
  // numbers differ: those pairs join no cluster. They still cut the passage of 0 and 1 where the
  // documents aligned to it changed: three clusters instead of one.
  const auto line = table_line(18, 100), other_line = table_line(18, 200);
  const auto passage = cat({text(1000, 48), line, text(2000, 69)});
  const auto table = cat({text(3000, 20), other_line, text(4000, 25)});
  Case c;
  c.corpus.docs = {passage, passage, table, table};
  c.align(0, 0, 1, 0, 135);
  c.align(0, 48, 2, 20, 18);
  c.align(0, 48, 3, 20, 18);
  c.align(1, 48, 2, 20, 18);
  c.align(1, 48, 3, 20, 18);
  c.align(2, 0, 3, 0, 63);
  const PassageGroups g = c.group();
  EXPECT_EQ(clusters_as_docs(g), (std::vector<std::vector<std::uint32_t>>{{0, 1}, {2, 3}}));
  ASSERT_EQ(g.occurrences.size(), 4u);
  EXPECT_EQ(g.occurrences[0].begin, 0u);
  EXPECT_EQ(g.occurrences[0].end, 135u);
  EXPECT_EQ(g.pair_cluster,
            (std::vector<std::uint32_t>{0, kNoGroup, kNoGroup, kNoGroup, kNoGroup, 1}));
}

}  // namespace
}  // namespace doppel
