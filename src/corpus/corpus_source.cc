#include "corpus/corpus_source.h"

#include <fmt/format.h>

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
      new CorpusSource(std::move(files), std::move(ranges), read, env));
  source->spools_.resize(source->files_.size());
  source->first_seen_.resize(source->files_.size());
  if (read.keep_stdin) {
    for (const FileRange& r : source->ranges_) {
      if (!source->files_[r.file].read_once || source->spools_[r.file]) continue;
      auto created = StdinSpool::create();
      if (!created.ok()) return created.status();
      source->spools_[r.file] = std::move(*created);
    }
  }
  return source;
}

bool CorpusSource::reads_once() const {
  return std::any_of(ranges_.begin(), ranges_.end(),
                     [&](const FileRange& r) { return files_[r.file].read_once; });
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
  if (!f.read_once) {
    if (first) first_seen_[index] = env_.stat(f.path);
    return env_.open(f.path);
  }
  const std::shared_ptr<StdinSpool>& spool = spools_[index];
  if (first) {
    auto in = f.is_stdin() ? env_.open_stdin() : env_.open(f.path);
    if (!in.ok() || !spool) return in;
    return spool->tee(std::move(*in));
  }
  if (!spool) {
    return Status::InvalidArgument(
        fmt::format("{} was not kept for a second reading (`keep_stdin`)", f.name));
  }
  return spool->open();
}

Status CorpusSource::unchanged() const {
  for (std::size_t i = 0; i < files_.size(); ++i) {
    const PathInfo& was = first_seen_[i];
    if (was.kind != PathKind::kFile) continue;
    const PathInfo now = env_.stat(files_[i].path);
    if (now.kind != was.kind || now.size != was.size || now.modified_ns != was.modified_ns) {
      return Status::IoError(fmt::format(
          "{}: the file changed while doppel ran (it is read twice: to compare, then to copy "
          "documents to the outputs); run on a copy that does not change",
          files_[i].name));
    }
  }
  return Status::Ok();
}

Result<std::unique_ptr<BatchReader>> CorpusSource::read() const {
  const bool first = !read_before_;
  if (reads_once() && !first && !read_.keep_stdin) {
    return Status::InvalidArgument(
        "standard input, or a pipe named as input, can be read only once: it was not kept for a "
        "second reading (`keep_stdin`)");
  }
  if (!first) {
    // A copy that could not be written whole fails the run here, before a reading of it would
    // miss documents (and the first reading took every document from standard input itself).
    for (const auto& spool : spools_) {
      if (spool) DOPPEL_RETURN_IF_ERROR(spool->whole());
    }
  }
  read_before_ = true;
  return std::make_unique<BatchReader>(
      files_, ranges_, read_, [this, first](std::size_t i) { return open_file(i, first); });
}

}  // namespace doppel
