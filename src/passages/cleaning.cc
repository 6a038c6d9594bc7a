#include "passages/cleaning.h"

#include <cctype>

namespace doppel {
namespace {

// Bytes of a closing mark at text[i] (ASCII punctuation, ’ ” »), or 0.
std::size_t closing_mark(std::string_view text, std::size_t i) {
  const auto c = static_cast<unsigned char>(text[i]);
  if (c < 0x80) return std::ispunct(c) != 0 ? 1 : 0;
  for (const std::string_view mark : {"\u2019", "\u201d", "\u00bb"}) {
    if (text.substr(i, mark.size()) == mark) return mark.size();
  }
  return 0;
}

// Bytes of an opening mark that ends at text[i] (" ' ( [ “ ‘ „ « ¿ ¡), or 0.
std::size_t opening_mark_before(std::string_view text, std::size_t i) {
  if (i == 0) return 0;
  const char c = text[i - 1];
  if (c == '"' || c == '\'' || c == '(' || c == '[') return 1;
  for (const std::string_view mark : {"\u201c", "\u2018", "\u201e", "\u00ab", "\u00bf", "\u00a1"}) {
    if (i >= mark.size() && text.substr(i - mark.size(), mark.size()) == mark) return mark.size();
  }
  return 0;
}

}  // namespace

std::vector<Cut> plan_cuts(std::string_view body, std::size_t body_offset,
                           std::span<const ByteSpan> spans) {
  std::vector<Cut> cuts;
  std::size_t covered = 0;  // the end of the last cut
  for (std::size_t k = 0; k < spans.size(); ++k) {
    std::size_t begin = spans[k].begin - body_offset;
    std::size_t end = spans[k].end - body_offset;
    // The marks that open its first word ("“The" or "(see"), where they open a word of their own
    // (after a space, or at the start): left behind, they would open nothing.
    std::size_t open = begin;
    while (open > covered) {
      const std::size_t n = opening_mark_before(body, open);
      if (n == 0 || open - n < covered) break;
      open -= n;
    }
    if (open < begin &&
        (open == 0 || std::isspace(static_cast<unsigned char>(body[open - 1])) != 0)) {
      begin = open;
    }
    while (end < body.size()) {
      const std::size_t n = closing_mark(body, end);
      if (n == 0) break;
      end += n;
    }
    const bool space_before =
        begin == 0 || std::isspace(static_cast<unsigned char>(body[begin - 1])) != 0;
    if (space_before) {
      while (end < body.size() && std::isspace(static_cast<unsigned char>(body[end])) != 0) ++end;
    }
    if (begin < covered) continue;
    cuts.push_back(Cut{begin, end, k});
    covered = end;
  }
  return cuts;
}

void apply_cuts(std::string_view body, std::span<const Cut> cuts, std::string& out) {
  std::size_t copied = 0;
  for (const Cut& c : cuts) {
    out.append(body.substr(copied, c.begin - copied));
    copied = c.end;
  }
  out.append(body.substr(copied));
}

}  // namespace doppel
