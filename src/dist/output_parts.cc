#include "dist/output_parts.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "doppel/output.h"

namespace doppel::dist {
namespace {

constexpr int kTag = 29;
constexpr std::size_t kPiece = std::size_t{4} << 20;

std::string temp_dir() {
  const char* dir = std::getenv("TMPDIR");
  return dir != nullptr && *dir != '\0' ? dir : "/tmp";
}

Status pwrite_all(int fd, std::string_view bytes, std::uint64_t offset, std::string_view name) {
  while (!bytes.empty()) {
    const ssize_t n = ::pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IoError(fmt::format("{}: write failed: {}", name, std::strerror(errno)));
    }
    offset += static_cast<std::uint64_t>(n);
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return Status::Ok();
}

class Descriptor {
 public:
  Descriptor() = default;
  ~Descriptor() { reset(-1); }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  void reset(int fd) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }
  int get() const { return fd_; }

 private:
  int fd_ = -1;
};

// Rank 0's output temporary, which the ranks on its host may write into: its name, and what tells
// that a rank opened that very file (the host, the device and inode), and where the parts begin.
struct SharedTarget {
  std::string path, host;
  std::uint64_t device = 0, inode = 0, base = 0;
};

std::string encode(const SharedTarget& t) {
  if (t.path.empty()) return "";
  return fmt::format("{} {} {}\n{}\n{}", t.device, t.inode, t.base, t.host, t.path);
}

SharedTarget decode(const std::string& wire) {
  SharedTarget t;
  const std::size_t first = wire.find('\n');
  const std::size_t second = first == std::string::npos ? first : wire.find('\n', first + 1);
  if (second == std::string::npos) return t;
  unsigned long long device = 0, inode = 0, base = 0;  // NOLINT(google-runtime-int): sscanf's
  if (std::sscanf(wire.c_str(), "%llu %llu %llu", &device, &inode, &base) != 3) return t;
  t.device = device;
  t.inode = inode;
  t.base = base;
  t.host = wire.substr(first + 1, second - first - 1);
  t.path = wire.substr(second + 1);
  return t;
}

// Opens the target for writing when it is the very file rank 0 made (same host, device and inode).
void open_target(const SharedTarget& t, const std::string& host, Descriptor& fd) {
  if (t.path.empty() || host != t.host) return;
  fd.reset(::open(t.path.c_str(), O_WRONLY | O_CLOEXEC));
  struct stat st {};
  if (fd.get() >= 0 &&
      (::fstat(fd.get(), &st) != 0 || st.st_dev != t.device || st.st_ino != t.inode)) {
    fd.reset(-1);
  }
}

// Sends the part to rank 0 in pieces, then an empty piece. After a failure the pieces are still
// sent (empty), so that rank 0 is not left waiting; the ranks agree on the failure afterwards.
Status send_part(Communicator& comm, const PartOutput& part, std::vector<char>& piece,
                 Status status) {
  for (std::uint64_t at = 0;;) {
    std::size_t n = 0;
    if (status.ok() && at < part.size()) {
      auto got = part.read_at(at, piece);
      if (got.ok()) {
        n = *got;
      } else {
        status = got.status();
      }
    }
    if (MPI_Send(piece.data(), static_cast<int>(n), MPI_BYTE, 0, kTag, comm.handle()) !=
        MPI_SUCCESS) {
      return Status::Internal("MPI_Send of an output part failed");
    }
    comm.note_sent(n);
    if (n == 0) return status;
    at += n;
  }
}

// Rank 0: receives rank r's part and hands each piece to `write`, until the empty piece.
template <typename Write>
Status receive_part(Communicator& comm, int r, std::vector<char>& piece, Status& status,
                    Write write) {
  for (std::uint64_t at = 0;;) {
    MPI_Status st;
    if (MPI_Recv(piece.data(), static_cast<int>(kPiece), MPI_BYTE, r, kTag, comm.handle(), &st) !=
        MPI_SUCCESS) {
      return Status::Internal("MPI_Recv of an output part failed");
    }
    int n = 0;
    MPI_Get_count(&st, MPI_BYTE, &n);
    if (n == 0) return Status::Ok();
    if (status.ok())
      status = write(std::string_view(piece.data(), static_cast<std::size_t>(n)), at);
    at += static_cast<std::uint64_t>(n);
  }
}

}  // namespace

PartOutput::~PartOutput() {
  if (fd_ >= 0) ::close(fd_);
}

Status PartOutput::open() {
  const std::string dir = temp_dir();
#ifdef O_TMPFILE
  fd_ = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
#endif
  if (fd_ < 0) {
    std::string path = dir + "/.doppel-part-XXXXXX";
    fd_ = ::mkstemp(path.data());
    if (fd_ >= 0) ::unlink(path.c_str());
  }
  if (fd_ < 0) {
    return Status::IoError(
        fmt::format("cannot create a temporary file in {}: {}", dir, std::strerror(errno)));
  }
  return Status::Ok();
}

Status PartOutput::write(std::string_view bytes) {
  if (fd_ < 0) DOPPEL_RETURN_IF_ERROR(open());
  while (!bytes.empty()) {
    const ssize_t n = ::pwrite(fd_, bytes.data(), bytes.size(), static_cast<off_t>(size_));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IoError(
          fmt::format("cannot write a temporary file in {}: {}", temp_dir(), std::strerror(errno)));
    }
    size_ += static_cast<std::uint64_t>(n);
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return Status::Ok();
}

Result<std::size_t> PartOutput::read_at(std::uint64_t at, std::span<char> out) const {
  std::size_t got = 0;
  while (got < out.size() && at + got < size_) {
    const ssize_t n =
        ::pread(fd_, out.data() + got, out.size() - got, static_cast<off_t>(at + got));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IoError(fmt::format("cannot read a temporary file: {}", std::strerror(errno)));
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  return got;
}

Status PartOutput::copy_to(int fd, std::uint64_t offset, std::string_view name) const {
  // The kernel copies without a trip through this process where it can (within one file system);
  // else the part goes through a buffer.
  std::uint64_t done = 0;
  while (done < size_) {
    loff_t in = static_cast<loff_t>(done);
    loff_t at = static_cast<loff_t>(offset + done);
    const ssize_t n = ::copy_file_range(fd_, &in, fd, &at, size_ - done, 0);
    if (n > 0) {
      done += static_cast<std::uint64_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;
  }
  std::vector<char> piece(done < size_ ? kPiece : 0);
  while (done < size_) {
    auto got = read_at(done, piece);
    if (!got.ok()) return got.status();
    if (*got == 0) return Status::Internal("a temporary file ended before its size");
    DOPPEL_RETURN_IF_ERROR(
        pwrite_all(fd, std::string_view(piece.data(), *got), offset + done, name));
    done += *got;
  }
  return Status::Ok();
}

Status join_parts(Communicator& comm, const PartOutput& part, OutputStream* out) {
  const bool root = comm.rank() == 0;
  SharedTarget target;
  Descriptor fd;
  OutputFile* file = root ? dynamic_cast<OutputFile*>(out) : nullptr;
  if (file != nullptr && !file->temp_path().empty()) {
    auto base = file->position();
    fd.reset(::open(file->temp_path().c_str(), O_WRONLY | O_CLOEXEC));
    struct stat st {};
    if (base.ok() && fd.get() >= 0 && ::fstat(fd.get(), &st) == 0) {
      target = SharedTarget{file->temp_path(), comm.host(), st.st_dev, st.st_ino, *base};
    } else {
      fd.reset(-1);
    }
  }
  std::string wire = encode(target);
  DOPPEL_RETURN_IF_ERROR(comm.broadcast(wire, 0));
  if (!root && !comm.send_parts_to_root()) {
    target = decode(wire);
    open_target(target, comm.host(), fd);
  }
  const bool direct = fd.get() >= 0;

  // Which ranks write their own parts, and where each part begins.
  auto all = comm.all_gather(fmt::format("{} {}", direct ? 1 : 0, part.size()));
  if (!all.ok()) return all.status();
  std::vector<std::uint8_t> writes_itself(all->size());
  std::vector<std::uint64_t> begin(all->size() + 1, 0);
  for (std::size_t r = 0; r < all->size(); ++r) {
    unsigned flag = 0;
    unsigned long long size = 0;  // NOLINT(google-runtime-int): sscanf's
    if (std::sscanf((*all)[r].c_str(), "%u %llu", &flag, &size) != 2) {
      return Status::Internal("a rank's part was described wrongly");
    }
    writes_itself[r] = flag != 0;
    begin[r + 1] = begin[r] + size;
  }

  std::vector<char> piece(kPiece);
  Status status;
  const auto me = static_cast<std::size_t>(comm.rank());
  if (direct) status = part.copy_to(fd.get(), target.base + begin[me], target.path);
  if (!root) {
    if (!direct) status = send_part(comm, part, piece, status);
    return comm.agree(status);
  }
  if (!direct) {  // standard output, a pipe or a device: every part through write(), in order
    for (std::uint64_t at = 0; at < part.size() && status.ok();) {
      auto got = part.read_at(at, piece);
      if (!got.ok()) {
        status = got.status();
        break;
      }
      if (*got == 0) break;
      status = out->write(std::string_view(piece.data(), *got));
      at += *got;
    }
  }
  for (int r = 1; r < comm.size(); ++r) {
    if (writes_itself[static_cast<std::size_t>(r)]) continue;
    DOPPEL_RETURN_IF_ERROR(
        receive_part(comm, r, piece, status, [&](std::string_view bytes, std::uint64_t at) {
          return direct ? pwrite_all(fd.get(), bytes,
                                     target.base + begin[static_cast<std::size_t>(r)] + at,
                                     target.path)
                        : out->write(bytes);
        }));
  }
  if (direct && status.ok()) status = file->skip(begin.back());
  if (status.ok()) status = out->flush();
  return comm.agree(status);
}

}  // namespace doppel::dist
