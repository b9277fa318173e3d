#include "needlework/clinic/intake.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "needlework/clinic/constants.hpp"
#include "needlework/clinic/fields.hpp"
#include "needlework/clinic/json_fields.hpp"

namespace needlework::clinic {
namespace {

using nlohmann::json;

using Fields = JsonFields;

template <class Finder>
Result<void> known_ids(const std::vector<std::string>& ids, std::string_view path, std::string_view what,
                       Finder&& find) {
  for (std::size_t i = 0; i < ids.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (ids[j] == ids[i]) {
        return fail(ErrorCode::invalid_value, fmt::format("'{}' is listed twice", ids[i]),
                    fmt::format("{}[{}]", path, i));
      }
    }
    if (!find(ids[i])) {
      return fail(ErrorCode::unknown_id,
                  fmt::format("'{}' is not a known {} (see `needlework pack vocabulary`)", ids[i], what),
                  fmt::format("{}[{}]", path, i));
    }
  }
  return {};
}

auto area_finder(const Pack& p) {
  return [&p](const std::string& id) { return p.find_area(id) != nullptr; };
}
auto condition_finder(const Pack& p) {
  return [&p](const std::string& id) { return p.find_condition(id) != nullptr; };
}

Result<AreaRequest> parse_area(const json& j, const std::string& path, const Pack& pack) {
  Fields f(j, path);
  NW_CHECK(f.require_object());
  AreaRequest a;
  NW_TRY(area, f.string("area"));
  if (pack.find_area(area) == nullptr) {
    return fail(ErrorCode::unknown_id,
                fmt::format("'{}' is not a known area (see `needlework pack vocabulary`)", area),
                f.at("area"));
  }
  a.area = area;
  NW_TRY(concerns, f.strings("concerns", false));
  NW_CHECK(known_ids(concerns, f.at("concerns"), "concern",
                     [&](const std::string& id) { return pack.find_concern(id) != nullptr; }));
  a.concerns = std::move(concerns);
  NW_CHECK(f.finish());
  return a;
}

Result<ConditionReport> parse_condition(const json& j, const std::string& path, const Pack& pack,
                                        Date today) {
  Fields f(j, path);
  NW_CHECK(f.require_object());
  ConditionReport c;
  NW_TRY(id, f.string("id"));
  const auto* def = pack.find_condition(id);
  if (def == nullptr) {
    return fail(ErrorCode::unknown_id,
                fmt::format("'{}' is not a known condition (see `needlework pack vocabulary`)", id),
                f.at("id"));
  }
  c.id = id;
  NW_TRY(areas, f.strings("areas", false));
  NW_CHECK(known_ids(areas, f.at("areas"), "area", area_finder(pack)));
  if (!areas.empty() && def->scope == knowledge::ConditionScope::systemic) {
    return fail(ErrorCode::invalid_value,
                fmt::format("'{}' is systemic (it concerns the whole client); remove `areas`", id),
                f.at("areas"));
  }
  c.areas = std::move(areas);
  NW_TRY(since, f.date("since", false));
  if (since && !def->dated) {
    return fail(ErrorCode::invalid_value, fmt::format("'{}' is not a dated condition; remove `since`", id),
                f.at("since"));
  }
  if (since && *since > today) {
    return fail(ErrorCode::out_of_range, "is after the intake date", f.at("since"));
  }
  c.since = since;
  NW_CHECK(f.finish());
  return c;
}

Result<Clearance> parse_clearance(const json& j, const std::string& path, const Pack& pack, Date today) {
  Fields f(j, path);
  NW_CHECK(f.require_object());
  Clearance c;
  NW_TRY(by, f.string("by"));
  c.by = by;
  NW_TRY(date, f.date("date", true));
  if (*date > today) return fail(ErrorCode::out_of_range, "is after the intake date", f.at("date"));
  c.date = *date;
  NW_TRY(reviewed, f.strings("reviewed", false));
  NW_CHECK(known_ids(reviewed, f.at("reviewed"), "condition", condition_finder(pack)));
  c.reviewed = std::move(reviewed);
  NW_CHECK(f.finish());
  return c;
}

Result<std::vector<std::string>> observations_of(Fields& f, const Pack& pack) {
  NW_TRY(obs, f.strings("observations", true));
  NW_CHECK(known_ids(obs, f.at("observations"), "observation",
                     [&](const std::string& id) { return pack.find_observation(id) != nullptr; }));
  return obs;
}

}  // namespace

bool Intake::reports(std::string_view condition) const {
  return std::any_of(conditions.begin(), conditions.end(), [&](const auto& c) { return c.id == condition; });
}

Result<Intake> parse_intake(const json& j, const Pack& pack) {
  Fields f(j, "");
  NW_CHECK(f.require_object());
  Intake in;
  NW_TRY(date, f.date("date", true));
  in.date = *date;

  const json* client = f.get("client");
  if (client == nullptr) return fail(ErrorCode::missing_field, "is required", "client");
  Fields cf(*client, "client");
  NW_CHECK(cf.require_object());
  NW_TRY(id, cf.string("id"));
  NW_TRY(name, cf.string("name"));
  NW_TRY(dob, cf.date("date_of_birth", false));
  if (dob && *dob > in.date)
    return fail(ErrorCode::out_of_range, "is after the intake date", "client.date_of_birth");
  NW_CHECK(cf.finish());
  in.client = Client{id, name, dob};

  NW_TRY(setting, f.string("setting", false));
  if (setting == "home") {
    in.setting = knowledge::Setting::home;
  } else if (setting.empty() || setting == "clinic") {
    in.setting = knowledge::Setting::clinic;
  } else {
    return fail(ErrorCode::invalid_value, fmt::format("'{}' is not a setting (clinic, home)", setting),
                "setting");
  }

  const json* areas = f.get("areas");
  if (areas == nullptr) return fail(ErrorCode::missing_field, "is required (the areas to treat)", "areas");
  if (!areas->is_array() || areas->empty()) {
    return fail(ErrorCode::invalid_value, "must be a non-empty list of {\"area\": …, \"concerns\": […]}",
                "areas");
  }
  for (std::size_t i = 0; i < areas->size(); ++i) {
    NW_TRY(a, parse_area((*areas)[i], fmt::format("areas[{}]", i), pack));
    for (const auto& earlier : in.areas) {
      if (earlier.area == a.area) {
        return fail(ErrorCode::invalid_value, fmt::format("area '{}' is listed twice", a.area),
                    fmt::format("areas[{}].area", i));
      }
    }
    in.areas.push_back(std::move(a));
  }

  if (const json* conds = f.get("conditions")) {
    if (!conds->is_array()) return fail(ErrorCode::invalid_value, "must be a list", "conditions");
    for (std::size_t i = 0; i < conds->size(); ++i) {
      NW_TRY(c, parse_condition((*conds)[i], fmt::format("conditions[{}]", i), pack, in.date));
      if (in.reports(c.id)) {
        return fail(ErrorCode::invalid_value,
                    fmt::format("'{}' is listed twice; give every place in one entry's `areas`", c.id),
                    fmt::format("conditions[{}].id", i));
      }
      in.conditions.push_back(std::move(c));
    }
  }
  if (const json* c = f.get("dermatologist_clearance")) {
    NW_TRY(clearance, parse_clearance(*c, "dermatologist_clearance", pack, in.date));
    in.clearance = std::move(clearance);
  }
  NW_CHECK(f.finish());
  return in;
}

Result<SessionInput> parse_session(const json& j, const Pack& pack) {
  Fields f(j, "");
  NW_CHECK(f.require_object());
  SessionInput s;
  NW_TRY(client_id, f.string("client_id"));
  s.client_id = client_id;
  NW_TRY(area, f.string("area"));
  if (pack.find_area(area) == nullptr) {
    return fail(ErrorCode::unknown_id, fmt::format("'{}' is not a known area", area), "area");
  }
  s.area = area;
  const json* length = f.get("needle_length_mm");
  if (length == nullptr) return fail(ErrorCode::missing_field, "is required", "needle_length_mm");
  if (!length->is_number())
    return fail(ErrorCode::invalid_value, "must be a number of millimetres", "needle_length_mm");
  // The field's one rule (fields.hpp), as for --needle-mm and the store.
  NW_TRY(mm, units::check_number(length->get<double>(), needle_length_rule));
  s.needle_length = units::millimetres(mm);
  NW_TRY(device, f.string("device"));
  if (pack.find_device(device) == nullptr) {
    return fail(ErrorCode::unknown_id, fmt::format("'{}' is not a device of this pack", device), "device");
  }
  s.device = device;
  NW_TRY(cocktail, f.boolean("cocktail", false));
  s.cocktail = cocktail;
  NW_TRY(start, f.string("start"));
  auto t = units::parse_date_time(start);
  if (!t) return fail(t.error().code, t.error().message, "start");
  s.start = *t;
  NW_TRY(conditions, f.strings("conditions", false));
  NW_CHECK(known_ids(conditions, "conditions", "condition", condition_finder(pack)));
  s.conditions = std::move(conditions);
  NW_TRY(acknowledged, f.strings("acknowledge", false));
  for (std::size_t i = 0; i < acknowledged.size(); ++i) {
    const auto& id = acknowledged[i];
    const bool is_warning =
        std::any_of(pack.depth_guards.begin(), pack.depth_guards.end(),
                    [&](const auto& g) { return g.id == id && g.action == knowledge::GuardAction::warn; });
    if (!is_warning) {
      return fail(
          ErrorCode::unknown_id,
          fmt::format("'{}' is not a warning rule of this pack (a depth guard with action \"warn\")", id),
          fmt::format("acknowledge[{}]", i));
    }
  }
  s.acknowledged = std::move(acknowledged);
  NW_CHECK(f.finish());
  return s;
}

Result<FollowupInput> parse_followup(const json& j, const Pack& pack) {
  Fields f(j, "");
  NW_CHECK(f.require_object());
  FollowupInput in;
  const json* hours = f.get("hours_since_session");
  NW_TRY(end_text, f.string("session_end", false));
  NW_TRY(observed_text, f.string("observed_at", false));
  if (hours != nullptr) {
    if (!end_text.empty() || !observed_text.empty()) {
      return fail(ErrorCode::invalid_value,
                  "give either hours_since_session or session_end + observed_at, not both",
                  "hours_since_session");
    }
    if (!hours->is_number()) return fail(ErrorCode::invalid_value, "must be a number", "hours_since_session");
    const double h = hours->get<double>();
    if (!(h >= 0.0 && h <= 24.0 * 365)) {
      return fail(ErrorCode::out_of_range, fmt::format("{} is outside 0–8760 hours", h),
                  "hours_since_session");
    }
    in.since_session = std::chrono::minutes{static_cast<long>(std::lround(h * 60.0))};
  } else {
    if (end_text.empty()) {
      return fail(ErrorCode::missing_field, "is required (or give hours_since_session)", "session_end");
    }
    if (observed_text.empty()) return fail(ErrorCode::missing_field, "is required", "observed_at");
    auto end = units::parse_date_time(end_text);
    if (!end) return fail(end.error().code, end.error().message, "session_end");
    auto observed = units::parse_date_time(observed_text);
    if (!observed) return fail(observed.error().code, observed.error().message, "observed_at");
    if (*observed < *end) return fail(ErrorCode::out_of_range, "is before session_end", "observed_at");
    in.since_session = std::chrono::duration_cast<std::chrono::minutes>(*observed - *end);
    if (in.since_session > std::chrono::hours{24 * 365}) {
      return fail(ErrorCode::out_of_range, "is more than a year (8760 h) after session_end", "observed_at");
    }
  }
  NW_TRY(obs, observations_of(f, pack));
  in.observations = std::move(obs);
  NW_CHECK(f.finish());
  return in;
}

}  // namespace needlework::clinic
