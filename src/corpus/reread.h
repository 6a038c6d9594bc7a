// A second reading of a corpus's documents, for the writers that copy document text (the
// deduplicated and cleaned corpora, the report): the same files read again in the same order
// (standard input from its copy), each document matched with its entry in the Corpus.
#pragma once

#include <cstdint>

#include "corpus/corpus_source.h"
#include "doppel/corpus.h"
#include "doppel/status.h"
#include "input/batch_reader.h"

namespace doppel {

// Calls `fn(doc, batch, raw, file)`, which returns a Status, for every document d of `corpus`
// with `wanted(d)`, in input order. Fails if the input changed since the first reading. With
// `last`, the reading stops after document `last` (a few documents wanted near the start of a
// large corpus need not read the rest of it).
template <typename Wanted, typename Fn>
Status reread_documents(const Corpus& corpus, Wanted wanted, Fn fn,
                        std::uint32_t last = UINT32_MAX) {
  if (!corpus.source) return Status::Internal("the corpus does not know where it came from");
  DOPPEL_RETURN_IF_ERROR(corpus.source->unchanged());
  auto reader = corpus.source->read();
  if (!reader.ok()) return reader.status();
  Batch batch;
  std::uint32_t doc = 0;
  while ((*reader)->next(batch)) {
    for (const RawDoc& raw : batch.docs) {
      if (doc >= corpus.docs.size()) {
        DOPPEL_RETURN_IF_ERROR(corpus.source->unchanged());
        return Status::IoError("the input changed between the two readings (more documents)");
      }
      const Document& info = corpus.docs[doc];
      const std::uint32_t this_doc = doc++;
      if (!wanted(this_doc)) continue;
      if (info.line != raw.line || info.input != raw.input) {
        DOPPEL_RETURN_IF_ERROR(corpus.source->unchanged());
        return Status::IoError("the input changed between the two readings");
      }
      DOPPEL_RETURN_IF_ERROR(fn(this_doc, batch, raw, (*reader)->files()[raw.input]));
      if (this_doc == last) return corpus.source->unchanged();
    }
  }
  if (doc != corpus.docs.size()) {
    DOPPEL_RETURN_IF_ERROR(corpus.source->unchanged());
    return Status::IoError("the input changed between the two readings (fewer documents)");
  }
  // Also a change while this reading ran.
  return corpus.source->unchanged();
}

}  // namespace doppel
