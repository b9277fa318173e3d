#pragma once
/// Clinic records as plain structs: what the store keeps about clients, their screenings, consents, courses,
/// appointments, rollers, sessions, follow-ups and escalations, and the audit log. No storage types appear
/// here; the store's field tables (src/store/sql/fields.hpp) map them to both backends' tables and to JSON.
/// Times are UTC instants, physical quantities are typed; the text forms (JSON, SQL columns) carry the unit
/// in the field name.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "needlework/knowledge/pack.hpp"
#include "needlework/units/date.hpp"
#include "needlework/units/quantity.hpp"

namespace needlework::store {

using units::Date;
using units::DateTime;

/// A row id assigned by the store.
using Id = std::int64_t;

/// Who makes a change and when. The store never reads the clock: every write is stamped with this.
struct Actor {
  std::string name;  ///< a staff user name, or "cli"
  DateTime at;
};

struct UserRecord {
  Id id = 0;
  std::string name;
  std::string role;  ///< one of `staff_roles`: "admin", "practitioner", "reception", "auditor"
  DateTime created_at;
};

struct ClientRecord {
  std::string id;  ///< the clinic's client code, the same as `client.id` in an intake ("C-0001")
  std::string name;
  std::optional<Date> date_of_birth;
  DateTime created_at;
  /// How the clinic reaches the client ("" when not given): checked in form only (ClinicStore::add_client),
  /// never for deliverability. Changed by ClinicStore::update_client, as are the name and date of birth.
  std::string email;
  std::string phone;
};

/// The screening decision for one requested area, as recorded.
struct AreaDecisionRecord {
  std::string area;
  std::string decision;  ///< knowledge::to_string(Decision)
};

/// An intake and the screening the pack gave it when it was recorded.
struct IntakeRecord {
  Id id = 0;
  std::string client_id;
  Date intake_date;
  std::string intake_json;  ///< the intake document as given (canonical JSON)
  knowledge::Decision decision = knowledge::Decision::contraindicated;  ///< the client's decision
  std::vector<AreaDecisionRecord> areas;
  std::string reasons_json;  ///< every reason with its rule and source (clinic::to_json of the reasons)
  std::string pack;          ///< "seed@1.0.0": the pack id and version the screening used
  DateTime recorded_at;
};

struct ConsentRecord {
  Id id = 0;
  std::string client_id;
  std::string text_sha256;  ///< hex SHA-256 of the consent text the client signed
  std::string signer;
  DateTime signed_at;
  std::optional<DateTime> withdrawn_at;
  std::string withdrawn_by;
  [[nodiscard]] bool valid_at(DateTime t) const {
    return signed_at <= t && (!withdrawn_at || t < *withdrawn_at);
  }
};

/// A treatment course: the plan the engine made from an intake, kept as its JSON.
struct CourseRecord {
  Id id = 0;
  std::string client_id;
  Id intake_id = 0;
  Date start;
  std::string plan_json;
  std::string pack;
  DateTime created_at;
};

enum class AppointmentState { booked, done, cancelled };

struct AppointmentRecord {
  Id id = 0;
  std::string client_id;
  std::optional<Id> course_id;
  std::string area;
  units::Length needle_length;  ///< the needle planned, which sets the interval rule
  DateTime at;
  AppointmentState state = AppointmentState::booked;
};

/// S9: new → assigned (to one client) → used → disposed; a used roller may be sterilised back to assigned
/// for the same client only when the pack allows sterilised reuse.
enum class RollerState { new_, assigned, used, disposed };

struct RollerRecord {
  Id id = 0;
  std::string lot;
  std::string serial;
  std::string udi;     ///< the UDI as printed (free text)
  std::string device;  ///< a device id of the pack ("dermaroller")
  int needle_count = 0;
  units::Length needle_length;
  Date expiry;  ///< last day of use
  RollerState state = RollerState::new_;
  std::string client_id;  ///< empty until assigned; never changes once set
  int uses = 0;           ///< sessions finished with it
  std::string disposal_reason;
  DateTime registered_at;
  /// When it was last assigned to its client: by `assign_roller`, or again by `sterilise_roller` (the latest
  /// assignment applies). Absent for rollers assigned before schema version 6, whose time is unknown: read
  /// as assigned when registered (`assigned_since`).
  std::optional<DateTime> assigned_at;
  /// From when the roller counts as its client's: `assigned_at`, else (unknown) `registered_at`.
  [[nodiscard]] DateTime assigned_since() const { return assigned_at.value_or(registered_at); }
};

/// A recall of a lot, recorded: the manufacturer's notice (a sterility failure, bent needles) as the clinic
/// took it in. Once recorded, no roller of the lot is registered, assigned, sterilised for reuse or used in a
/// session from `recalled_at` on (`RECORD.lot_recalled`); one recall per lot, never changed.
struct LotRecallRecord {
  Id id = 0;
  std::string lot;
  std::string reason;  ///< why, as the notice gives it ("sterility failure")
  DateTime recalled_at;
  std::string recorded_by;  ///< the staff user (or "cli") who recorded it
};

struct SessionRecord {
  Id id = 0;
  std::string client_id;
  std::optional<Id> appointment_id;
  Id intake_id = 0;   ///< the screening that cleared it
  Id consent_id = 0;  ///< the consent valid when it started
  Id roller_id = 0;
  std::string area;
  std::string device;
  units::Length needle_length;
  std::string pack;
  DateTime started_at;
  std::optional<DateTime> finished_at;
  std::optional<int> passes;
  std::optional<units::ArealDensity> density;  ///< delivered punctures per area (physics seam; may be absent)
  std::optional<units::Length> effective_depth;  ///< estimated effective depth (physics seam; may be absent)
  std::string notes;
  /// The strokes as charted, JSON {"directions": ["horizontal", …], "passes": N} ("" until charted).
  std::string stroke_plan_json;
  bool cocktail = false;  ///< a mesotherapy cocktail was applied (sets the protocol and aftercare)
  std::vector<std::string> conditions;  ///< conditions on the day (sensitive_skin, stress, …)
  /// The depth-guard warnings (pack rules with action "warn") the practitioner acknowledged to start the
  /// session, by rule id; who and when are the session's start (its audit entry's actor, `started_at`).
  std::vector<std::string> acknowledged;
};

/// The dose charted on one zone of a session's area: a skin region of the area (data/skin/regions.toml)
/// simulated by the physics engine with the passes and stroke directions charted there. With the session's
/// device, needle length and roller (needle count) and the seed, the simulation (its heatmap) can be run
/// again and gives the same figures. One per zone of a session; charting a zone again replaces its figures.
struct SessionZoneRecord {
  Id id = 0;
  Id session_id = 0;
  std::string zone;            ///< a skin region of the session's area ("cheek")
  std::string physics_device;  ///< the catalog device simulated ("roller-192")
  int passes = 0;
  std::vector<std::string> directions;  ///< stroke directions taken in turn, one pass each
  units::ArealDensity density;          ///< mean punctures per cm² over the dose patch
  units::Length effective_depth;        ///< mean depth the needles reach
  /// The share of punctures ending in each layer, JSON {"epidermis", "papillary_dermis",
  /// "reticular_dermis", "beyond_dermis"} (the depth distribution's exact shares).
  std::string layers_json;
  std::uint64_t seed = 0;  ///< the simulation's random stream
  DateTime charted_at;     ///< when it was last charted
};

/// A protocol step done during a session, timestamped.
struct StepRecord {
  Id id = 0;
  Id session_id = 0;
  std::string step;  ///< a step id of the pack ("STEP.cleanse")
  DateTime at;
};

struct FollowupRecord {
  Id id = 0;
  Id session_id = 0;
  DateTime observed_at;
  std::vector<std::string> observations;
  knowledge::Triage triage = knowledge::Triage::normal;
  std::string result_json;  ///< clinic::to_json(FollowupResult): reasons with rules and sources
  std::string pack;
};

struct EscalationRecord {
  Id id = 0;
  Id session_id = 0;
  Id followup_id = 0;
  std::string client_id;
  DateTime opened_at;
  std::string reason;
  std::optional<DateTime> closed_at;
  std::string closed_by;
  std::string close_note;
  [[nodiscard]] bool open() const { return !closed_at.has_value(); }
};

/// Where a message is on its way to the client (docs/mail.md): `queued` waits for the mailer (or to be handed
/// over), `sent` was accepted by the relay or handed over, `failed` was refused by the relay or ran out of
/// attempts (a person may retry it), `withheld` has no address to go to (the client has no email) and is
/// never tried.
enum class MessageState { queued, sent, failed, withheld };

/// What a message is (the outbox's `kind` CHECK holds the same list).
inline constexpr std::string_view message_kinds[] = {"aftercare",     "reminder",    "followup_prompt",
                                                     "recall_notice", "portal_link", "home_aftercare"};

/// A message for a client, queued until the mailer sends it or someone hands it over: the aftercare sheet of
/// a session, a reminder, a recall notice, …
struct OutboxMessage {
  Id id = 0;
  std::string client_id;
  std::optional<Id> session_id;
  std::string kind;  ///< one of `message_kinds`
  std::string subject;
  std::string body;  ///< plain text
  DateTime created_at;
  std::optional<DateTime> sent_at;
  std::string sent_by;  ///< who handed it over, or "mail" when the relay accepted it
  // Since schema version 11 (delivery by mail).
  std::string recipient;        ///< the email address at queue time ("" when the client had none: withheld)
  std::string body_html;        ///< an HTML alternative of `body` ("" when none)
  std::string attachment_name;  ///< a file attached ("" when none), e.g. "next-visit.ics"
  std::string attachment_type;  ///< its media type, e.g. "text/calendar"
  std::string attachment;       ///< its content (text: an .ics event)
  MessageState state = MessageState::queued;
  int attempts = 0;  ///< delivery attempts the relay answered or that failed to reach it
  /// When the mailer may try it next: after a temporary failure, while a mailer holds it (a lease), or "not
  /// before" for a message queued for later. Unset: as soon as it is queued.
  std::optional<DateTime> next_attempt_at;
  std::string last_error;  ///< the relay's last answer (or why it could not be reached), "" when none
  /// The RFC 5322 Message-ID (with its angle brackets), fixed the first time the message is attempted and
  /// never changed, so a retry after a crash carries the same one ("" before the first attempt).
  std::string message_id;
  /// Unique among messages when not empty: a message with a key already present is not queued again
  /// (`Store::insert_message_once`), so a scheduler may queue "reminder:appointment:12" every round.
  std::string dedupe_key;
};

/// How a client's consent to messages was given or withdrawn.
enum class ConsentVia { clinic, portal, unsubscribe_link };

/// A client's consent to messages (e-mail from the clinic), given or withdrawn: every change is a record of
/// its own and the latest holds. No consent, no message (docs/mail.md); a sign-in link the client asks for is
/// the one message sent without it.
struct MessageConsentRecord {
  Id id = 0;
  std::string client_id;
  bool agreed = false;
  DateTime recorded_at;
  std::string recorded_by;  ///< the staff member, "client" (portal) or "unsubscribe link"
  ConsentVia via = ConsentVia::clinic;
};

/// What a photo shows.
enum class PhotoKind { before, after, followup, other };

/// A photo's metadata; the image is a file named by its SHA-256 in the photo folder.
struct PhotoRecord {
  Id id = 0;
  std::string client_id;
  std::optional<Id> session_id;
  std::string sha256;
  std::string media_type;  ///< "image/jpeg" or "image/png"
  std::int64_t size_bytes = 0;
  PhotoKind kind = PhotoKind::other;
  DateTime taken_at;
  std::string original_name;
  std::string note;
  /// The treatment area it shows, an area id of the pack ("" when not given: then its session's area, if
  /// any, is the one it shows). Lets a baseline photo taken at intake, before any session, have an area.
  std::string area;
};

/// A client's own home roller (S2), registered with its lot: a device of the pack whose setting is "home".
/// Retired when it is replaced or thrown away; its life (days in use, uses) is derived from its sessions.
struct HomeRollerRecord {
  Id id = 0;
  std::string client_id;
  std::string device;  ///< a device id of the pack with setting "home" ("home_roller")
  std::string lot;
  Date registered_on;                  ///< the day the client started with it
  std::optional<DateTime> retired_at;  ///< absent while in use
  std::string retired_reason;          ///< why it was retired ("" while in use)
  [[nodiscard]] bool retired() const { return retired_at.has_value(); }
};

/// A session the client did at home with their home roller, as logged (by the client or by staff for them).
struct HomeSessionRecord {
  Id id = 0;
  std::string client_id;
  Id home_roller_id = 0;
  std::string area;  ///< an area id of the pack
  Date performed_on;
  DateTime logged_at;
  std::string logged_by;  ///< the user (or "cli") who logged it
  std::string note;
};

/// One entry of the append-only, hash-chained audit log.
struct AuditEntry {
  std::int64_t seq = 0;  ///< 1, 2, 3, … without gaps
  DateTime at;
  std::string actor;
  std::string action;  ///< "insert", "update"
  std::string entity;  ///< table name: "clients", "rollers", …
  std::string entity_id;
  std::string before_sha256;  ///< SHA-256 of the record's canonical JSON before the write ("" for an insert)
  std::string after_sha256;   ///< … and after it
  std::string prev_hash;      ///< `hash` of the previous entry (64 zeros for the first)
  std::string hash;           ///< SHA-256 of prev_hash and the canonical text of this entry
};

/// The staff roles a user may hold: admin (users, configuration, everything), practitioner (clinical work),
/// reception (clients, appointments, consents, the due list), auditor (read-only: the audit log, exports).
inline constexpr std::string_view staff_roles[] = {"admin", "practitioner", "reception", "auditor"};

/// The text of each value of a record enum, as the JSON and the database hold it: one table per enum, which
/// `to_string`, the `…_from_string` functions and the store's codecs all read.
template <class E>
struct EnumText;

template <>
struct EnumText<AppointmentState> {
  static constexpr std::array<std::pair<AppointmentState, std::string_view>, 3> names{
      {{AppointmentState::booked, "booked"},
       {AppointmentState::done, "done"},
       {AppointmentState::cancelled, "cancelled"}}};
};

template <>
struct EnumText<RollerState> {
  static constexpr std::array<std::pair<RollerState, std::string_view>, 4> names{
      {{RollerState::new_, "new"},
       {RollerState::assigned, "assigned"},
       {RollerState::used, "used"},
       {RollerState::disposed, "disposed"}}};
};

template <>
struct EnumText<MessageState> {
  static constexpr std::array<std::pair<MessageState, std::string_view>, 4> names{
      {{MessageState::queued, "queued"},
       {MessageState::sent, "sent"},
       {MessageState::failed, "failed"},
       {MessageState::withheld, "withheld"}}};
};

template <>
struct EnumText<PhotoKind> {
  static constexpr std::array<std::pair<PhotoKind, std::string_view>, 4> names{
      {{PhotoKind::before, "before"},
       {PhotoKind::after, "after"},
       {PhotoKind::followup, "followup"},
       {PhotoKind::other, "other"}}};
};

template <>
struct EnumText<ConsentVia> {
  static constexpr std::array<std::pair<ConsentVia, std::string_view>, 3> names{
      {{ConsentVia::clinic, "clinic"},
       {ConsentVia::portal, "portal"},
       {ConsentVia::unsubscribe_link, "unsubscribe_link"}}};
};

/// The text of `v` in its table ("" for a value outside the enum).
template <class E>
[[nodiscard]] constexpr std::string_view enum_to_string(E v) noexcept {
  for (const auto& [value, name] : EnumText<E>::names) {
    if (value == v) return name;
  }
  return {};
}

/// The value whose text is `s`, if any.
template <class E>
[[nodiscard]] constexpr std::optional<E> enum_from_string(std::string_view s) noexcept {
  for (const auto& [value, name] : EnumText<E>::names) {
    if (name == s) return value;
  }
  return std::nullopt;
}

[[nodiscard]] inline std::string_view to_string(PhotoKind k) noexcept { return enum_to_string(k); }
[[nodiscard]] inline std::string_view to_string(MessageState s) noexcept { return enum_to_string(s); }
[[nodiscard]] inline std::optional<MessageState> message_state_from_string(std::string_view s) noexcept {
  return enum_from_string<MessageState>(s);
}
[[nodiscard]] std::string_view to_string(AppointmentState s) noexcept;
[[nodiscard]] std::optional<AppointmentState> appointment_state_from_string(std::string_view s) noexcept;
[[nodiscard]] std::string_view to_string(RollerState s) noexcept;
[[nodiscard]] std::optional<RollerState> roller_state_from_string(std::string_view s) noexcept;

}  // namespace needlework::store
