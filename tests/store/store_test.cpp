// The clinic store's rules, audit chain and migrations, each on a fresh, empty database: a SQLite file in its
// own temp folder, and a PostgreSQL database of its own (store_fixture.hpp). Every test runs on both backends
// unless it is about one of them. Every refusal test also shows the allowed case next to it, so it fails if
// the rule is removed or if the rule refuses everything.

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <limits>
#include <stdexcept>
#include <thread>

#include "../../src/store/savepoints.hpp"
#include "store_fixture.hpp"

using needlework::ErrorCode;
using nlohmann::json;

// libpqxx 6.4 leaks one PGresult (about 2 KiB) when it finds that the server ended the session
// (AfterTheServerEndsItsSessionTheStoreReconnectsWithItsSettings): a library bug on that path only, kept out
// of LeakSanitizer's report for this binary. Every other leak is still reported.
extern "C" const char* __lsan_default_suppressions() { return "leak:libpqxx-6.4.so\n"; }

namespace {

// ---- migrations ----------------------------------------------------------------------------------------

TEST_P(StoreTest, MigrationsAreAppliedOnceAndOpeningTwiceKeepsTheData) {
  auto first = store_->schema();
  ASSERT_TRUE(first) << first.error().describe();
  EXPECT_EQ(first->version, 5);
  EXPECT_EQ(first->applied, (std::vector<std::string>{"0001_init", "0002_outbox", "0003_photos",
                                                      "0004_history_indexes", "0005_stroke_plan"}));
  add_client("C-1");
  reopen();
  reopen();
  auto again = store_->schema();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->version, 5);
  EXPECT_EQ(again->applied.size(), 5u);
  auto c = store_->find_client("C-1");
  ASSERT_TRUE(c && *c);
  EXPECT_EQ((*c)->name, "Test C-1");
  EXPECT_EQ(audit_count(), 1);
}

TEST_P(StoreTest, AChangedMigrationOrANewerDatabaseIsADataError) {
  close();
  raw_sql("UPDATE schema_version SET sql_sha256 = '" + std::string(64, 'a') + "' WHERE version = 1");
  auto changed = open_db();
  ASSERT_FALSE(changed);
  EXPECT_EQ(changed.error().code, ErrorCode::database_error);
  EXPECT_NE(changed.error().message.find("0001_init"), std::string::npos);

  raw_sql("UPDATE schema_version SET sql_sha256 = '" + ns::sha256_hex("x") +
          "' WHERE version = 1; "
          "INSERT INTO schema_version VALUES (99, '0099_future', 'x')");
  auto newer = open_db();
  ASSERT_FALSE(newer);
  EXPECT_EQ(newer.error().code, ErrorCode::database_error);
}

TEST_P(StoreTest, AVersion1DatabaseIsMigratedToTheLatestKeepingItsRecords) {
  ready_client("C-1");
  const auto r = assigned_roller("C-1", "LOT-A", "1");
  ASSERT_TRUE(start("C-1", r, "2026-11-24T10:00:00Z"));
  close();
  // Undo 0002 by hand: the database is as version 1 left it (SQLite >= 3.35 drops columns).
  raw_sql(
      "DROP TABLE photos; DROP TABLE outbox; ALTER TABLE sessions DROP COLUMN cocktail; "
      "ALTER TABLE sessions DROP COLUMN conditions_json; ALTER TABLE sessions DROP COLUMN stroke_plan_json; "
      "DELETE FROM schema_version WHERE version > 1");
  reopen();
  auto info = store_->schema();
  ASSERT_TRUE(info);
  EXPECT_EQ(info->version, 5);
  auto sessions = store_->sessions_of("C-1");
  ASSERT_TRUE(sessions) << sessions.error().describe();
  ASSERT_EQ(sessions->size(), 1u);
  EXPECT_FALSE((*sessions)[0].cocktail);
  auto outbox = clinic_->outbox(true);
  ASSERT_TRUE(outbox);
  EXPECT_TRUE(outbox->empty());
}

// ---- one backend ---------------------------------------------------------------------------------------

class SqliteStoreTest : public StoreTest {};
NEEDLEWORK_INSTANTIATE_STORE_TESTS_ON(SqliteStoreTest, Backend::sqlite);

TEST_P(SqliteStoreTest, AFileThatIsNotADatabaseIsReported) {
  close();
  std::ofstream(dir_ / "junk.db") << "this is not a database, it is a long enough line of text to be read";
  auto r = ns::open_sqlite(dir_ / "junk.db");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::io_error) << r.error().describe();
}

TEST_P(SqliteStoreTest, APageCacheUnderOneMebibyteIsRefused) {
  for (const int mib : {0, -5}) {
    auto r = ns::open_sqlite(dir_ / "cache.db", ns::SqliteOptions{.cache_mib = mib});
    ASSERT_FALSE(r) << mib;
    EXPECT_EQ(r.error().code, ErrorCode::invalid_value);
    EXPECT_EQ(r.error().where, "cache_mib");
  }
  EXPECT_FALSE(fs::exists(dir_ / "cache.db")) << "refused before anything was created";
  EXPECT_TRUE(ns::open_sqlite(dir_ / "cache.db", ns::SqliteOptions{.cache_mib = 1}));
}

// ---- clients -------------------------------------------------------------------------------------------

TEST_P(StoreTest, ClientIdsAreUniqueAndSearchable) {
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

TEST_P(StoreTest, AnIntakeIsRecordedWithItsScreeningAndPack) {
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

TEST_P(StoreTest, AnIntakeMustNameTheRegisteredClient) {
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

TEST_P(StoreTest, AnIntakeForAnUnknownClientIsRefusedAsNotFound) {
  const auto doc = intake_json("C-9", "2026-11-23", {{{"area", "face"}, {"concerns", {"pores"}}}});
  auto in = needlework::clinic::parse_intake(doc, seed());
  ASSERT_TRUE(in);
  auto r = clinic_->record_intake(by("2026-11-23T09:00:00Z"), *in, doc);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::not_found);
  EXPECT_EQ(audit_count(), 0);
}

// ---- session start: screening, consent, roller, needle, interval ---------------------------------------

TEST_P(StoreTest, SessionNeedsAScreening) {
  add_client("C-1");
  ASSERT_TRUE(clinic_->record_consent(by("2026-11-23T09:00:00Z"), "C-1", "text", "C-1"));
  const auto r = assigned_roller("C-1", "LOT-A", "1");
  expect_refused(start("C-1", r, "2026-11-24T10:00:00Z"), "has not been screened");
  record_intake(intake_json("C-1", "2026-11-23", {{{"area", "face"}, {"concerns", {"pores"}}}}));
  EXPECT_TRUE(start("C-1", r, "2026-11-24T10:00:00Z"));
}

TEST_P(StoreTest, SessionNeedsTheLatestScreeningToClearThisArea) {
  add_client("C-1");
  ASSERT_TRUE(clinic_->record_consent(by("2026-11-23T09:00:00Z"), "C-1", "text", "C-1"));
  const auto r = assigned_roller("C-1", "LOT-A", "1");
  // Acne on the face defers the face (CI.acne); the scalp stays treatable.
  record_intake(intake_json(
      "C-1", "2026-11-23",
      {{{"area", "face"}, {"concerns", {"pores"}}}, {{"area", "scalp"}, {"concerns", {"hair_loss"}}}},
      {{{"id", "acne"}, {"areas", {"face"}}}}));
  expect_refused(start("C-1", r, "2026-11-24T10:00:00Z", "face"), "not cleared for face");
  expect_refused(start("C-1", r, "2026-11-24T10:00:00Z", "neck"), "did not cover neck");
  auto scalp = start("C-1", r, "2026-11-24T10:00:00Z", "scalp");
  EXPECT_TRUE(scalp) << scalp.error().describe();
}

TEST_P(StoreTest, ANewerScreeningThatDoesNotClearWins) {
  ready_client("C-1");
  const auto r = assigned_roller("C-1", "LOT-A", "1");
  record_intake(intake_json("C-1", "2026-11-24", {{{"area", "face"}, {"concerns", {"pores"}}}},
                            {{{"id", "pregnancy"}}}),
                "2026-11-24T09:00:00Z");
  expect_refused(start("C-1", r, "2026-11-24T10:00:00Z"), "not cleared for face");
}

TEST_P(StoreTest, TheRecordedIntakeIsScreenedAgainUnderThePackInUse) {
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

TEST_P(StoreTest, SessionNeedsAValidConsent) {
  add_client("C-1");
  record_intake(intake_json("C-1", "2026-11-23", {{{"area", "face"}, {"concerns", {"pores"}}}}));
  const auto r = assigned_roller("C-1", "LOT-A", "1");
  expect_refused(start("C-1", r, "2026-11-24T10:00:00Z"), "has not signed a consent");
  auto c = clinic_->record_consent(by("2026-11-23T09:00:00Z"), "C-1", "I consent.", "C-1");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->text_sha256, ns::sha256_hex("I consent."));
  auto w = clinic_->withdraw_consent(by("2026-11-23T18:00:00Z"), c->id);
  ASSERT_TRUE(w);
  expect_refused(start("C-1", r, "2026-11-24T10:00:00Z"), "withdrew consent");
  auto again = clinic_->withdraw_consent(by("2026-11-23T19:00:00Z"), c->id);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::invalid_value);
  ASSERT_TRUE(clinic_->record_consent(by("2026-11-24T09:00:00Z"), "C-1", "I consent again.", "C-1"));
  EXPECT_TRUE(start("C-1", r, "2026-11-24T10:00:00Z"));
}

TEST_P(StoreTest, ARollerNeverCrossesClients) {
  ready_client("C-A");
  ready_client("C-B");
  const auto r = assigned_roller("C-A", "LOT-A", "1");
  auto cross = clinic_->assign_roller(by("2026-11-21T09:00:00Z"), r, "C-B");
  ASSERT_FALSE(cross);
  EXPECT_EQ(cross.error().code, ErrorCode::refused);
  EXPECT_NE(cross.error().message.find("never crosses clients"), std::string::npos);
  EXPECT_NE(cross.error().message.find("HYG.single_client"), std::string::npos);
  expect_refused(start("C-B", r, "2026-11-24T10:00:00Z"), "belongs to client C-A");
  EXPECT_TRUE(start("C-A", r, "2026-11-24T10:00:00Z"));
}

TEST_P(StoreTest, TheDatabaseItselfRefusesToMoveARollerToAnotherClient) {
  ready_client("C-A");
  ready_client("C-B");
  const auto r = assigned_roller("C-A", "LOT-A", "1");
  close();
  EXPECT_FALSE(raw_exec_ok("UPDATE rollers SET client_id = 'C-B' WHERE id = " + std::to_string(r)));
  EXPECT_FALSE(raw_exec_ok("UPDATE rollers SET client_id = NULL WHERE id = " + std::to_string(r)));
  EXPECT_TRUE(raw_exec_ok("UPDATE rollers SET uses = uses WHERE id = " + std::to_string(r)))
      << "the guard refuses a change of client, not every update";
}

TEST_P(StoreTest, AnUnassignedDisposedOrExpiredRollerIsRefused) {
  ready_client("C-1");
  const auto fresh = roller("LOT-A", "1");
  expect_refused(start("C-1", fresh, "2026-11-24T10:00:00Z"), "is not assigned");

  const auto dropped = assigned_roller("C-1", "LOT-A", "2");
  ASSERT_TRUE(clinic_->dispose_roller(by("2026-11-21T09:00:00Z"), dropped, "dropped"));
  expect_refused(start("C-1", dropped, "2026-11-24T10:00:00Z"), "was disposed");

  const auto old = roller("LOT-B", "1", 1.0, "2026-11-30");
  ASSERT_TRUE(clinic_->assign_roller(by("2026-11-21T09:00:00Z"), old, "C-1"));
  expect_refused(start("C-1", old, "2026-12-01T10:00:00Z"), "expired on 2026-11-30");
  EXPECT_TRUE(start("C-1", old, "2026-11-30T10:00:00Z")) << "the expiry day itself is still usable";
}

TEST_P(StoreTest, AUsedRollerIsReusedOnlyAfterSterilisingAndOnlyIfThePackAllows) {
  ready_client("C-1");
  const auto r = assigned_roller("C-1", "LOT-A", "1");
  session("C-1", r, "2026-11-24T10:00:00Z", "2026-11-24T11:00:00Z");
  expect_refused(start("C-1", r, "2026-11-28T10:00:00Z"), "already used");
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
  reopen();
}

TEST_P(StoreTest, ARollerInAnUnfinishedSessionIsRefused) {
  ready_client("C-1");
  const auto r = assigned_roller("C-1", "LOT-A", "1");
  ASSERT_TRUE(start("C-1", r, "2026-11-24T10:00:00Z", "face"));
  expect_refused(start("C-1", r, "2026-11-24T10:05:00Z", "periorbital"), "has not finished");
}

TEST_P(StoreTest, ANeedleThePackDoesNotAllowInTheAreaIsRefused) {
  ready_client("C-1");
  const auto long_needle = assigned_roller("C-1", "LOT-A", "1", 1.0);
  auto r = start("C-1", long_needle, "2026-11-24T10:00:00Z", "periorbital");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::refused);
  const auto short_needle = assigned_roller("C-1", "LOT-A", "2", 0.25);
  EXPECT_TRUE(start("C-1", short_needle, "2026-11-24T10:00:00Z", "periorbital"));
}

TEST_P(StoreTest, SessionsKeepTheCourseIntervalOnTheSameArea) {
  ready_client("C-1");
  const auto r1 = assigned_roller("C-1", "LOT-A", "1");
  const auto r2 = assigned_roller("C-1", "LOT-A", "2");
  const auto r3 = assigned_roller("C-1", "LOT-A", "3");
  session("C-1", r1, "2026-11-24T10:00:00Z", "2026-11-24T11:00:00Z");
  // COURSE.default: at least 3 days apart (S8).
  expect_refused(start("C-1", r2, "2026-11-26T10:00:00Z"), "COURSE.default");
  session("C-1", r2, "2026-11-27T10:00:00Z", "2026-11-27T11:00:00Z");
  // …and at most 2 in any 7 days: 24th, 27th, 30th is three in the week from the 24th.
  expect_refused(start("C-1", r3, "2026-11-30T10:00:00Z"), "at most 2 a week");
  EXPECT_TRUE(start("C-1", r3, "2026-12-01T10:00:00Z"));
}

TEST_P(StoreTest, AppointmentsKeepTheIntervalAgainstSessionsAndOtherAppointments) {
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

TEST_P(StoreTest, ASessionKeepsItsAppointment) {
  ready_client("C-1");
  const auto r = assigned_roller("C-1", "LOT-A", "1");
  auto a = clinic_->book_appointment(by("2026-11-23T12:00:00Z"), "C-1", "face", nu::millimetres(1.0),
                                     at("2026-11-24T10:00:00Z"));
  ASSERT_TRUE(a) << a.error().describe();
  ns::SessionRequest req{"C-1", "face", r, a->id, false, {}};
  auto s = clinic_->start_session(by("2026-11-24T10:00:00Z"), req);
  ASSERT_TRUE(s) << s.error().describe();
  auto kept = store_->find_appointment(a->id);
  ASSERT_TRUE(kept && *kept);
  EXPECT_EQ((*kept)->state, ns::AppointmentState::done);
}

// ---- steps, chart, finish ------------------------------------------------------------------------------

TEST_P(StoreTest, StepsAreTimestampedOnceAndOnlyWhileTheSessionRuns) {
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
  ASSERT_TRUE(clinic_->finish_session(by("2026-11-24T11:00:00Z"), id));
  auto late = clinic_->record_step(by("2026-11-24T11:05:00Z"), id, "STEP.mask");
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, ErrorCode::refused);
  auto steps = store_->steps_of(id);
  ASSERT_TRUE(steps);
  EXPECT_EQ(steps->size(), 1u);
}

TEST_P(StoreTest, ChartKeepsDoseFieldsNullUntilGivenAndFinishUsesTheRoller) {
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
  auto f = clinic_->finish_session(by("2026-11-24T11:00:00Z"), s->session.id);
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

TEST_P(StoreTest, AFinishedSessionQueuesItsAftercareSheetUntilItIsSent) {
  ready_client("C-1");
  const auto r = assigned_roller("C-1", "LOT-A", "1");
  ns::SessionRequest req{"C-1", "face", r, std::nullopt, true, {"sensitive_skin"}};
  auto s = clinic_->start_session(by("2026-11-24T10:00:00Z"), req);
  ASSERT_TRUE(s) << s.error().describe();
  auto none = clinic_->outbox();
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty()) << "nothing is queued before the session ends";
  ASSERT_TRUE(clinic_->finish_session(by("2026-11-24T11:00:00Z"), s->session.id));
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
  EXPECT_EQ(m.body, needlework::clinic::render_text(*sheet, seed()));
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

TEST_P(StoreTest, APhotoIsKeptByItsSha256AndItsMetadataRecorded) {
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

TEST_P(StoreTest, APhotoMustBeAnImageOfAKnownKindAndOfThisClientsSession) {
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

TEST_P(StoreTest, CheckPhotosFindsAChangedAndAMissingFile) {
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

TEST_P(StoreTest, RecallByLotListsEveryClientAndSessionTheLotTouched) {
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
  auto none = clinic_->recall("LOT-Z");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::not_found);
}

// ---- follow-up, escalation, due ------------------------------------------------------------------------

TEST_P(StoreTest, AClientsFollowUpsComeInOneQueryInSessionOrderAndOnlyTheirs) {
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

TEST_P(StoreTest, SeeADoctorOpensAnEscalationThatStaysOpenUntilAUserClosesIt) {
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
  ASSERT_TRUE(clinic_->add_user(by("2026-11-25T14:40:00Z"), "dr.roe", "doctor"));
  auto closed = clinic_->close_escalation(by("2026-11-25T15:00:00Z", "dr.roe"), late->escalation->id,
                                          "seen; cold compress, recheck in 2 days");
  ASSERT_TRUE(closed) << closed.error().describe();
  EXPECT_EQ(closed->closed_by, "dr.roe");
  EXPECT_FALSE(clinic_->close_escalation(by("2026-11-25T16:00:00Z"), late->escalation->id, "again"));
  auto after = clinic_->due(at("2026-11-30T09:00:00Z"));
  ASSERT_TRUE(after);
  EXPECT_TRUE(after->empty());
}

TEST_P(StoreTest, AFollowupNeedsAFinishedSessionAndKnownObservations) {
  ready_client("C-1");
  const auto r = assigned_roller("C-1", "LOT-A", "1");
  auto s = start("C-1", r, "2026-11-24T10:00:00Z");
  ASSERT_TRUE(s);
  auto running = clinic_->record_followup(by("2026-11-24T10:30:00Z"), s->session.id, {"dryness"});
  ASSERT_FALSE(running);
  EXPECT_EQ(running.error().code, ErrorCode::refused);
  ASSERT_TRUE(clinic_->finish_session(by("2026-11-24T11:00:00Z"), s->session.id));
  auto unknown = clinic_->record_followup(by("2026-11-25T12:00:00Z"), s->session.id, {"sparkles"});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::unknown_id);
  EXPECT_EQ(unknown.error().where, "observations[0]");
}

TEST_P(StoreTest, AFollowupFallsDue24HoursAfterTheSessionUntilOneIsRecorded) {
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

// ---- audit ---------------------------------------------------------------------------------------------

TEST_P(StoreTest, EveryWriteAppendsOneAuditEntryAndARefusalNone) {
  add_client("C-1");
  EXPECT_EQ(audit_count(), 1);
  record_intake(intake_json("C-1", "2026-11-23", {{{"area", "face"}, {"concerns", {"pores"}}}}));
  EXPECT_EQ(audit_count(), 2);
  const auto r = assigned_roller("C-1", "LOT-A", "1");  // insert + update
  EXPECT_EQ(audit_count(), 4);
  expect_refused(start("C-1", r, "2026-11-24T10:00:00Z"), "consent");
  EXPECT_EQ(audit_count(), 4) << "a refused session writes nothing";
  auto log = store_->audit_log();
  ASSERT_TRUE(log);
  const auto& last = log->back();
  EXPECT_EQ(last.entity, "rollers");
  EXPECT_EQ(last.action, "update");
  EXPECT_EQ(last.actor, "ana");
  EXPECT_FALSE(last.before_sha256.empty());
  EXPECT_NE(last.before_sha256, last.after_sha256);
  EXPECT_EQ((*log)[0].prev_hash, std::string(64, '0'));
  EXPECT_EQ((*log)[1].prev_hash, (*log)[0].hash);
}

TEST_P(StoreTest, ASessionsAuditDigestIsItsCanonicalJsonWhetherOrNotTheTextWasMadeAhead) {
  ready_client("C-1");
  const auto r = assigned_roller("C-1", "LOT-A", "1");
  auto started = start("C-1", r, "2026-11-24T10:00:00Z");
  ASSERT_TRUE(started) << started.error().describe();
  // A second session inserted with its text made beforehand, as a group commit's submitting thread does.
  ns::SessionRecord ahead = started->session;
  ahead.id = 0;
  ahead.notes = "made ahead: \"quoted\", ünïcode, a tab\t";
  ahead.stroke_plan_json = R"({"passes":[{"direction":"vertical","strokes":4}]})";
  const auto text = ns::canonical_without_id(ns::to_json(ahead));
  auto inserted = store_->insert_session(by("2026-11-24T10:05:00Z"), ahead, text);
  ASSERT_TRUE(inserted) << inserted.error().describe();
  auto log = store_->audit_log();
  ASSERT_TRUE(log);
  ASSERT_GE(log->size(), 2u);
  for (const auto* s : {&started->session, &*inserted}) {
    auto stored = store_->find_session(s->id);
    ASSERT_TRUE(stored && *stored);
    const auto entry = std::find_if(log->begin(), log->end(), [&](const ns::AuditEntry& e) {
      return e.entity == "sessions" && e.action == "insert" && e.entity_id == std::to_string(s->id);
    });
    ASSERT_NE(entry, log->end());
    EXPECT_EQ(entry->after_sha256, ns::sha256_hex(ns::canonical(ns::to_json(**stored))));
  }
  EXPECT_TRUE(store_->verify_audit()->ok);
}

TEST_P(StoreTest, TwoConnectionsTakingTurnsKeepOneChain) {
  // Each write reads the chain's head inside its own transaction, so writers in two processes interleave
  // without forking the chain.
  auto other = open_db();
  ASSERT_TRUE(other) << other.error().describe();
  ns::ClinicStore second(**other, seed(), &regions());
  add_client("C-1");
  ns::ClientRecord c2;
  c2.id = "C-2";
  c2.name = "Test C-2";
  ASSERT_TRUE(second.add_client(by("2026-11-20T09:01:00Z", "bea"), c2));
  add_client("C-3", "2026-11-20T09:02:00Z");
  for (auto* s : {store_.get(), other->get()}) {
    auto check = s->verify_audit();
    ASSERT_TRUE(check);
    EXPECT_TRUE(check->ok) << check->problem;
    EXPECT_EQ(check->entries, 3);
  }
}

TEST_P(StoreTest, AReadSnapshotDoesNotSeeAWriteCommittedDuringIt) {
  add_client("C-1");
  auto other = open_db();
  ASSERT_TRUE(other) << other.error().describe();
  std::size_t before = 0, during = 0;
  auto r = store_->read_snapshot([&]() -> needlework::Result<void> {
    auto first = store_->search_clients("");
    if (!first) return std::unexpected(first.error());
    before = first->size();
    ns::ClientRecord c2{"C-2", "Test C-2", std::nullopt, at("2026-11-20T09:01:00Z")};
    if (auto w = (*other)->insert_client(by("2026-11-20T09:01:00Z", "bea"), c2); !w)
      return std::unexpected(w.error());
    auto second = store_->search_clients("");
    if (!second) return std::unexpected(second.error());
    during = second->size();
    return {};
  });
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(before, 1u);
  EXPECT_EQ(during, 1u) << "the second read saw a write committed after the snapshot began";
  auto after = store_->search_clients("");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->size(), 2u) << "after the snapshot the write is seen";
}

TEST_P(StoreTest, AWriteInsideAReadSnapshotIsRefusedAndWritesNothing) {
  add_client("C-1");
  auto r = store_->read_snapshot([&]() -> needlework::Result<void> {
    ns::ClientRecord c2{"C-2", "Test C-2", std::nullopt, at("2026-11-20T09:01:00Z")};
    if (auto w = store_->insert_client(by("2026-11-20T09:01:00Z"), c2); !w) return std::unexpected(w.error());
    return {};
  });
  ASSERT_FALSE(r) << "a write inside a read snapshot went through";
  auto clients = store_->search_clients("");
  ASSERT_TRUE(clients);
  EXPECT_EQ(clients->size(), 1u);
  EXPECT_EQ(audit_count(), 1);
  // The store is usable afterwards.
  ns::ClientRecord c3{"C-3", "Test C-3", std::nullopt, at("2026-11-20T09:02:00Z")};
  EXPECT_TRUE(store_->insert_client(by("2026-11-20T09:02:00Z"), c3));
}

TEST_P(StoreTest, TheAuditVerifiesInsideAWriteTransactionAndInsideAReadSnapshot) {
  add_client("C-1");
  auto r = store_->transaction([&]() -> needlework::Result<void> {
    ns::ClientRecord c2{"C-2", "Test C-2", std::nullopt, at("2026-11-20T09:01:00Z")};
    if (auto w = store_->insert_client(by("2026-11-20T09:01:00Z"), c2); !w) return w;
    auto check = store_->verify_audit();  // the transaction's own entry and head, not yet committed
    EXPECT_TRUE(check && check->ok) << (check ? check->problem : check.error().describe());
    EXPECT_EQ(check ? check->entries : 0, 2);
    return {};
  });
  ASSERT_TRUE(r) << r.error().describe();
  auto in_snapshot = store_->read_snapshot([&]() -> needlework::Result<void> {
    auto check = store_->verify_audit();
    if (!check) return std::unexpected(check.error());
    EXPECT_TRUE(check->ok) << check->problem;
    EXPECT_EQ(check->entries, 2);
    return {};
  });
  EXPECT_TRUE(in_snapshot) << in_snapshot.error().describe();
}

TEST_P(StoreTest, TheAuditLogRefusesUpdateAndDeleteThroughSql) {
  add_client("C-1");
  close();
  EXPECT_FALSE(raw_exec_ok("UPDATE audit SET actor = 'mallory'"));
  EXPECT_FALSE(raw_exec_ok("DELETE FROM audit"));
}

class AuditTamper : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ready_client("C-1");                                                // client, intake, consent: 3 entries
    const auto r = assigned_roller("C-1", "LOT-A", "1");                // 5
    session("C-1", r, "2026-11-24T10:00:00Z", "2026-11-24T11:00:00Z");  // session ×2, roller, outbox: 9
    auto ok = store_->verify_audit();
    ASSERT_TRUE(ok);
    ASSERT_TRUE(ok->ok) << ok->problem;
    ASSERT_EQ(ok->entries, 9);
    close();
  }
  /// Removes one of the schema's guards on the audit table, as someone with direct access could.
  void drop_guard(const std::string& trigger) {
    raw_sql("DROP TRIGGER " + trigger + (backend() == Backend::postgres ? " ON audit" : ""));
  }
  ns::AuditCheck verify() {
    reopen();
    auto r = store_->verify_audit();
    EXPECT_TRUE(r);
    return r ? *r : ns::AuditCheck{};
  }
};

TEST_P(AuditTamper, AnUpdatedEntryIsFound) {
  drop_guard("audit_no_update");
  raw_sql("UPDATE audit SET actor = 'mallory' WHERE seq = 4");
  const auto r = verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 4);
  EXPECT_NE(r.problem.find("changed"), std::string::npos);
}

TEST_P(AuditTamper, AnEntryRewrittenWithItsOwnHashRecomputedBreaksTheNextLink) {
  // A forger recomputes entry 4's hash after changing it; entry 5 still names the old hash.
  drop_guard("audit_no_update");
  reopen();
  auto log = store_->audit_log();
  ASSERT_TRUE(log);
  auto e = (*log)[3];
  e.actor = "mallory";
  e.hash = ns::audit_hash(e);
  close();
  raw_sql("UPDATE audit SET actor = 'mallory', hash = '" + e.hash + "' WHERE seq = 4");
  const auto r = verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 5);
}

TEST_P(AuditTamper, ADeletedEntryIsFound) {
  drop_guard("audit_no_delete");
  raw_sql("DELETE FROM audit WHERE seq = 3");
  const auto r = verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 3);
  EXPECT_NE(r.problem.find("removed"), std::string::npos);
}

TEST_P(AuditTamper, ADeletedNewestEntryIsFound) {
  drop_guard("audit_no_delete");
  raw_sql("DELETE FROM audit WHERE seq = 9");
  const auto r = verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 9);
}

TEST_P(AuditTamper, AnUntouchedLogVerifiesAfterReopening) {
  const auto r = verify();
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.entries, 9);
}

// ---- the two backends: one semantics ------------------------------------------------------------------

TEST(OpenStore, PicksPostgresqlForAUriOrAConninfoAndSqliteForAnythingElse) {
  for (const char* pg :
       {"postgresql://ana@db.example:5432/clinic", "postgres://db/clinic", "host=db dbname=clinic",
        "dbname=clinic", "hostaddr=10.0.0.1 dbname=x", "port=5433 dbname=x", "user = ana"}) {
    EXPECT_TRUE(ns::names_postgres(pg)) << pg;
  }
  for (const char* file : {"clinic.db", ":memory:", "/var/lib/needlework/clinic.db", "postgresql.db",
                           "host.db", "host", "./host=x.db", "hosting=x"}) {
    EXPECT_FALSE(ns::names_postgres(file)) << file;
  }
}

TEST_P(StoreTest, AFailingNestedTransactionIsUndoneAloneAndTheOuterCarriesOn) {
  const ns::ClientRecord a{"C-1", "Test C-1", std::nullopt, at("2026-11-20T09:00:00Z")};
  const ns::ClientRecord b{"C-2", "Test C-2", std::nullopt, at("2026-11-20T09:00:00Z")};
  auto r = store_->transaction([&]() -> needlework::Result<void> {
    if (auto x = store_->insert_client(by("2026-11-20T09:00:00Z"), a); !x) return x;
    // The same id again: the database itself refuses it (a unique key). On PostgreSQL that aborts the whole
    // transaction unless only the failed write's savepoint is rolled back.
    auto dup = store_->insert_client(by("2026-11-20T09:01:00Z"), a);
    EXPECT_FALSE(dup);
    if (!dup) {
      EXPECT_EQ(dup.error().code, ErrorCode::invalid_value) << dup.error().describe();
    }
    // A body that writes and then fails is undone, its audit entry with it.
    auto inner = store_->transaction([&]() -> needlework::Result<void> {
      if (auto y = store_->insert_client(by("2026-11-20T09:02:00Z"), b); !y) return y;
      return needlework::fail(ErrorCode::refused, "changed my mind");
    });
    EXPECT_FALSE(inner);
    return store_->insert_client(by("2026-11-20T09:03:00Z"), b);
  });
  ASSERT_TRUE(r) << r.error().describe();
  auto c1 = store_->find_client("C-1");
  auto c2 = store_->find_client("C-2");
  ASSERT_TRUE(c1 && c2);
  EXPECT_TRUE(c1->has_value());
  EXPECT_TRUE(c2->has_value());
  auto check = store_->verify_audit();
  ASSERT_TRUE(check) << check.error().describe();
  EXPECT_TRUE(check->ok) << check->problem;
  EXPECT_EQ(check->entries, 2);
  auto log = store_->audit_log();
  ASSERT_TRUE(log);
  ASSERT_EQ(log->size(), 2u);
  EXPECT_EQ((*log)[1].at, at("2026-11-20T09:03:00Z")) << "the undone writes left no audit entry";
}

TEST_P(StoreTest, NestedTransactionsOpenedBackToBackUndoOnlyWhatTheyWrote) {
  // Savepoints opened right inside one another share one (a group commit's around a write's own): each
  // level must still undo exactly its own writes, and the levels around it carry on.
  auto client = [](const char* id) {
    return ns::ClientRecord{id, std::string("Test ") + id, std::nullopt, at("2026-11-20T09:00:00Z")};
  };
  auto write = [&](const char* id) { return store_->insert_client(by("2026-11-20T09:00:00Z"), client(id)); };
  auto r = store_->transaction([&]() -> needlework::Result<void> {
    // outer savepoint → inner savepoint at once → a write → the inner fails: only that write is undone.
    auto outer = store_->transaction([&]() -> needlework::Result<void> {
      auto inner = store_->transaction([&]() -> needlework::Result<void> {
        if (auto w = write("UNDONE-1"); !w) return w;
        return needlework::fail(ErrorCode::refused, "inner changes its mind");
      });
      EXPECT_FALSE(inner);
      if (auto w = write("KEPT-1"); !w) return w;
      // A second pair back to back where the inner succeeds and the outer then fails: both undone.
      return store_->transaction([&]() -> needlework::Result<void> {
        auto ok = store_->transaction([&]() -> needlework::Result<void> { return write("UNDONE-2"); });
        EXPECT_TRUE(ok);
        return needlework::fail(ErrorCode::refused, "outer changes its mind");
      });
    });
    EXPECT_FALSE(outer) << "the outer savepoint's body failed";
    // Three levels at once: the innermost fails with nothing written before it.
    auto three = store_->transaction([&]() -> needlework::Result<void> {
      auto two = store_->transaction([&]() -> needlework::Result<void> {
        auto one = store_->transaction(
            [&]() -> needlework::Result<void> { return needlework::fail(ErrorCode::refused, "no"); });
        EXPECT_FALSE(one);
        return write("KEPT-2");
      });
      EXPECT_TRUE(two);
      return write("KEPT-3");
    });
    EXPECT_TRUE(three);
    return {};
  });
  ASSERT_TRUE(r) << r.error().describe();
  auto found = store_->search_clients("");
  ASSERT_TRUE(found);
  std::vector<std::string> ids;
  for (const auto& c : *found) ids.push_back(c.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"KEPT-2", "KEPT-3"}))
      << "KEPT-1 went with the failed outer savepoint; UNDONE-1 and UNDONE-2 with theirs";
  auto check = store_->verify_audit();
  ASSERT_TRUE(check) << check.error().describe();
  EXPECT_TRUE(check->ok) << check->problem;
  EXPECT_EQ(check->entries, 2);
}

TEST_P(StoreTest, NumbersTimesAndTextReadBackExactly) {
  add_client("C-1");
  ns::RollerRecord r;
  r.lot = "LOT-\xCF\x80";  // π
  r.serial = "1";
  r.udi = "line one\nline 'two' \\ \"three\" %_";
  r.device = "dermaroller";
  r.needle_count = 192;
  r.needle_length = nu::millimetres(0.1 + 0.2);  // 0.30000000000000004: every bit must come back
  r.expiry = *nu::parse_date("2028-02-29");
  r.registered_at = at("2026-11-20T23:59:59Z");
  auto in = store_->insert_roller(by("2026-11-20T09:00:00Z"), r);
  ASSERT_TRUE(in) << in.error().describe();
  auto out = store_->find_roller(in->id);
  ASSERT_TRUE(out && *out);
  EXPECT_EQ(nu::in_mm((*out)->needle_length), 0.1 + 0.2);
  EXPECT_EQ(ns::canonical(ns::to_json(**out)), ns::canonical(ns::to_json(*in)));
  for (const double mm : {1.0 / 3.0, 1e-7, 123456.789, 2.5}) {
    ns::AppointmentRecord a{0,
                            "C-1",
                            std::nullopt,
                            "face",
                            nu::millimetres(mm),
                            at("2026-12-01T10:00:00Z"),
                            ns::AppointmentState::booked};
    auto ai = store_->insert_appointment(by("2026-11-20T09:00:00Z"), a);
    ASSERT_TRUE(ai) << ai.error().describe();
    auto ao = store_->find_appointment(ai->id);
    ASSERT_TRUE(ao && *ao);
    EXPECT_EQ(nu::in_mm((*ao)->needle_length), mm);
  }
}

TEST_P(StoreTest, AValueThatDoesNotParseIsADatabaseErrorOnEitherBackend) {
  add_client("C-1");
  add_client("C-2");
  close();
  raw_sql("UPDATE clients SET created_at = 'yesterday' WHERE id = 'C-2'");
  reopen();
  auto fine = store_->find_client("C-1");
  ASSERT_TRUE(fine) << fine.error().describe();
  ASSERT_TRUE(*fine);
  auto broken = store_->find_client("C-2");
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().code, ErrorCode::database_error);
  EXPECT_NE(broken.error().message.find("yesterday"), std::string::npos) << broken.error().message;
  auto listed = store_->search_clients("C");
  ASSERT_FALSE(listed);
  EXPECT_EQ(listed.error().code, ErrorCode::database_error);
  // Inside a write transaction too, and the store stays usable.
  auto in_write = store_->transaction([&]() -> needlework::Result<void> {
    auto c = store_->find_client("C-2");
    if (!c) return std::unexpected(c.error());
    return {};
  });
  ASSERT_FALSE(in_write);
  EXPECT_EQ(in_write.error().code, ErrorCode::database_error);
  add_client("C-3");
  EXPECT_EQ(audit_count(), 3);
}

TEST_P(StoreTest, IdsSortBytewiseAndSearchFoldsAsciiCaseOnly) {
  for (const char* id : {"b-2", "C-3", "a-1", "\xC3\x89-4"}) {  // É-4
    ASSERT_TRUE(
        store_->insert_client(by("2026-11-20T09:00:00Z"),
                              {id, std::string("Name ") + id, std::nullopt, at("2026-11-20T09:00:00Z")}));
  }
  auto all = store_->search_clients("");
  ASSERT_TRUE(all) << all.error().describe();
  std::vector<std::string> ids;
  for (const auto& c : *all) ids.push_back(c.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"C-3", "a-1", "b-2", "\xC3\x89-4"}))
      << "byte order, as SQLite sorts";
  auto folded = store_->search_clients("c-3");
  ASSERT_TRUE(folded);
  EXPECT_EQ(folded->size(), 1u);
  auto accented = store_->search_clients("\xC3\xA9-4");  // é-4
  ASSERT_TRUE(accented);
  EXPECT_TRUE(accented->empty()) << "only ASCII letters match either case";
  auto exact = store_->search_clients("\xC3\x89-4");
  ASSERT_TRUE(exact);
  EXPECT_EQ(exact->size(), 1u);
}

TEST_P(StoreTest, WritersInParallelKeepOneUnbrokenChain) {
  // Several connections writing at once: each write transaction waits for the one before (SQLite: BEGIN
  // IMMEDIATE; PostgreSQL: the audit head row lock), so the chain has neither fork nor gap.
  constexpr int writers = 3;
  constexpr int each = 12;
  std::atomic<int> failures{0};
  std::vector<std::string> errors(writers);
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      auto s = open_db();
      if (!s) {
        ++failures;
        errors[w] = s.error().describe();
        return;
      }
      for (int i = 0; i < each; ++i) {
        const std::string id = "W" + std::to_string(w) + "-" + std::to_string(i);
        auto r = (*s)->insert_client(by("2026-11-20T09:00:00Z"),
                                     {id, "Writer", std::nullopt, at("2026-11-20T09:00:00Z")});
        if (!r) {
          ++failures;
          errors[w] = r.error().describe();
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0) << errors[0] << errors[1] << errors[2];
  auto check = store_->verify_audit();
  ASSERT_TRUE(check) << check.error().describe();
  EXPECT_TRUE(check->ok) << check->problem;
  EXPECT_EQ(check->entries, writers * each);
}

TEST_P(StoreTest, AWriterWaitsForAnotherWritersTransactionAndFollowsItInTheChain) {
  auto other = open_db();
  ASSERT_TRUE(other) << other.error().describe();
  std::atomic<bool> inside{false};
  std::atomic<bool> second_done{false};
  bool second_finished_first = false;
  std::thread first([&] {
    auto r = (*other)->transaction([&]() -> needlework::Result<void> {
      auto w = (*other)->insert_client(by("2026-11-20T09:00:00Z"),
                                       {"C-1", "First", std::nullopt, at("2026-11-20T09:00:00Z")});
      inside = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(400));
      second_finished_first = second_done.load();
      return w;
    });
    EXPECT_TRUE(r) << r.error().describe();
  });
  while (!inside) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  auto second = store_->insert_client(by("2026-11-20T09:01:00Z"),
                                      {"C-2", "Second", std::nullopt, at("2026-11-20T09:01:00Z")});
  second_done = true;
  first.join();
  ASSERT_TRUE(second) << second.error().describe();
  EXPECT_FALSE(second_finished_first) << "the second writer did not wait for the first's transaction";
  auto log = store_->audit_log();
  ASSERT_TRUE(log);
  ASSERT_EQ(log->size(), 2u);
  EXPECT_EQ((*log)[0].entity_id, "C-1");
  EXPECT_EQ((*log)[1].entity_id, "C-2");
  EXPECT_EQ((*log)[1].prev_hash, (*log)[0].hash);
}

TEST_P(StoreTest, ProgramsOpeningANewDatabaseAtOnceApplyEachMigrationOnce) {
  const fs::path sub = dir_ / "new";
  fs::create_directories(sub);
  TestDatabase fresh;
  fresh.create(backend(), sub);
  if (HasFatalFailure()) return;
  constexpr int programs = 4;
  std::vector<std::string> errors(programs);
  std::vector<std::thread> threads;
  for (int i = 0; i < programs; ++i) {
    threads.emplace_back([&, i] {
      auto s = ns::open_store(fresh.where());
      if (!s) errors[i] = s.error().describe();
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& e : errors) EXPECT_EQ(e, "");
  auto s = ns::open_store(fresh.where());
  ASSERT_TRUE(s) << s.error().describe();
  auto info = (*s)->schema();
  auto expected = store_->schema();
  ASSERT_TRUE(info && expected);
  EXPECT_EQ(info->applied, expected->applied) << "each migration once, in order";
}

NEEDLEWORK_INSTANTIATE_STORE_TESTS(StoreTest);

// ---- PostgreSQL only -----------------------------------------------------------------------------------

class PostgresStoreTest : public StoreTest {};
NEEDLEWORK_INSTANTIATE_STORE_TESTS_ON(PostgresStoreTest, Backend::postgres);

TEST_P(PostgresStoreTest, AServerThatCannotBeReachedIsAnIoErrorNamingItButNeverThePassword) {
  for (const char* conninfo : {"postgresql://ana:s3cret-pw@127.0.0.1:1/clinic",
                               "host=127.0.0.1 port=1 dbname=clinic user=ana password=s3cret-pw"}) {
    auto r = ns::open_postgres(conninfo);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::io_error);
    const auto text = r.error().describe();
    EXPECT_NE(text.find("ana@127.0.0.1:1/clinic"), std::string::npos) << text;
    EXPECT_EQ(text.find("s3cret-pw"), std::string::npos) << text;
  }
  auto garbled = ns::open_store("host='unterminated");
  ASSERT_FALSE(garbled);
  EXPECT_EQ(garbled.error().code, ErrorCode::invalid_value) << garbled.error().describe();
}

TEST_P(PostgresStoreTest, ADatabaseThatDoesNotExistIsAnIoErrorNamingIt) {
  auto r = ns::open_postgres(pg_conninfo_with_db(where_, "nw_no_such_database"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::io_error);
  EXPECT_NE(r.error().describe().find("nw_no_such_database"), std::string::npos) << r.error().describe();
}

TEST_P(PostgresStoreTest, AfterTheServerEndsItsSessionTheStoreReconnectsWithItsSettings) {
  add_client("C-1");
  const std::string ours =
      "FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'needlework'";
  raw_sql("SELECT pg_terminate_backend(pid) " + ours);
  // The first call after it finds the connection gone; libpqxx opens a new one for the next.
  auto lost = store_->find_client("C-1");
  if (!lost) {
    EXPECT_EQ(lost.error().code, ErrorCode::io_error) << lost.error().describe();
  }
  auto again = store_->find_client("C-1");
  ASSERT_TRUE(again) << again.error().describe();
  EXPECT_TRUE(again->has_value());
  add_client("C-2");
  // The new session has the settings again (application_name is one of them; lock_timeout another).
  raw_sql("DO $$ BEGIN IF (SELECT count(*) " + ours +
          ") <> 1 THEN RAISE EXCEPTION 'the new session lost its settings'; END IF; END $$");
  auto check = store_->verify_audit();
  ASSERT_TRUE(check);
  EXPECT_TRUE(check->ok) << check->problem;
  EXPECT_EQ(check->entries, 2);
}

TEST_P(PostgresStoreTest, BackupSaysToUsePgDump) {
  add_client("C-1");
  auto r = store_->backup_to(dir_ / "copy.db", {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::invalid_value);
  EXPECT_NE(r.error().message.find("pg_dump"), std::string::npos) << r.error().describe();
  EXPECT_FALSE(fs::exists(dir_ / "copy.db"));
}

TEST_P(PostgresStoreTest, TheAuditLogRefusesTruncateToo) {
  add_client("C-1");
  close();
  EXPECT_FALSE(raw_exec_ok("TRUNCATE audit"));
  reopen();
  EXPECT_EQ(audit_count(), 1);
}
NEEDLEWORK_INSTANTIATE_STORE_TESTS(AuditTamper);

}  // namespace

// The published test vectors of SHA-256 (FIPS 180-2, appendix B): every record digest and audit hash rests on
// this function, and a stored chain verifies only if it keeps computing exactly these.
TEST(Sha256Hex, GivesThePublishedDigestsInLowerCaseHex) {
  EXPECT_EQ(ns::sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(ns::sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(ns::sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(ns::sha256_hex(std::string(1'000'000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(CanonicalWithoutId, FillsInTheIdToGiveExactlyTheCanonicalText) {
  using nlohmann::json;
  const json records[] = {
      {{"id", 0}, {"b", "x"}, {"a", 1}},                          // id last in key order
      {{"id", 0}, {"z", {{"id", 7}, {"q", "nested id stays"}}}},  // a nested "id" is content
      {{"id", 0}},                                                // nothing but the id
      {{"id", 0}, {"area", "face"}, {"note", "\"q\" \\ \n ünï"}, {"nums", {1.5, -2, 0}}, {"x", nullptr}},
      // Nested ids holding extreme numbers (the cut must still fall on the top-level member): any value
      // inside a record must work, whatever the implementation marks the id with while it cuts.
      {{"a", {{"id", std::numeric_limits<std::int64_t>::min() + 7919}}},
       {"id", 0},
       {"z", {{"id", std::numeric_limits<std::int64_t>::min()}, {"t", "\"id\":-9223372036854767889"}}}},
  };
  for (const auto& record : records) {
    const auto text = ns::canonical_without_id(record);
    for (const std::int64_t id : {std::int64_t{1}, std::int64_t{42}, std::int64_t{9'007'199'254'740'993}}) {
      json with = record;
      with["id"] = id;
      EXPECT_EQ(text.with_id(id), ns::canonical(with)) << record.dump();
    }
  }
  EXPECT_THROW((void)ns::canonical_without_id(json::array()), std::invalid_argument);
  EXPECT_THROW((void)ns::canonical_without_id(json{{"a", 1}}), std::invalid_argument);
}

TEST(SavepointStack, ANestedLevelOpenedBeforeAnyStatementSharesTheOneAroundIt) {
  ns::SavepointStack stack;
  const auto outer = stack.push(1);
  EXPECT_FALSE(outer.shared) << "the first level inside a transaction has nothing to share";
  const auto inner = stack.push(2);
  EXPECT_TRUE(inner.shared);
  EXPECT_EQ(inner.name, outer.name);
  stack.statement();
  const auto after_a_statement = stack.push(3);
  EXPECT_FALSE(after_a_statement.shared) << "a statement ran in the level around it";
  EXPECT_NE(after_a_statement.name, outer.name);
  stack.pop();
  stack.pop();
  stack.pop();
  const auto sibling = stack.push(1);
  EXPECT_FALSE(sibling.shared);
  stack.clear();
  EXPECT_FALSE(stack.push(1).shared) << "a new transaction starts with no level to share";
}
