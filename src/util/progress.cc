#include "util/progress.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

namespace doppel {

ProgressBar::ProgressBar(std::string label, std::uint64_t total_bytes, bool enabled)
    : label_(std::move(label)),
      total_(total_bytes),
      enabled_(enabled),
      start_(std::chrono::steady_clock::now()) {}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::update(std::uint64_t bytes_done, std::uint64_t docs_done) {
  if (!enabled_) return;
  const auto now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::steady_clock::now() - start_)
                          .count();
  auto last = last_draw_ns_.load(std::memory_order_relaxed);
  if (now_ns - last < 100'000'000) return;
  if (!last_draw_ns_.compare_exchange_strong(last, now_ns)) return;  // another thread draws
  draw(bytes_done, docs_done, false);
}

void ProgressBar::draw_now(std::uint64_t bytes_done, std::uint64_t docs_done) {
  if (enabled_) draw(bytes_done, docs_done, true);
}

void ProgressBar::finish() {
  if (!enabled_ || finished_) return;
  finished_ = true;
  std::lock_guard lock(draw_mutex_);
  std::fputs("\r\033[K", stderr);
  std::fflush(stderr);
}

void ProgressBar::draw(std::uint64_t bytes, std::uint64_t docs, bool /*final*/) {
  std::lock_guard lock(draw_mutex_);
  if (finished_) return;
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double fraction = total_ > 0 ? std::min(1.0, double(bytes) / double(total_)) : 0.0;
  constexpr int kWidth = 28;
  const int filled = static_cast<int>(fraction * kWidth);
  std::string bar(filled, '#');
  bar.resize(kWidth, '.');
  const double rate = secs > 0 ? double(bytes) / secs / 1e6 : 0.0;
  const double doc_rate = secs > 0 ? double(docs) / secs : 0.0;
  std::string eta = "--:--";
  if (fraction > 0.01 && fraction < 1.0) {
    const auto left = static_cast<long>(secs / fraction - secs);
    eta = fmt::format("{}:{:02}", left / 60, left % 60);
  }
  std::fprintf(stderr, "\r\033[K%s [%s] %3.0f%%  %.1f MB/s  %.0f docs/s  ETA %s", label_.c_str(),
               bar.c_str(), fraction * 100, rate, doc_rate, eta.c_str());
  std::fflush(stderr);
}

}  // namespace doppel
