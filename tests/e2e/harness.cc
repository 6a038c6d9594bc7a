// The e2e harness: runs the doppel binary as a child process (fork + execv, no shell), feeding
// its standard input and draining its standard output and error through poll() so that neither
// side can block the other however much each writes.
#include "e2e/harness.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>

namespace doppel::test {
namespace {

[[noreturn]] void die(const std::string& what) {
  throw std::runtime_error(what + ": " + std::strerror(errno));
}

void make_pipe(int fds[2]) {
  if (pipe2(fds, O_CLOEXEC) != 0) die("pipe2");
}

// Every directory temp_dir() made, removed when the test binary exits (kept with
// DOPPEL_KEEP_TEMP=1, to look at a failure's files).
class TempDirs {
 public:
  void add(const std::string& dir) {
    std::lock_guard lock(mutex_);
    dirs_.push_back(dir);
  }
  ~TempDirs() {
    const char* keep = std::getenv("DOPPEL_KEEP_TEMP");
    if (keep != nullptr && std::string(keep) == "1") return;
    std::error_code ec;
    for (const auto& d : dirs_) std::filesystem::remove_all(d, ec);
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> dirs_;
};
TempDirs temp_dirs;

}  // namespace

namespace {

// Runs argv_strings[0] (a path) with the rest as arguments and `env` added to the environment.
// `ready(pid)` is polled every 10 ms until it returns true; then `signal`, unless 0, is sent.
RunResult run(std::vector<std::string> argv_strings, const std::string& input, int signal,
              const std::function<bool(int)>& ready_pid, const std::vector<std::string>& env,
              bool end_input_on_signal = false) {
  // A write to a child that has already exited must fail with EPIPE, not kill the test.
  std::signal(SIGPIPE, SIG_IGN);
  int in[2], out[2], err[2];
  make_pipe(in);
  make_pipe(out);
  make_pipe(err);

  std::vector<char*> argv;
  for (auto& a : argv_strings) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_strings = env;
  for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);

  const pid_t pid = fork();
  if (pid < 0) die("fork");
  if (pid == 0) {
    // Child: only async-signal-safe calls until execv.
    dup2(in[0], STDIN_FILENO);
    dup2(out[1], STDOUT_FILENO);
    dup2(err[1], STDERR_FILENO);
    execve(argv[0], argv.data(), envp.data());
    static const char kMsg[] = "harness: execv failed\n";
    (void)!write(STDERR_FILENO, kMsg, sizeof kMsg - 1);
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  close(err[1]);

  RunResult result;
  int in_fd = in[1];
  std::size_t written = 0;
  const bool interrupt = static_cast<bool>(ready_pid);
  const auto ready = [&] { return ready_pid(pid); };
  int held_stdin = -1;  // kept open until the signal is sent
  bool signalled = false;
  if (input.empty()) {
    if (interrupt) {
      held_stdin = in_fd;
    } else {
      close(in_fd);
    }
    in_fd = -1;
  } else {
    fcntl(in_fd, F_SETFL, fcntl(in_fd, F_GETFL) | O_NONBLOCK);
  }
  int out_fd = out[0], err_fd = err[0];
  char buf[1 << 16];
  while (in_fd >= 0 || out_fd >= 0 || err_fd >= 0) {
    if (interrupt && !signalled && ready()) {
      if (signal != 0) kill(pid, signal);
      signalled = true;
      if (end_input_on_signal && held_stdin >= 0) {
        close(held_stdin);
        held_stdin = -1;
      }
    }
    pollfd fds[3];
    int n = 0;
    if (in_fd >= 0) fds[n++] = {in_fd, POLLOUT, 0};
    if (out_fd >= 0) fds[n++] = {out_fd, POLLIN, 0};
    if (err_fd >= 0) fds[n++] = {err_fd, POLLIN, 0};
    const int polled = poll(fds, static_cast<nfds_t>(n), interrupt && !signalled ? 10 : -1);
    if (polled < 0) {
      if (errno == EINTR) continue;
      die("poll");
    }
    for (int i = 0; i < n; ++i) {
      if (fds[i].revents == 0) continue;
      if (fds[i].fd == in_fd) {
        const ssize_t w = write(in_fd, input.data() + written, input.size() - written);
        if (w > 0) written += static_cast<std::size_t>(w);
        if ((w < 0 && errno != EAGAIN && errno != EINTR) || written == input.size()) {
          if (interrupt) {
            held_stdin = in_fd;  // the child waits for more
          } else {
            close(in_fd);  // done, or the child stopped reading (EPIPE)
          }
          in_fd = -1;
        }
      } else {
        int& fd = fds[i].fd == out_fd ? out_fd : err_fd;
        std::string& sink = fds[i].fd == out_fd ? result.out : result.err;
        const ssize_t r = read(fd, buf, sizeof buf);
        if (r > 0) {
          sink.append(buf, static_cast<std::size_t>(r));
        } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
          close(fd);
          fd = -1;
        }
      }
    }
  }
  if (held_stdin >= 0) close(held_stdin);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) die("waitpid");
  }
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.exit_code = 128 + WTERMSIG(status);
  }
  return result;
}

std::vector<std::string> doppel_argv(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {DOPPEL_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

// Where the ranks of the last run_doppel_mpi wrote their sanitizer reports.
std::string g_sanitizer_logs;

}  // namespace

RunResult run_doppel(const std::vector<std::string>& args, const std::string& input) {
  return run(doppel_argv(args), input, 0, {}, {});
}

RunResult run_doppel_interrupted(const std::vector<std::string>& args, const std::string& input,
                                 int signal, const std::function<bool()>& ready) {
  return run(doppel_argv(args), input, signal, [&](int) { return ready(); }, {});
}

RunResult run_program(const std::vector<std::string>& argv, const std::string& input,
                      const std::vector<std::string>& env) {
  return run(argv, input, 0, {}, env);
}

RunResult run_program_signalled(const std::vector<std::string>& argv, const std::string& input,
                                int signal, const std::function<bool()>& ready) {
  return run(
      argv, input, signal, [&](int) { return ready(); }, {}, true);
}

std::string mpirun_path() { return DOPPEL_MPIEXEC; }

RunResult run_doppel_mpi(int ranks, const std::vector<std::string>& args, const std::string& input,
                         const std::function<bool(int)>& during,
                         const std::vector<std::string>& env) {
  std::vector<std::string> argv = {DOPPEL_MPIEXEC, "--oversubscribe"};
  if (geteuid() == 0) argv.emplace_back("--allow-run-as-root");
  argv.insert(argv.end(), {"-np", std::to_string(ranks), DOPPEL_BINARY});
  argv.insert(argv.end(), args.begin(), args.end());
  // Leak reports go to files, and do not change the exit status: mpi_sanitizer_findings() keeps
  // those that concern doppel.
  g_sanitizer_logs = temp_dir();
  std::vector<std::string> all_env = {
      "ASAN_OPTIONS=log_path=" + g_sanitizer_logs + "/asan",
      "UBSAN_OPTIONS=log_path=" + g_sanitizer_logs + "/ubsan:print_stacktrace=1",
      "LSAN_OPTIONS=exitcode=0"};
  all_env.insert(all_env.end(), env.begin(), env.end());
  return run(argv, input, 0, during, all_env);
}

std::string mpi_sanitizer_findings() {
  std::string findings;
  if (g_sanitizer_logs.empty()) return findings;
  for (const auto& entry : std::filesystem::directory_iterator(g_sanitizer_logs)) {
    const std::string log = read_file(entry.path().string());
    // Reports are separated by blank lines; a leak report is one stack.
    std::size_t start = 0;
    while (start < log.size()) {
      std::size_t end = log.find("\n\n", start);
      if (end == std::string::npos) end = log.size();
      const std::string report = log.substr(start, end - start);
      start = end + 2;
      const bool leak = report.find("leak of") != std::string::npos;
      const bool ours = report.find("doppel::") != std::string::npos ||
                        report.find(DOPPEL_SOURCE_DIR "/src") != std::string::npos ||
                        report.find(DOPPEL_SOURCE_DIR "/tools") != std::string::npos;
      const bool error = report.find("ERROR: AddressSanitizer") != std::string::npos ||
                         report.find("runtime error") != std::string::npos;
      if (error || (leak && ours)) findings += entry.path().string() + ":\n" + report + "\n\n";
    }
  }
  return findings;
}

std::string source_dir() { return DOPPEL_SOURCE_DIR; }

std::string shared_dir() {
  const std::string dir = std::string(DOPPEL_SOURCE_DIR) + "/../shared";
  struct stat st;
  return stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode) ? dir : std::string();
}

std::string temp_dir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string templ =
      std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/doppel-e2e-XXXXXX";
  if (mkdtemp(templ.data()) == nullptr) die("mkdtemp " + templ);
  temp_dirs.add(templ);
  return templ;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out.flush()) throw std::runtime_error("cannot write " + path);
}

std::vector<std::string> split_lines(const std::string& bytes) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < bytes.size()) {
    std::size_t nl = bytes.find('\n', start);
    if (nl == std::string::npos) nl = bytes.size();
    lines.push_back(bytes.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

std::vector<std::string> read_lines(const std::string& path) {
  return split_lines(read_file(path));
}

}  // namespace doppel::test
