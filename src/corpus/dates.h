// How documents' dates are ordered wherever doppel decides which came first (`--keep earliest`
// and `latest`, a passage's source, the index's earlier documents, the report's date order).
// Dates are metadata carried as text; the common ways of writing a moment are read as that moment
// in UTC, so that feeds written with different time zones, or in RSS's form, sort by time. Pure
// functions.
#pragma once

#include <array>
#include <string_view>

namespace doppel {

// Room for the text a date sorts by (sortable_date()).
using DateBuffer = std::array<char, 48>;

// The text a date sorts by, byte by byte. A date with a time in one of these forms (English
// names, any case) is the moment it names, in UTC, written "YYYY-MM-DDTHH:MM:SS" with the fraction
// of a second as given less its trailing zeros (".25"); a day alone is "YYYY-MM-DD", which sorts
// before any time on that day:
//   ISO 8601 / RFC 3339: "YYYY-MM-DD" (or "YYYY/MM/DD"), then optionally "T" (or one space) and
//     "HH:MM", "HH:MM:SS" or "HH:MM:SS.fraction" (or ",fraction"), then optionally, with or
//     without a space before it, a zone: "Z", "UTC", "GMT", "+HH:MM", "+HHMM" or "+HH" (or "-");
//     also a day as "YYYYMMDD";
//   RFC 2822 (e-mail, RSS) and the like: optionally a weekday ("Fri, ", "Friday "), "D Mon YYYY"
//     (the month in three letters, or whole), then optionally "HH:MM" or "HH:MM:SS" and a zone:
//     "+HHMM" (or "-"), "GMT", "UT", "UTC", "Z", or a North American one (EST, EDT, CST, CDT,
//     MST, MDT, PST, PDT);
//   a day with the month first: optionally a weekday, then "Feb 7, 2023" or "February 7, 2023".
// A time without a zone is taken as UTC. Every other text (a year alone, "03/01/2021" whose
// order of day and month is unknown, "unknown") sorts as written. Returns a view of `date`
// itself or of `buffer`.
std::string_view sortable_date(std::string_view date, DateBuffer& buffer);

// Whether `date` is in one of the forms above (a day or a moment that exists), not text that sorts
// as written.
bool reads_as_date(std::string_view date);

// Negative, zero or positive as date a sorts before, with or after date b (their sortable_date()
// texts compared). Callers put undated documents (an empty date) where their rule says.
int compare_dates(std::string_view a, std::string_view b);

}  // namespace doppel
