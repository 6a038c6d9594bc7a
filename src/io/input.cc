#include "io/input.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

namespace doppel {
namespace fs = std::filesystem;
namespace {

constexpr std::size_t kBatchTarget = 2u << 20;
constexpr std::size_t kBlock = 1u << 20;
constexpr std::size_t kBinarySniff = 8192;  // like git and ripgrep: a NUL early on means binary

bool is_jsonl_name(const std::string& path) {
  for (const char* ext : {".jsonl", ".jsonl.gz", ".jsonl.zst", ".ndjson", ".ndjson.gz",
                          ".ndjson.zst", ".json.gz", ".json.zst"}) {
    const std::size_t n = std::strlen(ext);
    if (path.size() >= n && path.compare(path.size() - n, n, ext) == 0) return true;
  }
  return false;
}

bool is_blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
}

}  // namespace

Result<std::vector<InputFile>> expand_inputs(std::span<const std::string> args,
                                             InputFormat forced) {
  std::vector<InputFile> files;
  auto resolve = [forced](const std::string& path) {
    if (forced != InputFormat::kAuto) return forced;
    return (path == "-" || is_jsonl_name(path)) ? InputFormat::kJsonl : InputFormat::kText;
  };
  for (const std::string& arg : args) {
    if (arg == "-") {
      files.push_back(InputFile{"-", "<stdin>", "<stdin>", InputFormat::kJsonl, 0});
      continue;
    }
    std::error_code ec;
    const auto status = fs::status(arg, ec);
    if (ec || !fs::exists(status)) {
      return Status::IoError(fmt::format("{}: no such file or directory", arg));
    }
    if (fs::is_directory(status)) {
      std::vector<InputFile> found;
      fs::recursive_directory_iterator it(arg, fs::directory_options::skip_permission_denied, ec);
      if (ec) return Status::IoError(fmt::format("{}: cannot list: {}", arg, ec.message()));
      for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec) return Status::IoError(fmt::format("{}: cannot list: {}", arg, ec.message()));
        const std::string leaf = it->path().filename().string();
        if (!leaf.empty() && leaf[0] == '.') {
          if (it->is_directory()) it.disable_recursion_pending();
          continue;
        }
        if (!it->is_regular_file(ec)) continue;
        const std::string path = it->path().string();
        const std::string rel = fs::relative(it->path(), arg, ec).generic_string();
        found.push_back(InputFile{path, path, rel, resolve(path), it->file_size(ec)});
      }
      std::sort(found.begin(), found.end(),
                [](const InputFile& a, const InputFile& b) { return a.doc_id < b.doc_id; });
      for (auto& f : found) files.push_back(std::move(f));
    } else {
      const std::string leaf = fs::path(arg).filename().string();
      files.push_back(InputFile{arg, arg, leaf, resolve(arg), fs::file_size(arg, ec)});
    }
  }
  return files;
}

BatchReader::BatchReader(std::vector<InputFile> files, const ReadOptions& options,
                         std::FILE* stdin_copy)
    : files_(std::move(files)), options_(options), stdin_copy_(stdin_copy) {
  for (const auto& f : files_) total_bytes_ += f.size;
}

BatchReader::~BatchReader() = default;

std::uint64_t BatchReader::consumed_bytes() const {
  return done_bytes_ + (source_ ? source_->consumed() : 0);
}

bool BatchReader::next(Batch& batch) {
  // Room from the start for a full batch of JSON Lines (just under the target, then a block, then
  // the padding; only a line longer than a block, or a large text file, needs more): grown by
  // doubling, the first batch of each thread copied itself twice and faulted in 7 MB instead of
  // 3, while the other threads waited for the reader.
  batch.buffer.reserve(kBatchTarget + kBlock + kBatchPadding);
  batch.buffer.clear();
  batch.docs.clear();
  batch.file_problems.clear();
  batch.blank_lines = 0;
  batch.bytes = 0;
  while (batch.buffer.size() < kBatchTarget && batch.docs.size() < 65536 && file_ < files_.size()) {
    if (files_[file_].format == InputFormat::kText) {
      read_text_file(batch);
    } else {
      fill_jsonl(batch);
    }
  }
  batch.buffer.append(kBatchPadding, ' ');
  return !batch.docs.empty() || !batch.file_problems.empty() || file_ < files_.size() ||
         batch.blank_lines > 0;
}

void BatchReader::close_file() {
  done_bytes_ += files_[file_].size;
  source_.reset();
  pending_.clear();
  line_ = 0;
  file_bytes_ = 0;
  ++file_;
}

void BatchReader::read_text_file(Batch& batch) {
  const InputFile& f = files_[file_];
  RawDoc doc;
  doc.input = static_cast<std::uint32_t>(file_);
  doc.begin = batch.buffer.size();
  if (f.size > options_.max_doc_bytes) {
    doc.preset = DocStatus::kTooLarge;
    doc.detail = fmt::format("document of {} bytes is larger than --max-doc-bytes ({})", f.size,
                             options_.max_doc_bytes);
    batch.docs.push_back(std::move(doc));
    close_file();
    return;
  }
  auto source = open_byte_source(f.path, compression_from_name(f.path));
  if (!source.ok()) {
    doc.preset = DocStatus::kUnreadable;
    doc.detail = source.status().message();
    batch.docs.push_back(std::move(doc));
    close_file();
    return;
  }
  std::string error;
  for (;;) {
    const std::size_t old = batch.buffer.size();
    batch.buffer.resize(old + kBlock);
    auto n = (*source)->read(std::span<char>(batch.buffer.data() + old, kBlock));
    batch.buffer.resize(old + (n.ok() ? *n : 0));
    if (!n.ok()) {
      error = n.status().message();
      break;
    }
    if (*n == 0) break;
    if (batch.buffer.size() - doc.begin > options_.max_doc_bytes) {
      error = fmt::format("document is larger than --max-doc-bytes ({})", options_.max_doc_bytes);
      doc.preset = DocStatus::kTooLarge;
      break;
    }
  }
  doc.size = batch.buffer.size() - doc.begin;
  batch.bytes += doc.size;
  const std::string_view head =
      batch.buffer.view().substr(doc.begin, std::min(doc.size, kBinarySniff));
  if (!error.empty()) {
    if (doc.preset == DocStatus::kKept) {
      doc.preset = error.find("truncated") != std::string::npos ? DocStatus::kTruncated
                                                                : DocStatus::kUnreadable;
    }
    doc.detail = error;
  } else if (head.find('\0') != std::string_view::npos) {
    doc.preset = DocStatus::kBinaryFile;
    doc.detail = fmt::format("binary file (NUL byte at offset {})", head.find('\0'));
  }
  if (doc.preset != DocStatus::kKept) {
    batch.buffer.resize(doc.begin);  // keep no bytes of a bad document
    doc.size = 0;
  }
  batch.docs.push_back(std::move(doc));
  close_file();
}

void BatchReader::emit_line(Batch& batch, std::size_t begin, std::size_t end) {
  ++line_;
  if (end > begin && batch.buffer[end - 1] == '\r') --end;
  const std::string_view text = batch.buffer.view().substr(begin, end - begin);
  if (is_blank(text)) {
    ++batch.blank_lines;
    return;
  }
  RawDoc doc;
  doc.input = static_cast<std::uint32_t>(file_);
  doc.line = line_;
  doc.begin = begin;
  doc.size = end - begin;
  if (doc.size > options_.max_doc_bytes) {
    doc.preset = DocStatus::kTooLarge;
    doc.detail = fmt::format("line of {} bytes is larger than --max-doc-bytes ({})", doc.size,
                             options_.max_doc_bytes);
  }
  batch.docs.push_back(std::move(doc));
}

void BatchReader::fill_jsonl(Batch& batch) {
  const InputFile& f = files_[file_];
  if (!source_) {
    auto source = open_byte_source(f.path, compression_from_name(f.path),
                                   f.path == "-" ? stdin_copy_ : nullptr);
    if (!source.ok()) {
      batch.file_problems.push_back(
          Problem{static_cast<std::uint32_t>(file_), 0, kNoDoc,
                  fmt::format("{}: cannot read the file: {}", f.name, source.status().message())});
      close_file();
      return;
    }
    source_ = std::move(*source);
  }
  const std::size_t line_start = batch.buffer.size();
  batch.buffer.append(pending_);
  pending_.clear();
  const std::size_t old = batch.buffer.size();
  batch.buffer.resize(old + kBlock);
  auto n = source_->read(std::span<char>(batch.buffer.data() + old, kBlock));
  batch.buffer.resize(old + (n.ok() ? *n : 0));
  const bool eof = !n.ok() || *n == 0;
  const std::size_t got = n.ok() ? *n : 0;
  batch.bytes += got;

  if (file_bytes_ < kBinarySniff && got > 0) {
    const std::size_t sniff = std::min<std::size_t>(got, kBinarySniff - file_bytes_);
    const std::string_view head = batch.buffer.view().substr(old, sniff);
    if (const auto nul = head.find('\0'); nul != std::string_view::npos) {
      batch.buffer.resize(line_start);
      RawDoc doc;
      doc.input = static_cast<std::uint32_t>(file_);
      doc.begin = line_start;
      doc.preset = DocStatus::kBinaryFile;
      doc.detail = fmt::format(
          "binary file (NUL byte at offset {}); the whole file is rejected as one document "
          "(UTF-16 text must be converted to UTF-8 first)",
          file_bytes_ + nul);
      batch.docs.push_back(std::move(doc));
      close_file();
      return;
    }
  }
  file_bytes_ += got;

  std::size_t ls = line_start;
  const char* base = batch.buffer.data();
  const std::size_t end = batch.buffer.size();
  while (ls < end) {
    const void* nl = std::memchr(base + ls, '\n', end - ls);
    if (nl == nullptr) break;
    const auto pos = static_cast<std::size_t>(static_cast<const char*>(nl) - base);
    emit_line(batch, ls, pos);
    ls = pos + 1;
  }
  if (eof) {
    finish_jsonl_file(batch, ls, n.ok() ? std::string() : n.status().message());
    return;
  }
  if (end - ls > options_.max_doc_bytes) {
    batch.buffer.resize(ls);
    skip_long_line(batch, end - ls);
    return;
  }
  pending_.assign(batch.buffer.data() + ls, end - ls);
  batch.buffer.resize(ls);
}

void BatchReader::finish_jsonl_file(Batch& batch, std::size_t ls, const std::string& error) {
  const InputFile& f = files_[file_];
  const std::size_t end = batch.buffer.size();
  if (ls < end) {
    if (error.empty()) {
      emit_line(batch, ls, end);  // a last line without a newline is still a line
    } else {
      ++line_;
      batch.buffer.resize(ls);
      RawDoc doc;
      doc.input = static_cast<std::uint32_t>(file_);
      doc.line = line_;
      doc.begin = ls;
      doc.preset = DocStatus::kTruncated;
      doc.detail = fmt::format("line cut short by the end of the stream ({})", error);
      batch.docs.push_back(std::move(doc));
    }
  }
  if (!error.empty()) {
    batch.file_problems.push_back(
        Problem{static_cast<std::uint32_t>(file_), 0, kNoDoc,
                fmt::format("{}: {} after line {}; the documents before it are kept", f.name, error,
                            line_)});
  }
  close_file();
}

void BatchReader::skip_long_line(Batch& batch, std::size_t already) {
  // The line is already too long: drop its bytes as they come, until its newline.
  std::uint64_t skipped = already;
  std::vector<char> block(kBlock);
  std::string error;
  bool found = false;
  while (!found) {
    auto n = source_->read(block);
    if (!n.ok()) {
      error = n.status().message();
      break;
    }
    if (*n == 0) break;
    batch.bytes += *n;
    file_bytes_ += *n;
    const void* nl = std::memchr(block.data(), '\n', *n);
    if (nl == nullptr) {
      skipped += *n;
      continue;
    }
    const auto pos = static_cast<std::size_t>(static_cast<const char*>(nl) - block.data());
    skipped += pos;
    pending_.assign(block.data() + pos + 1, *n - pos - 1);
    found = true;
  }
  ++line_;
  RawDoc doc;
  doc.input = static_cast<std::uint32_t>(file_);
  doc.line = line_;
  doc.begin = batch.buffer.size();
  doc.preset = DocStatus::kTooLarge;
  // "+": a damaged stream ended the line early, so it was longer still.
  doc.detail = fmt::format("line of {}{} bytes is larger than --max-doc-bytes ({})", skipped,
                           error.empty() ? "" : "+", options_.max_doc_bytes);
  batch.docs.push_back(std::move(doc));
  if (!found) {
    // The file ended inside the line: close it here, reporting a damaged stream if any.
    if (!error.empty()) {
      batch.file_problems.push_back(
          Problem{static_cast<std::uint32_t>(file_), 0, kNoDoc,
                  fmt::format("{}: {} after line {}", files_[file_].name, error, line_)});
    }
    close_file();
  }
}

}  // namespace doppel
