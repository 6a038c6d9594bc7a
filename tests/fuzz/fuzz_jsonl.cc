// libFuzzer target: the JSON Lines reader and parser. The input is a JSON Lines file (read in
// short, uneven blocks), split into lines by the batch reader and parsed by the document parser;
// every line must become a document or a counted problem, and nothing may read out of bounds.
#include <cstddef>
#include <cstdint>
#include <string>

#include "corpus/corpus_source.h"
#include "input/document_parser.h"
#include "support/memory_env.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  doppel::test::MemoryEnv env;
  env.read_chunk = 1 + size % 4093;
  env.files["/in.jsonl"] = std::string(reinterpret_cast<const char*>(data), size);
  doppel::ReadOptions read;
  read.env = &env;
  read.max_doc_bytes = 1 + size % 3000;  // small limits too, to reach the over-long-line paths
  auto source = doppel::CorpusSource::open(std::vector<std::string>{"/in.jsonl"}, read);
  if (!source.ok()) __builtin_trap();
  auto reader = (*source)->read();
  doppel::DocumentParser parser(read);
  doppel::ParsedDoc parsed;
  doppel::Batch batch;
  std::uint64_t bytes = 0;
  while ((*reader)->next(batch)) {
    bytes += batch.bytes;
    for (const doppel::RawDoc& raw : batch.docs) {
      if (raw.begin + raw.size > batch.buffer.size()) __builtin_trap();
      parser.parse(batch, raw, (*source)->files()[0], parsed);
      if (parsed.body_offset > parsed.source.size()) __builtin_trap();
    }
  }
  if (bytes > size) __builtin_trap();
  return 0;
}
