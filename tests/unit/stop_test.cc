// ReadOptions::stop: a job asked to stop fails with kCancelled, whether the flag was set before
// the call or while it read (here by the bad-input callback, which runs during the reading); a
// job not asked runs to its end.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "doppel/dedup.h"
#include "doppel/reuse.h"

namespace doppel {
namespace {

std::string write_corpus(bool with_bad_line) {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("doppel_stop_" + std::to_string(::getpid()) + "_" +
                                                std::to_string(with_bad_line) + ".jsonl");
  std::ofstream out(path, std::ios::binary);
  if (with_bad_line) out << "{not json\n";
  std::string passage;
  for (int w = 0; w < 60; ++w) passage += " shared" + std::to_string(w);
  for (int i = 0; i < 50; ++i) {
    out << "{\"id\":\"d" << i << "\",\"text\":\"own" << i << " words" << i << passage << " end" << i
        << "\"}\n";
  }
  return path.string();
}

TEST(Stop, ADedupAskedToStopFailsWithCancelled) {
  const std::vector<std::string> inputs = {write_corpus(false)};
  std::atomic<bool> stop{false};
  DedupOptions options;
  options.read.stop = &stop;
  auto run = dedup(inputs, options);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->corpus.stats.documents, 50u);

  stop = true;
  auto stopped = dedup(inputs, options);
  ASSERT_FALSE(stopped.ok());
  EXPECT_EQ(stopped.status().code(), StatusCode::kCancelled) << stopped.status().ToString();
}

TEST(Stop, AReuseStoppedWhileItReadsFailsWithCancelled) {
  const std::vector<std::string> inputs = {write_corpus(true)};
  std::atomic<bool> stop{false};
  ReuseOptions options;
  options.read.stop = &stop;
  auto run = reuse(inputs, options);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_FALSE(run->clusters.empty());

  // The callback runs during the reading: the flag is seen once the reading is done.
  auto stopped = reuse(inputs, options, [&](const ReadProblem&) { stop = true; });
  ASSERT_FALSE(stopped.ok());
  EXPECT_EQ(stopped.status().code(), StatusCode::kCancelled) << stopped.status().ToString();
}

}  // namespace
}  // namespace doppel
