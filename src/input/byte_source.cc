#include "input/byte_source.h"

#include <fmt/format.h>
#include <zlib.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace doppel {
namespace {

// Counts the bytes a SequentialFile gives, for progress.
class CountingFile {
 public:
  explicit CountingFile(std::unique_ptr<SequentialFile> file) : file_(std::move(file)) {}
  Result<std::size_t> read(std::span<char> out) {
    auto n = file_->read(out);
    if (n.ok()) consumed_ += *n;
    return n;
  }
  std::uint64_t consumed() const { return consumed_; }

 private:
  std::unique_ptr<SequentialFile> file_;
  std::uint64_t consumed_ = 0;
};

class PlainSource final : public ByteSource {
 public:
  explicit PlainSource(std::unique_ptr<CountingFile> file) : file_(std::move(file)) {}
  Result<std::size_t> read(std::span<char> out) override { return file_->read(out); }
  std::uint64_t consumed() const override { return file_->consumed(); }

 private:
  std::unique_ptr<CountingFile> file_;
};

constexpr std::size_t kCompressedChunk = 1 << 18;

class ZstdSource final : public ByteSource {
 public:
  explicit ZstdSource(std::unique_ptr<CountingFile> file)
      : file_(std::move(file)), dctx_(ZSTD_createDCtx()), in_buf_(kCompressedChunk) {}
  ~ZstdSource() override { ZSTD_freeDCtx(dctx_); }
  ZstdSource(const ZstdSource&) = delete;
  ZstdSource& operator=(const ZstdSource&) = delete;

  Result<std::size_t> read(std::span<char> out) override {
    ZSTD_outBuffer output{out.data(), out.size(), 0};
    while (output.pos == 0) {
      if (input_.pos == input_.size) {
        if (eof_) {
          if (frame_open_) {
            truncated_ = true;
            return Status::CorruptInput("truncated zstd stream: the file ends inside a frame");
          }
          return std::size_t{0};
        }
        auto n = file_->read(in_buf_);
        if (!n.ok()) return n.status();
        input_ = ZSTD_inBuffer{in_buf_.data(), *n, 0};
        if (*n == 0) {
          eof_ = true;
          continue;
        }
      }
      const std::size_t ret = ZSTD_decompressStream(dctx_, &output, &input_);
      if (ZSTD_isError(ret)) {
        return Status::CorruptInput(fmt::format("corrupt zstd stream: {}", ZSTD_getErrorName(ret)));
      }
      frame_open_ = ret != 0;
    }
    return output.pos;
  }
  std::uint64_t consumed() const override { return file_->consumed(); }

 private:
  std::unique_ptr<CountingFile> file_;
  ZSTD_DCtx* dctx_;
  std::vector<char> in_buf_;
  ZSTD_inBuffer input_{nullptr, 0, 0};
  bool eof_ = false;
  bool frame_open_ = false;
};

class GzipSource final : public ByteSource {
 public:
  explicit GzipSource(std::unique_ptr<CountingFile> file)
      : file_(std::move(file)), in_buf_(kCompressedChunk) {
    std::memset(&zs_, 0, sizeof zs_);
    ok_ = inflateInit2(&zs_, 15 + 32) == Z_OK;  // 15+32: gzip or zlib header, detected
  }
  ~GzipSource() override { inflateEnd(&zs_); }
  GzipSource(const GzipSource&) = delete;
  GzipSource& operator=(const GzipSource&) = delete;

  Result<std::size_t> read(std::span<char> out) override {
    if (!ok_) return Status::Internal("inflateInit2 failed");
    zs_.next_out = reinterpret_cast<Bytef*>(out.data());
    zs_.avail_out = static_cast<uInt>(out.size());
    while (zs_.avail_out == out.size()) {
      if (zs_.avail_in == 0) {
        if (eof_) {
          if (member_open_) {
            truncated_ = true;
            return Status::CorruptInput("truncated gzip stream: the file ends inside a member");
          }
          return std::size_t{0};
        }
        auto n = file_->read(in_buf_);
        if (!n.ok()) return n.status();
        zs_.next_in = reinterpret_cast<Bytef*>(in_buf_.data());
        zs_.avail_in = static_cast<uInt>(*n);
        if (*n == 0) {
          eof_ = true;
          continue;
        }
      }
      member_open_ = true;
      const int ret = inflate(&zs_, Z_NO_FLUSH);
      if (ret == Z_STREAM_END) {
        member_open_ = false;
        members_ended_ = true;
        inflateReset(&zs_);  // concatenated members, as gzip itself reads them
      } else if (ret != Z_OK && ret != Z_BUF_ERROR) {
        // The very first bytes are no gzip (or zlib) header: most likely a file that was never
        // compressed, under a name that says it was. Say so, rather than "corrupt".
        if (!members_ended_ && zs_.total_out == 0 && zs_.msg != nullptr &&
            std::strcmp(zs_.msg, "incorrect header check") == 0) {
          return Status::CorruptInput(
              "not gzip data: the name ends in .gz but the file does not start with a gzip "
              "header (if it is not compressed, give it a name without .gz)");
        }
        return Status::CorruptInput(
            fmt::format("corrupt gzip stream: {}", zs_.msg != nullptr ? zs_.msg : "inflate error"));
      }
    }
    return out.size() - zs_.avail_out;
  }
  std::uint64_t consumed() const override { return file_->consumed(); }

 private:
  std::unique_ptr<CountingFile> file_;
  z_stream zs_;
  std::vector<char> in_buf_;
  bool ok_ = false;
  bool eof_ = false;
  bool members_ended_ = false;  // a member was read to its end
  bool member_open_ = false;
};

}  // namespace

Compression compression_from_name(std::string_view path) {
  if (path.ends_with(".zst") || path.ends_with(".zstd")) return Compression::kZstd;
  if (path.ends_with(".gz")) return Compression::kGzip;
  return Compression::kNone;
}

std::unique_ptr<ByteSource> open_byte_source(std::unique_ptr<SequentialFile> file,
                                             Compression compression) {
  auto counting = std::make_unique<CountingFile>(std::move(file));
  switch (compression) {
    case Compression::kZstd:
      return std::make_unique<ZstdSource>(std::move(counting));
    case Compression::kGzip:
      return std::make_unique<GzipSource>(std::move(counting));
    case Compression::kNone:
      break;
  }
  return std::make_unique<PlainSource>(std::move(counting));
}

}  // namespace doppel
