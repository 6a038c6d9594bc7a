// The text of a few documents, read again from a corpus's inputs: for listings that show a person
// what a document or passage says (the run itself keeps no text).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>

#include "doppel/corpus.h"
#include "doppel/status.h"
#include "input/document_parser.h"

namespace doppel {

// Calls `fn(k, parsed)` for each k with docs[k] (an index into corpus.docs, of a readable
// document), in input order; `parsed.source` is the document's source text, which every offset
// counts in. The reading stops after the last document wanted. Fails if an input changed since
// the run read it, or cannot be read again (standard input not kept: ReadOptions::keep_stdin).
using DocumentTextCallback = std::function<Status(std::size_t k, const ParsedDoc& parsed)>;
Status for_each_document_text(const Corpus& corpus, std::span<const std::uint32_t> docs,
                              const DocumentTextCallback& fn);

// The input bytes, as stored (compressed or not), that for_each_document_text(corpus, docs)
// reads at most: the files (or this process's ranges of them) before the one that holds the last
// document wanted, and that one whole. 0 for no document.
std::uint64_t stored_bytes_to_reach(const Corpus& corpus, std::span<const std::uint32_t> docs);

}  // namespace doppel
