// What the jobs share: the options every job reads with, the thread count, stage timing, and the
// stages after reading of each job, so that doppel report can run both jobs over one reading.
#pragma once

#include <chrono>
#include <span>

#include "doppel/dedup.h"
#include "doppel/options.h"
#include "doppel/reuse.h"
#include "doppel/status.h"
#include "util/memory.h"

namespace doppel {

class DocumentSketches;
class DocumentWords;
struct AlignedPair;
struct DocWords;
struct GroupOptions;
struct PairPassageOptions;
struct PassageGroups;
struct SeedOptions;

// Seconds of each stage: lap() returns the time since the previous lap (or construction).
class StageClock {
 public:
  double lap() {
    const auto now = std::chrono::steady_clock::now();
    const double s = std::chrono::duration<double>(now - last_).count();
    last_ = now;
    return s;
  }
  double since_start() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_ = start_;
};

// The options every job reads with: `max_doc_bytes` and `threads`.
Status validate_read(const ReadOptions& read, int threads);
// The document matching options of dedup and the index: `threshold`, `hashes`, `ngram`, `bands`
// and `rows`.
Status validate_matching(const ShingleOptions& shingle, const SketchOptions& sketch,
                         const LshOptions& lsh);
// The passage sizes of reuse and the index: `seed_words`, `min_words`, `min_similarity`.
Status validate_passage_sizes(int seed_words, int min_words, double min_similarity);

// Threads to use: `requested`, or one per core for 0.
int worker_threads(int requested);

// kCancelled once ReadOptions::stop is set: the jobs look between their stages.
Status check_stop(const ReadOptions& read);

namespace internal {

// Dedup after reading: `result.corpus` read, `result.stats.threads` set.
void start_dedup(const Corpus& corpus, DedupResult& result);
void find_duplicates(const DedupOptions& options, const DocumentSketches& sketches,
                     StageClock& clock, DedupResult& result);

// Reuse after reading: `result.corpus` read, `result.stats.threads` set. Fails only on a corpus
// too large for this version.
Status find_passages(const ReuseOptions& options, DocumentWords& words, StageClock& clock,
                     ReuseResult& result);

// Documents of 12+ characters a word (40 at least): Thai, Khmer, Lao, Myanmar or encoded data,
// whose passages are whole runs of such words (ReuseStats::long_word_docs).
std::uint64_t count_long_word_docs(const DocumentWords& words);

// Each reuse stage's options from the job's, for one process and a distributed run alike.
SeedOptions seed_options_of(const ReuseOptions& options, int threads);
PairPassageOptions pair_options_of(const ReuseOptions& options, int threads);
GroupOptions group_options_of(const ReuseOptions& options);

// The public results from the stages' word ranges: passage clusters with their sources, and
// every aligned pair, with spans of the source texts. `places[d]`: document d's words and their
// places (only those of documents in `aligned` are read); `result.corpus` every document.
void describe_passages(std::span<const AlignedPair> aligned, const PassageGroups& groups,
                       std::span<const DocWords> places, std::span<const std::uint32_t> rank,
                       ReuseResult& result);

}  // namespace internal
}  // namespace doppel
