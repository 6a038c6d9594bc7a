// What the commands share when they run on the ranks of an MPI job (mpirun, srun): one decision
// about the progress bar, rank 0 speaking for the job (warnings, errors), and exit codes.
#pragma once

#include <string>

#include "cli_common.h"
#include "dist/communicator.h"
#include "doppel/corpus.h"
#include "doppel/status.h"

namespace doppel::cli {

// Rank 0 decides whether the job draws a progress bar: `progress` as want_progress() found it on
// its standard error, which under mpirun is a pipe; with --progress auto, also when mpirun's own
// standard error is a terminal (rank 0 being its child, on its host).
Status agree_on_progress(dist::Communicator& comm, const Settings& s, bool& progress);

// Collective: rank 0 prints the first --max-warnings problems of the run in input order, each
// rank's first ones gathered, and how many more there were.
Status print_rank_warnings(dist::Communicator& comm, const Settings& s, const Corpus& mine,
                           const char* where_all);

// The exit code of a rank once its command returned `status`, the same on every rank: rank 0
// prints the one error message, naming the rank and host that failed first.
int finish_distributed(dist::Communicator& comm, const Status& status);

}  // namespace doppel::cli
