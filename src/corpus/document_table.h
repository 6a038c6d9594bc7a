// What every job does with each document before its own stages: parse it, normalize it, and
// append it to the corpus in input order, checking ids for duplicates and reporting bad input.
// Shared by every job so that all of them account for documents the same way.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "doppel/corpus.h"
#include "doppel/options.h"
#include "doppel/status.h"
#include "input/batch_reader.h"
#include "input/document_parser.h"
#include "text/normalize.h"

namespace doppel {

// A document as a worker leaves it.
struct DocOut {
  ReadStatus status = ReadStatus::kOk;
  std::string id, date, message;
  std::string text_field_hint;  // see ParsedDoc
  std::uint32_t input = 0;
  std::uint64_t line = 0;
  std::uint64_t text_bytes = 0;
  bool synthesized_id = false;
  bool id_from_input = false;
};

// "file:line", or the file name for a text file.
std::string locate(const InputFile& file, std::uint64_t line);

// The message of a document skipped for its id: "FILE:LINE: duplicate id "X" (first at ...)".
std::string duplicate_id_message(const InputFile& file, std::uint64_t line, std::string_view id,
                                 const InputFile& first_file, std::uint64_t first_line);

// Why no document of a run could be read (kNoDocuments), from its counts: `example` is the first
// problem of the most frequent reason (problem_example()), `text_field_hint` the field of the
// first line without the text field that held the longest string.
Status no_documents(const ReadStats& stats, std::string_view example,
                    std::string_view text_field_hint);
// The most frequent bad-input reason of `stats` (kOk when there is none).
ReadStatus top_reason(const ReadStats& stats);
// The message of the first problem of `corpus` about a document with status `reason`, or "".
std::string_view problem_example(const Corpus& corpus, ReadStatus reason);
// The example no_documents() gives for a run of `totals` without a readable document, from
// `corpus` (a rank's share): where no document was read at all, the first damaged file's
// problem; else problem_example() of the most frequent reason.
std::string_view no_documents_example(const Corpus& corpus, const ReadStats& totals);

// Per thread: parses a raw document and normalizes its text. Returns true when the document can
// be compared (status kOk); then `norm` holds its words and `parsed()` its text.
class DocumentPreparer {
 public:
  DocumentPreparer(const ReadOptions& read, const NormalizeOptions& normalize)
      : normalize_(normalize), parser_(read) {}
  bool prepare(const Batch& batch, const RawDoc& raw, const InputFile& file, DocOut& doc,
               NormalizedText& norm);
  const ParsedDoc& parsed() const { return parsed_; }

 private:
  const NormalizeOptions& normalize_;
  DocumentParser parser_;
  ParsedDoc parsed_;
};

// Ids seen so far: open addressing over document indices, 8 bytes per document at most.
class IdIndex {
 public:
  // Returns the earlier document with this id, or kNoDocument; records `doc` otherwise.
  std::uint32_t find_or_add(const Corpus& corpus, std::uint32_t doc);

 private:
  std::size_t slot_of(std::string_view id) const;
  void grow(const Corpus& corpus);
  std::vector<std::uint32_t> slots_;
  std::size_t count_ = 0;
};

// The corpus's documents, strings and problems, appended in input order.
class DocumentTable {
 public:
  // `ids_read`: null to check ids for duplicates here; else ids are checked later, by all the
  // processes of a distributed run together (src/dist/), and ids_read receives, per document,
  // whether its id is checked: read from the input (or made up for it) and readable.
  DocumentTable(Corpus& corpus, std::span<const InputFile> files, const ReadOptions& read,
                const ProblemCallback& on_problem, std::vector<std::uint8_t>* ids_read = nullptr)
      : corpus_(corpus), files_(files), read_(read), on_problem_(on_problem), ids_read_(ids_read) {}

  // A batch's file-level problems (damaged or unreadable files) and counts. Fails under
  // ErrorPolicy::kFail on a file problem.
  Status add_batch(std::vector<ReadProblem>& file_problems, std::uint64_t blank_lines,
                   std::uint64_t bytes);
  // Appends a document; a duplicate id turns it into bad input. Fails under ErrorPolicy::kFail
  // on bad input.
  Status add(DocOut& d);
  // The counts by status. Then, with `require_documents`, an error when no document could be
  // read, saying why (for JSON Lines without the text field, naming the fields they have).
  Status finish(bool require_documents);
  const std::string& text_field_hint() const { return text_field_hint_; }

 private:
  void report(ReadProblem p);

  Corpus& corpus_;
  std::span<const InputFile> files_;
  const ReadOptions& read_;
  const ProblemCallback& on_problem_;
  std::vector<std::uint8_t>* ids_read_;
  IdIndex ids_;
  std::string text_field_hint_;  // of the first line without the text field
};

}  // namespace doppel
