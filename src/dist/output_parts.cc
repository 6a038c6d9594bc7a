#include "dist/output_parts.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace doppel::dist {
namespace {

constexpr int kTag = 29;
constexpr std::size_t kPiece = std::size_t{4} << 20;

std::string temp_dir() {
  const char* dir = std::getenv("TMPDIR");
  return dir != nullptr && *dir != '\0' ? dir : "/tmp";
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

Status join_parts(Communicator& comm, const PartOutput& part, OutputStream* out) {
  // Each rank sends its part in pieces and then an empty piece; rank 0 takes the ranks in turn.
  // A failure does not stop the exchange (the others would wait): the pieces are still sent and
  // received, and the ranks agree on the failure at the end.
  MPI_Comm mpi = comm.handle();
  std::vector<char> piece(kPiece);
  Status status;
  if (comm.rank() != 0) {
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
      if (MPI_Send(piece.data(), static_cast<int>(n), MPI_BYTE, 0, kTag, mpi) != MPI_SUCCESS) {
        status = Status::Internal("MPI_Send of an output part failed");
        break;
      }
      comm.note_sent(n);
      if (n == 0) break;
      at += n;
    }
    return comm.agree(status);
  }
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
  for (int r = 1; r < comm.size(); ++r) {
    for (;;) {
      MPI_Status st;
      if (MPI_Recv(piece.data(), static_cast<int>(kPiece), MPI_BYTE, r, kTag, mpi, &st) !=
          MPI_SUCCESS) {
        return Status::Internal("MPI_Recv of an output part failed");
      }
      int n = 0;
      MPI_Get_count(&st, MPI_BYTE, &n);
      if (n == 0) break;
      if (status.ok())
        status = out->write(std::string_view(piece.data(), static_cast<std::size_t>(n)));
    }
  }
  if (status.ok()) status = out->flush();
  return comm.agree(status);
}

}  // namespace doppel::dist
