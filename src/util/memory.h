// Process memory figures for summaries and benchmarks. Thread-safe (reads /proc and getrusage).
#pragma once

#include <cstdint>

namespace doppel {

// Peak resident set size of this process so far, in bytes.
std::uint64_t peak_rss_bytes();

}  // namespace doppel
