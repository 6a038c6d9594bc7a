// The parts of every job's --stats file that describe reading (docs/formats.md): input size,
// documents by status, files, rates and memory. Each job adds its own sections in between.
#pragma once

#include <cstdint>
#include <string>

#include "doppel/corpus.h"

namespace doppel {

// `{`, "version" and "input_bytes".
void begin_stats(std::string& s, const ReadStats& st);
// `, "reason": count` for every bad-input reason.
void append_bad_input_counts(std::string& s, const ReadStats& st);
// The "files", "file_problems", "blank_lines" and "synthesized_ids" line.
void append_file_counts(std::string& s, const ReadStats& st, std::size_t files);
// "mb_per_s", "docs_per_s" (over `seconds`), "peak_rss_bytes" and `}`.
void end_stats(std::string& s, const ReadStats& st, double seconds, std::uint64_t peak_rss_bytes);

}  // namespace doppel
