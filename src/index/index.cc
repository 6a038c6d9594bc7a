// The index: records on disk (store.h), look-up tables in memory (tables.h), documents read by
// the shared read stage with the index's part (features.h). A batch of documents goes through
// four steps: (1) in document order, the look-ups of each document in the index and in an overlay
// of the batch's earlier documents, which then takes the document in; (2) in parallel, the
// verification of near-duplicate candidates and the alignment of passage candidates (reuse's
// stages, pair by pair); (3) add() writes the batch's data and records and syncs them; (4) under
// the exclusive lock, the batch goes into the tables, and only then are its answers given.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "cluster/clusters.h"
#include "cluster/union_find.h"
#include "corpus/corpus_source.h"
#include "corpus/dates.h"
#include "corpus/read_stage.h"
#include "doppel/dedup.h"
#include "index/anchor_seeds.h"
#include "index/features.h"
#include "index/index_internal.h"
#include "index/passage_pieces.h"
#include "index/store.h"
#include "index/tables.h"
#include "jobs/job_common.h"
#include "passages/pair_passages.h"
#include "text/excerpt.h"
#include "text/normalize.h"
#include "util/memory.h"
#include "util/threads.h"

namespace doppel {

std::string_view to_string(AnswerStatus s) {
  switch (s) {
    case AnswerStatus::kNew:
      return "new";
    case AnswerStatus::kExactDuplicate:
      return "exact_duplicate";
    case AnswerStatus::kNearDuplicate:
      return "near_duplicate";
    case AnswerStatus::kDuplicateId:
      return "duplicate_id";
    case AnswerStatus::kBadInput:
      return "bad_input";
  }
  return "";
}

namespace {

// SeedOptions::max_postings_per_doc of the reuse job: places of one n-gram in a document beyond
// this many are linked by their order only (the k-th with the k-th in the other document).
constexpr int kMaxPlacesPerDoc = 8;

// Look-ups and inserts in the tables prefetch the slot of the one kSlotAhead steps on and, once
// that slot has had time to arrive, the holders' entry of the one kEntryAhead steps on: the
// tables of a large index are far larger than the caches, and a look-up that waits for each miss
// in turn leaves the memory idle.
constexpr std::size_t kSlotAhead = 8, kEntryAhead = 3;

// An insert into a band's buckets, and into a shard's postings.
struct Keyed {
  std::uint64_t key;
  std::uint32_t seq;
};
struct Posting {
  std::uint32_t fp, seq;
};

// Calls each(j) for j in [0, n) in order, having asked `table` (PostingTable, ShardedPostings)
// for the slot of fingerprint fp_of(j + kSlotAhead) and the holders' entry of fp_of(j +
// kEntryAhead): the one loop of every look-up and insert of fingerprints.
template <typename Table, typename FpOf, typename Each>
void prefetched(const Table& table, std::size_t n, FpOf fp_of, Each each) {
  for (std::size_t j = 0; j < std::min(n, kSlotAhead); ++j) table.prefetch(fp_of(j));
  for (std::size_t j = 0; j < n; ++j) {
    if (j + kSlotAhead < n) table.prefetch(fp_of(j + kSlotAhead));
    if (j + kEntryAhead < n) table.prefetch_entry(fp_of(j + kEntryAhead));
    each(j);
  }
}

// Inserts `items` in order, each prefetched some inserts ahead (kSlotAhead).
void insert_all(BucketTable& buckets, int band, std::span<const Keyed> items) {
  for (std::size_t j = 0; j < items.size(); ++j) {
    if (j + kSlotAhead < items.size()) buckets.prefetch(band, items[j + kSlotAhead].key);
    buckets.insert(band, items[j].key, items[j].seq);
  }
}
void insert_all(PostingTable& shard, std::span<const Posting> items, const EarlierFn& earlier) {
  prefetched(
      shard, items.size(), [&](std::size_t j) { return items[j].fp; },
      [&](std::size_t j) { shard.insert(items[j].fp, items[j].seq, earlier); });
}

struct DocState {
  std::uint64_t str = 0;   // id, then date, in IndexImpl::strings_
  std::uint64_t data = 0;  // in the data log
  std::uint64_t chars = 0;
  std::uint32_t id_size = 0, date_size = 0;
  std::uint32_t exact_of = kNoSeq;
  std::uint32_t data_bytes = 0;
  std::uint32_t words = 0, fingerprints = 0;
  bool alive = false, ascii = true;
};

// A candidate from the index, named for the answers and located for the alignment (copied under
// the lock: queries align after releasing it).
struct Named {
  std::string id, date;
  DocData data;
};

// What a batch's documents are, in input order: accepted documents point at their features.
struct Pending {
  static constexpr std::uint32_t kNotReadable = 0xffffffffu;
  struct Slot {
    std::uint32_t doc = 0;                  // in the call's corpus
    std::uint32_t features = kNotReadable;  // in `features`
  };
  FeatureBatch features;
  std::vector<Slot> slots;
  std::size_t excerpt_chars = 0;  // IndexReadOptions::passage_excerpt_chars (features.texts kept)
};

// What the look-ups decide for one accepted document and the comparison needs.
struct Plan {
  std::size_t slot = 0;
  std::uint32_t seq = kNoSeq;  // the seq it gets (add) or would get (query)
  std::uint32_t exact_of = kNoSeq;
  std::vector<std::uint32_t> lsh, passage;  // candidates, ascending
  std::vector<std::pair<std::uint32_t, float>> near;
};

// A batch's sync and commit on a thread of its own while the call reads, looks up and compares
// the next batch (IndexReadOptions::commit_behind). The answers of a batch go out only once its
// commit has returned: `committing` holds them meanwhile.
class CommitBehind {
 public:
  // `failed`: set when a commit fails (IndexImpl::failed_), whoever waits for it.
  explicit CommitBehind(bool& failed) : failed_(failed) {}
  CommitBehind(const CommitBehind&) = delete;
  CommitBehind& operator=(const CommitBehind&) = delete;
  ~CommitBehind() { (void)finish(); }

  template <typename Commit>
  void start(Commit commit) {
    thread_ = std::thread([this, commit = std::move(commit)]() mutable {
      try {
        status_ = commit();
      } catch (const std::exception& e) {  // std::bad_alloc: a status, as on the caller's thread
        status_ = Status::Internal(fmt::format("committing a batch: {}", e.what()));
      }
    });
    started_ = true;
  }
  // Waits for the commit in flight, if any: its status (Ok when none was in flight).
  Status finish() {
    if (!thread_.joinable()) return Status::Ok();
    thread_.join();
    Status s = std::move(status_);
    status_ = Status::Ok();
    if (!s.ok()) failed_ = true;  // whether its records reached the disk is not known
    return s;
  }
  // Whether start() was called since the last time this was asked.
  bool started() { return std::exchange(started_, false); }

  std::vector<Answer> committing;

 private:
  bool& failed_;
  std::thread thread_;
  Status status_;
  bool started_ = false;
};

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

class IndexImpl final : public Index {
 public:
  IndexImpl(std::string path, IndexOptions options, IndexOpenOptions open, int format_version,
            std::unique_ptr<Store> store)
      : path_(std::move(path)),
        options_(options),
        open_(std::move(open)),
        format_version_(format_version),
        shape_(lsh_shape_of(options_)),
        bucket_rule_(bucket_rule_of(options_.lsh)),
        threads_(worker_threads(open_.threads)),
        store_(std::move(store)),
        buckets_(shape_.bands),
        postings_(static_cast<std::size_t>(options_.all_pairs_docs - 1)) {}

  Status load();
  // The look-up tables from the records of `seqs` (ascending), as adding them one by one would
  // make them.
  void rebuild_tables(std::span<const std::uint32_t> seqs);

  Result<IndexCallStats> add(std::span<const std::string> inputs, const IndexReadOptions& read,
                             const ProblemCallback& on_problem,
                             const AnswerCallback& on_answer) override {
    if (open_.read_only) {
      return Status::InvalidArgument(fmt::format("{} is open read-only", path_));
    }
    std::lock_guard write(write_mutex_);
    if (failed_) {
      return Status::IoError(
          fmt::format("{}: an earlier write failed; open the index again", path_));
    }
    return const_cast<IndexImpl*>(this)->run(inputs, read, on_problem, on_answer, true);
  }
  Result<IndexCallStats> query(std::span<const std::string> inputs, const IndexReadOptions& read,
                               const ProblemCallback& on_problem,
                               const AnswerCallback& on_answer) const override {
    return const_cast<IndexImpl*>(this)->run(inputs, read, on_problem, on_answer, false);
  }
  Result<std::uint64_t> remove(std::span<const std::string> ids) override;
  Result<std::optional<DocumentRecord>> get(std::string_view id) const override;
  IndexStats stats() const override;
  const IndexOptions& options() const override { return options_; }
  Status write_pairs(OutputStream& out) const override;
  Status write_clusters(OutputStream& out) const override;

  std::string created_, last_change_;
  std::string icu_version_;  // of the ICU that cut the stored words ("": not recorded)
  double open_seconds_ = 0;

 private:
  std::string_view id_of(std::uint32_t seq) const {
    const DocState& d = docs_[seq];
    return std::string_view(strings_).substr(d.str, d.id_size);
  }
  std::string_view date_of(std::uint32_t seq) const {
    const DocState& d = docs_[seq];
    return std::string_view(strings_).substr(d.str + d.id_size, d.date_size);
  }
  std::uint32_t seq_of(std::string_view id) const {
    return ids_.find(id, [this](std::uint32_t s) { return id_of(s); });
  }
  // earlier_by_date() of two indexed documents, mostly from their DateKeys: the date strings, each
  // a cache miss away, are read only where both are longer than the keys hold and alike there.
  bool earlier(std::uint32_t a, std::uint32_t b) const {
    const int by_key = earlier_by_key(date_keys_[a], a, date_keys_[b], b);
    return by_key >= 0 ? by_key == 1 : earlier_by_date(date_of(a), a, date_of(b), b);
  }
  DocData data_of(std::uint32_t seq) const {
    const DocState& d = docs_[seq];
    return doc_data(log_->at(d.data), static_cast<std::size_t>(options_.sketch.num_hashes), d.words,
                    d.fingerprints, d.data_bytes, d.ascii);
  }
  // Appends a document to the in-memory records (docs_ grows to seq + 1) and its id.
  void remember(std::uint32_t seq, std::string_view id, std::string_view date, const DocRecord& r);
  std::vector<std::uint64_t> band_keys_of(std::span<const SigValue> signature) const;

  Result<IndexCallStats> run(std::span<const std::string> inputs, const IndexReadOptions& read,
                             const ProblemCallback& on_problem, const AnswerCallback& on_answer,
                             bool store);
  // Answers (and with `store`, adds) the documents of `pending`.
  // `behind`: the batch's sync and commit are started on a thread of their own, after the batch
  // before's have returned (its answers, in behind->committing, may then go out); nullptr: they
  // are done before this returns.
  Status process(Pending& pending, const Corpus& corpus, bool store, bool find_passages,
                 int threads, CommitBehind* behind, std::vector<Answer>& answers,
                 IndexCallStats& stats);
  Status remove_one(std::uint32_t seq);
  // Every member of seq's cluster (exact and near links among documents in the index), in seq
  // order.
  std::vector<std::uint32_t> cluster_of(std::uint32_t seq) const;

  const std::string path_;
  const IndexOptions options_;
  const IndexOpenOptions open_;
  // The index's format version: 1 (signatures' borrowed bins copied, BorrowedBins::kCopied), 2
  // (U+200B removed, not a space), 3 (a run of CJK letters one word) or kIndexFormatVersion.
  const int format_version_;
  const LshShape shape_;
  const BucketRule bucket_rule_;
  const int threads_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<DataLog> log_;
  // The writer's: the data of the batch it commits, kept for the next one up to
  // kKeptCommitBuffer; its capacity is counted in stats().memory_bytes.
  static constexpr std::size_t kKeptCommitBuffer = std::size_t{64} << 20;
  std::string commit_buffer_;
  std::atomic<std::size_t> commit_buffer_bytes_{0};

  std::mutex write_mutex_;           // one writer at a time
  mutable std::shared_mutex mutex_;  // the tables: shared to read, exclusive to change
  bool failed_ = false;              // a write failed half-way: refused until opened again
  std::vector<DocState> docs_;       // by seq
  std::vector<DateKey> date_keys_;   // by seq
  std::vector<ExactHash> exact_;     // by seq
  std::string strings_;
  IdTable ids_;
  FlatMap<std::uint64_t> exact_map_;  // exact hash (low word) -> seq + 1 of the first alive
  BucketTable buckets_;
  ShardedPostings postings_;
  std::vector<std::vector<std::pair<std::uint32_t, float>>> near_;      // by seq, both ways
  std::unordered_map<std::uint32_t, std::vector<std::uint32_t>> dups_;  // first -> its copies
  std::uint64_t alive_ = 0, added_ = 0, removed_ = 0, pairs_ = 0;
};

void IndexImpl::remember(std::uint32_t seq, std::string_view id, std::string_view date,
                         const DocRecord& r) {
  if (docs_.size() <= seq) {
    docs_.resize(seq + 1);
    date_keys_.resize(seq + 1);
    exact_.resize(seq + 1);
    near_.resize(seq + 1);
  }
  DocState& d = docs_[seq];
  d.str = strings_.size();
  d.id_size = static_cast<std::uint32_t>(id.size());
  d.date_size = static_cast<std::uint32_t>(date.size());
  d.exact_of = r.exact_of;
  d.data = r.data;
  d.data_bytes = r.data_bytes;
  d.words = r.words;
  d.fingerprints = r.fingerprints;
  d.chars = r.chars;
  d.ascii = r.ascii;
  d.alive = true;
  date_keys_[seq] = date_key(date);
  strings_ += id;
  strings_ += date;
  exact_[seq] = r.exact;
  ids_.insert(id, seq, [this](std::uint32_t s) { return id_of(s); });
  ++alive_;
  if (r.exact_of != kNoSeq) dups_[r.exact_of].push_back(seq);
}

std::vector<std::uint64_t> IndexImpl::band_keys_of(std::span<const SigValue> signature) const {
  std::vector<std::uint64_t> keys;
  keys.reserve(static_cast<std::size_t>(shape_.bands));
  for (int b = 0; b < shape_.bands; ++b) keys.push_back(band_key(signature, b, shape_.rows));
  return keys;
}

Status IndexImpl::load() {
  const auto start = std::chrono::steady_clock::now();
  auto meta_u64 = [&](const char* key, std::uint64_t& out) -> Status {
    auto v = store_->get_meta(key);
    if (!v.ok()) return v.status();
    if (v->has_value()) out = std::stoull(**v);
    return Status::Ok();
  };
  std::uint64_t next = 0, data_end = 0;
  DOPPEL_RETURN_IF_ERROR(meta_u64("next_seq", next));
  DOPPEL_RETURN_IF_ERROR(meta_u64("added", added_));
  DOPPEL_RETURN_IF_ERROR(meta_u64("removed", removed_));
  DOPPEL_RETURN_IF_ERROR(meta_u64("data_end", data_end));
  for (const char* key : {"created", "last_change", "icu"}) {
    auto v = store_->get_meta(key);
    if (!v.ok()) return v.status();
    const std::string_view k(key);
    (k == "created"       ? created_
     : k == "last_change" ? last_change_
                          : icu_version_) = v->value_or("");
  }
  auto log = DataLog::open(path_ + "/data.log", data_end, open_.read_only);
  if (!log.ok()) return log.status();
  log_ = std::move(*log);
  // The records, in seq order; then the tables, band by band and shard by shard in parallel.
  std::vector<std::uint32_t> seqs;
  DOPPEL_RETURN_IF_ERROR(store_->for_each_doc([&](std::uint32_t seq, const DocRecord& r) {
    if (r.data + r.data_bytes > data_end || seq >= next) {
      return Status::IoError(
          fmt::format("{}: a document record points past the committed data", path_));
    }
    remember(seq, r.id, r.date, r);
    if (r.exact_of == kNoSeq) exact_map_.at(r.exact.lo) = seq + 1;
    seqs.push_back(seq);
    return Status::Ok();
  }));
  rebuild_tables(seqs);
  DOPPEL_RETURN_IF_ERROR(
      store_->for_each_pair([&](std::uint32_t later, std::uint32_t earlier_seq, float sim) {
        if (later >= near_.size() || earlier_seq >= near_.size()) return;
        near_[later].emplace_back(earlier_seq, sim);
        near_[earlier_seq].emplace_back(later, sim);
        ++pairs_;
      }));
  if (next > docs_.size()) {
    docs_.resize(next);
    date_keys_.resize(next);
    exact_.resize(next);
    near_.resize(next);
  }
  open_seconds_ = seconds_since(start);
  return Status::Ok();
}

// Each document's data is read once (a chunk of documents at a time, split among the threads):
// its band keys and its distinct fingerprints, sorted by shard, go to per-thread lists, which the
// bands' and shards' inserts then take in seq order, one thread per band or shard. (Every band
// and shard task reading every document's data itself read the 2 GiB data log of a 1M-document
// index 32 times over.) A chunk bounds the lists' memory.
void IndexImpl::rebuild_tables(std::span<const std::uint32_t> seqs) {
  const auto bands = static_cast<std::size_t>(shape_.bands);
  constexpr std::size_t kShards = ShardedPostings::kShards;
  constexpr std::size_t kChunk = 1 << 14;
  const std::size_t tasks = bands + kShards;
  const auto T = static_cast<std::size_t>(std::max(1, threads_));
  // earlier() as one comparison of numbers, in earlier_by_date()'s order (undated documents
  // last, then by date, then by seq; Serve.ReopenedTablesAnswerAsTheLiveOnes fails where the two
  // differ): comparing the date strings of the holders of a fingerprint, each a cache miss, was
  // a fifth of the rebuild.
  std::vector<std::uint64_t> order(docs_.size(), ~std::uint64_t{0});
  {
    std::unordered_map<std::string_view, std::uint32_t> date_rank;
    for (const std::uint32_t seq : seqs) date_rank.emplace(date_of(seq), 0);
    std::vector<std::string_view> dates;
    dates.reserve(date_rank.size());
    for (const auto& [date, rank] : date_rank) dates.push_back(date);
    // Dates written differently for one moment (zones) share a rank.
    std::vector<std::pair<std::string, std::string_view>> sortable;
    sortable.reserve(dates.size());
    DateBuffer buffer;
    for (const std::string_view date : dates) {
      sortable.emplace_back(sortable_date(date, buffer), date);
    }
    std::sort(sortable.begin(), sortable.end());
    std::uint32_t rank = 0;
    for (std::size_t i = 0; i < sortable.size(); ++i) {
      rank += i > 0 && sortable[i].first != sortable[i - 1].first;
      date_rank[sortable[i].second] = rank;
    }
    for (const std::uint32_t seq : seqs) {
      const std::string_view date = date_of(seq);
      order[seq] = std::uint64_t{date.empty()} << 63 | std::uint64_t{date_rank[date]} << 32 | seq;
    }
  }
  const EarlierFn earlier = [&order](std::uint32_t a, std::uint32_t b) {
    return order[a] < order[b];
  };
  struct ThreadLists {
    std::vector<std::vector<Keyed>> band;     // per band, in seq order
    std::vector<std::vector<Posting>> shard;  // per shard, in seq order
  };
  std::vector<ThreadLists> lists(T);
  for (ThreadLists& l : lists) {
    l.band.resize(bands);
    l.shard.resize(kShards);
  }
  for (std::size_t chunk = 0; chunk < seqs.size(); chunk += kChunk) {
    const auto docs = seqs.subspan(chunk, std::min(kChunk, seqs.size() - chunk));
    run_on_threads(static_cast<int>(T), [&](int t) {
      const auto ti = static_cast<std::size_t>(t);
      ThreadLists& l = lists[ti];
      for (auto& v : l.band) v.clear();
      for (auto& v : l.shard) v.clear();
      const std::size_t first = docs.size() * ti / T, last = docs.size() * (ti + 1) / T;
      for (std::size_t k = first; k < last; ++k) {
        const std::uint32_t seq = docs[k];
        const DocData data = data_of(seq);
        if (docs_[seq].exact_of == kNoSeq) {
          for (std::size_t b = 0; b < bands; ++b) {
            l.band[b].push_back(
                Keyed{band_key(data.signature(), static_cast<int>(b), shape_.rows), seq});
          }
        }
        const auto fps = data.fingerprint_span();
        for (std::size_t i = 0; i < fps.size(); ++i) {
          if (i > 0 && fps[i].fp == fps[i - 1].fp) continue;
          l.shard[ShardedPostings::shard_of(fps[i].fp)].push_back(Posting{fps[i].fp, seq});
        }
      }
    });
    Turns turns(tasks, 1);
    run_on_threads(static_cast<int>(std::min(T, tasks)), [&](int) {
      for (std::size_t task = 0, last = 0; turns.next(task, last);) {
        for (const ThreadLists& l : lists) {  // thread 0's documents come first
          if (task < bands) {
            insert_all(buckets_, static_cast<int>(task), l.band[task]);
          } else {
            insert_all(postings_.shard(task - bands), l.shard[task - bands], earlier);
          }
        }
      }
    });
  }
}

// ---- add and query -------------------------------------------------------------------------

Result<IndexCallStats> IndexImpl::run(std::span<const std::string> inputs,
                                      const IndexReadOptions& read,
                                      const ProblemCallback& on_problem,
                                      const AnswerCallback& on_answer, bool store) {
  const auto start = std::chrono::steady_clock::now();
  DOPPEL_RETURN_IF_ERROR(validate_options(read));
  // An add keeps documents by id: each needs one of its own (doppel/options.h, require_ids).
  ReadOptions read_options = read.read;
  if (store) {
    read_options.require_ids = true;
    read_options.max_id_bytes = kMaxIndexIdBytes;
  }
  auto source = CorpusSource::open(inputs, read_options);
  if (!source.ok()) return source.status();
  IndexCallStats stats;
  Corpus& corpus = stats.corpus;
  corpus.source = *source;
  const int threads = read.threads > 0 ? read.threads : threads_;
  Pending pending;
  pending.features.bins = static_cast<std::size_t>(options_.sketch.num_hashes);
  pending.features.bands = static_cast<std::size_t>(shape_.bands);
  std::vector<Answer> answers;
  std::size_t next_problem = 0;
  double outside_read = 0;  // seconds spent answering within the read stage

  // With commit_behind, a batch's answers wait in `behind` for its commit.
  std::optional<CommitBehind> behind;
  if (store && read.commit_behind) behind.emplace(failed_);
  Status answer_failed;  // on_answer failed: no answer goes out after it
  auto give_out = [&](std::vector<Answer>& given) -> Status {
    for (std::size_t k = 0; k < given.size() && answer_failed.ok(); ++k) {
      const Answer& a = given[k];
      ++stats.by_status[static_cast<int>(a.status)];
      stats.passages += a.passages.size();
      stats.added += a.added;
      answer_failed = on_answer(a);
    }
    if (!given.empty() && answer_failed.ok() && read.after_batch)
      answer_failed = read.after_batch();
    given.clear();
    return answer_failed;
  };
  // The batch in flight, committed: its answers go out (the call's end, or a batch that had
  // nothing to commit and must answer after it).
  auto finish_behind = [&]() -> Status {
    if (!behind) return Status::Ok();
    if (Status s = behind->finish(); !s.ok()) {
      behind->committing.clear();  // not acknowledged
      return s;
    }
    return give_out(behind->committing);
  };
  auto flush = [&]() -> Status {
    if (pending.slots.empty()) return Status::Ok();
    const auto t = std::chrono::steady_clock::now();
    DOPPEL_RETURN_IF_ERROR(process(pending, corpus, store, read.find_passages, threads,
                                   behind ? &*behind : nullptr, answers, stats));
    for (std::size_t k = 0; k < pending.slots.size(); ++k) {
      Answer& a = answers[k];
      const std::uint32_t d = pending.slots[k].doc;
      if (pending.slots[k].features == Pending::kNotReadable) {
        a.id = std::string(corpus.id(d));
        a.status = AnswerStatus::kBadInput;
        a.reason = corpus.docs[d].status;
        const auto& problems = corpus.problems;
        while (next_problem < problems.size() &&
               (problems[next_problem].doc == kNoDocument || problems[next_problem].doc < d)) {
          ++next_problem;
        }
        if (next_problem < problems.size() && problems[next_problem].doc == d) {
          a.message = problems[next_problem].message;
        }
      }
    }
    if (!behind) {
      DOPPEL_RETURN_IF_ERROR(give_out(answers));
    } else if (behind->started()) {  // this batch's commit is in flight; the one before's done
      DOPPEL_RETURN_IF_ERROR(give_out(behind->committing));
      behind->committing = std::move(answers);
      answers.clear();
    } else {  // nothing to commit (all bad input or ids in the index): after the one in flight
      DOPPEL_RETURN_IF_ERROR(finish_behind());
      DOPPEL_RETURN_IF_ERROR(give_out(answers));
    }
    ++stats.batches;
    pending.features.clear();
    pending.slots.clear();
    outside_read += seconds_since(t);
    return Status::Ok();
  };

  bool stopped = false;  // read.read.stop was seen: what was read since the last batch is dropped
  const BorrowedBins borrowed =
      format_version_ == 1 ? BorrowedBins::kCopied : BorrowedBins::kHashedWithBin;
  const bool keep_texts = read.find_passages && options_.passages && read.passage_excerpt_chars > 0;
  if (keep_texts) pending.excerpt_chars = read.passage_excerpt_chars;
  IndexFeatures part(
      options_, shape_, borrowed,
      [&](IndexFeatures::Batch& b, std::size_t i, bool readable) {
        if (read.read.stop != nullptr && read.read.stop->load(std::memory_order_relaxed)) {
          stopped = true;
          return Status::Cancelled("stopped (ReadOptions::stop)");  // ends the read stage
        }
        const auto d = static_cast<std::uint32_t>(corpus.docs.size() - 1);
        if (readable) {
          pending.slots.push_back(
              Pending::Slot{d, static_cast<std::uint32_t>(pending.features.docs.size())});
          pending.features.append(b.features, i,
                                  std::span<const SigValue>(b.sketch.sigs)
                                      .subspan(i * pending.features.bins, pending.features.bins),
                                  b.sketch.hashes[i]);
        } else {
          pending.slots.push_back(Pending::Slot{d, Pending::kNotReadable});
        }
        // A query keeps every document to the end: stored nowhere, an earlier batch's documents
        // would be forgotten, and a later one would not see them as add() does.
        if (store && !read.all_or_nothing &&
            pending.features.docs.size() >= std::max<std::size_t>(1, read.batch_docs)) {
          return flush();
        }
        return Status::Ok();
      },
      keep_texts);
  ReadStageOptions stage;
  stage.normalize = &options_.normalize;
  stage.threads = threads;
  stage.require_documents = read.require_documents;
  stage.progress = read.progress;
  stage.label = store ? "index add" : "index query";
  Status read_status = read_corpus(**source, stage, on_problem, corpus, part);
  // Asked to stop while reading, or once it was done (the last batch not yet compared): the
  // batch whose commit is in flight is committed and answered below; the documents read since
  // are not flushed, so neither added nor answered.
  // (The read stage also stops at a batch's end, saying kCancelled.)
  stopped = stopped || read_status.code() == StatusCode::kCancelled ||
            (read_status.ok() && read.read.stop != nullptr && read.read.stop->load());
  if (!read_status.ok() && !stopped) {
    // The batch in flight stays when its commit succeeds, and its answers go out, as those of
    // the batches committed before an error do.
    if (Status last = finish_behind(); !last.ok() && answer_failed.ok()) {
      return Status::IoError(fmt::format("{}; and committing the batch before it: {}",
                                         read_status.message(), last.message()));
    }
    return read_status;
  }
  if (!stopped && read.all_or_nothing && corpus.stats.bad() > 0) {
    std::string list;
    std::size_t shown = 0;
    for (const ReadProblem& p : corpus.problems) {
      if (shown++ == 10) {
        list += "; ...";
        break;
      }
      list += (list.empty() ? "" : "; ") + p.message;
    }
    return Status::InvalidArgument(
        fmt::format("{} of {} documents are bad input; nothing was {}: {}", corpus.stats.bad(),
                    corpus.stats.documents, store ? "added" : "answered", list));
  }
  Status flushed = stopped ? Status::Ok() : flush();
  const auto waited = std::chrono::steady_clock::now();
  const Status last = finish_behind();            // joins the thread whatever failed before
  stats.commit_seconds += seconds_since(waited);  // the last batch's commit
  outside_read += seconds_since(waited);
  DOPPEL_RETURN_IF_ERROR(flushed);
  DOPPEL_RETURN_IF_ERROR(last);
  stats.stopped = stopped;
  stats.seconds = seconds_since(start);
  stats.read_seconds = stats.seconds - outside_read;
  stats.peak_rss_bytes = peak_rss_bytes();
  return stats;
}

Status IndexImpl::process(Pending& pending, const Corpus& corpus, bool store, bool find_passages,
                          int threads, CommitBehind* behind, std::vector<Answer>& answers,
                          IndexCallStats& stats) {
  const FeatureBatch& feats = pending.features;
  answers.assign(pending.slots.size(), Answer{});
  auto clock = std::chrono::steady_clock::now();
  auto lap = [&clock] {
    const auto now = std::chrono::steady_clock::now();
    const double s = std::chrono::duration<double>(now - clock).count();
    clock = now;
    return s;
  };
  // Readable documents, in order.
  std::vector<std::size_t> readable;
  for (std::size_t k = 0; k < pending.slots.size(); ++k) {
    Answer& a = answers[k];
    a.id = std::string(corpus.id(pending.slots[k].doc));
    if (pending.slots[k].features == Pending::kNotReadable) continue;
    a.code_points = a.new_code_points = feats.docs[pending.slots[k].features].chars;
    const std::string_view date = corpus.date(pending.slots[k].doc);
    a.date_unread = !date.empty() && !reads_as_date(date);
    a.passages_looked_for = find_passages;
    readable.push_back(k);
  }
  auto workers_for = [&](std::size_t items, std::size_t per_thread) {
    return static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(threads),
                                                  std::max<std::size_t>(items / per_thread, 1)));
  };

  // --- 1. look-ups: in the index (in parallel; nothing changes it meanwhile), then in document
  // order in an overlay of the batch's earlier documents ------------------------------------
  std::shared_lock lock(mutex_, std::defer_lock);
  if (!store) lock.lock();  // add() holds the write mutex: nothing else changes the tables
  const auto base = static_cast<std::uint32_t>(docs_.size());
  const auto bands = static_cast<std::size_t>(shape_.bands);
  struct IndexHits {
    std::uint32_t known = kNoSeq;     // the id's document, alive
    std::uint32_t exact_of = kNoSeq;  // the first alive document with the same text
    // Bucket members, band by band (of a big bucket only its first and last ones, as
    // bucket_partners() needs them), and how many each bucket holds.
    std::vector<std::uint32_t> members, members_end, members_count;
    // Per distinct fingerprint, its holders in the index: count, hub and [begin, end) of
    // holder_docs (flat: one allocation a document, not one a fingerprint).
    struct Found {
      std::uint32_t count = 0, hub = kNoSeq, begin = 0, end = 0;
    };
    std::vector<Found> holders;
    std::vector<std::uint32_t> holder_docs;
  };
  std::vector<IndexHits> hits(readable.size());
  const EarlierFn index_earlier = [this](std::uint32_t a, std::uint32_t b) {
    return earlier(a, b);
  };
  // A document's look-ups in the index, into hits[r] (any thread).
  auto look_up = [&](std::size_t r, Holders& found) {
    const std::size_t f = pending.slots[readable[r]].features;
    IndexHits& h = hits[r];
    const std::uint32_t known = seq_of(corpus.id(pending.slots[readable[r]].doc));
    if (known != kNoSeq && docs_[known].alive) {
      h.known = known;
      return;
    }
    const ExactHash& exact = feats.docs[f].exact;
    if (const std::uint32_t* v = exact_map_.find(exact.lo);
        v != nullptr && *v != FlatMap<std::uint64_t>::kDead && exact_[*v - 1] == exact) {
      h.exact_of = *v - 1;
    } else {
      const auto keys = feats.keys(f);
      for (std::size_t b = 0; b < bands; ++b) buckets_.prefetch(static_cast<int>(b), keys[b]);
      for (std::size_t b = 0; b < bands; ++b) {
        h.members_count.push_back(static_cast<std::uint32_t>(buckets_.members(
            static_cast<int>(b), keys[b], bucket_rule_.max_members - 1, h.members)));
        h.members_end.push_back(static_cast<std::uint32_t>(h.members.size()));
      }
    }
    if (!find_passages) return;
    const auto fps = feats.fingerprints_of(f);
    prefetched(
        postings_, fps.size(), [&](std::size_t i) { return fps[i].fp; },
        [&](std::size_t i) {
          if (i > 0 && fps[i].fp == fps[i - 1].fp) return;
          found.count = 0;
          found.hub = kNoSeq;
          found.docs.clear();
          postings_.lookup(fps[i].fp, index_earlier, found);
          const auto begin = static_cast<std::uint32_t>(h.holder_docs.size());
          h.holder_docs.insert(h.holder_docs.end(), found.docs.begin(), found.docs.end());
          h.holders.push_back(IndexHits::Found{found.count, found.hub, begin,
                                               static_cast<std::uint32_t>(h.holder_docs.size())});
        });
  };
  std::vector<Plan> plans;
  std::unordered_map<std::uint32_t, Named> named;  // queries: candidates from the index
  {
    BucketTable overlay_buckets(shape_.bands);
    PostingTable overlay_postings(static_cast<std::size_t>(options_.all_pairs_docs - 1));
    std::unordered_map<std::uint64_t, std::uint32_t> overlay_exact;  // low word -> seq
    std::unordered_set<std::string_view> overlay_ids;
    auto date = [&](std::uint32_t seq) {
      return seq >= base ? corpus.date(pending.slots[plans[seq - base].slot].doc) : date_of(seq);
    };
    // The batch's documents' DateKeys beside their plans (the dates are read as moments once).
    std::vector<DateKey> batch_keys;
    auto key = [&](std::uint32_t seq) -> const DateKey& {
      return seq >= base ? batch_keys[seq - base] : date_keys_[seq];
    };
    const EarlierFn earlier = [&](std::uint32_t a, std::uint32_t b) {
      const int by_key = earlier_by_key(key(a), a, key(b), b);
      return by_key >= 0 ? by_key == 1 : earlier_by_date(date(a), a, date(b), b);
    };
    std::vector<std::uint32_t> members;
    std::vector<Posting> distinct;  // the document's distinct fingerprints, to insert
    Holders holders;
    // A document's look-ups among the batch's documents before it (one thread, in order).
    auto look_up_in_batch = [&](std::size_t r) {
      const std::size_t k = readable[r];
      const std::size_t f = pending.slots[k].features;
      IndexHits& h = hits[r];
      Answer& a = answers[k];
      const std::string_view id = corpus.id(pending.slots[k].doc);
      if (h.known != kNoSeq || overlay_ids.count(id) > 0) {
        a.status = AnswerStatus::kDuplicateId;
        a.message = fmt::format("id \"{}\" is in the index already", id);
        return;
      }
      overlay_ids.insert(id);
      Plan p;
      p.slot = k;
      p.seq = base + static_cast<std::uint32_t>(plans.size());
      batch_keys.push_back(date_key(corpus.date(pending.slots[k].doc)));
      plans.push_back(std::move(p));
      Plan& plan = plans.back();
      // Exact duplicates: the first document with the same text.
      const ExactHash& exact = feats.docs[f].exact;
      plan.exact_of = h.exact_of;
      if (plan.exact_of == kNoSeq) {
        if (const auto it = overlay_exact.find(exact.lo);
            it != overlay_exact.end() &&
            feats.docs[pending.slots[plans[it->second - base].slot].features].exact == exact) {
          plan.exact_of = it->second;
        }
      }
      // Near-duplicate candidates: the bucket partners of the first document of each text.
      if (plan.exact_of == kNoSeq) {
        overlay_exact.emplace(exact.lo, plan.seq);
        const auto keys = feats.keys(f);
        for (std::size_t b = 0; b < bands; ++b) {
          const std::uint32_t from = b == 0 ? 0 : h.members_end[b - 1];
          members.assign(h.members.begin() + from, h.members.begin() + h.members_end[b]);
          const std::size_t count =
              h.members_count[b] + overlay_buckets.members(static_cast<int>(b), keys[b],
                                                           bucket_rule_.max_members - 1, members);
          bucket_partners(members, count, bucket_rule_, plan.lsh);
          overlay_buckets.insert(static_cast<int>(b), keys[b], plan.seq);
        }
        std::sort(plan.lsh.begin(), plan.lsh.end());
        plan.lsh.erase(std::unique(plan.lsh.begin(), plan.lsh.end()), plan.lsh.end());
      }
      // Passage candidates: the holders of the document's winnowed fingerprints (the same
      // selection on both sides: a shared run of min_words words shares one). Without passages,
      // the batch's fingerprints need not be in the overlay either: only its look-ups read it.
      if (!find_passages) return;
      const auto fps = feats.fingerprints_of(f);
      distinct.clear();
      for (std::size_t i = 0; i < fps.size(); ++i) {
        if (i == 0 || fps[i].fp != fps[i - 1].fp) distinct.push_back(Posting{fps[i].fp, plan.seq});
      }
      prefetched(
          overlay_postings, distinct.size(), [&](std::size_t d) { return distinct[d].fp; },
          [&](std::size_t d) {
            const IndexHits::Found& found = h.holders[d];
            holders.count = found.count;
            holders.hub = found.hub;
            holders.docs.assign(h.holder_docs.begin() + found.begin,
                                h.holder_docs.begin() + found.end);
            overlay_postings.lookup(distinct[d].fp, earlier, holders);
            if (holders.count == 0) return;
            if (holders.count + 1 <= static_cast<std::uint32_t>(options_.all_pairs_docs)) {
              plan.passage.insert(plan.passage.end(), holders.docs.begin(), holders.docs.end());
            } else {
              plan.passage.push_back(holders.hub);
            }
          });
      insert_all(overlay_postings, distinct, earlier);
    };
    // Both steps at once: every thread looks documents up in the index, a block at a time, and
    // thread 0 also takes each block, in order, through the step in the batch as soon as its
    // look-ups are done (that step, serial, was about two fifths of the look-up time).
    constexpr std::size_t kBlock = 64;
    const std::size_t blocks = (readable.size() + kBlock - 1) / kBlock;
    std::vector<std::atomic<bool>> looked_up(blocks);
    std::atomic<bool> failed{false};  // a thread's look-ups threw (std::bad_alloc)
    Turns turns(readable.size(), kBlock);
    run_on_threads(workers_for(readable.size(), 256), [&](int t) {
      Holders found;
      auto look_up_block = [&](std::size_t first, std::size_t last) {
        try {
          for (std::size_t r = first; r < last; ++r) look_up(r, found);
        } catch (...) {
          failed.store(true, std::memory_order_relaxed);
          throw;
        }
        looked_up[first / kBlock].store(true, std::memory_order_release);
      };
      std::size_t first = 0, last = 0;
      if (t != 0) {
        while (turns.next(first, last)) look_up_block(first, last);
        return;
      }
      for (std::size_t next = 0; next < blocks;) {
        if (looked_up[next].load(std::memory_order_acquire)) {
          const std::size_t end = std::min(readable.size(), (next + 1) * kBlock);
          for (std::size_t r = next * kBlock; r < end; ++r) look_up_in_batch(r);
          ++next;
        } else if (turns.next(first, last)) {
          look_up_block(first, last);
        } else if (failed.load(std::memory_order_relaxed)) {
          return;  // the block will never be done: run_on_threads rethrows that thread's error
        } else {
          std::this_thread::yield();  // another thread is finishing the block needed next
        }
      }
    });
  }
  std::vector<IndexHits>().swap(hits);
  // Of each document's passage candidates (one entry per shared fingerprint), at most
  // max_candidates: those sharing the most fingerprints (ties: earliest). In parallel: each
  // document's own.
  {
    const auto limit = static_cast<std::size_t>(options_.max_candidates);
    Turns turns(plans.size(), 64);
    run_on_threads(workers_for(plans.size(), 256), [&](int) {
      std::vector<std::pair<std::uint32_t, std::uint32_t>> shared;  // (candidate, fingerprints)
      for (std::size_t first = 0, last = 0; turns.next(first, last);) {
        for (std::size_t k = first; k < last; ++k) {
          std::vector<std::uint32_t>& passage = plans[k].passage;
          std::sort(passage.begin(), passage.end());
          shared.clear();
          for (std::size_t x = 0; x < passage.size();) {
            std::size_t y = x;
            while (y < passage.size() && passage[y] == passage[x]) ++y;
            shared.emplace_back(passage[x], static_cast<std::uint32_t>(y - x));
            x = y;
          }
          if (limit > 0 && shared.size() > limit) {
            std::stable_sort(shared.begin(), shared.end(),
                             [](const auto& x, const auto& y) { return x.second > y.second; });
            shared.resize(limit);
            std::sort(shared.begin(), shared.end());
          }
          passage.clear();
          for (const auto& c : shared) passage.push_back(c.first);
        }
      }
    });
  }
  // A query keeps copies of its candidates' names and data: the index may change once the lock
  // is released (the writer reads the index's records directly: nothing else changes them).
  if (!store) {
    for (const Plan& plan : plans) {
      for (const auto* list : {&plan.lsh, &plan.passage}) {
        for (const std::uint32_t c : *list) {
          if (c < base && named.count(c) == 0) {
            named.emplace(c, Named{std::string(id_of(c)), std::string(date_of(c)), data_of(c)});
          }
        }
      }
      if (plan.exact_of != kNoSeq && plan.exact_of < base && named.count(plan.exact_of) == 0) {
        named.emplace(plan.exact_of,
                      Named{std::string(id_of(plan.exact_of)), std::string(date_of(plan.exact_of)),
                            data_of(plan.exact_of)});
      }
    }
  }
  if (lock.owns_lock()) lock.unlock();
  for (const Plan& p : plans) {
    stats.near_candidates += p.lsh.size();
    stats.passage_candidates += p.passage.size();
  }
  stats.lookup_seconds += lap();

  // Candidates' names and data: the batch's own, the index's (read directly by the writer, from
  // the copies by a query).
  auto features_of = [&](std::uint32_t seq) {
    return pending.slots[plans[seq - base].slot].features;
  };
  auto candidate_id = [&](std::uint32_t seq) -> std::string_view {
    if (seq >= base) return corpus.id(pending.slots[plans[seq - base].slot].doc);
    return store ? id_of(seq) : std::string_view(named.at(seq).id);
  };
  auto candidate_date = [&](std::uint32_t seq) -> std::string_view {
    if (seq >= base) return corpus.date(pending.slots[plans[seq - base].slot].doc);
    return store ? date_of(seq) : std::string_view(named.at(seq).date);
  };
  auto candidate_data = [&](std::uint32_t seq) {
    return store ? data_of(seq) : named.at(seq).data;
  };

  // --- 2. verification and alignment, in parallel; add() encodes each document's data ------
  PairPassageOptions pair_options;
  pair_options.seed_words = static_cast<std::uint32_t>(options_.seed_words);
  pair_options.band = static_cast<std::uint32_t>(options_.band);
  pair_options.max_gap = static_cast<std::uint32_t>(options_.max_gap);
  pair_options.max_unmatched = static_cast<std::uint32_t>(options_.max_unmatched);
  pair_options.min_words = static_cast<std::uint32_t>(options_.min_words);
  pair_options.min_similarity = options_.min_similarity;
  pair_options.min_chain_seeds = 1;  // each seed a winnowed n-gram (index/anchor_seeds.h)
  std::vector<std::string> data(store ? plans.size() : 0);
  std::atomic<bool> damaged{false};
  std::atomic<std::uint64_t> holders_found{0};
  {
    Turns turns(plans.size(), 4);
    run_on_threads(workers_for(plans.size(), 4), [&](int) {
      std::vector<Seed> seeds;
      PairScratch scratch;
      std::vector<AlignedPair> pieces;
      std::vector<PassageHolder> holders;
      std::vector<std::pair<std::uint32_t, std::uint32_t>> here;  // holder's words in this doc
      std::vector<std::uint32_t> holder_seq, group;
      for (std::size_t first = 0, last = 0; turns.next(first, last);) {
        for (std::size_t k = first; k < last; ++k) {
          Plan& p = plans[k];
          const std::size_t f = pending.slots[p.slot].features;
          if (store) encode_data(feats, f, data[k]);
          const auto sig = feats.sig(f);
          for (const std::uint32_t c : p.lsh) {
            const double sim = estimate_jaccard(
                sig, c >= base ? feats.sig(features_of(c)) : candidate_data(c).signature());
            // A tiny slack absorbs float rounding, as verify_candidates() does.
            if (sim >= options_.lsh.threshold - 1e-6) {
              p.near.emplace_back(c, static_cast<float>(sim));
            }
          }
          if (p.passage.empty()) continue;
          const auto words = feats.words_of(f);
          const auto fps = feats.fingerprints_of(f);
          const auto b = feats.bytes_of(f);
          const auto cp = feats.code_points_of(f);
          holders.clear();
          here.clear();
          holder_seq.clear();
          // Each candidate's data is somewhere in the data log, most of it not in the caches: it
          // is prefetched a candidate ahead (their records first, all at once): up to 8 KiB from
          // its words on (the alignment; in the log they are followed by the fingerprints, then,
          // for documents of up to about a thousand words, the spans that the holders' spans
          // read), and whatever of its fingerprints (the seeds) lies past that. The words took
          // 10% off the compare step on 200,000 documents.
          auto prefetch_candidate = [&](std::uint32_t c) {
            if (c >= base) return;
            const DocData cd = candidate_data(c);
            const auto* words = reinterpret_cast<const char*>(cd.words);
            const auto* end = reinterpret_cast<const char*>(cd.end);
            const char* near_end = words + std::min<std::ptrdiff_t>(end - words, 8192);
            for (const char* at = words; at < near_end; at += 64) __builtin_prefetch(at);
            const auto fingerprints = std::as_bytes(cd.fingerprint_span());
            const auto* fp_begin = reinterpret_cast<const char*>(fingerprints.data());
            const char* fp_end = fp_begin + fingerprints.size();
            // (Not from near_end: past 8 KiB, the rest of a long document's words would come too.)
            for (const char* at = std::max(near_end, fp_begin); at < fp_end; at += 64) {
              __builtin_prefetch(at);
            }
          };
          if (store) {
            for (const std::uint32_t c : p.passage) {
              if (c < base) __builtin_prefetch(&docs_[c]);
            }
          }
          prefetch_candidate(p.passage.front());
          for (std::size_t next = 1; next <= p.passage.size(); ++next) {
            const std::uint32_t c = p.passage[next - 1];
            if (next < p.passage.size()) prefetch_candidate(p.passage[next]);
            const bool in_batch = c >= base;
            const DocData cdata = in_batch ? DocData{} : candidate_data(c);
            const auto cwords = in_batch ? feats.words_of(features_of(c)) : cdata.word_span();
            const auto cfps =
                in_batch ? feats.fingerprints_of(features_of(c)) : cdata.fingerprint_span();
            anchor_seeds(cfps, fps, c, p.seq, kMaxPlacesPerDoc, seeds);
            if (seeds.empty()) continue;
            pieces.clear();
            passages_of_pair(seeds, cwords, words, pair_options, scratch, pieces);
            holders_found += pieces.empty() ? 0 : 1;
            for (const AlignedPair& piece : pieces) {
              PassageHolder h;
              if (in_batch) {
                const std::size_t cf = features_of(c);
                const auto cb = feats.bytes_of(cf);
                const auto ccp = feats.code_points_of(cf);
                h.span = TextSpan{ccp[piece.a_begin].begin, ccp[piece.a_end - 1].end,
                                  cb[piece.a_begin].begin, cb[piece.a_end - 1].end,
                                  piece.a_end - piece.a_begin};
              } else if (!stored_span(cdata, piece.a_begin, piece.a_end, h.span)) {
                damaged = true;
                continue;
              }
              h.id = std::string(candidate_id(c));
              h.date = std::string(candidate_date(c));
              h.here =
                  TextSpan{cp[piece.b_begin].begin, cp[piece.b_end - 1].end, b[piece.b_begin].begin,
                           b[piece.b_end - 1].end, piece.b_end - piece.b_begin};
              h.similarity =
                  static_cast<float>(2.0 * piece.matches / (h.span.words + h.here.words));
              holders.push_back(std::move(h));
              here.emplace_back(piece.b_begin, piece.b_end);
              holder_seq.push_back(c);
            }
          }
          // Passages: the holders' stretches of this document, overlapping ones merged, cut
          // where a holder's stretch begins or ends (index/passage_pieces.h).
          Answer& answer = answers[p.slot];
          const std::string_view my_date = corpus.date(pending.slots[p.slot].doc);
          // The text in passages: a run of pieces with the spaces between them.
          std::uint64_t covered = 0, run_begin = 0, run_end = 0;
          std::uint32_t run_end_word = 0;
          for (const PassagePiece& piece : passage_pieces(here, pair_options.min_words)) {
            const std::uint32_t begin = piece.begin, end = piece.end;
            PassageAnswer pa;
            pa.span = TextSpan{cp[begin].begin, cp[end - 1].end, b[begin].begin, b[end - 1].end,
                               end - begin};
            if (pending.excerpt_chars > 0) {
              pa.excerpt = excerpt(feats.text_of(f).substr(pa.span.byte_begin,
                                                           pa.span.byte_end - pa.span.byte_begin),
                                   pending.excerpt_chars);
            }
            if (run_end == 0 || begin != run_end_word) {
              covered += run_end - run_begin;
              run_begin = pa.span.begin;
            }
            run_end = pa.span.end;
            run_end_word = end;
            // Its holders in the order they were added, each one's stretches in text order.
            group.assign(piece.holders.begin(), piece.holders.end());
            std::sort(group.begin(), group.end(), [&](std::uint32_t x, std::uint32_t y) {
              return holder_seq[x] != holder_seq[y] ? holder_seq[x] < holder_seq[y]
                                                    : here[x] < here[y];
            });
            for (const std::uint32_t x : group) pa.holders.push_back(holders[x]);  // may be in two
            // The earliest dated holder (in the order added among equals), or this document.
            const PassageHolder* src = nullptr;
            for (const PassageHolder& ph : pa.holders) {
              if (!ph.date.empty() && (src == nullptr || compare_dates(ph.date, src->date) < 0)) {
                src = &ph;
              }
            }
            if (src != nullptr && (my_date.empty() || compare_dates(src->date, my_date) <= 0)) {
              pa.source_id = src->id;
              pa.source_date = src->date;
            } else if (!my_date.empty()) {
              pa.source_id = answer.id;
              pa.source_date = std::string(my_date);
            }
            answer.passages.push_back(std::move(pa));
          }
          covered += run_end - run_begin;
          answer.new_code_points = answer.code_points - std::min(covered, answer.code_points);
        }
      }
    });
  }
  if (damaged) {
    return Status::IoError(fmt::format("{}: damaged word spans in the data log", path_));
  }
  stats.holders += holders_found;
  stats.compare_seconds += lap();

  // --- the answers -----------------------------------------------------------------------------
  for (Plan& p : plans) {
    Answer& a = answers[p.slot];
    std::sort(p.near.begin(), p.near.end(), [](const auto& x, const auto& y) {
      return x.second != y.second ? x.second > y.second : x.first < y.first;
    });
    if (p.exact_of != kNoSeq) {
      a.status = AnswerStatus::kExactDuplicate;
      a.duplicate_of = std::string(candidate_id(p.exact_of));
    } else {
      a.status = p.near.empty() ? AnswerStatus::kNew : AnswerStatus::kNearDuplicate;
    }
    for (const auto& [c, sim] : p.near) {
      a.near.push_back(NearMatch{std::string(candidate_id(c)), sim});
    }
  }
  if (!store || plans.empty()) return Status::Ok();
  lap();

  // --- 3. commit: the data, synced, then the records and the new end of the data ----------
  if (behind != nullptr) {
    // The batch before, committed in the meantime (its answers may then go out), or failed.
    if (Status before = behind->finish(); !before.ok()) {  // failed_ is set: writes refused
      behind->committing.clear();                          // not acknowledged
      return before;
    }
  }
  const std::uint64_t data_start = log_->end();
  std::vector<DocRecord> records(plans.size());
  // The batch's data in one buffer, kept between batches and sized first: growing a fresh one
  // by doubling had been half of the commit step (0.88 of 1.58 s on 200,000 documents).
  std::string& all_data = commit_buffer_;
  all_data.clear();
  {
    std::size_t total = 0;
    for (const std::string& d : data) total += d.size();
    all_data.reserve(total);
  }
  auto store_batch = std::make_unique<StoreBatch>();
  StoreBatch& batch = *store_batch;
  for (std::size_t k = 0; k < plans.size(); ++k) {
    const Plan& p = plans[k];
    const std::size_t f = pending.slots[p.slot].features;
    DocRecord& r = records[k];
    const std::uint32_t d = pending.slots[p.slot].doc;
    r.id = std::string(corpus.id(d));
    r.date = std::string(corpus.date(d));
    r.exact = feats.docs[f].exact;
    r.exact_of = p.exact_of;
    r.data = data_start + all_data.size();
    r.data_bytes = static_cast<std::uint32_t>(data[k].size());
    r.words = feats.docs[f].words;
    r.fingerprints = feats.docs[f].fingerprints;
    r.chars = feats.docs[f].chars;
    r.ascii = feats.docs[f].code_points_begin == kNoSpans;
    all_data += data[k];
    std::string().swap(data[k]);
    batch.put_doc(p.seq, r);
    for (const auto& [c, sim] : p.near) batch.put_pair(p.seq, c, sim);
  }
  const std::string now = now_utc();
  batch.put_meta("next_seq", std::to_string(base + plans.size()));
  batch.put_meta("added", std::to_string(added_ + plans.size()));
  batch.put_meta("last_change", now);
  batch.put_meta("data_end", std::to_string(data_start + all_data.size()));
  // Appended here, in any case: the next batch reads these documents' data from the log.
  Status committed = log_->append(all_data);
  if (all_data.capacity() > kKeptCommitBuffer) std::string().swap(all_data);  // a huge batch's
  commit_buffer_bytes_.store(all_data.capacity(), std::memory_order_relaxed);
  auto sync_and_commit = [this, store_batch = std::move(store_batch)]() {
    Status s = store_->sync() ? log_->sync() : Status::Ok();
    if (s.ok()) s = store_->commit(*store_batch);
    return s;
  };
  if (committed.ok() && behind != nullptr) {
    behind->start(std::move(sync_and_commit));
  } else if (committed.ok()) {
    committed = sync_and_commit();
  }
  if (!committed.ok()) {
    failed_ = true;  // whether the records reached the disk is not known: refuse more writes
    return committed;
  }
  stats.commit_seconds += lap();

  // --- 4. publish: the batch goes into the tables (bands and posting shards in parallel); then
  // it is acknowledged -----------------------------------------------------------------------
  std::unique_lock exclusive(mutex_);
  for (std::size_t k = 0; k < plans.size(); ++k) {
    remember(plans[k].seq, records[k].id, records[k].date, records[k]);
  }
  for (const Plan& p : plans) {
    if (p.exact_of == kNoSeq) {
      exact_map_.at(exact_[p.seq].lo) = p.seq + 1;
    }
    for (const auto& [c, sim] : p.near) {
      near_[p.seq].emplace_back(c, sim);
      near_[c].emplace_back(p.seq, sim);
      ++pairs_;
    }
    answers[p.slot].added = true;
  }
  // Each task's inserts in the order of the plans, gathered first so that each can be prefetched
  // some inserts ahead (kSlotAhead). The shards' in one pass over the fingerprints (each shard's
  // task had passed over all of them: 16 passes).
  std::array<std::vector<Posting>, ShardedPostings::kShards> shard_inserts;
  for (const Plan& p : plans) {
    const auto fps = feats.fingerprints_of(pending.slots[p.slot].features);
    for (std::size_t i = 0; i < fps.size(); ++i) {
      if (i == 0 || fps[i].fp != fps[i - 1].fp) {
        shard_inserts[ShardedPostings::shard_of(fps[i].fp)].push_back(Posting{fps[i].fp, p.seq});
      }
    }
  }
  const auto tasks = bands + ShardedPostings::kShards;
  Turns turns(tasks, 1);
  run_on_threads(workers_for(tasks, 1), [&](int) {
    std::vector<Keyed> band_inserts;
    for (std::size_t task = 0, last = 0; turns.next(task, last);) {
      if (task >= bands) {
        insert_all(postings_.shard(task - bands), shard_inserts[task - bands], index_earlier);
        continue;
      }
      band_inserts.clear();
      for (const Plan& p : plans) {
        if (p.exact_of == kNoSeq) {
          band_inserts.push_back(Keyed{feats.keys(pending.slots[p.slot].features)[task], p.seq});
        }
      }
      insert_all(buckets_, static_cast<int>(task), band_inserts);
    }
  });
  added_ += plans.size();
  last_change_ = now;
  stats.publish_seconds += lap();
  return Status::Ok();
}

// ---- remove --------------------------------------------------------------------------------

Result<std::uint64_t> IndexImpl::remove(std::span<const std::string> ids) {
  if (open_.read_only) return Status::InvalidArgument(fmt::format("{} is open read-only", path_));
  std::lock_guard write(write_mutex_);
  if (failed_) {
    return Status::IoError(fmt::format("{}: an earlier write failed; open the index again", path_));
  }
  std::uint64_t removed = 0;
  for (const std::string& id : ids) {
    const std::uint32_t seq = seq_of(id);
    if (seq == kNoSeq || !docs_[seq].alive) continue;
    DOPPEL_RETURN_IF_ERROR(remove_one(seq));
    ++removed;
  }
  return removed;
}

// Removes one document. When it is the first of several with the same text, the next of them
// takes its place: in its LSH buckets and in its near-duplicate pairs.
Status IndexImpl::remove_one(std::uint32_t seq) {
  const bool canonical = docs_[seq].exact_of == kNoSeq;
  std::uint32_t heir = kNoSeq;
  std::vector<std::uint32_t> copies;
  if (canonical) {
    if (const auto it = dups_.find(seq); it != dups_.end()) copies = it->second;
    if (!copies.empty()) heir = copies.front();
  }
  StoreBatch batch;
  batch.delete_doc(seq);
  for (const auto& [other, sim] : near_[seq]) {
    batch.delete_pair(std::max(seq, other), std::min(seq, other));
    if (heir != kNoSeq) batch.put_pair(std::max(heir, other), std::min(heir, other), sim);
  }
  for (const std::uint32_t c : copies) {
    auto rec = store_->get_doc(c);
    if (!rec.ok()) return rec.status();
    if (!rec->has_value()) continue;
    DocRecord cr = std::move(**rec);
    cr.exact_of = c == heir ? kNoSeq : heir;
    batch.put_doc(c, cr);
  }
  const std::string now = now_utc();
  batch.put_meta("removed", std::to_string(removed_ + 1));
  batch.put_meta("last_change", now);
  if (Status s = store_->commit(batch); !s.ok()) {
    failed_ = true;
    return s;
  }
  const DocData data = data_of(seq);
  std::unique_lock exclusive(mutex_);
  const EarlierFn earlier = [this](std::uint32_t a, std::uint32_t b) {
    return this->earlier(a, b);
  };
  postings_.erase_all(data.fingerprint_span(), seq, earlier);
  ids_.erase(id_of(seq), [this](std::uint32_t s) { return id_of(s); });
  if (canonical) {
    const auto keys = band_keys_of(data.signature());
    for (int b = 0; b < shape_.bands; ++b) {
      buckets_.erase(b, keys[static_cast<std::size_t>(b)], seq, heir);
    }
    if (std::uint32_t* v = exact_map_.find(exact_[seq].lo); v != nullptr && *v == seq + 1) {
      *v = heir == kNoSeq ? FlatMap<std::uint64_t>::kDead : heir + 1;
    }
    dups_.erase(seq);
    if (heir != kNoSeq) {
      docs_[heir].exact_of = kNoSeq;
      copies.erase(copies.begin());
      for (const std::uint32_t c : copies) docs_[c].exact_of = heir;
      if (!copies.empty()) dups_[heir] = copies;
    }
  } else {
    auto& list = dups_[docs_[seq].exact_of];
    list.erase(std::remove(list.begin(), list.end(), seq), list.end());
  }
  for (const auto& [other, sim] : near_[seq]) {
    auto& back = near_[other];
    back.erase(
        std::remove_if(back.begin(), back.end(), [&](const auto& e) { return e.first == seq; }),
        back.end());
    if (heir != kNoSeq) {
      back.emplace_back(heir, sim);
      near_[heir].emplace_back(other, sim);
    } else {
      --pairs_;
    }
  }
  std::vector<std::pair<std::uint32_t, float>>().swap(near_[seq]);
  docs_[seq].alive = false;
  --alive_;
  ++removed_;
  last_change_ = now;
  return Status::Ok();
}

// ---- reading -------------------------------------------------------------------------------

std::vector<std::uint32_t> IndexImpl::cluster_of(std::uint32_t seq) const {
  std::vector<std::uint32_t> members{seq};
  std::unordered_set<std::uint32_t> seen{seq};
  for (std::size_t i = 0; i < members.size(); ++i) {
    const std::uint32_t d = members[i];
    auto visit = [&](std::uint32_t x) {
      if (docs_[x].alive && seen.insert(x).second) members.push_back(x);
    };
    if (docs_[d].exact_of != kNoSeq) visit(docs_[d].exact_of);
    if (const auto it = dups_.find(d); it != dups_.end()) {
      for (const std::uint32_t x : it->second) visit(x);
    }
    for (const auto& [x, sim] : near_[d]) visit(x);
  }
  std::sort(members.begin(), members.end());
  return members;
}

Result<std::optional<DocumentRecord>> IndexImpl::get(std::string_view id) const {
  std::shared_lock lock(mutex_);
  const std::uint32_t seq = seq_of(id);
  if (seq == kNoSeq || !docs_[seq].alive) return std::optional<DocumentRecord>();
  DocumentRecord r;
  r.id = std::string(id_of(seq));
  r.date = std::string(date_of(seq));
  r.seq = seq;
  r.code_points = docs_[seq].chars;
  r.words = docs_[seq].words;
  if (docs_[seq].exact_of != kNoSeq) r.exact_of = std::string(id_of(docs_[seq].exact_of));
  auto near = near_[seq];
  std::sort(near.begin(), near.end(), [](const auto& x, const auto& y) {
    return x.second != y.second ? x.second > y.second : x.first < y.first;
  });
  for (const auto& [x, sim] : near) r.near.push_back(NearMatch{std::string(id_of(x)), sim});
  for (const std::uint32_t m : cluster_of(seq)) r.cluster.emplace_back(id_of(m));
  return std::optional<DocumentRecord>(std::move(r));
}

IndexStats IndexImpl::stats() const {
  std::shared_lock lock(mutex_);
  IndexStats st;
  st.documents = alive_;
  st.added = added_;
  st.removed = removed_;
  st.near_pairs = pairs_;
  st.fingerprints = postings_.postings();
  st.disk_bytes = store_->disk_bytes();
  st.memory_bytes = buckets_.memory_bytes() + postings_.memory_bytes() + exact_map_.memory_bytes() +
                    ids_.memory_bytes() +
                    docs_.capacity() * (sizeof(DocState) + sizeof(ExactHash)) +
                    date_keys_.capacity() * sizeof(DateKey) +
                    commit_buffer_bytes_.load(std::memory_order_relaxed) + strings_.capacity() +
                    near_.capacity() * sizeof(decltype(near_)::value_type);
  for (const auto& v : near_) st.memory_bytes += v.capacity() * sizeof(v.front());
  st.created = created_;
  st.last_change = last_change_;
  st.format_version = format_version_;
  st.icu_version = icu_version_;
  st.options = options_;
  st.bands = shape_.bands;
  st.rows = shape_.rows;
  st.open_seconds = open_seconds_;
  return st;
}

// The index as `doppel dedup` would report it: its documents in seq order as a corpus, the
// clusters by the cluster stage (--keep first), each member's likeness to the representative.
class DedupView {
 public:
  DedupView(const std::vector<DocState>& docs, const std::vector<ExactHash>& exact,
            const std::string& strings,
            const std::vector<std::vector<std::pair<std::uint32_t, float>>>& near,
            const std::function<DocData(std::uint32_t)>& data_of) {
    for (std::uint32_t s = 0; s < docs.size(); ++s) {
      if (!docs[s].alive) continue;
      index_of_.emplace(s, static_cast<std::uint32_t>(seqs_.size()));
      seqs_.push_back(s);
    }
    Corpus& c = result_.corpus;
    for (const std::uint32_t s : seqs_) {
      Document d;
      d.id_begin = c.strings.size();
      d.id_size = docs[s].id_size;
      d.date_size = docs[s].date_size;
      c.strings.append(strings, docs[s].str, std::size_t{docs[s].id_size} + docs[s].date_size);
      c.docs.push_back(d);
    }
    const auto n = static_cast<std::uint32_t>(seqs_.size());
    UnionFind sets(n);
    std::vector<std::uint8_t> in_play(n, 1);
    for (std::uint32_t i = 0; i < n; ++i) {
      const std::uint32_t s = seqs_[i];
      if (docs[s].exact_of != kNoSeq) sets.unite(index_of_.at(docs[s].exact_of), i);
      for (const auto& [x, sim] : near[s]) {
        if (x < s) result_.pairs.push_back(NearPair{index_of_.at(x), i, sim});
      }
    }
    std::sort(result_.pairs.begin(), result_.pairs.end(), [](const NearPair& x, const NearPair& y) {
      return x.a != y.a ? x.a < y.a : x.b < y.b;
    });
    for (const NearPair& p : result_.pairs) sets.unite(p.a, p.b);
    const Components components = collect_clusters(sets, in_play);
    result_.members = components.members;
    result_.docs.resize(n);
    auto same_text = [&](std::uint32_t a, std::uint32_t b) {
      return exact[seqs_[a]] == exact[seqs_[b]];
    };
    auto similarity = [&](std::uint32_t a, std::uint32_t b) {
      return estimate_jaccard(data_of(seqs_[a]).signature(), data_of(seqs_[b]).signature());
    };
    std::vector<Likeness> likeness;
    for (std::uint32_t k = 0; k < components.count(); ++k) {
      const auto members = components.of(k);
      Cluster cl{0, components.begin[k], static_cast<std::uint32_t>(members.size()), true};
      cl.representative = choose_representative(c, members, KeepPolicy::kFirst);
      likeness.resize(members.size());
      likeness_to_representative(members, cl.representative, same_text, similarity,
                                 std::span(likeness));
      for (std::size_t m = 0; m < members.size(); ++m) {
        DedupDocument& doc = result_.docs[members[m]];
        doc.cluster = k;
        doc.exact = likeness[m].exact;
        doc.similarity = likeness[m].similarity;
        cl.all_exact = cl.all_exact && doc.exact;
      }
      result_.clusters.push_back(cl);
    }
  }
  const DedupResult& result() const { return result_; }

 private:
  std::vector<std::uint32_t> seqs_;
  std::unordered_map<std::uint32_t, std::uint32_t> index_of_;
  DedupResult result_;
};

Status IndexImpl::write_pairs(OutputStream& out) const {
  std::shared_lock lock(mutex_);
  const DedupView view(docs_, exact_, strings_, near_,
                       [this](std::uint32_t s) { return data_of(s); });
  return doppel::write_pairs(view.result(), out);
}

Status IndexImpl::write_clusters(OutputStream& out) const {
  std::shared_lock lock(mutex_);
  const DedupView view(docs_, exact_, strings_, near_,
                       [this](std::uint32_t s) { return data_of(s); });
  return doppel::write_clusters(view.result(), out);
}

}  // namespace

// ---- opening -------------------------------------------------------------------------------

Result<std::optional<IndexOptions>> Index::stored_options(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path + "/db/CURRENT", ec)) return std::optional<IndexOptions>();
  auto store = Store::open(path, false, true, false);
  if (!store.ok()) return store.status();
  auto text = (*store)->get_meta("options");
  if (!text.ok()) return text.status();
  if (!text->has_value()) return std::optional<IndexOptions>();
  auto o = parse_options(**text);
  if (!o.ok()) return o.status();
  return std::optional<IndexOptions>(*o);
}

Result<std::unique_ptr<Index>> Index::open(const std::string& path, const IndexOptions& options,
                                           const IndexOpenOptions& open_options) {
  DOPPEL_RETURN_IF_ERROR(validate_options(options));
  if (open_options.threads < 0 || open_options.threads > kMaxThreads) {
    return Status::InvalidArgument(fmt::format("`threads` must be in [0, {}]", kMaxThreads));
  }
  auto store =
      Store::open(path, open_options.create_if_missing, open_options.read_only, open_options.sync);
  if (!store.ok()) return store.status();
  auto format = (*store)->get_meta("format");
  if (!format.ok()) return format.status();
  IndexOptions in_force = options;
  int format_version = kIndexFormatVersion;
  if (!format->has_value()) {
    if (open_options.read_only) return Status::IoError(fmt::format("{}: no index there", path));
    const std::string created = now_utc();
    StoreBatch batch;
    batch.put_meta("format", std::to_string(kIndexFormatVersion));
    batch.put_meta("options", to_string(options));
    batch.put_meta("created", created);
    batch.put_meta("last_change", created);
    batch.put_meta("icu", icu_version());
    batch.put_meta("next_seq", "0");
    batch.put_meta("data_end", "0");
    DOPPEL_RETURN_IF_ERROR((*store)->commit(batch));
  } else {
    // Version 1 differs from 2 only in its signatures (BorrowedBins::kCopied), which it keeps
    // making; 1 and 2 from 3 in U+200B, which they keep removing; 1 to 3 from 4 in CJK letters,
    // a run of which they keep as one word (store.h).
    for (int v = 1; v < kIndexFormatVersion; ++v) {
      if (**format == std::to_string(v)) format_version = v;
    }
    if (format_version == kIndexFormatVersion && **format != std::to_string(kIndexFormatVersion)) {
      return Status::InvalidArgument(
          fmt::format("{}: index format version {}; this doppel reads versions 1 to {}", path,
                      **format, kIndexFormatVersion));
    }
    auto text = (*store)->get_meta("options");
    if (!text.ok()) return text.status();
    auto stored = parse_options(text->value_or(""));
    if (!stored.ok()) return stored.status();
    const std::string diffs = option_differences(*stored, options, open_options.must_match);
    if (!diffs.empty()) {
      return Status::InvalidArgument(fmt::format(
          "{} was created with other matching options: {}; an index keeps the options it was "
          "created with (leave them out, or make a new index)",
          path, diffs));
    }
    in_force = *stored;
    in_force.normalize.zero_width_space_breaks = format_version >= 3;
    in_force.normalize.cjk_characters_are_words = format_version >= 4;
    in_force.normalize.dictionary_words = format_version >= 5;
  }
  auto index =
      std::make_unique<IndexImpl>(path, in_force, open_options, format_version, std::move(*store));
  DOPPEL_RETURN_IF_ERROR(index->load());
  return std::unique_ptr<Index>(std::move(index));
}

std::string icu_version_warning(const IndexStats& stats) {
  const std::string now = icu_version();
  const NormalizeOptions& n = stats.options.normalize;
  if (!(n.dictionary_words || n.han_simplified) || stats.icu_version.empty() ||
      stats.icu_version == now) {
    return "";
  }
  return fmt::format(
      "the index was made with ICU {}, this doppel has ICU {}: Thai, Lao, Khmer and Myanmar text{} "
      "may be read into words a little differently from its stored documents, and then match "
      "them less well (an index made anew agrees with itself)",
      stats.icu_version, now,
      n.han_simplified ? " (and traditional Chinese, which the step hans reads as simplified)"
                       : "");
}

bool earlier_by_date(std::string_view date_a, std::uint32_t a, std::string_view date_b,
                     std::uint32_t b) {
  if (date_a.empty() != date_b.empty()) return date_b.empty();  // dated documents come first
  const int by_date = compare_dates(date_a, date_b);
  if (by_date != 0) return by_date < 0;
  return a < b;
}

DateKey date_key(std::string_view written) {
  DateBuffer buffer;
  const std::string_view date = sortable_date(written, buffer);
  std::array<unsigned char, DateKey::kBytes> bytes{};
  if (!date.empty()) {  // (an empty view's data() may be null)
    std::memcpy(bytes.data(), date.data(), std::min<std::size_t>(date.size(), bytes.size()));
  }
  DateKey key;
  for (std::size_t i = 0; i < 8; ++i) {
    key.high = key.high << 8 | bytes[i];
    key.mid = key.mid << 8 | bytes[8 + i];
    key.low = key.low << 8 | bytes[16 + i];
  }
  key.size = static_cast<std::uint32_t>(std::min<std::size_t>(date.size(), DateKey::kBytes + 1));
  return key;
}

int earlier_by_key(const DateKey& x, std::uint32_t a, const DateKey& y, std::uint32_t b) {
  if ((x.size == 0) != (y.size == 0)) return y.size == 0 ? 1 : 0;  // dated documents first
  if (x.high != y.high) return x.high < y.high ? 1 : 0;
  if (x.mid != y.mid) return x.mid < y.mid ? 1 : 0;
  if (x.low != y.low) return x.low < y.low ? 1 : 0;
  if (x.size <= DateKey::kBytes || y.size <= DateKey::kBytes) {
    // Alike up to the shorter's end, zero-padded: the shorter is the longer's first bytes (a
    // prefix: it sorts first), or the two are equal.
    if (x.size != y.size) return x.size < y.size ? 1 : 0;
    return a < b ? 1 : 0;
  }
  return -1;
}

}  // namespace doppel
