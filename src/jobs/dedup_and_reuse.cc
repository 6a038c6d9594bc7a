// doppel report's run: both jobs over one reading of the inputs. Each document is read, parsed
// and normalized once; the read stage hands it to both jobs' parts (sketches for dedup, words for
// reuse); then each job's own stages run.
#include "corpus/corpus_source.h"
#include "corpus/read_stage.h"
#include "doppel/report.h"
#include "jobs/job_common.h"
#include "passages/document_words.h"
#include "sketch/document_sketches.h"

namespace doppel {

Result<DedupAndReuse> dedup_and_reuse(std::span<const std::string> inputs,
                                      const DedupOptions& dedup, const ReuseOptions& reuse,
                                      const ProblemCallback& on_problem) {
  DOPPEL_RETURN_IF_ERROR(validate_options(dedup));
  DOPPEL_RETURN_IF_ERROR(validate_options(reuse));
  auto source = CorpusSource::open(inputs, dedup.read);
  if (!source.ok()) return source.status();
  StageClock clock;
  DedupAndReuse out;
  DedupResult& dd = out.dedup;
  ReuseResult& ru = out.reuse;
  dd.stats.threads = ru.stats.threads = worker_threads(dedup.threads);
  dd.corpus.source = *source;

  DocumentSketches sketches(dedup.shingle, dedup.sketch, dedup.verify == VerifyMode::kExact);
  DocumentWords words;
  const ReadStageOptions stage{.normalize = &dedup.normalize,
                               .threads = dd.stats.threads,
                               .progress = dedup.progress,
                               .label = "report"};
  DOPPEL_RETURN_IF_ERROR(read_corpus(**source, stage, on_problem, dd.corpus, sketches, words));
  const double read_seconds = clock.lap();
  DOPPEL_RETURN_IF_ERROR(check_stop(dedup.read));
  ru.corpus = dd.corpus;

  dd.stats.seconds.read_sketch = read_seconds;
  internal::start_dedup(dd.corpus, dd);
  internal::find_duplicates(dedup, sketches, clock, dd);
  dd.stats.seconds.total = clock.since_start();
  dd.stats.peak_rss_bytes = peak_rss_bytes();

  const double before_reuse = clock.since_start();
  clock.lap();
  ru.stats.seconds.read = read_seconds;
  DOPPEL_RETURN_IF_ERROR(internal::find_passages(reuse, words, clock, ru));
  ru.stats.seconds.total = read_seconds + clock.since_start() - before_reuse;
  ru.stats.peak_rss_bytes = peak_rss_bytes();
  return out;
}

}  // namespace doppel
