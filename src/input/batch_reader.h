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

class BatchReader {
 public:
  BatchReader(std::span<const InputFile> files, const ReadOptions& options, FileOpener open);
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
  void read_text_file(Batch& batch);
  void fill_jsonl(Batch& batch);
  bool reject_if_not_jsonl(Batch& batch, std::size_t line_start, std::size_t old, std::size_t got);
  void reject_file(Batch& batch, std::size_t line_start, ReadStatus status, std::string detail);
  void finish_jsonl_file(Batch& batch, std::size_t line_start, const std::string& error);
  void emit_line(Batch& batch, std::size_t begin, std::size_t end);
  void skip_long_line(Batch& batch, std::size_t already);
  void close_file();

  std::span<const InputFile> files_;
  ReadOptions options_;
  FileOpener open_;
  std::size_t file_ = 0;                // current file
  std::unique_ptr<ByteSource> source_;  // open JSON Lines source, if any
  std::uint64_t line_ = 0;              // last line number emitted in the current file
  std::uint64_t file_bytes_ = 0;        // decompressed bytes read from the current file
  std::string pending_;                 // start of a line continued in the next block
  std::uint64_t total_bytes_ = 0;
  std::uint64_t done_bytes_ = 0;  // on-disk bytes of finished files
};

}  // namespace doppel
