// The body of the gzip and zstd fuzz targets: the input is a compressed file; the source must
// give bytes or an error (never crash, never loop), at uneven read sizes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "input/byte_source.h"
#include "support/memory_env.h"

inline int fuzz_compressed(const std::uint8_t* data, std::size_t size, const char* path) {
  doppel::test::MemoryEnv env;
  env.read_chunk = 1 + size % 8191;
  env.files[path] = std::string(reinterpret_cast<const char*>(data), size);
  auto file = env.open(path);
  auto source = doppel::open_byte_source(std::move(*file), doppel::compression_from_name(path));
  std::vector<char> buf(1 + size % 70000);
  std::uint64_t total = 0;
  for (;;) {
    auto n = source->read(buf);
    if (!n.ok() || *n == 0) break;
    if (*n > buf.size()) __builtin_trap();
    total += *n;
    if (total > (std::uint64_t{1} << 28)) break;  // a bomb: enough is known
  }
  if (source->consumed() > size) __builtin_trap();
  return 0;
}
