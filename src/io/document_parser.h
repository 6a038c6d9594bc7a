// From a raw document (a JSON line or a text file) to its id, date, byline and text, or to the
// reason it is bad input. Thread-safety: one DocumentParser per thread; its results point into
// the Batch and into the parser, valid until the next parse().
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "doppel/dedup.h"
#include "doppel/options.h"
#include "io/input.h"

namespace doppel {

struct ParsedDoc {
  DocStatus status = DocStatus::kKept;  // kKept: parsed; otherwise the bad-input reason
  std::string id;
  std::string date;    // "" when none
  std::string byline;  // "" when none
  std::string_view text;
  std::uint64_t text_offset = 0;  // byte offset of `text` in the source (text files: after header)
  bool synthesized_id = false;    // a JSON object without an id: named "file:line"
  bool id_from_input = false;     // the id was read from the input (a JSON id, a file path), not
                                  // made up from the location of unreadable input
  std::string message;            // why it is bad input
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
  void parse_json(std::string_view line, const RawDoc& raw, const InputFile& file, ParsedDoc& out);
  void parse_text(std::string_view bytes, const InputFile& file, ParsedDoc& out);

  struct Impl;
  std::unique_ptr<Impl> impl_;
  const ReadOptions& options_;
};

}  // namespace doppel
