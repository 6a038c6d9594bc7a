// Test helper: bytes compressed by zlib itself, in the format `window_bits` names (15: zlib,
// 15 + 16: gzip, -15: raw deflate), for tests of what reads compressed input.
#pragma once

#include <zlib.h>

#include <string>

namespace doppel {

inline std::string zlib_encode(const std::string& bytes, int window_bits,
                               int level = Z_DEFAULT_COMPRESSION) {
  z_stream z{};
  deflateInit2(&z, level, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, bytes.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

}  // namespace doppel
