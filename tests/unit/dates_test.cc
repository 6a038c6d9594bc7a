// Dates as doppel orders them (corpus/dates.h): the forms it reads as moments, against the C
// library's own calendar (timegm, gmtime_r) as the reference, and the texts it leaves alone.
#include "corpus/dates.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <ctime>
#include <random>
#include <string>
#include <vector>

#include "cluster/clusters.h"
#include "passages/sources.h"

namespace doppel {
namespace {

std::string sortable(std::string_view date) {
  DateBuffer buffer;
  return std::string(sortable_date(date, buffer));
}

TEST(Dates, ZonesAndFormsAreReadAsTheMomentInUtc) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"2021-10-01T08:00:00Z", "2021-10-01T08:00:00"},
      {"2021-10-01T08:00:00", "2021-10-01T08:00:00"},
      {"2021-10-01t08:00z", "2021-10-01T08:00:00"},
      {"2021-10-01 08:00:00", "2021-10-01T08:00:00"},
      {"2021-10-01 08:00:00 UTC", "2021-10-01T08:00:00"},
      {"2021-10-01T10:00:00+02:00", "2021-10-01T08:00:00"},
      {"2021-10-01T10:00:00+0200", "2021-10-01T08:00:00"},
      {"2021-10-01T10:00:00+02", "2021-10-01T08:00:00"},
      {"2021-10-01T10:00:00 +02:00", "2021-10-01T08:00:00"},
      {"2021-09-30T23:00:00-05:00", "2021-10-01T04:00:00"},
      {"2021-03-01T23:00:00-05:00", "2021-03-02T04:00:00"},
      {"2020-03-01T00:30:00+01:00", "2020-02-29T23:30:00"},  // a leap year's February
      {"2021-01-01T00:30:00+01:00", "2020-12-31T23:30:00"},
      {"2021-12-31T23:30:00-01:00", "2022-01-01T00:30:00"},
      {"2021-10-01T08:00:00.500Z", "2021-10-01T08:00:00.5"},
      {"2021-10-01T08:00:00,25+00:00", "2021-10-01T08:00:00.25"},
      {"2021-10-01T08:00:00.000Z", "2021-10-01T08:00:00"},
      {"2016-12-31T23:59:60Z", "2016-12-31T23:59:60"},  // a leap second
      {"Fri, 01 Oct 2021 08:00:00 +0000", "2021-10-01T08:00:00"},
      {"Fri, 1 Oct 2021 10:00:00 +0200", "2021-10-01T08:00:00"},
      {"1 Oct 2021 08:00 GMT", "2021-10-01T08:00:00"},
      {"fri, 01 OCT 2021 04:00:00 EDT", "2021-10-01T08:00:00"},
      {"Fri, 01 Oct 2021 00:00:00 PST", "2021-10-01T08:00:00"},
      {"Thu, 30 Sep 2021 22:00:00 -1000", "2021-10-01T08:00:00"},
      {"Fri,  01 Oct 2021  08:00:00  UT", "2021-10-01T08:00:00"},
      {"Fri 01 Oct 2021 08:00:00 +0000", "2021-10-01T08:00:00"},
      {"Friday, 1 October 2021 08:00", "2021-10-01T08:00:00"},
      // Days alone, in other forms than YYYY-MM-DD.
      {"2023/02/06", "2023-02-06"},
      {"2023/02/06 10:00 +01:00", "2023-02-06T09:00:00"},
      {"20230204", "2023-02-04"},
      {"7 Feb 2023", "2023-02-07"},
      {"07 feb. 2023", "2023-02-07"},
      {"February 7, 2023", "2023-02-07"},
      {"Tuesday, Feb. 7, 2023", "2023-02-07"},
      {"Sept 7 2023", "2023-09-07"},
  };
  for (const auto& [written, expected] : cases) {
    EXPECT_EQ(sortable(written), expected) << written;
  }
}

TEST(Dates, OtherTextsSortAsWritten) {
  const std::vector<std::string> kept = {
      "",
      "2021-10-01",                     // a day alone: before any time on it
      "2021-10",                        // a month
      "1987",                           // a year
      "unknown",                        //
      "03/01/2021 08:00:00",            // not a form it reads
      "2021-13-01T08:00:00Z",           // no 13th month
      "2021-02-29T08:00:00Z",           // 2021 is not a leap year
      "2021-04-31T08:00:00Z",           // nor has April 31 days
      "2021-10-01T24:00:00Z",           // 24:00 is left as written
      "2021-10-01T08:60:00Z",           //
      "2021-10-01T08:00:61Z",           //
      "2021-10-01T08:00:00+24:00",      // no such zone
      "2021-10-01T08:00:00+02:60",      //
      "2021-10-01T08:00:00+2",          //
      "2021-10-01T08:00:00 EST",        // names of zones only in RFC 2822's form
      "2021-10-01T08:00:00Z trailing",  //
      "2021-10-01T08:00:00.Z",          // a point without digits
      "2021-10-01T8:00:00Z",            // one digit for the hour
      "0000-01-01T00:30:00+01:00",      // before the year 0
      "9999-12-31T23:30:00-01:00",      // after 9999
      "Fry, 01 Oct 2021 08:00:00 +0000",
      "2023-02/06",              // two separators
      "20231301",                // no 13th month
      "12345678",                //
      "February 30, 2023",       //
      "February 7, 2023 10:00",  // the month first, with a time
      "7 Feb 2023,",             //
      "01 Octo 2021 08:00:00 +0000",
      "01 Oct 21 08:00:00 +0000",  // a two-digit year
      "32 Oct 2021 08:00:00 +0000",
  };
  for (const std::string& date : kept) {
    DateBuffer buffer;
    const std::string_view got = sortable_date(date, buffer);
    EXPECT_EQ(got, date);
    EXPECT_EQ(got.data(), date.data()) << date << ": the date itself, not a copy";
  }
}

// The reference: the moment as seconds since 1970 by timegm(), and its UTC text by gmtime_r().
std::string utc_text(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

TEST(Dates, RandomMomentsInEveryFormAgreeWithTheCLibrary) {
  std::mt19937_64 rng(20211001);
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  struct Moment {
    std::time_t utc;
    std::string written;
  };
  std::vector<Moment> moments;
  for (int i = 0; i < 3000; ++i) {
    // Local time: a moment between 1900 and 2100, written in a zone of -12:00 to +14:00 (whole,
    // half and quarter hours).
    const std::time_t local =
        static_cast<std::time_t>(rng() % (200ull * 365 * 86400)) - std::time_t{70} * 365 * 86400;
    const int offset = (static_cast<int>(rng() % (26 * 4 + 1)) - 12 * 4) * 15;  // minutes
    std::tm tm{};
    gmtime_r(&local, &tm);
    const std::time_t utc = local - std::time_t{offset} * 60;
    const char sign = offset < 0 ? '-' : '+';
    const int off = std::abs(offset);
    std::string written;
    switch (rng() % 4) {
      case 0:
        written = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}{:02}:{:02}", tm.tm_year + 1900,
                              tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, sign,
                              off / 60, off % 60);
        break;
      case 1:
        written = fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02} {}{:02}{:02}", tm.tm_year + 1900,
                              tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, sign,
                              off / 60, off % 60);
        break;
      case 2:
        written = fmt::format("{}, {:02} {} {:04} {:02}:{:02}:{:02} {}{:02}{:02}",
                              kDays[tm.tm_wday], tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900,
                              tm.tm_hour, tm.tm_min, tm.tm_sec, sign, off / 60, off % 60);
        break;
      default:
        written = fmt::format("{} {} {:04} {:02}:{:02}:{:02} {}{:02}{:02}", tm.tm_mday,
                              kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                              tm.tm_sec, sign, off / 60, off % 60);
        break;
    }
    if (tm.tm_year + 1900 < 1901 || tm.tm_year + 1900 > 2099) continue;  // 0000-9999 stays
    ASSERT_EQ(sortable(written), utc_text(utc)) << written;
    moments.push_back(Moment{utc, written});
  }
  ASSERT_GT(moments.size(), 2500u);
  for (std::size_t k = 0; k + 1 < moments.size(); ++k) {
    const Moment &a = moments[k], &b = moments[k + 1];
    const int got = compare_dates(a.written, b.written);
    EXPECT_EQ(got < 0, a.utc < b.utc) << a.written << " against " << b.written;
    EXPECT_EQ(got == 0, a.utc == b.utc) << a.written << " against " << b.written;
  }
}

TEST(Dates, EarliestAndSourcesFollowTheMomentNotTheText) {
  // As text, the second is the earliest; as moments, the third (07:00 UTC), then the first.
  const std::vector<std::string_view> dates = {
      "2021-10-01T08:00:00Z", "", "2021-10-01T09:00:00+02:00", "Fri, 01 Oct 2021 08:30:00 +0000"};
  const std::vector<std::uint32_t> rank = rank_by_date(dates);
  EXPECT_EQ(rank, (std::vector<std::uint32_t>{1, 3, 0, 2}));
  auto date_of = [&](std::uint32_t k) { return dates[k]; };
  auto bytes_of = [](std::uint32_t) { return std::uint64_t{0}; };
  EXPECT_EQ(choose_member(4, KeepPolicy::kEarliest, date_of, bytes_of), 2u);
  EXPECT_EQ(choose_member(4, KeepPolicy::kLatest, date_of, bytes_of), 3u);
  // One moment written two ways: a tie, which goes to input order.
  const std::vector<std::string_view> same = {"2021-10-01T10:00:00+02:00", "2021-10-01 08:00 UTC"};
  EXPECT_EQ(rank_by_date(same), (std::vector<std::uint32_t>{0, 1}));
  EXPECT_EQ(compare_dates(same[0], same[1]), 0);
}

}  // namespace
}  // namespace doppel
