// Where a corpus's documents come from, kept with the corpus so that writers can read the
// documents again after a job (the deduplicated and cleaned corpora, the report): the expanded
// list of files, the options they are read with, and the copy of standard input.
// Thread-safety: read() from one thread at a time; each reader by one thread.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "doppel/corpus.h"
#include "doppel/env.h"
#include "doppel/options.h"
#include "doppel/status.h"
#include "input/batch_reader.h"
#include "input/input_files.h"
#include "input/stdin_spool.h"

namespace doppel {

class CorpusSource {
 public:
  // Expands the inputs (input_files.h) and, with read.keep_stdin, prepares the copies of the
  // inputs that can be read only once (standard input, named pipes). Fails on inputs that do not
  // exist or hold no file.
  static Result<std::shared_ptr<CorpusSource>> open(std::span<const std::string> inputs,
                                                    const ReadOptions& read);
  // Reads only `ranges` of `files` (already expanded): one process's share of a run that several
  // processes read (src/dist/). Documents still name files by their index in `files`.
  static Result<std::shared_ptr<CorpusSource>> open_ranges(std::vector<InputFile> files,
                                                           std::vector<FileRange> ranges,
                                                           const ReadOptions& read);

  const std::vector<InputFile>& files() const { return files_; }
  const std::vector<FileRange>& ranges() const { return ranges_; }
  const ReadOptions& read_options() const { return read_; }
  // The files as a Corpus names them.
  std::vector<InputFileInfo> file_infos() const;

  // A reader of the documents from the start. The first reading reads the inputs read once
  // (standard input, named pipes) themselves, and copies them when they are kept; later ones read
  // the copies, and fail for such inputs not kept.
  Result<std::unique_ptr<BatchReader>> read() const;
  // Whether read() can be called again after the first reading: no input is read once, or
  // those are kept (ReadOptions::keep_stdin).
  bool can_read_again() const { return !reads_once() || read_.keep_stdin; }
  // Fails, naming the file, if a file read before has changed since it was first opened (its
  // size or modification time): a second reading would copy other text than was compared.
  Status unchanged() const;

 private:
  CorpusSource(std::vector<InputFile> files, std::vector<FileRange> ranges, const ReadOptions& read,
               Env& env)
      : files_(std::move(files)), ranges_(std::move(ranges)), read_(read), env_(env) {}
  Result<std::unique_ptr<SequentialFile>> open_file(std::size_t index, bool first) const;
  bool reads_once() const;

  std::vector<InputFile> files_;
  std::vector<FileRange> ranges_;
  ReadOptions read_;
  Env& env_;
  // Per file: the copy of an input read once (InputFile::read_once), when kept; else null.
  std::vector<std::shared_ptr<StdinSpool>> spools_;
  // Per file: what it was when the first reading opened it (kMissing: not opened, or read once).
  mutable std::vector<PathInfo> first_seen_;
  mutable bool read_before_ = false;  // the first reading has taken the inputs read once
};

}  // namespace doppel
