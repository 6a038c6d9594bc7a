// A progress bar on standard error: bytes done of a known total, rate, documents per second and
// ETA, redrawn at most ten times a second. Disabled (every call a no-op) when not on a terminal.
// Thread-safety: update() may be called from any thread; it takes a lock only to draw.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace doppel {

// Where the read stage reports how far it is: a bar on this process's terminal, or the whole
// job's bar of a distributed run (dist/job_progress.h).
class ProgressSink {
 public:
  virtual ~ProgressSink() = default;
  // Records absolute progress (bytes of input on disk, documents).
  virtual void update(std::uint64_t bytes_done, std::uint64_t docs_done) = 0;
  // The reading is over.
  virtual void finish() = 0;
};

class ProgressBar final : public ProgressSink {
 public:
  ProgressBar(std::string label, std::uint64_t total_bytes, bool enabled);
  ~ProgressBar() override;
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // Records absolute progress; draws if the last draw is older than 100 ms.
  void update(std::uint64_t bytes_done, std::uint64_t docs_done) override;
  // Draws now, however recent the last drawing (a distributed run's last figures).
  void draw_now(std::uint64_t bytes_done, std::uint64_t docs_done);
  // Clears the bar's line so that the summary starts on a clean line.
  void finish() override;

 private:
  void draw(std::uint64_t bytes, std::uint64_t docs, bool final);

  std::string label_;
  std::uint64_t total_;
  bool enabled_;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_;
  std::atomic<std::int64_t> last_draw_ns_{0};
  std::mutex draw_mutex_;
};

}  // namespace doppel
