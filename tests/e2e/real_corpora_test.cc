// doppel on the real corpora in ../shared/corpora, checked against the truth computed here:
// byte-identical texts must share a cluster, and every reported near duplicate must have a true
// Jaccard similarity (word 5-gram sets of doppel::normalize's words) close to the threshold.
// Skipped, visibly, when ../shared is absent.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "e2e/fixtures.h"
#include "e2e/harness.h"
#include "e2e/outputs.h"

namespace doppel::test {
namespace {

#define REQUIRE_SHARED()                                                                      \
  do {                                                                                        \
    if (shared_dir().empty()) {                                                               \
      GTEST_SKIP() << "../shared not found: " << source_dir() << "/../shared holds the real " \
                   << "corpora these tests read";                                             \
    }                                                                                         \
  } while (0)

std::string corpus_path(const std::string& name) { return shared_dir() + "/corpora/" + name; }

// Decompresses a .zst file with the zstd tool.
std::string zstd_cat(const std::string& path) {
  std::string bytes;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(("zstd -dc '" + path + "'").c_str(), "r"),
                                             pclose);
  if (!pipe) return bytes;
  char buf[1 << 16];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, pipe.get())) > 0;) bytes.append(buf, n);
  return bytes;
}

struct Doc {
  std::string id, text;
};

std::vector<Doc> read_corpus(const std::string& path) {
  std::vector<Doc> docs;
  simdjson::dom::parser parser;
  for (const std::string& line : split_lines(zstd_cat(path))) {
    simdjson::dom::object o;
    if (!parse_object(parser, line, o)) continue;
    docs.push_back(Doc{get_string(o, "id"), get_string(o, "text")});
  }
  return docs;
}

struct CorpusRun {
  RunResult run;
  std::vector<ClusterRow> clusters;
  std::vector<PairRow> pairs;
  std::vector<RemovedRow> removed;
  std::string clusters_bytes, removed_bytes;
  FlatJson stats;
};

CorpusRun dedup(const std::vector<std::string>& inputs,
                const std::vector<std::string>& extra = {}) {
  const std::string dir = temp_dir();
  std::vector<std::string> args = {"dedup"};
  args.insert(args.end(), inputs.begin(), inputs.end());
  for (const char* o : {"--clusters", "--pairs", "--removed", "--stats", "--output"}) {
    args.push_back(o);
    args.push_back(dir + "/" + (o + 2));
  }
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back("-q");
  CorpusRun r;
  r.run = run_doppel(args);
  EXPECT_EQ(r.run.exit_code, 0) << r.run.err;
  if (r.run.exit_code != 0) return r;
  r.clusters_bytes = read_file(dir + "/clusters");
  r.removed_bytes = read_file(dir + "/removed");
  r.clusters = parse_clusters(r.clusters_bytes);
  r.pairs = parse_pairs(read_file(dir + "/pairs"));
  r.removed = parse_removed(r.removed_bytes);
  r.stats = parse_flat(read_file(dir + "/stats"));
  return r;
}

void expect_accounted(const CorpusRun& r) {
  const double read = r.stats.num("documents.read");
  EXPECT_GT(read, 0);
  EXPECT_EQ(r.stats.num("documents.kept") + r.stats.num("documents.removed"), read);
  EXPECT_EQ(static_cast<double>(r.removed.size()), r.stats.num("documents.removed"));
}

// True Jaccard of documents by id, shingle sets computed once each.
class Truth {
 public:
  explicit Truth(const std::vector<Doc>& docs) {
    for (const auto& d : docs) text_[d.id] = &d.text;
  }
  double jaccard(const std::string& a, const std::string& b) {
    return doppel::test::jaccard(set(a), set(b));
  }
  const std::unordered_set<std::string>& set(const std::string& id) {
    auto it = sets_.find(id);
    if (it == sets_.end()) it = sets_.emplace(id, word_shingles(*text_.at(id))).first;
    return it->second;
  }

 private:
  std::unordered_map<std::string, const std::string*> text_;
  std::unordered_map<std::string, std::unordered_set<std::string>> sets_;
};

constexpr double kTrueFloor = 0.75;  // threshold 0.8 less two standard errors of the estimate

TEST(Reuters, IdenticalTextsShareACluster) {
  REQUIRE_SHARED();
  const std::string path = corpus_path("reuters21578.jsonl.zst");
  const std::vector<Doc> docs = read_corpus(path);
  ASSERT_GT(docs.size(), 19000u);
  const CorpusRun r = dedup({path});
  expect_accounted(r);
  EXPECT_EQ(r.stats.num("documents.read"), static_cast<double>(docs.size()));

  std::set<std::string> bad;  // bad input takes no part
  for (const auto& row : r.removed) {
    if (row.duplicate_of.empty()) bad.insert(row.id);
  }
  const auto of = cluster_of(r.clusters);
  std::map<std::string, std::vector<std::string>> by_text;
  for (const auto& d : docs) {
    if (!bad.count(d.id)) by_text[d.text].push_back(d.id);
  }
  int groups = 0, failures = 0;
  for (const auto& [text, ids] : by_text) {
    if (ids.size() < 2) continue;
    ++groups;
    const auto first = of.find(ids[0]);
    for (const auto& id : ids) {
      const auto it = of.find(id);
      const bool together = it != of.end() && first != of.end() && it->second == first->second;
      if (!together && ++failures <= 20) {
        ADD_FAILURE() << id << " has the same text as " << ids[0] << " but not its cluster";
      }
    }
  }
  std::printf(
      "reuters: %d groups of byte-identical texts, %d documents outside their group's "
      "cluster\n",
      groups, failures);
  EXPECT_GT(groups, 100);
  EXPECT_EQ(failures, 0);
  // Identical texts are exact duplicates of each other.
  for (const auto& c : r.clusters) {
    const Member* rep = c.member(c.representative);
    ASSERT_NE(rep, nullptr);
    EXPECT_TRUE(rep->exact);
    EXPECT_EQ(rep->similarity, 1);
  }
}

TEST(Reuters, ReportedPairsHaveTrueJaccardNearTheThreshold) {
  REQUIRE_SHARED();
  const std::string path = corpus_path("reuters21578.jsonl.zst");
  const std::vector<Doc> docs = read_corpus(path);
  const CorpusRun r = dedup({path});
  Truth truth(docs);
  ASSERT_GT(r.pairs.size(), 20u);
  double min_true = 1;
  int below = 0;
  for (const auto& p : r.pairs) {
    EXPECT_GE(p.similarity, 0.8 - 1e-4);
    const double j = truth.jaccard(p.a, p.b);
    min_true = std::min(min_true, j);
    if (j < kTrueFloor) {
      ++below;
      ADD_FAILURE() << "pair " << p.a << " / " << p.b << ": estimated " << p.similarity
                    << ", true Jaccard " << j;
    }
  }
  std::printf("reuters: %zu pairs checked, minimum true Jaccard %.4f, %d below %.2f\n",
              r.pairs.size(), min_true, below, kTrueFloor);
}

TEST(Reuters, ClusterMembersSimilarToTheRepresentativeAreTrulySimilar) {
  REQUIRE_SHARED();
  const std::string path = corpus_path("reuters21578.jsonl.zst");
  const std::vector<Doc> docs = read_corpus(path);
  const CorpusRun r = dedup({path});
  Truth truth(docs);
  int checked = 0, below = 0;
  double min_true = 1;
  for (const auto& c : r.clusters) {
    for (const auto& m : c.members) {
      if (m.id == c.representative || m.exact || m.similarity < 0.8) continue;
      ++checked;
      const double j = truth.jaccard(m.id, c.representative);
      min_true = std::min(min_true, j);
      if (j < kTrueFloor) {
        ++below;
        ADD_FAILURE() << "cluster " << c.cluster << ": " << m.id << " to representative "
                      << c.representative << ": estimated " << m.similarity << ", true Jaccard "
                      << j;
      }
    }
    // Members marked exact have the representative's normalized text.
    for (const auto& m : c.members) {
      if (m.exact && m.id != c.representative) {
        EXPECT_EQ(truth.set(m.id), truth.set(c.representative)) << m.id;
      }
    }
  }
  std::printf(
      "reuters: %d members at >= 0.8 to their representative, minimum true Jaccard "
      "%.4f, %d below %.2f\n",
      checked, min_true, below, kTrueFloor);
  EXPECT_GT(checked, 20);
}

TEST(Seeds, SharedPassagesAreNotDuplicates) {
  REQUIRE_SHARED();
  const std::string dir = corpus_path("seeds");
  const std::string out = temp_dir();
  const RunResult r = run_doppel({"dedup", dir, "--clusters", out + "/c", "--output", out + "/o",
                                  "--stats", out + "/s", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_file(out + "/c"), "") << "no two seeds are clustered at 0.8";
  const FlatJson stats = parse_flat(read_file(out + "/s"));
  EXPECT_EQ(stats.num("documents.read"), 5);
  EXPECT_EQ(stats.num("documents.kept"), 5);
}

TEST(Seeds, HeaderBecomesDateAndByline) {
  REQUIRE_SHARED();
  const std::string dir = corpus_path("seeds");
  const std::string out = temp_dir();
  const RunResult r = run_doppel({"dedup", dir, "--output", out + "/o", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto corpus = parse_corpus(read_file(out + "/o"));
  ASSERT_EQ(corpus.size(), 5u);
  for (const auto& row : corpus) {
    SCOPED_TRACE(row.at("id"));
    const std::string file = read_file(dir + "/" + row.at("id"));
    const std::string header = file.substr(0, file.find('\n'));
    // " date 2021-10-19 By Vugar Khalilov"
    const std::size_t at = header.find("date ");
    ASSERT_NE(at, std::string::npos) << header;
    const std::string date = header.substr(at + 5, 10);
    ASSERT_TRUE(row.count("date")) << "no date from header " << header;
    EXPECT_EQ(row.at("date"), date);
    if (const std::size_t by = header.find(" By "); by != std::string::npos) {
      ASSERT_TRUE(row.count("byline"));
      EXPECT_TRUE(contains(header, row.at("byline"))) << header;
    }
    const std::string& text = row.at("text");
    EXPECT_FALSE(contains(text, header)) << "the header line is not text";
    EXPECT_FALSE(text.starts_with(" ") || text.starts_with("\n")) << text.substr(0, 40);
    EXPECT_TRUE(file.ends_with(text)) << "the text is the rest of the file";
  }
}

TEST(Seeds, ThreadsAgree) {
  REQUIRE_SHARED();
  const std::string dir = corpus_path("seeds");
  const CorpusRun one = dedup({dir}, {"--threads", "1", "--threshold", "0.2"});
  const CorpusRun two = dedup({dir}, {"--threads", "2", "--threshold", "0.2"});
  EXPECT_EQ(one.clusters_bytes, two.clusters_bytes);
}

void check_runs_cleanly(const std::string& name) {
  const std::string path = corpus_path(name);
  const CorpusRun one = dedup({path}, {"--threads", "1"});
  const CorpusRun two = dedup({path}, {"--threads", "2"});
  expect_accounted(one);
  expect_accounted(two);
  EXPECT_EQ(one.stats.num("file_problems"), 0);
  EXPECT_EQ(one.clusters_bytes, two.clusters_bytes) << name << ": --threads 1 and 2 differ";
  EXPECT_EQ(one.removed_bytes, two.removed_bytes);
  EXPECT_FALSE(one.clusters.empty());
  for (const auto& c : one.clusters) {
    EXPECT_EQ(c.size, static_cast<std::int64_t>(c.members.size()));
    EXPECT_NE(c.member(c.representative), nullptr);
  }
  std::printf("%s: %.0f read, %.0f kept, %.0f exact and %.0f near duplicates, %.0f bad\n",
              name.c_str(), one.stats.num("documents.read"), one.stats.num("documents.kept"),
              one.stats.num("documents.exact_duplicate"), one.stats.num("documents.near_duplicate"),
              one.stats.num("documents.removed") - one.stats.num("documents.exact_duplicate") -
                  one.stats.num("documents.near_duplicate"));
}

TEST(Newsgroups, RunsCleanlyAndThreadsAgree) {
  REQUIRE_SHARED();
  check_runs_cleanly("20newsgroups.jsonl.zst");
}

TEST(Bbc, RunsCleanlyAndThreadsAgree) {
  REQUIRE_SHARED();
  check_runs_cleanly("bbc.jsonl.zst");
}

}  // namespace
}  // namespace doppel::test
