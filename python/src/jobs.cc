// doppel.dedup and doppel.reuse: the library's jobs over paths or over a stream of documents
// from Python, with their results as the JSON the command line writes (the facade in
// python/doppel/jobs.py parses it into Python objects, so both show the same content).
//
// Documents from Python arrive as JSON Lines bytes, pulled chunk by chunk from a Python callable
// by the library's reader (an Env whose standard input is that callable): the GIL is released
// while doppel works and taken only to pull the next chunk. The stream is kept (the library's
// copy of standard input) so that the deduplicated or cleaned corpus can be read again.
#include <pybind11/functional.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <condition_variable>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bindings.h"
#include "doppel/dedup.h"
#include "doppel/env.h"
#include "doppel/output.h"
#include "doppel/reuse.h"

namespace py = pybind11;

namespace doppel::python {
namespace {

// --- errors ------------------------------------------------------------------------------------

// The package's exception classes, set once when the module is imported. Plain references, never
// released: a py::object destroyed after the interpreter has finalized would crash.
struct Exceptions {
  PyObject* bad_input = nullptr;
  PyObject* no_documents = nullptr;
};
Exceptions& exceptions() {
  static Exceptions e;
  return e;
}

// Raises the Python exception of a failed Status: ValueError for bad options, the package's
// BadInputError (on_error="fail") and NoDocumentsError, OSError for files, RuntimeError for bugs.
[[noreturn]] void raise(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
      throw py::value_error(s.message());
    case StatusCode::kIoError:
      PyErr_SetString(PyExc_OSError, s.message().c_str());
      throw py::error_already_set();
    case StatusCode::kCorruptInput:
      PyErr_SetString(exceptions().bad_input, s.message().c_str());
      throw py::error_already_set();
    case StatusCode::kNoDocuments:
      PyErr_SetString(exceptions().no_documents, s.message().c_str());
      throw py::error_already_set();
    case StatusCode::kOk:
    case StatusCode::kInternal:
      break;
  }
  throw std::runtime_error(s.ToString());
}

// --- documents from Python ---------------------------------------------------------------------

// An Env whose standard input is a Python callable returning bytes (b"" at the end); files come
// from the file system. An exception the callable raises is kept and raised again when the job
// returns (the library sees a failed read).
class PythonStreamEnv final : public Env {
 public:
  explicit PythonStreamEnv(py::object next_chunk) : next_chunk_(std::move(next_chunk)) {}
  ~PythonStreamEnv() override {
    const py::gil_scoped_acquire gil;
    next_chunk_ = py::object();
    error_.reset();
  }
  PythonStreamEnv(const PythonStreamEnv&) = delete;
  PythonStreamEnv& operator=(const PythonStreamEnv&) = delete;

  PathInfo stat(const std::string& path) override { return default_env().stat(path); }
  Result<std::vector<DirEntry>> list(const std::string& dir) override {
    return default_env().list(dir);
  }
  Result<std::unique_ptr<SequentialFile>> open(const std::string& path) override {
    return default_env().open(path);
  }
  Result<std::unique_ptr<SequentialFile>> open_stdin() override {
    return std::unique_ptr<SequentialFile>(new Stream(*this));
  }
  std::string stdin_name() const override { return "<documents>"; }

  // Raises what the callable raised, if anything.
  void rethrow() {
    if (error_) {
      py::error_already_set e = std::move(*error_);
      error_.reset();
      throw e;
    }
  }

 private:
  class Stream final : public SequentialFile {
   public:
    explicit Stream(PythonStreamEnv& env) : env_(env) {}
    Result<std::size_t> read(std::span<char> out) override {
      std::size_t got = 0;
      while (got < out.size()) {
        if (pos_ == chunk_.size()) {
          pos_ = 0;
          if (done_ || !env_.pull(chunk_)) {
            chunk_.clear();
            done_ = true;
            if (env_.error_) return Status::IoError("the Python iterable raised an exception");
            break;
          }
          continue;
        }
        const std::size_t n = std::min(out.size() - got, chunk_.size() - pos_);
        std::memcpy(out.data() + got, chunk_.data() + pos_, n);
        got += n;
        pos_ += n;
      }
      return got;
    }

   private:
    PythonStreamEnv& env_;
    std::string chunk_;
    std::size_t pos_ = 0;
    bool done_ = false;
  };

  // The next chunk; false at the end or on an exception (kept).
  bool pull(std::string& chunk) {
    const py::gil_scoped_acquire gil;
    try {
      const py::object got = next_chunk_();
      if (got.is_none()) return false;
      chunk = got.cast<std::string>();
      return !chunk.empty();
    } catch (py::error_already_set& e) {
      error_.emplace(std::move(e));
      return false;
    }
  }

  py::object next_chunk_;
  std::optional<py::error_already_set> error_;
};

// --- options from keyword arguments ------------------------------------------------------------

template <typename T>
void take(const py::dict& kw, const char* name, T& field) {
  if (kw.contains(name)) field = kw[name].cast<T>();
}

template <typename E>
void take_choice(const py::dict& kw, const char* name, E& field,
                 std::initializer_list<std::pair<const char*, E>> names) {
  if (!kw.contains(name)) return;
  const std::string given = kw[name].cast<std::string>();
  std::string list;
  for (const auto& [n, v] : names) {
    if (given == n) {
      field = v;
      return;
    }
    list += (list.empty() ? "" : ", ") + std::string(n);
  }
  throw py::value_error("`" + std::string(name) + "`: '" + given + "' is not one of " + list);
}

NormalizeOptions normalize_from(const std::string& spec) {
  NormalizeOptions out{false, false, false, false};
  if (spec == "none") return out;
  std::size_t start = 0;
  while (start <= spec.size()) {
    const std::size_t comma = std::min(spec.find(',', start), spec.size());
    const std::string part = spec.substr(start, comma - start);
    if (part == "nfkc") {
      out.nfkc = true;
    } else if (part == "case") {
      out.case_fold = true;
    } else if (part == "punct") {
      out.fold_punctuation = true;
    } else if (part == "space") {
      out.fold_whitespace = true;
    } else {
      throw py::value_error("`normalize`: unknown step \"" + part +
                            "\" (steps: nfkc, case, punct, space; or none)");
    }
    start = comma + 1;
  }
  return out;
}

void read_options(const py::dict& kw, ReadOptions& read, NormalizeOptions& normalize) {
  take_choice<InputFormat>(
      kw, "format", read.format,
      {{"auto", InputFormat::kAuto}, {"jsonl", InputFormat::kJsonl}, {"text", InputFormat::kText}});
  take(kw, "id_field", read.id_field);
  take(kw, "text_field", read.text_field);
  take(kw, "date_field", read.date_field);
  take(kw, "max_doc_bytes", read.max_doc_bytes);
  take_choice<ErrorPolicy>(kw, "on_error", read.on_error,
                           {{"skip", ErrorPolicy::kSkip}, {"fail", ErrorPolicy::kFail}});
  if (kw.contains("normalize")) normalize = normalize_from(kw["normalize"].cast<std::string>());
}

DedupOptions dedup_options(const py::dict& kw) {
  DedupOptions o;
  read_options(kw, o.read, o.normalize);
  take_choice<ShingleKind>(kw, "shingle", o.shingle.kind,
                           {{"word", ShingleKind::kWords}, {"char", ShingleKind::kChars}});
  take(kw, "ngram", o.shingle.n);
  take(kw, "threshold", o.lsh.threshold);
  take(kw, "hashes", o.sketch.num_hashes);
  take(kw, "bands", o.lsh.bands);
  take(kw, "rows", o.lsh.rows);
  take(kw, "seed", o.sketch.seed);
  take_choice<VerifyMode>(kw, "verify", o.verify,
                          {{"signature", VerifyMode::kSignature}, {"exact", VerifyMode::kExact}});
  take_choice<KeepPolicy>(kw, "keep", o.keep,
                          {{"first", KeepPolicy::kFirst},
                           {"earliest", KeepPolicy::kEarliest},
                           {"latest", KeepPolicy::kLatest},
                           {"longest", KeepPolicy::kLongest}});
  take(kw, "threads", o.threads);
  take(kw, "progress", o.progress);
  o.keep_pairs = true;
  return o;
}

ReuseOptions reuse_options(const py::dict& kw) {
  ReuseOptions o;
  read_options(kw, o.read, o.normalize);
  take(kw, "seed_words", o.seed_words);
  take(kw, "min_words", o.min_words);
  take(kw, "min_similarity", o.min_similarity);
  take(kw, "band", o.band);
  take(kw, "max_unmatched", o.max_unmatched);
  take(kw, "max_gap", o.max_gap);
  take(kw, "all_pairs_docs", o.all_pairs_docs);
  take(kw, "min_docs", o.min_docs);
  take(kw, "keep_source", o.keep_source);
  take(kw, "threads", o.threads);
  take(kw, "progress", o.progress);
  return o;
}

// --- outputs -----------------------------------------------------------------------------------

// What a writer writes, as bytes.
template <typename Write>
py::bytes written(Write write) {
  StringOutput out;
  Status s;
  {
    const py::gil_scoped_release nogil;
    s = write(out);
  }
  if (!s.ok()) raise(s);
  return py::bytes(out.data());
}

// A writer run on its own thread into a bounded queue of chunks, which Python takes one at a
// time: the deduplicated or cleaned corpus streams, however large, without a file.
class ChunkStream {
 public:
  using Writer = std::function<Status(OutputStream&)>;
  explicit ChunkStream(Writer writer) : queue_(std::make_shared<Queue>()) {
    thread_ = std::thread([queue = queue_, writer = std::move(writer)] {
      QueueOutput out(*queue);
      Status s = writer(out);
      if (s.ok()) s = out.flush();
      std::lock_guard lock(queue->mutex);
      queue->status = std::move(s);
      queue->done = true;
      queue->changed.notify_all();
    });
  }
  ~ChunkStream() {
    {
      std::lock_guard lock(queue_->mutex);
      queue_->cancelled = true;
      queue_->changed.notify_all();
    }
    const py::gil_scoped_release nogil;
    if (thread_.joinable()) thread_.join();
  }
  ChunkStream(const ChunkStream&) = delete;
  ChunkStream& operator=(const ChunkStream&) = delete;

  // The next chunk of whole lines, or None at the end.
  py::object next() {
    std::string chunk;
    Status failed;
    bool end = false;
    {
      const py::gil_scoped_release nogil;
      std::unique_lock lock(queue_->mutex);
      queue_->changed.wait(lock, [&] { return !queue_->chunks.empty() || queue_->done; });
      if (!queue_->chunks.empty()) {
        chunk = std::move(queue_->chunks.front());
        queue_->chunks.pop_front();
        queue_->changed.notify_all();
      } else {
        end = true;
        failed = queue_->status;
      }
    }
    if (end) {
      if (!failed.ok()) raise(failed);
      return py::none();
    }
    return py::bytes(chunk);
  }

 private:
  struct Queue {
    std::mutex mutex;
    std::condition_variable changed;
    std::deque<std::string> chunks;
    bool done = false, cancelled = false;
    Status status;
  };
  // Collects lines into chunks of about 1 MiB; waits while 4 chunks are waiting.
  class QueueOutput final : public OutputStream {
   public:
    explicit QueueOutput(Queue& q) : q_(q) {}
    Status write(std::string_view bytes) override {
      buffer_.append(bytes);
      return buffer_.size() >= (1u << 20) ? flush() : Status::Ok();
    }
    Status flush() override {
      if (buffer_.empty()) return Status::Ok();
      std::unique_lock lock(q_.mutex);
      q_.changed.wait(lock, [&] { return q_.chunks.size() < 4 || q_.cancelled; });
      if (q_.cancelled) return Status::Internal("the stream was closed before its end");
      q_.chunks.push_back(std::move(buffer_));
      buffer_.clear();
      q_.changed.notify_all();
      return Status::Ok();
    }

   private:
    Queue& q_;
    std::string buffer_;
  };

  std::shared_ptr<Queue> queue_;
  std::thread thread_;
};

// --- the runs ----------------------------------------------------------------------------------

// Where a run's documents came from; kept by its result for the second reading.
struct RunInput {
  std::vector<std::string> paths;
  std::shared_ptr<PythonStreamEnv> env;  // documents from Python, or null for paths
};

RunInput input_of(py::object paths, py::object next_chunk) {
  RunInput in;
  if (!next_chunk.is_none()) {
    in.env = std::make_shared<PythonStreamEnv>(std::move(next_chunk));
    in.paths = {"-"};
  } else {
    in.paths = paths.cast<std::vector<std::string>>();
  }
  return in;
}

void apply_input(const RunInput& in, ReadOptions& read) {
  read.env = in.env.get();
  read.keep_stdin = true;  // for deduplicated() and cleaned()
}

// Calls `on_problem(message)` for each bad-input problem as it is found (GIL taken).
ProblemCallback problem_callback(py::object on_problem) {
  if (on_problem.is_none()) return {};
  return [on_problem](const ReadProblem& p) {
    const py::gil_scoped_acquire gil;
    on_problem(p.message);
  };
}

class DedupRun {
 public:
  DedupRun(py::object paths, py::object next_chunk, const py::dict& kw, py::object on_problem)
      : input_(input_of(std::move(paths), std::move(next_chunk))), options_(dedup_options(kw)) {
    apply_input(input_, options_.read);
    Result<DedupResult> r = Status::Internal("not run");
    {
      const py::gil_scoped_release nogil;
      r = dedup(input_.paths, options_, problem_callback(std::move(on_problem)));
    }
    if (input_.env) input_.env->rethrow();
    if (!r.ok()) raise(r.status());
    result_ = std::move(*r);
  }
  py::bytes clusters() {
    return written([&](OutputStream& out) { return write_clusters(result_, out); });
  }
  py::bytes pairs() {
    return written([&](OutputStream& out) { return write_pairs(result_, out); });
  }
  py::bytes removed() {
    return written([&](OutputStream& out) { return write_removed(result_, out); });
  }
  py::bytes stats() {
    return written([&](OutputStream& out) { return write_stats(result_, options_, out); });
  }
  std::unique_ptr<ChunkStream> deduplicated() {
    return std::make_unique<ChunkStream>(
        [this](OutputStream& out) { return write_deduplicated_corpus(result_, out); });
  }

 private:
  RunInput input_;
  DedupOptions options_;
  DedupResult result_;
};

class ReuseRun {
 public:
  ReuseRun(py::object paths, py::object next_chunk, const py::dict& kw, py::object on_problem)
      : input_(input_of(std::move(paths), std::move(next_chunk))), options_(reuse_options(kw)) {
    apply_input(input_, options_.read);
    Result<ReuseResult> r = Status::Internal("not run");
    {
      const py::gil_scoped_release nogil;
      r = reuse(input_.paths, options_, problem_callback(std::move(on_problem)));
    }
    if (input_.env) input_.env->rethrow();
    if (!r.ok()) raise(r.status());
    result_ = std::move(*r);
  }
  py::bytes pairs() {
    return written([&](OutputStream& out) { return write_passage_pairs(result_, out); });
  }
  py::bytes clusters() {
    return written([&](OutputStream& out) { return write_passage_clusters(result_, out); });
  }
  py::bytes documents() {
    return written([&](OutputStream& out) { return write_reuse_documents(result_, out); });
  }
  py::bytes stats() {
    return written([&](OutputStream& out) { return write_reuse_stats(result_, options_, out); });
  }
  std::unique_ptr<ChunkStream> cleaned() {
    return std::make_unique<ChunkStream>(
        [this](OutputStream& out) { return write_cleaned_corpus(result_, options_, out); });
  }

 private:
  RunInput input_;
  ReuseOptions options_;
  ReuseResult result_;
};

}  // namespace

void bind_jobs(py::module_& m, py::object bad_input_error, py::object no_documents_error) {
  exceptions().bad_input = bad_input_error.release().ptr();
  exceptions().no_documents = no_documents_error.release().ptr();
  py::class_<ChunkStream>(m, "ChunkStream").def("next", &ChunkStream::next);
  py::class_<DedupRun>(m, "DedupRun")
      .def(py::init<py::object, py::object, const py::dict&, py::object>(), py::arg("paths"),
           py::arg("next_chunk"), py::arg("options"), py::arg("on_problem"))
      .def("clusters", &DedupRun::clusters)
      .def("pairs", &DedupRun::pairs)
      .def("removed", &DedupRun::removed)
      .def("stats", &DedupRun::stats)
      .def("deduplicated", &DedupRun::deduplicated, py::keep_alive<0, 1>());
  py::class_<ReuseRun>(m, "ReuseRun")
      .def(py::init<py::object, py::object, const py::dict&, py::object>(), py::arg("paths"),
           py::arg("next_chunk"), py::arg("options"), py::arg("on_problem"))
      .def("pairs", &ReuseRun::pairs)
      .def("clusters", &ReuseRun::clusters)
      .def("documents", &ReuseRun::documents)
      .def("stats", &ReuseRun::stats)
      .def("cleaned", &ReuseRun::cleaned, py::keep_alive<0, 1>());
}

}  // namespace doppel::python
