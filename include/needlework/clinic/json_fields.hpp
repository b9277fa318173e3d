#pragma once
/// Reading the fields of a JSON object strictly, naming each problem by its path ("areas[1].concerns"): a
/// field of the wrong type, a required one missing, a number outside its one rule (fields.hpp) and — once the
/// reader is done — any field it did not ask for. The intake, session and follow-up readers use it, and so do
/// the HTTP API's request bodies, so every JSON input is read the same way.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "needlework/units/date.hpp"
#include "needlework/units/error.hpp"
#include "needlework/units/number.hpp"

namespace needlework::clinic {

using nlohmann::json;
using units::Date;

inline std::string path_of(std::string_view parent, std::string_view key) {
  return parent.empty() ? std::string(key) : fmt::format("{}.{}", parent, key);
}

/// Reads fields of one JSON object and reports unknown ones, naming each by its path ("areas[1].concerns").
class JsonFields {
 public:
  JsonFields(const json& j, std::string path = {}) : j_(j), path_(std::move(path)) {}

  Result<void> require_object() const {
    if (!j_.is_object())
      return fail(ErrorCode::invalid_value, "must be an object", path_.empty() ? "$" : path_);
    return {};
  }
  const json* get(std::string_view key) {
    known_.insert(std::string(key));
    auto it = j_.find(key);
    return it == j_.end() || it->is_null() ? nullptr : &*it;
  }
  [[nodiscard]] std::string at(std::string_view key) const { return path_of(path_, key); }

  Result<std::string> string(std::string_view key, bool required = true) {
    const json* v = get(key);
    if (v == nullptr) {
      if (required) return fail(ErrorCode::missing_field, "is required", at(key));
      return std::string{};
    }
    if (!v->is_string()) return fail(ErrorCode::invalid_value, "must be a string", at(key));
    auto s = v->get<std::string>();
    if (s.empty() && required) return fail(ErrorCode::invalid_value, "must not be empty", at(key));
    return s;
  }
  Result<std::optional<Date>> date(std::string_view key, bool required) {
    NW_TRY(s, string(key, required));
    if (s.empty()) return std::optional<Date>{};
    auto d = units::parse_date(s);
    if (!d) return fail(d.error().code, d.error().message, at(key));
    return std::optional<Date>{*d};
  }
  Result<std::vector<std::string>> strings(std::string_view key, bool required) {
    const json* v = get(key);
    std::vector<std::string> out;
    if (v == nullptr) {
      if (required) return fail(ErrorCode::missing_field, "is required (a list)", at(key));
      return out;
    }
    if (!v->is_array()) return fail(ErrorCode::invalid_value, "must be a list of strings", at(key));
    for (std::size_t i = 0; i < v->size(); ++i) {
      if (!(*v)[i].is_string()) {
        return fail(ErrorCode::invalid_value, "must be a string", fmt::format("{}[{}]", at(key), i));
      }
      out.push_back((*v)[i].get<std::string>());
    }
    return out;
  }
  Result<bool> boolean(std::string_view key, bool fallback) {
    const json* v = get(key);
    if (v == nullptr) return fallback;
    if (!v->is_boolean()) return fail(ErrorCode::invalid_value, "must be true or false", at(key));
    return v->get<bool>();
  }

  /// A number checked with its field's one rule (fields.hpp); nothing when absent and not required.
  Result<std::optional<double>> number(std::string_view key, const units::NumberRule& rule, bool required) {
    const json* v = get(key);
    if (v == nullptr) {
      if (required) return fail(ErrorCode::missing_field, "is required", at(key));
      return std::optional<double>{};
    }
    if (!v->is_number()) return fail(ErrorCode::invalid_value, "must be a number", at(key));
    auto checked = units::check_number(v->get<double>(), rule);
    if (!checked) return fail(checked.error().code, checked.error().message, at(key));
    return std::optional<double>{*checked};
  }
  /// A whole number in [lo, hi]; nothing when absent and not required.
  Result<std::optional<std::int64_t>> integer(std::string_view key, std::int64_t lo, std::int64_t hi,
                                              bool required) {
    const json* v = get(key);
    if (v == nullptr) {
      if (required) return fail(ErrorCode::missing_field, "is required", at(key));
      return std::optional<std::int64_t>{};
    }
    if (!v->is_number_integer()) return fail(ErrorCode::invalid_value, "must be a whole number", at(key));
    const auto n = v->is_number_unsigned() && v->get<std::uint64_t>() > std::uint64_t(INT64_MAX)
                       ? std::optional<std::int64_t>{}
                       : std::optional<std::int64_t>{v->get<std::int64_t>()};
    if (!n || *n < lo || *n > hi) {
      return fail(ErrorCode::out_of_range, fmt::format("must be between {} and {}", lo, hi), at(key));
    }
    return n;
  }

  Result<void> finish() const {
    for (const auto& [k, v] : j_.items()) {
      if (!known_.contains(k)) {
        return fail(
            ErrorCode::unknown_field,
            fmt::format("is not a field of this object (expected one of: {})", fmt::join(known_, ", ")),
            at(k));
      }
    }
    return {};
  }

 private:
  const json& j_;
  std::string path_;
  std::set<std::string, std::less<>> known_;
};

}  // namespace needlework::clinic
