// Sequential bytes of one input file: plain, gzip or zstd, chosen by the file name. The edge of
// the pipeline that owns file handles. Thread-safety: one thread at a time per object.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <span>
#include <string>

#include "doppel/status.h"

namespace doppel {

enum class Compression { kNone, kGzip, kZstd };
Compression compression_from_name(const std::string& path);

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to out.size() bytes; 0 means the end. A truncated or corrupt compressed stream is
  // an error Status whose message says so (bytes before the damage have been returned).
  virtual Result<std::size_t> read(std::span<char> out) = 0;
  // Bytes consumed from the underlying file so far (compressed bytes), for progress.
  virtual std::uint64_t consumed() const = 0;
};

// Opens `path` ("-": standard input). `copy`, if given, receives every raw byte read (used to
// spool standard input for a second pass).
Result<std::unique_ptr<ByteSource>> open_byte_source(const std::string& path,
                                                     Compression compression,
                                                     std::FILE* copy = nullptr);

}  // namespace doppel
