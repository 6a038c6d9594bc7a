// A command's output files, written so that nothing the user had is lost: each output goes to a
// temporary file beside its target (doppel/output.h) and all of them are renamed into place only
// when the run succeeds. If the run fails, the temporaries are removed; if it is interrupted
// (SIGINT, SIGTERM, SIGHUP), the signal handler removes them, says so and exits with status 130.
// In every case an earlier file of an output's name is left as it was.
//
// The handler needs the temporaries' names without taking a lock or allocating, so they are kept
// in a fixed table of atomic pointers: process-wide state, which a signal handler cannot avoid.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cli_common.h"
#include "doppel/output.h"
#include "doppel/status.h"

namespace doppel::cli {

// While one exists, SIGINT, SIGTERM and SIGHUP remove the registered temporaries and exit with
// 130; a signal that the process inherited as ignored (`nohup`, a shell's background job) stays
// ignored.
// Construct it before RunOutputs::open(), so that no temporary exists without it.
// `progress`: a progress bar may be on the terminal's last line (cleared first). `quiet`: say
// nothing (the ranks of a distributed run other than rank 0, which speaks for the job).
//
// Between arm_stop(stop) and disarm_stop() (around the work of a run that can end early and keep
// what it did: `doppel index add` of files), the first signal only sets *stop and says that the
// run is stopping; the run then ends as it sees fit. A second one, or one outside that stretch,
// is handled as above.
class InterruptGuard {
 public:
  explicit InterruptGuard(bool progress, bool quiet = false);
  static void arm_stop(std::atomic<bool>* stop);
  static void disarm_stop();
  // The signal that set `stop`, or 0.
  static int stop_signal();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
};

class RunOutputs {
 public:
  RunOutputs() = default;
  ~RunOutputs();  // removes whatever was not committed
  RunOutputs(const RunOutputs&) = delete;
  RunOutputs& operator=(const RunOutputs&) = delete;

  // Creates a temporary for every output given ("-" is standard output), so that a typo in a
  // path costs nothing. Call after the options are checked.
  Status open(const std::vector<OutputFlag>& outputs);
  // The stream of an output given to open().
  OutputStream& stream(const std::string& path);
  // Runs `write(OutputStream&)` when `path` was given.
  template <typename Write>
  Status write_if_given(const std::string& path, Write write) {
    return path.empty() ? Status::Ok() : write(stream(path));
  }
  // Renames every temporary into place; a signal that comes meanwhile waits for the last rename
  // (then ends the process, saying that the outputs are written), so that an interruption leaves
  // either all outputs or none, and says which.
  Status commit();

 private:
  Status create_temporaries(const std::vector<OutputFlag>& outputs);

  std::map<std::string, std::unique_ptr<OutputFile>> files_;
  std::vector<const char*> registered_;  // the temporaries' names, as the signal handler has them
  StdoutOutput stdout_;
};

}  // namespace doppel::cli
