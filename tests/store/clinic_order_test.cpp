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
  EXPECT_EQ(older.error().rule, "RECORD.older_intake");
  EXPECT_NE(older.error().message.find("later than this one"), std::string::npos) << older.error().message;
  EXPECT_EQ(audit_count(), before);
  auto intakes = store_->intakes_of("C-1");
  ASSERT_TRUE(intakes);
  EXPECT_EQ(intakes->size(), 1u);
  expect_refused(start("C-1", r, "2026-11-24T10:00:00Z"), "decided 'defer'", "CI.pregnancy");
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
  EXPECT_EQ(cocktail.error().rule, "RECORD.step_not_in_protocol");
  auto steps = store_->steps_of(s->session.id);
  ASSERT_TRUE(steps);
  EXPECT_TRUE(steps->empty());
  // With a cocktail, the same step belongs to the session.
  ready_client("C-2");
  const auto r2 = assigned_roller("C-2", "LOT-A", "2");
  ns::SessionRequest req{"C-2", "face", r2, std::nullopt, true, {}, warnings_for("face", 1.0)};
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
  EXPECT_EQ(bare.error().rule, "RECORD.steps_unrecorded");
  EXPECT_EQ(bare.error().message.find("`needlework"), std::string::npos) << "no command line in the store";
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

// ---- a roller's assignment applies from its own time (#11)
// --------------------------------------------------------------------------------------------

TEST_P(ClinicOrder, ASessionBeforeTheRollerWasAssignedIsRefused) {
  ready_client("C-1");  // intake 2026-11-23T09:00, consent 09:10
  const auto r = roller("LOT-A", "1");
  ASSERT_TRUE(clinic_->assign_roller(by("2026-11-24T09:55:00Z"), r, "C-1"));
  const auto before = audit_count();
  auto early = start("C-1", r, "2026-11-24T09:50:00Z");
  expect_refused(early, "assigned to client C-1 at 2026-11-24T09:55:00Z, after the session start",
                 "RECORD.roller_assigned_after_start");
  EXPECT_EQ(early.error().where, "roller");
  EXPECT_EQ(audit_count(), before);
  EXPECT_EQ(sessions_of("C-1"), 0u);
  auto stored = store_->find_roller(r);
  ASSERT_TRUE(stored && *stored);
  EXPECT_EQ((*stored)->assigned_at, at("2026-11-24T09:55:00Z"));
  EXPECT_EQ(ns::to_json(**stored)["assigned_at"], "2026-11-24T09:55:00Z");
  auto on_time = start("C-1", r, "2026-11-24T09:55:00Z");
  EXPECT_TRUE(on_time) << on_time.error().describe();
}

TEST_P(ClinicOrder, ASterilisedRollerCountsFromItsLatestAssignment) {
  ready_client("C-1");
  const auto r = assigned_roller("C-1", "LOT-A", "1");  // assigned 2026-11-20T09:05
  ASSERT_NE(session("C-1", r, "2026-11-24T10:00:00Z", "2026-11-24T10:40:00Z"), 0);
  ASSERT_TRUE(clinic_->sterilise_roller(by("2027-01-10T09:00:00Z"), r));
  const auto before = audit_count();
  // After the first session, before the sterilisation: the roller was used then, not assigned.
  auto between = start("C-1", r, "2027-01-05T10:00:00Z");
  expect_refused(between, "at 2027-01-10T09:00:00Z, after the session start");
  EXPECT_EQ(audit_count(), before);
  EXPECT_EQ(sessions_of("C-1"), 1u);
  auto after = start("C-1", r, "2027-01-10T10:00:00Z");
  EXPECT_TRUE(after) << after.error().describe();
}

TEST_P(ClinicOrder, ARollerWithoutAnAssignmentTimeCountsFromItsRegistration) {
  // Rollers assigned before schema version 6 have no recorded assignment time.
  ns::RollerRecord legacy;
  legacy.registered_at = at("2026-11-20T09:00:00Z");
  EXPECT_EQ(legacy.assigned_since(), at("2026-11-20T09:00:00Z"));
  EXPECT_FALSE(ns::to_json(legacy).contains("assigned_at")) << "the JSON, so the digest, stays as before";
  legacy.assigned_at = at("2026-11-21T09:00:00Z");
  EXPECT_EQ(legacy.assigned_since(), at("2026-11-21T09:00:00Z"));
}

TEST_P(ClinicOrder, ARollerCannotBeAssignedBeforeItWasRegistered) {
  add_client("C-1");
  const auto r = roller("LOT-A", "1");  // registered 2026-11-20T09:00
  auto early = clinic_->assign_roller(by("2026-11-20T08:00:00Z"), r, "C-1");
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().where, "at");
  auto stored = store_->find_roller(r);
  ASSERT_TRUE(stored && *stored);
  EXPECT_EQ((*stored)->state, ns::RollerState::new_);
}

// ---- the 24-hour follow-up stays due until it is done (#11)
// --------------------------------------------------------------------------------------------

TEST_P(ClinicOrder, AnEarlyCheckIsRecordedButThe24HourFollowupStaysDue) {
  // The window is the pack's: the first see-a-doctor follow-up rule's from_hours (FU.redness_persisting,
  // S14).
  const auto window = clinic_->followup_due_after();
  EXPECT_EQ(window, std::chrono::hours{24});
  // Three clients, each with a session ended at 11:00; a check before, at and after the window's start.
  const char* ended = "2026-11-24T11:00:00Z";
  std::vector<ns::Id> sessions;
  for (const char* client : {"C-1", "C-2", "C-3"}) {
    ready_client(client);
    const auto r = assigned_roller(client, "LOT-A", client);
    sessions.push_back(session(client, r, "2026-11-24T10:00:00Z", ended));
  }
  const auto window_start = at(ended) + window;  // 2026-11-25T11:00:00Z
  auto early =
      clinic_->record_followup(ns::Actor{"ana", at(ended) + std::chrono::hours{2}}, sessions[0], {"redness"});
  ASSERT_TRUE(early) << early.error().describe();
  EXPECT_EQ(early->followup.triage, nk::Triage::normal) << "redness on the first day is expected";
  ASSERT_TRUE(clinic_->record_followup(ns::Actor{"ana", window_start - std::chrono::seconds{1}}, sessions[1],
                                       {"dryness"}));
  ASSERT_TRUE(clinic_->record_followup(ns::Actor{"ana", window_start}, sessions[2], {"dryness"}));

  auto due = clinic_->due(window_start + std::chrono::hours{1});
  ASSERT_TRUE(due) << due.error().describe();
  std::vector<ns::Id> still_due;
  for (const auto& d : *due) {
    if (d.kind == ns::DueKind::followup) still_due.push_back(d.session_id);
  }
  EXPECT_EQ(still_due, (std::vector<ns::Id>{sessions[0], sessions[1]}))
      << "checks before the window keep the 24-hour follow-up due; one at its start clears it";
  // The early check is kept.
  auto kept = store_->followups_of(sessions[0]);
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->size(), 1u);
  // The 24-hour check, once recorded, takes the session off the list.
  ASSERT_TRUE(clinic_->record_followup(ns::Actor{"ana", window_start + std::chrono::hours{2}}, sessions[0],
                                       {"dryness"}));
  auto later = clinic_->due(window_start + std::chrono::hours{3});
  ASSERT_TRUE(later);
  for (const auto& d : *later) EXPECT_NE(d.session_id, sessions[0]);
}

// ---- a depth-guard warning needs the practitioner's recorded acknowledgement (#9)
// --------------------------------------------------------------------------------------------

namespace {
/// The seed pack's warning rule and the margin text the guard gives for a needle on an area.
std::string margin_of(const std::string& rule, const std::string& area, double mm) {
  auto d = needlework::clinic::check_depth(seed(), &regions(), area, *seed().find_device("dermaroller"),
                                           nu::millimetres(mm));
  if (!d || !*d) return "";
  for (const auto& f : (*d)->findings) {
    if (f.rule == rule) return f.verdict.summary;
  }
  return "";
}
ns::SessionRequest request(ns::Id roller, std::vector<std::string> acknowledged) {
  ns::SessionRequest req;
  req.client_id = "C-1";
  req.area = "face";
  req.roller_id = roller;
  req.acknowledged = std::move(acknowledged);
  return req;
}
}  // namespace

TEST_P(ClinicOrder, AWarningThatFiresIsRefusedUntilAcknowledgedNamingTheRuleRegionAndMargin) {
  ASSERT_EQ(warnings_for("face", 1.0), std::vector<std::string>{"DEPTH.thin_skin"})
      << "the seed pack's thin-skin rule warns for 1.0 mm on the face";
  ready_client("C-1");
  const auto r = assigned_roller("C-1", "LOT-A", "1", 1.0);
  const auto before = audit_count();
  auto refused = clinic_->start_session(by("2026-11-24T10:00:00Z"), request(r, {}));
  const auto margin = margin_of("DEPTH.thin_skin", "face", 1.0);
  ASSERT_FALSE(margin.empty());
  expect_refused(refused, "DEPTH.thin_skin", "DEPTH.thin_skin");
  EXPECT_NE(refused.error().message.find(margin), std::string::npos) << refused.error().message;
  EXPECT_NE(refused.error().message.find("% of punctures"), std::string::npos);
  EXPECT_NE(refused.error().message.find("acknowledging DEPTH.thin_skin"), std::string::npos);
  EXPECT_EQ(refused.error().message.find("--acknowledge"), std::string::npos)
      << "the store speaks to every face; the CLI adds its option (apps/needlework, cli_hint)";
  EXPECT_EQ(refused.error().where, "acknowledged");
  EXPECT_EQ(audit_count(), before) << "nothing stored";
  EXPECT_EQ(sessions_of("C-1"), 0u);

  auto started = clinic_->start_session(by("2026-11-24T10:00:00Z", "bea"), request(r, {"DEPTH.thin_skin"}));
  ASSERT_TRUE(started) << started.error().describe();
  EXPECT_EQ(started->session.acknowledged, std::vector<std::string>{"DEPTH.thin_skin"});
  auto stored = store_->find_session(started->session.id);
  ASSERT_TRUE(stored && *stored);
  EXPECT_EQ((*stored)->acknowledged, std::vector<std::string>{"DEPTH.thin_skin"});
  EXPECT_EQ(ns::to_json(**stored)["acknowledged"], nlohmann::json::array({"DEPTH.thin_skin"}));
  // Who and when: the session's start, with the margin acknowledged kept in its notes.
  EXPECT_NE((*stored)->notes.find("[2026-11-24T10:00:00Z bea] acknowledged DEPTH.thin_skin (S7): " + margin),
            std::string::npos)
      << (*stored)->notes;
  // In the audit: the session's entry, by bea, commits to the record with its acknowledgement.
  auto log = store_->audit_log();
  ASSERT_TRUE(log);
  const auto& entry = log->back();
  EXPECT_EQ(entry.entity, "sessions");
  EXPECT_EQ(entry.actor, "bea");
  EXPECT_EQ(entry.after_sha256, ns::sha256_hex(ns::canonical(ns::to_json(**stored))));
  EXPECT_TRUE(started->protocol.unacknowledged.empty());
}

TEST_P(ClinicOrder, AnAcknowledgementOfARuleThatDidNotFireARefusingRuleOrAnUnknownOneIsRefused) {
  ready_client("C-1");
  const auto short_roller = assigned_roller("C-1", "LOT-A", "1", 0.5);
  ASSERT_TRUE(warnings_for("face", 0.5).empty()) << "0.5 mm on the face raises no warning";
  const auto before = audit_count();
  auto not_fired =
      clinic_->start_session(by("2026-11-24T10:00:00Z"), request(short_roller, {"DEPTH.thin_skin"}));
  expect_refused(not_fired, "DEPTH.thin_skin did not warn for a 0.5 mm needle on face",
                 "RECORD.nothing_to_acknowledge");
  EXPECT_EQ(not_fired.error().where, "acknowledged[0]");
  auto refusing =
      clinic_->start_session(by("2026-11-24T10:00:00Z"), request(short_roller, {"DEPTH.within_dermis"}));
  expect_refused(refusing, "is a refusing rule, not a warning", "DEPTH.within_dermis");
  EXPECT_EQ(refusing.error().where, "acknowledged[0]");
  auto unknown = clinic_->start_session(by("2026-11-24T10:00:00Z"), request(short_roller, {"DEPTH.nope"}));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::unknown_id);
  EXPECT_NE(unknown.error().message.find("DEPTH.thin_skin"), std::string::npos) << "lists the warning rules";
  auto twice = clinic_->start_session(by("2026-11-24T10:00:00Z"),
                                      request(short_roller, {"DEPTH.thin_skin", "DEPTH.thin_skin"}));
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().where, "acknowledged[1]");
  EXPECT_EQ(audit_count(), before) << "nothing stored";
  EXPECT_EQ(sessions_of("C-1"), 0u);
  auto plain = clinic_->start_session(by("2026-11-24T10:00:00Z"), request(short_roller, {}));
  ASSERT_TRUE(plain) << plain.error().describe();
  EXPECT_TRUE(plain->session.acknowledged.empty());
  EXPECT_FALSE(ns::to_json(plain->session).contains("acknowledged"))
      << "a session without one digests as before";
}

}  // namespace
