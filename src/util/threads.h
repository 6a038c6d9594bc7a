// Running one function on several threads. Thread-safety: `fn` must be safe to run concurrently
// with itself for different thread numbers.
#pragma once

#include <thread>
#include <vector>

namespace doppel {

// Runs fn(0) .. fn(threads - 1), fn(0) on the calling thread, and waits for all of them.
template <typename Fn>
void run_on_threads(int threads, Fn fn) {
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(fn, t);
  fn(0);
  for (auto& t : pool) t.join();
}

}  // namespace doppel
