#include "dist/dist_reuse.h"

#include <algorithm>

#include "dist/wire.h"
#include "jobs/job_common.h"
#include "passages/document_words.h"
#include "passages/pair_passages.h"
#include "passages/passage_clusters.h"
#include "passages/seeds.h"
#include "passages/sources.h"
#include "util/hash.h"
#include "util/memory.h"

namespace doppel::dist {
namespace {

// Everything the stages share on one rank.
struct Job {
  Communicator& comm;
  const ReuseOptions& options;
  RankReuse& out;
  const DocumentWords& words;  // this rank's documents', local numbers
  int threads = 1;
  std::uint32_t ranks = 1;
  std::vector<std::uint32_t> rank;  // every document's, by date (passages/sources.h)

  std::uint32_t local(std::uint32_t global) const { return global - out.rc.first; }
  int owner(std::uint32_t global) const { return out.rc.owner(global); }
  // The rank that aligns a document pair: pairs with a low first document are many more than
  // those with a high one, so the pair's hash spreads them, not its first document's rank.
  std::size_t pair_owner(std::uint64_t pair) const { return mix64(pair) % ranks; }
};

// Every document's date on every rank, for rank_by_date: a few bytes a document.
Status rank_documents(Job& job) {
  const Corpus& c = job.out.rc.corpus;
  std::string mine;
  WireWriter w(mine);
  for (std::uint32_t d = 0; d < c.docs.size(); ++d) w.put_string(c.date(d));
  auto all = job.comm.all_gather(mine);
  if (!all.ok()) return all.status();
  return job.comm.agree(guarded("ranking documents by date", [&] {
    std::vector<std::string_view> dates;
    dates.reserve(job.out.rc.total());
    for (const std::string& part : *all) {
      WireReader in(part);
      while (!in.done()) dates.push_back(in.get_string());
      if (!in.ok()) return Status::Internal("dates arrived damaged");
    }
    if (dates.size() != job.out.rc.total()) return Status::Internal("dates arrived incomplete");
    job.rank = rank_by_date(dates);
    return Status::Ok();
  }));
}

// Seeds: every n-gram of this rank's documents to the rank that owns its key, which finds the
// seeds of the n-grams it owns; then each seed to the rank that aligns its pair. Returns this
// rank's seeds, sorted by (pair, a_pos, b_pos) as one process's.
Result<std::vector<Seed>> seeds(Job& job, ReuseStats& stats) {
  const WordTable& table = job.words.table();
  std::vector<std::vector<Gram>> send(job.ranks);
  DOPPEL_RETURN_IF_ERROR(job.comm.agree(guarded("finding seed n-grams", [&] {
    const std::size_t share = table.size() / job.ranks;
    for (auto& v : send) v.reserve(share + share / 16 + 64);
    for_each_ngram(table, static_cast<std::size_t>(job.options.seed_words), 0, table.num_docs(),
                   job.out.rc.first, [&](const Gram& g) { send[g.key % job.ranks].push_back(g); });
    return Status::Ok();
  })));
  auto grams = job.comm.exchange(send);
  if (!grams.ok()) return grams.status();
  std::vector<std::vector<Gram>>().swap(send);
  std::uint64_t longest[1] = {0};
  for (std::uint32_t d = 0; d < table.num_docs(); ++d) {
    longest[0] = std::max(longest[0], table.docs[d + 1] - table.docs[d]);
  }
  DOPPEL_RETURN_IF_ERROR(job.comm.max(longest));
  std::vector<std::vector<Seed>> to(job.ranks);
  SeedStats seed_stats;
  DOPPEL_RETURN_IF_ERROR(job.comm.agree(guarded("finding seeds", [&] {
    HugeVector<Seed> found =
        seeds_of_ngrams(*grams, job.out.rc.total(), longest[0], job.rank,
                        doppel::internal::seed_options_of(job.options, job.threads), seed_stats);
    std::vector<Gram>().swap(*grams);
    const std::size_t share = found.size() / job.ranks;
    for (auto& v : to) v.reserve(share + share / 16 + 64);
    for (const Seed& s : found) to[job.pair_owner(s.pair)].push_back(s);
    return Status::Ok();
  })));
  std::vector<std::uint64_t> figures = {0, seed_stats.frequent_ngrams};
  for (const auto& v : to) figures[0] += v.size();
  DOPPEL_RETURN_IF_ERROR(job.comm.sum(figures));
  stats.seeds = figures[0];
  stats.frequent_ngrams = figures[1];
  std::vector<std::size_t> from;
  auto mine = job.comm.exchange(to, &from);
  if (!mine.ok()) return mine.status();
  std::vector<std::vector<Seed>>().swap(to);
  // Each rank's seeds are sorted, and no seed comes from two ranks (a seed's n-gram is the one at
  // its first document's position): merged, they are one process's seeds of these pairs.
  for (std::size_t r = 1; r < job.ranks; ++r) {
    std::inplace_merge(mine->begin(), mine->begin() + static_cast<long>(from[r]),
                       mine->begin() + static_cast<long>(from[r + 1]));
  }
  return std::move(*mine);
}

// The words (and, with `places`, their places in the source text) of documents other ranks
// hold, by global number, fetched from their ranks.
class Fetched {
 public:
  // Collective. `wanted`: global numbers held by other ranks, ascending, without repeats.
  Status fetch(Job& job, std::vector<std::uint32_t> wanted, bool places) {
    docs_ = std::move(wanted);
    std::vector<std::vector<std::uint32_t>> ask(job.ranks);
    for (const std::uint32_t g : docs_) ask[static_cast<std::size_t>(job.owner(g))].push_back(g);
    std::vector<std::size_t> from;
    auto asked = job.comm.exchange(ask, &from);
    if (!asked.ok()) return asked.status();
    // Per document: its word count, then its words; with places, each word's byte span, then a
    // flag, and each word's code point span when the flag is set.
    std::vector<std::vector<std::uint32_t>> replies(job.ranks);
    DOPPEL_RETURN_IF_ERROR(job.comm.agree(guarded("sending words", [&] {
      for (std::size_t r = 0; r < job.ranks; ++r) {
        auto& reply = replies[r];
        std::size_t size = 0;
        for (std::size_t i = from[r]; i < from[r + 1]; ++i) {
          const DocWords& d = job.words.doc(job.local((*asked)[i]));
          size += 1 + std::size_t{d.count};
          if (places) size += 1 + (d.code_points != nullptr ? 4 : 2) * std::size_t{d.count};
        }
        reply.reserve(size);
        for (std::size_t i = from[r]; i < from[r + 1]; ++i) {
          const DocWords& d = job.words.doc(job.local((*asked)[i]));
          reply.push_back(d.count);
          reply.insert(reply.end(), d.words, d.words + d.count);
          if (!places) continue;
          for (std::uint32_t k = 0; k < d.count; ++k) {
            reply.push_back(d.bytes[k].begin);
            reply.push_back(d.bytes[k].end);
          }
          reply.push_back(d.code_points != nullptr ? 1 : 0);
          if (d.code_points == nullptr) continue;
          for (std::uint32_t k = 0; k < d.count; ++k) {
            reply.push_back(d.code_points[k].begin);
            reply.push_back(d.code_points[k].end);
          }
        }
      }
      return Status::Ok();
    })));
    // Replies come in rank order, each in the order asked: the order of docs_.
    auto got = job.comm.exchange(replies);
    if (!got.ok()) return got.status();
    values_ = std::move(*got);
    return job.comm.agree(guarded("receiving words", [&] {
      std::size_t at = 0;
      if (places) spans_.reserve(values_.size() / 2);
      // Spans at values_[from, from + 2 * n) to spans_, if all there; returns where they went.
      auto copy_spans = [&](std::size_t from, std::uint32_t n) {
        const std::size_t first = spans_.size();
        for (std::size_t k = 0; k < n && from + 2 * k + 1 < values_.size(); ++k) {
          spans_.push_back(SourceSpan{values_[from + 2 * k], values_[from + 2 * k + 1]});
        }
        return first;
      };
      auto take = [&](std::size_t n) {
        if (values_.size() - at < n) return false;
        at += n;
        return true;
      };
      for (std::size_t k = 0; k < docs_.size(); ++k) {
        if (!take(1)) return Status::Internal("words arrived incomplete");
        Entry e;
        e.count = values_[at - 1];
        e.words = at;
        if (!take(e.count)) return Status::Internal("words arrived incomplete");
        if (places) {
          e.bytes = copy_spans(at, e.count);
          if (!take(2 * std::size_t{e.count}) || !take(1)) {
            return Status::Internal("word places arrived incomplete");
          }
          if (values_[at - 1] != 0) {
            e.has_code_points = true;
            e.code_points = copy_spans(at, e.count);
            if (!take(2 * std::size_t{e.count})) {
              return Status::Internal("word places arrived incomplete");
            }
          }
        }
        entries_.push_back(e);
      }
      return at == values_.size() ? Status::Ok() : Status::Internal("words arrived damaged");
    }));
  }

  // Every document's words on this rank (its own and those fetched), by global number; the
  // others' are empty.
  WordTable table(const Job& job) const {
    const std::uint32_t total = job.out.rc.total();
    WordTable t;
    t.first.assign(total, nullptr);
    t.docs.assign(std::size_t{total} + 1, 0);
    std::vector<std::uint32_t> count(total, 0);
    const WordTable& mine = job.words.table();
    for (std::uint32_t d = 0; d < mine.num_docs(); ++d) {
      t.first[job.out.rc.first + d] = mine.first[d];
      count[job.out.rc.first + d] = static_cast<std::uint32_t>(mine.docs[d + 1] - mine.docs[d]);
    }
    for (std::size_t k = 0; k < docs_.size(); ++k) {
      t.first[docs_[k]] = values_.data() + entries_[k].words;
      count[docs_[k]] = entries_[k].count;
    }
    for (std::uint32_t d = 0; d < total; ++d) t.docs[d + 1] = t.docs[d] + count[d];
    return t;
  }

  // The same with the words' places (fetched with places).
  std::vector<DocWords> places(const Job& job) const {
    std::vector<DocWords> p(job.out.rc.total());
    const auto mine = job.words.places();
    std::copy(mine.begin(), mine.end(), p.begin() + job.out.rc.first);
    for (std::size_t k = 0; k < docs_.size(); ++k) {
      const Entry& e = entries_[k];
      DocWords& d = p[docs_[k]];
      d.words = values_.data() + e.words;
      d.bytes = spans_.data() + e.bytes;
      d.code_points = e.has_code_points ? spans_.data() + e.code_points : nullptr;
      d.count = e.count;
    }
    return p;
  }

 private:
  struct Entry {
    std::uint32_t count = 0;
    std::size_t words = 0;                   // in values_
    std::size_t bytes = 0, code_points = 0;  // in spans_
    bool has_code_points = false;
  };
  std::vector<std::uint32_t> docs_;
  std::vector<Entry> entries_;
  std::vector<std::uint32_t> values_;  // as received
  std::vector<SourceSpan> spans_;      // the places, out of values_
};

// The global numbers of the documents in `pairs` (a, b) that this rank does not hold.
template <typename Pairs, typename A, typename B>
std::vector<std::uint32_t> remote_documents(const Job& job, const Pairs& pairs, A a_of, B b_of) {
  std::vector<std::uint32_t> remote;
  for (const auto& p : pairs) {
    if (!job.out.rc.holds(a_of(p))) remote.push_back(a_of(p));
    if (!job.out.rc.holds(b_of(p))) remote.push_back(b_of(p));
  }
  std::sort(remote.begin(), remote.end());
  remote.erase(std::unique(remote.begin(), remote.end()), remote.end());
  return remote;
}

// Alignment: the words of the documents of this rank's pairs that other ranks hold, fetched;
// then each pair aligned as one process does.
Result<PairPassages> align(Job& job, std::vector<Seed>& seeds, ReuseStats& stats) {
  Fetched fetched;
  DOPPEL_RETURN_IF_ERROR(fetched.fetch(
      job,
      remote_documents(
          job, seeds, [](const Seed& s) { return s.a(); }, [](const Seed& s) { return s.b(); }),
      false));
  PairPassages aligned;
  std::uint64_t chains[1] = {0};
  DOPPEL_RETURN_IF_ERROR(job.comm.agree(guarded("aligning document pairs", [&] {
    const WordTable table = fetched.table(job);
    aligned = pair_passages(seeds, table,
                            doppel::internal::pair_options_of(job.options, job.threads), chains[0]);
    std::vector<Seed>().swap(seeds);
    return Status::Ok();
  })));
  DOPPEL_RETURN_IF_ERROR(job.comm.sum(chains));
  stats.chains_aligned = chains[0];
  return aligned;
}

// Every rank's passages and pieces on rank 0, in one process's order: by document pair, then as
// the pair's rank found them.
Result<PairPassages> gather_passages(Job& job, PairPassages& mine) {
  std::vector<std::vector<AlignedPair>> passages(job.ranks);
  std::vector<std::vector<Piece>> pieces(job.ranks);
  passages[0].swap(mine.passages);
  pieces[0].swap(mine.pieces);
  std::vector<std::size_t> passages_from, pieces_from;
  auto all = job.comm.exchange(passages, &passages_from);
  if (!all.ok()) return all.status();
  auto all_pieces = job.comm.exchange(pieces, &pieces_from);
  if (!all_pieces.ok()) return all_pieces.status();
  PairPassages out;
  DOPPEL_RETURN_IF_ERROR(job.comm.agree(guarded("ordering passages", [&] {
    if (job.comm.rank() != 0) return Status::Ok();
    std::vector<std::uint32_t> order(all->size());
    std::vector<std::uint32_t> from_rank(all->size());
    for (std::size_t r = 0; r < job.ranks; ++r) {
      for (std::size_t i = passages_from[r]; i < passages_from[r + 1]; ++i) {
        order[i] = static_cast<std::uint32_t>(i);
        from_rank[i] = static_cast<std::uint32_t>(r);
      }
    }
    std::stable_sort(order.begin(), order.end(), [&](std::uint32_t x, std::uint32_t y) {
      const AlignedPair& p = (*all)[x];
      const AlignedPair& q = (*all)[y];
      return p.a != q.a ? p.a < q.a : p.b < q.b;
    });
    out.passages.reserve(all->size());
    out.pieces.reserve(all_pieces->size());
    for (const std::uint32_t i : order) {
      AlignedPair p = (*all)[i];
      const std::size_t first = pieces_from[from_rank[i]] + p.first_piece;
      if (first + p.pieces > all_pieces->size()) {
        return Status::Internal("passages arrived damaged");
      }
      p.first_piece = static_cast<std::uint32_t>(out.pieces.size());
      out.pieces.insert(out.pieces.end(), all_pieces->begin() + static_cast<long>(first),
                        all_pieces->begin() + static_cast<long>(first + p.pieces));
      out.passages.push_back(p);
    }
    return Status::Ok();
  })));
  return out;
}

// Every rank's documents (ids, dates, places in the input, figures) on rank 0, as one corpus:
// global numbers are input order. Also each document's length in code points.
Status gather_corpus(Job& job, ReuseResult& result) {
  const Corpus& c = job.out.rc.corpus;
  const auto chars = job.words.chars();
  std::string mine;
  WireWriter w(mine);
  for (std::uint32_t d = 0; d < c.docs.size(); ++d) {
    const Document& doc = c.docs[d];
    w.put_string(c.id(d));
    w.put_string(c.date(d));
    w.put(doc.input);
    w.put(doc.line);
    w.put(doc.text_bytes);
    w.put(doc.status);
    w.put(d < chars.size() ? chars[d] : std::uint64_t{0});
  }
  auto all = job.comm.gather(mine, 0);
  if (!all.ok()) return all.status();
  return job.comm.agree(guarded("gathering the documents", [&] {
    if (job.comm.rank() != 0) return Status::Ok();
    Corpus& corpus = result.corpus;
    corpus.inputs = c.inputs;
    corpus.stats = job.out.rc.totals;
    corpus.docs.reserve(job.out.rc.total());
    result.doc_chars.reserve(job.out.rc.total());
    for (const std::string& part : *all) {
      WireReader in(part);
      while (!in.done()) {
        Document doc;
        const std::string_view id = in.get_string();
        const std::string_view date = in.get_string();
        doc.id_begin = corpus.strings.size();
        doc.id_size = static_cast<std::uint32_t>(id.size());
        doc.date_size = static_cast<std::uint32_t>(date.size());
        corpus.strings += id;
        corpus.strings += date;
        doc.input = in.get<std::uint32_t>();
        doc.line = in.get<std::uint64_t>();
        doc.text_bytes = in.get<std::uint64_t>();
        doc.status = in.get<ReadStatus>();
        result.doc_chars.push_back(in.get<std::uint64_t>());
        if (!in.ok()) return Status::Internal("documents arrived damaged");
        corpus.docs.push_back(doc);
      }
    }
    if (corpus.docs.size() != job.out.rc.total()) {
      return Status::Internal("documents arrived incomplete");
    }
    return Status::Ok();
  }));
}

// Rank 0: the words and places of the documents of every passage, fetched; then clusters,
// sources and spans exactly as one process.
Status cluster(Job& job, const PairPassages& aligned, ReuseResult& result) {
  Fetched fetched;
  DOPPEL_RETURN_IF_ERROR(
      fetched.fetch(job,
                    remote_documents(
                        job, aligned.passages, [](const AlignedPair& p) { return p.a; },
                        [](const AlignedPair& p) { return p.b; }),
                    true));
  return job.comm.agree(guarded("grouping passages", [&] {
    if (job.comm.rank() != 0) return Status::Ok();
    const WordTable table = fetched.table(job);
    const PassageGroups groups = group_passages(aligned.passages, aligned.pieces, table, job.rank,
                                                doppel::internal::group_options_of(job.options));
    const std::vector<DocWords> places = fetched.places(job);
    doppel::internal::describe_passages(aligned.passages, groups, places, job.rank, result);
    return Status::Ok();
  }));
}

}  // namespace

Status reuse_distributed(Communicator& comm, std::span<const std::string> inputs,
                         const ReuseOptions& options, RankReuse& out) {
  DOPPEL_RETURN_IF_ERROR(validate_options(options));
  StageClock clock;
  ReuseStats stats;
  stats.threads = worker_threads(options.threads);
  auto traffic = [&, last = std::uint64_t{0}]() mutable {
    const std::uint64_t now = comm.bytes_sent();
    const std::uint64_t bytes = now - last;
    last = now;
    return bytes;
  };

  // --- read and normalize: each rank its share, every thread ----------------------------------
  DocumentWords words;
  const ReadStageOptions stage{&options.normalize, stats.threads, options.progress, "reuse", true};
  DOPPEL_RETURN_IF_ERROR(read_distributed(comm, inputs, options.read, stage, out.rc, words));
  std::uint64_t total_words[2] = {words.table().size(),
                                  doppel::internal::count_long_word_docs(words)};
  DOPPEL_RETURN_IF_ERROR(comm.sum(total_words));
  stats.long_word_docs = total_words[1];
  if (total_words[0] >= (std::uint64_t{1} << 32)) {
    return Status::InvalidArgument(
        "reuse handles at most 2^32 words per run; split the corpus (a limit of this version)");
  }
  Job job{comm,
          options,
          out,
          words,
          stats.threads,
          static_cast<std::uint32_t>(comm.size()),
          std::vector<std::uint32_t>()};
  DOPPEL_RETURN_IF_ERROR(rank_documents(job));
  stats.seconds.read = clock.lap();
  out.traffic.read = traffic();

  // --- seeds: n-grams by key, seeds by document pair -------------------------------------------
  auto found = seeds(job, stats);
  if (!found.ok()) return found.status();
  stats.seconds.seeds = clock.lap();
  out.traffic.seeds = traffic();

  // --- align: each pair on its rank, with the words it lacks -----------------------------------
  auto aligned = align(job, *found, stats);
  if (!aligned.ok()) return aligned.status();
  stats.seconds.align = clock.lap();
  out.traffic.align = traffic();

  // --- clusters, sources, offsets: rank 0 -------------------------------------------------------
  auto all = gather_passages(job, *aligned);
  if (!all.ok()) return all.status();
  ReuseResult& result = out.result;
  DOPPEL_RETURN_IF_ERROR(gather_corpus(job, result));
  DOPPEL_RETURN_IF_ERROR(cluster(job, *all, result));
  stats.seconds.cluster = clock.lap();
  out.traffic.clusters = traffic();

  std::vector<std::uint64_t> sent = {out.traffic.read, out.traffic.seeds, out.traffic.align,
                                     out.traffic.clusters};
  DOPPEL_RETURN_IF_ERROR(comm.sum(sent));
  out.job_traffic = ReuseTraffic{sent[0], sent[1], sent[2], sent[3]};
  std::vector<std::uint64_t> most = {peak_rss_bytes()};
  DOPPEL_RETURN_IF_ERROR(comm.max(most));
  stats.peak_rss_bytes = most[0];
  stats.seconds.total = clock.since_start();
  stats.reused_bytes = result.stats.reused_bytes;
  stats.text_bytes = result.stats.text_bytes;
  result.stats = stats;
  return Status::Ok();
}

}  // namespace doppel::dist
