// Writers of the reuse outputs (docs/formats.md).
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <iterator>

#include "doppel/reuse.h"
#include "io/document_parser.h"
#include "io/line_writer.h"
#include "io/stats_json.h"
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

// Occurrence indices sorted by (document, begin).
std::vector<std::uint32_t> occurrences_by_document(const ReuseResult& r) {
  std::vector<std::uint32_t> order(r.occurrences.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::uint32_t x, std::uint32_t y) {
    const Occurrence& a = r.occurrences[x];
    const Occurrence& b = r.occurrences[y];
    return a.doc != b.doc ? a.doc < b.doc : a.span.begin < b.span.begin;
  });
  return order;
}

// Extends a removed span over the punctuation that closes its last word ("units." or
// "units,”") and, when whitespace surrounds it, over the whitespace after it, so that removing
// it leaves neither stray punctuation nor a double blank.
std::pair<std::size_t, std::size_t> removal_range(std::string_view text, std::size_t begin,
                                                  std::size_t end) {
  auto closing = [&](std::size_t i) -> std::size_t {  // bytes of a closing mark at i, or 0
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) return std::ispunct(c) != 0 ? 1 : 0;
    for (const std::string_view mark : {"\u2019", "\u201d", "\u00bb"}) {
      if (text.substr(i, mark.size()) == mark) return mark.size();
    }
    return 0;
  };
  while (end < text.size()) {
    const std::size_t k = closing(end);
    if (k == 0) break;
    end += k;
  }
  const bool space_before = begin == 0 || std::isspace(static_cast<unsigned char>(text[begin - 1]));
  if (space_before) {
    while (end < text.size() && std::isspace(static_cast<unsigned char>(text[end]))) ++end;
  }
  return {begin, end};
}

}  // namespace

Status write_passage_pairs(const ReuseResult& r, std::FILE* out) {
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
    append_uint(s, p.cluster);
    s.push_back('}');
    DOPPEL_RETURN_IF_ERROR(w.end_line());
  }
  return w.flush();
}

Status write_passage_clusters(const ReuseResult& r, std::FILE* out) {
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
    if (cl.source == kNoCluster) {
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

Status write_reuse_documents(const ReuseResult& r, std::FILE* out) {
  LineWriter w(out);
  const std::vector<std::uint32_t> order = occurrences_by_document(r);
  const std::vector<std::uint64_t> reused = reused_chars(r);
  std::size_t next = 0;
  for (std::uint32_t d = 0; d < r.corpus.docs.size(); ++d) {
    if (r.corpus.docs[d].status != DocStatus::kKept) continue;
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

Status write_reuse_stats(const ReuseResult& r, const ReuseOptions& o, std::FILE* out) {
  const DedupStats& st = r.corpus.stats;
  const ReuseStats& rs = r.stats;
  std::string s;
  begin_stats(s, st);
  fmt::format_to(std::back_inserter(s), "  \"documents\": {{\"read\": {}, \"compared\": {}",
                 st.documents, st.by_status[0]);
  append_status_counts(s, st, DocStatus::kMalformedJson);
  s += "},\n";
  append_file_counts(s, r.corpus);
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
                 "\"band\": {}, \"max_unmatched\": {}, \"max_gap\": {}, \"all_pairs_docs\": {}, "
                 "\"min_docs\": {}, \"threads\": {}}},\n",
                 o.seed_words, o.min_words, o.min_similarity, o.band, o.max_unmatched, o.max_gap,
                 o.all_pairs_docs, o.min_docs, st.threads);
  fmt::format_to(
      std::back_inserter(s),
      "  \"seconds\": {{\"read\": {:.4f}, \"seeds\": {:.4f}, \"align\": {:.4f}, \"cluster\": "
      "{:.4f}, \"total\": {:.4f}}},\n",
      rs.seconds_read, rs.seconds_seeds, rs.seconds_align, rs.seconds_cluster, st.seconds.total);
  return end_stats(s, st, out);
}

Status for_each_cleaned_document(const ReuseResult& r, const ReuseOptions& options,
                                 const std::string& stdin_copy_path,
                                 const CleanedDocumentCallback& fn) {
  const std::vector<std::uint32_t> order = occurrences_by_document(r);
  std::size_t next = 0;
  DocumentParser parser(options.read);
  ParsedDoc parsed;
  CleanedDocument cleaned;
  return reread_kept_documents(
      r.corpus, options.read, stdin_copy_path,
      [&](std::uint32_t doc, const Batch& batch, const RawDoc& raw, const InputFile& file) {
        parser.parse(batch, raw, file, parsed);
        // Source coordinates: text files count from the start of the file.
        const std::size_t base = file.format == InputFormat::kText ? parsed.text_offset : 0;
        const std::string_view text = parsed.text;
        cleaned.doc = doc;
        cleaned.text.clear();
        cleaned.removed.clear();
        cleaned.byline = parsed.byline;
        std::size_t copied = 0;
        while (next < order.size() && r.occurrences[order[next]].doc < doc) ++next;
        for (std::size_t k = next; k < order.size() && r.occurrences[order[k]].doc == doc; ++k) {
          const Occurrence& o = r.occurrences[order[k]];
          const PassageCluster& c = r.clusters[o.cluster];
          if (c.documents < static_cast<std::uint32_t>(options.min_docs)) continue;
          if (options.keep_source && role_of(r, o) == OccurrenceRole::kSource) continue;
          const auto [from, to] =
              removal_range(text, o.span.byte_begin - base, o.span.byte_end - base);
          if (from < copied) continue;
          cleaned.text.append(text.substr(copied, from - copied));
          copied = to;
          cleaned.removed.push_back(&o);
        }
        cleaned.text.append(text.substr(copied));
        return fn(cleaned);
      });
}

Status write_cleaned_corpus(const ReuseResult& r, const ReuseOptions& options,
                            const std::string& stdin_copy_path, std::FILE* out) {
  LineWriter w(out);
  DOPPEL_RETURN_IF_ERROR(
      for_each_cleaned_document(r, options, stdin_copy_path, [&](const CleanedDocument& d) {
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
