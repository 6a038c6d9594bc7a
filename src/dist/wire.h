// The byte layout of records the ranks exchange: integers in the machine's byte order (every
// rank of a job runs the same build on the same kind of machine) and strings with their length
// first. Header-only. Thread-safety: one thread per writer or reader.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

namespace doppel::dist {

class WireWriter {
 public:
  explicit WireWriter(std::string& out) : out_(out) {}
  template <typename T>
  void put(T value) {
    static_assert(std::is_trivially_copyable_v<T>);
    out_.append(reinterpret_cast<const char*>(&value), sizeof value);
  }
  void put_string(std::string_view s) {
    put(static_cast<std::uint32_t>(s.size()));
    out_.append(s);
  }

 private:
  std::string& out_;
};

// Reads what a WireWriter wrote; reading past the end gives zeros and clears ok().
class WireReader {
 public:
  explicit WireReader(std::string_view in) : in_(in) {}
  template <typename T>
  T get() {
    static_assert(std::is_trivially_copyable_v<T>);
    T value{};
    if (in_.size() - pos_ < sizeof value) {
      ok_ = false;
      pos_ = in_.size();
      return value;
    }
    std::memcpy(&value, in_.data() + pos_, sizeof value);
    pos_ += sizeof value;
    return value;
  }
  std::string_view get_string() {
    const auto n = get<std::uint32_t>();
    if (in_.size() - pos_ < n) {
      ok_ = false;
      pos_ = in_.size();
      return {};
    }
    const std::string_view s = in_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  bool done() const { return pos_ == in_.size(); }
  bool ok() const { return ok_; }

 private:
  std::string_view in_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace doppel::dist
