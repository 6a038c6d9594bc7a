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

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bindings.h"
#include "common.h"
#include "doppel/dedup.h"
#include "doppel/env.h"
#include "doppel/output.h"
#include "doppel/reuse.h"

namespace py = pybind11;

namespace doppel::python {
namespace {

DedupOptions dedup_options(const py::dict& kw) {
  DedupOptions o;
  read_options(kw, o.read);
  near_duplicate_options(kw, o.normalize, o.shingle, o.sketch, o.lsh);
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
  read_options(kw, o.read);
  if (kw.contains("normalize")) o.normalize = normalize_from(string_option(kw, "normalize"));
  take(kw, "seed_words", o.seed_words);
  take(kw, "min_words", o.min_words);
  take(kw, "min_similarity", o.min_similarity);
  take(kw, "cluster_trigrams", o.cluster_trigrams);
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
  // NOLINTNEXTLINE(bugprone-exception-escape): GIL guards throw on misuse only
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

void apply_input(const RunInput& in, ReadOptions& read) {
  read.env = in.env.get();
  read.keep_stdin = true;  // for deduplicated() and cleaned()
}

class DedupRun {
 public:
  DedupRun(py::object paths, py::object next_chunk, const py::dict& kw, py::object on_problem)
      : input_(input_of(std::move(paths), std::move(next_chunk))), options_(dedup_options(kw)) {
    apply_input(input_, options_.read);
    options_.read.stop = &stop_;
    if (input_.env) input_.env->stop_on(&stop_);
    Result<DedupResult> r = Status::Internal("not run");
    const ProblemCallback problems = problem_callback(std::move(on_problem));
    // Ctrl-C stops the job at its next batch or stage (ReadOptions::stop), and is raised here.
    if (auto interrupted =
            run_interruptibly([&] { r = dedup(input_.paths, options_, problems); }, stop_)) {
      throw *interrupted;
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
  std::atomic<bool> stop_{false};  // options_.read.stop
  DedupOptions options_;
  DedupResult result_;
};

class ReuseRun {
 public:
  ReuseRun(py::object paths, py::object next_chunk, const py::dict& kw, py::object on_problem)
      : input_(input_of(std::move(paths), std::move(next_chunk))), options_(reuse_options(kw)) {
    apply_input(input_, options_.read);
    options_.read.stop = &stop_;
    if (input_.env) input_.env->stop_on(&stop_);
    Result<ReuseResult> r = Status::Internal("not run");
    const ProblemCallback problems = problem_callback(std::move(on_problem));
    // Ctrl-C stops the job at its next batch or stage (ReadOptions::stop), and is raised here.
    if (auto interrupted =
            run_interruptibly([&] { r = reuse(input_.paths, options_, problems); }, stop_)) {
      throw *interrupted;
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
  std::atomic<bool> stop_{false};  // options_.read.stop
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
