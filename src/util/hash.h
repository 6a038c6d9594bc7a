// Small integer mixers shared by the hashing stages. Header-only, pure.
#pragma once

#include <cstdint>

namespace doppel {

// The finaliser of MurmurHash3: a bijection on 64-bit words with full avalanche.
inline std::uint64_t mix64(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

// floor(x * n / 2^64): maps a uniform 64-bit word to [0, n) without division or modulo bias.
inline std::uint32_t reduce(std::uint64_t x, std::uint32_t n) {
  return static_cast<std::uint32_t>((static_cast<unsigned __int128>(x) * n) >> 64);
}

}  // namespace doppel
