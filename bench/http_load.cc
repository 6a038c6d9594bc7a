// doppel_http_load: query latency of `doppel serve` over HTTP on loopback. N clients, each on its
// own keep-alive connection, send single-document POST /v1/query requests one after another
// (the next when the answer has come), taking documents in turn from a JSON Lines file; prints
// one JSON line: requests, errors, seconds, requests/s, and latency percentiles in ms.
//
//   doppel_http_load --port 8080 --queries queries.jsonl --clients 8 --requests 2000
//                    [--host 127.0.0.1] [--warmup 50] [--path /v1/query]
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Args {
  std::string host = "127.0.0.1", queries, path = "/v1/query";
  int port = 0, clients = 1, requests = 1000, warmup = 50;
};

int usage() {
  std::fputs(
      "usage: doppel_http_load --port P --queries FILE [--clients N] [--requests N] "
      "[--warmup N] [--host H] [--path /v1/query]\n",
      stderr);
  return 2;
}

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto at = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(at, sorted.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    if (i + 1 >= argc) return usage();
    const std::string v = argv[++i];
    if (k == "--host") {
      a.host = v;
    } else if (k == "--port") {
      a.port = std::atoi(v.c_str());
    } else if (k == "--queries") {
      a.queries = v;
    } else if (k == "--clients") {
      a.clients = std::atoi(v.c_str());
    } else if (k == "--requests") {
      a.requests = std::atoi(v.c_str());
    } else if (k == "--warmup") {
      a.warmup = std::atoi(v.c_str());
    } else if (k == "--path") {
      a.path = v;
    } else {
      return usage();
    }
  }
  if (a.port <= 0 || a.queries.empty() || a.clients < 1 || a.requests < 1) return usage();
  std::vector<std::string> docs;
  {
    std::ifstream in(a.queries);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) docs.push_back("[" + line + "]");
    }
  }
  if (docs.empty()) {
    std::fprintf(stderr, "doppel_http_load: no documents in %s\n", a.queries.c_str());
    return 2;
  }
  std::atomic<int> next{0}, errors{0};
  std::vector<std::vector<double>> latencies(static_cast<std::size_t>(a.clients));
  auto client = [&](int t) {
    httplib::Client c(a.host, a.port);
    c.set_keep_alive(true);
    c.set_tcp_nodelay(true);  // as curl does: no Nagle delay between headers and body
    c.set_read_timeout(60, 0);
    // Warm-up requests of this connection: not timed.
    for (int i = 0; i < a.warmup / a.clients + 1; ++i) {
      const auto& body = docs[static_cast<std::size_t>(t + i) % docs.size()];
      (void)c.Post(a.path, body, "application/json");
    }
    for (;;) {
      const int i = next++;
      if (i >= a.requests) break;
      const auto& body = docs[static_cast<std::size_t>(i) % docs.size()];
      const auto start = std::chrono::steady_clock::now();
      auto res = c.Post(a.path, body, "application/json");
      const double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count();
      if (!res || res->status != 200) {
        ++errors;
        continue;
      }
      latencies[static_cast<std::size_t>(t)].push_back(ms);
    }
  };
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < a.clients; ++t) threads.emplace_back(client, t);
  for (auto& t : threads) t.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::vector<double> all;
  for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  double sum = 0;
  for (const double x : all) sum += x;
  std::printf(
      "{\"clients\":%d,\"requests\":%zu,\"errors\":%d,\"seconds\":%.3f,\"requests_per_s\":%.1f,"
      "\"mean_ms\":%.3f,\"p50_ms\":%.3f,\"p90_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f}\n",
      a.clients, all.size(), errors.load(), seconds, static_cast<double>(all.size()) / seconds,
      all.empty() ? 0.0 : sum / static_cast<double>(all.size()), percentile(all, 0.5),
      percentile(all, 0.9), percentile(all, 0.99), all.empty() ? 0.0 : all.back());
  return errors.load() == 0 ? 0 : 1;
}
