// Home maintenance in the record (S2) on both backends: a client's home roller (registered with its lot,
// retired), the home sessions logged with it under the pack's maintenance rule (HOME.maintenance: 7 days
// apart, and the course's interval after a professional session), and the ownership every function checks.
// Each refusal is shown next to the allowed case, changes nothing, and leaves the audit verifying.

#include <fmt/format.h>

#include <algorithm>

#include "store_fixture.hpp"

using needlework::ErrorCode;

namespace {

class HomeMaintenance : public StoreTest {
 protected:
  ns::Id home_roller(const std::string& client, const char* lot = "H-LOT-1", const char* on = "2026-11-24") {
    auto r = clinic_->register_home_roller(by("2026-11-24T09:00:00Z"), client,
                                           {"home_roller", lot, *nu::parse_date(on)});
    EXPECT_TRUE(r) << r.error().describe();
    return r ? r->id : 0;
  }
  needlework::Result<ns::LoggedHomeSession> log(const std::string& client, ns::Id roller, const char* on,
                                                const char* when, const std::string& area = "face") {
    return clinic_->log_home_session(by(when, "cli"), client, {roller, area, *nu::parse_date(on), ""});
  }
  std::size_t home_session_count(const std::string& client) {
    auto s = clinic_->home_sessions(client);
    EXPECT_TRUE(s) << s.error().describe();
    return s ? s->size() : 0;
  }
  void expect_audit_verifies() {
    auto check = store_->verify_audit();
    ASSERT_TRUE(check) << check.error().describe();
    EXPECT_TRUE(check->ok) << check->problem;
  }
};
NEEDLEWORK_INSTANTIATE_STORE_TESTS(HomeMaintenance);

TEST_P(HomeMaintenance, AHomeRollerIsAHomeDeviceOfThePackWithALot) {
  add_client("C-1");
  const auto when = by("2026-11-24T09:00:00Z");
  auto pro = clinic_->register_home_roller(when, "C-1", {"dermaroller", "L1", *nu::parse_date("2026-11-24")});
  ASSERT_FALSE(pro);
  EXPECT_EQ(pro.error().code, ErrorCode::unknown_id);
  EXPECT_EQ(pro.error().where, "device");
  EXPECT_NE(pro.error().message.find("home_roller"), std::string::npos) << pro.error().message;
  auto no_lot =
      clinic_->register_home_roller(when, "C-1", {"home_roller", "  ", *nu::parse_date("2026-11-24")});
  ASSERT_FALSE(no_lot);
  EXPECT_EQ(no_lot.error().where, "lot");
  auto future =
      clinic_->register_home_roller(when, "C-1", {"home_roller", "L1", *nu::parse_date("2026-11-25")});
  ASSERT_FALSE(future);
  EXPECT_EQ(future.error().code, ErrorCode::out_of_range);
  EXPECT_EQ(future.error().where, "registered_on");
  auto nobody =
      clinic_->register_home_roller(when, "C-9", {"home_roller", "L1", *nu::parse_date("2026-11-24")});
  ASSERT_FALSE(nobody);
  EXPECT_EQ(nobody.error().code, ErrorCode::not_found);
  EXPECT_EQ(audit_count(), 1) << "only the client was written";

  auto ok =
      clinic_->register_home_roller(when, "C-1", {"home_roller", " L1 ", *nu::parse_date("2026-11-24")});
  ASSERT_TRUE(ok) << ok.error().describe();
  EXPECT_EQ(ok->lot, "L1");
  EXPECT_EQ(ok->client_id, "C-1");
  EXPECT_FALSE(ok->retired());
}

TEST_P(HomeMaintenance, AHomeSessionTwoDaysAfterThePreviousOneIsRefusedWithTheRule) {
  add_client("C-1");
  const auto r = home_roller("C-1");
  auto first = log("C-1", r, "2026-11-25", "2026-11-25T20:00:00Z");
  ASSERT_TRUE(first) << first.error().describe();
  EXPECT_EQ(first->session.performed_on, *nu::parse_date("2026-11-25"));
  EXPECT_EQ(first->session.logged_by, "cli");
  const auto entries = audit_count();

  auto early = log("C-1", r, "2026-11-27", "2026-11-27T20:00:00Z");
  expect_refused(early, "2 days from the home session on 2026-11-25", "HOME.maintenance");
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().where, "performed_on");
  EXPECT_NE(early.error().message.find("earliest allowed date is 2026-12-02"), std::string::npos)
      << early.error().message;
  EXPECT_NE(early.error().message.find("S2"), std::string::npos) << early.error().message;
  EXPECT_EQ(audit_count(), entries) << "a refusal writes nothing";
  EXPECT_EQ(home_session_count("C-1"), 1u);

  // Another area does not count; seven days later on the face is allowed.
  EXPECT_TRUE(log("C-1", r, "2026-11-27", "2026-11-27T20:00:00Z", "neck"));
  auto week = log("C-1", r, "2026-12-02", "2026-12-02T20:00:00Z");
  EXPECT_TRUE(week) << week.error().describe();
  // A session logged late for a day between two others is checked against both.
  expect_refused(log("C-1", r, "2026-11-29", "2026-12-03T09:00:00Z"), "from the home session",
                 "HOME.maintenance");
  auto next = clinic_->next_home_session("C-1", "face", *nu::parse_date("2026-12-03"));
  ASSERT_TRUE(next && *next);
  EXPECT_EQ(**next, *nu::parse_date("2026-12-09"));
  expect_audit_verifies();
}

TEST_P(HomeMaintenance, AfterAProfessionalSessionTheCoursesIntervalApplies) {
  ready_client("C-1");
  const auto pro = assigned_roller("C-1", "LOT-A", "1");
  session("C-1", pro, "2026-11-24T10:00:00Z", "2026-11-24T11:00:00Z");
  const auto r = home_roller("C-1");
  // 1.0 mm is a medium needle: COURSE.default's 3 days (the seed pack).
  expect_refused(log("C-1", r, "2026-11-25", "2026-11-25T20:00:00Z"), "after the professional session",
                 "COURSE.default");
  expect_refused(log("C-1", r, "2026-11-26", "2026-11-26T20:00:00Z"), "earliest allowed date is 2026-11-27",
                 "COURSE.default");
  EXPECT_EQ(home_session_count("C-1"), 0u);
  auto ok = log("C-1", r, "2026-11-27", "2026-11-27T20:00:00Z");
  EXPECT_TRUE(ok) << ok.error().describe();
}

TEST_P(HomeMaintenance, TheDayIsNeitherInTheFutureNorBeforeTheRollerWasRegistered) {
  add_client("C-1");
  const auto r = home_roller("C-1", "H-LOT-1", "2026-11-24");
  auto future = log("C-1", r, "2026-11-26", "2026-11-25T20:00:00Z");
  ASSERT_FALSE(future);
  EXPECT_EQ(future.error().code, ErrorCode::out_of_range);
  EXPECT_EQ(future.error().where, "performed_on");
  auto before = log("C-1", r, "2026-11-23", "2026-11-25T20:00:00Z");
  ASSERT_FALSE(before);
  EXPECT_EQ(before.error().code, ErrorCode::out_of_range);
  EXPECT_NE(before.error().message.find("registered"), std::string::npos);
  auto area = log("C-1", r, "2026-11-24", "2026-11-25T20:00:00Z", "elbow");
  ASSERT_FALSE(area);
  EXPECT_EQ(area.error().code, ErrorCode::unknown_id);
  EXPECT_EQ(area.error().where, "area");
  EXPECT_EQ(home_session_count("C-1"), 0u);
  EXPECT_TRUE(log("C-1", r, "2026-11-24", "2026-11-25T20:00:00Z"));
}

TEST_P(HomeMaintenance, ARetiredRollerOrARecalledLotIsRefused) {
  add_client("C-1");
  const auto r = home_roller("C-1", "H-LOT-1");
  const auto other = home_roller("C-1", "H-LOT-2");
  auto retired = clinic_->retire_home_roller(by("2026-11-26T09:00:00Z"), "C-1", r, "replaced");
  ASSERT_TRUE(retired) << retired.error().describe();
  ASSERT_TRUE(retired->retired_at);
  EXPECT_EQ(retired->retired_reason, "replaced");
  auto twice = clinic_->retire_home_roller(by("2026-11-26T10:00:00Z"), "C-1", r, "again");
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, ErrorCode::invalid_value);
  expect_refused(log("C-1", r, "2026-11-26", "2026-11-26T20:00:00Z"), "was retired",
                 "RECORD.home_roller_retired");
  // Before its retirement it was in use: a session of that day, logged late, is kept.
  EXPECT_TRUE(log("C-1", r, "2026-11-25", "2026-11-26T20:00:00Z"));

  ASSERT_TRUE(clinic_->recall_lot(by("2026-12-03T08:00:00Z", "bea"), "H-LOT-2", "sterility failure"));
  auto recalled = log("C-1", other, "2026-12-03", "2026-12-03T20:00:00Z");
  expect_refused(recalled, "was recalled", "RECORD.lot_recalled");
  EXPECT_EQ(recalled.error().where, "home_roller_id");
  EXPECT_TRUE(log("C-1", other, "2026-12-02", "2026-12-03T20:00:00Z")) << "a day before the recall";
  auto registered = clinic_->register_home_roller(by("2026-12-03T09:00:00Z"), "C-1",
                                                  {"home_roller", "H-LOT-2", *nu::parse_date("2026-12-03")});
  expect_refused(registered, "was recalled", "RECORD.lot_recalled");
  expect_audit_verifies();
}

TEST_P(HomeMaintenance, AnotherClientsRollerIsUnknownToThisClient) {
  add_client("C-1");
  add_client("C-2");
  const auto theirs = home_roller("C-2");
  auto used = log("C-1", theirs, "2026-11-25", "2026-11-25T20:00:00Z");
  ASSERT_FALSE(used);
  EXPECT_EQ(used.error().code, ErrorCode::not_found);
  EXPECT_EQ(used.error().where, "home_roller_id");
  auto retired = clinic_->retire_home_roller(by("2026-11-25T09:00:00Z"), "C-1", theirs, "not mine");
  ASSERT_FALSE(retired);
  EXPECT_EQ(retired.error().code, ErrorCode::not_found);
  auto mine = clinic_->home_rollers("C-1", *nu::parse_date("2026-11-25"));
  ASSERT_TRUE(mine);
  EXPECT_TRUE(mine->empty());
  EXPECT_TRUE(log("C-2", theirs, "2026-11-25", "2026-11-25T20:00:00Z"));
}

TEST_P(HomeMaintenance, ARollersLifeIsItsDaysInUseAndItsUses) {
  add_client("C-1");
  const auto r = home_roller("C-1", "H-LOT-1", "2026-11-24");
  ASSERT_TRUE(log("C-1", r, "2026-11-24", "2026-11-24T20:00:00Z"));
  ASSERT_TRUE(log("C-1", r, "2026-12-01", "2026-12-01T20:00:00Z"));
  ASSERT_TRUE(log("C-1", r, "2026-12-01", "2026-12-01T20:05:00Z", "neck"));
  auto lives = clinic_->home_rollers("C-1", *nu::parse_date("2026-12-03"));
  ASSERT_TRUE(lives) << lives.error().describe();
  ASSERT_EQ(lives->size(), 1u);
  EXPECT_EQ((*lives)[0].uses, 3);
  EXPECT_EQ((*lives)[0].days_in_use, 10) << "2026-11-24 to 2026-12-03, both counted";
  ASSERT_TRUE((*lives)[0].last_used);
  EXPECT_EQ(*(*lives)[0].last_used, *nu::parse_date("2026-12-01"));
  ASSERT_TRUE(clinic_->retire_home_roller(by("2026-12-05T09:00:00Z"), "C-1", r, "replaced"));
  lives = clinic_->home_rollers("C-1", *nu::parse_date("2026-12-20"));
  ASSERT_TRUE(lives);
  EXPECT_EQ((*lives)[0].days_in_use, 12) << "counted to its retirement, not to today";
  // The records are audited and exported like the others.
  auto log_entries = store_->audit_log();
  ASSERT_TRUE(log_entries);
  EXPECT_EQ(std::count_if(log_entries->begin(), log_entries->end(),
                          [](const auto& e) { return e.entity == "home_sessions"; }),
            3);
  EXPECT_EQ(std::count_if(log_entries->begin(), log_entries->end(),
                          [](const auto& e) { return e.entity == "home_rollers" && e.action == "update"; }),
            1);
  expect_audit_verifies();
}

}  // namespace
