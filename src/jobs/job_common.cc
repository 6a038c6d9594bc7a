#include "jobs/job_common.h"

#include <algorithm>
#include <thread>

namespace doppel {

Status validate_read(const ReadOptions& read, int threads) {
  if (read.max_doc_bytes == 0 || read.max_doc_bytes >= (std::size_t{1} << 32)) {
    return Status::InvalidArgument("`max_doc_bytes` must be in [1, 4 GiB)");
  }
  if (threads < 0) return Status::InvalidArgument("`threads` must be >= 0");
  return Status::Ok();
}

int worker_threads(int requested) {
  return requested > 0 ? requested
                       : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace doppel
