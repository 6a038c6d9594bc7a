// The read stage shared by every job: each thread takes the next batch from the reader under a
// lock, processes it with its own worker state, and hands the result to an in-order merge, so
// that documents are numbered in input order whatever the thread timing.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <vector>

#include "doppel/status.h"
#include "io/input.h"
#include "util/progress.h"
#include "util/threads.h"

namespace doppel {

// `make_worker()` builds one worker per thread; `worker.process(const Batch&, Out&)` fills an
// Out (which has a `docs` vector); `merge(Out&)` runs under a lock, in batch order, and may fail,
// which stops the reading. Out values are recycled to keep their buffers.
template <typename Out, typename MakeWorker, typename Merge>
Status read_in_parallel(BatchReader& reader, int threads, ProgressBar& progress,
                        MakeWorker make_worker, Merge merge) {
  std::mutex read_mutex, merge_mutex;
  bool input_done = false;
  std::atomic<bool> failed{false};
  std::atomic<std::uint64_t> merged_docs{0};  // for the progress bar, read outside merge_mutex
  std::uint64_t merged_count = 0;
  Status failure;
  std::uint64_t next_seq = 0, read_seq = 0;
  std::map<std::uint64_t, Out> waiting;  // batches finished ahead of their turn
  std::vector<Out> spare;                // merged batches, their buffers kept for reuse

  auto work = [&] {
    auto worker = make_worker();
    Batch batch;
    for (;;) {
      {
        std::lock_guard lock(read_mutex);
        if (input_done || failed) return;
        if (!reader.next(batch)) {
          input_done = true;
          return;
        }
        batch.seq = read_seq++;
        progress.update(reader.consumed_bytes(), merged_docs.load(std::memory_order_relaxed));
      }
      Out out;
      {
        std::lock_guard lock(merge_mutex);
        if (!spare.empty()) {
          out = std::move(spare.back());
          spare.pop_back();
        }
      }
      worker.process(batch, out);
      std::lock_guard lock(merge_mutex);
      waiting.emplace(batch.seq, std::move(out));
      for (auto it = waiting.find(next_seq); it != waiting.end(); it = waiting.find(next_seq)) {
        if (!failed) {
          if (Status s = merge(it->second); !s.ok()) {
            failure = std::move(s);
            failed = true;
          }
        }
        merged_count += it->second.docs.size();
        merged_docs.store(merged_count, std::memory_order_relaxed);
        spare.push_back(std::move(it->second));
        waiting.erase(it);
        ++next_seq;
      }
    }
  };
  run_on_threads(threads, [&](int) { work(); });
  progress.finish();
  return failed ? failure : Status::Ok();
}

}  // namespace doppel
