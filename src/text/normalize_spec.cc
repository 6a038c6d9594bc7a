// The normalization steps by name: one reader and one writer for the command line, the Python
// bindings and an index's stored options.
#include <fmt/format.h>

#include <algorithm>

#include "doppel/options.h"

namespace doppel {

Result<NormalizeOptions> parse_normalize(std::string_view spec) {
  NormalizeOptions out{false, false, false, false};
  if (spec == "none") return out;
  std::size_t start = 0;
  while (start <= spec.size()) {
    const std::size_t comma = std::min(spec.find(',', start), spec.size());
    const std::string_view part = spec.substr(start, comma - start);
    if (part == "nfkc") {
      out.nfkc = true;
    } else if (part == "case") {
      out.case_fold = true;
    } else if (part == "punct") {
      out.fold_punctuation = true;
    } else if (part == "space") {
      out.fold_whitespace = true;
    } else if (part == "hans") {
      out.han_simplified = true;
    } else {
      return Status::InvalidArgument(fmt::format(
          "`normalize`: unknown step \"{}\" (steps: nfkc, case, punct, space, hans; or none)",
          part));
    }
    start = comma + 1;
  }
  return out;
}

std::string normalize_spec(const NormalizeOptions& options) {
  std::string spec;
  auto add = [&](bool on, std::string_view name) {
    if (!on) return;
    if (!spec.empty()) spec += ',';
    spec += name;
  };
  add(options.nfkc, "nfkc");
  add(options.case_fold, "case");
  add(options.fold_punctuation, "punct");
  add(options.fold_whitespace, "space");
  add(options.han_simplified, "hans");
  return spec.empty() ? "none" : spec;
}

}  // namespace doppel
