// The progress bar of a distributed run: every rank reports its bytes and documents to rank 0,
// which draws one bar for the whole job (over the input of every rank). The ranks report on a
// communicator of their own, so that reports in flight never meet the job's collectives.
// Thread-safety: update() and finish() are called one at a time (the read stage calls update()
// under its reader lock); they call MPI, which needs MPI_THREAD_SERIALIZED.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "dist/communicator.h"
#include "util/progress.h"

namespace doppel::dist {

class JobProgress final : public ProgressSink {
 public:
  // Collective. `enabled` must be the same on every rank; when it is false, or MPI does not let
  // the reading threads call it, nothing is reported or drawn.
  JobProgress(Communicator& comm, std::string label, std::uint64_t total_bytes, bool enabled);
  ~JobProgress() override;  // collective
  JobProgress(const JobProgress&) = delete;
  JobProgress& operator=(const JobProgress&) = delete;

  void update(std::uint64_t bytes_done, std::uint64_t docs_done) override;
  // Rank 0 waits for every rank's last report (drawing meanwhile), then clears the bar.
  void finish() override;

 private:
  using Report = std::array<std::uint64_t, 3>;  // bytes, documents, finished
  void send(bool finished);
  void receive(bool wait);
  void draw();

  bool enabled_;
  bool finished_ = false;
  int rank_ = 0, ranks_ = 1;
  MPI_Comm comm_ = MPI_COMM_NULL;
  ProgressBar bar_;
  Report mine_{};
  std::vector<Report> latest_;  // rank 0: the last report of every rank
  int done_ = 0;                // rank 0: ranks that sent their last report
  struct Pending {
    Report report;
    MPI_Request request;
  };
  std::deque<Pending> pending_;  // other ranks: reports not yet delivered
  std::chrono::steady_clock::time_point last_sent_{};
};

}  // namespace doppel::dist
