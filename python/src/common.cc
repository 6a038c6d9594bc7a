// What the jobs' and the index's bindings share (common.h).
#include "common.h"

#include <pybind11/stl.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <mutex>
#include <span>
#include <thread>

namespace py = pybind11;

namespace doppel::python {

Exceptions& exceptions() {
  static Exceptions e;
  return e;
}

[[noreturn]] void raise_message(PyObject* type, const std::string& message) {
  // A message can quote a path or an id that is not UTF-8 (the bytes the file system holds):
  // such bytes read as \xHH rather than the message being lost to a UnicodeDecodeError.
  py::object text = py::reinterpret_steal<py::object>(PyUnicode_DecodeUTF8(
      message.data(), static_cast<Py_ssize_t>(message.size()), "backslashreplace"));
  if (!text) throw py::error_already_set();
  PyErr_SetObject(type, text.ptr());
  throw py::error_already_set();
}

[[noreturn]] void raise(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
      raise_message(PyExc_ValueError, s.message());
    case StatusCode::kIoError:
      raise_message(PyExc_OSError, s.message());
    case StatusCode::kCorruptInput:
      raise_message(exceptions().bad_input, s.message());
    case StatusCode::kNoDocuments:
      raise_message(exceptions().no_documents, s.message());
    case StatusCode::kOutOfMemory:
      raise_message(PyExc_MemoryError, s.message());
    case StatusCode::kCancelled:
      raise_message(PyExc_KeyboardInterrupt, s.message());
    case StatusCode::kOk:
    case StatusCode::kInternal:
      break;
  }
  throw std::runtime_error(s.ToString());
}

// --- Ctrl-C ------------------------------------------------------------------------------------

std::optional<py::error_already_set> run_interruptibly(const std::function<void()>& work,
                                                       std::atomic<bool>& stop) {
  // Python runs signal handlers on its main thread only: elsewhere there is nothing to look for,
  // and a thread that takes the GIL back while the interpreter shuts down is ended there, which
  // the GIL guard's destructor cannot survive. So other threads just wait, as before.
  const py::object threading = py::module_::import("threading");
  if (!threading.attr("current_thread")().is(threading.attr("main_thread")())) {
    const py::gil_scoped_release nogil;
    work();
    return std::nullopt;
  }
  std::mutex m;
  std::condition_variable cv;
  bool done = false;
  std::exception_ptr failed;
  std::thread worker([&] {
    try {
      work();
    } catch (...) {
      failed = std::current_exception();
    }
    const std::lock_guard lock(m);
    done = true;
    cv.notify_one();
  });
  std::optional<py::error_already_set> raised;
  for (;;) {
    bool finished = false;
    {
      const py::gil_scoped_release nogil;
      std::unique_lock lock(m);
      finished = cv.wait_for(lock, std::chrono::milliseconds(50), [&] { return done; });
    }
    if (finished) break;
    if (!raised && PyErr_CheckSignals() != 0) {
      raised.emplace();  // takes the exception the handler set
      stop = true;
    }
  }
  {
    const py::gil_scoped_release nogil;
    worker.join();
  }
  if (failed) std::rethrow_exception(failed);
  return raised;
}

// --- documents from Python ---------------------------------------------------------------------

class PythonStreamEnv::Stream final : public SequentialFile {
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

// NOLINTNEXTLINE(bugprone-exception-escape): GIL guards throw on misuse only
PythonStreamEnv::~PythonStreamEnv() {
  const py::gil_scoped_acquire gil;
  next_chunk_ = py::object();
  error_.reset();
}

Result<std::unique_ptr<SequentialFile>> PythonStreamEnv::open_stdin() {
  return std::unique_ptr<SequentialFile>(new Stream(*this));
}

void PythonStreamEnv::rethrow() {
  if (error_) {
    py::error_already_set e = std::move(*error_);
    error_.reset();
    throw e;
  }
}

bool PythonStreamEnv::pull(std::string& chunk) {
  if (stop_ != nullptr && stop_->load()) return false;
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

RunInput input_of(py::object paths, py::object next_chunk) {
  RunInput in;
  if (!next_chunk.is_none()) {
    in.env = std::make_shared<PythonStreamEnv>(std::move(next_chunk));
    in.paths = {"-"};
  } else {
    in.paths = std::move(paths).cast<std::vector<std::string>>();
  }
  return in;
}

ProblemCallback problem_callback(py::object on_problem) {
  if (on_problem.is_none()) return {};
  // The library copies the callback on threads without the GIL: the copies share the callable
  // through a shared_ptr (no Python reference count touched), released with the GIL taken.
  const std::shared_ptr<py::object> held(new py::object(std::move(on_problem)), [](py::object* o) {
    const py::gil_scoped_acquire gil;
    delete o;
  });
  return [held](const ReadProblem& p) {
    const py::gil_scoped_acquire gil;
    (*held)(p.message);
  };
}

// --- options from keyword arguments ------------------------------------------------------------

NormalizeOptions normalize_from(const std::string& spec) {
  auto parsed = parse_normalize(spec);
  if (!parsed.ok()) throw py::value_error(std::string(parsed.status().message()));
  return *parsed;
}

void near_duplicate_options(const py::dict& kw, NormalizeOptions& normalize,
                            ShingleOptions& shingle, SketchOptions& sketch, LshOptions& lsh) {
  if (kw.contains("normalize")) normalize = normalize_from(string_option(kw, "normalize"));
  take_choice<ShingleKind>(kw, "shingle", shingle.kind,
                           {{"word", ShingleKind::kWords}, {"char", ShingleKind::kChars}});
  take(kw, "ngram", shingle.n);
  take(kw, "threshold", lsh.threshold);
  take(kw, "hashes", sketch.num_hashes);
  take(kw, "bands", lsh.bands);
  take(kw, "rows", lsh.rows);
  take(kw, "bucket_window", lsh.bucket_window);
  take(kw, "seed", sketch.seed);
}

void read_options(const py::dict& kw, ReadOptions& read) {
  take_choice<InputFormat>(
      kw, "format", read.format,
      {{"auto", InputFormat::kAuto}, {"jsonl", InputFormat::kJsonl}, {"text", InputFormat::kText}});
  take(kw, "id_field", read.id_field);
  take(kw, "text_field", read.text_field);
  take(kw, "date_field", read.date_field);
  take(kw, "max_doc_bytes", read.max_doc_bytes);
  take_choice<ErrorPolicy>(kw, "on_error", read.on_error,
                           {{"skip", ErrorPolicy::kSkip}, {"fail", ErrorPolicy::kFail}});
}

}  // namespace doppel::python
