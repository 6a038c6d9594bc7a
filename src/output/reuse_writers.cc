// Writers of the reuse outputs (docs/formats.md).
#include <fmt/format.h>

#include <algorithm>
#include <iterator>

#include "doppel/reuse.h"
#include "output/line_writer.h"
#include "output/reuse_stats.h"
#include "output/stats_json.h"
#include "util/json_writer.h"

namespace doppel {
namespace {

using namespace std::string_view_literals;

// The keys of a span's four fields, with the separators before them: `,"a_begin":` and so on.
struct SpanKeys {
  std::string_view begin, end, byte_begin, byte_end;
};
constexpr SpanKeys kSpanKeys{",\"begin\":", ",\"end\":", ",\"byte_begin\":", ",\"byte_end\":"};
constexpr SpanKeys kListedSpanKeys{"\"begin\":", ",\"end\":", ",\"byte_begin\":", ",\"byte_end\":"};
constexpr SpanKeys kSpanKeysA{
    ",\"a_begin\":", ",\"a_end\":", ",\"a_byte_begin\":", ",\"a_byte_end\":"};
constexpr SpanKeys kSpanKeysB{
    ",\"b_begin\":", ",\"b_end\":", ",\"b_byte_begin\":", ",\"b_byte_end\":"};

void append_span(std::string& s, const SpanKeys& keys, const TextSpan& span) {
  s += keys.begin;
  append_uint(s, span.begin);
  s += keys.end;
  append_uint(s, span.end);
  s += keys.byte_begin;
  append_uint(s, span.byte_begin);
  s += keys.byte_end;
  append_uint(s, span.byte_end);
}

// `,"role":"source"` or `,"role":"reuse"`; nothing when the cluster has no source (no dates).
void append_role(std::string& s, const ReuseResult& r, const Occurrence& o) {
  switch (role_of(r, o)) {
    case OccurrenceRole::kSource:
      s += ",\"role\":\"source\""sv;
      break;
    case OccurrenceRole::kReuse:
      s += ",\"role\":\"reuse\""sv;
      break;
    case OccurrenceRole::kUnknown:
      break;
  }
}

// An occurrence in a document's list of spans: `{"begin":..,"byte_end":..,"cluster":..}`, and
// its role when `r` is given.
void append_listed_occurrence(std::string& s, const Occurrence& o, const ReuseResult* r) {
  s.push_back('{');
  append_span(s, kListedSpanKeys, o.span);
  s += ",\"cluster\":"sv;
  append_uint(s, o.cluster);
  if (r != nullptr) append_role(s, *r, o);
  s.push_back('}');
}

}  // namespace

Status write_passage_pairs(const ReuseResult& r, OutputStream& out) {
  LineWriter w(out);
  for (const PassagePair& p : r.pairs) {
    std::string& s = w.line();
    s += "{\"a\":"sv;
    append_json_string(s, r.corpus.id(p.a));
    s += ",\"b\":"sv;
    append_json_string(s, r.corpus.id(p.b));
    append_span(s, kSpanKeysA, p.a_span);
    append_span(s, kSpanKeysB, p.b_span);
    s += ",\"a_words\":"sv;
    append_uint(s, p.a_span.words);
    s += ",\"b_words\":"sv;
    append_uint(s, p.b_span.words);
    s += ",\"matches\":"sv;
    append_uint(s, p.matches);
    s += ",\"similarity\":"sv;
    append_json_number(s, p.similarity);
    s += ",\"cluster\":"sv;
    if (p.cluster == kNoPassageCluster) {
      s += "null"sv;
    } else {
      append_uint(s, p.cluster);
    }
    s.push_back('}');
    DOPPEL_RETURN_IF_ERROR(w.end_line());
  }
  return w.flush();
}

Status write_passage_clusters(const ReuseResult& r, OutputStream& out) {
  LineWriter w(out);
  for (std::uint32_t c = 0; c < r.clusters.size(); ++c) {
    const PassageCluster& cl = r.clusters[c];
    std::string& s = w.line();
    s += "{\"cluster\":"sv;
    append_uint(s, c);
    s += ",\"documents\":"sv;
    append_uint(s, cl.documents);
    s += ",\"occurrences\":"sv;
    append_uint(s, cl.size);
    s += ",\"source\":"sv;
    if (cl.source == kNoOccurrence) {
      s += "null";
    } else {
      append_json_string(s, r.corpus.id(r.occurrences[cl.source].doc));
    }
    s += ",\"members\":[";
    for (std::uint32_t k = 0; k < cl.size; ++k) {
      const Occurrence& o = r.occurrences[cl.occurrences_begin + k];
      if (k > 0) s.push_back(',');
      s += "{\"id\":";
      append_json_string(s, r.corpus.id(o.doc));
      append_span(s, kSpanKeys, o.span);
      s += ",\"words\":"sv;
      append_uint(s, o.span.words);
      append_optional_json_field(s, "date", r.corpus.date(o.doc));
      append_role(s, r, o);
      s.push_back('}');
    }
    s += "]}";
    DOPPEL_RETURN_IF_ERROR(w.end_line());
  }
  return w.flush();
}

Status write_reuse_documents(const ReuseResult& r, OutputStream& out) {
  LineWriter w(out);
  const std::vector<std::uint32_t> order = occurrences_by_document(r);
  const std::vector<std::uint64_t> reused = reused_chars(r);
  std::size_t next = 0;
  for (std::uint32_t d = 0; d < r.corpus.docs.size(); ++d) {
    if (!r.corpus.ok(d)) continue;
    while (next < order.size() && r.occurrences[order[next]].doc < d) ++next;
    std::string& s = w.line();
    s += "{\"id\":";
    append_json_string(s, r.corpus.id(d));
    append_optional_json_field(s, "date", r.corpus.date(d));
    const std::uint64_t chars = r.doc_chars[d];
    s += ",\"chars\":"sv;
    append_uint(s, chars);
    s += ",\"reused_chars\":"sv;
    append_uint(s, reused[d]);
    s += ",\"reused\":"sv;
    append_json_number(s, chars > 0 ? double(reused[d]) / double(chars) : 0.0);
    s += ",\"spans\":["sv;
    for (std::size_t k = next; k < order.size() && r.occurrences[order[k]].doc == d; ++k) {
      if (k > next) s.push_back(',');
      append_listed_occurrence(s, r.occurrences[order[k]], &r);
    }
    s += "]}"sv;
    DOPPEL_RETURN_IF_ERROR(w.end_line());
  }
  return w.flush();
}

Status write_reuse_stats(const ReuseResult& r, const ReuseOptions& o, OutputStream& out) {
  return write_reuse_stats_with(r, o, {}, out);
}

Status write_reuse_stats_with(const ReuseResult& r, const ReuseOptions& o,
                              std::string_view ranks_line, OutputStream& out) {
  const ReadStats& st = r.corpus.stats;
  const ReuseStats& rs = r.stats;
  std::string s;
  begin_stats(s, st);
  fmt::format_to(std::back_inserter(s), "  \"documents\": {{\"read\": {}, \"compared\": {}",
                 st.documents, st.ok());
  append_bad_input_counts(s, st);
  s += "},\n";
  append_file_counts(s, st, r.corpus.inputs.size());
  fmt::format_to(std::back_inserter(s),
                 "  \"passages\": {{\"pairs\": {}, \"clusters\": {}, \"occurrences\": {}, "
                 "\"reused_bytes\": {}, \"text_bytes\": {}}},\n",
                 r.pairs.size(), r.clusters.size(), r.occurrences.size(), rs.reused_bytes,
                 rs.text_bytes);
  fmt::format_to(std::back_inserter(s),
                 "  \"seeds\": {}, \"chains_aligned\": {}, \"frequent_ngrams\": {},\n", rs.seeds,
                 rs.chains_aligned, rs.frequent_ngrams);
  fmt::format_to(std::back_inserter(s),
                 "  \"options\": {{\"seed_words\": {}, \"min_words\": {}, \"min_similarity\": {}, "
                 "\"cluster_trigrams\": {}, \"band\": {}, \"max_unmatched\": {}, \"max_gap\": {}, "
                 "\"all_pairs_docs\": {}, \"min_docs\": {}, \"threads\": {}}},\n",
                 o.seed_words, o.min_words, o.min_similarity, o.cluster_trigrams, o.band,
                 o.max_unmatched, o.max_gap, o.all_pairs_docs, o.min_docs, rs.threads);
  s += ranks_line;
  const ReuseSeconds& sec = rs.seconds;
  fmt::format_to(
      std::back_inserter(s),
      "  \"seconds\": {{\"read\": {:.4f}, \"seeds\": {:.4f}, \"align\": {:.4f}, \"cluster\": "
      "{:.4f}, \"total\": {:.4f}}},\n",
      sec.read, sec.seeds, sec.align, sec.cluster, sec.total);
  end_stats(s, st, sec.total, rs.peak_rss_bytes);
  LineWriter w(out);
  w.line() = std::move(s);
  return w.flush();
}

Status write_cleaned_corpus(const ReuseResult& r, const ReuseOptions& options, OutputStream& out) {
  LineWriter w(out);
  DOPPEL_RETURN_IF_ERROR(for_each_cleaned_document(r, options, [&](const CleanedDocument& d) {
    std::string& s = w.line();
    s += "{\"id\":";
    append_json_string(s, r.corpus.id(d.doc));
    s += ",\"text\":";
    append_json_string(s, d.text);
    append_optional_json_field(s, "date", r.corpus.date(d.doc));
    append_optional_json_field(s, "byline", d.byline);
    s += ",\"removed\":[";
    for (std::size_t k = 0; k < d.removed.size(); ++k) {
      const Occurrence& o = *d.removed[k];
      if (k > 0) s.push_back(',');
      append_listed_occurrence(s, o, nullptr);
    }
    s += "]}";
    return w.end_line();
  }));
  return w.flush();
}

}  // namespace doppel
