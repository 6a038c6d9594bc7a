// The HTML report: one self-contained file (styles, script and data inlined, no network) that
// shows what a dedup and a reuse run over the same corpus found. docs/report.md describes it.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "doppel/corpus.h"
#include "doppel/dedup.h"
#include "doppel/output.h"
#include "doppel/reuse.h"
#include "doppel/status.h"

namespace doppel {

struct ReportOptions {
  std::string title = "doppel report";
  std::string generator;      // shown in the footer, e.g. "doppel 0.1.0"
  int text_block_docs = 256;  // document texts are stored in blocks of this many documents,
                              // each parsed by the browser only when one of them is shown
  // ... and of at most this many bytes of text (a larger document is a block alone): a browser
  // cannot make a string of more than about 2^29 characters, and JSON escapes a byte into up to
  // six. At least 1.
  std::uint64_t text_block_bytes = std::uint64_t{32} << 20;
};

// Whether the options can be used.
Status validate_options(const ReportOptions& options);

// Both jobs over one reading of the inputs: each document is read, parsed and normalized once,
// then sketched for dedup and kept as words for reuse. The two option sets must read and
// normalize alike (`dedup.read` and `dedup.normalize` are used for both; `reuse.read` and
// `reuse.normalize` must equal them), and `threads` and `progress` are taken from `dedup`.
// The results are those dedup() and reuse() give on their own.
struct DedupAndReuse {
  DedupResult dedup;
  ReuseResult reuse;
};
Result<DedupAndReuse> dedup_and_reuse(std::span<const std::string> inputs,
                                      const DedupOptions& dedup, const ReuseOptions& reuse,
                                      const ProblemCallback& on_problem = {});

// Writes the report of `dedup` and `reuse`, two runs over the same corpus (it fails if their
// documents differ). The inputs are read once more for the text of each document (standard
// input needs ReadOptions::keep_stdin). Document text is escaped: nothing from the corpus can
// end up as markup or script.
Status write_html_report(const DedupResult& dedup, const ReuseResult& reuse,
                         const ReportOptions& options, OutputStream& out);

}  // namespace doppel
