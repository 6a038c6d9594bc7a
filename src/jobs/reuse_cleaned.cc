// What is new in each document: the corpus read again, each document's reused passages cut out
// by the cleaning policy (passages/cleaning.h); and the text of a few occurrences, for a listing.
#include "corpus/document_texts.h"
#include "corpus/reread.h"
#include "doppel/reuse.h"
#include "input/document_parser.h"
#include "passages/cleaning.h"

namespace doppel {

Status for_each_cleaned_document(const ReuseResult& r, const ReuseOptions& options,
                                 const CleanedDocumentCallback& fn) {
  const Corpus& corpus = r.corpus;
  if (!corpus.source) return Status::Internal("the corpus does not know where it came from");
  const CleaningPolicy policy{static_cast<std::uint32_t>(options.min_docs), options.keep_source};
  const std::vector<std::uint32_t> order = occurrences_by_document(r);
  std::size_t next = 0;
  DocumentParser parser(corpus.source->read_options());
  ParsedDoc parsed;
  CleanedDocument cleaned;
  std::vector<ByteSpan> spans;
  std::vector<const Occurrence*> candidates;
  return reread_documents(
      corpus, [&](std::uint32_t d) { return corpus.ok(d); },
      [&](std::uint32_t doc, const Batch& batch, const RawDoc& raw, const InputFile& file) {
        parser.parse(batch, raw, file, parsed);
        spans.clear();
        candidates.clear();
        while (next < order.size() && r.occurrences[order[next]].doc < doc) ++next;
        for (std::size_t k = next; k < order.size() && r.occurrences[order[k]].doc == doc; ++k) {
          const Occurrence& o = r.occurrences[order[k]];
          const bool in_source = role_of(r, o) == OccurrenceRole::kSource;
          if (!is_cut(policy, r.clusters[o.cluster].documents, in_source)) continue;
          spans.push_back(ByteSpan{o.span.byte_begin, o.span.byte_end});
          candidates.push_back(&o);
        }
        const std::vector<Cut> cuts = plan_cuts(parsed.body(), parsed.body_offset, spans);
        cleaned.doc = doc;
        cleaned.text.clear();
        apply_cuts(parsed.body(), cuts, cleaned.text);
        cleaned.byline = parsed.byline;
        cleaned.removed.clear();
        for (const Cut& c : cuts) cleaned.removed.push_back(candidates[c.occurrence]);
        return fn(cleaned);
      });
}

Status for_each_occurrence_text(const ReuseResult& r, std::span<const std::uint32_t> occurrences,
                                const OccurrenceTextCallback& fn) {
  std::vector<std::uint32_t> docs(occurrences.size());
  for (std::size_t k = 0; k < occurrences.size(); ++k) {
    if (occurrences[k] >= r.occurrences.size()) {
      return Status::InvalidArgument("an occurrence index is out of range");
    }
    docs[k] = r.occurrences[occurrences[k]].doc;
  }
  return for_each_document_text(r.corpus, docs, [&](std::size_t k, const ParsedDoc& parsed) {
    const TextSpan& span = r.occurrences[occurrences[k]].span;
    if (span.byte_end > parsed.source.size() || span.byte_begin > span.byte_end) {
      return Status::IoError("the input changed between the two readings");
    }
    return fn(k, parsed.source.substr(span.byte_begin, span.byte_end - span.byte_begin));
  });
}

}  // namespace doppel
