// From a raw document (a JSON line or a whole text file) to its id, date, byline and text, or to
// the reason it is bad input. Thread-safety: one DocumentParser per thread; its results point into
// the Batch and into the parser, valid until the next parse().
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "doppel/corpus.h"
#include "doppel/options.h"
#include "input/batch_reader.h"

namespace doppel {

struct ParsedDoc {
  ReadStatus status = ReadStatus::kOk;  // kOk: parsed; otherwise the bad-input reason
  std::string id;
  std::string date;    // "" when none
  std::string byline;  // "" when none
  // The source text, which every reported offset counts in: a JSON line's decoded text field, or
  // a whole text file as it is on disk, header line included.
  std::string_view source;
  std::size_t body_offset = 0;  // where the text to compare starts in `source` (after a header)
  bool synthesized_id = false;  // a JSON object without an id: named "file:line"
  bool id_from_input = false;   // the id was read from the input (a JSON id, a file path), not
                                // made up from the location of unreadable input
  std::string message;          // why it is bad input
  std::string text_field_hint;  // kMissingText: the line's field with the longest string, if any
  std::string_view body() const { return source.substr(body_offset); }
};

// A header line like the user's " date 2021-10-19 By Vugar Khalilov": a date, optionally a byline.
struct TextHeader {
  bool found = false;
  std::string_view date, byline;
  std::size_t body_offset = 0;  // first byte of the body: after the header and blank lines
};
TextHeader parse_text_header(std::string_view file);

class DocumentParser {
 public:
  explicit DocumentParser(const ReadOptions& options);
  ~DocumentParser();
  DocumentParser(const DocumentParser&) = delete;
  DocumentParser& operator=(const DocumentParser&) = delete;

  void parse(const Batch& batch, const RawDoc& raw, const InputFile& file, ParsedDoc& out);

 private:
  void name_by_own_id(std::string_view line, ParsedDoc& out);
  void parse_json(std::string_view line, const RawDoc& raw, const InputFile& file, ParsedDoc& out);
  void parse_text(std::string_view bytes, ParsedDoc& out);

  struct Impl;
  std::unique_ptr<Impl> impl_;
  const ReadOptions& options_;
};

}  // namespace doppel
