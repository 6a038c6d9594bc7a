// The default Env: the process's file system through POSIX calls, and standard input.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "doppel/env.h"

namespace doppel {
namespace {

// A file descriptor read until the buffer is full or the end (pipes and terminals give short
// reads; the readers above want whole blocks).
class FdFile final : public SequentialFile {
 public:
  FdFile(int fd, bool owned) : fd_(fd), owned_(owned) {}
  ~FdFile() override {
    if (owned_) ::close(fd_);
  }
  FdFile(const FdFile&) = delete;
  FdFile& operator=(const FdFile&) = delete;

  Status skip(std::uint64_t n) override {
    // A regular file seeks; a pipe cannot (ESPIPE) and reads instead.
    if (n > 0 && ::lseek(fd_, static_cast<off_t>(n), SEEK_CUR) >= 0) return Status::Ok();
    return SequentialFile::skip(n);
  }

  Result<std::size_t> read(std::span<char> out) override {
    std::size_t got = 0;
    while (got < out.size()) {
      const ssize_t n = ::read(fd_, out.data() + got, out.size() - got);
      if (n < 0) {
        if (errno == EINTR) continue;
        return Status::IoError(fmt::format("read failed: {}", std::strerror(errno)));
      }
      if (n == 0) break;
      got += static_cast<std::size_t>(n);
    }
    return got;
  }

 private:
  int fd_;
  bool owned_;
};

PathInfo info_of(const struct stat& st) {
  const std::int64_t modified =
      std::int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + std::int64_t{st.st_mtim.tv_nsec};
  if (S_ISREG(st.st_mode)) {
    return PathInfo{PathKind::kFile, static_cast<std::uint64_t>(st.st_size), modified};
  }
  if (S_ISDIR(st.st_mode)) return PathInfo{PathKind::kDirectory, 0, modified};
  return PathInfo{PathKind::kOther, 0, modified};
}

class PosixEnv final : public Env {
 public:
  PathInfo stat(const std::string& path) override {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return PathInfo{};
    return info_of(st);
  }

  Result<std::vector<DirEntry>> list(const std::string& dir) override {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::directory_iterator it(dir, ec);
    if (ec) return Status::IoError(fmt::format("{}: cannot list: {}", dir, ec.message()));
    std::vector<DirEntry> entries;
    for (; it != fs::directory_iterator(); it.increment(ec)) {
      if (ec) return Status::IoError(fmt::format("{}: cannot list: {}", dir, ec.message()));
      DirEntry e;
      e.name = it->path().filename().string();
      // Links to directories are not followed (no cycles, no tree read twice); links to files are.
      // A link whose target cannot be looked at (dangling, in a directory the user may not enter,
      // a loop) is listed as a file: opening it fails, and the reader reports it as unreadable
      // with the reason, rather than skip what may well be a document.
      struct stat st {};
      const std::string path = it->path().string();
      if (::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
        struct stat target {};
        if (::stat(path.c_str(), &target) != 0) {
          e.info = PathInfo{PathKind::kFile, 0};
        } else {
          e.info = S_ISREG(target.st_mode) ? info_of(target) : PathInfo{PathKind::kOther, 0};
        }
      } else if (::lstat(path.c_str(), &st) == 0) {
        e.info = info_of(st);
      }
      entries.push_back(std::move(e));
    }
    return entries;
  }

  Result<std::unique_ptr<SequentialFile>> open(const std::string& path) override {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      return Status::IoError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
    }
    return std::unique_ptr<SequentialFile>(new FdFile(fd, true));
  }

  Result<std::unique_ptr<SequentialFile>> open_stdin() override {
    return std::unique_ptr<SequentialFile>(new FdFile(STDIN_FILENO, false));
  }
};

}  // namespace

Status SequentialFile::skip(std::uint64_t n) {
  std::vector<char> block(std::min<std::uint64_t>(n, 1u << 16));
  while (n > 0) {
    auto got = read(std::span(block.data(), std::min<std::uint64_t>(n, block.size())));
    if (!got.ok()) return got.status();
    if (*got == 0) break;
    n -= *got;
  }
  return Status::Ok();
}

Env& default_env() {
  static PosixEnv env;  // stateless
  return env;
}

}  // namespace doppel
