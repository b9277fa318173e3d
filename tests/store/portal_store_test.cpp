// The client portal's half of the Store (auth.hpp, store.hpp "the client portal", #14) on both backends: a
// sign-in link accepted once and only before it expires (checked and marked in one statement), the issue and
// the sign-in audited on the client with `verify_audit` still green, client sessions and calendar feeds as
// the staff sessions, clients found by email without regard to case, and none of it in the export.

#include <chrono>
#include <string>

#include "needlework/store/export.hpp"
#include "store_fixture.hpp"

using needlework::ErrorCode;

namespace {

class PortalStore : public StoreTest {
 protected:
  void client(const std::string& id, const std::string& email) {
    ns::ClientRecord c;
    c.id = id;
    c.name = "Name of " + id;
    c.email = email;
    auto r = clinic_->add_client(by("2026-11-20T08:00:00Z"), c);
    ASSERT_TRUE(r) << r.error().describe();
  }

  static ns::PortalLink link(const std::string& hash, const std::string& client,
                             const char* created = "2026-11-20T09:00:00Z",
                             const char* expires = "2026-11-20T09:15:00Z") {
    return ns::PortalLink{hash, client, at(created), at(expires), std::nullopt, "203.0.113.7"};
  }

  void expect_audit_ok() {
    auto check = store_->verify_audit();
    ASSERT_TRUE(check) << check.error().describe();
    EXPECT_TRUE(check->ok) << check->problem;
  }
};
NEEDLEWORK_INSTANTIATE_STORE_TESTS(PortalStore);

TEST_P(PortalStore, ALinkIsAcceptedOnceAndItsIssueAndSignInAreAuditedOnTheClient) {
  client("C-1", "ana@example.org");
  ASSERT_TRUE(store_->insert_portal_link(by("2026-11-20T09:00:00Z", "reception"), link("h1", "C-1")));
  auto log = store_->audit_log();
  ASSERT_TRUE(log && !log->empty());
  EXPECT_EQ(log->back().action, "issue_portal_link");
  EXPECT_EQ(log->back().entity, "clients");
  EXPECT_EQ(log->back().entity_id, "C-1");
  EXPECT_EQ(log->back().before_sha256, log->back().after_sha256) << "the client record does not change";

  auto first = store_->use_portal_link(by("2026-11-20T09:05:00Z", "portal"), "h1");
  ASSERT_TRUE(first) << first.error().describe();
  ASSERT_TRUE(first->has_value()) << "an unused, unexpired link is accepted";
  EXPECT_EQ((*first)->client_id, "C-1");
  ASSERT_TRUE((*first)->used_at);
  EXPECT_EQ(*(*first)->used_at, at("2026-11-20T09:05:00Z"));
  log = store_->audit_log();
  EXPECT_EQ(log->back().action, "portal_sign_in");
  EXPECT_EQ(log->back().entity_id, "C-1");
  const auto entries = log->size();

  auto again = store_->use_portal_link(by("2026-11-20T09:06:00Z", "portal"), "h1");
  ASSERT_TRUE(again) << again.error().describe();
  EXPECT_FALSE(again->has_value()) << "a used link is refused";
  auto stored = store_->find_portal_link("h1");
  ASSERT_TRUE(stored && *stored);
  EXPECT_EQ(*(*stored)->used_at, at("2026-11-20T09:05:00Z")) << "the first use is kept";
  EXPECT_EQ(store_->audit_log()->size(), entries) << "a refused link is not audited";
  expect_audit_ok();
}

TEST_P(PortalStore, ALinkIsRefusedFromItsExpiryOnAndAnUnknownOneLikewise) {
  client("C-1", "ana@example.org");
  ASSERT_TRUE(store_->insert_portal_link(by("2026-11-20T09:00:00Z"), link("h1", "C-1")));
  ASSERT_TRUE(store_->insert_portal_link(by("2026-11-20T09:00:00Z"), link("h2", "C-1")));
  auto at_expiry = store_->use_portal_link(by("2026-11-20T09:15:00Z"), "h1");
  ASSERT_TRUE(at_expiry);
  EXPECT_FALSE(at_expiry->has_value()) << "accepted only before its expiry";
  auto before = store_->use_portal_link(by("2026-11-20T09:14:59Z"), "h2");
  ASSERT_TRUE(before);
  EXPECT_TRUE(before->has_value()) << "the same link a second earlier";
  auto unknown = store_->use_portal_link(by("2026-11-20T09:01:00Z"), "nope");
  ASSERT_TRUE(unknown);
  EXPECT_FALSE(unknown->has_value());
}

TEST_P(PortalStore, ALinkNeedsAKnownClientAndAFreshTokenHash) {
  client("C-1", "ana@example.org");
  auto nobody = store_->insert_portal_link(by("2026-11-20T09:00:00Z"), link("h1", "C-NOBODY"));
  ASSERT_FALSE(nobody);
  EXPECT_EQ(nobody.error().code, ErrorCode::not_found);
  ASSERT_TRUE(store_->insert_portal_link(by("2026-11-20T09:00:00Z"), link("h1", "C-1")));
  auto twice = store_->insert_portal_link(by("2026-11-20T09:00:00Z"), link("h1", "C-1"));
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, ErrorCode::invalid_value);
}

TEST_P(PortalStore, ClientSessionsAndFeedsAreKeptByTheirHashes) {
  client("C-1", "ana@example.org");
  ns::ClientSession s{"s1",
                      "C-1",
                      "csrf-s1",
                      at("2026-11-20T09:00:00Z"),
                      at("2026-11-20T09:00:00Z"),
                      at("2026-11-20T21:00:00Z"),
                      std::nullopt};
  ASSERT_TRUE(store_->insert_client_session(s));
  EXPECT_FALSE(store_->insert_client_session(s)) << "a reused hash is refused";
  ASSERT_TRUE(store_->touch_client_session("s1", at("2026-11-20T09:30:00Z")));
  ASSERT_TRUE(store_->touch_client_session("s1", at("2026-11-20T09:10:00Z")));
  auto found = store_->find_client_session("s1");
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->last_seen_at, at("2026-11-20T09:30:00Z")) << "last seen only moves forward";
  ASSERT_TRUE(store_->end_client_session("s1", at("2026-11-20T10:00:00Z")));
  ASSERT_TRUE(store_->end_client_session("s1", at("2026-11-20T11:00:00Z")));
  found = store_->find_client_session("s1");
  EXPECT_EQ(*(*found)->ended_at, at("2026-11-20T10:00:00Z")) << "ending an ended session changes nothing";

  ASSERT_TRUE(
      store_->insert_calendar_feed(ns::CalendarFeed{"f1", "C-1", at("2026-11-20T09:00:00Z"), std::nullopt}));
  auto feed = store_->find_calendar_feed("f1");
  ASSERT_TRUE(feed && *feed);
  EXPECT_EQ((*feed)->client_id, "C-1");
  auto none = store_->find_calendar_feed("f2");
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
}

TEST_P(PortalStore, ANewFeedReplacesTheOldAndEndingAccessEndsEverySessionAndFeedOfTheClientOnly) {
  client("C-1", "ana@example.org");
  client("C-2", "bea@example.org");
  auto session = [&](const char* hash, const char* who) {
    ASSERT_TRUE(store_->insert_client_session(
        ns::ClientSession{hash, who, std::string("csrf-") + hash, at("2026-11-20T09:00:00Z"),
                          at("2026-11-20T09:00:00Z"), at("2026-11-20T21:00:00Z"), std::nullopt}));
  };
  auto feed = [&](const char* hash, const char* who, const char* when) {
    ASSERT_TRUE(store_->insert_calendar_feed(ns::CalendarFeed{hash, who, at(when), std::nullopt}));
  };
  auto revoked = [&](const char* hash) { return (*store_->find_calendar_feed(hash))->revoked_at; };
  auto ended = [&](const char* hash) { return (*store_->find_client_session(hash))->ended_at; };
  session("a1", "C-1");
  session("a2", "C-1");
  session("b1", "C-2");
  feed("fa1", "C-1", "2026-11-20T09:00:00Z");
  feed("fb1", "C-2", "2026-11-20T09:00:00Z");
  feed("fa2", "C-1", "2026-11-20T10:00:00Z");
  EXPECT_EQ(revoked("fa1"), at("2026-11-20T10:00:00Z")) << "a new feed replaces the client's earlier one";
  EXPECT_FALSE(revoked("fa2"));
  EXPECT_FALSE(revoked("fb1")) << "another client's feed is not touched";

  ASSERT_TRUE(store_->end_client_session("a2", at("2026-11-20T10:30:00Z")));
  auto out = store_->end_portal_access(by("2026-11-20T11:00:00Z", "reception"), "C-1");
  ASSERT_TRUE(out) << out.error().describe();
  EXPECT_EQ(out->sessions_ended, 1) << "the open session; the one logged out keeps its end";
  EXPECT_EQ(out->feeds_revoked, 1);
  EXPECT_EQ(ended("a1"), at("2026-11-20T11:00:00Z"));
  EXPECT_EQ(ended("a2"), at("2026-11-20T10:30:00Z"));
  EXPECT_EQ(revoked("fa2"), at("2026-11-20T11:00:00Z"));
  EXPECT_FALSE(ended("b1")) << "another client's session is not touched";
  EXPECT_FALSE(revoked("fb1"));
  auto log = store_->audit_log();
  ASSERT_TRUE(log && !log->empty());
  EXPECT_EQ(log->back().action, "end_portal_access");
  EXPECT_EQ(log->back().entity_id, "C-1");
  EXPECT_EQ(log->back().actor, "reception");
  auto unknown = store_->end_portal_access(by("2026-11-20T11:00:00Z"), "C-NOBODY");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::not_found);
  expect_audit_ok();
}

TEST_P(PortalStore, ClientsAreFoundByEmailWithoutRegardToCase) {
  client("C-1", "Ana@Example.org");
  client("C-2", "ana@example.org");
  client("C-3", "bea@example.org");
  auto found = store_->clients_with_email("ANA@EXAMPLE.ORG");
  ASSERT_TRUE(found) << found.error().describe();
  ASSERT_EQ(found->size(), 2u);
  EXPECT_EQ((*found)[0].id, "C-1");
  EXPECT_EQ((*found)[1].id, "C-2");
  auto none = store_->clients_with_email("nobody@example.org");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST_P(PortalStore, NoneOfItIsInTheExportOrTheRecordCheck) {
  client("C-1", "ana@example.org");
  ASSERT_TRUE(store_->insert_portal_link(by("2026-11-20T09:00:00Z"), link("secret-link-hash", "C-1")));
  ASSERT_TRUE(store_->insert_client_session(
      ns::ClientSession{"secret-session-hash", "C-1", "secret-csrf-hash", at("2026-11-20T09:00:00Z"),
                        at("2026-11-20T09:00:00Z"), at("2026-11-20T21:00:00Z"), std::nullopt}));
  for (const auto& t : ns::record_tables()) {
    EXPECT_NE(t.name, "portal_links");
    EXPECT_NE(t.name, "client_sessions");
    EXPECT_NE(t.name, "calendar_feeds");
  }
  auto doc = ns::export_json(*store_, by("2026-11-22T08:00:00Z", "auditor"));
  ASSERT_TRUE(doc) << doc.error().describe();
  const std::string text = doc->dump();
  for (const char* secret : {"secret-link-hash", "secret-session-hash", "secret-csrf-hash"}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << secret << " is in the export";
  }
  expect_audit_ok();
}

}  // namespace
