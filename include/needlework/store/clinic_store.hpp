#pragma once
/// The clinic's rules that need history, enforced above the repository (store.hpp) and below every face:
/// a session starts only for a client whose latest screening clears the area under the current pack, with a
/// valid consent and a roller assigned to that client, a needle the pack allows there, and a date that keeps
/// the course's interval rules; a roller never crosses clients (S9); a follow-up that says "see a doctor"
/// opens an escalation that stays open until a user closes it. Every refusal is `ErrorCode::refused` with a
/// message naming the rule (and its source) and what to do. Nothing here reads the clock: times come in the
/// `Actor` or as arguments.

#include <filesystem>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "needlework/clinic/dose.hpp"
#include "needlework/clinic/engine.hpp"
#include "needlework/clinic/messages.hpp"
#include "needlework/knowledge/pack.hpp"
#include "needlework/physics/device.hpp"
#include "needlework/physics/resealing.hpp"
#include "needlework/physics/skin.hpp"
#include "needlework/store/delivery.hpp"
#include "needlework/store/store.hpp"

namespace needlework::store {

/// A roller or cartridge as delivered.
struct RollerSpec {
  std::string lot;
  std::string serial;
  std::string udi;
  std::string device;  ///< a device id of the pack
  int needle_count = 0;
  units::Length needle_length;
  Date expiry;
};

/// What the practitioner asks for when a session starts.
struct SessionRequest {
  std::string client_id;
  std::string area;
  Id roller_id = 0;
  std::optional<Id> appointment_id;
  bool cocktail = false;
  std::vector<std::string>
      conditions;  ///< conditions on the day (sensitive_skin, stress, …) for the protocol
  /// The depth-guard warnings (rules with action "warn") the practitioner acknowledges for this session, by
  /// rule id: each must be a warning rule of the pack that fires for this needle here; every warning that
  /// fires must be among them. Recorded in the session (`SessionRecord::acknowledged`).
  std::vector<std::string> acknowledged;
};

/// What was done, charted during or after a session. Absent fields are left as they are.
struct Chart {
  std::optional<int> passes;
  std::optional<units::ArealDensity> density;
  std::optional<units::Length> effective_depth;
  std::optional<std::string> notes;  ///< appended to the session's notes
  /// The stroke directions used, in turn ("horizontal", "vertical", "diagonal", "anti_diagonal"): charted as
  /// the session's stroke plan with its passes; with `dose_from_physics` the simulation strokes this way
  /// (default horizontal, vertical, diagonal).
  std::optional<std::vector<std::string>> directions;
  /// Compute the dose (density and effective depth) with the physics engine from the session's area, roller
  /// and passes (clinic::estimate_dose) instead of taking hand-measured figures; needs the device catalog.
  bool dose_from_physics = false;
  std::optional<std::uint64_t> seed;  ///< the simulation's random stream (default: the session id)
  /// A zone of the session's area, by skin region id ("cheek"; one of the area's `skin_regions` in the pack):
  /// the dose is then computed from physics on THAT region (implies `dose_from_physics`) and kept as the
  /// zone's record (`SessionZoneRecord`, charting it again replaces it); the session's own passes, stroke
  /// plan and dose are left as they are. Without a seed the zone's seed is `zone_seed(session id, zone)`.
  std::optional<std::string> zone;
};

/// The seed of a zone's simulation when none is given: FNV-1a (64-bit) of "<session id>/<zone>", kept to 53
/// bits so that it reads exactly as a JSON number in every client. Stored with the zone either way.
[[nodiscard]] std::uint64_t zone_seed(Id session_id, std::string_view zone) noexcept;

struct StartedSession {
  SessionRecord session;
  clinic::Protocol protocol;  ///< the checklist to follow
};

/// One step of a session's protocol, and when it was recorded as done.
struct ChecklistStep {
  std::string step;  ///< the pack's step id ("STEP.cleanse")
  std::string title;
  std::optional<DateTime> done_at;  ///< absent until recorded
};

struct RecordedFollowup {
  FollowupRecord followup;
  clinic::FollowupResult result;
  std::optional<EscalationRecord> escalation;  ///< opened when the triage is "see a doctor"
};

/// Everything a lot touched: for a recall. With the recall itself once one is recorded (`recall_lot`).
struct Recall {
  std::string lot;
  std::optional<LotRecallRecord> recall;  ///< absent while the lot is not recalled
  std::vector<RollerRecord> rollers;
  std::vector<SessionRecord> sessions;
  std::vector<std::string> clients;  ///< sorted, unique
};

/// A home roller as a client registers it (S2).
struct HomeRollerSpec {
  std::string device;  ///< a device id of the pack with setting "home"
  std::string lot;
  Date registered_on;
};

/// A home roller and its life so far, derived from its home sessions.
struct HomeRollerLife {
  HomeRollerRecord roller;
  int days_in_use = 0;  ///< from registered_on to its retirement day (or `today`), both counted
  int uses = 0;         ///< home sessions logged with it
  std::optional<Date> last_used;
};

/// A home session as the client (or staff for them) logs it.
struct HomeSessionInput {
  Id home_roller_id = 0;
  std::string area;
  Date performed_on;
  std::string note;
};

/// A logged home session and the aftercare queued for it.
struct LoggedHomeSession {
  HomeSessionRecord session;
  Id message_id = 0;  ///< the outbox message holding the aftercare sheet
};

/// What falls due: a follow-up to record, or an open escalation.
enum class DueKind { followup, escalation };

template <>
struct EnumText<DueKind> {
  static constexpr std::array<std::pair<DueKind, std::string_view>, 2> names{
      {{DueKind::followup, "followup"}, {DueKind::escalation, "escalation"}}};
};
[[nodiscard]] inline std::string_view to_string(DueKind k) noexcept { return enum_to_string(k); }

struct DueItem {
  DueKind kind = DueKind::followup;
  std::string client_id;
  Id session_id = 0;
  Id escalation_id = 0;
  DateTime due_at;  ///< follow-up: session end + the pack's first see-a-doctor time; escalation: when opened
  bool overdue = false;  ///< due before `now`
  std::string text;
};

/// A message to compose from the pack's words (`[[message]]` of `kind`) and queue for a client. The client's
/// name and unsubscribe link are filled in by `queue_composed`; `fields` gives the rest of the kind's fields.
struct MessageRequest {
  std::string client_id;
  knowledge::MessageKind kind = knowledge::MessageKind::aftercare;
  clinic::MessageFields fields;
  std::optional<Id> session_id;
  std::string attachment_name;  ///< "" for none
  std::string attachment_type;
  std::string attachment;
  std::string dedupe_key;              ///< queued at most once per key ("" for no key)
  std::optional<DateTime> not_before;  ///< sent no earlier than this
};

/// A client and everything recorded about them.
struct ClientHistory {
  ClientRecord client;
  std::vector<IntakeRecord> intakes;
  std::vector<ConsentRecord> consents;
  std::vector<CourseRecord> courses;
  std::vector<AppointmentRecord> appointments;
  std::vector<SessionRecord> sessions;
  std::vector<FollowupRecord> followups;
  std::vector<EscalationRecord> escalations;
  std::vector<PhotoRecord> photos;
  std::vector<MessageConsentRecord> message_consents;  ///< oldest first: the last is in force
};

/// What `ClinicStore::update_client` changes: an absent member stays as it is.
struct ClientChanges {
  std::optional<std::string> name;
  std::optional<Date> date_of_birth;
  std::optional<std::string> email;  ///< "" removes it
  std::optional<std::string> phone;  ///< "" removes it
};

/// A photo to keep: the image bytes and what they show.
struct PhotoInput {
  std::string client_id;
  std::optional<Id> session_id;
  std::string bytes;  ///< the image file's contents (JPEG or PNG)
  std::string kind;   ///< "before", "after", "followup", "other" (PhotoKind's text; checked by add_photo)
  std::string original_name;
  std::string note;
  std::string area;  ///< an area id of the pack ("" for none: its session's area applies)
};

/// A kept photo whose file is missing or no longer matches its hash.
struct PhotoProblem {
  PhotoRecord photo;
  std::string problem;
};

/// The most bytes a note or a reason may hold (several lines allowed), and an id (a client id, a lot).
inline constexpr std::size_t max_note_bytes = 4000;
inline constexpr std::size_t max_id_bytes = 64;

/// The screening in force at `at`: of the intakes recorded at or before `at` (a screening applies from the
/// time it was recorded onwards, never backwards), the one with the latest intake date, the later recorded on
/// a tie. Nothing when no intake had been recorded by then.
[[nodiscard]] std::optional<IntakeRecord> screening_in_force(const std::vector<IntakeRecord>& intakes,
                                                             DateTime at);

/// The physics data the clinic rules use beside the pack. Each may be absent (nullptr) and must outlive the
/// ClinicStore that uses it.
struct ClinicPhysics {
  const physics::RegionCatalog* regions = nullptr;        ///< the depth guard (nullptr: no guard)
  const std::vector<physics::Device>* devices = nullptr;  ///< charting a dose from physics (nullptr: refused)
  /// The aftercare sheet's "why these windows" lines (nullptr: the sheet leaves them out).
  const physics::ResealingData* resealing = nullptr;
};

class ClinicStore {
 public:
  /// `pack` and the `physics` data must outlive this object; `photo_dir` is where photo files are kept by
  /// SHA-256 (empty: photos are refused).
  ClinicStore(Store& store, const knowledge::Pack& pack, ClinicPhysics physics = {},
              std::filesystem::path photo_dir = {});

  /// The repository the rules work over (for writes that are not clinic rules, such as a staff login, made in
  /// the same transaction as one that is).
  [[nodiscard]] Store& repository() { return store_; }

  Result<UserRecord> add_user(const Actor& by, std::string name, std::string role);
  /// Refuses an id or name that is blank, not valid UTF-8, holds control characters or is too long, and an id
  /// already in use (`invalid_value`); both are stored trimmed. `role` is one of `staff_roles`.
  /// `email` and `phone` are optional; given, each must be well formed (`check_client`).
  Result<ClientRecord> add_client(const Actor& by, const ClientRecord& client);
  /// Changes a client's name, date of birth, email or phone (ClientChanges), under the same checks as
  /// `add_client` (one check for both), and records it with its audit entry in one transaction. A change that
  /// changes nothing writes nothing. `not_found` for an unknown client; `invalid_value` / `out_of_range`
  /// naming the field refused, with nothing changed.
  Result<ClientRecord> update_client(const Actor& by, std::string_view client_id,
                                     const ClientChanges& changes);
  /// Everything recorded about a client, read in one snapshot (Store::read_snapshot).
  Result<ClientHistory> history(std::string_view client_id);

  /// Screens the intake (clinic::screen) and records it with the decision, area decisions, reasons and the
  /// pack label. `intake_json` is the document the intake was parsed from. The client must be registered.
  Result<IntakeRecord> record_intake(const Actor& by, const clinic::Intake& intake,
                                     const nlohmann::json& intake_json);

  /// Records the SHA-256 of the consent text, the signer and the time (by.at).
  Result<ConsentRecord> record_consent(const Actor& by, std::string_view client_id, std::string_view text,
                                       std::string signer);
  Result<ConsentRecord> withdraw_consent(const Actor& by, Id consent_id);

  /// Records a client's consent to messages, given (`agreed`) or withdrawn, at by.at, `via` how. Saying
  /// again what is in force writes nothing and returns the record in force. `not_found` for an unknown
  /// client.
  Result<MessageConsentRecord> record_message_consent(const Actor& by, std::string_view client_id,
                                                      bool agreed, ConsentVia via);
  /// The consent to messages in force (the latest recorded), if the client ever gave or refused one.
  Result<std::optional<MessageConsentRecord>> message_consent(std::string_view client_id);
  /// Withdraws the consent of the client whose unsubscribe token this is (by.name says who: the link);
  /// `not_found` for an unknown token.
  Result<MessageConsentRecord> unsubscribe(const Actor& by, std::string_view token);
  /// The token of the client's unsubscribe link: made (128 random bits) and kept the first time it is needed.
  Result<std::string> unsubscribe_token(std::string_view client_id, DateTime at);

  /// Plans the course from the client's latest intake (clinic::plan) and records it.
  Result<CourseRecord> record_course(const Actor& by, std::string_view client_id, Date start,
                                     const clinic::PlanOptions& options = {});

  /// Books an appointment under the rules its session will meet that are known at booking time: a time to
  /// come, the screening in force clearing the area, a needle length the area's limits and bands allow
  /// (clinic::check_length_for_area), and a date that keeps the interval rules (clinic::check_interval under
  /// every course rule that could govern the needle) against this client's sessions and booked appointments
  /// on the same or an overlapping area. Consent, roller and depth guard are checked when the session starts.
  Result<AppointmentRecord> book_appointment(const Actor& by, std::string_view client_id, std::string area,
                                             units::Length needle_length, DateTime at,
                                             std::optional<Id> course_id = std::nullopt);
  Result<AppointmentRecord> cancel_appointment(const Actor& by, Id appointment_id);

  Result<RollerRecord> register_roller(const Actor& by, const RollerSpec& spec);
  /// new → assigned to the client. A roller already assigned to a client is never given to another (S9).
  Result<RollerRecord> assign_roller(const Actor& by, Id roller_id, std::string_view client_id);
  /// used → assigned again for the same client, only if the pack has a `new_or_sterilised` hygiene rule.
  Result<RollerRecord> sterilise_roller(const Actor& by, Id roller_id);
  Result<RollerRecord> dispose_roller(const Actor& by, Id roller_id, std::string reason);
  /// What a lot touched, and its recall if one is recorded; `not_found` when the store knows nothing of the
  /// lot (no roller of it, no recall).
  Result<Recall> recall(std::string_view lot);
  /// Records the recall of a lot at by.at (a manufacturer's notice: `reason` says why) and returns what the
  /// lot touched, as `recall`. A lot need not have a roller registered yet: a recall recorded first keeps its
  /// rollers from being registered. From then on a roller of the lot is refused (`RECORD.lot_recalled`) for
  /// registration, assignment, sterilisation for reuse and a session start; disposing of it stays allowed.
  /// One recall per lot: a second is `invalid_value`.
  Result<Recall> recall_lot(const Actor& by, std::string_view lot, std::string reason);

  // ---- home maintenance (S2): every function takes the client and checks the record is theirs ----------

  /// Registers a client's home roller: a device of the pack whose setting is "home", a lot that is not
  /// recalled (`RECORD.lot_recalled`), a day not after by.at's.
  Result<HomeRollerRecord> register_home_roller(const Actor& by, std::string_view client_id,
                                                const HomeRollerSpec& spec);
  /// Retires a client's home roller at by.at with the reason; `not_found` for a roller that is not this
  /// client's, `invalid_value` for one already retired.
  Result<HomeRollerRecord> retire_home_roller(const Actor& by, std::string_view client_id, Id home_roller_id,
                                              std::string reason);
  /// The client's home rollers with their life as of `today`.
  Result<std::vector<HomeRollerLife>> home_rollers(std::string_view client_id, Date today);
  /// The client's home sessions, by day.
  Result<std::vector<HomeSessionRecord>> home_sessions(std::string_view client_id);
  /// Logs a home session at by.at, checking in one transaction: the roller is the client's and in use, its
  /// lot not recalled, its device a home device allowed on the area, the day not in the future nor before the
  /// roller's registration, and the pack's maintenance rule (clinic::check_home_session) against the
  /// client's home sessions and professional sessions on the same or an overlapping area. Queues the
  /// aftercare sheet in the outbox (kind "home_aftercare"). A refusal is `ErrorCode::refused` with the rule.
  Result<LoggedHomeSession> log_home_session(const Actor& by, std::string_view client_id,
                                             const HomeSessionInput& input);
  /// The earliest day a home session on `area` is allowed for the client from `from` on (nothing when the
  /// pack has no maintenance rule).
  Result<std::optional<Date>> next_home_session(std::string_view client_id, std::string_view area, Date from);

  /// Starts a session at by.at after checking every rule (see the header comment); returns the protocol.
  Result<StartedSession> start_session(const Actor& by, const SessionRequest& request);
  /// Timestamps a protocol step at by.at: a step of this session's protocol (a cocktail step only with a
  /// cocktail), once; refused before the session started and after it finished.
  Result<StepRecord> record_step(const Actor& by, Id session_id, std::string step);
  /// The session's protocol steps in order, each with the time it was recorded (none yet: absent).
  Result<std::vector<ChecklistStep>> checklist(Id session_id);
  /// Charts passes, dose and notes. With `dose_from_physics` the density and effective depth come from the
  /// physics engine for this session's area, roller (needle count and length) and passes (given now or
  /// charted before), seeded by `seed` or the session id so the figures can be reproduced; a note records
  /// how. Refused
  /// (`invalid_value`) together with hand figures, without passes, or when the area or roller has no physics
  /// model.
  ///
  /// With `chart.zone` the dose of that zone is simulated and stored as the zone's record (inserted, or
  /// updated when the zone was charted before); refused (`invalid_value` on `zone`, listing the area's zones)
  /// for a region that is not one of the session's area, with hand figures, and refused
  /// (`RECORD.session_finished`) once the session has finished: a zone is charted while the session runs.
  Result<SessionRecord> chart(const Actor& by, Id session_id, const Chart& chart);
  /// The zones charted in a session (`not_found` for no such session).
  Result<std::vector<SessionZoneRecord>> zones(Id session_id);
  /// The simulation of a charted zone run again from what was stored (the session's area, device and needle
  /// length, its roller's needle count, the zone's passes, directions and seed): the same figures as stored,
  /// and the density grid for the zone's heatmap. `not_found` (on `zone`) for a zone not charted in the
  /// session.
  Result<clinic::DoseSimulation> zone_simulation(Id session_id, std::string_view zone);
  /// Ends the session at by.at; the roller becomes used, and the session's aftercare sheet
  /// (clinic::aftercare, as text) is queued in the outbox for the client. Every step of the session's
  /// protocol must have been recorded, or `missing_steps_reason` say why not (it is kept, signed, in the
  /// notes).
  Result<SessionRecord> finish_session(const Actor& by, Id session_id,
                                       std::optional<std::string> missing_steps_reason = std::nullopt);

  /// Keeps the image as `photo_dir/<first two hex>/<sha256>` (written to a temporary file, synced, then
  /// renamed; an existing identical file is reused) and records its metadata at by.at. Refuses an image that
  /// is not JPEG or PNG, an unknown kind, an area the pack does not know (`area`), or a session of another
  /// client.
  Result<PhotoRecord> add_photo(const Actor& by, const PhotoInput& photo);
  /// Re-reads every photo file of the client and reports those missing or changed.
  Result<std::vector<PhotoProblem>> check_photos(std::string_view client_id);
  /// Where a photo's file is kept.
  [[nodiscard]] std::filesystem::path photo_path(std::string_view sha256) const;

  /// Queues a message for its client at by.at (`m.created_at` is set to it): `recipient` is the client's
  /// email now; a client without one gets the message `withheld` (last_error says why), never tried by the
  /// mailer but listed to be handed over. `m.kind` must be one of `message_kinds`; `m.next_attempt_at`, when
  /// set, is "not before" (a message queued for later). A `dedupe_key` already queued is not queued again:
  /// the message already there comes back with `inserted` false (Store::insert_message_once).
  Result<MessageQueued> queue_message(const Actor& by, OutboxMessage m);
  /// Composes a message from the pack's words (clinic::compose_message: the client's name and unsubscribe
  /// link added to `r.fields`) and queues it (queue_message). `pack_error` when the pack has no such message.
  Result<MessageQueued> queue_composed(const Actor& by, MessageRequest r);
  /// Queues what has fallen due by by.at and not been queued yet: the 24-hour prompt of every finished
  /// session whose follow-up is due (within two days of falling due) and not yet recorded, and a reminder for
  /// every booked appointment that starts within `reminder_lead` (once per appointment and time: a moved
  /// visit is reminded again). Returns how many messages were queued. The mailer calls it each round; it is
  /// safe to call any time.
  Result<int> queue_due_messages(const Actor& by, std::chrono::minutes reminder_lead);
  /// How long a visit is: the pack's procedure steps at their longest (S7).
  [[nodiscard]] std::chrono::minutes visit_length() const;
  /// The visits as an iCalendar object (units::to_ics; UIDs "appointment-N@<public_url's host>"), stamped
  /// `stamp`: a message's attachment and the client's calendar feed.
  [[nodiscard]] Result<std::string> visit_ics(const std::vector<AppointmentRecord>& visits,
                                              DateTime stamp) const;
  /// The address every link in a message starts with (the server's `public_url`), without a trailing slash.
  void set_public_url(std::string url);
  [[nodiscard]] const std::string& public_url() const { return public_url_; }

  /// Messages not yet sent (all with `all`), oldest first.
  Result<std::vector<OutboxMessage>> outbox(bool all = false);
  /// The messages in one state, oldest first.
  Result<std::vector<OutboxMessage>> outbox_in(MessageState state);
  /// Marks a message as handed over or sent, at by.at by by.name (state `sent`): a queued, failed or
  /// withheld one; one already sent is `invalid_value`.
  Result<OutboxMessage> mark_sent(const Actor& by, Id message_id);

  // ---- delivery by mail (docs/mail.md; the rules in delivery.hpp) -------------------------------------
  /// At most `limit` messages the mailer may try at `now`, oldest first (Store::due_messages): the one
  /// place that decides what may leave.
  Result<std::vector<OutboxMessage>> due_messages(DateTime now, std::int64_t limit);
  /// Claims a message for one send, in its own audited write, only if it is still due at by.at: its
  /// next_attempt_at becomes by.at + `lease` (no other worker takes it meanwhile) and its Message-ID is fixed
  /// (`message_id_for` with `domain`) if it has none. Empty when it is no longer due (another worker took
  /// it, or a person handed it over).
  Result<std::optional<OutboxMessage>> claim_message(const Actor& by, Id message_id,
                                                     std::chrono::seconds lease, std::string_view domain);
  /// Records the relay's answer to an attempt at by.at (`after_attempt`): sent, queued for a retry, or
  /// failed. A message no longer queued (handed over meanwhile) is left as it is and returned.
  Result<OutboxMessage> record_attempt(const Actor& by, Id message_id, const Attempt& attempt,
                                       const RetryPolicy& policy, double jitter);
  /// A failed message back to `queued` with its attempts reset (a person's decision, audited);
  /// `invalid_value` for a message in another state.
  Result<OutboxMessage> retry_message(const Actor& by, Id message_id);

  /// Records observations at by.at for a finished session, triaged by clinic::followup; "see a doctor"
  /// opens an escalation.
  Result<RecordedFollowup> record_followup(const Actor& by, Id session_id,
                                           const std::vector<std::string>& observations);
  /// Closes an open escalation; `by.name` must be a registered user and `note` say what was done.
  Result<EscalationRecord> close_escalation(const Actor& by, Id escalation_id, std::string note);

  /// Follow-ups due by the end of `now`'s day (UTC) and every open escalation.
  Result<std::vector<DueItem>> due(DateTime now);

  /// How long after a session a follow-up falls due: the earliest `from_hours` of a see-a-doctor follow-up
  /// rule in the pack (24 h in the seed, S14), so the follow-up happens when it can change the triage.
  [[nodiscard]] std::chrono::hours followup_due_after() const;

  /// What the clinic engine needs of a recorded session (protocol, aftercare): the portal's aftercare sheet
  /// of a stored session is the one its finish queued.
  static clinic::SessionInput session_input(const SessionRecord& s);

 private:
  /// The screening that clears a session's area, and the area decision it rests on.
  struct AreaScreening {
    IntakeRecord intake;
    AreaDecisionRecord area;
  };
  /// Each rule of a session start, read at the session's time `at` (start_session).
  Result<AreaScreening> check_screening(std::string_view client_id, std::string_view area, DateTime at);
  Result<ConsentRecord> check_consent(std::string_view client_id, DateTime at);
  Result<RollerRecord> check_roller(std::string_view client_id, Id roller_id, DateTime at);
  /// The acknowledgements asked for: each a warning rule of the pack, once (before anything is read).
  [[nodiscard]] Result<void> check_acknowledgements(const std::vector<std::string>& acknowledged) const;
  /// Every warning that fires for the session's needle is acknowledged, and every acknowledgement is of one.
  [[nodiscard]] Result<void> check_warnings(const SessionRecord& s, const clinic::Protocol& protocol) const;
  Result<void> keep_appointment(const Actor& by, const SessionRequest& request);
  Result<std::vector<ChecklistStep>> checklist_of(const SessionRecord& s);
  Result<void> read_history(std::string_view client_id, ClientHistory& h);
  Result<ClientRecord> require_client(std::string_view client_id);
  /// The one check of a client's fields, for `add_client` and `update_client`: id, name, email and phone
  /// trimmed and well formed, the date of birth not after `today`. Cleans `client` in place.
  static Result<void> check_client(ClientRecord& client, Date today);
  Result<RollerRecord> require_roller(Id roller_id);
  /// `RECORD.lot_recalled` when `lot` has a recall recorded at or before `at`: what `doing` (a roller,
  /// "roller 3") may not be used for, named with the recall's date and reason, at `where`.
  Result<void> check_not_recalled(std::string_view lot, DateTime at, std::string_view doing,
                                  std::string_view where);
  Result<SessionRecord> require_session(Id session_id);
  /// The dose request of a zone of session `s`: its area, device, needle and roller's needle count.
  Result<clinic::DoseRequest> zone_request(const SessionRecord& s, std::string zone, int passes,
                                           std::vector<std::string> directions, std::uint64_t seed);
  /// Charts the dose of `c.zone` in session `s` (inside chart's transaction).
  Result<void> chart_zone(const Actor& by, SessionRecord& s, const Chart& c, std::optional<std::string> note);
  /// What a home session on `area` is checked against (clinic::HomeHistory): the client's home and
  /// professional sessions on the same or an overlapping area.
  Result<clinic::HomeHistory> home_history(std::string_view client_id, std::string_view area);
  Result<void> check_interval_for(std::string_view client_id, std::string_view area, units::Length needle,
                                  Date proposed, std::optional<Id> skip_appointment, bool with_appointments);

  /// What a finished session sends at once: its aftercare (with the next visit as an .ics).
  Result<void> queue_session_messages(const Actor& by, const SessionRecord& s,
                                      const clinic::AftercareSheet& sheet);
  /// A notice to the client of every session a recalled lot's rollers were used in.
  Result<void> queue_recall_notices(const Actor& by, const Recall& recall);

  Store& store_;
  const knowledge::Pack& pack_;
  const physics::RegionCatalog* regions_;
  std::filesystem::path photo_dir_;
  const std::vector<physics::Device>* devices_;
  const physics::ResealingData* resealing_;
  std::string public_url_ = "http://127.0.0.1:8080";  ///< serve's default listen address
};

}  // namespace needlework::store
