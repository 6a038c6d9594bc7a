// libFuzzer target: the gzip byte source (concatenated members, truncation, corruption).
#include "fuzz_compressed.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fuzz_compressed(data, size, "/in.gz");
}
