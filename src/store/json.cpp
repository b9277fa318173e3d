#include "needlework/store/json.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace needlework::store {
namespace {

using nlohmann::json;

json opt_time(const std::optional<DateTime>& t) {
  return t ? json(units::format_date_time(*t)) : json(nullptr);
}

/// Lengths and densities in JSON are rounded so that binary noise never shows (or changes a digest).
double round6(double v) { return std::round(v * 1e6) / 1e6; }

}  // namespace

std::string canonical(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

namespace {

/// The same text `canonical` writes for an object, assembled member by member ("key":value in key order,
/// "," between), with the "id" member left out: the cut falls where it would be.
CanonicalText canonical_members_without_id(const json& record) {
  CanonicalText t{"{", ""};
  bool after = false;
  for (const auto& [key, value] : record.items()) {
    if (key == "id") {
      after = true;
      continue;
    }
    const std::string member = canonical(json(key)) + ":" + canonical(value);
    if (after) {
      t.after_id += ',';
      t.after_id += member;
    } else {
      t.before_id += member;
      t.before_id += ',';
    }
  }
  t.after_id += '}';
  return t;
}

}  // namespace

CanonicalText canonical_without_id(json record) {
  if (!record.is_object() || !record.contains("id")) {
    throw std::invalid_argument("canonical_without_id: the record is not an object with an \"id\" member");
  }
  // One dump with a marker for the id, cut where the marker is, rather than dumping member by member.
  // A marker found more than once — a nested "id" or a text holding the very same number — falls back.
  constexpr std::int64_t marker = std::numeric_limits<std::int64_t>::min() + 7919;
  record["id"] = marker;
  const std::string text = canonical(record);
  const std::string member = "\"id\":" + std::to_string(marker);
  const auto at = text.find(member);
  if (at != std::string::npos && text.find(member, at + 1) == std::string::npos) {
    return CanonicalText{text.substr(0, at), text.substr(at + member.size())};
  }
  return canonical_members_without_id(record);
}

std::vector<std::string> stroke_plan_directions(const SessionRecord& s) {
  std::vector<std::string> out;
  if (s.stroke_plan_json.empty()) return out;
  const auto plan = json::parse(s.stroke_plan_json, nullptr, false);
  if (!plan.is_object() || !plan.contains("directions") || !plan["directions"].is_array()) return out;
  for (const auto& d : plan["directions"]) {
    if (d.is_string()) out.push_back(d.get<std::string>());
  }
  return out;
}

Result<SessionRecord> Store::insert_session(const Actor& by, const SessionRecord& s) {
  return insert_session(by, s, canonical_without_id(to_json(s)));
}

json to_json(const UserRecord& r) {
  return {{"id", r.id},
          {"name", r.name},
          {"role", r.role},
          {"created_at", units::format_date_time(r.created_at)}};
}

json to_json(const ClientRecord& r) {
  return {{"id", r.id},
          {"name", r.name},
          {"date_of_birth", r.date_of_birth ? json(units::format_date(*r.date_of_birth)) : json(nullptr)},
          {"created_at", units::format_date_time(r.created_at)}};
}

json to_json(const IntakeRecord& r) {
  json areas = json::array();
  for (const auto& a : r.areas) areas.push_back({{"area", a.area}, {"decision", a.decision}});
  return {{"id", r.id},
          {"client_id", r.client_id},
          {"intake_date", units::format_date(r.intake_date)},
          {"intake", json::parse(r.intake_json, nullptr, false)},
          {"decision", r.decision},
          {"areas", areas},
          {"reasons", json::parse(r.reasons_json, nullptr, false)},
          {"pack", r.pack},
          {"recorded_at", units::format_date_time(r.recorded_at)}};
}

json to_json(const ConsentRecord& r) {
  return {{"id", r.id},
          {"client_id", r.client_id},
          {"text_sha256", r.text_sha256},
          {"signer", r.signer},
          {"signed_at", units::format_date_time(r.signed_at)},
          {"withdrawn_at", opt_time(r.withdrawn_at)},
          {"withdrawn_by", r.withdrawn_by}};
}

json to_json(const CourseRecord& r) {
  return {{"id", r.id},
          {"client_id", r.client_id},
          {"intake_id", r.intake_id},
          {"start", units::format_date(r.start)},
          {"plan", json::parse(r.plan_json, nullptr, false)},
          {"pack", r.pack},
          {"created_at", units::format_date_time(r.created_at)}};
}

json to_json(const AppointmentRecord& r) {
  return {{"id", r.id},
          {"client_id", r.client_id},
          {"course_id", r.course_id ? json(*r.course_id) : json(nullptr)},
          {"area", r.area},
          {"needle_length_mm", round6(units::in_mm(r.needle_length))},
          {"at", units::format_date_time(r.at)},
          {"state", to_string(r.state)}};
}

json to_json(const RollerRecord& r) {
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

json to_json(const SessionRecord& r) {
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
          {"stroke_plan", r.stroke_plan_json.empty() ? json(nullptr) : json::parse(r.stroke_plan_json, nullptr, false)},
          {"cocktail", r.cocktail},
          {"conditions", r.conditions}};
}

json to_json(const PhotoRecord& r) {
  return {{"id", r.id},
          {"client_id", r.client_id},
          {"session_id", r.session_id ? json(*r.session_id) : json(nullptr)},
          {"sha256", r.sha256},
          {"media_type", r.media_type},
          {"size_bytes", r.size_bytes},
          {"kind", r.kind},
          {"taken_at", units::format_date_time(r.taken_at)},
          {"original_name", r.original_name},
          {"note", r.note}};
}

json to_json(const OutboxMessage& r) {
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

json to_json(const StepRecord& r) {
  return {
      {"id", r.id}, {"session_id", r.session_id}, {"step", r.step}, {"at", units::format_date_time(r.at)}};
}

json to_json(const FollowupRecord& r) {
  return {{"id", r.id},
          {"session_id", r.session_id},
          {"observed_at", units::format_date_time(r.observed_at)},
          {"observations", r.observations},
          {"triage", r.triage},
          {"result", json::parse(r.result_json, nullptr, false)},
          {"pack", r.pack}};
}

json to_json(const EscalationRecord& r) {
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

json to_json(const AuditEntry& r) {
  return {{"seq", r.seq},
          {"at", units::format_date_time(r.at)},
          {"actor", r.actor},
          {"action", r.action},
          {"entity", r.entity},
          {"entity_id", r.entity_id},
          {"before_sha256", r.before_sha256},
          {"after_sha256", r.after_sha256},
          {"prev_hash", r.prev_hash},
          {"hash", r.hash}};
}

json to_json(const AuditCheck& r) {
  json j{{"ok", r.ok}, {"entries", r.entries}};
  if (!r.ok) {
    j["first_bad_seq"] = r.first_bad_seq;
    j["problem"] = r.problem;
  }
  return j;
}

json to_json(const Recall& r) {
  json rollers = json::array(), sessions = json::array();
  for (const auto& x : r.rollers) rollers.push_back(to_json(x));
  for (const auto& x : r.sessions) sessions.push_back(to_json(x));
  return {{"lot", r.lot}, {"rollers", rollers}, {"sessions", sessions}, {"clients", r.clients}};
}

json to_json(const DueItem& r) {
  json j{{"kind", r.kind},
         {"client_id", r.client_id},
         {"session_id", r.session_id},
         {"due_at", units::format_date_time(r.due_at)},
         {"overdue", r.overdue},
         {"text", r.text}};
  if (r.kind == "escalation") j["escalation_id"] = r.escalation_id;
  return j;
}

json to_json(const ClientHistory& r) {
  auto list = [](const auto& v) {
    json a = json::array();
    for (const auto& x : v) a.push_back(to_json(x));
    return a;
  };
  return {{"client", to_json(r.client)},
          {"intakes", list(r.intakes)},
          {"consents", list(r.consents)},
          {"courses", list(r.courses)},
          {"appointments", list(r.appointments)},
          {"sessions", list(r.sessions)},
          {"followups", list(r.followups)},
          {"escalations", list(r.escalations)},
          {"photos", list(r.photos)}};
}

}  // namespace needlework::store
