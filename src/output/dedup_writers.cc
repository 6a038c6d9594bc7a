// Writers of the dedup outputs (docs/formats.md). Each builds lines in a string buffer and writes
// them in large blocks.
#include <fmt/format.h>

#include "corpus/reread.h"
#include "doppel/dedup.h"
#include "input/document_parser.h"
#include "output/dedup_lines.h"
#include "output/line_writer.h"
#include "output/stats_json.h"
#include "util/json_writer.h"

namespace doppel {

void append_pair_line(std::string& s, std::string_view a, std::string_view b, float similarity) {
  s += "{\"a\":";
  append_json_string(s, a);
  s += ",\"b\":";
  append_json_string(s, b);
  s += ",\"similarity\":";
  append_json_number(s, similarity);
  s.push_back('}');
}

void append_removed_duplicate(std::string& s, std::string_view id, std::string_view reason,
                              std::string_view duplicate_of, float similarity,
                              std::uint32_t cluster) {
  s += "{\"id\":";
  append_json_string(s, id);
  s += fmt::format(",\"reason\":\"{}\"", reason);
  s += ",\"duplicate_of\":";
  append_json_string(s, duplicate_of);
  s += ",\"similarity\":";
  append_json_number(s, similarity);
  s += fmt::format(",\"cluster\":{}}}", cluster);
}

void append_removed_bad_input(std::string& s, const Corpus& corpus, std::uint32_t doc,
                              std::size_t& next_problem) {
  const Document& info = corpus.docs[doc];
  // Problems are in input order; those of whole files (doc == kNoDocument) are skipped.
  const auto& problems = corpus.problems;
  while (next_problem < problems.size() &&
         (problems[next_problem].doc < doc || problems[next_problem].doc == kNoDocument)) {
    ++next_problem;
  }
  s += "{\"id\":";
  append_json_string(s, corpus.id(doc));
  s += fmt::format(",\"reason\":\"{}\"", to_string(info.status));
  s += ",\"file\":";
  append_json_string(s, corpus.inputs[info.input].name);
  if (info.line > 0) s += fmt::format(",\"line\":{}", info.line);
  if (next_problem < problems.size() && problems[next_problem].doc == doc) {
    s += ",\"message\":";
    append_json_string(s, problems[next_problem].message);
  }
  s.push_back('}');
}

void append_kept_document(std::string& s, std::string_view id, const Batch& batch,
                          const RawDoc& raw, const InputFile& file, DocumentParser& parser,
                          ParsedDoc& parsed) {
  if (file.format == InputFormat::kJsonl) {
    s += batch.doc_bytes(raw);
    return;
  }
  parser.parse(batch, raw, file, parsed);
  s += "{\"id\":";
  append_json_string(s, id);
  s += ",\"text\":";
  append_json_string(s, parsed.body());
  append_optional_json_field(s, "date", parsed.date);
  append_optional_json_field(s, "byline", parsed.byline);
  s.push_back('}');
}

Status write_clusters(const DedupResult& r, OutputStream& out) {
  const Corpus& corpus = r.corpus;
  LineWriter w(out);
  for (std::uint32_t c = 0; c < r.clusters.size(); ++c) {
    const Cluster& cl = r.clusters[c];
    append_cluster_line(
        w.line(), c, cl.all_exact, cl.size, corpus.id(cl.representative), [&](std::uint32_t k) {
          const std::uint32_t d = r.members[cl.members_begin + k];
          return MemberLine{corpus.id(d), r.docs[d].similarity, r.docs[d].exact, corpus.date(d)};
        });
    DOPPEL_RETURN_IF_ERROR(w.end_line());
  }
  return w.flush();
}

Status write_pairs(const DedupResult& r, OutputStream& out) {
  LineWriter w(out);
  for (const NearPair& p : r.pairs) {
    append_pair_line(w.line(), r.corpus.id(p.a), r.corpus.id(p.b), p.similarity);
    DOPPEL_RETURN_IF_ERROR(w.end_line());
  }
  return w.flush();
}

Status write_removed(const DedupResult& r, OutputStream& out) {
  const Corpus& corpus = r.corpus;
  LineWriter w(out);
  std::size_t next_problem = 0;
  for (std::uint32_t d = 0; d < corpus.docs.size(); ++d) {
    const DedupDocument& doc = r.docs[d];
    if (doc.verdict == DedupVerdict::kKept) continue;
    if (doc.verdict != DedupVerdict::kNotCompared) {
      append_removed_duplicate(w.line(), corpus.id(d), removal_reason(r, d),
                               corpus.id(r.duplicate_of(d)), doc.similarity, doc.cluster);
    } else {
      append_removed_bad_input(w.line(), corpus, d, next_problem);
    }
    DOPPEL_RETURN_IF_ERROR(w.end_line());
  }
  return w.flush();
}

void append_dedup_figures(std::string& s, const ReadStats& rs, std::size_t files,
                          const DedupStats& st, const DedupOptions& o) {
  s += fmt::format("  \"documents\": {{\"read\": {}, \"kept\": {}, \"removed\": {}", rs.documents,
                   st.kept, rs.documents - st.kept);
  s += fmt::format(", \"exact_duplicate\": {}, \"near_duplicate\": {}", st.exact_duplicates,
                   st.near_duplicates);
  append_bad_input_counts(s, rs);
  s += "},\n";
  append_file_counts(s, rs, files);
  s += fmt::format(
      "  \"clusters\": {{\"exact\": {}, \"near\": {}, \"largest\": {}}},\n"
      "  \"candidate_pairs\": {}, \"verified_pairs\": {},\n",
      st.exact_clusters, st.near_clusters, st.largest_cluster, st.candidate_pairs,
      st.verified_pairs);
  s += fmt::format(
      "  \"options\": {{\"threshold\": {}, \"hashes\": {}, \"bands\": {}, \"rows\": {}, "
      "\"ngram\": {}, \"shingle\": \"{}\", \"verify\": \"{}\", \"threads\": {}}},\n",
      o.lsh.threshold, o.sketch.num_hashes, st.bands, st.rows, o.shingle.n,
      o.shingle.kind == ShingleKind::kWords ? "word" : "char",
      o.verify == VerifyMode::kExact ? "exact" : "signature", st.threads);
}

void append_dedup_seconds(std::string& s, const DedupSeconds& sec) {
  s += fmt::format(
      "  \"seconds\": {{\"read_sketch\": {:.4f}, \"exact\": {:.4f}, \"candidates\": {:.4f}, "
      "\"verify\": {:.4f}, \"cluster\": {:.4f}, \"total\": {:.4f}}},\n",
      sec.read_sketch, sec.exact, sec.candidates, sec.verify, sec.cluster, sec.total);
}

Status write_stats(const DedupResult& r, const DedupOptions& o, OutputStream& out) {
  const DedupStats& st = r.stats;
  const ReadStats& rs = r.corpus.stats;
  std::string s;
  begin_stats(s, rs);
  append_dedup_figures(s, rs, r.corpus.inputs.size(), st, o);
  append_dedup_seconds(s, st.seconds);
  end_stats(s, rs, st.seconds.total, st.peak_rss_bytes);
  LineWriter w(out);
  w.line() = std::move(s);
  return w.flush();
}

Status write_kept_documents(const Corpus& corpus, std::span<const DedupDocument> docs,
                            OutputStream& out) {
  if (!corpus.source) return Status::Internal("the corpus does not know where it came from");
  DocumentParser parser(corpus.source->read_options());
  ParsedDoc parsed;
  LineWriter w(out);
  DOPPEL_RETURN_IF_ERROR(reread_documents(
      corpus, [&](std::uint32_t d) { return docs[d].verdict == DedupVerdict::kKept; },
      [&](std::uint32_t doc, const Batch& batch, const RawDoc& raw, const InputFile& file) {
        append_kept_document(w.line(), corpus.id(doc), batch, raw, file, parser, parsed);
        return w.end_line();
      }));
  return w.flush();
}

Status write_deduplicated_corpus(const DedupResult& r, OutputStream& out) {
  return write_kept_documents(r.corpus, r.docs, out);
}

}  // namespace doppel
