#include "passages/passage_clusters.h"

#include <algorithm>
#include <bit>
#include <numeric>
#include <tuple>

namespace doppel {
namespace {

struct Claim {
  std::uint32_t begin = 0, end = 0, cluster = 0;
};

// Which cluster each stretch of each document belongs to: per document, disjoint claims ordered
// by begin; two claims of one cluster never touch (they are merged).
class Claims {
 public:
  explicit Claims(std::size_t docs) : by_doc_(docs) {}

  const std::vector<Claim>& of(std::uint32_t doc) const { return by_doc_[doc]; }

  // The cluster holding most words of [b, e) (ties: the lower number); kNoGroup if none.
  std::uint32_t owner(std::uint32_t doc, std::uint32_t b, std::uint32_t e) const {
    const auto& v = by_doc_[doc];
    auto it = first_after(v, b);
    if (it == v.end() || it->begin >= e) return kNoGroup;
    if (std::next(it) == v.end() || std::next(it)->begin >= e) return it->cluster;  // the usual
    tally_.clear();
    for (; it != v.end() && it->begin < e; ++it) {
      const std::uint32_t w = std::min(e, it->end) - std::max(b, it->begin);
      auto t = std::find_if(tally_.begin(), tally_.end(),
                            [&](const auto& x) { return x.first == it->cluster; });
      if (t == tally_.end()) {
        tally_.emplace_back(it->cluster, w);
      } else {
        t->second += w;
      }
    }
    std::uint32_t best = kNoGroup, best_words = 0;
    for (const auto& [cluster, words] : tally_) {
      if (words > best_words || (words == best_words && cluster < best)) {
        best = cluster;
        best_words = words;
      }
    }
    return best;
  }

  // Appends the claims' begins and ends that lie strictly inside (b, e).
  void boundaries(std::uint32_t doc, std::uint32_t b, std::uint32_t e,
                  std::vector<std::uint32_t>& out) const {
    const auto& v = by_doc_[doc];
    for (auto it = first_after(v, b); it != v.end() && it->begin < e; ++it) {
      if (it->begin > b) out.push_back(it->begin);
      if (it->end < e) out.push_back(it->end);
    }
  }

  // Gives cluster k the words of [b, e) that belong to none yet, in stretches of at least
  // min_words words or touching a claim of k.
  void claim(std::uint32_t doc, std::uint32_t b, std::uint32_t e, std::uint32_t k,
             std::uint32_t min_words) {
    auto& v = by_doc_[doc];
    std::uint32_t at = b;
    auto it = first_after(v, b);
    while (at < e) {
      if (it != v.end() && it->begin <= at) {  // [at, ..) is taken
        at = std::max(at, it->end);
        ++it;
        continue;
      }
      const std::uint32_t free_end = it == v.end() ? e : std::min(e, it->begin);
      const bool left = it != v.begin() && std::prev(it)->end == at && std::prev(it)->cluster == k;
      const bool right = it != v.end() && it->begin == free_end && it->cluster == k;
      if (left && right) {
        std::prev(it)->end = it->end;
        at = it->end;
        it = v.erase(it);
        continue;
      }
      if (left) {
        std::prev(it)->end = free_end;
      } else if (right) {
        it->begin = at;
      } else if (free_end - at >= min_words) {
        it = v.insert(it, Claim{at, free_end, k});
        ++it;
      }
      at = free_end;
    }
  }

  // Calls fn(claim) for each claim that overlaps [b, e), in order.
  template <typename Fn>
  void for_each_overlap(std::uint32_t doc, std::uint32_t b, std::uint32_t e, Fn fn) const {
    const auto& v = by_doc_[doc];
    for (auto it = first_after(v, b); it != v.end() && it->begin < e; ++it) fn(*it);
  }

  // Gives up cluster k's claims in doc.
  void release(std::uint32_t doc, std::uint32_t k) {
    std::erase_if(by_doc_[doc], [&](const Claim& c) { return c.cluster == k; });
  }

  void drop_if(const std::vector<bool>& dropped) {
    for (auto& v : by_doc_) {
      std::erase_if(v, [&](const Claim& c) { return dropped[c.cluster]; });
    }
  }

 private:
  // The first claim that ends after b.
  static std::vector<Claim>::const_iterator first_after(const std::vector<Claim>& v,
                                                        std::uint32_t b) {
    return std::upper_bound(v.begin(), v.end(), b,
                            [](std::uint32_t x, const Claim& c) { return x < c.end; });
  }
  static std::vector<Claim>::iterator first_after(std::vector<Claim>& v, std::uint32_t b) {
    return std::upper_bound(v.begin(), v.end(), b,
                            [](std::uint32_t x, const Claim& c) { return x < c.end; });
  }

  std::vector<std::vector<Claim>> by_doc_;
  mutable std::vector<std::pair<std::uint32_t, std::uint32_t>> tally_;  // owner()'s scratch
};

// Where boundary x of `from` (before its word x), inside [b, e) aligned to [tb, te) of `to`,
// falls in `to`. First by linear interpolation; then, inside the piece, moved by up to
// kSnapWords words to the place whose kSnapSide words on either side equal from's around x the
// most, word by word (ties: nearer the estimate, then earlier). Interpolation alone is off where
// words were inserted or deleted near the boundary: an occurrence ending before "more", aligned
// to a text with "even more", took in "even", a word no other document has.
constexpr std::uint32_t kSnapWords = 6, kSnapSide = 4;
std::uint32_t map_boundary(std::span<const std::uint32_t> from, std::span<const std::uint32_t> to,
                           std::uint32_t x, std::uint32_t b, std::uint32_t e, std::uint32_t tb,
                           std::uint32_t te) {
  const std::uint64_t num = std::uint64_t{x - b} * (te - tb);
  const std::uint64_t den = e - b;
  const std::uint32_t estimate = tb + static_cast<std::uint32_t>((2 * num + den) / (2 * den));
  if (x <= b || x >= e) return estimate;  // the piece's own ends map to the other's
  auto agreement = [&](std::uint32_t y) {
    std::uint32_t same = 0;
    for (std::uint32_t k = 1; k <= kSnapSide && k <= x && k <= y; ++k) {
      same += from[x - k] == to[y - k] ? 1 : 0;
    }
    for (std::uint32_t k = 0; k < kSnapSide && x + k < from.size() && y + k < to.size(); ++k) {
      same += from[x + k] == to[y + k] ? 1 : 0;
    }
    return same;
  };
  std::uint32_t best = estimate, most = agreement(estimate);
  for (std::uint32_t d = 1; d <= kSnapWords; ++d) {
    for (const std::int64_t y : {std::int64_t{estimate} - d, std::int64_t{estimate} + d}) {
      if (y <= std::int64_t{tb} || y >= std::int64_t{te}) continue;
      const std::uint32_t same = agreement(static_cast<std::uint32_t>(y));
      if (same > most) {
        most = same;
        best = static_cast<std::uint32_t>(y);
      }
    }
  }
  return best;
}

// A piece seen from its center, the document of lower rank: its words [begin, end) there and
// [other_begin, other_end) in the other document.
struct Link {
  std::uint32_t center = 0, other = 0;
  std::uint32_t begin = 0, end = 0, other_begin = 0, other_end = 0;
  // Where boundary x of the center (begin <= x <= end) falls in the other document, and back.
  std::uint32_t to_other(const WordTable& words, std::uint32_t x) const {
    return map_boundary(words.doc(center), words.doc(other), x, begin, end, other_begin, other_end);
  }
  std::uint32_t to_center(const WordTable& words, std::uint32_t y) const {
    return map_boundary(words.doc(other), words.doc(center), y, other_begin, other_end, begin, end);
  }
};

// Each cluster's center occurrence as the set of its word 3-grams, to check that a text joining
// the cluster is mostly the same text.
class CenterGrams {
 public:
  // The next cluster's center: words. Its 3-grams go to an open-addressing table of at least
  // twice as many slots (a power of two), 0 marking an empty one.
  void add(std::span<const std::uint32_t> words) {
    const std::size_t n = words.size() >= 3 ? words.size() - 2 : 0;
    const std::size_t slots = std::bit_ceil(std::max<std::size_t>(2 * n, 4));
    const std::size_t at = table_.size();
    table_.resize(at + slots, 0);
    std::uint64_t* t = table_.data() + at;
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint64_t g = gram(words, i);
      std::size_t s = g & (slots - 1);
      while (t[s] != 0 && t[s] != g) s = (s + 1) & (slots - 1);
      t[s] = g;
    }
    begin_.push_back(table_.size());
  }
  // The share of the distinct 3-grams of `words` that cluster k's center holds (1 for words too
  // few to have one).
  double share(std::uint32_t k, std::span<const std::uint32_t> words) {
    if (words.size() < 3) return 1.0;
    const std::size_t n = words.size() - 2;
    const std::uint64_t* t = table_.data() + begin_[k];
    const std::size_t mask = begin_[k + 1] - begin_[k] - 1;
    // This call's 3-grams seen so far, in a table whose slots are empty unless they carry the
    // current stamp: nothing is cleared between calls.
    const std::size_t slots = std::bit_ceil(2 * n);
    if (seen_.size() < slots) seen_.assign(slots, Seen{});
    if (++stamp_ == 0) {
      std::fill(seen_.begin(), seen_.end(), Seen{});
      stamp_ = 1;
    }
    std::size_t distinct = 0, found = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint64_t g = gram(words, i);
      std::size_t s = g & (slots - 1);
      while (seen_[s].stamp == stamp_ && seen_[s].gram != g) s = (s + 1) & (slots - 1);
      if (seen_[s].stamp == stamp_) continue;  // seen
      seen_[s] = Seen{g, stamp_};
      ++distinct;
      std::size_t c = g & mask;
      while (t[c] != 0 && t[c] != g) c = (c + 1) & mask;
      found += t[c] == g;
    }
    return static_cast<double>(found) / static_cast<double>(distinct);
  }
  // share() against `center` as if it were the next cluster's center, keeping nothing.
  double share_in(std::span<const std::uint32_t> center, std::span<const std::uint32_t> words) {
    const auto k = static_cast<std::uint32_t>(begin_.size() - 1);
    add(center);
    const double s = share(k, words);
    table_.resize(begin_[k]);
    begin_.pop_back();
    return s;
  }

 private:
  // Never 0, the mark of an empty slot.
  static std::uint64_t gram(std::span<const std::uint32_t> w, std::size_t i) {
    const std::uint64_t x = (std::uint64_t{w[i]} << 32 | w[i + 1]) * 0x9e3779b97f4a7c15ull;
    const std::uint64_t g = ((x ^ (x >> 29)) + std::uint64_t{w[i + 2]}) * 0xc2b2ae3d27d4eb4full;
    return (g ^ (g >> 32)) | 1;
  }
  struct Seen {
    std::uint64_t gram = 0;
    std::uint32_t stamp = 0;
  };
  std::vector<std::uint64_t> table_;
  std::vector<std::size_t> begin_{0};
  std::vector<Seen> seen_;
  std::uint32_t stamp_ = 0;
};

// A part of a link: center words [begin, end), other words [other_begin, other_end).
struct Part {
  std::uint32_t link = 0;
  std::uint32_t begin = 0, end = 0, other_begin = 0, other_end = 0;
};

struct Region {
  std::uint32_t begin = 0, end = 0;
};

// The passages of a center's text covered by `fresh` parts: cut where a part begins or ends, and
// the pieces joined where they touch and the documents aligned to them are alike (Jaccard
// similarity of the two sets at least 1/2): a document's text quoted in overlapping stretches
// by several others is one passage, its signature beside it, aligned to other documents,
// another. Only the documents of parts marked in `alike_other` (whose other text is alike the
// center's words they align) count in those sets: the others join no cluster, and a template
// line with other fillers, aligned inside a passage two documents share, cut it into three
// clusters. Where none of the documents aligned to a stretch counts, the stretch goes with the
// passage before it, and what follows is compared with the documents before it. `doc_count`
// (zero per document) is scratch, left zero.
void center_passages(const std::vector<Part>& parts, std::span<const std::uint32_t> fresh,
                     const std::vector<std::uint8_t>& alike_other, const std::vector<Link>& links,
                     std::vector<std::uint32_t>& doc_count, std::vector<Region>& regions) {
  struct Event {
    std::uint32_t at = 0;
    bool begins = false;
    bool counts = false;  // its document counts in the sets
    std::uint32_t doc = 0;
  };
  std::vector<Event> events;
  for (const std::uint32_t i : fresh) {
    const bool counts = alike_other[i] != 0;
    events.push_back(Event{parts[i].begin, true, counts, links[parts[i].link].other});
    events.push_back(Event{parts[i].end, false, counts, links[parts[i].link].other});
  }
  // At one place, beginnings first: a document whose part ends where another of its parts
  // begins stays.
  std::sort(events.begin(), events.end(), [](const Event& x, const Event& y) {
    return std::tie(x.at, y.begins, x.doc, x.counts) < std::tie(y.at, x.begins, y.doc, y.counts);
  });
  regions.clear();
  std::uint32_t cover = 0;  // parts over the current piece
  std::uint32_t docs = 0;   // distinct documents that count, aligned to the current piece
  std::vector<std::uint32_t> gone, came;  // documents that left or joined the set here
  std::vector<std::uint32_t> before;      // the set before a stretch where none counts, sorted
  for (std::size_t i = 0; i < events.size();) {
    const std::uint32_t at = events[i].at;
    const std::uint32_t was_covered = cover;
    gone.clear();
    came.clear();
    for (; i < events.size() && events[i].at == at; ++i) {
      const Event& e = events[i];
      cover += e.begins ? 1 : -1;
      if (!e.counts) continue;
      if (e.begins) {
        if (doc_count[e.doc]++ == 0) came.push_back(e.doc);
      } else if (--doc_count[e.doc] == 0) {
        gone.push_back(e.doc);
      }
    }
    const auto added = static_cast<std::uint32_t>(came.size());
    const auto removed = static_cast<std::uint32_t>(gone.size());
    const std::uint32_t now = docs - removed + added;
    bool cut = false;
    if (docs > 0 && now > 0) {
      cut = 2 * (docs - removed) < docs + added;
    } else if (docs > 0 && cover > 0) {  // none counts from here: remember the set
      before = gone;
      std::sort(before.begin(), before.end());
    } else if (docs == 0 && now > 0 && was_covered > 0 && !before.empty()) {
      std::sort(came.begin(), came.end());
      std::size_t common = 0;
      for (const std::uint32_t doc : came) {
        common += std::binary_search(before.begin(), before.end(), doc);
      }
      cut = 2 * common < before.size() + came.size() - common;
      before.clear();
    }
    if (was_covered > 0 && (cover == 0 || cut)) regions.back().end = at;
    if (cover > 0 && (was_covered == 0 || cut)) regions.push_back(Region{at, at});
    if (cover == 0) before.clear();
    docs = now;
  }
}

// A claim to make: requests are merged per (cluster, document) where they overlap or touch,
// and made in the order of their cluster, older clusters first.
struct Request {
  std::uint32_t cluster = 0, doc = 0, begin = 0, end = 0;
};

void make_claims(std::vector<Request>& requests, Claims& claims, std::uint32_t min_words) {
  std::sort(requests.begin(), requests.end(), [](const Request& x, const Request& y) {
    return std::tie(x.cluster, x.doc, x.begin, x.end) < std::tie(y.cluster, y.doc, y.begin, y.end);
  });
  for (std::size_t i = 0; i < requests.size();) {
    Request r = requests[i];
    std::size_t j = i + 1;
    while (j < requests.size() && requests[j].cluster == r.cluster && requests[j].doc == r.doc &&
           requests[j].begin <= r.end) {
      r.end = std::max(r.end, requests[j].end);
      ++j;
    }
    claims.claim(r.doc, r.begin, r.end, r.cluster, min_words);
    i = j;
  }
  requests.clear();
}

}  // namespace

PassageGroups group_passages(std::span<const AlignedPair> pairs, std::span<const Piece> pieces,
                             const WordTable& words, std::span<const std::uint32_t> rank,
                             const GroupOptions& options) {
  const std::uint32_t min_words = std::max<std::uint32_t>(1, options.min_words);
  // Every piece as a link from its center, grouped by center in rank order.
  std::vector<Link> links;
  for (const AlignedPair& p : pairs) {
    const bool a_first = rank[p.a] < rank[p.b] || (rank[p.a] == rank[p.b] && p.a < p.b);
    for (std::uint32_t k = p.first_piece; k < p.first_piece + p.pieces; ++k) {
      const Piece& q = pieces[k];
      links.push_back(a_first ? Link{p.a, p.b, q.a_begin, q.a_end, q.b_begin, q.b_end}
                              : Link{p.b, p.a, q.b_begin, q.b_end, q.a_begin, q.a_end});
    }
  }
  std::sort(links.begin(), links.end(), [&](const Link& x, const Link& y) {
    return std::tie(rank[x.center], x.center, x.begin, x.end, x.other, x.other_begin, x.other_end) <
           std::tie(rank[y.center], y.center, y.begin, y.end, y.other, y.other_begin, y.other_end);
  });

  Claims claims(rank.size());
  CenterGrams centers;
  // Whether words [b, e) of doc are mostly cluster k's center text.
  auto alike = [&](std::uint32_t k, std::uint32_t doc, std::uint32_t b, std::uint32_t e) {
    return centers.share(k, words.doc(doc).subspan(b, e - b)) >= options.min_trigrams;
  };
  std::uint32_t clusters = 0;
  std::vector<Part> parts;
  std::vector<std::uint32_t> cuts, other_cuts;
  std::vector<Request> requests;
  std::vector<std::uint32_t> fresh;       // parts whose center words belong to no cluster
  std::vector<std::uint8_t> alike_other;  // per part: its other text is alike its center words
  std::vector<std::uint32_t> doc_count(rank.size(), 0);
  std::vector<Region> regions;
  // Cluster k, just made from region r of center d, got no text of another document: the
  // texts aligned to r were taken by a cluster made from an earlier region of the center (the
  // center holds that passage twice), or are not alike r. k would be dropped and the copy left
  // in no cluster; instead r's parts aligned to text of such a cluster join it as in step 1
  // (where they would have, had the other document come first). Nothing else held k, so nothing
  // else changes.
  // fn(link, b, e, ob, oe) for each fresh part's words [b, e) inside r, aligned to [ob, oe) of
  // the other document (not empty).
  auto for_each_part_in = [&](const Region& r, auto&& fn) {
    for (const std::uint32_t i : fresh) {
      const Part& p = parts[i];
      const std::uint32_t b = std::max(p.begin, r.begin), e = std::min(p.end, r.end);
      if (b >= e) continue;
      const Link& link = links[p.link];
      const std::uint32_t ob = link.to_other(words, b), oe = link.to_other(words, e);
      if (ob < oe) fn(link, b, e, ob, oe);
    }
  };
  auto twice = [&](std::uint32_t d, const Region& r, std::uint32_t made_here, std::uint32_t k) {
    bool elsewhere = false;
    for_each_part_in(
        r, [&](const Link& link, std::uint32_t, std::uint32_t, std::uint32_t ob, std::uint32_t oe) {
          claims.for_each_overlap(link.other, ob, oe,
                                  [&](const Claim& c) { elsewhere |= c.cluster == k; });
        });
    if (elsewhere) return;
    for_each_part_in(r, [&](const Link& link, std::uint32_t b, std::uint32_t e, std::uint32_t ob,
                            std::uint32_t oe) {
      const std::uint32_t owner = claims.owner(link.other, ob, oe);
      if (owner != kNoGroup && owner >= made_here && owner < k && alike(owner, d, b, e)) {
        requests.push_back(Request{owner, d, b, e});
      }
    });
    if (requests.empty()) return;
    claims.release(d, k);
    make_claims(requests, claims, min_words);
  };
  for (std::size_t first = 0; first < links.size();) {
    const std::uint32_t d = links[first].center;
    std::size_t last = first;
    while (last < links.size() && links[last].center == d) ++last;
    // Each link cut where the center's or the other document's claims begin or end.
    parts.clear();
    for (std::size_t l = first; l < last; ++l) {
      const Link& link = links[l];
      cuts.assign({link.begin, link.end});
      claims.boundaries(d, link.begin, link.end, cuts);
      const std::size_t own = cuts.size();
      claims.boundaries(link.other, link.other_begin, link.other_end, cuts);
      for (std::size_t c = own; c < cuts.size(); ++c) cuts[c] = link.to_center(words, cuts[c]);
      std::sort(cuts.begin(), cuts.end());
      cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
      // The cuts in the other document, kept in order (two close cuts moved to their best
      // places could cross): a part never runs backwards.
      other_cuts.clear();
      for (const std::uint32_t c : cuts) {
        const std::uint32_t y = link.to_other(words, c);
        other_cuts.push_back(other_cuts.empty() ? y : std::max(y, other_cuts.back()));
      }
      for (std::size_t c = 0; c + 1 < cuts.size(); ++c) {
        parts.push_back(Part{static_cast<std::uint32_t>(l), cuts[c], cuts[c + 1], other_cuts[c],
                             other_cuts[c + 1]});
      }
    }
    auto other_owner = [&](const Part& p) {
      return p.other_begin < p.other_end
                 ? claims.owner(links[p.link].other, p.other_begin, p.other_end)
                 : kNoGroup;
    };
    // 1. Where only the other document's text belongs to a cluster, the center's joins it.
    for (const Part& p : parts) {
      const std::uint32_t k = other_owner(p);
      if (k != kNoGroup && claims.owner(d, p.begin, p.end) == kNoGroup &&
          alike(k, d, p.begin, p.end)) {
        requests.push_back(Request{k, d, p.begin, p.end});
      }
    }
    make_claims(requests, claims, min_words);
    // 2. Where the center's text belongs to a cluster, the other document's joins it.
    fresh.clear();
    for (std::uint32_t i = 0; i < parts.size(); ++i) {
      const Part& p = parts[i];
      const std::uint32_t k = claims.owner(d, p.begin, p.end);
      const std::uint32_t other = links[p.link].other;
      if (k == kNoGroup) {
        fresh.push_back(i);
      } else if (p.other_begin < p.other_end && alike(k, other, p.other_begin, p.other_end)) {
        requests.push_back(Request{k, other, p.other_begin, p.other_end});
      }
    }
    make_claims(requests, claims, min_words);
    // 3. The rest of the center's parts are new clusters: one per passage of the center.
    // Which parts count in the documents that cut the center's passages (center_passages): with
    // one other document aligned, none cuts, whichever count (the 3-grams are not hashed).
    const bool several = std::any_of(fresh.begin(), fresh.end(), [&](std::uint32_t i) {
      return links[parts[i].link].other != links[parts[fresh.front()].link].other;
    });
    alike_other.assign(parts.size(), several ? 0 : 1);
    for (const std::uint32_t i : fresh) {
      const Part& p = parts[i];
      if (!several || p.other_begin >= p.other_end) continue;
      const auto center_words = words.doc(d).subspan(p.begin, p.end - p.begin);
      const auto other_words =
          words.doc(links[p.link].other).subspan(p.other_begin, p.other_end - p.other_begin);
      alike_other[i] = std::equal(center_words.begin(), center_words.end(), other_words.begin(),
                                  other_words.end()) ||
                       centers.share_in(center_words, other_words) >= options.min_trigrams;
    }
    center_passages(parts, fresh, alike_other, links, doc_count, regions);
    const std::uint32_t made_here = clusters;  // the clusters made from this center's regions
    for (const Region& r : regions) {
      const std::uint32_t k = clusters;
      claims.claim(d, r.begin, r.end, k, min_words);
      if (claims.owner(d, r.begin, r.end) != k) continue;  // too short to be a center
      ++clusters;
      centers.add(words.doc(d).subspan(r.begin, r.end - r.begin));
      for_each_part_in(r, [&](const Link& link, std::uint32_t b, std::uint32_t e, std::uint32_t ob,
                              std::uint32_t oe) {
        // A copy of a stretch of the center holds only its 3-grams (the usual case, checked
        // without hashing them).
        const auto center_words = words.doc(d).subspan(b, e - b);
        const auto other_words = words.doc(link.other).subspan(ob, oe - ob);
        const bool copy = std::equal(center_words.begin(), center_words.end(), other_words.begin(),
                                     other_words.end());
        if (copy || alike(k, link.other, ob, oe))
          requests.push_back(Request{k, link.other, ob, oe});
      });
      make_claims(requests, claims, min_words);
      if (k > made_here) twice(d, r, made_here, k);
    }
    first = last;
  }

  // Clusters over two documents or more, numbered by their first occurrence.
  std::vector<std::uint32_t> docs_of(clusters, 0), last_doc(clusters, kNoGroup);
  for (std::uint32_t doc = 0; doc < rank.size(); ++doc) {
    for (const Claim& c : claims.of(doc)) {
      if (last_doc[c.cluster] != doc) {
        ++docs_of[c.cluster];
        last_doc[c.cluster] = doc;
      }
    }
  }
  std::vector<bool> dropped(clusters);
  for (std::uint32_t k = 0; k < clusters; ++k) dropped[k] = docs_of[k] < 2;
  claims.drop_if(dropped);
  std::vector<std::uint32_t> number(clusters, kNoGroup), count;
  for (std::uint32_t doc = 0; doc < rank.size(); ++doc) {
    for (const Claim& c : claims.of(doc)) {
      if (number[c.cluster] == kNoGroup) {
        number[c.cluster] = static_cast<std::uint32_t>(count.size());
        count.push_back(0);
      }
      ++count[number[c.cluster]];
    }
  }
  PassageGroups out;
  out.cluster_begin.assign(count.size() + 1, 0);
  for (std::size_t c = 0; c < count.size(); ++c) {
    out.cluster_begin[c + 1] = out.cluster_begin[c] + count[c];
  }
  out.occurrences.resize(out.cluster_begin.back());
  out.center.assign(count.size(), kNoGroup);
  std::vector<std::uint32_t> fill(out.cluster_begin.begin(), out.cluster_begin.end() - 1);
  for (std::uint32_t doc = 0; doc < rank.size(); ++doc) {
    for (const Claim& c : claims.of(doc)) {
      const std::uint32_t n = number[c.cluster];
      const std::uint32_t at = fill[n]++;
      out.occurrences[at] = WordRange{doc, c.begin, c.end};
      const std::uint32_t center = out.center[n];
      if (center == kNoGroup || rank[doc] < rank[out.occurrences[center].doc]) out.center[n] = at;
    }
  }
  // Each pair in the cluster that holds most of its words among those holding words of both
  // sides.
  out.pair_cluster.assign(pairs.size(), kNoGroup);
  struct Tally {
    std::uint32_t cluster = 0, a_words = 0, b_words = 0;
  };
  std::vector<Tally> tally;
  auto count_words = [&](std::uint32_t doc, std::uint32_t b, std::uint32_t e, bool side_a) {
    claims.for_each_overlap(doc, b, e, [&](const Claim& c) {
      const std::uint32_t w = std::min(e, c.end) - std::max(b, c.begin);
      auto it = std::find_if(tally.begin(), tally.end(),
                             [&](const Tally& t) { return t.cluster == number[c.cluster]; });
      if (it == tally.end()) it = tally.insert(tally.end(), Tally{number[c.cluster], 0, 0});
      (side_a ? it->a_words : it->b_words) += w;
    });
  };
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const AlignedPair& p = pairs[i];
    tally.clear();
    for (std::uint32_t k = p.first_piece; k < p.first_piece + p.pieces; ++k) {
      count_words(p.a, pieces[k].a_begin, pieces[k].a_end, true);
      count_words(p.b, pieces[k].b_begin, pieces[k].b_end, false);
    }
    std::uint32_t best = kNoGroup, best_words = 0;
    for (const Tally& t : tally) {
      const std::uint32_t w = t.a_words + t.b_words;
      if (t.a_words > 0 && t.b_words > 0 &&
          (w > best_words || (w == best_words && t.cluster < best))) {
        best = t.cluster;
        best_words = w;
      }
    }
    out.pair_cluster[i] = best;
  }
  return out;
}

}  // namespace doppel
