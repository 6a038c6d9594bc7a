// The index's look-up pieces against slow, obviously right references: winnowing against every
// window's minimum; the bucket table and the prefix-stable partner rule against band_candidates
// (the batch rule) as documents arrive one at a time; fingerprint holders against a list per
// fingerprint; the id table against a std::map; a pair's seeds from winnowed n-grams against a
// loop over every pair of entries.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "candidates/lsh.h"
#include "index/anchor_seeds.h"
#include "index/tables.h"
#include "index/winnow.h"
#include "passages/seeds.h"
#include "sketch/signature_store.h"

namespace doppel {
namespace {

// Every window's rightmost minimum, as a set of positions.
std::vector<std::uint32_t> brute_force_winnow(const std::vector<std::uint64_t>& keys, int window) {
  if (keys.empty()) return {};  // no window at all
  std::set<std::uint32_t> picked;
  const std::size_t w = std::min<std::size_t>(static_cast<std::size_t>(window), keys.size());
  for (std::size_t start = 0; start + w <= keys.size(); ++start) {
    std::size_t best = start;
    for (std::size_t i = start; i < start + w; ++i) {
      if (keys[i] <= keys[best]) best = i;
    }
    picked.insert(static_cast<std::uint32_t>(best));
  }
  return {picked.begin(), picked.end()};
}

TEST(Winnow, SelectsEveryWindowsRightmostMinimum) {
  std::mt19937_64 rng(0x77696e);
  std::vector<std::uint32_t> positions, scratch;
  for (int round = 0; round < 300; ++round) {
    std::vector<std::uint64_t> keys(rng() % 80);
    // Few distinct values: ties are common.
    for (auto& k : keys) k = rng() % (round % 2 == 0 ? 5 : 1000000);
    const int window = 1 + static_cast<int>(rng() % 14);
    winnow(keys, window, positions, scratch);
    EXPECT_EQ(positions, brute_force_winnow(keys, window)) << "round " << round;
  }
}

// The guarantee the index relies on: two texts sharing a run of min_words words share a selected
// n-gram (window = min_words - n + 1).
TEST(Winnow, ASharedRunOfMinWordsSharesAFingerprint) {
  std::mt19937_64 rng(0x72756e);
  constexpr std::size_t kN = 5, kMinWords = 15;
  constexpr int kWindow = kMinWords - kN + 1;
  std::vector<std::uint32_t> pa, pb, scratch;
  for (int round = 0; round < 500; ++round) {
    std::vector<std::uint32_t> run(kMinWords), a(rng() % 60), b(rng() % 60);
    for (auto& w : run) w = static_cast<std::uint32_t>(rng());
    for (auto& w : a) w = static_cast<std::uint32_t>(rng());
    for (auto& w : b) w = static_cast<std::uint32_t>(rng());
    a.insert(a.begin() + static_cast<long>(rng() % (a.size() + 1)), run.begin(), run.end());
    b.insert(b.begin() + static_cast<long>(rng() % (b.size() + 1)), run.begin(), run.end());
    auto grams = [&](const std::vector<std::uint32_t>& words) {
      std::vector<std::uint64_t> g;
      for (std::size_t i = 0; i + kN <= words.size(); ++i) g.push_back(ngram_key(&words[i], kN));
      return g;
    };
    const auto ga = grams(a), gb = grams(b);
    winnow(ga, kWindow, pa, scratch);
    winnow(gb, kWindow, pb, scratch);
    std::set<std::uint64_t> selected_a;
    for (const auto p : pa) selected_a.insert(ga[p]);
    bool shared = false;
    for (const auto p : pb) shared = shared || selected_a.count(gb[p]) > 0;
    EXPECT_TRUE(shared) << "round " << round;
  }
}

// Documents arriving one at a time, each paired by bucket_partners with the bucket's earlier
// members, give exactly the pairs band_candidates finds for all of them at once.
TEST(BucketTable, PartnersOneAtATimeAreTheBatchPairs) {
  std::mt19937_64 rng(0x627563);
  constexpr std::uint32_t kDocs = 400;
  SignatureStore sigs(2);
  for (std::uint32_t d = 0; d < kDocs; ++d) {
    const auto kind = rng() % 5;  // two big buckets, a small one, and singletons
    std::vector<SigValue> sig = {static_cast<SigValue>(kind), 1};
    if (kind >= 3) sig[1] = static_cast<SigValue>(2 + rng() % 60000);
    sigs.append(sig);
  }
  std::vector<std::uint32_t> docs(kDocs);
  for (std::uint32_t d = 0; d < kDocs; ++d) docs[d] = d;
  // Windows of one, some and all but one of the members that pair with all before them; the
  // documents after the first `split` are in a second table (the index and a batch's overlay).
  for (const BucketRule rule : {BucketRule{8, 1}, BucketRule{8, 3}, BucketRule{8, 7}}) {
    for (const std::uint32_t split : {0u, 5u, 100u, kDocs}) {
      BandScratch scratch;
      std::vector<std::uint64_t> batch;
      band_candidates(sigs, docs, 0, 2, rule, scratch, batch);
      std::sort(batch.begin(), batch.end());
      batch.erase(std::unique(batch.begin(), batch.end()), batch.end());

      BucketTable index(1), overlay(1);
      std::vector<std::uint64_t> incremental;
      std::vector<std::uint32_t> members, partners;
      for (std::uint32_t d = 0; d < kDocs; ++d) {
        const std::uint64_t key = band_key(sigs[d], 0, 2);
        members.clear();
        std::size_t count = index.members(0, key, rule.max_members - 1, members);
        count += overlay.members(0, key, rule.max_members - 1, members);
        ASSERT_TRUE(std::is_sorted(members.begin(), members.end()));
        ASSERT_LE(members.size(), 2 * rule.max_members) << "a big bucket is not copied whole";
        partners.clear();
        bucket_partners(members, count, rule, partners);
        for (const std::uint32_t p : partners) incremental.push_back(std::uint64_t{p} << 32 | d);
        (d < split ? index : overlay).insert(0, key, d);
      }
      std::sort(incremental.begin(), incremental.end());
      incremental.erase(std::unique(incremental.begin(), incremental.end()), incremental.end());
      EXPECT_EQ(incremental, batch) << "window " << rule.window << ", split " << split;
    }
  }
}

// Removals between adds: each new document's partners, read through the capped members, are
// those of the rule applied to the bucket's members at that moment (every window; removals of
// members anywhere, also of the first and of the last ones the cap keeps).
TEST(BucketTable, PartnersAfterRemovalsFollowTheRule) {
  std::mt19937_64 rng(0x657261);
  for (const BucketRule rule : {BucketRule{8, 1}, BucketRule{8, 3}, BucketRule{8, 7}}) {
    BucketTable table(1);
    std::map<std::uint64_t, std::vector<std::uint32_t>> reference;  // key -> members, in order
    std::vector<std::uint32_t> members, partners, expected;
    for (std::uint32_t d = 0; d < 600; ++d) {
      const std::uint64_t key = rng() % 3;  // three big buckets
      auto& present = reference[key];
      if (!present.empty() && rng() % 3 == 0) {  // a removal first, anywhere in the bucket
        const std::size_t at = rng() % present.size();
        table.erase(0, key, present[at], kNoSeq);
        present.erase(present.begin() + static_cast<std::ptrdiff_t>(at));
      }
      members.clear();
      const std::size_t count = table.members(0, key, rule.max_members - 1, members);
      ASSERT_EQ(count, present.size());
      partners.clear();
      bucket_partners(members, count, rule, partners);
      expected.clear();
      if (present.size() < rule.max_members) {
        expected = present;
      } else {
        expected.push_back(present.front());
        expected.insert(expected.end(), present.end() - static_cast<std::ptrdiff_t>(rule.window),
                        present.end());
      }
      ASSERT_EQ(partners, expected) << "window " << rule.window << ", document " << d;
      table.insert(0, key, d);
      present.push_back(d);
    }
  }
}

TEST(BucketTable, EraseAndReplacementKeepSeqOrder) {
  BucketTable table(2);
  for (std::uint32_t d : {3u, 5u, 9u, 12u}) table.insert(1, 42, d);
  table.insert(0, 42, 7);
  std::vector<std::uint32_t> m;
  table.members(1, 42, m);
  EXPECT_EQ(m, (std::vector<std::uint32_t>{3, 5, 9, 12}));
  table.erase(1, 42, 5, kNoSeq);
  table.erase(1, 42, 3, 10);  // 10 takes 3's place, in seq order
  m.clear();
  table.members(1, 42, m);
  EXPECT_EQ(m, (std::vector<std::uint32_t>{9, 10, 12}));
  m.clear();
  table.members(0, 42, m);
  EXPECT_EQ(m, (std::vector<std::uint32_t>{7})) << "bands are apart";
  table.erase(0, 42, 7, kNoSeq);
  m.clear();
  table.members(0, 42, m);
  EXPECT_TRUE(m.empty());
  table.insert(0, 42, 20);
  table.members(0, 42, m);
  EXPECT_EQ(m, (std::vector<std::uint32_t>{20})) << "a removed entry's slot is used again";
}

// Holders of fingerprints against lists: count, the first `keep` holders, the hub (earliest by
// the ranking), through inserts and removals, of the table alone and of two tables together.
TEST(PostingTable, HoldersMatchAReference) {
  std::mt19937_64 rng(0x706f73);
  constexpr std::size_t kKeep = 3;
  std::vector<int> date(600);
  for (auto& d : date) d = static_cast<int>(rng() % 50);
  const EarlierFn earlier = [&](std::uint32_t a, std::uint32_t b) {
    return date[a] != date[b] ? date[a] < date[b] : a < b;
  };
  PostingTable table(kKeep);
  std::map<std::uint32_t, std::vector<std::uint32_t>> ref;  // fingerprint -> holders in seq order
  std::map<std::uint32_t, std::size_t> inserted;
  for (std::uint32_t seq = 0; seq < 600; ++seq) {
    // Fingerprints 0-39 are common, 40-139 rare (at most `keep` holders, most of them).
    const std::uint32_t fp =
        static_cast<std::uint32_t>(seq % 2 == 0 ? rng() % 40 : 40 + rng() % 100);
    table.insert(fp, seq, earlier);
    ref[fp].push_back(seq);
    ++inserted[fp];
  }
  // Removals: a few holders of each fingerprint, among the listed ones too.
  for (auto& [fp, holders] : ref) {
    for (int k = 0; k < 2 && holders.size() > 1; ++k) {
      const std::size_t at = rng() % std::min<std::size_t>(holders.size(), kKeep + 1);
      table.erase(fp, holders[at], earlier);
      holders.erase(holders.begin() + static_cast<long>(at));
    }
  }
  std::uint64_t postings = 0;
  for (const auto& [fp, holders] : ref) {
    postings += holders.size();
    Holders h;
    ASSERT_TRUE(table.lookup(fp, earlier, h));
    EXPECT_EQ(h.count, holders.size());
    // Listed: the first `keep` of those inserted, less the removed ones.
    for (const std::uint32_t d : h.docs) {
      EXPECT_NE(std::find(holders.begin(), holders.end(), d), holders.end());
    }
    EXPECT_TRUE(std::is_sorted(h.docs.begin(), h.docs.end()));
    EXPECT_LE(h.docs.size(), kKeep);
    if (inserted[fp] <= kKeep) {
      // Never more than `keep` holders: all of them are known.
      EXPECT_EQ(h.docs, holders) << "all holders listed while they are few";
      const auto hub = *std::min_element(holders.begin(), holders.end(),
                                         [&](auto a, auto b) { return earlier(a, b); });
      EXPECT_EQ(h.hub, hub);
    }
  }
  EXPECT_EQ(table.postings(), postings);
  Holders none;
  EXPECT_FALSE(table.lookup(1000, earlier, none));
}

TEST(PostingTable, TwoTablesAddUp) {
  const EarlierFn earlier = [](std::uint32_t a, std::uint32_t b) { return a < b; };
  PostingTable index(2), overlay(2);
  index.insert(7, 4, earlier);
  index.insert(7, 9, earlier);
  index.insert(7, 11, earlier);
  overlay.insert(7, 20, earlier);
  Holders h;
  index.lookup(7, earlier, h);
  overlay.lookup(7, earlier, h);
  EXPECT_EQ(h.count, 4u);
  EXPECT_EQ(h.hub, 4u);
  EXPECT_EQ(h.docs, (std::vector<std::uint32_t>{4, 9})) << "at most `keep` listed";
}

TEST(IdTable, FindsWhatAMapFinds) {
  std::mt19937_64 rng(0x696473);
  std::vector<std::string> ids;
  const IdTable::IdOf id_of = [&](std::uint32_t s) -> std::string_view { return ids[s]; };
  IdTable table;
  std::map<std::string, std::uint32_t> ref;
  for (std::uint32_t s = 0; s < 5000; ++s) {
    ids.push_back("doc-" + std::to_string(rng() % 100000) + "-" + std::to_string(s));
    table.insert(ids.back(), s, id_of);
    ref[ids.back()] = s;
    if (rng() % 4 == 0) {  // remove a random earlier one
      const auto victim = ids[rng() % ids.size()];
      table.erase(victim, id_of);
      ref.erase(victim);
    }
  }
  for (std::uint32_t s = 0; s < ids.size(); ++s) {
    const auto it = ref.find(ids[s]);
    EXPECT_EQ(table.find(ids[s], id_of), it == ref.end() ? kNoSeq : it->second) << ids[s];
  }
  EXPECT_EQ(table.find("absent", id_of), kNoSeq);
}

// The seeds of a pair from winnowed n-grams: every pair of places of a fingerprint both hold (the
// first `max_per_doc` in each; past them, the k-th with the k-th), by (a_pos, b_pos); against a
// loop over all pairs of entries.
TEST(AnchorSeeds, EveryPlaceOfEverySharedFingerprint) {
  std::mt19937_64 rng(0x616e63);
  std::vector<Seed> seeds;
  int large = 0;
  for (int round = 0; round < 300; ++round) {
    auto random_list = [&] {
      std::vector<Winnowed> list(rng() % (round % 3 == 2 ? 300 : 40));  // some over 64 seeds
      std::uint32_t pos = 0;
      for (auto& w : list) {
        // Few values (most shared), or any 32-bit value with one in four from a shared few
        // (most not shared, as between an index's documents).
        w.fp = round % 5 == 4
                   ? (rng() % 4 == 0 ? static_cast<std::uint32_t>(rng() % 8) * 0x9e3779b9u
                                     : static_cast<std::uint32_t>(rng()))
                   : static_cast<std::uint32_t>(rng() % (round % 2 == 0 ? 4 : 30));
        w.pos = pos += 1 + static_cast<std::uint32_t>(rng() % 9);
      }
      std::sort(list.begin(), list.end());
      return list;
    };
    const auto a = random_list(), b = random_list();
    const int most = 1 + static_cast<int>(rng() % 4);
    anchor_seeds(a, b, 3, 9, most, seeds);
    std::vector<Seed> expected;
    // The place of entry x among its fingerprint's places in `list`, from 0.
    auto place = [](const std::vector<Winnowed>& list, std::size_t x) {
      std::size_t k = 0;
      for (std::size_t e = 0; e < x; ++e) k += list[e].fp == list[x].fp ? 1 : 0;
      return k;
    };
    const auto first = static_cast<std::size_t>(most);
    for (std::size_t x = 0; x < a.size(); ++x) {
      for (std::size_t y = 0; y < b.size(); ++y) {
        if (b[y].fp != a[x].fp) continue;
        const std::size_t ka = place(a, x), kb = place(b, y);
        // Both among the first `most` places of the fingerprint, or past them at the same place
        // and on the diagonal of the place before (a sorted list holds it just before).
        const bool diagonal =
            ka >= 1 && x >= 1 && y >= 1 &&
            std::int64_t{b[y].pos} - a[x].pos == std::int64_t{b[y - 1].pos} - a[x - 1].pos;
        if ((ka < first && kb < first) || (ka >= first && ka == kb && diagonal)) {
          expected.push_back(Seed{std::uint64_t{3} << 32 | 9, a[x].pos, b[y].pos});
        }
      }
    }
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(seeds, expected) << "round " << round;
    large += expected.size() > 64;
  }
  EXPECT_GT(large, 10) << "both sorts are tested";
}

}  // namespace
}  // namespace doppel
