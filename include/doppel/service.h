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

#include <cstddef>
#include <memory>
#include <string>

#include "doppel/index.h"
#include "doppel/options.h"
#include "doppel/status.h"

namespace doppel {

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
