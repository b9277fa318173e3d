#pragma once
/// Clinic inputs: the intake (who, what they report, where they want treatment, the dermatologist's
/// clearance), a session (what is done where, with which needle), and follow-up observations. Formats:
/// docs/intake-format.md and schemas/*.schema.json. Parsing checks every field against the pack's vocabulary
/// and names the field.

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "needlework/knowledge/pack.hpp"
#include "needlework/units/date.hpp"
#include "needlework/units/error.hpp"

namespace needlework::clinic {

using knowledge::Pack;
using units::Date;
using units::DateTime;

struct Client {
  std::string id;
  std::string name;
  std::optional<Date> date_of_birth;
};

struct AreaRequest {
  std::string area;
  std::vector<std::string> concerns;
};

struct ConditionReport {
  std::string id;
  std::vector<std::string> areas;  ///< where a local condition is present; empty = could be anywhere
  std::optional<Date> since;       ///< last exposure, for dated conditions
};

struct Clearance {
  std::string by;
  Date date;
  std::vector<std::string> reviewed;  ///< conditions the dermatologist reviewed and cleared
};

struct Intake {
  Client client;
  Date date;
  knowledge::Setting setting = knowledge::Setting::clinic;
  std::vector<AreaRequest> areas;
  std::vector<ConditionReport> conditions;
  std::optional<Clearance> clearance;

  [[nodiscard]] bool reports(std::string_view condition) const;
};

/// One treatment session as the protocol and aftercare see it.
struct SessionInput {
  std::string client_id;
  std::string area;
  units::Length needle_length;
  std::string device;
  bool cocktail = false;
  DateTime start;
  std::vector<std::string> conditions;  ///< conditions relevant on the day (sensitive_skin, stress, …)
  /// Warning rules (pack depth guards with action "warn") the practitioner has acknowledged for this session.
  std::vector<std::string> acknowledged{};
};

struct FollowupInput {
  std::chrono::minutes since_session{0};
  std::vector<std::string> observations;
};

[[nodiscard]] Result<Intake> parse_intake(const nlohmann::json& j, const Pack& pack);
[[nodiscard]] Result<SessionInput> parse_session(const nlohmann::json& j, const Pack& pack);
[[nodiscard]] Result<FollowupInput> parse_followup(const nlohmann::json& j, const Pack& pack);

}  // namespace needlework::clinic
