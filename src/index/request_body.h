// A request body as the service reads it: the documents of POST /v1/documents and /v1/query come
// in the body only, as a JSON array of objects (or one object) or as JSON Lines, and are read by
// the same reader and parser as a JSON Lines file (the same fields and bad-input rules), through
// an Env whose standard input is the body and which has no files: no request can name a file on
// the server. Thread-safety: a BodyEnv serves one request.
#pragma once

#include <memory>
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

}  // namespace doppel
