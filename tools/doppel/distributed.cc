#include "distributed.h"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "dist/wire.h"

namespace doppel::cli {
namespace {

// Whether the launcher's standard error is a terminal that shows rank 0's as it is. A rank's own
// is a pipe to mpirun, so --progress auto alone would never draw under mpirun; but on mpirun's
// host rank 0 is mpirun's child, and mpirun forwards what the ranks write to its own standard
// error, unless told to send it elsewhere or to mark its lines (--output-filename,
// --merge-stderr-to-stdout, --tag-output, --timestamp-output, --xml), where a bar would be noise.
// Linux only (its /proc); false wherever the parent is not mpirun (srun's slurmstepd, a wrapper
// script).
bool launcher_on_terminal() {
#if defined(__linux__)
  const pid_t parent = getppid();
  std::ifstream in(fmt::format("/proc/{}/cmdline", parent), std::ios::binary);
  std::vector<std::string> argv;
  for (std::string arg; std::getline(in, arg, '\0');) argv.push_back(arg);
  if (argv.empty()) return false;
  const std::string_view program = std::string_view(argv[0]).substr(argv[0].rfind('/') + 1);
  if (program != "mpirun" && program != "mpiexec" && program != "orterun") return false;
  for (const std::string& arg : argv) {
    if (arg.empty() || arg.front() != '-') continue;  // options only (doppel has none of these)
    std::string_view a = arg;
    while (!a.empty() && a.front() == '-') a.remove_prefix(1);
    for (const std::string_view option :
         {"output-filename", "merge-stderr-to-stdout", "tag-output", "timestamp-output", "xml"}) {
      if (a.substr(0, option.size()) == option) return false;
    }
  }
  struct stat st {};
  const std::string err = fmt::format("/proc/{}/fd/2", parent);
  if (stat(err.c_str(), &st) != 0 || !S_ISCHR(st.st_mode)) return false;  // no FIFO opened
  const int fd = open(err.c_str(), O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return false;
  const bool tty = isatty(fd) != 0;
  close(fd);
  return tty;
#else
  return false;
#endif
}

}  // namespace

Status agree_on_progress(dist::Communicator& comm, const Settings& s, bool& progress) {
  if (comm.rank() == 0 && !progress && !s.quiet && s.progress == "auto") {
    progress = launcher_on_terminal();
  }
  std::string flag(1, progress ? '1' : '0');
  DOPPEL_RETURN_IF_ERROR(comm.broadcast(flag, 0));
  progress = flag == "1";
  return Status::Ok();
}

Status print_rank_warnings(dist::Communicator& comm, const Settings& s, const Corpus& mine,
                           const char* where_all) {
  const auto limit = static_cast<std::size_t>(std::max(0, s.max_warnings));
  std::string bytes;
  dist::WireWriter w(bytes);
  const std::size_t n = std::min(limit, mine.problems.size());
  w.put(static_cast<std::uint64_t>(mine.problems.size()));
  for (std::size_t i = 0; i < n; ++i) w.put_string(mine.problems[i].message);
  auto all = comm.gather(bytes, 0);
  if (!all.ok()) return all.status();
  if (comm.rank() != 0 || s.quiet) return Status::Ok();
  Warnings warnings(s, false, where_all);
  const ProblemCallback show = warnings.callback();
  std::uint64_t unsent = 0;
  for (const std::string& part : *all) {
    dist::WireReader in(part);
    const auto count = in.get<std::uint64_t>();
    std::uint64_t got = 0;
    while (!in.done() && in.ok()) {
      ReadProblem p;
      p.message = std::string(in.get_string());
      show(p);
      ++got;
    }
    unsent += count - got;
  }
  warnings.add_hidden(unsent);
  warnings.print_hidden();
  return Status::Ok();
}

int finish_distributed(dist::Communicator& comm, const Status& status) {
  if (status.ok()) return kExitOk;
  if (comm.rank() != 0) return kExitError;
  const dist::FailedRank& f = comm.failed_rank();
  return fail(status, f.rank >= 0 ? fmt::format("rank {} on {}", f.rank, f.host) : "");
}

}  // namespace doppel::cli
