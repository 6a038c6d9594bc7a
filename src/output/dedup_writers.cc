// Writers of the dedup outputs (docs/formats.md). Each builds lines in a string buffer and writes
// them in large blocks.
#include <fmt/format.h>

#include "corpus/reread.h"
#include "doppel/dedup.h"
#include "input/document_parser.h"
#include "output/line_writer.h"
#include "output/stats_json.h"
#include "util/json_writer.h"

namespace doppel {

Status write_clusters(const DedupResult& r, OutputStream& out) {
  const Corpus& corpus = r.corpus;
  LineWriter w(out);
  for (std::uint32_t c = 0; c < r.clusters.size(); ++c) {
    const Cluster& cl = r.clusters[c];
    std::string& s = w.line();
    s += fmt::format("{{\"cluster\":{},\"kind\":\"{}\",\"size\":{},\"representative\":", c,
                     cl.all_exact ? "exact" : "near", cl.size);
    append_json_string(s, corpus.id(cl.representative));
    s += ",\"members\":[";
    for (std::uint32_t k = 0; k < cl.size; ++k) {
      const std::uint32_t d = r.members[cl.members_begin + k];
      if (k > 0) s.push_back(',');
      s += "{\"id\":";
      append_json_string(s, corpus.id(d));
      s += ",\"similarity\":";
      append_json_number(s, r.docs[d].similarity);
      s += r.docs[d].exact ? ",\"exact\":true" : ",\"exact\":false";
      append_optional_json_field(s, "date", corpus.date(d));
      s.push_back('}');
    }
    s += "]}";
    DOPPEL_RETURN_IF_ERROR(w.end_line());
  }
  return w.flush();
}

Status write_pairs(const DedupResult& r, OutputStream& out) {
  LineWriter w(out);
  for (const NearPair& p : r.pairs) {
    std::string& s = w.line();
    s += "{\"a\":";
    append_json_string(s, r.corpus.id(p.a));
    s += ",\"b\":";
    append_json_string(s, r.corpus.id(p.b));
    s += ",\"similarity\":";
    append_json_number(s, p.similarity);
    s.push_back('}');
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
    std::string& s = w.line();
    s += "{\"id\":";
    append_json_string(s, corpus.id(d));
    s += fmt::format(",\"reason\":\"{}\"", removal_reason(r, d));
    if (doc.verdict != DedupVerdict::kNotCompared) {
      s += ",\"duplicate_of\":";
      append_json_string(s, corpus.id(r.duplicate_of(d)));
      s += ",\"similarity\":";
      append_json_number(s, doc.similarity);
      s += fmt::format(",\"cluster\":{}", doc.cluster);
    } else {
      const Document& info = corpus.docs[d];
      s += ",\"file\":";
      append_json_string(s, corpus.inputs[info.input].name);
      if (info.line > 0) s += fmt::format(",\"line\":{}", info.line);
      // Problems are in input order; those of whole files (doc == kNoDocument) are skipped.
      const auto& problems = corpus.problems;
      while (next_problem < problems.size() &&
             (problems[next_problem].doc < d || problems[next_problem].doc == kNoDocument)) {
        ++next_problem;
      }
      if (next_problem < problems.size() && problems[next_problem].doc == d) {
        s += ",\"message\":";
        append_json_string(s, problems[next_problem].message);
      }
    }
    s.push_back('}');
    DOPPEL_RETURN_IF_ERROR(w.end_line());
  }
  return w.flush();
}

Status write_stats(const DedupResult& r, const DedupOptions& o, OutputStream& out) {
  const DedupStats& st = r.stats;
  const ReadStats& rs = r.corpus.stats;
  std::string s;
  begin_stats(s, rs);
  s += fmt::format("  \"documents\": {{\"read\": {}, \"kept\": {}, \"removed\": {}", rs.documents,
                   st.kept, rs.documents - st.kept);
  s += fmt::format(", \"exact_duplicate\": {}, \"near_duplicate\": {}", st.exact_duplicates,
                   st.near_duplicates);
  append_bad_input_counts(s, rs);
  s += "},\n";
  append_file_counts(s, r.corpus);
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
  const auto& sec = st.seconds;
  s += fmt::format(
      "  \"seconds\": {{\"read_sketch\": {:.4f}, \"exact\": {:.4f}, \"candidates\": {:.4f}, "
      "\"verify\": {:.4f}, \"cluster\": {:.4f}, \"total\": {:.4f}}},\n",
      sec.read_sketch, sec.exact, sec.candidates, sec.verify, sec.cluster, sec.total);
  end_stats(s, rs, sec.total, st.peak_rss_bytes);
  LineWriter w(out);
  w.line() = std::move(s);
  return w.flush();
}

Status write_deduplicated_corpus(const DedupResult& r, OutputStream& out) {
  const Corpus& corpus = r.corpus;
  if (!corpus.source) return Status::Internal("the corpus does not know where it came from");
  DocumentParser parser(corpus.source->read_options());
  ParsedDoc parsed;
  LineWriter w(out);
  DOPPEL_RETURN_IF_ERROR(reread_documents(
      corpus, [&](std::uint32_t d) { return r.docs[d].verdict == DedupVerdict::kKept; },
      [&](std::uint32_t doc, const Batch& batch, const RawDoc& raw, const InputFile& file) {
        std::string& s = w.line();
        if (file.format == InputFormat::kJsonl) {
          s += batch.doc_bytes(raw);
        } else {
          parser.parse(batch, raw, file, parsed);
          s += "{\"id\":";
          append_json_string(s, corpus.id(doc));
          s += ",\"text\":";
          append_json_string(s, parsed.body());
          append_optional_json_field(s, "date", parsed.date);
          append_optional_json_field(s, "byline", parsed.byline);
          s.push_back('}');
        }
        return w.end_line();
      }));
  return w.flush();
}

}  // namespace doppel
