#include "run_outputs.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

namespace doppel::cli {
namespace {

constexpr std::size_t kMaxTemporaries = 16;
std::atomic<const char*> g_temporaries[kMaxTemporaries];
std::atomic<bool> g_progress{false};
std::atomic<bool> g_quiet{false};
struct sigaction g_old_int {
}, g_old_term{};

void write_stderr(const char* s) {
  const ssize_t ignored = ::write(STDERR_FILENO, s, std::strlen(s));
  (void)ignored;
}

// Only async-signal-safe calls: unlink, write, _exit.
void on_signal(int sig) {
  for (auto& slot : g_temporaries) {
    if (const char* path = slot.load(); path != nullptr) ::unlink(path);
  }
  if (!g_quiet.load()) {
    if (g_progress.load()) write_stderr("\r\033[K");
    write_stderr(sig == SIGINT ? "doppel: interrupted (SIGINT)" : "doppel: terminated (SIGTERM)");
    write_stderr("; no output was written, and files of the outputs' names are as they were\n");
  }
  ::_exit(kExitInterrupted);
}

void register_temporary(const char* path) {
  for (auto& slot : g_temporaries) {
    const char* empty = nullptr;
    if (slot.compare_exchange_strong(empty, path)) return;
  }
}

void unregister_temporary(const char* path) {
  for (auto& slot : g_temporaries) {
    const char* expected = path;
    if (slot.compare_exchange_strong(expected, nullptr)) return;
  }
}

}  // namespace

InterruptGuard::InterruptGuard(bool progress, bool quiet) {
  g_progress = progress;
  g_quiet = quiet;
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &g_old_int);
  sigaction(SIGTERM, &sa, &g_old_term);
}

InterruptGuard::~InterruptGuard() {
  sigaction(SIGINT, &g_old_int, nullptr);
  sigaction(SIGTERM, &g_old_term, nullptr);
}

RunOutputs::~RunOutputs() {
  for (const char* path : registered_) unregister_temporary(path);
}

Status RunOutputs::open(const std::vector<OutputFlag>& outputs) {
  // SIGINT and SIGTERM wait while a temporary is created and registered: one arriving between
  // the two would leave it behind.
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGINT);
  sigaddset(&block, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &block, &old);
  Status status = create_temporaries(outputs);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return status;
}

Status RunOutputs::create_temporaries(const std::vector<OutputFlag>& outputs) {
  for (const auto& [flag, path] : outputs) {
    if (path->empty() || *path == "-" || files_.count(*path) > 0) continue;
    if (files_.size() >= kMaxTemporaries) {
      return Status::InvalidArgument("too many outputs");
    }
    auto file = OutputFile::create(*path);
    if (!file.ok()) return file.status();
    if (!(*file)->temp_path().empty()) {
      registered_.push_back((*file)->temp_path().c_str());
      register_temporary(registered_.back());
    }
    files_[*path] = std::move(*file);
  }
  return Status::Ok();
}

OutputStream& RunOutputs::stream(const std::string& path) {
  if (path == "-") return stdout_;
  return *files_.at(path);
}

Status RunOutputs::commit() {
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGINT);
  sigaddset(&block, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &block, &old);
  Status result;
  for (const char* path : registered_) unregister_temporary(path);
  registered_.clear();
  for (auto& [path, file] : files_) {
    if (result.ok()) {
      result = file->commit();
    } else {
      file->discard();
    }
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return result;
}

}  // namespace doppel::cli
