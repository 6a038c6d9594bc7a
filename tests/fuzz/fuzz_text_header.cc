// libFuzzer target: the header line of a text file (" date 2021-10-19 By Name") and the parse of
// a whole text file: the body must start inside the file, and the date be ten ISO characters.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "corpus/corpus_source.h"
#include "input/document_parser.h"
#include "support/memory_env.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const doppel::TextHeader h = doppel::parse_text_header(text);
  if (h.body_offset > text.size()) __builtin_trap();
  if (h.found && h.date.size() != 10) __builtin_trap();

  doppel::test::MemoryEnv env;
  env.files["/d/doc.txt"] = std::string(text);
  doppel::ReadOptions read;
  read.env = &env;
  auto source = doppel::CorpusSource::open(std::vector<std::string>{"/d/doc.txt"}, read);
  if (!source.ok()) __builtin_trap();
  auto reader = (*source)->read();
  doppel::DocumentParser parser(read);
  doppel::ParsedDoc parsed;
  doppel::Batch batch;
  while ((*reader)->next(batch)) {
    for (const doppel::RawDoc& raw : batch.docs) {
      parser.parse(batch, raw, (*source)->files()[0], parsed);
      if (parsed.status == doppel::ReadStatus::kOk && parsed.body_offset > parsed.source.size()) {
        __builtin_trap();
      }
    }
  }
  return 0;
}
