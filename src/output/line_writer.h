// Output plumbing every writer shares: JSON Lines built in a string buffer and written to an
// OutputStream in large blocks.
#pragma once

#include <string>

#include "doppel/output.h"
#include "doppel/status.h"

namespace doppel {

class LineWriter {
 public:
  explicit LineWriter(OutputStream& out) : out_(out) {}
  std::string& line() { return buf_; }
  Status end_line() {
    buf_.push_back('\n');
    return flush_if_full();
  }
  // Writes out what is buffered once it passes 1 MiB (also in the middle of a long line).
  Status flush_if_full() { return buf_.size() >= (1u << 20) ? write_buffer() : Status::Ok(); }
  // Writes out everything buffered.
  Status flush() {
    DOPPEL_RETURN_IF_ERROR(write_buffer());
    return out_.flush();
  }

 private:
  Status write_buffer() {
    if (buf_.empty()) return Status::Ok();
    DOPPEL_RETURN_IF_ERROR(out_.write(buf_));
    buf_.clear();
    return Status::Ok();
  }
  OutputStream& out_;
  std::string buf_;
};

}  // namespace doppel
