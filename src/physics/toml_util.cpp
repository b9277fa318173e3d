#include "toml_util.hpp"

#include <fmt/format.h>

namespace needlework::physics::detail {

std::string location(std::string_view source_name, std::string_view field) {
  if (field.empty()) return std::string(source_name);
  return fmt::format("{}: {}", source_name, field);
}

Result<toml::table> parse_toml(std::string_view text, std::string_view source_name) {
  try {
    return toml::parse(text, std::string(source_name));
  } catch (const toml::parse_error& e) {
    const auto& pos = e.source().begin;
    return fail(ErrorCode::parse_error, std::string(e.description()),
                fmt::format("{}:{}:{}", source_name, pos.line, pos.column));
  }
}

std::string TableReader::field(std::string_view key) const {
  return path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key);
}

std::string TableReader::where(std::string_view key) const {
  if (const toml::node* n = table_->get(key)) {
    const auto& pos = n->source().begin;
    if (pos.line > 0) return fmt::format("{}:{}:{}: {}", source_, pos.line, pos.column, field(key));
  }
  return location(source_, field(key));
}

Result<std::string> TableReader::string(std::string_view key) const {
  const toml::node* n = table_->get(key);
  if (!n) return fail(ErrorCode::missing_field, "is required", where(key));
  if (auto s = n->value<std::string>()) return *s;
  return fail(ErrorCode::invalid_value, "must be a string", where(key));
}

std::optional<std::string> TableReader::optional_string(std::string_view key) const {
  if (const toml::node* n = table_->get(key)) return n->value<std::string>();
  return std::nullopt;
}

std::optional<bool> TableReader::optional_bool(std::string_view key) const {
  if (const toml::node* n = table_->get(key)) return n->value<bool>();
  return std::nullopt;
}

std::vector<std::string> TableReader::string_list(std::string_view key) const {
  std::vector<std::string> out;
  if (const toml::array* a = table_->get_as<toml::array>(key)) {
    for (const auto& e : *a) {
      if (auto s = e.value<std::string>()) out.push_back(*s);
    }
  }
  return out;
}

Result<double> TableReader::number(std::string_view key) const {
  const toml::node* n = table_->get(key);
  if (!n) return fail(ErrorCode::missing_field, "is required", where(key));
  if (auto v = n->value<double>()) return *v;  // toml++ converts integers to double here
  return fail(ErrorCode::invalid_value, "must be a number", where(key));
}

Result<std::int64_t> TableReader::integer(std::string_view key) const {
  const toml::node* n = table_->get(key);
  if (!n) return fail(ErrorCode::missing_field, "is required", where(key));
  if (n->is_integer()) return *n->value<std::int64_t>();
  return fail(ErrorCode::invalid_value, "must be a whole number", where(key));
}

Result<void> TableReader::require_source(std::string_view key) const {
  const std::string source_key = fmt::format("{}_source", key);
  auto s = optional_string(source_key);
  if (!s || s->empty()) {
    return fail(ErrorCode::missing_field,
                fmt::format("every number needs a source: add `{} = \"FACTS §… <reference>\"`", source_key),
                where(key));
  }
  return {};
}

Result<double> TableReader::sourced_number(std::string_view key) const {
  NW_TRY(v, number(key));
  NW_CHECK(require_source(key));
  return v;
}

Result<std::int64_t> TableReader::sourced_integer(std::string_view key) const {
  NW_TRY(v, integer(key));
  NW_CHECK(require_source(key));
  return v;
}

Result<TableReader> TableReader::table(std::string_view key) const {
  const toml::node* n = table_->get(key);
  if (!n)
    return fail(ErrorCode::missing_field, fmt::format("the table [{}] is required", field(key)), where(key));
  if (const toml::table* t = n->as_table()) return TableReader(*t, source_, field(key));
  return fail(ErrorCode::invalid_value, "must be a table", where(key));
}

Result<std::vector<TableReader>> TableReader::table_array(std::string_view key) const {
  const toml::node* n = table_->get(key);
  if (!n) return fail(ErrorCode::missing_field, "is required", where(key));
  const toml::array* a = n->as_array();
  if (!a) return fail(ErrorCode::invalid_value, "must be an array of tables", where(key));
  std::vector<TableReader> out;
  std::size_t i = 0;
  for (const auto& e : *a) {
    const toml::table* t = e.as_table();
    if (!t) return fail(ErrorCode::invalid_value, "must be an array of tables", where(key));
    out.emplace_back(*t, source_, fmt::format("{}[{}]", field(key), i++));
  }
  return out;
}

}  // namespace needlework::physics::detail
