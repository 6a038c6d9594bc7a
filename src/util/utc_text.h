// A moment as UTC ISO 8601 text, for the index's timestamps and the service's access log. Pure.
#pragma once

#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

namespace doppel {

// "2026-12-07T11:15:22Z", or with `millis` "2026-12-07T11:15:22.748Z".
inline std::string utc_text(std::chrono::system_clock::time_point at, bool millis) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
  const auto secs = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&secs, &utc);
  char buf[40];
  const int n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", utc.tm_year + 1900,
                              utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec);
  std::string text(buf, static_cast<std::size_t>(n));
  if (millis) {
    std::snprintf(buf, sizeof buf, ".%03d", static_cast<int>(ms % 1000));
    text += buf;
  }
  text += 'Z';
  return text;
}

}  // namespace doppel
