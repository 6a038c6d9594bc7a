#include "sketch/sha1_batch.h"

#include <cpuid.h>
#include <immintrin.h>

#include <array>
#include <cstddef>
#include <cstring>

#include "sketch/classic_minhash.h"

namespace doppel::classic {

namespace {

constexpr std::size_t kLanes = 16;

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

// ---- SHA-NI ----------------------------------------------------------------------------------
//
// The CPU's SHA-1 instructions do four rounds in one instruction, but each waits on the one
// before: one message at a time leaves the unit idle most of the time (44 ns a one-block 5-gram,
// about what nettle's SHA-NI compression costs). Independent messages interleaved keep it busy.
// On the first 3,000 posts' one-block grams (-O2, SSE registers, medians of 21 alternating
// rounds): 19 ns a token with eight streams, 21 with four, 26 with two; with AVX-512VL's
// registers at -O3, four and eight were within 1% of each other.
constexpr int kShaStreams = 8;
// Longer tokens go through a block scheduler, four at a time: eight there were 10% slower over
// all grams (more idle lanes, and the scheduler's bookkeeping grows with them).
constexpr int kShaLongStreams = 4;

#define DOPPEL_SHA_NI __attribute__((target("sha,sse4.1"), always_inline)) inline

// One SHA-1 compression (FIPS 180-4, 6.1.2) in each of n independent states. SHA-NI keeps A..D
// in one register (A in the top lane) and E beside it; sha1nexte derives the next E from the A
// of four rounds before, sha1msg1/sha1msg2 and one xor extend the message schedule four words at
// a time. The loops unroll fully, so the n streams' instructions interleave.
template <int n>
DOPPEL_SHA_NI void sha1_ni_compress(__m128i* abcd, __m128i* e0, const std::uint8_t* const* blocks) {
  // Big-endian words with word 0 in the top lane: reverse all sixteen bytes.
  const __m128i reverse = _mm_set_epi64x(0x0001020304050607LL, 0x08090a0b0c0d0e0fLL);
  __m128i abcd_in[n], e_in[n], e[n], abcd_before[n], msg[n][4];
#pragma GCC unroll 16
  for (int k = 0; k < n; ++k) {
#pragma GCC unroll 4
    for (int j = 0; j < 4; ++j) {
      msg[k][j] = _mm_shuffle_epi8(
          _mm_loadu_si128(reinterpret_cast<const __m128i*>(blocks[k] + std::ptrdiff_t{16} * j)),
          reverse);
    }
    abcd_in[k] = abcd[k];
    e_in[k] = e0[k];
    e[k] = _mm_add_epi32(e0[k], msg[k][0]);
    abcd_before[k] = abcd[k];
    abcd[k] = _mm_sha1rnds4_epu32(abcd[k], e[k], 0);
  }
  // Rounds 4i..4i+3 take message words 4i..4i+3 (msg[i % 4]); the words of rounds 16.. are made
  // in the ring as they are needed.
#pragma GCC unroll 20
  for (int i = 1; i < 20; ++i) {
#pragma GCC unroll 16
    for (int k = 0; k < n; ++k) {
      e[k] = _mm_sha1nexte_epu32(abcd_before[k], msg[k][i % 4]);
      abcd_before[k] = abcd[k];
      if (i >= 3 && i <= 18) {
        msg[k][(i + 1) % 4] = _mm_sha1msg2_epu32(msg[k][(i + 1) % 4], msg[k][i % 4]);
      }
      switch (i / 5) {  // the round function and constant: an immediate operand
        case 0:
          abcd[k] = _mm_sha1rnds4_epu32(abcd[k], e[k], 0);
          break;
        case 1:
          abcd[k] = _mm_sha1rnds4_epu32(abcd[k], e[k], 1);
          break;
        case 2:
          abcd[k] = _mm_sha1rnds4_epu32(abcd[k], e[k], 2);
          break;
        default:
          abcd[k] = _mm_sha1rnds4_epu32(abcd[k], e[k], 3);
          break;
      }
      if (i <= 16) msg[k][(i + 3) % 4] = _mm_sha1msg1_epu32(msg[k][(i + 3) % 4], msg[k][i % 4]);
      if (i >= 2 && i <= 17)
        msg[k][(i + 2) % 4] = _mm_xor_si128(msg[k][(i + 2) % 4], msg[k][i % 4]);
    }
  }
#pragma GCC unroll 16
  for (int k = 0; k < n; ++k) {
    e0[k] = _mm_sha1nexte_epu32(abcd_before[k], e_in[k]);
    abcd[k] = _mm_add_epi32(abcd[k], abcd_in[k]);
  }
}

// SSE2 only: also called from the lambda below, which has no target attribute.
inline __m128i sha1_ni_abcd_init() {
  return _mm_set_epi32(0x67452301, static_cast<int>(0xEFCDAB89u), static_cast<int>(0x98BADCFEu),
                       0x10325476);
}
inline __m128i sha1_ni_e_init() { return _mm_set_epi32(static_cast<int>(0xC3D2E1F0u), 0, 0, 0); }
// The hash: the digest's first four bytes (A, big-endian) read little-endian.
DOPPEL_SHA_NI std::uint64_t sha1_ni_hash32(__m128i abcd) {
  return __builtin_bswap32(static_cast<std::uint32_t>(_mm_extract_epi32(abcd, 3)));
}

// out[index[l]] = the hash of one-block message blocks[l], for l < n.
template <int n>
DOPPEL_SHA_NI void sha1_ni_one_block(const std::uint8_t* const* blocks, const std::size_t* index,
                                     std::span<std::uint64_t> out) {
  __m128i abcd[n], e0[n];
  for (int l = 0; l < n; ++l) {
    abcd[l] = sha1_ni_abcd_init();
    e0[l] = sha1_ni_e_init();
  }
  sha1_ni_compress<n>(abcd, e0, blocks);
  for (int l = 0; l < n; ++l) out[index[l]] = sha1_ni_hash32(abcd[l]);
}

// The tokens of more than one block (5-grams of long "words": uuencoded lines, base64, URLs;
// 2.7% of the 20 Newsgroups grams, 6% of the first 3,000 posts', and there a quarter of the
// hashing time through nettle): each of kShaLongStreams lanes walks its own token block by block
// (the full blocks read in place, the padded end from a copy) and takes the next long token when
// its own is done.
DOPPEL_SHA_NI void sha1_ni_long_tokens(std::span<const std::string_view> tokens,
                                       std::span<std::uint64_t> out) {
  constexpr int n = kShaLongStreams;
  alignas(16) static constexpr std::uint8_t kIdleBlock[64] = {};
  alignas(16) std::uint8_t tail[n][128];
  const std::uint8_t* data[n];
  std::size_t full[n], total[n], done[n], index[n];
  bool busy[n];
  __m128i abcd[n], e0[n];
  std::size_t next = 0;
  int busy_lanes = 0;
  const auto start = [&](int l) {
    while (next < tokens.size() && tokens[next].size() <= kOneBlockMax) ++next;
    busy[l] = next < tokens.size();
    if (!busy[l]) return;
    const std::string_view m = tokens[next];
    index[l] = next++;
    data[l] = reinterpret_cast<const std::uint8_t*>(m.data());
    full[l] = m.size() / 64;
    const std::size_t rest = m.size() % 64;
    const std::size_t tail_blocks = rest <= kOneBlockMax ? 1 : 2;
    std::memset(tail[l], 0, sizeof tail[l]);
    std::memcpy(tail[l], m.data() + full[l] * 64, rest);
    tail[l][rest] = 0x80;
    const std::uint64_t bits = __builtin_bswap64(std::uint64_t{m.size()} * 8);
    std::memcpy(tail[l] + 64 * tail_blocks - 8, &bits, 8);
    total[l] = full[l] + tail_blocks;
    done[l] = 0;
    abcd[l] = sha1_ni_abcd_init();
    e0[l] = sha1_ni_e_init();
    ++busy_lanes;
  };
  for (int l = 0; l < n; ++l) start(l);
  const std::uint8_t* blocks[n];
  while (busy_lanes > 0) {
    for (int l = 0; l < n; ++l) {
      blocks[l] = !busy[l]            ? kIdleBlock  // hashed, not read back
                  : done[l] < full[l] ? data[l] + 64 * done[l]
                                      : tail[l] + 64 * (done[l] - full[l]);
    }
    sha1_ni_compress<n>(abcd, e0, blocks);
    for (int l = 0; l < n; ++l) {
      if (!busy[l] || ++done[l] < total[l]) continue;
      out[index[l]] = sha1_ni_hash32(abcd[l]);
      --busy_lanes;
      start(l);
    }
  }
}

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

bool sha1_ni_supported() {
  // CPUID leaf 7, EBX bit 29: clang's __builtin_cpu_supports does not know "sha".
  static const bool supported = [] {
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    return __builtin_cpu_supports("sse4.1") && __get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) &&
           (ebx >> 29 & 1) != 0;
  }();
  return supported;
}

bool sha1_ni_evex_supported() {
  static const bool supported = sha1_ni_supported() && __builtin_cpu_supports("avx512f") &&
                                __builtin_cpu_supports("avx512vl");
  return supported;
}

// The SHA-NI kernel, inlined into the two entry points below.
DOPPEL_SHA_NI void sha1_ni_batch(std::span<const std::string_view> tokens,
                                 std::span<std::uint64_t> out) {
  constexpr int n = kShaStreams;
  alignas(64) std::uint8_t blocks[n][64];
  const std::uint8_t* block_of[n];
  for (int l = 0; l < n; ++l) block_of[l] = blocks[l];
  std::size_t index[n];  // the token of each stream
  int streams = 0;
  bool any_long = false;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i].size() > kOneBlockMax) {
      any_long = true;
      continue;
    }
    // memcpy into a cleared block measured faster here than the AVX-512 masked load, whose 64-byte
    // store the SHA loads read back in 16-byte pieces; and it needs no AVX-512.
    pad_one_block(tokens[i], blocks[streams]);
    index[streams++] = i;
    if (streams == n) {
      sha1_ni_one_block<n>(block_of, index, out);
      streams = 0;
    }
  }
  // The last few of the batch (a document's grams are one batch) in groups of 4, 2 and 1: one
  // stream alone takes twice as long a token as eight.
  int l = 0;
  if (streams - l >= 4) {
    sha1_ni_one_block<4>(block_of + l, index + l, out);
    l += 4;
  }
  if (streams - l >= 2) {
    sha1_ni_one_block<2>(block_of + l, index + l, out);
    l += 2;
  }
  if (streams - l >= 1) sha1_ni_one_block<1>(block_of + l, index + l, out);
  if (any_long) sha1_ni_long_tokens(tokens, out);
}

// Eight interleaved streams hold about sixty 128-bit values: more than SSE's sixteen registers,
// so the compiler spills. With AVX-512VL the same code gets thirty-two (EVEX-encoded SSE
// operations), a fifth faster (sha1_batch.h).
__attribute__((target("sha,sse4.1"))) void sha1_hash32_batch_sha_ni(
    std::span<const std::string_view> tokens, std::span<std::uint64_t> out) {
  sha1_ni_batch(tokens, out);
}

__attribute__((target("sha,sse4.1,avx512f,avx512vl"))) void sha1_hash32_batch_sha_ni_evex(
    std::span<const std::string_view> tokens, std::span<std::uint64_t> out) {
  sha1_ni_batch(tokens, out);
}

void sha1_hash32_batch(std::span<const std::string_view> tokens, std::span<std::uint64_t> out) {
  // Fastest first (sha1_batch.h): SHA-NI spilling to memory is no faster than the AVX-512 lanes.
  if (sha1_ni_evex_supported()) {
    sha1_hash32_batch_sha_ni_evex(tokens, out);
  } else if (sha1_lanes_supported()) {
    sha1_hash32_batch_lanes(tokens, out);
  } else if (sha1_ni_supported()) {
    sha1_hash32_batch_sha_ni(tokens, out);
  } else {
    sha1_hash32_batch_scalar(tokens, out);
  }
}

}  // namespace doppel::classic
