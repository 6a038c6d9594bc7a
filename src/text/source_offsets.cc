#include "text/source_offsets.h"

namespace doppel {

std::uint64_t count_code_points(std::string_view text) {
  std::uint64_t n = 0;
  for (const char c : text) n += starts_code_point(c);
  return n;
}

}  // namespace doppel
