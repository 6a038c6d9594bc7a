#include "corpus/document_table.h"

#include <fmt/format.h>
#include <xxhash.h>

#include <algorithm>

namespace doppel {

std::string locate(const InputFile& file, std::uint64_t line) {
  return line > 0 ? fmt::format("{}:{}", file.name, line) : file.name;
}

std::string duplicate_id_message(const InputFile& file, std::uint64_t line, std::string_view id,
                                 const InputFile& first_file, std::uint64_t first_line) {
  return fmt::format("{}: duplicate id \"{}\" (first at {}); ids must be unique",
                     locate(file, line), id, locate(first_file, first_line));
}

bool DocumentPreparer::prepare(const Batch& batch, const RawDoc& raw, const InputFile& file,
                               DocOut& doc, NormalizedText& norm) {
  parser_.parse(batch, raw, file, parsed_);
  doc.status = parsed_.status;
  doc.id = std::move(parsed_.id);
  doc.date = std::move(parsed_.date);
  doc.input = raw.input;
  doc.line = raw.line;
  doc.synthesized_id = parsed_.synthesized_id;
  doc.id_from_input = parsed_.id_from_input;
  doc.text_bytes = parsed_.body().size();
  doc.message.clear();
  doc.text_field_hint.clear();
  if (doc.status == ReadStatus::kOk) {
    normalize(parsed_.body(), normalize_, norm);
    if (norm.tokens.empty()) {
      doc.status = ReadStatus::kEmptyText;
      parsed_.message = "no words in the text after normalization";
    }
  }
  if (doc.status != ReadStatus::kOk) {
    doc.message = fmt::format("{}{}: {}", locate(file, raw.line),
                              !doc.id_from_input || file.format == InputFormat::kText
                                  ? ""
                                  : fmt::format(" (id \"{}\")", doc.id),
                              parsed_.message);
    doc.text_field_hint = std::move(parsed_.text_field_hint);
    return false;
  }
  return true;
}

std::uint32_t IdIndex::find_or_add(const Corpus& corpus, std::uint32_t doc) {
  if ((count_ + 1) * 2 > slots_.size()) grow(corpus);
  const std::string_view id = corpus.id(doc);
  for (std::size_t i = slot_of(id);; i = (i + 1) & (slots_.size() - 1)) {
    if (slots_[i] == 0) {
      slots_[i] = doc + 1;
      ++count_;
      return kNoDocument;
    }
    if (corpus.id(slots_[i] - 1) == id) return slots_[i] - 1;
  }
}

std::size_t IdIndex::slot_of(std::string_view id) const {
  return XXH3_64bits(id.data(), id.size()) & (slots_.size() - 1);
}

void IdIndex::grow(const Corpus& corpus) {
  std::vector<std::uint32_t> old = std::move(slots_);
  slots_.assign(std::max<std::size_t>(1024, old.size() * 2), 0);
  for (const std::uint32_t s : old) {
    if (s == 0) continue;
    std::size_t i = slot_of(corpus.id(s - 1));
    while (slots_[i] != 0) i = (i + 1) & (slots_.size() - 1);
    slots_[i] = s;
  }
}

Status DocumentTable::add_batch(std::vector<ReadProblem>& file_problems, std::uint64_t blank_lines,
                                std::uint64_t bytes) {
  corpus_.stats.blank_lines += blank_lines;
  corpus_.stats.input_bytes += bytes;
  for (ReadProblem& p : file_problems) {
    ++corpus_.stats.file_problems;
    // A damaged file loses the documents after the damage: under kFail that stops the run.
    if (read_.on_error == ErrorPolicy::kFail) return Status::CorruptInput(p.message);
    report(std::move(p));
  }
  return Status::Ok();
}

Status DocumentTable::add(DocOut& d) {
  const auto index = static_cast<std::uint32_t>(corpus_.docs.size());
  Document doc;
  doc.id_begin = corpus_.strings.size();
  doc.id_size = static_cast<std::uint32_t>(d.id.size());
  doc.date_size = static_cast<std::uint32_t>(d.date.size());
  doc.input = d.input;
  doc.line = d.line;
  doc.text_bytes = d.text_bytes;
  doc.status = d.status;
  corpus_.strings += d.id;
  corpus_.strings += d.date;
  corpus_.docs.push_back(doc);
  corpus_.stats.synthesized_ids += d.synthesized_id;
  if (d.status == ReadStatus::kMissingText && text_field_hint_.empty()) {
    text_field_hint_ = d.text_field_hint;
  }
  if (read_.require_ids && d.status == ReadStatus::kOk) {
    std::string why;
    const InputFile& file = files_[d.input];
    if (file.read_once && file.format == InputFormat::kText) {
      why = fmt::format(
          "a text document read from standard input or a pipe is named \"{}\" in every run; the "
          "index keeps documents by id, so give each one of its own (JSON Lines with an id, or "
          "a file)",
          d.id);
    } else if (d.synthesized_id || d.id.empty()) {
      why = fmt::format(
          "the document has {} id (field \"{}\"); the index keeps documents by id, so each "
          "needs one of its own",
          d.synthesized_id ? "no" : "an empty", read_.id_field);
    } else if (read_.max_id_bytes > 0 && d.id.size() > read_.max_id_bytes) {
      why = fmt::format(
          "the id is {} bytes long; the index takes ids of at most {} bytes, so that its "
          "service's URLs can name each",
          d.id.size(), read_.max_id_bytes);
    }
    if (!why.empty()) {
      corpus_.docs.back().status = ReadStatus::kMalformedJson;
      d.message = fmt::format("{}: {}", locate(files_[d.input], d.line), why);
    }
  }
  // Ids made up for objects without one ("FILE:LINE") are checked too: a real id may be equal.
  // Only a readable document claims its id: a bad line (empty or missing text, broken UTF-8)
  // followed by its corrected version must not make the correction a duplicate, which would lose
  // both (as a too_large one, rejected before its id is known, never did).
  const bool check_id =
      (d.id_from_input || d.synthesized_id) && corpus_.docs.back().status == ReadStatus::kOk;
  if (ids_read_ != nullptr) {
    ids_read_->push_back(check_id);
  } else if (check_id) {
    const std::uint32_t earlier = ids_.find_or_add(corpus_, index);
    if (earlier != kNoDocument) {
      corpus_.docs.back().status = ReadStatus::kDuplicateId;
      const Document& first = corpus_.docs[earlier];
      d.message =
          duplicate_id_message(files_[d.input], d.line, d.id, files_[first.input], first.line);
    }
  }
  if (corpus_.docs.back().status != ReadStatus::kOk) {
    ReadProblem p{d.input, d.line, index, std::move(d.message)};
    if (read_.on_error == ErrorPolicy::kFail) return Status::CorruptInput(p.message);
    report(std::move(p));
  }
  return Status::Ok();
}

Status DocumentTable::finish(bool require_documents) {
  ReadStats& st = corpus_.stats;
  st.documents = corpus_.docs.size();
  for (const Document& d : corpus_.docs) ++st.by_status[static_cast<int>(d.status)];
  if (!require_documents || st.ok() > 0) return Status::Ok();
  return no_documents(st, no_documents_example(corpus_, st), text_field_hint_);
}

ReadStatus top_reason(const ReadStats& st) {
  int top = 0;
  for (int k = 1; k < kReadStatusCount; ++k) {
    if (st.by_status[k] > (top == 0 ? 0 : st.by_status[top])) top = k;
  }
  return static_cast<ReadStatus>(top);
}

std::string_view problem_example(const Corpus& corpus, ReadStatus reason) {
  for (const ReadProblem& p : corpus.problems) {
    if (p.doc != kNoDocument && corpus.docs[p.doc].status == reason) return p.message;
  }
  return {};
}

std::string_view no_documents_example(const Corpus& corpus, const ReadStats& totals) {
  // No document at all: the first damaged file says why (with -q, nothing else would).
  if (totals.documents == 0) {
    return corpus.problems.empty() ? std::string_view()
                                   : std::string_view(corpus.problems.front().message);
  }
  return problem_example(corpus, top_reason(totals));
}

Status no_documents(const ReadStats& st, std::string_view example,
                    std::string_view text_field_hint) {
  if (st.documents == 0) {
    std::string why = st.file_problems > 0 ? "; every file was damaged or unreadable"
                      : st.blank_lines > 0 ? "; the JSON Lines input has only blank lines"
                                           : "; the input is empty";
    if (st.file_problems > 0 && !example.empty()) why += fmt::format("; the first: {}", example);
    return Status::NoDocuments(fmt::format("the inputs hold no document{}", why));
  }
  // The reasons, most frequent first, and the first problem of the most frequent one.
  std::vector<std::pair<std::uint64_t, int>> reasons;
  for (int k = 1; k < kReadStatusCount; ++k) {
    if (st.by_status[k] > 0) reasons.emplace_back(st.by_status[k], k);
  }
  std::stable_sort(reasons.begin(), reasons.end(),
                   [](const auto& x, const auto& y) { return x.first > y.first; });
  std::string counts;
  for (const auto& [n, k] : reasons) {
    counts += fmt::format("{}{} {}", counts.empty() ? "" : ", ", n,
                          to_string(static_cast<ReadStatus>(k)));
  }
  const auto top = static_cast<ReadStatus>(reasons.front().second);
  std::string s = fmt::format("none of the {} documents could be read ({})", st.documents, counts);
  if (!example.empty()) {
    s += fmt::format("; the first {}: {}", to_string(top), example);
  }
  if (top == ReadStatus::kMissingText) {
    s += text_field_hint.empty()
             ? "; set `text_field` to the field that holds the text"
             : fmt::format("; set `text_field` to the field that holds the text, perhaps \"{}\"",
                           text_field_hint);
  }
  return Status::NoDocuments(std::move(s));
}

void DocumentTable::report(ReadProblem p) {
  corpus_.problems.push_back(std::move(p));
  if (on_problem_) on_problem_(corpus_.problems.back());
}

}  // namespace doppel
