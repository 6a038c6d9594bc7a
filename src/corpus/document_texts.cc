#include "corpus/document_texts.h"

#include <algorithm>
#include <vector>

#include "corpus/reread.h"

namespace doppel {

Status for_each_document_text(const Corpus& corpus, std::span<const std::uint32_t> docs,
                              const DocumentTextCallback& fn) {
  if (!corpus.source) return Status::Internal("the corpus does not know where it came from");
  if (docs.empty()) return Status::Ok();
  std::vector<std::uint32_t> order(docs.size());  // k by document
  for (std::uint32_t k = 0; k < order.size(); ++k) {
    if (docs[k] >= corpus.docs.size()) {
      return Status::InvalidArgument("a document index is out of range");
    }
    order[k] = k;
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](std::uint32_t x, std::uint32_t y) { return docs[x] < docs[y]; });
  DocumentParser parser(corpus.source->read_options());
  ParsedDoc parsed;
  std::size_t next = 0;
  return reread_documents(
      corpus,
      [&](std::uint32_t d) {
        while (next < order.size() && docs[order[next]] < d) ++next;
        return next < order.size() && docs[order[next]] == d;
      },
      [&](std::uint32_t doc, const Batch& batch, const RawDoc& raw, const InputFile& file) {
        parser.parse(batch, raw, file, parsed);
        if (parsed.status != ReadStatus::kOk) {
          DOPPEL_RETURN_IF_ERROR(corpus.source->unchanged());
          return Status::IoError("the input changed between the two readings");
        }
        for (; next < order.size() && docs[order[next]] == doc; ++next) {
          DOPPEL_RETURN_IF_ERROR(fn(order[next], parsed));
        }
        return Status::Ok();
      },
      docs[order.back()]);
}

std::uint64_t stored_bytes_to_reach(const Corpus& corpus, std::span<const std::uint32_t> docs) {
  if (docs.empty() || !corpus.source) return 0;
  std::uint32_t last = 0;
  for (const std::uint32_t d : docs) last = std::max(last, d);
  if (last >= corpus.docs.size()) return 0;
  const std::uint32_t file = corpus.docs[last].input;
  const std::vector<InputFile>& files = corpus.source->files();
  std::uint64_t bytes = 0;
  for (const FileRange& r : corpus.source->ranges()) {
    const std::uint64_t size = files[r.file].size;
    const std::uint64_t end = std::min(r.end, size);
    bytes += end > r.begin ? end - r.begin : 0;
    if (r.file == file) break;
  }
  return bytes;
}

}  // namespace doppel
