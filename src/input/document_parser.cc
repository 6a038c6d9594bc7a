#include "input/document_parser.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <iterator>

#include "corpus/dates.h"
#include "text/utf8.h"

namespace doppel {

static_assert(kBatchPadding >= simdjson::SIMDJSON_PADDING);

struct DocumentParser::Impl {
  simdjson::dom::parser parser;
};

DocumentParser::DocumentParser(const ReadOptions& options)
    : impl_(std::make_unique<Impl>()), options_(options) {}
DocumentParser::~DocumentParser() = default;

TextHeader parse_text_header(std::string_view file) {
  TextHeader h;
  const std::size_t eol = std::min(file.find('\n'), file.size());
  std::string_view line = file.substr(0, eol);
  auto trim = [](std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
  };
  line = trim(line);
  // "date" or "Date:" (any case), a date in a form doppel reads (corpus/dates.h: "2021-10-19",
  // "2021-10-19T08:00Z", "Tue, 19 Oct 2021 08:00:00 +0000", ...), then optionally "By" and a
  // byline. Any other first line, one that starts with "date" too, is text.
  if (line.size() < 5) return h;
  for (std::size_t k = 0; k < 4; ++k) {
    if (std::tolower(static_cast<unsigned char>(line[k])) != "date"[k]) return h;
  }
  std::string_view rest = line.substr(4);
  if (!rest.empty() && rest.front() == ':') rest.remove_prefix(1);
  if (rest.empty() || !std::isspace(static_cast<unsigned char>(rest.front()))) return h;
  rest = trim(rest);
  std::string_view date = rest;
  if (const std::size_t by = rest.find(" By "); by != std::string_view::npos) {
    date = trim(rest.substr(0, by));
    h.byline = trim(rest.substr(by + 4));
  }
  if (!reads_as_date(date)) return h;
  h.found = true;
  h.date = date;
  std::size_t body = eol;
  // Skip the blank lines after the header.
  while (body < file.size() && std::isspace(static_cast<unsigned char>(file[body]))) {
    const std::size_t next_nl = file.find('\n', body);
    const std::string_view piece =
        file.substr(body, (next_nl == std::string_view::npos ? file.size() : next_nl) - body);
    if (!trim(piece).empty()) break;
    body = next_nl == std::string_view::npos ? file.size() : next_nl + 1;
  }
  h.body_offset = body;
  return h;
}

namespace {

// " (the line has \"id\", \"content\", \"title\")": what a line without the text field holds
// instead, so that a wrong `text_field` is easy to mend; `longest` gets the field with the
// longest string, the likely text (not the id or date field, which are read as such).
std::string describe_fields(simdjson::dom::object object, std::string_view id_field,
                            std::string_view date_field, std::string& longest) {
  constexpr std::size_t kMaxNames = 8;
  std::string names;
  std::size_t count = 0, longest_size = 0;
  longest.clear();
  for (const auto field : object) {
    if (count < kMaxNames) {
      names += fmt::format("{}\"{}\"", count == 0 ? "" : ", ", std::string_view(field.key));
    }
    ++count;
    std::string_view value;
    if (field.key != id_field && field.key != date_field && !field.value.get_string().get(value) &&
        value.size() > longest_size) {
      longest_size = value.size();
      longest = field.key;
    }
  }
  if (count == 0) return " (the line is an empty object)";
  if (count > kMaxNames) names += fmt::format(" and {} more", count - kMaxNames);
  return fmt::format(" (the line has {})", names);
}

}  // namespace

// A line with invalid UTF-8 (in its text, most often: a Latin-1 export, a lone surrogate from
// Python) cannot be parsed as it is; read again with each invalid byte as U+FFFD, it is named by
// its own id where the id itself is valid and readable, as a line whose only fault is its date is.
void DocumentParser::name_by_own_id(std::string_view line, ParsedDoc& out) {
  const simdjson::padded_string repaired(replace_invalid_utf8(line));
  simdjson::dom::object object;
  simdjson::dom::element id;
  if (impl_->parser.parse(repaired).get_object().get(object) != simdjson::SUCCESS ||
      object.at_key(options_.id_field).get(id) != simdjson::SUCCESS) {
    return;
  }
  std::string_view text;
  if (id.get_string().get(text) == simdjson::SUCCESS) {
    if (text.empty() || text.find("\uFFFD") != std::string_view::npos) return;  // not its own
    out.id = std::string(text);
  } else if (id.is_int64()) {
    out.id = std::to_string(id.get_int64().value_unsafe());
  } else if (id.is_uint64()) {
    out.id = std::to_string(id.get_uint64().value_unsafe());
  } else {
    return;
  }
  out.id_from_input = true;
}

void DocumentParser::parse(const Batch& batch, const RawDoc& raw, const InputFile& file,
                           ParsedDoc& out) {
  out.status = ReadStatus::kOk;
  out.id.clear();
  out.date.clear();
  out.byline.clear();
  out.source = {};
  out.body_offset = 0;
  out.text_field_hint.clear();
  out.synthesized_id = false;
  out.id_from_input = file.format == InputFormat::kText;
  out.message.clear();
  if (file.format == InputFormat::kText) out.id = file.doc_id;
  if (raw.preset != ReadStatus::kOk) {
    out.status = raw.preset;
    out.message = raw.detail;
    if (out.id.empty())
      out.id = raw.line > 0 ? fmt::format("{}:{}", file.name, raw.line) : file.name;
    return;
  }
  if (file.format == InputFormat::kText) {
    parse_text(batch.doc_bytes(raw), out);
  } else {
    parse_json(batch.doc_bytes(raw), raw, file, out);
  }
}

void DocumentParser::parse_text(std::string_view bytes, ParsedDoc& out) {
  if (const std::size_t bad = find_invalid_utf8(bytes); bad != bytes.size()) {
    const auto line = 1 + std::count(bytes.begin(), bytes.begin() + static_cast<long>(bad), '\n');
    out.status = ReadStatus::kInvalidUtf8;
    out.message = fmt::format("invalid UTF-8 at byte {} (line {})", bad, line);
    return;
  }
  std::size_t start = 0;
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") start = 3;  // a byte-order mark is not text
  const TextHeader header = parse_text_header(bytes.substr(start));
  if (header.found) {
    out.date = header.date;
    out.byline = header.byline;
    start += header.body_offset;
  }
  out.source = bytes;
  out.body_offset = start;
}

void DocumentParser::parse_json(std::string_view line, const RawDoc& raw, const InputFile& file,
                                ParsedDoc& out) {
  simdjson::dom::element root;
  const auto error = impl_->parser.parse(line.data(), line.size(), false).get(root);
  // Unreadable lines are named after their location; so are objects without an id, which are
  // counted as synthesized ids.
  auto name_by_location = [&] { out.id = fmt::format("{}:{}", file.name, raw.line); };
  if (error) {
    out.status =
        error == simdjson::UTF8_ERROR ? ReadStatus::kInvalidUtf8 : ReadStatus::kMalformedJson;
    out.message =
        error == simdjson::UTF8_ERROR ? std::string("invalid UTF-8 in the line")
        // Also valid JSON the parser cannot hold: an integer beyond 64 bits, or a number beyond
        // a double's range (1e400), in any field. Say what to do.
        : error == simdjson::NUMBER_ERROR
            ? std::string(
                  "malformed JSON (a number that is not valid JSON, or an integer beyond 64 bits "
                  "or a number beyond 1.8e308, in any field: write such numbers as strings)")
            : fmt::format("malformed JSON ({})", simdjson::error_message(error));
    name_by_location();
    if (error == simdjson::UTF8_ERROR) name_by_own_id(line, out);
    return;
  }
  simdjson::dom::object object;
  if (root.get_object().get(object)) {
    out.status = ReadStatus::kMalformedJson;
    out.message = "the line is JSON but not an object";
    name_by_location();
    return;
  }
  // A field that doppel reads, given twice in the object: JSON leaves open which value counts
  // (simdjson finds the first, Python's json, jq and JavaScript keep the last), so the document
  // is bad input rather than read in a way its author's tools do not read it.
  // One pass over the keys (every line takes it).
  const std::string* fields[] = {&options_.id_field, &options_.text_field, &options_.date_field};
  int seen[std::size(fields)] = {};
  for (const auto member : object) {
    for (std::size_t f = 0; f < std::size(fields); ++f) seen[f] += member.key == *fields[f] ? 1 : 0;
  }
  for (std::size_t f = 0; f < std::size(fields); ++f) {
    if (seen[f] < 2) continue;
    out.status = ReadStatus::kMalformedJson;
    out.message = fmt::format(
        "field \"{}\" appears {} times in the object (JSON tools differ on which one counts)",
        *fields[f], seen[f]);
    name_by_location();
    return;
  }
  // The id first, so that every later message can name the document.
  simdjson::dom::element id;
  if (object.at_key(options_.id_field).get(id) || id.is_null()) {
    name_by_location();
    out.synthesized_id = true;
  } else if (id.is_string()) {
    out.id = std::string(id.get_string().value_unsafe());
    out.id_from_input = true;
  } else if (id.is_int64()) {
    out.id = std::to_string(id.get_int64().value_unsafe());
    out.id_from_input = true;
  } else if (id.is_uint64()) {
    out.id = std::to_string(id.get_uint64().value_unsafe());
    out.id_from_input = true;
  } else {
    name_by_location();
    out.status = ReadStatus::kMalformedJson;
    out.message = fmt::format("field \"{}\" must be a string or an integer", options_.id_field);
    return;
  }
  // A date is text or a number (a year, a Unix time; written out as its value); null is no date.
  // Anything else would be dropped without a word, and "earliest" decided without it: bad input, as
  // an id of the wrong type is.
  simdjson::dom::element date;
  if (!object.at_key(options_.date_field).get(date) && !date.is_null()) {
    if (date.is_string()) {
      // Without the spaces around it: dates are compared as text, and " 2021" would sort before
      // every other date (a date of spaces only, first of all). Only ASCII whitespace is taken.
      std::string_view text = date.get_string().value_unsafe();
      const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
      while (!text.empty() && space(text.front())) text.remove_prefix(1);
      while (!text.empty() && space(text.back())) text.remove_suffix(1);
      out.date = std::string(text);
    } else if (date.is_number()) {
      out.date = simdjson::minify(date);
    } else {
      out.status = ReadStatus::kMalformedJson;
      out.message =
          fmt::format("field \"{}\" must be a string, a number or null", options_.date_field);
      return;
    }
  }
  simdjson::dom::element text;
  if (object.at_key(options_.text_field).get(text)) {
    out.status = ReadStatus::kMissingText;
    out.message = fmt::format(
        "no \"{}\" field{}", options_.text_field,
        describe_fields(object, options_.id_field, options_.date_field, out.text_field_hint));
    return;
  }
  std::string_view value;
  if (text.get_string().get(value)) {
    out.status = ReadStatus::kMissingText;
    out.message = fmt::format("field \"{}\" is not a string", options_.text_field);
    return;
  }
  // simdjson has validated the line's UTF-8 and rejects escapes of lone surrogates, so `value`
  // is valid UTF-8.
  out.source = value;
}

}  // namespace doppel
