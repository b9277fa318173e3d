#pragma once
/// Rules for numbers at the system's edges, the numeric twin of text.hpp. Each numeric field has ONE
/// `NumberRule` (its name, range and unit), and every face that reads the field — a JSON file, a command-line
/// option, the HTTP API — checks it with that rule, so the same value is accepted or refused the same way
/// wherever it comes from. Text is parsed strictly: the whole text is one decimal number, with no hex, no
/// `inf` or `nan`, no leading space or `+`.

#include <cstdint>
#include <string_view>

#include "needlework/units/error.hpp"

namespace needlework::units {

/// What one numeric field accepts.
struct NumberRule {
  std::string_view field;  ///< the field's name as in JSON (`needle_length_mm`); errors are located there
  double min = 0;          ///< the smallest value allowed (excluded when `above_min`)
  double max = 0;          ///< the largest value allowed
  bool above_min = false;  ///< `min` itself is refused ("above 0")
  bool whole = false;      ///< only whole numbers
  std::string_view unit;   ///< written after values in messages ("mm", "/cm²"); may be empty
};

/// `value` checked against `rule`: finite, whole when the rule says so, inside its range. A value outside
/// the range is `out_of_range`, one that is not finite or not whole `invalid_value`; both name `rule.field`
/// and the allowed range.
[[nodiscard]] Result<double> check_number(double value, const NumberRule& rule);

/// `text` (a command-line option, a query parameter) parsed strictly as one decimal number and checked with
/// `check_number`. Text that is not a number is `invalid_value` and shows a bounded, escaped excerpt of it.
[[nodiscard]] Result<double> parse_number(std::string_view text, const NumberRule& rule);

/// `text` parsed strictly as a whole number (decimal digits with an optional leading `-`) in [min, max]. A
/// number beyond the range — also one beyond 64 bits — is `out_of_range`, never wrapped or clamped; an error
/// names `field`.
[[nodiscard]] Result<std::int64_t> parse_integer(std::string_view text, std::string_view field,
                                                 std::int64_t min, std::int64_t max);

}  // namespace needlework::units
