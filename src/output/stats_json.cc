#include "output/stats_json.h"

#include <fmt/format.h>

namespace doppel {

void begin_stats(std::string& s, const ReadStats& st) {
  s += fmt::format("{{\n  \"version\": 1,\n  \"input_bytes\": {},\n", st.input_bytes);
}

void append_bad_input_counts(std::string& s, const ReadStats& st) {
  for (int k = 1; k < kReadStatusCount; ++k) {
    s += fmt::format(", \"{}\": {}", to_string(static_cast<ReadStatus>(k)), st.by_status[k]);
  }
}

void append_file_counts(std::string& s, const ReadStats& st, std::size_t files) {
  s += fmt::format(
      "  \"files\": {}, \"file_problems\": {}, \"blank_lines\": {}, \"synthesized_ids\": {},\n",
      files, st.file_problems, st.blank_lines, st.synthesized_ids);
}

void end_stats(std::string& s, const ReadStats& st, double seconds, std::uint64_t peak_rss_bytes) {
  const double total = seconds > 0 ? seconds : 1e-9;
  s += fmt::format("  \"mb_per_s\": {:.2f}, \"docs_per_s\": {:.1f},\n",
                   double(st.input_bytes) / total / 1e6, double(st.documents) / total);
  s += fmt::format("  \"peak_rss_bytes\": {}\n}}\n", peak_rss_bytes);
}

}  // namespace doppel
