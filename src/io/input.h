// Turning the command line's inputs into a stream of raw documents: files and directories are
// expanded in a deterministic order, JSON Lines are split into lines, text files are read whole,
// and input that cannot be a document (too large, binary, truncated) is flagged here, at the edge.
// Thread-safety: a BatchReader is used by one thread at a time (the pipeline holds a lock).
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "doppel/dedup.h"
#include "doppel/options.h"
#include "doppel/status.h"
#include "io/byte_source.h"
#include "util/byte_buffer.h"

namespace doppel {

struct InputFile {
  std::string path;    // to open; "-" is standard input
  std::string name;    // in messages: the path as the user gave it, "<stdin>" for "-"
  std::string doc_id;  // text files: path relative to the directory given (or the file name)
  InputFormat format = InputFormat::kText;  // resolved: kJsonl or kText
  std::uint64_t size = 0;                   // bytes on disk; 0 if unknown
};

// Expands directories recursively (regular files, hidden entries skipped, sorted by path) and
// resolves each file's format. A path that does not exist is an error.
Result<std::vector<InputFile>> expand_inputs(std::span<const std::string> args, InputFormat forced);

// One raw document: a JSON line or a whole text file, or a placeholder for input the reader
// already knows is bad (`preset` is then the reason and `detail` the message).
struct RawDoc {
  std::uint32_t input = 0;
  std::uint64_t line = 0;           // 1-based line of a JSON Lines file; 0 for a text file
  std::size_t begin = 0, size = 0;  // bytes of Batch::buffer
  DocStatus preset = DocStatus::kKept;
  std::string detail;
};

// Padding after Batch::buffer's last byte, readable by SIMD parsers (simdjson needs 64).
inline constexpr std::size_t kBatchPadding = 64;

struct Batch {
  std::uint64_t seq = 0;
  ByteBuffer buffer;  // documents' bytes, then kBatchPadding spaces
  std::vector<RawDoc> docs;
  std::vector<Problem> file_problems;  // problems of a file as a whole (truncated, unreadable)
  std::uint64_t blank_lines = 0;
  std::uint64_t bytes = 0;  // input bytes this batch covers (decompressed)
  std::string_view doc_bytes(const RawDoc& d) const {
    return buffer.view().substr(d.begin, d.size);
  }
};

class BatchReader {
 public:
  BatchReader(std::vector<InputFile> files, const ReadOptions& options, std::FILE* stdin_copy);
  ~BatchReader();
  BatchReader(const BatchReader&) = delete;
  BatchReader& operator=(const BatchReader&) = delete;

  // Fills `batch` with the next documents (about 2 MiB). Returns false when the input is
  // exhausted and the batch is empty. Never fails: problems become preset documents or
  // Batch::file_problems.
  bool next(Batch& batch);

  const std::vector<InputFile>& files() const { return files_; }
  std::uint64_t total_bytes() const { return total_bytes_; }  // on disk, for progress
  std::uint64_t consumed_bytes() const;                       // on disk, for progress

 private:
  void read_text_file(Batch& batch);
  void fill_jsonl(Batch& batch);
  void finish_jsonl_file(Batch& batch, std::size_t line_start, const std::string& error);
  void emit_line(Batch& batch, std::size_t begin, std::size_t end);
  void skip_long_line(Batch& batch, std::size_t already);
  void close_file();

  std::vector<InputFile> files_;
  ReadOptions options_;
  std::FILE* stdin_copy_;
  std::size_t file_ = 0;                // current file
  std::unique_ptr<ByteSource> source_;  // open JSON Lines source, if any
  std::uint64_t line_ = 0;              // last line number emitted in the current file
  std::uint64_t file_bytes_ = 0;        // decompressed bytes read from the current file
  std::string pending_;                 // start of a line continued in the next block
  std::uint64_t total_bytes_ = 0;
  std::uint64_t done_bytes_ = 0;  // on-disk bytes of finished files
};

}  // namespace doppel
