#pragma once
/// JSON forms of the clinic records: the `--json` output of the store commands, the canonical text the audit
/// digests (keys sorted, no whitespace), and later the HTTP bodies. Field names carry units
/// (`needle_length_mm`, `density_per_cm2`).

#include <nlohmann/json.hpp>

#include "needlework/store/clinic_store.hpp"

namespace needlework::store {

[[nodiscard]] nlohmann::json to_json(const UserRecord& r);
[[nodiscard]] nlohmann::json to_json(const ClientRecord& r);
[[nodiscard]] nlohmann::json to_json(const IntakeRecord& r);
[[nodiscard]] nlohmann::json to_json(const ConsentRecord& r);
[[nodiscard]] nlohmann::json to_json(const CourseRecord& r);
[[nodiscard]] nlohmann::json to_json(const AppointmentRecord& r);
[[nodiscard]] nlohmann::json to_json(const RollerRecord& r);
[[nodiscard]] nlohmann::json to_json(const SessionRecord& r);
[[nodiscard]] nlohmann::json to_json(const StepRecord& r);
[[nodiscard]] nlohmann::json to_json(const FollowupRecord& r);
[[nodiscard]] nlohmann::json to_json(const EscalationRecord& r);
[[nodiscard]] nlohmann::json to_json(const OutboxMessage& r);
/// A message's JSON for a person or a program (the CLI's --json, the API): `to_json` — the audited form,
/// which leaves `state` out while queued and `attempts` while 0 — with both always present.
[[nodiscard]] nlohmann::json message_json(const OutboxMessage& m);
[[nodiscard]] nlohmann::json to_json(const PhotoRecord& r);
[[nodiscard]] nlohmann::json to_json(const LotRecallRecord& r);
[[nodiscard]] nlohmann::json to_json(const MessageConsentRecord& r);
[[nodiscard]] nlohmann::json to_json(const HomeRollerRecord& r);
[[nodiscard]] nlohmann::json to_json(const HomeSessionRecord& r);
[[nodiscard]] nlohmann::json to_json(const SessionZoneRecord& r);
[[nodiscard]] nlohmann::json to_json(const AuditEntry& r);
[[nodiscard]] nlohmann::json to_json(const AuditCheck& r);
[[nodiscard]] nlohmann::json to_json(const Recall& r);
/// A home roller's record with its life: `days_in_use`, `uses`, `last_used` (null before its first session).
[[nodiscard]] nlohmann::json to_json(const HomeRollerLife& r);
[[nodiscard]] nlohmann::json to_json(const LoggedHomeSession& r);
[[nodiscard]] nlohmann::json to_json(const DueItem& r);
[[nodiscard]] nlohmann::json to_json(const ClientHistory& r);
/// {"step", "title", "done_at" (null until recorded)}.
[[nodiscard]] nlohmann::json to_json(const ChecklistStep& c);

/// The canonical text of a JSON value: keys sorted, no whitespace, invalid UTF-8 replaced. The audit digests
/// this.
[[nodiscard]] std::string canonical(const nlohmann::json& j);

/// The directions a session's charted stroke plan names, in turn (`SessionRecord::stroke_plan_json`, as
/// `ClinicStore::chart` writes it); empty when none was charted.
[[nodiscard]] std::vector<std::string> stroke_plan_directions(const SessionRecord& s);

/// `record` (an object with an "id" member) as canonical text cut around the id:
/// `canonical_without_id(j).with_id(n) == canonical(j with "id" = n)`.
[[nodiscard]] CanonicalText canonical_without_id(nlohmann::json record);

}  // namespace needlework::store
