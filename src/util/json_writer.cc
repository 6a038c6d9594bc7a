#include "util/json_writer.h"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <array>
#include <cmath>
#include <iterator>
#include <string_view>

namespace doppel {

namespace {

// Bytes a JSON string cannot hold as they are (control characters, '"' and '\\'), and those kept
// out of it so that it can sit in HTML ('<', '>', '&').
constexpr std::array<bool, 256> make_needs_escape() {
  std::array<bool, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[static_cast<std::size_t>(c)] = true;
  for (const char c : {'"', '\\', '<', '>', '&'}) t[static_cast<unsigned char>(c)] = true;
  return t;
}
constexpr auto kNeedsEscape = make_needs_escape();

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  std::size_t run = 0;  // start of the pending run of bytes that need no escape
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (!kNeedsEscape[c]) [[likely]]
      continue;
    out.append(text.substr(run, i - run));
    run = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += "\\u00";
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 15]);
    }
  }
  out.append(text.substr(run));
  out.push_back('"');
}

void append_json_number(std::string& out, double value) {
  if (!std::isfinite(value)) {
    out += "null";
    return;
  }
  fmt::memory_buffer buf;  // on the stack up to 500 bytes; any double fits
  fmt::format_to(std::back_inserter(buf), FMT_COMPILE("{:.4f}"), value);
  std::string_view s(buf.data(), buf.size());
  while (!s.empty() && s.back() == '0') s.remove_suffix(1);
  if (!s.empty() && s.back() == '.') s.remove_suffix(1);
  if (s == "-0") s = "0";
  out += s;
}

void append_optional_json_field(std::string& out, std::string_view name, std::string_view value) {
  if (value.empty()) return;
  out += ",\"";
  out += name;
  out += "\":";
  append_json_string(out, value);
}

}  // namespace doppel
