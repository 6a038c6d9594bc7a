#include "sketch/classic_minhash.h"

#include <immintrin.h>
#include <nettle/sha1.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>

#include "sketch/sha1_batch.h"

namespace doppel::classic {

namespace {

// SHA-1 of `data`, the first `n` bytes of the digest. A token of up to 55 bytes fits one padded
// block, which goes straight to nettle's compression function (the SHA-NI one where the CPU has
// it): nettle's init/update/digest around it cost a fifth more on 5-word shingles.
template <std::size_t n>
std::array<std::uint8_t, n> sha1_prefix(std::string_view data) {
  static_assert(n <= 8);
  std::array<std::uint8_t, n> out{};
  if (data.size() <= kOneBlockMax) {
    alignas(64) std::uint8_t block[64];
    pad_one_block(data, block);
    std::uint32_t state[5] = {0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u};
    nettle_sha1_compress(state, block);
    for (std::size_t i = 0; i < n; ++i) {
      out[i] = static_cast<std::uint8_t>(state[i / 4] >> (24 - 8 * (i % 4)));
    }
    return out;
  }
  sha1_ctx ctx;
  sha1_init(&ctx);
  sha1_update(&ctx, data.size(), reinterpret_cast<const std::uint8_t*>(data.data()));
  sha1_digest(&ctx, n, out.data());
  return out;
}

void permute_min_scalar(std::span<const std::uint64_t> hashes, std::span<const std::uint64_t> a,
                        std::span<const std::uint64_t> b, std::span<std::uint64_t> values) {
  for (const std::uint64_t h : hashes) {
    for (std::size_t j = 0; j < values.size(); ++j) {
      const std::uint64_t x = ((a[j] * h + b[j]) % kMersennePrime) & kMaxHash;
      values[j] = std::min(values[j], x);
    }
  }
}

// x mod (2^61 - 1) is (x & P) + (x >> 61), less P once if that reaches P.

#define DOPPEL_AVX2 __attribute__((target("avx2"), always_inline)) inline
#define DOPPEL_AVX512 __attribute__((target("avx512f,avx512dq"), always_inline)) inline

struct Avx2Constants {
  __m256i p, p_less_1, mask, sign;
};

// One group of four permutations for hash h (h_lo, h_hi: its halves, broadcast). AVX2 has no
// 64-bit multiply: a*h mod 2^64 is built from 32-bit products.
DOPPEL_AVX2 __m256i avx2_step(const Avx2Constants& c, __m256i va, __m256i va_hi, __m256i vb,
                              __m256i vv, __m256i h_lo, __m256i h_hi) {
  const __m256i cross = _mm256_add_epi64(_mm256_mul_epu32(va_hi, h_lo), _mm256_mul_epu32(va, h_hi));
  __m256i x = _mm256_add_epi64(_mm256_mul_epu32(va, h_lo), _mm256_slli_epi64(cross, 32));
  x = _mm256_add_epi64(x, vb);
  __m256i y = _mm256_add_epi64(_mm256_and_si256(x, c.p), _mm256_srli_epi64(x, 61));
  y = _mm256_sub_epi64(y, _mm256_and_si256(_mm256_cmpgt_epi64(y, c.p_less_1), c.p));
  y = _mm256_and_si256(y, c.mask);
  // Unsigned min: values may hold any 64-bit number.
  const __m256i greater =
      _mm256_cmpgt_epi64(_mm256_xor_si256(vv, c.sign), _mm256_xor_si256(y, c.sign));
  return _mm256_blendv_epi8(vv, y, greater);
}

DOPPEL_AVX2 __m256i avx2_load(const std::uint64_t* q) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q));
}

__attribute__((target("avx2"))) void permute_min_avx2(std::span<const std::uint64_t> hashes,
                                                      std::span<const std::uint64_t> a,
                                                      std::span<const std::uint64_t> b,
                                                      std::span<std::uint64_t> values) {
  const std::size_t k = values.size();
  const Avx2Constants c = {_mm256_set1_epi64x(static_cast<long long>(kMersennePrime)),
                           _mm256_set1_epi64x(static_cast<long long>(kMersennePrime - 1)),
                           _mm256_set1_epi64x(static_cast<long long>(kMaxHash)),
                           _mm256_set1_epi64x(std::numeric_limits<long long>::min())};
  std::size_t j = 0;
  for (; j + 8 <= k; j += 8) {  // two independent chains
    const __m256i a0 = avx2_load(&a[j]), a1 = avx2_load(&a[j + 4]);
    const __m256i a0_hi = _mm256_srli_epi64(a0, 32), a1_hi = _mm256_srli_epi64(a1, 32);
    const __m256i b0 = avx2_load(&b[j]), b1 = avx2_load(&b[j + 4]);
    __m256i v0 = avx2_load(&values[j]), v1 = avx2_load(&values[j + 4]);
    for (const std::uint64_t h : hashes) {
      const __m256i h_lo = _mm256_set1_epi64x(static_cast<long long>(h));
      const __m256i h_hi = _mm256_set1_epi64x(static_cast<long long>(h >> 32));
      v0 = avx2_step(c, a0, a0_hi, b0, v0, h_lo, h_hi);
      v1 = avx2_step(c, a1, a1_hi, b1, v1, h_lo, h_hi);
    }
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(&values[j]), v0);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(&values[j + 4]), v1);
  }
  if (j < k) permute_min_scalar(hashes, a.subspan(j), b.subspan(j), values.subspan(j));
}

// GCC 12 reports the _mm512_undefined_epi32() inside AVX-512 intrinsics as maybe-uninitialized
// (GCC bug 105593), a false positive.
#pragma GCC diagnostic push
#if !defined(__clang__)  // clang has no -Wmaybe-uninitialized and rejects it under -Werror
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#pragma GCC diagnostic ignored "-Wuninitialized"

DOPPEL_AVX512 __m512i avx512_step(__m512i p, __m512i mask, __m512i va, __m512i vb, __m512i vv,
                                  __m512i h) {
  const __m512i x = _mm512_add_epi64(_mm512_mullo_epi64(va, h), vb);
  __m512i y = _mm512_add_epi64(_mm512_and_si512(x, p), _mm512_srli_epi64(x, 61));
  y = _mm512_min_epu64(y, _mm512_sub_epi64(y, p));  // y - P wraps around when y < P
  return _mm512_min_epu64(vv, _mm512_and_si512(y, mask));
}

__attribute__((target("avx512f,avx512dq"))) void permute_min_avx512(
    std::span<const std::uint64_t> hashes, std::span<const std::uint64_t> a,
    std::span<const std::uint64_t> b, std::span<std::uint64_t> values) {
  const std::size_t k = values.size();
  const __m512i p = _mm512_set1_epi64(static_cast<long long>(kMersennePrime));
  const __m512i mask = _mm512_set1_epi64(static_cast<long long>(kMaxHash));
  std::size_t j = 0;
  // 32 permutations at a time: four independent chains keep the multiplier busy.
  for (; j + 32 <= k; j += 32) {
    __m512i va[4], vb[4], vv[4];
    for (std::size_t r = 0; r < 4; ++r) {
      va[r] = _mm512_loadu_si512(&a[j + 8 * r]);
      vb[r] = _mm512_loadu_si512(&b[j + 8 * r]);
      vv[r] = _mm512_loadu_si512(&values[j + 8 * r]);
    }
    for (const std::uint64_t h : hashes) {
      const __m512i vh = _mm512_set1_epi64(static_cast<long long>(h));
      for (std::size_t r = 0; r < 4; ++r) vv[r] = avx512_step(p, mask, va[r], vb[r], vv[r], vh);
    }
    for (std::size_t r = 0; r < 4; ++r) _mm512_storeu_si512(&values[j + 8 * r], vv[r]);
  }
  for (; j + 8 <= k; j += 8) {
    const __m512i va = _mm512_loadu_si512(&a[j]);
    const __m512i vb = _mm512_loadu_si512(&b[j]);
    __m512i vv = _mm512_loadu_si512(&values[j]);
    for (const std::uint64_t h : hashes) {
      vv = avx512_step(p, mask, va, vb, vv, _mm512_set1_epi64(static_cast<long long>(h)));
    }
    _mm512_storeu_si512(&values[j], vv);
  }
  if (j < k) permute_min_scalar(hashes, a.subspan(j), b.subspan(j), values.subspan(j));
}

#pragma GCC diagnostic pop

Isa detect_isa() {
  if (isa_supported(Isa::kAvx512)) return Isa::kAvx512;
  if (isa_supported(Isa::kAvx2)) return Isa::kAvx2;
  return Isa::kScalar;
}

}  // namespace

std::uint32_t sha1_hash32(std::string_view data) {
  const auto d = sha1_prefix<4>(data);
  return std::uint32_t{d[0]} | std::uint32_t{d[1]} << 8 | std::uint32_t{d[2]} << 16 |
         std::uint32_t{d[3]} << 24;
}

std::uint64_t sha1_hash64(std::string_view data) {
  const auto d = sha1_prefix<8>(data);
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = v << 8 | d[static_cast<std::size_t>(i)];
  return v;
}

bool isa_supported(Isa isa) {
  switch (isa) {
    case Isa::kScalar:
      return true;
    case Isa::kAvx2:
      return __builtin_cpu_supports("avx2");
    case Isa::kAvx512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
  }
  return false;
}

Isa selected_isa() {
  static const Isa isa = detect_isa();
  return isa;
}

void permute_min_with(Isa isa, std::span<const std::uint64_t> hashes,
                      std::span<const std::uint64_t> a, std::span<const std::uint64_t> b,
                      std::span<std::uint64_t> values) {
  switch (isa) {
    case Isa::kScalar:
      permute_min_scalar(hashes, a, b, values);
      return;
    case Isa::kAvx2:
      permute_min_avx2(hashes, a, b, values);
      return;
    case Isa::kAvx512:
      permute_min_avx512(hashes, a, b, values);
      return;
  }
}

void permute_min(std::span<const std::uint64_t> hashes, std::span<const std::uint64_t> a,
                 std::span<const std::uint64_t> b, std::span<std::uint64_t> values) {
  permute_min_with(selected_isa(), hashes, a, b, values);
}

void sketch_tokens(std::span<const std::string_view> tokens, std::span<const std::uint64_t> a,
                   std::span<const std::uint64_t> b, std::span<std::uint64_t> values,
                   std::vector<std::uint64_t>& hashes) {
  hashes.resize(tokens.size());
  sha1_hash32_batch(tokens, hashes);
  permute_min(hashes, a, b, values);
}

}  // namespace doppel::classic
