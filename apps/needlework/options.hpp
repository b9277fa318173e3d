#pragma once
// Parsing of command-line option values shared by every command group: dates, date-times and numbers. Each
// helper names the option in its error ("--start: …"), so no command re-tags a parse error by hand.

#include <string>
#include <utility>
#include <vector>

#include "needlework/units/date.hpp"
#include "needlework/units/error.hpp"

namespace needlework::cli {

/// A date option, YYYY-MM-DD; an error names `option`.
Result<units::Date> parse_date_option(const std::string& text, const std::string& option);

/// A date-time option, YYYY-MM-DDTHH:MM:SSZ; an error names `option`.
Result<units::DateTime> parse_date_time_option(const std::string& text, const std::string& option);

/// A finite decimal number, the whole text and nothing else (no leading space, no hex, no "inf" or "nan");
/// an error names `option`.
Result<double> parse_number(const std::string& text, const std::string& option);

/// Engine field names and the command-line options that set them, so an error names what the person typed.
using OptionNames = std::vector<std::pair<std::string, std::string>>;

/// `e` with its location renamed to the option that set the field (`needle_length_mm` → `--needle-mm`; a
/// field's elements too: `observations[1]` → `--observed`).
Error name_option(Error e, const OptionNames& names);

}  // namespace needlework::cli
