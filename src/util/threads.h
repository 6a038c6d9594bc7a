// Running one function on several threads. Thread-safety: `fn` must be safe to run concurrently
// with itself for different thread numbers.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace doppel {

// Runs fn(0) .. fn(threads - 1), fn(0) on the calling thread, and waits for all of them. An
// exception (std::bad_alloc) in any of them is rethrown here once all have returned, so that the
// caller can turn it into a Status instead of the process ending in std::terminate.
template <typename Fn>
void run_on_threads(int threads, Fn fn) {
  std::mutex mutex;
  std::exception_ptr first;
  auto guarded = [&](int t) {
    try {
      fn(t);
    } catch (...) {
      std::lock_guard lock(mutex);
      if (!first) first = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(guarded, t);
  guarded(0);
  for (auto& t : pool) t.join();
  if (first) std::rethrow_exception(first);
}

// Items [0, count) handed out in turns of `per_turn` consecutive items to whichever thread asks
// next: for work whose cost varies from item to item, on a machine other processes may share.
// Thread-safe.
class Turns {
 public:
  Turns(std::size_t count, std::size_t per_turn) : count_(count), per_turn_(per_turn) {}
  // The next turn's items [first, last); false once every item has been handed out.
  bool next(std::size_t& first, std::size_t& last) {
    first = next_.fetch_add(per_turn_, std::memory_order_relaxed);
    if (first >= count_) return false;
    last = std::min(count_, first + per_turn_);
    return true;
  }

 private:
  const std::size_t count_, per_turn_;
  std::atomic<std::size_t> next_{0};
};

}  // namespace doppel
