// The reuse job: wires the stages together. Reading and normalizing run on every thread (the
// shared read stage); seeds are found by one sort of every word n-gram; alignment runs on every
// thread over disjoint document pairs; grouping into clusters runs on the merged pairs.
#include "doppel/reuse.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <mutex>

#include "align/local_align.h"
#include "io/input.h"
#include "passages/passage_clusters.h"
#include "passages/seeds.h"
#include "pipeline/document_table.h"
#include "pipeline/parallel_read.h"
#include "text/normalize.h"
#include "util/huge_pages.h"
#include "util/progress.h"
#include "util/threads.h"

namespace doppel {
namespace {

// Where a word lies in its document's source text: bytes, or code points.
struct WordSpan {
  std::uint32_t begin = 0, end = 0;
};

// Where the reading threads put documents' words: arrays reserved large and filled from the front
// (reserved room is address space only, so a chunk costs what is written into it), each
// document's words contiguous, never moved once written. A thread fills its own chunk; the
// store owns all of them until the job ends. (Arrays per batch left the last, partly filled
// 2 MiB huge page of each array resident: 4 MB of Reuters' 67 MB after reading.)
struct WordChunk {
  HugeVector<std::uint32_t> words;  // word hashes
  HugeVector<WordSpan> bytes;       // one per word
  // Code points of the words of documents that are not all ASCII (in the others they equal the
  // bytes): most corpora need none.
  HugeVector<WordSpan> code_points;
};

class WordStore {
 public:
  // A new chunk with room for at least `words` words in each array. Thread-safe.
  WordChunk* new_chunk(std::size_t words) {
    auto chunk = std::make_unique<WordChunk>();
    const std::size_t room = std::max(words, kChunkWords);
    chunk->words.reserve(room);
    chunk->bytes.reserve(room);
    chunk->code_points.reserve(room);
    std::lock_guard lock(mutex_);
    chunks_.push_back(std::move(chunk));
    return chunks_.back().get();
  }

 private:
  static constexpr std::size_t kChunkWords = std::size_t{4} << 20;  // 16 MiB of hashes
  std::mutex mutex_;
  std::vector<std::unique_ptr<WordChunk>> chunks_;
};

// A document's words and their places, in a WordChunk.
struct DocWords {
  const std::uint32_t* words = nullptr;
  const WordSpan* bytes = nullptr;
  const WordSpan* code_points = nullptr;  // null: the same as the bytes (all ASCII)
  std::uint32_t count = 0;
};

struct ReuseBatchOut {
  std::vector<DocOut> docs;
  std::vector<DocWords> words;       // per document
  std::vector<std::uint64_t> chars;  // per document: code points of the source text
  std::vector<Problem> file_problems;
  std::uint64_t blank_lines = 0, bytes_read = 0;
};

// Code points before each byte offset, for increasing offsets: one pass over the text.
class CodePointCounter {
 public:
  explicit CodePointCounter(std::string_view text) : text_(text) {}
  std::uint32_t at(std::size_t byte) {
    for (; pos_ < byte && pos_ < text_.size(); ++pos_) {
      count_ += (static_cast<unsigned char>(text_[pos_]) & 0xc0) != 0x80;
    }
    return count_;
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  std::uint32_t count_ = 0;
};

std::uint64_t count_code_points(std::string_view text) {
  std::uint64_t n = 0;
  for (const char c : text) n += (static_cast<unsigned char>(c) & 0xc0) != 0x80;
  return n;
}

class ReuseWorker {
 public:
  ReuseWorker(const ReuseOptions& options, const std::vector<InputFile>& files, WordStore& store)
      : files_(files), store_(store), preparer_(options.read, options.normalize) {}

  void process(const Batch& batch, ReuseBatchOut& out) {
    out.docs.resize(batch.docs.size());
    out.words.assign(batch.docs.size(), DocWords{});
    out.chars.assign(batch.docs.size(), 0);
    out.file_problems = batch.file_problems;
    out.blank_lines = batch.blank_lines;
    out.bytes_read = batch.bytes;
    for (std::size_t i = 0; i < batch.docs.size(); ++i) {
      const RawDoc& raw = batch.docs[i];
      const InputFile& file = files_[raw.input];
      if (!preparer_.prepare(batch, raw, file, out.docs[i], norm_)) continue;
      const ParsedDoc& parsed = preparer_.parsed();
      // The source text: the JSON text field, or the whole text file (header included).
      const std::string_view source =
          file.format == InputFormat::kText ? batch.doc_bytes(raw) : parsed.text;
      const auto base =
          static_cast<std::uint32_t>(file.format == InputFormat::kText ? parsed.text_offset : 0);
      const std::size_t n = norm_.tokens.size();
      if (chunk_ == nullptr || chunk_->words.capacity() - chunk_->words.size() < n) {
        chunk_ = store_.new_chunk(n);
      }
      DocWords& at = out.words[i];
      at.count = static_cast<std::uint32_t>(n);
      at.words = chunk_->words.data() + chunk_->words.size();
      at.bytes = chunk_->bytes.data() + chunk_->bytes.size();
      for (const std::uint64_t h : norm_.hashes) {
        chunk_->words.push_back(static_cast<std::uint32_t>(h ^ (h >> 32)));
      }
      for (const Token& tok : norm_.tokens) {
        chunk_->bytes.push_back(WordSpan{base + tok.src_begin, base + tok.src_end});
      }
      out.chars[i] = count_code_points(source);
      if (out.chars[i] != source.size()) {
        at.code_points = chunk_->code_points.data() + chunk_->code_points.size();
        CodePointCounter cps(source);
        for (const Token& tok : norm_.tokens) {
          chunk_->code_points.push_back(
              WordSpan{cps.at(base + tok.src_begin), cps.at(base + tok.src_end)});
        }
      }
    }
  }

 private:
  const std::vector<InputFile>& files_;
  WordStore& store_;
  WordChunk* chunk_ = nullptr;  // this thread's, being filled
  DocumentPreparer preparer_;
  NormalizedText norm_;
};

// An alignment's equal words, cut where more than `max_unmatched` words of either document pass
// without a match: local alignment happily bridges a new sentence between two reused ones.
void split_at_unmatched(std::uint32_t a, std::uint32_t b, std::span<const Anchor> matched,
                        std::uint32_t max_unmatched, std::vector<AlignedPair>& pieces) {
  for (std::size_t i = 0; i < matched.size();) {
    std::size_t j = i + 1;
    while (j < matched.size() && matched[j].a - matched[j - 1].a - 1 <= max_unmatched &&
           matched[j].b - matched[j - 1].b - 1 <= max_unmatched) {
      ++j;
    }
    pieces.push_back(AlignedPair{a, b, matched[i].a, matched[j - 1].a + 1, matched[i].b,
                                 matched[j - 1].b + 1, static_cast<std::uint32_t>(j - i)});
    i = j;
  }
}

// Alignments of one document pair that overlap, or lie within max_unmatched words of each other
// in both documents, are one reused passage (a passage with reordered sentences aligns in pieces).
void merge_pieces(std::vector<AlignedPair>& pieces, std::uint32_t max_gap) {
  auto near = [&](std::uint32_t b1, std::uint32_t e1, std::uint32_t b2, std::uint32_t e2) {
    return b1 <= e2 + max_gap && b2 <= e1 + max_gap;
  };
  auto intersect = [](std::uint32_t b1, std::uint32_t e1, std::uint32_t b2, std::uint32_t e2) {
    return b1 < e2 && b2 < e1;
  };
  auto near_both = [&](const AlignedPair& m, const AlignedPair& p) {
    return near(m.a_begin, m.a_end, p.a_begin, p.a_end) &&
           near(m.b_begin, m.b_end, p.b_begin, p.b_end);
  };
  // Always the first piece that has a near one, with the first near one after it: the pieces
  // before i have none. A merge only grows piece i, so a piece before i can only have become near
  // piece i; the first such is the next to merge. (Restarting from the first piece after every
  // merge gave the same merges in cubic time: 0.1 s of 20 Newsgroups' 0.36 s of alignment.)
  for (std::size_t i = 0; i < pieces.size();) {
    std::size_t j = i + 1;
    while (j < pieces.size() && !near_both(pieces[i], pieces[j])) ++j;
    if (j == pieces.size()) {
      ++i;
      continue;
    }
    AlignedPair& m = pieces[i];
    const AlignedPair p = pieces[j];
    // Pieces that share words align some of them twice: keep the better count.
    const bool overlap = intersect(m.a_begin, m.a_end, p.a_begin, p.a_end) ||
                         intersect(m.b_begin, m.b_end, p.b_begin, p.b_end);
    m.matches = overlap ? std::max(m.matches, p.matches) : m.matches + p.matches;
    m.a_begin = std::min(m.a_begin, p.a_begin);
    m.a_end = std::max(m.a_end, p.a_end);
    m.b_begin = std::min(m.b_begin, p.b_begin);
    m.b_end = std::max(m.b_end, p.b_end);
    pieces.erase(pieces.begin() + static_cast<long>(j));
    for (std::size_t k = 0; k < i; ++k) {
      if (near_both(pieces[k], pieces[i])) {
        i = k;
        break;
      }
    }
  }
  std::sort(pieces.begin(), pieces.end(), [](const AlignedPair& x, const AlignedPair& y) {
    return x.a_begin != y.a_begin ? x.a_begin < y.a_begin : x.b_begin < y.b_begin;
  });
}

}  // namespace

Status validate_options(const ReuseOptions& o) {
  if (o.seed_words < 1 || o.seed_words > 64) {
    return Status::InvalidArgument("--seed-words must be in [1, 64]");
  }
  if (o.min_words < o.seed_words) {
    return Status::InvalidArgument(fmt::format(
        "--min-words must be at least --seed-words ({}): a passage holds one seed or more",
        o.seed_words));
  }
  if (!(o.min_similarity >= 0.0 && o.min_similarity <= 1.0)) {
    return Status::InvalidArgument("--min-similarity must be in [0, 1]");
  }
  if (o.band < 0 || o.band > 1000) return Status::InvalidArgument("--band must be in [0, 1000]");
  if (o.max_unmatched < 0 || o.max_unmatched > 10000) {
    return Status::InvalidArgument("--max-unmatched must be in [0, 10000]");
  }
  if (o.max_gap < 1 || o.max_gap > 10000) {
    return Status::InvalidArgument("--max-gap must be in [1, 10000]");
  }
  if (o.all_pairs_docs < 2) return Status::InvalidArgument("--all-pairs-docs must be >= 2");
  if (o.min_docs < 2) return Status::InvalidArgument("--min-docs must be >= 2");
  return validate_read(o.read, o.threads);
}

OccurrenceRole role_of(const ReuseResult& r, const Occurrence& o) {
  const PassageCluster& c = r.clusters[o.cluster];
  if (c.source == kNoCluster) return OccurrenceRole::kUnknown;
  return r.occurrences[c.source].doc == o.doc ? OccurrenceRole::kSource : OccurrenceRole::kReuse;
}

std::vector<std::uint64_t> reused_chars(const ReuseResult& r) {
  std::vector<std::uint64_t> reused(r.corpus.docs.size(), 0);
  for (const Occurrence& o : r.occurrences) reused[o.doc] += o.span.end - o.span.begin;
  return reused;
}

Result<ReuseResult> reuse(std::span<const std::string> inputs, const ReuseOptions& options,
                          const ProblemCallback& on_problem, std::FILE* stdin_copy) {
  if (Status s = validate_options(options); !s.ok()) return s;
  auto files = expand_inputs(inputs, options.read.format);
  if (!files.ok()) return files.status();
  StageClock clock;
  ReuseResult result;
  DedupResult& corpus = result.corpus;
  const int threads = worker_threads(options.threads);
  start_corpus(*files, threads, corpus);

  // --- read and normalize: every thread ----------------------------------------------------
  BatchReader reader(std::move(*files), options.read, stdin_copy);
  DocumentTable table(corpus, options.read, on_problem);
  table.set_files(&reader.files());
  ProgressBar progress("reuse", reader.total_bytes(), options.progress);
  // Documents' words and offsets stay where the reading threads wrote them (WordStore), and each
  // document points into them: the memory is first touched by the threads, in parallel, and
  // nothing is copied.
  WordStore store;
  WordTable words;
  std::vector<DocWords> places;  // per document: where its words and their offsets are
  words.docs.push_back(0);
  auto merge = [&](ReuseBatchOut& out) -> Status {
    table.add_batch(out.file_problems, out.blank_lines, out.bytes_read);
    for (std::size_t i = 0; i < out.docs.size(); ++i) {
      if (Status s = table.add(out.docs[i]); !s.ok()) return s;
      result.doc_chars.push_back(out.chars[i]);
      // Documents that became bad input here (duplicate ids) keep no words.
      const bool kept = corpus.docs.back().status == DocStatus::kKept;
      const DocWords& at = out.words[i];
      words.first.push_back(at.words);
      words.docs.push_back(words.docs.back() + (kept ? at.count : 0));
      places.push_back(at);
    }
    return Status::Ok();
  };
  if (Status s = read_in_parallel<ReuseBatchOut>(
          reader, threads, progress, [&] { return ReuseWorker(options, reader.files(), store); },
          merge);
      !s.ok()) {
    return s;
  }
  if (words.size() >= (std::uint64_t{1} << 32)) {
    return Status::InvalidArgument(
        "reuse handles at most 2^32 words per run; split the corpus (a limit of this version)");
  }
  result.stats.seconds_read = clock.lap();
  const auto n = static_cast<std::uint32_t>(corpus.docs.size());

  // --- seeds: shared word n-grams -----------------------------------------------------------
  // Documents ranked by date (undated last), then input order: frequent n-grams link every
  // occurrence to the earliest one.
  std::vector<std::uint32_t> by_date(n), rank(n);
  for (std::uint32_t d = 0; d < n; ++d) by_date[d] = d;
  std::stable_sort(by_date.begin(), by_date.end(), [&](std::uint32_t x, std::uint32_t y) {
    const auto dx = corpus.date(x), dy = corpus.date(y);
    if (dx.empty() != dy.empty()) return dy.empty();
    return dx < dy;
  });
  for (std::uint32_t r = 0; r < n; ++r) rank[by_date[r]] = r;
  SeedOptions seed_options;
  seed_options.ngram = options.seed_words;
  seed_options.all_pairs_docs = options.all_pairs_docs;
  SeedStats seed_stats;
  seed_options.threads = threads;
  HugeVector<Seed> seeds = find_seeds(words, rank, seed_options, seed_stats);
  result.stats.seeds = seeds.size();
  result.stats.frequent_ngrams = seed_stats.frequent_ngrams;
  result.stats.seconds_seeds = clock.lap();

  // --- align: chains of seeds, document pairs split over threads ------------------------------
  // Pair runs are cut into blocks that the threads take in turn (alignment costs vary widely
  // between pairs, and the machine may be shared); each block's results are kept apart and
  // concatenated in block order, so outputs do not depend on the threads.
  std::vector<std::size_t> run_starts;
  for (std::size_t i = 0; i < seeds.size(); ++i) {
    if (i == 0 || seeds[i].pair != seeds[i - 1].pair) run_starts.push_back(i);
  }
  run_starts.push_back(seeds.size());
  const std::size_t runs = run_starts.size() - 1;
  constexpr std::size_t kRunsPerBlock = 64;
  const std::size_t blocks = (runs + kRunsPerBlock - 1) / kRunsPerBlock;
  std::vector<std::vector<AlignedPair>> found(blocks);
  std::vector<std::uint64_t> aligned_per_thread(static_cast<std::size_t>(threads), 0);
  Turns turns(runs, kRunsPerBlock);
  const AlignScoring scoring;
  auto align_blocks = [&](int t) {
    AlignScratch scratch;
    std::vector<Anchor> anchors;
    std::vector<Chain> chains;
    ChainScratch chain_scratch;
    std::vector<AlignedPair> pieces;
    for (std::size_t first = 0, last = 0; turns.next(first, last);) {
      auto& out = found[first / kRunsPerBlock];
      for (std::size_t r = first; r < last; ++r) {
        const auto pair_seeds =
            std::span(seeds).subspan(run_starts[r], run_starts[r + 1] - run_starts[r]);
        const std::uint32_t a = pair_seeds.front().a(), b = pair_seeds.front().b();
        chain_seeds(pair_seeds, options.max_gap, options.band, chain_scratch, anchors, chains);
        pieces.clear();
        for (const Chain& c : chains) {
          // A lone seed is a shared phrase, not yet a passage.
          if (c.count < 2) continue;
          ++aligned_per_thread[static_cast<std::size_t>(t)];
          const Alignment al =
              align_banded(words.doc(a), words.doc(b), std::span(anchors).subspan(c.first, c.count),
                           static_cast<std::uint32_t>(options.seed_words),
                           static_cast<std::uint32_t>(options.band),
                           static_cast<std::uint32_t>(options.max_gap), scoring, scratch);
          if (al.score <= 0) continue;
          split_at_unmatched(a, b, scratch.matched,
                             static_cast<std::uint32_t>(options.max_unmatched), pieces);
        }
        merge_pieces(pieces, static_cast<std::uint32_t>(options.max_unmatched));
        for (const AlignedPair& p : pieces) {
          const std::uint32_t wa = p.a_end - p.a_begin, wb = p.b_end - p.b_begin;
          if (wa < static_cast<std::uint32_t>(options.min_words) ||
              wb < static_cast<std::uint32_t>(options.min_words)) {
            continue;
          }
          if (2.0 * p.matches / (wa + wb) < options.min_similarity) continue;
          out.push_back(p);
        }
      }
    }
  };
  run_on_threads(threads, align_blocks);
  HugeVector<Seed>().swap(seeds);
  std::vector<AlignedPair> aligned;
  for (auto& v : found) aligned.insert(aligned.end(), v.begin(), v.end());
  for (const auto c : aligned_per_thread) result.stats.chains_aligned += c;
  result.stats.seconds_align = clock.lap();

  // --- clusters, sources, offsets ------------------------------------------------------------
  const PassageGroups groups = group_passages(aligned);
  auto span_of = [&](std::uint32_t doc, std::uint32_t begin, std::uint32_t end) {
    const WordSpan* bytes = places[doc].bytes;
    const WordSpan* cps = places[doc].code_points != nullptr ? places[doc].code_points : bytes;
    return TextSpan{cps[begin].begin, cps[end - 1].end, bytes[begin].begin, bytes[end - 1].end,
                    end - begin};
  };
  for (std::size_t c = 0; c + 1 < groups.cluster_begin.size(); ++c) {
    PassageCluster cluster;
    cluster.occurrences_begin = static_cast<std::uint32_t>(result.occurrences.size());
    std::uint32_t last_doc = kNoCluster;
    for (std::uint32_t k = groups.cluster_begin[c]; k < groups.cluster_begin[c + 1]; ++k) {
      const WordRange& w = groups.occurrences[k];
      const auto index = static_cast<std::uint32_t>(result.occurrences.size());
      result.occurrences.push_back(
          Occurrence{w.doc, static_cast<std::uint32_t>(c), span_of(w.doc, w.begin, w.end)});
      cluster.documents += w.doc != last_doc;
      last_doc = w.doc;
      if (!corpus.date(w.doc).empty() &&
          (cluster.source == kNoCluster ||
           rank[w.doc] < rank[result.occurrences[cluster.source].doc])) {
        cluster.source = index;
      }
    }
    cluster.size =
        static_cast<std::uint32_t>(result.occurrences.size()) - cluster.occurrences_begin;
    result.clusters.push_back(cluster);
  }
  result.pairs.reserve(aligned.size());
  for (std::size_t i = 0; i < aligned.size(); ++i) {
    const AlignedPair& p = aligned[i];
    PassagePair out;
    out.a = p.a;
    out.b = p.b;
    out.a_span = span_of(p.a, p.a_begin, p.a_end);
    out.b_span = span_of(p.b, p.b_begin, p.b_end);
    out.matches = p.matches;
    out.similarity = static_cast<float>(2.0 * p.matches / (out.a_span.words + out.b_span.words));
    out.cluster = groups.pair_cluster[i];
    result.pairs.push_back(out);
  }
  for (const Occurrence& o : result.occurrences) {
    result.stats.reused_bytes += o.span.byte_end - o.span.byte_begin;
  }
  for (const DocumentInfo& d : corpus.docs) {
    if (d.status == DocStatus::kKept) result.stats.text_bytes += d.text_bytes;
  }
  result.stats.seconds_cluster = clock.lap();

  finish_corpus(clock, corpus);
  return result;
}

}  // namespace doppel
