// The schema's migrations on both backends: applied once, in order, from any older version, and a changed or
// newer database refused as a database error (database_error, exit 4 in the CLI). Each test on a fresh, empty
// database (store_fixture.hpp).

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

class Migrations : public StoreTest {};
NEEDLEWORK_INSTANTIATE_STORE_TESTS(Migrations);

TEST_P(Migrations, MigrationsAreAppliedOnceAndOpeningTwiceKeepsTheData) {
  auto first = store_->schema();
  ASSERT_TRUE(first) << first.error().describe();
  EXPECT_EQ(first->version, 14);
  EXPECT_EQ(first->applied,
            (std::vector<std::string>{"0001_init", "0002_outbox", "0003_photos", "0004_history_indexes",
                                      "0005_stroke_plan", "0006_acknowledged_assigned", "0007_auth",
                                      "0008_lot_recalls", "0009_session_zones",
                                      "0010_client_contact_audit_filters_photo_area", "0011_outbox_delivery",
                                      "0012_portal", "0013_home_maintenance", "0014_message_consent"}));
  add_client("C-1");
  reopen();
  reopen();
  auto again = store_->schema();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->version, 14);
  EXPECT_EQ(again->applied.size(), 14u);
  auto c = store_->find_client("C-1");
  ASSERT_TRUE(c && *c);
  EXPECT_EQ((*c)->name, "Test C-1");
  EXPECT_EQ(audit_count(), 1);
}

TEST_P(Migrations, AChangedMigrationOrANewerDatabaseIsADataError) {
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

TEST_P(Migrations, AVersion1DatabaseIsMigratedToTheLatestKeepingItsRecords) {
  ready_client("C-1");
  const auto r = assigned_roller("C-1", "LOT-A", "1");
  ASSERT_TRUE(start("C-1", r, "2026-11-24T10:00:00Z"));
  close();
  // Undo 0002 by hand: the database is as version 1 left it (SQLite >= 3.35 drops columns).
  raw_sql(
      "DROP TABLE calendar_feeds; DROP TABLE client_sessions; DROP TABLE portal_links; "
      "DROP TABLE home_sessions; DROP TABLE home_rollers; "
      "DROP INDEX audit_by_entity; DROP INDEX audit_by_entity_id; DROP INDEX audit_by_actor; "
      "DROP INDEX audit_by_action; DROP INDEX audit_by_at; ALTER TABLE clients DROP COLUMN email; "
      "ALTER TABLE clients DROP COLUMN phone; "
      "DROP TABLE unsubscribe_tokens; DROP TABLE message_consents; DROP TABLE session_zones; DROP TABLE "
      "lot_recalls; DROP TABLE login_throttle; DROP TABLE api_keys; "
      "DROP TABLE auth_sessions; "
      "DROP TABLE credentials; "
      "DROP TABLE photos; DROP TABLE outbox; ALTER TABLE sessions DROP COLUMN cocktail; "
      "ALTER TABLE sessions DROP COLUMN conditions_json; ALTER TABLE sessions DROP COLUMN stroke_plan_json; "
      "ALTER TABLE sessions DROP COLUMN acknowledged_json; ALTER TABLE rollers DROP COLUMN assigned_at; "
      "DELETE FROM schema_version WHERE version > 1");
  reopen();
  auto info = store_->schema();
  ASSERT_TRUE(info);
  EXPECT_EQ(info->version, 14);
  auto sessions = store_->sessions_of("C-1");
  ASSERT_TRUE(sessions) << sessions.error().describe();
  ASSERT_EQ(sessions->size(), 1u);
  EXPECT_FALSE((*sessions)[0].cocktail);
  EXPECT_TRUE((*sessions)[0].acknowledged.empty());
  auto roller = store_->find_roller(r);
  ASSERT_TRUE(roller && *roller);
  EXPECT_FALSE((*roller)->assigned_at) << "an assignment time unknown before version 6 stays unknown";
  auto outbox = clinic_->outbox(true);
  ASSERT_TRUE(outbox);
  EXPECT_TRUE(outbox->empty());
}

TEST_P(Migrations, ProgramsOpeningANewDatabaseAtOnceApplyEachMigrationOnce) {
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

}  // namespace
