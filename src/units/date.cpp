#include "needlework/units/date.hpp"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <charconv>

namespace needlework::units {
namespace {

bool read_int(std::string_view text, std::size_t pos, std::size_t len, int& out) {
  if (pos + len > text.size()) return false;
  for (std::size_t i = pos; i < pos + len; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  auto [p, ec] = std::from_chars(text.data() + pos, text.data() + pos + len, out);
  return ec == std::errc{} && p == text.data() + pos + len;
}

}  // namespace

Result<Date> parse_date(std::string_view text) {
  int y = 0, m = 0, d = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !read_int(text, 0, 4, y) ||
      !read_int(text, 5, 2, m) || !read_int(text, 8, 2, d)) {
    return fail(ErrorCode::parse_error, fmt::format("'{}' is not a date in the form YYYY-MM-DD", text));
  }
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(m)},
                                        std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return fail(ErrorCode::invalid_value, fmt::format("'{}' is not a calendar date", text));
  // Clinical dates lie between these years; outside them a typo is far likelier than a real date.
  if (y < 1900 || y > 2999) {
    return fail(ErrorCode::out_of_range, fmt::format("'{}' is outside the years 1900–2999", text));
  }
  return std::chrono::sys_days{ymd};
}

Result<DateTime> parse_date_time(std::string_view text) {
  // YYYY-MM-DDTHH:MMZ or YYYY-MM-DDTHH:MM:SSZ
  const bool with_seconds = text.size() == 20;
  if ((text.size() != 17 && !with_seconds) || text[10] != 'T' || text.back() != 'Z' || text[13] != ':' ||
      (with_seconds && text[16] != ':')) {
    return fail(ErrorCode::parse_error,
                fmt::format("'{}' is not a UTC time in the form YYYY-MM-DDTHH:MM:SSZ", text));
  }
  NW_TRY(day, parse_date(text.substr(0, 10)));
  int hh = 0, mm = 0, ss = 0;
  if (!read_int(text, 11, 2, hh) || !read_int(text, 14, 2, mm) ||
      (with_seconds && !read_int(text, 17, 2, ss)) || hh > 23 || mm > 59 || ss > 59) {
    return fail(ErrorCode::invalid_value, fmt::format("'{}' has an impossible time of day", text));
  }
  return std::chrono::time_point_cast<std::chrono::seconds>(day) + std::chrono::hours{hh} +
         std::chrono::minutes{mm} + std::chrono::seconds{ss};
}

std::string format_date(Date d) {
  const std::chrono::year_month_day ymd{d};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()));
}

std::string format_date_time(DateTime t) {
  // One format, parsed at compile time: every stored write formats a few of these, and fmt's run-time parsing
  // of the pattern was most of their cost.
  const auto day = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss hms{t - day};
  return fmt::format(FMT_COMPILE("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z"), static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

std::string_view weekday_name(Date d) {
  static constexpr std::string_view names[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  return names[std::chrono::weekday{d}.c_encoding()];
}

Date add_months(Date d, int months) {
  const std::chrono::year_month_day ymd{d};
  const auto target = std::chrono::year_month{ymd.year(), ymd.month()} + std::chrono::months{months};
  const auto last =
      std::chrono::year_month_day_last{target.year(), std::chrono::month_day_last{target.month()}};
  const auto day = ymd.day() > last.day() ? last.day() : ymd.day();
  return std::chrono::sys_days{std::chrono::year_month_day{target.year(), target.month(), day}};
}

}  // namespace needlework::units
