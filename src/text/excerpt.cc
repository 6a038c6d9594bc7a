#include "text/excerpt.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include <utf8proc.h>

#include "text/normalize.h"
#include "text/utf8.h"

namespace doppel {
namespace {

bool is_space(char32_t cp) {
  return cp == ' ' || (cp >= '\t' && cp <= '\r') || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
         cp == 0x205F || cp == 0x3000;
}

bool is_ascii_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// The length of the white space character that ends at text[end - 1], or 0.
std::size_t space_before(std::string_view text, std::size_t end) {
  if (is_ascii_space(text[end - 1])) return 1;
  std::size_t begin = end - 1;
  while (begin > 0 && end - begin < 4 && is_continuation(text[begin])) --begin;
  const std::string_view last = text.substr(begin, end - begin);
  if (find_invalid_utf8(last) != last.size()) return 0;
  char32_t cp = 0;
  return decode_utf8(last, 0, cp) == static_cast<int>(last.size()) && is_space(cp) ? last.size()
                                                                                   : 0;
}

// `text` without the white space at its ends.
std::string_view trimmed(std::string_view text) {
  while (!text.empty()) {
    const std::size_t n = space_before(text, text.size());
    if (n == 0) break;
    text.remove_suffix(n);
  }
  while (!text.empty()) {
    if (is_ascii_space(text.front())) {
      text.remove_prefix(1);
      continue;
    }
    const std::size_t lead = std::min<std::size_t>(text.size(), 4);
    std::size_t n = 1;
    while (n < lead && is_continuation(text[n])) ++n;
    const std::string_view first = text.substr(0, n);
    char32_t cp = 0;
    if (find_invalid_utf8(first) != first.size() ||
        decode_utf8(first, 0, cp) != static_cast<int>(n) || !is_space(cp)) {
      break;
    }
    text.remove_prefix(n);
  }
  return text;
}

// A text on one line, and where each of its code points starts.
struct Folded {
  std::string flat;
  std::vector<std::size_t> starts;
  std::size_t chars() const { return starts.size(); }
  std::size_t byte_at(std::size_t k) const { return k < starts.size() ? starts[k] : flat.size(); }
  bool is_space_at(std::size_t k) const { return k < starts.size() && flat[starts[k]] == ' '; }
  // Whether code point k is a combining mark (a Thai vowel sign, an accent): a cut before it
  // would leave the mark without its letter.
  bool is_mark_at(std::size_t k) const {
    const char32_t cp = non_ascii_at(k);
    if (cp == 0) return false;
    const auto category = utf8proc_category(static_cast<utf8proc_int32_t>(cp));
    return category == UTF8PROC_CATEGORY_MN || category == UTF8PROC_CATEGORY_MC ||
           category == UTF8PROC_CATEGORY_ME;
  }
  // Whether code point k is of Thai, Lao, Khmer or Myanmar (is_dictionary_script()).
  bool is_dictionary_at(std::size_t k) const {
    const char32_t cp = non_ascii_at(k);
    return cp != 0 && is_dictionary_script(cp);
  }
  // Code point k where it is not ASCII, else 0 (past the end too).
  char32_t non_ascii_at(std::size_t k) const {
    if (k >= starts.size() || static_cast<unsigned char>(flat[starts[k]]) < 0x80) return 0;
    char32_t cp = 0;
    decode_utf8(flat, starts[k], cp);
    return cp;
  }
  // The code point that starts at byte `byte` (one of `starts`).
  std::size_t index_at_byte(std::size_t byte) const {
    return static_cast<std::size_t>(std::lower_bound(starts.begin(), starts.end(), byte) -
                                    starts.begin());
  }
  // Where the run of Thai, Lao, Khmer or Myanmar around the cut before code point `cut` has a
  // break between words (ICU's dictionaries, on up to kContext code points either side) in code
  // points [lowest, highest]: the last such break (`last`) or the first; `cut` where none is.
  std::size_t dictionary_cut(std::size_t cut, std::size_t lowest, std::size_t highest,
                             bool last) const {
    constexpr std::size_t kContext = 64;
    if (cut == 0 || !is_dictionary_at(cut - 1) || !is_dictionary_at(cut)) return cut;
    std::size_t begin = cut - 1, end = cut + 1;
    while (begin > 0 && cut - begin < kContext && is_dictionary_at(begin - 1)) --begin;
    while (end < chars() && end - cut < kContext && is_dictionary_at(end)) ++end;
    const std::size_t base = byte_at(begin);
    const std::vector<std::size_t> breaks =
        dictionary_word_breaks(std::string_view(flat).substr(base, byte_at(end) - base));
    std::size_t found = cut;
    for (const std::size_t b : breaks) {
      const std::size_t k = index_at_byte(base + b);
      if (k < lowest || k > highest) continue;
      found = k;
      if (!last) break;
    }
    return found;
  }
};

// `text` folded, up to `limit` code points of the result.
Folded fold(std::string_view text, std::size_t limit = SIZE_MAX) {
  std::string valid;
  if (find_invalid_utf8(text) != text.size()) {
    valid = replace_invalid_utf8(text);
    text = valid;
  }
  Folded f;
  bool pending_space = false;
  for (std::size_t i = 0; i < text.size() && f.chars() < limit;) {
    char32_t cp = 0;
    const int n = decode_utf8(text, i, cp);
    if (is_space(cp)) {
      pending_space = !f.flat.empty();
    } else {
      if (pending_space) {
        f.starts.push_back(f.flat.size());
        f.flat.push_back(' ');
        pending_space = false;
        if (f.chars() == limit) break;
      }
      f.starts.push_back(f.flat.size());
      f.flat.append(text.substr(i, static_cast<std::size_t>(n)));
    }
    i += static_cast<std::size_t>(n);
  }
  return f;
}

// The end of a text is folded from its last bytes only (a document of 64 MiB would otherwise be
// folded whole, at 9 bytes a code point, for a few dozen of them).
constexpr std::size_t kTailBytes = std::size_t{64} << 10;

}  // namespace

std::string excerpt(std::string_view text, std::size_t max_chars) {
  max_chars = std::max<std::size_t>(max_chars, 9);
  // White space at the ends, however long, is no part of it.
  text = trimmed(text);
  // The start, folded only as far as needed: the whole text where that is all of it.
  const Folded head = fold(text, max_chars + 1);
  if (head.chars() <= max_chars) return head.flat;
  // The end, from a character's start among the last kTailBytes.
  std::size_t from = text.size() > kTailBytes ? text.size() - kTailBytes : 0;
  while (from > 0 && from < text.size() && is_continuation(text[from])) ++from;
  const Folded tail = fold(text.substr(from));

  constexpr std::string_view kJoin = " \u2026 ";  // three code points
  const std::size_t room = max_chars - 3;
  const std::size_t head_chars = room - room / 3;  // below head.chars()
  // The head ends before a space among its last third, else after head_chars code points.
  std::size_t head_end = head_chars;
  for (std::size_t k = head_chars; k + head_chars / 3 >= head_chars && k > 0; --k) {
    if (head.is_space_at(k)) {
      head_end = k;
      break;
    }
  }
  // Thai, Lao, Khmer and Myanmar, written without spaces: at a break between words in its last
  // third, where ICU's dictionaries find one.
  if (head_end == head_chars) {
    head_end = head.dictionary_cut(head_end, head_chars - head_chars / 3, head_chars, true);
  }
  // The tail has the room the head left, and starts after a space among its first half, else
  // that many code points from the end. (A fixed third of the room, with a space looked for only
  // in its first third, began many tails inside a word, "… merica's interest".)
  const std::size_t tail_chars = std::min(room - head_end, tail.chars());
  std::size_t tail_begin = tail.chars() - tail_chars;
  const bool word_start = tail_begin > 0 && tail.is_space_at(tail_begin - 1);
  for (std::size_t k = tail_begin;
       !word_start && k < tail_begin + std::max<std::size_t>(tail_chars / 2, 1); ++k) {
    if (tail.is_space_at(k)) {
      tail_begin = k + 1;
      break;
    }
  }
  if (!word_start && tail_begin == tail.chars() - tail_chars) {
    tail_begin = tail.dictionary_cut(tail_begin, tail_begin, tail_begin + tail_chars / 2, false);
  }
  // Text without spaces is cut between characters, not between a letter and its marks (a few:
  // a run of marks with no letter is cut where it was).
  constexpr std::size_t kMarks = 4;
  for (std::size_t k = 0; k < kMarks && head_end > 1 && head.is_mark_at(head_end); ++k) --head_end;
  std::size_t after = tail_begin;
  while (after < tail.chars() && after - tail_begin < kMarks && tail.is_mark_at(after)) ++after;
  // A mark alone between spaces: the end starts after the space that follows it.
  if (after != tail_begin && after < tail.chars() && tail.is_space_at(after)) ++after;
  if (after < tail.chars() && !tail.is_mark_at(after)) tail_begin = after;
  std::string out = head.flat.substr(0, head.byte_at(head_end));
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (tail_begin == tail.chars()) return out + " \u2026";  // no end to show (bytes not UTF-8)
  out += kJoin;
  out += tail.flat.substr(tail.byte_at(tail_begin));
  return out;
}

}  // namespace doppel
