#include "corpus/dates.h"

#include <chrono>
#include <cstring>

namespace doppel {
namespace {

// A moment as written: its fields, and the minutes its zone is ahead of UTC.
struct Written {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  std::string_view fraction;  // the digits after the point, trailing zeros removed
  int offset_minutes = 0;
  bool has_time = false;  // else a day alone
};

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// A cursor over a date's text.
struct Reader {
  std::string_view s;
  std::size_t at = 0;

  bool done() const { return at == s.size(); }
  bool take(char c) {
    if (at < s.size() && s[at] == c) {
      ++at;
      return true;
    }
    return false;
  }
  bool take_any(std::string_view chars) {
    if (at < s.size() && chars.find(s[at]) != std::string_view::npos) {
      ++at;
      return true;
    }
    return false;
  }
  // At least one space (RFC 2822 separates its fields with folding white space).
  bool spaces() {
    const std::size_t from = at;
    while (at < s.size() && (s[at] == ' ' || s[at] == '\t')) ++at;
    return at > from;
  }
  // Between `least` and `most` digits, as a number.
  bool number(int least, int most, int& out) {
    int n = 0, value = 0;
    while (n < most && at < s.size() && is_digit(s[at])) {
      value = value * 10 + (s[at] - '0');
      ++at;
      ++n;
    }
    out = value;
    return n >= least;
  }
  // `word` in any case of its letters, not followed by another letter.
  bool word(std::string_view word) {
    if (s.size() - at < word.size()) return false;
    for (std::size_t k = 0; k < word.size(); ++k) {
      if (lower(s[at + k]) != word[k]) return false;
    }
    const std::size_t end = at + word.size();
    if (end < s.size() && lower(s[end]) >= 'a' && lower(s[end]) <= 'z') return false;
    at = end;
    return true;
  }
};

// HH:MM, HH:MM:SS or HH:MM:SS.fraction (also with a comma), in range (a leap second's :60 too).
bool read_time(Reader& r, Written& w) {
  if (!r.number(2, 2, w.hour) || !r.take(':') || !r.number(2, 2, w.minute)) return false;
  if (r.take(':')) {
    if (!r.number(2, 2, w.second)) return false;
    if (r.take_any(".,")) {
      const std::size_t from = r.at;
      while (!r.done() && is_digit(r.s[r.at])) ++r.at;
      if (r.at == from || r.at - from > 18) return false;
      std::string_view digits = r.s.substr(from, r.at - from);
      while (!digits.empty() && digits.back() == '0') digits.remove_suffix(1);
      w.fraction = digits;
    }
  }
  return w.hour <= 23 && w.minute <= 59 && w.second <= 60;
}

// The zone, if any, and then the end of the text. `rfc2822`: North American zone names too.
bool read_zone(Reader& r, bool rfc2822, Written& w) {
  r.spaces();
  if (r.done()) return true;  // no zone: UTC
  if (r.take_any("Zz") || r.word("utc") || r.word("gmt") || (rfc2822 && r.word("ut"))) {
    return r.done();
  }
  if (rfc2822) {
    struct Named {
      std::string_view name;
      int hours;
    };
    static constexpr Named kZones[] = {{"est", -5}, {"edt", -4}, {"cst", -6}, {"cdt", -5},
                                       {"mst", -7}, {"mdt", -6}, {"pst", -8}, {"pdt", -7}};
    for (const Named& z : kZones) {
      if (r.word(z.name)) {
        w.offset_minutes = z.hours * 60;
        return r.done();
      }
    }
  }
  const bool east = r.take('+');
  if (!east && !r.take('-')) return false;
  int hours = 0, minutes = 0;
  if (!r.number(2, 2, hours)) return false;
  if (r.take(':')) {
    if (!r.number(2, 2, minutes)) return false;
  } else if (!r.done() && !r.number(2, 2, minutes)) {
    return false;
  }
  if (hours > 23 || minutes > 59) return false;
  w.offset_minutes = (east ? 1 : -1) * (hours * 60 + minutes);
  return r.done();
}

// ISO 8601 / RFC 3339: YYYY-MM-DD (or YYYY/MM/DD), then optionally a time and a zone.
bool read_iso(std::string_view text, Written& w) {
  Reader r{text};
  if (!r.number(4, 4, w.year)) return false;
  const char separator = r.done() ? '\0' : text[r.at];
  if ((separator != '-' && separator != '/') || !r.take(separator) || !r.number(2, 2, w.month) ||
      !r.take(separator) || !r.number(2, 2, w.day)) {
    return false;
  }
  if (r.done()) return true;  // a day alone
  if (!r.take_any("Tt ")) return false;
  w.has_time = true;
  return read_time(r, w) && read_zone(r, false, w);
}

// ISO 8601's basic form of a day, YYYYMMDD.
bool read_basic_day(std::string_view text, Written& w) {
  Reader r{text};
  return text.size() == 8 && r.number(4, 4, w.year) && r.number(2, 2, w.month) &&
         r.number(2, 2, w.day);
}

// A month's English name, whole or in three letters (or "Sept"), maybe with a point after.
bool read_month(Reader& r, int& month) {
  static constexpr std::string_view kNames[] = {"january",   "february", "march",    "april",
                                                "may",       "june",     "july",     "august",
                                                "september", "october",  "november", "december"};
  for (int m = 0; m < 12; ++m) {
    if (r.word(kNames[m]) || r.word(kNames[m].substr(0, 3)) || (m == 8 && r.word("sept"))) {
      month = m + 1;
      (void)r.take('.');
      return true;
    }
  }
  return false;
}

// An English weekday, whole or in three letters, and the comma and spaces after it; or nothing.
bool skip_weekday(Reader& r) {
  static constexpr std::string_view kNames[] = {"monday", "tuesday",  "wednesday", "thursday",
                                                "friday", "saturday", "sunday"};
  for (const std::string_view day : kNames) {
    if (r.word(day) || r.word(day.substr(0, 3))) {
      (void)r.take(',');
      return r.spaces();
    }
  }
  return true;
}

// RFC 2822 and the day first in words: [Fri, ]1 Oct 2021[ 08:00[:00][ zone]].
bool read_day_month_year(std::string_view text, Written& w) {
  Reader r{text};
  if (!skip_weekday(r) || !r.number(1, 2, w.day) || !r.spaces() || !read_month(r, w.month) ||
      !r.spaces() || !r.number(4, 4, w.year)) {
    return false;
  }
  if (r.done()) return true;
  if (!r.spaces()) return false;
  w.has_time = true;
  return read_time(r, w) && read_zone(r, true, w);
}

// The month first in words, as American English writes a day: [Friday, ]October 1, 2021.
bool read_month_day_year(std::string_view text, Written& w) {
  Reader r{text};
  if (!skip_weekday(r) || !read_month(r, w.month) || !r.spaces() || !r.number(1, 2, w.day)) {
    return false;
  }
  (void)r.take(',');
  return r.spaces() && r.number(4, 4, w.year) && r.done();
}

char* put(char* p, int value, int width) {
  for (int k = width - 1; k >= 0; --k) {
    p[k] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return p + width;
}

// The moment in UTC, "YYYY-MM-DDTHH:MM:SS[.fraction]" (a day alone: "YYYY-MM-DD"), into
// `buffer`; false for a day that does not exist or a moment outside the years 0000-9999.
bool write_utc(const Written& w, DateBuffer& buffer, std::size_t& size) {
  using namespace std::chrono;
  const year_month_day day{year{w.year}, month{static_cast<unsigned>(w.month)},
                           std::chrono::day{static_cast<unsigned>(w.day)}};
  if (!day.ok()) return false;
  char* p = buffer.data();
  if (!w.has_time) {  // a day alone, in no zone
    p = put(p, w.year, 4);
    *p++ = '-';
    p = put(p, w.month, 2);
    *p++ = '-';
    p = put(p, w.day, 2);
    size = static_cast<std::size_t>(p - buffer.data());
    return true;
  }
  const sys_time<minutes> local =
      sys_days{day} + hours{w.hour} + minutes{w.minute} - minutes{w.offset_minutes};
  const sys_days utc_day = floor<days>(local);
  const year_month_day ymd{utc_day};
  const int y = static_cast<int>(ymd.year());
  if (y < 0 || y > 9999) return false;
  const auto in_day = static_cast<int>((local - utc_day).count());
  p = put(p, y, 4);
  *p++ = '-';
  p = put(p, static_cast<int>(static_cast<unsigned>(ymd.month())), 2);
  *p++ = '-';
  p = put(p, static_cast<int>(static_cast<unsigned>(ymd.day())), 2);
  *p++ = 'T';
  p = put(p, in_day / 60, 2);
  *p++ = ':';
  p = put(p, in_day % 60, 2);
  *p++ = ':';
  p = put(p, w.second, 2);
  if (!w.fraction.empty()) {  // at most 18 digits: 20 + 18 bytes fit
    *p++ = '.';
    std::memcpy(p, w.fraction.data(), w.fraction.size());
    p += w.fraction.size();
  }
  size = static_cast<std::size_t>(p - buffer.data());
  return true;
}

// The date read in one of the forms, into `buffer`: false where it is in none.
bool read_date(std::string_view date, DateBuffer& buffer, std::size_t& size) {
  if (date.size() < 8 || date.size() > 128) return false;  // "YYYYMMDD" is the shortest read
  Written w;
  const bool read = read_iso(date, w) || (w = Written{}, read_basic_day(date, w)) ||
                    (w = Written{}, read_day_month_year(date, w)) ||
                    (w = Written{}, read_month_day_year(date, w));
  return read && write_utc(w, buffer, size);
}

}  // namespace

bool reads_as_date(std::string_view date) {
  DateBuffer buffer;
  std::size_t size = 0;
  return read_date(date, buffer, size);
}

std::string_view sortable_date(std::string_view date, DateBuffer& buffer) {
  std::size_t size = 0;
  if (!read_date(date, buffer, size)) return date;
  const std::string_view sortable(buffer.data(), size);
  return sortable == date ? date : sortable;
}

int compare_dates(std::string_view a, std::string_view b) {
  DateBuffer x, y;
  return sortable_date(a, x).compare(sortable_date(b, y));
}

}  // namespace doppel
