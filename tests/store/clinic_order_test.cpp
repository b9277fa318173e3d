// The clinic's rules about time and about what is stored, on both backends: a screening, a consent and a
// roller apply from their own time onwards; the screening in force is the latest by date; a session keeps its
// protocol; a booking meets the rules its session will meet; text fields are checked at the domain layer, so
// every face (CLI, files, the HTTP API) gets the same answer. Each refusal leaves what is stored unchanged.

#include "store_fixture.hpp"

namespace {

using needlework::ErrorCode;

class ClinicOrder : public StoreTest {
 protected:
  std::size_t sessions_of(const std::string& client) {
    auto s = store_->sessions_of(client);
    EXPECT_TRUE(s) << s.error().describe();
    return s ? s->size() : 0;
  }
};
NEEDLEWORK_INSTANTIATE_STORE_TESTS(ClinicOrder);

const nlohmann::json face = {{{"area", "face"}, {"concerns", {"pores"}}}};

// ---- a screening, a consent and an assignment never reach backwards
// -----------------------------------------

TEST_P(ClinicOrder, ASessionBeforeTheIntakeWasRecordedIsRefused) {
  ready_client("C-1");  // intake recorded 2026-11-23T09:00, consent 09:10
  const auto r = assigned_roller("C-1", "LOT-A", "1");
  const auto before = audit_count();
  expect_refused(start("C-1", r, "2026-11-23T08:30:00Z"), "had not been screened by 2026-11-23T08:30:00Z");
  EXPECT_EQ(sessions_of("C-1"), 0u);
  EXPECT_EQ(audit_count(), before);
}

TEST_P(ClinicOrder, ASessionBeforeTheConsentWasSignedIsRefused) {
  ready_client("C-1");
  const auto r = assigned_roller("C-1", "LOT-A", "1");
  expect_refused(start("C-1", r, "2026-11-23T09:05:00Z"), "had not signed a consent by");
  EXPECT_EQ(sessions_of("C-1"), 0u);
  ASSERT_TRUE(start("C-1", r, "2026-11-23T09:15:00Z"));  // and once it is signed, it applies
}

TEST_P(ClinicOrder, AConsentSignedLaterDoesNotReachBackOverAWithdrawal) {
  ready_client("C-1");
  const auto r = assigned_roller("C-1", "LOT-A", "1");
  auto consents = store_->consents_of("C-1");
  ASSERT_TRUE(consents && consents->size() == 1);
  ASSERT_TRUE(clinic_->withdraw_consent(by("2026-11-23T10:00:00Z"), consents->front().id));
  ASSERT_TRUE(clinic_->record_consent(by("2026-11-25T09:00:00Z"), "C-1", "I consent again.", "Test C-1"));
  // On the 24th the client had withdrawn and not yet signed again, whatever was recorded since.
  expect_refused(start("C-1", r, "2026-11-24T10:00:00Z"), "withdrew consent");
  ASSERT_TRUE(start("C-1", r, "2026-11-25T10:00:00Z"));
}

TEST_P(ClinicOrder, AnOlderIntakeRecordedAfterANewerOneIsRefusedAndTheNewerStaysInForce) {
  add_client("C-1");
  // The newer intake (the 23rd) defers: she is pregnant.
  record_intake(intake_json("C-1", "2026-11-23", face, {{{"id", "pregnancy"}}}));
  ASSERT_TRUE(clinic_->record_consent(by("2026-11-23T09:10:00Z"), "C-1", "I consent.", "Test C-1"));
  const auto r = assigned_roller("C-1", "LOT-A", "1");
  // An older intake (the 1st, all clear) typed in afterwards must not replace the deferral.
  const auto doc = intake_json("C-1", "2026-11-01", face);
  auto in = needlework::clinic::parse_intake(doc, seed());
  ASSERT_TRUE(in);
  const auto before = audit_count();
  auto older = clinic_->record_intake(by("2026-11-23T12:00:00Z"), *in, doc);
  ASSERT_FALSE(older);
  EXPECT_EQ(older.error().code, ErrorCode::refused);
  EXPECT_EQ(older.error().where, "date");
  EXPECT_NE(older.error().message.find("later than this one"), std::string::npos) << older.error().message;
  EXPECT_EQ(audit_count(), before);
  auto intakes = store_->intakes_of("C-1");
  ASSERT_TRUE(intakes);
  EXPECT_EQ(intakes->size(), 1u);
  expect_refused(start("C-1", r, "2026-11-24T10:00:00Z"), "decided 'defer'");
}

TEST_P(ClinicOrder, TheScreeningInForceIsTheLatestByDateAmongThoseRecordedByThen) {
  std::vector<ns::IntakeRecord> intakes(3);
  intakes[0].id = 1, intakes[0].intake_date = *nu::parse_date("2026-11-01"),
  intakes[0].recorded_at = at("2026-11-01T09:00:00Z");
  intakes[1].id = 2, intakes[1].intake_date = *nu::parse_date("2026-11-20"),
  intakes[1].recorded_at = at("2026-11-20T09:00:00Z");
  intakes[2].id = 3, intakes[2].intake_date = *nu::parse_date("2026-11-20"),
  intakes[2].recorded_at = at("2026-11-21T09:00:00Z");
  EXPECT_FALSE(ns::screening_in_force(intakes, at("2026-10-31T00:00:00Z")));
  EXPECT_EQ(ns::screening_in_force(intakes, at("2026-11-10T00:00:00Z"))->id, 1);
  EXPECT_EQ(ns::screening_in_force(intakes, at("2026-11-20T10:00:00Z"))->id, 2);
  EXPECT_EQ(ns::screening_in_force(intakes, at("2026-11-22T00:00:00Z"))->id, 3);  // same date: the later one
  std::swap(intakes[0], intakes[2]);  // the order they are read in does not matter
  EXPECT_EQ(ns::screening_in_force(intakes, at("2026-11-22T00:00:00Z"))->id, 3);
}

// ---- a session keeps its protocol -------------------------------------------------------------------------

TEST_P(ClinicOrder, AStepTheSessionDoesNotIncludeIsRefused) {
  ready_client("C-1");
  const auto r = assigned_roller("C-1", "LOT-A", "1");
  auto s = start("C-1", r, "2026-11-24T10:00:00Z");  // no cocktail
  ASSERT_TRUE(s) << s.error().describe();
  auto cocktail = clinic_->record_step(by("2026-11-24T10:05:00Z"), s->session.id, "STEP.cocktail");
  ASSERT_FALSE(cocktail);
  EXPECT_EQ(cocktail.error().code, ErrorCode::refused);
  EXPECT_NE(cocktail.error().message.find("not a step of session"), std::string::npos);
  auto steps = store_->steps_of(s->session.id);
  ASSERT_TRUE(steps);
  EXPECT_TRUE(steps->empty());
  // With a cocktail, the same step belongs to the session.
  ready_client("C-2");
  const auto r2 = assigned_roller("C-2", "LOT-A", "2");
  ns::SessionRequest req{"C-2", "face", r2, std::nullopt, true, {}};
  auto with = clinic_->start_session(by("2026-11-24T10:00:00Z"), req);
  ASSERT_TRUE(with) << with.error().describe();
  EXPECT_TRUE(clinic_->record_step(by("2026-11-24T10:05:00Z"), with->session.id, "STEP.cocktail"));
}

TEST_P(ClinicOrder, ASessionCannotFinishWithStepsMissingUnlessAReasonIsRecorded) {
  ready_client("C-1");
  const auto r = assigned_roller("C-1", "LOT-A", "1");
  auto s = start("C-1", r, "2026-11-24T10:00:00Z");
  ASSERT_TRUE(s);
  const auto id = s->session.id;
  ASSERT_TRUE(clinic_->record_step(by("2026-11-24T10:01:00Z"), id, "STEP.cleanse"));
  const auto before = audit_count();
  auto bare = clinic_->finish_session(by("2026-11-24T10:01:00Z"), id);
  ASSERT_FALSE(bare);
  EXPECT_EQ(bare.error().code, ErrorCode::refused);
  EXPECT_EQ(bare.error().where, "steps");
  EXPECT_NE(bare.error().message.find("STEP.roll"), std::string::npos) << bare.error().message;
  EXPECT_EQ(bare.error().message.find("STEP.cleanse"), std::string::npos) << "a step done is not missing";
  EXPECT_EQ(audit_count(), before);
  auto still = store_->find_session(id);
  ASSERT_TRUE(still && *still);
  EXPECT_FALSE((*still)->finished_at);
  auto blank = clinic_->finish_session(by("2026-11-24T10:02:00Z"), id, "   ");
  ASSERT_FALSE(blank);
  EXPECT_EQ(blank.error().where, "missing_steps_reason");
  auto done = clinic_->finish_session(by("2026-11-24T10:03:00Z"), id, "client felt faint; stopped");
  ASSERT_TRUE(done) << done.error().describe();
  EXPECT_NE(done->notes.find("finished without STEP."), std::string::npos) << done->notes;
  EXPECT_NE(done->notes.find("client felt faint; stopped"), std::string::npos) << done->notes;
}

TEST_P(ClinicOrder, TheChecklistShowsTheProtocolAndWhatIsDone) {
  ready_client("C-1");
  const auto r = assigned_roller("C-1", "LOT-A", "1");
  auto s = start("C-1", r, "2026-11-24T10:00:00Z");
  ASSERT_TRUE(s);
  ASSERT_TRUE(clinic_->record_step(by("2026-11-24T10:02:00Z"), s->session.id, "STEP.cleanse"));
  auto list = clinic_->checklist(s->session.id);
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), s->protocol.items.size());
  for (std::size_t i = 0; i < list->size(); ++i) {
    EXPECT_EQ((*list)[i].step, s->protocol.items[i].step);
    EXPECT_EQ((*list)[i].done_at.has_value(), (*list)[i].step == "STEP.cleanse");
  }
}

// ---- a booking meets the rules of the session it stands for
// -------------------------------------------------

TEST_P(ClinicOrder, ABookingIsRefusedForAnUnscreenedAreaAForbiddenNeedleAndThePast) {
  ready_client("C-1");  // screened for face and periorbital, not for the neck
  const ns::Actor desk = by("2026-11-24T08:00:00Z");
  auto neck =
      clinic_->book_appointment(desk, "C-1", "neck", nu::millimetres(0.5), at("2026-12-01T10:00:00Z"));
  ASSERT_FALSE(neck);
  EXPECT_EQ(neck.error().code, ErrorCode::refused);
  EXPECT_NE(neck.error().message.find("did not cover neck"), std::string::npos) << neck.error().message;
  auto eyes =
      clinic_->book_appointment(desk, "C-1", "periorbital", nu::millimetres(1.5), at("2026-12-01T10:00:00Z"));
  ASSERT_FALSE(eyes);
  EXPECT_EQ(eyes.error().code, ErrorCode::refused);
  EXPECT_NE(eyes.error().message.find("LIMIT.periorbital"), std::string::npos) << eyes.error().message;
  auto past =
      clinic_->book_appointment(desk, "C-1", "face", nu::millimetres(0.5), at("2026-11-01T10:00:00Z"));
  ASSERT_FALSE(past);
  EXPECT_EQ(past.error().where, "at");
  auto unscreened =
      clinic_->book_appointment(desk, "C-2", "face", nu::millimetres(0.5), at("2026-12-01T10:00:00Z"));
  EXPECT_FALSE(unscreened);
  auto booked = store_->appointments_of("C-1");
  ASSERT_TRUE(booked);
  EXPECT_TRUE(booked->empty());
  ASSERT_TRUE(
      clinic_->book_appointment(desk, "C-1", "face", nu::millimetres(0.5), at("2026-12-01T10:00:00Z")));
}

// ---- text fields, checked below every face --------------------------------------------------------------

TEST_P(ClinicOrder, BlankControlAndInvalidTextIsRefusedAndGoodTextIsStoredTrimmed) {
  const auto before = audit_count();
  for (const auto& [id, name, field] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"   ", "Ana", "id"},
           {"C-1", " \t ", "name"},
           {"C-1", "Ana\n2026-01-01 admin forged", "name"},
           {"C-1", "Ana \x1b[31mred", "name"},
           {"C-\xff", "Ana", "id"},
           {std::string(65, 'C'), "Ana", "id"}}) {
    ns::ClientRecord c;
    c.id = id;
    c.name = name;
    auto r = clinic_->add_client(by("2026-11-20T09:00:00Z"), c);
    ASSERT_FALSE(r) << "accepted id '" << id << "' name '" << name << "'";
    EXPECT_EQ(r.error().where, field);
  }
  EXPECT_EQ(audit_count(), before);
  ns::ClientRecord ok;
  ok.id = "  C-7 ";
  ok.name = " Zoë Example ";
  auto r = clinic_->add_client(by("2026-11-20T09:00:00Z"), ok);
  ASSERT_TRUE(r) << r.error().describe();
  auto stored = store_->find_client("C-7");
  ASSERT_TRUE(stored && *stored);
  EXPECT_EQ((*stored)->name, "Zoë Example");
}

TEST_P(ClinicOrder, ARoleMustBeOneOfTheStaffRoles) {
  auto janitor = clinic_->add_user(by("2026-11-20T08:00:00Z"), "bob", "janitor");
  ASSERT_FALSE(janitor);
  EXPECT_EQ(janitor.error().where, "role");
  EXPECT_NE(janitor.error().message.find("admin, practitioner, reception, auditor"), std::string::npos);
  for (const auto role : ns::staff_roles) {
    EXPECT_TRUE(
        clinic_->add_user(by("2026-11-20T08:00:00Z"), "user-" + std::string(role), std::string(role)));
  }
  EXPECT_FALSE(clinic_->add_user(by("2026-11-20T08:00:00Z"), "  ", "admin"));
}

TEST_P(ClinicOrder, SignerLotAndNotesAreCheckedToo) {
  add_client("C-1");
  EXPECT_FALSE(clinic_->record_consent(by("2026-11-23T09:10:00Z"), "C-1", "I consent.", "  "));
  EXPECT_FALSE(clinic_->record_consent(by("2026-11-23T09:10:00Z"), "C-1", "I consent.", "Ana\nBob"));
  ns::RollerSpec spec{" ", "1", "", "dermaroller", 192, nu::millimetres(1.0), *nu::parse_date("2028-01-31")};
  auto lot = clinic_->register_roller(by("2026-11-20T09:00:00Z"), spec);
  ASSERT_FALSE(lot);
  EXPECT_EQ(lot.error().where, "lot");
  spec.lot = " LOT-9 ";
  auto ok = clinic_->register_roller(by("2026-11-20T09:00:00Z"), spec);
  ASSERT_TRUE(ok) << ok.error().describe();
  EXPECT_EQ(ok->lot, "LOT-9");
  EXPECT_FALSE(clinic_->dispose_roller(by("2026-11-20T10:00:00Z"), ok->id, "\x1b[2J"));
  EXPECT_TRUE(clinic_->dispose_roller(by("2026-11-20T10:00:00Z"), ok->id, "dropped\non the floor"));
}

}  // namespace
