// What every job does with each document before its own stages: parse it, normalize it, and
// append it to the table of documents in input order, checking ids for duplicates and reporting
// bad input. Shared by dedup and reuse so that both account for documents the same way.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "doppel/dedup.h"
#include "doppel/options.h"
#include "io/document_parser.h"
#include "io/input.h"
#include "text/normalize.h"

namespace doppel {

// Seconds of each stage: lap() returns the time since the previous lap (or construction).
class StageClock {
 public:
  double lap() {
    const auto now = std::chrono::steady_clock::now();
    const double s = std::chrono::duration<double>(now - last_).count();
    last_ = now;
    return s;
  }
  double since_start() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_ = start_;
};

// The options every job reads with: --max-doc-bytes and --threads.
Status validate_read(const ReadOptions& read, int threads);

// Threads to use: `requested`, or one per core for 0.
int worker_threads(int requested);

// A job's start: the files to read, as named in messages, and the thread count, in `corpus`.
void start_corpus(const std::vector<InputFile>& files, int threads, DedupResult& corpus);

// A job's end: per-status counts, total seconds and peak memory, in `corpus.stats`.
void finish_corpus(const StageClock& clock, DedupResult& corpus);

// A document as a worker leaves it.
struct DocOut {
  DocStatus status = DocStatus::kKept;
  std::string id, date, message;
  std::uint32_t input = 0;
  std::uint64_t line = 0;
  std::uint64_t text_bytes = 0;
  bool synthesized_id = false;
  bool id_from_input = false;
};

// "file:line", or the file name for a text file.
std::string locate(const InputFile& file, std::uint64_t line);

// Per-thread: parses a raw document and normalizes its text. Returns true when the document can
// be compared (status kKept); then `norm` holds its words and `parsed()` its text.
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
  // Returns the earlier document with this id, or kNoCluster; records `doc` otherwise.
  std::uint32_t find_or_add(const DedupResult& r, std::uint32_t doc);

 private:
  std::size_t slot_of(std::string_view id) const;
  void grow(const DedupResult& r);
  std::vector<std::uint32_t> slots_;
  std::size_t count_ = 0;
};

// The table of documents (DedupResult::docs, strings, problems) in input order.
class DocumentTable {
 public:
  DocumentTable(DedupResult& result, const ReadOptions& read, const ProblemCallback& on_problem)
      : r_(result), read_(read), on_problem_(on_problem) {}
  void set_files(const std::vector<InputFile>* files) { files_ = files; }

  // A batch's file-level problems and counts.
  void add_batch(std::vector<Problem>& file_problems, std::uint64_t blank_lines,
                 std::uint64_t bytes);
  // Appends a document; a duplicate id turns it into bad input. Fails under ErrorPolicy::kFail
  // on bad input.
  Status add(DocOut& d);

 private:
  void report(Problem p);

  DedupResult& r_;
  const ReadOptions& read_;
  const ProblemCallback& on_problem_;
  const std::vector<InputFile>* files_ = nullptr;
  IdIndex ids_;
};

}  // namespace doppel
