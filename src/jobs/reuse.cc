// The reuse job: puts the stages in order. Reading and normalizing run on every thread (the shared
// read stage); seeds are found by one sort of every word n-gram; alignment runs on every thread
// over disjoint document pairs; grouping into clusters runs on the merged pairs.
#include "doppel/reuse.h"

#include <fmt/format.h>

#include <algorithm>

#include "corpus/corpus_source.h"
#include "corpus/read_stage.h"
#include "jobs/job_common.h"
#include "passages/document_words.h"
#include "passages/pair_passages.h"
#include "passages/passage_clusters.h"
#include "passages/seeds.h"
#include "passages/sources.h"

namespace doppel {

Status validate_options(const ReuseOptions& o) {
  DOPPEL_RETURN_IF_ERROR(validate_passage_sizes(o.seed_words, o.min_words, o.min_similarity));
  if (!(o.cluster_trigrams >= 0.0 && o.cluster_trigrams <= 1.0)) {
    return Status::InvalidArgument("`cluster_trigrams` must be in [0, 1]");
  }
  if (o.band < 0 || o.band > 1000) return Status::InvalidArgument("`band` must be in [0, 1000]");
  if (o.max_unmatched < 0 || o.max_unmatched > 10000) {
    return Status::InvalidArgument("`max_unmatched` must be in [0, 10000]");
  }
  if (o.max_gap < 1 || o.max_gap > 10000) {
    return Status::InvalidArgument("`max_gap` must be in [1, 10000]");
  }
  if (o.all_pairs_docs < 2) return Status::InvalidArgument("`all_pairs_docs` must be >= 2");
  if (o.min_docs < 2) return Status::InvalidArgument("`min_docs` must be >= 2");
  return validate_read(o.read, o.threads);
}

OccurrenceRole role_of(const ReuseResult& r, const Occurrence& o) {
  const PassageCluster& c = r.clusters[o.cluster];
  if (c.source == kNoOccurrence) return OccurrenceRole::kUnknown;
  if (r.occurrences[c.source].doc == o.doc) return OccurrenceRole::kSource;
  // A document without a date may be older than the source: it is not known to reuse it.
  return r.corpus.date(o.doc).empty() ? OccurrenceRole::kUnknown : OccurrenceRole::kReuse;
}

std::vector<std::uint64_t> reused_chars(const ReuseResult& r) {
  std::vector<std::uint64_t> reused(r.corpus.docs.size(), 0);
  for (const Occurrence& o : r.occurrences) reused[o.doc] += o.span.end - o.span.begin;
  return reused;
}

std::vector<std::uint32_t> occurrences_by_document(const ReuseResult& r) {
  std::vector<std::uint32_t> order(r.occurrences.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::uint32_t x, std::uint32_t y) {
    const Occurrence& a = r.occurrences[x];
    const Occurrence& b = r.occurrences[y];
    return a.doc != b.doc ? a.doc < b.doc : a.span.begin < b.span.begin;
  });
  return order;
}

namespace internal {

SeedOptions seed_options_of(const ReuseOptions& options, int threads) {
  SeedOptions o;
  o.ngram = options.seed_words;
  o.all_pairs_docs = options.all_pairs_docs;
  o.threads = threads;
  o.stop = options.read.stop;
  return o;
}

PairPassageOptions pair_options_of(const ReuseOptions& options, int threads) {
  PairPassageOptions o;
  o.seed_words = static_cast<std::uint32_t>(options.seed_words);
  o.band = static_cast<std::uint32_t>(options.band);
  o.max_gap = static_cast<std::uint32_t>(options.max_gap);
  o.max_unmatched = static_cast<std::uint32_t>(options.max_unmatched);
  o.min_words = static_cast<std::uint32_t>(options.min_words);
  o.min_similarity = options.min_similarity;
  o.threads = threads;
  o.stop = options.read.stop;
  // A passage of exactly --seed-words words is one seed: where that is the shortest reported, a
  // chain of one seed is aligned too (else such a passage, allowed by the options, was never
  // found).
  if (options.min_words <= options.seed_words) o.min_chain_seeds = 1;
  return o;
}

GroupOptions group_options_of(const ReuseOptions& options) {
  GroupOptions o;
  o.min_words = static_cast<std::uint32_t>(options.min_words);
  o.min_trigrams = options.cluster_trigrams;
  return o;
}

void describe_passages(std::span<const AlignedPair> aligned, const PassageGroups& groups,
                       std::span<const DocWords> places, std::span<const std::uint32_t> rank,
                       ReuseResult& result) {
  const Corpus& corpus = result.corpus;
  std::vector<std::uint8_t> dated(corpus.docs.size());
  for (std::uint32_t d = 0; d < corpus.docs.size(); ++d) dated[d] = !corpus.date(d).empty();
  for (std::size_t c = 0; c + 1 < groups.cluster_begin.size(); ++c) {
    const auto members = std::span(groups.occurrences)
                             .subspan(groups.cluster_begin[c],
                                      groups.cluster_begin[c + 1] - groups.cluster_begin[c]);
    PassageCluster cluster;
    cluster.occurrences_begin = static_cast<std::uint32_t>(result.occurrences.size());
    cluster.size = static_cast<std::uint32_t>(members.size());
    std::uint32_t last_doc = kNoDocument;
    for (const WordRange& w : members) {
      result.occurrences.push_back(
          Occurrence{w.doc, static_cast<std::uint32_t>(c), places[w.doc].span(w.begin, w.end)});
      cluster.documents += w.doc != last_doc;
      last_doc = w.doc;
    }
    const std::uint32_t source = choose_source(members, rank, dated);
    if (source != kNoSource) cluster.source = cluster.occurrences_begin + source;
    result.clusters.push_back(cluster);
  }
  result.pairs.reserve(aligned.size());
  for (std::size_t i = 0; i < aligned.size(); ++i) {
    const AlignedPair& p = aligned[i];
    PassagePair out;
    out.a = p.a;
    out.b = p.b;
    out.a_span = places[p.a].span(p.a_begin, p.a_end);
    out.b_span = places[p.b].span(p.b_begin, p.b_end);
    out.matches = p.matches;
    out.similarity = static_cast<float>(2.0 * p.matches / (out.a_span.words + out.b_span.words));
    out.cluster = groups.pair_cluster[i] == kNoGroup ? kNoPassageCluster : groups.pair_cluster[i];
    result.pairs.push_back(out);
  }
  for (const Occurrence& o : result.occurrences) {
    result.stats.reused_bytes += o.span.byte_end - o.span.byte_begin;
  }
  for (const Document& d : corpus.docs) {
    if (d.status == ReadStatus::kOk) result.stats.text_bytes += d.text_bytes;
  }
}

std::uint64_t count_long_word_docs(const DocumentWords& words) {
  const auto chars = words.chars();
  std::uint64_t n = 0;
  for (std::uint32_t d = 0; d < chars.size(); ++d) {
    const std::uint64_t count = words.table().doc(d).size();
    n += count > 0 && chars[d] >= 40 && chars[d] >= 12 * count;
  }
  return n;
}

Status find_passages(const ReuseOptions& options, DocumentWords& words, StageClock& clock,
                     ReuseResult& result) {
  if (words.table().size() >= (std::uint64_t{1} << 32)) {
    return Status::InvalidArgument(
        "reuse handles at most 2^32 words per run; split the corpus (a limit of this version)");
  }
  const int threads = result.stats.threads;
  result.stats.long_word_docs = count_long_word_docs(words);
  result.doc_chars = words.take_chars();

  // --- seeds: shared word n-grams -------------------------------------------------------------
  const std::vector<std::uint32_t> rank = rank_by_date(result.corpus);
  const SeedOptions seed_options = seed_options_of(options, threads);
  SeedStats seed_stats;
  HugeVector<Seed> seeds = find_seeds(words.table(), rank, seed_options, seed_stats);
  result.stats.seeds = seeds.size();
  result.stats.frequent_ngrams = seed_stats.frequent_ngrams;
  result.stats.seconds.seeds = clock.lap();
  DOPPEL_RETURN_IF_ERROR(check_stop(options.read));

  // --- align: the passages of each document pair ----------------------------------------------
  const PairPassageOptions pair_options = pair_options_of(options, threads);
  const PairPassages aligned =
      pair_passages(seeds, words.table(), pair_options, result.stats.chains_aligned);
  HugeVector<Seed>().swap(seeds);
  result.stats.seconds.align = clock.lap();
  DOPPEL_RETURN_IF_ERROR(check_stop(options.read));  // (the alignment stops early, unfinished)

  // --- clusters, sources, offsets -------------------------------------------------------------
  const PassageGroups groups = group_passages(aligned.passages, aligned.pieces, words.table(), rank,
                                              group_options_of(options));
  describe_passages(aligned.passages, groups, words.places(), rank, result);
  result.stats.seconds.cluster = clock.lap();
  return Status::Ok();
}

}  // namespace internal

Result<ReuseResult> reuse(std::span<const std::string> inputs, const ReuseOptions& options,
                          const ProblemCallback& on_problem) {
  DOPPEL_RETURN_IF_ERROR(validate_options(options));
  auto source = CorpusSource::open(inputs, options.read);
  if (!source.ok()) return source.status();
  StageClock clock;
  ReuseResult result;
  result.stats.threads = worker_threads(options.threads);
  result.corpus.source = *source;

  // --- read and normalize: every thread --------------------------------------------------------
  // Documents' words and offsets stay where the reading threads wrote them (WordStore), and each
  // document points into them: the memory is first touched by the threads, in parallel, and
  // nothing is copied.
  DocumentWords words;
  const ReadStageOptions stage{.normalize = &options.normalize,
                               .threads = result.stats.threads,
                               .progress = options.progress,
                               .label = "reuse"};
  DOPPEL_RETURN_IF_ERROR(read_corpus(**source, stage, on_problem, result.corpus, words));
  result.stats.seconds.read = clock.lap();
  DOPPEL_RETURN_IF_ERROR(check_stop(options.read));

  DOPPEL_RETURN_IF_ERROR(internal::find_passages(options, words, clock, result));
  result.stats.seconds.total = clock.since_start();
  result.stats.peak_rss_bytes = peak_rss_bytes();
  return result;
}

}  // namespace doppel
