#include "input/input_files.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "text/utf8.h"

namespace doppel {
namespace fs = std::filesystem;
namespace {

// Files below `dir` (relative paths, '/'-separated), depth first; hidden entries skipped. A
// subdirectory that cannot be listed (one the user may not read, such as a root-owned
// lost+found) is listed as a file: opening it fails, and the reader reports it as unreadable with
// the reason, while the rest of the tree is read. (It had ended the whole run.)
Status list_files(Env& env, const fs::path& dir, const std::string& rel,
                  std::vector<std::pair<std::string, std::uint64_t>>& out) {
  auto entries = env.list(dir.string());
  if (!entries.ok()) {
    if (rel.empty()) return entries.status();  // the directory the user named
    out.emplace_back(rel, 0);
    return Status::Ok();
  }
  for (const DirEntry& e : *entries) {
    if (e.name.empty() || e.name[0] == '.') continue;
    const std::string child = rel.empty() ? e.name : rel + "/" + e.name;
    if (e.info.kind == PathKind::kDirectory) {
      DOPPEL_RETURN_IF_ERROR(list_files(env, dir / e.name, child, out));
    } else if (e.info.kind == PathKind::kFile) {
      out.emplace_back(child, e.info.size);
    }
  }
  return Status::Ok();
}

// The directory an input contributes to the id base: itself, or a file's directory.
fs::path base_of(const std::string& arg, PathKind kind) {
  const fs::path p = fs::absolute(arg).lexically_normal();
  if (kind == PathKind::kDirectory) {
    // "dir/" normalizes to "dir/" with an empty last element: drop it.
    return p.has_filename() ? p : p.parent_path();
  }
  return p.parent_path();
}

fs::path common_prefix(const fs::path& a, const fs::path& b) {
  fs::path out;
  auto x = a.begin(), y = b.begin();
  for (; x != a.end() && y != b.end() && *x == *y; ++x, ++y) out /= *x;
  return out;
}

}  // namespace

bool is_jsonl_name(std::string_view path) {
  for (const std::string_view ext : {".jsonl", ".ndjson", ".json"}) {
    for (const std::string_view z : {"", ".gz", ".zst"}) {
      if (path.size() >= ext.size() + z.size() && path.ends_with(z) &&
          path.substr(0, path.size() - z.size()).ends_with(ext)) {
        return true;
      }
    }
  }
  return false;
}

Result<std::vector<InputFile>> expand_inputs(std::span<const std::string> args, InputFormat forced,
                                             Env& env) {
  if (args.empty()) {
    return Status::InvalidArgument(
        "no input given: name files, directories, or - for JSON Lines on standard input");
  }
  auto resolve = [forced](const std::string& path) {
    if (forced != InputFormat::kAuto) return forced;
    return (path == "-" || is_jsonl_name(path)) ? InputFormat::kJsonl : InputFormat::kText;
  };
  // Each input's kind, and the deepest directory holding them all.
  std::vector<PathInfo> infos;
  fs::path base;
  bool have_base = false;
  for (const std::string& arg : args) {
    PathInfo info{PathKind::kOther, 0};
    if (arg != "-") {
      info = env.stat(arg);
      if (info.kind == PathKind::kMissing) {
        // Missing, or in a directory the user may not enter: say which.
        std::error_code ec;
        (void)fs::status(arg, ec);
        const bool denied = ec == std::errc::permission_denied;
        return Status::IoError(fmt::format(
            "{}: {}", arg,
            denied ? "cannot look at it: Permission denied" : "no such file or directory"));
      }
      const fs::path b = base_of(arg, info.kind);
      base = have_base ? common_prefix(base, b) : b;
      have_base = true;
    }
    infos.push_back(info);
  }
  std::vector<InputFile> files;
  // Per file: its path, canonical, and the input that names it, to find a file named twice (one
  // input names each file once).
  const bool check_twice = args.size() > 1;
  struct Named {
    std::string key;
    std::size_t input;
  };
  std::vector<Named> named;
  auto canonical = [](const std::string& path) {
    std::error_code ec;
    const fs::path c = fs::weakly_canonical(path, ec);
    return ec ? fs::absolute(path).lexically_normal() : c;
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-") {
      // JSON Lines unless --format says otherwise (text: standard input is one document).
      files.push_back(InputFile{"-", env.stdin_name(), env.stdin_name(), resolve(arg), 0, true});
      if (check_twice) named.push_back({"-", i});
      continue;
    }
    const fs::path abs = fs::absolute(arg).lexically_normal();
    const fs::path key = check_twice ? canonical(arg) : fs::path();
    if (infos[i].kind == PathKind::kDirectory) {
      std::vector<std::pair<std::string, std::uint64_t>> found;
      DOPPEL_RETURN_IF_ERROR(list_files(env, arg, "", found));
      std::sort(found.begin(), found.end());
      const std::string prefix =
          base_of(arg, PathKind::kDirectory).lexically_relative(base).generic_string();
      for (const auto& [rel, size] : found) {
        const std::string path = (fs::path(arg) / rel).string();
        const std::string id =
            prefix.empty() || prefix == "." ? rel : fmt::format("{}/{}", prefix, rel);
        files.push_back(InputFile{path, escape_invalid_utf8(path), escape_invalid_utf8(id),
                                  resolve(path), size});
        if (check_twice) named.push_back({(key / rel).string(), i});
      }
      if (found.empty()) {
        return Status::InvalidArgument(fmt::format(
            "{}: the directory holds no files to read (hidden files are skipped)", arg));
      }
    } else {
      const std::string id = abs.lexically_relative(base).generic_string();
      // A named pipe (`<(zcat x.gz)`) or device is read once, as standard input is.
      files.push_back(InputFile{arg, escape_invalid_utf8(arg), escape_invalid_utf8(id),
                                resolve(arg), infos[i].size, infos[i].kind == PathKind::kOther});
      if (check_twice) named.push_back({key.string(), i});
    }
  }
  // A file named twice (or named and in a directory named too, or through a link) would be read
  // twice, and every document of the second reading be a duplicate id: refused before reading.
  // Files are compared by their input's canonical path (one look-up an input, not a file).
  std::map<std::string, std::size_t> seen;  // the file's path, canonical -> its first place
  for (std::size_t i = 0; i < named.size(); ++i) {
    const auto [at, inserted] = seen.emplace(named[i].key, i);
    if (!inserted) {
      const std::size_t first = at->second;
      const std::string how = files[first].name == files[i].name
                                  ? fmt::format("inputs {} and {} both hold it",
                                                escape_invalid_utf8(args[named[first].input]),
                                                escape_invalid_utf8(args[named[i].input]))
                                  : fmt::format("it is also {}", files[first].name);
      return Status::InvalidArgument(fmt::format(
          "{}: the same file is named twice ({}); each file is read once, so name it once (its "
          "documents would all be duplicate ids)",
          files[i].name, how));
    }
  }
  return files;
}

}  // namespace doppel
