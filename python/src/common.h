// What the bindings of the jobs (jobs.cc) and of the index (index.cc) share: the exceptions a
// failed Status raises, documents from Python as the library's standard input, the options every
// reading call takes, and a writer's output as bytes.
#pragma once

#include <pybind11/pybind11.h>

#include <atomic>
#include <functional>
#include <initializer_list>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "doppel/corpus.h"
#include "doppel/env.h"
#include "doppel/options.h"
#include "doppel/output.h"
#include "doppel/status.h"

namespace doppel::python {

// --- errors ------------------------------------------------------------------------------------

// The package's exception classes, set once when the module is imported. Plain references, never
// released: a py::object destroyed after the interpreter has finalized would crash.
struct Exceptions {
  PyObject* bad_input = nullptr;
  PyObject* no_documents = nullptr;
  PyObject* index_locked = nullptr;
};
Exceptions& exceptions();

// Raises the Python exception of a failed Status: ValueError for bad options, the package's
// BadInputError (on_error="fail") and NoDocumentsError, OSError for files, MemoryError,
// RuntimeError for bugs.
[[noreturn]] void raise(const Status& s);
// Raises `type` with a message from the library, its bytes that are not UTF-8 as \xHH.
[[noreturn]] void raise_message(PyObject* type, const std::string& message);

// --- documents from Python ---------------------------------------------------------------------

// An Env whose standard input is a Python callable returning bytes (b"" at the end); files come
// from the file system. An exception the callable raises is kept and raised again when the job
// returns (the library sees a failed read). The library calls it without the GIL; it takes the
// GIL only to pull the next chunk.
class PythonStreamEnv final : public Env {
 public:
  explicit PythonStreamEnv(pybind11::object next_chunk) : next_chunk_(std::move(next_chunk)) {}
  ~PythonStreamEnv() override;  // NOLINT(bugprone-exception-escape): see the definition
  PythonStreamEnv(const PythonStreamEnv&) = delete;
  PythonStreamEnv& operator=(const PythonStreamEnv&) = delete;

  PathInfo stat(const std::string& path) override { return default_env().stat(path); }
  Result<std::vector<DirEntry>> list(const std::string& dir) override {
    return default_env().list(dir);
  }
  Result<std::unique_ptr<SequentialFile>> open(const std::string& path) override {
    return default_env().open(path);
  }
  Result<std::unique_ptr<SequentialFile>> open_stdin() override;
  std::string stdin_name() const override { return "<documents>"; }

  // Raises what the callable raised, if anything.
  void rethrow();
  // Once `*stop` is set, the callable is not called again: the input ends there, so that a call
  // stopped by Ctrl-C does not wait for a slow iterable to fill the batch being read.
  void stop_on(const std::atomic<bool>* stop) { stop_ = stop; }

 private:
  class Stream;
  // The next chunk; false at the end or on an exception (kept).
  bool pull(std::string& chunk);

  pybind11::object next_chunk_;
  std::optional<pybind11::error_already_set> error_;
  const std::atomic<bool>* stop_ = nullptr;
};

// Where a call's documents come from: paths, or documents from Python as standard input ("-").
struct RunInput {
  std::vector<std::string> paths;
  std::shared_ptr<PythonStreamEnv> env;  // documents from Python, or null for paths
};
// `next_chunk` not None: documents from Python; else `paths`, a list of paths.
RunInput input_of(pybind11::object paths, pybind11::object next_chunk);

// Calls `on_problem(message)` for each bad-input problem as it is found (GIL taken).
ProblemCallback problem_callback(pybind11::object on_problem);

// --- Ctrl-C ------------------------------------------------------------------------------------

// Runs `work` (which must not touch Python objects, but may take the GIL itself) on a thread of
// its own while this thread, the GIL released between looks, runs Python's signal handlers every
// 50 ms: the library works with the GIL released, and Python runs handlers only on the main
// thread when it holds the GIL, so Ctrl-C would wait for the end of the call. The first exception
// a handler raises (KeyboardInterrupt) sets `stop` (ReadOptions::stop: the call ends soon) and is
// returned once `work` has returned; an exception `work` throws is thrown again. On another
// thread than the main one, where Python runs no handler, `work` just runs, the GIL released.
std::optional<pybind11::error_already_set> run_interruptibly(const std::function<void()>& work,
                                                             std::atomic<bool>& stop);

// --- options from keyword arguments ------------------------------------------------------------

template <typename T>
void take(const pybind11::dict& kw, const char* name, T& field) {
  if (!kw.contains(name)) return;
  try {
    // True is an int to pybind11 (1): a number option given a bool is a mistake, not 1.
    if constexpr (!std::is_same_v<T, bool>) {
      if (PyBool_Check(kw[name].ptr())) throw pybind11::cast_error();
    }
    field = kw[name].cast<T>();
  } catch (const pybind11::cast_error&) {
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      // An int that the field cannot hold (-1 for an unsigned one, 2**64): a wrong value.
      if (PyLong_Check(kw[name].ptr()) && !PyBool_Check(kw[name].ptr())) {
        throw pybind11::value_error(
            "`" + std::string(name) + "`: " + pybind11::str(kw[name]).cast<std::string>() +
            " is out of range (" + std::to_string(std::numeric_limits<T>::min()) + " to " +
            std::to_string(std::numeric_limits<T>::max()) + ")");
      }
    }
    // pybind11 would raise RuntimeError; a value of the wrong type is the caller's TypeError.
    throw pybind11::type_error(
        "`" + std::string(name) + "`: a value of the wrong type (" +
        pybind11::str(kw[name].get_type().attr("__name__")).cast<std::string>() + ")");
  }
}

// kw[name], a string option: another type is the caller's TypeError (pybind11 would raise
// RuntimeError).
inline std::string string_option(const pybind11::dict& kw, const char* name) {
  const pybind11::object value = kw[name];
  if (!pybind11::isinstance<pybind11::str>(value)) {
    throw pybind11::type_error(
        "`" + std::string(name) + "` must be a str, not " +
        pybind11::str(value.get_type().attr("__name__")).cast<std::string>());
  }
  return value.cast<std::string>();
}

template <typename E>
void take_choice(const pybind11::dict& kw, const char* name, E& field,
                 std::initializer_list<std::pair<const char*, E>> names) {
  if (!kw.contains(name)) return;
  const std::string given = string_option(kw, name);
  std::string list;
  for (const auto& [n, v] : names) {
    if (given == n) {
      field = v;
      return;
    }
    list += (list.empty() ? "" : ", ") + std::string(n);
  }
  throw pybind11::value_error("`" + std::string(name) + "`: '" + given + "' is not one of " + list);
}

// `normalize`: "nfkc,case,punct,space", any of them, or "none".
NormalizeOptions normalize_from(const std::string& spec);
// format, id_field, text_field, date_field, max_doc_bytes and on_error.
// The near-duplicate matching options by the CLI's names (normalize, shingle, ngram, threshold,
// hashes, bands, rows, seed): shared by doppel.dedup and doppel.Index.
void near_duplicate_options(const pybind11::dict& kw, NormalizeOptions& normalize,
                            ShingleOptions& shingle, SketchOptions& sketch, LshOptions& lsh);
void read_options(const pybind11::dict& kw, ReadOptions& read);

// --- outputs -----------------------------------------------------------------------------------

// What a writer writes, as bytes; the writer runs without the GIL.
template <typename Write>
pybind11::bytes written(Write write) {
  StringOutput out;
  Status s;
  {
    const pybind11::gil_scoped_release nogil;
    s = write(out);
  }
  if (!s.ok()) raise(s);
  return pybind11::bytes(out.data());
}

}  // namespace doppel::python
