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

}  // namespace

std::string excerpt(std::string_view text, std::size_t max_chars) {
  max_chars = std::max<std::size_t>(max_chars, 9);
  std::string valid;
  if (find_invalid_utf8(text) != text.size()) {
    valid = replace_invalid_utf8(text);
    text = valid;
  }
  // The text on one line, and where each of its code points starts.
  std::string flat;
  std::vector<std::size_t> starts;
  bool pending_space = false;
  for (std::size_t i = 0; i < text.size();) {
    char32_t cp = 0;
    const int n = decode_utf8(text, i, cp);
    if (is_space(cp)) {
      pending_space = !flat.empty();
    } else {
      if (pending_space) {
        starts.push_back(flat.size());
        flat.push_back(' ');
        pending_space = false;
      }
      starts.push_back(flat.size());
      flat.append(text.substr(i, static_cast<std::size_t>(n)));
    }
    i += static_cast<std::size_t>(n);
  }
  const std::size_t chars = starts.size();
  if (chars <= max_chars) return flat;
  auto byte_at = [&](std::size_t k) { return k < chars ? starts[k] : flat.size(); };
  auto is_space_at = [&](std::size_t k) { return flat[starts[k]] == ' '; };

  constexpr std::string_view kJoin = " \u2026 ";  // three code points
  const std::size_t room = max_chars - 3;
  const std::size_t head_chars = room - room / 3;
  const std::size_t tail_chars = room / 3;
  // The head ends before a space among its last quarter, else after head_chars code points.
  std::size_t head_end = head_chars;
  for (std::size_t k = head_chars; k > head_chars - std::max<std::size_t>(head_chars / 4, 1); --k) {
    if (is_space_at(k)) {
      head_end = k;
      break;
    }
  }
  // The tail starts after a space among its first third, else tail_chars code points from the end.
  std::size_t tail_begin = chars - tail_chars;
  for (std::size_t k = tail_begin; k < tail_begin + std::max<std::size_t>(tail_chars / 3, 1); ++k) {
    if (is_space_at(k)) {
      tail_begin = k + 1;
      break;
    }
  }
  std::string out = flat.substr(0, byte_at(head_end));
  while (!out.empty() && out.back() == ' ') out.pop_back();
  out += kJoin;
  out += flat.substr(byte_at(tail_begin));
  return out;
}

}  // namespace doppel
