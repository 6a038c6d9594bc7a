// Errors as values at the library boundary: every public function that can fail returns a Status
// or a Result<T>. One place (the CLI, a binding) maps them to an exit code or an exception.
//
// Messages name options in backquotes by the name every front end shares (`threshold`,
// `max_doc_bytes`, `text_field`): the command line writes it as a flag (--max-doc-bytes), Python
// as a keyword argument. Each front end respells them in one place; the library never names a
// command-line flag.
//
// Thread-safety: plain values; safe to copy between threads.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace doppel {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // a bad option value or combination
  kIoError,          // a file could not be opened, read or written
  kCorruptInput,     // input that cannot be read on, with ErrorPolicy::kFail
  kNoDocuments,      // the inputs hold no document that could be read: nothing to compare
  kInternal,         // a broken invariant: a bug in doppel
  kOutOfMemory,      // an allocation failed
  kCancelled,        // the caller asked the call to stop (ReadOptions::stop)
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status Ok() { return {}; }
  static Status InvalidArgument(std::string message) {
    return {StatusCode::kInvalidArgument, std::move(message)};
  }
  static Status IoError(std::string message) { return {StatusCode::kIoError, std::move(message)}; }
  static Status CorruptInput(std::string message) {
    return {StatusCode::kCorruptInput, std::move(message)};
  }
  static Status NoDocuments(std::string message) {
    return {StatusCode::kNoDocuments, std::move(message)};
  }
  static Status Internal(std::string message) {
    return {StatusCode::kInternal, std::move(message)};
  }
  static Status OutOfMemory(std::string message) {
    return {StatusCode::kOutOfMemory, std::move(message)};
  }
  static Status Cancelled(std::string message) {
    return {StatusCode::kCancelled, std::move(message)};
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "invalid argument: `threshold` must be in (0, 1]"
  std::string ToString() const;

 private:
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// A value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  Result(Status status) : value_(std::move(status)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(value_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(value_);
  }
  T& value() & { return std::get<T>(value_); }
  const T& value() const& { return std::get<T>(value_); }
  T&& value() && { return std::get<T>(std::move(value_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> value_;
};

}  // namespace doppel

// Returns the Status of `expr` from the enclosing function when it is not OK.
#define DOPPEL_RETURN_IF_ERROR(expr)              \
  do {                                            \
    if (::doppel::Status s_ = (expr); !s_.ok()) { \
      return s_;                                  \
    }                                             \
  } while (0)
