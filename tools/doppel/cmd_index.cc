// `doppel index add|query|remove|stats|export`: the persistent index (docs/index.md). Its flags
// are defined in flags.cc.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cli_common.h"
#include "commands.h"
#include "doppel/index.h"
#include "doppel/output.h"
#include "run_outputs.h"

namespace doppel::cli {
namespace {

Result<std::unique_ptr<Index>> open_index(Settings& s, Command command, const CLI::App& cmd,
                                          bool write) {
  IndexOpenOptions o;
  o.create_if_missing = command == Command::kIndexAdd;
  o.read_only = !write;
  o.sync = !s.no_sync;
  o.threads = s.threads;
  o.must_match = given_matching_options(command, cmd);
  auto index = Index::open(s.index_path, s.index, o);
  if (index.ok() && !s.quiet) {
    if (const std::string why = icu_version_warning((*index)->stats()); !why.empty()) {
      std::fprintf(stderr, "doppel: warning: %s: %s\n", printable(s.index_path).c_str(),
                   why.c_str());
    }
  }
  return index;
}

void print_summary(const IndexCallStats& st, const Index& index, bool add, int threads,
                   const IndexReadOptions& index_read) {
  const ReadOptions& read = index_read.read;
  const Corpus& c = st.corpus;
  std::string s = summary_head(add ? "index add" : "index query", c.stats, c.inputs.size(),
                               st.seconds, threads);
  auto count = [&](AnswerStatus a) { return st.by_status[static_cast<int>(a)]; };
  if (add) s += fmt::format("  added             {:>12}\n", thousands(st.added));
  s += fmt::format("  new               {:>12}\n", thousands(count(AnswerStatus::kNew)));
  s += fmt::format("  exact duplicates  {:>12}\n", thousands(count(AnswerStatus::kExactDuplicate)));
  s += fmt::format("  near duplicates   {:>12}\n", thousands(count(AnswerStatus::kNearDuplicate)));
  s += fmt::format("  ids in the index  {:>12}  (answered duplicate_id, not {})\n",
                   thousands(count(AnswerStatus::kDuplicateId)), add ? "added" : "compared");
  ReadOptions as_read = read;
  as_read.require_ids = add;  // as the index reads an add's input
  s += document_accounting(c.stats, as_read);
  if (index_read.find_passages) {
    s += fmt::format("  passages          {:>12}  ({} earlier documents aligned, {} sharing one)\n",
                     thousands(st.passages), thousands(st.passage_candidates),
                     thousands(st.holders));
  } else {
    s += "  passages          not looked for (--skip-passages)\n";
  }
  s += fmt::format("  near candidates   {:>12}\n", thousands(st.near_candidates));
  // Without --skip-passages, this call's passages have no source; with it, an add's documents
  // cannot be named the source of passages later documents find in them (a query's are not kept).
  s += summary_dates(c, read,
                     index_read.find_passages ? "passages have no source"
                     : add ? "passages found in them later cannot name them as the source"
                           : "passages were not looked for");
  // A query commits and publishes nothing: those steps are left out, not printed as 0.
  const std::string writes =
      add ? fmt::format(", commit {:.3f}, publish {:.3f}", st.commit_seconds, st.publish_seconds)
          : std::string();
  s += fmt::format(
      "  seconds           read+sketch {:.3f}, look-up {:.3f}, compare {:.3f}{}; {} "
      "batch{}\n",
      st.read_seconds, st.lookup_seconds, st.compare_seconds, writes, st.batches,
      st.batches == 1 ? "" : "es");
  const IndexStats is = index.stats();
  s += fmt::format(
      "  index             {:>12}  documents, {} on disk ({} per document)\n",
      thousands(is.documents), human_bytes(double(is.disk_bytes)),
      is.documents > 0 ? human_bytes(double(is.disk_bytes) / double(is.documents)) : "-");
  s += summary_memory(st.peak_rss_bytes, c.stats.documents);
  std::fputs(s.c_str(), stderr);
}

// An index inside a directory it reads would read its own files (RocksDB tables, the data log)
// as documents. Directories walked skip hidden entries, so an index named ".idx" is safe there.
Status check_index_outside_inputs(const Settings& s) {
  namespace fs = std::filesystem;
  std::error_code error;
  const fs::path index = fs::weakly_canonical(fs::absolute(s.index_path), error);
  for (const std::string& input : s.inputs) {
    if (input == "-" || !fs::is_directory(input, error)) continue;
    const fs::path dir = fs::weakly_canonical(fs::absolute(input), error);
    const fs::path rel = index.lexically_relative(dir);
    if (rel.empty() || *rel.begin() == "..") continue;
    bool hidden = false;  // "." (the input directory itself) is not hidden
    for (const fs::path& part : rel) {
      hidden |= part.string().starts_with('.') && part != "." && part != "..";
    }
    if (hidden) continue;
    return Status::InvalidArgument(fmt::format(
        "the index {} is inside the input directory {}: its own files would be read as documents; "
        "put it elsewhere, or give it a name starting with a dot (hidden entries are skipped)",
        s.index_path, input));
  }
  return Status::Ok();
}

// An output written into the index's directory would replace one of its files (the data log, a
// table), and the index would no longer open: refused before anything runs, as an output that is
// also an input is. Compared by path, links resolved (a dangling link by the file it names, which
// the output would make). Descriptors (-, /dev/stdout) are written in place. (A hard link to one
// of the index's files is safe: the output is renamed over the link's name, not written into it.)
Status check_outputs_outside_index(const Settings& s, const std::vector<OutputFlag>& outputs) {
  namespace fs = std::filesystem;
  std::error_code error;
  const fs::path index = fs::weakly_canonical(fs::absolute(s.index_path), error);
  if (error) return Status::Ok();  // the index cannot be opened either: that error says why
  for (const auto& [flag, path] : outputs) {
    if (path->empty() || *path == "-" || named_descriptor(*path) >= 0) continue;
    fs::path named = fs::absolute(*path);
    for (int links = 0; links < 40 && fs::is_symlink(named, error); ++links) {
      const fs::path target = fs::read_symlink(named, error);
      if (error) break;
      named = target.is_absolute() ? target : named.parent_path() / target;
    }
    const fs::path out = fs::weakly_canonical(named, error);
    if (error) continue;
    const fs::path rel = out.lexically_relative(index);
    if (!rel.empty() && *rel.begin() != "..") {
      return Status::InvalidArgument(fmt::format(
          "{} {} is inside the index {}: writing it would damage the index; write it elsewhere",
          flag, *path, s.index_path));
    }
  }
  return Status::Ok();
}

// Where the JSON Lines go when only --listing is asked for.
class DiscardOutput final : public OutputStream {
 public:
  Status write(std::string_view /*bytes*/) override { return Status::Ok(); }
  Status flush() override { return Status::Ok(); }
};

// An answer for a person (--listing): the id and what it is, then a line per passage with the
// earliest source and a few other holders, and a line with an excerpt of the passage's text.
std::string answer_listing(const Answer& a) {
  constexpr std::size_t kListedNear = 3, kListedHolders = 3;
  // Ids and dates come from the input: each as one field (a newline in one is \x0A).
  const auto f = [](std::string_view field) { return printable_field(field); };
  std::string s = f(a.id) + "  ";
  switch (a.status) {
    case AnswerStatus::kNew:
      s += "new";
      break;
    case AnswerStatus::kExactDuplicate:
      s += "exact duplicate of " + f(a.duplicate_of);
      break;
    case AnswerStatus::kNearDuplicate: {
      s += "near duplicate of ";
      for (std::size_t k = 0; k < a.near.size() && k < kListedNear; ++k) {
        s += fmt::format("{}{} ({:.2f})", k > 0 ? ", " : "", f(a.near[k].id), a.near[k].similarity);
      }
      if (a.near.size() > kListedNear) {
        s += fmt::format(" and {} more", a.near.size() - kListedNear);
      }
      break;
    }
    case AnswerStatus::kDuplicateId:
      return s + "not compared: " + f(a.message) + "\n";  // it quotes the id
    case AnswerStatus::kBadInput:
      return s + fmt::format("bad input ({}): {}\n", to_string(a.reason), f(a.message));
  }
  if (a.passages_looked_for && a.code_points > 0) {
    s += fmt::format(" · {} of it new", percent(a.new_code_points, a.code_points));
  }
  if (a.date_unread) s += " · its date is in no form doppel reads";
  s += a.added ? " · added\n" : "\n";
  for (const PassageAnswer& p : a.passages) {
    s += fmt::format("  chars {}-{}, {} words · ", p.span.begin, p.span.end, p.span.words);
    const bool here_first = !p.source_id.empty() && p.source_id == a.id;
    if (here_first) {
      s += "first published here; also in ";
    } else if (!p.source_id.empty()) {
      s += fmt::format("first in {} ({})", f(p.source_id), f(p.source_date));
    } else {
      s += "in ";
    }
    std::size_t listed = 0, others = 0;
    for (const PassageHolder& h : p.holders) {
      if (!here_first && !p.source_id.empty() && h.id == p.source_id) continue;
      if (listed == kListedHolders) {
        ++others;
        continue;
      }
      const bool first_other = listed == 0 && (here_first || p.source_id.empty());
      s += first_other ? "" : (listed == 0 ? "; also in " : ", ");
      s += f(h.id);
      if (!h.date.empty()) s += fmt::format(" ({})", f(h.date));
      ++listed;
    }
    if (others > 0) s += fmt::format(" and {} more", others);
    s += '\n';
    if (!p.excerpt.empty()) s += fmt::format("    \u201c{}\u201d\n", f(p.excerpt));
  }
  return s;
}

// `interrupted`: set when a signal stopped the add (which then returns Ok, having said so).
Status run_add_or_query(Settings& s, Command command, const CLI::App& cmd, bool& interrupted) {
  const bool add = command == Command::kIndexAdd;
  if (s.listing && (s.answers == "-" || named_descriptor(s.answers) == STDOUT_FILENO)) {
    return Status::InvalidArgument(
        "--listing prints the answers on standard output: give --answers a file for the JSON "
        "Lines");
  }
  if (s.answers.empty() && !s.listing) s.answers = "-";
  // JSON Lines: on standard output, or to --answers FILE; none with --listing alone.
  const bool json = !s.answers.empty();
  std::vector<OutputFlag> outputs_given;
  if (json) outputs_given.emplace_back("--answers", &s.answers);
  DOPPEL_RETURN_IF_ERROR(prepare_options(command, outputs_given, false, s));
  DOPPEL_RETURN_IF_ERROR(check_index_outside_inputs(s));
  DOPPEL_RETURN_IF_ERROR(check_outputs_outside_index(s, outputs_given));
  RunOutputs outputs;
  // Reading files never waits on a writer: there an add commits behind the work, and stops at
  // the first signal once the batch in flight is committed, its answers written (else they
  // would be lost with the process, their documents in the index). Standard input or a pipe may
  // wait for ever: a signal ends the run at once.
  const bool reads_files = add && std::all_of(s.inputs.begin(), s.inputs.end(), [](const auto& in) {
                             std::error_code error;
                             const auto type = std::filesystem::status(in, error).type();
                             return in != "-" && (type == std::filesystem::file_type::regular ||
                                                  type == std::filesystem::file_type::directory);
                           });
  std::atomic<bool> stop{false};  // armed only while the add runs (below)
  const InterruptGuard guard(s.index_read.progress);
  DOPPEL_RETURN_IF_ERROR(outputs.open(outputs_given));
  std::error_code error;
  namespace fs = std::filesystem;
  // The directory the index will be in, ".." and links resolved ("new/.." is the current
  // directory, which exists), so that what is undone below is what was made.
  const fs::path where = fs::weakly_canonical(fs::absolute(s.index_path), error);
  const bool existed = error || fs::exists(fs::symlink_status(where, error));
  const bool was_empty_dir =
      existed && fs::is_directory(where, error) && fs::is_empty(where, error) && !error;
  auto index = open_index(s, command, cmd, add);
  if (!index.ok()) return index.status();
  // Documents whose batch was committed: those answered "added" (an answer goes out only once its
  // batch's commit has returned; the index's tables may hold a batch whose commit then failed).
  std::uint64_t committed = 0;
  // An add that made the index and then failed before committing anything (no readable input, a
  // missing file) takes the index away again: it would fix the matching options for good. Only
  // the index's own files go, the store and the log while the writer lock is still held; the
  // directory only if this run made it and nothing else is in it.
  auto undo_creation = [&](Status failed) {
    if (!add || (existed && !was_empty_dir) || committed > 0) return failed;
    fs::remove_all(where / "db", error);
    fs::remove(where / "data.log", error);
    index->reset();
    fs::remove(where / "writer.lock", error);
    if (!existed) fs::remove(where, error);  // fails, harmlessly, if anything else is there
    return failed;
  };
  Warnings warnings(s, s.index_read.progress, "the bad_input answers");
  // Answers as JSON Lines, written in blocks of about 1 MiB (a batch's answers at the least).
  DiscardOutput nowhere;
  OutputStream& out = json ? outputs.stream(s.answers) : nowhere;
  std::string lines;
  auto on_answer = [&](const Answer& a) {
    committed += a.added ? 1 : 0;
    if (s.listing) std::fputs(printable(answer_listing(a)).c_str(), stdout);
    if (!json) return Status::Ok();
    append_answer_json(lines, a);
    lines.push_back('\n');
    if (lines.size() < (std::size_t{1} << 20)) return Status::Ok();
    Status written = out.write(lines);
    lines.clear();
    return written;
  };
  IndexReadOptions read = s.index_read;
  // With its indent and quotes, a passage's excerpt fills one line of 80 columns (of Latin text).
  if (s.listing) read.passage_excerpt_chars = 72;
  // Committing behind the work holds a batch's answers until the next batch is read: only where
  // reading cannot wait on a writer (standard input, a pipe), which would hold them that long.
  // Nothing else reads this process's index (index.h).
  read.commit_behind = reads_files;
  if (reads_files) read.read.stop = &stop;
  // On standard output (or a descriptor) each batch's answers go out once it is committed, so
  // that an add stopped by Ctrl-C or a signal has printed those of every batch that stays.
  const bool json_as_it_goes = json && (s.answers == "-" || named_descriptor(s.answers) >= 0);
  if (s.listing || json_as_it_goes) {
    read.after_batch = [&] {
      if (s.listing) std::fflush(stdout);  // the listing's lines, held by stdio
      if (!json_as_it_goes) return Status::Ok();
      Status written = out.write(lines);
      lines.clear();
      return written.ok() ? out.flush() : written;
    };
  }
  if (reads_files) InterruptGuard::arm_stop(&stop);
  auto result = add ? (*index)->add(s.inputs, read, warnings.callback(), on_answer)
                    : (*index)->query(s.inputs, read, warnings.callback(), on_answer);
  InterruptGuard::disarm_stop();  // from here a signal ends the run at once, as elsewhere
  // The answers of batches committed before a failure go out too (on standard output they are
  // all a caller learns of them).
  const Status written = out.write(lines);
  const Status flushed = written.ok() ? out.flush() : written;
  warnings.print_hidden(!result.ok() || !flushed.ok());
  if (!result.ok()) {
    // Batches committed before the failure stay; an answers file is written only by a run that
    // succeeds, so say what went in (a rerun would answer them duplicate_id).
    if (committed > 0 && json && named_descriptor(s.answers) < 0 && s.answers != "-") {
      std::fprintf(stderr,
                   "doppel index add: %s %s committed before the stop and stay%s in the index; "
                   "%s answers are not in %s, which only a run that succeeds writes (doppel "
                   "index remove takes documents out)\n",
                   thousands(committed).c_str(), committed == 1 ? "document was" : "documents were",
                   committed == 1 ? "s" : "", committed == 1 ? "its" : "their", s.answers.c_str());
    }
    return undo_creation(result.status());
  }
  DOPPEL_RETURN_IF_ERROR(flushed);
  if (result->stopped) {
    // Stopped by a signal: what was committed stays and was answered; an answers file is written
    // only by a run that succeeds (RunOutputs removes it).
    interrupted = true;
    const int sig = InterruptGuard::stop_signal();
    const char* by = sig == SIGINT ? "SIGINT" : sig == SIGHUP ? "SIGHUP" : "SIGTERM";
    if (committed == 0) {
      // An index this run made is taken away again, as after an error (undo_creation).
      (void)undo_creation(Status::Ok());
      std::fprintf(stderr,
                   "doppel index add: stopped by %s before any document was committed; nothing "
                   "was added\n",
                   by);
      return Status::Ok();
    }
    const bool to_file = json && named_descriptor(s.answers) < 0 && s.answers != "-";
    const std::string answers =
        to_file ? fmt::format(
                      "their answers {}not in {}, which only a run that succeeds writes "
                      "(doppel index remove takes documents out)",
                      s.listing ? "listed but " : "", s.answers)
                : std::string(s.listing ? "their answers listed" : "their answers written");
    std::fprintf(stderr,
                 "doppel index add: stopped by %s; %s %s committed before the stop and stay%s in "
                 "the index, %s; the rest of the input was not added\n",
                 by, thousands(committed).c_str(),
                 committed == 1 ? "document was" : "documents were", committed == 1 ? "s" : "",
                 answers.c_str());
    return Status::Ok();
  }
  DOPPEL_RETURN_IF_ERROR(outputs.commit());
  if (!s.quiet) {
    const int threads = s.threads > 0
                            ? s.threads
                            : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    print_summary(*result, **index, add, threads, s.index_read);
  }
  return Status::Ok();
}

Status run_remove(Settings& s, const CLI::App& cmd) {
  DOPPEL_RETURN_IF_ERROR(prepare_options(Command::kIndexRemove, {}, false, s));
  auto index = open_index(s, Command::kIndexRemove, cmd, true);
  if (!index.ok()) return index.status();
  auto removed = (*index)->remove(s.inputs);
  if (!removed.ok()) return removed.status();
  if (!s.quiet) {
    // An id named twice is counted once: its second naming finds nothing, but it was there.
    std::vector<std::string> distinct(s.inputs);
    std::sort(distinct.begin(), distinct.end());
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    const std::size_t absent = distinct.size() - *removed;
    const std::size_t repeated = s.inputs.size() - distinct.size();
    std::fprintf(
        stderr, "doppel index remove: removed %s of %s ids%s%s\n", thousands(*removed).c_str(),
        thousands(distinct.size()).c_str(),
        absent == 0 ? "" : fmt::format(" ({} not found in the index)", thousands(absent)).c_str(),
        repeated == 0
            ? ""
            : fmt::format("; {} named more than once, counted once", thousands(repeated)).c_str());
  }
  return Status::Ok();
}

Status run_stats(Settings& s, const CLI::App& cmd) {
  DOPPEL_RETURN_IF_ERROR(prepare_options(Command::kIndexStats, {}, false, s));
  auto index = open_index(s, Command::kIndexStats, cmd, false);
  if (!index.ok()) return index.status();
  std::string line;
  append_stats_json(line, (*index)->stats());
  line.push_back('\n');
  StdoutOutput out;
  DOPPEL_RETURN_IF_ERROR(out.write(line));
  return out.flush();
}

Status run_export(Settings& s, const CLI::App& cmd) {
  const std::vector<OutputFlag> outputs_given = {{"--pairs", &s.pairs},
                                                 {"--clusters", &s.clusters}};
  DOPPEL_RETURN_IF_ERROR(prepare_options(Command::kIndexExport, outputs_given, false, s));
  if (s.pairs.empty() && s.clusters.empty()) {
    return Status::InvalidArgument("nothing to export: give --pairs FILE, --clusters FILE or both");
  }
  DOPPEL_RETURN_IF_ERROR(check_outputs_outside_index(s, outputs_given));
  RunOutputs outputs;
  const InterruptGuard guard(false);
  DOPPEL_RETURN_IF_ERROR(outputs.open(outputs_given));
  auto index = open_index(s, Command::kIndexExport, cmd, false);
  if (!index.ok()) return index.status();
  DOPPEL_RETURN_IF_ERROR(outputs.write_if_given(
      s.pairs, [&](OutputStream& out) { return (*index)->write_pairs(out); }));
  DOPPEL_RETURN_IF_ERROR(outputs.write_if_given(
      s.clusters, [&](OutputStream& out) { return (*index)->write_clusters(out); }));
  return outputs.commit();
}

struct Sub {
  Command command;
  const char* name;
  const char* description;
  const char* footer;
};

constexpr Sub kSubs[] = {
    {Command::kIndexAdd, "add",
     "Add documents to INDEX (made if missing) and answer for each: new, exact or near "
     "duplicate of which indexed documents, its reused passages and their earliest source.",
     "Examples:\n"
     "  doppel index add news.idx today.jsonl\n"
     "  doppel index add news.idx crawl.jsonl.zst --answers answers.jsonl --batch 20000\n"
     "  doppel index add news.idx archive.jsonl.zst --skip-passages -q   # a bulk load\n"
     "Answers: JSON Lines on standard output or --answers FILE (docs/index.md). Matching\n"
     "options are fixed when the index is made; giving another value later is an error.\n"
     "Exit status: 0 on success; 2 on an error; 130 when interrupted (batches committed before\n"
     "stay in the index; reading files, the first signal waits for the batch in flight to be\n"
     "committed and answered). Docs: docs/index.md."},
    {Command::kIndexQuery, "query", "The answers `index add` would give, without adding anything.",
     "Example:\n  doppel index query news.idx draft.txt\n"
     "Opens INDEX read-only: it may run beside a writer, and sees what was committed when it\n"
     "started. Each document is compared with the index and every document before it in the\n"
     "call, so all of them are held until the answers come. Exit status: 0 on success; 2 on an\n"
     "error. Docs: docs/index.md."},
    {Command::kIndexRemove, "remove", "Remove documents by id: answers and clusters forget them.",
     "Example:\n  doppel index remove news.idx 2024-03-04-bridge\nDocs: docs/index.md."},
    {Command::kIndexStats, "stats",
     "Documents, size on disk, options, last change: one JSON object.",
     "Example:\n  doppel index stats news.idx\nDocs: docs/index.md."},
    {Command::kIndexExport, "export",
     "The index's near-duplicate pairs and clusters in doppel dedup's formats (--keep first).",
     "Example:\n  doppel index export news.idx --pairs pairs.jsonl --clusters clusters.jsonl\n"
     "Docs: docs/index.md, docs/formats.md."},
};

}  // namespace

std::function<int()> add_index_command(CLI::App& app) {
  CLI::App& index = add_subcommand(
      app, "index", kIndexDescription,
      "Run 'doppel index COMMAND --help' for a command's options. Docs: docs/index.md");
  require_one_subcommand(index);
  struct Bound {
    Command command;
    CLI::App* cmd;
    std::shared_ptr<Settings> settings;
  };
  auto bound = std::make_shared<std::vector<Bound>>();
  for (const Sub& sub : kSubs) {
    auto settings = std::make_shared<Settings>();
    CLI::App* cmd = &add_subcommand(index, sub.name, sub.description, sub.footer);
    add_flags(sub.command, *cmd, *settings);
    bound->push_back(Bound{sub.command, cmd, settings});
  }
  return [bound] {
    for (const Bound& b : *bound) {
      if (!was_parsed(*b.cmd)) continue;
      Settings& s = *b.settings;
      Status st;
      bool interrupted = false;
      switch (b.command) {
        case Command::kIndexAdd:
        case Command::kIndexQuery:
          st = run_add_or_query(s, b.command, *b.cmd, interrupted);
          break;
        case Command::kIndexRemove:
          st = run_remove(s, *b.cmd);
          break;
        case Command::kIndexStats:
          st = run_stats(s, *b.cmd);
          break;
        default:
          st = run_export(s, *b.cmd);
          break;
      }
      return !st.ok() ? fail(st) : interrupted ? kExitInterrupted : kExitOk;
    }
    return kExitError;
  };
}

}  // namespace doppel::cli
