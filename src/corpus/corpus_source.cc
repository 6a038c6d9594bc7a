#include "corpus/corpus_source.h"

#include <algorithm>

namespace doppel {

Result<std::shared_ptr<CorpusSource>> CorpusSource::open(std::span<const std::string> inputs,
                                                         const ReadOptions& read) {
  Env& env = read.env != nullptr ? *read.env : default_env();
  auto files = expand_inputs(inputs, read.format, env);
  if (!files.ok()) return files.status();
  std::vector<FileRange> ranges = whole_files(files->size());
  return open_ranges(std::move(*files), std::move(ranges), read);
}

Result<std::shared_ptr<CorpusSource>> CorpusSource::open_ranges(std::vector<InputFile> files,
                                                                std::vector<FileRange> ranges,
                                                                const ReadOptions& read) {
  Env& env = read.env != nullptr ? *read.env : default_env();
  std::shared_ptr<CorpusSource> source(
      new CorpusSource(std::move(files), std::move(ranges), read, env, nullptr));
  if (source->reads_stdin() && read.keep_stdin) {
    auto created = StdinSpool::create();
    if (!created.ok()) return created.status();
    source->spool_ = std::move(*created);
  }
  return source;
}

bool CorpusSource::reads_stdin() const {
  return std::any_of(ranges_.begin(), ranges_.end(),
                     [&](const FileRange& r) { return files_[r.file].is_stdin(); });
}

std::vector<InputFileInfo> CorpusSource::file_infos() const {
  std::vector<InputFileInfo> infos;
  infos.reserve(files_.size());
  for (const InputFile& f : files_) infos.push_back(InputFileInfo{f.name, f.format});
  return infos;
}

Result<std::unique_ptr<SequentialFile>> CorpusSource::open_file(std::size_t index,
                                                                bool first) const {
  const InputFile& f = files_[index];
  if (!f.is_stdin()) return env_.open(f.path);
  if (first) {
    auto in = env_.open_stdin();
    if (!in.ok() || !spool_) return in;
    return spool_->tee(std::move(*in));
  }
  if (!spool_) {
    return Status::InvalidArgument(
        "standard input was not kept for a second reading (`keep_stdin`)");
  }
  return spool_->open();
}

Result<std::unique_ptr<BatchReader>> CorpusSource::read() const {
  const bool first = !stdin_read_;
  if (reads_stdin() && !first && !spool_) {
    return Status::InvalidArgument(
        "standard input can be read only once: it was not kept for a second reading "
        "(`keep_stdin`)");
  }
  stdin_read_ = true;
  return std::make_unique<BatchReader>(
      files_, ranges_, read_, [this, first](std::size_t i) { return open_file(i, first); });
}

}  // namespace doppel
