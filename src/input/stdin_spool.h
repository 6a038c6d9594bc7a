// Standard input can be read once. When a run must read its documents again (the deduplicated or
// cleaned corpus, the report), standard input is copied as it is read into an anonymous temporary
// file (unlinked at once: nothing is left behind, even if the process is killed), and the second
// reading reads the copy. Thread-safety: append() from one thread; readers from any, each its own.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

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

  Status append(std::span<const char> bytes);
  // The copy from its start, as written so far.
  std::unique_ptr<SequentialFile> open() const;
  // `file`, with every byte read from it appended to this spool.
  std::unique_ptr<SequentialFile> tee(std::unique_ptr<SequentialFile> file);

 private:
  explicit StdinSpool(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace doppel
