#include "input/batch_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace doppel {
namespace {

constexpr std::size_t kBatchTarget = 2u << 20;
constexpr std::size_t kBlock = 1u << 20;
constexpr std::size_t kBinarySniff = 8192;  // like git and ripgrep: a NUL early on means binary

bool is_blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
}

}  // namespace

BatchReader::BatchReader(std::span<const InputFile> files, const ReadOptions& options,
                         FileOpener open)
    : files_(files), options_(options), open_(std::move(open)) {
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
    doc.preset = ReadStatus::kTooLarge;
    doc.detail = fmt::format("document of {} bytes is larger than `max_doc_bytes` ({})", f.size,
                             options_.max_doc_bytes);
    batch.docs.push_back(std::move(doc));
    close_file();
    return;
  }
  auto file = open_(file_);
  if (!file.ok()) {
    doc.preset = ReadStatus::kUnreadable;
    doc.detail = file.status().message();
    batch.docs.push_back(std::move(doc));
    close_file();
    return;
  }
  const auto source = open_byte_source(std::move(*file), compression_from_name(f.path));
  std::string error;
  for (;;) {
    const std::size_t old = batch.buffer.size();
    batch.buffer.resize(old + kBlock);
    auto n = source->read(std::span<char>(batch.buffer.data() + old, kBlock));
    batch.buffer.resize(old + (n.ok() ? *n : 0));
    if (!n.ok()) {
      error = n.status().message();
      break;
    }
    if (*n == 0) break;
    if (batch.buffer.size() - doc.begin > options_.max_doc_bytes) {
      error = fmt::format("document is larger than `max_doc_bytes` ({})", options_.max_doc_bytes);
      doc.preset = ReadStatus::kTooLarge;
      break;
    }
  }
  doc.size = batch.buffer.size() - doc.begin;
  batch.bytes += doc.size;
  const std::string_view head =
      batch.buffer.view().substr(doc.begin, std::min(doc.size, kBinarySniff));
  if (!error.empty()) {
    if (doc.preset == ReadStatus::kOk) {
      doc.preset = source->truncated() ? ReadStatus::kTruncated : ReadStatus::kUnreadable;
    }
    doc.detail = error;
  } else if (head.find('\0') != std::string_view::npos) {
    doc.preset = ReadStatus::kBinaryFile;
    doc.detail = fmt::format("binary file (NUL byte at offset {})", head.find('\0'));
  }
  if (doc.preset != ReadStatus::kOk) {
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
    doc.preset = ReadStatus::kTooLarge;
    doc.detail = fmt::format("line of {} bytes is larger than `max_doc_bytes` ({})", doc.size,
                             options_.max_doc_bytes);
  }
  batch.docs.push_back(std::move(doc));
}

void BatchReader::fill_jsonl(Batch& batch) {
  const InputFile& f = files_[file_];
  if (!source_) {
    auto file = open_(file_);
    if (!file.ok()) {
      batch.file_problems.push_back(ReadProblem{
          static_cast<std::uint32_t>(file_), 0, kNoDocument,
          fmt::format("{}: cannot read the file: {}", f.name, file.status().message())});
      close_file();
      return;
    }
    source_ = open_byte_source(std::move(*file), compression_from_name(f.path));
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

  if (reject_if_not_jsonl(batch, line_start, old, got)) return;
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

void BatchReader::reject_file(Batch& batch, std::size_t line_start, ReadStatus status,
                              std::string detail) {
  batch.buffer.resize(line_start);
  RawDoc doc;
  doc.input = static_cast<std::uint32_t>(file_);
  doc.begin = line_start;
  doc.preset = status;
  doc.detail = std::move(detail);
  batch.docs.push_back(std::move(doc));
  close_file();
}

bool BatchReader::reject_if_not_jsonl(Batch& batch, std::size_t line_start, std::size_t old,
                                      std::size_t got) {
  if (file_bytes_ >= kBinarySniff || got == 0) return false;
  const std::size_t sniff = std::min<std::size_t>(got, kBinarySniff - file_bytes_);
  const std::string_view head = batch.buffer.view().substr(old, sniff);
  if (const auto nul = head.find('\0'); nul != std::string_view::npos) {
    reject_file(
        batch, line_start, ReadStatus::kBinaryFile,
        fmt::format("binary file (NUL byte at offset {}); the whole file is rejected as one "
                    "document (UTF-16 text must be converted to UTF-8 first)",
                    file_bytes_ + nul));
    return true;
  }
  if (file_bytes_ > 0) return false;
  // JSON that is not JSON Lines: one array of documents, or one object over many lines. Read as
  // lines, every line would be malformed; the file is rejected whole instead, saying why.
  const std::size_t first = head.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return false;
  const std::string& name = files_[file_].name;
  if (head[first] == '[') {
    reject_file(batch, line_start, ReadStatus::kMalformedJson,
                fmt::format("the file is one JSON array, not JSON Lines (one object per line); "
                            "the whole file is rejected as one document (convert it with: jq -c "
                            "'.[]' {} > FILE.jsonl)",
                            name));
    return true;
  }
  const std::size_t eol = head.find('\n', first);
  if (head[first] == '{' && eol != std::string_view::npos &&
      head.substr(first + 1, eol - first - 1).find_first_not_of(" \t\r") ==
          std::string_view::npos) {
    reject_file(
        batch, line_start, ReadStatus::kMalformedJson,
        "the file is one JSON object over many lines, not JSON Lines (one object per line); "
        "the whole file is rejected as one document (convert it with: jq -c . FILE)");
    return true;
  }
  return false;
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
      doc.preset = ReadStatus::kTruncated;
      doc.detail = fmt::format("line cut short by the end of the stream ({})", error);
      batch.docs.push_back(std::move(doc));
    }
  }
  if (!error.empty()) {
    batch.file_problems.push_back(
        ReadProblem{static_cast<std::uint32_t>(file_), 0, kNoDocument,
                    fmt::format("{}: {} after line {}; the documents before it are kept", f.name,
                                error, line_)});
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
  doc.preset = ReadStatus::kTooLarge;
  // "+": a damaged stream ended the line early, so it was longer still.
  doc.detail = fmt::format("line of {}{} bytes is larger than `max_doc_bytes` ({})", skipped,
                           error.empty() ? "" : "+", options_.max_doc_bytes);
  batch.docs.push_back(std::move(doc));
  if (!found) {
    // The file ended inside the line: close it here, reporting a damaged stream if any.
    if (!error.empty()) {
      batch.file_problems.push_back(
          ReadProblem{static_cast<std::uint32_t>(file_), 0, kNoDocument,
                      fmt::format("{}: {} after line {}", files_[file_].name, error, line_)});
    }
    close_file();
  }
}

}  // namespace doppel
