#include "input/batch_reader.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <string_view>

namespace doppel {
namespace {

constexpr std::size_t kBatchTarget = 2u << 20;
constexpr std::size_t kBlock = 1u << 20;
constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

bool is_blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
}

// The compressor whose magic number `bytes` start with ("zstd", "gzip"), or "".
std::string_view compressed_by(std::string_view bytes) {
  if (bytes.starts_with("\x28\xB5\x2F\xFD")) return "zstd";
  if (bytes.starts_with("\x1F\x8B")) return "gzip";
  return "";
}

// The byte order marks of the Unicode encodings other than UTF-8, the longer first (UTF-32LE's
// starts with UTF-16LE's). Such text has NUL bytes and would be called binary; a byte order mark
// says what it is without guessing (doppel reads UTF-8 only: docs/input.md).
struct WideMark {
  std::string_view bytes, encoding;
};
constexpr std::array<WideMark, 4> kWideMarks = {{
    {std::string_view("\xFF\xFE\0\0", 4), "UTF-32LE"},
    {std::string_view("\0\0\xFE\xFF", 4), "UTF-32BE"},
    {"\xFF\xFE", "UTF-16LE"},
    {"\xFE\xFF", "UTF-16BE"},
}};

// The encoding whose byte order mark `bytes` start with ("UTF-32LE", "UTF-16BE", ...), or "".
std::string_view wide_unicode_by_mark(std::string_view bytes) {
  for (const WideMark& m : kWideMarks) {
    if (bytes.starts_with(m.bytes)) return m.encoding;
  }
  return "";
}

// Whether `bytes`, fewer than 4, may be the start of a byte order mark that the next read
// completes (FF FE could still be UTF-32LE's FF FE 00 00).
bool could_begin_wide_mark(std::string_view bytes) {
  if (bytes.size() >= 4) return false;
  return std::any_of(kWideMarks.begin(), kWideMarks.end(),
                     [&](const WideMark& m) { return m.bytes.starts_with(bytes); });
}

// Why a file that starts with `head` is refused as UTF-16 or UTF-32 text (by its byte order
// mark, with the command that converts it), or "". Such text has NUL bytes and would otherwise be
// called binary, or, with none, invalid UTF-8 at its first byte. `out` names the converted file.
std::string wide_unicode_rejection(std::string_view head, std::string_view out) {
  const std::string_view encoding = wide_unicode_by_mark(head);
  if (encoding.empty()) return "";
  return fmt::format(
      "{} text (by its byte order mark), not UTF-8: convert it first, e.g. iconv -f {} -t UTF-8 "
      "FILE > {}",
      encoding, encoding.substr(0, 6), out);
}

// The file name suffix that makes doppel decompress what `tool` compressed.
std::string_view suffix_of(std::string_view tool) { return tool == "zstd" ? "zst" : "gz"; }

// Why a JSON Lines file is rejected whole from its head, or "" (see rejected_whole()).
std::string head_rejection(std::string_view head, std::uint64_t offset, const std::string& name,
                           ReadStatus& status) {
  // Compressed data under a name that does not say so (or on standard input).
  if (const std::string_view tool = compressed_by(head); offset == 0 && !tool.empty()) {
    status = ReadStatus::kBinaryFile;
    return fmt::format(
        "{}-compressed data, not JSON Lines: the whole file is rejected as one document (name the "
        "file *.jsonl.{} so that doppel decompresses it, or decompress it first: {} -dc FILE | "
        "doppel ... -)",
        tool, suffix_of(tool), tool);
  }
  if (offset == 0) {
    if (std::string why = wide_unicode_rejection(head, "NEW.jsonl"); !why.empty()) {
      status = ReadStatus::kInvalidUtf8;
      return why + "; the whole file is rejected as one document";
    }
  }
  if (const auto nul = head.find('\0'); nul != std::string_view::npos) {
    status = ReadStatus::kBinaryFile;
    return fmt::format(
        "binary file (NUL byte at offset {}); the whole file is rejected as one document (UTF-16 "
        "text must be converted to UTF-8 first)",
        offset + nul);
  }
  if (offset > 0) return "";
  // JSON that is not JSON Lines: one array of documents, or one object over many lines. Read as
  // lines, every line would be malformed; the file is rejected whole instead, saying why.
  if (head.starts_with(kByteOrderMark)) head.remove_prefix(kByteOrderMark.size());
  const std::size_t first = head.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return "";
  status = ReadStatus::kMalformedJson;
  if (head[first] == '[') {
    return fmt::format(
        "the file is one JSON array, not JSON Lines (one object per line); the whole file is "
        "rejected as one document (convert it with: jq -c '.[]' {} > FILE.jsonl)",
        name);
  }
  const std::size_t eol = head.find('\n', first);
  if (head[first] == '{' && eol != std::string_view::npos &&
      head.substr(first + 1, eol - first - 1).find_first_not_of(" \t\r") ==
          std::string_view::npos) {
    return fmt::format(
        "the file is one JSON object over many lines, not JSON Lines (one object per line); the "
        "whole file is rejected as one document (convert it with: jq -c . {} > FILE.jsonl)",
        name);
  }
  return "";
}

// Why a file read as one text document because of its name is rejected whole, or "": compressed
// data under a name that does not say so, or JSON Lines (a first line that is an object with the
// text field). Read as text, either would be one document of noise or of many documents.
std::string text_file_rejection(std::string_view bytes, const InputFile& f,
                                const ReadOptions& options, ReadStatus& status) {
  const std::string_view tool = compressed_by(bytes);
  if (compression_from_name(f.path) == Compression::kNone && !tool.empty()) {
    status = ReadStatus::kBinaryFile;
    return fmt::format(
        "{}-compressed data under a name that does not say so: the whole file is rejected as one "
        "document (name it FILE.{} for a text document or FILE.jsonl.{} for JSON Lines, so that "
        "doppel decompresses it, or decompress it first)",
        tool, suffix_of(tool), suffix_of(tool));
  }
  if (options.format != InputFormat::kAuto) return "";  // --format text: the user said so
  if (bytes.starts_with(kByteOrderMark)) bytes.remove_prefix(kByteOrderMark.size());
  const std::size_t first = bytes.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || bytes[first] != '{') return "";
  std::string_view line = bytes.substr(first, bytes.find('\n', first) - first);
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) {
    line.remove_suffix(1);
  }
  if (!line.ends_with('}')) return "";
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  std::string_view text;
  if (parser.parse(simdjson::padded_string(line)).get_object().get(object) ||
      object.at_key(options.text_field).get_string().get(text)) {
    return "";
  }
  status = ReadStatus::kMalformedJson;
  return fmt::format(
      "the file holds JSON Lines (its first line is an object with a \"{}\" field) but its name "
      "does not say so: the whole file is rejected rather than read as one text document (name "
      "it *.jsonl, *.jsonl.gz or *.jsonl.zst, or give `format` jsonl; `format` text reads it as "
      "text)",
      options.text_field);
}

}  // namespace

std::vector<FileRange> whole_files(std::size_t count) {
  std::vector<FileRange> ranges(count);
  for (std::size_t i = 0; i < count; ++i) ranges[i].file = static_cast<std::uint32_t>(i);
  return ranges;
}

namespace {

// memchr from one newline to the next: glibc's scans 32 or 64 bytes a step, and JSON Lines
// documents are long enough (a kilobyte or more) that this is about three times faster than
// std::count, which GCC 12 vectorizes 16 bytes a step with every match widened into a 64-bit
// count (the 1.72 GB 1M-document corpus, read() included: 0.25-0.37 s against 0.75-0.92 s).
// Under MPI every rank counts its range's lines before reading it.
std::uint64_t count_newlines(std::string_view bytes) {
  std::uint64_t n = 0;
  const char* p = bytes.data();
  const char* const end = p + bytes.size();
  while (p < end) {
    p = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
    if (p == nullptr) break;
    ++n;
    ++p;
  }
  return n;
}

}  // namespace

Result<std::uint64_t> count_lines(SequentialFile& file, std::uint64_t begin, std::uint64_t end) {
  if (end <= begin) return std::uint64_t{0};
  // A line starts at `begin` when begin is 0 or byte begin - 1 is a newline, and after each
  // newline at q < end - 1, unless that newline is the file's last byte: read [start, end - 1]
  // (one byte past the last newline that counts, to know whether the file goes on).
  const std::uint64_t start = begin == 0 ? 0 : begin - 1;
  DOPPEL_RETURN_IF_ERROR(file.skip(start));
  const std::uint64_t limit = end == kToTheEnd ? kToTheEnd : end - 1;  // newlines before it count
  std::vector<char> block(kBlock);
  std::uint64_t pos = start, lines = 0;
  bool any = false, last_newline = false;
  while (pos <= limit) {
    const std::uint64_t left = limit - pos;  // bytes before the limit; one more is read
    const std::size_t want = left >= block.size() ? block.size() : left + 1;
    auto n = file.read(std::span(block.data(), want));
    if (!n.ok()) return n.status();
    if (*n == 0) break;
    any = true;
    const auto counted = static_cast<std::size_t>(std::min<std::uint64_t>(*n, left));
    lines += count_newlines({block.data(), counted});
    last_newline = counted == *n && block[*n - 1] == '\n';
    pos += *n;
  }
  // The file ended inside the range: a newline that is its last byte starts no line.
  if (last_newline && pos <= limit) --lines;
  if (begin == 0 && any) ++lines;
  return lines;
}

bool rejected_whole(std::string_view head) {
  ReadStatus status = ReadStatus::kOk;
  return !head_rejection(head.substr(0, kBinarySniff), 0, "", status).empty();
}

BatchReader::BatchReader(std::span<const InputFile> files, std::vector<FileRange> ranges,
                         const ReadOptions& options, FileOpener open)
    : files_(files), ranges_(std::move(ranges)), options_(options), open_(std::move(open)) {
  for (const FileRange& r : ranges_) {
    const std::uint64_t size = files_[r.file].size;
    total_bytes_ += std::min(r.end, size) - std::min(r.begin, size);
  }
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
  while (batch.buffer.size() < kBatchTarget && batch.docs.size() < 65536 &&
         range_ < ranges_.size()) {
    if (file().format == InputFormat::kText) {
      read_text_file(batch);
    } else {
      fill_jsonl(batch);
    }
  }
  batch.buffer.append(kBatchPadding, ' ');
  // A batch with only the bytes of a range's last lines (counted when the range closes, after
  // the previous batch took its documents) still goes out: the input's size holds them.
  return !batch.docs.empty() || !batch.file_problems.empty() || range_ < ranges_.size() ||
         batch.blank_lines > 0 || batch.bytes > 0;
}

void BatchReader::close_file(Batch& batch) {
  const FileRange& r = ranges_[range_];
  const std::uint64_t size = file().size;
  done_bytes_ += std::min(r.end, size) - std::min(r.begin, size);
  // A range counts the bytes of its lines: the ranges of a file add up to the file.
  if (!r.whole()) batch.bytes += line_offset_ - range_start_;
  source_.reset();
  pending_.clear();
  line_ = 0;
  file_bytes_ = 0;
  ++range_;
}

void BatchReader::read_text_file(Batch& batch) {
  const InputFile& f = file();
  RawDoc doc;
  doc.input = input();
  doc.begin = batch.buffer.size();
  if (f.size > options_.max_doc_bytes) {
    doc.preset = ReadStatus::kTooLarge;
    doc.detail = fmt::format(
        "{} of {} bytes is larger than `max_doc_bytes` ({})",
        compression_from_name(f.path) == Compression::kNone ? "document" : "compressed file",
        f.size, options_.max_doc_bytes);
    batch.docs.push_back(std::move(doc));
    close_file(batch);
    return;
  }
  auto file = open_(input());
  if (!file.ok()) {
    doc.preset = ReadStatus::kUnreadable;
    doc.detail = file.status().message();
    // The message is located by the file's name already (DocumentPreparer).
    if (const std::string prefix = f.path + ": "; doc.detail.starts_with(prefix)) {
      doc.detail.erase(0, prefix.size());
    }
    batch.docs.push_back(std::move(doc));
    close_file(batch);
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
  } else {
    ReadStatus why = ReadStatus::kOk;
    doc.detail =
        text_file_rejection(batch.buffer.view().substr(doc.begin, doc.size), f, options_, why);
    if (!doc.detail.empty()) {
      doc.preset = why;
    } else if (doc.detail = wide_unicode_rejection(head, "NEW.txt"); !doc.detail.empty()) {
      doc.preset = ReadStatus::kInvalidUtf8;
    } else if (head.find('\0') != std::string_view::npos) {
      doc.preset = ReadStatus::kBinaryFile;
      doc.detail = fmt::format("binary file (NUL byte at offset {})", head.find('\0'));
    }
  }
  if (doc.preset != ReadStatus::kOk) {
    batch.buffer.resize(doc.begin);  // keep no bytes of a bad document
    doc.size = 0;
  }
  batch.docs.push_back(std::move(doc));
  close_file(batch);
}

void BatchReader::emit_line(Batch& batch, std::size_t begin, std::size_t end) {
  ++line_;
  if (end > begin && batch.buffer[end - 1] == '\r') --end;
  // A byte-order mark before a line is not JSON: editors on Windows write one before the first
  // line, and `cat a.jsonl b.jsonl` puts b's before a line in the middle.
  if (batch.buffer.view().substr(begin, end - begin).starts_with(kByteOrderMark)) {
    begin += kByteOrderMark.size();
  }
  const std::string_view text = batch.buffer.view().substr(begin, end - begin);
  if (is_blank(text)) {
    ++batch.blank_lines;
    return;
  }
  RawDoc doc;
  doc.input = input();
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

bool BatchReader::open_range(Batch& batch) {
  const FileRange& r = ranges_[range_];
  const InputFile& f = file();
  auto file = open_(r.file);
  if (file.ok() && r.begin > 0) {
    if (Status s = (*file)->skip(r.begin - 1); !s.ok()) file = std::move(s);
  }
  if (!file.ok()) {
    batch.file_problems.push_back(
        ReadProblem{r.file, 0, kNoDocument,
                    fmt::format("{}: cannot read the file: {}", f.name, file.status().message())});
    close_file(batch);
    return false;
  }
  source_ = open_byte_source(std::move(*file), compression_from_name(f.path));
  line_ = r.lines_before;
  line_offset_ = range_start_ = 0;
  if (r.begin == 0) return true;
  // Byte begin - 1 on: the range's first line starts after the first newline there.
  line_offset_ = r.begin - 1;
  std::vector<char> block(1u << 16);
  for (;;) {
    auto n = source_->read(block);
    if (!n.ok() || *n == 0) break;  // the range holds no line; an error shows in the next read
    const void* nl = std::memchr(block.data(), '\n', *n);
    if (nl == nullptr) {
      line_offset_ += *n;
      continue;
    }
    const auto pos = static_cast<std::size_t>(static_cast<const char*>(nl) - block.data());
    line_offset_ += pos + 1;
    pending_.assign(block.data() + pos + 1, *n - pos - 1);
    break;
  }
  range_start_ = line_offset_;
  // Only the range that starts the file looks at its head (rejected_whole()).
  file_bytes_ = std::max<std::uint64_t>(line_offset_, kBinarySniff);
  return true;
}

void BatchReader::fill_jsonl(Batch& batch) {
  if (!source_ && !open_range(batch)) return;
  const FileRange& range = ranges_[range_];
  // A range ends before its first line that starts at or after its end.
  const auto past_end = [&] { return !range.whole() && line_offset_ >= range.end; };
  if (past_end()) {
    close_file(batch);
    return;
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
  if (range.whole()) batch.bytes += got;

  if (reject_if_not_jsonl(batch, line_start, old, got)) return;
  file_bytes_ += got;

  std::size_t ls = line_start;
  const char* base = batch.buffer.data();
  const std::size_t end = batch.buffer.size();
  while (ls < end) {
    if (past_end()) {
      batch.buffer.resize(ls);
      close_file(batch);
      return;
    }
    const void* nl = std::memchr(base + ls, '\n', end - ls);
    if (nl == nullptr) break;
    const auto pos = static_cast<std::size_t>(static_cast<const char*>(nl) - base);
    emit_line(batch, ls, pos);
    line_offset_ += pos + 1 - ls;
    ls = pos + 1;
  }
  if (eof) {
    finish_jsonl_file(batch, ls, n.ok() ? std::string() : n.status().message());
    return;
  }
  // Past the limit even without a '\r' of a "\r\n" to come: too long whatever follows (the limit
  // counts a line without its line break, as emit_line() does).
  if (end - ls > options_.max_doc_bytes + 1) {
    const char last = batch.buffer[end - 1];
    batch.buffer.resize(ls);
    skip_long_line(batch, end - ls, last);
    return;
  }
  pending_.assign(batch.buffer.data() + ls, end - ls);
  batch.buffer.resize(ls);
}

void BatchReader::reject_file(Batch& batch, std::size_t line_start, ReadStatus status,
                              std::string detail) {
  batch.buffer.resize(line_start);
  RawDoc doc;
  doc.input = input();
  doc.begin = line_start;
  doc.preset = status;
  doc.detail = std::move(detail);
  batch.docs.push_back(std::move(doc));
  close_file(batch);
}

bool BatchReader::reject_if_not_jsonl(Batch& batch, std::size_t line_start, std::size_t old,
                                      std::size_t got) {
  if (file_bytes_ >= kBinarySniff) return false;
  std::size_t begin = old;
  std::uint64_t offset = file_bytes_;
  // A byte order mark split between reads (a gzip member or zstd frame of fewer than 4 bytes): a
  // read that ends within the first 4 bytes is judged with the next one, from the file's start,
  // which is still in the buffer as the unfinished first line.
  const bool deferred = offset > 0 && offset < 4 && line_ == 0 && old - line_start == offset;
  if (deferred) {
    begin = line_start;
    offset = 0;
  }
  if (got == 0) {
    // The end of the file: a head kept back in case the next read completed a mark (a whole file
    // of "\xFF\xFE" or "\0") is judged as it is.
    if (!deferred) return false;
  } else if (offset == 0 &&
             could_begin_wide_mark(batch.buffer.view().substr(begin, old + got - begin))) {
    return false;
  }
  const std::size_t sniff = std::min<std::size_t>(old + got - begin, kBinarySniff - offset);
  ReadStatus status = ReadStatus::kOk;
  std::string why =
      head_rejection(batch.buffer.view().substr(begin, sniff), offset, file().name, status);
  if (why.empty()) return false;
  reject_file(batch, line_start, status, std::move(why));
  return true;
}

void BatchReader::finish_jsonl_file(Batch& batch, std::size_t ls, const std::string& error) {
  const InputFile& f = file();
  const std::size_t end = batch.buffer.size();
  const std::uint64_t complete_lines = line_;  // before a partial last line, counted below
  if (ls < end) {
    line_offset_ += end - ls;
    if (error.empty()) {
      emit_line(batch, ls, end);  // a last line without a newline is still a line
    } else {
      ++line_;
      batch.buffer.resize(ls);
      RawDoc doc;
      doc.input = input();
      doc.line = line_;
      doc.begin = ls;
      doc.preset = ReadStatus::kTruncated;
      doc.detail = fmt::format("line cut short by the end of the stream ({})", error);
      batch.docs.push_back(std::move(doc));
    }
  }
  if (!error.empty()) {
    // Where no line came before the damage, there is nothing before it to keep.
    const std::string where = complete_lines == 0
                                  ? std::string(", before any whole line was read from it")
                                  : fmt::format(" after line {}{}", complete_lines,
                                                options_.on_error == ErrorPolicy::kFail
                                                    ? ""
                                                    : "; the documents before it are kept");
    batch.file_problems.push_back(
        ReadProblem{input(), 0, kNoDocument, fmt::format("{}: {}{}", f.name, error, where)});
  }
  close_file(batch);
}

void BatchReader::skip_long_line(Batch& batch, std::size_t already, char last) {
  // The line is already too long: drop its bytes as they come, until its newline. Its length
  // leaves out the '\r' of a "\r\n", as emit_line() does, so that the message does not depend on
  // where the reads fell.
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
    if (ranges_[range_].whole()) batch.bytes += *n;
    file_bytes_ += *n;
    const void* nl = std::memchr(block.data(), '\n', *n);
    if (nl == nullptr) {
      skipped += *n;
      last = block[*n - 1];
      continue;
    }
    const auto pos = static_cast<std::size_t>(static_cast<const char*>(nl) - block.data());
    skipped += pos;
    if (pos > 0) last = block[pos - 1];
    pending_.assign(block.data() + pos + 1, *n - pos - 1);
    found = true;
  }
  ++line_;
  line_offset_ += skipped + (found ? 1 : 0);
  if (last == '\r' && error.empty()) --skipped;
  RawDoc doc;
  doc.input = input();
  doc.line = line_;
  doc.begin = batch.buffer.size();
  doc.preset = ReadStatus::kTooLarge;
  // "+": a damaged stream ended the line early, so it was longer still.
  doc.detail = fmt::format("line of {}{} bytes is larger than `max_doc_bytes` ({})", skipped,
                           error.empty() ? "" : "+", options_.max_doc_bytes);
  batch.docs.push_back(std::move(doc));
  if (!found) {
    // The file ended inside the line: close it here, reporting a damaged stream if any.
    // (After the complete lines: the over-long one was cut short too.)
    if (!error.empty()) {
      batch.file_problems.push_back(
          ReadProblem{input(), 0, kNoDocument,
                      fmt::format("{}: {} after line {}", file().name, error, line_ - 1)});
    }
    close_file(batch);
  }
}

}  // namespace doppel
