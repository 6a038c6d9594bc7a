#include "dist/dist_read.h"

#include <fmt/format.h>
#include <xxhash.h>

#include <algorithm>
#include <unordered_map>

#include "corpus/document_table.h"
#include "dist/input_plan.h"
#include "dist/wire.h"
#include "util/hash.h"

namespace doppel::dist {

int RankCorpus::owner(std::uint32_t global) const {
  const auto it = std::upper_bound(starts.begin(), starts.end(), global);
  return static_cast<int>(it - starts.begin()) - 1;
}

namespace internal {
namespace {

// A later occurrence of an id, as the rank that owns the id's hash tells the document's rank.
struct Duplicate {
  std::uint32_t doc;    // global
  std::uint32_t input;  // of the first occurrence
  std::uint64_t line;
};

// The figures of ReadStats as one array, to add up over the ranks.
std::vector<std::uint64_t> flatten(const ReadStats& st) {
  std::vector<std::uint64_t> v = {st.input_bytes, st.documents, st.blank_lines, st.synthesized_ids,
                                  st.file_problems};
  v.insert(v.end(), std::begin(st.by_status), std::end(st.by_status));
  return v;
}

ReadStats unflatten(const std::vector<std::uint64_t>& v) {
  ReadStats st;
  st.input_bytes = v[0];
  st.documents = v[1];
  st.blank_lines = v[2];
  st.synthesized_ids = v[3];
  st.file_problems = v[4];
  std::copy(v.begin() + 5, v.end(), std::begin(st.by_status));
  return st;
}

// Ids read from the input go to the rank that owns their hash, which finds every occurrence after
// the first (records arrive in rank order, each rank's in its order: global input order) and
// tells the rank of each. Returns this rank's later occurrences, by global document.
Result<std::vector<Duplicate>> find_duplicate_ids(Communicator& comm, const RankCorpus& rc,
                                                  const std::vector<std::uint8_t>& ids_read) {
  const auto ranks = static_cast<std::uint32_t>(comm.size());
  std::vector<std::string> send(ranks);
  const Corpus& c = rc.corpus;
  for (std::uint32_t d = 0; d < c.docs.size(); ++d) {
    if (d >= ids_read.size() || ids_read[d] == 0) continue;
    const std::string_view id = c.id(d);
    WireWriter w(send[reduce(XXH3_64bits(id.data(), id.size()), ranks)]);
    w.put(rc.first + d);
    w.put(c.docs[d].input);
    w.put(c.docs[d].line);
    w.put_string(id);
  }
  auto got = comm.exchange(send);
  if (!got.ok()) return got.status();
  std::vector<std::vector<Duplicate>> replies(ranks);
  {
    std::unordered_map<std::string_view, Duplicate> first;
    WireReader in(std::string_view(got->data(), got->size()));
    while (!in.done()) {
      const auto doc = in.get<std::uint32_t>();
      const auto input = in.get<std::uint32_t>();
      const auto line = in.get<std::uint64_t>();
      const std::string_view id = in.get_string();
      if (!in.ok()) return Status::Internal("ids arrived damaged");
      const auto [it, added] = first.try_emplace(id, Duplicate{doc, input, line});
      if (!added) {
        replies[static_cast<std::size_t>(rc.owner(doc))].push_back(
            Duplicate{doc, it->second.input, it->second.line});
      }
    }
  }
  auto mine = comm.exchange(replies);
  if (!mine.ok()) return mine.status();
  std::sort(mine->begin(), mine->end(),
            [](const Duplicate& a, const Duplicate& b) { return a.doc < b.doc; });
  return std::move(*mine);
}

// Adds `later` to the problems, which are in input order for documents (problems of whole files
// keep their places).
void merge_problems(std::vector<ReadProblem>& problems, std::vector<ReadProblem> later) {
  if (later.empty()) return;
  std::vector<ReadProblem> out;
  out.reserve(problems.size() + later.size());
  std::size_t j = 0;
  for (ReadProblem& p : problems) {
    while (j < later.size() && p.doc != kNoDocument && later[j].doc < p.doc) {
      out.push_back(std::move(later[j++]));
    }
    out.push_back(std::move(p));
  }
  while (j < later.size()) out.push_back(std::move(later[j++]));
  problems = std::move(out);
}

}  // namespace

Status open_share(Communicator& comm, std::span<const std::string> inputs, const ReadOptions& read,
                  ShareOfRun& share) {
  std::string bytes;
  Status planned;
  if (comm.rank() == 0) {
    auto plan = plan_inputs(inputs, read, comm.size());
    if (plan.ok()) {
      bytes = encode_plan(*plan);
    } else {
      planned = plan.status();
    }
  }
  DOPPEL_RETURN_IF_ERROR(comm.agree(planned));
  DOPPEL_RETURN_IF_ERROR(comm.broadcast(bytes, 0));
  auto plan = decode_plan(bytes);
  if (!plan.ok()) return plan.status();
  for (const InputFile& f : plan->files) share.total_bytes += f.size;
  std::vector<FileRange> mine = plan->ranks[static_cast<std::size_t>(comm.rank())];

  // Ranges that start inside a file need the lines before them: each rank counts the lines of
  // its ranges of every file cut among ranks, and the counts of the ranks before it add up.
  std::vector<std::uint32_t> cut_files;
  for (const auto& share_of_rank : plan->ranks) {
    for (const FileRange& r : share_of_rank) {
      if (!r.whole()) cut_files.push_back(r.file);
    }
  }
  std::sort(cut_files.begin(), cut_files.end());
  cut_files.erase(std::unique(cut_files.begin(), cut_files.end()), cut_files.end());
  std::vector<std::uint64_t> lines(cut_files.size(), 0);
  Status counted;
  Env& env = read.env != nullptr ? *read.env : default_env();
  for (const FileRange& r : mine) {
    if (r.whole()) continue;
    const auto k = static_cast<std::size_t>(
        std::lower_bound(cut_files.begin(), cut_files.end(), r.file) - cut_files.begin());
    auto file = env.open(plan->files[r.file].path);
    auto n = file.ok() ? count_lines(**file, r.begin, r.end) : Result<std::uint64_t>(file.status());
    if (!n.ok()) {
      counted = Status::IoError(fmt::format("{}: cannot read the file: {}",
                                            plan->files[r.file].name, n.status().message()));
      break;
    }
    lines[k] = *n;
  }
  DOPPEL_RETURN_IF_ERROR(comm.agree(counted));
  DOPPEL_RETURN_IF_ERROR(comm.exclusive_sums(lines));
  for (FileRange& r : mine) {
    if (r.whole()) continue;
    const auto k = static_cast<std::size_t>(
        std::lower_bound(cut_files.begin(), cut_files.end(), r.file) - cut_files.begin());
    r.lines_before = lines[k];
  }
  auto source = CorpusSource::open_ranges(std::move(plan->files), std::move(mine), read);
  DOPPEL_RETURN_IF_ERROR(comm.agree(source.status()));
  share.source = std::move(*source);
  return Status::Ok();
}

Status finish_read(Communicator& comm, const Status& read, const ReadStageOptions& stage,
                   ShareOfRun& share, RankCorpus& out, std::vector<std::uint32_t>& dropped) {
  Corpus& c = out.corpus;
  if (c.inputs.empty()) c.inputs = share.source->file_infos();
  // Under ErrorPolicy::kFail, a rank's reading stops at its first bad document, the last it read.
  std::uint32_t failed_at = kNoDocument;
  Status failure = read;
  if (!read.ok() && read.code() == StatusCode::kCorruptInput && !c.docs.empty()) {
    failed_at = static_cast<std::uint32_t>(c.docs.size() - 1);
  }

  // --- numbering: rank r's documents follow rank r - 1's ----------------------------------------
  std::vector<std::uint64_t> sizes(static_cast<std::size_t>(comm.size()), 0);
  sizes[static_cast<std::size_t>(comm.rank())] = c.docs.size();
  DOPPEL_RETURN_IF_ERROR(comm.sum(sizes));
  out.starts.assign(1, 0);
  std::uint64_t total = 0;
  for (const std::uint64_t n : sizes) {
    total += n;
    if (total >= kNoDocument) {
      return Status::InvalidArgument(
          "a run handles fewer than 2^32 - 1 documents (a limit of this version)");
    }
    out.starts.push_back(static_cast<std::uint32_t>(total));
  }
  out.first = out.starts[static_cast<std::size_t>(comm.rank())];

  // --- ids: the first occurrence in input order wins ------------------------------------------
  auto duplicates = find_duplicate_ids(comm, out, share.ids_read);
  if (!duplicates.ok()) return duplicates.status();
  std::vector<ReadProblem> later;
  for (const Duplicate& dup : *duplicates) {
    const std::uint32_t d = dup.doc - out.first;
    if (c.docs[d].status != ReadStatus::kOk) continue;
    const Document& doc = c.docs[d];
    std::string message = duplicate_id_message(share.source->files()[doc.input], doc.line, c.id(d),
                                               share.source->files()[dup.input], dup.line);
    if (share.source->read_options().on_error == ErrorPolicy::kFail) {
      if (d < failed_at) {
        failed_at = d;
        failure = Status::CorruptInput(std::move(message));
      }
      break;  // in input order: the first is the one that stops the run
    }
    c.docs[d].status = ReadStatus::kDuplicateId;
    --c.stats.by_status[static_cast<int>(ReadStatus::kOk)];
    ++c.stats.by_status[static_cast<int>(ReadStatus::kDuplicateId)];
    dropped.push_back(d);
    later.push_back(ReadProblem{doc.input, doc.line, d, std::move(message)});
  }
  merge_problems(c.problems, std::move(later));
  DOPPEL_RETURN_IF_ERROR(comm.agree(failure));

  // --- the run's figures, and a run without a readable document -----------------------------
  std::vector<std::uint64_t> figures = flatten(c.stats);
  DOPPEL_RETURN_IF_ERROR(comm.sum(figures));
  out.totals = unflatten(figures);
  out.input_bytes_on_disk = share.total_bytes;
  if (!stage.require_documents || out.totals.ok() > 0) return Status::Ok();
  // The first example and hint in input order: the lowest rank's that has one.
  std::string mine(no_documents_example(c, out.totals));
  mine.push_back('\0');
  mine += share.text_field_hint;
  auto all = comm.all_gather(mine);
  if (!all.ok()) return all.status();
  std::string example, hint;
  for (const std::string& s : *all) {
    const std::size_t z = s.find('\0');
    if (example.empty()) example = s.substr(0, z);
    if (hint.empty()) hint = s.substr(z + 1);
  }
  return no_documents(out.totals, example, hint);
}

}  // namespace internal
}  // namespace doppel::dist
