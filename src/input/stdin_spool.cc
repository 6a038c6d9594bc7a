#include "input/stdin_spool.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

namespace doppel {
namespace {

class SpoolReader final : public SequentialFile {
 public:
  explicit SpoolReader(int fd) : fd_(fd) {}
  Result<std::size_t> read(std::span<char> out) override {
    std::size_t got = 0;
    while (got < out.size()) {
      const ssize_t n =
          ::pread(fd_, out.data() + got, out.size() - got, static_cast<off_t>(pos_ + got));
      if (n < 0) {
        if (errno == EINTR) continue;
        return Status::IoError(
            fmt::format("cannot read the copy of standard input: {}", std::strerror(errno)));
      }
      if (n == 0) break;
      got += static_cast<std::size_t>(n);
    }
    pos_ += got;
    return got;
  }

 private:
  int fd_;
  std::uint64_t pos_ = 0;
};

class TeeFile final : public SequentialFile {
 public:
  TeeFile(std::unique_ptr<SequentialFile> in, StdinSpool& spool)
      : in_(std::move(in)), spool_(spool) {}
  Result<std::size_t> read(std::span<char> out) override {
    auto n = in_->read(out);
    if (n.ok() && *n > 0) spool_.append(out.first(*n));
    return n;
  }

 private:
  std::unique_ptr<SequentialFile> in_;
  StdinSpool& spool_;
};

}  // namespace

Result<std::shared_ptr<StdinSpool>> StdinSpool::create() {
  const char* dir = std::getenv("TMPDIR");
  std::string path =
      std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") + "/doppel-stdin-XXXXXX";
  const int fd = ::mkstemp(path.data());
  if (fd < 0) {
    return Status::IoError(fmt::format("cannot create a temporary copy of standard input in {}: {}",
                                       path.substr(0, path.rfind('/')), std::strerror(errno)));
  }
  ::unlink(path.c_str());  // anonymous from now on: the file goes when the descriptor closes
  return std::shared_ptr<StdinSpool>(new StdinSpool(fd, path.substr(0, path.rfind('/'))));
}

StdinSpool::~StdinSpool() { ::close(fd_); }

void StdinSpool::append(std::span<const char> bytes) {
  std::size_t done = 0;
  while (failure_.empty() && done < bytes.size()) {
    const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      failure_ = std::strerror(errno);
      break;
    }
    done += static_cast<std::size_t>(n);
  }
}

Status StdinSpool::whole() const {
  if (failure_.empty()) return Status::Ok();
  return Status::IoError(
      fmt::format("cannot write the temporary copy of standard input in {} ({}), which the "
                  "outputs read again; set TMPDIR to a folder with room",
                  dir_, failure_));
}

Result<std::unique_ptr<SequentialFile>> StdinSpool::open() const {
  DOPPEL_RETURN_IF_ERROR(whole());
  return std::unique_ptr<SequentialFile>(std::make_unique<SpoolReader>(fd_));
}

std::unique_ptr<SequentialFile> StdinSpool::tee(std::unique_ptr<SequentialFile> file) {
  return std::make_unique<TeeFile>(std::move(file), *this);
}

}  // namespace doppel
