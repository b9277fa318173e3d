#pragma once
// The records' JSON exactly as json.cpp wrote it by hand before the field tables (sql/fields.hpp) took over,
// frozen here: the audit digests every record's canonical JSON, so an existing database's chain verifies only
// while the table-driven JSON is byte-identical to this (digest_test.cpp). Do not change it to match the
// tables; a difference is a break of every audit chain written before.

#include <cmath>
#include <nlohmann/json.hpp>

#include "needlework/store/records.hpp"

namespace legacy {

using nlohmann::json;
using namespace needlework::store;
namespace units = needlework::units;

inline json opt_time(const std::optional<DateTime>& t) {
  return t ? json(units::format_date_time(*t)) : json(nullptr);
}
inline double round6(double v) { return std::round(v * 1e6) / 1e6; }

inline json to_json(const UserRecord& r) {
  return {{"id", r.id},
          {"name", r.name},
          {"role", r.role},
          {"created_at", units::format_date_time(r.created_at)}};
}

inline json to_json(const ClientRecord& r) {
  return {{"id", r.id},
          {"name", r.name},
          {"date_of_birth", r.date_of_birth ? json(units::format_date(*r.date_of_birth)) : json(nullptr)},
          {"created_at", units::format_date_time(r.created_at)}};
}

inline json to_json(const IntakeRecord& r) {
  json areas = json::array();
  for (const auto& a : r.areas) areas.push_back({{"area", a.area}, {"decision", a.decision}});
  return {{"id", r.id},
          {"client_id", r.client_id},
          {"intake_date", units::format_date(r.intake_date)},
          {"intake", json::parse(r.intake_json, nullptr, false)},
          {"decision", needlework::knowledge::to_string(r.decision)},  // was the text itself
          {"areas", areas},
          {"reasons", json::parse(r.reasons_json, nullptr, false)},
          {"pack", r.pack},
          {"recorded_at", units::format_date_time(r.recorded_at)}};
}

inline json to_json(const ConsentRecord& r) {
  return {{"id", r.id},
          {"client_id", r.client_id},
          {"text_sha256", r.text_sha256},
          {"signer", r.signer},
          {"signed_at", units::format_date_time(r.signed_at)},
          {"withdrawn_at", opt_time(r.withdrawn_at)},
          {"withdrawn_by", r.withdrawn_by}};
}

inline json to_json(const CourseRecord& r) {
  return {{"id", r.id},
          {"client_id", r.client_id},
          {"intake_id", r.intake_id},
          {"start", units::format_date(r.start)},
          {"plan", json::parse(r.plan_json, nullptr, false)},
          {"pack", r.pack},
          {"created_at", units::format_date_time(r.created_at)}};
}

inline json to_json(const AppointmentRecord& r) {
  return {{"id", r.id},
          {"client_id", r.client_id},
          {"course_id", r.course_id ? json(*r.course_id) : json(nullptr)},
          {"area", r.area},
          {"needle_length_mm", round6(units::in_mm(r.needle_length))},
          {"at", units::format_date_time(r.at)},
          {"state", to_string(r.state)}};
}

inline json to_json(const RollerRecord& r) {
  return {{"id", r.id},
          {"lot", r.lot},
          {"serial", r.serial},
          {"udi", r.udi},
          {"device", r.device},
          {"needle_count", r.needle_count},
          {"needle_length_mm", round6(units::in_mm(r.needle_length))},
          {"expiry", units::format_date(r.expiry)},
          {"state", to_string(r.state)},
          {"client_id", r.client_id.empty() ? json(nullptr) : json(r.client_id)},
          {"uses", r.uses},
          {"disposal_reason", r.disposal_reason},
          {"registered_at", units::format_date_time(r.registered_at)}};
}

inline json to_json(const SessionRecord& r) {
  return {{"id", r.id},
          {"client_id", r.client_id},
          {"appointment_id", r.appointment_id ? json(*r.appointment_id) : json(nullptr)},
          {"intake_id", r.intake_id},
          {"consent_id", r.consent_id},
          {"roller_id", r.roller_id},
          {"area", r.area},
          {"device", r.device},
          {"needle_length_mm", round6(units::in_mm(r.needle_length))},
          {"pack", r.pack},
          {"started_at", units::format_date_time(r.started_at)},
          {"finished_at", opt_time(r.finished_at)},
          {"passes", r.passes ? json(*r.passes) : json(nullptr)},
          {"density_per_cm2", r.density ? json(round6(units::in_per_cm2(*r.density))) : json(nullptr)},
          {"effective_depth_mm",
           r.effective_depth ? json(round6(units::in_mm(*r.effective_depth))) : json(nullptr)},
          {"notes", r.notes},
          {"stroke_plan",
           r.stroke_plan_json.empty() ? json(nullptr) : json::parse(r.stroke_plan_json, nullptr, false)},
          {"cocktail", r.cocktail},
          {"conditions", r.conditions}};
}

inline json to_json(const PhotoRecord& r) {
  return {{"id", r.id},
          {"client_id", r.client_id},
          {"session_id", r.session_id ? json(*r.session_id) : json(nullptr)},
          {"sha256", r.sha256},
          {"media_type", r.media_type},
          {"size_bytes", r.size_bytes},
          {"kind", enum_to_string(r.kind)},
          {"taken_at", units::format_date_time(r.taken_at)},
          {"original_name", r.original_name},
          {"note", r.note}};
}

inline json to_json(const OutboxMessage& r) {
  return {{"id", r.id},
          {"client_id", r.client_id},
          {"session_id", r.session_id ? json(*r.session_id) : json(nullptr)},
          {"kind", r.kind},
          {"subject", r.subject},
          {"body", r.body},
          {"created_at", units::format_date_time(r.created_at)},
          {"sent_at", opt_time(r.sent_at)},
          {"sent_by", r.sent_by}};
}

inline json to_json(const StepRecord& r) {
  return {
      {"id", r.id}, {"session_id", r.session_id}, {"step", r.step}, {"at", units::format_date_time(r.at)}};
}

inline json to_json(const FollowupRecord& r) {
  return {{"id", r.id},
          {"session_id", r.session_id},
          {"observed_at", units::format_date_time(r.observed_at)},
          {"observations", r.observations},
          {"triage", needlework::knowledge::to_string(r.triage)},  // was the text itself
          {"result", json::parse(r.result_json, nullptr, false)},
          {"pack", r.pack}};
}

inline json to_json(const EscalationRecord& r) {
  return {{"id", r.id},
          {"session_id", r.session_id},
          {"followup_id", r.followup_id},
          {"client_id", r.client_id},
          {"opened_at", units::format_date_time(r.opened_at)},
          {"reason", r.reason},
          {"open", r.open()},
          {"closed_at", opt_time(r.closed_at)},
          {"closed_by", r.closed_by},
          {"close_note", r.close_note}};
}

}  // namespace legacy
