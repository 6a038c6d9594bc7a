#include "sketch/sha1_batch.h"

#include <immintrin.h>

#include <array>
#include <cstring>

#include "sketch/classic_minhash.h"

namespace doppel::classic {

namespace {

constexpr std::size_t kLanes = 16;
constexpr std::size_t kOneBlockMax = 55;  // bytes that fit one block with SHA-1's padding

// GCC 12 reports the _mm512_undefined_epi32() inside AVX-512 intrinsics as maybe-uninitialized
// (GCC bug 105593), a false positive.
#pragma GCC diagnostic push
#if !defined(__clang__)  // clang has no -Wmaybe-uninitialized and rejects it under -Werror
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#pragma GCC diagnostic ignored "-Wuninitialized"

// The first digest word of each of sixteen one-block messages (blocks[i * 64...]), lane i of
// the state words in lane i of the registers: SHA-1's 80 rounds (FIPS 180-4, 6.1.2), with each
// round's function one ternary-logic instruction.
__attribute__((target("avx512f,avx512bw"))) void sha1_first_words_x16(const std::uint8_t* blocks,
                                                                      std::uint32_t* out) {
  const __m512i lane_words =
      _mm512_setr_epi32(0, 16, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240);
  // Big-endian words: reverse the bytes of each 32-bit element.
  const __m512i bswap = _mm512_set4_epi32(0x0c0d0e0f, 0x08090a0b, 0x04050607, 0x00010203);
  __m512i w[16];
  for (int t = 0; t < 16; ++t) {
    const __m512i word =
        _mm512_i32gather_epi32(_mm512_add_epi32(lane_words, _mm512_set1_epi32(t)), blocks, 4);
    w[t] = _mm512_shuffle_epi8(word, bswap);
  }
  const std::uint32_t h0 = 0x67452301u;
  __m512i a = _mm512_set1_epi32(static_cast<int>(h0));
  __m512i b = _mm512_set1_epi32(static_cast<int>(0xEFCDAB89u));
  __m512i c = _mm512_set1_epi32(static_cast<int>(0x98BADCFEu));
  __m512i d = _mm512_set1_epi32(static_cast<int>(0x10325476u));
  __m512i e = _mm512_set1_epi32(static_cast<int>(0xC3D2E1F0u));
#pragma GCC unroll 80
  for (int t = 0; t < 80; ++t) {
    if (t >= 16) {  // w[t] = rotl1(w[t-3] ^ w[t-8] ^ w[t-14] ^ w[t-16]), in a ring of 16
      const __m512i x =
          _mm512_ternarylogic_epi32(w[(t - 3) & 15], w[(t - 8) & 15], w[(t - 14) & 15], 0x96);
      w[t & 15] = _mm512_rol_epi32(_mm512_xor_si512(x, w[t & 15]), 1);
    }
    __m512i f;
    std::uint32_t k;
    if (t < 20) {
      f = _mm512_ternarylogic_epi32(b, c, d, 0xCA);  // Ch: b ? c : d
      k = 0x5A827999u;
    } else if (t < 40) {
      f = _mm512_ternarylogic_epi32(b, c, d, 0x96);  // Parity
      k = 0x6ED9EBA1u;
    } else if (t < 60) {
      f = _mm512_ternarylogic_epi32(b, c, d, 0xE8);  // Maj
      k = 0x8F1BBCDCu;
    } else {
      f = _mm512_ternarylogic_epi32(b, c, d, 0x96);  // Parity
      k = 0xCA62C1D6u;
    }
    const __m512i sum = _mm512_add_epi32(
        _mm512_add_epi32(_mm512_rol_epi32(a, 5), f),
        _mm512_add_epi32(_mm512_add_epi32(e, _mm512_set1_epi32(static_cast<int>(k))), w[t & 15]));
    e = d;
    d = c;
    c = _mm512_rol_epi32(b, 30);
    b = a;
    a = sum;
  }
  _mm512_storeu_si512(out, _mm512_add_epi32(a, _mm512_set1_epi32(static_cast<int>(h0))));
}

// SHA-1's padding of a message of up to 55 bytes (the message, 0x80, zeros, its length in bits,
// big-endian, in the last 8 bytes) in four instructions: a masked load (which reads nothing past
// the token), the 0x80 byte and the length blended in.
__attribute__((target("avx512f,avx512bw"), always_inline)) inline void pad_block_avx512(
    std::string_view m, std::uint8_t* block) {
  const __mmask64 bytes = (std::uint64_t{1} << m.size()) - 1;  // m.size() <= 55
  __m512i x = _mm512_maskz_loadu_epi8(bytes, m.data());
  x = _mm512_mask_blend_epi8(std::uint64_t{1} << m.size(), x, _mm512_set1_epi8(char(0x80)));
  const auto bits = static_cast<long long>(__builtin_bswap64(std::uint64_t{m.size()} * 8));
  x = _mm512_mask_blend_epi64(0x80, x, _mm512_set1_epi64(bits));
  _mm512_store_si512(block, x);
}

#pragma GCC diagnostic pop

}  // namespace

bool sha1_lanes_supported() {
  static const bool supported =
      __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw");
  return supported;
}

void sha1_hash32_batch_scalar(std::span<const std::string_view> tokens,
                              std::span<std::uint64_t> out) {
  for (std::size_t i = 0; i < tokens.size(); ++i) out[i] = sha1_hash32(tokens[i]);
}

__attribute__((target("avx512f,avx512bw"))) void sha1_hash32_batch_lanes(
    std::span<const std::string_view> tokens, std::span<std::uint64_t> out) {
  alignas(64) std::uint8_t blocks[kLanes * 64];
  alignas(64) std::uint32_t words[kLanes];
  std::array<std::size_t, kLanes> index{};  // the token of each lane
  std::size_t lanes = 0;
  const auto run = [&] {
    // Idle lanes hash whatever their block holds; their words are not read.
    sha1_first_words_x16(blocks, words);
    for (std::size_t l = 0; l < lanes; ++l) {
      // The digest's first four bytes are the big-endian first word: read little-endian.
      out[index[l]] = __builtin_bswap32(words[l]);
    }
    lanes = 0;
  };
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i].size() > kOneBlockMax) {
      out[i] = sha1_hash32(tokens[i]);
      continue;
    }
    pad_block_avx512(tokens[i], &blocks[lanes * 64]);
    index[lanes++] = i;
    if (lanes == kLanes) run();
  }
  if (lanes > 0) {
    for (std::size_t l = lanes; l < kLanes; ++l) pad_block_avx512({}, &blocks[l * 64]);
    run();
  }
}

void sha1_hash32_batch(std::span<const std::string_view> tokens, std::span<std::uint64_t> out) {
  if (sha1_lanes_supported()) {
    sha1_hash32_batch_lanes(tokens, out);
  } else {
    sha1_hash32_batch_scalar(tokens, out);
  }
}

}  // namespace doppel::classic
