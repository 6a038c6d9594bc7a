// `doppel reuse` over the ranks of an MPI job, with the same results as one process for any
// number of ranks (docs/scale-out.md):
//   read     each rank its share (dist_read.h), normalized into words; every rank learns every
//            document's date (small), which ranks documents for frequent n-grams and sources
//   seeds    (n-gram key, document, position) to the rank that owns the key (key mod ranks), which
//            turns each n-gram's occurrences into seeds by the rule of one process
//            (passages/seeds.h): every occurrence of an n-gram is on one rank, so the seeds of
//            all ranks together are those of one process, each found once
//   align    each seed to the rank that owns its document pair (by a hash of the pair, which
//            spreads the work evenly); that rank fetches the words of the documents it lacks
//            ("texts sent to where the work is") and aligns each pair as one process does
//   clusters the aligned passages (with their pieces) to rank 0, put in one process's order (by
//            document pair; a pair's passages all come from one rank, in order), with the words
//            and offsets of the documents they are in and every document's id, date and place in
//            the input; rank 0 groups them and chooses sources exactly as one process, and holds
//            the run's ReuseResult, from which it writes every output
// Global document numbers are input order, and every tie is broken by them, so no result
// depends on the number of ranks or threads. Rank 0's part is one process's after alignment:
// its memory grows with the passages found and the documents they are in, not with the corpus.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "dist/communicator.h"
#include "dist/dist_read.h"
#include "doppel/reuse.h"

namespace doppel::dist {

// Bytes this rank handed to MPI for other ranks, by stage.
struct ReuseTraffic {
  std::uint64_t read = 0, seeds = 0, align = 0, clusters = 0;
};

struct RankReuse {
  RankCorpus rc;  // this rank's documents
  // Rank 0: the run's result, what reuse() gives in one process, its corpus every document's
  // (ids, dates, places in the input, figures; the problems are each rank's own, in rc) without
  // a source: the caller opens one to read the input again. Empty on the other ranks.
  ReuseResult result;
  ReuseTraffic traffic;      // this rank's
  ReuseTraffic job_traffic;  // every rank's, summed
};

// Collective. The options must be the same on every rank. Fails on every rank alike
// (Communicator::failed_rank() names the rank that failed first, if one did).
Status reuse_distributed(Communicator& comm, std::span<const std::string> inputs,
                         const ReuseOptions& options, RankReuse& out);

}  // namespace doppel::dist
