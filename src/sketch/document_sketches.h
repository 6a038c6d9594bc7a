// What dedup keeps of each document, made in the read stage (corpus/read_stage.h) on every thread
// and stored in input order: its MinHash signature, the 128-bit hash of its normalized text, and,
// for exact verification, its shingle set. Documents that could not be read get an empty
// signature and hash (they take no part in any comparison). Thread-safety: the read stage's.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "corpus/read_stage.h"
#include "doppel/options.h"
#include "sketch/minhash.h"
#include "sketch/signature_store.h"
#include "text/shingle.h"
#include "verify/jaccard.h"
#include "verify/shingle_sets.h"

namespace doppel {

class DocumentSketches {
 public:
  DocumentSketches(const ShingleOptions& shingle, const SketchOptions& sketch, bool keep_sets,
                   BorrowedBins borrowed = BorrowedBins::kHashedWithBin)
      : shingle_(shingle),
        seed_(sketch.seed),
        keep_sets_(keep_sets),
        sketcher_(sketch.num_hashes, sketch.seed, borrowed),
        sigs_(sketch.num_hashes) {}

  const SignatureStore& signatures() const { return sigs_; }
  std::span<const ExactHash> hashes() const { return hashes_; }
  const ShingleSets& sets() const { return sets_; }  // with keep_sets only

  // The read stage's part (corpus/read_stage.h).
  struct Batch {
    std::vector<SigValue> sigs;       // bins per document (zeros for bad ones)
    std::vector<ExactHash> hashes;    // one per document
    std::vector<std::uint64_t> sets;  // shingle sets, concatenated (keep_sets)
    struct SetAt {
      std::size_t begin = 0, size = 0;
    };
    std::vector<SetAt> set_at;  // per document: where its set is in `sets` (empty for bad input)
  };
  class Worker {
   public:
    explicit Worker(const DocumentSketches& owner) : owner_(owner) {}
    void begin(const doppel::Batch& batch, Batch& out) const {
      const std::size_t n = batch.docs.size();
      out.sigs.assign(n * owner_.sketcher_.bins(), 0);
      out.hashes.assign(n, ExactHash{});
      out.sets.clear();
      out.set_at.assign(n, Batch::SetAt{});
    }
    void add(std::size_t i, const PreparedDoc& doc, Batch& out) {
      const auto bins = static_cast<std::size_t>(owner_.sketcher_.bins());
      out.hashes[i] = exact_hash(doc.norm);
      shingle_hashes(doc.norm, owner_.shingle_, owner_.seed_, shingles_);
      owner_.sketcher_.sketch(shingles_, std::span(out.sigs).subspan(i * bins, bins), scratch_);
      if (owner_.keep_sets_) {
        make_set(shingles_);
        out.set_at[i] = Batch::SetAt{out.sets.size(), shingles_.size()};
        out.sets.insert(out.sets.end(), shingles_.begin(), shingles_.end());
      }
    }

   private:
    const DocumentSketches& owner_;
    std::vector<std::uint64_t> shingles_;
    std::vector<std::uint32_t> scratch_;
  };
  Worker make_worker() const { return Worker(*this); }
  // Documents that became bad input after the read stage keep their sketches: the stages after it
  // compare only readable documents.
  void drop(std::span<const std::uint32_t> /*docs*/) {}
  void merge(Batch& out, std::size_t i, bool /*readable*/) {
    const auto bins = static_cast<std::size_t>(sketcher_.bins());
    sigs_.append(std::span(out.sigs).subspan(i * bins, bins));
    hashes_.push_back(out.hashes[i]);
    if (keep_sets_)
      sets_.append(std::span(out.sets).subspan(out.set_at[i].begin, out.set_at[i].size));
  }

 private:
  const ShingleOptions& shingle_;
  std::uint64_t seed_;
  bool keep_sets_;
  OphSketcher sketcher_;
  SignatureStore sigs_;
  std::vector<ExactHash> hashes_;
  ShingleSets sets_;
};

}  // namespace doppel
