#include "jobs/job_common.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <thread>

namespace doppel {

Status validate_matching(const ShingleOptions& shingle, const SketchOptions& sketch,
                         const LshOptions& lsh) {
  if (!(lsh.threshold > 0.0 && lsh.threshold <= 1.0)) {
    return Status::InvalidArgument("`threshold` must be in (0, 1]");
  }
  if (sketch.num_hashes < 1 || sketch.num_hashes > 4096) {
    return Status::InvalidArgument("`hashes` must be in [1, 4096]");
  }
  if (shingle.n < 1 || shingle.n > 64) {
    return Status::InvalidArgument("`ngram` must be in [1, 64]");
  }
  if ((lsh.bands > 0) != (lsh.rows > 0)) {
    return Status::InvalidArgument("`bands` and `rows` go together: set both or neither");
  }
  if (lsh.bands < 0 || lsh.rows < 0 || std::int64_t{lsh.bands} * lsh.rows > sketch.num_hashes) {
    return Status::InvalidArgument(
        fmt::format("`bands` x `rows` must be at most `hashes` ({})", sketch.num_hashes));
  }
  if (lsh.max_bucket_members >= 2 &&
      (lsh.bucket_window < 1 || lsh.bucket_window >= lsh.max_bucket_members)) {
    return Status::InvalidArgument(
        fmt::format("`bucket_window` must be in [1, {}]", lsh.max_bucket_members - 1));
  }
  return Status::Ok();
}

Status validate_passage_sizes(int seed_words, int min_words, double min_similarity) {
  if (seed_words < 1 || seed_words > 64) {
    return Status::InvalidArgument("`seed_words` must be in [1, 64]");
  }
  if (min_words < seed_words) {
    return Status::InvalidArgument(fmt::format(
        "`min_words` must be at least `seed_words` ({}): a passage holds one seed or more",
        seed_words));
  }
  if (!(min_similarity >= 0.0 && min_similarity <= 1.0)) {
    return Status::InvalidArgument("`min_similarity` must be in [0, 1]");
  }
  return Status::Ok();
}

Status validate_read(const ReadOptions& read, int threads) {
  if (read.max_doc_bytes == 0 || read.max_doc_bytes >= (std::size_t{1} << 32)) {
    return Status::InvalidArgument("`max_doc_bytes` must be in [1, 4 GiB)");
  }
  if (threads < 0 || threads > kMaxThreads) {
    return Status::InvalidArgument(fmt::format("`threads` must be in [0, {}]", kMaxThreads));
  }
  return Status::Ok();
}

Status check_stop(const ReadOptions& read) {
  if (read.stop != nullptr && read.stop->load(std::memory_order_relaxed)) {
    return Status::Cancelled("stopped (ReadOptions::stop)");
  }
  return Status::Ok();
}

int worker_threads(int requested) {
  return requested > 0 ? requested
                       : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace doppel
