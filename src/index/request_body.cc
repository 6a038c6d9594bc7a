#include "index/request_body.h"

#include <fmt/format.h>
#include <simdjson.h>

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
  for (const simdjson::dom::element e : array) {
    lines += simdjson::minify(e);
    lines.push_back('\n');
  }
  return lines;
}

}  // namespace doppel
