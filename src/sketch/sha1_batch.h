// The 32-bit SHA-1 token hash of classic MinHash (the first four bytes of SHA-1, read
// little-endian) over many tokens at once. Hashing is most of the cost of a datasketch-compatible
// signature, and tokens (word n-grams) are short: a token of up to 55 bytes is one SHA-1 block.
// Kernels, in order of preference (the first the CPU supports is used); ns a token over the word
// 5-grams of all 18,846 20 Newsgroups posts (4.86M grams, 2.7% longer than one block), each post
// one batch, min / median / max of 7 alternating rounds on one core of the shared development
// EPYC, -O3 as in Release (a microbenchmark outside the repository calling these functions):
//   SHA-NI with AVX-512VL's 32 registers: eight one-block tokens interleaved through the CPU's
//     SHA-1 instructions, longer tokens four at a time block by block: 18.4 / 18.7 / 18.8;
//   AVX-512F+BW: sixteen one-block tokens, one per 32-bit lane, longer ones through nettle:
//     22.9 / 23.1 / 24.3;
//   the same SHA-NI code with SSE's 16 registers, which spills: 23.3 / 23.5 / 23.5;
//   otherwise nettle token by token (its compression uses SHA-NI where the CPU has it, one
//     message at a time, waiting on each instruction): 46.4 / 46.7 / 46.9.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace doppel::classic {

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
