// The dedup job: wires the stages together. Reading and sketching run on every thread, each
// thread taking the next batch from the reader under a lock and handing its results to an
// in-order merge; the stages after that run on the merged flat arrays.
#include "doppel/dedup.h"

#include <fmt/format.h>
#include <xxhash.h>

#include <algorithm>
#include <memory>

#include "candidates/lsh.h"
#include "cluster/clusters.h"
#include "cluster/union_find.h"
#include "io/input.h"
#include "pipeline/document_table.h"
#include "pipeline/parallel_read.h"
#include "sketch/minhash.h"
#include "sketch/signature_store.h"
#include "text/normalize.h"
#include "text/shingle.h"
#include "util/progress.h"
#include "util/radix_sort.h"
#include "util/threads.h"
#include "verify/jaccard.h"

namespace doppel {
namespace {

struct BatchOut {
  std::vector<DocOut> docs;
  std::vector<SigValue> sigs;            // num_hashes per document (zeros for bad ones)
  std::vector<ExactHash> hashes;         // one per document
  std::vector<std::uint64_t> sets;       // VerifyMode::kExact: shingle sets, concatenated
  std::vector<std::uint32_t> set_sizes;  // one per document
  std::vector<Problem> file_problems;
  std::uint64_t blank_lines = 0, bytes = 0;
};

// Per-thread state of the read-to-sketch stages; buffers are reused across documents.
class SketchWorker {
 public:
  SketchWorker(const DedupOptions& options, const std::vector<InputFile>& files,
               const OphSketcher& sketcher)
      : options_(options),
        files_(files),
        sketcher_(sketcher),
        preparer_(options.read, options.normalize) {}

  void process(const Batch& batch, BatchOut& out) {
    const auto bins = static_cast<std::size_t>(options_.sketch.num_hashes);
    out.docs.resize(batch.docs.size());
    out.sigs.assign(batch.docs.size() * bins, 0);
    out.hashes.assign(batch.docs.size(), ExactHash{});
    out.sets.clear();
    out.set_sizes.assign(batch.docs.size(), 0);
    out.file_problems = batch.file_problems;
    out.blank_lines = batch.blank_lines;
    out.bytes = batch.bytes;
    for (std::size_t i = 0; i < batch.docs.size(); ++i) {
      const RawDoc& raw = batch.docs[i];
      DocOut& doc = out.docs[i];
      if (!preparer_.prepare(batch, raw, files_[raw.input], doc, norm_)) continue;
      out.hashes[i] = exact_hash(norm_);
      shingle_hashes(norm_, options_.shingle, options_.sketch.seed, shingles_);
      sketcher_.sketch(shingles_, std::span(out.sigs).subspan(i * bins, bins), scratch_);
      if (options_.verify == VerifyMode::kExact) {
        make_set(shingles_);
        out.set_sizes[i] = static_cast<std::uint32_t>(shingles_.size());
        out.sets.insert(out.sets.end(), shingles_.begin(), shingles_.end());
      }
    }
  }

 private:
  const DedupOptions& options_;
  const std::vector<InputFile>& files_;
  const OphSketcher& sketcher_;
  DocumentPreparer preparer_;
  NormalizedText norm_;
  std::vector<std::uint64_t> shingles_;
  std::vector<std::uint32_t> scratch_;
};

// Shingle sets of every document, for VerifyMode::kExact, in chunks that never move: growing
// costs no copy of what is stored (a single vector would copy gigabytes at each doubling).
class SetStore {
 public:
  void append(std::span<const std::uint64_t> set) {
    if (set.size() > room_) {
      const std::size_t size = std::max(kChunk, set.size());
      chunks_.push_back(std::make_unique_for_overwrite<std::uint64_t[]>(size));
      next_ = chunks_.back().get();
      room_ = size;
    }
    if (!set.empty()) std::copy(set.begin(), set.end(), next_);
    sets_.emplace_back(next_, set.size());
    next_ += set.size();
    room_ -= set.size();
  }
  std::span<const std::uint64_t> operator[](std::uint32_t doc) const { return sets_[doc]; }

 private:
  static constexpr std::size_t kChunk = std::size_t{1} << 22;  // 32 MiB of hashes
  std::vector<std::unique_ptr<std::uint64_t[]>> chunks_;
  std::vector<std::span<const std::uint64_t>> sets_;
  std::uint64_t* next_ = nullptr;
  std::size_t room_ = 0;
};

// Appends each batch to the document table and the per-document arrays, in input order.
class Collector {
 public:
  Collector(DedupResult& result, SignatureStore& sigs, std::vector<ExactHash>& hashes,
            SetStore& sets, const DedupOptions& options, const ProblemCallback& on_problem)
      : table_(result, options.read, on_problem),
        sigs_(sigs),
        hashes_(hashes),
        sets_(sets),
        options_(options) {}

  // Returns a failure with ErrorPolicy::kFail.
  Status merge(BatchOut& out) {
    const auto bins = static_cast<std::size_t>(options_.sketch.num_hashes);
    table_.add_batch(out.file_problems, out.blank_lines, out.bytes);
    std::size_t set_pos = 0;
    for (std::size_t i = 0; i < out.docs.size(); ++i) {
      sigs_.append(std::span(out.sigs).subspan(i * bins, bins));
      hashes_.push_back(out.hashes[i]);
      const std::uint32_t set_size = out.set_sizes[i];
      if (options_.verify == VerifyMode::kExact) {
        sets_.append(std::span(out.sets).subspan(set_pos, set_size));
      }
      set_pos += set_size;
      if (Status s = table_.add(out.docs[i]); !s.ok()) return s;
    }
    return Status::Ok();
  }

  void set_files(const std::vector<InputFile>* files) { table_.set_files(files); }

 private:
  DocumentTable table_;
  SignatureStore& sigs_;
  std::vector<ExactHash>& hashes_;
  SetStore& sets_;
  const DedupOptions& options_;
};

}  // namespace

Status validate_options(const DedupOptions& o) {
  if (!(o.lsh.threshold > 0.0 && o.lsh.threshold <= 1.0)) {
    return Status::InvalidArgument("--threshold must be in (0, 1]");
  }
  if (o.sketch.num_hashes < 1 || o.sketch.num_hashes > 4096) {
    return Status::InvalidArgument("--hashes must be in [1, 4096]");
  }
  if (o.shingle.n < 1 || o.shingle.n > 64)
    return Status::InvalidArgument("--ngram must be in [1, 64]");
  if ((o.lsh.bands > 0) != (o.lsh.rows > 0)) {
    return Status::InvalidArgument("--bands and --rows go together: set both or neither");
  }
  if (o.lsh.bands < 0 || o.lsh.rows < 0 ||
      std::int64_t{o.lsh.bands} * o.lsh.rows > o.sketch.num_hashes) {
    return Status::InvalidArgument(
        fmt::format("--bands x --rows must be at most --hashes ({})", o.sketch.num_hashes));
  }
  return validate_read(o.read, o.threads);
}

std::string_view to_string(DocStatus status) {
  switch (status) {
    case DocStatus::kKept:
      return "kept";
    case DocStatus::kExactDuplicate:
      return "exact_duplicate";
    case DocStatus::kNearDuplicate:
      return "near_duplicate";
    case DocStatus::kMalformedJson:
      return "malformed_json";
    case DocStatus::kMissingText:
      return "missing_text";
    case DocStatus::kInvalidUtf8:
      return "invalid_utf8";
    case DocStatus::kEmptyText:
      return "empty_text";
    case DocStatus::kDuplicateId:
      return "duplicate_id";
    case DocStatus::kTooLarge:
      return "too_large";
    case DocStatus::kBinaryFile:
      return "binary_file";
    case DocStatus::kTruncated:
      return "truncated";
    case DocStatus::kUnreadable:
      return "unreadable";
  }
  return "unknown";
}

Result<DedupResult> dedup(std::span<const std::string> inputs, const DedupOptions& options,
                          const ProblemCallback& on_problem, std::FILE* stdin_copy) {
  if (Status s = validate_options(options); !s.ok()) return s;
  auto files = expand_inputs(inputs, options.read.format);
  if (!files.ok()) return files.status();

  StageClock clock;
  DedupResult result;
  const int threads = worker_threads(options.threads);
  start_corpus(*files, threads, result);

  // --- read, normalize, shingle, sketch: every thread --------------------------------------
  BatchReader reader(std::move(*files), options.read, stdin_copy);
  SignatureStore sigs(options.sketch.num_hashes);
  std::vector<ExactHash> hashes;
  SetStore sets;
  Collector collector(result, sigs, hashes, sets, options, on_problem);
  collector.set_files(&reader.files());
  ProgressBar progress("dedup", reader.total_bytes(), options.progress);

  const OphSketcher sketcher(options.sketch.num_hashes, options.sketch.seed);
  if (Status s = read_in_parallel<BatchOut>(
          reader, threads, progress,
          [&] { return SketchWorker(options, reader.files(), sketcher); },
          [&](BatchOut& out) { return collector.merge(out); });
      !s.ok()) {
    return s;
  }
  result.stats.seconds.read_sketch = clock.lap();

  const auto n = static_cast<std::uint32_t>(result.docs.size());
  std::vector<std::uint8_t> in_play(n);
  for (std::uint32_t d = 0; d < n; ++d) in_play[d] = result.docs[d].status == DocStatus::kKept;

  // --- exact duplicates: identical normalized text --------------------------------------------
  UnionFind sets_of(n);
  std::vector<std::uint32_t> unique_docs;  // the first document of each distinct text
  {
    // Sorted by the hash's low word; a run of equal low words is then split by the high word
    // (two different texts share a low word with probability 2^-64 per pair, but exactness is
    // cheap here).
    std::vector<KeyValue> order, tmp;
    for (std::uint32_t d = 0; d < n; ++d) {
      if (in_play[d]) order.emplace_back(hashes[d].lo, d);
    }
    sort_key_values(order, tmp);
    std::vector<KeyValue>().swap(tmp);
    for (std::size_t i = 0; i < order.size();) {
      std::size_t j = i + 1;
      while (j < order.size() && order[j].first == order[i].first) ++j;
      if (j - i > 1) {
        std::stable_sort(order.begin() + static_cast<long>(i), order.begin() + static_cast<long>(j),
                         [&](const KeyValue& a, const KeyValue& b) {
                           return hashes[a.second].hi < hashes[b.second].hi;
                         });
      }
      for (std::size_t k = i; k < j; ++k) {
        if (k > i && hashes[order[k].second] == hashes[order[k - 1].second]) {
          sets_of.unite(order[k - 1].second, order[k].second);
        } else {
          unique_docs.push_back(order[k].second);
        }
      }
      i = j;
    }
    std::sort(unique_docs.begin(), unique_docs.end());
  }
  result.stats.seconds.exact = clock.lap();

  // --- candidates: LSH bands over distinct texts, bands spread over threads ------------------
  const BandsRows shape = options.lsh.bands > 0
                              ? BandsRows{options.lsh.bands, options.lsh.rows}
                              : choose_bands_rows(options.lsh.threshold, options.sketch.num_hashes);
  result.stats.bands = shape.bands;
  result.stats.rows = shape.rows;
  std::vector<std::uint64_t> candidates;
  {
    std::vector<std::vector<std::uint64_t>> per_thread(static_cast<std::size_t>(threads));
    auto run = [&](int t) {
      BandScratch scratch;
      for (int band = t; band < shape.bands; band += threads) {
        band_candidates(sigs, unique_docs, band, shape.rows, options.lsh.max_bucket_pairs, scratch,
                        per_thread[static_cast<std::size_t>(t)]);
      }
    };
    run_on_threads(threads, run);
    for (auto& v : per_thread) {
      candidates.insert(candidates.end(), v.begin(), v.end());
      std::vector<std::uint64_t>().swap(v);
    }
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  }
  result.stats.candidate_pairs = candidates.size();
  result.stats.seconds.candidates = clock.lap();

  // --- verify: similarity of each candidate pair, in parallel; unions in order ---------------
  auto similarity = [&](std::uint32_t a, std::uint32_t b) {
    return options.verify == VerifyMode::kExact ? exact_jaccard(sets[a], sets[b])
                                                : estimate_jaccard(sigs[a], sigs[b]);
  };
  {
    std::vector<float> sim(candidates.size());
    auto run = [&](int t) {
      for (std::size_t i = static_cast<std::size_t>(t); i < candidates.size();
           i += static_cast<std::size_t>(threads)) {
        sim[i] = static_cast<float>(similarity(static_cast<std::uint32_t>(candidates[i] >> 32),
                                               static_cast<std::uint32_t>(candidates[i])));
      }
    };
    run_on_threads(threads, run);
    // A tiny slack absorbs float rounding of the similarity (e.g. 0.8 stored as 0.79999995).
    const double threshold = options.lsh.threshold - 1e-6;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      if (sim[i] < threshold) continue;
      const auto a = static_cast<std::uint32_t>(candidates[i] >> 32);
      const auto b = static_cast<std::uint32_t>(candidates[i]);
      sets_of.unite(a, b);
      ++result.stats.verified_pairs;
      if (options.keep_pairs) result.pairs.push_back(NearPair{a, b, sim[i]});
    }
  }
  std::vector<std::uint64_t>().swap(candidates);
  result.stats.seconds.verify = clock.lap();

  // --- clusters, representatives, similarities ---------------------------------------------
  collect_clusters(sets_of, in_play, result.clusters, result.members);
  for (std::uint32_t c = 0; c < result.clusters.size(); ++c) {
    Cluster& cl = result.clusters[c];
    const auto members = std::span(result.members).subspan(cl.members_begin, cl.size);
    cl.representative = choose_representative(result, members, options.keep);
    cl.all_exact = true;
    for (const std::uint32_t d : members) {
      DocumentInfo& info = result.docs[d];
      info.cluster = c;
      info.exact = hashes[d] == hashes[cl.representative];
      info.similarity = info.exact ? 1.0f : static_cast<float>(similarity(d, cl.representative));
      cl.all_exact = cl.all_exact && info.exact;
      if (d != cl.representative) {
        info.status = info.exact ? DocStatus::kExactDuplicate : DocStatus::kNearDuplicate;
      }
    }
    result.stats.exact_clusters += cl.all_exact;
    result.stats.near_clusters += !cl.all_exact;
    result.stats.largest_cluster = std::max<std::uint64_t>(result.stats.largest_cluster, cl.size);
  }
  result.stats.seconds.cluster = clock.lap();

  finish_corpus(clock, result);
  return result;
}

}  // namespace doppel
