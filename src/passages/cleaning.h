// What is new in a document: its text with the reused passages cut out. Which passages are cut
// (those found in at least `min_docs` documents, except in their source with `keep_source`), and
// how much of the text around each goes with it (the punctuation that closes its last word, and
// the whitespace after it), so that what is left reads cleanly. Pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace doppel {

struct CleaningPolicy {
  std::uint32_t min_docs = 2;  // cut passages found in at least this many documents
  bool keep_source = false;    // ... except in the document that published them first
};

// Whether an occurrence of a passage found in `documents` documents is cut.
inline bool is_cut(const CleaningPolicy& policy, std::uint32_t documents, bool in_source) {
  return documents >= policy.min_docs && !(policy.keep_source && in_source);
}

// The bytes [begin, end) of the body a cut removes, and which occurrence it removes.
struct Cut {
  std::size_t begin = 0, end = 0;
  std::size_t occurrence = 0;  // index into the spans given to plan_cuts
};

// A byte span of the source text (see text/source_offsets.h).
struct ByteSpan {
  std::uint64_t begin = 0, end = 0;
};

// The cuts for the occurrences `spans` (source bytes, increasing), in a body that starts at
// `body_offset` of the source: each extended over the marks that open its first word ("“The",
// where a space or the start comes before them), over the punctuation that closes its last word
// ("units." or "units,”") and, when whitespace comes before it, over the whitespace after it, so
// that neither stray punctuation nor a double blank is left. An occurrence that starts inside an
// earlier cut is left out.
std::vector<Cut> plan_cuts(std::string_view body, std::size_t body_offset,
                           std::span<const ByteSpan> spans);

// Appends the body without the cuts to `out`.
void apply_cuts(std::string_view body, std::span<const Cut> cuts, std::string& out);

}  // namespace doppel
