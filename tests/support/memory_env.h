// An Env over files held in memory, for tests and fuzzers of the input layer: paths are keys,
// directories are implied by the paths below them, and standard input is a string.
#pragma once

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "doppel/env.h"

namespace doppel::test {

class MemoryEnv final : public Env {
 public:
  std::map<std::string, std::string> files;
  std::string stdin_bytes;
  std::size_t read_chunk = 1 << 20;  // the most one read() gives: small values test short reads
  int stdin_opens = 0;               // how often standard input was opened

  PathInfo stat(const std::string& path) override {
    const std::string p = strip(path);
    if (auto it = files.find(p); it != files.end()) {
      return PathInfo{PathKind::kFile, it->second.size()};
    }
    for (const auto& [name, bytes] : files) {
      if (name.size() > p.size() && name.compare(0, p.size(), p) == 0 && name[p.size()] == '/') {
        return PathInfo{PathKind::kDirectory, 0};
      }
    }
    return PathInfo{};
  }

  Result<std::vector<DirEntry>> list(const std::string& dir) override {
    const std::string p = strip(dir) + "/";
    std::set<std::string> seen;
    std::vector<DirEntry> out;
    for (const auto& [name, bytes] : files) {
      if (name.compare(0, p.size(), p) != 0) continue;
      const std::string rest = name.substr(p.size());
      const std::string child = rest.substr(0, rest.find('/'));
      if (!seen.insert(child).second) continue;
      out.push_back(DirEntry{child, stat(p + child)});
    }
    std::reverse(out.begin(), out.end());  // any order: the library sorts
    return out;
  }

  Result<std::unique_ptr<SequentialFile>> open(const std::string& path) override {
    const auto it = files.find(strip(path));
    if (it == files.end()) return Status::IoError(path + ": cannot open: No such file");
    return std::unique_ptr<SequentialFile>(new StringFile(it->second, read_chunk));
  }

  Result<std::unique_ptr<SequentialFile>> open_stdin() override {
    ++stdin_opens;
    return std::unique_ptr<SequentialFile>(new StringFile(stdin_bytes, read_chunk));
  }

 private:
  static std::string strip(std::string p) {
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    return p;
  }

  class StringFile final : public SequentialFile {
   public:
    StringFile(std::string bytes, std::size_t chunk) : bytes_(std::move(bytes)), chunk_(chunk) {}
    Result<std::size_t> read(std::span<char> out) override {
      const std::size_t n = std::min({out.size(), bytes_.size() - pos_, chunk_});
      if (n > 0) std::memcpy(out.data(), bytes_.data() + pos_, n);
      pos_ += n;
      return n;
    }

   private:
    std::string bytes_;
    std::size_t chunk_;
    std::size_t pos_ = 0;
  };
};

}  // namespace doppel::test
