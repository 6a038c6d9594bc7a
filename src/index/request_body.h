// A request body as the service reads it: the documents of POST /v1/documents and /v1/query come
// in the body only, as a JSON array of objects (or one object) or as JSON Lines, and are read by
// the same reader and parser as a JSON Lines file (the same fields and bad-input rules), through
// an Env whose standard input is the body and which has no files: no request can name a file on
// the server. Thread-safety: a BodyEnv serves one request.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "doppel/env.h"
#include "doppel/status.h"

namespace doppel {

class BodyEnv final : public Env {
 public:
  explicit BodyEnv(std::string_view jsonl) : jsonl_(jsonl) {}
  PathInfo stat(const std::string& path) override;
  Result<std::vector<DirEntry>> list(const std::string& dir) override;
  Result<std::unique_ptr<SequentialFile>> open(const std::string& path) override;
  Result<std::unique_ptr<SequentialFile>> open_stdin() override;

 private:
  std::string_view jsonl_;
};

// The documents of a body as JSON Lines: a JSON array's elements (or one JSON object) each on a
// line, minified; JSON Lines (`json_lines`: the content type said so) as they are. Fails on a body
// that is not JSON (saying where) or on a JSON value that is neither an array nor an object.
Result<std::string> body_as_json_lines(std::string_view body, bool json_lines);

// A body's Content-Encoding (gzip, deflate, br) decoded as the body arrives, to at most `limit`
// bytes, and whether the compressed stream ended where the body did: a body cut short (a dropped
// connection, a truncated upload) is refused, not taken for the documents it got as far as.
// (httplib's own decoders take such a body for a whole one.) Several gzip members one after
// another are one body, as gunzip reads them.
class BodyDecoder {
 public:
  enum class Kind { kGzip, kDeflate, kBrotli };
  // The kind of a Content-Encoding value, as httplib names them (case-sensitively); nullopt for
  // identity, none, or one not supported.
  static std::optional<Kind> kind_of(std::string_view encoding);

  BodyDecoder(Kind kind, std::size_t limit);
  ~BodyDecoder();
  BodyDecoder(const BodyDecoder&) = delete;
  BodyDecoder& operator=(const BodyDecoder&) = delete;

  // Appends what `data` decodes to to `out`. False once the data is not valid (or follows the
  // end of the stream) or `out` would pass the limit (over_limit()).
  bool feed(std::string_view data, std::string& out);
  bool over_limit() const { return over_limit_; }
  // True when the stream ended with the last byte fed.
  bool finished() const { return ended_; }

 private:
  struct State;
  std::unique_ptr<State> state_;
  Kind kind_;
  std::size_t limit_;
  bool ended_ = false, over_limit_ = false, failed_ = false;
};

}  // namespace doppel
