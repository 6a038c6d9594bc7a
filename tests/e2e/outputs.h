// Reading doppel's output files (docs/formats.md) into plain values for assertions, with
// simdjson's DOM API, and the reference Jaccard similarity the e2e tests check estimates against.
// Header-only: tests/CMakeLists.txt compiles the *_test.cc files and harness.cc.
#pragma once

#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "doppel/options.h"
#include "e2e/harness.h"
#include "text/normalize.h"

namespace doppel::test {

// Parses one JSON object; ADD_FAILURE (and false) when it is not one.
inline bool parse_object(simdjson::dom::parser& parser, const std::string& line,
                         simdjson::dom::object& out) {
  simdjson::dom::element root;
  if (auto error = parser.parse(line).get(root); error) {
    ADD_FAILURE() << "not JSON (" << simdjson::error_message(error) << "): " << line;
    return false;
  }
  if (root.get_object().get(out)) {
    ADD_FAILURE() << "not a JSON object: " << line;
    return false;
  }
  return true;
}

inline std::string get_string(simdjson::dom::object o, std::string_view key) {
  std::string_view s;
  return o.at_key(key).get_string().get(s) ? std::string() : std::string(s);
}
inline double get_number(simdjson::dom::object o, std::string_view key, double missing = -1) {
  double d;
  return o.at_key(key).get_double().get(d) ? missing : d;
}

struct Member {
  std::string id;
  double similarity = 0;
  bool exact = false;
  std::string date;
};

struct ClusterRow {
  std::int64_t cluster = -1;
  std::string kind;
  std::int64_t size = -1;
  std::string representative;
  std::vector<Member> members;
  const Member* member(const std::string& id) const {
    for (const auto& m : members) {
      if (m.id == id) return &m;
    }
    return nullptr;
  }
};

inline std::vector<ClusterRow> parse_clusters(const std::string& jsonl) {
  std::vector<ClusterRow> rows;
  simdjson::dom::parser parser;
  for (const std::string& line : split_lines(jsonl)) {
    simdjson::dom::object o;
    if (!parse_object(parser, line, o)) continue;
    ClusterRow row;
    row.cluster = static_cast<std::int64_t>(get_number(o, "cluster"));
    row.kind = get_string(o, "kind");
    row.size = static_cast<std::int64_t>(get_number(o, "size"));
    row.representative = get_string(o, "representative");
    simdjson::dom::array members;
    if (o.at_key("members").get_array().get(members)) {
      ADD_FAILURE() << "cluster without members: " << line;
      continue;
    }
    for (simdjson::dom::element e : members) {
      simdjson::dom::object m;
      if (e.get_object().get(m)) {
        ADD_FAILURE() << "member is not an object: " << line;
        continue;
      }
      Member mem;
      mem.id = get_string(m, "id");
      mem.similarity = get_number(m, "similarity");
      bool exact = false;
      if (m.at_key("exact").get_bool().get(exact)) ADD_FAILURE() << "no exact flag: " << line;
      mem.exact = exact;
      mem.date = get_string(m, "date");
      row.members.push_back(std::move(mem));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

// Clusters as sets of member ids, to compare structure whatever the order or numbering.
inline std::set<std::set<std::string>> cluster_sets(const std::vector<ClusterRow>& rows) {
  std::set<std::set<std::string>> sets;
  for (const auto& r : rows) {
    std::set<std::string> s;
    for (const auto& m : r.members) s.insert(m.id);
    sets.insert(std::move(s));
  }
  return sets;
}

// The cluster of each clustered document id.
inline std::map<std::string, std::int64_t> cluster_of(const std::vector<ClusterRow>& rows) {
  std::map<std::string, std::int64_t> of;
  for (const auto& r : rows) {
    for (const auto& m : r.members) of[m.id] = r.cluster;
  }
  return of;
}

struct PairRow {
  std::string a, b;
  double similarity = 0;
};

inline std::vector<PairRow> parse_pairs(const std::string& jsonl) {
  std::vector<PairRow> rows;
  simdjson::dom::parser parser;
  for (const std::string& line : split_lines(jsonl)) {
    simdjson::dom::object o;
    if (!parse_object(parser, line, o)) continue;
    rows.push_back(PairRow{get_string(o, "a"), get_string(o, "b"), get_number(o, "similarity")});
  }
  return rows;
}

struct RemovedRow {
  std::string id, reason;
  std::string duplicate_of;  // duplicates only
  double similarity = -1;
  std::int64_t cluster = -1;
  std::string file, message;  // bad input only
  std::int64_t line = 0;      // 0: absent
};

inline std::vector<RemovedRow> parse_removed(const std::string& jsonl) {
  std::vector<RemovedRow> rows;
  simdjson::dom::parser parser;
  for (const std::string& line : split_lines(jsonl)) {
    simdjson::dom::object o;
    if (!parse_object(parser, line, o)) continue;
    RemovedRow r;
    r.id = get_string(o, "id");
    r.reason = get_string(o, "reason");
    r.duplicate_of = get_string(o, "duplicate_of");
    r.similarity = get_number(o, "similarity");
    r.cluster = static_cast<std::int64_t>(get_number(o, "cluster"));
    r.file = get_string(o, "file");
    r.message = get_string(o, "message");
    r.line = static_cast<std::int64_t>(get_number(o, "line", 0));
    rows.push_back(std::move(r));
  }
  return rows;
}

inline const RemovedRow* find_removed(const std::vector<RemovedRow>& rows, const std::string& id) {
  for (const auto& r : rows) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

// A JSON document flattened to dotted keys: {"documents": {"read": 3}} -> "documents.read".
struct FlatJson {
  std::map<std::string, double> numbers;
  std::map<std::string, std::string> strings;
  std::set<std::string> keys;  // every key, objects included
  double num(const std::string& key) const {
    const auto it = numbers.find(key);
    if (it == numbers.end()) {
      ADD_FAILURE() << "no number \"" << key << "\"";
      return -1;
    }
    return it->second;
  }
};

inline void flatten(simdjson::dom::element e, const std::string& prefix, FlatJson& out) {
  simdjson::dom::object o;
  if (!e.get_object().get(o)) {
    for (auto field : o) {
      const std::string key =
          prefix.empty() ? std::string(field.key) : prefix + "." + std::string(field.key);
      out.keys.insert(key);
      flatten(field.value, key, out);
    }
    return;
  }
  double d;
  std::string_view s;
  if (!e.get_double().get(d)) {
    out.numbers[prefix] = d;
  } else if (!e.get_string().get(s)) {
    out.strings[prefix] = std::string(s);
  }
}

inline FlatJson parse_flat(const std::string& json) {
  FlatJson flat;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto error = parser.parse(json).get(root); error) {
    ADD_FAILURE() << "not JSON (" << simdjson::error_message(error) << "): " << json;
    return flat;
  }
  flatten(root, "", flat);
  return flat;
}

// One line of a deduplicated corpus: its string fields.
using CorpusRow = std::map<std::string, std::string>;

inline std::vector<CorpusRow> parse_corpus(const std::string& jsonl) {
  std::vector<CorpusRow> rows;
  simdjson::dom::parser parser;
  for (const std::string& line : split_lines(jsonl)) {
    simdjson::dom::object o;
    if (!parse_object(parser, line, o)) continue;
    CorpusRow row;
    for (auto field : o) {
      std::string_view s;
      if (!field.value.get_string().get(s)) {
        row[std::string(field.key)] = std::string(s);
      } else {
        row[std::string(field.key)] = simdjson::minify(field.value);
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

// The reference similarity: Jaccard of the sets of word n-grams (as strings) of doppel's
// normalized words; a text shorter than n words is one shingle of all of it, as in
// text/shingle.h.
inline std::unordered_set<std::string> word_shingles(std::string_view text, int n = 5,
                                                     const NormalizeOptions& options = {}) {
  NormalizedText norm;
  normalize(text, options, norm);
  std::unordered_set<std::string> set;
  const std::size_t words = norm.tokens.size();
  if (words == 0) return set;
  const std::size_t count = words < static_cast<std::size_t>(n) ? 1 : words - n + 1;
  const std::size_t len = std::min<std::size_t>(words, static_cast<std::size_t>(n));
  for (std::size_t i = 0; i < count; ++i) {
    std::string s;
    for (std::size_t k = 0; k < len; ++k) {
      if (k > 0) s.push_back(' ');
      s += norm.word(norm.tokens[i + k]);
    }
    set.insert(std::move(s));
  }
  return set;
}

inline double jaccard(const std::unordered_set<std::string>& a,
                      const std::unordered_set<std::string>& b) {
  if (a.empty() && b.empty()) return 0;
  const auto& small = a.size() <= b.size() ? a : b;
  const auto& large = a.size() <= b.size() ? b : a;
  std::size_t common = 0;
  for (const auto& s : small) common += large.count(s);
  return static_cast<double>(common) / static_cast<double>(a.size() + b.size() - common);
}

}  // namespace doppel::test
