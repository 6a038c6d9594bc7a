// The self-contained HTML report: a page skeleton, the inlined stylesheet and script
// (src/report/assets/, embedded at build time), the run's results as one JSON block, and every
// document's text in JSON blocks of ReportOptions::text_block_docs documents that the script
// parses only when it shows one of them. docs/report.md describes the page and the data.
#include "doppel/report.h"

#include <fmt/format.h>
#include <nettle/base64.h>
#include <nettle/sha2.h>

#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "corpus/dates.h"
#include "corpus/reread.h"
#include "input/document_parser.h"
#include "output/line_writer.h"
#include "util/json_writer.h"

namespace doppel {

extern const std::string_view kReportCss;
extern const std::string_view kReportJs;

namespace {

// Text for HTML outside of script blocks (the title).
std::string escape_html(std::string_view text) {
  std::string out;
  for (const char ch : text) {
    switch (ch) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(ch);
    }
  }
  return out;
}

// The report's script and styles as they stand between their tags, and the
// Content-Security-Policy sources that let them apply and nothing else: were the escaping below
// ever to fail, injected markup could not run a script or style of its own ('unsafe-inline'
// would let it). The script sets styles through the CSSOM, which the policy does not govern.
std::string report_script() { return "\n" + std::string(kReportJs); }
std::string report_styles() { return "\n" + std::string(kReportCss); }

std::string hash_source(std::string_view text) {
  sha256_ctx ctx;
  sha256_init(&ctx);
  sha256_update(&ctx, text.size(), reinterpret_cast<const std::uint8_t*>(text.data()));
  std::uint8_t digest[SHA256_DIGEST_SIZE];
  sha256_digest(&ctx, SHA256_DIGEST_SIZE, digest);
  char base64[BASE64_ENCODE_RAW_LENGTH(SHA256_DIGEST_SIZE)];
  base64_encode_raw(base64, SHA256_DIGEST_SIZE, digest);
  return fmt::format("'sha256-{}'", std::string_view(base64, sizeof base64));
}

// Every value in a JSON block goes through append_json_string, which escapes '<', '>' and '&':
// no text can close the <script> element that holds the block.
// `,"name":[fn(0),fn(1),...]` for `count` items.
template <typename Index, typename Fn>
void append_array(std::string& s, std::string_view name, Index count, Fn fn) {
  s += fmt::format(",\"{}\":[", name);
  for (Index i = 0; i < count; ++i) {
    if (i > 0) s.push_back(',');
    fn(s, i);
  }
  s.push_back(']');
}

// The report's status of a document, an index into its "statuses" list: kept, exact_duplicate,
// near_duplicate, then each bad-input reason (docs/report.md).
constexpr int kReportStatuses = 3 + kReadStatusCount - 1;
std::string_view report_status_name(int k) {
  constexpr std::string_view kVerdicts[] = {"kept", "exact_duplicate", "near_duplicate"};
  return k < 3 ? kVerdicts[k] : to_string(static_cast<ReadStatus>(k - 2));
}
int report_status(const DedupResult& dd, std::uint32_t d) {
  const DedupVerdict v = dd.docs[d].verdict;
  if (v != DedupVerdict::kNotCompared) return static_cast<int>(v);
  return 2 + static_cast<int>(dd.corpus.docs[d].status);
}

// The first document of each text block: a block ends after `block_docs` documents, or before the
// document that would take its text past `block_bytes` (ReportOptions::text_block_bytes). JSON
// escapes a byte into up to six characters, and a browser cannot make a string of more than
// 2^29 - 24 characters (V8): a block of two 57 MiB documents of '<' was 690M characters, and the
// report never opened. The default, 32 MiB, stays far below that even escaped.
std::vector<std::uint32_t> text_block_starts(const Corpus& c, std::uint32_t block_docs,
                                             std::uint64_t block_bytes) {
  std::vector<std::uint32_t> starts;
  std::uint32_t count = 0;
  std::uint64_t bytes = 0;
  for (std::uint32_t d = 0; d < c.docs.size(); ++d) {
    const std::uint64_t text = c.ok(d) ? c.docs[d].text_bytes : 0;
    if (d == 0 || count == block_docs || bytes + text > block_bytes) {
      starts.push_back(d);
      count = 0;
      bytes = 0;
    }
    ++count;
    bytes += text;
  }
  return starts;
}

std::string data_block(const DedupResult& dd, const ReuseResult& r, const ReportOptions& options,
                       const std::vector<std::uint32_t>& block_starts) {
  const Corpus& c = r.corpus;
  const auto n = static_cast<std::uint32_t>(c.docs.size());
  std::string s = "{\"format\":1,\"title\":";
  append_json_string(s, options.title);
  s += ",\"generator\":";
  append_json_string(s, options.generator);
  s += fmt::format(",\"text_block_docs\":{}", options.text_block_docs);
  append_array(s, "text_blocks", block_starts.size(),
               [&](std::string& o, std::size_t k) { o += std::to_string(block_starts[k]); });

  const DedupStats& st = dd.stats;
  const ReadStats& rs = dd.corpus.stats;
  const std::uint64_t bad = rs.bad();
  const std::uint64_t exact = st.exact_duplicates;
  const std::uint64_t near = st.near_duplicates;
  s += fmt::format(
      ",\"summary\":{{\"documents\":{},\"compared\":{},\"bad_input\":{},\"input_bytes\":{},"
      "\"exact_duplicates\":{},\"near_duplicates\":{},\"exact_clusters\":{},\"near_clusters\":{},"
      "\"passage_clusters\":{},\"occurrences\":{},\"passage_pairs\":{},\"reused_bytes\":{},"
      "\"text_bytes\":{}}}",
      rs.documents, c.stats.ok(), bad, rs.input_bytes, exact, near, st.exact_clusters,
      st.near_clusters, r.clusters.size(), r.occurrences.size(), r.pairs.size(),
      r.stats.reused_bytes, r.stats.text_bytes);
  append_array(s, "inputs", c.inputs.size(),
               [&](std::string& o, std::size_t i) { append_json_string(o, c.inputs[i].name); });
  append_array(s, "statuses", kReportStatuses,
               [](std::string& o, int k) { append_json_string(o, report_status_name(k)); });

  // Documents, one array per field.
  s += ",\"docs\":{\"n\":" + std::to_string(n);
  append_array(s, "id", n,
               [&](std::string& o, std::uint32_t d) { append_json_string(o, c.id(d)); });
  append_array(s, "date", n,
               [&](std::string& o, std::uint32_t d) { append_json_string(o, c.date(d)); });
  // The text each date sorts by (in UTC where it names a time in a zone): the script orders and
  // groups by it as doppel does.
  append_array(s, "date_order", n, [&](std::string& o, std::uint32_t d) {
    DateBuffer buffer;
    append_json_string(o, sortable_date(c.date(d), buffer));
  });
  append_array(s, "input", n,
               [&](std::string& o, std::uint32_t d) { append_int(o, c.docs[d].input); });
  append_array(s, "line", n, [&](std::string& o, std::uint32_t d) {
    append_int(o, static_cast<std::int64_t>(c.docs[d].line));
  });
  append_array(s, "status", n,
               [&](std::string& o, std::uint32_t d) { append_int(o, report_status(dd, d)); });
  append_array(s, "chars", n, [&](std::string& o, std::uint32_t d) {
    append_int(o, static_cast<std::int64_t>(r.doc_chars[d]));
  });
  const std::vector<std::uint64_t> reused = reused_chars(r);
  append_array(s, "reused", n, [&](std::string& o, std::uint32_t d) {
    append_int(o, static_cast<std::int64_t>(reused[d]));
  });
  append_array(s, "dup", n, [&](std::string& o, std::uint32_t d) {
    append_int(
        o, dd.docs[d].cluster == kNoCluster ? -1 : static_cast<std::int64_t>(dd.docs[d].cluster));
  });
  append_array(s, "similarity", n, [&](std::string& o, std::uint32_t d) {
    append_json_number(o, dd.docs[d].similarity);
  });
  s += "}";

  // Near-duplicate clusters: representative, all exact, members.
  append_array(s, "dups", dd.clusters.size(), [&](std::string& o, std::size_t k) {
    const Cluster& cl = dd.clusters[k];
    fmt::format_to(std::back_inserter(o), "[{},{},[", cl.representative, cl.all_exact ? 1 : 0);
    for (std::uint32_t i = 0; i < cl.size; ++i) {
      if (i > 0) o.push_back(',');
      append_int(o, dd.members[cl.members_begin + i]);
    }
    o += "]]";
  });

  // Passage clusters and their occurrences.
  append_array(s, "passages", r.clusters.size(), [&](std::string& o, std::size_t k) {
    const PassageCluster& cl = r.clusters[k];
    fmt::format_to(std::back_inserter(o), "[{},{},{},{}]", cl.occurrences_begin, cl.size,
                   cl.documents,
                   cl.source == kNoOccurrence ? -1 : static_cast<std::int64_t>(cl.source));
  });
  append_array(s, "occurrences", r.occurrences.size(), [&](std::string& o, std::size_t k) {
    const Occurrence& oc = r.occurrences[k];
    fmt::format_to(std::back_inserter(o), "[{},{},{},{},{},{}]", oc.doc, oc.cluster, oc.span.begin,
                   oc.span.end, oc.span.words, static_cast<int>(role_of(r, oc)));
  });
  s += "}";
  return s;
}

Status check_same_corpus(const DedupResult& dd, const ReuseResult& r) {
  const Corpus& a = dd.corpus;
  const Corpus& b = r.corpus;
  bool same_inputs = a.inputs.size() == b.inputs.size();
  for (std::size_t i = 0; same_inputs && i < a.inputs.size(); ++i) {
    same_inputs = a.inputs[i].name == b.inputs[i].name;
  }
  if (a.docs.size() != b.docs.size() || !same_inputs) {
    return Status::InvalidArgument("the dedup and reuse results are not of the same inputs");
  }
  for (std::uint32_t d = 0; d < a.docs.size(); ++d) {
    if (a.id(d) != b.id(d)) {
      return Status::InvalidArgument(fmt::format(
          "the dedup and reuse results differ at document {} ({} vs {})", d, a.id(d), b.id(d)));
    }
  }
  return Status::Ok();
}

}  // namespace

Status validate_options(const ReportOptions& options) {
  if (options.text_block_docs < 1 || options.text_block_docs > (1 << 20)) {
    return Status::InvalidArgument("`block_docs` must be in [1, 1048576]");
  }
  if (options.text_block_bytes < 1) {
    return Status::InvalidArgument("`text_block_bytes` must be at least 1");
  }
  return Status::Ok();
}

Status write_html_report(const DedupResult& dedup, const ReuseResult& reuse,
                         const ReportOptions& options, OutputStream& out) {
  DOPPEL_RETURN_IF_ERROR(validate_options(options));
  DOPPEL_RETURN_IF_ERROR(check_same_corpus(dedup, reuse));
  const std::string script = report_script();
  const std::string styles = report_styles();
  LineWriter w(out);
  std::string& s = w.line();
  s += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
       // Nothing is fetched, and only the report's own inline script runs.
       "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src ";
  s += hash_source(script);
  s += "; style-src ";
  s += hash_source(styles);
  s += "; img-src data:\">\n<title>";
  s += escape_html(options.title);
  s += "</title>\n<style>";
  s += styles;
  s += "</style>\n</head>\n<body>\n<div id=\"app\"><noscript>This report needs "
       "JavaScript.</noscript>"
       "<p class=\"loading\">Loading the report&hellip;</p></div>\n"
       "<script type=\"application/json\" id=\"doppel-data\">";
  const std::vector<std::uint32_t> block_starts = text_block_starts(
      reuse.corpus, static_cast<std::uint32_t>(options.text_block_docs), options.text_block_bytes);
  s += data_block(dedup, reuse, options, block_starts);
  s += "</script>";
  DOPPEL_RETURN_IF_ERROR(w.end_line());

  // Texts, in blocks; documents that were not read (bad input) are null.
  std::uint32_t next_doc = 0;
  std::size_t next_block = 0;
  auto begin_item = [&]() -> Status {  // what precedes document next_doc's text
    if (next_block < block_starts.size() && block_starts[next_block] == next_doc) {
      if (next_doc > 0) {
        s += "]</script>";
        DOPPEL_RETURN_IF_ERROR(w.end_line());
      }
      s += fmt::format("<script type=\"application/json\" id=\"doppel-text-{}\">[", next_block);
      ++next_block;
    } else {
      s.push_back(',');
    }
    return Status::Ok();
  };
  auto nulls_until = [&](std::uint32_t doc) -> Status {
    for (; next_doc < doc; ++next_doc) {
      DOPPEL_RETURN_IF_ERROR(begin_item());
      s += "null";
    }
    return Status::Ok();
  };
  const Corpus& corpus = reuse.corpus;
  if (!corpus.source) return Status::Internal("the corpus does not know where it came from");
  DocumentParser parser(corpus.source->read_options());
  ParsedDoc parsed;
  DOPPEL_RETURN_IF_ERROR(reread_documents(
      corpus, [&](std::uint32_t d) { return corpus.ok(d); },
      [&](std::uint32_t doc, const Batch& batch, const RawDoc& raw, const InputFile& file) {
        DOPPEL_RETURN_IF_ERROR(nulls_until(doc));
        DOPPEL_RETURN_IF_ERROR(begin_item());
        ++next_doc;
        // The source text that every offset counts in.
        parser.parse(batch, raw, file, parsed);
        append_json_string(s, parsed.source);
        return w.flush_if_full();
      }));
  const auto n = static_cast<std::uint32_t>(reuse.corpus.docs.size());
  DOPPEL_RETURN_IF_ERROR(nulls_until(n));
  if (n > 0) {
    s += "]</script>";
    DOPPEL_RETURN_IF_ERROR(w.end_line());
  }
  s += "<script>";
  s += script;
  s += "</script>\n</body>\n</html>";
  DOPPEL_RETURN_IF_ERROR(w.end_line());
  return w.flush();
}

}  // namespace doppel
