#include "doppel/status.h"

namespace doppel {

std::string Status::ToString() const {
  switch (code_) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kInvalidArgument:
      return "invalid argument: " + message_;
    case StatusCode::kIoError:
      return "I/O error: " + message_;
    case StatusCode::kCorruptInput:
      return "bad input: " + message_;
    case StatusCode::kNoDocuments:
      return "no documents: " + message_;
    case StatusCode::kInternal:
      return "internal error: " + message_;
    case StatusCode::kOutOfMemory:
      return "out of memory: " + message_;
    case StatusCode::kCancelled:
      return "cancelled: " + message_;
  }
  return message_;
}

}  // namespace doppel
