#include "cli_common.h"

#include "corpus/corpus_source.h"
#include "corpus/dates.h"
#include "doppel/output.h"
#include "text/excerpt.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

namespace doppel::cli {
namespace {

namespace fs = std::filesystem;

// `path` made absolute, with its links and dot parts resolved as far as it exists (a relative
// path that does not exist yet would otherwise stay relative: "o" and "./o" must be equal).
fs::path resolved(const std::string& path, std::error_code& ec) {
  const fs::path absolute = fs::absolute(path, ec);
  return ec ? fs::path() : fs::weakly_canonical(absolute, ec);
}

Status check_outputs_are_not_inputs(const std::vector<std::string>& inputs,
                                    const std::vector<OutputFlag>& outputs) {
  if (std::count(inputs.begin(), inputs.end(), "-") > 1) {
    return Status::InvalidArgument("standard input (-) can be given only once");
  }
  struct Seen {
    fs::path path;
    const OutputFlag* flag;
    bool descriptor;  // named through one of doppel's descriptors (/dev/stdout)
  };
  std::vector<Seen> seen;  // the outputs checked so far
  for (const OutputFlag& output : outputs) {
    const auto& [flag, path] = output;
    // Several may be - (or /dev/stdout): one after another, through the descriptor.
    if (path->empty() || *path == "-") continue;
    const bool descriptor = named_descriptor(*path) >= 0;
    std::error_code ec;
    const fs::path out = resolved(*path, ec);
    if (ec) continue;  // opening it will say what is wrong
    // A device or a pipe is written directly (docs/cli.md): /dev/null may take several outputs.
    const fs::file_type type = fs::status(out, ec).type();
    const bool regular_or_new = ec || type == fs::file_type::regular ||
                                type == fs::file_type::not_found ||
                                type == fs::file_type::directory;
    // Outputs through a descriptor (/dev/stdout) follow one another in it, as those given as -;
    // one that is the file another output replaces would be lost.
    for (const auto& [other, other_flag, other_descriptor] : seen) {
      if (other == out && regular_or_new && !(descriptor && other_descriptor)) {
        return Status::InvalidArgument(
            fmt::format("{} {} and {} {} name the same file; give each output its own",
                        other_flag->first, *other_flag->second, flag, *path));
      }
    }
    seen.push_back(Seen{out, &output, descriptor});
    for (const auto& in : inputs) {
      if (in == "-") continue;
      const fs::path input = resolved(in, ec);
      if (ec) continue;
      if (out == input) {
        return Status::InvalidArgument(fmt::format(
            "{} {}: this file is also an input; writing it would destroy it", flag, *path));
      }
      if (fs::is_directory(input, ec)) {
        const auto mismatch = std::mismatch(input.begin(), input.end(), out.begin(), out.end());
        if (mismatch.first == input.end() ||
            (std::next(mismatch.first) == input.end() && mismatch.first->empty())) {
          return Status::InvalidArgument(fmt::format(
              "{} {}: this file is inside the input directory {} and would be read as input; "
              "write it elsewhere",
              flag, *path, in));
        }
      }
    }
  }
  return Status::Ok();
}

}  // namespace

bool any_on_standard_output(const std::vector<OutputFlag>& outputs) {
  return std::any_of(outputs.begin(), outputs.end(), [](const OutputFlag& output) {
    const std::string& path = *output.second;
    return path == "-" || (!path.empty() && named_descriptor(path) == STDOUT_FILENO);
  });
}

std::string human_bytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (bytes >= 1024 && u < 4) bytes /= 1024, ++u;
  return u == 0 ? fmt::format("{:.0f} {}", bytes, units[u])
                : fmt::format("{:.1f} {}", bytes, units[u]);
}

std::string thousands(std::uint64_t n) {
  const std::string digits = std::to_string(n);
  std::string s;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) s.push_back(',');
    s.push_back(digits[i]);
  }
  return s;
}

std::string percent(std::uint64_t part, std::uint64_t whole) {
  return whole == 0 ? "0%" : fmt::format("{:.0f}%", 100.0 * double(part) / double(whole));
}

Status prepare_options(Command command, const std::vector<OutputFlag>& outputs, bool rereads,
                       Settings& s) {
  auto parsed_normalize = parse_normalize(s.normalize);
  if (!parsed_normalize.ok()) return parsed_normalize.status();
  const NormalizeOptions normalize = *parsed_normalize;
  const bool progress = want_progress(s);
  ReadOptions read = s.read;
  read.keep_stdin = rereads;
  s.dedup.read = s.reuse.read = read;
  s.dedup.normalize = s.reuse.normalize = normalize;
  s.dedup.threads = s.reuse.threads = s.threads;
  s.dedup.progress = s.reuse.progress = progress;
  s.dedup.keep_pairs = !s.pairs.empty();
  switch (command) {
    case Command::kDedup:
      DOPPEL_RETURN_IF_ERROR(validate_options(s.dedup));
      break;
    case Command::kReuse:
      DOPPEL_RETURN_IF_ERROR(validate_options(s.reuse));
      break;
    case Command::kReport:
      DOPPEL_RETURN_IF_ERROR(validate_options(s.dedup));
      DOPPEL_RETURN_IF_ERROR(validate_options(s.reuse));
      DOPPEL_RETURN_IF_ERROR(validate_options(s.report));
      break;
    default: {
      // The index's matching options: those it shares with dedup and reuse come from their
      // fields (one flag each), the rest are its own.
      IndexOptions& x = s.index;
      x.normalize = normalize;
      x.shingle = s.dedup.shingle;
      x.sketch = s.dedup.sketch;
      x.lsh = s.dedup.lsh;
      x.seed_words = s.reuse.seed_words;
      x.min_words = s.reuse.min_words;
      x.min_similarity = s.reuse.min_similarity;
      x.band = s.reuse.band;
      x.max_unmatched = s.reuse.max_unmatched;
      x.max_gap = s.reuse.max_gap;
      x.all_pairs_docs = s.reuse.all_pairs_docs;
      s.index_read.read = read;
      s.index_read.progress = progress;
      s.index_read.threads = s.threads;
      DOPPEL_RETURN_IF_ERROR(validate_options(x));
      DOPPEL_RETURN_IF_ERROR(validate_options(s.index_read));
      break;
    }
  }
  return check_outputs_are_not_inputs(s.inputs, outputs);
}

bool want_progress(const Settings& s) {
  const bool tty = isatty(STDERR_FILENO) != 0;
  return !s.quiet && (s.progress == "always" || (s.progress == "auto" && tty));
}

ProblemCallback Warnings::callback() {
  return [this](const ReadProblem& p) {
    if (settings_.quiet) return;
    if (shown_ < settings_.max_warnings) {
      // On a terminal, first clear the progress bar's line.
      std::fprintf(stderr, "%sdoppel: warning: %s\n", progress_ ? "\r\033[K" : "",
                   printable(with_flag_names(p.message)).c_str());
      ++shown_;
    } else {
      ++hidden_;
    }
  };
}

void Warnings::print_hidden(bool run_failed) const {
  if (hidden_ == 0) return;
  if (run_failed) {
    std::fprintf(stderr, "doppel: warning: %d more problems not shown\n", hidden_);
  } else {
    std::fprintf(stderr, "doppel: warning: %d more problems not shown (all of them: %s)\n", hidden_,
                 where_all_);
  }
}

std::string document_accounting(const ReadStats& st, const ReadOptions& read) {
  std::string reasons;
  for (int k = 1; k < kReadStatusCount; ++k) {
    if (st.by_status[k] == 0) continue;
    reasons += fmt::format("{}{} {}", reasons.empty() ? "" : ", ", thousands(st.by_status[k]),
                           to_string(static_cast<ReadStatus>(k)));
  }
  std::string s = fmt::format("  bad input         {:>12}{}\n", thousands(st.bad()),
                              reasons.empty() ? "" : fmt::format("  ({})", reasons));
  if (st.file_problems > 0) {
    s += fmt::format("  damaged files     {:>12}\n", st.file_problems);
  }
  if (st.blank_lines > 0) {
    s += fmt::format("  blank lines       {:>12}  (not documents)\n", thousands(st.blank_lines));
  }
  if (st.synthesized_ids > 0 && read.require_ids) {
    // The index makes up no id: such a document is refused, named file:line in its answer only.
    s += fmt::format(
        "  without an id     {:>12}  (no \"{}\" field: refused, among the bad input above, and "
        "named file:line in the answers)\n",
        thousands(st.synthesized_ids), read.id_field);
  } else if (st.synthesized_ids > 0) {
    s += fmt::format("  ids synthesized   {:>12}  (no \"{}\" field: named file:line)\n",
                     thousands(st.synthesized_ids), read.id_field);
  }
  return s;
}

std::string summary_head(std::string_view job, const ReadStats& st, std::size_t files,
                         double seconds, int threads) {
  const double secs = seconds > 0 ? seconds : 1e-9;
  return fmt::format(
      "doppel {}: {} documents from {} file{} ({}) in {:.2f} s: {:.1f} MB/s, {} docs/s, {} "
      "thread{}\n",
      job, thousands(st.documents), files, files == 1 ? "" : "s",
      human_bytes(double(st.input_bytes)), secs, double(st.input_bytes) / secs / 1e6,
      thousands(static_cast<std::uint64_t>(double(st.documents) / secs)), threads,
      threads == 1 ? "" : "s");
}

std::string summary_ranks(int ranks, std::uint64_t bytes_sent, std::uint64_t documents) {
  return fmt::format("  ranks             {:>12}  ({} sent between them, {} per document)\n", ranks,
                     human_bytes(double(bytes_sent)),
                     documents > 0 ? human_bytes(double(bytes_sent) / double(documents)) : "-");
}

DateCounts count_dates(const Corpus& corpus) {
  DateCounts c;
  for (std::uint32_t d = 0; d < corpus.docs.size(); ++d) {
    const std::string_view date = corpus.date(d);
    if (date.empty()) continue;
    ++c.dated;
    if (!reads_as_date(date) && c.unread++ == 0) {
      c.example_date = printable_field(date);
      c.example_id = printable_field(corpus.id(d));
    }
  }
  return c;
}

std::string summary_dates(const DateCounts& counts, std::uint64_t readable, const ReadOptions& read,
                          std::string_view without_dates) {
  if (readable == 0) return "";
  if (counts.dated == 0) {
    return fmt::format(
        "  dates                     none  (no document has one: no field \"{}\" (--date-field) "
        "in JSON Lines, no first line \"date YYYY-MM-DD\" in text files; {})\n",
        read.date_field, without_dates);
  }
  if (counts.unread == 0) return "";
  // A date in a form doppel does not read ("03/01/2021", a Unix time) is ordered as text, which
  // can make it the earliest of all: said here, with one of them where one is known.
  const std::string example =
      counts.example_id.empty()
          ? std::string()
          : fmt::format(": \"{}\" of {}", counts.example_date, counts.example_id);
  return fmt::format(
      "  dates unread      {:>12}  (not a form doppel reads, ordered as text{}; docs/input.md, "
      "dates)\n",
      thousands(counts.unread), example);
}

std::string summary_dates(const Corpus& corpus, const ReadOptions& read,
                          std::string_view without_dates) {
  return summary_dates(count_dates(corpus), corpus.stats.ok(), read, without_dates);
}

std::string summary_long_words(std::uint64_t documents) {
  if (documents == 0) return "";
  return fmt::format(
      "  long words        {:>12}  documents of 12+ characters a word (encoded data, or a script "
      "written without spaces that doppel does not cut: passages there are whole runs of such "
      "words; docs/reuse.md, limits)\n",
      thousands(documents));
}

std::string summary_memory(std::uint64_t peak_rss_bytes, std::uint64_t documents) {
  return fmt::format("  peak memory       {:>12}  ({} per document)\n",
                     human_bytes(double(peak_rss_bytes)),
                     documents > 0 ? human_bytes(double(peak_rss_bytes) / double(documents)) : "-");
}

namespace {
// Whether E2 x y is a bidirectional control: U+200E-U+200F (the marks), U+202A-U+202E or
// U+2066-U+2069.
bool bidi_control(char x, char y) {
  const auto b1 = static_cast<unsigned char>(x), b2 = static_cast<unsigned char>(y);
  return (b1 == 0x80 && (b2 == 0x8E || b2 == 0x8F || (b2 >= 0xAA && b2 <= 0xAE))) ||
         (b1 == 0x81 && b2 >= 0xA6 && b2 <= 0xA9);
}

std::string escape_controls(std::string_view text, bool keep_lines) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    const bool line_end = text[i] == '\n' || (text[i] == '\r' && i + 1 < text.size() &&
                                              text[i + 1] == '\n');  // CRLF text stays as it is
    const bool layout = keep_lines && (text[i] == '\t' || line_end);
    if ((byte < 0x20 && !layout) || byte == 0x7f) {
      out += fmt::format("\\x{:02X}", byte);
    } else if (byte == 0xC2 && i + 1 < text.size() &&
               static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(text[i + 1]) <= 0x9F) {
      // U+0080-U+009F, the C1 controls (U+009B starts an escape sequence on some terminals).
      out += fmt::format("\\xC2\\x{:02X}", static_cast<unsigned char>(text[++i]));
    } else if (byte == 0xD8 && i + 1 < text.size() &&
               static_cast<unsigned char>(text[i + 1]) == 0x9C) {
      out += "\\u061C";  // the Arabic letter mark, a bidirectional control like those below
      ++i;
    } else if (byte == 0xE2 && i + 2 < text.size() && bidi_control(text[i + 1], text[i + 2])) {
      // The bidirectional marks, embeddings, overrides and isolates: raw, they reorder how the
      // rest of the line shows (an id could look like another).
      const unsigned code_point = 0x2000U |
                                  (static_cast<unsigned char>(text[i + 1]) & 0x3FU) << 6U |
                                  (static_cast<unsigned char>(text[i + 2]) & 0x3FU);
      out += fmt::format("\\u{:04X}", code_point);
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}
}  // namespace

std::string printable(std::string_view text) { return escape_controls(text, true); }
std::string printable_field(std::string_view text) { return escape_controls(text, false); }

std::uint64_t listing_read_bytes() {
  if (const char* env = std::getenv("DOPPEL_LISTING_READ_BYTES"); env != nullptr) {
    return std::strtoull(env, nullptr, 10);
  }
  return kListingReadBytes;
}

std::vector<std::string> listing_excerpts(const Corpus& corpus, std::size_t count,
                                          std::uint64_t stored_bytes,
                                          const std::function<Status(const TextVisitor&)>& read,
                                          std::string_view what) {
  // With its indent and quotes, an excerpt fills one line of 80 columns (of Latin text).
  constexpr std::size_t kExcerptChars = 74;
  if (!corpus.source || !corpus.source->can_read_again()) return {};
  const std::uint64_t budget = listing_read_bytes();
  if (stored_bytes > budget) {
    // A second reading of a large corpus for a listing would add much of the run's time again.
    std::fprintf(stderr,
                 "doppel: note: the %s are listed without their text: it would take reading %s "
                 "of the input again (a listing reads at most %s)\n",
                 std::string(what).c_str(), human_bytes(double(stored_bytes)).c_str(),
                 human_bytes(double(budget)).c_str());
    return {};
  }
  if (count == 0) return {};
  std::vector<std::string> excerpts(count);
  const Status s = read([&](std::size_t k, std::string_view text) {
    excerpts[k] = excerpt(text, kExcerptChars);
    return Status::Ok();
  });
  if (!s.ok()) {
    std::fprintf(stderr, "doppel: warning: the %s are listed without their text: %s\n",
                 std::string(what).c_str(), printable(s.ToString()).c_str());
    return {};
  }
  return excerpts;
}

int fail(const Status& s, std::string_view where) {
  std::string message;
  switch (s.code()) {
    case StatusCode::kCorruptInput:  // only --on-error=fail stops a run on bad input
      message = "bad input, stopped by --on-error=fail: " + s.message();
      break;
    default:
      message = s.ToString();
  }
  if (!where.empty()) message = fmt::format("{}: {}", where, message);
  std::fprintf(stderr, "doppel: error: %s\n", printable(with_flag_names(message)).c_str());
  return kExitError;
}

}  // namespace doppel::cli
