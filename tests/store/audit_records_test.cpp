// The audit log covers the records, not only itself (#11): every record's current content is checked against
// the digest its last audit entry committed to, so a row changed, inserted or deleted outside Needlework (raw
// SQL, a doctored backup) fails `verify_audit` naming the record, and `restore_sqlite` refuses such a backup.
// The tables come from the store's field tables (`record_tables`), so a record type added later is tampered
// with here too — or this test fails until it is.

#include <map>
#include <set>

#include "store_fixture.hpp"
#include "support/data.hpp"

namespace {

using needlework::ErrorCode;

const std::string jpeg("\xFF\xD8\xFF\xE0 a tiny pretend JPEG body", 28);

class AuditRecords : public StoreTest {
 protected:
  /// One record of every type: a user, a client with intake, consent, course, appointment, roller, a finished
  /// session with its steps and a charted zone, a follow-up that escalates, the aftercare message, a photo,
  /// the recall of the roller's lot, a consent to messages.
  void every_record_type() {
    ASSERT_TRUE(clinic_->add_user(by("2026-11-20T08:00:00Z"), "bea", "practitioner"));
    ready_client("C-1");
    ASSERT_TRUE(
        clinic_->record_message_consent(by("2026-11-23T09:15:00Z"), "C-1", true, ns::ConsentVia::clinic));
    ASSERT_TRUE(clinic_->record_course(by("2026-11-23T09:20:00Z"), "C-1", *nu::parse_date("2026-11-24")));
    auto appointment = clinic_->book_appointment(by("2026-11-23T09:30:00Z"), "C-1", "face",
                                                 nu::millimetres(0.5), at("2026-12-20T10:00:00Z"));
    ASSERT_TRUE(appointment) << appointment.error().describe();
    const auto r = assigned_roller("C-1", "LOT-A", "1", 0.5);
    auto started = start("C-1", r, "2026-11-24T10:00:00Z");
    ASSERT_TRUE(started) << started.error().describe();
    const auto s = started->session.id;
    // A zone charted with its dose from physics (a ClinicStore with the device catalog), then again: an
    // insert and an update of the zone's record.
    static const auto catalog = needlework::test::load_all_devices();
    ns::ClinicStore physics(*store_, seed(), {.regions = &regions(), .devices = &catalog});
    ns::Chart zone;
    zone.zone = "cheek";
    zone.passes = 6;
    ASSERT_TRUE(physics.chart(by("2026-11-24T10:20:00Z"), s, zone));
    zone.passes = 8;
    auto again = physics.chart(by("2026-11-24T10:25:00Z"), s, zone);
    ASSERT_TRUE(again) << again.error().describe();
    ASSERT_TRUE(finish(s, "2026-11-24T10:40:00Z"));
    auto f = clinic_->record_followup(by("2026-11-26T10:00:00Z"), s, {"redness"});
    ASSERT_TRUE(f) << f.error().describe();
    ASSERT_TRUE(f->escalation) << "a persisting redness opens an escalation";
    auto p = clinic_->add_photo(by("2026-11-24T09:50:00Z"), {"C-1", s, jpeg, "before", "face.jpg", "left"});
    ASSERT_TRUE(p) << p.error().describe();
    auto recall = clinic_->recall_lot(by("2026-11-27T09:00:00Z"), "LOT-A", "sterility failure");
    ASSERT_TRUE(recall) << recall.error().describe();
    // Home maintenance: a home roller and a home session (4 days after the professional one).
    auto home = clinic_->register_home_roller(by("2026-11-25T09:00:00Z"), "C-1",
                                              {"home_roller", "H-LOT", *nu::parse_date("2026-11-25")});
    ASSERT_TRUE(home) << home.error().describe();
    auto logged = clinic_->log_home_session(by("2026-11-28T20:00:00Z"), "C-1",
                                            {home->id, "face", *nu::parse_date("2026-11-28"), ""});
    ASSERT_TRUE(logged) << logged.error().describe();
  }

  ns::AuditCheck verify() {
    reopen();
    auto r = store_->verify_audit();
    EXPECT_TRUE(r) << r.error().describe();
    return r ? *r : ns::AuditCheck{};
  }

  /// The tables named by the record problems of a check, with each problem's kind.
  static std::map<std::string, std::set<std::string>> kinds_by_table(const ns::AuditCheck& c) {
    std::map<std::string, std::set<std::string>> out;
    for (const auto& p : c.record_problems) out[p.table].insert(p.kind);
    return out;
  }
};
NEEDLEWORK_INSTANTIATE_STORE_TESTS(AuditRecords);

TEST_P(AuditRecords, AnUntouchedDatabaseVerifiesWithEveryRecordChecked) {
  every_record_type();
  const auto c = verify();
  EXPECT_TRUE(c.ok) << c.problem;
  EXPECT_TRUE(c.record_problems.empty());
  // Every table holds a record, and every record the log names was checked (nothing was deleted).
  auto log = store_->audit_log();
  ASSERT_TRUE(log);
  std::set<std::string> records, tables;
  for (const auto& e : *log) {
    records.insert(e.entity + "/" + e.entity_id);
    tables.insert(e.entity);
  }
  for (const auto& t : ns::record_tables()) EXPECT_TRUE(tables.contains(t.name)) << t.name << ": not covered";
  EXPECT_EQ(c.records, static_cast<std::int64_t>(records.size()));
}

TEST_P(AuditRecords, AColumnChangedByRawSqlIsFoundInEveryRecordType) {
  every_record_type();
  // One change per table that keeps the value readable (a value that does not parse is the test below).
  const std::map<std::string, std::string> tamper = {
      {"users", "UPDATE users SET name = name || 'x'"},
      {"clients", "UPDATE clients SET name = 'Mallory'"},
      {"intakes", "UPDATE intakes SET decision = 'defer'"},
      {"consents", "UPDATE consents SET signer = 'Mallory'"},
      {"courses", "UPDATE courses SET pack = 'forged@9'"},
      {"appointments", "UPDATE appointments SET needle_length_mm = needle_length_mm + 1.0"},
      {"rollers", "UPDATE rollers SET udi = udi || 'x'"},
      {"sessions", "UPDATE sessions SET notes = notes || ' (edited)'"},
      {"session_steps", "UPDATE session_steps SET at = '2026-11-24T10:01:00Z'"},
      {"followups", "UPDATE followups SET triage = 'normal'"},
      {"escalations", "UPDATE escalations SET reason = 'nothing'"},
      {"outbox", "UPDATE outbox SET body = 'no aftercare'"},
      {"photos", "UPDATE photos SET note = 'right'"},
      {"lot_recalls", "UPDATE lot_recalls SET reason = 'nothing'"},
      {"message_consents", "UPDATE message_consents SET agreed = 1 - agreed"},
      {"session_zones", "UPDATE session_zones SET passes = 99"},
      {"home_rollers", "UPDATE home_rollers SET lot = 'H-FORGED'"},
      {"home_sessions", "UPDATE home_sessions SET performed_on = '2026-11-27'"},
  };
  const auto tables = ns::record_tables();
  for (const auto& t : tables) {
    ASSERT_TRUE(tamper.contains(t.name)) << "no tampering case for table " << t.name << "; add one";
  }
  ASSERT_EQ(tamper.size(), tables.size());
  close();
  for (const auto& [table, sql] : tamper) raw_sql(sql);
  const auto c = verify();
  EXPECT_FALSE(c.ok);
  EXPECT_EQ(c.first_bad_seq, 0) << "the chain itself is intact: " << c.problem;
  const auto found = kinds_by_table(c);
  for (const auto& t : tables) {
    ASSERT_TRUE(found.contains(t.name)) << t.name << " was changed and not reported";
    EXPECT_EQ(found.at(t.name), std::set<std::string>{"changed"}) << t.name;
  }
  for (const auto& p : c.record_problems) {
    EXPECT_EQ(p.expected_sha256.size(), 64u) << p.table << " " << p.id;
    EXPECT_EQ(p.actual_sha256.size(), 64u) << p.table << " " << p.id;
    EXPECT_NE(p.expected_sha256, p.actual_sha256) << p.table << " " << p.id;
  }
  // The client is named by its id, with the digests to compare.
  const auto client = std::find_if(c.record_problems.begin(), c.record_problems.end(),
                                   [](const auto& p) { return p.table == "clients"; });
  ASSERT_NE(client, c.record_problems.end());
  EXPECT_EQ(client->id, "C-1");
  EXPECT_NE(c.problem.find("do not match the audit log"), std::string::npos) << c.problem;
}

TEST_P(AuditRecords, ADeletedRowAnInsertedRowAndAnUnreadableValueAreFound) {
  every_record_type();
  close();
  raw_sql("DELETE FROM photos");
  raw_sql("INSERT INTO clients (id, name, created_at) VALUES ('C-9', 'Ghost', '2026-11-20T09:00:00Z')");
  raw_sql("UPDATE rollers SET expiry = 'soon'");
  const auto c = verify();
  EXPECT_FALSE(c.ok);
  std::map<std::string, std::string> kind_of;
  for (const auto& p : c.record_problems) kind_of[p.table + "/" + p.id] = p.kind;
  EXPECT_EQ(kind_of["photos/1"], "removed");
  EXPECT_EQ(kind_of["clients/C-9"], "unaudited");
  EXPECT_EQ(kind_of["rollers/1"], "unreadable");
  EXPECT_EQ(kind_of.size(), 3u);
}

TEST_P(AuditRecords, ARecordPutBackAsItWasVerifiesAgain) {
  every_record_type();
  close();
  raw_sql("UPDATE clients SET name = 'Mallory'");
  EXPECT_FALSE(verify().ok);
  close();
  raw_sql("UPDATE clients SET name = 'Test C-1'");
  const auto c = verify();
  EXPECT_TRUE(c.ok) << c.problem;
}

TEST_P(AuditRecords, ARecordAuditedBeforeAColumnWasAddedStillVerifies) {
  // A session written before migration 0002 (cocktail, conditions) or 0005 (stroke plan) was digested without
  // those members; the migration gave them their defaults. Its digest in that form still matches.
  every_record_type();
  auto sessions = store_->sessions_of("C-1");
  ASSERT_TRUE(sessions && !sessions->empty());
  auto old = nlohmann::json::parse(ns::canonical(ns::to_json(sessions->front())));
  old.erase("cocktail");
  old.erase("conditions");
  old.erase("stroke_plan");
  const auto digest = ns::sha256_hex(ns::canonical(old));
  const auto id = std::to_string(sessions->front().id);
  // As that database would hold it: the session's last entry commits to the old form.
  ASSERT_TRUE(store_->update_session(by("2026-11-25T09:00:00Z"), sessions->front()));
  close();
  raw_sql(std::string("DROP TRIGGER audit_no_update") + (backend() == Backend::postgres ? " ON audit" : ""));
  raw_sql("UPDATE audit SET after_sha256 = '" + digest + "' WHERE entity = 'sessions' AND entity_id = '" +
          id + "' AND seq = (SELECT MAX(seq) FROM audit)");
  // Rewriting the entry breaks the chain (that is the point of the chain); the record itself is accepted.
  const auto c = verify();
  for (const auto& p : c.record_problems) EXPECT_NE(p.table, "sessions") << p.kind << " " << p.detail;
  // A changed member is not excused by the older form.
  close();
  raw_sql("UPDATE sessions SET cocktail = 1");
  const auto changed = verify();
  EXPECT_EQ(kinds_by_table(changed)["sessions"], std::set<std::string>{"changed"});
}

/// `restore_sqlite` is SQLite's (PostgreSQL restores with pg_restore, docs/store.md).
class SqliteAuditRecords : public AuditRecords {};
NEEDLEWORK_INSTANTIATE_STORE_TESTS_ON(SqliteAuditRecords, Backend::sqlite);

TEST_P(SqliteAuditRecords, RestoreRefusesABackupWhoseRecordsDoNotMatchItsLog) {
  every_record_type();
  const auto backup = dir_ / "backup.db";
  ASSERT_TRUE(store_->backup_to(backup, {}));
  // The clean backup restores.
  const auto good_target = dir_ / "restored.db";
  auto good = ns::restore_sqlite(backup, good_target, false, at("2026-11-27T09:00:00Z"));
  ASSERT_TRUE(good) << good.error().describe();
  // A doctored one does not, and the target is left alone.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(backup.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE intakes SET decision = 'cleared', areas_json = '[]'", nullptr, nullptr,
                         nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  const auto target = dir_ / "target.db";
  auto r = ns::restore_sqlite(backup, target, false, at("2026-11-27T09:00:00Z"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::refused);
  EXPECT_NE(r.error().message.find("intakes"), std::string::npos) << r.error().describe();
  EXPECT_FALSE(fs::exists(target));
}

}  // namespace
