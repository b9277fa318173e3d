#pragma once
/// Calendar dates and times as `std::chrono` types: a `Date` is a day (`sys_days`), a `DateTime` a UTC
/// instant in seconds. Text at every boundary is ISO 8601 (`2026-11-23`, `2026-11-23T14:30:00Z`).

#include <chrono>
#include <string>
#include <string_view>

#include "needlework/units/error.hpp"

namespace needlework::units {

using Date = std::chrono::sys_days;
using DateTime = std::chrono::sys_seconds;
using Days = std::chrono::days;
using Hours = std::chrono::hours;
using Minutes = std::chrono::minutes;

/// Parses `YYYY-MM-DD`; refuses impossible dates (2026-02-30).
[[nodiscard]] Result<Date> parse_date(std::string_view text);
/// Parses `YYYY-MM-DDTHH:MM[:SS]Z` (UTC); a trailing `Z` is required so no local-time ambiguity enters.
[[nodiscard]] Result<DateTime> parse_date_time(std::string_view text);

[[nodiscard]] std::string format_date(Date d);
[[nodiscard]] std::string format_date_time(DateTime t);
/// "Mon", "Tue", …
[[nodiscard]] std::string_view weekday_name(Date d);

/// The same day of month `months` later, clamped to the month's last day (Jan 31 + 1 month = Feb 28/29).
[[nodiscard]] Date add_months(Date d, int months);

}  // namespace needlework::units
