// Classic MinHash, bit for bit as datasketch computes it (the Python `doppel.datasketch` is built
// on it): each token is hashed to 32 bits (the first four bytes of its SHA-1, read
// little-endian), and permutation j maps a hash h to ((a[j]*h + b[j]) mod 2^64) mod (2^61 - 1),
// masked to 32 bits. A signature holds, for each permutation, the minimum over the tokens.
// This costs one multiply per token and permutation, k times the one-permutation sketch of
// minhash.h; it exists for compatibility, not for doppel's own pipeline.
//
// Pure functions; thread-safe. The permutation kernel has a scalar reference and AVX2 and
// AVX-512 versions behind one dispatch point (permute_min), chosen once from the CPU.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace doppel::classic {

inline constexpr std::uint64_t kMersennePrime = (std::uint64_t{1} << 61) - 1;
inline constexpr std::uint64_t kMaxHash = 0xffffffffu;  // the value of an empty signature

// The first four bytes of SHA-1(data) as a little-endian integer (datasketch's sha1_hash32).
std::uint32_t sha1_hash32(std::string_view data);
// The first eight bytes of SHA-1(data) as a little-endian integer (datasketch's sha1_hash64).
std::uint64_t sha1_hash64(std::string_view data);

// values[j] = min(values[j], min over h in `hashes` of (((a[j]*h + b[j]) mod 2^64) mod
// (2^61 - 1)) & kMaxHash), for j < values.size(); a, b and values have the same size. Hashes may
// use all 64 bits (a custom hash function's values), and values may start anywhere.
void permute_min(std::span<const std::uint64_t> hashes, std::span<const std::uint64_t> a,
                 std::span<const std::uint64_t> b, std::span<std::uint64_t> values);

// The kernels behind permute_min, for the tests and benchmarks that compare them.
enum class Isa { kScalar, kAvx2, kAvx512 };
bool isa_supported(Isa isa);
Isa selected_isa();  // the one permute_min uses on this CPU
// permute_min computed by `isa`'s kernel (which must be supported); kScalar is the plain
// reference: one % per value.
void permute_min_with(Isa isa, std::span<const std::uint64_t> hashes,
                      std::span<const std::uint64_t> a, std::span<const std::uint64_t> b,
                      std::span<std::uint64_t> values);

// Lowers `values` by every token's sha1_hash32 (sha1_batch.h) through permute_min. `hashes` is
// scratch space, reused between calls.
void sketch_tokens(std::span<const std::string_view> tokens, std::span<const std::uint64_t> a,
                   std::span<const std::uint64_t> b, std::span<std::uint64_t> values,
                   std::vector<std::uint64_t>& hashes);

}  // namespace doppel::classic
