// What reuse keeps of each document, made in the read stage (corpus/read_stage.h) on every thread
// and left where the threads wrote it: its words (an address one word: passages/passage_words.h)
// as 32-bit hashes and each word's place in the source text (bytes, and code points where they
// differ), and the source's length in code points. Thread-safety: the read stage's; read-only
// afterwards.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "corpus/read_stage.h"
#include "doppel/corpus.h"
#include "passages/passage_words.h"
#include "passages/seeds.h"
#include "text/source_offsets.h"
#include "util/huge_pages.h"

namespace doppel {

// A document's words as passages count them: those of its normalized text, with the words of
// each address joined into one (passages/passage_words.h). The spans point into the document's
// NormalizedText or into `joined` (scratch kept between calls); the normalized text is shared with
// other parts of the read stage and stays as it is.
struct PassageWordList {
  std::span<const Token> tokens;
  std::span<const std::uint64_t> hashes;
};
struct JoinedWords {
  AddressChunks chunks;
  std::vector<Token> tokens;
  std::vector<std::uint64_t> hashes;
};
// `wide_breaks`: NormalizeOptions::cjk_characters_are_words of the text's normalization (see
// find_address_chunks).
inline PassageWordList passage_words_of(const PreparedDoc& doc, bool wide_breaks,
                                        JoinedWords& joined) {
  if (!find_address_chunks(doc.parsed.body(), wide_breaks, joined.chunks)) {
    return {doc.norm.tokens, doc.norm.hashes};
  }
  join_chunk_words(doc.norm, joined.chunks, joined.tokens, joined.hashes);
  return {joined.tokens, joined.hashes};
}

// A readable document's words (`list`, from passage_words_of) as the passage stages keep them:
// appends each word's word_key() to `words` and its byte span in the source to `bytes`, and, when
// the source is not all ASCII (code points and bytes differ), each word's code point span to
// `code_points`. Returns the source's length in code points. Vec32 holds uint32_t, Spans
// SourceSpan (std::vector, HugeVector). Shared by reuse's part below and the index's
// (src/index/).
template <typename Vec32, typename Spans>
std::uint64_t append_document_words(const PreparedDoc& doc, const PassageWordList& list,
                                    Vec32& words, Spans& bytes, Spans& code_points) {
  const std::size_t n = list.tokens.size();
  for (const std::uint64_t h : list.hashes) words.push_back(word_key(h));
  const std::size_t first = bytes.size();
  word_byte_spans(list.tokens, doc.parsed.body_offset, bytes);
  const std::string_view source = doc.parsed.source;
  const std::uint64_t chars = count_code_points(source);
  if (chars != source.size()) {
    word_code_point_spans(source, std::span<const SourceSpan>(bytes.data() + first, n),
                          code_points);
  }
  return chars;
}

// Where the reading threads put documents' words: arrays reserved large and filled from the front
// (reserved room is address space only, so a chunk costs what is written into it), each
// document's words contiguous, never moved once written. A thread fills its own chunk; the
// store owns all of them. (Arrays per batch left the last, partly filled 2 MiB huge page of each
// array resident: 4 MB of Reuters' 67 MB after reading.)
struct WordChunk {
  HugeVector<std::uint32_t> words;  // word hashes
  HugeVector<SourceSpan> bytes;     // one per word
  // Code points of the words of documents that are not all ASCII (in the others they equal the
  // bytes): most corpora need none.
  HugeVector<SourceSpan> code_points;
};

class WordStore {
 public:
  // A new chunk with room for at least `words` words in each array. Thread-safe.
  WordChunk* new_chunk(std::size_t words);

 private:
  static constexpr std::size_t kChunkWords = std::size_t{4} << 20;  // 16 MiB of hashes
  std::mutex mutex_;
  std::vector<std::unique_ptr<WordChunk>> chunks_;
};

// A document's words and their places, in a WordChunk.
struct DocWords {
  const std::uint32_t* words = nullptr;
  const SourceSpan* bytes = nullptr;
  const SourceSpan* code_points = nullptr;  // null: the same as the bytes (all ASCII)
  std::uint32_t count = 0;
  // Words [begin, end) as a span of the source text.
  TextSpan span(std::uint32_t begin, std::uint32_t end) const {
    const SourceSpan* cps = code_points != nullptr ? code_points : bytes;
    return TextSpan{cps[begin].begin, cps[end - 1].end, bytes[begin].begin, bytes[end - 1].end,
                    end - begin};
  }
};

class DocumentWords {
 public:
  DocumentWords() { table_.docs.push_back(0); }

  // Every document's words (an empty range for bad input), for the seed stage.
  const WordTable& table() const { return table_; }
  const DocWords& doc(std::uint32_t d) const { return places_[d]; }
  std::span<const DocWords> places() const { return places_; }
  // Per document: code points of its source text (0 for bad input).
  std::span<const std::uint64_t> chars() const { return chars_; }
  std::vector<std::uint64_t> take_chars() { return std::move(chars_); }

  // The read stage's part (corpus/read_stage.h).
  struct Batch {
    std::vector<DocWords> words;       // per document
    std::vector<std::uint64_t> chars;  // per document: code points of the source text
  };
  class Worker {
   public:
    explicit Worker(WordStore& store) : store_(store) {}
    void begin(const doppel::Batch& batch, Batch& out) const;
    void add(std::size_t i, const PreparedDoc& doc, Batch& out);

   private:
    WordStore& store_;
    WordChunk* chunk_ = nullptr;  // this thread's, being filled
    JoinedWords joined_;          // scratch of passage_words_of
  };
  Worker make_worker() { return Worker(store_); }
  void merge(Batch& out, std::size_t i, bool readable);
  // Leaves out the words of `docs` (ascending), which became bad input after the read stage: a
  // duplicate id that the processes of a distributed run found together.
  void drop(std::span<const std::uint32_t> docs);

 private:
  WordStore store_;
  WordTable table_;
  std::vector<DocWords> places_;  // per document
  std::vector<std::uint64_t> chars_;
};

}  // namespace doppel
