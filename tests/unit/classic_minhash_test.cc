// Classic (datasketch-compatible) MinHash: sha1_hash32 against nettle's plain SHA-1 and known
// digests, the sixteen-lane SHA-1 against it, every permutation kernel against the scalar
// reference (one % per value), and the golden signature datasketch gives for MinHash(num_perm=4,
// seed=1) updated with b"Hello".
#include "sketch/classic_minhash.h"

#include <gtest/gtest.h>
#include <nettle/sha1.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "sketch/sha1_batch.h"

namespace doppel::classic {
namespace {

// Plain SHA-1 through nettle's init/update/digest: the obviously right reference.
std::vector<std::uint8_t> reference_sha1(const std::string& s) {
  sha1_ctx ctx;
  sha1_init(&ctx);
  sha1_update(&ctx, s.size(), reinterpret_cast<const std::uint8_t*>(s.data()));
  std::vector<std::uint8_t> d(SHA1_DIGEST_SIZE);
  sha1_digest(&ctx, d.size(), d.data());
  return d;
}

TEST(ClassicSha1, KnownDigests) {
  // datasketch.hashfunc.sha1_hash32 / sha1_hash64 of these strings.
  EXPECT_EQ(sha1_hash32("Hello"), 2342453239u);
  EXPECT_EQ(sha1_hash32(""), 4003674586u);
  EXPECT_EQ(sha1_hash32("abc"), 910072233u);
  EXPECT_EQ(sha1_hash64("abc"), 7674422142938552745u);
}

TEST(ClassicSha1, EqualsPlainSha1AtEveryLengthAroundTheOneBlockLimit) {
  std::mt19937_64 rng(0x73686131);
  for (std::size_t len = 0; len <= 200; ++len) {
    for (int rep = 0; rep < 5; ++rep) {
      std::string s(len, '\0');
      for (auto& c : s) c = static_cast<char>(rng());
      const auto d = reference_sha1(s);
      const std::uint32_t want32 = std::uint32_t{d[0]} | std::uint32_t{d[1]} << 8 |
                                   std::uint32_t{d[2]} << 16 | std::uint32_t{d[3]} << 24;
      std::uint64_t want64 = 0;
      for (int i = 7; i >= 0; --i) want64 = want64 << 8 | d[static_cast<std::size_t>(i)];
      ASSERT_EQ(sha1_hash32(s), want32) << "length " << len;
      ASSERT_EQ(sha1_hash64(s), want64) << "length " << len;
    }
  }
}

// Random tokens, mostly one-block lengths, the limits 55/56 and longer tokens (up to several
// blocks, every length up to 200) in between.
std::vector<std::string> random_tokens(std::mt19937_64& rng, std::size_t n) {
  std::vector<std::string> storage(n);
  for (auto& s : storage) {
    const std::size_t len =
        rng() % 4 == 0 ? rng() % 200 : (rng() % 3 == 0 ? 55 + rng() % 2 : rng() % 56);
    s.resize(len);
    for (auto& c : s) c = static_cast<char>(rng());
  }
  return storage;
}

using BatchKernel = void (*)(std::span<const std::string_view>, std::span<std::uint64_t>);

// Every batch size around the kernels' groups (8 SHA-NI streams, 4 long-token streams, 16 AVX-512
// lanes), against nettle token by token and the dispatched batch.
void expect_kernel_equals_scalar(BatchKernel kernel) {
  std::mt19937_64 rng(0x78313620);
  for (const std::size_t n : {0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 100, 1000}) {
    const std::vector<std::string> storage = random_tokens(rng, n);
    const std::vector<std::string_view> tokens(storage.begin(), storage.end());
    std::vector<std::uint64_t> want(n), got(n, 0xdead), dispatched(n, 0xbeef);
    sha1_hash32_batch_scalar(tokens, want);
    kernel(tokens, got);
    sha1_hash32_batch(tokens, dispatched);
    ASSERT_EQ(got, want) << n << " tokens";
    ASSERT_EQ(dispatched, want);
    for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(want[i], sha1_hash32(tokens[i]));
  }
  // Every length 0..200 in one batch, and only long tokens (the SHA-NI block scheduler alone),
  // against plain SHA-1.
  std::vector<std::string> storage;
  for (std::size_t len = 0; len <= 200; ++len) {
    storage.emplace_back(len, '\0');
    for (auto& c : storage.back()) c = static_cast<char>(rng());
  }
  for (const std::size_t first : {std::size_t{0}, std::size_t{56}}) {
    const std::vector<std::string_view> tokens(storage.begin() + first, storage.end());
    std::vector<std::uint64_t> got(tokens.size(), 0xdead);
    kernel(tokens, got);
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      const auto d = reference_sha1(std::string(tokens[i]));
      ASSERT_EQ(got[i], std::uint64_t{d[0]} | std::uint64_t{d[1]} << 8 | std::uint64_t{d[2]} << 16 |
                            std::uint64_t{d[3]} << 24)
          << "length " << tokens[i].size();
    }
  }
}

TEST(Sha1Batch, SixteenLanesEqualOneTokenAtATime) {
  if (!sha1_lanes_supported()) {
    GTEST_SKIP() << "no AVX-512 on this CPU: the sixteen-lane kernel is not compared";
  }
  expect_kernel_equals_scalar(sha1_hash32_batch_lanes);
}

TEST(Sha1Batch, ShaNiEqualsOneTokenAtATime) {
  if (!sha1_ni_supported()) {
    GTEST_SKIP() << "no SHA-NI on this CPU: the SHA-NI kernel is not compared";
  }
  expect_kernel_equals_scalar(sha1_hash32_batch_sha_ni);
}

TEST(Sha1Batch, ShaNiWithAvx512RegistersEqualsOneTokenAtATime) {
  if (!sha1_ni_evex_supported()) {
    GTEST_SKIP()
        << "no SHA-NI with AVX-512VL on this CPU: that build of the kernel is not compared";
  }
  expect_kernel_equals_scalar(sha1_hash32_batch_sha_ni_evex);
}

TEST(PermuteMin, EveryKernelEqualsTheReference) {
  std::mt19937_64 rng(0x7065726d);
  std::vector<Isa> isas = {Isa::kScalar};
  for (const Isa isa : {Isa::kAvx2, Isa::kAvx512}) {
    if (isa_supported(isa)) {
      isas.push_back(isa);
    } else {
      std::printf("[  NOTE    ] kernel %d not supported by this CPU; not compared\n",
                  static_cast<int>(isa));
    }
  }
  for (const std::size_t k : {1, 3, 7, 8, 9, 16, 31, 32, 33, 64, 100, 128, 256}) {
    for (const std::size_t n : {0, 1, 2, 17, 300}) {
      std::vector<std::uint64_t> a(k), b(k), hashes(n), start(k);
      for (auto& x : a) x = 1 + rng() % (kMersennePrime - 1);
      for (auto& x : b) x = rng() % kMersennePrime;
      // Full 64-bit hashes (custom hash functions) and 32-bit ones (SHA-1).
      for (std::size_t i = 0; i < n; ++i) hashes[i] = i % 2 ? rng() : rng() >> 32;
      // Start values: an empty signature, or anything a user stored (top bit set included).
      for (std::size_t j = 0; j < k; ++j) start[j] = j % 3 ? kMaxHash : rng() >> (j % 2 ? 0 : 33);
      std::vector<std::uint64_t> want = start;
      permute_min_with(Isa::kScalar, hashes, a, b, want);
      for (const Isa isa : isas) {
        std::vector<std::uint64_t> got = start;
        permute_min_with(isa, hashes, a, b, got);
        ASSERT_EQ(got, want) << "isa " << static_cast<int>(isa) << " k=" << k << " n=" << n;
      }
      std::vector<std::uint64_t> dispatched = start;
      permute_min(hashes, a, b, dispatched);
      ASSERT_EQ(dispatched, want);
    }
  }
}

TEST(PermuteMin, ReducesModuloTheMersennePrimeAfterWrappingAt64Bits) {
  // a*h + b overflows 64 bits and lands exactly on P, 2P - 1 and 2^64 - 1.
  const std::uint64_t p = kMersennePrime;
  const std::vector<std::uint64_t> a = {1, 1, 1, 1}, b = {p, 2 * p - 1, ~std::uint64_t{0}, 5};
  std::vector<std::uint64_t> values(4, ~std::uint64_t{0});
  const std::vector<std::uint64_t> hashes = {0};
  for (const Isa isa : {Isa::kScalar, Isa::kAvx2, Isa::kAvx512}) {
    if (!isa_supported(isa)) continue;
    std::vector<std::uint64_t> got = values;
    permute_min_with(isa, hashes, a, b, got);
    const std::uint64_t wrapped = (~std::uint64_t{0}) % p & kMaxHash;
    EXPECT_EQ(got, (std::vector<std::uint64_t>{0, (p - 1) & kMaxHash, wrapped, 5}));
  }
}

TEST(SketchTokens, DatasketchGoldenSignature) {
  // numpy.random.RandomState(1): a and b of datasketch's MinHash(num_perm=4, seed=1).
  const std::vector<std::uint64_t> a = {775169054918279404u, 2109959069025162u, 401325382989534145u,
                                        1130051441076870728u};
  const std::vector<std::uint64_t> b = {1758426461858698312u, 965365488286768773u,
                                        1703346441743126657u, 1762784241922636284u};
  std::vector<std::uint64_t> values(4, kMaxHash), scratch;
  const std::vector<std::string_view> tokens = {"Hello"};
  sketch_tokens(tokens, a, b, values, scratch);
  EXPECT_EQ(values, (std::vector<std::uint64_t>{734825475, 960773806, 359816889, 342714745}));
}

}  // namespace
}  // namespace doppel::classic
