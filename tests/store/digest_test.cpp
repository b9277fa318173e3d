// The audit digest of every record type stays byte-identical to the one the hand-written JSON gave before the
// field tables (legacy_json.hpp): otherwise every audit chain already written would stop verifying. Each
// record is tried with its optional members present and absent, and with values whose JSON forms are delicate
// (a length with binary noise, JSON documents kept as text, empty and missing lists).

#include <gtest/gtest.h>

#include "legacy_json.hpp"
#include "needlework/store/json.hpp"
#include "needlework/store/store.hpp"

namespace ns = needlework::store;
namespace nu = needlework::units;

namespace {

nu::DateTime at(const char* text) { return *nu::parse_date_time(text); }

/// The digest the audit records for `r` the new way (the table-driven JSON) and the old way.
template <class R>
void expect_same_digest(const R& r, const char* what) {
  const std::string now = ns::canonical(ns::to_json(r));
  const std::string before = ns::canonical(legacy::to_json(r));
  EXPECT_EQ(now, before) << what;
  EXPECT_EQ(ns::sha256_hex(now), ns::sha256_hex(before)) << what;
}

}  // namespace

TEST(AuditDigest, IsTheSameAsBeforeTheFieldTablesForEveryRecordType) {
  expect_same_digest(ns::UserRecord{7, "ana", "practitioner", at("2026-11-20T09:00:00Z")}, "user");

  expect_same_digest(ns::ClientRecord{"C-1", "Ana Ñ", std::nullopt, at("2026-11-20T09:00:00Z")}, "client");
  expect_same_digest(ns::ClientRecord{"C-2", "B", *nu::parse_date("1990-02-03"), at("2026-11-20T09:00:00Z")},
                     "client with a birth date");

  ns::IntakeRecord intake;
  intake.id = 3;
  intake.client_id = "C-1";
  intake.intake_date = *nu::parse_date("2026-11-20");
  intake.intake_json = R"({"client":{"id":"C-1"},"areas":["cheeks"]})";
  intake.decision = needlework::knowledge::Decision::cleared;
  intake.areas = {{"cheeks", "cleared"}, {"forehead", "exclude_area"}};
  intake.reasons_json = R"([{"rule":"S1","source":"x"}])";
  intake.pack = "seed@1.0.0";
  intake.recorded_at = at("2026-11-20T09:00:00Z");
  expect_same_digest(intake, "intake");
  intake.areas.clear();
  intake.reasons_json = "not json";
  expect_same_digest(intake, "intake without areas, with reasons that do not parse");

  ns::ConsentRecord consent{4, "C-1", std::string(64, 'a'), "Ana", at("2026-11-20T09:00:00Z"), std::nullopt,
                            ""};
  expect_same_digest(consent, "consent");
  consent.withdrawn_at = at("2026-11-21T09:00:00Z");
  consent.withdrawn_by = "bea";
  expect_same_digest(consent, "withdrawn consent");

  expect_same_digest(ns::CourseRecord{5, "C-1", 3, *nu::parse_date("2026-11-21"), R"({"sessions":[1,2]})",
                                      "seed@1.0.0", at("2026-11-20T09:00:00Z")},
                     "course");

  ns::AppointmentRecord appointment{6,
                                    "C-1",
                                    std::nullopt,
                                    "cheeks",
                                    nu::millimetres(0.1 + 0.2),
                                    at("2026-11-22T09:00:00Z"),
                                    ns::AppointmentState::booked};
  expect_same_digest(appointment, "appointment");
  appointment.course_id = 5;
  appointment.state = ns::AppointmentState::cancelled;
  expect_same_digest(appointment, "cancelled appointment of a course");

  ns::RollerRecord roller;
  roller.id = 8;
  roller.lot = "L-1";
  roller.serial = "S-1";
  roller.udi = "(01)123";
  roller.device = "dermaroller";
  roller.needle_count = 192;
  roller.needle_length = nu::millimetres(0.5);
  roller.expiry = *nu::parse_date("2027-01-01");
  roller.registered_at = at("2026-11-20T09:00:00Z");
  expect_same_digest(roller, "new roller (no client: null)");
  roller.state = ns::RollerState::disposed;
  roller.client_id = "C-1";
  roller.uses = 3;
  roller.disposal_reason = "worn";
  expect_same_digest(roller, "disposed roller");

  ns::SessionRecord session;
  session.id = 9;
  session.client_id = "C-1";
  session.intake_id = 3;
  session.consent_id = 4;
  session.roller_id = 8;
  session.area = "cheeks";
  session.device = "dermaroller";
  session.needle_length = nu::millimetres(0.25);
  session.pack = "seed@1.0.0";
  session.started_at = at("2026-11-22T09:00:00Z");
  expect_same_digest(session, "started session");
  session.appointment_id = 6;
  session.finished_at = at("2026-11-22T09:30:00Z");
  session.passes = 4;
  session.density = nu::per_square_centimetre(123.4567891);
  session.effective_depth = nu::millimetres(0.2 + 0.0000001);
  session.notes = "fine";
  session.stroke_plan_json = R"({"directions":["horizontal","vertical"],"passes":4})";
  session.cocktail = true;
  session.conditions = {"sensitive_skin", "stress"};
  expect_same_digest(session, "finished session with every optional member");
  // The session insert digests canonical_without_id, made on the submitting thread: the same text.
  EXPECT_EQ(ns::canonical_without_id(ns::to_json(session)).with_id(session.id),
            ns::canonical(legacy::to_json(session)));

  expect_same_digest(ns::StepRecord{10, 9, "STEP.cleanse", at("2026-11-22T09:05:00Z")}, "step");

  ns::FollowupRecord followup{11,
                              9,
                              at("2026-11-23T09:00:00Z"),
                              {"redness"},
                              needlework::knowledge::Triage::normal,
                              R"({"reasons":[]})",
                              "seed@1.0.0"};
  expect_same_digest(followup, "follow-up");
  followup.observations.clear();
  followup.triage = needlework::knowledge::Triage::see_doctor;
  expect_same_digest(followup, "follow-up without observations");

  ns::EscalationRecord escalation{12,           9,  11, "C-1", at("2026-11-23T09:00:00Z"), "pustules",
                                  std::nullopt, "", ""};
  expect_same_digest(escalation, "open escalation");
  escalation.closed_at = at("2026-11-24T09:00:00Z");
  escalation.closed_by = "dr";
  escalation.close_note = "seen";
  expect_same_digest(escalation, "closed escalation");

  ns::OutboxMessage message{
      13,           "C-1", std::nullopt, "aftercare", "After", "Body\nline", at("2026-11-22T09:30:00Z"),
      std::nullopt, ""};
  expect_same_digest(message, "message");
  message.session_id = 9;
  message.sent_at = at("2026-11-22T10:00:00Z");
  message.sent_by = "ana";
  expect_same_digest(message, "sent message of a session");

  ns::PhotoRecord photo{14,           "C-1", std::nullopt,          std::string(64, 'b'),
                        "image/jpeg", 12345, ns::PhotoKind::before, at("2026-11-22T08:55:00Z"),
                        "IMG_1.jpg",  ""};
  expect_same_digest(photo, "photo");
  photo.session_id = 9;
  photo.kind = ns::PhotoKind::after;
  expect_same_digest(photo, "photo of a session");
}
