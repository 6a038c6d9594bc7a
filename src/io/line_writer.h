// Output plumbing every writer shares: JSON Lines built in a string buffer and written in large
// blocks, and the second reading of the inputs for writers that copy document text.
#pragma once

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "doppel/dedup.h"
#include "doppel/status.h"
#include "io/input.h"

namespace doppel {

class LineWriter {
 public:
  explicit LineWriter(std::FILE* out) : out_(out) {}
  std::string& line() { return buf_; }
  Status end_line() {
    buf_.push_back('\n');
    return flush_if_full();
  }
  // Writes out what is buffered once it passes 1 MiB (also in the middle of a long line).
  Status flush_if_full() { return buf_.size() >= (1u << 20) ? flush() : Status::Ok(); }
  Status flush() {
    if (!buf_.empty() && std::fwrite(buf_.data(), 1, buf_.size(), out_) != buf_.size()) {
      return Status::IoError(fmt::format("write failed: {}", std::strerror(errno)));
    }
    buf_.clear();
    if (std::fflush(out_) != 0) {
      return Status::IoError(fmt::format("write failed: {}", std::strerror(errno)));
    }
    return Status::Ok();
  }

 private:
  std::FILE* out_;
  std::string buf_;
};

// Reads the inputs of a finished run a second time (re-expanding the same arguments yields the
// same files in the same order; standard input is replaced by its copy) and calls
// `fn(doc, batch, raw, file)`, which returns a Status, for every document whose status is kKept.
template <typename Fn>
Status reread_kept_documents(const DedupResult& r, const ReadOptions& read,
                             const std::string& stdin_copy_path, Fn fn) {
  std::vector<InputFile> files;
  for (std::size_t i = 0; i < r.inputs.size(); ++i) {
    InputFile f;
    f.path = r.inputs[i] == "<stdin>" ? stdin_copy_path : r.inputs[i];
    f.name = r.inputs[i];
    f.format = r.input_formats[i];
    files.push_back(std::move(f));
  }
  BatchReader reader(std::move(files), read, nullptr);
  Batch batch;
  std::uint32_t doc = 0;
  while (reader.next(batch)) {
    for (const RawDoc& raw : batch.docs) {
      if (doc >= r.docs.size()) {
        return Status::Internal("the input changed between the two passes (more documents)");
      }
      const DocumentInfo& info = r.docs[doc];
      const std::uint32_t this_doc = doc++;
      if (info.status != DocStatus::kKept) continue;
      if (info.line != raw.line || info.input != raw.input) {
        return Status::Internal("the input changed between the two passes");
      }
      DOPPEL_RETURN_IF_ERROR(fn(this_doc, batch, raw, reader.files()[raw.input]));
    }
  }
  if (doc != r.docs.size()) {
    return Status::Internal("the input changed between the two passes (fewer documents)");
  }
  return Status::Ok();
}

}  // namespace doppel
