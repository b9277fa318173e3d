#include "needlework/units/number.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

#include "needlework/units/text.hpp"

namespace needlework::units {

namespace {

std::string with_unit(double v, std::string_view unit) {
  return unit.empty() ? fmt::format("{:g}", v) : fmt::format("{:g} {}", v, unit);
}

/// "above 0 and at most 5 mm", "0–1000": the allowed range in words.
std::string range_text(const NumberRule& r) {
  if (r.above_min) return fmt::format("above {:g} and at most {}", r.min, with_unit(r.max, r.unit));
  return fmt::format("{:g}–{}", r.min, with_unit(r.max, r.unit));
}

/// std::from_chars for a double. libc++ 16 (the fuzz build, fuzz/CMakeLists.txt) has no floating-point
/// from_chars: there, strtod in the "C" locale with from_chars' own refusals (no leading space or '+', no
/// hex).
std::from_chars_result double_from_chars(const char* first, const char* last, double& value) {
#ifdef _LIBCPP_VERSION
  const std::string text(first, last);
  if (text.empty() || text.find_first_of(" \t\n\v\f\r+") == 0 ||
      text.find_first_of("xX") != std::string::npos) {
    return {first, std::errc::invalid_argument};
  }
  char* end = nullptr;
  errno = 0;
  value = std::strtod(text.c_str(), &end);
  if (end == text.c_str()) return {first, std::errc::invalid_argument};
  return {first + (end - text.c_str()), errno == ERANGE ? std::errc::result_out_of_range : std::errc{}};
#else
  return std::from_chars(first, last, value);
#endif
}

}  // namespace

Result<double> check_number(double value, const NumberRule& rule) {
  const std::string field(rule.field);
  if (!std::isfinite(value)) {
    return fail(ErrorCode::invalid_value, fmt::format("must be a finite number ({})", range_text(rule)),
                field);
  }
  if (rule.whole && value != std::trunc(value)) {
    return fail(ErrorCode::invalid_value, fmt::format("{:g} is not a whole number", value), field);
  }
  const bool low = rule.above_min ? !(value > rule.min) : !(value >= rule.min);
  if (low || value > rule.max) {
    return fail(
        ErrorCode::out_of_range,
        fmt::format("{} is out of range: it must be {}", with_unit(value, rule.unit), range_text(rule)),
        field);
  }
  return value;
}

Result<double> parse_number(std::string_view text, const NumberRule& rule) {
  double value = 0;
  const char* first = text.data();
  const char* last = first + text.size();
  const auto [ptr, ec] = double_from_chars(first, last, value);
  if (ec == std::errc::result_out_of_range && ptr == last) {
    // 1e400: a number, but no double holds it.
    return fail(ErrorCode::out_of_range,
                fmt::format("{} is out of range: it must be {}", excerpt(text), range_text(rule)),
                std::string(rule.field));
  }
  if (text.empty() || ec != std::errc{} || ptr != last || !std::isfinite(value)) {
    return fail(ErrorCode::invalid_value, fmt::format("'{}' is not a number", excerpt(text)),
                std::string(rule.field));
  }
  return check_number(value, rule);
}

Result<std::int64_t> parse_integer(std::string_view text, std::string_view field, std::int64_t min,
                                   std::int64_t max) {
  const bool digits =
      !text.empty() &&
      text.find_first_not_of("0123456789", text[0] == '-' ? 1 : 0) == std::string_view::npos && text != "-";
  if (!digits) {
    return fail(ErrorCode::invalid_value, fmt::format("'{}' is not a whole number", excerpt(text)),
                std::string(field));
  }
  std::int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc::result_out_of_range || (ec == std::errc{} && (value < min || value > max))) {
    // Every 64-bit number is "at most 2^63 − 1": say so rather than echo that number, which reads as if the
    // value had been clamped to it.
    const std::string range = max == std::numeric_limits<std::int64_t>::max()
                                  ? fmt::format("at least {} and below 2^63", min)
                                  : fmt::format("{}–{}", min, max);
    return fail(ErrorCode::out_of_range,
                fmt::format("{} is out of range: it must be {}", excerpt(text), range), std::string(field));
  }
  if (ec != std::errc{} || ptr != text.data() + text.size()) {
    return fail(ErrorCode::invalid_value, fmt::format("'{}' is not a whole number", excerpt(text)),
                std::string(field));
  }
  return value;
}

}  // namespace needlework::units
