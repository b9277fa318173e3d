#include "options.hpp"

#include <fmt/format.h>

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
  return parse_number(text, option, any_finite);
}

Result<double> parse_number(const std::string& text, const std::string& option,
                            const units::NumberRule& rule) {
  auto v = units::parse_number(text, rule);
  if (!v) return std::unexpected(at_option(v.error(), option));
  return v;
}

namespace {

/// The option's name as a person types it: "--needle-mm", or "roller" for a positional argument.
std::string shown_name(const std::string& name) {
  const auto comma = name.find(',');
  return comma == std::string::npos ? name : name.substr(comma + 1);
}

template <class Parse>
CLI::Option* add_checked(CLI::App& cmd, const std::string& name, const std::string& help, Parse parse) {
  const std::string shown = shown_name(name);
  return cmd.add_option_function<std::string>(
      name,
      [shown, parse](const std::string& text) {
        if (auto r = parse(text); !r) throw OptionValueError(at_option(r.error(), shown));
      },
      help);
}

/// A number option checked with `rule`, stored into a double or an optional one.
template <class Target>
CLI::Option* add_number_into(CLI::App& cmd, const std::string& name, Target& target,
                             const units::NumberRule& rule, const std::string& help) {
  return add_checked(cmd, name, help, [&target, rule](const std::string& text) -> Result<void> {
    NW_TRY(v, units::parse_number(text, rule));
    target = v;
    return {};
  });
}

}  // namespace

CLI::Option* add_number_option(CLI::App& cmd, const std::string& name, double& target,
                               const units::NumberRule& rule, const std::string& help) {
  return add_number_into(cmd, name, target, rule, help);
}

CLI::Option* add_number_option(CLI::App& cmd, const std::string& name, std::optional<double>& target,
                               const units::NumberRule& rule, const std::string& help) {
  return add_number_into(cmd, name, target, rule, help);
}

CLI::Option* add_integer_option(CLI::App& cmd, const std::string& name, std::int64_t& target,
                                std::int64_t min, std::int64_t max, const std::string& help) {
  return add_checked(cmd, name, help, [&target, min, max](const std::string& text) -> Result<void> {
    NW_TRY(v, units::parse_integer(text, "", min, max));
    target = v;
    return {};
  });
}

CLI::Option* add_integer_option(CLI::App& cmd, const std::string& name, int& target, int min, int max,
                                const std::string& help) {
  return add_checked(cmd, name, help, [&target, min, max](const std::string& text) -> Result<void> {
    NW_TRY(v, units::parse_integer(text, "", min, max));
    target = static_cast<int>(v);
    return {};
  });
}

CLI::Option* add_integer_option(CLI::App& cmd, const std::string& name, std::uint64_t& target,
                                const std::string& help) {
  return add_checked(cmd, name, help, [&target](const std::string& text) -> Result<void> {
    NW_TRY(v, units::parse_integer(text, "", 0, std::numeric_limits<std::int64_t>::max()));
    target = static_cast<std::uint64_t>(v);
    return {};
  });
}

CLI::Option* add_id_option(CLI::App& cmd, const std::string& name, std::int64_t& target,
                           const std::string& help) {
  return add_integer_option(cmd, name, target, 1, std::numeric_limits<std::int64_t>::max(), help);
}

Error name_option(Error e, const OptionNames& names) {
  for (const auto& [field, option] : names) {
    if (e.where == field || e.where.starts_with(field + "[")) e.where = option;
  }
  return e;
}

}  // namespace needlework::cli
