#include "index/features.h"

#include <algorithm>

#include "index/winnow.h"
#include "passages/document_words.h"
#include "passages/seeds.h"

namespace doppel {

LshShape lsh_shape_of(const IndexOptions& options) {
  if (options.lsh.bands > 0) return LshShape{options.lsh.bands, options.lsh.rows};
  return choose_lsh_shape(options.lsh.threshold, options.sketch.num_hashes);
}

int winnow_window_of(const IndexOptions& options) {
  return options.winnow_window > 0 ? options.winnow_window
                                   : options.min_words - options.seed_words + 1;
}

void FeatureBatch::clear() {
  docs.clear();
  sigs.clear();
  band_keys.clear();
  words.clear();
  bytes.clear();
  code_points.clear();
  fingerprints.clear();
  texts.clear();
}

void FeatureBatch::append(const FeatureBatch& from, std::size_t d, std::span<const SigValue> sig,
                          const ExactHash& exact) {
  const Doc& f = from.docs[d];
  Doc doc;
  doc.exact = exact;
  doc.chars = f.chars;
  doc.words_begin = static_cast<std::uint32_t>(words.size());
  doc.words = f.words;
  doc.fingerprints_begin = static_cast<std::uint32_t>(fingerprints.size());
  doc.fingerprints = f.fingerprints;
  sigs.insert(sigs.end(), sig.begin(), sig.end());
  const auto keys = from.keys(d);
  band_keys.insert(band_keys.end(), keys.begin(), keys.end());
  const auto w = from.words_of(d);
  words.insert(words.end(), w.begin(), w.end());
  const auto b = from.bytes_of(d);
  bytes.insert(bytes.end(), b.begin(), b.end());
  if (f.code_points_begin != kNoSpans) {
    doc.code_points_begin = static_cast<std::uint32_t>(code_points.size());
    const auto c = from.code_points_of(d);
    code_points.insert(code_points.end(), c.begin(), c.end());
  }
  const auto fp = from.fingerprints_of(d);
  fingerprints.insert(fingerprints.end(), fp.begin(), fp.end());
  if (!from.texts.empty()) {
    texts.resize(docs.size());  // earlier documents of a batch without texts: empty
    texts.emplace_back(from.text_of(d));
  }
  docs.push_back(doc);
}

IndexFeatures::IndexFeatures(const IndexOptions& options, LshShape shape, BorrowedBins borrowed,
                             Merge merge, bool keep_texts)
    : options_(options),
      shape_(shape),
      window_(winnow_window_of(options)),
      keep_texts_(keep_texts),
      sketches_(options.shingle, options.sketch, false, borrowed),
      merge_(std::move(merge)) {}

void IndexFeatures::Worker::begin(const doppel::Batch& batch, Batch& out) {
  sketch_.begin(batch, out.sketch);
  FeatureBatch& f = out.features;
  f.clear();
  f.bins = static_cast<std::size_t>(owner_.options_.sketch.num_hashes);
  f.bands = static_cast<std::size_t>(owner_.shape_.bands);
  f.docs.assign(batch.docs.size(), FeatureBatch::Doc{});
  f.band_keys.assign(batch.docs.size() * f.bands, 0);
  if (owner_.keep_texts_) f.texts.assign(batch.docs.size(), std::string());
}

void IndexFeatures::Worker::add(std::size_t i, const PreparedDoc& doc, Batch& out) {
  sketch_.add(i, doc, out.sketch);
  FeatureBatch& f = out.features;
  FeatureBatch::Doc& d = f.docs[i];
  // Signature and exact hash (dedup's part), and the signature's bucket in each band.
  d.exact = out.sketch.hashes[i];
  if (owner_.keep_texts_) f.texts[i].assign(doc.parsed.source);
  const auto sig = std::span<const SigValue>(out.sketch.sigs).subspan(i * f.bins, f.bins);
  for (std::size_t b = 0; b < f.bands; ++b) {
    f.band_keys[i * f.bands + b] = band_key(sig, static_cast<int>(b), owner_.shape_.rows);
  }
  d.words_begin = static_cast<std::uint32_t>(f.words.size());
  d.fingerprints_begin = static_cast<std::uint32_t>(f.fingerprints.size());
  if (!owner_.options_.passages) {
    d.chars = count_code_points(doc.parsed.source);
    return;
  }
  // Words and their places (reuse's part).
  const std::size_t code_points = f.code_points.size();
  d.chars = append_document_words(
      doc, passage_words_of(doc, owner_.options_.normalize.cjk_characters_are_words, joined_),
      f.words, f.bytes, f.code_points);
  d.words = static_cast<std::uint32_t>(f.words.size() - d.words_begin);
  if (f.code_points.size() != code_points) {
    d.code_points_begin = static_cast<std::uint32_t>(code_points);
  }
  // Winnowed n-grams: fingerprints and places, by fingerprint.
  const auto n = static_cast<std::size_t>(owner_.options_.seed_words);
  const std::uint32_t* w = f.words.data() + d.words_begin;
  grams_.clear();
  for (std::size_t p = 0; p + n <= d.words; ++p) grams_.push_back(ngram_key(w + p, n));
  winnow(grams_, owner_.window_, picked_, scratch_);
  d.fingerprints_begin = static_cast<std::uint32_t>(f.fingerprints.size());
  for (const std::uint32_t p : picked_) {
    f.fingerprints.push_back(Winnowed{fingerprint_of(grams_[p]), p});
  }
  std::sort(f.fingerprints.begin() + d.fingerprints_begin, f.fingerprints.end());
  d.fingerprints = static_cast<std::uint32_t>(f.fingerprints.size() - d.fingerprints_begin);
}

}  // namespace doppel
