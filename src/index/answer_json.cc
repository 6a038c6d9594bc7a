#include "index/answer_json.h"

#include "doppel/corpus.h"
#include "index/index_internal.h"
#include "text/utf8.h"
#include "util/json_writer.h"

namespace doppel {
namespace {

using namespace std::string_view_literals;

void append_span(std::string& s, const TextSpan& span) {
  s += "\"begin\":"sv;
  append_uint(s, span.begin);
  s += ",\"end\":"sv;
  append_uint(s, span.end);
  s += ",\"byte_begin\":"sv;
  append_uint(s, span.byte_begin);
  s += ",\"byte_end\":"sv;
  append_uint(s, span.byte_end);
  s += ",\"words\":"sv;
  append_uint(s, span.words);
}

void append_near(std::string& s, const std::vector<NearMatch>& near) {
  s.push_back('[');
  for (std::size_t i = 0; i < near.size(); ++i) {
    if (i > 0) s.push_back(',');
    s += "{\"id\":"sv;
    append_json_string(s, near[i].id);
    s += ",\"similarity\":"sv;
    append_json_number(s, near[i].similarity);
    s.push_back('}');
  }
  s.push_back(']');
}

// A number as fmt writes one ("30", "0.8", "1e-05") is a JSON number too; "on", "word" are not.
bool is_json_number(std::string_view v) {
  std::size_t i = 0;
  auto digits = [&] {
    const std::size_t from = i;
    while (i < v.size() && v[i] >= '0' && v[i] <= '9') ++i;
    return i > from;
  };
  if (i < v.size() && v[i] == '-') ++i;
  if (!digits()) return false;
  if (i < v.size() && v[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < v.size() && (v[i] == 'e' || v[i] == 'E')) {
    ++i;
    if (i < v.size() && (v[i] == '+' || v[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == v.size();
}

}  // namespace

void append_answer_json(std::string& s, const Answer& a) {
  s += "{\"id\":"sv;
  append_json_string(s, a.id);
  s += ",\"status\":\""sv;
  s += to_string(a.status);
  s.push_back('"');
  if (a.status == AnswerStatus::kBadInput || a.status == AnswerStatus::kDuplicateId) {
    if (a.status == AnswerStatus::kBadInput) {
      s += ",\"reason\":\""sv;
      s += to_string(a.reason);
      s.push_back('"');
    }
    s += ",\"message\":"sv;
    append_json_string(s, a.message);
    s += ",\"added\":false}"sv;
    return;
  }
  s += a.added ? ",\"added\":true"sv : ",\"added\":false"sv;
  if (a.date_unread) s += ",\"date_unread\":true"sv;
  if (a.status == AnswerStatus::kExactDuplicate) {
    s += ",\"duplicate_of\":"sv;
    append_json_string(s, a.duplicate_of);
  }
  s += ",\"near_duplicates\":"sv;
  append_near(s, a.near);
  if (!a.passages_looked_for) {
    // Not looked for (--skip-passages): null, which no answer that looked has, rather than an
    // empty list or a share of new text that would claim the document holds no reuse.
    s += ",\"passages\":null,\"code_points\":"sv;
    append_uint(s, a.code_points);
    s += ",\"new_code_points\":null,\"new_share\":null}"sv;
    return;
  }
  s += ",\"passages\":["sv;
  for (std::size_t i = 0; i < a.passages.size(); ++i) {
    const PassageAnswer& p = a.passages[i];
    if (i > 0) s.push_back(',');
    s.push_back('{');
    append_span(s, p.span);
    s += ",\"earlier\":["sv;
    for (std::size_t k = 0; k < p.holders.size(); ++k) {
      const PassageHolder& h = p.holders[k];
      if (k > 0) s.push_back(',');
      s += "{\"id\":"sv;
      append_json_string(s, h.id);
      append_optional_json_field(s, "date", h.date);
      s.push_back(',');
      append_span(s, h.span);
      s += ",\"here\":{"sv;
      append_span(s, h.here);
      s += "},\"similarity\":"sv;
      append_json_number(s, h.similarity);
      s.push_back('}');
    }
    s.push_back(']');
    if (p.source_id.empty()) {
      s += ",\"source\":null"sv;  // no date on either side: no earliest one
    } else {
      s += ",\"source\":{\"id\":"sv;
      append_json_string(s, p.source_id);
      s += ",\"date\":"sv;
      append_json_string(s, p.source_date);
      s.push_back('}');
    }
    s.push_back('}');
  }
  s += "],\"code_points\":"sv;
  append_uint(s, a.code_points);
  s += ",\"new_code_points\":"sv;
  append_uint(s, a.new_code_points);
  s += ",\"new_share\":"sv;
  append_json_number(s, a.code_points == 0 ? 1.0
                                           : static_cast<double>(a.new_code_points) /
                                                 static_cast<double>(a.code_points));
  s.push_back('}');
}

void append_record_json(std::string& s, const DocumentRecord& r) {
  s += "{\"id\":"sv;
  append_json_string(s, r.id);
  append_optional_json_field(s, "date", r.date);
  s += ",\"seq\":"sv;
  append_uint(s, r.seq);
  s += ",\"code_points\":"sv;
  append_uint(s, r.code_points);
  s += ",\"words\":"sv;
  append_uint(s, r.words);
  append_optional_json_field(s, "duplicate_of", r.exact_of);
  s += ",\"near_duplicates\":"sv;
  append_near(s, r.near);
  s += ",\"cluster\":["sv;
  for (std::size_t i = 0; i < r.cluster.size(); ++i) {
    if (i > 0) s.push_back(',');
    append_json_string(s, r.cluster[i]);
  }
  s += "]}"sv;
}

void append_stats_json(std::string& s, const IndexStats& st) {
  s += "{\"format_version\":"sv;
  append_uint(s, static_cast<std::uint64_t>(st.format_version));
  s += ",\"documents\":"sv;
  append_uint(s, st.documents);
  s += ",\"added\":"sv;
  append_uint(s, st.added);
  s += ",\"removed\":"sv;
  append_uint(s, st.removed);
  s += ",\"near_pairs\":"sv;
  append_uint(s, st.near_pairs);
  s += ",\"fingerprints\":"sv;
  append_uint(s, st.fingerprints);
  s += ",\"disk_bytes\":"sv;
  append_uint(s, st.disk_bytes);
  s += ",\"disk_bytes_per_document\":"sv;
  append_json_number(s, st.documents == 0 ? 0.0
                                          : static_cast<double>(st.disk_bytes) /
                                                static_cast<double>(st.documents));
  s += ",\"memory_bytes\":"sv;
  append_uint(s, st.memory_bytes);
  s += ",\"open_seconds\":"sv;
  append_json_number(s, st.open_seconds);
  s += ",\"created\":"sv;
  append_json_string(s, st.created);
  s += ",\"last_change\":"sv;
  append_json_string(s, st.last_change);
  s += ",\"icu_version\":"sv;
  if (st.icu_version.empty()) {
    s += "null"sv;
  } else {
    append_json_string(s, st.icu_version);
  }
  s += ",\"lsh\":{\"bands\":"sv;
  append_uint(s, static_cast<std::uint64_t>(st.bands));
  s += ",\"rows\":"sv;
  append_uint(s, static_cast<std::uint64_t>(st.rows));
  s += "},\"options\":{"sv;
  bool first = true;
  for (const auto& [name, value] : option_values(st.options)) {
    if (!first) s.push_back(',');
    first = false;
    append_json_string(s, name);
    s.push_back(':');
    if (is_json_number(value)) {
      s += value;
    } else {
      append_json_string(s, value);
    }
  }
  s += "}}"sv;
}

std::string error_json(int code, std::string_view message) {
  std::string s = "{\"error\":{\"code\":";
  append_uint(s, static_cast<std::uint64_t>(code));
  s += ",\"message\":";
  append_json_string(s, escape_invalid_utf8(message));  // ids from URLs may be any bytes
  s += "}}";
  return s;
}

}  // namespace doppel
