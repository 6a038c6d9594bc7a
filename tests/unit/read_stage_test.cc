// The read stage and the jobs' parts of it: every document read once, in input order whatever
// the threads, and each part's per-document data equal to computing it directly from the text
// (dedup's sketches: signature and exact hash; reuse's words: hashes, byte and code point spans
// into the source text, an address one word). Documents that are bad input, including duplicate
// ids, get nothing.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "corpus/corpus_source.h"
#include "corpus/read_stage.h"
#include "passages/document_words.h"
#include "passages/passage_words.h"
#include "sketch/document_sketches.h"
#include "support/memory_env.h"
#include "text/shingle.h"

namespace doppel {
namespace {

std::string random_words(std::mt19937_64& rng, int n) {
  static const std::vector<std::string> words = {
      "harbour", "bridge", "Straße", "café",        "ﬁne",        "news", "of",
      "the",     "¼",      "日本",   "<a.b@c.org>", "www.x.co.uk"};  // two addresses: one word each
                                                                     // to reuse, several to dedup
  std::string s;
  for (int i = 0; i < n; ++i) {
    if (i > 0) s += rng() % 7 == 0 ? ",  " : " ";
    s += words[rng() % words.size()];
  }
  return s;
}

struct ReadRun {
  Corpus corpus;
  std::vector<std::vector<SigValue>> sigs;
  std::vector<ExactHash> hashes;
  std::vector<std::vector<std::uint32_t>> words;
  std::vector<std::vector<TextSpan>> spans;  // each word as a one-word span
  std::vector<std::uint64_t> chars;
};

ReadRun read(test::MemoryEnv& env, const std::vector<std::string>& inputs, int threads) {
  ReadOptions read;
  read.env = &env;
  auto source = CorpusSource::open(inputs, read);
  EXPECT_TRUE(source.ok()) << source.status().ToString();
  const NormalizeOptions normalize;
  const ShingleOptions shingle;
  const SketchOptions sketch;
  DocumentSketches sketches(shingle, sketch, false);
  DocumentWords words;
  ReadRun run;
  const ReadStageOptions stage{.normalize = &normalize, .threads = threads, .label = "test"};
  const Status s = read_corpus(**source, stage, {}, run.corpus, sketches, words);
  EXPECT_TRUE(s.ok()) << s.ToString();
  for (std::uint32_t d = 0; d < run.corpus.docs.size(); ++d) {
    const auto sig = sketches.signatures()[d];
    run.sigs.emplace_back(sig.begin(), sig.end());
    run.hashes.push_back(sketches.hashes()[d]);
    const auto w = words.table().doc(d);
    run.words.emplace_back(w.begin(), w.end());
    std::vector<TextSpan> spans;
    for (std::uint32_t i = 0; i < w.size(); ++i) spans.push_back(words.doc(d).span(i, i + 1));
    run.spans.push_back(spans);
  }
  run.chars.assign(words.chars().begin(), words.chars().end());
  return run;
}

// Regression: a file edited between the two readings (the first to compare, the second to copy
// documents to the outputs) with as many documents as before went unnoticed, and the outputs held
// text that was never compared, or the run failed with a C++ exception's message.
TEST(CorpusSource, KnowsWhenAFileChangedSinceItWasFirstRead) {
  test::MemoryEnv env;
  env.files["in/a.jsonl"] = R"({"id":"a","text":"one two three"})"
                            "\n";
  env.files["in/b.txt"] = "four five six";
  ReadOptions read;
  read.env = &env;
  auto source = CorpusSource::open(std::vector<std::string>{"in"}, read);
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  EXPECT_TRUE((*source)->unchanged().ok()) << "nothing read yet";
  auto reader = (*source)->read();
  ASSERT_TRUE(reader.ok());
  Batch batch;
  while ((*reader)->next(batch)) {
  }
  EXPECT_TRUE((*source)->unchanged().ok());
  env.files["in/b.txt"] = "four five six seven";
  const Status changed = (*source)->unchanged();
  EXPECT_FALSE(changed.ok());
  EXPECT_NE(changed.message().find("b.txt: the file changed while doppel ran"), std::string::npos)
      << changed.ToString();
}

TEST(ReadStage, PartsHoldWhatTheTextGivesOnAnyThreads) {
  std::mt19937_64 rng(31);
  test::MemoryEnv env;
  env.read_chunk = 5000;
  std::vector<std::string> texts;
  std::string jsonl;
  for (int i = 0; i < 3000; ++i) {
    texts.push_back(random_words(rng, 1 + static_cast<int>(rng() % 60)));
    // Every 97th document repeats an earlier id: bad input the table finds at the merge.
    const std::string id = i % 97 == 96 ? std::to_string(i - 5) : std::to_string(i);
    jsonl += "{\"id\":\"" + id + "\",\"text\":\"" + texts.back() + "\"}\n";
  }
  env.files["/c.jsonl"] = jsonl;
  env.files["/d/a.txt"] = " date 2021-10-19 By Someone\n\n" + texts[0];
  const std::vector<std::string> inputs = {"/c.jsonl", "/d/a.txt"};
  const ReadRun one = read(env, inputs, 1);
  ASSERT_EQ(one.corpus.docs.size(), 3001u);

  const OphSketcher sketcher(SketchOptions{}.num_hashes, SketchOptions{}.seed);
  NormalizedText norm;
  std::vector<std::uint64_t> shingles;
  std::vector<std::uint32_t> scratch;
  AddressChunks chunks;
  for (std::uint32_t d = 0; d < one.corpus.docs.size(); ++d) {
    SCOPED_TRACE(d);
    const bool text_file = d == 3000;
    const std::string source = text_file ? env.files["/d/a.txt"] : texts[d];
    const std::string body = text_file ? texts[0] : texts[d];
    if (!one.corpus.ok(d)) {
      ASSERT_EQ(one.corpus.docs[d].status, ReadStatus::kDuplicateId);
      EXPECT_TRUE(one.words[d].empty());
      continue;
    }
    normalize(body, NormalizeOptions{}, norm);
    EXPECT_EQ(one.hashes[d], exact_hash(norm));
    shingle_hashes(norm, ShingleOptions{}, SketchOptions{}.seed, shingles);
    std::vector<SigValue> sig(sketcher.bins());
    sketcher.sketch(shingles, sig, scratch);
    EXPECT_EQ(one.sigs[d], sig);
    join_address_words(body, true, norm, chunks);
    ASSERT_EQ(one.words[d].size(), norm.tokens.size());
    const std::size_t base = source.size() - body.size();
    for (std::size_t i = 0; i < norm.tokens.size(); ++i) {
      const std::uint64_t h = norm.hashes[i];
      EXPECT_EQ(one.words[d][i], static_cast<std::uint32_t>(h ^ (h >> 32)));
      const TextSpan& s = one.spans[d][i];
      EXPECT_EQ(s.byte_begin, base + norm.tokens[i].src_begin);
      EXPECT_EQ(s.byte_end, base + norm.tokens[i].src_end);
      EXPECT_EQ(s.begin, count_code_points(std::string_view(source).substr(0, s.byte_begin)));
      EXPECT_EQ(s.end, count_code_points(std::string_view(source).substr(0, s.byte_end)));
    }
    EXPECT_EQ(one.chars[d], count_code_points(source));
  }
  for (const int threads : {2, 3}) {
    const ReadRun many = read(env, inputs, threads);
    EXPECT_EQ(many.sigs, one.sigs);
    EXPECT_EQ(many.hashes, one.hashes);
    EXPECT_EQ(many.words, one.words);
    EXPECT_EQ(many.chars, one.chars);
    ASSERT_EQ(many.corpus.strings, one.corpus.strings);
  }
}

}  // namespace
}  // namespace doppel
