// Turning the files of a run into a stream of raw documents: JSON Lines are split into lines,
// text files are read whole, and input that cannot be a document (too large, binary, truncated,
// a JSON file that is not JSON Lines) is flagged here, at the edge.
// Thread-safety: a BatchReader is used by one thread at a time (the read stage holds a lock).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "doppel/corpus.h"
#include "doppel/env.h"
#include "doppel/options.h"
#include "doppel/status.h"
#include "input/byte_source.h"
#include "input/input_files.h"
#include "util/byte_buffer.h"

namespace doppel {

// One raw document: a JSON line or a whole text file, or a placeholder for input the reader
// already knows is bad (`preset` is then the reason and `detail` the message).
struct RawDoc {
  std::uint32_t input = 0;
  std::uint64_t line = 0;           // 1-based line of a JSON Lines file; 0 for a text file
  std::size_t begin = 0, size = 0;  // bytes of Batch::buffer
  ReadStatus preset = ReadStatus::kOk;
  std::string detail;
};

// Padding after Batch::buffer's last byte, readable by SIMD parsers (simdjson needs 64).
inline constexpr std::size_t kBatchPadding = 64;

struct Batch {
  std::uint64_t seq = 0;
  ByteBuffer buffer;  // documents' bytes, then kBatchPadding spaces
  std::vector<RawDoc> docs;
  std::vector<ReadProblem> file_problems;  // problems of a file as a whole (truncated, unreadable)
  std::uint64_t blank_lines = 0;
  std::uint64_t bytes = 0;  // input bytes this batch covers (decompressed)
  std::string_view doc_bytes(const RawDoc& d) const {
    return buffer.view().substr(d.begin, d.size);
  }
};

// Opens file `index` of the run for reading, as stored (compressed or not).
using FileOpener = std::function<Result<std::unique_ptr<SequentialFile>>(std::size_t index)>;

inline constexpr std::uint64_t kToTheEnd = ~std::uint64_t{0};

// What a reader reads of one file: all of it, or, of an uncompressed JSON Lines file, the lines
// that start at a byte in [begin, end) (src/dist/ splits large files among processes so). A line
// starts at byte 0 or right after a '\n'; the range's last line may end past `end`. Line numbers
// stay the file's: `lines_before` says how many lines start before the range (count_lines()).
struct FileRange {
  std::uint32_t file = 0;
  std::uint64_t begin = 0, end = kToTheEnd;
  std::uint64_t lines_before = 0;
  bool whole() const { return begin == 0 && end == kToTheEnd; }
};

// Every file of a run, whole: what a single process reads.
std::vector<FileRange> whole_files(std::size_t count);

// The number of lines that start at a byte in [begin, end) of an uncompressed file.
Result<std::uint64_t> count_lines(SequentialFile& file, std::uint64_t begin, std::uint64_t end);

// Whether a JSON Lines file is rejected whole, from its first kBinarySniff bytes (or all of
// them, if fewer): a NUL byte (binary or UTF-16), one JSON array, or one object over many lines.
// Such a file is not split into ranges.
bool rejected_whole(std::string_view head);
inline constexpr std::size_t kBinarySniff = 8192;  // like git and ripgrep: a NUL early on means
                                                   // binary

class BatchReader {
 public:
  // Reads `ranges` of `files` in order; each RawDoc's `input` is its index in `files`.
  BatchReader(std::span<const InputFile> files, std::vector<FileRange> ranges,
              const ReadOptions& options, FileOpener open);
  ~BatchReader();
  BatchReader(const BatchReader&) = delete;
  BatchReader& operator=(const BatchReader&) = delete;

  // Fills `batch` with the next documents (about 2 MiB). Returns false when the input is
  // exhausted and the batch is empty. Never fails: problems become preset documents or
  // Batch::file_problems.
  bool next(Batch& batch);

  std::span<const InputFile> files() const { return files_; }
  std::uint64_t total_bytes() const { return total_bytes_; }  // on disk, for progress
  std::uint64_t consumed_bytes() const;                       // on disk, for progress

 private:
  const InputFile& file() const { return files_[ranges_[range_].file]; }
  std::uint32_t input() const { return ranges_[range_].file; }
  bool open_range(Batch& batch);
  void read_text_file(Batch& batch);
  void fill_jsonl(Batch& batch);
  bool reject_if_not_jsonl(Batch& batch, std::size_t line_start, std::size_t old, std::size_t got);
  void reject_file(Batch& batch, std::size_t line_start, ReadStatus status, std::string detail);
  void finish_jsonl_file(Batch& batch, std::size_t line_start, const std::string& error);
  void emit_line(Batch& batch, std::size_t begin, std::size_t end);
  void skip_long_line(Batch& batch, std::size_t already, char last);
  void close_file(Batch& batch);

  std::span<const InputFile> files_;
  std::vector<FileRange> ranges_;
  ReadOptions options_;
  FileOpener open_;
  std::size_t range_ = 0;               // current range
  std::unique_ptr<ByteSource> source_;  // open JSON Lines source, if any
  std::uint64_t line_ = 0;              // last line number emitted in the current file
  std::uint64_t file_bytes_ = 0;        // decompressed bytes read from the current file
  std::string pending_;                 // start of a line continued in the next block
  // A range of a file (not whole): the offset of the next line to emit, and of the range's first.
  std::uint64_t line_offset_ = 0, range_start_ = 0;
  std::uint64_t total_bytes_ = 0;
  std::uint64_t done_bytes_ = 0;  // on-disk bytes of finished ranges
};

}  // namespace doppel
