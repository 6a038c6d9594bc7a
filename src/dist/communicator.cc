#include "dist/communicator.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace doppel::dist {
namespace {

constexpr int kTag = 17;

Status mpi_error(const char* call, int code) {
  char text[MPI_MAX_ERROR_STRING] = {};
  int len = 0;
  MPI_Error_string(code, text, &len);
  return Status::Internal(fmt::format("{} failed: {}", call, std::string_view(text, len)));
}

#define DOPPEL_MPI(call)                                      \
  do {                                                        \
    if (const int mpi_rc_ = (call); mpi_rc_ != MPI_SUCCESS) { \
      return mpi_error(#call, mpi_rc_);                       \
    }                                                         \
  } while (0)

// Posts the sends or receives of `bytes` at `data` with `peer`, in pieces of at most `piece`
// bytes (MPI counts are int); pieces between two ranks arrive in the order they were sent.
template <typename Post>
Status post_pieces(std::uint64_t bytes, std::uint64_t piece, std::vector<MPI_Request>& requests,
                   Post post) {
  for (std::uint64_t at = 0; at < bytes; at += piece) {
    requests.emplace_back();
    const int n = static_cast<int>(std::min(piece, bytes - at));
    if (const int rc = post(at, n, &requests.back()); rc != MPI_SUCCESS) {
      return mpi_error("MPI_Isend/MPI_Irecv", rc);
    }
  }
  return Status::Ok();
}

// Whether an MCA parameter file or the environment chooses the point-to-point layer: a pml or an
// mtl named (not just excluded, as Debian's own file excludes ucx and ofi), or ob1 excluded.
bool pml_chosen_elsewhere() {
  if (std::getenv("OMPI_MCA_pml") != nullptr || std::getenv("OMPI_MCA_mtl") != nullptr) return true;
  std::vector<std::string> files;
  if (const char* listed = std::getenv("OMPI_MCA_mca_base_param_files")) {
    std::string_view rest = listed;
    while (!rest.empty()) {
      const std::size_t comma = rest.find(',');
      files.emplace_back(rest.substr(0, comma));
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
  } else {
    if (const char* home = std::getenv("HOME")) {
      files.push_back(std::string(home) + "/.openmpi/mca-params.conf");
    }
    files.emplace_back("/etc/openmpi/openmpi-mca-params.conf");
  }
  const auto trim = [](std::string_view v) {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t' || v.back() == '\r')) {
      v.remove_suffix(1);
    }
    return v;
  };
  for (const std::string& file : files) {
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
      std::string_view l = line;
      l = trim(l.substr(0, l.find('#')));
      const std::size_t eq = l.find('=');
      if (eq == std::string_view::npos) continue;
      const std::string_view name = trim(l.substr(0, eq));
      const std::string_view value = trim(l.substr(eq + 1));
      const bool excluded = !value.empty() && value.front() == '^';
      if ((name == "pml" || name == "mtl") && !excluded) return true;
      if (name == "pml" && value.find("ob1") != std::string_view::npos) return true;
    }
  }
  return false;
}

// Open MPI chooses its point-to-point layer by probing every fabric it was built with (Debian's:
// libfabric, PSM, PSM2), about 0.2 s of each rank's start, nearly half of a two-rank start on one
// host. When the launcher says that every rank is on this host, the ranks talk through shared
// memory whatever is chosen: ask for ob1 (shared memory by its vader BTL) and skip the probe,
// unless the user or the site chose a pml or an mtl (mpirun --mca passes them as OMPI_MCA_
// variables; parameter files are read as Open MPI reads them).
void prefer_shared_memory_on_one_host() {
  const char* size = std::getenv("OMPI_COMM_WORLD_SIZE");
  const char* local = std::getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
  if (size == nullptr || local == nullptr || std::string_view(size) != local) return;
  if (pml_chosen_elsewhere()) return;
  setenv("OMPI_MCA_pml", "ob1", /*overwrite=*/0);  // before MPI_Init, before any thread
}

}  // namespace

Result<std::unique_ptr<Session>> Session::start(int* argc, char*** argv) {
  prefer_shared_memory_on_one_host();
  int provided = MPI_THREAD_SINGLE;
  DOPPEL_MPI(MPI_Init_thread(argc, argv, MPI_THREAD_SERIALIZED, &provided));
  std::unique_ptr<Session> session(new Session);
  MPI_Comm comm = MPI_COMM_NULL;
  DOPPEL_MPI(MPI_Comm_dup(MPI_COMM_WORLD, &comm));
  DOPPEL_MPI(MPI_Comm_set_errhandler(comm, MPI_ERRORS_RETURN));
  session->world_.reset(new Communicator(comm, provided >= MPI_THREAD_SERIALIZED));
  return session;
}

Session::~Session() {
  world_.reset();
  MPI_Finalize();
}

Communicator::Communicator(MPI_Comm comm, bool threads_may_call)
    : comm_(comm), threads_may_call_(threads_may_call) {
  MPI_Comm_rank(comm_, &rank_);
  MPI_Comm_size(comm_, &size_);
  char name[MPI_MAX_PROCESSOR_NAME] = {};
  int len = 0;
  MPI_Get_processor_name(name, &len);
  host_.assign(name, static_cast<std::size_t>(len));
  round_bytes_ = std::uint64_t{1} << 30;
  if (const char* env = std::getenv("DOPPEL_MPI_ROUND_BYTES"); env != nullptr) {
    round_bytes_ = std::max<std::uint64_t>(1, std::strtoull(env, nullptr, 10));
  }
  send_parts_to_root_ = std::getenv("DOPPEL_MPI_SEND_PARTS") != nullptr && rank_ % 2 == 1;
}

Communicator::~Communicator() {
  if (comm_ != MPI_COMM_NULL) MPI_Comm_free(&comm_);
}

Status Communicator::agree(const Status& local) {
  int first = local.ok() ? size_ : rank_;
  int lowest = size_;
  DOPPEL_MPI(MPI_Allreduce(&first, &lowest, 1, MPI_INT, MPI_MIN, comm_));
  bytes_sent_ += sizeof(int);
  if (lowest == size_) return Status::Ok();
  // The failing rank says what happened and where.
  std::string what;
  if (rank_ == lowest) {
    what = fmt::format("{}\n{}\n{}", static_cast<int>(local.code()), host_, local.message());
  }
  DOPPEL_RETURN_IF_ERROR(broadcast(what, lowest));
  const std::size_t a = what.find('\n');
  const std::size_t b = what.find('\n', a + 1);
  failed_ = FailedRank{lowest, what.substr(a + 1, b - a - 1)};
  const auto code = static_cast<StatusCode>(std::atoi(what.substr(0, a).c_str()));
  std::string message = what.substr(b + 1);
  switch (code) {
    case StatusCode::kInvalidArgument:
      return Status::InvalidArgument(std::move(message));
    case StatusCode::kIoError:
      return Status::IoError(std::move(message));
    case StatusCode::kCorruptInput:
      return Status::CorruptInput(std::move(message));
    case StatusCode::kNoDocuments:
      return Status::NoDocuments(std::move(message));
    case StatusCode::kOutOfMemory:
      return Status::OutOfMemory(std::move(message));
    case StatusCode::kCancelled:
      return Status::Cancelled(std::move(message));
    case StatusCode::kOk:
    case StatusCode::kInternal:
      break;
  }
  return Status::Internal(std::move(message));
}

Status Communicator::barrier() {
  DOPPEL_MPI(MPI_Barrier(comm_));
  return Status::Ok();
}

Status Communicator::sum(std::span<std::uint64_t> values) {
  DOPPEL_MPI(MPI_Allreduce(MPI_IN_PLACE, values.data(), static_cast<int>(values.size()),
                           MPI_UINT64_T, MPI_SUM, comm_));
  bytes_sent_ += values.size_bytes();
  return Status::Ok();
}

Status Communicator::max(std::span<std::uint64_t> values) {
  DOPPEL_MPI(MPI_Allreduce(MPI_IN_PLACE, values.data(), static_cast<int>(values.size()),
                           MPI_UINT64_T, MPI_MAX, comm_));
  bytes_sent_ += values.size_bytes();
  return Status::Ok();
}

Result<std::uint64_t> Communicator::exclusive_sum(std::uint64_t value) {
  std::uint64_t below = 0;
  DOPPEL_MPI(MPI_Exscan(&value, &below, 1, MPI_UINT64_T, MPI_SUM, comm_));
  bytes_sent_ += sizeof value;
  return rank_ == 0 ? 0 : below;  // MPI leaves rank 0's result undefined
}

Status Communicator::exclusive_sums(std::span<std::uint64_t> values) {
  std::vector<std::uint64_t> below(values.size(), 0);
  DOPPEL_MPI(MPI_Exscan(values.data(), below.data(), static_cast<int>(values.size()), MPI_UINT64_T,
                        MPI_SUM, comm_));
  bytes_sent_ += values.size_bytes();
  if (rank_ == 0) std::fill(below.begin(), below.end(), 0);  // undefined on rank 0
  std::copy(below.begin(), below.end(), values.begin());
  return Status::Ok();
}

Status Communicator::broadcast(std::string& bytes, int root) {
  std::uint64_t size = bytes.size();
  DOPPEL_MPI(MPI_Bcast(&size, 1, MPI_UINT64_T, root, comm_));
  bytes.resize(size);
  for (std::uint64_t at = 0; at < size; at += round_bytes_) {
    const int n = static_cast<int>(std::min(round_bytes_, size - at));
    DOPPEL_MPI(MPI_Bcast(bytes.data() + at, n, MPI_BYTE, root, comm_));
  }
  if (rank_ == root) bytes_sent_ += (size + sizeof size) * static_cast<std::uint64_t>(size_ - 1);
  return Status::Ok();
}

Result<std::vector<std::string>> Communicator::all_gather(std::string_view bytes) {
  const std::vector<std::vector<char>> send(static_cast<std::size_t>(size_),
                                            std::vector<char>(bytes.begin(), bytes.end()));
  std::vector<std::size_t> from;
  auto got = exchange(send, &from);
  if (!got.ok()) return got.status();
  std::vector<std::string> out;
  out.reserve(static_cast<std::size_t>(size_));
  for (int r = 0; r < size_; ++r) {
    out.emplace_back(got->data() + from[static_cast<std::size_t>(r)],
                     from[static_cast<std::size_t>(r) + 1] - from[static_cast<std::size_t>(r)]);
  }
  return out;
}

Result<std::vector<std::string>> Communicator::gather(std::string_view bytes, int root) {
  std::vector<std::vector<char>> send(static_cast<std::size_t>(size_));
  send[static_cast<std::size_t>(root)].assign(bytes.begin(), bytes.end());
  std::vector<std::size_t> from;
  auto got = exchange(send, &from);
  if (!got.ok()) return got.status();
  std::vector<std::string> out;
  if (rank_ != root) return out;
  for (int r = 0; r < size_; ++r) {
    out.emplace_back(got->data() + from[static_cast<std::size_t>(r)],
                     from[static_cast<std::size_t>(r) + 1] - from[static_cast<std::size_t>(r)]);
  }
  return out;
}

Status Communicator::exchange_counts(const std::vector<std::uint64_t>& send,
                                     std::vector<std::uint64_t>& recv) {
  recv.assign(static_cast<std::size_t>(size_), 0);
  DOPPEL_MPI(MPI_Alltoall(send.data(), 1, MPI_UINT64_T, recv.data(), 1, MPI_UINT64_T, comm_));
  bytes_sent_ += sizeof(std::uint64_t) * static_cast<std::uint64_t>(size_ - 1);
  return Status::Ok();
}

Status Communicator::exchange_bytes(const std::vector<const char*>& parts,
                                    const std::vector<std::uint64_t>& send_bytes, char* out,
                                    const std::vector<std::uint64_t>& recv_bytes) {
  // Every receive and send posted at once, each rank's part in pieces of at most round_bytes_
  // (MPI counts are int), then all awaited: the pairwise exchange MPI_Alltoallv does, without
  // copying the parts into one buffer first.
  std::vector<MPI_Request> requests;
  std::uint64_t at = 0;
  for (int r = 0; r < size_; ++r) {
    const auto ri = static_cast<std::size_t>(r);
    if (r == rank_) {
      if (send_bytes[ri] > 0) std::memcpy(out + at, parts[ri], send_bytes[ri]);
    } else {
      char* into = out + at;
      DOPPEL_RETURN_IF_ERROR(post_pieces(
          recv_bytes[ri], round_bytes_, requests, [&](std::uint64_t off, int n, MPI_Request* q) {
            return MPI_Irecv(into + off, n, MPI_BYTE, r, kTag, comm_, q);
          }));
    }
    at += recv_bytes[ri];
  }
  for (int k = 1; k < size_; ++k) {
    const int r = (rank_ + k) % size_;  // each rank starts with its next neighbour
    const auto ri = static_cast<std::size_t>(r);
    const char* from = parts[ri];
    DOPPEL_RETURN_IF_ERROR(post_pieces(
        send_bytes[ri], round_bytes_, requests, [&](std::uint64_t off, int n, MPI_Request* q) {
          return MPI_Isend(from + off, n, MPI_BYTE, r, kTag, comm_, q);
        }));
    bytes_sent_ += send_bytes[ri];
  }
  DOPPEL_MPI(MPI_Waitall(static_cast<int>(requests.size()), requests.data(), MPI_STATUSES_IGNORE));
  return Status::Ok();
}

}  // namespace doppel::dist
