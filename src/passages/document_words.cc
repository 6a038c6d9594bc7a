#include "passages/document_words.h"

#include <algorithm>

namespace doppel {

WordChunk* WordStore::new_chunk(std::size_t words) {
  auto chunk = std::make_unique<WordChunk>();
  const std::size_t room = std::max(words, kChunkWords);
  chunk->words.reserve(room);
  chunk->bytes.reserve(room);
  chunk->code_points.reserve(room);
  std::lock_guard lock(mutex_);
  chunks_.push_back(std::move(chunk));
  return chunks_.back().get();
}

void DocumentWords::Worker::begin(const doppel::Batch& batch, Batch& out) const {
  out.words.assign(batch.docs.size(), DocWords{});
  out.chars.assign(batch.docs.size(), 0);
}

void DocumentWords::Worker::add(std::size_t i, const PreparedDoc& doc, Batch& out) {
  // Reuse normalizes with the options of this version (NormalizeOptions' defaults for the rules
  // that only old indexes turn off).
  const PassageWordList list =
      passage_words_of(doc, NormalizeOptions{}.cjk_characters_are_words, joined_);
  const std::size_t n = list.tokens.size();
  if (chunk_ == nullptr || chunk_->words.capacity() - chunk_->words.size() < n) {
    chunk_ = store_.new_chunk(n);
  }
  DocWords& at = out.words[i];
  at.count = static_cast<std::uint32_t>(n);
  at.words = chunk_->words.data() + chunk_->words.size();
  at.bytes = chunk_->bytes.data() + chunk_->bytes.size();
  const SourceSpan* code_points = chunk_->code_points.data() + chunk_->code_points.size();
  out.chars[i] =
      append_document_words(doc, list, chunk_->words, chunk_->bytes, chunk_->code_points);
  if (out.chars[i] != doc.parsed.source.size()) at.code_points = code_points;
}

void DocumentWords::merge(Batch& out, std::size_t i, bool readable) {
  chars_.push_back(out.chars[i]);
  // Documents that became bad input at the merge (duplicate ids) keep no words.
  const DocWords& at = out.words[i];
  table_.first.push_back(at.words);
  table_.docs.push_back(table_.docs.back() + (readable ? at.count : 0));
  places_.push_back(at);
}

void DocumentWords::drop(std::span<const std::uint32_t> docs) {
  if (docs.empty()) return;
  std::size_t next = 0;
  std::uint64_t words = 0;
  for (std::uint32_t d = 0; d < table_.num_docs(); ++d) {
    std::uint64_t count = table_.docs[d + 1] - table_.docs[d];
    if (next < docs.size() && docs[next] == d) {
      count = 0;
      ++next;
    }
    table_.docs[d] = words;
    words += count;
  }
  table_.docs.back() = words;
}

}  // namespace doppel
