#include "dist/input_plan.h"

#include <algorithm>

#include "dist/wire.h"
#include "input/byte_source.h"

namespace doppel::dist {
namespace {

// Where a rank's share starts: file `file` from byte `offset` (0: the whole file and those after).
struct Cut {
  std::size_t file = 0;
  std::uint64_t offset = 0;
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads a defaulted <=>
  friend auto operator<=>(const Cut&, const Cut&) = default;
};

}  // namespace

std::vector<std::vector<FileRange>> split_among_ranks(std::span<const InputFile> files,
                                                      std::span<const std::uint8_t> splittable,
                                                      int ranks) {
  const auto n = static_cast<std::size_t>(std::max(1, ranks));
  std::uint64_t total = 0;
  for (const InputFile& f : files) total += f.size;
  // No share starts before the end of standard input: rank 0 reads it.
  Cut first_allowed{0, 0};
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (files[i].is_stdin()) first_allowed = Cut{i + 1, 0};
  }
  std::vector<Cut> cuts(n + 1, Cut{0, 0});
  cuts[n] = Cut{files.size(), 0};
  std::size_t file = 0;
  std::uint64_t start = 0;  // of `file` in all input
  for (std::size_t r = 1; r < n; ++r) {
    const std::uint64_t target = total / n * r + total % n * r / n;  // floor(total * r / n)
    while (file < files.size() && start + files[file].size <= target) start += files[file++].size;
    Cut cut{files.size(), 0};
    if (file < files.size()) {
      const std::uint64_t size = files[file].size, at = target - start;
      if (splittable[file] != 0 && at >= kMinRange && size - at >= kMinRange) {
        cut = Cut{file, at};
      } else {
        cut = Cut{at < size - at ? file : file + 1, 0};
      }
    }
    cuts[r] = std::max({cut, first_allowed, cuts[r - 1]});
  }
  std::vector<std::vector<FileRange>> shares(n);
  for (std::size_t r = 0; r < n; ++r) {
    const Cut from = cuts[r], to = cuts[r + 1];
    for (std::size_t i = from.file;
         i < files.size() && (i < to.file || (i == to.file && to.offset > 0)); ++i) {
      FileRange range;
      range.file = static_cast<std::uint32_t>(i);
      range.begin = i == from.file ? from.offset : 0;
      range.end = i == to.file ? to.offset : kToTheEnd;
      if (range.end != kToTheEnd && range.end <= range.begin) continue;
      shares[r].push_back(range);
    }
  }
  return shares;
}

Result<InputPlan> plan_inputs(std::span<const std::string> inputs, const ReadOptions& read,
                              int ranks) {
  Env& env = read.env != nullptr ? *read.env : default_env();
  auto files = expand_inputs(inputs, read.format, env);
  if (!files.ok()) return files.status();
  std::vector<std::uint8_t> splittable(files->size(), 0);
  for (std::size_t i = 0; i < files->size(); ++i) {
    const InputFile& f = (*files)[i];
    if (ranks < 2 || f.is_stdin() || f.format != InputFormat::kJsonl ||
        compression_from_name(f.path) != Compression::kNone || f.size < 2 * kMinRange) {
      continue;
    }
    // A file whose head gets it rejected whole is read whole: its reader must see the head.
    auto in = env.open(f.path);
    if (!in.ok()) continue;  // its reader says why
    std::string head(kBinarySniff, '\0');
    std::size_t got = 0;
    while (got < head.size()) {
      auto n = (*in)->read(std::span(head.data() + got, head.size() - got));
      if (!n.ok() || *n == 0) break;
      got += *n;
    }
    head.resize(got);
    splittable[i] = !rejected_whole(head);
  }
  InputPlan plan;
  plan.ranks = split_among_ranks(*files, splittable, ranks);
  plan.files = std::move(*files);
  return plan;
}

std::string encode_plan(const InputPlan& plan) {
  std::string out;
  WireWriter w(out);
  w.put(static_cast<std::uint64_t>(plan.files.size()));
  for (const InputFile& f : plan.files) {
    w.put_string(f.path);
    w.put_string(f.name);
    w.put_string(f.doc_id);
    w.put(static_cast<std::uint8_t>(f.format));
    w.put(f.size);
    w.put(static_cast<std::uint8_t>(f.read_once));
  }
  w.put(static_cast<std::uint64_t>(plan.ranks.size()));
  for (const auto& share : plan.ranks) {
    w.put(static_cast<std::uint64_t>(share.size()));
    for (const FileRange& r : share) {
      w.put(r.file);
      w.put(r.begin);
      w.put(r.end);
    }
  }
  return out;
}

Result<InputPlan> decode_plan(std::string_view bytes) {
  WireReader in(bytes);
  InputPlan plan;
  plan.files.resize(in.get<std::uint64_t>());
  for (InputFile& f : plan.files) {
    f.path = in.get_string();
    f.name = in.get_string();
    f.doc_id = in.get_string();
    f.format = static_cast<InputFormat>(in.get<std::uint8_t>());
    f.size = in.get<std::uint64_t>();
    f.read_once = in.get<std::uint8_t>() != 0;
  }
  plan.ranks.resize(in.get<std::uint64_t>());
  for (auto& share : plan.ranks) {
    share.resize(in.get<std::uint64_t>());
    for (FileRange& r : share) {
      r.file = in.get<std::uint32_t>();
      r.begin = in.get<std::uint64_t>();
      r.end = in.get<std::uint64_t>();
    }
  }
  if (!in.ok() || !in.done()) return Status::Internal("the input plan arrived damaged");
  return plan;
}

}  // namespace doppel::dist
