// The --stats file of reuse (docs/formats.md), for one process and for a distributed run, whose
// file has one more line: the ranks and the bytes they sent.
#pragma once

#include <string_view>

#include "doppel/reuse.h"

namespace doppel {

// write_reuse_stats() with `ranks_line` (a whole line, or empty) before the seconds.
Status write_reuse_stats_with(const ReuseResult& result, const ReuseOptions& options,
                              std::string_view ranks_line, OutputStream& out);

}  // namespace doppel
