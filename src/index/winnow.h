// Winnowing (Schleimer, Wilkerson & Aiken 2003, as MOSS does it): of every window of `window`
// consecutive n-gram keys, the smallest is selected (the rightmost one on a tie). Two texts that
// share a run of window + n - 1 words share the window's smallest key, so each selects it: with
// window = min_words - seed_words + 1, every passage with an exact run of min_words words has a
// selected n-gram in common with its source, while only about 2 / (window + 1) of the n-grams are
// kept. Pure function over spans.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace doppel {

// Replaces `positions` with the positions of the selected keys, increasing, each once. Fewer keys
// than the window: the smallest of them all. `scratch` is reused between calls.
void winnow(std::span<const std::uint64_t> keys, int window, std::vector<std::uint32_t>& positions,
            std::vector<std::uint32_t>& scratch);

}  // namespace doppel
