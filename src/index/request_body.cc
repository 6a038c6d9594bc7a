#include "index/request_body.h"

#include <brotli/decode.h>
#include <fmt/format.h>
#include <simdjson.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>

namespace doppel {
namespace {

class BodyFile final : public SequentialFile {
 public:
  explicit BodyFile(std::string_view bytes) : bytes_(bytes) {}
  Result<std::size_t> read(std::span<char> out) override {
    const std::size_t n = std::min(out.size(), bytes_.size() - pos_);
    std::memcpy(out.data(), bytes_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  std::string_view bytes_;
  std::size_t pos_ = 0;
};

}  // namespace

PathInfo BodyEnv::stat(const std::string& /*path*/) { return PathInfo{}; }

Result<std::vector<DirEntry>> BodyEnv::list(const std::string& dir) {
  return Status::InvalidArgument(fmt::format("{}: requests cannot name files", dir));
}

Result<std::unique_ptr<SequentialFile>> BodyEnv::open(const std::string& path) {
  return Status::InvalidArgument(fmt::format("{}: requests cannot name files", path));
}

Result<std::unique_ptr<SequentialFile>> BodyEnv::open_stdin() {
  return std::unique_ptr<SequentialFile>(new BodyFile(jsonl_));
}

Result<std::string> body_as_json_lines(std::string_view body, bool json_lines) {
  if (json_lines) return std::string(body);
  // A UTF-8 byte-order mark before the JSON is skipped, as before a JSON Lines body (and before
  // the first line of a file).
  if (body.starts_with("\xEF\xBB\xBF")) body.remove_prefix(3);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  const simdjson::padded_string padded(body);
  if (const auto error = parser.parse(padded).get(root); error != simdjson::SUCCESS) {
    return Status::InvalidArgument(
        fmt::format("the body is not valid JSON: {}", simdjson::error_message(error)));
  }
  std::string lines;
  if (root.is_object()) {
    lines = simdjson::minify(root);
    lines.push_back('\n');
    return lines;
  }
  simdjson::dom::array array;
  if (root.get_array().get(array) != simdjson::SUCCESS) {
    return Status::InvalidArgument("the body must be a JSON array of documents (or one object)");
  }
  std::size_t k = 0;
  for (const simdjson::dom::element e : array) {
    ++k;
    // Minified onto a line, an array would be read as a file holding one JSON array (and
    // answered as such, with advice to send what was sent); other elements that are not objects
    // are the reader's to name.
    if (e.is_array()) {
      return Status::InvalidArgument(
          fmt::format("element {} of the body's array is itself an array: send one JSON array "
                      "of documents (objects), not an array of arrays",
                      k));
    }
    lines += simdjson::minify(e);
    lines.push_back('\n');
  }
  return lines;
}

struct BodyDecoder::State {
  z_stream zlib{};
  bool zlib_open = false;
  BrotliDecoderState* brotli = nullptr;
  ~State() {
    if (zlib_open) inflateEnd(&zlib);
    if (brotli != nullptr) BrotliDecoderDestroyInstance(brotli);
  }
};

std::optional<BodyDecoder::Kind> BodyDecoder::kind_of(std::string_view encoding) {
  if (encoding == "gzip") return Kind::kGzip;
  if (encoding == "deflate") return Kind::kDeflate;
  if (encoding == "br") return Kind::kBrotli;
  return std::nullopt;
}

BodyDecoder::BodyDecoder(Kind kind, std::size_t limit)
    : state_(std::make_unique<State>()), kind_(kind), limit_(limit) {
  if (kind == Kind::kBrotli) {
    state_->brotli = BrotliDecoderCreateInstance(nullptr, nullptr, nullptr);
    failed_ = state_->brotli == nullptr;
  } else {
    // 15 + 32: a zlib or a gzip header, whichever the stream has (httplib's choice for both).
    failed_ = inflateInit2(&state_->zlib, 15 + 32) != Z_OK;
    state_->zlib_open = !failed_;
  }
}

BodyDecoder::~BodyDecoder() = default;

bool BodyDecoder::feed(std::string_view data, std::string& out) {
  if (failed_ || over_limit_) return false;
  char buffer[16384];
  auto take = [&](std::size_t n) {
    if (n > limit_ - std::min(limit_, out.size()) || out.size() > limit_) {
      over_limit_ = true;
      return false;
    }
    out.append(buffer, n);
    return true;
  };
  if (kind_ == Kind::kBrotli) {
    const auto* in = reinterpret_cast<const std::uint8_t*>(data.data());
    std::size_t avail_in = data.size();
    while (avail_in > 0 || !ended_) {
      if (ended_) {  // bytes after the end of the stream
        failed_ = true;
        return false;
      }
      auto* next_out = reinterpret_cast<std::uint8_t*>(buffer);
      std::size_t avail_out = sizeof(buffer);
      const BrotliDecoderResult r = BrotliDecoderDecompressStream(state_->brotli, &avail_in, &in,
                                                                  &avail_out, &next_out, nullptr);
      if (r == BROTLI_DECODER_RESULT_ERROR) {
        failed_ = true;
        return false;
      }
      if (!take(sizeof(buffer) - avail_out)) return false;
      if (r == BROTLI_DECODER_RESULT_SUCCESS) ended_ = true;
      if (r == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT) break;
    }
    return true;
  }
  z_stream& z = state_->zlib;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  while (z.avail_in > 0) {
    if (ended_) {  // another gzip member follows (or garbage, which inflate refuses)
      if (inflateReset(&z) != Z_OK) {
        failed_ = true;
        return false;
      }
      ended_ = false;
    }
    z.next_out = reinterpret_cast<Bytef*>(buffer);
    z.avail_out = sizeof(buffer);
    const int r = inflate(&z, Z_NO_FLUSH);
    if (r != Z_OK && r != Z_STREAM_END && !(r == Z_BUF_ERROR && z.avail_in == 0)) {
      failed_ = true;
      return false;
    }
    if (!take(sizeof(buffer) - z.avail_out)) return false;
    if (r == Z_STREAM_END) ended_ = true;
  }
  // Output held back for want of room: drain it.
  while (!ended_ && z.avail_out == 0) {
    z.next_out = reinterpret_cast<Bytef*>(buffer);
    z.avail_out = sizeof(buffer);
    const int r = inflate(&z, Z_NO_FLUSH);
    if (r != Z_OK && r != Z_STREAM_END && r != Z_BUF_ERROR) {
      failed_ = true;
      return false;
    }
    if (!take(sizeof(buffer) - z.avail_out)) return false;
    if (r == Z_STREAM_END) ended_ = true;
    if (r == Z_BUF_ERROR) break;
  }
  return true;
}

}  // namespace doppel
