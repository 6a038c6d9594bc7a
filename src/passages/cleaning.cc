#include "passages/cleaning.h"

#include <cctype>

namespace doppel {
namespace {

// Bytes of a closing mark at text[i] (ASCII punctuation, ’ ” », and the full-width and
// ideographic marks of Chinese and Japanese: 。、，．！？；：…」』）】》〉〕］｝〗〙＂＇), or 0.
std::size_t closing_mark(std::string_view text, std::size_t i) {
  const auto c = static_cast<unsigned char>(text[i]);
  if (c < 0x80) return std::ispunct(c) != 0 ? 1 : 0;
  for (const std::string_view mark :
       {"\u2019", "\u201d", "\u00bb", "\u3002", "\u3001", "\uff0c", "\uff0e", "\uff01", "\uff1f",
        "\uff1b", "\uff1a", "\u2026", "\u300d", "\u300f", "\uff09", "\u3011", "\u300b", "\u3009",
        "\u3015", "\uff3d", "\uff5d", "\u3017", "\u3019", "\uff02", "\uff07"}) {
    if (text.substr(i, mark.size()) == mark) return mark.size();
  }
  return 0;
}

struct OpeningMark {
  std::size_t bytes = 0;  // 0: none
  bool full_width = false;
};

// The opening mark that ends at text[i] (" ' ( [ “ ‘ „ « ¿ ¡, and the full-width
// 「『（【《〈〔［｛〖〘).
OpeningMark opening_mark_before(std::string_view text, std::size_t i) {
  if (i == 0) return {};
  const char c = text[i - 1];
  if (c == '"' || c == '\'' || c == '(' || c == '[') return {1, false};
  for (const std::string_view mark : {"\u201c", "\u2018", "\u201e", "\u00ab", "\u00bf", "\u00a1"}) {
    if (i >= mark.size() && text.substr(i - mark.size(), mark.size()) == mark) {
      return {mark.size(), false};
    }
  }
  for (const std::string_view mark : {"\u300c", "\u300e", "\uff08", "\u3010", "\u300a", "\u3008",
                                      "\u3014", "\uff3b", "\uff5b", "\u3016", "\u3018"}) {
    if (i >= mark.size() && text.substr(i - mark.size(), mark.size()) == mark) {
      return {mark.size(), true};
    }
  }
  return {};
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
    // A full-width mark opens the word after it wherever it stands: Chinese and Japanese put no
    // space before it.
    std::size_t open = begin;
    std::size_t full_width_open = begin;  // the full-width marks right before the word alone
    bool all_full_width = true;           // an ASCII or Latin mark needs a space before it
    while (open > covered) {
      const OpeningMark mark = opening_mark_before(body, open);
      if (mark.bytes == 0 || open - mark.bytes < covered) break;
      open -= mark.bytes;
      all_full_width &= mark.full_width;
      if (all_full_width) full_width_open = open;
    }
    if (open < begin && (open == 0 || all_full_width ||
                         std::isspace(static_cast<unsigned char>(body[open - 1])) != 0)) {
      begin = open;
    } else {
      begin = full_width_open;
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
