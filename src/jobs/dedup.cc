// The dedup job: puts the stages in order. Reading and sketching run on every thread (the shared
// read stage); the stages after it run on the merged flat arrays.
#include "doppel/dedup.h"

#include <fmt/format.h>

#include <algorithm>

#include "candidates/exact_groups.h"
#include "candidates/lsh.h"
#include "cluster/clusters.h"
#include "cluster/union_find.h"
#include "corpus/corpus_source.h"
#include "corpus/read_stage.h"
#include "jobs/job_common.h"
#include "sketch/document_sketches.h"
#include "verify/jaccard.h"
#include "verify/verify_pairs.h"

namespace doppel {

Status validate_options(const DedupOptions& o) {
  DOPPEL_RETURN_IF_ERROR(validate_matching(o.shingle, o.sketch, o.lsh));
  return validate_read(o.read, o.threads);
}

BandsRows choose_bands_rows(double threshold, int num_hashes) {
  const LshShape shape = choose_lsh_shape(threshold, num_hashes);
  return BandsRows{shape.bands, shape.rows};
}

std::string_view removal_reason(const DedupResult& r, std::uint32_t doc) {
  switch (r.docs[doc].verdict) {
    case DedupVerdict::kKept:
      return "";
    case DedupVerdict::kExactDuplicate:
      return "exact_duplicate";
    case DedupVerdict::kNearDuplicate:
      return "near_duplicate";
    case DedupVerdict::kNotCompared:
      break;
  }
  return to_string(r.corpus.docs[doc].status);
}

namespace internal {

void find_duplicates(const DedupOptions& options, const DocumentSketches& sketches,
                     StageClock& clock, DedupResult& result) {
  const Corpus& corpus = result.corpus;
  const auto n = static_cast<std::uint32_t>(corpus.docs.size());
  const int threads = result.stats.threads;
  std::vector<std::uint8_t> in_play(n);
  for (std::uint32_t d = 0; d < n; ++d) in_play[d] = corpus.ok(d);

  // --- exact duplicates: identical normalized text ------------------------------------------
  UnionFind sets(n);
  const std::vector<std::uint32_t> distinct = group_exact(sketches.hashes(), in_play, sets);
  result.stats.seconds.exact = clock.lap();

  // --- candidates: LSH bands over the distinct texts -----------------------------------------
  const LshShape shape = options.lsh.bands > 0
                             ? LshShape{options.lsh.bands, options.lsh.rows}
                             : choose_lsh_shape(options.lsh.threshold, options.sketch.num_hashes);
  result.stats.bands = shape.bands;
  result.stats.rows = shape.rows;
  std::vector<std::uint64_t> candidates =
      lsh_candidates(sketches.signatures(), distinct, shape.bands, shape.rows,
                     bucket_rule_of(options.lsh), threads);
  result.stats.candidate_pairs = candidates.size();
  result.stats.seconds.candidates = clock.lap();

  // --- verify: the similarity of each candidate; unions in candidate order -------------------
  auto similarity = [&](std::uint32_t a, std::uint32_t b) {
    return options.verify == VerifyMode::kExact
               ? exact_jaccard(sketches.sets()[a], sketches.sets()[b])
               : estimate_jaccard(sketches.signatures()[a], sketches.signatures()[b]);
  };
  const std::vector<VerifiedPair> verified =
      verify_candidates(candidates, options.lsh.threshold, threads, similarity);
  std::vector<std::uint64_t>().swap(candidates);
  for (const VerifiedPair& p : verified) {
    sets.unite(p.a, p.b);
    if (options.keep_pairs) result.pairs.push_back(NearPair{p.a, p.b, p.similarity});
  }
  result.stats.verified_pairs = verified.size();
  result.stats.seconds.verify = clock.lap();

  // --- clusters, representatives, likeness to them ------------------------------------------
  const Components components = collect_clusters(sets, in_play);
  const auto hashes = sketches.hashes();
  auto same_text = [&](std::uint32_t a, std::uint32_t b) { return hashes[a] == hashes[b]; };
  std::vector<Likeness> likeness;
  result.members = components.members;
  for (std::uint32_t c = 0; c < components.count(); ++c) {
    const auto members = components.of(c);
    Cluster cl{0, components.begin[c], static_cast<std::uint32_t>(members.size()), true};
    cl.representative = choose_representative(corpus, members, options.keep);
    likeness.resize(members.size());
    likeness_to_representative(members, cl.representative, same_text, similarity,
                               std::span(likeness));
    for (std::size_t k = 0; k < members.size(); ++k) {
      const std::uint32_t d = members[k];
      DedupDocument& doc = result.docs[d];
      doc.cluster = c;
      doc.exact = likeness[k].exact;
      doc.similarity = likeness[k].similarity;
      cl.all_exact = cl.all_exact && doc.exact;
      if (d != cl.representative) {
        doc.verdict = doc.exact ? DedupVerdict::kExactDuplicate : DedupVerdict::kNearDuplicate;
      }
    }
    result.stats.exact_clusters += cl.all_exact;
    result.stats.near_clusters += !cl.all_exact;
    result.stats.largest_cluster = std::max<std::uint64_t>(result.stats.largest_cluster, cl.size);
    result.clusters.push_back(cl);
  }
  for (const DedupDocument& doc : result.docs) {
    result.stats.kept += doc.verdict == DedupVerdict::kKept;
    result.stats.exact_duplicates += doc.verdict == DedupVerdict::kExactDuplicate;
    result.stats.near_duplicates += doc.verdict == DedupVerdict::kNearDuplicate;
  }
  result.stats.seconds.cluster = clock.lap();
}

void start_dedup(const Corpus& corpus, DedupResult& result) {
  result.docs.resize(corpus.docs.size());
  for (std::uint32_t d = 0; d < corpus.docs.size(); ++d) {
    if (!corpus.ok(d)) result.docs[d].verdict = DedupVerdict::kNotCompared;
  }
}

}  // namespace internal

Result<DedupResult> dedup(std::span<const std::string> inputs, const DedupOptions& options,
                          const ProblemCallback& on_problem) {
  DOPPEL_RETURN_IF_ERROR(validate_options(options));
  auto source = CorpusSource::open(inputs, options.read);
  if (!source.ok()) return source.status();
  StageClock clock;
  DedupResult result;
  result.stats.threads = worker_threads(options.threads);
  result.corpus.source = *source;

  // --- read, normalize, shingle, sketch: every thread ----------------------------------------
  DocumentSketches sketches(options.shingle, options.sketch, options.verify == VerifyMode::kExact);
  const ReadStageOptions stage{.normalize = &options.normalize,
                               .threads = result.stats.threads,
                               .progress = options.progress,
                               .label = "dedup"};
  DOPPEL_RETURN_IF_ERROR(read_corpus(**source, stage, on_problem, result.corpus, sketches));
  result.stats.seconds.read_sketch = clock.lap();
  DOPPEL_RETURN_IF_ERROR(check_stop(options.read));  // the stages after reading are short

  internal::start_dedup(result.corpus, result);
  internal::find_duplicates(options, sketches, clock, result);
  result.stats.seconds.total = clock.since_start();
  result.stats.peak_rss_bytes = peak_rss_bytes();
  return result;
}

}  // namespace doppel
