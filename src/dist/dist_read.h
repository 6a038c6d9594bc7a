// The read stage of a distributed run. Rank 0 expands the inputs and deals them out
// (input_plan.h); each rank reads its share with the read stage of one process
// (corpus/read_stage.h) on its own threads, with its own parts; then the ranks together number the
// documents (rank r's follow rank r - 1's, so global numbers are input order), check ids for
// duplicates (the first occurrence in input order wins, as in one process), stop on the first bad
// document under ErrorPolicy::kFail, and add up the figures.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "corpus/read_stage.h"
#include "dist/communicator.h"
#include "dist/job_progress.h"
#include "doppel/corpus.h"

namespace doppel::dist {

// One rank's documents after the distributed read stage.
struct RankCorpus {
  Corpus corpus;     // this rank's documents (local numbers from 0) and problems; every file of the
                     // run in `inputs`; `stats` this rank's
  ReadStats totals;  // the whole run's
  std::uint32_t first = 0;            // global number of local document 0
  std::vector<std::uint32_t> starts;  // rank r holds global documents [starts[r], starts[r + 1])
  std::uint64_t input_bytes_on_disk = 0;  // of every file, as the plan saw them

  std::uint32_t total() const { return starts.back(); }
  std::uint32_t local_count() const { return static_cast<std::uint32_t>(corpus.docs.size()); }
  int owner(std::uint32_t global) const;  // the rank that holds a global document
  bool holds(std::uint32_t global) const { return global - first < local_count(); }
};

namespace internal {

// What the reading needs beyond one process's read stage.
struct ShareOfRun {
  std::shared_ptr<CorpusSource> source;  // this rank's ranges of every file
  std::uint64_t total_bytes = 0;         // on disk, of every rank
  std::vector<std::uint8_t> ids_read;    // per local document: its id came from the input
  std::string text_field_hint;
};

// Collective: rank 0 plans, every rank learns its ranges and the lines before them.
Status open_share(Communicator& comm, std::span<const std::string> inputs, const ReadOptions& read,
                  ShareOfRun& share);

// Collective: numbering, ids, ErrorPolicy::kFail and figures after each rank's reading (`read`,
// its Status). `dropped` receives the local documents that became bad input (duplicate ids).
Status finish_read(Communicator& comm, const Status& read, const ReadStageOptions& stage,
                   ShareOfRun& share, RankCorpus& out, std::vector<std::uint32_t>& dropped);

}  // namespace internal

// Collective. Reads this rank's share of `inputs` (with `read_options`) into `out` and gives each
// readable document to every part (see read_corpus); each part also has drop(std::span<const
// std::uint32_t>) for local documents that became bad input afterwards. The progress bar, if any,
// is the whole job's. Fails on every rank alike: when one rank fails, Communicator::failed_rank()
// says which.
template <typename... Parts>
Status read_distributed(Communicator& comm, std::span<const std::string> inputs,
                        const ReadOptions& read_options, const ReadStageOptions& stage,
                        RankCorpus& out, Parts&... parts) {
  internal::ShareOfRun share;
  DOPPEL_RETURN_IF_ERROR(internal::open_share(comm, inputs, read_options, share));
  Status read;
  {
    JobProgress progress(comm, std::string(stage.label), share.total_bytes, stage.progress);
    ReadStageOptions local = stage;
    local.require_documents = false;
    local.job_progress = &progress;
    local.ids_read = &share.ids_read;
    local.text_field_hint = &share.text_field_hint;
    try {
      read = read_corpus(*share.source, local, {}, out.corpus, parts...);
    } catch (const std::bad_alloc&) {
      read = Status::OutOfMemory("reading and preparing the documents");
    }
  }  // every rank's last progress report is in before the collectives below
  out.corpus.source = share.source;
  std::vector<std::uint32_t> dropped;
  DOPPEL_RETURN_IF_ERROR(internal::finish_read(comm, read, stage, share, out, dropped));
  (parts.drop(dropped), ...);
  return Status::Ok();
}

}  // namespace doppel::dist
