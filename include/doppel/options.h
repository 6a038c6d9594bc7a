// Options of every pipeline stage as plain structs with defaults. The same structs feed the CLI
// flags (tools/doppel/), the statistics file and, later, bindings. One comment per field gives
// its trade-off. Thread-safety: plain values.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "doppel/status.h"

namespace doppel {

class Env;

// How text is brought to a canonical form before it is compared (docs/normalization.md).
// Each step can be turned off; with all of them off, comparison is byte-exact.
struct NormalizeOptions {
  bool nfkc = true;       // Unicode NFKC: "ﬁ"→"fi", full-width→ASCII, "é" composed. Off:
                          // visually equal texts in different encodings stay different.
  bool case_fold = true;  // Unicode case folding: "Straße"→"strasse". Off: case matters.
  bool fold_punctuation = true;  // punctuation and symbols separate words and are dropped, so
                                 // "don't"="don’t"="don t". Off: they stay part of the words.
  bool fold_whitespace = true;   // any run of whitespace is one space; leading/trailing dropped.
                                 // Off: line wrapping and indentation count for exact duplicates.
  // U+200B ZERO WIDTH SPACE separates words. Off: it is removed like the other format
  // characters, as before 2026-12-07 (indexes of format versions 1 and 2 keep that rule).
  bool zero_width_space_breaks = true;
  // Each Han ideograph, kana and bopomofo letter is a word of its own, as Chinese and Japanese
  // are written without spaces between words; no space is put between two of them, and
  // whitespace alone between them (a wrapped line) leaves none. Off: a run of them is one word up
  // to the next space or punctuation, and whitespace a space, as before 2026-12-07 (indexes of
  // format versions 1 to 3 keep that rule).
  bool cjk_characters_are_words = true;
  // Thai, Lao, Khmer and Myanmar, also written without spaces between words, are cut into words
  // by ICU's dictionaries (its word break iterator); the canonical text is unchanged (no space is
  // put between them), only its words are. Off: a run of them is one word up to the next space,
  // as before 2026-12-07 (indexes of format versions 1 to 4 keep that rule).
  bool dictionary_words = true;
  // Step "hans" (off by default): each traditional Chinese character is read as its simplified
  // form (ICU's Traditional-Simplified, one character at a time), so that a story printed in
  // Taipei or Hong Kong and in Beijing compares as one text: "國內生產總值" is "国内生产总值".
  bool han_simplified = false;
};

// The steps as the command line names them: "nfkc", "case", "punct" and "space", joined by commas
// in any order, or "none". Read from `--normalize`, doppel.dedup(normalize=...) and an index's
// stored options; written in that order by normalize_spec().
Result<NormalizeOptions> parse_normalize(std::string_view spec);
std::string normalize_spec(const NormalizeOptions& options);

enum class ShingleKind { kWords, kChars };

struct ShingleOptions {
  ShingleKind kind = ShingleKind::kWords;  // words suit prose; characters suit short or
                                           // unsegmented text (no spaces) and OCR noise.
  int n = 5;  // shingle length in words (or characters). Smaller finds looser matches and more
              // false candidates; larger demands longer identical runs.
};

struct SketchOptions {
  int num_hashes = 128;  // MinHash bins. Estimation error ~ sqrt(J(1-J)/num_hashes); memory is
                         // 2 bytes per bin per document.
  std::uint64_t seed = 0x646f7070656c2121ULL;  // changes every hash; keep fixed for reproducibility
};

struct LshOptions {
  double threshold = 0.8;  // Jaccard similarity at or above which two documents are near duplicates
  int bands = 0;           // 0: chosen from threshold and num_hashes (see choose_bands_rows).
  int rows = 0;            // rows per band; bands*rows <= num_hashes. Set both or neither.
  std::size_t max_bucket_members = 64;  // the first this many members of a bucket are verified
                                        // in all pairs; each later one with the first member and
                                        // the `bucket_window` before it: linear, not quadratic.
  std::size_t bucket_window = 1;  // in [1, max_bucket_members - 1]. Wider finds more of a family
                                  // of near duplicates around the threshold, at that many times
                                  // the pairs of a big bucket (docs/architecture.md, step 4).
};

enum class VerifyMode {
  kSignature,  // estimate Jaccard from the signatures: fast, no extra memory, error ~0.035 at 0.8
  kExact,      // exact Jaccard of shingle sets: keeps 8 bytes per shingle of every document
};

// Which document of a cluster is kept in the deduplicated corpus.
enum class KeepPolicy {
  kFirst,     // first in input order
  kEarliest,  // earliest date; documents without a date count as latest; ties: first
  kLatest,    // latest date; documents without a date count as earliest; ties: first
  kLongest,   // most bytes of text; ties: first
};

enum class InputFormat {
  kAuto,   // by name: .jsonl, .ndjson, .json (each also .gz or .zst) and "-" are JSON Lines;
           // other files, and the files of directories, are plain text
  kJsonl,  // one JSON object per line
  kText,   // one document per file
};

enum class ErrorPolicy {
  kSkip,  // report the bad document (file, line, reason), count it, list it as removed, go on
  kFail,  // stop at the first bad document with its message
};

struct ReadOptions {
  InputFormat format = InputFormat::kAuto;  // see InputFormat
  std::string id_field = "id";              // JSON field with the document id (string or number)
  std::string text_field = "text";          // JSON field with the document text (string)
  std::string date_field = "date";          // optional JSON field carried along as the date
  std::size_t max_doc_bytes = 64u << 20;    // longer documents are bad input ("too_large");
                                            // bounds the memory a single line may take
  ErrorPolicy on_error = ErrorPolicy::kSkip;
  bool keep_stdin = false;  // standard input ("-"), and a named pipe or device given as input,
                            // is copied to an anonymous temporary file as it is read, so that
                            // writers can read the documents again (the deduplicated or cleaned
                            // corpus, the report). Off: nothing is stored, and those writers
                            // refuse such inputs.
  Env* env = nullptr;       // where files and standard input come from; null: default_env()
  // Each document needs an id of its own, of at most max_id_bytes bytes (0: any length): one
  // without (named "FILE:LINE", a name the next run gives another document), with an empty one
  // or with a longer one is bad input ("malformed_json"). `doppel index add` sets it: the index
  // keeps documents by id, and its service names them by id in URLs.
  bool require_ids = false;
  std::size_t max_id_bytes = 0;
  // Set to true (by another thread, or a signal handler), the call stops: dedup() and reuse()
  // at their next batch of input or their next stage, failing with StatusCode::kCancelled;
  // an index's add() and query() at their next document, as index.h says. The Python package
  // sets it on Ctrl-C.
  const std::atomic<bool>* stop = nullptr;
};

// The most threads a run or a service takes: more cores than doppel has been run on, and few
// enough that starting them cannot run the system out of threads (which would abort the process).
inline constexpr int kMaxThreads = 1024;

struct DedupOptions {
  ReadOptions read;
  NormalizeOptions normalize;
  ShingleOptions shingle;
  SketchOptions sketch;
  LshOptions lsh;
  VerifyMode verify = VerifyMode::kSignature;
  KeepPolicy keep = KeepPolicy::kFirst;
  int threads = 0;         // 0: every core. Throughput grows nearly linearly.
  bool progress = false;   // draw a progress bar on standard error
  bool keep_pairs = true;  // remember every verified near-duplicate pair (for --pairs)
};

}  // namespace doppel
