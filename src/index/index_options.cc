// The index's matching options: checked, stored as text, read back, compared.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <sstream>

#include "doppel/index.h"
#include "index/features.h"
#include "index/index_internal.h"
#include "jobs/job_common.h"

namespace doppel {
namespace {

template <typename T>
bool parse_number(const std::string& text, T& out) {
  if constexpr (std::is_floating_point_v<T>) {
    std::istringstream in(text);
    in >> out;
    return !in.fail() && in.eof();
  } else {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size();
  }
}

}  // namespace

std::vector<std::pair<std::string, std::string>> option_values(const IndexOptions& o) {
  return {
      {"normalize", normalize_spec(o.normalize)},
      {"shingle", o.shingle.kind == ShingleKind::kWords ? "word" : "char"},
      {"ngram", fmt::format("{}", o.shingle.n)},
      {"hashes", fmt::format("{}", o.sketch.num_hashes)},
      {"seed", fmt::format("{}", o.sketch.seed)},
      {"threshold", fmt::format("{}", o.lsh.threshold)},
      {"bands", fmt::format("{}", o.lsh.bands)},
      {"rows", fmt::format("{}", o.lsh.rows)},
      {"max_bucket_members", fmt::format("{}", o.lsh.max_bucket_members)},
      {"bucket_window", fmt::format("{}", bucket_rule_of(o.lsh).window)},
      {"seed_words", fmt::format("{}", o.seed_words)},
      {"min_words", fmt::format("{}", o.min_words)},
      {"min_similarity", fmt::format("{}", o.min_similarity)},
      {"band", fmt::format("{}", o.band)},
      {"max_unmatched", fmt::format("{}", o.max_unmatched)},
      {"max_gap", fmt::format("{}", o.max_gap)},
      {"all_pairs_docs", fmt::format("{}", o.all_pairs_docs)},
      {"max_candidates", fmt::format("{}", o.max_candidates)},
      {"winnow_window", fmt::format("{}", o.winnow_window)},
      {"passages", o.passages ? "on" : "off"},
  };
}

std::string to_string(const IndexOptions& options) {
  std::string s;
  for (const auto& [name, value] : option_values(options)) s += fmt::format("{} {}\n", name, value);
  return s;
}

Result<IndexOptions> parse_options(const std::string& text) {
  IndexOptions o;  // an index made before `bucket_window` was stored has the default, 1
  std::istringstream in(text);
  std::string name, value;
  while (in >> name >> value) {
    bool good = true;
    if (name == "normalize") {
      auto parsed = parse_normalize(value);
      good = parsed.ok();
      if (good) o.normalize = *parsed;
    } else if (name == "shingle") {
      good = value == "word" || value == "char";
      o.shingle.kind = value == "char" ? ShingleKind::kChars : ShingleKind::kWords;
    } else if (name == "ngram") {
      good = parse_number(value, o.shingle.n);
    } else if (name == "hashes") {
      good = parse_number(value, o.sketch.num_hashes);
    } else if (name == "seed") {
      good = parse_number(value, o.sketch.seed);
    } else if (name == "threshold") {
      good = parse_number(value, o.lsh.threshold);
    } else if (name == "bands") {
      good = parse_number(value, o.lsh.bands);
    } else if (name == "rows") {
      good = parse_number(value, o.lsh.rows);
    } else if (name == "max_bucket_members") {
      good = parse_number(value, o.lsh.max_bucket_members);
    } else if (name == "bucket_window") {
      good = parse_number(value, o.lsh.bucket_window) && o.lsh.bucket_window >= 1;
    } else if (name == "seed_words") {
      good = parse_number(value, o.seed_words);
    } else if (name == "min_words") {
      good = parse_number(value, o.min_words);
    } else if (name == "min_similarity") {
      good = parse_number(value, o.min_similarity);
    } else if (name == "band") {
      good = parse_number(value, o.band);
    } else if (name == "max_unmatched") {
      good = parse_number(value, o.max_unmatched);
    } else if (name == "max_gap") {
      good = parse_number(value, o.max_gap);
    } else if (name == "all_pairs_docs") {
      good = parse_number(value, o.all_pairs_docs);
    } else if (name == "max_candidates") {
      good = parse_number(value, o.max_candidates);
    } else if (name == "winnow_window") {
      good = parse_number(value, o.winnow_window);
    } else if (name == "passages") {
      good = value == "on" || value == "off";
      o.passages = value == "on";
    } else {
      return Status::IoError(fmt::format("unknown stored option \"{}\"", name));
    }
    if (!good) {
      return Status::IoError(fmt::format("stored option {} has a bad value \"{}\"", name, value));
    }
  }
  if (o.lsh.max_bucket_members >= 2 && o.lsh.bucket_window >= o.lsh.max_bucket_members) {
    return Status::IoError(
        fmt::format("stored option bucket_window {} is not below max_bucket_members {}",
                    o.lsh.bucket_window, o.lsh.max_bucket_members));
  }
  return o;
}

std::string option_differences(const IndexOptions& stored, const IndexOptions& asked,
                               std::span<const std::string> names) {
  // The values in force: an index made with the LSH shape or the winnowing window left to their
  // defaults (0) uses the ones they stand for, and asking for those is no difference. What was
  // asked stands for a value in force with the index's own options where none were given (the
  // asked ones there are the front end's defaults).
  auto given = [&](std::string_view name) {
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  auto in_force = [](IndexOptions o) {
    const LshShape shape = lsh_shape_of(o);
    o.lsh.bands = shape.bands;
    o.lsh.rows = shape.rows;
    o.winnow_window = winnow_window_of(o);
    return o;
  };
  IndexOptions merged = stored;
  if (given("threshold")) merged.lsh.threshold = asked.lsh.threshold;
  if (given("hashes")) merged.sketch.num_hashes = asked.sketch.num_hashes;
  if (given("bands")) merged.lsh.bands = asked.lsh.bands;
  if (given("rows")) merged.lsh.rows = asked.lsh.rows;
  if (given("bucket_window")) merged.lsh.bucket_window = asked.lsh.bucket_window;
  if (given("min_words")) merged.min_words = asked.min_words;
  if (given("seed_words")) merged.seed_words = asked.seed_words;
  if (given("winnow_window")) merged.winnow_window = asked.winnow_window;
  const IndexOptions have_options = in_force(stored);
  const IndexOptions want_options = in_force(merged);
  std::map<std::string, std::string> want;
  for (auto& [name, value] : option_values(asked)) want[name] = value;
  for (auto& [name, value] : option_values(want_options)) {
    if (name == "bands" || name == "rows" || name == "winnow_window") want[name] = value;
  }
  std::string diffs;
  for (const auto& [name, value] : option_values(have_options)) {
    if (std::find(names.begin(), names.end(), name) == names.end()) continue;
    if (want[name] == value) continue;
    diffs +=
        fmt::format("{}`{}` {} (asked: {})", diffs.empty() ? "" : ", ", name, value, want[name]);
  }
  return diffs;
}

Status validate_options(const IndexReadOptions& o) {
  if (o.batch_docs < 1) return Status::InvalidArgument("`batch` must be at least 1");
  return validate_read(o.read, o.threads);
}

Status validate_options(const IndexOptions& o) {
  DOPPEL_RETURN_IF_ERROR(validate_matching(o.shingle, o.sketch, o.lsh));
  if (o.lsh.max_bucket_members < 2) {
    return Status::InvalidArgument("`max_bucket_members` must be at least 2");
  }
  DOPPEL_RETURN_IF_ERROR(validate_passage_sizes(o.seed_words, o.min_words, o.min_similarity));
  if (o.band < 0 || o.band > 1000) return Status::InvalidArgument("`band` must be in [0, 1000]");
  if (o.max_unmatched < 0 || o.max_unmatched > 10000) {
    return Status::InvalidArgument("`max_unmatched` must be in [0, 10000]");
  }
  if (o.max_gap < 1 || o.max_gap > 10000) {
    return Status::InvalidArgument("`max_gap` must be in [1, 10000]");
  }
  if (o.all_pairs_docs < 2 || o.all_pairs_docs > 1000) {
    return Status::InvalidArgument("`all_pairs_docs` must be in [2, 1000]");
  }
  if (o.max_candidates < 0) return Status::InvalidArgument("`max_candidates` must be >= 0");
  if (o.winnow_window < 0 || o.winnow_window > 1000) {
    return Status::InvalidArgument("`winnow_window` must be in [0, 1000]");
  }
  return Status::Ok();
}

}  // namespace doppel
