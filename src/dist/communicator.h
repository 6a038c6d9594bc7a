// MPI behind errors as values: the ranks of a job started by mpirun or srun, the collectives the
// distributed jobs use, and a count of the bytes each rank hands to MPI for the other ranks.
//
// Every collective must be called by every rank in the same order. A rank that fails on its own
// (bad input under --on-error=fail, an unreadable file, memory) must not leave the others waiting
// in a collective: each distributed stage ends with agree(), which every rank calls with its own
// Status, and after which all ranks stop together, knowing which rank failed first and why.
//
// Thread-safety: MPI is initialized with MPI_THREAD_SERIALIZED: any thread may call, one at a
// time. The read stage's progress reporter (job_progress.h) is the only caller while the reading
// threads run.
#pragma once

#include <fmt/format.h>
#include <mpi.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "doppel/status.h"

namespace doppel::dist {

// Runs fn() (which returns a Status) and turns an allocation failure into a Status, for the
// local work between two collectives: a rank must reach the next agree() whatever happens.
template <typename Fn>
Status guarded(const char* what, Fn fn) {
  try {
    return fn();
  } catch (const std::bad_alloc&) {
    return Status::OutOfMemory(what);
  }
}

class Communicator;

// MPI from MPI_Init_thread to MPI_Finalize.
class Session {
 public:
  static Result<std::unique_ptr<Session>> start(int* argc, char*** argv);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  Communicator& world() { return *world_; }

 private:
  Session() = default;
  std::unique_ptr<Communicator> world_;
};

// Where a failure agreed on by every rank came from (agree()).
struct FailedRank {
  int rank = -1;
  std::string host;
};

class Communicator {
 public:
  ~Communicator();
  Communicator(const Communicator&) = delete;
  Communicator& operator=(const Communicator&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  const std::string& host() const { return host_; }

  // Each rank's Status; returns the same Status on every rank: OK when all are, else the error
  // of the lowest failing rank, whose rank and host failed_rank() then gives.
  Status agree(const Status& local);
  const FailedRank& failed_rank() const { return failed_; }

  Status barrier();
  // Element-wise over all ranks, in place.
  Status sum(std::span<std::uint64_t> values);
  Status max(std::span<std::uint64_t> values);
  // The sum of `value` over the ranks below this one.
  Result<std::uint64_t> exclusive_sum(std::uint64_t value);
  // `bytes` of rank `root` on every rank.
  Status broadcast(std::string& bytes, int root);
  // Every rank's `bytes`, by rank, on every rank.
  Result<std::vector<std::string>> all_gather(std::string_view bytes);
  // Every rank's `bytes`, by rank, on `root` (empty elsewhere).
  Result<std::vector<std::string>> gather(std::string_view bytes, int root);

  // The sums of `values` over the ranks below this one, element-wise, in place.
  Status exclusive_sums(std::span<std::uint64_t> values);

  // Sends send[r] to rank r (one container of trivially copyable elements, with data() and
  // size(), per rank) and returns what every rank sent to this one, concatenated in rank order;
  // from_rank (when given) receives where each rank's part starts (size() + 1 offsets). Parts
  // may exceed what an MPI count holds: they go in pieces.
  template <typename Container, typename T = typename Container::value_type>
  Result<std::vector<T>> exchange(const std::vector<Container>& send,
                                  std::vector<std::size_t>* from_rank = nullptr) {
    std::vector<T> out;
    DOPPEL_RETURN_IF_ERROR(exchange_into(send, out, from_rank));
    return out;
  }

  // exchange() into `out`, whose memory is reused: a stage that exchanges in rounds (one LSH
  // band at a time) touches fresh pages once, not once a round.
  template <typename Container, typename T = typename Container::value_type>
  Status exchange_into(const std::vector<Container>& send, std::vector<T>& out,
                       std::vector<std::size_t>* from_rank = nullptr) {
    static_assert(std::is_trivially_copyable_v<T>);  // the elements travel as bytes
    if (send.size() != static_cast<std::size_t>(size_)) {
      return Status::Internal("an exchange needs one part per rank");
    }
    std::vector<std::uint64_t> send_bytes(send.size());
    std::vector<const char*> parts(send.size());
    for (std::size_t r = 0; r < send.size(); ++r) {
      send_bytes[r] = send[r].size() * sizeof(T);
      parts[r] = reinterpret_cast<const char*>(send[r].data());
    }
    std::vector<std::uint64_t> recv_bytes;
    DOPPEL_RETURN_IF_ERROR(exchange_counts(send_bytes, recv_bytes));
    std::uint64_t total = 0;
    for (const std::uint64_t b : recv_bytes) total += b;
    // Every rank must have room before any sends: a rank without would leave the others waiting.
    Status room;
    try {
      out.clear();
      out.resize(total / sizeof(T));
    } catch (const std::bad_alloc&) {
      room = Status::OutOfMemory(
          fmt::format("no room for the {} bytes the other ranks send to this one", total));
    }
    DOPPEL_RETURN_IF_ERROR(agree(room));
    DOPPEL_RETURN_IF_ERROR(
        exchange_bytes(parts, send_bytes, reinterpret_cast<char*>(out.data()), recv_bytes));
    if (from_rank != nullptr) {
      from_rank->assign(1, 0);
      for (const std::uint64_t b : recv_bytes) {
        from_rank->push_back(from_rank->back() + b / sizeof(T));
      }
    }
    return Status::Ok();
  }

  // Bytes this rank has handed to MPI for other ranks since it started (exchanges, gathers,
  // broadcasts from it, reductions), for the figures of docs/scale-out.md.
  std::uint64_t bytes_sent() const { return bytes_sent_; }
  // Counts bytes sent to other ranks by point-to-point calls outside this class.
  void note_sent(std::uint64_t bytes) { bytes_sent_ += bytes; }

  // Exchanges larger than this many bytes between two ranks in one MPI call run in rounds
  // (MPI counts are `int`). Tests lower it (DOPPEL_MPI_ROUND_BYTES) to exercise the rounds.
  std::uint64_t round_bytes() const { return round_bytes_; }
  // Whether this rank sends its output parts to rank 0 even on rank 0's host, as ranks on other
  // hosts do (output_parts.h). Tests set DOPPEL_MPI_SEND_PARTS to have the odd ranks do so.
  bool send_parts_to_root() const { return send_parts_to_root_; }

  // The MPI communicator, for job_progress.cc's own duplicate.
  MPI_Comm handle() const { return comm_; }
  // Whether threads other than the one that started MPI may call it (one at a time).
  bool threads_may_call() const { return threads_may_call_; }

 private:
  friend class Session;
  Communicator(MPI_Comm comm, bool threads_may_call);
  Status exchange_counts(const std::vector<std::uint64_t>& send, std::vector<std::uint64_t>& recv);
  Status exchange_bytes(const std::vector<const char*>& parts,
                        const std::vector<std::uint64_t>& send_bytes, char* out,
                        const std::vector<std::uint64_t>& recv_bytes);

  MPI_Comm comm_ = MPI_COMM_NULL;  // a duplicate of MPI_COMM_WORLD, errors returned
  bool threads_may_call_ = false;
  int rank_ = 0, size_ = 1;
  std::string host_;
  FailedRank failed_;
  std::uint64_t bytes_sent_ = 0;
  std::uint64_t round_bytes_ = 0;
  bool send_parts_to_root_ = false;
};

}  // namespace doppel::dist
