// From the inputs a user names to the files a run reads: directories expanded recursively in a
// fixed order, each file's format resolved, and each text file's document id.
// Pure functions over an Env.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "doppel/env.h"
#include "doppel/options.h"
#include "doppel/status.h"

namespace doppel {

struct InputFile {
  std::string path;    // to open; "-" is standard input
  std::string name;    // in messages: the path as the user gave it; Env::stdin_name() for "-"
  std::string doc_id;  // a text file's document id (see expand_inputs)
  InputFormat format = InputFormat::kText;  // resolved: kJsonl or kText
  std::uint64_t size = 0;                   // bytes on disk; 0 if unknown
  bool read_once = false;  // standard input, or a pipe or device named: it can be read only once
  bool is_stdin() const { return path == "-"; }
};

// Whether a file name says JSON Lines: .jsonl, .ndjson or .json, each also with .gz or .zst.
bool is_jsonl_name(std::string_view path);

// Expands directories recursively (regular files and links to them; hidden entries, links to
// directories and special files skipped; sorted by path) and resolves each file's format.
// A text file's id is its path relative to the deepest directory that holds every input (each
// directory given, and the directory of each file given): one directory's files are named
// relative to it, a file given alone by its name, and two directories given together keep their
// own names in front ("2023/a.txt", "2024/a.txt"), so equal relative paths stay distinct.
// A path that does not exist, a directory that cannot be listed, and inputs that hold no file
// at all are errors.
Result<std::vector<InputFile>> expand_inputs(std::span<const std::string> args, InputFormat forced,
                                             Env& env);

}  // namespace doppel
