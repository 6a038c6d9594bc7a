// The read stage shared by every job. Each thread takes the next batch from the reader under a
// lock, parses and normalizes its documents and hands each readable one to the job's parts (a
// part sketches it, another keeps its words), with no lock held; finished batches are merged in
// input order, so that documents are numbered in input order whatever the thread timing.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "corpus/corpus_source.h"
#include "corpus/document_table.h"
#include "doppel/corpus.h"
#include "doppel/status.h"
#include "input/batch_reader.h"
#include "util/progress.h"
#include "util/threads.h"

namespace doppel {

// A readable document as the parts see it.
struct PreparedDoc {
  const InputFile& file;
  const Batch& batch;
  const RawDoc& raw;
  const ParsedDoc& parsed;
  const NormalizedText& norm;
};

// `make_worker()` builds one worker per thread; `worker.process(const Batch&, Out&)` fills an
// Out (which has a `docs` vector); `merge(Out&)` runs under a lock, in batch order, and may fail,
// which stops the reading. Out values are recycled to keep their buffers.
template <typename Out, typename MakeWorker, typename Merge>
Status read_in_parallel(BatchReader& reader, int threads, ProgressSink& progress,
                        MakeWorker make_worker, Merge merge) {
  std::mutex read_mutex, merge_mutex;
  bool input_done = false;
  std::atomic<bool> failed{false};
  std::atomic<std::uint64_t> merged_docs{0};  // for the progress bar, read outside merge_mutex
  std::uint64_t merged_count = 0;
  Status failure;
  std::uint64_t next_seq = 0, read_seq = 0;
  std::map<std::uint64_t, Out> waiting;  // batches finished ahead of their turn
  std::vector<Out> spare;                // merged batches, their buffers kept for reuse

  auto work = [&] {
    auto worker = make_worker();
    Batch batch;
    for (;;) {
      {
        std::lock_guard lock(read_mutex);
        if (input_done || failed) return;
        if (!reader.next(batch)) {
          input_done = true;
          return;
        }
        batch.seq = read_seq++;
        progress.update(reader.consumed_bytes(), merged_docs.load(std::memory_order_relaxed));
      }
      Out out;
      {
        std::lock_guard lock(merge_mutex);
        if (!spare.empty()) {
          out = std::move(spare.back());
          spare.pop_back();
        }
      }
      worker.process(batch, out);
      std::lock_guard lock(merge_mutex);
      waiting.emplace(batch.seq, std::move(out));
      for (auto it = waiting.find(next_seq); it != waiting.end(); it = waiting.find(next_seq)) {
        if (!failed) {
          if (Status s = merge(it->second); !s.ok()) {
            failure = std::move(s);
            failed = true;
          }
        }
        merged_count += it->second.docs.size();
        merged_docs.store(merged_count, std::memory_order_relaxed);
        spare.push_back(std::move(it->second));
        waiting.erase(it);
        ++next_seq;
      }
    }
  };
  run_on_threads(threads, [&](int) { work(); });
  progress.finish();
  return failed ? failure : Status::Ok();
}

// How the read stage runs; it reads with the source's ReadOptions.
struct ReadStageOptions {
  const NormalizeOptions* normalize = nullptr;
  int threads = 1;
  bool progress = false;
  std::string_view label;  // of the progress bar: the job's name
  bool require_documents = true;
  // A distributed run's: progress goes to the whole job's bar instead of this process's, and
  // ids are checked by all processes together afterwards (see DocumentTable).
  ProgressSink* job_progress = nullptr;
  std::vector<std::uint8_t>* ids_read = nullptr;
  std::string* text_field_hint = nullptr;  // receives DocumentTable::text_field_hint()
};

namespace read_stage_detail {

template <typename... Parts>
struct Out {
  std::vector<DocOut> docs;
  std::vector<ReadProblem> file_problems;
  std::uint64_t blank_lines = 0, bytes = 0;
  std::tuple<typename Parts::Batch...> data;
};

template <typename... Parts>
struct Worker {
  std::span<const InputFile> files;
  DocumentPreparer preparer;
  NormalizedText norm;
  std::tuple<typename Parts::Worker...> workers;
  void process(const Batch& batch, Out<Parts...>& out) {
    out.docs.resize(batch.docs.size());
    out.file_problems = batch.file_problems;
    out.blank_lines = batch.blank_lines;
    out.bytes = batch.bytes;
    process_parts(batch, out, std::index_sequence_for<Parts...>{});
  }
  template <std::size_t... K>
  void process_parts(const Batch& batch, Out<Parts...>& out, std::index_sequence<K...>) {
    (std::get<K>(workers).begin(batch, std::get<K>(out.data)), ...);
    for (std::size_t i = 0; i < batch.docs.size(); ++i) {
      const RawDoc& raw = batch.docs[i];
      const InputFile& file = files[raw.input];
      if (!preparer.prepare(batch, raw, file, out.docs[i], norm)) continue;
      const PreparedDoc doc{file, batch, raw, preparer.parsed(), norm};
      (std::get<K>(workers).add(i, doc, std::get<K>(out.data)), ...);
    }
  }
};

// A part's merge() returns void, or a Status that stops the reading when it is not OK.
template <typename Part, typename Data>
Status merge_part(Part& part, Data& data, std::size_t i, bool readable) {
  if constexpr (std::is_same_v<decltype(part.merge(data, i, readable)), Status>) {
    return part.merge(data, i, readable);
  } else {
    part.merge(data, i, readable);
    return Status::Ok();
  }
}

template <typename... Parts, std::size_t... K>
Status merge_parts(std::tuple<Parts&...>& parts, Out<Parts...>& out, std::size_t i, bool readable,
                   std::index_sequence<K...>) {
  Status status;
  // In order, stopping at the first part that fails.
  (void)(((status = merge_part(std::get<K>(parts), std::get<K>(out.data), i, readable)).ok()) &&
         ...);
  return status;
}

}  // namespace read_stage_detail

// Reads every document of `source` into `corpus` (its files, documents, problems and counts)
// and gives each readable one to every part. A Part has:
//   struct Batch;               per batch, recycled between batches
//   struct Worker;              per thread:
//     void begin(const doppel::Batch&, Batch&)                 before a batch's documents
//     void add(std::size_t i, const PreparedDoc&, Batch&)      readable document i of the batch
//   Worker make_worker();
//   void merge(Batch&, std::size_t i, bool readable)           document i, in input order, under
//                               the merge lock; `readable` is false for bad input, including a
//                               duplicate id the table found. It may return a Status instead,
//                               which stops the reading when it is not OK (the index commits
//                               batches of documents from its merge).
template <typename... Parts>
Status read_corpus(const CorpusSource& source, const ReadStageOptions& options,
                   const ProblemCallback& on_problem, Corpus& corpus, Parts&... parts) {
  using Out = read_stage_detail::Out<Parts...>;
  using Worker = read_stage_detail::Worker<Parts...>;
  auto reader = source.read();
  if (!reader.ok()) return reader.status();
  corpus.inputs = source.file_infos();
  const ReadOptions& read = source.read_options();
  DocumentTable table(corpus, source.files(), read, on_problem, options.ids_read);
  ProgressBar bar(std::string(options.label), (*reader)->total_bytes(),
                  options.progress && options.job_progress == nullptr);
  ProgressSink& progress = options.job_progress != nullptr ? *options.job_progress : bar;
  std::tuple<Parts&...> part_refs(parts...);
  auto merge = [&](Out& out) -> Status {
    if (read.stop != nullptr && read.stop->load(std::memory_order_relaxed)) {
      return Status::Cancelled("stopped (ReadOptions::stop)");
    }
    DOPPEL_RETURN_IF_ERROR(table.add_batch(out.file_problems, out.blank_lines, out.bytes));
    for (std::size_t i = 0; i < out.docs.size(); ++i) {
      DOPPEL_RETURN_IF_ERROR(table.add(out.docs[i]));
      const bool readable = corpus.docs.back().status == ReadStatus::kOk;
      DOPPEL_RETURN_IF_ERROR(read_stage_detail::merge_parts(part_refs, out, i, readable,
                                                            std::index_sequence_for<Parts...>{}));
    }
    return Status::Ok();
  };
  DOPPEL_RETURN_IF_ERROR(read_in_parallel<Out>(
      **reader, options.threads, progress,
      [&] {
        return Worker{source.files(),
                      DocumentPreparer(read, *options.normalize),
                      {},
                      std::tuple<typename Parts::Worker...>(parts.make_worker()...)};
      },
      merge));
  if (options.text_field_hint != nullptr) *options.text_field_hint = table.text_field_hint();
  return table.finish(options.require_documents);
}

}  // namespace doppel
