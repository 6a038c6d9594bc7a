#include "io/stats_json.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

namespace doppel {

void begin_stats(std::string& s, const DedupStats& st) {
  s += fmt::format("{{\n  \"version\": 1,\n  \"input_bytes\": {},\n", st.input_bytes);
}

void append_status_counts(std::string& s, const DedupStats& st, DocStatus first) {
  for (int k = static_cast<int>(first); k < kNumDocStatus; ++k) {
    s += fmt::format(", \"{}\": {}", to_string(static_cast<DocStatus>(k)), st.by_status[k]);
  }
}

void append_file_counts(std::string& s, const DedupResult& r) {
  s += fmt::format(
      "  \"files\": {}, \"file_problems\": {}, \"blank_lines\": {}, \"synthesized_ids\": {},\n",
      r.inputs.size(), r.file_problem_count(), r.stats.blank_lines, r.stats.synthesized_ids);
}

Status end_stats(std::string& s, const DedupStats& st, std::FILE* out) {
  const double total = st.seconds.total > 0 ? st.seconds.total : 1e-9;
  s += fmt::format("  \"mb_per_s\": {:.2f}, \"docs_per_s\": {:.1f},\n",
                   double(st.input_bytes) / total / 1e6, double(st.documents) / total);
  s += fmt::format("  \"peak_rss_bytes\": {}\n}}\n", st.peak_rss_bytes);
  if (std::fwrite(s.data(), 1, s.size(), out) != s.size() || std::fflush(out) != 0) {
    return Status::IoError(fmt::format("write failed: {}", std::strerror(errno)));
  }
  return Status::Ok();
}

}  // namespace doppel
