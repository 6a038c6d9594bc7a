// Microbenchmarks of the hot kernels, each reporting bytes/s over the same synthetic English-like
// text: normalize, shingle, sketch, and the signature comparison of verification; and the banded
// alignment of reuse, in cells/s; the SHA-1 token hash of doppel.datasketch by kernel, in tokens/s.
//   build/release/bench/doppel_micro
//   build/release/bench/doppel_micro --benchmark_filter=Sha1 --benchmark_repetitions=7
//       --benchmark_enable_random_interleaving=true   (one command line)
#include <benchmark/benchmark.h>

#include <random>
#include <span>
#include <string>
#include <vector>

#include "align/local_align.h"
#include "sketch/minhash.h"
#include "sketch/sha1_batch.h"
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

// Normalizes `text` with `options` in a loop; the throughput is of `text`'s bytes.
void normalize_loop(benchmark::State& state, const std::string& text,
                    const NormalizeOptions& options) {
  NormalizedText out;
  for (auto _ : state) {
    normalize(text, options, out);
    benchmark::DoNotOptimize(out.text.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}

// About 1 MiB of `clauses` picked at random, each followed by one of `separators`.
std::string clause_text(std::span<const char* const> clauses,
                        std::span<const char* const> separators) {
  std::mt19937_64 rng(42);
  std::string text;
  while (text.size() < (1U << 20)) {
    text += clauses[rng() % clauses.size()];
    text += separators[rng() % separators.size()];
  }
  return text;
}

void BM_Normalize(benchmark::State& state) {
  normalize_loop(state, make_text(1 << 20, state.range(0) != 0), NormalizeOptions{});
}
BENCHMARK(BM_Normalize)->Arg(0)->Arg(1)->ArgName("unicode");

// Chinese news text (Han letters, full-width punctuation, some digits and Latin), with each Han
// letter a word (cjk_words:1, the default) or a run of them one word (0, indexes before version 4).
void BM_NormalizeChinese(benchmark::State& state) {
  static const char* const kClauses[] = {"国家统计局周三发布的数据显示",
                                         "第三季度国内生产总值同比增长",
                                         "百分之四点九",
                                         "略低于市场预期",
                                         "分析人士认为",
                                         "房地产市场持续低迷",
                                         "GDP增长",
                                         "2023年",
                                         "外部需求疲软"};
  static const char* const kMarks[] = {"，", "。", "、", " "};
  NormalizeOptions options;
  options.cjk_characters_are_words = state.range(0) != 0;
  normalize_loop(state, clause_text(kClauses, kMarks), options);
}
BENCHMARK(BM_NormalizeChinese)->Arg(0)->Arg(1)->ArgName("cjk_words");

// Thai news text (clauses without spaces between their words, a space between clauses, a line
// break now and then), cut into words by ICU's dictionaries (dictionary_words:1, the default) or
// a run one word (0, indexes before version 5).
void BM_NormalizeThai(benchmark::State& state) {
  static const char* const kClauses[] = {"นายกรัฐมนตรีกล่าวในการประชุมคณะรัฐมนตรีเมื่อวันอังคาร",
                                         "รัฐบาลจะเพิ่มงบประมาณสำหรับการศึกษาและการสาธารณสุข",
                                         "โดยเน้นที่พื้นที่ชนบทซึ่งยังขาดแคลนโรงเรียนและโรงพยาบาล",
                                         "เศรษฐกิจจะขยายตัวราวร้อยละ 3.5 ในปีนี้",
                                         "GDP ไตรมาสที่สาม",
                                         "น้ำท่วมในภาคเหนือ"};
  static const char* const kBreaks[] = {" ", " ", " ", " ", " ", " ", " ", "\n"};
  NormalizeOptions options;
  options.dictionary_words = state.range(0) != 0;
  normalize_loop(state, clause_text(kClauses, kBreaks), options);
}
BENCHMARK(BM_NormalizeThai)->Arg(0)->Arg(1)->ArgName("dictionary_words");

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

// A reused passage of 400 words with one word in 8 substituted, one inserted every 50 words and
// one deleted every 70: what a chain of seeds of an edited copy looks like (every 5-word run that
// survived the edits is an anchor).
void BM_AlignBanded(benchmark::State& state) {
  std::mt19937_64 rng(7);
  std::vector<std::uint32_t> a(400), b;
  for (auto& w : a) w = static_cast<std::uint32_t>(rng() % 5000);
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (i % 70 == 69) continue;
    b.push_back(rng() % 8 == 0 ? static_cast<std::uint32_t>(rng()) : a[i]);
    if (i % 50 == 49) b.push_back(static_cast<std::uint32_t>(rng()));
  }
  std::vector<Anchor> anchors;
  std::size_t cells = 0;
  for (std::uint32_t i = 0; i + 5 <= a.size(); ++i) {
    for (std::uint32_t j = i >= 20 ? i - 20 : 0; j + 5 <= b.size() && j < i + 20; ++j) {
      if (std::equal(a.begin() + i, a.begin() + i + 5, b.begin() + j)) anchors.push_back({i, j});
    }
  }
  AlignScratch scratch;
  for (auto _ : state) {
    const Alignment al = align_banded(a, b, anchors, 5, 8, 25, AlignScoring{}, scratch);
    benchmark::DoNotOptimize(al.score);
    cells = scratch.row_at.back();  // the band's cells (steps has room past them)
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * cells));
}
BENCHMARK(BM_AlignBanded);

// SHA-1 of word 5-grams (the datasketch hash) by each kernel of sketch/sha1_batch.h, a post's
// worth (258 tokens) a call as doppel.datasketch hashes them: the 5-grams of the synthetic text
// (20-50 bytes, one SHA-1 block each), and one token in 32 replaced by 60-120 bytes (two blocks),
// as uuencoded lines and URLs make 2.7% of 20 Newsgroups' grams.
void BM_Sha1Batch(benchmark::State& state) {
  using Kernel = void (*)(std::span<const std::string_view>, std::span<std::uint64_t>);
  struct Choice {
    const char* name;
    bool supported;
    Kernel kernel;
  };
  const Choice choices[] = {
      {"sha_ni_evex", classic::sha1_ni_evex_supported(), classic::sha1_hash32_batch_sha_ni_evex},
      {"avx512_lanes", classic::sha1_lanes_supported(), classic::sha1_hash32_batch_lanes},
      {"sha_ni_sse", classic::sha1_ni_supported(), classic::sha1_hash32_batch_sha_ni},
      {"nettle", true, classic::sha1_hash32_batch_scalar}};
  const Choice& c = choices[state.range(0)];
  state.SetLabel(c.name);
  if (!c.supported) {
    state.SkipWithError("this CPU lacks the kernel's instructions");
    return;
  }
  const std::string text = make_text(1 << 18, false);
  std::vector<std::string_view> words;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t end = std::min(text.find_first_of(" \n", i), text.size());
    words.push_back(std::string_view(text).substr(i, end - i));
    i = end + 1;
  }
  std::mt19937_64 rng(11);
  std::vector<std::string> tokens;
  for (std::size_t i = 0; i + 5 <= words.size(); ++i) {
    std::string gram(words[i]);
    for (std::size_t k = 1; k < 5; ++k) (gram += ' ') += words[i + k];
    if (rng() % 32 == 0) gram = std::string(60 + rng() % 61, static_cast<char>('A' + rng() % 26));
    tokens.push_back(std::move(gram));
  }
  const std::vector<std::string_view> views(tokens.begin(), tokens.end());
  std::vector<std::uint64_t> out(views.size());
  constexpr std::size_t kPost = 258;
  for (auto _ : state) {
    for (std::size_t i = 0; i < views.size(); i += kPost) {
      const std::size_t n = std::min(kPost, views.size() - i);
      c.kernel(std::span(views).subspan(i, n), std::span(out).subspan(i, n));
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * views.size()));
}
BENCHMARK(BM_Sha1Batch)->DenseRange(0, 3)->ArgName("kernel");

}  // namespace
}  // namespace doppel
