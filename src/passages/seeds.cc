#include "passages/seeds.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cstdlib>

#include "util/hash.h"
#include "util/radix_sort.h"
#include "util/threads.h"

namespace doppel {
namespace {

// Which keys occur more than once: two bits per slot (seen, seen again), the slot taken from
// `bits` bits of the key starting at `shift`. Collisions only keep an n-gram for the exact
// comparison of keys; they never drop one. Used twice: over the whole corpus, to leave out most
// n-grams that occur once before any n-gram is stored (`corpus_repeats`), and within each
// partition of those kept, small enough there to stay in cache.
class RepeatFilter {
 public:
  void reset(int bits, int shift) {
    shift_ = shift;
    mask_ = (std::uint64_t{1} << bits) - 1;
    bits_.assign(2 * ((mask_ >> 6) + 1), 0);
  }
  void add(std::uint64_t key) {
    const std::uint64_t slot = key >> shift_ & mask_;
    const std::uint64_t bit = std::uint64_t{1} << (slot & 63);
    std::uint64_t* pair = &bits_[2 * (slot >> 6)];  // [seen, seen again]
    pair[1] |= pair[0] & bit;
    pair[0] |= bit;
  }
  // add() for a filter that several threads add to at once.
  void add_atomic(std::uint64_t key) {
    const std::uint64_t slot = key >> shift_ & mask_;
    const std::uint64_t bit = std::uint64_t{1} << (slot & 63);
    std::uint64_t* pair = &bits_[2 * (slot >> 6)];
    if ((std::atomic_ref(pair[0]).fetch_or(bit, std::memory_order_relaxed) & bit) != 0) {
      std::atomic_ref(pair[1]).fetch_or(bit, std::memory_order_relaxed);
    }
  }
  void prefetch(std::uint64_t key) const {
    __builtin_prefetch(&bits_[2 * ((key >> shift_ & mask_) >> 6)]);
  }
  bool repeated(std::uint64_t key) const {
    const std::uint64_t slot = key >> shift_ & mask_;
    return (bits_[2 * (slot >> 6) + 1] >> (slot & 63) & 1) != 0;
  }
  // Adds what `other` (made with the same bits and shift) saw, for words [first, last) of the
  // bits: a key seen once by each filter is seen again.
  void merge(const RepeatFilter& other, std::size_t first, std::size_t last) {
    for (std::size_t i = 2 * first; i < 2 * last; i += 2) {
      bits_[i + 1] |= other.bits_[i + 1] | (bits_[i] & other.bits_[i]);
      bits_[i] |= other.bits_[i];
    }
  }
  std::size_t words() const { return bits_.size() / 2; }

 private:
  int shift_ = 0;
  std::uint64_t mask_ = 0;
  std::vector<std::uint64_t> bits_;
};

// N-grams per partition of the sort: a partition and its scratch stay in the L2 cache.
constexpr std::size_t kPartitionTarget = 8192;

// Thread t's documents [split[t], split[t + 1]): about equal numbers of words.
std::vector<std::uint32_t> split_documents(const WordTable& table, int threads) {
  std::vector<std::uint32_t> split(static_cast<std::size_t>(threads) + 1, table.num_docs());
  split[0] = 0;
  for (int t = 1; t < threads; ++t) {
    const std::uint64_t target =
        table.size() * static_cast<std::uint64_t>(t) / static_cast<std::uint64_t>(threads);
    const auto it = std::lower_bound(table.docs.begin(), table.docs.end(), target);
    split[static_cast<std::size_t>(t)] = static_cast<std::uint32_t>(
        std::min<std::ptrdiff_t>(it - table.docs.begin(), table.num_docs()));
  }
  return split;
}

// From counts[t * partitions + p] (thread t's items in partition p): where thread t writes its
// first item of partition p, in at[t * partitions + p], and the first position of each partition
// (partitions + 1 entries). Within a partition thread 0's items come first, then thread 1's: the
// order a single thread would give, so the result does not depend on the number of threads.
std::vector<std::size_t> partition_offsets(std::span<const std::size_t> counts, std::size_t threads,
                                           std::size_t partitions, std::vector<std::size_t>& at) {
  std::vector<std::size_t> begin(partitions + 1, 0);
  at.assign(threads * partitions, 0);
  for (std::size_t p = 0; p < partitions; ++p) {
    std::size_t pos = begin[p];
    for (std::size_t t = 0; t < threads; ++t) {
      at[t * partitions + p] = pos;
      pos += counts[t * partitions + p];
    }
    begin[p + 1] = pos;
  }
  return begin;
}

// Step 1: every n-gram as (key, document, position), partitioned by the key's top bits, so that
// each partition fits in cache: each thread counts its own, then writes them to its place in
// every partition. Partition p holds thread 0's n-grams, then thread 1's: once each partition is
// sorted, the order is the same for any number of threads.
struct PartitionedGrams {
  HugeVector<Gram> grams;
  std::vector<std::size_t> begin;  // partition p: grams[begin[p], begin[p + 1])
  int partition_bits = 0;
};

// `each(t, fn)` calls fn(Gram) for thread t's n-grams, in order; thread t's come after thread
// t - 1's in the order a single thread would give. `each_again` does the same, for the second
// pass over them (it may use what `each` learnt).
template <typename Each, typename EachAgain>
PartitionedGrams partition_ngrams(std::uint64_t total, int threads, Each each,
                                  EachAgain each_again) {
  const auto T = static_cast<std::size_t>(threads);
  PartitionedGrams out;
  out.partition_bits =
      std::clamp(static_cast<int>(std::bit_width(total / kPartitionTarget)), 8, 16);
  const std::size_t partitions = std::size_t{1} << out.partition_bits;
  const int top = 64 - out.partition_bits;
  std::vector<std::size_t> counts(T * partitions, 0);  // [thread][partition]
  run_on_threads(threads, [&](int t) {
    const auto ti = static_cast<std::size_t>(t);
    std::size_t* c = counts.data() + ti * partitions;
    each(t, [&](const Gram& g) { ++c[g.key >> top]; });
  });
  std::vector<std::size_t> at;
  out.begin = partition_offsets(counts, T, partitions, at);
  out.grams = HugeVector<Gram>(out.begin[partitions]);
  run_on_threads(threads, [&](int t) {
    const auto ti = static_cast<std::size_t>(t);
    std::size_t* pos = at.data() + ti * partitions;
    each_again(t, [&](const Gram& g) { out.grams[pos[g.key >> top]++] = g; });
  });
  return out;
}

// The seeds of one n-gram shared by two or more documents, from its occurrences sorted by (doc,
// pos): every pair of documents when it is in at most all_pairs_docs of them, else each
// occurrence with the one in the lowest-ranked document (the hub), and the hub document's other
// occurrences with the lowest-ranked one elsewhere. A document's occurrences past
// max_postings_per_doc are linked by their order only: the i-th with the i-th of each document
// (all pairs) or of the hub's, where it continues the diagonal of the (i - 1)-th pair. Kept between
// n-grams, so that it allocates nothing once warm. Seeds of a document with itself are left out.
class NgramSeeder {
 public:
  NgramSeeder(const SeedOptions& options, std::span<const std::uint32_t> rank,
              HugeVector<Seed>& seeds, SeedStats& stats)
      : options_(options), rank_(rank), seeds_(seeds), stats_(stats) {}

  void seed(std::span<const Gram> occurrences) {
    postings_.clear();
    tails_.clear();
    tail_.clear();
    std::size_t in_doc = 0;
    for (const Gram& g : occurrences) {
      const bool new_doc = tails_.empty() || tails_.back().doc != g.doc;
      in_doc = new_doc ? 1 : in_doc + 1;
      if (new_doc) tails_.push_back(Tail{g.doc, tail_.size(), 0});
      if (in_doc <= static_cast<std::size_t>(options_.max_postings_per_doc)) {
        postings_.push_back(Posting{g.doc, g.pos});
        tails_.back().before = g.pos;
      } else {
        tail_.push_back(Posting{g.doc, g.pos});
      }
    }
    const std::size_t distinct = tails_.size();
    if (distinct < 2) return;
    tails_.push_back(Tail{0, tail_.size(), 0});  // the end of the last document's tail
    ++stats_.shared_ngrams;
    if (distinct <= static_cast<std::size_t>(options_.all_pairs_docs)) {
      for (std::size_t x = 0; x < postings_.size(); ++x) {
        for (std::size_t y = x + 1; y < postings_.size(); ++y) link(postings_[x], postings_[y]);
      }
      if (!tail_.empty()) {
        for (std::size_t x = 0; x < distinct; ++x) {
          for (std::size_t y = x + 1; y < distinct; ++y) link_tails(x, y);
        }
      }
      return;
    }
    ++stats_.frequent_ngrams;
    std::size_t hub = 0;
    for (std::size_t x = 1; x < postings_.size(); ++x) {
      if (rank_[postings_[x].doc] < rank_[postings_[hub].doc]) hub = x;
    }
    for (std::size_t x = 0; x < postings_.size(); ++x) link(postings_[hub], postings_[x]);
    if (!tail_.empty()) {
      std::size_t hub_tail = 0;
      while (tails_[hub_tail].doc != postings_[hub].doc) ++hub_tail;
      for (std::size_t x = 0; x < distinct; ++x) {
        if (x != hub_tail) link_tails(hub_tail, x);
      }
    }
    // The hub's document may hold the n-gram more than once: its other occurrences are linked to
    // the lowest-ranked occurrence in another document, else a passage the earliest document
    // holds twice would keep only the copy that the hub is in.
    const std::uint32_t hub_doc = postings_[hub].doc;
    std::size_t other = postings_.size();
    bool hub_doc_again = false;
    for (std::size_t x = 0; x < postings_.size(); ++x) {
      if (postings_[x].doc == hub_doc) {
        hub_doc_again |= x != hub;
      } else if (other == postings_.size() ||
                 rank_[postings_[x].doc] < rank_[postings_[other].doc]) {
        other = x;
      }
    }
    if (!hub_doc_again) return;
    for (std::size_t x = 0; x < postings_.size(); ++x) {
      if (x != hub && postings_[x].doc == hub_doc) link(postings_[other], postings_[x]);
    }
  }

 private:
  struct Posting {
    std::uint32_t doc, pos;
  };
  struct Tail {
    std::uint32_t doc;
    std::size_t first;  // the document's occurrences past max_postings_per_doc: tail_[first, ...)
    std::uint32_t before;  // where the occurrence before them is
  };
  // Past max_postings_per_doc, a text that two documents both repeat (a notice pasted 50 times,
  // "la la la ...") would be seeded in its first copies only: the i-th occurrence of the n-gram
  // in one is linked to the i-th in the other, one seed each, where the two lie on the diagonal
  // of the (i - 1)-th pair: the repeats run alike in both (linear, where every pair would be
  // quadratic). Repeats that do not run alike (blocks of a notice in another order in each copy)
  // are left out: seeds scattered over many diagonals made alignments of every copy with every
  // other, and minutes of work on a few megabytes.
  void link_tails(std::size_t x, std::size_t y) {
    const std::size_t nx = tails_[x + 1].first - tails_[x].first;
    const std::size_t ny = tails_[y + 1].first - tails_[y].first;
    auto diagonal = [](std::uint32_t px, std::uint32_t py) {
      return std::int64_t{py} - std::int64_t{px};
    };
    std::int64_t previous = diagonal(tails_[x].before, tails_[y].before);
    for (std::size_t i = 0; i < std::min(nx, ny); ++i) {
      const Posting& px = tail_[tails_[x].first + i];
      const Posting& py = tail_[tails_[y].first + i];
      const std::int64_t d = diagonal(px.pos, py.pos);
      if (d == previous) link(px, py);
      previous = d;
    }
  }
  void link(const Posting& x, const Posting& y) {
    if (x.doc == y.doc) return;
    const Posting& lo = x.doc < y.doc ? x : y;
    const Posting& hi = x.doc < y.doc ? y : x;
    seeds_.push_back(Seed{std::uint64_t{lo.doc} << 32 | hi.doc, lo.pos, hi.pos});
  }

  const SeedOptions& options_;
  std::span<const std::uint32_t> rank_;
  HugeVector<Seed>& seeds_;
  SeedStats& stats_;
  std::vector<Posting> postings_;  // each document's first max_postings_per_doc occurrences
  std::vector<Posting> tail_;      // the others, by document
  std::vector<Tail> tails_;        // per document, and one past the last
};

// Step 2: each partition, taken by the threads in turns of a few (how many seeds a partition
// gives varies, and the machine may be shared): the n-grams that occur once left out (most of
// them: they cannot be seeds), the rest sorted, and its runs of equal keys turned into seeds.
// Which thread finds a seed does not matter: step 3 sorts them all. Returns each thread's seeds.
// `ngrams`: the corpus's n-grams, of which `parts` may hold only those that repeat.
std::vector<HugeVector<Seed>> seed_partitions(PartitionedGrams& parts, std::uint64_t ngrams,
                                              std::span<const std::uint32_t> rank,
                                              const SeedOptions& options, int threads,
                                              SeedStats& stats) {
  const auto T = static_cast<std::size_t>(threads);
  const std::size_t partitions = parts.begin.size() - 1;
  constexpr std::size_t kPartitionsPerTurn = 8;
  Turns turns(partitions, kPartitionsPerTurn);
  std::vector<HugeVector<Seed>> found(T);
  std::vector<SeedStats> part_stats(T);
  run_on_threads(threads, [&](int t) {
    const auto ti = static_cast<std::size_t>(t);
    std::vector<Gram> tmp;
    RepeatFilter filter;
    // Room for one seed per n-gram of the thread's share (more than most corpora give): growing
    // by doubling copies the seeds and touches fresh memory at every step; room reserved and not
    // used is never touched.
    found[ti].reserve(ngrams / T + 1024);
    NgramSeeder seeder(options, rank, found[ti], part_stats[ti]);
    for (std::size_t first = 0, last = 0; turns.next(first, last);) {
      if (options.stop != nullptr && options.stop->load(std::memory_order_relaxed)) break;
      for (std::size_t p = first; p < last; ++p) {
        std::span<Gram> part =
            std::span(parts.grams).subspan(parts.begin[p], parts.begin[p + 1] - parts.begin[p]);
        // 8 to 16 slots per key, from the bits below the partition bits: one key in 8 or fewer
        // that occurs once is kept by a collision.
        const int bits = std::clamp(static_cast<int>(std::bit_width(part.size())) + 3, 6,
                                    64 - parts.partition_bits);
        filter.reset(bits, 64 - parts.partition_bits - bits);
        for (const Gram& g : part) filter.add(g.key);
        std::size_t repeated = 0;
        for (const Gram& g : part) {
          if (filter.repeated(g.key)) part[repeated++] = g;
        }
        part = part.first(repeated);
        sort_by_key(
            part, tmp, [](const Gram& g) { return g.key; }, parts.partition_bits);
        for (std::size_t i = 0; i < part.size();) {
          std::size_t j = i + 1;
          while (j < part.size() && part[j].key == part[i].key) ++j;
          if (j - i >= 2) seeder.seed(part.subspan(i, j - i));
          i = j;
        }
      }
    }
  });
  for (const SeedStats& st : part_stats) {
    stats.shared_ngrams += st.shared_ngrams;
    stats.frequent_ngrams += st.frequent_ngrams;
  }
  return found;
}

// Sorts seeds[first, last), all of whose first documents share their top bits (p), and removes
// repeats; returns the new end. Where a seed less those bits fits in 63 bits (the first
// document's low bits, the second document, both positions: 54 bits for 20 Newsgroups), the
// seeds are sorted as such keys by radix, much faster than std::sort of the seeds.
std::size_t sort_seed_partition(HugeVector<Seed>& seeds, std::size_t first, std::size_t last,
                                std::size_t p, int doc_bits, int low_a_bits, int pos_bits,
                                std::vector<std::uint64_t>& keys, std::vector<std::uint64_t>& tmp) {
  const auto begin = seeds.begin() + static_cast<long>(first);
  const auto end = seeds.begin() + static_cast<long>(last);
  const int key_bits = low_a_bits + doc_bits + 2 * pos_bits;
  if (key_bits > 63) {
    std::sort(begin, end);
    return static_cast<std::size_t>(std::unique(begin, end) - seeds.begin());
  }
  const std::uint64_t low_a = (std::uint64_t{1} << low_a_bits) - 1;
  const std::uint64_t pos_mask = (std::uint64_t{1} << pos_bits) - 1;
  keys.clear();
  for (auto it = begin; it != end; ++it) {
    keys.push_back(((std::uint64_t{it->a()} & low_a) << (doc_bits + 2 * pos_bits)) |
                   (std::uint64_t{it->b()} << (2 * pos_bits)) |
                   (std::uint64_t{it->a_pos} << pos_bits) | it->b_pos);
  }
  sort_keys(keys, tmp, key_bits);
  const std::uint64_t a_high = std::uint64_t{p} << low_a_bits;
  auto out = begin;
  for (std::size_t k = 0; k < keys.size(); ++k) {
    if (k > 0 && keys[k] == keys[k - 1]) continue;
    const std::uint64_t key = keys[k];
    const std::uint64_t a = a_high | key >> (doc_bits + 2 * pos_bits);
    const std::uint64_t b = key >> (2 * pos_bits) & ((std::uint64_t{1} << doc_bits) - 1);
    *out++ = Seed{a << 32 | b, static_cast<std::uint32_t>(key >> pos_bits & pos_mask),
                  static_cast<std::uint32_t>(key & pos_mask)};
  }
  return static_cast<std::size_t>(out - seeds.begin());
}

// Step 3: the seeds by (pair, a_pos, b_pos), without repeats: partitioned by their first
// document, each partition sorted, then closed up.
HugeVector<Seed> sort_seeds(std::vector<HugeVector<Seed>>& found, std::uint32_t num_docs,
                            std::uint64_t longest, std::uint64_t ngrams, int threads) {
  const auto T = static_cast<std::size_t>(threads);
  const int doc_bits = std::bit_width(std::max<std::uint32_t>(num_docs, 1));
  constexpr int kPartitionBits = 8;
  constexpr std::size_t kPartitions = std::size_t{1} << kPartitionBits;
  const int shift = 32 + std::max(0, doc_bits - kPartitionBits);
  std::vector<std::size_t> seed_counts(T * kPartitions, 0);
  run_on_threads(threads, [&](int t) {
    const auto ti = static_cast<std::size_t>(t);
    for (const Seed& s : found[ti]) ++seed_counts[ti * kPartitions + (s.pair >> shift)];
  });
  std::vector<std::size_t> at;
  const std::vector<std::size_t> seed_begin = partition_offsets(seed_counts, T, kPartitions, at);
  // Scattered into a second array rather than permuted in place (American flag sort): the
  // in-place cycles swap seeds at random across the whole array, a cache miss a seed, and took
  // a tenth longer on 20 Newsgroups (1.9M seeds). Two arrays of seeds take no more memory than
  // all the corpus's n-grams would, as long as there are no more seeds than n-grams (Reuters has
  // a fifth as many, 20 Newsgroups two fifths); with more (documents repeated a few times over),
  // one thread permutes in place.
  const std::size_t total = seed_begin[kPartitions];
  HugeVector<Seed> seeds;
  if (T == 1 && total > ngrams) {
    seeds.swap(found[0]);
    for (std::size_t p = 0; p < kPartitions; ++p) {
      while (at[p] < seed_begin[p + 1]) {
        Seed s = seeds[at[p]];
        for (std::size_t q = s.pair >> shift; q != p; q = s.pair >> shift) {
          std::swap(s, seeds[at[q]++]);
        }
        seeds[at[p]++] = s;
      }
    }
  } else {
    seeds.resize(total);
    run_on_threads(threads, [&](int t) {
      const auto ti = static_cast<std::size_t>(t);
      std::size_t* pos = at.data() + ti * kPartitions;
      for (const Seed& s : found[ti]) seeds[pos[s.pair >> shift]++] = s;
      HugeVector<Seed>().swap(found[ti]);
    });
  }
  const int pos_bits = std::bit_width(longest);
  const int low_a_bits = std::max(0, doc_bits - kPartitionBits);
  std::vector<std::size_t> unique_end(kPartitions, 0);
  run_on_threads(threads, [&](int t) {
    std::vector<std::uint64_t> keys, tmp;
    for (auto p = static_cast<std::size_t>(t); p < kPartitions; p += T) {
      unique_end[p] = sort_seed_partition(seeds, seed_begin[p], seed_begin[p + 1], p, doc_bits,
                                          low_a_bits, pos_bits, keys, tmp);
    }
  });
  std::size_t out = 0;
  for (std::size_t p = 0; p < kPartitions; ++p) {
    if (out != seed_begin[p]) {
      std::copy(seeds.begin() + static_cast<long>(seed_begin[p]),
                seeds.begin() + static_cast<long>(unique_end[p]),
                seeds.begin() + static_cast<long>(out));
    }
    out += unique_end[p] - seed_begin[p];
  }
  seeds.resize(out);
  return seeds;
}

// The seeds of the n-grams that `parts` holds, out of `ngrams` n-grams (those that occur once may
// have been left out before).
HugeVector<Seed> seeds_of_parts(PartitionedGrams& parts, std::uint64_t ngrams,
                                std::uint32_t num_docs, std::uint64_t longest,
                                std::span<const std::uint32_t> rank, const SeedOptions& options,
                                int threads, SeedStats& stats) {
  stats.ngrams += ngrams;
  std::vector<HugeVector<Seed>> found =
      seed_partitions(parts, ngrams, rank, options, threads, stats);
  HugeVector<Gram>().swap(parts.grams);
  return sort_seeds(found, num_docs, longest, ngrams, threads);
}

// Calls fn(std::span<const Gram>) for thread t's n-grams in blocks of up to 64, in order: the
// filter's slots of a whole block are fetched from memory at once, rather than one after another.
template <typename Fn>
void for_each_ngram_block(const WordTable& table, std::size_t n, std::uint32_t first,
                          std::uint32_t last, Fn fn) {
  constexpr std::size_t kBlock = 64;
  std::array<Gram, kBlock> block;
  std::size_t k = 0;
  for_each_ngram(table, n, first, last, 0, [&](const Gram& g) {
    block[k++] = g;
    if (k == kBlock) {
      fn(std::span<const Gram>(block.data(), k));
      k = 0;
    }
  });
  if (k > 0) fn(std::span<const Gram>(block.data(), k));
}

// Which n-gram keys of `table` occur more than once (and some that do not, by collisions): on up to
// two threads, each adds its documents' n-grams (thread t's: documents [split[t], split[t + 1]))
// to a filter of its own, and the two are merged; on more, all add to one filter with atomic
// operations, so that the filters' memory does not grow with the threads. The slots are the keys'
// low bits; the partitions of the sort take the top ones, and the filter within a partition those
// just below. Most of a corpus's n-grams occur once (four fifths of Reuters', three fifths of 20
// Newsgroups'): stored before this step, at 16 bytes each, they were the largest array of the job.
RepeatFilter corpus_repeats(const WordTable& table, std::size_t n,
                            std::span<const std::uint32_t> split, int threads) {
  const auto T = static_cast<std::size_t>(threads);
  const bool shared = T > 2;
  // 4 to 8 slots per n-gram, 2 bits each: about one n-gram in six that occurs once is kept by a
  // collision (and left out by the partition's filter).
  const int bits = std::clamp(static_cast<int>(std::bit_width(table.size())) + 2, 6, 40);
  std::vector<RepeatFilter> filters(shared ? 1 : T);
  if (shared) filters[0].reset(bits, 0);
  run_on_threads(threads, [&](int t) {
    const auto ti = static_cast<std::size_t>(t);
    RepeatFilter& filter = filters[shared ? 0 : ti];
    if (!shared) filter.reset(bits, 0);  // zeroed by the thread that fills it, beside the other
    for_each_ngram_block(table, n, split[ti], split[ti + 1], [&](std::span<const Gram> block) {
      for (const Gram& g : block) filter.prefetch(g.key);
      if (shared) {
        for (const Gram& g : block) filter.add_atomic(g.key);
      } else {
        for (const Gram& g : block) filter.add(g.key);
      }
    });
  });
  if (filters.size() == 2) {
    const std::size_t words = filters[0].words();
    run_on_threads(threads, [&](int t) {
      const auto ti = static_cast<std::size_t>(t);
      filters[0].merge(filters[1], words * ti / T, words * (ti + 1) / T);
    });
  }
  return std::move(filters[0]);
}

}  // namespace

HugeVector<Seed> find_seeds(const WordTable& table, std::span<const std::uint32_t> rank,
                            const SeedOptions& options, SeedStats& stats) {
  const int threads = std::max(1, options.threads);
  const auto n = static_cast<std::size_t>(options.ngram);
  const std::vector<std::uint32_t> split = split_documents(table, threads);
  std::uint64_t longest = 0, ngrams = 0;
  for (std::uint32_t d = 0; d < table.num_docs(); ++d) {
    const std::uint64_t words = table.docs[d + 1] - table.docs[d];
    longest = std::max(longest, words);
    ngrams += words >= n ? words - n + 1 : 0;
  }
  const RepeatFilter repeats = corpus_repeats(table, n, split, threads);
  // The n-grams the filter saw again, found in partition_ngrams' first pass (counting), which
  // marks them one bit each, and hashed again in its second (writing): not kept in between, so
  // that the partitions are the only n-grams stored, at most 16 bytes per n-gram of the corpus
  // even where nearly all repeat.
  std::vector<std::vector<std::uint64_t>> marks_of(
      static_cast<std::size_t>(threads));  // per thread
  const auto first_pass = [&](int t, auto fn) {
    const auto ti = static_cast<std::size_t>(t);
    std::vector<std::uint64_t>& marks = marks_of[ti];
    marks.assign((table.docs[split[ti + 1]] - table.docs[split[ti]]) / 64 + 1, 0);
    std::uint64_t i = 0;  // the thread's n-grams so far
    for_each_ngram_block(table, n, split[ti], split[ti + 1], [&](std::span<const Gram> block) {
      for (const Gram& g : block) repeats.prefetch(g.key);
      for (const Gram& g : block) {
        if (repeats.repeated(g.key)) {
          marks[i / 64] |= std::uint64_t{1} << (i % 64);
          fn(g);
        }
        ++i;
      }
    });
  };
  const auto second_pass = [&](int t, auto fn) {
    const auto ti = static_cast<std::size_t>(t);
    const std::vector<std::uint64_t>& marks = marks_of[ti];
    std::uint64_t i = 0;
    for (std::uint32_t d = split[ti]; d < split[ti + 1]; ++d) {
      const auto words = table.doc(d);
      for (std::size_t k = 0; k + n <= words.size(); ++k, ++i) {
        if ((marks[i / 64] >> (i % 64) & 1) != 0) {
          fn(Gram{seed_key(words.data() + k, n), d, static_cast<std::uint32_t>(k)});
        }
      }
    }
  };
  PartitionedGrams parts = partition_ngrams(ngrams, threads, first_pass, second_pass);
  marks_of.clear();
  return seeds_of_parts(parts, ngrams, table.num_docs(), longest, rank, options, threads, stats);
}

HugeVector<Seed> seeds_of_ngrams(std::span<const Gram> grams, std::uint32_t num_docs,
                                 std::uint64_t longest, std::span<const std::uint32_t> rank,
                                 const SeedOptions& options, SeedStats& stats) {
  const int threads = std::max(1, options.threads);
  const auto T = static_cast<std::size_t>(threads);
  const auto each = [&](int t, auto fn) {
    const auto ti = static_cast<std::size_t>(t);
    for (std::size_t i = grams.size() * ti / T; i < grams.size() * (ti + 1) / T; ++i) fn(grams[i]);
  };
  PartitionedGrams parts = partition_ngrams(grams.size(), threads, each, each);
  return seeds_of_parts(parts, grams.size(), num_docs, longest, rank, options, threads, stats);
}

void chain_seeds(std::span<const Seed> pair_seeds, int max_gap, int band, ChainScratch& scratch,
                 std::vector<Anchor>& anchors, std::vector<Chain>& chains) {
  // Each seed joins a chain by number; the chains are numbered as they open, which is the order of
  // their first anchors (seeds come by a_pos, then b_pos). A counting sort by chain then lays
  // each chain's anchors out contiguously, in seed order, without a vector per chain.
  auto& open = scratch.open;
  auto& chain_of = scratch.chain_of;
  open.clear();
  chain_of.clear();
  chains.clear();
  std::uint32_t opened = 0;
  for (const Seed& s : pair_seeds) {
    const std::int64_t a = s.a_pos, b = s.b_pos;
    // Chains that can no longer grow are finished.
    for (std::size_t k = 0; k < open.size();) {
      if (a - open[k].last_a > max_gap) {
        open[k] = open.back();
        open.pop_back();
      } else {
        ++k;
      }
    }
    // The open chain this seed continues: ahead in both documents, on the nearest diagonal (the
    // first such chain to open, on a tie).
    std::size_t best = open.size();
    std::int64_t best_drift = band + 1;
    std::uint32_t best_chain = 0;
    for (std::size_t k = 0; k < open.size(); ++k) {
      const ChainScratch::Open& c = open[k];
      if (a <= c.last_a || b <= c.last_b || b - c.last_b > max_gap + band) continue;
      const std::int64_t drift = std::llabs((b - a) - (c.last_b - c.last_a));
      if (drift < best_drift ||
          (drift == best_drift && best != open.size() && c.chain < best_chain)) {
        best_drift = drift;
        best = k;
        best_chain = c.chain;
      }
    }
    if (best == open.size()) {
      open.push_back(ChainScratch::Open{opened++, 0, 0});
      chains.push_back(Chain{0, 0});
    }
    ChainScratch::Open& c = open[best];
    c.last_a = a;
    c.last_b = b;
    chain_of.push_back(c.chain);
    ++chains[c.chain].count;
  }
  std::uint32_t at = 0;
  for (Chain& c : chains) {
    c.first = at;
    at += c.count;
  }
  anchors.resize(pair_seeds.size());
  auto& next = scratch.next;
  next.resize(chains.size());
  for (std::size_t k = 0; k < chains.size(); ++k) next[k] = chains[k].first;
  for (std::size_t i = 0; i < pair_seeds.size(); ++i) {
    anchors[next[chain_of[i]]++] = Anchor{pair_seeds[i].a_pos, pair_seeds[i].b_pos};
  }
}

}  // namespace doppel
