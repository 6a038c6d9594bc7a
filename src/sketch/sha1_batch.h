// The 32-bit SHA-1 token hash of classic MinHash (the first four bytes of SHA-1, read
// little-endian) over many tokens at once. Hashing is most of the cost of a datasketch-compatible
// signature, and tokens (word n-grams) are short: a token of up to 55 bytes is one SHA-1 block.
// Kernels, in order of preference (the first the CPU supports is used):
//   SHA-NI with AVX-512VL's 32 registers: eight one-block tokens interleaved through the CPU's
//     SHA-1 instructions, longer tokens four at a time block by block;
//   AVX-512F+BW: sixteen one-block tokens, one per 32-bit lane, longer ones through nettle;
//   the same SHA-NI code with SSE's 16 registers, which spills;
//   otherwise nettle token by token (its compression uses SHA-NI where the CPU has it, one
//     message at a time, waiting on each instruction).
// ns a token, min / median / max of 7 rounds on one core of the 2-core development EPYC:
//   - all 4.86M word 5-grams of 20 Newsgroups, each post one call, alternating rounds of a
//     scratch microbenchmark outside the repository: 18.4 / 18.7 / 18.8, 22.9 / 23.1 / 24.3,
//     23.3 / 23.5 / 23.5 and 46.4 / 46.7 / 46.9;
//   - the synthetic 5-grams of bench/micro_bench.cc (BM_Sha1Batch, random interleaving; its
//     header has the command): 18.9 / 26.9 / 32.1, 20.4 / 26.0 / 28.7, 24.1 / 34.3 / 37.5 and
//     48.4 / 51.4 / 52.2, where the first two are within the machine's noise of each other.
//
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

namespace doppel::classic {

// The tokens of up to kOneBlockMax bytes fit one SHA-1 block with its padding.
inline constexpr std::size_t kOneBlockMax = 55;

// SHA-1's padding of a message of up to kOneBlockMax bytes into `block` (64 bytes): the message,
// 0x80, zeros, and its length in bits, big-endian, in the last 8 bytes.
inline void pad_one_block(std::string_view m, std::uint8_t* block) {
  std::memset(block, 0, 64);
  std::memcpy(block, m.data(), m.size());
  block[m.size()] = 0x80;
  const std::uint64_t bits = __builtin_bswap64(std::uint64_t{m.size()} * 8);
  std::memcpy(block + 56, &bits, 8);
}

// out[i] = sha1_hash32(tokens[i]) (classic_minhash.h) for every i; out.size() == tokens.size().
void sha1_hash32_batch(std::span<const std::string_view> tokens, std::span<std::uint64_t> out);

// The same through the kernel of the given kind, for the tests that compare them: SHA-NI (needs
// the SHA extensions and SSE4.1: sha1_ni_supported()), sixteen lanes (needs AVX-512F and
// AVX-512BW: sha1_lanes_supported()), or nettle token by token.
bool sha1_ni_supported();
void sha1_hash32_batch_sha_ni(std::span<const std::string_view> tokens,
                              std::span<std::uint64_t> out);
// The same SHA-NI code with AVX-512VL's 32 vector registers (needs AVX-512F and AVX-512VL too).
bool sha1_ni_evex_supported();
void sha1_hash32_batch_sha_ni_evex(std::span<const std::string_view> tokens,
                                   std::span<std::uint64_t> out);
bool sha1_lanes_supported();
void sha1_hash32_batch_lanes(std::span<const std::string_view> tokens,
                             std::span<std::uint64_t> out);
void sha1_hash32_batch_scalar(std::span<const std::string_view> tokens,
                              std::span<std::uint64_t> out);

}  // namespace doppel::classic
