#include "passages/pair_passages.h"

#include "util/threads.h"

namespace doppel {

std::uint64_t passages_of_pair(std::span<const Seed> pair_seeds, std::span<const std::uint32_t> a,
                               std::span<const std::uint32_t> b, const PairPassageOptions& options,
                               PairScratch& scratch, std::vector<AlignedPair>& out,
                               std::vector<Piece>* out_pieces) {
  const std::uint32_t doc_a = pair_seeds.front().a(), doc_b = pair_seeds.front().b();
  chain_seeds(pair_seeds, static_cast<int>(options.max_gap), static_cast<int>(options.band),
              scratch.chain, scratch.anchors, scratch.chains);
  scratch.pieces.clear();
  scratch.matched.clear();
  std::uint64_t aligned = 0;
  const AlignScoring scoring;
  // join_pieces counts the words that overlapping pieces share once, from their pairs: each
  // alignment's pairs are kept when another alignment follows (the next one overwrites them).
  // A pair of documents aligned once, the usual case, copies nothing.
  bool pending = false;  // scratch.align.matched holds the last alignment's pairs, not yet kept
  for (const Chain& c : scratch.chains) {
    if (c.count < options.min_chain_seeds) continue;
    ++aligned;
    if (pending) {
      scratch.matched.insert(scratch.matched.end(), scratch.align.matched.begin(),
                             scratch.align.matched.end());
      pending = false;
    }
    const Alignment al =
        align_banded(a, b, std::span(scratch.anchors).subspan(c.first, c.count), options.seed_words,
                     options.band, options.max_gap, scoring, scratch.align);
    if (al.score <= 0) continue;
    split_at_unmatched(scratch.align.matched, options.max_unmatched, scratch.pieces);
    pending = true;
  }
  if (pending && !scratch.matched.empty()) {
    scratch.matched.insert(scratch.matched.end(), scratch.align.matched.begin(),
                           scratch.align.matched.end());
  }
  const std::span<const Anchor> matched =
      scratch.matched.empty() ? std::span<const Anchor>(scratch.align.matched) : scratch.matched;
  join_pieces(scratch.pieces, matched, a, b, options.max_unmatched, scratch.groups);
  for (const PieceGroup& g : scratch.groups) {
    const Piece& p = g.extent;
    if (!passage_qualifies(p, options.min_words, options.min_similarity)) continue;
    const auto first_piece =
        out_pieces != nullptr ? static_cast<std::uint32_t>(out_pieces->size()) : 0;
    out.push_back(AlignedPair{doc_a, doc_b, p.a_begin, p.a_end, p.b_begin, p.b_end, p.matches,
                              first_piece, g.count});
    if (out_pieces != nullptr) {
      out_pieces->insert(out_pieces->end(), scratch.pieces.begin() + g.first,
                         scratch.pieces.begin() + g.first + g.count);
    }
  }
  return aligned;
}

PairPassages pair_passages(std::span<const Seed> seeds, const WordTable& words,
                           const PairPassageOptions& options, std::uint64_t& chains_aligned) {
  // Runs of seeds of one pair, cut into blocks that the threads take in turn (alignment costs
  // vary widely between pairs, and the machine may be shared); each block's results are kept
  // apart and concatenated in block order, so outputs do not depend on the threads.
  std::vector<std::size_t> run_starts;
  for (std::size_t i = 0; i < seeds.size(); ++i) {
    if (i == 0 || seeds[i].pair != seeds[i - 1].pair) run_starts.push_back(i);
  }
  run_starts.push_back(seeds.size());
  const std::size_t runs = run_starts.size() - 1;
  constexpr std::size_t kRunsPerBlock = 64;
  const std::size_t blocks = (runs + kRunsPerBlock - 1) / kRunsPerBlock;
  std::vector<std::vector<AlignedPair>> found(blocks);
  std::vector<std::vector<Piece>> found_pieces(blocks);  // first_piece counts from each block's
  const int threads = std::max(1, options.threads);
  std::vector<std::uint64_t> aligned_per_thread(static_cast<std::size_t>(threads), 0);
  Turns turns(runs, kRunsPerBlock);
  run_on_threads(threads, [&](int t) {
    PairScratch scratch;
    for (std::size_t first = 0, last = 0; turns.next(first, last);) {
      if (options.stop != nullptr && options.stop->load(std::memory_order_relaxed)) break;
      auto& out = found[first / kRunsPerBlock];
      auto& out_pieces = found_pieces[first / kRunsPerBlock];
      for (std::size_t r = first; r < last; ++r) {
        const auto pair_seeds = seeds.subspan(run_starts[r], run_starts[r + 1] - run_starts[r]);
        const std::uint32_t a = pair_seeds.front().a(), b = pair_seeds.front().b();
        aligned_per_thread[static_cast<std::size_t>(t)] += passages_of_pair(
            pair_seeds, words.doc(a), words.doc(b), options, scratch, out, &out_pieces);
      }
    }
  });
  PairPassages out;
  for (std::size_t k = 0; k < blocks; ++k) {
    for (AlignedPair& p : found[k]) p.first_piece += static_cast<std::uint32_t>(out.pieces.size());
    out.passages.insert(out.passages.end(), found[k].begin(), found[k].end());
    out.pieces.insert(out.pieces.end(), found_pieces[k].begin(), found_pieces[k].end());
  }
  for (const auto c : aligned_per_thread) chains_aligned += c;
  return out;
}

}  // namespace doppel
