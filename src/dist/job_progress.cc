#include "dist/job_progress.h"

namespace doppel::dist {
namespace {
constexpr int kTag = 23;
constexpr auto kInterval = std::chrono::milliseconds(200);
}  // namespace

JobProgress::JobProgress(Communicator& comm, std::string label, std::uint64_t total_bytes,
                         bool enabled)
    : enabled_(enabled && comm.threads_may_call()),
      rank_(comm.rank()),
      ranks_(comm.size()),
      bar_(std::move(label), total_bytes, enabled_ && comm.rank() == 0) {
  if (!enabled_) return;
  MPI_Comm_dup(comm.handle(), &comm_);
  latest_.assign(static_cast<std::size_t>(ranks_), Report{});
}

JobProgress::~JobProgress() {
  finish();
  if (comm_ != MPI_COMM_NULL) MPI_Comm_free(&comm_);
}

void JobProgress::update(std::uint64_t bytes_done, std::uint64_t docs_done) {
  if (!enabled_ || finished_) return;
  mine_ = Report{bytes_done, docs_done, 0};
  if (rank_ == 0) {
    latest_[0] = mine_;
    receive(false);
    draw();
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  if (now - last_sent_ < kInterval) return;
  last_sent_ = now;
  send(false);
}

void JobProgress::finish() {
  if (!enabled_ || finished_) return;
  finished_ = true;
  if (rank_ != 0) {
    send(true);
    for (Pending& p : pending_) MPI_Wait(&p.request, MPI_STATUS_IGNORE);
    pending_.clear();
    return;
  }
  latest_[0] = mine_;
  ++done_;
  while (done_ < ranks_) {
    receive(true);
    draw();
  }
  // The job's last figures, all ranks' input read, before the bar is cleared.
  std::uint64_t bytes = 0, docs = 0;
  for (const Report& r : latest_) {
    bytes += r[0];
    docs += r[1];
  }
  bar_.draw_now(bytes, docs);
  bar_.finish();
}

void JobProgress::send(bool finished) {
  // Reports delivered are dropped; the rest stay until MPI is done with their buffers.
  while (!pending_.empty()) {
    int delivered = 0;
    MPI_Test(&pending_.front().request, &delivered, MPI_STATUS_IGNORE);
    if (delivered == 0) break;
    pending_.pop_front();
  }
  pending_.push_back(Pending{mine_, MPI_REQUEST_NULL});
  pending_.back().report[2] = finished ? 1 : 0;
  MPI_Isend(pending_.back().report.data(), 3, MPI_UINT64_T, 0, kTag, comm_,
            &pending_.back().request);
}

void JobProgress::receive(bool wait) {
  for (bool first = true;; first = false) {
    int ready = 0;
    MPI_Status status;
    if (wait && first) {
      MPI_Probe(MPI_ANY_SOURCE, kTag, comm_, &status);
      ready = 1;
    } else {
      MPI_Iprobe(MPI_ANY_SOURCE, kTag, comm_, &ready, &status);
    }
    if (ready == 0) return;
    Report r{};
    MPI_Recv(r.data(), 3, MPI_UINT64_T, status.MPI_SOURCE, kTag, comm_, MPI_STATUS_IGNORE);
    latest_[static_cast<std::size_t>(status.MPI_SOURCE)] = r;
    done_ += r[2] != 0 ? 1 : 0;
  }
}

void JobProgress::draw() {
  std::uint64_t bytes = 0, docs = 0;
  for (const Report& r : latest_) {
    bytes += r[0];
    docs += r[1];
  }
  bar_.update(bytes, docs);
}

}  // namespace doppel::dist
