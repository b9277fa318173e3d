#include "needlework/store/json.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "sql/fields.hpp"

namespace needlework::store {
namespace {

using nlohmann::json;

}  // namespace

std::string canonical(const json& j) { return sql::canonical_text(j); }

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

std::vector<RecordTable> record_tables() {
  std::vector<RecordTable> out;
  sql::for_each_record_type([&](const auto& r) {
    using R = std::decay_t<decltype(r)>;
    RecordTable t{std::string(sql::Table<R>::name), {}};
    sql::for_each_field<R>([&](const auto& f) { t.columns.emplace_back(f.column); });
    out.push_back(std::move(t));
  });
  return out;
}

Result<SessionRecord> Store::insert_session(const Actor& by, const SessionRecord& s) {
  return insert_session(by, s, canonical_without_id(to_json(s)));
}

// Each record's JSON from its field table (sql/fields.hpp): the same members, names and forms as its columns.
json to_json(const UserRecord& r) { return sql::record_json(r); }
json to_json(const ClientRecord& r) { return sql::record_json(r); }
json to_json(const IntakeRecord& r) { return sql::record_json(r); }
json to_json(const ConsentRecord& r) { return sql::record_json(r); }
json to_json(const CourseRecord& r) { return sql::record_json(r); }
json to_json(const AppointmentRecord& r) { return sql::record_json(r); }
json to_json(const RollerRecord& r) { return sql::record_json(r); }
json to_json(const SessionRecord& r) { return sql::record_json(r); }
json to_json(const PhotoRecord& r) { return sql::record_json(r); }
json to_json(const LotRecallRecord& r) { return sql::record_json(r); }
json to_json(const MessageConsentRecord& r) { return sql::record_json(r); }
json to_json(const HomeRollerRecord& r) { return sql::record_json(r); }
json to_json(const HomeSessionRecord& r) { return sql::record_json(r); }
json to_json(const SessionZoneRecord& r) { return sql::record_json(r); }
json to_json(const OutboxMessage& r) { return sql::record_json(r); }
json message_json(const OutboxMessage& m) {
  json j = sql::record_json(m);
  j["state"] = enum_to_string(m.state);
  j["attempts"] = m.attempts;
  return j;
}
json to_json(const StepRecord& r) { return sql::record_json(r); }
json to_json(const FollowupRecord& r) { return sql::record_json(r); }

json to_json(const EscalationRecord& r) {
  json j = sql::record_json(r);
  j["open"] = r.open();  // derived from closed_at, not a column
  return j;
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
  json j{{"ok", r.ok}, {"entries", r.entries}, {"records", r.records}};
  if (!r.ok) {
    j["first_bad_seq"] = r.first_bad_seq;
    j["problem"] = r.problem;
    json problems = json::array();
    for (const auto& p : r.record_problems) {
      problems.push_back({{"table", p.table},
                          {"id", p.id},
                          {"kind", p.kind},
                          {"expected_sha256", p.expected_sha256},
                          {"actual_sha256", p.actual_sha256},
                          {"detail", p.detail}});
    }
    j["record_problems"] = std::move(problems);
  }
  return j;
}

json to_json(const Recall& r) {
  json rollers = json::array(), sessions = json::array();
  for (const auto& x : r.rollers) rollers.push_back(to_json(x));
  for (const auto& x : r.sessions) sessions.push_back(to_json(x));
  return {{"lot", r.lot},
          {"recall", r.recall ? to_json(*r.recall) : json(nullptr)},
          {"rollers", rollers},
          {"sessions", sessions},
          {"clients", r.clients}};
}

json to_json(const HomeRollerLife& r) {
  json j = to_json(r.roller);
  j["days_in_use"] = r.days_in_use;
  j["uses"] = r.uses;
  j["last_used"] = r.last_used ? json(units::format_date(*r.last_used)) : json(nullptr);
  return j;
}

json to_json(const LoggedHomeSession& r) {
  return {{"session", to_json(r.session)}, {"message_id", r.message_id}};
}

json to_json(const DueItem& r) {
  json j{{"kind", enum_to_string(r.kind)}, {"client_id", r.client_id},
         {"session_id", r.session_id},     {"due_at", units::format_date_time(r.due_at)},
         {"overdue", r.overdue},           {"text", r.text}};
  if (r.kind == DueKind::escalation) j["escalation_id"] = r.escalation_id;
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
          {"photos", list(r.photos)},
          {"message_consents", list(r.message_consents)}};
}

json to_json(const ChecklistStep& c) {
  return {{"step", c.step},
          {"title", c.title},
          {"done_at", c.done_at ? json(units::format_date_time(*c.done_at)) : json(nullptr)}};
}

}  // namespace needlework::store
