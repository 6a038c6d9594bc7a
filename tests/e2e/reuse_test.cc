// `doppel reuse` end to end: planted passages in generated text (offsets, clusters, sources,
// cleaned corpus, threads, boilerplate in many documents), the example corpus, and the user's
// seed articles against the hand-made truth in ../shared/eval (skipped without ../shared).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "e2e/fixtures.h"
#include "e2e/harness.h"
#include "e2e/outputs.h"

namespace doppel::test {
namespace {

struct Occ {
  std::string id, role;
  std::int64_t begin = 0, end = 0, byte_begin = 0, byte_end = 0;
};
struct PassageRow {
  std::string source;  // "" when null
  std::int64_t documents = 0;
  std::vector<Occ> members;
};

std::vector<PassageRow> parse_passages(const std::string& jsonl) {
  std::vector<PassageRow> rows;
  simdjson::dom::parser parser;
  for (const std::string& line : split_lines(jsonl)) {
    simdjson::dom::object o;
    if (!parse_object(parser, line, o)) continue;
    PassageRow row;
    std::string_view source;
    if (!o["source"].get_string().get(source)) row.source = std::string(source);
    row.documents = static_cast<std::int64_t>(get_number(o, "documents"));
    simdjson::dom::array members;
    EXPECT_FALSE(o["members"].get_array().get(members)) << line;
    for (simdjson::dom::element m : members) {
      simdjson::dom::object mo;
      if (m.get_object().get(mo)) continue;
      Occ occ;
      occ.id = get_string(mo, "id");
      std::string_view role;
      if (!mo["role"].get_string().get(role)) occ.role = std::string(role);
      occ.begin = static_cast<std::int64_t>(get_number(mo, "begin"));
      occ.end = static_cast<std::int64_t>(get_number(mo, "end"));
      occ.byte_begin = static_cast<std::int64_t>(get_number(mo, "byte_begin"));
      occ.byte_end = static_cast<std::int64_t>(get_number(mo, "byte_end"));
      row.members.push_back(occ);
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

// Code points of UTF-8 text before byte offset `byte`.
std::int64_t code_points_before(const std::string& text, std::int64_t byte) {
  std::int64_t n = 0;
  for (std::int64_t i = 0; i < byte && i < static_cast<std::int64_t>(text.size()); ++i) {
    n += (static_cast<unsigned char>(text[static_cast<std::size_t>(i)]) & 0xc0) != 0x80;
  }
  return n;
}

struct ReuseRun {
  RunResult run;
  std::string pairs, clusters, documents, output, stats;
};

ReuseRun run_reuse(const std::vector<std::string>& inputs,
                   const std::vector<std::string>& extra = {}) {
  const std::string dir = temp_dir();
  std::vector<std::string> args = {"reuse"};
  args.insert(args.end(), inputs.begin(), inputs.end());
  for (const char* o : {"--pairs", "--clusters", "--documents", "--output", "--stats"}) {
    args.push_back(o);
    args.push_back(dir + "/" + (o + 2));
  }
  args.insert(args.end(), extra.begin(), extra.end());
  ReuseRun r;
  r.run = run_doppel(args);
  if (r.run.exit_code != 0) return r;
  r.pairs = read_file(dir + "/pairs");
  r.clusters = read_file(dir + "/clusters");
  r.documents = read_file(dir + "/documents");
  r.output = read_file(dir + "/output");
  r.stats = read_file(dir + "/stats");
  return r;
}

// A passage of `words` words reused, lightly edited, in two later documents, among unrelated
// ones; some words carry accents so that code points and bytes differ.
struct Planted {
  std::string path;
  std::map<std::string, std::string> texts;
  std::string passage;
};

Planted plant(const std::string& dir) {
  Planted p;
  std::string passage = random_text(777, 60);
  // Accented words: two bytes per "é".
  for (std::size_t at = 0; (at = passage.find("ka", at)) != std::string::npos; at += 3) {
    passage.replace(at, 2, "k\xc3\xa9");
  }
  p.passage = passage;
  std::string edited = passage;  // light edits: case, punctuation, one word changed
  edited[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(edited[0])));
  edited.replace(edited.find(' '), 1, ", ");
  const std::size_t mid = edited.size() / 2;
  const std::size_t word = edited.find(' ', mid);
  edited.insert(word, " inserted");
  p.texts["src"] = random_text(1, 80) + " " + passage + " " + random_text(2, 50);
  p.texts["copy"] = random_text(3, 30) + " " + edited + " " + random_text(4, 90);
  p.texts["other"] = random_text(5, 40) + "\\n\\n" + passage + "\\n\\n" + random_text(6, 40);
  std::string corpus = jsonl_doc("src", p.texts["src"], "2020-01-01") + "\n" +
                       jsonl_doc("copy", p.texts["copy"], "2020-02-01") + "\n" +
                       jsonl_doc("other", p.texts["other"], "2020-03-01") + "\n";
  for (int i = 0; i < 20; ++i) {
    corpus += jsonl_doc("noise" + std::to_string(i), random_text(100 + i, 150)) + "\n";
  }
  // The JSON escapes "\n" decode to newlines: the texts as doppel sees them.
  for (auto& [id, text] : p.texts) {
    for (std::size_t at = 0; (at = text.find("\\n", at)) != std::string::npos;) {
      text.replace(at, 2, "\n");
    }
  }
  p.path = dir + "/planted.jsonl";
  write_file(p.path, corpus);
  return p;
}

TEST(Reuse, PlantedPassageIsOneClusterWithItsSourceAndExactOffsets) {
  const Planted p = plant(temp_dir());
  const ReuseRun r = run_reuse({p.path});
  ASSERT_EQ(r.run.exit_code, 0) << r.run.err;
  const auto passages = parse_passages(r.clusters);
  ASSERT_EQ(passages.size(), 1u) << r.clusters;
  const PassageRow& c = passages[0];
  EXPECT_EQ(c.documents, 3);
  EXPECT_EQ(c.source, "src");
  std::set<std::string> ids;
  for (const Occ& o : c.members) {
    ids.insert(o.id);
    EXPECT_EQ(o.role, o.id == "src" ? "source" : "reuse");
    const std::string& text = p.texts.at(o.id);
    // Byte and code point offsets name the same span.
    EXPECT_EQ(code_points_before(text, o.byte_begin), o.begin) << o.id;
    EXPECT_EQ(code_points_before(text, o.byte_end), o.end) << o.id;
    const std::string span = text.substr(static_cast<std::size_t>(o.byte_begin),
                                         static_cast<std::size_t>(o.byte_end - o.byte_begin));
    // The span is the passage, up to the edits and the final full stop.
    const std::string first_words = p.passage.substr(p.passage.find(' ') + 1, 20);
    EXPECT_NE(span.find(first_words), std::string::npos) << o.id << ": " << span;
    const std::string last_words = p.passage.substr(p.passage.size() - 21, 20);
    EXPECT_NE(span.find(last_words), std::string::npos) << o.id << ": " << span;
    EXPECT_LT(span.size(), p.passage.size() + 20) << o.id << ": " << span;
  }
  EXPECT_EQ(ids, (std::set<std::string>{"src", "copy", "other"}));
  // Every pair of the three documents is aligned, each pair once.
  EXPECT_EQ(split_lines(r.pairs).size(), 3u) << r.pairs;
}

// Dates in different zones and forms: the source is the earliest moment, not the smallest text.
// As text, "2021-10-01T09:30:00Z" (09:30 UTC) sorts first; "2021-10-01T10:00:00+02:00" is 08:00
// UTC and the RFC 2822 date 08:15 UTC.
TEST(Reuse, TheSourceIsTheEarliestMomentWhateverTheZone) {
  const std::string dir = temp_dir();
  const std::string passage = random_text(31, 50);
  const std::string corpus =
      jsonl_doc("utc", random_text(32, 30) + " " + passage, "2021-10-01T09:30:00Z") + "\n" +
      jsonl_doc("paris", passage + " " + random_text(33, 30), "2021-10-01T10:00:00+02:00") + "\n" +
      jsonl_doc("feed", random_text(34, 20) + " " + passage, "Fri, 01 Oct 2021 08:15:00 +0000") +
      "\n" + jsonl_doc("undated", passage + " " + random_text(35, 20)) + "\n";
  write_file(dir + "/zones.jsonl", corpus);
  const ReuseRun r = run_reuse({dir + "/zones.jsonl"});
  ASSERT_EQ(r.run.exit_code, 0) << r.run.err;
  const auto passages = parse_passages(r.clusters);
  ASSERT_EQ(passages.size(), 1u) << r.clusters;
  EXPECT_EQ(passages[0].source, "paris");
  // A document without a date may be older than the source: it has no role, not "reuse".
  for (const Occ& o : passages[0].members) {
    EXPECT_EQ(o.role, o.id == "paris" ? "source" : o.id == "undated" ? "" : "reuse") << o.id;
  }
  EXPECT_NE(r.clusters.find("\"date\":\"2021-10-01T10:00:00+02:00\""), std::string::npos)
      << "dates are written out as given: " << r.clusters;
}

// The summary counts documents of long "words" (encoded data, text written without spaces that
// doppel does not cut): a base64 one, not an English one, nor a duplicate id's document (bad
// input: it has no words at all), nor a Chinese one (each Han letter is a word), nor a Thai one
// (cut into dictionary words), and says when no document has a date.
TEST(Reuse, TheSummaryCountsTextWithoutSpacesAndSaysWhenNothingIsDated) {
  const std::string dir = temp_dir();
  const std::string english = "the quick brown fox jumps over the lazy dog again and again today";
  const std::string thai = "ประเทศไทยมีการเลือกตั้งทั่วไปในวันอาทิตย์ที่ผ่านมา";
  const std::string chinese =
      "\xe5\x8c\x97\xe4\xba\xac\xe5\xb8\x82\xe6\x94\xbf\xe5\xba\x9c\xe4\xbb\x8a"
      "\xe5\xa4\xa9\xe5\xae\xa3\xe5\xb8\x83\xe6\x96\xb0\xe7\x9a\x84\xe4\xba\xa4"
      "\xe9\x80\x9a\xe8\xa7\x84\xe5\x88\x92\xe5\xb0\x86\xe5\x9c\xa8\xe6\x98\x8e"
      "\xe5\xb9\xb4\xe5\xbc\x80\xe5\xa7\x8b\xe5\xae\x9e\xe6\x96\xbd\xe5\xb9\xb6"
      "\xe4\xb8\x94\xe8\xa6\x86\xe7\x9b\x96\xe5\x85\xa8\xe5\xb8\x82";
  write_file(dir + "/mix.jsonl", jsonl_doc("en", english) + "\n" + jsonl_doc("en", english) + "\n" +
                                     jsonl_doc("th", thai + " " + thai) + "\n" +
                                     jsonl_doc("b64",
                                               "TWFueSBoYW5kcyBtYWtlIGxpZ2h0IHdvcmsu "
                                               "SGVsbG8sIFdvcmxkISBUaGlzIGlzIGJhc2U2NA") +
                                     "\n" + jsonl_doc("zh", chinese + "\xef\xbc\x8c" + chinese) +
                                     "\n");
  const RunResult r = run_doppel({"reuse", dir + "/mix.jsonl", "--clusters", "/dev/null"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("long words                   1  documents"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("dates                     none"), std::string::npos) << r.err;
}

// The summary's reused share is one of characters, as each document's is: a Chinese passage
// (three bytes a character) shared beside English text of each document's own weighed three
// times as much in bytes.
TEST(Reuse, TheSummaryGivesTheReusedShareInCharacters) {
  const std::string dir = temp_dir();
  std::string chinese;  // 60 letters, U+4E00 onwards every 7th
  for (int k = 0; k < 60; ++k) {
    const int cp = 0x4e00 + 7 * k;
    chinese += static_cast<char>(0xe0 | (cp >> 12));
    chinese += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    chinese += static_cast<char>(0x80 | (cp & 0x3f));
  }
  write_file(dir + "/d.jsonl", jsonl_doc("a", chinese + " " + random_text(11, 80)) + "\n" +
                                   jsonl_doc("b", random_text(12, 80) + " " + chinese) + "\n");
  const RunResult r = run_doppel(
      {"reuse", dir + "/d.jsonl", "--documents", dir + "/docs.jsonl", "--stats", dir + "/s.json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::uint64_t reused = 0, chars = 0;
  for (const std::string& line : split_lines(read_file(dir + "/docs.jsonl"))) {
    simdjson::dom::parser parser;
    const simdjson::dom::element doc = parser.parse(line);
    reused += std::uint64_t(doc["reused_chars"]);
    chars += std::uint64_t(doc["chars"]);
  }
  ASSERT_GE(reused, 120u) << "the Chinese passage is found in both";
  const std::string stats = read_file(dir + "/s.json");
  simdjson::dom::parser parser;
  const simdjson::dom::element st = parser.parse(stats);
  const double byte_share = double(std::uint64_t(st["passages"]["reused_bytes"])) /
                            double(std::uint64_t(st["passages"]["text_bytes"]));
  const double char_share = double(reused) / double(chars);
  ASSERT_GT(byte_share - char_share, 0.1) << "the two differ here";
  EXPECT_NE(r.err.find(fmt::format("({:.0f}% of the characters compared)", 100 * char_share)),
            std::string::npos)
      << r.err;
}

// Dates in a form doppel does not read are ordered as text, which can make one the source of
// everything: the summary counts them and shows one (it said nothing).
TEST(Reuse, TheSummaryCountsDatesItCannotRead) {
  const std::string dir = temp_dir();
  const std::string text = random_text(7, 60);
  write_file(dir + "/d.jsonl", jsonl_doc("us", text, "03/01/2021") + "\n" +
                                   jsonl_doc("iso", text, "2020-12-01") + "\n" +
                                   jsonl_doc("epoch", text, "1640995200") + "\n" +
                                   jsonl_doc("none", text) + "\n");
  const RunResult r = run_doppel({"reuse", dir + "/d.jsonl", "--clusters", "/dev/null"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("dates unread                 2  (not a form doppel reads, ordered as "
                       "text: \"03/01/2021\" of us;"),
            std::string::npos)
      << r.err;
  const RunResult keep = run_doppel({"dedup", dir + "/d.jsonl", "--keep", "earliest"});
  ASSERT_EQ(keep.exit_code, 0) << keep.err;
  EXPECT_NE(keep.err.find("dates unread                 2"), std::string::npos) << keep.err;
  // Readable dates only: no line.
  write_file(dir + "/ok.jsonl", jsonl_doc("a", text, "2020-12-01") + "\n" +
                                    jsonl_doc("b", text, "Fri, 01 Oct 2021 08:00:00 +0000") + "\n");
  const RunResult ok = run_doppel({"reuse", dir + "/ok.jsonl", "--clusters", "/dev/null"});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(ok.err.find("dates"), std::string::npos) << ok.err;
}

// --new: a document that first published its shared text is not called "reused", and one with
// nothing left says so instead of an empty block.
TEST(Reuse, TheNewTextListingSaysWhoPublishedFirstAndWhenNothingIsNew) {
  const RunResult r = run_doppel({"reuse", source_dir() + "/examples/news", "--new"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string first, copy;
  for (const std::string& line : split_lines(r.out)) {
    if (line.starts_with("01-harbour-bridge.txt  (2024-03-04)")) first = line;
    if (line.starts_with("02-bridge-reopens-repost.txt  (2024-03-06)")) copy = line;
  }
  EXPECT_NE(first.find("shared, first published here"), std::string::npos) << r.out;
  EXPECT_NE(copy.find("reused"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("    (nothing new: all of its text is shared)"), std::string::npos) << r.out;
}

// Issue #15: a post X, a reply that quotes X and adds Y, and a reply to the reply that quotes the
// end of X and Y. Linking every overlapping stretch made one cluster of the three (the second
// reply's quote overlaps both passages of the first); they are two passages, X with the post as
// source and Y with the first reply as source, and the second reply's quote is split between
// them.
TEST(Reuse, AReplyToAReplyIsNotChainedToTheFirstPost) {
  const std::string dir = temp_dir();
  const std::string x_head = random_text(11, 40), x_tail = random_text(15, 20);
  const std::string y = random_text(12, 60);
  const std::string corpus =
      jsonl_doc("post", random_text(13, 30) + "\\n\\n" + x_head + " " + x_tail, "2020-01-01") +
      "\n" + jsonl_doc("reply", x_head + " " + x_tail + "\\n\\n" + y, "2020-01-02") + "\n" +
      jsonl_doc("reply2", x_tail + "\\n\\n" + y + "\\n\\n" + random_text(14, 30), "2020-01-03") +
      "\n";
  write_file(dir + "/thread.jsonl", corpus);
  const ReuseRun r = run_reuse({dir + "/thread.jsonl"});
  ASSERT_EQ(r.run.exit_code, 0) << r.run.err;
  const auto passages = parse_passages(r.clusters);
  ASSERT_EQ(passages.size(), 2u) << r.clusters;
  EXPECT_EQ(passages[0].source, "post");
  EXPECT_EQ(passages[0].documents, 3);
  EXPECT_EQ(passages[1].source, "reply");
  EXPECT_EQ(passages[1].documents, 2);
}

// Issue #15: an e-mail address and a message-id are one word each, so a quote-attribution line
// shared by two otherwise different posts (15 words as normalization splits it) is no passage.
TEST(Reuse, AQuoteAttributionLineIsNotAPassage) {
  const std::string dir = temp_dir();
  const std::string line =
      "In article <1993Apr5.091139.823@batman.bmd.trw.com> jbrown@batman.bmd.trw.com writes:";
  const std::string corpus = jsonl_doc("a", random_text(21, 40) + "\\n" + line) + "\n" +
                             jsonl_doc("b", line + "\\n" + random_text(22, 40)) + "\n";
  write_file(dir + "/posts.jsonl", corpus);
  const ReuseRun r = run_reuse({dir + "/posts.jsonl"});
  ASSERT_EQ(r.run.exit_code, 0) << r.run.err;
  EXPECT_EQ(r.pairs, "");
  EXPECT_EQ(r.clusters, "");
}

// Issue #15: the terminal listing puts the passage in most documents first and lists a few of
// its occurrences (the source first) with a count of the others, not all of them.
TEST(Reuse, ListingShowsTheLargestPassageFirstWithAFewOccurrences) {
  const std::string dir = temp_dir();
  const std::string small = random_text(31, 40), large = random_text(32, 40);
  std::string corpus;
  for (int i = 0; i < 3; ++i) {
    corpus += jsonl_doc("s" + std::to_string(i), random_text(40 + i, 20) + " " + small) + "\n";
  }
  for (int i = 0; i < 9; ++i) {
    corpus += jsonl_doc("l" + std::to_string(i), random_text(60 + i, 20) + " " + large,
                        "2020-01-0" + std::to_string(9 - i)) +
              "\n";
  }
  write_file(dir + "/two.jsonl", corpus);
  const RunResult r = run_doppel({"reuse", dir + "/two.jsonl"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::size_t large_at = r.out.find("9 documents · 9 occurrences · first in l8 (2020-01-01)");
  const std::size_t small_at = r.out.find("3 documents · 3 occurrences");
  ASSERT_NE(large_at, std::string::npos) << r.out;
  ASSERT_NE(small_at, std::string::npos) << r.out;
  EXPECT_LT(large_at, small_at) << r.out;
  const std::string block = r.out.substr(large_at, small_at - large_at);
  EXPECT_EQ(count_lines_with(block, {"  first  l8"}), 1) << block;
  EXPECT_EQ(count_lines_with(block, {"  reuse  l"}), 4) << block;
  EXPECT_NE(block.find("  ... and 4 more occurrences\n"), std::string::npos) << block;
}

// Of more documents than --show, the listing names the most reused, not the first in input
// order (which on a corpus were mostly "0% reused"); all of them are listed in input order.
TEST(Reuse, ListingNamesTheMostReusedDocumentsOfMany) {
  const std::string dir = temp_dir();
  const std::string passage = random_text(71, 40);
  auto plain_documents = [](const std::string& date) {  // six that share nothing
    std::string out;
    for (int i = 0; i < 6; ++i) {
      out += jsonl_doc("plain" + std::to_string(i), random_text(80 + i, 60), date) + "\n";
    }
    return out;
  };
  std::string corpus = plain_documents("");
  // The passage in 40 words of text around it (b), in 100 (c), in 10 (a): a is the most reused.
  corpus += jsonl_doc("c", random_text(91, 50) + " " + passage + " " + random_text(92, 50)) + "\n";
  corpus += jsonl_doc("b", random_text(93, 20) + " " + passage + " " + random_text(94, 20)) + "\n";
  corpus += jsonl_doc("a", random_text(95, 5) + " " + passage + " " + random_text(96, 5)) + "\n";
  write_file(dir + "/c.jsonl", corpus);
  const RunResult top = run_doppel({"reuse", dir + "/c.jsonl", "--show", "2"});
  ASSERT_EQ(top.exit_code, 0) << top.err;
  const std::size_t at = top.out.find("\nMost reused documents:\n  a  ");
  ASSERT_NE(at, std::string::npos) << top.out;
  EXPECT_NE(top.out.find("% reused\n  b  ", at), std::string::npos) << top.out;
  EXPECT_EQ(top.out.find("plain"), std::string::npos) << top.out;
  EXPECT_NE(top.out.find("... and 7 more documents, less reused or not at all"), std::string::npos)
      << top.out;
  const RunResult all = run_doppel({"reuse", dir + "/c.jsonl", "--show", "0"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  const std::size_t list = all.out.find("\nReused share of each document:\n  plain0  0% reused\n");
  ASSERT_NE(list, std::string::npos) << all.out;
  EXPECT_LT(all.out.find("  c  ", list), all.out.find("  a  ", list)) << all.out;
  EXPECT_EQ(all.out.find("more documents"), std::string::npos) << all.out;

  // Dated: a short document that is only the first publication of the passage is not reused,
  // however much of it the passage is; the copies are.
  std::string dated = plain_documents("2020-01-05");
  dated += jsonl_doc("release", random_text(97, 3) + " " + passage, "2020-01-01") + "\n";
  dated += jsonl_doc("copy1", random_text(98, 10) + " " + passage + " " + random_text(99, 10),
                     "2020-01-02") +
           "\n";
  dated += jsonl_doc("copy2", random_text(100, 60) + " " + passage, "2020-01-03") + "\n";
  write_file(dir + "/d.jsonl", dated);
  const RunResult d = run_doppel({"reuse", dir + "/d.jsonl", "--show", "3"});
  ASSERT_EQ(d.exit_code, 0) << d.err;
  const std::size_t most = d.out.find("\nMost reused documents:\n  copy1  ");
  ASSERT_NE(most, std::string::npos) << d.out;
  EXPECT_NE(d.out.find("% reused\n  copy2  ", most), std::string::npos) << d.out;
  EXPECT_EQ(d.out.find("  release  ", most), std::string::npos) << d.out;
  EXPECT_NE(d.out.find("... and 7 more documents, less reused or not at all"), std::string::npos)
      << d.out;
}

// The listing shows each passage's text, its start and its end on one line, read again from
// the input (the run keeps no text); standard input, read once, is listed without it.
TEST(Reuse, ListingShowsAnExcerptOfEachPassage) {
  const std::string dir = temp_dir();
  const std::string passage = random_text(33, 60);
  std::string corpus;
  for (int i = 0; i < 3; ++i) {
    corpus +=
        jsonl_doc("d" + std::to_string(i),
                  random_text(70 + i, 20) + "\\n\\n" + passage + "\\n" + random_text(80 + i, 20),
                  "2020-01-0" + std::to_string(3 - i)) +
        "\n";
  }
  write_file(dir + "/three.jsonl", corpus);
  const RunResult r = run_doppel({"reuse", dir + "/three.jsonl"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::size_t header = r.out.find("3 documents · 3 occurrences · first in d2");
  ASSERT_NE(header, std::string::npos) << r.out;
  const std::size_t line_begin = r.out.find('\n', header) + 1;
  const std::string line = r.out.substr(line_begin, r.out.find('\n', line_begin) - line_begin);
  // "  “<start of the passage> … <its end>”", cut at spaces.
  const std::string first_words = passage.substr(0, passage.find(' ', 20));
  // (The passage's last word, whether or not its span takes the full stop after it.)
  const std::string last_words =
      passage.substr(passage.rfind(' ', passage.size() - 12) + 1, std::string::npos);
  const std::string last_without_stop = last_words.substr(0, last_words.size() - 1);
  EXPECT_EQ(line.rfind("  \u201c" + first_words, 0), 0u) << line;
  EXPECT_NE(line.find(" \u2026 "), std::string::npos) << line;
  EXPECT_TRUE(line.ends_with(last_words + "\u201d") || line.ends_with(last_without_stop + "\u201d"))
      << line;
  EXPECT_EQ(r.err.find("warning"), std::string::npos) << r.err;

  const RunResult piped = run_doppel({"reuse", "-"}, corpus);
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_NE(piped.out.find("3 documents · 3 occurrences"), std::string::npos) << piped.out;
  EXPECT_EQ(piped.out.find("\u201c"), std::string::npos) << piped.out;
  EXPECT_EQ(piped.err.find("warning"), std::string::npos) << piped.err;
}

TEST(Reuse, CleanedCorpusKeepsEveryDocumentWithoutThePassage) {
  const Planted p = plant(temp_dir());
  const ReuseRun r = run_reuse({p.path});
  ASSERT_EQ(r.run.exit_code, 0) << r.run.err;
  const auto rows = parse_corpus(r.output);
  EXPECT_EQ(rows.size(), 23u) << "no document is dropped";
  const std::string probe = p.passage.substr(p.passage.find(' ') + 1, 30);
  for (const auto& row : rows) {
    const std::string& id = row.at("id");
    if (id == "src" || id == "copy" || id == "other") {
      EXPECT_EQ(row.at("text").find(probe), std::string::npos) << id << ": " << row.at("text");
      EXPECT_NE(row.at("removed"), "[]") << id;
    } else {
      EXPECT_EQ(row.at("removed"), "[]") << id;
    }
  }
  const ReuseRun keep = run_reuse({p.path}, {"--keep-source"});
  ASSERT_EQ(keep.run.exit_code, 0) << keep.run.err;
  for (const auto& row : parse_corpus(keep.output)) {
    if (row.at("id") == "src") {
      EXPECT_NE(row.at("text").find(probe), std::string::npos);
    } else if (row.at("id") == "copy") {
      EXPECT_EQ(row.at("text").find(probe), std::string::npos);
    }
  }
}

TEST(Reuse, UnrelatedDocumentsShareNoPassage) {
  const std::string path = temp_dir() + "/unrelated.jsonl";
  write_file(path, jsonl_corpus("u", 40, 200, 9));
  const ReuseRun r = run_reuse({path});
  ASSERT_EQ(r.run.exit_code, 0) << r.run.err;
  EXPECT_EQ(r.pairs, "");
  EXPECT_EQ(r.clusters, "");
  EXPECT_EQ(split_lines(r.documents).size(), 40u);
  const RunResult listing = run_doppel({"reuse", path});
  EXPECT_NE(listing.out.find("No reused passages found."), std::string::npos) << listing.out;
}

// A disclaimer in many documents: one cluster over all of them, and a number of aligned pairs
// linear in the documents, not quadratic.
TEST(Reuse, BoilerplateInManyDocumentsIsOneClusterWithLinearPairs) {
  const std::string disclaimer = random_text(4242, 40);
  std::string corpus;
  const int n = 120;
  for (int i = 0; i < n; ++i) {
    corpus += jsonl_doc("d" + std::to_string(i), random_text(500 + i, 80) + " " + disclaimer + " " +
                                                     random_text(900 + i, 30)) +
              "\n";
  }
  const std::string path = temp_dir() + "/boilerplate.jsonl";
  write_file(path, corpus);
  const ReuseRun r = run_reuse({path});
  ASSERT_EQ(r.run.exit_code, 0) << r.run.err;
  const auto passages = parse_passages(r.clusters);
  ASSERT_EQ(passages.size(), 1u);
  EXPECT_EQ(passages[0].documents, n);
  EXPECT_EQ(passages[0].source, "") << "no dates, no source";
  const std::size_t pairs = split_lines(r.pairs).size();
  EXPECT_GE(pairs, static_cast<std::size_t>(n - 1));
  EXPECT_LE(pairs, static_cast<std::size_t>(4 * n)) << "pairs grow linearly";
}

TEST(Reuse, APassageTwiceInTheEarliestOfManyDocumentsKeepsBothCopies) {
  // The earliest document holds the passage twice; ten later ones hold it once: more documents
  // than --all-pairs-docs, so each occurrence is linked to the earliest document's. Its second
  // copy was linked to nothing and left out.
  const std::string passage = random_text(4343, 40);
  std::string corpus = jsonl_doc("first",
                                 random_text(1, 30) + " " + passage + " " + random_text(2, 30) +
                                     " " + passage + " " + random_text(3, 20),
                                 "2020-01-01") +
                       "\n";
  for (int i = 0; i < 10; ++i) {
    corpus += jsonl_doc("later" + std::to_string(i),
                        random_text(600 + i, 25) + " " + passage + " " + random_text(700 + i, 25),
                        "2020-02-0" + std::to_string(i % 9 + 1)) +
              "\n";
  }
  const std::string path = temp_dir() + "/twice.jsonl";
  write_file(path, corpus);
  const ReuseRun r = run_reuse({path});
  ASSERT_EQ(r.run.exit_code, 0) << r.run.err;
  const auto passages = parse_passages(r.clusters);
  ASSERT_EQ(passages.size(), 1u) << r.clusters;
  EXPECT_EQ(passages[0].documents, 11);
  EXPECT_EQ(passages[0].source, "first");
  int in_first = 0;
  for (const Occ& o : passages[0].members) in_first += o.id == "first" ? 1 : 0;
  EXPECT_EQ(in_first, 2) << r.clusters;
}

// Text that both documents repeat many times (a notice pasted 50 times): each n-gram's places in a
// document past the first eight made no seeds, and only the first nine copies were found (18% of
// the documents reused).
TEST(Reuse, TextBothDocumentsRepeatManyTimesIsFoundWhole) {
  const std::string notice = random_text(77, 25);
  std::string repeated;
  for (int i = 0; i < 50; ++i) repeated += " " + notice;
  const std::string path = temp_dir() + "/repeated.jsonl";
  write_file(path, jsonl_doc("r1", "Alpha start one two." + repeated) + "\n" +
                       jsonl_doc("r2", "Beta start three four." + repeated + " Done.") + "\n");
  const ReuseRun r = run_reuse({path});
  ASSERT_EQ(r.run.exit_code, 0) << r.run.err;
  for (const std::string& line : split_lines(r.documents)) {
    const auto at = line.find("\"reused\":");
    ASSERT_NE(at, std::string::npos) << line;
    EXPECT_GT(std::stod(line.substr(at + 9)), 0.95) << line;
  }
  EXPECT_EQ(split_lines(r.documents).size(), 2u) << r.documents;
}

TEST(Reuse, APassageOfExactlySeedWordsIsFoundWhenMinWordsAllowsIt) {
  // --min-words equal to --seed-words: a passage of that many words is one seed, whose chain
  // was dropped as too short. One word fewer is no passage.
  const std::string path = temp_dir() + "/short.jsonl";
  write_file(path, jsonl_doc("a", "Zed alpha beta gamma delta epsilon end") + "\n" +
                       jsonl_doc("b", "Yak alpha beta gamma delta epsilon fin") + "\n" +
                       jsonl_doc("c", "Qua alpha beta gamma delta omega fin") + "\n");
  const ReuseRun r = run_reuse({path}, {"--min-words", "5", "--seed-words", "5"});
  ASSERT_EQ(r.run.exit_code, 0) << r.run.err;
  const auto pairs = split_lines(r.pairs);
  ASSERT_EQ(pairs.size(), 1u) << r.pairs;
  EXPECT_NE(pairs[0].find(R"("a":"a","b":"b")"), std::string::npos) << pairs[0];
  EXPECT_NE(pairs[0].find(R"("a_words":5)"), std::string::npos) << pairs[0];
}

TEST(Reuse, ThreadsGiveIdenticalOutputs) {
  const Planted p = plant(temp_dir());
  const std::string dir = temp_dir();
  std::string corpus = read_file(p.path);
  const std::string shared = random_text(31337, 50);
  for (int i = 0; i < 300; ++i) {
    corpus += jsonl_doc("t" + std::to_string(i), random_text(2000 + i, 60) +
                                                     (i % 7 == 0 ? " " + shared + " " : " ") +
                                                     random_text(3000 + i, 60)) +
              "\n";
  }
  const std::string path = dir + "/threads.jsonl";
  write_file(path, corpus);
  const ReuseRun one = run_reuse({path}, {"--threads", "1"});
  const ReuseRun two = run_reuse({path}, {"--threads", "2"});
  const ReuseRun three = run_reuse({path}, {"--threads", "3"});
  ASSERT_EQ(one.run.exit_code, 0) << one.run.err;
  EXPECT_FALSE(one.pairs.empty());
  for (const ReuseRun* r : {&two, &three}) {
    EXPECT_EQ(r->pairs, one.pairs);
    EXPECT_EQ(r->clusters, one.clusters);
    EXPECT_EQ(r->documents, one.documents);
    EXPECT_EQ(r->output, one.output);
  }
}

TEST(Reuse, BadInputIsCountedAndReported) {
  const std::string path = temp_dir() + "/bad.jsonl";
  write_file(path, jsonl_doc("a", random_text(1, 50)) + "\nnot json\n" +
                       jsonl_doc("a", random_text(2, 50)) + "\n{\"id\":\"e\",\"text\":\"\"}\n");
  const ReuseRun r = run_reuse({path});
  ASSERT_EQ(r.run.exit_code, 0) << r.run.err;
  const FlatJson stats = parse_flat(r.stats);
  EXPECT_EQ(stats.num("documents.read"), 4);
  EXPECT_EQ(stats.num("documents.compared"), 1);
  EXPECT_EQ(stats.num("documents.malformed_json"), 1);
  EXPECT_EQ(stats.num("documents.duplicate_id"), 1);
  EXPECT_EQ(stats.num("documents.empty_text"), 1);
  EXPECT_EQ(count_lines_with(r.run.err, {"doppel: warning: ", path + ":2", "malformed JSON"}), 1)
      << r.run.err;
  EXPECT_EQ(split_lines(r.output).size(), 1u) << "the compared document is written";
  const RunResult fail = run_doppel({"reuse", path, "--on-error", "fail", "-q"});
  EXPECT_EQ(fail.exit_code, 2);
}

TEST(Reuse, ExamplesShareTheirBackgroundParagraphs) {
  const ReuseRun r = run_reuse({source_dir() + "/examples/news"});
  ASSERT_EQ(r.run.exit_code, 0) << r.run.err;
  std::set<std::string> with_background;
  for (const PassageRow& c : parse_passages(r.clusters)) {
    for (const Occ& o : c.members) with_background.insert(o.id);
  }
  for (const char* id : {"08-lighthouse-museum.txt", "09-dredging-contract.txt",
                         "10-cruise-season.txt", "11-pilot-boat.txt"}) {
    EXPECT_EQ(with_background.count(id), 1u) << id << " shares background text:\n" << r.clusters;
  }
}

// The user's five articles against ../shared/eval/seeds-truth.json: character-level recall and
// precision of reused text, one cluster over all five, the article of 2021-10-01 as source.
TEST(Seeds, ReusedTextMatchesTheTruth) {
  if (shared_dir().empty()) {
    GTEST_SKIP() << "../shared not found: " << source_dir()
                 << "/../shared holds the seed articles and their truth";
  }
  const std::string seeds = shared_dir() + "/corpora/seeds";
  const ReuseRun r = run_reuse({seeds});
  ASSERT_EQ(r.run.exit_code, 0) << r.run.err;
  std::map<std::string, std::set<std::int64_t>> found, truth;
  for (const std::string& line : split_lines(r.documents)) {
    simdjson::dom::parser parser;
    simdjson::dom::object o;
    ASSERT_TRUE(parse_object(parser, line, o));
    auto& chars = found[get_string(o, "id")];
    simdjson::dom::array spans;
    ASSERT_FALSE(o["spans"].get_array().get(spans));
    for (simdjson::dom::element s : spans) {
      simdjson::dom::object so;
      ASSERT_FALSE(s.get_object().get(so));
      for (auto c = static_cast<std::int64_t>(get_number(so, "begin"));
           c < static_cast<std::int64_t>(get_number(so, "end")); ++c) {
        chars.insert(c);
      }
    }
  }
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_FALSE(parser.load(shared_dir() + "/eval/seeds-truth.json").get(root));
  simdjson::dom::array files;
  ASSERT_FALSE(root.get_array().get(files));
  for (simdjson::dom::element f : files) {
    simdjson::dom::object fo;
    ASSERT_FALSE(f.get_object().get(fo));
    auto& chars = truth[get_string(fo, "file")];
    simdjson::dom::array reused;
    ASSERT_FALSE(fo["reused"].get_array().get(reused));
    for (simdjson::dom::element s : reused) {
      simdjson::dom::object so;
      ASSERT_FALSE(s.get_object().get(so));
      for (auto c = static_cast<std::int64_t>(get_number(so, "char_begin"));
           c < static_cast<std::int64_t>(get_number(so, "char_end")); ++c) {
        chars.insert(c);
      }
    }
  }
  ASSERT_EQ(truth.size(), 5u);
  double tp = 0, fp = 0, fn = 0;
  for (const auto& [file, t] : truth) {
    const auto& f = found[file];
    for (const auto c : f) (t.count(c) ? tp : fp) += 1;
    for (const auto c : t) fn += f.count(c) == 0;
  }
  const double precision = tp / (tp + fp), recall = tp / (tp + fn);
  EXPECT_GE(precision, 0.97);
  EXPECT_GE(recall, 0.97);
  std::printf("seeds: character precision %.4f, recall %.4f\n", precision, recall);

  const auto passages = parse_passages(r.clusters);
  ASSERT_EQ(passages.size(), 1u) << "one background cluster:\n" << r.clusters;
  EXPECT_EQ(passages[0].documents, 5);
  EXPECT_EQ(passages[0].source, "002_927e29e1e04c218f.txt");
  for (const Occ& o : passages[0].members) {
    EXPECT_EQ(o.role, o.id == "002_927e29e1e04c218f.txt" ? "source" : "reuse") << o.id;
  }
}

}  // namespace
}  // namespace doppel::test
