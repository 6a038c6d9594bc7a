// The corpus: every document a run read, in input order, with its id, date, where it came from
// and how reading it went (bad input and its reasons), and the figures of the reading. Every job
// (dedup, reuse, the report, the index) reads through the same stage and describes what it read
// with these types; what a job then decides about a document is the job's own (dedup.h, reuse.h).
//
// Thread-safety: plain values; a Corpus is safe to read from many threads.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "doppel/options.h"

namespace doppel {

// How reading a document went. Everything but kOk is bad input: the document takes no part in
// any comparison (docs/input.md gives the policy of each).
enum class ReadStatus : std::uint8_t {
  kOk = 0,         // read, with words to compare
  kMalformedJson,  // the line is not a JSON object, or its id is neither a string nor an integer
  kMissingText,    // no text field, or it is not a string
  kInvalidUtf8,    // bytes that are not UTF-8
  kEmptyText,      // no word left after normalization
  kDuplicateId,    // an id seen earlier in the input
  kTooLarge,       // more than ReadOptions::max_doc_bytes
  kBinaryFile,     // NUL bytes: not text
  kTruncated,      // cut short by the end of a truncated compressed file
  kUnreadable,     // the file could not be read
};

// The stable snake_case name used in every output ("ok", "malformed_json", ...). Every
// enumerator has a case (the compiler checks), so the count below follows the enum.
constexpr std::string_view to_string(ReadStatus status) {
  switch (status) {
    case ReadStatus::kOk:
      return "ok";
    case ReadStatus::kMalformedJson:
      return "malformed_json";
    case ReadStatus::kMissingText:
      return "missing_text";
    case ReadStatus::kInvalidUtf8:
      return "invalid_utf8";
    case ReadStatus::kEmptyText:
      return "empty_text";
    case ReadStatus::kDuplicateId:
      return "duplicate_id";
    case ReadStatus::kTooLarge:
      return "too_large";
    case ReadStatus::kBinaryFile:
      return "binary_file";
    case ReadStatus::kTruncated:
      return "truncated";
    case ReadStatus::kUnreadable:
      return "unreadable";
  }
  return {};
}
inline constexpr int kReadStatusCount = [] {
  int n = 0;
  while (!to_string(static_cast<ReadStatus>(n)).empty()) ++n;
  return n;
}();

inline constexpr std::uint32_t kNoDocument = 0xffffffffu;

// One per document read, in input order. Strings live in Corpus::strings.
struct Document {
  std::uint64_t id_begin = 0;  // id: strings.substr(id_begin, id_size)
  std::uint32_t id_size = 0;
  std::uint32_t date_size = 0;   // the date follows the id in `strings` ("" when none)
  std::uint32_t input = 0;       // index into Corpus::inputs
  std::uint64_t line = 0;        // 1-based line of a JSON Lines file; 0 for a text file
  std::uint64_t text_bytes = 0;  // bytes of document text (a text file's header excluded)
  ReadStatus status = ReadStatus::kOk;
};

// A span of a document's source text, end exclusive: in Unicode code points and in UTF-8 bytes
// of the decoded text field of a JSON line, or of the whole text file as it is on disk (a header
// line included).
struct TextSpan {
  std::uint64_t begin = 0, end = 0;            // code points
  std::uint64_t byte_begin = 0, byte_end = 0;  // bytes
  std::uint32_t words = 0;
};

// A file the run read, as named in messages ("<stdin>" for standard input).
struct InputFileInfo {
  std::string name;
  InputFormat format = InputFormat::kText;  // kJsonl or kText
};

// A message about bad input, in input order: "corpus.jsonl:17: malformed JSON (...)".
struct ReadProblem {
  std::uint32_t input = 0;
  std::uint64_t line = 0;           // 0 when it concerns the whole file
  std::uint32_t doc = kNoDocument;  // the document it made bad input, if any
  std::string message;
};

struct ReadStats {
  std::uint64_t input_bytes = 0;  // bytes of (decompressed) input read
  std::uint64_t documents = 0;    // documents read
  std::uint64_t by_status[kReadStatusCount] = {};
  std::uint64_t blank_lines = 0;      // empty lines in JSON Lines input; not documents
  std::uint64_t synthesized_ids = 0;  // JSON documents without an id, named "file:line"
  std::uint64_t file_problems = 0;    // problems of whole files (damaged, unreadable)
  std::uint64_t ok() const { return by_status[static_cast<int>(ReadStatus::kOk)]; }
  std::uint64_t bad() const { return documents - ok(); }
};

// Where the documents came from, so that writers can read them again (the deduplicated and
// cleaned corpora, the report): the files, and the copy of standard input. Internal.
class CorpusSource;

struct Corpus {
  std::vector<InputFileInfo> inputs;  // every file read
  std::vector<Document> docs;         // input order
  std::string strings;                // ids and dates, see Document
  std::vector<ReadProblem> problems;  // bad input, in input order
  ReadStats stats;
  std::shared_ptr<const CorpusSource> source;

  std::string_view id(std::uint32_t doc) const {
    return std::string_view(strings).substr(docs[doc].id_begin, docs[doc].id_size);
  }
  std::string_view date(std::uint32_t doc) const {
    return std::string_view(strings).substr(docs[doc].id_begin + docs[doc].id_size,
                                            docs[doc].date_size);
  }
  bool ok(std::uint32_t doc) const { return docs[doc].status == ReadStatus::kOk; }
};

// Called for each ReadProblem as soon as it is known, in input order (for live warnings).
using ProblemCallback = std::function<void(const ReadProblem&)>;

}  // namespace doppel
