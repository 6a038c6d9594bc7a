#include "doppel/service.h"

#include <fmt/format.h>
#include <httplib.h>
#include <simdjson.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "index/answer_json.h"
#include "index/request_body.h"
#include "text/utf8.h"
#include "util/json_writer.h"
#include "util/utc_text.h"

namespace doppel {
namespace {

// httplib's pool with a bounded queue: enqueue() waits while `limit` connections already wait,
// so the accepting thread stops accepting instead of queueing without bound.
class BoundedPool final : public httplib::TaskQueue {
 public:
  BoundedPool(int threads, std::size_t limit) : limit_(limit) {
    for (int i = 0; i < threads; ++i) workers_.emplace_back([this] { work(); });
  }
  BoundedPool(const BoundedPool&) = delete;
  BoundedPool& operator=(const BoundedPool&) = delete;
  ~BoundedPool() override = default;
  void enqueue(std::function<void()> fn) override {
    std::unique_lock lock(mutex_);
    room_.wait(lock, [&] { return jobs_.size() < limit_ || shutdown_; });
    jobs_.push_back(std::move(fn));
    ready_.notify_one();
  }
  // Lets the workers finish every job taken or waiting, then joins them.
  void shutdown() override {
    {
      std::lock_guard lock(mutex_);
      shutdown_ = true;
    }
    ready_.notify_all();
    room_.notify_all();
    for (auto& t : workers_) t.join();
  }

 private:
  void work() {
    for (;;) {
      std::function<void()> fn;
      {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [&] { return !jobs_.empty() || shutdown_; });
        if (jobs_.empty()) return;  // shut down, nothing left to do
        fn = std::move(jobs_.front());
        jobs_.pop_front();
        room_.notify_one();
      }
      fn();
    }
  }
  std::size_t limit_;
  std::mutex mutex_;
  std::condition_variable ready_, room_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> workers_;
  bool shutdown_ = false;
};

constexpr const char* kJson = "application/json";
// Where framing_ok() moves a Content-Encoding that read_body() decodes itself. Not a name HTTP
// uses; one a request brings is removed first.
constexpr const char* kDecodeHere = "X-Doppel-Decode-Body";

void reply_error(httplib::Response& res, int code, std::string_view message) {
  res.status = code;
  res.set_content(error_json(code, message), kJson);
}

// An error after which the connection cannot carry another request (the rest of the body is
// unread): the answer goes out whole, and then the provider's "failure" makes httplib close the
// connection instead of reading the unread body as the next request.
void reply_error_and_close(httplib::Response& res, int code, std::string_view message) {
  res.status = code;
  res.set_header("Connection", "close");
  auto body = std::make_shared<std::string>(error_json(code, message));
  res.set_content_provider(
      body->size(), kJson, [body](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
        sink.write(body->data() + offset, std::min(length, body->size() - offset));
        return false;
      });
}

// The same for a request httplib writes no body to (HEAD): the provider, and so the closing,
// needs one written, so the request is answered as the GET it names would be.
void reply_error_and_close(const httplib::Request& req, httplib::Response& res, int code,
                           std::string_view message) {
  if (req.method == "HEAD") const_cast<httplib::Request&>(req).method = "GET";
  reply_error_and_close(res, code, message);
}

int http_code(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kCorruptInput:
    case StatusCode::kNoDocuments:
      return 400;
    default:
      return 500;
  }
}

// The body's media type: "application/json" and the like, parameters dropped.
std::string media_type(const httplib::Request& req) {
  std::string type = req.get_header_value("Content-Type");
  type = type.substr(0, type.find(';'));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return type;
}

// The documents' content type: true for JSON Lines, false for JSON; nullopt for any other.
std::optional<bool> documents_type(const httplib::Request& req) {
  const std::string type = media_type(req);
  if (type == "application/json") return false;
  if (type == "application/x-ndjson" || type == "application/jsonl" ||
      type == "application/json-lines") {
    return true;
  }
  return std::nullopt;
}

constexpr const char* kDocumentsTypeMessage =
    "Content-Type must be application/json (a JSON array of documents) or application/x-ndjson "
    "(JSON Lines)";

// Where document `n` (from 1) of a request body is: a line of JSON Lines, or an element of the
// JSON array (a single object is document 1), which the reader saw as line n.
std::string body_place(bool json_lines) { return json_lines ? "body line " : "body document "; }

// Messages of the reader name standard input "<stdin>"; here it is the request body.
std::string body_message(std::string message, bool json_lines) {
  // "<stdin>:12: ..." names a line; "<stdin>: ..." the whole input.
  for (std::size_t at = message.find("<stdin>:"); at != std::string::npos;
       at = message.find("<stdin>:", at)) {
    const bool line = at + 8 < message.size() && message[at + 8] >= '0' && message[at + 8] <= '9';
    message.replace(at, 8, line ? body_place(json_lines) : "the body:");
  }
  for (std::size_t at = message.find("<stdin>"); at != std::string::npos;
       at = message.find("<stdin>", at)) {
    message.replace(at, 7, "the body");
  }
  // The reader's hint for a file (a jq command) means nothing to a client: say what to send.
  if (const std::size_t at = message.find("(convert it with: jq"); at != std::string::npos) {
    const std::size_t close = message.find(')', at);
    message.replace(at, close == std::string::npos ? std::string::npos : close + 1 - at,
                    "(send one object per line, or a JSON array of documents with Content-Type: "
                    "application/json)");
  }
  // The reader names options as the library does (`max_doc_bytes`, `text_field`); a client can
  // only ask the server's operator to set them, as flags of doppel serve.
  for (std::size_t open = message.find('`'); open != std::string::npos;
       open = message.find('`', open)) {
    const std::size_t close = message.find('`', open + 1);
    if (close == std::string::npos) break;
    std::string name = message.substr(open + 1, close - open - 1);
    if (name.empty() ||
        name.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") != std::string::npos) {
      open = close + 1;  // quoted text, not an option's name
      continue;
    }
    std::replace(name.begin(), name.end(), '_', '-');
    const std::string flag = "the server's --" + name;
    message.replace(open, close + 1 - open, flag);
    open += flag.size();
  }
  return message;
}

// The body length a request declares (Content-Length); 0 when it declares none.
std::uint64_t declared_length(const httplib::Request& req) {
  if (!req.has_header("Content-Length")) return 0;
  return std::strtoull(req.get_header_value("Content-Length").c_str(), nullptr, 10);
}

// The most bytes a compressed body may take as sent: what gzip, deflate or Brotli add to a body
// that decodes within `limit` (about 5 bytes in 64 KiB stored, and headers) is well inside the
// margin; a body over it decodes past the limit or is mostly empty members or metadata.
std::size_t compressed_body_limit(std::size_t limit) {
  const std::size_t margin = limit / 64 + (std::size_t{64} << 10);
  constexpr std::size_t kMax = std::numeric_limits<std::size_t>::max();
  return limit > kMax - margin ? kMax : limit + margin;
}

std::string over_limit_message(std::size_t limit, std::string_view after = "") {
  return fmt::format("the body is larger than the limit of {} bytes (--max-body){}", limit, after);
}

constexpr const char* kNoSuchPath = "no such path (the API: docs/index.md)";

// A request's path without the scheme and authority of a request line in absolute form
// ("GET http://host:8080/health HTTP/1.1", which HTTP/1.1 servers must accept; cpp-httplib keeps
// them in the path).
std::string_view api_path(const httplib::Request& req) {
  std::string_view path = req.path;
  for (const std::string_view scheme : {"http://", "https://"}) {
    if (path.size() >= scheme.size() &&
        std::equal(scheme.begin(), scheme.end(), path.begin(), [](char x, char y) {
          return x == std::tolower(static_cast<unsigned char>(y));
        })) {
      const std::size_t slash = path.find('/', scheme.size());
      return slash == std::string_view::npos ? std::string_view("/") : path.substr(slash);
    }
  }
  return path;
}
// A route's pattern: `path`, after the scheme and authority of the absolute form if any.
std::string route(std::string_view path) {
  return "(?:[hH][tT][tT][pP][sS]?://[^/]*)?" + std::string(path);
}

// The paths that take documents in a POST's body (and the `passages` parameter).
bool is_documents_path(std::string_view path) {
  return path == "/v1/documents" || path == "/v1/query";
}

// The methods of each path of the API (the Allow header of 405 and OPTIONS); null: no such path.
// cpp-httplib answers HEAD with the GET handler, the body left out.
const char* methods_of(std::string_view path) {
  if (path == "/health" || path == "/v1/stats") return "GET, HEAD, OPTIONS";
  if (is_documents_path(path)) return "POST, OPTIONS";
  constexpr std::string_view kDocument = "/v1/documents/";
  if (path.size() > kDocument.size() && path.starts_with(kDocument)) {
    return "GET, HEAD, DELETE, OPTIONS";
  }
  return nullptr;
}

// Whether `allow` (methods_of(); null: no such path) has `method` (HEAD where it has GET).
bool method_allowed(const char* allow, std::string_view method) {
  bool allowed = false;
  for (std::string_view rest = allow == nullptr ? "" : allow; !rest.empty();) {
    const std::size_t comma = std::min(rest.find(", "), rest.size());
    const std::string_view m = rest.substr(0, comma);
    allowed |= m == method || (m == "GET" && method == "HEAD");
    rest.remove_prefix(std::min(comma + 2, rest.size()));
  }
  return allowed;
}

// 405 with the methods the path has; `close`: the request's body is unread (reply_error_and_close).
void reply_not_allowed(const httplib::Request& req, httplib::Response& res, const char* allow,
                       bool close) {
  res.set_header("Allow", allow);
  const std::string message = fmt::format("method not allowed here; allowed: {}", allow);
  if (close) {
    reply_error_and_close(req, res, 405, message);
  } else {
    reply_error(res, 405, message);
  }
}

// The longest id the service adds (doppel/index.h).
constexpr std::size_t kMaxIdBytes = kMaxIndexIdBytes;

// Every document of a request needs an id of its own: the index keeps documents by id, and the
// service's URLs name them by it. A batch run names a document without one "FILE:LINE"; a
// request's would be "<stdin>:LINE", a name no later request could use. Lines that are not JSON
// objects are left to the reader, which says what is wrong with them.
Status check_ids(std::string_view lines, const std::string& id_field, bool json_lines,
                 bool adding) {
  simdjson::dom::parser parser;
  std::size_t line = 0;
  while (!lines.empty()) {
    const std::size_t end = std::min(lines.find('\n'), lines.size());
    const std::string_view text = lines.substr(0, end);
    lines.remove_prefix(std::min(end + 1, lines.size()));
    ++line;
    simdjson::dom::object object;
    if (parser.parse(text.data(), text.size()).get_object().get(object) != simdjson::SUCCESS) {
      continue;
    }
    simdjson::dom::element id;
    std::string_view id_text;
    const bool missing = object.at_key(id_field).get(id) != simdjson::SUCCESS || id.is_null();
    if (missing || (id.get_string().get(id_text) == simdjson::SUCCESS && id_text.empty())) {
      return Status::InvalidArgument(
          fmt::format("{}{}: the document has {} id (field \"{}\"); the index keeps documents by "
                      "id, so each needs one; nothing was {}",
                      body_place(json_lines), line, missing ? "no" : "an empty", id_field,
                      adding ? "added" : "answered"));
    }
    if (id_text.size() > kMaxIdBytes) {
      return Status::InvalidArgument(fmt::format(
          "{}{}: the id is {} bytes long; the service takes ids of at most {} bytes, "
          "so that GET and DELETE /v1/documents/{{id}} can name each (a URL it reads is at most "
          "8 KiB once percent-encoded); nothing was {}",
          body_place(json_lines), line, id_text.size(), kMaxIdBytes,
          adding ? "added" : "answered"));
    }
  }
  return Status::Ok();
}

}  // namespace

struct Service::Impl {
  Index& index;
  ServiceOptions options;
  httplib::Server server;
  std::atomic<bool> stopping{false};
  // For on_request: when each request in flight was routed. A request lives on its thread's
  // stack from its headers to its answer, so its address names it while it is in flight.
  std::mutex started_mutex;
  std::unordered_map<const httplib::Request*, std::chrono::steady_clock::time_point> started;

  Impl(Index& i, ServiceOptions o) : index(i), options(std::move(o)) {}

  void note_start(const httplib::Request& req) {
    if (!options.on_request) return;
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(started_mutex);
    started.insert_or_assign(&req, now);
  }

  void record(const httplib::Request& req, const httplib::Response& res) {
    if (!options.on_request) return;
    RequestRecord r{.method = req.method,
                    .target = req.target,
                    .remote_addr = req.remote_addr,
                    .status = res.status,
                    // A refusal that closes the connection streams its body (content_length_).
                    .response_bytes = std::max(res.body.size(), res.content_length_),
                    .answered = std::chrono::system_clock::now()};
    if (req.has_header("Content-Length")) {
      r.content_length = static_cast<std::int64_t>(
          std::min<std::uint64_t>(declared_length(req), std::numeric_limits<std::int64_t>::max()));
    }
    {
      std::lock_guard lock(started_mutex);
      if (const auto it = started.find(&req); it != started.end()) {
        r.seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - it->second).count();
        started.erase(it);
      }
    }
    options.on_request(r);
  }

  // A body refused unread is read and thrown away, up to kDrainBytes and kDrainSeconds in all: a
  // client without "Expect: 100-continue" (and one that was sent 100 Continue, which httplib
  // does before routing) sends the whole body before it reads the answer, and a connection closed
  // with data unread is reset, which loses the answer (Python's http.client raised
  // BrokenPipeError instead of returning the 413). A declared length past the bound, or a
  // multipart body (httplib would parse it), is not read: the connection closes at once.
  static constexpr std::size_t kDrainBytes = std::size_t{64} << 20;
  static constexpr auto kDrainSeconds = std::chrono::seconds(10);
  // Whether a refused body may still be read: kDrainBytes and kDrainSeconds not reached.
  struct DrainBudget {
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
    bool allows(std::size_t sent) const {
      return sent <= kDrainBytes && std::chrono::steady_clock::now() - start < kDrainSeconds;
    }
  };
  // Call after the answer is set: the status is put back should httplib set its own.
  static void drain(const httplib::Request& req, httplib::Response& res,
                    const httplib::ContentReader& reader) {
    if (declared_length(req) > kDrainBytes || req.is_multipart_form_data()) return;
    if (!req.has_header("Transfer-Encoding") && declared_length(req) == 0) return;
    // The bytes as sent: httplib would decode a Content-Encoding it knows (any naming "br" as
    // Brotli), and empty members or metadata decode to nothing, which no byte count would bound.
    auto& headers = const_cast<httplib::Request&>(req).headers;  // as framing_ok() does
    headers.erase("Content-Encoding");
    const int status = res.status;
    const DrainBudget budget;
    std::size_t read = 0;
    (void)reader([&](const char* /*data*/, std::size_t size) {
      read += size;
      return budget.allows(read);
    });
    res.status = status;
  }

  bool authorized(const httplib::Request& req, httplib::Response& res) const {
    if (options.token.empty()) return true;
    // "Bearer TOKEN": the scheme in any case, then one space or more (RFC 7235), the token
    // exactly.
    const std::string header = req.get_header_value("Authorization");
    std::string_view got = header;
    constexpr std::string_view kScheme = "bearer ";
    bool scheme = got.size() >= kScheme.size();
    for (std::size_t i = 0; scheme && i < kScheme.size(); ++i) {
      scheme = std::tolower(static_cast<unsigned char>(got[i])) == kScheme[i];
    }
    got.remove_prefix(scheme ? kScheme.size() : got.size());
    while (!got.empty() && got.front() == ' ') got.remove_prefix(1);
    const std::string& want = options.token;
    // Compared in time that does not depend on where they differ.
    unsigned diff = scheme && got.size() == want.size() ? 0u : 1u;
    for (std::size_t i = 0; i < want.size(); ++i) {
      diff |= static_cast<unsigned>(i < got.size() ? got[i] ^ want[i] : 1);
    }
    if (diff == 0) return true;
    res.set_header("WWW-Authenticate", "Bearer");
    // A POST's body is left unread: the connection closes after the answer. A token that was
    // sent but is not the server's is told apart from none (a stale token file, not a missing
    // header).
    reply_error_and_close(req, res, 401,
                          header.empty()
                              ? "writes to this index need a bearer token (Authorization header)"
                          : scheme ? "the bearer token does not match the server's (--token-file)"
                                   : "the Authorization header is not \"Bearer TOKEN\"");
    return false;
  }

  // The body, decoded (gzip, deflate, br) and at most max_body_bytes long whatever its framing:
  // httplib checks a Content-Length against the limit before reading, but neither the length of
  // a chunked body nor what a compressed one expands to. False: answered with an error.
  bool read_body(const httplib::Request& req, httplib::Response& res,
                 const httplib::ContentReader& reader, std::string& body) const {
    // As httplib names them: exactly these (it compares case-sensitively).
    const std::string encoding = req.has_header(kDecodeHere)
                                     ? req.get_header_value(kDecodeHere)
                                     : req.get_header_value("Content-Encoding");
    if (!encoding.empty() && encoding != "identity" && encoding != "gzip" &&
        encoding != "deflate" && encoding != "br") {
      reply_error_and_close(
          res, 415,
          fmt::format("Content-Encoding \"{}\" is not supported (gzip, deflate, br or none)",
                      escape_invalid_utf8(encoding)));
      drain(req, res, reader);
      return false;
    }
    if (!req.has_header("Transfer-Encoding") && !req.has_header("Content-Length")) {
      reply_error_and_close(res, 411,
                            "the request has no body: send the documents with a Content-Length "
                            "or chunked");
      return false;
    }
    // A length over the limit is refused before a byte of the body is read.
    if (declared_length(req) > options.max_body_bytes) {
      reply_error_and_close(res, 413, over_limit_message(options.max_body_bytes));
      drain(req, res, reader);
      return false;
    }
    bool too_large = false, sent_too_large = false;
    std::optional<BodyDecoder> decoder;
    if (const auto kind = BodyDecoder::kind_of(encoding)) {
      decoder.emplace(*kind, options.max_body_bytes);
    }
    // A compressed body is bounded as sent, too: else empty gzip members or Brotli metadata,
    // which decode to nothing, could keep a thread reading for as long as a client sends them.
    // Compression adds less than this margin to a body that decodes within the limit.
    const std::size_t sent_limit = compressed_body_limit(options.max_body_bytes);
    std::size_t sent = 0;
    // Once the body is refused (over the limit), the rest is read and thrown away within the
    // drain's bounds, for a client that reads the answer only once it has sent the whole body
    // (drain()); past them, or for a body that is not valid data, reading stops.
    std::optional<DrainBudget> drain_budget;
    auto drain_on = [&] {
      if (!drain_budget) drain_budget.emplace();
      return drain_budget->allows(sent);
    };
    bool read = reader([&](const char* data, std::size_t size) {
      sent += size;
      if (too_large || sent_too_large) return drain_on();
      if (decoder) {
        if (sent > sent_limit) {
          sent_too_large = true;
          return drain_on();
        }
        if (decoder->feed({data, size}, body)) return true;
        too_large = decoder->over_limit();
        return too_large && drain_on();
      }
      if (size > options.max_body_bytes - body.size()) {
        too_large = true;
        body.clear();
        return drain_on();
      }
      body.append(data, size);
      return true;
    });
    read = read && (!decoder || decoder->finished());  // a compressed stream cut short
    if (sent_too_large) {
      reply_error_and_close(res, 413,
                            fmt::format("the compressed request body is over {} bytes as sent "
                                        "(the limit of {} bytes once decompressed, and a margin "
                                        "for compression)",
                                        sent_limit, options.max_body_bytes));
      return false;
    }
    if (too_large || res.status == 413) {
      reply_error_and_close(res, 413,
                            over_limit_message(options.max_body_bytes,
                                               encoding.empty() ? "" : ", once decompressed"));
      return false;
    }
    if (!read) {
      reply_error_and_close(
          res, 400,
          encoding.empty() || encoding == "identity"
              ? "the body could not be read (cut short, or a broken chunk)"
              : fmt::format("the body could not be read: not valid {} data, or cut short",
                            encoding));
      return false;
    }
    return true;
  }

  // POST /v1/documents and /v1/query: every document of the body valid, or a 400 naming the bad
  // ones and adding nothing.
  void documents(const httplib::Request& req, httplib::Response& res,
                 const httplib::ContentReader& reader, bool add) {
    if (const auto refusal = parameter_refusal(req)) {
      reply_error_and_close(res, refusal->code, refusal->message);
      drain(req, res, reader);
      return;
    }
    if (add && !authorized(req, res)) {  // before reading what it would add
      drain(req, res, reader);
      return;
    }
    const std::optional<bool> json_lines = documents_type(req);
    if (!json_lines) {  // before reading a body it would not take
      reply_error_and_close(res, 415, kDocumentsTypeMessage);
      drain(req, res, reader);
      return;
    }
    // ?passages=skip: answers without passages, as --skip-passages gives (a bulk load); checked
    // by parameter_refusal() above.
    const bool find_passages = req.get_param_value("passages") != "skip";
    std::string request_body;
    if (!read_body(req, res, reader, request_body)) return;
    auto lines = body_as_json_lines(request_body, *json_lines);
    if (!lines.ok()) {
      reply_error(res, 400, lines.status().message());
      return;
    }
    if (const Status named = check_ids(*lines, options.read.id_field, *json_lines, add);
        !named.ok()) {
      reply_error(res, 400, named.message());
      return;
    }
    BodyEnv env(*lines);
    IndexReadOptions read;
    read.read = options.read;
    read.read.format = InputFormat::kJsonl;
    read.read.on_error = ErrorPolicy::kSkip;
    read.read.keep_stdin = false;
    read.read.env = &env;
    read.all_or_nothing = true;
    read.find_passages = find_passages;
    read.threads = 1;  // each request on its own thread
    std::string body = "{\"answers\":[";
    bool first = true;
    auto on_answer = [&](const Answer& a) {
      if (!first) body.push_back(',');
      first = false;
      append_answer_json(body, a);
      return Status::Ok();
    };
    const std::string inputs[] = {"-"};
    auto done = add ? index.add(inputs, read, nullptr, on_answer)
                    : index.query(inputs, read, nullptr, on_answer);
    if (!done.ok()) {
      reply_error(res, http_code(done.status()),
                  body_message(done.status().message(), *json_lines));
      return;
    }
    body += "]}";
    res.set_content(body, kJson);
  }

  struct Refusal {
    int code;
    std::string message;
  };

  // The framing of a body, checked before httplib reads it, so that where a body ends is never in
  // doubt (else what follows it could be read as the next request): one Transfer-Encoding,
  // chunked (httplib reads any other until the connection ends), or Content-Lengths that are all
  // one number, never both; and at most one Content-Encoding (httplib would decode the first and
  // read_body() the body again). Pure: the 100-continue handler asks it too, before pre-routing.
  static std::optional<Refusal> framing_refusal(const httplib::Request& req) {
    if (req.has_header("Transfer-Encoding")) {
      std::string te = req.get_header_value("Transfer-Encoding");
      for (char& c : te) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (req.get_header_value_count("Transfer-Encoding") > 1 || te != "chunked") {
        return Refusal{501,
                       fmt::format("Transfer-Encoding \"{}\" is not supported: send the body "
                                   "chunked or with a Content-Length",
                                   escape_invalid_utf8(req.get_header_value("Transfer-Encoding")))};
      }
      if (req.has_header("Content-Length")) {
        return Refusal{400,
                       "the request has both a Content-Length and a Transfer-Encoding: where its "
                       "body ends is ambiguous"};
      }
    }
    const std::size_t lengths = req.get_header_value_count("Content-Length");
    for (std::size_t i = 0; i < lengths; ++i) {
      const std::string value = req.get_header_value("Content-Length", i);
      const bool digits =
          !value.empty() && value.size() <= 19 &&
          std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (!digits) {
        return Refusal{400, fmt::format("a malformed Content-Length (\"{}\"): one decimal number "
                                        "of bytes",
                                        escape_invalid_utf8(value))};
      }
      if (const std::string first = req.get_header_value("Content-Length", 0); value != first) {
        return Refusal{400, fmt::format("Content-Length headers that differ (\"{}\" and \"{}\"): "
                                        "where the body ends is ambiguous; send one",
                                        escape_invalid_utf8(first), escape_invalid_utf8(value))};
      }
    }
    if (req.get_header_value_count("Content-Encoding") > 1) {
      return Refusal{400, "the request has more than one Content-Encoding header: send one"};
    }
    return std::nullopt;
  }

  // The query parameters of a known path and method: /v1/documents and /v1/query take
  // `passages=on|skip`, once; no path takes any other. An unknown one (a misspelt `passage=skip`)
  // is refused rather than ignored, which would do what the client did not ask for without a word.
  // Pure: the 100-continue handler asks it too.
  static std::optional<Refusal> parameter_refusal(const httplib::Request& req) {
    const std::string_view path = api_path(req);
    // An unknown path (404) or a method the path does not have (405) is answered as such first.
    if (req.params.empty() || !method_allowed(methods_of(path), req.method)) return std::nullopt;
    const bool documents_path = is_documents_path(path);
    for (const auto& [name, value] : req.params) {
      if (documents_path && name == "passages") continue;
      return Refusal{400,
                     fmt::format("unknown query parameter \"{}\": {}", escape_invalid_utf8(name),
                                 documents_path ? "this path takes passages=on or skip"
                                                : "this path takes none")};
    }
    const std::string passages = req.get_param_value("passages");
    if (req.get_param_value_count("passages") != 1 || (passages != "on" && passages != "skip")) {
      return Refusal{400, "the parameter passages takes on or skip, one of them"};
    }
    return std::nullopt;
  }

  // framing_refusal() answered, or the request's Content-Encoding, when read_body() decodes it,
  // moved to kDecodeHere (which a client cannot set): httplib's decoders take a stream cut short
  // for a whole one, so it must not decode the body itself.
  static bool framing_ok(const httplib::Request& req, httplib::Response& res) {
    auto& headers = const_cast<httplib::Request&>(req).headers;  // see kDecodeHere
    headers.erase(kDecodeHere);
    if (const auto refusal = framing_refusal(req)) {
      reply_error_and_close(res, refusal->code, refusal->message);
      return false;
    }
    const std::string encoding = req.get_header_value("Content-Encoding");
    if (BodyDecoder::kind_of(encoding)) {
      headers.emplace(kDecodeHere, encoding);
      headers.erase("Content-Encoding");
    }
    return true;
  }

  // Only POST /v1/documents and /v1/query take a body, and they read it through read_body().
  // Any other request with one is answered before httplib reads it (whole, into memory, however
  // long a chunked body is and whatever a compressed one expands to), and its connection closed.
  httplib::Server::HandlerResponse refuse_other_bodies(const httplib::Request& req,
                                                       httplib::Response& res) const {
    if (req.method == "POST" && is_documents_path(api_path(req))) {
      return framing_ok(req, res) ? httplib::Server::HandlerResponse::Unhandled
                                  : httplib::Server::HandlerResponse::Handled;
    }
    // httplib reads the body of these methods even without a length (until the connection
    // ends): they are answered here whatever their headers say.
    const bool reads_body =
        req.method == "POST" || req.method == "PUT" || req.method == "PATCH" || req.method == "PRI";
    const bool body =
        reads_body || req.has_header("Transfer-Encoding") || req.has_header("Content-Encoding") ||
        (req.has_header("Content-Length") && req.get_header_value("Content-Length") != "0");
    if (!body) return httplib::Server::HandlerResponse::Unhandled;
    const char* allow = methods_of(api_path(req));
    const bool allowed = method_allowed(allow, req.method);
    const std::string method = req.method;
    if (allow == nullptr) {
      reply_error_and_close(req, res, 404, kNoSuchPath);
    } else if (!allowed) {
      reply_not_allowed(req, res, allow, true);
    } else {
      reply_error_and_close(req, res, 400, fmt::format("{} takes no request body", method));
    }
    return httplib::Server::HandlerResponse::Handled;
  }

  void routes() {
    // "Expect: 100-continue": a body that would be refused (bad framing, no token, a content type
    // not taken, a length over the limit, a body where none belongs) is refused before the client
    // sends it. httplib asks this handler before pre-routing, so it checks what that would.
    server.set_expect_100_continue_handler(
        [this](const httplib::Request& req, httplib::Response& res) {
          if (const auto refusal = parameter_refusal(req)) {
            reply_error_and_close(res, refusal->code, refusal->message);
            return refusal->code;
          }
          if (req.method == "POST" && is_documents_path(api_path(req))) {
            if (const auto refusal = framing_refusal(req)) {
              reply_error_and_close(res, refusal->code, refusal->message);
              return refusal->code;
            }
            if (api_path(req) == "/v1/documents" && !authorized(req, res)) return res.status;
            if (!documents_type(req)) {
              reply_error_and_close(res, 415, kDocumentsTypeMessage);
              return 415;
            }
          } else if (refuse_other_bodies(req, res) == httplib::Server::HandlerResponse::Handled) {
            return res.status;
          }
          if (declared_length(req) <= options.max_body_bytes) return 100;
          reply_error_and_close(res, 413, over_limit_message(options.max_body_bytes));
          return 413;
        });
    server.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      note_start(req);
      // (A POST to /v1/documents or /v1/query is refused in documents(), which can drain it.)
      const bool documents_post = req.method == "POST" && is_documents_path(api_path(req));
      if (const auto refusal = documents_post ? std::nullopt : parameter_refusal(req)) {
        reply_error_and_close(req, res, refusal->code, refusal->message);
        return httplib::Server::HandlerResponse::Handled;
      }
      return refuse_other_bodies(req, res);
    });
    server.set_logger(
        [this](const httplib::Request& req, const httplib::Response& res) { record(req, res); });
    // A method a known path does not have (GET or DELETE: the others, which read a body, are
    // answered by refuse_other_bodies): 405 with the methods it has.
    auto not_allowed = [](const httplib::Request& req, httplib::Response& res) {
      reply_not_allowed(req, res, methods_of(api_path(req)), false);
    };
    server.Get(route("/health"), [](const httplib::Request&, httplib::Response& res) {
      res.set_content("{\"status\":\"ok\"}", kJson);
    });
    server.Get(route("/v1/stats"), [this](const httplib::Request&, httplib::Response& res) {
      std::string body;
      append_stats_json(body, index.stats());
      res.set_content(body, kJson);
    });
    server.Post(route("/v1/documents"), [this](const httplib::Request& req, httplib::Response& res,
                                               const httplib::ContentReader& reader) {
      documents(req, res, reader, true);
    });
    server.Post(route("/v1/query"), [this](const httplib::Request& req, httplib::Response& res,
                                           const httplib::ContentReader& reader) {
      documents(req, res, reader, false);
    });
    // The path's id is already decoded (%2F is a slash in it).
    // [\s\S]: an id may hold a line feed (%0A), which `.` would not match.
    server.Get(route("/v1/documents/([\\s\\S]+)"),
               [this](const httplib::Request& req, httplib::Response& res) {
                 const std::string id = req.matches[1];
                 auto record = index.get(id);
                 if (!record.ok()) {
                   reply_error(res, http_code(record.status()), record.status().message());
                 } else if (!record->has_value()) {
                   reply_error(res, 404, fmt::format("no document with id \"{}\"", id));
                 } else {
                   std::string body;
                   append_record_json(body, **record);
                   res.set_content(body, kJson);
                 }
               });
    server.Delete(route("/v1/documents/([\\s\\S]+)"),
                  [this](const httplib::Request& req, httplib::Response& res) {
                    if (!authorized(req, res)) return;
                    const std::string ids[] = {req.matches[1]};
                    auto removed = index.remove(ids);
                    if (!removed.ok()) {
                      reply_error(res, http_code(removed.status()), removed.status().message());
                    } else if (*removed == 0) {
                      reply_error(res, 404, fmt::format("no document with id \"{}\"", ids[0]));
                    } else {
                      res.set_content("{\"removed\":1}", kJson);
                    }
                  });
    for (const std::string& path : {route("/health"), route("/v1/stats")}) {
      server.Delete(path, not_allowed);
    }
    for (const std::string& path : {route("/v1/documents"), route("/v1/query")}) {
      server.Get(path, not_allowed);
      server.Delete(path, not_allowed);
    }
    // httplib adds Keep-Alive to every answer; one that closes the connection should not say so.
    // It also adds "Connection: close" to the answer of a request that asked to close, beside the
    // one an answer that closes the connection itself already has: one is kept.
    server.set_post_routing_handler([](const httplib::Request&, httplib::Response& res) {
      if (res.get_header_value("Connection") != "close") return;
      res.headers.erase("Keep-Alive");
      if (res.get_header_value_count("Connection") > 1) {
        res.headers.erase("Connection");
        res.set_header("Connection", "close");
      }
    });
    // OPTIONS: the methods a path has (no body; no CORS headers, the service is not for pages).
    server.Options(".*", [](const httplib::Request& req, httplib::Response& res) {
      const char* allow = methods_of(api_path(req));
      if (allow == nullptr) {
        reply_error(res, 404, kNoSuchPath);
        return;
      }
      res.status = 200;  // an empty body with Content-Length 0, which a 204 may not carry
      res.set_header("Allow", allow);
    });
    // Errors httplib answers itself (404 of an unknown path, 413, 400 of a broken request) get a
    // JSON body too.
    server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
      if (!res.body.empty() || res.content_length_ > 0) return;  // answered already
      const char* what = res.status == 404   ? kNoSuchPath
                         : res.status == 413 ? "the body is larger than the limit (--max-body)"
                         : res.status == 400 ? "a malformed HTTP request"
                                             : "the request could not be served";
      res.set_content(error_json(res.status, what), kJson);
    });
    server.set_exception_handler(
        [](const httplib::Request&, httplib::Response& res, const std::exception_ptr& ep) {
          std::string what = "internal error";
          try {
            std::rethrow_exception(ep);
          } catch (const std::exception& e) {
            what = e.what();
          } catch (...) {
          }
          reply_error(res, 500, what);
        });
  }
};

std::string request_log_line(const RequestRecord& r) {
  std::string line = "{\"time\":\"" + utc_text(r.answered, true) + "\",\"client\":";
  if (r.remote_addr.empty()) {
    line += "null";  // a request line too malformed to be read as one
  } else {
    append_json_string(line, replace_invalid_utf8(r.remote_addr));
  }
  line += ",\"method\":";
  append_json_string(line, replace_invalid_utf8(r.method));
  line += ",\"target\":";
  append_json_string(line, replace_invalid_utf8(r.target));
  line += ",\"status\":";
  append_int(line, r.status);
  line += ",\"content_length\":";
  if (r.content_length >= 0) {
    append_int(line, r.content_length);
  } else {
    line += "null";
  }
  line += ",\"response_bytes\":";
  append_uint(line, r.response_bytes);
  line += ",\"seconds\":";
  if (r.seconds >= 0) {
    line += fmt::format("{:.6f}", r.seconds);
  } else {
    line += "null";
  }
  line += "}\n";
  return line;
}

Service::Service(Index& index, ServiceOptions options)
    : impl_(std::make_unique<Impl>(index, std::move(options))) {}
Service::~Service() = default;

Status Service::bind() {
  Impl& s = *impl_;
  s.routes();
  // Above what the service reads of any body (--max-body, or a refused body's drain): the limits
  // are the service's own (read_body, drain), and httplib, which skips a length over this one
  // by itself however slowly it comes, never does.
  const std::size_t most = std::max(s.options.max_body_bytes, Impl::kDrainBytes);
  s.server.set_payload_max_length(most < std::numeric_limits<std::size_t>::max() ? most + 1 : most);
  s.server.set_read_timeout(s.options.timeout_seconds, 0);
  s.server.set_write_timeout(s.options.timeout_seconds, 0);
  s.server.set_keep_alive_max_count(1000);
  // Headers and body go out in separate writes: without this, Nagle holds the body back until the
  // client acknowledges the headers, which a delayed ACK makes about 40 ms.
  s.server.set_tcp_nodelay(true);
  // cpp-httplib's default sets SO_REUSEPORT, with which a second server binds a port in use and
  // the kernel splits the connections between the two (and their indexes). SO_REUSEADDR alone
  // still allows a restart while the last run's connections linger in TIME_WAIT.
  s.server.set_socket_options([](socket_t sock) {
    int yes = 1;
    (void)setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  const int threads = std::max(1, s.options.threads);
  const std::size_t queue = std::max<std::size_t>(1, s.options.queue);
  s.server.new_task_queue = [threads, queue] { return new BoundedPool(threads, queue); };
  if (s.options.port == 0) {
    port_ = s.server.bind_to_any_port(s.options.host);
    if (port_ < 0) return Status::IoError(fmt::format("cannot listen on {}", s.options.host));
  } else {
    if (!s.server.bind_to_port(s.options.host, s.options.port)) {
      return Status::IoError(
          fmt::format("cannot listen on {}:{} (in use, or not an address of this machine)",
                      s.options.host, s.options.port));
    }
    port_ = s.options.port;
  }
  return Status::Ok();
}

Status Service::listen() {
  if (!impl_->server.listen_after_bind() && !impl_->stopping) {
    return Status::IoError("the listener failed");
  }
  return Status::Ok();
}

void Service::stop() {
  impl_->stopping = true;
  impl_->server.stop();
}

}  // namespace doppel
