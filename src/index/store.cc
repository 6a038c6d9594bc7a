#include "index/store.h"
#include "util/utc_text.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>

namespace doppel {

static_assert(std::endian::native == std::endian::little,
              "the index's data log is read in place: little-endian machines only");
static_assert(sizeof(Winnowed) == 8 && alignof(Winnowed) == 4, "stored as two 32-bit words");

namespace {

constexpr const char* kFamilies[] = {"default", "docs", "pairs"};
enum Family { kMeta = 0, kDocs, kPairs, kNumFamilies };

void put_varint(std::string& s, std::uint64_t v) {
  while (v >= 0x80) {
    s.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  s.push_back(static_cast<char>(v));
}
bool get_varint(std::string_view& s, std::uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64 && !s.empty(); shift += 7) {
    const auto b = static_cast<unsigned char>(s.front());
    s.remove_prefix(1);
    v |= std::uint64_t{b & 0x7fu} << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}
// The same over raw bytes, bounded by `end`.
bool get_varint(const std::uint8_t*& p, const std::uint8_t* end, std::uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64 && p < end; shift += 7) {
    const std::uint8_t b = *p++;
    v |= std::uint64_t{b & 0x7fu} << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}
void put_fixed64(std::string& s, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) s.push_back(static_cast<char>(v >> (8 * i)));
}
bool get_fixed64(std::string_view& s, std::uint64_t& v) {
  if (s.size() < 8) return false;
  v = 0;
  for (int i = 0; i < 8; ++i) {
    v |= std::uint64_t{static_cast<unsigned char>(s[static_cast<std::size_t>(i)])} << (8 * i);
  }
  s.remove_prefix(8);
  return true;
}
void put_bytes(std::string& s, std::string_view b) {
  put_varint(s, b.size());
  s.append(b);
}
bool get_bytes(std::string_view& s, std::string& out) {
  std::uint64_t n = 0;
  if (!get_varint(s, n) || n > s.size()) return false;
  out.assign(s.substr(0, n));
  s.remove_prefix(n);
  return true;
}
std::uint64_t zigzag(std::int64_t v) {
  return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}
std::int64_t unzigzag(std::uint64_t v) {
  return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
}

Status from_rocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return Status::Ok();
  if (s.IsCorruption()) return Status::IoError(fmt::format("{}: {}", what, s.ToString()));
  return Status::IoError(fmt::format("{}: {}", what, s.ToString()));
}

std::string seq_key(std::uint32_t seq) {
  std::string k(4, '\0');
  for (std::size_t i = 0; i < 4; ++i) k[i] = static_cast<char>(seq >> (24 - 8 * i));
  return k;
}
std::uint32_t key_seq(std::string_view key) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4 && i < key.size(); ++i) {
    v = v << 8 | static_cast<unsigned char>(key[i]);
  }
  return v;
}

std::size_t sig_bytes(std::size_t bins) { return (bins * sizeof(SigValue) + 3) & ~std::size_t{3}; }

}  // namespace

std::string now_utc() { return utc_text(std::chrono::system_clock::now(), false); }

// ---- records -------------------------------------------------------------------------------

std::string encode(const DocRecord& r) {
  std::string s;
  put_bytes(s, r.id);
  put_bytes(s, r.date);
  put_fixed64(s, r.exact.lo);
  put_fixed64(s, r.exact.hi);
  put_varint(s, r.exact_of == kNoSeq ? 0 : std::uint64_t{r.exact_of} + 1);  // 0: none
  put_varint(s, r.data);
  put_varint(s, r.data_bytes);
  put_varint(s, r.words);
  put_varint(s, r.fingerprints);
  put_varint(s, r.chars);
  s.push_back(r.ascii ? 1 : 0);
  return s;
}

bool decode(std::string_view s, DocRecord& r) {
  std::uint64_t exact_of = 0, bytes = 0, words = 0, fps = 0;
  if (!get_bytes(s, r.id) || !get_bytes(s, r.date) || !get_fixed64(s, r.exact.lo) ||
      !get_fixed64(s, r.exact.hi) || !get_varint(s, exact_of) || !get_varint(s, r.data) ||
      !get_varint(s, bytes) || !get_varint(s, words) || !get_varint(s, fps) ||
      !get_varint(s, r.chars) || s.size() != 1 || exact_of >= kNoSeq || bytes > 0xffffffffu ||
      words > 0xffffffffu || fps > 0xffffffffu) {
    return false;
  }
  r.exact_of = exact_of == 0 ? kNoSeq : static_cast<std::uint32_t>(exact_of - 1);
  r.data_bytes = static_cast<std::uint32_t>(bytes);
  r.words = static_cast<std::uint32_t>(words);
  r.fingerprints = static_cast<std::uint32_t>(fps);
  r.ascii = s[0] == 1;
  return true;
}

void encode_data(const FeatureBatch& batch, std::size_t d, std::string& out) {
  const std::size_t start = out.size();
  // Each span as two varints: the change of its begin, its length. Walked twice: for the size
  // first, so that the string is allocated once (appended to as it was, it grew by doubling some
  // ten times a document, each a copy and fresh memory: 1.5% of an add), then to write them.
  auto each_varint = [](std::span<const SourceSpan> list, auto fn) {
    std::int64_t last = 0;
    for (const SourceSpan& s : list) {
      fn(zigzag(static_cast<std::int64_t>(s.begin) - last));
      fn(std::uint64_t{s.end - s.begin});
      last = s.begin;
    }
  };
  const bool has_code_points = batch.docs[d].code_points_begin != kNoSpans;
  std::size_t size = sig_bytes(batch.sig(d).size()) + batch.words_of(d).size_bytes() +
                     batch.fingerprints_of(d).size_bytes();
  auto count = [&](std::uint64_t v) {
    size += static_cast<std::size_t>(std::max(1, (static_cast<int>(std::bit_width(v)) + 6) / 7));
  };
  each_varint(batch.bytes_of(d), count);
  if (has_code_points) each_varint(batch.code_points_of(d), count);
  out.reserve(start + ((size + 7) & ~std::size_t{7}));
  const auto sig = batch.sig(d);
  out.append(reinterpret_cast<const char*>(sig.data()), sig.size_bytes());
  out.resize(start + sig_bytes(sig.size()), '\0');
  const auto words = batch.words_of(d);
  out.append(reinterpret_cast<const char*>(words.data()), words.size_bytes());
  const auto fps = batch.fingerprints_of(d);
  out.append(reinterpret_cast<const char*>(fps.data()), fps.size_bytes());
  auto write = [&](std::uint64_t v) { put_varint(out, v); };
  each_varint(batch.bytes_of(d), write);
  if (has_code_points) each_varint(batch.code_points_of(d), write);
  out.resize((out.size() + 7) & ~std::size_t{7}, '\0');
}

DocData doc_data(const char* at, std::size_t bins, std::uint32_t words, std::uint32_t fingerprints,
                 std::uint32_t bytes, bool ascii) {
  DocData d;
  d.sig = reinterpret_cast<const SigValue*>(at);
  d.bins = bins;
  d.words = reinterpret_cast<const std::uint32_t*>(at + sig_bytes(bins));
  d.word_count = words;
  d.fingerprints = reinterpret_cast<const Winnowed*>(d.words + words);
  d.fingerprint_count = fingerprints;
  d.spans = reinterpret_cast<const std::uint8_t*>(d.fingerprints + fingerprints);
  d.end = reinterpret_cast<const std::uint8_t*>(at) + bytes;
  d.ascii = ascii;
  return d;
}

bool stored_span(const DocData& data, std::uint32_t begin, std::uint32_t end, TextSpan& out) {
  if (begin >= end || end > data.word_count) return false;
  const std::uint8_t* p = data.spans;
  // A list of spans (two varints a word: the begin's change, the length), read up to the last
  // wanted word: a piece of a passage is called for some dozens of times a document added, and
  // the words after it were read for nothing (4% of an add's time on 100k documents).
  auto read = [&](std::uint64_t& first_begin, std::uint64_t& last_end) {
    std::int64_t at = 0;
    for (std::uint32_t w = 0; w < end; ++w) {
      std::uint64_t delta = 0, length = 0;
      if (!get_varint(p, data.end, delta) || !get_varint(p, data.end, length)) return false;
      at += unzigzag(delta);
      if (at < 0) return false;
      if (w == begin) first_begin = static_cast<std::uint64_t>(at);
      if (w == end - 1) last_end = static_cast<std::uint64_t>(at) + length;
    }
    return true;
  };
  // Past the rest of the list of bytes, to the list of code points that follows it: a varint ends
  // at its byte below 0x80. (The words skipped are not checked: damage there is found only by a
  // call that reads them.)
  auto skip = [&](std::uint64_t varints) {
    for (; varints > 0; ++p) {
      if (p == data.end) return false;
      varints -= *p < 0x80 ? 1 : 0;
    }
    return true;
  };
  if (!read(out.byte_begin, out.byte_end)) return false;
  if (data.ascii) {
    out.begin = out.byte_begin;
    out.end = out.byte_end;
  } else if (!skip(2 * std::uint64_t{data.word_count - end}) || !read(out.begin, out.end)) {
    return false;
  }
  out.words = end - begin;
  return true;
}

// ---- the data log --------------------------------------------------------------------------

Result<std::unique_ptr<DataLog>> DataLog::open(const std::string& path, std::uint64_t committed,
                                               bool read_only, std::uint64_t map_bytes) {
  std::unique_ptr<DataLog> log(new DataLog());
  log->path_ = path;
  log->fd_ = ::open(path.c_str(), (read_only ? O_RDONLY : O_RDWR | O_CREAT) | O_CLOEXEC, 0644);
  if (log->fd_ < 0) {
    return Status::IoError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  }
  struct stat st {};
  if (fstat(log->fd_, &st) != 0) {
    return Status::IoError(fmt::format("{}: {}", path, std::strerror(errno)));
  }
  const auto size = static_cast<std::uint64_t>(st.st_size);
  if (size < committed) {
    return Status::IoError(fmt::format(
        "{}: the data log holds {} bytes, the index committed {}: damaged", path, size, committed));
  }
  if (size > committed && !read_only && ftruncate(log->fd_, static_cast<off_t>(committed)) != 0) {
    return Status::IoError(
        fmt::format("{}: cannot cut off an unfinished write: {}", path, std::strerror(errno)));
  }
  log->end_ = committed;
  DOPPEL_RETURN_IF_ERROR(log->map(std::max<std::uint64_t>(committed * 2, map_bytes)));
  return log;
}

DataLog::~DataLog() {
  for (const auto& [p, length] : mappings_) munmap(p, length);
  if (fd_ >= 0) close(fd_);
}

Status DataLog::map(std::uint64_t length) {
  // A mapping longer than the file: pages past its end are never read (only committed bytes
  // are), and they become readable as the file grows.
  void* p = mmap(nullptr, length, PROT_READ, MAP_SHARED, fd_, 0);
  if (p == MAP_FAILED) {
    return Status::IoError(
        fmt::format("{}: cannot map {} bytes: {}", path_, length, std::strerror(errno)));
  }
  mappings_.emplace_back(p, length);
  mapped_ = length;
  base_.store(static_cast<const char*>(p), std::memory_order_release);
  return Status::Ok();
}

Status DataLog::append(std::string_view bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n =
        pwrite(fd_, bytes.data() + done, bytes.size() - done, static_cast<off_t>(end_ + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      return Status::IoError(fmt::format("{}: write failed: {}", path_, std::strerror(errno)));
    }
    done += static_cast<std::size_t>(n);
  }
  end_ += bytes.size();
  if (end_ > mapped_) DOPPEL_RETURN_IF_ERROR(map(std::max(end_ * 2, mapped_ * 2)));
  return Status::Ok();
}

Status DataLog::sync() {
  // A signal handler that returns (doppel index add's first Ctrl-C) may interrupt it: tried again.
  int synced = 0;
  do {
    synced = fdatasync(fd_);
  } while (synced != 0 && errno == EINTR);
  if (synced != 0) {
    return Status::IoError(fmt::format("{}: sync failed: {}", path_, std::strerror(errno)));
  }
  return Status::Ok();
}

Status DataLog::truncate(std::uint64_t end) {
  if (ftruncate(fd_, static_cast<off_t>(end)) != 0) {
    return Status::IoError(fmt::format("{}: {}", path_, std::strerror(errno)));
  }
  end_ = end;
  return Status::Ok();
}

// ---- StoreBatch ----------------------------------------------------------------------------

struct StoreBatch::Impl {
  struct Op {
    Family family;
    bool del;
    std::string key, value;
  };
  std::vector<Op> ops;
  void add(Family f, bool del, std::string key, std::string value = {}) {
    ops.push_back(Op{f, del, std::move(key), std::move(value)});
  }
};

StoreBatch::StoreBatch() : impl_(std::make_unique<Impl>()) {}
StoreBatch::~StoreBatch() = default;
void StoreBatch::put_doc(std::uint32_t seq, const DocRecord& r) {
  impl_->add(kDocs, false, seq_key(seq), encode(r));
}
void StoreBatch::delete_doc(std::uint32_t seq) { impl_->add(kDocs, true, seq_key(seq)); }
void StoreBatch::put_pair(std::uint32_t later, std::uint32_t earlier, float similarity) {
  std::string v(sizeof similarity, '\0');
  std::memcpy(v.data(), &similarity, sizeof similarity);
  impl_->add(kPairs, false, seq_key(later) + seq_key(earlier), std::move(v));
}
void StoreBatch::delete_pair(std::uint32_t later, std::uint32_t earlier) {
  impl_->add(kPairs, true, seq_key(later) + seq_key(earlier));
}
void StoreBatch::put_meta(std::string_view key, std::string_view value) {
  impl_->add(kMeta, false, std::string(key), std::string(value));
}

// ---- Store ---------------------------------------------------------------------------------

struct Store::Impl {
  std::string dir;
  int lock_fd = -1;
  bool sync = true;
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> cf;
  ~Impl() {
    for (auto* h : cf) {
      if (db && h != nullptr) (void)db->DestroyColumnFamilyHandle(h);
    }
    if (db) (void)db->Close();
    db.reset();
    if (lock_fd >= 0) close(lock_fd);  // releases the flock
  }
};

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

namespace {

// Takes DIR/writer.lock; on success writes who holds it into the file.
Status take_writer_lock(const std::string& dir, int& fd) {
  const std::string path = dir + "/writer.lock";
  fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Status::IoError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  }
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    char buf[512] = {};
    const ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    std::string holder = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "another process";
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
    close(fd);
    fd = -1;
    return Status::IoError(fmt::format(
        "index {} is open for writing by {}; one writer at a time (queries can open it read-only)",
        dir, holder));
  }
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  const std::string who =
      fmt::format("pid {} on host {} since {}\n", static_cast<long>(getpid()), host, now_utc());
  if (ftruncate(fd, 0) != 0 || pwrite(fd, who.data(), who.size(), 0) < 0) {
    return Status::IoError(fmt::format("{}: cannot write: {}", path, std::strerror(errno)));
  }
  return Status::Ok();
}

// An index is made only in a directory that is missing, empty, or left by a creation that was
// interrupted (before its database was: an empty data log, a lock file naming a process, a
// database folder). Anything else may be the user's: creating would truncate a data.log and
// overwrite a writer.lock.
Status check_room_for_index(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return Status::Ok();
  if (!fs::is_directory(dir, ec)) {
    return Status::IoError(fmt::format("{}: cannot create: Not a directory", dir));
  }
  std::string foreign;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    bool ours = false;
    if (name == "db") {
      ours = it->is_directory(ec);
    } else if (name == "data.log") {
      ours = it->is_regular_file(ec) && it->file_size(ec) == 0;
    } else if (name == "writer.lock") {
      // Empty: made, and its holder killed before it wrote its name (or still writing it).
      std::ifstream in(it->path());
      std::string head(4, '\0');
      ours = it->file_size(ec) == 0 || (in.read(head.data(), 4) && head == "pid ");
    }
    if (!ours) {
      foreign = name;
      break;
    }
  }
  if (ec) return Status::IoError(fmt::format("{}: cannot read: {}", dir, ec.message()));
  if (foreign.empty()) return Status::Ok();
  if (foreign == "data.log" && fs::is_directory(dir + "/db", ec)) {
    return Status::IoError(fmt::format(
        "{}: holds a data log but its database has no db/CURRENT: a damaged index? It is not "
        "made again over it",
        dir));
  }
  return Status::IoError(
      fmt::format("{}: not an index, and not empty (it holds {}): an index is made in a new or "
                  "empty directory",
                  dir, foreign));
}

}  // namespace

Result<std::unique_ptr<Store>> Store::open(const std::string& dir, bool create, bool read_only,
                                           bool sync) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const bool exists = fs::exists(dir + "/db/CURRENT", ec);
  if (ec) return Status::IoError(fmt::format("{}/db/CURRENT: {}", dir, ec.message()));
  if (!exists && (!create || read_only)) {
    return Status::IoError(fmt::format("{}: no index there", dir));
  }
  if (!exists) {
    DOPPEL_RETURN_IF_ERROR(check_room_for_index(dir));
    fs::create_directories(dir, ec);
    if (ec) return Status::IoError(fmt::format("{}: cannot create: {}", dir, ec.message()));
  }
  auto impl = std::make_unique<Impl>();
  impl->dir = dir;
  impl->sync = sync;
  if (!read_only) DOPPEL_RETURN_IF_ERROR(take_writer_lock(dir, impl->lock_fd));

  rocksdb::DBOptions options;
  options.create_if_missing = create;
  options.create_missing_column_families = true;
  options.max_background_jobs = 2;
  options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  options.keep_log_file_num = 2;
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (int f = 0; f < kNumFamilies; ++f) {
    rocksdb::ColumnFamilyOptions cf;
    rocksdb::BlockBasedTableOptions table;
    cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    // Records are small and varied (ids compress); LZ4 when this RocksDB has it.
    cf.compression = rocksdb::kLZ4Compression;
    const auto supported = rocksdb::GetSupportedCompressions();
    if (std::find(supported.begin(), supported.end(), rocksdb::kLZ4Compression) ==
        supported.end()) {
      cf.compression = rocksdb::kNoCompression;
    }
    families.emplace_back(kFamilies[f], cf);
  }
  rocksdb::DB* raw = nullptr;
  const std::string path = dir + "/db";
  const rocksdb::Status s =
      read_only ? rocksdb::DB::OpenForReadOnly(options, path, families, &impl->cf, &raw)
                : rocksdb::DB::Open(options, path, families, &impl->cf, &raw);
  // A writer killed while it created the index leaves a database without all its families; the
  // index was never committed (no "format"), and the next writer creates the families.
  if (read_only && s.IsInvalidArgument() &&
      s.ToString().find("Column family not found") != std::string::npos) {
    return Status::IoError(fmt::format("{}: no index there", dir));
  }
  if (!s.ok()) return from_rocks(s, path);
  impl->db.reset(raw);
  return std::unique_ptr<Store>(new Store(std::move(impl)));
}

namespace {
Result<std::optional<std::string>> get_from(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
                                            std::string_view key) {
  std::string value;
  const rocksdb::Status s =
      db->Get(rocksdb::ReadOptions(), cf, rocksdb::Slice(key.data(), key.size()), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return from_rocks(s, "index read");
  return std::optional<std::string>(std::move(value));
}
}  // namespace

Result<std::optional<std::string>> Store::get_meta(std::string_view key) const {
  return get_from(impl_->db.get(), impl_->cf[kMeta], key);
}

Result<std::optional<DocRecord>> Store::get_doc(std::uint32_t seq) const {
  auto bytes = get_from(impl_->db.get(), impl_->cf[kDocs], seq_key(seq));
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return std::optional<DocRecord>();
  DocRecord r;
  if (!decode(**bytes, r)) {
    return Status::IoError(fmt::format("{}: a damaged document record", impl_->dir));
  }
  return std::optional<DocRecord>(std::move(r));
}

Status Store::for_each_doc(const std::function<Status(std::uint32_t, const DocRecord&)>& fn) const {
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(ro, impl_->cf[kDocs]));
  DocRecord r;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const rocksdb::Slice v = it->value();
    if (it->key().size() != 4 || !decode(std::string_view(v.data(), v.size()), r)) {
      return Status::IoError(fmt::format("{}: a damaged document record", impl_->dir));
    }
    DOPPEL_RETURN_IF_ERROR(fn(key_seq(std::string_view(it->key().data(), it->key().size())), r));
  }
  return from_rocks(it->status(), "index scan");
}

Status Store::for_each_pair(
    const std::function<void(std::uint32_t, std::uint32_t, float)>& fn) const {
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(ro, impl_->cf[kPairs]));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string_view k(it->key().data(), it->key().size());
    float sim = 0;
    if (k.size() != 8 || it->value().size() != sizeof sim) {
      return Status::IoError(fmt::format("{}: a damaged pair record", impl_->dir));
    }
    std::memcpy(&sim, it->value().data(), sizeof sim);
    fn(key_seq(k.substr(0, 4)), key_seq(k.substr(4)), sim);
  }
  return from_rocks(it->status(), "index scan");
}

Status Store::commit(StoreBatch& batch) {
  rocksdb::WriteBatch wb;
  for (const auto& op : batch.impl_->ops) {
    auto* cf = impl_->cf[static_cast<std::size_t>(op.family)];
    const rocksdb::Status s = op.del ? wb.Delete(cf, op.key) : wb.Put(cf, op.key, op.value);
    if (!s.ok()) return from_rocks(s, "index write");
  }
  rocksdb::WriteOptions wo;
  wo.sync = impl_->sync;
  return from_rocks(impl_->db->Write(wo, &wb), "index write");
}

bool Store::sync() const { return impl_->sync; }

std::uint64_t Store::disk_bytes() const {
  namespace fs = std::filesystem;
  std::uint64_t n = 0;
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(impl_->dir, ec)) {
    if (e.is_regular_file(ec)) n += e.file_size(ec);
  }
  return n;
}

}  // namespace doppel
