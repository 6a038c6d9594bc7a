// Microbenchmarks of the hot kernels, each reporting bytes/s over the same synthetic English-like
// text: normalize, shingle, sketch, and the signature comparison of verification.
//   build/release/bench/doppel_micro
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "sketch/minhash.h"
#include "text/normalize.h"
#include "text/shingle.h"

namespace doppel {
namespace {

std::string make_text(std::size_t bytes, bool with_unicode) {
  static const char* kWords[] = {"the",         "minister",   "said",       "on",     "Tuesday",
                                 "that",        "Azerbaijan", "and",        "Turkey", "hold",
                                 "joint",       "drills",     "army,",      "units.", "1992",
                                 "cooperation", "signed",     "“alliance”", "Zoë",    "café"};
  std::mt19937_64 rng(42);
  std::string text;
  while (text.size() < bytes) {
    const auto w = rng() % (with_unicode ? 20 : 16);
    text += kWords[w];
    text += rng() % 12 == 0 ? "\n" : " ";
  }
  return text;
}

void BM_Normalize(benchmark::State& state) {
  const std::string text = make_text(1 << 20, state.range(0) != 0);
  NormalizedText out;
  for (auto _ : state) {
    normalize(text, NormalizeOptions{}, out);
    benchmark::DoNotOptimize(out.text.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_Normalize)->Arg(0)->Arg(1)->ArgName("unicode");

void BM_WordShingles(benchmark::State& state) {
  const std::string text = make_text(1 << 20, false);
  NormalizedText norm;
  normalize(text, NormalizeOptions{}, norm);
  std::vector<std::uint64_t> hashes;
  for (auto _ : state) {
    shingle_hashes(norm, ShingleOptions{}, 1, hashes);
    benchmark::DoNotOptimize(hashes.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_WordShingles);

void BM_OphSignature(benchmark::State& state) {
  // A 1 KiB news item has about 170 shingles.
  std::mt19937_64 rng(7);
  std::vector<std::uint64_t> shingles(static_cast<std::size_t>(state.range(0)));
  for (auto& s : shingles) s = rng();
  std::vector<SigValue> sig(128);
  std::vector<std::uint32_t> scratch;
  for (auto _ : state) {
    oph_signature(shingles, 3, sig, scratch);
    benchmark::DoNotOptimize(sig.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * shingles.size()));
}
BENCHMARK(BM_OphSignature)->Arg(20)->Arg(170)->Arg(2000);

void BM_EstimateJaccard(benchmark::State& state) {
  std::vector<SigValue> a(128), b(128);
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = b[i] = static_cast<SigValue>(i * 7);
  for (std::size_t i = 0; i < a.size(); i += 5) b[i] = 1;
  for (auto _ : state) benchmark::DoNotOptimize(estimate_jaccard(a, b));
}
BENCHMARK(BM_EstimateJaccard);

}  // namespace
}  // namespace doppel
