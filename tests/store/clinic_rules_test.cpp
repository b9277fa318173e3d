// The clinic store's rules (ClinicStore) on both backends, each on a fresh, empty database
// (store_fixture.hpp): clients and intakes, what a session needs to start, steps, charting and finishing,
// photos, recall, follow-ups, escalations and what falls due. Every refusal test also shows the allowed case
// next to it, so it fails if the rule is removed or if the rule refuses everything.

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <limits>
#include <stdexcept>
#include <thread>

#include "store_fixture.hpp"

using needlework::ErrorCode;
using nlohmann::json;

namespace {

class ClinicRules : public StoreTest {};
NEEDLEWORK_INSTANTIATE_STORE_TESTS(ClinicRules);

// ---- clients -------------------------------------------------------------------------------------------

TEST_P(ClinicRules, ClientIdsAreUniqueAndSearchable) {
  add_client("C-1");
  ns::ClientRecord dup;
  dup.id = "C-1";
  dup.name = "Other";
  auto r = clinic_->add_client(by("2026-11-20T10:00:00Z"), dup);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::invalid_value);
  auto found = store_->search_clients("test c-");
  ASSERT_TRUE(found);
  ASSERT_EQ(found->size(), 1u);
  auto none = store_->search_clients("%");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty()) << "a LIKE wildcard in the search text is matched literally";
}

TEST_P(ClinicRules, AnIntakeIsRecordedWithItsScreeningAndPack) {
  add_client("C-1");
  record_intake(intake_json("C-1", "2026-11-23", {{{"area", "face"}, {"concerns", {"pores"}}}},
                            {{{"id", "diabetes"}}}));
  auto intakes = store_->intakes_of("C-1");
  ASSERT_TRUE(intakes);
  ASSERT_EQ(intakes->size(), 1u);
  const auto& i = intakes->front();
  EXPECT_EQ(i.decision, nk::Decision::contraindicated);
  EXPECT_EQ(i.pack, seed().label());
  ASSERT_EQ(i.areas.size(), 1u);
  EXPECT_EQ(i.areas[0].area, "face");
  EXPECT_NE(i.reasons_json.find("CI.diabetes"), std::string::npos);
}

TEST_P(ClinicRules, AnIntakeMustNameTheRegisteredClient) {
  add_client("C-1");
  auto doc = intake_json("C-1", "2026-11-23", {{{"area", "face"}, {"concerns", {"pores"}}}});
  doc["client"]["name"] = "Somebody Else";
  auto in = needlework::clinic::parse_intake(doc, seed());
  ASSERT_TRUE(in);
  auto r = clinic_->record_intake(by("2026-11-23T09:00:00Z"), *in, doc);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().where, "client.name");
  EXPECT_EQ(audit_count(), 1);
  doc["client"]["name"] = "Test C-1";
  in = needlework::clinic::parse_intake(doc, seed());
  ASSERT_TRUE(in);
  EXPECT_TRUE(clinic_->record_intake(by("2026-11-23T09:00:00Z"), *in, doc));
}

TEST_P(ClinicRules, AnIntakeForAnUnknownClientIsRefusedAsNotFound) {
  const auto doc = intake_json("C-9", "2026-11-23", {{{"area", "face"}, {"concerns", {"pores"}}}});
  auto in = needlework::clinic::parse_intake(doc, seed());
  ASSERT_TRUE(in);
  auto r = clinic_->record_intake(by("2026-11-23T09:00:00Z"), *in, doc);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::not_found);
  EXPECT_EQ(audit_count(), 0);
}

// ---- session start: screening, consent, roller, needle, interval ---------------------------------------

TEST_P(ClinicRules, SessionNeedsAScreening) {
  add_client("C-1");
  ASSERT_TRUE(clinic_->record_consent(by("2026-11-23T09:00:00Z"), "C-1", "text", "C-1"));
  const auto r = assigned_roller("C-1", "LOT-A", "1");
  expect_refused(start("C-1", r, "2026-11-24T10:00:00Z"), "has not been screened", "RECORD.not_screened");
  record_intake(intake_json("C-1", "2026-11-23", {{{"area", "face"}, {"concerns", {"pores"}}}}));
  EXPECT_TRUE(start("C-1", r, "2026-11-24T10:00:00Z"));
}

TEST_P(ClinicRules, SessionNeedsTheLatestScreeningToClearThisArea) {
  add_client("C-1");
  ASSERT_TRUE(clinic_->record_consent(by("2026-11-23T09:00:00Z"), "C-1", "text", "C-1"));
  const auto r = assigned_roller("C-1", "LOT-A", "1");
  // Acne on the face defers the face (CI.acne); the scalp stays treatable.
  record_intake(intake_json(
      "C-1", "2026-11-23",
      {{{"area", "face"}, {"concerns", {"pores"}}}, {{"area", "scalp"}, {"concerns", {"hair_loss"}}}},
      {{{"id", "acne"}, {"areas", {"face"}}}}));
  expect_refused(start("C-1", r, "2026-11-24T10:00:00Z", "face"), "not cleared for face", "CI.acne");
  expect_refused(start("C-1", r, "2026-11-24T10:00:00Z", "neck"), "did not cover neck",
                 "RECORD.screening_not_covering");
  auto scalp = start("C-1", r, "2026-11-24T10:00:00Z", "scalp");
  EXPECT_TRUE(scalp) << scalp.error().describe();
}

TEST_P(ClinicRules, ANewerScreeningThatDoesNotClearWins) {
  ready_client("C-1");
  const auto r = assigned_roller("C-1", "LOT-A", "1");
  record_intake(intake_json("C-1", "2026-11-24", {{{"area", "face"}, {"concerns", {"pores"}}}},
                            {{{"id", "pregnancy"}}}),
                "2026-11-24T09:00:00Z");
  expect_refused(start("C-1", r, "2026-11-24T10:00:00Z"), "not cleared for face");
}

TEST_P(ClinicRules, TheRecordedIntakeIsScreenedAgainUnderThePackInUse) {
  ready_client("C-1");
  const auto r = assigned_roller("C-1", "LOT-A", "1");
  // The recorded decision says cleared, but the intake as stored no longer clears under the pack in use
  // (here: its dermatologist clearance is gone, so S10 refers): the session follows today's screening.
  close();
  raw_sql(backend() == Backend::sqlite
              ? "UPDATE intakes SET intake_json = json_remove(intake_json, '$.dermatologist_clearance')"
              : "UPDATE intakes SET intake_json = (intake_json::jsonb - 'dermatologist_clearance')::text");
  reopen();
  expect_refused(start("C-1", r, "2026-11-24T10:00:00Z"), "screen the client again");
}

TEST_P(ClinicRules, SessionNeedsAValidConsent) {
  add_client("C-1");
  record_intake(intake_json("C-1", "2026-11-23", {{{"area", "face"}, {"concerns", {"pores"}}}}));
  const auto r = assigned_roller("C-1", "LOT-A", "1");
  expect_refused(start("C-1", r, "2026-11-24T10:00:00Z"), "has not signed a consent",
                 "RECORD.consent_missing");
  auto c = clinic_->record_consent(by("2026-11-23T09:00:00Z"), "C-1", "I consent.", "C-1");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->text_sha256, ns::sha256_hex("I consent."));
  auto w = clinic_->withdraw_consent(by("2026-11-23T18:00:00Z"), c->id);
  ASSERT_TRUE(w);
  expect_refused(start("C-1", r, "2026-11-24T10:00:00Z"), "withdrew consent", "RECORD.consent_withdrawn");
  auto again = clinic_->withdraw_consent(by("2026-11-23T19:00:00Z"), c->id);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::invalid_value);
  ASSERT_TRUE(clinic_->record_consent(by("2026-11-24T09:00:00Z"), "C-1", "I consent again.", "C-1"));
  EXPECT_TRUE(start("C-1", r, "2026-11-24T10:00:00Z"));
}

TEST_P(ClinicRules, ARollerNeverCrossesClients) {
  ready_client("C-A");
  ready_client("C-B");
  const auto r = assigned_roller("C-A", "LOT-A", "1");
  auto cross = clinic_->assign_roller(by("2026-11-21T09:00:00Z"), r, "C-B");
  ASSERT_FALSE(cross);
  EXPECT_EQ(cross.error().code, ErrorCode::refused);
  EXPECT_NE(cross.error().message.find("never crosses clients"), std::string::npos);
  EXPECT_NE(cross.error().message.find("HYG.single_client"), std::string::npos);
  EXPECT_EQ(cross.error().rule, "HYG.single_client");
  expect_refused(start("C-B", r, "2026-11-24T10:00:00Z"), "belongs to client C-A", "HYG.single_client");
  EXPECT_TRUE(start("C-A", r, "2026-11-24T10:00:00Z"));
}

TEST_P(ClinicRules, TheDatabaseItselfRefusesToMoveARollerToAnotherClient) {
  ready_client("C-A");
  ready_client("C-B");
  const auto r = assigned_roller("C-A", "LOT-A", "1");
  close();
  EXPECT_FALSE(raw_exec_ok("UPDATE rollers SET client_id = 'C-B' WHERE id = " + std::to_string(r)));
  EXPECT_FALSE(raw_exec_ok("UPDATE rollers SET client_id = NULL WHERE id = " + std::to_string(r)));
  EXPECT_TRUE(raw_exec_ok("UPDATE rollers SET uses = uses WHERE id = " + std::to_string(r)))
      << "the guard refuses a change of client, not every update";
}

TEST_P(ClinicRules, AnUnassignedDisposedOrExpiredRollerIsRefused) {
  ready_client("C-1");
  const auto fresh = roller("LOT-A", "1");
  expect_refused(start("C-1", fresh, "2026-11-24T10:00:00Z"), "is not assigned",
                 "RECORD.roller_not_assigned");

  const auto dropped = assigned_roller("C-1", "LOT-A", "2");
  ASSERT_TRUE(clinic_->dispose_roller(by("2026-11-21T09:00:00Z"), dropped, "dropped"));
  expect_refused(start("C-1", dropped, "2026-11-24T10:00:00Z"), "was disposed", "RECORD.roller_disposed");

  const auto old = roller("LOT-B", "1", 1.0, "2026-11-30");
  ASSERT_TRUE(clinic_->assign_roller(by("2026-11-21T09:00:00Z"), old, "C-1"));
  expect_refused(start("C-1", old, "2026-12-01T10:00:00Z"), "expired on 2026-11-30", "RECORD.roller_expired");
  EXPECT_TRUE(start("C-1", old, "2026-11-30T10:00:00Z")) << "the expiry day itself is still usable";
}

TEST_P(ClinicRules, AUsedRollerIsReusedOnlyAfterSterilisingAndOnlyIfThePackAllows) {
  ready_client("C-1");
  const auto r = assigned_roller("C-1", "LOT-A", "1");
  session("C-1", r, "2026-11-24T10:00:00Z", "2026-11-24T11:00:00Z");
  expect_refused(start("C-1", r, "2026-11-28T10:00:00Z"), "already used", "HYG.new_or_sterilised");
  auto st = clinic_->sterilise_roller(by("2026-11-25T09:00:00Z"), r);
  ASSERT_TRUE(st) << st.error().describe();
  EXPECT_EQ(st->state, ns::RollerState::assigned);
  EXPECT_EQ(st->client_id, "C-1");
  EXPECT_TRUE(start("C-1", r, "2026-11-28T10:00:00Z"));

  // A pack without the sterilised-reuse hygiene rule: single use only.
  nk::Pack strict = seed();
  ASSERT_TRUE(strict.erase_rule("HYG.new_or_sterilised"));
  const auto r2 = assigned_roller("C-1", "LOT-A", "2");
  session("C-1", r2, "2026-12-02T10:00:00Z", "2026-12-02T11:00:00Z");
  reopen(strict);
  auto refused = clinic_->sterilise_roller(by("2026-12-03T09:00:00Z"), r2);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::refused);
  EXPECT_EQ(refused.error().rule, "PACK.not_covered") << "no pack rule allows the reuse";
  reopen();
}

TEST_P(ClinicRules, ARollerInAnUnfinishedSessionIsRefused) {
  ready_client("C-1");
  const auto r = assigned_roller("C-1", "LOT-A", "1");
  ASSERT_TRUE(start("C-1", r, "2026-11-24T10:00:00Z", "face"));
  expect_refused(start("C-1", r, "2026-11-24T10:05:00Z", "periorbital"), "has not finished",
                 "RECORD.roller_busy");
}

TEST_P(ClinicRules, ANeedleThePackDoesNotAllowInTheAreaIsRefused) {
  ready_client("C-1");
  const auto long_needle = assigned_roller("C-1", "LOT-A", "1", 1.0);
  auto r = start("C-1", long_needle, "2026-11-24T10:00:00Z", "periorbital");
  expect_refused(r, "periorbital", "LIMIT.periorbital");
  const auto short_needle = assigned_roller("C-1", "LOT-A", "2", 0.25);
  EXPECT_TRUE(start("C-1", short_needle, "2026-11-24T10:00:00Z", "periorbital"));
}

TEST_P(ClinicRules, SessionsKeepTheCourseIntervalOnTheSameArea) {
  ready_client("C-1");
  const auto r1 = assigned_roller("C-1", "LOT-A", "1");
  const auto r2 = assigned_roller("C-1", "LOT-A", "2");
  const auto r3 = assigned_roller("C-1", "LOT-A", "3");
  session("C-1", r1, "2026-11-24T10:00:00Z", "2026-11-24T11:00:00Z");
  // COURSE.default: at least 3 days apart (S8).
  expect_refused(start("C-1", r2, "2026-11-26T10:00:00Z"), "COURSE.default", "COURSE.default");
  session("C-1", r2, "2026-11-27T10:00:00Z", "2026-11-27T11:00:00Z");
  // …and at most 2 in any 7 days: 24th, 27th, 30th is three in the week from the 24th.
  expect_refused(start("C-1", r3, "2026-11-30T10:00:00Z"), "at most 2 a week");
  EXPECT_TRUE(start("C-1", r3, "2026-12-01T10:00:00Z"));
}

TEST_P(ClinicRules, AppointmentsKeepTheIntervalAgainstSessionsAndOtherAppointments) {
  ready_client("C-1");
  const auto r1 = assigned_roller("C-1", "LOT-A", "1");
  session("C-1", r1, "2026-11-24T10:00:00Z", "2026-11-24T11:00:00Z");
  auto too_soon = clinic_->book_appointment(by("2026-11-24T12:00:00Z"), "C-1", "face", nu::millimetres(1.0),
                                            at("2026-11-25T10:00:00Z"));
  ASSERT_FALSE(too_soon);
  EXPECT_EQ(too_soon.error().code, ErrorCode::refused);
  auto ok = clinic_->book_appointment(by("2026-11-24T12:00:00Z"), "C-1", "face", nu::millimetres(1.0),
                                      at("2026-11-27T10:00:00Z"));
  ASSERT_TRUE(ok) << ok.error().describe();
  // cheek lies inside face: the booked face appointment counts.
  auto clash = clinic_->book_appointment(by("2026-11-24T12:00:00Z"), "C-1", "periorbital",
                                         nu::millimetres(0.25), at("2026-11-28T10:00:00Z"));
  ASSERT_FALSE(clash);
  EXPECT_EQ(clash.error().code, ErrorCode::refused);
  ASSERT_TRUE(clinic_->cancel_appointment(by("2026-11-24T12:30:00Z"), ok->id));
  EXPECT_TRUE(clinic_->book_appointment(by("2026-11-24T12:00:00Z"), "C-1", "periorbital",
                                        nu::millimetres(0.25), at("2026-11-28T10:00:00Z")));
}

TEST_P(ClinicRules, ASessionKeepsItsAppointment) {
  ready_client("C-1");
  const auto r = assigned_roller("C-1", "LOT-A", "1");
  auto a = clinic_->book_appointment(by("2026-11-23T12:00:00Z"), "C-1", "face", nu::millimetres(1.0),
                                     at("2026-11-24T10:00:00Z"));
  ASSERT_TRUE(a) << a.error().describe();
  ns::SessionRequest req{"C-1", "face", r, a->id, false, {}, warnings_for("face", 1.0)};
  auto s = clinic_->start_session(by("2026-11-24T10:00:00Z"), req);
  ASSERT_TRUE(s) << s.error().describe();
  auto kept = store_->find_appointment(a->id);
  ASSERT_TRUE(kept && *kept);
  EXPECT_EQ((*kept)->state, ns::AppointmentState::done);
}

// ---- steps, chart, finish ------------------------------------------------------------------------------

TEST_P(ClinicRules, StepsAreTimestampedOnceAndOnlyWhileTheSessionRuns) {
  ready_client("C-1");
  const auto r = assigned_roller("C-1", "LOT-A", "1");
  auto s = start("C-1", r, "2026-11-24T10:00:00Z");
  ASSERT_TRUE(s);
  const auto id = s->session.id;
  auto step = clinic_->record_step(by("2026-11-24T10:02:00Z"), id, "STEP.cleanse");
  ASSERT_TRUE(step) << step.error().describe();
  EXPECT_EQ(step->at, at("2026-11-24T10:02:00Z"));
  EXPECT_FALSE(clinic_->record_step(by("2026-11-24T10:03:00Z"), id, "STEP.cleanse"));
  auto unknown = clinic_->record_step(by("2026-11-24T10:03:00Z"), id, "STEP.dance");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::unknown_id);
  ASSERT_TRUE(clinic_->finish_session(by("2026-11-24T11:00:00Z"), id, "the client asked to stop"));
  auto late = clinic_->record_step(by("2026-11-24T11:05:00Z"), id, "STEP.mask");
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, ErrorCode::refused);
  EXPECT_EQ(late.error().rule, "RECORD.session_finished");
  auto steps = store_->steps_of(id);
  ASSERT_TRUE(steps);
  EXPECT_EQ(steps->size(), 1u);
}

TEST_P(ClinicRules, ChartKeepsDoseFieldsNullUntilGivenAndFinishUsesTheRoller) {
  ready_client("C-1");
  const auto r = assigned_roller("C-1", "LOT-A", "1");
  auto s = start("C-1", r, "2026-11-24T10:00:00Z");
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->session.density.has_value());
  ns::Chart c;
  c.passes = 4;
  c.notes = "even erythema";
  auto charted = clinic_->chart(by("2026-11-24T10:40:00Z"), s->session.id, c);
  ASSERT_TRUE(charted);
  EXPECT_EQ(charted->passes, 4);
  EXPECT_FALSE(charted->density.has_value());
  ns::Chart too_deep;
  too_deep.effective_depth = nu::millimetres(1.5);
  EXPECT_FALSE(clinic_->chart(by("2026-11-24T10:41:00Z"), s->session.id, too_deep));
  ns::Chart dose;
  dose.density = nu::per_square_centimetre(61.2);
  dose.effective_depth = nu::millimetres(0.35);
  ASSERT_TRUE(clinic_->chart(by("2026-11-24T10:42:00Z"), s->session.id, dose));
  auto f = finish(s->session.id, "2026-11-24T11:00:00Z");
  ASSERT_TRUE(f);
  auto saved = store_->find_session(s->session.id);
  ASSERT_TRUE(saved && *saved);
  EXPECT_EQ((*saved)->passes, 4);
  EXPECT_NEAR(nu::in_per_cm2(*(*saved)->density), 61.2, 1e-9);
  EXPECT_NEAR(nu::in_mm(*(*saved)->effective_depth), 0.35, 1e-12);
  EXPECT_NE((*saved)->notes.find("even erythema"), std::string::npos);
  auto used = store_->find_roller(r);
  ASSERT_TRUE(used && *used);
  EXPECT_EQ((*used)->state, ns::RollerState::used);
  EXPECT_EQ((*used)->uses, 1);
}

TEST_P(ClinicRules, AFinishedSessionQueuesItsAftercareSheetUntilItIsSent) {
  ready_client("C-1");
  const auto r = assigned_roller("C-1", "LOT-A", "1");
  ns::SessionRequest req{"C-1", "face", r, std::nullopt, true, {"sensitive_skin"}, warnings_for("face", 1.0)};
  auto s = clinic_->start_session(by("2026-11-24T10:00:00Z"), req);
  ASSERT_TRUE(s) << s.error().describe();
  auto none = clinic_->outbox();
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty()) << "nothing is queued before the session ends";
  ASSERT_TRUE(finish(s->session.id, "2026-11-24T11:00:00Z"));
  auto queued = clinic_->outbox();
  ASSERT_TRUE(queued);
  ASSERT_EQ(queued->size(), 1u);
  const auto& m = queued->front();
  EXPECT_EQ(m.client_id, "C-1");
  EXPECT_EQ(m.session_id, s->session.id);
  EXPECT_EQ(m.kind, "aftercare");
  // The sheet clinic::aftercare writes for this session, ending at the finish time.
  needlework::clinic::SessionInput in{"C-1",
                                      "face",
                                      nu::millimetres(1.0),
                                      "dermaroller",
                                      true,
                                      at("2026-11-24T10:00:00Z"),
                                      {"sensitive_skin"}};
  auto sheet = needlework::clinic::aftercare(in, at("2026-11-24T11:00:00Z"), seed());
  ASSERT_TRUE(sheet);
  // Inside the pack's words around it (MSG.aftercare; messages_test.cpp).
  EXPECT_NE(m.body.find(needlework::clinic::render_text(*sheet, seed())), std::string::npos) << m.body;
  auto sent = clinic_->mark_sent(by("2026-11-24T11:05:00Z"), m.id);
  ASSERT_TRUE(sent) << sent.error().describe();
  EXPECT_EQ(sent->sent_by, "ana");
  EXPECT_FALSE(clinic_->mark_sent(by("2026-11-24T11:06:00Z"), m.id)) << "sent twice";
  auto after = clinic_->outbox();
  ASSERT_TRUE(after);
  EXPECT_TRUE(after->empty());
  auto all = clinic_->outbox(true);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 1u);
}

// ---- photos --------------------------------------------------------------------------------------------

const std::string jpeg("\xFF\xD8\xFF\xE0 a tiny pretend JPEG body", 28);

TEST_P(ClinicRules, APhotoIsKeptByItsSha256AndItsMetadataRecorded) {
  ready_client("C-1");
  ns::PhotoInput in{"C-1", std::nullopt, jpeg, "before", "face.jpg", "left side"};
  auto p = clinic_->add_photo(by("2026-11-24T09:50:00Z"), in);
  ASSERT_TRUE(p) << p.error().describe();
  EXPECT_EQ(p->sha256, ns::sha256_hex(jpeg));
  EXPECT_EQ(p->media_type, "image/jpeg");
  EXPECT_EQ(p->size_bytes, static_cast<std::int64_t>(jpeg.size()));
  const auto file = clinic_->photo_path(p->sha256);
  EXPECT_EQ(file, dir_ / "photos" / p->sha256.substr(0, 2) / p->sha256);
  std::ifstream kept(file, std::ios::binary);
  std::stringstream bytes;
  bytes << kept.rdbuf();
  EXPECT_EQ(bytes.str(), jpeg);
  auto again = clinic_->add_photo(by("2026-11-24T09:51:00Z"), in);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->sha256, p->sha256);
  auto h = clinic_->history("C-1");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->photos.size(), 2u);
  auto ok = clinic_->check_photos("C-1");
  ASSERT_TRUE(ok);
  EXPECT_TRUE(ok->empty());
}

TEST_P(ClinicRules, APhotoMustBeAnImageOfAKnownKindAndOfThisClientsSession) {
  ready_client("C-1");
  ready_client("C-2");
  const auto r = assigned_roller("C-2", "LOT-A", "1");
  auto s = start("C-2", r, "2026-11-24T10:00:00Z");
  ASSERT_TRUE(s);
  auto text =
      clinic_->add_photo(by("2026-11-24T10:01:00Z"), {"C-1", std::nullopt, "hello", "before", "", ""});
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().where, "file");
  auto kind = clinic_->add_photo(by("2026-11-24T10:01:00Z"), {"C-1", std::nullopt, jpeg, "selfie", "", ""});
  ASSERT_FALSE(kind);
  EXPECT_EQ(kind.error().where, "kind");
  auto other = clinic_->add_photo(by("2026-11-24T10:01:00Z"), {"C-1", s->session.id, jpeg, "before", "", ""});
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().where, "session");
  EXPECT_TRUE(clinic_->add_photo(by("2026-11-24T10:01:00Z"), {"C-2", s->session.id, jpeg, "before", "", ""}));
}

TEST_P(ClinicRules, CheckPhotosFindsAChangedAndAMissingFile) {
  ready_client("C-1");
  const std::string png("\x89PNG\r\n\x1a\n pretend PNG", 20);
  auto a = clinic_->add_photo(by("2026-11-24T09:50:00Z"), {"C-1", std::nullopt, jpeg, "before", "", ""});
  auto b = clinic_->add_photo(by("2026-11-24T09:51:00Z"), {"C-1", std::nullopt, png, "before", "", ""});
  ASSERT_TRUE(a && b);
  EXPECT_EQ(b->media_type, "image/png");
  std::ofstream(clinic_->photo_path(a->sha256), std::ios::binary | std::ios::trunc) << "edited";
  fs::remove(clinic_->photo_path(b->sha256));
  auto problems = clinic_->check_photos("C-1");
  ASSERT_TRUE(problems);
  ASSERT_EQ(problems->size(), 2u);
  EXPECT_NE((*problems)[0].problem.find("changed"), std::string::npos);
  EXPECT_NE((*problems)[1].problem.find("missing"), std::string::npos);
}

// ---- recall --------------------------------------------------------------------------------------------

TEST_P(ClinicRules, RecallByLotListsEveryClientAndSessionTheLotTouched) {
  ready_client("C-A");
  ready_client("C-B");
  ready_client("C-C");
  const auto a = assigned_roller("C-A", "LOT-X", "1");
  const auto b = assigned_roller("C-B", "LOT-X", "2");
  const auto c = assigned_roller("C-C", "LOT-Y", "1");
  const auto sa = session("C-A", a, "2026-11-24T10:00:00Z", "2026-11-24T11:00:00Z");
  const auto sb = session("C-B", b, "2026-11-24T12:00:00Z", "2026-11-24T13:00:00Z");
  session("C-C", c, "2026-11-24T14:00:00Z", "2026-11-24T15:00:00Z");
  roller("LOT-X", "3");  // registered, never used

  auto r = clinic_->recall("LOT-X");
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->rollers.size(), 3u);
  EXPECT_EQ(r->clients, (std::vector<std::string>{"C-A", "C-B"}));
  ASSERT_EQ(r->sessions.size(), 2u);
  EXPECT_EQ(r->sessions[0].id, sa);
  EXPECT_EQ(r->sessions[1].id, sb);
  EXPECT_FALSE(r->recall) << "nothing recorded the lot's recall";
  auto none = clinic_->recall("LOT-Z");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::not_found);
}

/// A refusal of a roller of the recalled lot LOT-R: its rule, its field, and a message that names the lot,
/// the recall's date and reason, and says to dispose of the roller.
template <class T>
void expect_recalled(const needlework::Result<T>& r, const std::string& field) {
  ASSERT_FALSE(r) << "a roller of a recalled lot is refused";
  EXPECT_EQ(r.error().code, ErrorCode::refused) << r.error().describe();
  EXPECT_EQ(r.error().rule, "RECORD.lot_recalled") << r.error().describe();
  EXPECT_EQ(r.error().where, field) << r.error().describe();
  for (const char* part : {"LOT-R", "2026-11-25", "sterility failure", "dispose"}) {
    EXPECT_NE(r.error().message.find(part), std::string::npos) << part << ": " << r.error().message;
  }
}

TEST_P(ClinicRules, ARecordedRecallRefusesEveryUseOfTheLotsRollersFromItsTimeOn) {
  ready_client("C-A");
  ready_client("C-B");
  ready_client("C-C");
  const auto used = assigned_roller("C-A", "LOT-R", "1");
  session("C-A", used, "2026-11-24T10:00:00Z", "2026-11-24T11:00:00Z");
  const auto fresh = roller("LOT-R", "2");
  const auto assigned = assigned_roller("C-C", "LOT-R", "3");
  const auto other = assigned_roller("C-B", "LOT-OK", "1");

  auto recalled =
      clinic_->recall_lot(by("2026-11-25T08:00:00Z", "bea"), " LOT-R ", "sterility failure (notice 117)");
  ASSERT_TRUE(recalled) << recalled.error().describe();
  ASSERT_TRUE(recalled->recall);
  EXPECT_EQ(recalled->recall->lot, "LOT-R");
  EXPECT_EQ(recalled->recall->reason, "sterility failure (notice 117)");
  EXPECT_EQ(recalled->recall->recorded_by, "bea");
  EXPECT_EQ(recalled->recall->recalled_at, at("2026-11-25T08:00:00Z"));
  // What the lot touched, as the read gives it: who to contact.
  EXPECT_EQ(recalled->rollers.size(), 3u);
  EXPECT_EQ(recalled->sessions.size(), 1u);
  EXPECT_EQ(recalled->clients, (std::vector<std::string>{"C-A", "C-C"}));
  auto read = clinic_->recall("LOT-R");
  ASSERT_TRUE(read && read->recall);
  EXPECT_EQ(read->recall->id, recalled->recall->id);

  // Every use of a roller of the lot, from the recall on, next to the same use of another lot's roller.
  const auto after = by("2026-11-25T09:00:00Z");
  expect_recalled(clinic_->register_roller(after, {"LOT-R", "4", "", "dermaroller", 192, nu::millimetres(1.0),
                                                   *nu::parse_date("2028-01-31")}),
                  "lot");
  EXPECT_TRUE(clinic_->register_roller(
      after, {"LOT-OK", "2", "", "dermaroller", 192, nu::millimetres(1.0), *nu::parse_date("2028-01-31")}));
  expect_recalled(clinic_->assign_roller(after, fresh, "C-B"), "roller");
  expect_recalled(clinic_->sterilise_roller(after, used), "roller");
  expect_recalled(start("C-C", assigned, "2026-11-25T10:00:00Z"), "roller");
  auto allowed = start("C-B", other, "2026-11-25T10:00:00Z");
  EXPECT_TRUE(allowed) << allowed.error().describe();
  // A session dated before the recall was recorded (entered afterwards for when it happened) is not refused:
  // the recall applies from its own time, as every record does.
  auto earlier = start("C-C", assigned, "2026-11-25T07:30:00Z");
  EXPECT_TRUE(earlier) << earlier.error().describe();
  // Disposing of a recalled roller is what the refusal asks for.
  EXPECT_TRUE(clinic_->dispose_roller(after, fresh, "lot LOT-R recalled"));

  // The recall is a record: audited, and the chain and every record verify after it.
  auto log = store_->audit_log();
  ASSERT_TRUE(log);
  EXPECT_EQ(std::count_if(log->begin(), log->end(), [](const auto& e) { return e.entity == "lot_recalls"; }),
            1);
  auto check = store_->verify_audit();
  ASSERT_TRUE(check) << check.error().describe();
  EXPECT_TRUE(check->ok) << check->problem;
}

TEST_P(ClinicRules, ALotIsRecalledOnceWithAReasonAndMayBeRecalledBeforeItsRollersArrive) {
  // Before any roller of it is registered: the recall keeps them from being registered.
  auto early = clinic_->recall_lot(by("2026-11-25T08:00:00Z"), "LOT-R", "sterility failure");
  ASSERT_TRUE(early) << early.error().describe();
  EXPECT_TRUE(early->rollers.empty());
  EXPECT_TRUE(early->clients.empty());
  auto read = clinic_->recall("LOT-R");
  ASSERT_TRUE(read) << "a recalled lot is known without rollers: " << read.error().describe();
  expect_recalled(clinic_->register_roller(by("2026-11-26T09:00:00Z"),
                                           {"LOT-R", "1", "", "dermaroller", 192, nu::millimetres(1.0),
                                            *nu::parse_date("2028-01-31")}),
                  "lot");
  // Once per lot.
  auto again = clinic_->recall_lot(by("2026-11-26T08:00:00Z"), "LOT-R", "bent needles");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::invalid_value);
  EXPECT_EQ(again.error().where, "lot");
  EXPECT_NE(again.error().message.find("already recalled"), std::string::npos) << again.error().message;
  // Bad input names its field; nothing is recorded.
  for (const auto& [lot, reason, field, code] :
       std::vector<std::tuple<std::string, std::string, std::string, ErrorCode>>{
           {"LOT-S", "", "reason", ErrorCode::invalid_value},
           {"LOT-S", "  ", "reason", ErrorCode::invalid_value},
           {"", "bent needles", "lot", ErrorCode::invalid_value},
           {"LOT\nS", "bent needles", "lot", ErrorCode::invalid_value},
           {std::string(65, 'L'), "bent needles", "lot", ErrorCode::out_of_range}}) {
    auto bad = clinic_->recall_lot(by("2026-11-26T08:00:00Z"), lot, reason);
    ASSERT_FALSE(bad) << lot << " / " << reason;
    EXPECT_EQ(bad.error().code, code) << bad.error().describe();
    EXPECT_EQ(bad.error().where, field) << bad.error().describe();
  }
  EXPECT_FALSE(clinic_->recall("LOT-S"));
}

// ---- follow-up, escalation, due ------------------------------------------------------------------------

TEST_P(ClinicRules, AClientsFollowUpsComeInOneQueryInSessionOrderAndOnlyTheirs) {
  ready_client("C-1");
  ready_client("C-2");
  const auto first =
      session("C-1", assigned_roller("C-1", "LOT-A", "1"), "2026-11-24T10:00:00Z", "2026-11-24T11:00:00Z");
  const auto other =
      session("C-2", assigned_roller("C-2", "LOT-B", "1"), "2026-11-24T12:00:00Z", "2026-11-24T13:00:00Z");
  const auto second =
      session("C-1", assigned_roller("C-1", "LOT-A", "2"), "2027-03-01T10:00:00Z", "2027-03-01T11:00:00Z");
  ASSERT_TRUE(first && other && second);
  // Recorded out of session order: the second session's first, then the first session's two.
  for (const auto& [sid, when] :
       {std::pair{second, "2027-03-02T09:00:00Z"}, std::pair{first, "2026-11-25T09:00:00Z"},
        std::pair{first, "2026-11-24T20:00:00Z"}, std::pair{other, "2026-11-25T09:00:00Z"}}) {
    ASSERT_TRUE(clinic_->record_followup(by(when), sid, {"dryness"}));
  }
  std::vector<ns::Id> expected;  // as followups_of, session by session in sessions_of order
  const auto sessions = store_->sessions_of("C-1");
  ASSERT_TRUE(sessions);
  for (const auto& s : *sessions) {
    const auto of_session = store_->followups_of(s.id);
    ASSERT_TRUE(of_session);
    for (const auto& f : *of_session) expected.push_back(f.id);
  }
  auto all = store_->followups_of_client("C-1");
  ASSERT_TRUE(all) << all.error().describe();
  std::vector<ns::Id> got;
  for (const auto& f : *all) got.push_back(f.id);
  EXPECT_EQ(got, expected);
  EXPECT_EQ(got.size(), 3u) << "C-2's follow-up is not C-1's";
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].session_id, first);
  EXPECT_LT((*all)[0].observed_at, (*all)[1].observed_at);
  EXPECT_EQ((*all)[2].session_id, second);
  EXPECT_TRUE(store_->followups_of_client("C-404")->empty());
}

TEST_P(ClinicRules, SeeADoctorOpensAnEscalationThatStaysOpenUntilAUserClosesIt) {
  ready_client("C-1");
  const auto r = assigned_roller("C-1", "LOT-A", "1");
  const auto s = session("C-1", r, "2026-11-24T10:00:00Z", "2026-11-24T11:00:00Z");

  auto early = clinic_->record_followup(by("2026-11-24T20:00:00Z"), s, {"redness"});
  ASSERT_TRUE(early) << early.error().describe();
  EXPECT_EQ(early->followup.triage, nk::Triage::normal);
  EXPECT_FALSE(early->escalation.has_value());

  auto late = clinic_->record_followup(by("2026-11-25T13:00:00Z"), s, {"redness", "dryness"});
  ASSERT_TRUE(late) << late.error().describe();
  EXPECT_EQ(late->followup.triage, nk::Triage::see_doctor);
  ASSERT_TRUE(late->escalation.has_value());
  EXPECT_TRUE(late->escalation->open());
  EXPECT_NE(late->escalation->reason.find("FU.redness_persisting"), std::string::npos);

  auto due = clinic_->due(at("2026-11-30T09:00:00Z"));
  ASSERT_TRUE(due);
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].kind, ns::DueKind::escalation);

  EXPECT_FALSE(clinic_->close_escalation(by("2026-11-25T14:00:00Z"), late->escalation->id, ""));
  auto stranger =
      clinic_->close_escalation(by("2026-11-25T14:30:00Z", "dr.roe"), late->escalation->id, "seen");
  ASSERT_FALSE(stranger) << "only a registered user closes an escalation";
  EXPECT_EQ(stranger.error().where, "actor");
  ASSERT_TRUE(clinic_->add_user(by("2026-11-25T14:40:00Z"), "dr.roe", "practitioner"));
  auto closed = clinic_->close_escalation(by("2026-11-25T15:00:00Z", "dr.roe"), late->escalation->id,
                                          "seen; cold compress, recheck in 2 days");
  ASSERT_TRUE(closed) << closed.error().describe();
  EXPECT_EQ(closed->closed_by, "dr.roe");
  EXPECT_FALSE(clinic_->close_escalation(by("2026-11-25T16:00:00Z"), late->escalation->id, "again"));
  auto after = clinic_->due(at("2026-11-30T09:00:00Z"));
  ASSERT_TRUE(after);
  EXPECT_TRUE(after->empty());
}

TEST_P(ClinicRules, AFollowupNeedsAFinishedSessionAndKnownObservations) {
  ready_client("C-1");
  const auto r = assigned_roller("C-1", "LOT-A", "1");
  auto s = start("C-1", r, "2026-11-24T10:00:00Z");
  ASSERT_TRUE(s);
  auto running = clinic_->record_followup(by("2026-11-24T10:30:00Z"), s->session.id, {"dryness"});
  ASSERT_FALSE(running);
  EXPECT_EQ(running.error().code, ErrorCode::refused);
  EXPECT_EQ(running.error().rule, "RECORD.session_unfinished");
  ASSERT_TRUE(finish(s->session.id, "2026-11-24T11:00:00Z"));
  auto unknown = clinic_->record_followup(by("2026-11-25T12:00:00Z"), s->session.id, {"sparkles"});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::unknown_id);
  EXPECT_EQ(unknown.error().where, "observations[0]");
}

TEST_P(ClinicRules, AFollowupFallsDue24HoursAfterTheSessionUntilOneIsRecorded) {
  ready_client("C-1");
  const auto r = assigned_roller("C-1", "LOT-A", "1");
  const auto s = session("C-1", r, "2026-11-24T10:00:00Z", "2026-11-24T11:00:00Z");
  EXPECT_EQ(clinic_->followup_due_after(), std::chrono::hours{24});
  auto same_day = clinic_->due(at("2026-11-24T12:00:00Z"));
  ASSERT_TRUE(same_day);
  EXPECT_TRUE(same_day->empty());
  auto next_morning = clinic_->due(at("2026-11-25T08:00:00Z"));
  ASSERT_TRUE(next_morning);
  ASSERT_EQ(next_morning->size(), 1u);
  EXPECT_EQ((*next_morning)[0].kind, ns::DueKind::followup);
  EXPECT_EQ((*next_morning)[0].session_id, s);
  EXPECT_EQ((*next_morning)[0].due_at, at("2026-11-25T11:00:00Z"));
  EXPECT_FALSE((*next_morning)[0].overdue);
  auto next_evening = clinic_->due(at("2026-11-25T18:00:00Z"));
  ASSERT_TRUE(next_evening);
  ASSERT_EQ(next_evening->size(), 1u);
  EXPECT_TRUE((*next_evening)[0].overdue);
  ASSERT_TRUE(clinic_->record_followup(by("2026-11-25T18:00:00Z"), s, {"dryness"}));
  auto done = clinic_->due(at("2026-11-25T18:30:00Z"));
  ASSERT_TRUE(done);
  EXPECT_TRUE(done->empty());
}

}  // namespace
