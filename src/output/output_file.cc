#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "doppel/output.h"

namespace doppel {
namespace {

Status write_all(int fd, std::string_view bytes, const std::string& name) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IoError(fmt::format("{}: write failed: {}", name, std::strerror(errno)));
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return Status::Ok();
}

// The number N of a path /dev/fd/N, /proc/self/fd/N or /proc/PID/fd/N (this process's PID), or -1.
int descriptor_in(const std::filesystem::path& path) {
  const std::string s = path.lexically_normal().string();
  std::string_view rest;
  for (const std::string& prefix :
       {std::string("/dev/fd/"), std::string("/proc/self/fd/"),
        fmt::format("/proc/{}/fd/", ::getpid()), std::string("/proc/thread-self/fd/")}) {
    if (s.size() > prefix.size() && s.compare(0, prefix.size(), prefix) == 0) {
      rest = std::string_view(s).substr(prefix.size());
      break;
    }
  }
  if (rest.empty() || rest.size() > 9 || rest.find_first_not_of("0123456789") != rest.npos) {
    return -1;
  }
  return std::stoi(std::string(rest));
}

}  // namespace

int named_descriptor(const std::string& path) {
  namespace fs = std::filesystem;
  // /dev/stdout is a link to /proc/self/fd/1, which is a link to the file the descriptor has
  // open: the links are followed one at a time until a descriptor's name shows (at most a few:
  // a loop of links must end too).
  std::error_code ec;
  fs::path at = path.empty() ? fs::path() : fs::absolute(path, ec);
  if (at.empty() || ec) return -1;
  for (int hop = 0; hop < 8; ++hop) {
    if (const int fd = descriptor_in(at); fd >= 0) return fd;
    if (!fs::is_symlink(at, ec)) return -1;
    const fs::path target = fs::read_symlink(at, ec);
    if (ec) return -1;
    at = target.is_absolute() ? target : at.parent_path() / target;
  }
  return -1;
}

Status StdoutOutput::write(std::string_view bytes) {
  return write_all(STDOUT_FILENO, bytes, "standard output");
}

Status StdoutOutput::flush() { return Status::Ok(); }

Result<std::unique_ptr<OutputFile>> OutputFile::create(const std::string& path) {
  namespace fs = std::filesystem;
  if (path.empty()) return Status::IoError("cannot write to an empty file name");
  if (const int named = named_descriptor(path); named >= 0) {
    // /dev/stdout, /dev/stderr, /dev/fd/N: written through the descriptor itself, where the shell
    // left it (`>>`, `{ ...; } > file`). Opened again by name, a file there would be replaced.
    const int fd = ::fcntl(named, F_DUPFD_CLOEXEC, 0);
    if (fd < 0) {
      return Status::IoError(fmt::format("{}: cannot write: {}", path, std::strerror(errno)));
    }
    return std::unique_ptr<OutputFile>(new OutputFile(path, "", fd));
  }
  struct stat st {};
  const bool exists = ::stat(path.c_str(), &st) == 0;
  if (exists) {
    if (S_ISDIR(st.st_mode)) {
      return Status::IoError(fmt::format("{}: cannot write: Is a directory", path));
    }
    if (!S_ISREG(st.st_mode)) {
      // A device (/dev/null), a pipe or a socket: nothing there to keep or to replace, and it
      // must stay what it is. Written to directly.
      const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
      if (fd < 0) {
        return Status::IoError(fmt::format("{}: cannot write: {}", path, std::strerror(errno)));
      }
      return std::unique_ptr<OutputFile>(new OutputFile(path, "", fd));
    }
    // The file is replaced by a rename, which asks only for the directory's permission: a file
    // its owner made read-only (or one of another user's) would be replaced where writing to it
    // is refused. Refused here as writing to it would be (root may write anywhere, as with `>`).
    if (::access(path.c_str(), W_OK) != 0) {
      return Status::IoError(fmt::format("{}: cannot write: {} (the file is kept as it is)", path,
                                         std::strerror(errno)));
    }
  }
  // A link to a file: the file it points to is replaced, and the link stays. A link to nothing
  // yet (dangling) gets the file it names.
  std::error_code ec;
  fs::path target = path;
  if (fs::is_symlink(path, ec)) {
    if (fs::exists(path, ec)) {
      target = fs::canonical(path, ec);
    } else {
      const fs::path named = fs::read_symlink(path, ec);
      target = named.is_absolute() ? named : fs::path(path).parent_path() / named;
    }
  }
  if (!target.has_filename()) {
    return Status::IoError(fmt::format("{}: cannot write: not a file name", path));
  }
  // Beside the target, so that the rename stays on one file system; hidden, so that a directory
  // being read never takes it for input. The counter tells apart the outputs of one process.
  static std::atomic<unsigned> counter{0};
  const std::string temp =
      (target.parent_path() / fmt::format(".{}.doppel-{}-{}.tmp", target.filename().string(),
                                          ::getpid(), counter.fetch_add(1)))
          .string();
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) {
    // The file exists, but no file can be made beside it (/proc/version): said so, rather than
    // "No such file or directory" about a file the user sees.
    if (exists) {
      return Status::IoError(fmt::format(
          "{}: cannot write: the temporary file that replaces it cannot be made in {}: {}", path,
          target.parent_path().string(), std::strerror(errno)));
    }
    return Status::IoError(fmt::format("{}: cannot write: {}", path, std::strerror(errno)));
  }
  // The file replaced keeps its permissions (a private 0600 output stays private).
  if (exists) (void)::fchmod(fd, st.st_mode & 07777);
  return std::unique_ptr<OutputFile>(new OutputFile(target.string(), temp, fd));
}

OutputFile::~OutputFile() {
  if (!committed_) discard();
}

Status OutputFile::write(std::string_view bytes) {
  if (fd_ < 0) return Status::Internal(fmt::format("{}: written after it was closed", path_));
  return write_all(fd_, bytes, path_);
}

Status OutputFile::flush() { return Status::Ok(); }

Result<std::uint64_t> OutputFile::position() const {
  const off_t at = fd_ < 0 ? -1 : ::lseek(fd_, 0, SEEK_CUR);
  if (at < 0) return Status::IoError(fmt::format("{}: cannot tell where writing is", path_));
  return static_cast<std::uint64_t>(at);
}

Status OutputFile::skip(std::uint64_t bytes) {
  if (fd_ < 0 || ::lseek(fd_, static_cast<off_t>(bytes), SEEK_CUR) < 0) {
    return Status::IoError(fmt::format("{}: cannot move where writing is", path_));
  }
  return Status::Ok();
}

Status OutputFile::commit() {
  if (fd_ < 0) return Status::Internal(fmt::format("{}: committed twice", path_));
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) {
    Status s = Status::IoError(fmt::format("{}: write failed: {}", path_, std::strerror(errno)));
    if (!temp_path_.empty()) ::unlink(temp_path_.c_str());
    return s;
  }
  if (temp_path_.empty()) {  // written in place (a device or a pipe)
    committed_ = true;
    return Status::Ok();
  }
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    Status s = Status::IoError(fmt::format("{}: cannot replace: {}", path_, std::strerror(errno)));
    ::unlink(temp_path_.c_str());
    return s;
  }
  committed_ = true;
  return Status::Ok();
}

void OutputFile::discard() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  if (!committed_ && !temp_path_.empty()) {
    ::unlink(temp_path_.c_str());
    temp_path_.clear();
  }
}

}  // namespace doppel
