// Each rank's part of dedup's outputs, line for line what one process writes for the same
// documents and clusters (the lines come from output/dedup_lines.h).
#include <fmt/format.h>

#include <algorithm>

#include "corpus/reread.h"
#include "dist/dist_dedup.h"
#include "output/dedup_lines.h"
#include "output/line_writer.h"
#include "output/stats_json.h"

namespace doppel::dist {
namespace {

MemberLine member_line(const RankDedup& r, const RankDedup::OwnedCluster& cl, std::uint32_t k) {
  const RankDedup::Member& m = r.members[cl.members_begin + k];
  return MemberLine{r.member_id(m), m.similarity, m.exact, r.member_date(m)};
}

}  // namespace

Status write_clusters_part(const RankDedup& r, OutputStream& out) {
  LineWriter w(out);
  for (const RankDedup::OwnedCluster& cl : r.clusters) {
    append_cluster_line(w.line(), cl.number, cl.all_exact, cl.size,
                        r.member_id(r.members[cl.members_begin + cl.representative]),
                        [&](std::uint32_t k) { return member_line(r, cl, k); });
    DOPPEL_RETURN_IF_ERROR(w.end_line());
  }
  return w.flush();
}

Status write_listing_part(const RankDedup& r, std::uint64_t limit, ShownField shown,
                          std::span<const std::pair<std::uint32_t, std::string>> excerpts,
                          OutputStream& out) {
  LineWriter w(out);
  std::string id;
  std::string date;
  for (const RankDedup::OwnedCluster& cl : r.clusters) {
    if (cl.number >= limit) break;
    const auto excerpt = std::lower_bound(excerpts.begin(), excerpts.end(), cl.number,
                                          [](const std::pair<std::uint32_t, std::string>& e,
                                             std::uint32_t n) { return e.first < n; });
    // As the ids and dates: text from the input, escaped for a terminal.
    const std::string shown_excerpt =
        excerpt != excerpts.end() && excerpt->first == cl.number ? shown(excerpt->second) : "";
    append_cluster_block(
        w.line(), cl.number, cl.all_exact, cl.size, cl.representative,
        [&](std::uint32_t k) {
          MemberLine m = member_line(r, cl, k);
          id = shown(m.id);  // each line is written before the next is asked for
          date = shown(m.date);
          m.id = id;
          m.date = date;
          return m;
        },
        shown_excerpt);
    DOPPEL_RETURN_IF_ERROR(w.flush_if_full());
  }
  return w.flush();
}

Status write_pairs_part(const RankDedup& r, OutputStream& out) {
  LineWriter w(out);
  const Corpus& c = r.rc.corpus;
  for (std::size_t i = 0; i < r.pairs.size(); ++i) {
    const NearPair& p = r.pairs[i];
    append_pair_line(w.line(), c.id(p.a - r.rc.first), r.pair_b_ids[i], p.similarity);
    DOPPEL_RETURN_IF_ERROR(w.end_line());
  }
  return w.flush();
}

Status write_removed_part(const RankDedup& r, OutputStream& out) {
  const Corpus& corpus = r.rc.corpus;
  LineWriter w(out);
  std::size_t next_problem = 0;
  for (std::uint32_t d = 0; d < corpus.docs.size(); ++d) {
    const DedupDocument& doc = r.docs[d];
    switch (doc.verdict) {
      case DedupVerdict::kKept:
        continue;
      case DedupVerdict::kExactDuplicate:
      case DedupVerdict::kNearDuplicate:
        append_removed_duplicate(
            w.line(), corpus.id(d),
            doc.verdict == DedupVerdict::kExactDuplicate ? "exact_duplicate" : "near_duplicate",
            r.representative_of(doc.cluster), doc.similarity, doc.cluster);
        break;
      case DedupVerdict::kNotCompared:
        append_removed_bad_input(w.line(), corpus, d, next_problem);
        break;
    }
    DOPPEL_RETURN_IF_ERROR(w.end_line());
  }
  return w.flush();
}

Status write_deduplicated_part(const RankDedup& r, OutputStream& out) {
  return write_kept_documents(r.rc.corpus, r.docs, out);
}

Status write_stats_distributed(const RankDedup& r, const DedupOptions& options, int ranks,
                               std::uint64_t bytes_sent, OutputStream& out) {
  const ReadStats& rs = r.rc.totals;
  std::string s;
  begin_stats(s, rs);
  append_dedup_figures(s, rs, r.rc.corpus.inputs.size(), r.stats, options);
  s += fmt::format(
      "  \"ranks\": {{\"count\": {}, \"bytes_sent\": {}, \"bytes_per_document\": {:.1f}}},\n",
      ranks, bytes_sent, rs.documents > 0 ? double(bytes_sent) / double(rs.documents) : 0.0);
  append_dedup_seconds(s, r.stats.seconds);
  end_stats(s, rs, r.stats.seconds.total, r.stats.peak_rss_bytes);
  LineWriter w(out);
  w.line() = std::move(s);
  return w.flush();
}

}  // namespace doppel::dist
