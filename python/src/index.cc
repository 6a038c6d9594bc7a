// doppel.Index: the persistent index (include/doppel/index.h) from Python. Each call answers in
// the JSON the command line and the service write (append_answer_json and its kin); the facade in
// python/doppel/index.py parses it, so the three front ends answer alike by construction.
//
// Documents from Python arrive as the jobs' do (common.h: JSON Lines pulled from a Python
// callable as standard input). The GIL is released while the index works and taken only to pull
// documents and to report bad input.
//
// Thread-safety: the index is safe to use from many threads (index.h); close() waits for the calls
// in flight, which hold a shared lock on the handle, and later calls raise ValueError.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "bindings.h"
#include "common.h"
#include "doppel/index.h"

namespace py = pybind11;

namespace doppel::python {
namespace {

// The matching options given as keyword arguments (by their stored names, which are the CLI's
// with underscores); every name given must match an existing index's value.
IndexOpenOptions matching_options(const py::dict& kw, IndexOptions& o) {
  IndexOpenOptions open;
  for (const auto& item : kw) open.must_match.push_back(item.first.cast<std::string>());
  near_duplicate_options(kw, o.normalize, o.shingle, o.sketch, o.lsh);
  take(kw, "seed_words", o.seed_words);
  take(kw, "min_words", o.min_words);
  take(kw, "min_similarity", o.min_similarity);
  take(kw, "band", o.band);
  take(kw, "max_unmatched", o.max_unmatched);
  take(kw, "max_gap", o.max_gap);
  take(kw, "all_pairs_docs", o.all_pairs_docs);
  take(kw, "max_candidates", o.max_candidates);
  take(kw, "winnow_window", o.winnow_window);
  take(kw, "passages", o.passages);
  return open;
}

// The library says a writer holds the lock only in its message (an IoError like any other file
// problem); Python callers want to catch it apart, so it is told apart here, in one place.
[[noreturn]] void raise_open_failure(const Status& s) {
  if (s.code() == StatusCode::kIoError &&
      s.message().find("is open for writing by") != std::string::npos) {
    raise_message(exceptions().index_locked, s.message());
  }
  raise(s);
}

// A path as Python names files: its bytes that are not UTF-8 as surrogate escapes (os.fsdecode).
py::object file_name(const std::string& path) {
  py::object name = py::reinterpret_steal<py::object>(
      PyUnicode_DecodeFSDefaultAndSize(path.data(), static_cast<Py_ssize_t>(path.size())));
  if (!name) throw py::error_already_set();
  return name;
}

class IndexHandle {
 public:
  IndexHandle(const std::string& path, const py::dict& matching, bool create, bool read_only,
              bool sync, int threads) {
    IndexOptions options;
    IndexOpenOptions open = matching_options(matching, options);
    open.create_if_missing = create && !read_only;
    open.read_only = read_only;
    open.sync = sync;
    open.threads = threads;
    Result<std::optional<IndexOptions>> stored = std::optional<IndexOptions>();
    Result<std::unique_ptr<Index>> r = Status::Internal("not run");
    {
      const py::gil_scoped_release nogil;
      if (!open.create_if_missing) stored = Index::stored_options(path);
      if (open.create_if_missing || !stored.ok() || stored->has_value()) {
        r = Index::open(path, options, open);
      }
    }
    if (!open.create_if_missing && stored.ok() && !stored->has_value()) {
      const py::object error = py::reinterpret_borrow<py::object>(PyExc_FileNotFoundError)(
          ENOENT,
          read_only ? "no doppel index there" : "no doppel index there (create=True makes one)",
          file_name(path));
      PyErr_SetObject(PyExc_FileNotFoundError, error.ptr());
      throw py::error_already_set();
    }
    if (!r.ok()) raise_open_failure(r.status());
    index_ = std::move(*r);
  }
  // NOLINTNEXTLINE(bugprone-exception-escape): GIL guards throw on misuse only
  ~IndexHandle() {
    // No call can be in flight (each holds a reference to this object); closing syncs and
    // releases the writer lock, which may take a while.
    const py::gil_scoped_release nogil;
    index_.reset();
  }
  IndexHandle(const IndexHandle&) = delete;
  IndexHandle& operator=(const IndexHandle&) = delete;

  // Answers as JSON Lines, in input order.
  py::bytes add(py::object paths, py::object next_chunk, const py::dict& kw,
                py::object on_problem) {
    return answer(true, std::move(paths), std::move(next_chunk), kw, std::move(on_problem));
  }
  py::bytes query(py::object paths, py::object next_chunk, const py::dict& kw,
                  py::object on_problem) {
    return answer(false, std::move(paths), std::move(next_chunk), kw, std::move(on_problem));
  }

  std::uint64_t remove(const std::vector<std::string>& ids) {
    return unwrap(with_index_nogil([&](Index& index) { return index.remove(ids); }));
  }

  // The record as JSON, or None when no document has that id.
  py::object get(const std::string& id) {
    const std::optional<DocumentRecord> record =
        unwrap(with_index_nogil([&](Index& index) { return index.get(id); }));
    if (!record) return py::none();
    std::string json;
    append_record_json(json, *record);
    return py::bytes(json);
  }

  py::bytes stats() {
    const IndexStats stats =
        unwrap(with_index_nogil([](Index& index) -> Result<IndexStats> { return index.stats(); }));
    std::string json;
    append_stats_json(json, stats);
    return py::bytes(json);
  }

  // What `doppel index` warns of when the index's ICU version is not this build's ("" if not).
  std::string icu_version_warning() {
    const IndexStats stats =
        unwrap(with_index_nogil([](Index& index) -> Result<IndexStats> { return index.stats(); }));
    return doppel::icu_version_warning(stats);
  }

  std::uint64_t documents() {
    return unwrap(with_index_nogil(
        [](Index& index) -> Result<std::uint64_t> { return index.stats().documents; }));
  }

  py::bytes pairs() {
    return written([&](OutputStream& out) {
      return with_index([&](Index& index) { return index.write_pairs(out); });
    });
  }
  py::bytes clusters() {
    return written([&](OutputStream& out) {
      return with_index([&](Index& index) { return index.write_clusters(out); });
    });
  }

  // Waits for the calls in flight, then closes the index (its writer lock released).
  void close() {
    if (forked_) return;
    const py::gil_scoped_release nogil;
    const std::unique_lock lock(mutex_);
    index_.reset();
  }
  // In a child process after fork(): the index is the parent's (its writer lock, its files being
  // written), and two writers would damage it. The handle lets go of it without closing it
  // (closing syncs and unlocks what the parent holds; the memory stays with the child) and every
  // later call raises. No lock is taken: the child has one thread, and a lock another thread of
  // the parent held is held for ever here.
  void forget_after_fork() {
    forked_ = true;
    (void)index_.release();  // NOLINT(bugprone-unused-return-value): left to the parent on purpose
  }
  bool closed() {
    if (forked_) return true;
    const py::gil_scoped_release nogil;
    const std::shared_lock lock(mutex_);
    return index_ == nullptr;
  }

 private:
  // Runs `f(index)` under the shared lock; the GIL must not be held (the caller released it).
  template <typename F>
  auto with_index(F f) -> decltype(f(std::declval<Index&>())) {
    if (forked_) {
      return Status::InvalidArgument(
          "the index was opened before fork(), by the parent process: open it again in this one");
    }
    const std::shared_lock lock(mutex_);
    if (!index_) return Status::InvalidArgument("the index is closed");
    return f(*index_);
  }
  // The value of a call, or its failure raised (the GIL held).
  template <typename R>
  static auto unwrap(R r) -> std::remove_cvref_t<decltype(*r)> {
    if (!r.ok()) raise(r.status());
    return std::move(*r);
  }
  // Releases the GIL while `f` runs; `f` must not touch Python objects.
  template <typename F>
  auto with_index_nogil(F f) -> decltype(f(std::declval<Index&>())) {
    const py::gil_scoped_release nogil;
    return with_index(std::move(f));
  }

  py::bytes answer(bool add, py::object paths, py::object next_chunk, const py::dict& kw,
                   py::object on_problem) {
    IndexReadOptions read;
    read_options(kw, read.read);
    if (kw.contains("batch")) {
      const auto batch = kw["batch"].cast<std::int64_t>();
      if (batch < 1) throw py::value_error("`batch` must be at least 1");
      read.batch_docs = static_cast<std::size_t>(batch);
    }
    take(kw, "all_or_nothing", read.all_or_nothing);
    bool skip_passages = !read.find_passages;
    take(kw, "skip_passages", skip_passages);
    read.find_passages = !skip_passages;
    take(kw, "require_documents", read.require_documents);
    take(kw, "progress", read.progress);
    if (const Status s = validate_options(read); !s.ok()) raise(s);
    const RunInput input = input_of(std::move(paths), std::move(next_chunk));
    read.read.env = input.env.get();
    const ProblemCallback problems = problem_callback(std::move(on_problem));
    std::string lines;
    const AnswerCallback on_answer = [&lines](const Answer& a) {
      append_answer_json(lines, a);
      lines.push_back('\n');
      return Status::Ok();
    };
    std::atomic<bool> stop{false};
    read.read.stop = &stop;
    if (input.env) input.env->stop_on(&stop);
    Result<IndexCallStats> r = Status::Internal("not run");
    const std::optional<py::error_already_set> interrupted = run_interruptibly(
        [&] {
          r = with_index([&](Index& index) {
            return add ? index.add(input.paths, read, problems, on_answer)
                       : index.query(input.paths, read, problems, on_answer);
          });
        },
        stop);
    if (interrupted) {
      // Ctrl-C: the add stopped once the batch in flight was committed. Those documents stay in
      // the index, and their answers go with the exception, so that none added goes unanswered.
      if (add) interrupted->value().attr("doppel_answers") = py::bytes(lines);
      throw *interrupted;
    }
    if (input.env) input.env->rethrow();
    if (!r.ok()) raise(r.status());
    return py::bytes(lines);
  }

  std::shared_mutex mutex_;  // shared: a call in flight; exclusive: close()
  std::unique_ptr<Index> index_;
  std::atomic<bool> forked_{false};
};

}  // namespace

void bind_index(py::module_& m, py::object index_locked_error) {
  exceptions().index_locked = index_locked_error.release().ptr();
  py::class_<IndexHandle>(m, "Index")
      .def(py::init<const std::string&, const py::dict&, bool, bool, bool, int>(), py::arg("path"),
           py::arg("matching"), py::arg("create"), py::arg("read_only"), py::arg("sync"),
           py::arg("threads"))
      .def("add", &IndexHandle::add, py::arg("paths"), py::arg("next_chunk"), py::arg("options"),
           py::arg("on_problem"))
      .def("query", &IndexHandle::query, py::arg("paths"), py::arg("next_chunk"),
           py::arg("options"), py::arg("on_problem"))
      .def("remove", &IndexHandle::remove, py::arg("ids"))
      .def("get", &IndexHandle::get, py::arg("id"))
      .def("forget_after_fork", &IndexHandle::forget_after_fork)
      .def("stats", &IndexHandle::stats)
      .def("icu_version_warning", &IndexHandle::icu_version_warning)
      .def("documents", &IndexHandle::documents)
      .def("pairs", &IndexHandle::pairs)
      .def("clusters", &IndexHandle::clusters)
      .def("close", &IndexHandle::close)
      .def("closed", &IndexHandle::closed);
}

}  // namespace doppel::python
