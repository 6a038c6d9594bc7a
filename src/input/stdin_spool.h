// Standard input can be read once. When a run must read its documents again (the deduplicated or
// cleaned corpus, the report), standard input is copied as it is read into an anonymous temporary
// file (unlinked at once: nothing is left behind, even if the process is killed), and the second
// reading reads the copy. Thread-safety: append() from one thread; readers from any, each its own.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "doppel/env.h"
#include "doppel/status.h"

namespace doppel {

class StdinSpool {
 public:
  // In $TMPDIR, or /tmp.
  static Result<std::shared_ptr<StdinSpool>> create();
  ~StdinSpool();
  StdinSpool(const StdinSpool&) = delete;
  StdinSpool& operator=(const StdinSpool&) = delete;

  // A failed write (a full $TMPDIR) is kept, not returned: standard input is still read to its
  // end, and the second reading fails instead (open), rather than the first one taking the rest
  // of the stream for a damaged input.
  void append(std::span<const char> bytes);
  // Ok while every write to the copy succeeded; else the error, which says where the copy is.
  Status whole() const;
  // The copy from its start, as written so far; whole()'s error if a write to it failed.
  Result<std::unique_ptr<SequentialFile>> open() const;
  // `file`, with every byte read from it appended to this spool.
  std::unique_ptr<SequentialFile> tee(std::unique_ptr<SequentialFile> file);

 private:
  explicit StdinSpool(int fd, std::string dir) : fd_(fd), dir_(std::move(dir)) {}
  int fd_;
  std::string dir_;      // where the copy is
  std::string failure_;  // why the copy is incomplete; "" while it is whole
};

}  // namespace doppel
