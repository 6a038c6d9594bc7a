// Outputs of a distributed run: each rank writes its part of every output (its documents'
// lines, its clusters, its pairs) to a temporary file of its own, and the parts are joined in
// rank order into the output on rank 0, which alone creates outputs and renames them into place
// when every rank has succeeded (tools/doppel/run_outputs.h). Rank order is input order, so the
// joined file is byte for byte what one process writes.
//
// Ranks on rank 0's host copy their parts into the output's temporary themselves, side by side,
// each at its offset (the exclusive sum of the parts' sizes): a deduplicated corpus does not pass
// through one process. Ranks on other hosts send theirs to rank 0, which writes them at their
// offsets: a file system shared between hosts is not assumed to keep writes of several hosts to
// one file apart (NFS does not).
// Thread-safety: one thread at a time.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "dist/communicator.h"
#include "doppel/output.h"
#include "doppel/status.h"

namespace doppel::dist {

// This rank's part of an output, in an anonymous temporary file ($TMPDIR, else /tmp): it can be as
// large as the rank's share of the input (the deduplicated corpus).
class PartOutput final : public OutputStream {
 public:
  PartOutput() = default;
  ~PartOutput() override;
  PartOutput(const PartOutput&) = delete;
  PartOutput& operator=(const PartOutput&) = delete;

  Status write(std::string_view bytes) override;
  Status flush() override { return Status::Ok(); }
  std::uint64_t size() const { return size_; }
  // Reads the part from the start; `at` bytes in, up to out.size() bytes.
  Result<std::size_t> read_at(std::uint64_t at, std::span<char> out) const;
  // Copies the whole part into the file open as `fd`, `offset` bytes in (`name` for messages).
  Status copy_to(int fd, std::uint64_t offset, std::string_view name) const;

 private:
  Status open();
  int fd_ = -1;
  std::uint64_t size_ = 0;
};

// Collective. Writes every rank's part, rank 0's first, to `out` on rank 0 (ignored elsewhere).
// Fails on every rank when writing or sending any part failed. When `out` is an OutputFile with a
// temporary, the ranks on rank 0's host write into the temporary directly (above).
Status join_parts(Communicator& comm, const PartOutput& part, OutputStream* out);

}  // namespace doppel::dist
