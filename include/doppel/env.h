// Where the library's input comes from: files, directories and standard input, behind one
// interface that tests and bindings can replace (leveldb's Env is the model). The library asks it
// for raw bytes only; expanding directories, decompressing, splitting JSON Lines and keeping a
// copy of standard input for a second reading are the library's own work.
//
// Thread-safety: an Env may be used from several threads at once; each SequentialFile by one
// thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "doppel/status.h"

namespace doppel {

// The bytes of one file, or of standard input, from the start, as stored (compressed or not).
class SequentialFile {
 public:
  virtual ~SequentialFile() = default;
  // Reads up to out.size() bytes; 0 means the end.
  virtual Result<std::size_t> read(std::span<char> out) = 0;
  // Skips the next `n` bytes, or to the end if fewer are left (a range of a file read by one of
  // several processes starts this way). The default reads and drops them; files that can seek
  // override it.
  virtual Status skip(std::uint64_t n);
};

enum class PathKind {
  kMissing,    // nothing there (or it cannot be looked at)
  kFile,       // a regular file, or a link to one
  kDirectory,  // a directory (a link to one is kOther inside a listing: it is not followed)
  kOther,      // a device, socket, pipe, or a link to a directory met inside a listing
};

struct PathInfo {
  PathKind kind = PathKind::kMissing;
  std::uint64_t size = 0;        // bytes of a file; 0 otherwise
  std::int64_t modified_ns = 0;  // last modification, ns since the epoch; 0 if not known
};

struct DirEntry {
  std::string name;  // the entry's name, without the directory
  PathInfo info;
};

class Env {
 public:
  virtual ~Env() = default;
  // What is at `path` (links followed).
  virtual PathInfo stat(const std::string& path) = 0;
  // The entries of a directory, in any order ("." and ".." left out).
  virtual Result<std::vector<DirEntry>> list(const std::string& dir) = 0;
  virtual Result<std::unique_ptr<SequentialFile>> open(const std::string& path) = 0;
  // Standard input. It can be read once: the library keeps its own copy when it must read the
  // documents again (ReadOptions::keep_stdin).
  virtual Result<std::unique_ptr<SequentialFile>> open_stdin() = 0;
  // What messages and outputs call standard input ("-"): "<stdin>", or what an Env that feeds
  // documents from elsewhere calls them.
  virtual std::string stdin_name() const { return "<stdin>"; }
};

// The process's file system and standard input. Stateless; the same object for every caller.
Env& default_env();

}  // namespace doppel
