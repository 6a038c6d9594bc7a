// Writers of the dedup outputs (docs/formats.md). Each builds lines in a string buffer and writes
// them in large blocks.
#include <fmt/format.h>

#include <cerrno>
#include <cstring>

#include "doppel/dedup.h"
#include "io/document_parser.h"
#include "io/input.h"
#include "io/line_writer.h"
#include "io/stats_json.h"
#include "util/json_writer.h"

namespace doppel {

Status write_clusters(const DedupResult& r, std::FILE* out) {
  LineWriter w(out);
  for (std::uint32_t c = 0; c < r.clusters.size(); ++c) {
    const Cluster& cl = r.clusters[c];
    std::string& s = w.line();
    s += fmt::format("{{\"cluster\":{},\"kind\":\"{}\",\"size\":{},\"representative\":", c,
                     cl.all_exact ? "exact" : "near", cl.size);
    append_json_string(s, r.id(cl.representative));
    s += ",\"members\":[";
    for (std::uint32_t k = 0; k < cl.size; ++k) {
      const std::uint32_t d = r.members[cl.members_begin + k];
      if (k > 0) s.push_back(',');
      s += "{\"id\":";
      append_json_string(s, r.id(d));
      s += ",\"similarity\":";
      append_json_number(s, r.docs[d].similarity);
      s += r.docs[d].exact ? ",\"exact\":true" : ",\"exact\":false";
      append_optional_json_field(s, "date", r.date(d));
      s.push_back('}');
    }
    s += "]}";
    DOPPEL_RETURN_IF_ERROR(w.end_line());
  }
  return w.flush();
}

Status write_pairs(const DedupResult& r, std::FILE* out) {
  LineWriter w(out);
  for (const NearPair& p : r.pairs) {
    std::string& s = w.line();
    s += "{\"a\":";
    append_json_string(s, r.id(p.a));
    s += ",\"b\":";
    append_json_string(s, r.id(p.b));
    s += ",\"similarity\":";
    append_json_number(s, p.similarity);
    s.push_back('}');
    DOPPEL_RETURN_IF_ERROR(w.end_line());
  }
  return w.flush();
}

Status write_removed(const DedupResult& r, std::FILE* out) {
  LineWriter w(out);
  std::size_t next_problem = 0;
  for (std::uint32_t d = 0; d < r.docs.size(); ++d) {
    const DocumentInfo& info = r.docs[d];
    if (info.status == DocStatus::kKept) continue;
    std::string& s = w.line();
    s += "{\"id\":";
    append_json_string(s, r.id(d));
    s += fmt::format(",\"reason\":\"{}\"", to_string(info.status));
    if (!is_bad_input(info.status)) {
      s += ",\"duplicate_of\":";
      append_json_string(s, r.id(r.duplicate_of(d)));
      s += ",\"similarity\":";
      append_json_number(s, info.similarity);
      s += fmt::format(",\"cluster\":{}", info.cluster);
    } else {
      s += ",\"file\":";
      append_json_string(s, r.inputs[info.input]);
      if (info.line > 0) s += fmt::format(",\"line\":{}", info.line);
      // Problems are in input order; those of whole files (doc == kNoDoc) are skipped.
      while (next_problem < r.problems.size() &&
             (r.problems[next_problem].doc < d || r.problems[next_problem].doc == kNoDoc)) {
        ++next_problem;
      }
      if (next_problem < r.problems.size() && r.problems[next_problem].doc == d) {
        s += ",\"message\":";
        append_json_string(s, r.problems[next_problem].message);
      }
    }
    s.push_back('}');
    DOPPEL_RETURN_IF_ERROR(w.end_line());
  }
  return w.flush();
}

Status write_stats(const DedupResult& r, const DedupOptions& o, std::FILE* out) {
  const DedupStats& st = r.stats;
  std::string s;
  begin_stats(s, st);
  s += fmt::format("  \"documents\": {{\"read\": {}, \"kept\": {}, \"removed\": {}", st.documents,
                   st.by_status[0], st.documents - st.by_status[0]);
  append_status_counts(s, st, DocStatus::kExactDuplicate);
  s += "},\n";
  append_file_counts(s, r);
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
  return end_stats(s, st, out);
}

Status write_deduplicated_corpus(const DedupResult& r, const DedupOptions& options,
                                 const std::string& stdin_copy_path, std::FILE* out) {
  DocumentParser parser(options.read);
  ParsedDoc parsed;
  LineWriter w(out);
  DOPPEL_RETURN_IF_ERROR(reread_kept_documents(
      r, options.read, stdin_copy_path,
      [&](std::uint32_t doc, const Batch& batch, const RawDoc& raw, const InputFile& file) {
        std::string& s = w.line();
        if (file.format == InputFormat::kJsonl) {
          s += batch.doc_bytes(raw);
        } else {
          parser.parse(batch, raw, file, parsed);
          s += "{\"id\":";
          append_json_string(s, r.id(doc));
          s += ",\"text\":";
          append_json_string(s, parsed.text);
          append_optional_json_field(s, "date", parsed.date);
          append_optional_json_field(s, "byline", parsed.byline);
          s.push_back('}');
        }
        return w.end_line();
      }));
  return w.flush();
}

}  // namespace doppel
