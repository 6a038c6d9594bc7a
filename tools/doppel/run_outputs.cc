#include "run_outputs.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace doppel::cli {
namespace {

constexpr std::size_t kMaxTemporaries = 16;
constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};
std::atomic<const char*> g_temporaries[kMaxTemporaries];
std::atomic<bool> g_progress{false};
std::atomic<bool> g_quiet{false};
std::atomic<std::atomic<bool>*> g_stop{nullptr};  // InterruptGuard's `stop`
std::atomic<int> g_stop_signal{0};                // the signal that set it
struct sigaction g_old[std::size(kSignals)];

// Where the outputs are. A signal and the commit race for the step out of kWriting: a signal
// that wins removes the temporaries and ends the process (the commit then never starts); a commit
// that wins makes the signal wait until every output is in place (kCommitting), and a signal then
// ends the process saying that they are. Any thread may take a signal.
enum Phase : int { kWriting, kCommitting, kCommitted, kDying };
std::atomic<int> g_phase{kWriting};
std::atomic<int> g_pending{0};  // a signal that arrived while committing
static_assert(std::atomic<int>::is_always_lock_free);

void write_stderr(const char* s) {
  const ssize_t ignored = ::write(STDERR_FILENO, s, std::strlen(s));
  (void)ignored;
}

void say_signal(int sig) {
  if (g_progress.load()) write_stderr("\r\033[K");
  write_stderr(sig == SIGINT   ? "doppel: interrupted (SIGINT)"
               : sig == SIGHUP ? "doppel: hung up (SIGHUP)"
                               : "doppel: terminated (SIGTERM)");
}

// Only async-signal-safe calls: atomics, unlink, write, _exit.
void on_signal(int sig) {
  // A run that can stop early is asked to, the first time, while it is still writing. The handler
  // then returns: errno is kept for the code it interrupted.
  if (std::atomic<bool>* stop = g_stop.load(); stop != nullptr && g_phase.load() == kWriting) {
    if (!stop->exchange(true)) {
      const int saved_errno = errno;
      g_stop_signal.store(sig);
      if (!g_quiet.load()) {
        say_signal(sig);
        write_stderr("; stopping once the batch in flight is committed (again to stop at once)\n");
      }
      errno = saved_errno;
      return;
    }
  }
  int phase = kWriting;
  if (g_phase.compare_exchange_strong(phase, kDying)) {
    for (auto& slot : g_temporaries) {
      if (const char* path = slot.load(); path != nullptr) ::unlink(path);
    }
    if (!g_quiet.load()) {
      say_signal(sig);
      write_stderr("; no output was written, and files of the outputs' names are as they were\n");
    }
    ::_exit(kExitInterrupted);
  }
  if (phase == kCommitting) {
    g_pending.store(sig);  // RunOutputs::commit() ends the process when the outputs are in place
    return;
  }
  if (phase == kCommitted) {
    if (!g_quiet.load()) {
      say_signal(sig);
      write_stderr("; every output had been written\n");
    }
    ::_exit(kExitInterrupted);
  }
  // kDying: another thread is ending the process.
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
  g_stop = nullptr;
  g_stop_signal = 0;
  g_phase = kWriting;
  g_pending = 0;
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  // A handler that returns (arm_stop) lets the interrupted system call go on rather than fail
  // with EINTR: a commit's fdatasync, a read.
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  for (std::size_t i = 0; i < std::size(kSignals); ++i) {
    sigaction(kSignals[i], nullptr, &g_old[i]);
    // A signal the caller set to be ignored stays ignored: `nohup` ignores SIGHUP so that a run
    // outlives the terminal, and a shell starts background jobs with SIGINT ignored.
    const bool ignored = (g_old[i].sa_flags & SA_SIGINFO) == 0 && g_old[i].sa_handler == SIG_IGN;
    if (!ignored) sigaction(kSignals[i], &sa, nullptr);
  }
}

InterruptGuard::~InterruptGuard() {
  for (std::size_t i = 0; i < std::size(kSignals); ++i) sigaction(kSignals[i], &g_old[i], nullptr);
  g_stop = nullptr;
}

void InterruptGuard::arm_stop(std::atomic<bool>* stop) { g_stop = stop; }
void InterruptGuard::disarm_stop() { g_stop = nullptr; }
int InterruptGuard::stop_signal() { return g_stop_signal.load(); }

RunOutputs::~RunOutputs() {
  for (const char* path : registered_) unregister_temporary(path);
}

Status RunOutputs::open(const std::vector<OutputFlag>& outputs) {
  // The signals wait while a temporary is created and registered: one arriving between the two
  // would leave it behind. (Only this thread's: the others create no temporaries.)
  sigset_t block, old;
  sigemptyset(&block);
  for (const int sig : kSignals) sigaddset(&block, sig);
  pthread_sigmask(SIG_BLOCK, &block, &old);
  Status status = create_temporaries(outputs);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return status;
}

Status RunOutputs::create_temporaries(const std::vector<OutputFlag>& outputs) {
  // Outputs that name a descriptor (/dev/fd/3) first: a temporary made before would take the
  // lowest free descriptor, and /dev/fd/3 given with no descriptor 3 open would name it.
  std::vector<OutputFlag> ordered = outputs;
  std::stable_partition(ordered.begin(), ordered.end(),
                        [](const OutputFlag& o) { return named_descriptor(*o.second) >= 0; });
  for (const auto& [flag, path] : ordered) {
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
  int phase = kWriting;
  if (!g_phase.compare_exchange_strong(phase, kCommitting)) {
    // A signal's handler, in another thread, is removing the temporaries and ending the process.
    for (;;) ::pause();
  }
  Status result;
  for (const char* path : registered_) unregister_temporary(path);
  registered_.clear();
  // Tests widen the window between two renames (a signal must then wait for the second).
  const char* pause_ms = std::getenv("DOPPEL_TEST_COMMIT_PAUSE_MS");
  bool first = true;
  for (auto& [path, file] : files_) {
    if (!first && pause_ms != nullptr)
      ::usleep(static_cast<useconds_t>(std::atoi(pause_ms)) * 1000);
    first = false;
    if (result.ok()) {
      result = file->commit();
    } else {
      file->discard();
    }
  }
  g_phase = result.ok() ? kCommitted : kWriting;
  if (const int sig = g_pending.load(); sig != 0) {
    if (!g_quiet.load()) {
      say_signal(sig);
      write_stderr(result.ok() ? "; every output had been written\n"
                               : "; the outputs could not all be written\n");
    }
    ::_exit(kExitInterrupted);
  }
  return result;
}

}  // namespace doppel::cli
