// libFuzzer target: normalization and tokenization of any valid UTF-8 text, with the steps chosen
// by the first byte. Every token must lie inside the canonical text and inside the original,
// in order, with its hash; the map back to source offsets must agree with a decoding count.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "text/normalize.h"
#include "text/source_offsets.h"
#include "text/utf8.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  doppel::NormalizeOptions options;
  options.nfkc = (data[0] & 1) != 0;
  options.case_fold = (data[0] & 2) != 0;
  options.fold_punctuation = (data[0] & 4) != 0;
  options.fold_whitespace = (data[0] & 8) != 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (doppel::find_invalid_utf8(text) != text.size()) return 0;
  doppel::NormalizedText norm;
  doppel::normalize(text, options, norm);
  if (norm.hashes.size() != norm.tokens.size()) __builtin_trap();
  // Words in order in the canonical text; their source spans in order of begin and of end (two
  // words can come from one source character: NFKC makes "¼" into "1⁄4").
  doppel::Token last{};
  for (std::size_t i = 0; i < norm.tokens.size(); ++i) {
    const doppel::Token& t = norm.tokens[i];
    if (t.begin >= t.end || t.end > norm.text.size() || t.begin < last.end) __builtin_trap();
    if (t.src_begin > t.src_end || t.src_end > text.size()) __builtin_trap();
    if (t.src_begin < last.src_begin || t.src_end < last.src_end) __builtin_trap();
    if (norm.hashes[i] != doppel::token_hash(norm.word(t))) __builtin_trap();
    last = t;
  }
  std::vector<doppel::SourceSpan> bytes, cps;
  doppel::word_byte_spans(norm.tokens, 0, bytes);
  doppel::word_code_point_spans(text, bytes, cps);
  for (std::size_t i = 0; i < cps.size(); ++i) {
    if (cps[i].begin != doppel::count_code_points(text.substr(0, bytes[i].begin)) ||
        cps[i].end != doppel::count_code_points(text.substr(0, bytes[i].end))) {
      __builtin_trap();
    }
  }
  return 0;
}
