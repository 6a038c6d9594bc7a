// The 32-bit SHA-1 token hash of classic MinHash (the first four bytes of SHA-1, read
// little-endian) over many tokens at once. Hashing is most of the cost of a datasketch-compatible
// signature, and tokens (word n-grams) are short: a token of up to 55 bytes is one SHA-1 block.
// With AVX-512, sixteen such tokens are hashed together, one per 32-bit lane, two to three times
// faster than one at a time with the CPU's SHA instructions (33-44 ns a 20-40-byte token against
// 70-100 ns, on the loaded development machine); longer tokens, and CPUs without AVX-512, go
// through nettle one token at a time.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace doppel::classic {

// out[i] = sha1_hash32(tokens[i]) (classic_minhash.h) for every i; out.size() == tokens.size().
void sha1_hash32_batch(std::span<const std::string_view> tokens, std::span<std::uint64_t> out);

// The same through the kernel of the given kind, for the tests that compare them: sixteen lanes
// (needs AVX-512F and AVX-512BW: sha1_lanes_supported()), or nettle token by token.
bool sha1_lanes_supported();
void sha1_hash32_batch_lanes(std::span<const std::string_view> tokens,
                             std::span<std::uint64_t> out);
void sha1_hash32_batch_scalar(std::span<const std::string_view> tokens,
                              std::span<std::uint64_t> out);

}  // namespace doppel::classic
