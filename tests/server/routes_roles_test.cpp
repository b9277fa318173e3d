// Every route × every role, and every way a request can fail to be somebody (issue #12): the route table
// (api_routes) is the one place that says who may call what, and this test walks all of it in-process — each
// role gets 403 exactly where the table leaves it out and gets past access control everywhere else; no
// cookie, an ended or expired session and a revoked key get 401; a cookie write without its CSRF token gets
// 403 "csrf"; a one-time password opens only the routes marked open_before_password_change. A client signed
// in to the portal (Role::client, issue #14) is walked as a fifth role: portal routes only, and staff refused
// there.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <set>

#include "in_process.hpp"
#include "needlework/server/credentials.hpp"

// A Call names only what it sends (designated initializers); GCC 12 warns of every member left to its
// default.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace needlework::server::testing {
namespace {

using nlohmann::json;

/// The staff roles, as the route table names them.
const std::vector<std::pair<Role, std::string>>& staff_roles() {
  static const std::vector<std::pair<Role, std::string>> all = {{Role::admin, "admin"},
                                                                {Role::practitioner, "practitioner"},
                                                                {Role::reception, "reception"},
                                                                {Role::auditor, "auditor"}};
  return all;
}

std::string name_of(const Route& r) { return r.method + " " + r.path; }

/// The smallest request a route takes: its path with ids no record has, an empty JSON object or a few image
/// bytes for a body. Past access control it ends in a 404 or 422 (or a 200 for a read), never a 401 or 403.
Call minimal(const Route& r, std::optional<Credentials> as) {
  Call c;
  c.method = r.method;
  c.path = std::regex_replace(r.path, std::regex(R"(\{[a-z_]+\})"), "999999");
  if (r.body == BodyKind::json) c.body = json::object();
  if (r.body == BodyKind::image) {
    c.raw_body = std::string("\x89PNG\r\n\x1a\n", 8);
    c.content_type = "image/png";
  }
  c.as = std::move(as);
  return c;
}

bool is_logout(const Route& r) {
  return r.path == "/api/v1/auth/logout" || r.path == "/api/v1/portal/logout";
}

/// Every role the walk signs in as: the staff roles and a portal client.
const std::vector<std::pair<Role, std::string>>& all_roles() {
  static const std::vector<std::pair<Role, std::string>> all = [] {
    auto v = staff_roles();
    v.emplace_back(Role::client, "client");
    return v;
  }();
  return all;
}

class RoutesRoles : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new InProcess();
    auto admin = server_->first_admin();
    for (const auto& [role, name] : staff_roles()) {
      users_.emplace(name, role == Role::admin ? admin : server_->add_user(admin, "staff-" + name, name));
    }
    users_.emplace("client", server_->portal_client(admin, "C-ROLES"));
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    users_.clear();
  }

  static InProcess& server() { return *server_; }
  static const Credentials& user(const std::string& role) { return users_.at(role); }
  static const std::vector<Route>& routes() { return server_->api().routes(); }

  /// A second session of the same login: for a logout, which ends the session it is sent with.
  static Credentials another_session(const Credentials& who) {
    if (who.portal) {
      const auto soon = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) +
                        std::chrono::minutes(15);
      return server_->portal_sign_in(server_->portal_link(who.name.substr(7), soon));  // "client:<id>"
    }
    return server_->login(who.name, who.password);
  }

  /// The user id of a login (GET /api/v1/auth/me).
  static store::Id id_of(const Credentials& who) {
    const auto a = server_->call({.path = "/api/v1/auth/me", .as = who});
    EXPECT_EQ(a.status, 200) << a.describe();
    return a.json.is_object() ? a.json["user"].value("id", store::Id{0}) : store::Id{0};
  }

  /// Every route that needs a login, sent as `who`, must answer 401.
  static void expect_unauthorized_everywhere(const std::optional<Credentials>& who, std::string_view what) {
    std::size_t checked = 0;
    // Logout last: a session wrongly let through would be ended by it, and pass every check after it.
    std::vector<const Route*> order;
    for (const auto& r : routes()) order.push_back(&r);
    std::stable_partition(order.begin(), order.end(), [](const Route* r) { return !is_logout(*r); });
    for (const Route* route : order) {
      const Route& r = *route;
      if (r.roles == 0) continue;
      SCOPED_TRACE(fmt::format("{} with {}", name_of(r), what));
      const auto a = server_->call(minimal(r, who));
      EXPECT_EQ(a.status, 401) << a.describe();
      EXPECT_EQ(a.code(), "unauthorized") << a.describe();
      ++checked;
    }
    EXPECT_GT(checked, 40u) << "the route table lost its routes";
  }

  static InProcess* server_;
  static std::map<std::string, Credentials> users_;
};

InProcess* RoutesRoles::server_ = nullptr;
std::map<std::string, Credentials> RoutesRoles::users_;

TEST_F(RoutesRoles, OnlyLoginHealthTheDocumentAndThePortalSignInArePublic) {
  std::set<std::string> open;
  for (const auto& r : routes()) {
    EXPECT_EQ(r.roles & ~(any_staff | client_only), 0) << name_of(r) << " names a role that does not exist";
    // A route is the staff's or the portal's, never both: a client reaches only what is theirs by design.
    EXPECT_TRUE(r.roles == client_only || (r.roles & client_only) == 0)
        << name_of(r) << " is open to clients and staff alike";
    if (r.roles == 0) open.insert(name_of(r));
  }
  // And the unsubscribe link of a message: it can only withdraw the one client's consent its token names.
  EXPECT_EQ(open, (std::set<std::string>{"POST /api/v1/auth/login", "GET /api/v1/health",
                                         "GET /api/v1/openapi.json", "POST /api/v1/portal/link",
                                         "POST /api/v1/portal/session", "GET /api/v1/portal/calendar/{file}",
                                         "POST /api/v1/unsubscribe"}));
}

TEST_F(RoutesRoles, EveryRoleIsRefusedExactlyWhereTheTableLeavesItOut) {
  std::size_t refused = 0, allowed = 0;
  for (const auto& r : routes()) {
    for (const auto& [role, role_name] : all_roles()) {
      SCOPED_TRACE(fmt::format("{} as {}", name_of(r), role_name));
      const auto& who = user(role_name);
      const auto a = server().call(minimal(r, is_logout(r) ? another_session(who) : who));
      const bool may = r.roles == 0 || (r.roles & static_cast<RoleSet>(role)) != 0;
      if (may) {
        EXPECT_NE(a.status, 401) << a.describe();
        EXPECT_NE(a.status, 403) << a.describe();
        EXPECT_LT(a.status, 500) << a.describe();
        ++allowed;
      } else {
        EXPECT_EQ(a.status, 403) << a.describe();
        EXPECT_EQ(a.code(), "forbidden") << a.describe();
        ++refused;
      }
    }
  }
  // Each role is refused somewhere (reception does not screen, the auditor only reads the audit) and the
  // table has routes at all: a table of public routes would pass the loop above.
  EXPECT_GT(refused, 30u);
  EXPECT_GT(allowed, 100u);
}

TEST_F(RoutesRoles, AStaffLoginAndAPortalSessionInOneBrowserStayApart) {
  // Both cookies sent at once: a staff route reads the staff session, a portal route the portal's.
  Credentials both = user("client");
  const auto& admin = user("admin");
  for (const auto& [path, expected] : std::vector<std::pair<std::string, std::string>>{
           {"/api/v1/auth/me", "admin"}, {"/api/v1/portal/me", "C-ROLES"}}) {
    Request r;
    r.method = "GET";
    r.path = path;
    r.remote = "127.0.0.1";
    r.headers.emplace_back(
        "Cookie", fmt::format("{}={}; {}={}", session_cookie, admin.session, portal_cookie, both.session));
    const auto a = server().send(std::move(r));
    ASSERT_EQ(a.status, 200) << path << ": " << a.describe();
    EXPECT_NE(a.body.find(expected), std::string::npos) << path << ": " << a.describe();
  }
}

TEST_F(RoutesRoles, ARoleIsRefusedThroughItsApiKeyAsThroughItsSession) {
  // A key acts as its user: the same roles apply, without the CSRF token a cookie needs.
  const auto made =
      server().call({.method = "POST",
                     .path = "/api/v1/api-keys",
                     .body = json{{"label", "reception desk"}, {"user_id", id_of(user("reception"))}},
                     .as = user("admin")});
  ASSERT_EQ(made.status, 201) << made.describe();
  Credentials key{"reception key", "", "", "", made.json.value("key", std::string())};
  for (const auto& r : routes()) {
    if (r.roles == 0 || is_logout(r)) continue;  // a key has no session to end (422)
    SCOPED_TRACE(name_of(r) + " with reception's key");
    const auto a = server().call(minimal(r, key));
    if ((r.roles & static_cast<RoleSet>(Role::reception)) != 0) {
      EXPECT_NE(a.status, 401) << a.describe();
      EXPECT_NE(a.status, 403) << a.describe();
    } else {
      EXPECT_EQ(a.status, 403) << a.describe();
      EXPECT_EQ(a.code(), "forbidden") << a.describe();
    }
  }
}

TEST_F(RoutesRoles, NoCookieIsUnauthorized) { expect_unauthorized_everywhere(std::nullopt, "no cookie"); }

TEST_F(RoutesRoles, ANonsensePortalCookieIsUnauthorized) {
  Credentials nobody{"client:nobody", "", "not-a-session-token", "not-a-csrf-token", ""};
  nobody.portal = true;
  expect_unauthorized_everywhere(nobody, "a made-up portal session token");
}

TEST_F(RoutesRoles, AnEndedPortalSessionIsUnauthorized) {
  auto session = another_session(user("client"));
  const auto me = server().call({.path = "/api/v1/portal/me", .as = session});
  ASSERT_EQ(me.status, 200) << "the session works before its logout: " << me.describe();
  const auto out = server().call({.method = "POST", .path = "/api/v1/portal/logout", .as = session});
  ASSERT_EQ(out.status, 204) << out.describe();
  expect_unauthorized_everywhere(session, "a portal session ended by logout");
}

TEST_F(RoutesRoles, AnExpiredPortalSessionIsUnauthorized) {
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  const auto idle =
      std::chrono::duration_cast<std::chrono::seconds>(server().services().config().session_idle);
  auto make = [&](store::DateTime last_seen, store::DateTime expires) {
    Credentials who{"client:C-ROLES", "", new_token(), new_token(), ""};
    who.portal = true;
    store::ClientSession row;
    row.token_hash = token_hash(who.session);
    row.csrf_hash = token_hash(who.csrf);
    row.client_id = "C-ROLES";
    row.created_at = std::min(last_seen, now - std::chrono::hours(1));
    row.last_seen_at = last_seen;
    row.expires_at = expires;
    auto put = server().store_write([row](store::Store& s) { return s.insert_client_session(row); });
    EXPECT_TRUE(put) << put.error().describe();
    return who;
  };
  const auto past_lifetime = make(now, now - std::chrono::seconds(1));
  const auto idle_too_long = make(now - idle - std::chrono::minutes(1), now + std::chrono::hours(8));
  const auto fresh = make(now, now + std::chrono::hours(8));
  const auto me = server().call({.path = "/api/v1/portal/me", .as = fresh});
  ASSERT_EQ(me.status, 200) << me.describe();
  expect_unauthorized_everywhere(past_lifetime, "a portal session past its lifetime");
  expect_unauthorized_everywhere(idle_too_long, "a portal session idle longer than session_idle");
}

TEST_F(RoutesRoles, ANonsenseCookieIsUnauthorized) {
  expect_unauthorized_everywhere(Credentials{"nobody", "", "not-a-session-token", "not-a-csrf-token", ""},
                                 "a made-up session token");
}

TEST_F(RoutesRoles, AnEndedSessionIsUnauthorized) {
  auto session = another_session(user("practitioner"));
  const auto me = server().call({.path = "/api/v1/auth/me", .as = session});
  ASSERT_EQ(me.status, 200) << "the session works before its logout: " << me.describe();
  const auto out = server().call({.method = "POST", .path = "/api/v1/auth/logout", .as = session});
  ASSERT_EQ(out.status, 204) << out.describe();
  expect_unauthorized_everywhere(session, "a session ended by logout");
}

TEST_F(RoutesRoles, AnExpiredSessionIsUnauthorized) {
  // Two sessions of the admin written straight into the store: one past its lifetime (though seen just now),
  // one idle for longer than session_idle (though within its lifetime).
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  const auto idle =
      std::chrono::duration_cast<std::chrono::seconds>(server().services().config().session_idle);
  const store::Id admin = id_of(user("admin"));
  auto make = [&](store::DateTime last_seen, store::DateTime expires) {
    Credentials who{"admin", "", new_token(), new_token(), ""};
    store::AuthSession row;
    row.token_hash = token_hash(who.session);
    row.csrf_hash = token_hash(who.csrf);
    row.user_id = admin;
    row.created_at = std::min(last_seen, now - std::chrono::hours(1));
    row.last_seen_at = last_seen;
    row.expires_at = expires;
    auto put = server().store_write([row](store::Store& s) { return s.insert_auth_session(row); });
    EXPECT_TRUE(put) << put.error().describe();
    return who;
  };
  const auto past_lifetime = make(now, now - std::chrono::seconds(1));
  const auto idle_too_long = make(now - idle - std::chrono::minutes(1), now + std::chrono::hours(8));
  const auto fresh = make(now, now + std::chrono::hours(8));
  // The same rows with times that have not passed answer: only the times make the difference.
  const auto me = server().call({.path = "/api/v1/auth/me", .as = fresh});
  ASSERT_EQ(me.status, 200) << me.describe();
  expect_unauthorized_everywhere(past_lifetime, "a session past its lifetime");
  expect_unauthorized_everywhere(idle_too_long, "a session idle longer than session_idle");
}

TEST_F(RoutesRoles, ARevokedKeyIsUnauthorized) {
  const auto made = server().call({.method = "POST",
                                   .path = "/api/v1/api-keys",
                                   .body = json{{"label", "to revoke"}},
                                   .as = user("admin")});
  ASSERT_EQ(made.status, 201) << made.describe();
  Credentials key{"admin key", "", "", "", made.json.value("key", std::string())};
  const auto before = server().call({.path = "/api/v1/auth/me", .as = key});
  ASSERT_EQ(before.status, 200) << "the key works before it is revoked: " << before.describe();
  const auto revoked = server().call({.method = "DELETE",
                                      .path = fmt::format("/api/v1/api-keys/{}", made.json.value("id", 0)),
                                      .as = user("admin")});
  ASSERT_EQ(revoked.status, 200) << revoked.describe();
  EXPECT_TRUE(revoked.json["revoked_at"].is_string()) << revoked.describe();
  expect_unauthorized_everywhere(key, "a revoked API key");
}

TEST_F(RoutesRoles, ACookieWriteWithoutItsCsrfTokenIsForbidden) {
  std::size_t writes = 0;
  for (const auto& r : routes()) {
    if (r.roles == 0 || r.method == "GET") continue;
    SCOPED_TRACE(name_of(r));
    auto without = minimal(r, user("admin"));
    without.csrf = false;
    const auto a = server().call(without);
    EXPECT_EQ(a.status, 403) << a.describe();
    EXPECT_EQ(a.code(), "csrf") << a.describe();
    // Another session's token is no better than none.
    auto wrong = minimal(r, user("admin"));
    wrong.as->csrf = user("practitioner").csrf;
    const auto b = server().call(wrong);
    EXPECT_EQ(b.status, 403) << b.describe();
    EXPECT_EQ(b.code(), "csrf") << b.describe();
    // A client's portal session needs its own token just the same.
    auto client = minimal(r, user("client"));
    client.csrf = false;
    const auto c = server().call(client);
    EXPECT_EQ(c.status, 403) << c.describe();
    EXPECT_EQ(c.code(), "csrf") << c.describe();
    ++writes;
  }
  EXPECT_GT(writes, 25u);
}

TEST_F(RoutesRoles, AOneTimePasswordOpensOnlyThePasswordChangeMeAndLogout) {
  // An admin, so that no role check answers first.
  const auto fresh = server().add_user(user("admin"), "new-admin", "admin", /*keep_one_time=*/true);
  std::set<std::string> open;
  for (const auto& r : routes()) {
    // Public routes need no login; a portal route refuses any staff login first, by its role.
    if (r.roles == 0 || r.roles == client_only) continue;
    SCOPED_TRACE(name_of(r) + " before the password change");
    const auto a = server().call(minimal(r, is_logout(r) ? another_session(fresh) : fresh));
    if (r.open_before_password_change) {
      EXPECT_NE(a.status, 401) << a.describe();
      EXPECT_NE(a.status, 403) << a.describe();
      open.insert(name_of(r));
    } else {
      EXPECT_EQ(a.status, 403) << a.describe();
      EXPECT_EQ(a.code(), "password_change_required") << a.describe();
    }
  }
  EXPECT_EQ(open, (std::set<std::string>{"POST /api/v1/auth/logout", "GET /api/v1/auth/me",
                                         "POST /api/v1/auth/password"}));
  // Once changed, the same login is an admin like any other.
  const auto changed = server().change_password(fresh);
  const auto users = server().call({.path = "/api/v1/users", .as = changed});
  EXPECT_EQ(users.status, 200) << users.describe();
}

}  // namespace
}  // namespace needlework::server::testing
