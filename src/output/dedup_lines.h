// The lines of dedup's outputs (docs/formats.md), one function each, so that the writers of one
// process (dedup_writers.cc) and the ranks of a distributed run, each writing its part
// (dist/dist_dedup_writers.cc), give the same bytes. Pure functions appending to a string.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "doppel/corpus.h"
#include "doppel/dedup.h"
#include "input/batch_reader.h"
#include "input/document_parser.h"
#include "util/json_writer.h"

namespace doppel {

// A cluster member as the clusters output lists it.
struct MemberLine {
  std::string_view id;
  float similarity = 0;
  bool exact = false;
  std::string_view date;
};

// `{"cluster":..,"members":[..]}` without the newline; member_at(k) gives member k (a
// MemberLine) of `size`, in input order.
template <typename MemberAt>
void append_cluster_line(std::string& s, std::uint32_t number, bool all_exact, std::uint32_t size,
                         std::string_view representative, MemberAt member_at) {
  s += fmt::format("{{\"cluster\":{},\"kind\":\"{}\",\"size\":{},\"representative\":", number,
                   all_exact ? "exact" : "near", size);
  append_json_string(s, representative);
  s += ",\"members\":[";
  for (std::uint32_t k = 0; k < size; ++k) {
    const MemberLine m = member_at(k);
    if (k > 0) s.push_back(',');
    s += "{\"id\":";
    append_json_string(s, m.id);
    s += ",\"similarity\":";
    append_json_number(s, m.similarity);
    s += m.exact ? ",\"exact\":true" : ",\"exact\":false";
    append_optional_json_field(s, "date", m.date);
    s.push_back('}');
  }
  s += "]}";
}

void append_pair_line(std::string& s, std::string_view a, std::string_view b, float similarity);

// A removed duplicate: `{"id","reason","duplicate_of","similarity","cluster"}`.
void append_removed_duplicate(std::string& s, std::string_view id, std::string_view reason,
                              std::string_view duplicate_of, float similarity,
                              std::uint32_t cluster);
// Document `doc` of `corpus`, removed as bad input: `{"id","reason","file"[,"line"][,"message"]}`,
// the reason its read status, the message its problem's. `next_problem` walks corpus.problems (in
// input order) across calls in ascending `doc`: start it at 0.
void append_removed_bad_input(std::string& s, const Corpus& corpus, std::uint32_t doc,
                              std::size_t& next_problem);

// A kept document in the deduplicated corpus: a JSON line verbatim, a text file as
// {"id","text","date","byline"}.
void append_kept_document(std::string& s, std::string_view id, const Batch& batch,
                          const RawDoc& raw, const InputFile& file, DocumentParser& parser,
                          ParsedDoc& parsed);

// The figures of --stats between the reading's figures and "seconds": documents, files,
// clusters, pairs and options.
void append_dedup_figures(std::string& s, const ReadStats& read, std::size_t files,
                          const DedupStats& st, const DedupOptions& o);
// The "seconds" line of --stats.
void append_dedup_seconds(std::string& s, const DedupSeconds& seconds);

// Members listed per cluster for a person, the kept one included.
inline constexpr std::uint32_t kListedMembers = 10;

// The clusters for a person: one block, the kept document first, then up to kListedMembers - 1
// others in input order and a count of the rest (member_at(k) as for append_cluster_line;
// `representative` is the kept member's index). An `excerpt` of the kept document's text, when
// given, comes under the cluster's line, in quotes.
template <typename MemberAt>
void append_cluster_block(std::string& block, std::uint32_t number, bool all_exact,
                          std::uint32_t size, std::uint32_t representative, MemberAt member_at,
                          std::string_view excerpt = {}) {
  block += fmt::format("cluster {} · {} · {} documents\n", number,
                       all_exact ? "exact duplicates" : "near duplicates", size);
  if (!excerpt.empty()) block += fmt::format("  \u201c{}\u201d\n", excerpt);
  auto line = [&](const MemberLine& m, bool keep) {
    const std::string what =
        keep ? "keep " : (m.exact ? "exact" : fmt::format("{:.2f} ", m.similarity));
    block += fmt::format("  {}  {}", what, m.id);
    if (!m.date.empty()) block += fmt::format("  ({})", m.date);
    block += '\n';
  };
  line(member_at(representative), true);
  // A few members (a cluster of a page copied thousands of times would fill the screen), and a
  // count of the others: all of them are in --clusters.
  std::uint32_t listed = 1;
  for (std::uint32_t k = 0; k < size && listed < kListedMembers; ++k) {
    if (k == representative) continue;
    line(member_at(k), false);
    ++listed;
  }
  if (size > listed) {
    const std::uint32_t more = size - listed;
    block += fmt::format("  ... and {} more document{}\n", more, more == 1 ? "" : "s");
  }
}

// The kept documents of `corpus` (docs[d].verdict == kKept), each line as the input had it
// (append_kept_document), read again from the corpus' source: the deduplicated corpus, or one
// rank's part of it.
Status write_kept_documents(const Corpus& corpus, std::span<const DedupDocument> docs,
                            OutputStream& out);

}  // namespace doppel
