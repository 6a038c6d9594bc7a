// The parts of every job's --stats file that describe reading (docs/formats.md): input size,
// documents by status, files, rates and memory. Each job adds its own sections in between.
#pragma once

#include <cstdio>
#include <string>

#include "doppel/dedup.h"
#include "doppel/status.h"

namespace doppel {

// `{`, "version" and "input_bytes".
void begin_stats(std::string& s, const DedupStats& st);
// `, "reason": count` for every status from `first` on.
void append_status_counts(std::string& s, const DedupStats& st, DocStatus first);
// The "files", "file_problems", "blank_lines" and "synthesized_ids" line.
void append_file_counts(std::string& s, const DedupResult& r);
// "mb_per_s", "docs_per_s", "peak_rss_bytes" and `}`; then writes `s` to `out`.
Status end_stats(std::string& s, const DedupStats& st, std::FILE* out);

}  // namespace doppel
