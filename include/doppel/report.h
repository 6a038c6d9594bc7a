// The HTML report: one self-contained file (styles, script and data inlined, no network) that
// shows what a dedup and a reuse run over the same corpus found. docs/report.md describes it.
#pragma once

#include <cstdio>
#include <string>

#include "doppel/dedup.h"
#include "doppel/reuse.h"
#include "doppel/status.h"

namespace doppel {

struct ReportOptions {
  std::string title = "doppel report";
  std::string generator;      // shown in the footer, e.g. "doppel 0.1.0"
  int text_block_docs = 256;  // document texts are stored in blocks of this many documents,
                              // each parsed by the browser only when one of them is shown
};

// Writes the report of `dedup` and `reuse`, two runs over the same inputs with the same read
// options (it fails if their documents differ). The inputs are read once more for the text of each
// document (`stdin_copy_path` replaces standard input). Document text is escaped: nothing from
// the corpus can end up as markup or script.
Status write_html_report(const DedupResult& dedup, const ReuseResult& reuse,
                         const ReadOptions& read, const std::string& stdin_copy_path,
                         const ReportOptions& options, std::FILE* out);

}  // namespace doppel
