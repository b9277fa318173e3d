// The audit chain on both backends: one entry per write and none for a refusal, the digests of the records'
// canonical JSON, one unbroken chain across connections, verification inside transactions and snapshots, the
// SQL guards on the log, and tampering found (AuditTamper). Also the SHA-256 and canonical-text functions the
// digests rest on. Each test on a fresh, empty database (store_fixture.hpp).

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

class AuditTest : public StoreTest {};
NEEDLEWORK_INSTANTIATE_STORE_TESTS(AuditTest);

TEST_P(AuditTest, EveryWriteAppendsOneAuditEntryAndARefusalNone) {
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

TEST_P(AuditTest, ASessionsAuditDigestIsItsCanonicalJsonWhetherOrNotTheTextWasMadeAhead) {
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

TEST_P(AuditTest, TwoConnectionsTakingTurnsKeepOneChain) {
  // Each write reads the chain's head inside its own transaction, so writers in two processes interleave
  // without forking the chain.
  auto other = open_db();
  ASSERT_TRUE(other) << other.error().describe();
  ns::ClinicStore second(**other, seed(), {.regions = &regions()});
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

TEST_P(AuditTest, TheAuditVerifiesInsideAWriteTransactionAndInsideAReadSnapshot) {
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

TEST_P(AuditTest, TheAuditLogRefusesUpdateAndDeleteThroughSql) {
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
    ready_client("C-1");                                  // client, intake, consent: 3 entries
    const auto r = assigned_roller("C-1", "LOT-A", "1");  // 5
    auto s = start("C-1", r, "2026-11-24T10:00:00Z");     // session: 6
    ASSERT_TRUE(s) << s.error().describe();
    ASSERT_TRUE(
        clinic_->finish_session(by("2026-11-24T11:00:00Z"), s->session.id,
                                "no steps: this test is about the audit log"));  // session, roller, outbox: 9
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

class PostgresAuditTest : public StoreTest {};
NEEDLEWORK_INSTANTIATE_STORE_TESTS_ON(PostgresAuditTest, Backend::postgres);

TEST_P(PostgresAuditTest, TheAuditLogRefusesTruncateToo) {
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
