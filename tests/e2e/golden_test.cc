// Golden end-to-end tests on the example corpus (examples/README.md says what each item shows).
//
// The clusters and removed-documents files of `doppel dedup examples/news --keep earliest` are
// compared byte for byte with tests/golden/. A deliberate change of output (format, hashing,
// similarity rounding) regenerates them with
//
//   DOPPEL_UPDATE_GOLDEN=1 build/<dir>/tests/doppel_e2e_tests --gtest_filter='Golden*'
//
// which writes the files instead of comparing; review the diff of tests/golden/ before
// committing it. The structure the goldens encode is also asserted explicitly below, so that a
// regenerated golden cannot quietly bless a wrong answer.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "e2e/harness.h"
#include "e2e/outputs.h"

namespace doppel::test {
namespace {

bool update_golden() {
  const char* v = std::getenv("DOPPEL_UPDATE_GOLDEN");
  return v != nullptr && std::string(v) == "1";
}

std::string news_dir() { return source_dir() + "/examples/news"; }
std::string news_jsonl() { return source_dir() + "/examples/news.jsonl"; }
std::string golden(const std::string& name) { return source_dir() + "/tests/golden/" + name; }

void expect_golden(const std::string& name, const std::string& actual) {
  if (update_golden()) {
    write_file(golden(name), actual);
    std::printf("updated %s\n", golden(name).c_str());
    return;
  }
  EXPECT_EQ(read_file(golden(name)), actual)
      << "tests/golden/" << name << " differs; if the change is intended, regenerate with "
      << "DOPPEL_UPDATE_GOLDEN=1 and review the diff";
}

// One run of doppel on the examples with every output file.
struct NewsRun {
  RunResult run;
  std::string clusters, removed, output, stats;
};

NewsRun run_news(const std::string& input, std::vector<std::string> extra = {}) {
  const std::string dir = temp_dir();
  std::vector<std::string> args = {"dedup",     input,      "--clusters", dir + "/c",
                                   "--removed", dir + "/r", "--output",   dir + "/o",
                                   "--stats",   dir + "/s", "--keep",     "earliest"};
  args.insert(args.end(), extra.begin(), extra.end());
  NewsRun r;
  r.run = run_doppel(args);
  EXPECT_EQ(r.run.exit_code, 0) << r.run.err;
  r.clusters = read_file(dir + "/c");
  r.removed = read_file(dir + "/r");
  r.output = read_file(dir + "/o");
  r.stats = read_file(dir + "/s");
  return r;
}

std::set<std::string> ids(std::initializer_list<const char*> names) {
  std::set<std::string> s;
  for (const char* n : names) s.insert(n);
  return s;
}

TEST(Golden, NewsClustersAndRemovedMatchGoldenFiles) {
  const std::string dir = temp_dir();
  const RunResult r = run_doppel({"dedup", news_dir(), "--clusters", dir + "/clusters.jsonl",
                                  "--removed", dir + "/removed.jsonl", "--output",
                                  dir + "/out.jsonl", "--keep", "earliest", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "") << "-q prints nothing on standard error";
  expect_golden("news.clusters.jsonl", read_file(dir + "/clusters.jsonl"));
  expect_golden("news.removed.jsonl", read_file(dir + "/removed.jsonl"));
}

TEST(Golden, NewsBridgeCopiesAreOneExactCluster) {
  const NewsRun r = run_news(news_dir());
  const auto clusters = parse_clusters(r.clusters);
  const auto sets = cluster_sets(clusters);
  const auto bridge =
      ids({"01-harbour-bridge.txt", "02-bridge-reopens-repost.txt", "03-bridge-reopens-wire.txt"});
  ASSERT_TRUE(sets.count(bridge)) << r.clusters;
  for (const auto& c : clusters) {
    if (c.member("01-harbour-bridge.txt") == nullptr) continue;
    EXPECT_EQ(c.kind, "exact");
    EXPECT_EQ(c.size, 3);
    EXPECT_EQ(c.representative, "01-harbour-bridge.txt") << "earliest date: 2024-03-04";
    for (const auto& m : c.members) {
      EXPECT_TRUE(m.exact) << m.id;
      EXPECT_EQ(m.similarity, 1.0) << m.id;
    }
  }
}

TEST(Golden, NewsFerryRewriteIsANearCluster) {
  const NewsRun r = run_news(news_dir());
  const auto clusters = parse_clusters(r.clusters);
  ASSERT_TRUE(cluster_sets(clusters).count(
      ids({"04-ferry-timetable.txt", "05-ferry-timetable-update.txt"})))
      << r.clusters;
  for (const auto& c : clusters) {
    const Member* m = c.member("05-ferry-timetable-update.txt");
    if (m == nullptr) continue;
    EXPECT_EQ(c.kind, "near");
    EXPECT_EQ(c.representative, "04-ferry-timetable.txt");
    EXPECT_FALSE(m->exact);
    EXPECT_GE(m->similarity, 0.8);
    EXPECT_LT(m->similarity, 1.0);
  }
}

TEST(Golden, NewsHeavyRewriteClustersOnlyAtALowThreshold) {
  const auto at_default = cluster_of(parse_clusters(run_news(news_dir()).clusters));
  EXPECT_EQ(at_default.count("06-fish-market.txt"), 0u) << "J = 0.407 is below 0.8";
  EXPECT_EQ(at_default.count("07-fish-market-feature.txt"), 0u);

  // Exact verification: at J = 0.4 the signature estimate's standard error (~0.043 with 128
  // hashes) is too wide for a margin of 0.057 to hold under every hash function.
  const auto low = cluster_of(
      parse_clusters(run_news(news_dir(), {"--threshold", "0.35", "--verify", "exact"}).clusters));
  ASSERT_EQ(low.count("06-fish-market.txt"), 1u) << "J = 0.407 is above 0.35";
  ASSERT_EQ(low.count("07-fish-market-feature.txt"), 1u);
  EXPECT_EQ(low.at("06-fish-market.txt"), low.at("07-fish-market-feature.txt"));
}

TEST(Golden, NewsSharedBackgroundIsNotADuplicate) {
  const auto of = cluster_of(parse_clusters(run_news(news_dir()).clusters));
  for (const char* id :
       {"08-lighthouse-museum.txt", "09-dredging-contract.txt", "10-cruise-season.txt",
        "11-pilot-boat.txt", "12-sister-city-market.txt"}) {
    EXPECT_EQ(of.count(id), 0u) << id << " shares a passage, not the document";
  }
}

TEST(Golden, NewsListingNamesEveryClusteredDocument) {
  const NewsRun r = run_news(news_dir());
  const auto clusters = parse_clusters(r.clusters);
  ASSERT_FALSE(clusters.empty());
  for (const auto& c : clusters) {
    for (const auto& m : c.members) {
      EXPECT_NE(r.run.out.find(m.id), std::string::npos) << m.id << " not in:\n" << r.run.out;
    }
  }
  EXPECT_EQ(r.run.out.find("08-lighthouse-museum.txt"), std::string::npos)
      << "unclustered documents are not listed";
}

TEST(Golden, NewsKeptPlusRemovedIsRead) {
  const NewsRun r = run_news(news_dir());
  const FlatJson stats = parse_flat(r.stats);
  EXPECT_EQ(stats.num("documents.read"), 12);
  EXPECT_EQ(stats.num("documents.kept"), 9);
  EXPECT_EQ(stats.num("documents.removed"), 3);
  EXPECT_EQ(stats.num("documents.exact_duplicate"), 2);
  EXPECT_EQ(stats.num("documents.near_duplicate"), 1);
  const auto removed = parse_removed(r.removed);
  const auto corpus = parse_corpus(r.output);
  EXPECT_EQ(corpus.size() + removed.size(), 12u);
  EXPECT_EQ(static_cast<double>(corpus.size()), stats.num("documents.kept"));
  EXPECT_EQ(static_cast<double>(removed.size()), stats.num("documents.removed"));
}

TEST(Golden, NewsOutputCorpusHoldsExactlyTheKeptDocuments) {
  const NewsRun r = run_news(news_dir());
  std::set<std::string> removed;
  for (const auto& row : parse_removed(r.removed)) removed.insert(row.id);
  EXPECT_EQ(removed, ids({"02-bridge-reopens-repost.txt", "03-bridge-reopens-wire.txt",
                          "05-ferry-timetable-update.txt"}));

  std::set<std::string> kept;
  const auto lines = split_lines(r.output);
  const auto corpus = parse_corpus(r.output);
  ASSERT_EQ(lines.size(), corpus.size()) << "each line is one JSON object";
  for (const auto& row : corpus) {
    ASSERT_TRUE(row.count("id") && row.count("text") && row.count("date") && row.count("byline"))
        << "id, text, date and byline expected in every line";
    EXPECT_TRUE(kept.insert(row.at("id")).second) << "listed twice: " << row.at("id");
    EXPECT_EQ(removed.count(row.at("id")), 0u) << row.at("id");
    EXPECT_EQ(row.at("text").find("date 20"), std::string::npos)
        << "the header line is not text: " << row.at("id");
    EXPECT_EQ(row.at("date").size(), 10u) << row.at("date");
    // The body is the file after the header and the blank line.
    const std::string file = read_file(news_dir() + "/" + row.at("id"));
    const std::size_t body = file.find("\n\n");
    ASSERT_NE(body, std::string::npos);
    EXPECT_EQ(row.at("text"), file.substr(body + 2)) << row.at("id");
    EXPECT_NE(file.substr(0, body).find(row.at("date")), std::string::npos);
    EXPECT_NE(file.substr(0, body).find("By " + row.at("byline")), std::string::npos);
  }
  EXPECT_EQ(kept.size(), 9u);
  EXPECT_EQ(kept.size() + removed.size(), 12u);
  EXPECT_TRUE(kept.count("01-harbour-bridge.txt"));
  EXPECT_TRUE(kept.count("04-ferry-timetable.txt"));
}

// examples/news.jsonl holds the same items, with ids that lack the ".txt" of the file names.
TEST(Golden, NewsJsonLinesGivesTheSameClusters) {
  const NewsRun text = run_news(news_dir());
  const NewsRun jsonl = run_news(news_jsonl());
  auto strip = [](const std::vector<ClusterRow>& rows) {
    std::vector<std::pair<std::string, std::set<std::string>>> out;  // kind, members
    for (const auto& r : rows) {
      std::set<std::string> members;
      for (const auto& m : r.members) {
        std::string id = m.id;
        if (id.size() > 4 && id.compare(id.size() - 4, 4, ".txt") == 0) id.resize(id.size() - 4);
        members.insert(id + (m.exact ? " exact" : " near") +
                       (m.id == r.representative ? " rep" : ""));
      }
      out.emplace_back(r.kind, members);
    }
    return out;
  };
  const auto a = parse_clusters(text.clusters);
  const auto b = parse_clusters(jsonl.clusters);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(strip(a), strip(b));
  for (std::size_t c = 0; c < std::min(a.size(), b.size()); ++c) {
    ASSERT_EQ(a[c].members.size(), b[c].members.size());
    for (std::size_t m = 0; m < a[c].members.size(); ++m) {
      EXPECT_EQ(a[c].members[m].similarity, b[c].members[m].similarity) << a[c].members[m].id;
      EXPECT_EQ(a[c].members[m].date, b[c].members[m].date) << a[c].members[m].id;
    }
  }
  // JSON Lines output is the input lines verbatim.
  const auto input_lines = read_lines(news_jsonl());
  const auto out_lines = split_lines(jsonl.output);
  std::set<std::string> in(input_lines.begin(), input_lines.end());
  EXPECT_EQ(out_lines.size(), 9u);
  for (const auto& line : out_lines) EXPECT_TRUE(in.count(line)) << line;
}

}  // namespace
}  // namespace doppel::test
