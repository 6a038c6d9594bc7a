// The whole library call, doppel::dedup(), on small random corpora against a brute-force
// reference: exact Jaccard of word 5-gram string sets over every pair, and the connected
// components of the pairs at or above the threshold (plus exact duplicates).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "cluster/union_find.h"
#include "doppel/dedup.h"
#include "text/normalize.h"

namespace doppel {
namespace {

constexpr int kNgram = 5;
constexpr double kThreshold = 0.8;

// --- a random corpus: base documents, near copies (chains of them too) and exact copies -------

std::vector<std::string> make_vocabulary(std::mt19937_64& rng) {
  std::set<std::string> words;
  while (words.size() < 300) {
    std::string w(3 + rng() % 6, 'a');
    for (char& c : w) c = static_cast<char>('a' + rng() % 26);
    words.insert(w);
  }
  return {words.begin(), words.end()};
}

// Words rendered with random capitals, punctuation and whitespace: the same words, the same
// canonical text.
std::string render(const std::vector<std::string>& words, std::mt19937_64& rng) {
  std::string s;
  for (std::size_t i = 0; i < words.size(); ++i) {
    std::string w = words[i];
    if (rng() % 6 == 0) w[0] = static_cast<char>(w[0] - 32);
    if (i > 0) {
      static const char* kSeparators[] = {" ", " ", " ", ", ", ". ", "  ", "\n", " - ", "; "};
      s += kSeparators[rng() % std::size(kSeparators)];
    }
    s += w;
  }
  if (rng() % 2) s += ".";
  return s;
}

std::vector<std::string> edit(std::vector<std::string> words, const std::vector<std::string>& vocab,
                              std::mt19937_64& rng) {
  const double u = std::uniform_real_distribution<double>(0, 1)(rng);
  const double fraction = 0.3 * u * u;  // 0-30% of the words, mostly few
  const auto edits = static_cast<std::size_t>(fraction * double(words.size()) + 0.5);
  const bool clustered = rng() % 2;  // one edited region, or edits scattered
  std::size_t at = rng() % words.size();
  for (std::size_t e = 0; e < edits && words.size() > 10; ++e) {
    if (!clustered) at = rng() % words.size();
    at = std::min(at, words.size() - 1);
    switch (rng() % 3) {
      case 0:
        words[at] = vocab[rng() % vocab.size()];
        ++at;
        break;
      case 1:
        words.insert(words.begin() + static_cast<long>(at), vocab[rng() % vocab.size()]);
        ++at;
        break;
      default:
        words.erase(words.begin() + static_cast<long>(at));
        break;
    }
  }
  return words;
}

std::vector<std::string> make_corpus(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const auto vocab = make_vocabulary(rng);
  std::vector<std::vector<std::string>> docs;
  for (int b = 0; b < 60; ++b) {
    std::vector<std::string> words(40 + rng() % 81);
    for (auto& w : words) w = vocab[rng() % vocab.size()];
    docs.push_back(words);
  }
  for (int c = 0; c < 65; ++c) docs.push_back(edit(docs[rng() % docs.size()], vocab, rng));
  std::vector<std::string> texts;
  for (const auto& d : docs) texts.push_back(render(d, rng));
  for (int c = 0; c < 25; ++c) texts.push_back(render(docs[rng() % docs.size()], rng));
  std::shuffle(texts.begin(), texts.end(), rng);
  return texts;
}

std::string json_escape(const std::string& s) {
  std::string out;
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

class TempDir {
 public:
  TempDir() {
    static int counter = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("doppel_unit_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

std::string write_jsonl(const TempDir& dir, const std::vector<std::string>& texts) {
  const std::string path = dir.file("corpus.jsonl");
  std::ofstream out(path, std::ios::binary);
  for (std::size_t i = 0; i < texts.size(); ++i) {
    out << "{\"id\":\"d" << i << "\",\"text\":\"" << json_escape(texts[i]) << "\"}\n";
  }
  return path;
}

// --- the brute-force reference ----------------------------------------------------------------

struct Reference {
  std::vector<std::string> canonical;                  // normalized text of each document
  std::vector<std::set<std::string>> grams;            // word 5-gram strings of each document
  std::vector<std::vector<double>> jaccard;            // every pair
  std::vector<std::vector<std::uint32_t>> components;  // of two or more, by smallest member
};

double set_jaccard(const std::set<std::string>& a, const std::set<std::string>& b) {
  std::vector<std::string> common;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(common));
  const std::size_t uni = a.size() + b.size() - common.size();
  return uni == 0 ? 0.0 : double(common.size()) / double(uni);
}

Reference brute_force(const std::vector<std::string>& texts) {
  Reference r;
  const auto n = static_cast<std::uint32_t>(texts.size());
  NormalizedText norm;
  for (const auto& t : texts) {
    normalize(t, NormalizeOptions{}, norm);
    r.canonical.push_back(norm.text);
    std::vector<std::string> words;
    for (const Token& tok : norm.tokens) words.emplace_back(norm.word(tok));
    std::set<std::string> grams;
    const std::size_t width = std::min<std::size_t>(kNgram, words.size());
    for (std::size_t i = 0; i + width <= words.size(); ++i) {
      std::string g = words[i];
      for (std::size_t j = 1; j < width; ++j) g += '\x1f' + words[i + j];
      grams.insert(g);
    }
    r.grams.push_back(std::move(grams));
  }
  r.jaccard.assign(n, std::vector<double>(n, 0));
  UnionFind sets(n);
  for (std::uint32_t a = 0; a < n; ++a) {
    for (std::uint32_t b = a + 1; b < n; ++b) {
      r.jaccard[a][b] = r.jaccard[b][a] = set_jaccard(r.grams[a], r.grams[b]);
      if (r.jaccard[a][b] >= kThreshold || r.canonical[a] == r.canonical[b]) sets.unite(a, b);
    }
  }
  std::vector<std::vector<std::uint32_t>> by_root(n);
  for (std::uint32_t d = 0; d < n; ++d) by_root[sets.find(d)].push_back(d);
  for (auto& c : by_root) {
    if (c.size() >= 2) r.components.push_back(c);
  }
  return r;
}

// --- checks -----------------------------------------------------------------------------------

std::vector<std::vector<std::uint32_t>> clusters_of(const DedupResult& r) {
  std::vector<std::vector<std::uint32_t>> out;
  for (const Cluster& c : r.clusters) {
    out.emplace_back(r.members.begin() + c.members_begin,
                     r.members.begin() + c.members_begin + c.size);
  }
  return out;
}

// Statuses, counts and representatives agree with each other.
void check_invariants(const DedupResult& r, std::size_t read, const Reference& ref) {
  ASSERT_EQ(r.docs.size(), read);
  ASSERT_EQ(r.corpus.docs.size(), read);
  EXPECT_EQ(r.corpus.stats.documents, read);
  EXPECT_EQ(r.corpus.stats.ok(), read);  // the corpus has no bad input
  std::uint64_t kept = 0, exact = 0, near = 0;
  for (const auto& d : r.docs) {
    kept += d.verdict == DedupVerdict::kKept;
    exact += d.verdict == DedupVerdict::kExactDuplicate;
    near += d.verdict == DedupVerdict::kNearDuplicate;
  }
  EXPECT_EQ(r.stats.kept, kept);
  EXPECT_EQ(r.stats.exact_duplicates, exact);
  EXPECT_EQ(r.stats.near_duplicates, near);
  EXPECT_EQ(kept + exact + near, read);
  EXPECT_TRUE(r.corpus.problems.empty());
  std::vector<int> seen(read, 0);
  for (std::uint32_t c = 0; c < r.clusters.size(); ++c) {
    const Cluster& cl = r.clusters[c];
    int kept_members = 0;
    bool all_exact = true;
    for (std::uint32_t k = 0; k < cl.size; ++k) {
      const std::uint32_t d = r.members[cl.members_begin + k];
      ++seen[d];
      EXPECT_EQ(r.docs[d].cluster, c);
      EXPECT_EQ(r.duplicate_of(d), cl.representative);
      const bool exact = ref.canonical[d] == ref.canonical[cl.representative];
      all_exact = all_exact && exact;
      EXPECT_EQ(r.docs[d].exact, exact) << d;
      if (r.docs[d].verdict == DedupVerdict::kKept) {
        ++kept_members;
        EXPECT_EQ(d, cl.representative);
      } else {
        EXPECT_EQ(r.docs[d].verdict,
                  exact ? DedupVerdict::kExactDuplicate : DedupVerdict::kNearDuplicate);
      }
    }
    EXPECT_EQ(kept_members, 1) << "cluster " << c;
    EXPECT_EQ(cl.all_exact, all_exact) << "cluster " << c;
    EXPECT_EQ(cl.representative, r.members[cl.members_begin]) << "keep=first keeps the first";
  }
  for (std::uint32_t d = 0; d < read; ++d) {
    if (seen[d] == 0) {
      EXPECT_EQ(r.docs[d].verdict, DedupVerdict::kKept) << d;
      EXPECT_EQ(r.docs[d].cluster, kNoCluster) << d;
    } else {
      EXPECT_EQ(seen[d], 1) << "document " << d << " in two clusters";
    }
  }
}

Result<DedupResult> run_dedup(const std::string& path, const DedupOptions& options) {
  const std::vector<std::string> inputs = {path};
  return dedup(inputs, options);
}

class DedupBruteForce : public ::testing::TestWithParam<std::uint64_t> {};

TEST_P(DedupBruteForce, ExactVerificationWithHighRecallEqualsReferenceComponents) {
  const auto texts = make_corpus(GetParam());
  TempDir dir;
  const std::string path = write_jsonl(dir, texts);
  const Reference ref = brute_force(texts);

  DedupOptions options;
  options.verify = VerifyMode::kExact;
  options.lsh.bands = 64;
  options.lsh.rows = 2;
  options.threads = 2;
  auto result = run_dedup(path, options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const DedupResult& r = *result;
  check_invariants(r, texts.size(), ref);

  // The corpus has clusters of both kinds, and pairs near the threshold on both sides.
  int near = 0, below = 0;
  for (std::size_t a = 0; a < texts.size(); ++a) {
    for (std::size_t b = a + 1; b < texts.size(); ++b) {
      const double j = ref.jaccard[a][b];
      near += j >= kThreshold && j < 1.0;
      below += j >= 0.5 && j < kThreshold;
    }
  }
  EXPECT_GE(near, 10);
  EXPECT_GE(below, 10);

  EXPECT_EQ(clusters_of(r), ref.components);

  // Every reported pair, with its exact similarity; and every pair at or above the threshold
  // among the first documents of each canonical text is reported.
  std::set<std::pair<std::uint32_t, std::uint32_t>> reported;
  for (const NearPair& p : r.pairs) {
    ASSERT_LT(p.a, p.b);
    EXPECT_NEAR(p.similarity, ref.jaccard[p.a][p.b], 1e-6) << p.a << " " << p.b;
    EXPECT_GE(ref.jaccard[p.a][p.b], kThreshold);
    reported.emplace(p.a, p.b);
  }
  std::set<std::pair<std::uint32_t, std::uint32_t>> expected;
  for (std::uint32_t a = 0; a < texts.size(); ++a) {
    bool first_a = true;
    for (std::uint32_t e = 0; e < a; ++e) first_a = first_a && ref.canonical[e] != ref.canonical[a];
    for (std::uint32_t b = a + 1; b < texts.size() && first_a; ++b) {
      bool first_b = true;
      for (std::uint32_t e = 0; e < b; ++e)
        first_b = first_b && ref.canonical[e] != ref.canonical[b];
      if (first_b && ref.jaccard[a][b] >= kThreshold) expected.emplace(a, b);
    }
  }
  EXPECT_EQ(reported, expected);
  EXPECT_EQ(r.stats.verified_pairs, expected.size());

  // A member's similarity is its exact Jaccard with the representative.
  for (std::uint32_t d = 0; d < texts.size(); ++d) {
    if (r.docs[d].cluster == kNoCluster) continue;
    const std::uint32_t rep = r.duplicate_of(d);
    const double j = d == rep || r.docs[d].exact ? 1.0 : ref.jaccard[d][rep];
    EXPECT_NEAR(r.docs[d].similarity, j, 1e-6) << d;
  }
}

TEST_P(DedupBruteForce, DefaultOptionsAreCloseToReference) {
  const auto texts = make_corpus(GetParam());
  TempDir dir;
  const std::string path = write_jsonl(dir, texts);
  const Reference ref = brute_force(texts);

  DedupOptions options;
  options.threads = 2;
  auto result = run_dedup(path, options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const DedupResult& r = *result;
  check_invariants(r, texts.size(), ref);

  for (const NearPair& p : r.pairs) {
    ASSERT_LT(p.a, p.b);
    EXPECT_GE(ref.jaccard[p.a][p.b], 0.7) << "estimated " << p.similarity;
  }
  int high = 0, together = 0;
  for (std::uint32_t a = 0; a < texts.size(); ++a) {
    for (std::uint32_t b = a + 1; b < texts.size(); ++b) {
      if (ref.jaccard[a][b] < 0.9) continue;
      ++high;
      together += r.docs[a].cluster != kNoCluster && r.docs[a].cluster == r.docs[b].cluster;
    }
  }
  ASSERT_GT(high, 10);
  EXPECT_GE(together, 0.9 * high) << together << " of " << high;
  // Exact duplicates are always found.
  for (std::uint32_t a = 0; a < texts.size(); ++a) {
    for (std::uint32_t b = a + 1; b < texts.size(); ++b) {
      if (ref.canonical[a] != ref.canonical[b]) continue;
      EXPECT_NE(r.docs[a].cluster, kNoCluster);
      EXPECT_EQ(r.docs[a].cluster, r.docs[b].cluster);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Corpora, DedupBruteForce, ::testing::Values(1u, 2u, 3u));

}  // namespace
}  // namespace doppel
