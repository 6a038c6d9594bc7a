#include "pipeline/document_table.h"

#include <fmt/format.h>
#include <xxhash.h>

#include <algorithm>
#include <thread>

#include "util/memory.h"

namespace doppel {

Status validate_read(const ReadOptions& read, int threads) {
  if (read.max_doc_bytes == 0 || read.max_doc_bytes >= (std::size_t{1} << 32)) {
    return Status::InvalidArgument("--max-doc-bytes must be in [1, 4 GiB)");
  }
  if (threads < 0) return Status::InvalidArgument("--threads must be >= 0");
  return Status::Ok();
}

int worker_threads(int requested) {
  return requested > 0 ? requested
                       : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

void start_corpus(const std::vector<InputFile>& files, int threads, DedupResult& corpus) {
  for (const auto& f : files) {
    corpus.inputs.push_back(f.name);
    corpus.input_formats.push_back(f.format);
  }
  corpus.stats.threads = threads;
}

void finish_corpus(const StageClock& clock, DedupResult& corpus) {
  corpus.stats.documents = corpus.docs.size();
  for (const auto& d : corpus.docs) ++corpus.stats.by_status[static_cast<int>(d.status)];
  corpus.stats.seconds.total = clock.since_start();
  corpus.stats.peak_rss_bytes = peak_rss_bytes();
}

std::string locate(const InputFile& file, std::uint64_t line) {
  return line > 0 ? fmt::format("{}:{}", file.name, line) : file.name;
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
  doc.text_bytes = parsed_.text.size();
  doc.message.clear();
  if (doc.status == DocStatus::kKept) {
    normalize(parsed_.text, normalize_, norm);
    if (norm.tokens.empty()) {
      doc.status = DocStatus::kEmptyText;
      parsed_.message = "no words in the text after normalization";
    }
  }
  if (doc.status != DocStatus::kKept) {
    doc.message = fmt::format("{}{}: {}", locate(file, raw.line),
                              !doc.id_from_input || file.format == InputFormat::kText
                                  ? ""
                                  : fmt::format(" (id \"{}\")", doc.id),
                              parsed_.message);
    return false;
  }
  return true;
}

std::uint32_t IdIndex::find_or_add(const DedupResult& r, std::uint32_t doc) {
  if ((count_ + 1) * 2 > slots_.size()) grow(r);
  const std::string_view id = r.id(doc);
  for (std::size_t i = slot_of(id);; i = (i + 1) & (slots_.size() - 1)) {
    if (slots_[i] == 0) {
      slots_[i] = doc + 1;
      ++count_;
      return kNoCluster;
    }
    if (r.id(slots_[i] - 1) == id) return slots_[i] - 1;
  }
}

std::size_t IdIndex::slot_of(std::string_view id) const {
  return XXH3_64bits(id.data(), id.size()) & (slots_.size() - 1);
}

void IdIndex::grow(const DedupResult& r) {
  std::vector<std::uint32_t> old = std::move(slots_);
  slots_.assign(std::max<std::size_t>(1024, old.size() * 2), 0);
  for (const std::uint32_t s : old) {
    if (s == 0) continue;
    std::size_t i = slot_of(r.id(s - 1));
    while (slots_[i] != 0) i = (i + 1) & (slots_.size() - 1);
    slots_[i] = s;
  }
}

void DocumentTable::add_batch(std::vector<Problem>& file_problems, std::uint64_t blank_lines,
                              std::uint64_t bytes) {
  for (Problem& p : file_problems) report(std::move(p));
  r_.stats.blank_lines += blank_lines;
  r_.stats.input_bytes += bytes;
}

Status DocumentTable::add(DocOut& d) {
  const auto index = static_cast<std::uint32_t>(r_.docs.size());
  DocumentInfo info;
  info.id_begin = r_.strings.size();
  info.id_size = static_cast<std::uint32_t>(d.id.size());
  info.date_size = static_cast<std::uint32_t>(d.date.size());
  info.input = d.input;
  info.line = d.line;
  info.text_bytes = d.text_bytes;
  info.status = d.status;
  r_.strings += d.id;
  r_.strings += d.date;
  r_.docs.push_back(info);
  r_.stats.synthesized_ids += d.synthesized_id;
  if (d.id_from_input) {
    const std::uint32_t earlier = ids_.find_or_add(r_, index);
    if (earlier != kNoCluster && d.status == DocStatus::kKept) {
      r_.docs.back().status = DocStatus::kDuplicateId;
      const auto& first = r_.docs[earlier];
      d.message = fmt::format(
          "{}: duplicate id \"{}\" (first at {}); ids must be unique, this document is skipped",
          locate(files_->at(d.input), d.line), d.id, locate(files_->at(first.input), first.line));
    }
  }
  if (is_bad_input(r_.docs.back().status)) {
    Problem p{d.input, d.line, index, std::move(d.message)};
    if (read_.on_error == ErrorPolicy::kFail) {
      return Status::CorruptInput(p.message + " (--on-error=fail)");
    }
    report(std::move(p));
  }
  return Status::Ok();
}

void DocumentTable::report(Problem p) {
  r_.problems.push_back(std::move(p));
  if (on_problem_) on_problem_(r_, r_.problems.back());
}

}  // namespace doppel
