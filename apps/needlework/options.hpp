#pragma once
// Parsing of command-line option values shared by every command group: dates, date-times and numbers. Each
// helper names the option in its error ("--start: …"), so no command re-tags a parse error by hand.

#include <CLI/CLI.hpp>
#include <cstdint>
#include <exception>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "needlework/units/date.hpp"
#include "needlework/units/error.hpp"
#include "needlework/units/number.hpp"

namespace needlework::cli {

/// A date option, YYYY-MM-DD; an error names `option`.
Result<units::Date> parse_date_option(const std::string& text, const std::string& option);

/// A date-time option, YYYY-MM-DDTHH:MM:SSZ; an error names `option`.
Result<units::DateTime> parse_date_time_option(const std::string& text, const std::string& option);

/// A finite decimal number, the whole text and nothing else (no leading space, no hex, no "inf" or "nan");
/// an error names `option`.
Result<double> parse_number(const std::string& text, const std::string& option);

/// The same checked with a field's rule (units::NumberRule, the one the JSON readers use); an error names
/// `option` instead of the field.
Result<double> parse_number(const std::string& text, const std::string& option,
                            const units::NumberRule& rule);

/// Any finite number: for options whose range the engine that takes them checks (the physics options, whose
/// ranges `physics::validate` applies to the JSON documents too).
inline constexpr units::NumberRule any_finite{
    "", std::numeric_limits<double>::lowest(), std::numeric_limits<double>::max(), false, false, ""};

/// A bad option value found while the command line is parsed (by the options below). main reports it as the
/// input error it is — exit 3, naming the option, as JSON with --json — before any command runs, so a
/// command never starts with a value that was not checked.
class OptionValueError : public std::exception {
 public:
  explicit OptionValueError(Error e) : error_(std::move(e)) {}
  [[nodiscard]] const Error& error() const noexcept { return error_; }
  [[nodiscard]] const char* what() const noexcept override { return error_.message.c_str(); }

 private:
  Error error_;
};

/// A number option (`--needle-mm 1.0`) read as text and checked with `rule` (strict parse, finite, range,
/// unit) as the same field is in JSON; CLI11's own conversion, which accepts `inf`, `nan` and hex, is never
/// used. Positional arguments (a name without `-`) work the same way.
CLI::Option* add_number_option(CLI::App& cmd, const std::string& name, double& target,
                               const units::NumberRule& rule, const std::string& help);
/// The same, for an option whose absence means "the default from the data" (left empty when not given).
CLI::Option* add_number_option(CLI::App& cmd, const std::string& name, std::optional<double>& target,
                               const units::NumberRule& rule, const std::string& help);

/// A whole-number option in [min, max] (units::parse_integer): `0x10`, `1e3` and `16.0` are refused, a
/// number beyond the range (or beyond 64 bits) is "out of range" and never echoed clamped.
CLI::Option* add_integer_option(CLI::App& cmd, const std::string& name, std::int64_t& target,
                                std::int64_t min, std::int64_t max, const std::string& help);
CLI::Option* add_integer_option(CLI::App& cmd, const std::string& name, int& target, int min, int max,
                                const std::string& help);
CLI::Option* add_integer_option(CLI::App& cmd, const std::string& name, std::uint64_t& target,
                                const std::string& help);

/// A record id (1 and above): `add_integer_option` over every id a database can hold.
CLI::Option* add_id_option(CLI::App& cmd, const std::string& name, std::int64_t& target,
                           const std::string& help);

/// Engine field names and the command-line options that set them, so an error names what the person typed.
using OptionNames = std::vector<std::pair<std::string, std::string>>;

/// `e` with its location renamed to the option that set the field (`needle_length_mm` → `--needle-mm`; a
/// field's elements too: `observations[1]` → `--observed`).
Error name_option(Error e, const OptionNames& names);

}  // namespace needlework::cli
