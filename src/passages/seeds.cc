#include "passages/seeds.h"

#include <algorithm>
#include <cstdlib>

#include "util/hash.h"
#include "util/radix_sort.h"

namespace doppel {

std::vector<Seed> find_seeds(const WordTable& table, std::span<const std::uint32_t> rank,
                             const SeedOptions& options, SeedStats& stats) {
  const auto n = static_cast<std::size_t>(options.ngram);
  // Every n-gram as (hash, global word index), sorted: equal n-grams become runs.
  std::vector<KeyValue> grams, tmp;
  grams.reserve(table.words.size());
  for (std::uint32_t d = 0; d < table.num_docs(); ++d) {
    const auto words = table.doc(d);
    if (words.size() < n) continue;
    for (std::size_t i = 0; i + n <= words.size(); ++i) {
      std::uint64_t h = 0x9e3779b97f4a7c15ULL;
      for (std::size_t k = 0; k < n; ++k) h = (h ^ words[i + k]) * 0x100000001b3ULL;
      grams.emplace_back(mix64(h), static_cast<std::uint32_t>(table.docs[d] + i));
    }
  }
  stats.ngrams = grams.size();
  sort_key_values(grams, tmp);
  std::vector<KeyValue>().swap(tmp);

  // The document of every word, for the postings: a lookup instead of a binary search.
  std::vector<std::uint32_t> word_doc(table.words.size());
  for (std::uint32_t d = 0; d < table.num_docs(); ++d) {
    std::fill(word_doc.begin() + static_cast<long>(table.docs[d]),
              word_doc.begin() + static_cast<long>(table.docs[d + 1]), d);
  }
  struct Posting {
    std::uint32_t doc, pos;
  };
  std::vector<Posting> postings;
  std::vector<Seed> seeds;
  auto link = [&](const Posting& x, const Posting& y) {
    if (x.doc == y.doc) return;
    const Posting& lo = x.doc < y.doc ? x : y;
    const Posting& hi = x.doc < y.doc ? y : x;
    seeds.push_back(Seed{std::uint64_t{lo.doc} << 32 | hi.doc, lo.pos, hi.pos});
  };
  for (std::size_t i = 0; i < grams.size();) {
    std::size_t j = i + 1;
    while (j < grams.size() && grams[j].first == grams[i].first) ++j;
    if (j - i >= 2) {
      // Values ascend, so postings come grouped by document.
      postings.clear();
      std::size_t distinct = 0, in_doc = 0;
      for (std::size_t k = i; k < j; ++k) {
        const std::uint32_t d = word_doc[grams[k].second];
        const bool new_doc = postings.empty() || postings.back().doc != d;
        in_doc = new_doc ? 1 : in_doc + 1;
        distinct += new_doc;
        if (in_doc <= static_cast<std::size_t>(options.max_postings_per_doc)) {
          postings.push_back(
              Posting{d, static_cast<std::uint32_t>(grams[k].second - table.docs[d])});
        }
      }
      if (distinct >= 2) {
        ++stats.shared_ngrams;
        if (distinct <= static_cast<std::size_t>(options.all_pairs_docs)) {
          for (std::size_t x = 0; x < postings.size(); ++x) {
            for (std::size_t y = x + 1; y < postings.size(); ++y) link(postings[x], postings[y]);
          }
        } else {
          ++stats.frequent_ngrams;
          std::size_t hub = 0;
          for (std::size_t x = 1; x < postings.size(); ++x) {
            if (rank[postings[x].doc] < rank[postings[hub].doc]) hub = x;
          }
          for (std::size_t x = 0; x < postings.size(); ++x) link(postings[hub], postings[x]);
        }
      }
    }
    i = j;
  }
  std::sort(seeds.begin(), seeds.end());
  seeds.erase(std::unique(seeds.begin(), seeds.end()), seeds.end());
  return seeds;
}

void chain_seeds(std::span<const Seed> pair_seeds, int max_gap, int band,
                 std::vector<Anchor>& anchors, std::vector<Chain>& chains) {
  struct Open {
    std::vector<Anchor> anchors;
    std::int64_t last_a = 0, last_b = 0;
  };
  std::vector<Open> open;
  anchors.clear();
  chains.clear();
  auto close = [&](Open& c) {
    chains.push_back(Chain{static_cast<std::uint32_t>(anchors.size()),
                           static_cast<std::uint32_t>(c.anchors.size())});
    anchors.insert(anchors.end(), c.anchors.begin(), c.anchors.end());
  };
  for (const Seed& s : pair_seeds) {
    const std::int64_t a = s.a_pos, b = s.b_pos;
    // Chains that can no longer grow are finished.
    for (std::size_t k = 0; k < open.size();) {
      if (a - open[k].last_a > max_gap) {
        close(open[k]);
        open[k] = std::move(open.back());
        open.pop_back();
      } else {
        ++k;
      }
    }
    // The open chain this seed continues: ahead in both documents, on the nearest diagonal.
    std::size_t best = open.size();
    std::int64_t best_drift = band + 1;
    for (std::size_t k = 0; k < open.size(); ++k) {
      const Open& c = open[k];
      if (a <= c.last_a || b <= c.last_b || b - c.last_b > max_gap + band) continue;
      const std::int64_t drift = std::llabs((b - a) - (c.last_b - c.last_a));
      if (drift < best_drift) {
        best_drift = drift;
        best = k;
      }
    }
    if (best == open.size()) open.emplace_back();
    Open& c = open[best];
    c.anchors.push_back(Anchor{s.a_pos, s.b_pos});
    c.last_a = a;
    c.last_b = b;
  }
  // Chains in the order of their first anchor.
  for (Open& c : open) close(c);
  std::vector<std::size_t> order(chains.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
    const Anchor& p = anchors[chains[x].first];
    const Anchor& q = anchors[chains[y].first];
    return p.a != q.a ? p.a < q.a : p.b < q.b;
  });
  std::vector<Chain> sorted;
  sorted.reserve(order.size());
  for (const std::size_t k : order) sorted.push_back(chains[k]);
  chains.swap(sorted);
}

}  // namespace doppel
