// doppel's index and serve commands and the ranks of MPI jobs, run by executing doppel-index
// (commands.h says why).
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>

#include "cli_common.h"
#include "commands.h"

namespace doppel::cli {

bool runs_in_index_binary(const char* command) {
  const std::string_view c = command;
  return c == "index" || c == "serve";
}

int exec_index_binary(char** argv) {
  // Beside this binary, wherever it was started from (/proc/self/exe); else beside argv[0], or
  // where the shell found doppel (PATH) when argv[0] names no directory.
  std::error_code ec;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) self = argv[0];
  const bool search_path = !self.has_parent_path();
  const std::string helper =
      search_path ? std::string("doppel-index") : (self.parent_path() / "doppel-index").string();
  if (search_path) {
    execvp(helper.c_str(), argv);
  } else {
    execv(helper.c_str(), argv);
  }
  const int error = errno;
  std::fprintf(stderr,
               "doppel: error: cannot run %s, which holds the index and serve commands and runs "
               "the ranks of MPI jobs: %s (it is built beside doppel; see docs/cli.md)\n",
               helper.c_str(), std::strerror(error));
  return kExitError;
}

}  // namespace doppel::cli
