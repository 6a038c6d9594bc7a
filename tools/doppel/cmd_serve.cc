// `doppel serve`: the index over HTTP (docs/index.md). SIGTERM and SIGINT stop accepting, let
// the requests in flight finish, close the index and exit 0; a signal-waiting thread takes them
// (they are blocked in every other thread). Its flags are defined in flags.cc.
#include <fcntl.h>
#include <fmt/format.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <system_error>
#include <thread>

#include "cli_common.h"
#include "commands.h"
#include "doppel/index.h"
#include "doppel/service.h"

namespace doppel::cli {
namespace {

Status parse_listen(const std::string& listen, ServiceOptions& o) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return Status::InvalidArgument(
        fmt::format("`listen` must be HOST:PORT (127.0.0.1:8080), not \"{}\"", listen));
  }
  o.host = listen.substr(0, colon);
  if (o.host.size() > 2 && o.host.front() == '[' && o.host.back() == ']') {
    o.host = o.host.substr(1, o.host.size() - 2);  // [::1]
  }
  try {
    std::size_t used = 0;
    const int port = std::stoi(listen.substr(colon + 1), &used);
    if (used != listen.size() - colon - 1 || port < 0 || port > 65535) throw std::out_of_range("");
    o.port = port;
  } catch (const std::exception&) {
    return Status::InvalidArgument(
        fmt::format("`listen`: \"{}\" is not a port (0-65535)", listen.substr(colon + 1)));
  }
  return Status::Ok();
}

Status read_token(const std::string& path, std::string& token) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return Status::IoError(fmt::format("{}: the token file is a directory", path));
  }
  std::ifstream in(path);
  if (!in) return Status::IoError(fmt::format("{}: cannot read the token file", path));
  std::stringstream text;
  text << in.rdbuf();
  token = text.str();
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) {
    token.pop_back();
  }
  if (token.empty()) return Status::InvalidArgument(fmt::format("{}: the token is empty", path));
  // A header value cannot carry a line break, so a token with one (a file of two lines, a key
  // file given by mistake) could never be sent; spaces and tabs would be trimmed by clients, and
  // other control characters (NUL, DEL, ...) are not allowed in a header at all.
  const bool control = std::any_of(token.begin(), token.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f;
  });
  if (control) {
    return Status::InvalidArgument(fmt::format(
        "{}: the token must be one line without spaces or control characters (a header carries "
        "it: Authorization: Bearer TOKEN)",
        path));
  }
  return Status::Ok();
}

// --access-log: a JSON line per answered request, appended (the file is never truncated), each
// line in one write() to a descriptor opened with O_APPEND, so that lines of requests served at
// once do not interleave and a server killed at any moment leaves whole lines. The first failed
// write (a full disk) is reported once on standard error; the service goes on.
class AccessLog {
 public:
  static Result<std::unique_ptr<AccessLog>> open(const std::string& path) {
    if (path == "-") return std::unique_ptr<AccessLog>(new AccessLog("standard error", 2, false));
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
      return Status::InvalidArgument(fmt::format("{}: the access log is a directory", path));
    }
    const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
      return Status::IoError(
          fmt::format("{}: cannot open the access log ({})", path,
                      std::error_code(errno, std::generic_category()).message()));
    }
    return std::unique_ptr<AccessLog>(new AccessLog(path, fd, true));
  }
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;
  ~AccessLog() {
    if (owned_) ::close(fd_);
  }

  void write(const RequestRecord& record) {
    std::string line = request_log_line(record);
    std::lock_guard lock(mutex_);
    // After a line cut short by a failed write, a newline first: the next line stays whole.
    if (broken_line_) line.insert(line.begin(), '\n');
    std::size_t done = 0;
    while (done < line.size()) {
      const ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        broken_line_ = done > 0 || broken_line_;
        if (!failed_) {
          failed_ = true;
          const std::string why =
              n < 0 ? std::error_code(errno, std::generic_category()).message() : "nothing written";
          std::fprintf(stderr, "doppel serve: warning: %s: writing the access log failed (%s)\n",
                       path_.c_str(), why.c_str());
        }
        return;
      }
      done += static_cast<std::size_t>(n);
    }
    broken_line_ = false;
  }

 private:
  AccessLog(std::string path, int fd, bool owned)
      : path_(std::move(path)), fd_(fd), owned_(owned) {}
  std::mutex mutex_;
  std::string path_;
  int fd_;
  bool owned_;
  bool failed_ = false;       // reported once
  bool broken_line_ = false;  // the last line was cut short
};

Status run_serve(Settings& s, const CLI::App& cmd) {
  DOPPEL_RETURN_IF_ERROR(prepare_options(Command::kServe, {}, false, s));
  ServiceOptions service;
  DOPPEL_RETURN_IF_ERROR(parse_listen(s.listen, service));
  if (!s.token_file.empty()) DOPPEL_RETURN_IF_ERROR(read_token(s.token_file, service.token));
  if (s.http_threads < 1 || s.http_threads > kMaxThreads) {
    return Status::InvalidArgument(fmt::format("`http_threads` must be in [1, {}]", kMaxThreads));
  }
  if (s.queue < 1) return Status::InvalidArgument("`queue` must be at least 1");
  service.max_body_bytes = s.max_body;
  service.threads = s.http_threads;
  service.queue = s.queue;
  service.read = s.index_read.read;
  std::unique_ptr<AccessLog> access_log;
  if (!s.access_log.empty()) {
    auto opened = AccessLog::open(s.access_log);
    if (!opened.ok()) return opened.status();
    access_log = std::move(*opened);
    service.on_request = [log = access_log.get()](const RequestRecord& r) { log->write(r); };
  }

  // SIGTERM and SIGINT go to the waiting thread only: blocked here, before any thread starts.
  // SIGTERM always (it is how a service is stopped); SIGINT unless the process inherited it as
  // ignored (a shell starts background jobs so), since sigwait() would take a blocked one even so.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  struct sigaction old_int {};
  sigaction(SIGINT, nullptr, &old_int);
  if ((old_int.sa_flags & SA_SIGINFO) != 0 || old_int.sa_handler != SIG_IGN) {
    sigaddset(&signals, SIGINT);
  }
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  IndexOpenOptions o;
  o.create_if_missing = true;
  o.sync = !s.no_sync;
  o.threads = s.threads;
  o.must_match = given_matching_options(Command::kServe, cmd);
  // Where this run makes the index: no path there, or an empty directory (the index is made in it).
  namespace fs = std::filesystem;
  std::error_code ec;
  const bool missing = !fs::exists(s.index_path, ec) && !ec;
  const bool empty_dir = !missing && fs::is_directory(s.index_path, ec) &&
                         fs::directory_iterator(s.index_path, ec) == fs::directory_iterator() &&
                         !ec;
  auto index = Index::open(s.index_path, s.index, o);
  if (!index.ok()) return index.status();
  Service server(**index, service);
  if (Status bound = server.bind(); !bound.ok()) {
    // A port in use must not leave behind an empty index that this run made: the next try, with
    // other options, would find it and refuse them.
    if (missing || empty_dir) {
      index->reset();
      if (missing) {
        fs::remove_all(s.index_path, ec);
      } else {
        for (const fs::directory_entry& e : fs::directory_iterator(s.index_path, ec)) {
          fs::remove_all(e.path(), ec);
        }
      }
    }
    return bound;
  }
  const IndexStats stats = (*index)->stats();
  if (const std::string why = icu_version_warning(stats); !why.empty() && !s.quiet) {
    std::fprintf(stderr, "doppel: warning: %s: %s\n", printable(s.index_path).c_str(), why.c_str());
  }
  // An IPv6 address goes in brackets in a URL (RFC 3986): http://[::1]:8080/.
  const std::string url_host =
      service.host.find(':') != std::string::npos ? "[" + service.host + "]" : service.host;
  if (!s.quiet) {
    std::fprintf(stderr,
                 "doppel serve: %s (%s documents, opened in %.2f s) on http://%s:%d/ ; SIGTERM "
                 "or Ctrl-C stops\n",
                 s.index_path.c_str(), thousands(stats.documents).c_str(), stats.open_seconds,
                 url_host.c_str(), server.port());
  } else {
    // Tests and scripts learn the port from this line even when quiet.
    std::fprintf(stderr, "doppel serve: http://%s:%d/\n", url_host.c_str(), server.port());
  }
  std::fflush(stderr);
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    server.stop();
  });
  Status served = server.listen();
  // Served out (a failure of the listener, or stopped by a signal): wake the waiter if needed.
  // SIGTERM is blocked in every thread and only taken by the waiter's sigwait(), so this wakes
  // it rather than ending it.
  pthread_kill(waiter.native_handle(), SIGTERM);  // NOLINT(bugprone-bad-signal-to-kill-thread)
  waiter.join();
  if (!s.quiet) std::fputs("doppel serve: stopped; the index is closed\n", stderr);
  return served;
}

}  // namespace

std::function<int()> add_serve_command(CLI::App& app) {
  auto settings = std::make_shared<Settings>();
  CLI::App* cmd = &add_subcommand(
      app, "serve", kServeDescription,
      "Examples:\n"
      "  doppel serve news.idx\n"
      "  doppel serve news.idx --listen 127.0.0.1:9000 --token-file token.txt\n"
      "  doppel serve news.idx --access-log access.jsonl\n"
      "API with curl examples: docs/index.md. SIGTERM finishes the requests in flight, closes\n"
      "the index and exits 0.");
  add_flags(Command::kServe, *cmd, *settings);
  return [settings, cmd] {
    const Status s = run_serve(*settings, *cmd);
    return s.ok() ? kExitOk : fail(s);
  };
}

}  // namespace doppel::cli
