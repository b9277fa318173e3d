#pragma once
// Small helpers shared by the ClinicStore sources (clinic_*.cpp): time formatting, citing the pack's hygiene
// rules in refusals, and how areas relate.

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <string_view>

#include "needlework/knowledge/pack.hpp"
#include "needlework/store/records.hpp"
#include "needlework/units/date.hpp"
#include "needlework/units/error.hpp"
#include "needlework/units/refusals.hpp"

namespace needlework::store::detail {

inline std::string fmt_time(units::DateTime t) { return units::format_date_time(t); }
inline units::Date day_of(units::DateTime t) { return std::chrono::floor<std::chrono::days>(t); }

/// The hygiene rule with this requirement, cited in refusals ("HYG.single_client, S9").
inline std::string cite_hygiene(const knowledge::Pack& pack, std::string_view requirement) {
  for (const auto& h : pack.hygiene) {
    if (h.requirement == requirement) return fmt::format("{}, {}", h.id, h.source);
  }
  return "S9";
}

/// The id of the hygiene rule with this requirement, the rule a refusal applies ("HYG.single_client"), or
/// `otherwise` when the pack has none.
inline std::string hygiene_rule(const knowledge::Pack& pack, std::string_view requirement,
                                std::string_view otherwise) {
  for (const auto& h : pack.hygiene) {
    if (h.requirement == requirement) return h.id;
  }
  return std::string(otherwise);
}

inline bool has_hygiene(const knowledge::Pack& pack, std::string_view requirement) {
  return std::any_of(pack.hygiene.begin(), pack.hygiene.end(),
                     [&](const auto& h) { return h.requirement == requirement; });
}

/// A roller never crosses clients: refused (the pack's single-client hygiene rule, field `roller`) when
/// `roller` belongs to another client than `client_id`. Assigning a roller and starting a session both check
/// it.
inline Result<void> check_roller_owner(const knowledge::Pack& pack, const RollerRecord& roller,
                                       std::string_view client_id) {
  if (roller.client_id.empty() || roller.client_id == client_id) return {};
  return refuse(
      hygiene_rule(pack, "single_client", refusals::roller_other_client),
      fmt::format("roller {} (lot {}) belongs to client {}; a roller never crosses clients ({}): "
                  "take a new roller for {}",
                  roller.id, roller.lot, roller.client_id, cite_hygiene(pack, "single_client"), client_id),
      "roller");
}

inline bool areas_overlap(const knowledge::Pack& pack, std::string_view a, std::string_view b) {
  return pack.area_within(a, b) || pack.area_within(b, a);
}

inline std::string require_text(std::string_view what) { return fmt::format("{} must not be empty", what); }

/// Refuses a time before the session started (`out_of_range`, field `at`): nothing is done to a session
/// before it began.
inline Result<void> check_not_before_start(const SessionRecord& s, units::DateTime at) {
  if (at >= s.started_at) return {};
  return fail(ErrorCode::out_of_range,
              fmt::format("{} is before the session started ({})", fmt_time(at), fmt_time(s.started_at)),
              "at");
}

}  // namespace needlework::store::detail
