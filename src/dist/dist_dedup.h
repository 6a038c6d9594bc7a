// `doppel dedup` over the ranks of an MPI job, with the same results as one process for any
// number of ranks (docs/scale-out.md):
//   read       each rank its share (dist_read.h); signatures stay on the rank that made them
//   exact      (128-bit text hash, document) to the rank that owns the hash: identical texts are
//              joined there, and only the first of each goes on
//   candidates (band key, document) to the rank that owns the key: buckets there give candidate
//              pairs (the same rule as one process, candidates/lsh.h), sent to the rank of their
//              first document, where repeats are dropped
//   verify     the rank of a pair's first document asks for the second's signature (or shingle
//              set), then verifies as one process does
//   clusters   each rank's joins (exact and verified), reduced to a spanning forest, to rank 0,
//              which numbers the clusters by first member; each cluster's members to the rank of
//              its first member, which keeps one member by `keep` and measures the others
// Global document numbers are input order, and every tie is broken by them, so no result
// depends on the number of ranks or threads.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dist/communicator.h"
#include "dist/dist_read.h"
#include "dist/output_parts.h"
#include "doppel/dedup.h"

namespace doppel::dist {

// Bytes this rank handed to MPI for other ranks, by stage.
struct DedupTraffic {
  std::uint64_t read = 0, exact = 0, candidates = 0, verify = 0, clusters = 0, outputs = 0;
};

// What one rank knows after a distributed dedup: enough to write its part of every output.
struct RankDedup {
  RankCorpus rc;
  std::vector<DedupDocument> docs;  // per local document; cluster numbers are the run's

  // The clusters whose first member this rank holds, ascending; the rank writes their lines.
  struct OwnedCluster {
    std::uint32_t number = 0, size = 0;
    std::uint32_t representative = 0;  // index among the members
    std::uint32_t members_begin = 0;   // into `members`
    bool all_exact = true;
  };
  struct Member {
    float similarity = 0;
    bool exact = false;
    std::uint32_t id_begin = 0, id_size = 0, date_size = 0;  // in member_strings
  };
  std::vector<OwnedCluster> clusters;
  std::vector<Member> members;
  std::string member_strings;

  // Kept member's id of each cluster this rank's documents are in, by cluster.
  std::vector<std::pair<std::uint32_t, std::string>> representatives;

  // Verified pairs whose first document this rank holds, by (a, b), global numbers; the second
  // document's id.
  std::vector<NearPair> pairs;
  std::vector<std::string> pair_b_ids;

  DedupStats stats;  // the run's
  std::uint64_t clusters_total = 0;
  DedupTraffic traffic;              // this rank's
  std::uint64_t peak_rss_bytes = 0;  // this rank's (stats.peak_rss_bytes: the largest rank's)

  std::string_view member_id(const Member& m) const {
    return std::string_view(member_strings).substr(m.id_begin, m.id_size);
  }
  std::string_view member_date(const Member& m) const {
    return std::string_view(member_strings).substr(m.id_begin + m.id_size, m.date_size);
  }
  std::string_view representative_of(std::uint32_t cluster) const;
};

// Collective. The options must be the same on every rank. Fails on every rank alike
// (Communicator::failed_rank() names the rank that failed first, if one did).
Status dedup_distributed(Communicator& comm, std::span<const std::string> inputs,
                         const DedupOptions& options, RankDedup& out);

// This rank's part of each output (output_parts.h joins them in rank order).
Status write_clusters_part(const RankDedup& r, OutputStream& out);
Status write_pairs_part(const RankDedup& r, OutputStream& out);
Status write_removed_part(const RankDedup& r, OutputStream& out);
Status write_deduplicated_part(const RankDedup& r, OutputStream& out);
// How an id or a date is shown to a person (the front end's escaping of control characters).
using ShownField = std::string (*)(std::string_view);
// The listing for a person (print_clusters of one process): the blocks of this rank's clusters
// numbered below `limit`, each id and date as `shown` gives it, and each with the excerpt of
// `excerpts` (cluster number and excerpt, by number) that has its number, if one does.
Status write_listing_part(const RankDedup& r, std::uint64_t limit, ShownField shown,
                          std::span<const std::pair<std::uint32_t, std::string>> excerpts,
                          OutputStream& out);
// Rank 0: the run's --stats, with the line "ranks": the number of ranks and the bytes they sent.
Status write_stats_distributed(const RankDedup& r, const DedupOptions& options, int ranks,
                               std::uint64_t bytes_sent, OutputStream& out);

}  // namespace doppel::dist
