#include "dist/dist_dedup.h"

#include <fmt/format.h>

#include <algorithm>

#include "candidates/lsh.h"
#include "cluster/clusters.h"
#include "cluster/union_find.h"
#include "dist/wire.h"
#include "jobs/job_common.h"
#include "sketch/document_sketches.h"
#include "util/hash.h"
#include "util/memory.h"
#include "util/radix_sort.h"
#include "util/threads.h"
#include "verify/jaccard.h"
#include "verify/verify_pairs.h"

namespace doppel::dist {

std::string_view RankDedup::representative_of(std::uint32_t cluster) const {
  const auto it = std::lower_bound(
      representatives.begin(), representatives.end(), cluster,
      [](const std::pair<std::uint32_t, std::string>& p, std::uint32_t c) { return p.first < c; });
  return it != representatives.end() && it->first == cluster ? std::string_view(it->second)
                                                             : std::string_view();
}

namespace {

// Two documents to join (global numbers).
struct Edge {
  std::uint32_t a = 0, b = 0;
};

struct ExactRecord {
  ExactHash hash;
  std::uint32_t doc = 0, pad = 0;
};

// A document's place in a cluster, as rank 0 tells the rank that holds it.
struct Placement {
  std::uint32_t doc = 0, cluster = 0, root = 0, pad = 0;
};

// Everything the stages share on one rank.
struct Job {
  Communicator& comm;
  const DedupOptions& options;
  RankDedup& out;
  const DocumentSketches& sketches;
  int threads = 1;
  std::uint32_t ranks = 1;
  std::vector<std::uint8_t> distinct;  // per local document: compared by LSH
  std::vector<Edge> edges;             // joins this rank found
  std::vector<Placement> placed;       // this rank's clustered documents, by document

  std::uint32_t local(std::uint32_t global) const { return global - out.rc.first; }
  int owner(std::uint32_t global) const { return out.rc.owner(global); }
};

// Identical normalized texts: (hash, document) to the rank owning the hash, which joins each
// text's documents to the first of them and tells the ranks of the others that they are not
// distinct (they take no part in LSH).
Status exact_groups(Job& job) {
  const Corpus& c = job.out.rc.corpus;
  std::vector<std::vector<ExactRecord>> send(job.ranks);
  job.distinct.assign(c.docs.size(), 0);
  DOPPEL_RETURN_IF_ERROR(job.comm.agree(guarded("grouping identical texts", [&] {
    const auto hashes = job.sketches.hashes();
    for (std::uint32_t d = 0; d < c.docs.size(); ++d) {
      if (!c.ok(d)) continue;
      job.distinct[d] = 1;
      send[reduce(hashes[d].lo, job.ranks)].push_back(ExactRecord{hashes[d], job.out.rc.first + d});
    }
    return Status::Ok();
  })));
  auto got = job.comm.exchange(send);
  if (!got.ok()) return got.status();
  std::vector<std::vector<std::uint32_t>> not_distinct(job.ranks);
  DOPPEL_RETURN_IF_ERROR(job.comm.agree(guarded("grouping identical texts", [&] {
    std::sort(got->begin(), got->end(), [](const ExactRecord& a, const ExactRecord& b) {
      return a.hash != b.hash ? a.hash < b.hash : a.doc < b.doc;
    });
    for (std::size_t i = 0; i < got->size();) {
      std::size_t j = i + 1;
      while (j < got->size() && (*got)[j].hash == (*got)[i].hash) ++j;
      for (std::size_t k = i + 1; k < j; ++k) {
        job.edges.push_back(Edge{(*got)[i].doc, (*got)[k].doc});
        not_distinct[static_cast<std::size_t>(job.owner((*got)[k].doc))].push_back((*got)[k].doc);
      }
      i = j;
    }
    return Status::Ok();
  })));
  auto mine = job.comm.exchange(not_distinct);
  if (!mine.ok()) return mine.status();
  for (const std::uint32_t g : *mine) job.distinct[job.local(g)] = 0;
  return Status::Ok();
}

// LSH: every band key of every distinct document to the rank owning the key; each rank's buckets
// give candidate pairs as in one process; each pair to the rank of its first document, where
// repeats (a pair found in several bands, on several ranks) are dropped.
//
// The bands go in rounds (as many bands as the most threads of any rank): a round's keys are
// computed, each band's sent to their ranks in an exchange of its own (what arrives, in rank
// order, is in document order, which the stable sort by key keeps within a bucket, as
// bucket_pairs needs) and sorted into buckets there. Sending all bands at once needed the keys
// three times over (sent, received, split by band): 384 MB a rank of fresh pages for 1M
// documents, whose zeroing by the kernel cost two ranks more processor time than the whole stage
// of one process. Rounds reuse a band's worth of buffers.
Result<std::vector<std::uint64_t>> candidates(Job& job, int bands, int rows) {
  const Corpus& c = job.out.rc.corpus;
  const SignatureStore& sigs = job.sketches.signatures();
  // Every rank must make the same collective calls: the bands a round holds are agreed on (the
  // largest thread count of any rank, as ranks on hosts of different sizes may differ), and each
  // rank works through a round's bands on its own threads.
  std::uint64_t agreed[1] = {static_cast<std::uint64_t>(std::clamp(job.threads, 1, bands))};
  DOPPEL_RETURN_IF_ERROR(job.comm.max(agreed));
  const int round = static_cast<int>(agreed[0]);
  const auto slots = static_cast<std::size_t>(round);
  std::vector<std::uint32_t> distinct;  // local numbers
  std::vector<std::vector<std::vector<KeyValue>>> send(slots);
  std::vector<std::vector<KeyValue>> got(slots), tmp(slots);
  std::vector<std::vector<std::uint64_t>> pairs(slots);
  DOPPEL_RETURN_IF_ERROR(job.comm.agree(guarded("computing band keys", [&] {
    for (std::uint32_t d = 0; d < c.docs.size(); ++d) {
      if (job.distinct[d] != 0) distinct.push_back(d);
    }
    // Keys spread evenly over the ranks: each rank's share (and a little more) reserved.
    const std::size_t share = distinct.size() / job.ranks;
    for (auto& to : send) {
      to.resize(job.ranks);
      for (auto& v : to) v.reserve(share + share / 16 + 64);
    }
    return Status::Ok();
  })));
  // Runs fn(i) for the round's bands i < n on this rank's threads.
  const auto on_threads = [&](int n, const auto& fn) {
    const int threads = std::min(n, std::max(job.threads, 1));
    run_on_threads(threads, [&](int t) {
      for (int i = t; i < n; i += threads) fn(static_cast<std::size_t>(i));
    });
  };
  for (int first = 0; first < bands; first += round) {
    const int n = std::min(round, bands - first);
    DOPPEL_RETURN_IF_ERROR(job.comm.agree(guarded("computing band keys", [&] {
      on_threads(n, [&](std::size_t i) {
        const int band = first + static_cast<int>(i);
        auto& to = send[i];
        for (auto& v : to) v.clear();
        for (const std::uint32_t d : distinct) {
          const std::uint64_t key = band_key(sigs[d], band, rows);
          to[reduce(mix64(key), job.ranks)].emplace_back(key, job.out.rc.first + d);
        }
      });
      return Status::Ok();
    })));
    for (std::size_t i = 0; i < static_cast<std::size_t>(n); ++i) {
      DOPPEL_RETURN_IF_ERROR(job.comm.exchange_into(send[i], got[i]));
    }
    DOPPEL_RETURN_IF_ERROR(job.comm.agree(guarded("finding candidate pairs", [&] {
      on_threads(n, [&](std::size_t i) {
        sort_key_values(got[i], tmp[i]);
        bucket_pairs(got[i], bucket_rule_of(job.options.lsh), pairs[i]);
      });
      return Status::Ok();
    })));
  }
  std::vector<std::vector<std::vector<KeyValue>>>().swap(send);
  std::vector<std::vector<KeyValue>>().swap(got);
  std::vector<std::vector<KeyValue>>().swap(tmp);
  std::vector<std::vector<std::uint64_t>> pairs_to(job.ranks);
  DOPPEL_RETURN_IF_ERROR(job.comm.agree(guarded("finding candidate pairs", [&] {
    for (auto& v : pairs) {
      for (const std::uint64_t p : v) {
        pairs_to[static_cast<std::size_t>(job.owner(static_cast<std::uint32_t>(p >> 32)))]
            .push_back(p);
      }
      std::vector<std::uint64_t>().swap(v);
    }
    return Status::Ok();
  })));
  auto mine = job.comm.exchange(pairs_to);
  if (!mine.ok()) return mine.status();
  std::sort(mine->begin(), mine->end());
  mine->erase(std::unique(mine->begin(), mine->end()), mine->end());
  return std::move(*mine);
}

// What a rank holds of documents other ranks hold: signatures (and shingle sets), by global
// number, fetched from their ranks.
class Fetched {
 public:
  // Collective. `wanted`: global numbers held by other ranks, ascending, without repeats.
  Status fetch(Job& job, std::vector<std::uint32_t> wanted, bool sets) {
    docs_ = std::move(wanted);
    bins_ = job.sketches.signatures().bins();
    std::vector<std::vector<std::uint32_t>> ask(job.ranks);
    for (const std::uint32_t g : docs_) ask[static_cast<std::size_t>(job.owner(g))].push_back(g);
    std::vector<std::size_t> from;
    auto asked = job.comm.exchange(ask, &from);
    if (!asked.ok()) return asked.status();
    std::vector<std::vector<SigValue>> sig_replies(job.ranks);
    std::vector<std::vector<std::uint64_t>> set_replies(job.ranks);
    DOPPEL_RETURN_IF_ERROR(job.comm.agree(guarded("sending signatures", [&] {
      for (std::size_t r = 0; r < job.ranks; ++r) {
        for (std::size_t i = from[r]; i < from[r + 1]; ++i) {
          const std::uint32_t d = job.local((*asked)[i]);
          const auto sig = job.sketches.signatures()[d];
          sig_replies[r].insert(sig_replies[r].end(), sig.begin(), sig.end());
          if (sets) {
            const auto set = job.sketches.sets()[d];
            set_replies[r].push_back(set.size());
            set_replies[r].insert(set_replies[r].end(), set.begin(), set.end());
          }
        }
      }
      return Status::Ok();
    })));
    // Replies come in rank order, each in the order asked: the order of docs_.
    auto sigs = job.comm.exchange(sig_replies);
    if (!sigs.ok()) return sigs.status();
    sigs_ = std::move(*sigs);
    if (sets) {
      auto got = job.comm.exchange(set_replies);
      if (!got.ok()) return got.status();
      set_values_ = std::move(*got);
      std::size_t at = 0;
      for (std::size_t k = 0; k < docs_.size(); ++k) {
        const auto n = static_cast<std::size_t>(set_values_[at]);
        set_begin_.push_back(at + 1);
        set_size_.push_back(n);
        at += n + 1;
      }
    }
    return Status::Ok();
  }
  std::size_t index(std::uint32_t global) const {
    return static_cast<std::size_t>(std::lower_bound(docs_.begin(), docs_.end(), global) -
                                    docs_.begin());
  }
  std::span<const SigValue> signature(std::uint32_t global) const {
    return std::span(sigs_).subspan(index(global) * bins_, bins_);
  }
  std::span<const std::uint64_t> set(std::uint32_t global) const {
    const std::size_t k = index(global);
    return std::span(set_values_).subspan(set_begin_[k], set_size_[k]);
  }

 private:
  std::vector<std::uint32_t> docs_;
  std::size_t bins_ = 0;
  std::vector<SigValue> sigs_;
  std::vector<std::uint64_t> set_values_;
  std::vector<std::size_t> set_begin_, set_size_;
};

// Verification: the similarity of every candidate pair of this rank, the second document's
// signature fetched from its rank. Verified pairs become joins (and the pairs output).
Status verify(Job& job, std::vector<std::uint64_t>& cands) {
  const bool exact = job.options.verify == VerifyMode::kExact;
  std::vector<std::uint32_t> remote;
  for (const std::uint64_t p : cands) {
    const auto b = static_cast<std::uint32_t>(p);
    if (!job.out.rc.holds(b)) remote.push_back(b);
  }
  std::sort(remote.begin(), remote.end());
  remote.erase(std::unique(remote.begin(), remote.end()), remote.end());
  Fetched fetched;
  DOPPEL_RETURN_IF_ERROR(fetched.fetch(job, std::move(remote), exact));
  std::vector<VerifiedPair> verified;
  DOPPEL_RETURN_IF_ERROR(job.comm.agree(guarded("verifying candidate pairs", [&] {
    const SignatureStore& sigs = job.sketches.signatures();
    auto similarity = [&](std::uint32_t a, std::uint32_t b) {
      // a is always this rank's.
      if (exact) {
        return exact_jaccard(
            job.sketches.sets()[job.local(a)],
            job.out.rc.holds(b) ? job.sketches.sets()[job.local(b)] : fetched.set(b));
      }
      return estimate_jaccard(sigs[job.local(a)],
                              job.out.rc.holds(b) ? sigs[job.local(b)] : fetched.signature(b));
    };
    verified = verify_candidates(cands, job.options.lsh.threshold, job.threads, similarity);
    std::vector<std::uint64_t>().swap(cands);
    for (const VerifiedPair& p : verified) {
      job.edges.push_back(Edge{p.a, p.b});
      if (job.options.keep_pairs) job.out.pairs.push_back(NearPair{p.a, p.b, p.similarity});
    }
    return Status::Ok();
  })));
  std::uint64_t count[1] = {verified.size()};
  DOPPEL_RETURN_IF_ERROR(job.comm.sum(count));
  job.out.stats.verified_pairs = count[0];
  return Status::Ok();
}

// The sets that edges between global document numbers join: the documents they name, ascending,
// and a union-find over their positions there.
struct EdgeSets {
  std::vector<std::uint32_t> vertices;
  UnionFind sets;

  explicit EdgeSets(std::span<const Edge> edges) : vertices(distinct_ends(edges)), sets(size()) {
    for (const auto& [a, b] : edges) sets.unite(index(a), index(b));
  }
  std::uint32_t size() const { return static_cast<std::uint32_t>(vertices.size()); }
  std::uint32_t index(std::uint32_t doc) const {
    return static_cast<std::uint32_t>(std::lower_bound(vertices.begin(), vertices.end(), doc) -
                                      vertices.begin());
  }
  static std::vector<std::uint32_t> distinct_ends(std::span<const Edge> edges) {
    std::vector<std::uint32_t> ends;
    ends.reserve(edges.size() * 2);
    for (const auto& [a, b] : edges) {
      ends.push_back(a);
      ends.push_back(b);
    }
    std::sort(ends.begin(), ends.end());
    ends.erase(std::unique(ends.begin(), ends.end()), ends.end());
    return ends;
  }
};

// The joins of every rank, each rank's first reduced to a spanning forest, to rank 0: its
// union-find gives every joined document the smallest member of its set, as one process's does,
// and numbers the sets by it (clusters ordered by first member). Each rank learns the cluster
// and first member of its documents.
Status join_clusters(Job& job) {
  std::vector<std::vector<Edge>> to_root(job.ranks);
  DOPPEL_RETURN_IF_ERROR(job.comm.agree(guarded("joining clusters", [&] {
    EdgeSets joined(job.edges);
    std::vector<Edge>().swap(job.edges);
    const auto& vertices = joined.vertices;
    for (std::uint32_t v = 0; v < vertices.size(); ++v) {
      const std::uint32_t root = joined.sets.find(v);
      if (root != v) to_root[0].push_back(Edge{vertices[root], vertices[v]});
    }
    return Status::Ok();
  })));
  auto forest = job.comm.exchange(to_root);
  if (!forest.ok()) return forest.status();
  std::vector<std::vector<Placement>> placements(job.ranks);
  std::uint64_t clusters = 0;
  DOPPEL_RETURN_IF_ERROR(job.comm.agree(guarded("numbering clusters", [&] {
    if (job.comm.rank() != 0) return Status::Ok();
    EdgeSets joined(*forest);
    const auto& vertices = joined.vertices;
    UnionFind& sets = joined.sets;
    // Roots are smallest members, and vertices ascend: a root comes before its members.
    std::vector<std::uint32_t> number(vertices.size(), 0);
    for (std::uint32_t v = 0; v < vertices.size(); ++v) {
      const std::uint32_t root = sets.find(v);
      if (root == v) number[v] = static_cast<std::uint32_t>(clusters++);
      placements[static_cast<std::size_t>(job.owner(vertices[v]))].push_back(
          Placement{vertices[v], number[root], vertices[root], 0});
    }
    return Status::Ok();
  })));
  auto placed = job.comm.exchange(placements);
  if (!placed.ok()) return placed.status();
  job.placed = std::move(*placed);
  std::uint64_t total[1] = {clusters};
  DOPPEL_RETURN_IF_ERROR(job.comm.sum(total));
  job.out.clusters_total = total[0];
  return Status::Ok();
}

// Each clustered document to the rank of its cluster's first member, with what choosing the kept
// member and measuring the others takes; that rank decides for its clusters and tells every
// member's rank its verdict and the kept member's id.
Status decide_clusters(Job& job) {
  const Corpus& c = job.out.rc.corpus;
  const bool exact_sets = job.options.verify == VerifyMode::kExact;
  std::vector<std::string> send(job.ranks);
  DOPPEL_RETURN_IF_ERROR(job.comm.agree(guarded("sending cluster members", [&] {
    for (const Placement& p : job.placed) {
      const std::uint32_t d = job.local(p.doc);
      WireWriter w(send[static_cast<std::size_t>(job.owner(p.root))]);
      w.put(p.cluster);
      w.put(p.doc);
      w.put(c.docs[d].text_bytes);
      w.put(job.sketches.hashes()[d]);
      w.put_string(c.id(d));
      w.put_string(c.date(d));
      const auto sig = job.sketches.signatures()[d];
      for (const SigValue v : sig) w.put(v);
      if (exact_sets) {
        const auto set = job.sketches.sets()[d];
        w.put(static_cast<std::uint64_t>(set.size()));
        for (const std::uint64_t v : set) w.put(v);
      }
    }
    return Status::Ok();
  })));
  auto got = job.comm.exchange(send);
  if (!got.ok()) return got.status();
  std::vector<std::string>().swap(send);
  std::vector<std::string> verdicts(job.ranks);
  RankDedup& out = job.out;
  DOPPEL_RETURN_IF_ERROR(job.comm.agree(guarded("choosing kept documents", [&] {
    struct Member {
      std::uint32_t cluster, doc;
      std::uint64_t text_bytes;
      ExactHash hash;
      std::string_view id, date;
      std::vector<SigValue> sig;
      std::vector<std::uint64_t> set;
    };
    const std::size_t bins = job.sketches.signatures().bins();
    std::vector<Member> members;
    WireReader in(std::string_view(got->data(), got->size()));
    while (!in.done()) {
      Member m;
      m.cluster = in.get<std::uint32_t>();
      m.doc = in.get<std::uint32_t>();
      m.text_bytes = in.get<std::uint64_t>();
      m.hash = in.get<ExactHash>();
      m.id = in.get_string();
      m.date = in.get_string();
      m.sig.resize(bins);
      for (SigValue& v : m.sig) v = in.get<SigValue>();
      if (exact_sets) {
        m.set.resize(in.get<std::uint64_t>());
        for (std::uint64_t& v : m.set) v = in.get<std::uint64_t>();
      }
      if (!in.ok()) return Status::Internal("cluster members arrived damaged");
      members.push_back(std::move(m));
    }
    // By cluster; within one, in input order (ranks send in order, each rank its own in order).
    std::stable_sort(members.begin(), members.end(),
                     [](const Member& a, const Member& b) { return a.cluster < b.cluster; });
    for (std::size_t i = 0; i < members.size();) {
      std::size_t j = i + 1;
      while (j < members.size() && members[j].cluster == members[i].cluster) ++j;
      const auto m = std::span(members).subspan(i, j - i);
      const auto size = static_cast<std::uint32_t>(m.size());
      RankDedup::OwnedCluster cl;
      cl.number = m[0].cluster;
      cl.size = size;
      cl.members_begin = static_cast<std::uint32_t>(out.members.size());
      cl.representative = choose_member(
          size, job.options.keep, [&](std::uint32_t k) { return m[k].date; },
          [&](std::uint32_t k) { return m[k].text_bytes; });
      const Member& rep = m[cl.representative];
      for (std::uint32_t k = 0; k < size; ++k) {
        const bool exact = m[k].hash == rep.hash;
        const float similarity =
            exact ? 1.0f
                  : static_cast<float>(exact_sets ? exact_jaccard(m[k].set, rep.set)
                                                  : estimate_jaccard(m[k].sig, rep.sig));
        cl.all_exact = cl.all_exact && exact;
        RankDedup::Member line;
        line.similarity = similarity;
        line.exact = exact;
        line.id_begin = static_cast<std::uint32_t>(out.member_strings.size());
        line.id_size = static_cast<std::uint32_t>(m[k].id.size());
        line.date_size = static_cast<std::uint32_t>(m[k].date.size());
        out.member_strings += m[k].id;
        out.member_strings += m[k].date;
        out.members.push_back(line);
        WireWriter w(verdicts[static_cast<std::size_t>(job.owner(m[k].doc))]);
        w.put(m[k].doc);
        w.put(cl.number);
        w.put(similarity);
        w.put(static_cast<std::uint8_t>(exact));
        w.put(static_cast<std::uint8_t>(k == cl.representative));
        w.put_string(rep.id);
      }
      out.stats.exact_clusters += cl.all_exact;
      out.stats.near_clusters += !cl.all_exact;
      out.stats.largest_cluster = std::max<std::uint64_t>(out.stats.largest_cluster, size);
      out.clusters.push_back(cl);
      i = j;
    }
    return Status::Ok();
  })));
  auto mine = job.comm.exchange(verdicts);
  if (!mine.ok()) return mine.status();
  WireReader in(std::string_view(mine->data(), mine->size()));
  while (!in.done()) {
    const auto doc = in.get<std::uint32_t>();
    const auto cluster = in.get<std::uint32_t>();
    const auto similarity = in.get<float>();
    const bool exact = in.get<std::uint8_t>() != 0;
    const bool kept = in.get<std::uint8_t>() != 0;
    const std::string_view rep = in.get_string();
    if (!in.ok()) return Status::Internal("verdicts arrived damaged");
    DedupDocument& d = out.docs[job.local(doc)];
    d.cluster = cluster;
    d.similarity = similarity;
    d.exact = exact;
    if (!kept) d.verdict = exact ? DedupVerdict::kExactDuplicate : DedupVerdict::kNearDuplicate;
    if (out.representatives.empty() || out.representatives.back().first != cluster) {
      out.representatives.emplace_back(cluster, std::string(rep));
    }
  }
  std::sort(out.representatives.begin(), out.representatives.end());
  out.representatives.erase(std::unique(out.representatives.begin(), out.representatives.end()),
                            out.representatives.end());
  return Status::Ok();
}

// The ids of the second documents of this rank's verified pairs.
Status pair_ids(Job& job) {
  RankDedup& out = job.out;
  std::vector<std::uint32_t> remote;
  for (const NearPair& p : out.pairs) {
    if (!out.rc.holds(p.b)) remote.push_back(p.b);
  }
  std::sort(remote.begin(), remote.end());
  remote.erase(std::unique(remote.begin(), remote.end()), remote.end());
  std::vector<std::vector<std::uint32_t>> ask(job.ranks);
  for (const std::uint32_t g : remote) ask[static_cast<std::size_t>(job.owner(g))].push_back(g);
  std::vector<std::size_t> from;
  auto asked = job.comm.exchange(ask, &from);
  if (!asked.ok()) return asked.status();
  std::vector<std::string> replies(job.ranks);
  for (std::size_t r = 0; r < job.ranks; ++r) {
    WireWriter w(replies[r]);
    for (std::size_t i = from[r]; i < from[r + 1]; ++i) {
      w.put_string(out.rc.corpus.id(job.local((*asked)[i])));
    }
  }
  auto got = job.comm.exchange(replies);
  if (!got.ok()) return got.status();
  std::vector<std::string> ids;
  WireReader in(std::string_view(got->data(), got->size()));
  for (std::size_t k = 0; k < remote.size(); ++k) ids.emplace_back(in.get_string());
  if (!in.ok()) return Status::Internal("ids arrived damaged");
  for (const NearPair& p : out.pairs) {
    out.pair_b_ids.push_back(
        out.rc.holds(p.b)
            ? std::string(out.rc.corpus.id(job.local(p.b)))
            : ids[static_cast<std::size_t>(std::lower_bound(remote.begin(), remote.end(), p.b) -
                                           remote.begin())]);
  }
  return Status::Ok();
}

}  // namespace

Status dedup_distributed(Communicator& comm, std::span<const std::string> inputs,
                         const DedupOptions& options, RankDedup& out) {
  DOPPEL_RETURN_IF_ERROR(validate_options(options));
  StageClock clock;
  out.stats.threads = worker_threads(options.threads);
  auto traffic = [&, last = std::uint64_t{0}]() mutable {
    const std::uint64_t now = comm.bytes_sent();
    const std::uint64_t bytes = now - last;
    last = now;
    return bytes;
  };

  // --- read, normalize, shingle, sketch: each rank its share, every thread --------------------
  DocumentSketches sketches(options.shingle, options.sketch, options.verify == VerifyMode::kExact);
  const ReadStageOptions stage{&options.normalize, out.stats.threads, options.progress, "dedup",
                               true};
  DOPPEL_RETURN_IF_ERROR(read_distributed(comm, inputs, options.read, stage, out.rc, sketches));
  out.stats.seconds.read_sketch = clock.lap();
  out.traffic.read = traffic();
  const Corpus& c = out.rc.corpus;
  out.docs.resize(c.docs.size());
  for (std::uint32_t d = 0; d < c.docs.size(); ++d) {
    if (!c.ok(d)) out.docs[d].verdict = DedupVerdict::kNotCompared;
  }

  Job job{comm, options, out, sketches, out.stats.threads, static_cast<std::uint32_t>(comm.size()),
          {},   {},      {}};
  DOPPEL_RETURN_IF_ERROR(exact_groups(job));
  out.stats.seconds.exact = clock.lap();
  out.traffic.exact = traffic();

  const LshShape shape = options.lsh.bands > 0
                             ? LshShape{options.lsh.bands, options.lsh.rows}
                             : choose_lsh_shape(options.lsh.threshold, options.sketch.num_hashes);
  out.stats.bands = shape.bands;
  out.stats.rows = shape.rows;
  auto cands = candidates(job, shape.bands, shape.rows);
  if (!cands.ok()) return cands.status();
  std::uint64_t count[1] = {cands->size()};
  DOPPEL_RETURN_IF_ERROR(comm.sum(count));
  out.stats.candidate_pairs = count[0];
  out.stats.seconds.candidates = clock.lap();
  out.traffic.candidates = traffic();

  DOPPEL_RETURN_IF_ERROR(verify(job, *cands));
  out.stats.seconds.verify = clock.lap();
  out.traffic.verify = traffic();

  DOPPEL_RETURN_IF_ERROR(join_clusters(job));
  DOPPEL_RETURN_IF_ERROR(decide_clusters(job));
  if (options.keep_pairs) DOPPEL_RETURN_IF_ERROR(pair_ids(job));
  std::vector<std::uint64_t> figures = {0, 0, 0, out.stats.exact_clusters, out.stats.near_clusters};
  for (const DedupDocument& d : out.docs) {
    figures[0] += d.verdict == DedupVerdict::kKept;
    figures[1] += d.verdict == DedupVerdict::kExactDuplicate;
    figures[2] += d.verdict == DedupVerdict::kNearDuplicate;
  }
  DOPPEL_RETURN_IF_ERROR(comm.sum(figures));
  out.stats.kept = figures[0];
  out.stats.exact_duplicates = figures[1];
  out.stats.near_duplicates = figures[2];
  out.stats.exact_clusters = figures[3];
  out.stats.near_clusters = figures[4];
  out.peak_rss_bytes = peak_rss_bytes();
  std::vector<std::uint64_t> most = {out.stats.largest_cluster, out.peak_rss_bytes};
  DOPPEL_RETURN_IF_ERROR(comm.max(most));
  out.stats.largest_cluster = most[0];
  out.stats.peak_rss_bytes = most[1];
  out.stats.seconds.cluster = clock.lap();
  out.traffic.clusters = traffic();
  out.stats.seconds.total = clock.since_start();
  return Status::Ok();
}

}  // namespace doppel::dist
