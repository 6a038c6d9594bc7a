// find_seeds against a brute force over the n-grams themselves (not their hashes), and
// chain_seeds against a slow transcription of its header: a list of open chains, each a vector.
#include "passages/seeds.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <vector>

namespace doppel {
namespace {

std::uint64_t pick(std::mt19937_64& rng, std::uint64_t n) { return rng() % n; }  // in [0, n)

// Documents of random words from a small alphabet, so that n-grams repeat within and across
// documents; some documents empty or shorter than an n-gram.
std::vector<std::vector<std::uint32_t>> random_corpus(std::mt19937_64& rng, std::uint32_t docs,
                                                      std::uint32_t alphabet) {
  std::vector<std::vector<std::uint32_t>> corpus(docs);
  for (auto& d : corpus) {
    d.resize(pick(rng, 60));
    for (auto& w : d) w = static_cast<std::uint32_t>(pick(rng, alphabet)) * 2654435761u;
  }
  return corpus;
}

WordTable table_of(const std::vector<std::vector<std::uint32_t>>& corpus) {
  WordTable t;
  t.docs.push_back(0);
  for (const auto& d : corpus) {
    t.first.push_back(d.data());
    t.docs.push_back(t.docs.back() + d.size());
  }
  return t;
}

// The header of find_seeds, literally: for each distinct n-gram, its occurrences (at most
// max_postings_per_doc per document, the first ones); shared by 2 to all_pairs_docs documents:
// every pair of occurrences in different documents; by more: each occurrence linked to the one
// in the document of lowest rank (its first occurrence there), and that document's other
// occurrences to the first occurrence in the document of next lowest rank. Occurrences past
// max_postings_per_doc: the i-th of one document with the i-th of another (every pair of
// documents, or the lowest-ranked with each other), where they continue the diagonal of the
// (i - 1)-th ones.
std::vector<Seed> brute_force_seeds(const std::vector<std::vector<std::uint32_t>>& corpus,
                                    const std::vector<std::uint32_t>& rank, const SeedOptions& o) {
  const auto n = static_cast<std::size_t>(o.ngram);
  std::map<std::vector<std::uint32_t>, std::vector<std::pair<std::uint32_t, std::uint32_t>>> at;
  // Every occurrence: n-gram -> document -> positions, in order.
  std::map<std::vector<std::uint32_t>, std::map<std::uint32_t, std::vector<std::uint32_t>>> every;
  for (std::uint32_t d = 0; d < corpus.size(); ++d) {
    for (std::size_t i = 0; i + n <= corpus[d].size(); ++i) {
      std::vector<std::uint32_t> gram(corpus[d].begin() + static_cast<long>(i),
                                      corpus[d].begin() + static_cast<long>(i + n));
      auto& postings = at[gram];
      const auto in_doc = std::count_if(postings.begin(), postings.end(),
                                        [&](const auto& p) { return p.first == d; });
      if (in_doc < o.max_postings_per_doc) {
        postings.emplace_back(d, static_cast<std::uint32_t>(i));
      }
      every[gram][d].push_back(static_cast<std::uint32_t>(i));
    }
  }
  std::vector<Seed> seeds;
  auto link = [&](std::pair<std::uint32_t, std::uint32_t> x,
                  std::pair<std::uint32_t, std::uint32_t> y) {
    if (x.first == y.first) return;
    if (x.first > y.first) std::swap(x, y);
    seeds.push_back(Seed{std::uint64_t{x.first} << 32 | y.first, x.second, y.second});
  };
  for (const auto& [gram, postings] : at) {
    std::vector<std::uint32_t> docs;
    for (const auto& p : postings) docs.push_back(p.first);
    std::sort(docs.begin(), docs.end());
    const auto distinct = std::unique(docs.begin(), docs.end()) - docs.begin();
    if (distinct < 2) continue;
    // The i-th occurrence past the cap in one document with the i-th in another, where the two
    // lie on the diagonal of the (i - 1)-th ones.
    auto link_past = [&](std::uint32_t x, std::uint32_t y) {
      const auto& px = every[gram][x];
      const auto& py = every[gram][y];
      for (std::size_t i = static_cast<std::size_t>(o.max_postings_per_doc);
           i < px.size() && i < py.size(); ++i) {
        if (std::int64_t{py[i]} - px[i] == std::int64_t{py[i - 1]} - px[i - 1]) {
          link({x, px[i]}, {y, py[i]});
        }
      }
    };
    const std::vector<std::uint32_t> doc_list(docs.begin(), docs.begin() + distinct);
    if (distinct <= o.all_pairs_docs) {
      for (std::size_t x = 0; x < postings.size(); ++x) {
        for (std::size_t y = x + 1; y < postings.size(); ++y) link(postings[x], postings[y]);
      }
      for (const std::uint32_t x : doc_list) {
        for (const std::uint32_t y : doc_list) {
          if (x < y) link_past(x, y);
        }
      }
    } else {
      std::size_t hub = 0;
      for (std::size_t x = 1; x < postings.size(); ++x) {
        if (rank[postings[x].first] < rank[postings[hub].first]) hub = x;
      }
      for (const auto& p : postings) link(postings[hub], p);
      // The hub document's other occurrences, with the lowest-ranked occurrence elsewhere.
      std::size_t other = postings.size();
      for (std::size_t x = 0; x < postings.size(); ++x) {
        if (postings[x].first == postings[hub].first) continue;
        if (other == postings.size() || rank[postings[x].first] < rank[postings[other].first]) {
          other = x;
        }
      }
      for (std::size_t x = 0; x < postings.size(); ++x) {
        if (x != hub && postings[x].first == postings[hub].first)
          link(postings[other], postings[x]);
      }
      for (const std::uint32_t y : doc_list) {
        if (y != postings[hub].first) link_past(postings[hub].first, y);
      }
    }
  }
  std::sort(seeds.begin(), seeds.end());
  seeds.erase(std::unique(seeds.begin(), seeds.end()), seeds.end());
  return seeds;
}

TEST(Seeds, MatchBruteForceOverTheNgrams) {
  std::mt19937_64 rng(0x5eed5);
  for (int t = 0; t < 150; ++t) {
    const auto docs = static_cast<std::uint32_t>(1 + pick(rng, 40));
    const auto corpus = random_corpus(rng, docs, 2 + static_cast<std::uint32_t>(pick(rng, 6)));
    std::vector<std::uint32_t> rank(docs);
    for (std::uint32_t d = 0; d < docs; ++d) rank[d] = d;
    std::shuffle(rank.begin(), rank.end(), rng);
    SeedOptions o;
    o.ngram = 1 + static_cast<int>(pick(rng, 5));
    o.all_pairs_docs = 2 + static_cast<int>(pick(rng, 8));
    o.max_postings_per_doc = 1 + static_cast<int>(pick(rng, 8));
    const std::vector<Seed> expected = brute_force_seeds(corpus, rank, o);
    const WordTable table = table_of(corpus);
    for (const int threads : {1, 2, 3}) {
      o.threads = threads;
      SeedStats stats;
      const HugeVector<Seed> got = find_seeds(table, rank, o, stats);
      ASSERT_EQ(std::vector<Seed>(got.begin(), got.end()), expected)
          << "trial " << t << ", " << threads << " threads, ngram " << o.ngram;
    }
  }
}

// A distributed run's rule: the n-grams split by key among `parts` owners, in shuffled order,
// each owner's seeds from its n-grams alone (seeds_of_ngrams); their union, merged, must be the
// seeds of the whole corpus, each found by one owner only.
TEST(Seeds, NgramsSplitByKeyGiveTheSameSeedsOnce) {
  std::mt19937_64 rng(0xd157);
  for (int t = 0; t < 100; ++t) {
    const auto docs = static_cast<std::uint32_t>(1 + pick(rng, 40));
    const auto corpus = random_corpus(rng, docs, 2 + static_cast<std::uint32_t>(pick(rng, 6)));
    std::vector<std::uint32_t> rank(docs);
    for (std::uint32_t d = 0; d < docs; ++d) rank[d] = d;
    std::shuffle(rank.begin(), rank.end(), rng);
    SeedOptions o;
    o.ngram = 1 + static_cast<int>(pick(rng, 5));
    o.all_pairs_docs = 2 + static_cast<int>(pick(rng, 8));
    o.max_postings_per_doc = 1 + static_cast<int>(pick(rng, 8));
    o.threads = 1 + static_cast<int>(pick(rng, 3));
    const std::vector<Seed> expected = brute_force_seeds(corpus, rank, o);
    const WordTable table = table_of(corpus);
    std::uint64_t longest = 0;
    for (const auto& d : corpus) longest = std::max<std::uint64_t>(longest, d.size());
    for (const std::uint64_t parts : {1, 2, 3, 5}) {
      std::vector<std::vector<Gram>> owned(parts);
      for_each_ngram(table, static_cast<std::size_t>(o.ngram), 0, table.num_docs(), 0,
                     [&](const Gram& g) { owned[g.key % parts].push_back(g); });
      std::vector<Seed> got;
      for (auto& grams : owned) {
        std::shuffle(grams.begin(), grams.end(), rng);
        SeedStats stats;
        const HugeVector<Seed> mine = seeds_of_ngrams(grams, docs, longest, rank, o, stats);
        got.insert(got.end(), mine.begin(), mine.end());
      }
      std::sort(got.begin(), got.end());  // no repeats removed: each seed must come once
      ASSERT_EQ(got, expected) << "trial " << t << ", " << parts << " parts, ngram " << o.ngram;
    }
  }
}

// chain_seeds' header, transcribed slowly: each open chain a vector of its anchors.
std::vector<std::vector<Anchor>> reference_chains(const std::vector<Seed>& seeds, int max_gap,
                                                  int band) {
  std::vector<std::vector<Anchor>> chains;  // in the order they open
  std::vector<std::size_t> open;            // indices into chains
  for (const Seed& s : seeds) {
    const std::int64_t a = s.a_pos, b = s.b_pos;
    std::erase_if(open, [&](std::size_t c) { return a - chains[c].back().a > max_gap; });
    std::size_t best = chains.size();
    std::int64_t best_drift = 0;
    for (const std::size_t c : open) {
      const std::int64_t la = chains[c].back().a, lb = chains[c].back().b;
      if (a <= la || b <= lb || b - lb > max_gap + band) continue;
      const std::int64_t drift = std::llabs((b - a) - (lb - la));
      if (drift > band) continue;
      if (best == chains.size() || drift < best_drift || (drift == best_drift && c < best)) {
        best = c;
        best_drift = drift;
      }
    }
    if (best == chains.size()) {
      open.push_back(chains.size());
      chains.emplace_back();
    }
    chains[best].push_back(Anchor{s.a_pos, s.b_pos});
  }
  return chains;
}

// Different n-grams get different keys: every n-gram over a small alphabet (words repeated,
// reordered, the same pair at two places), for each length 1 to 9; and the key reads only its
// n words.
TEST(Seeds, SeedKeysTellEveryNgramOfASmallAlphabetApart) {
  for (std::size_t n = 1; n <= 9; ++n) {
    const std::uint32_t alphabet = n <= 5 ? 7 : 3;
    std::size_t count = 1;
    for (std::size_t k = 0; k < n; ++k) count *= alphabet;
    std::vector<std::uint64_t> keys;
    std::vector<std::uint32_t> words(n + 1);
    for (std::size_t code = 0; code < count; ++code) {
      std::size_t c = code;
      for (std::size_t k = 0; k < n; ++k, c /= alphabet) {
        words[k] = static_cast<std::uint32_t>(c % alphabet) * 2654435761u;
      }
      words[n] = static_cast<std::uint32_t>(code);  // past the n-gram: must not matter
      keys.push_back(seed_key(words.data(), n));
      words[n] = ~words[n];
      ASSERT_EQ(keys.back(), seed_key(words.data(), n)) << "n = " << n;
    }
    std::sort(keys.begin(), keys.end());
    EXPECT_EQ(std::adjacent_find(keys.begin(), keys.end()), keys.end()) << "n = " << n;
  }
}

TEST(Seeds, ChainsMatchTheSlowReference) {
  std::mt19937_64 rng(0xc4a15);
  ChainScratch scratch;  // reused across calls, as the reuse job does
  std::vector<Anchor> anchors;
  std::vector<Chain> chains;
  for (int t = 0; t < 2000; ++t) {
    // Seeds of one pair by (a_pos, b_pos), without repeats: a few diagonals with noise, so that
    // chains compete for seeds, close, and tie.
    std::vector<Seed> seeds;
    const int diagonals = 1 + static_cast<int>(pick(rng, 4));
    for (std::size_t k = pick(rng, 80); k > 0; --k) {
      const auto a = static_cast<std::uint32_t>(pick(rng, 200));
      const auto d =
          static_cast<std::int64_t>(pick(rng, static_cast<std::uint64_t>(diagonals))) * 20 +
          static_cast<std::int64_t>(pick(rng, 5));
      seeds.push_back(Seed{1, a, static_cast<std::uint32_t>(std::max<std::int64_t>(0, a + d))});
    }
    std::sort(seeds.begin(), seeds.end());
    seeds.erase(std::unique(seeds.begin(), seeds.end()), seeds.end());
    const int max_gap = 1 + static_cast<int>(pick(rng, 30));
    const int band = static_cast<int>(pick(rng, 10));
    const auto expected = reference_chains(seeds, max_gap, band);
    chain_seeds(seeds, max_gap, band, scratch, anchors, chains);
    ASSERT_EQ(chains.size(), expected.size()) << "trial " << t;
    for (std::size_t c = 0; c < chains.size(); ++c) {
      const std::vector<Anchor> got(anchors.begin() + chains[c].first,
                                    anchors.begin() + chains[c].first + chains[c].count);
      ASSERT_EQ(got.size(), expected[c].size()) << "trial " << t << ", chain " << c;
      for (std::size_t k = 0; k < got.size(); ++k) {
        ASSERT_EQ(got[k].a, expected[c][k].a) << "trial " << t << ", chain " << c;
        ASSERT_EQ(got[k].b, expected[c][k].b) << "trial " << t << ", chain " << c;
      }
    }
  }
}

}  // namespace
}  // namespace doppel
