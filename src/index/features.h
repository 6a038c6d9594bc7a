// What the index compares of each document, made in the shared read stage (corpus/read_stage.h)
// on every thread: dedup's sketch part (signature, exact hash: sketch/document_sketches.h), the
// words with their places in the source (passages/document_words.h), the LSH band keys
// (candidates/lsh.h) and the winnowed passage fingerprints (index/winnow.h). The index's merge
// takes each document in input order into a pending batch (FeatureBatch), which it commits.
// Thread-safety: the read stage's; a FeatureBatch is a plain value.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "candidates/lsh.h"
#include "corpus/read_stage.h"
#include "doppel/index.h"
#include "passages/document_words.h"
#include "sketch/document_sketches.h"
#include "text/shingle.h"
#include "text/source_offsets.h"

namespace doppel {

inline constexpr std::uint32_t kNoSpans = 0xffffffffu;

// The LSH shape in force: the options', or chosen from the threshold and the bins.
LshShape lsh_shape_of(const IndexOptions& options);
// The winnowing window in force.
int winnow_window_of(const IndexOptions& options);
// A 64-bit n-gram key as a stored passage fingerprint (its top 32 bits).
inline std::uint32_t fingerprint_of(std::uint64_t ngram_key) {
  return static_cast<std::uint32_t>(ngram_key >> 32);
}

// A winnowed n-gram of a document: its fingerprint and the word it starts at.
struct Winnowed {
  std::uint32_t fp = 0, pos = 0;
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads a defaulted <=>
  friend auto operator<=>(const Winnowed&, const Winnowed&) = default;
};

// The features of some documents in flat arrays.
struct FeatureBatch {
  struct Doc {
    ExactHash exact;
    std::uint64_t chars = 0;  // code points of the source text
    std::uint32_t words_begin = 0, words = 0;
    std::uint32_t code_points_begin = kNoSpans;  // kNoSpans: all ASCII (code points = bytes)
    std::uint32_t fingerprints_begin = 0, fingerprints = 0;
  };
  std::size_t bins = 0, bands = 0;
  std::vector<Doc> docs;
  std::vector<SigValue> sigs;            // bins per document
  std::vector<std::uint64_t> band_keys;  // bands per document
  std::vector<std::uint32_t> words;      // word_key() of each word
  std::vector<SourceSpan> bytes;         // one per word
  std::vector<SourceSpan> code_points;   // one per word of documents not all ASCII
  std::vector<Winnowed> fingerprints;    // per document: sorted by (fp, pos)
  // Each document's source text, kept only for excerpts (IndexFeatures' keep_texts); else empty.
  std::vector<std::string> texts;

  std::span<const SigValue> sig(std::size_t d) const {
    return std::span(sigs).subspan(d * bins, bins);
  }
  std::span<const std::uint64_t> keys(std::size_t d) const {
    return std::span(band_keys).subspan(d * bands, bands);
  }
  std::span<const std::uint32_t> words_of(std::size_t d) const {
    return std::span(words).subspan(docs[d].words_begin, docs[d].words);
  }
  std::span<const SourceSpan> bytes_of(std::size_t d) const {
    return std::span(bytes).subspan(docs[d].words_begin, docs[d].words);
  }
  // The code point spans of document d's words (its byte spans when it is all ASCII).
  std::span<const SourceSpan> code_points_of(std::size_t d) const {
    if (docs[d].code_points_begin == kNoSpans) return bytes_of(d);
    return std::span(code_points).subspan(docs[d].code_points_begin, docs[d].words);
  }
  // Document d's source text where texts are kept, else empty.
  std::string_view text_of(std::size_t d) const {
    return d < texts.size() ? std::string_view(texts[d]) : std::string_view();
  }
  std::span<const Winnowed> fingerprints_of(std::size_t d) const {
    return std::span(fingerprints).subspan(docs[d].fingerprints_begin, docs[d].fingerprints);
  }
  void clear();
  // Appends document `d` of `from` (whose signature and exact hash are given apart).
  void append(const FeatureBatch& from, std::size_t d, std::span<const SigValue> sig,
              const ExactHash& exact);
};

// The index's part of the read stage.
class IndexFeatures {
 public:
  struct Batch {
    DocumentSketches::Batch sketch;  // signatures and exact hashes, by the batch's documents
    FeatureBatch features;           // the rest; docs[i] for the batch's document i
  };
  // `merge(batch, i, readable)` takes document i of a batch, in input order. `shape` is the
  // index's lsh_shape_of(options), passed in: choosing it costs about 0.7 ms (some 50,000 pow()
  // calls), which a query of one document paid on every call.
  using Merge = std::function<Status(Batch&, std::size_t, bool)>;
  // `borrowed`: the index's signatures' kind (format version 1: kCopied).
  // `keep_texts`: each document's source text is kept in FeatureBatch::texts (for excerpts).
  IndexFeatures(const IndexOptions& options, LshShape shape, BorrowedBins borrowed, Merge merge,
                bool keep_texts = false);

  class Worker {
   public:
    explicit Worker(const IndexFeatures& owner)
        : owner_(owner), sketch_(owner.sketches_.make_worker()) {}
    void begin(const doppel::Batch& batch, Batch& out);
    void add(std::size_t i, const PreparedDoc& doc, Batch& out);

   private:
    const IndexFeatures& owner_;
    DocumentSketches::Worker sketch_;
    JoinedWords joined_;  // scratch of passage_words_of
    std::vector<std::uint64_t> grams_;
    std::vector<std::uint32_t> picked_, scratch_;
  };
  Worker make_worker() const { return Worker(*this); }
  Status merge(Batch& out, std::size_t i, bool readable) { return merge_(out, i, readable); }

 private:
  const IndexOptions& options_;
  LshShape shape_;
  int window_;
  bool keep_texts_;
  DocumentSketches sketches_;  // its worker only: the index keeps signatures itself
  Merge merge_;
};

}  // namespace doppel
