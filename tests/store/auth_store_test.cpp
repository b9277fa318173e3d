// The staff-login half of the Store (auth.hpp, store.hpp "staff logins") on both backends: users found and
// their role changed, credentials, sessions, API keys and failed-login counters, each write as documented;
// the writes a person makes (a credential, a key) audited on the user so that `verify_audit` stays green; and
// none of it in the export.

#include <chrono>
#include <string>

#include "needlework/store/export.hpp"
#include "store_fixture.hpp"

using needlework::ErrorCode;

namespace {

class AuthStore : public StoreTest {
 protected:
  /// A user, inserted through the store.
  ns::UserRecord user(const char* name, const char* role = "practitioner") {
    auto u = store_->insert_user(by("2026-11-20T08:00:00Z", "admin"),
                                 ns::UserRecord{0, name, role, at("2026-11-20T08:00:00Z")});
    EXPECT_TRUE(u) << u.error().describe();
    return u ? *u : ns::UserRecord{};
  }

  static ns::Credential credential(ns::Id user_id,
                                   const char* hash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA",
                                   const char* when = "2026-11-20T08:05:00Z") {
    return ns::Credential{user_id, hash, false, at(when), false};
  }

  static ns::AuthSession session(const std::string& hash, ns::Id user_id,
                                 const char* created = "2026-11-20T09:00:00Z",
                                 const char* expires = "2026-11-20T21:00:00Z") {
    return ns::AuthSession{hash,        user_id,     "csrf-" + hash, at(created),
                           at(created), at(expires), std::nullopt};
  }

  static ns::ApiKey key(ns::Id user_id, const std::string& hash, const char* label = "booking system") {
    return ns::ApiKey{0, user_id, hash, label, at("2026-11-20T10:00:00Z"), "admin", std::nullopt};
  }

  void expect_audit_ok() {
    auto check = store_->verify_audit();
    ASSERT_TRUE(check) << check.error().describe();
    EXPECT_TRUE(check->ok) << check->problem;
  }

  /// The last audit entry.
  ns::AuditEntry last_entry() {
    auto log = store_->audit_log();
    EXPECT_TRUE(log && !log->empty());
    return log && !log->empty() ? log->back() : ns::AuditEntry{};
  }
};
NEEDLEWORK_INSTANTIATE_STORE_TESTS(AuthStore);

TEST_P(AuthStore, UsersAreFoundByIdAndByNameAndUnknownOnesAreAbsent) {
  const auto ana = user("ana");
  const auto bea = user("bea", "reception");
  auto by_id = store_->find_user(bea.id);
  ASSERT_TRUE(by_id) << by_id.error().describe();
  ASSERT_TRUE(*by_id);
  EXPECT_EQ((*by_id)->name, "bea");
  EXPECT_EQ((*by_id)->role, "reception");
  auto by_name = store_->find_user_by_name("ana");
  ASSERT_TRUE(by_name && *by_name);
  EXPECT_EQ((*by_name)->id, ana.id);
  EXPECT_EQ((*by_name)->created_at, at("2026-11-20T08:00:00Z"));

  auto none = store_->find_user(ana.id + bea.id + 100);
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  auto wrong_case = store_->find_user_by_name("ANA");
  ASSERT_TRUE(wrong_case);
  EXPECT_FALSE(*wrong_case) << "user names are matched exactly";
}

TEST_P(AuthStore, UpdateUserChangesTheRoleOnlyAndIsAudited) {
  auto ana = user("ana");
  const auto entries = audit_count();
  ns::UserRecord changed = ana;
  changed.role = "admin";
  changed.name = "someone else";  // the name is fixed: not written
  ASSERT_TRUE(store_->update_user(by("2026-11-21T08:00:00Z", "root"), changed));
  auto found = store_->find_user(ana.id);
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->role, "admin");
  EXPECT_EQ((*found)->name, "ana");
  EXPECT_EQ(audit_count(), entries + 1);
  const auto e = last_entry();
  EXPECT_EQ(e.action, "update");
  EXPECT_EQ(e.entity, "users");
  EXPECT_EQ(e.entity_id, std::to_string(ana.id));
  EXPECT_NE(e.before_sha256, e.after_sha256);
  expect_audit_ok();

  ns::UserRecord ghost = ana;
  ghost.id = ana.id + 100;
  auto missing = store_->update_user(by("2026-11-21T08:00:00Z", "root"), ghost);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
}

TEST_P(AuthStore, ACredentialIsPutReplacedAndAuditedOnItsUserWithoutTheHash) {
  const auto ana = user("ana");
  auto none = store_->find_credential(ana.id);
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none) << "no credential until a password is set";

  const auto entries = audit_count();
  ASSERT_TRUE(store_->put_credential(by("2026-11-20T08:05:00Z", "admin"), credential(ana.id, "hash-one")));
  auto first = store_->find_credential(ana.id);
  ASSERT_TRUE(first && *first);
  EXPECT_EQ((*first)->password_hash, "hash-one");
  EXPECT_FALSE((*first)->must_change);
  EXPECT_FALSE((*first)->disabled);
  EXPECT_EQ((*first)->changed_at, at("2026-11-20T08:05:00Z"));
  EXPECT_EQ(audit_count(), entries + 1);
  auto e = last_entry();
  EXPECT_EQ(e.action, "set_credential");
  EXPECT_EQ(e.entity, "users");
  EXPECT_EQ(e.entity_id, std::to_string(ana.id));
  EXPECT_EQ(e.actor, "admin");
  EXPECT_EQ(e.before_sha256, e.after_sha256) << "the user record itself does not change";
  EXPECT_EQ(e.after_sha256, ns::sha256_hex(ns::canonical(ns::to_json(ana))));
  expect_audit_ok();

  // Put again: replaced, not a second row.
  ns::Credential reset = credential(ana.id, "hash-two", "2026-11-22T08:00:00Z");
  reset.must_change = true;
  reset.disabled = true;
  ASSERT_TRUE(store_->put_credential(by("2026-11-22T08:00:00Z", "admin"), reset));
  auto second = store_->find_credential(ana.id);
  ASSERT_TRUE(second && *second);
  EXPECT_EQ((*second)->password_hash, "hash-two");
  EXPECT_TRUE((*second)->must_change);
  EXPECT_TRUE((*second)->disabled);
  EXPECT_EQ((*second)->changed_at, at("2026-11-22T08:00:00Z"));
  EXPECT_EQ(audit_count(), entries + 2);
  expect_audit_ok();

  auto log = store_->audit_log();
  ASSERT_TRUE(log);
  for (const auto& entry : *log) {
    EXPECT_EQ(entry.after_sha256.find("hash-"), std::string::npos);
    EXPECT_EQ(entry.before_sha256.find("hash-"), std::string::npos);
  }
}

TEST_P(AuthStore, ACredentialForAnUnknownUserIsNotFoundAndWritesNothing) {
  const auto entries = audit_count();
  auto r = store_->put_credential(by("2026-11-20T08:05:00Z", "admin"), credential(4242));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::not_found);
  EXPECT_EQ(r.error().where, "user_id");
  EXPECT_EQ(audit_count(), entries);
  auto none = store_->find_credential(4242);
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
}

TEST_P(AuthStore, ACredentialPutInsideATransactionThatFailsIsUndone) {
  const auto ana = user("ana");
  const auto entries = audit_count();
  auto r = store_->transaction([&]() -> needlework::Result<void> {
    NW_CHECK(store_->put_credential(by("2026-11-20T08:05:00Z", "admin"), credential(ana.id)));
    return needlework::fail(ErrorCode::invalid_value, "the password was refused after all");
  });
  ASSERT_FALSE(r);
  auto none = store_->find_credential(ana.id);
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  EXPECT_EQ(audit_count(), entries);
}

TEST_P(AuthStore, ASessionIsInsertedFoundAndItsTokenHashCannotBeReused) {
  const auto ana = user("ana");
  const auto bea = user("bea");
  const auto entries = audit_count();
  ASSERT_TRUE(store_->insert_auth_session(session("h1", ana.id)));
  auto found = store_->find_auth_session("h1");
  ASSERT_TRUE(found) << found.error().describe();
  ASSERT_TRUE(*found);
  EXPECT_EQ((*found)->user_id, ana.id);
  EXPECT_EQ((*found)->csrf_hash, "csrf-h1");
  EXPECT_EQ((*found)->created_at, at("2026-11-20T09:00:00Z"));
  EXPECT_EQ((*found)->last_seen_at, at("2026-11-20T09:00:00Z"));
  EXPECT_EQ((*found)->expires_at, at("2026-11-20T21:00:00Z"));
  EXPECT_FALSE((*found)->ended_at);

  auto again = store_->insert_auth_session(session("h1", bea.id, "2026-11-20T10:00:00Z"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::invalid_value);
  EXPECT_EQ(again.error().where, "token_hash");
  auto kept = store_->find_auth_session("h1");
  ASSERT_TRUE(kept && *kept);
  EXPECT_EQ((*kept)->user_id, ana.id) << "the first session is untouched";

  auto unknown_user = store_->insert_auth_session(session("h2", 4242));
  ASSERT_FALSE(unknown_user);
  EXPECT_EQ(unknown_user.error().code, ErrorCode::not_found);

  auto none = store_->find_auth_session("nope");
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  EXPECT_EQ(audit_count(), entries) << "sessions are not audited";
}

TEST_P(AuthStore, ARefusedSessionInsideATransactionLeavesTheTransactionUsable) {
  const auto ana = user("ana");
  ASSERT_TRUE(store_->insert_auth_session(session("h1", ana.id)));
  auto r = store_->transaction([&]() -> needlework::Result<void> {
    auto dup = store_->insert_auth_session(session("h1", ana.id));
    if (dup) return needlework::fail(ErrorCode::invalid_value, "a reused hash was accepted");
    // PostgreSQL refuses every statement of a transaction after an error: this one must still run.
    return store_->put_credential(by("2026-11-20T09:00:00Z", "admin"), credential(ana.id));
  });
  ASSERT_TRUE(r) << r.error().describe();
  auto c = store_->find_credential(ana.id);
  ASSERT_TRUE(c && *c);
}

TEST_P(AuthStore, TouchMovesLastSeenForwardNeverBack) {
  const auto ana = user("ana");
  ASSERT_TRUE(store_->insert_auth_session(session("h1", ana.id)));
  ASSERT_TRUE(store_->touch_auth_session("h1", at("2026-11-20T09:30:00Z")));
  auto s = store_->find_auth_session("h1");
  ASSERT_TRUE(s && *s);
  EXPECT_EQ((*s)->last_seen_at, at("2026-11-20T09:30:00Z"));

  ASSERT_TRUE(store_->touch_auth_session("h1", at("2026-11-20T09:10:00Z")));
  s = store_->find_auth_session("h1");
  ASSERT_TRUE(s && *s);
  EXPECT_EQ((*s)->last_seen_at, at("2026-11-20T09:30:00Z")) << "an older time does not move it back";
  EXPECT_EQ((*s)->created_at, at("2026-11-20T09:00:00Z"));
  EXPECT_EQ((*s)->expires_at, at("2026-11-20T21:00:00Z")) << "the absolute expiry never moves";

  EXPECT_TRUE(store_->touch_auth_session("unknown", at("2026-11-20T09:40:00Z")))
      << "touching an unknown session is harmless";
}

TEST_P(AuthStore, EndingASessionTwiceKeepsTheFirstEnd) {
  const auto ana = user("ana");
  ASSERT_TRUE(store_->insert_auth_session(session("h1", ana.id)));
  ASSERT_TRUE(store_->end_auth_session("h1", at("2026-11-20T11:00:00Z")));
  auto s = store_->find_auth_session("h1");
  ASSERT_TRUE(s && *s);
  ASSERT_TRUE((*s)->ended_at);
  EXPECT_EQ(*(*s)->ended_at, at("2026-11-20T11:00:00Z"));

  ASSERT_TRUE(store_->end_auth_session("h1", at("2026-11-20T12:00:00Z")));
  s = store_->find_auth_session("h1");
  ASSERT_TRUE(s && *s && (*s)->ended_at);
  EXPECT_EQ(*(*s)->ended_at, at("2026-11-20T11:00:00Z")) << "ending an ended session changes nothing";

  ASSERT_TRUE(store_->touch_auth_session("h1", at("2026-11-20T13:00:00Z")));
  s = store_->find_auth_session("h1");
  ASSERT_TRUE(s && *s);
  EXPECT_EQ((*s)->last_seen_at, at("2026-11-20T09:00:00Z")) << "an ended session is not touched";

  EXPECT_TRUE(store_->end_auth_session("unknown", at("2026-11-20T12:00:00Z")));
}

TEST_P(AuthStore, EndingAUsersSessionsKeepsTheOneNamedAndOtherUsers) {
  const auto ana = user("ana");
  const auto bea = user("bea");
  for (const char* h : {"a1", "a2", "a3", "a4"}) ASSERT_TRUE(store_->insert_auth_session(session(h, ana.id)));
  ASSERT_TRUE(store_->insert_auth_session(session("b1", bea.id)));
  ASSERT_TRUE(store_->end_auth_session("a4", at("2026-11-20T10:00:00Z")));

  auto ended = store_->end_auth_sessions_of(ana.id, at("2026-11-20T11:00:00Z"), "a2");
  ASSERT_TRUE(ended) << ended.error().describe();
  EXPECT_EQ(*ended, 2) << "a1 and a3: a2 is kept, a4 had ended";
  for (const char* h : {"a1", "a3"}) {
    auto s = store_->find_auth_session(h);
    ASSERT_TRUE(s && *s && (*s)->ended_at) << h;
    EXPECT_EQ(*(*s)->ended_at, at("2026-11-20T11:00:00Z"));
  }
  auto kept = store_->find_auth_session("a2");
  ASSERT_TRUE(kept && *kept);
  EXPECT_FALSE((*kept)->ended_at);
  auto earlier = store_->find_auth_session("a4");
  ASSERT_TRUE(earlier && *earlier && (*earlier)->ended_at);
  EXPECT_EQ(*(*earlier)->ended_at, at("2026-11-20T10:00:00Z"));
  auto other = store_->find_auth_session("b1");
  ASSERT_TRUE(other && *other);
  EXPECT_FALSE((*other)->ended_at) << "another user's session stays";

  auto all = store_->end_auth_sessions_of(ana.id, at("2026-11-20T12:00:00Z"), "");
  ASSERT_TRUE(all);
  EXPECT_EQ(*all, 1) << "with nothing to keep, the one left ends too";
}

TEST_P(AuthStore, AnApiKeyIsInsertedFoundListedAndRevokedWithAudit) {
  const auto ana = user("ana");
  const auto entries = audit_count();
  auto k1 = store_->insert_api_key(by("2026-11-20T10:00:00Z", "admin"), key(ana.id, "kh1"));
  ASSERT_TRUE(k1) << k1.error().describe();
  EXPECT_GT(k1->id, 0);
  auto k2 = store_->insert_api_key(by("2026-11-20T10:01:00Z", "admin"), key(ana.id, "kh2", "printer"));
  ASSERT_TRUE(k2);
  EXPECT_GT(k2->id, k1->id);
  EXPECT_EQ(audit_count(), entries + 2);
  EXPECT_EQ(last_entry().action, "insert_api_key");
  EXPECT_EQ(last_entry().entity_id, std::to_string(ana.id));
  expect_audit_ok();

  auto found = store_->find_api_key("kh2");
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->id, k2->id);
  EXPECT_EQ((*found)->label, "printer");
  EXPECT_EQ((*found)->created_by, "admin");
  EXPECT_EQ((*found)->created_at, at("2026-11-20T10:00:00Z"));
  EXPECT_FALSE((*found)->revoked_at);
  auto none = store_->find_api_key("kh9");
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);

  auto revoked = store_->revoke_api_key(by("2026-11-21T10:00:00Z", "admin"), k1->id);
  ASSERT_TRUE(revoked) << revoked.error().describe();
  ASSERT_TRUE(revoked->revoked_at);
  EXPECT_EQ(*revoked->revoked_at, at("2026-11-21T10:00:00Z"));
  EXPECT_EQ(audit_count(), entries + 3);
  EXPECT_EQ(last_entry().action, "revoke_api_key");
  EXPECT_EQ(last_entry().entity, "users");
  expect_audit_ok();

  auto still_found = store_->find_api_key("kh1");
  ASSERT_TRUE(still_found && *still_found) << "a revoked key is still found, as revoked";
  ASSERT_TRUE((*still_found)->revoked_at);
  EXPECT_EQ(*(*still_found)->revoked_at, at("2026-11-21T10:00:00Z"));

  auto twice = store_->revoke_api_key(by("2026-11-22T10:00:00Z", "admin"), k1->id);
  ASSERT_TRUE(twice);
  EXPECT_EQ(*twice->revoked_at, at("2026-11-21T10:00:00Z")) << "it keeps the time it was first revoked";
  EXPECT_EQ(audit_count(), entries + 3);

  auto list = store_->api_keys();
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].id, k1->id);
  EXPECT_TRUE((*list)[0].revoked_at);
  EXPECT_EQ((*list)[1].id, k2->id);
  EXPECT_FALSE((*list)[1].revoked_at);
}

TEST_P(AuthStore, ApiKeyRefusalsUnknownUserUnknownKeyAndADuplicateHash) {
  const auto ana = user("ana");
  const auto entries = audit_count();
  auto unknown_user = store_->insert_api_key(by("2026-11-20T10:00:00Z", "admin"), key(4242, "kh1"));
  ASSERT_FALSE(unknown_user);
  EXPECT_EQ(unknown_user.error().code, ErrorCode::not_found);
  auto unknown_key = store_->revoke_api_key(by("2026-11-20T10:00:00Z", "admin"), 4242);
  ASSERT_FALSE(unknown_key);
  EXPECT_EQ(unknown_key.error().code, ErrorCode::not_found);
  EXPECT_EQ(audit_count(), entries);

  ASSERT_TRUE(store_->insert_api_key(by("2026-11-20T10:00:00Z", "admin"), key(ana.id, "kh1")));
  auto dup = store_->insert_api_key(by("2026-11-20T10:01:00Z", "admin"), key(ana.id, "kh1"));
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::invalid_value);
  EXPECT_EQ(audit_count(), entries + 1) << "the refused key is not audited";
  expect_audit_ok();
}

TEST_P(AuthStore, FailedLoginsCountWithinAWindowWhichRestartsAndClears) {
  using std::chrono::minutes;
  auto one = store_->count_login_failure("user:ana", at("2026-11-20T09:00:00Z"), minutes(15));
  ASSERT_TRUE(one) << one.error().describe();
  EXPECT_EQ(one->key, "user:ana");
  EXPECT_EQ(one->failures, 1);
  EXPECT_EQ(one->window_start, at("2026-11-20T09:00:00Z"));
  auto two = store_->count_login_failure("user:ana", at("2026-11-20T09:05:00Z"), minutes(15));
  ASSERT_TRUE(two);
  EXPECT_EQ(two->failures, 2);
  EXPECT_EQ(two->window_start, at("2026-11-20T09:00:00Z")) << "the window keeps its start";
  auto three = store_->count_login_failure("user:ana", at("2026-11-20T09:14:59Z"), minutes(15));
  ASSERT_TRUE(three);
  EXPECT_EQ(three->failures, 3);

  auto other = store_->count_login_failure("addr:192.0.2.1", at("2026-11-20T09:06:00Z"), minutes(15));
  ASSERT_TRUE(other);
  EXPECT_EQ(other->failures, 1) << "each key counts alone";

  auto restarted = store_->count_login_failure("user:ana", at("2026-11-20T09:15:00Z"), minutes(15));
  ASSERT_TRUE(restarted);
  EXPECT_EQ(restarted->failures, 1) << "a window as old as `window` starts again";
  EXPECT_EQ(restarted->window_start, at("2026-11-20T09:15:00Z"));
  auto found = store_->find_login_throttle("user:ana");
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->failures, 1);
  EXPECT_EQ((*found)->window_start, at("2026-11-20T09:15:00Z"));

  ASSERT_TRUE(store_->clear_login_throttle("user:ana"));
  auto cleared = store_->find_login_throttle("user:ana");
  ASSERT_TRUE(cleared);
  EXPECT_FALSE(*cleared);
  auto kept = store_->find_login_throttle("addr:192.0.2.1");
  ASSERT_TRUE(kept && *kept);
  EXPECT_EQ((*kept)->failures, 1);
  EXPECT_TRUE(store_->clear_login_throttle("never-counted"));
  auto fresh = store_->count_login_failure("user:ana", at("2026-11-20T09:16:00Z"), minutes(15));
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fresh->failures, 1);
  EXPECT_EQ(audit_count(), 0) << "failed logins are not audited";
}

TEST_P(AuthStore, CountingFromTwoConnectionsLosesNoFailure) {
  auto other = open_db();
  ASSERT_TRUE(other) << other.error().describe();
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(
        store_->count_login_failure("user:ana", at("2026-11-20T09:00:00Z"), std::chrono::minutes(15)));
    ASSERT_TRUE(
        (*other)->count_login_failure("user:ana", at("2026-11-20T09:00:01Z"), std::chrono::minutes(15)));
  }
  auto found = store_->find_login_throttle("user:ana");
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->failures, 10);
}

TEST_P(AuthStore, TheAuditVerifiesAndTheExportHoldsNoHashAfterEveryKindOfWrite) {
  ready_client("C-1");
  const auto ana = user("ana");
  ASSERT_TRUE(store_->put_credential(by("2026-11-20T08:05:00Z", "admin"),
                                     credential(ana.id, "$argon2id$secret-password-hash")));
  ASSERT_TRUE(store_->insert_auth_session(session("secret-session-hash", ana.id)));
  ASSERT_TRUE(store_->touch_auth_session("secret-session-hash", at("2026-11-20T09:30:00Z")));
  auto k = store_->insert_api_key(by("2026-11-20T10:00:00Z", "admin"), key(ana.id, "secret-key-hash"));
  ASSERT_TRUE(k);
  ASSERT_TRUE(store_->revoke_api_key(by("2026-11-20T11:00:00Z", "admin"), k->id));
  ASSERT_TRUE(store_->count_login_failure("user:ana", at("2026-11-20T09:00:00Z"), std::chrono::minutes(15)));
  ns::UserRecord admin = ana;
  admin.role = "admin";
  ASSERT_TRUE(store_->update_user(by("2026-11-21T08:00:00Z", "root"), admin));
  expect_audit_ok();

  auto check = store_->verify_audit();
  ASSERT_TRUE(check);
  for (const auto& t : ns::record_tables()) {
    EXPECT_NE(t.name, "credentials");
    EXPECT_NE(t.name, "auth_sessions");
    EXPECT_NE(t.name, "api_keys");
    EXPECT_NE(t.name, "login_throttle");
  }

  auto doc = ns::export_json(*store_, by("2026-11-22T08:00:00Z", "auditor"));
  ASSERT_TRUE(doc) << doc.error().describe();
  const std::string text = doc->dump();
  for (const char* secret : {"secret-password-hash", "secret-session-hash", "csrf-secret-session-hash",
                             "secret-key-hash", "argon2id", "user:ana"}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << secret << " is in the export";
  }
  EXPECT_NE(text.find("set_credential"), std::string::npos) << "the audit log in the export names the write";
  for (const char* table : {"credentials", "auth_sessions", "api_keys", "login_throttle"}) {
    EXPECT_FALSE((*doc)["tables"].contains(table)) << table;
  }
}

}  // namespace
