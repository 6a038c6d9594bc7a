// Where writers put their bytes. An OutputFile never damages what the user had: it writes a
// temporary file beside its target and renames it into place only when commit() is called, so a
// failed or interrupted run leaves an earlier file of that name as it was. A target that is not a
// regular file (/dev/null, a pipe) is written to directly and left what it is, and so is one of
// the process's descriptors (/dev/stdout, /dev/fd/3); a link to a file replaces the file it
// points to.
//
// Thread-safety: one thread at a time per stream.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "doppel/status.h"

namespace doppel {

class OutputStream {
 public:
  virtual ~OutputStream() = default;
  virtual Status write(std::string_view bytes) = 0;
  // Pushes what is buffered to the operating system (or the string).
  virtual Status flush() = 0;
};

// Bytes kept in memory: for tests and bindings.
class StringOutput final : public OutputStream {
 public:
  Status write(std::string_view bytes) override {
    data_.append(bytes);
    return Status::Ok();
  }
  Status flush() override { return Status::Ok(); }
  const std::string& data() const { return data_; }

 private:
  std::string data_;
};

// Standard output, unbuffered by the library (writers buffer their own lines).
class StdoutOutput final : public OutputStream {
 public:
  Status write(std::string_view bytes) override;
  Status flush() override;
};

// The descriptor of this process that `path` names, through its links (/dev/stdout is 1,
// /dev/stderr 2, /dev/fd/N and /proc/self/fd/N are N), or -1. OutputFile writes such a path
// through the descriptor, in place.
int named_descriptor(const std::string& path);

class OutputFile final : public OutputStream {
 public:
  // Creates ".NAME.doppel-PID-N.tmp" in the target's directory. Fails when that directory does
  // not exist or cannot be written, so that a typo in a path costs nothing.
  static Result<std::unique_ptr<OutputFile>> create(const std::string& path);
  ~OutputFile() override;  // removes the temporary unless committed
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  Status write(std::string_view bytes) override;
  Status flush() override;
  // Closes the temporary and renames it to the target (replacing an earlier file).
  Status commit();
  // Closes and removes the temporary (also what the destructor does unless committed).
  void discard();

  // Where the next write() goes: the bytes written so far.
  Result<std::uint64_t> position() const;
  // Moves where the next write() goes `bytes` further on, past bytes that other writers put in
  // the temporary at their own offsets (the parts of a distributed run written side by side by
  // the ranks of one host, dist/output_parts.h).
  Status skip(std::uint64_t bytes);
  const std::string& path() const { return path_; }            // the file replaced
  const std::string& temp_path() const { return temp_path_; }  // "" when written in place

 private:
  OutputFile(std::string path, std::string temp_path, int fd)
      : path_(std::move(path)), temp_path_(std::move(temp_path)), fd_(fd) {}
  std::string path_, temp_path_;
  int fd_ = -1;
  bool committed_ = false;
};

}  // namespace doppel
