// Sequential bytes of one input, decompressed: plain, gzip or zstd, chosen by the file name.
// Thread-safety: one thread at a time per object.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "doppel/env.h"
#include "doppel/status.h"

namespace doppel {

enum class Compression { kNone, kGzip, kZstd };
Compression compression_from_name(std::string_view path);

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to out.size() bytes; 0 means the end. A damaged compressed stream is an error
  // (bytes before the damage have been returned); truncated() then says whether the stream was
  // cut short (a file that ends inside a frame or member) rather than corrupt.
  virtual Result<std::size_t> read(std::span<char> out) = 0;
  // Bytes consumed from the underlying file so far (compressed bytes), for progress.
  virtual std::uint64_t consumed() const = 0;
  bool truncated() const { return truncated_; }

 protected:
  bool truncated_ = false;
};

// Decompresses `file` as `compression` says.
std::unique_ptr<ByteSource> open_byte_source(std::unique_ptr<SequentialFile> file,
                                             Compression compression);

}  // namespace doppel
