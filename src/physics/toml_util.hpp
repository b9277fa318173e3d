#pragma once
// Private helpers for reading the physics data files with toml++: typed field access whose failures name the
// file, line and field, and the house rule that every number carries a `<field>_source` string.

#include <toml++/toml.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "needlework/units/error.hpp"

namespace needlework::physics::detail {

/// "file: field" — the location format of data-file errors without a line.
std::string location(std::string_view source_name, std::string_view field);

/// Parses TOML text; a syntax error becomes `parse_error` at "file:line:column".
Result<toml::table> parse_toml(std::string_view text, std::string_view source_name);

/// Typed access to one table, with the path of the table for error messages ("drum", "region[3]").
class TableReader {
 public:
  TableReader(const toml::table& table, std::string_view source_name, std::string path)
      : table_(&table), source_(source_name), path_(std::move(path)) {}

  [[nodiscard]] bool has(std::string_view key) const { return table_->contains(key); }
  /// "file:line:col: path.key" when the key is present, else "file: path.key".
  [[nodiscard]] std::string where(std::string_view key) const;

  [[nodiscard]] Result<std::string> string(std::string_view key) const;
  [[nodiscard]] std::optional<std::string> optional_string(std::string_view key) const;
  [[nodiscard]] std::optional<bool> optional_bool(std::string_view key) const;
  [[nodiscard]] std::vector<std::string> string_list(std::string_view key) const;
  [[nodiscard]] Result<double> number(std::string_view key) const;
  [[nodiscard]] Result<std::int64_t> integer(std::string_view key) const;
  /// A number that must be accompanied by a non-empty `<key>_source` string.
  [[nodiscard]] Result<double> sourced_number(std::string_view key) const;
  [[nodiscard]] Result<std::int64_t> sourced_integer(std::string_view key) const;
  [[nodiscard]] Result<TableReader> table(std::string_view key) const;
  [[nodiscard]] Result<std::vector<TableReader>> table_array(std::string_view key) const;

 private:
  [[nodiscard]] std::string field(std::string_view key) const;
  [[nodiscard]] Result<void> require_source(std::string_view key) const;
  const toml::table* table_;
  std::string_view source_;
  std::string path_;
};

}  // namespace needlework::physics::detail
