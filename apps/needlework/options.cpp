#include "options.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

namespace needlework::cli {

namespace {

/// A parse error of `option`'s value: the parser's code and message, located at the option.
Error at_option(Error e, const std::string& option) {
  e.where = option;
  return e;
}

}  // namespace

Result<units::Date> parse_date_option(const std::string& text, const std::string& option) {
  auto d = units::parse_date(text);
  if (!d) return std::unexpected(at_option(d.error(), option));
  return d;
}

Result<units::DateTime> parse_date_time_option(const std::string& text, const std::string& option) {
  auto t = units::parse_date_time(text);
  if (!t) return std::unexpected(at_option(t.error(), option));
  return t;
}

Result<double> parse_number(const std::string& text, const std::string& option) {
  double value = 0;
  const char* first = text.data();
  const char* last = first + text.size();
  const auto [ptr, ec] = std::from_chars(first, last, value);
  if (ec != std::errc{} || ptr != last || text.empty() || !std::isfinite(value)) {
    return fail(ErrorCode::invalid_value, fmt::format("'{}' is not a number", text), option);
  }
  return value;
}

Error name_option(Error e, const OptionNames& names) {
  for (const auto& [field, option] : names) {
    if (e.where == field || e.where.starts_with(field + "[")) e.where = option;
  }
  return e;
}

}  // namespace needlework::cli
