#include "text/excerpt.h"

#include <algorithm>
#include <vector>

#include "text/utf8.h"

namespace doppel {
namespace {

bool is_space(char32_t cp) {
  return cp == ' ' || (cp >= '\t' && cp <= '\r') || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
         cp == 0x205F || cp == 0x3000;
}

// A text on one line, and where each of its code points starts.
struct Folded {
  std::string flat;
  std::vector<std::size_t> starts;
  std::size_t chars() const { return starts.size(); }
  std::size_t byte_at(std::size_t k) const { return k < starts.size() ? starts[k] : flat.size(); }
  bool is_space_at(std::size_t k) const { return k < starts.size() && flat[starts[k]] == ' '; }
};

Folded fold(std::string_view text) {
  std::string valid;
  if (find_invalid_utf8(text) != text.size()) {
    valid = replace_invalid_utf8(text);
    text = valid;
  }
  Folded f;
  bool pending_space = false;
  for (std::size_t i = 0; i < text.size();) {
    char32_t cp = 0;
    const int n = decode_utf8(text, i, cp);
    if (is_space(cp)) {
      pending_space = !f.flat.empty();
    } else {
      if (pending_space) {
        f.starts.push_back(f.flat.size());
        f.flat.push_back(' ');
        pending_space = false;
      }
      f.starts.push_back(f.flat.size());
      f.flat.append(text.substr(i, static_cast<std::size_t>(n)));
    }
    i += static_cast<std::size_t>(n);
  }
  return f;
}

// A long text's excerpt is made of its first and last bytes only (a document of 64 MiB would
// otherwise be folded whole, at 9 bytes a code point, for 74 of them).
constexpr std::size_t kScanBytes = std::size_t{64} << 10;

}  // namespace

std::string excerpt(std::string_view text, std::size_t max_chars) {
  max_chars = std::max<std::size_t>(max_chars, 9);
  const bool long_text = text.size() > 2 * kScanBytes;
  // (A cut through a character makes it U+FFFD there, far from the parts kept.)
  const Folded head = fold(long_text ? text.substr(0, kScanBytes) : text);
  if (!long_text && head.chars() <= max_chars) return head.flat;
  const Folded tail_text = long_text ? fold(text.substr(text.size() - kScanBytes)) : Folded();
  const Folded& tail = long_text ? tail_text : head;

  constexpr std::string_view kJoin = " \u2026 ";  // three code points
  const std::size_t room = max_chars - 3;
  const std::size_t head_chars = std::min(room - room / 3, head.chars());
  const std::size_t tail_chars = std::min(room / 3, tail.chars());
  // The head ends before a space among its last quarter, else after head_chars code points.
  std::size_t head_end = head_chars;
  for (std::size_t k = head_chars; k > head_chars - std::max<std::size_t>(head_chars / 4, 1); --k) {
    if (head.is_space_at(k)) {
      head_end = k;
      break;
    }
  }
  // The tail starts after a space among its first third, else tail_chars code points from the end.
  std::size_t tail_begin = tail.chars() - tail_chars;
  for (std::size_t k = tail_begin; k < tail_begin + std::max<std::size_t>(tail_chars / 3, 1); ++k) {
    if (tail.is_space_at(k)) {
      tail_begin = k + 1;
      break;
    }
  }
  std::string out = head.flat.substr(0, head.byte_at(head_end));
  while (!out.empty() && out.back() == ' ') out.pop_back();
  out += kJoin;
  out += tail.flat.substr(tail.byte_at(tail_begin));
  return out;
}

}  // namespace doppel
