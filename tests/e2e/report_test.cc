// `doppel report` end to end, without a browser (tests/browser/ opens the report in Chromium):
// the file holds the run's data and every document's exact text in JSON blocks, and nothing from
// the corpus can become markup or script.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <string>
#include <vector>

#include "doppel/report.h"
#include "e2e/harness.h"
#include "e2e/outputs.h"

namespace doppel::test {
namespace {

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// The content of <script type="application/json" id="ID">...</script>.
std::string json_block(const std::string& html, const std::string& id) {
  const std::string open = "<script type=\"application/json\" id=\"" + id + "\">";
  const std::size_t begin = html.find(open);
  if (begin == std::string::npos) return "";
  const std::size_t from = begin + open.size();
  return html.substr(from, html.find("</script>", from) - from);
}

// Every document's text as the report stores it ("" for null), block by block.
std::vector<std::string> texts(const std::string& html, std::vector<bool>* is_null = nullptr) {
  std::vector<std::string> out;
  simdjson::dom::parser parser;
  for (int k = 0;; ++k) {
    const std::string block = json_block(html, "doppel-text-" + std::to_string(k));
    if (block.empty()) break;
    simdjson::dom::array arr;
    EXPECT_FALSE(parser.parse(block).get_array().get(arr)) << "block " << k;
    for (simdjson::dom::element e : arr) {
      std::string_view s;
      const bool null = e.is_null();
      if (!null) {
        EXPECT_FALSE(e.get_string().get(s));
      }
      out.emplace_back(s);
      if (is_null) is_null->push_back(null);
    }
  }
  return out;
}

TEST(Report, TextFromTheCorpusNeverBecomesMarkup) {
  const std::string dir = temp_dir();
  const std::string shared =
      "the council said <script>alert(1)</script> that the harbour &amp; the bridge &lt;b&gt; "
      "would reopen </script><img src=x onerror=alert(2)> <!-- on Monday after repairs to the "
      "old stone pier were finished by the crews who worked all night long in the rain";
  const std::vector<std::string> text = {"First. " + shared + " One.",
                                         "Second. " + shared + " Two.",
                                         "Third \xF0\x9F\x98\x80 " + shared};
  std::string corpus;
  corpus += R"j({"id":"<img src=x onerror=alert(3)>","date":"</script><script>alert(4)","text":)j";
  corpus += "\"" + text[0] + "\"}\n";
  corpus += R"({"id":"b","text":")" + text[1] + "\"}\n";
  corpus += R"({"id":"c","text":")" + text[2] + "\"}\n";
  write_file(dir + "/in.jsonl", corpus);
  const RunResult r = run_doppel(
      {"report", dir + "/in.jsonl", "-o", dir + "/r.html", "--title", "</title><script>", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string html = read_file(dir + "/r.html");
  // The data block, one text block, the report's script: no other element can start.
  EXPECT_EQ(count(html, "<script"), 3u);
  EXPECT_EQ(count(html, "</script>"), 3u);
  EXPECT_EQ(count(html, "<img"), 0u);
  EXPECT_EQ(count(html, "<!--"), 0u);
  EXPECT_NE(html.find("<title>&lt;/title&gt;&lt;script&gt;</title>"), std::string::npos);
  // Only the report's own script and styles may apply: the policy names their hashes, not
  // 'unsafe-inline' (which would let any inline script or style in). The browser test runs the
  // report under this policy, and fails on the console error a refused script or style makes.
  EXPECT_NE(html.find("script-src 'sha256-"), std::string::npos);
  EXPECT_NE(html.find("style-src 'sha256-"), std::string::npos);
  EXPECT_EQ(html.find("'unsafe-inline'"), std::string::npos);
  EXPECT_EQ(texts(html), text);  // escaped in the file, exact once parsed

  simdjson::dom::parser parser;
  simdjson::dom::element data;
  ASSERT_FALSE(parser.parse(json_block(html, "doppel-data")).get(data));
  std::string_view id, date;
  ASSERT_FALSE(data["docs"]["id"].at(0).get_string().get(id));
  ASSERT_FALSE(data["docs"]["date"].at(0).get_string().get(date));
  EXPECT_EQ(id, "<img src=x onerror=alert(3)>");
  EXPECT_EQ(date, "</script><script>alert(4)");
  EXPECT_EQ(data["passages"].get_array().size(), 1u);
}

TEST(Report, HoldsWhatDedupAndReuseFindOnTheExampleCorpus) {
  const std::string dir = temp_dir();
  const std::string news = source_dir() + "/examples/news";
  const RunResult r =
      run_doppel({"report", news, "-o", dir + "/r.html", "--block-docs", "5", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const RunResult dd = run_doppel({"dedup", news, "--clusters", dir + "/dups.jsonl", "-q"});
  const RunResult ru = run_doppel({"reuse", news, "--clusters", dir + "/passages.jsonl", "-q"});
  ASSERT_EQ(dd.exit_code, 0) << dd.err;
  ASSERT_EQ(ru.exit_code, 0) << ru.err;
  const std::string html = read_file(dir + "/r.html");

  simdjson::dom::parser parser;
  simdjson::dom::element data;
  ASSERT_FALSE(parser.parse(json_block(html, "doppel-data")).get(data));
  std::uint64_t n = 0;
  ASSERT_FALSE(data["docs"]["n"].get_uint64().get(n));
  EXPECT_EQ(n, 12u);
  EXPECT_EQ(data["dups"].get_array().size(), read_lines(dir + "/dups.jsonl").size());
  EXPECT_EQ(data["passages"].get_array().size(), read_lines(dir + "/passages.jsonl").size());
  // Blocks of 5 documents: 12 documents in 3 blocks, each text the file's bytes.
  EXPECT_FALSE(json_block(html, "doppel-text-2").empty());
  EXPECT_TRUE(json_block(html, "doppel-text-3").empty());
  const std::vector<std::string> t = texts(html);
  ASSERT_EQ(t.size(), 12u);
  EXPECT_EQ(t[0], read_file(news + "/01-harbour-bridge.txt"));
}

TEST(Report, BadInputKeepsItsPlaceWithoutText) {
  const std::string dir = temp_dir();
  write_file(dir + "/in.jsonl",
             "{\"id\":\"a\",\"text\":\"one two three\"}\n{broken\n"
             "{\"id\":\"c\",\"text\":\"four five six\"}\n");
  const RunResult r = run_doppel({"report", dir + "/in.jsonl", "-o", dir + "/r.html", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<bool> is_null;
  const std::vector<std::string> t = texts(read_file(dir + "/r.html"), &is_null);
  EXPECT_EQ(t, (std::vector<std::string>{"one two three", "", "four five six"}));
  EXPECT_EQ(is_null, (std::vector<bool>{false, true, false}));
}

// Regression: blocks were cut by number of documents only, so two documents of 57 MiB made one
// block of 690M escaped characters, more than a browser can hold in a string: the report never
// opened. A block also ends where its text would pass text_block_bytes.
TEST(Report, TextBlocksEndAtTheirSizeInBytesToo) {
  const std::string dir = temp_dir();
  std::string lines;
  const std::vector<std::string> texts_in = {"aaa bbb ccc ddd", "eee fff", "ggg hhh iii jjj kkk",
                                             "lll", "mmm nnn ooo"};
  for (std::size_t i = 0; i < texts_in.size(); ++i) {
    lines += "{\"id\":\"d" + std::to_string(i) + "\",\"text\":\"" + texts_in[i] + "\"}\n";
  }
  write_file(dir + "/in.jsonl", lines);
  const std::vector<std::string> inputs = {dir + "/in.jsonl"};
  DedupOptions dedup;
  dedup.read.keep_stdin = true;
  ReuseOptions reuse;
  reuse.read = dedup.read;
  auto both = dedup_and_reuse(inputs, dedup, reuse);
  ASSERT_TRUE(both.ok()) << both.status().ToString();
  ReportOptions options;
  options.text_block_docs = 3;
  options.text_block_bytes = 22;  // d0 + d1 (15 + 7 bytes); d2 + d3 (19 + 3); d4 (11)
  StringOutput out;
  ASSERT_TRUE(write_html_report(both->dedup, both->reuse, options, out).ok());
  const std::string html = out.data();
  EXPECT_NE(html.find("\"text_blocks\":[0,2,4]"), std::string::npos)
      << json_block(html, "doppel-data");
  EXPECT_EQ(texts(html), texts_in);
  EXPECT_EQ(json_block(html, "doppel-text-1"), "[\"ggg hhh iii jjj kkk\",\"lll\"]");
  options.text_block_docs = 1;  // the count still ends blocks
  StringOutput one;
  ASSERT_TRUE(write_html_report(both->dedup, both->reuse, options, one).ok());
  EXPECT_NE(one.data().find("\"text_blocks\":[0,1,2,3,4]"), std::string::npos);
  options.text_block_bytes = 0;
  EXPECT_FALSE(validate_options(options).ok());
}

TEST(Report, RefusesBlocksOfNoDocuments) {
  const std::string html = temp_dir() + "/r.html";
  const RunResult r =
      run_doppel({"report", source_dir() + "/examples/news", "--block-docs", "0", "-o", html});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--block-docs"), std::string::npos) << r.err;
}

// The report is HTML: a JSON name is refused (HTML was written into out.jsonl), before any work.
TEST(Report, RefusesAJsonNameForItsHtml) {
  const std::string dir = temp_dir();
  for (const char* name : {"/out.jsonl", "/OUT.JSON", "/x.ndjson"}) {
    const RunResult r =
        run_doppel({"report", source_dir() + "/examples/news", "-o", dir + name, "-q"});
    EXPECT_EQ(r.exit_code, 2) << name;
    EXPECT_NE(r.err.find("the report is an HTML page"), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(dir + name)) << name;
  }
}

// Both runs' options are checked before either runs: a bad reuse option fails at once, with no
// report left behind (and no dedup warnings first).
TEST(Report, RefusesBadReuseOptionsBeforeWritingAnything) {
  const std::string html = temp_dir() + "/bad-min-words.html";
  const RunResult r =
      run_doppel({"report", source_dir() + "/examples/news", "--min-words", "1", "-o", html});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--min-words"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(html));
}

// Regression: the report read its input three times and refused standard input. It now reads it
// once (both jobs) and the texts from its copy: the report of "-" holds what the report of the
// file holds, but for the input's name.
TEST(Report, ReadsStandardInputOnce) {
  const std::string dir = temp_dir();
  std::string corpus;
  for (const auto& entry : std::filesystem::directory_iterator(source_dir() + "/examples/news")) {
    const std::string name = entry.path().filename().string();
    std::string text = read_file(entry.path().string());
    std::string escaped;
    for (const char c : text) {
      if (c == '"' || c == '\\') escaped += '\\';
      escaped += c == '\n' ? std::string("\\n") : std::string(1, c);
    }
    corpus += "{\"id\":\"" + name + "\",\"text\":\"" + escaped + "\"}\n";
  }
  write_file(dir + "/in.jsonl", corpus);
  const RunResult from_file =
      run_doppel({"report", dir + "/in.jsonl", "-o", dir + "/file.html", "-q"});
  ASSERT_EQ(from_file.exit_code, 0) << from_file.err;
  const RunResult from_stdin = run_doppel({"report", "-", "-o", dir + "/stdin.html", "-q"}, corpus);
  ASSERT_EQ(from_stdin.exit_code, 0) << from_stdin.err;
  std::string expected = read_file(dir + "/file.html");
  const std::string name = "\"" + dir + "/in.jsonl\"";
  ASSERT_NE(expected.find(name), std::string::npos);
  expected.replace(expected.find(name), name.size(), "\"\\u003cstdin\\u003e\"");
  EXPECT_EQ(read_file(dir + "/stdin.html"), expected);
  EXPECT_EQ(texts(expected).size(), 12u);
}

}  // namespace
}  // namespace doppel::test
