// Preloaded (LD_PRELOAD) into doppel-index by a test: fdatasync() of a file named data.log fails
// with EIO from its DOPPEL_TEST_FAILING_SYNC-th call on (the first is 1), so that the index's
// commit failure paths run for real (test Index.AFailedCommitAnswersOnlyTheCommittedBatches).
// Every other call goes to the C library's fdatasync.
#include <dlfcn.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

std::atomic<int> g_log_syncs{0};

bool is_data_log(int fd) {
  char link[4096];
  const std::string proc = "/proc/self/fd/" + std::to_string(fd);
  const ssize_t n = readlink(proc.c_str(), link, sizeof link - 1);
  if (n <= 0) return false;
  link[n] = '\0';
  const std::size_t len = std::strlen(link);
  return len >= 8 && std::strcmp(link + len - 8, "data.log") == 0;
}

}  // namespace

extern "C" int fdatasync(int fd) {
  using Fn = int (*)(int);
  static const Fn real = reinterpret_cast<Fn>(dlsym(RTLD_NEXT, "fdatasync"));
  const char* from = std::getenv("DOPPEL_TEST_FAILING_SYNC");
  if (from != nullptr && is_data_log(fd) && ++g_log_syncs >= std::atoi(from)) {
    errno = EIO;
    return -1;
  }
  return real(fd);
}
