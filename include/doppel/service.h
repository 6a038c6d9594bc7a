// The index over HTTP/1.1 and JSON (`doppel serve`; the API with curl examples: docs/index.md;
// the implementation, on cpp-httplib, in src/index/service.cc):
//   POST   /v1/documents       add a batch (a JSON array of objects, or JSON Lines)
//   POST   /v1/query           the answers an add would give, adding nothing
//   GET    /v1/documents/{id}  a document's record and its cluster
//   DELETE /v1/documents/{id}  remove a document
//   GET    /v1/stats           the index's statistics
//   GET    /health             {"status":"ok"}
// Bad requests get a 4xx status and {"error":{"code":N,"message":"..."}}. No request names a
// file: documents come in the body only. Memory is bounded: a body over max_body_bytes is refused
// (413), at most `threads` requests run while `queue` more connections wait, and beyond that the
// listener stops accepting (the kernel's backlog holds the rest).
// Thread-safety: listen() blocks the calling thread; stop() may be called from any thread (the
// signal-handling one): it stops accepting, lets the requests in flight finish, and makes
// listen() return.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "doppel/index.h"
#include "doppel/options.h"
#include "doppel/status.h"

namespace doppel {

// One answered request, as ServiceOptions::on_request sees it (`doppel serve --access-log`).
struct RequestRecord {
  std::string_view method, target;  // the request line's; target as sent (percent-encoded)
  std::string_view remote_addr;     // the client's address
  int status = 0;
  std::int64_t content_length = -1;  // the request's Content-Length header; -1: none (chunked)
  std::uint64_t response_bytes = 0;  // the answer's body
  // From the request's headers read to its answer written; negative where the request was
  // answered before it was routed (a malformed request line, a refused "Expect: 100-continue").
  double seconds = -1;
  std::chrono::system_clock::time_point answered;  // when the answer was written
};

// The access log's line of one request (docs/index.md), newline included:
// {"time":"2026-12-07T11:30:00.123Z","client":"127.0.0.1","method":"POST",
//  "target":"/v1/query","status":200,"content_length":312,"response_bytes":845,"seconds":0.0042}
// client, content_length and seconds are null where unknown; bytes that are not UTF-8 in the method
// or target are written as U+FFFD.
std::string request_log_line(const RequestRecord& record);

struct ServiceOptions {
  std::string host = "127.0.0.1";  // the address to listen on: loopback unless asked otherwise
  int port = 8080;                 // 0: any free port (see Service::port())
  std::string token;               // not empty: POST /v1/documents and DELETE need
                                   // "Authorization: Bearer TOKEN"
  std::size_t max_body_bytes = std::size_t{16} << 20;  // larger bodies get 413
  int threads = 8;                                     // requests handled at once
  std::size_t queue = 64;    // accepted connections waiting for a thread; more wait in the kernel
  int timeout_seconds = 10;  // reading or writing a request slower than this closes it
  ReadOptions read;          // field names and the per-document size limit of request bodies
  // Called after each answer is written, on the thread that served it (several at once).
  std::function<void(const RequestRecord&)> on_request;
};

class Service {
 public:
  Service(Index& index, ServiceOptions options);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;
  // Binds the address; then port() is known.
  Status bind();
  // Serves until stop(); returns after the requests in flight have finished.
  Status listen();
  void stop();
  int port() const { return port_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace doppel
