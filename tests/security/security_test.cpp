// The security checklist's in-process tests (docs/security.md, OWASP ASVS 4.0.3 level 2): what the checklist
// claims as "tested" that tests/server does not already show. The API runs in-process (tests/server's
// in_process.*): Services over a temporary SQLite database, Api::handle without a socket, so a request can
// carry any path, any address and any header, as an attacker's could.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <regex>
#include <set>

#include "in_process.hpp"
#include "needlework/server/credentials.hpp"
#include "needlework/units/date.hpp"

// A Call names only what it sends (designated initializers); GCC 12 warns of every member left to its
// default.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace needlework::server::testing {
namespace {

using nlohmann::json;

std::string name_of(const Route& r) { return r.method + " " + r.path; }

store::DateTime now() { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); }

/// The few bytes the photo upload takes as a PNG (its signature), made unique by `tag`.
std::string png(const std::string& tag) { return std::string("\x89PNG\r\n\x1a\n", 8) + tag; }

/// A request from a given address (the throttles count per address), without credentials.
Request from(const std::string& remote, const std::string& method, const std::string& path,
             const json& body = nullptr) {
  Request r;
  r.method = method;
  r.path = path;
  r.remote = remote;
  if (!body.is_null()) {
    r.body = body.dump();
    r.headers.emplace_back("Content-Type", "application/json");
  }
  return r;
}

/// Whether a Set-Cookie value names `cookie` and has `attribute` (case-sensitive, as the server writes them).
bool cookie_has(const Answer& a, std::string_view cookie, std::string_view attribute) {
  for (const auto& v : a.header_values("Set-Cookie")) {
    if (v.starts_with(std::string(cookie) + "=")) return v.find(attribute) != std::string::npos;
  }
  return false;
}

// ---- access control with real ids (V4.1.3, V4.2.1) ------------------------------------------------------

TEST(SecurityAccess, ARoleReachesNoRecordThroughARouteItLacksEvenWithTheRecordsRealIds) {
  // routes_roles_test walks every route × role with ids no record has; here the ids are a real client's and
  // their real photo's, so a role check that depended on the record (or came after reading it) would show.
  InProcess server;
  const auto admin = server.first_admin();
  const std::map<std::string, Credentials> staff = {
      {"reception", server.add_user(admin, "desk", "reception")},
      {"auditor", server.add_user(admin, "books", "auditor")},
      {"practitioner", server.add_user(admin, "pia", "practitioner")}};
  const std::string secret_name = "Idora Confidential-Name";
  ASSERT_EQ(server
                .call({.method = "POST",
                       .path = "/api/v1/clients",
                       .body = json{{"id", "C-IDOR"}, {"name", secret_name}, {"email", "idora@example.org"}},
                       .as = admin})
                .status,
            201);
  const auto photo = server.call({.method = "POST",
                                  .path = "/api/v1/clients/C-IDOR/photos",
                                  .query = "kind=before",
                                  .raw_body = png("idor"),
                                  .content_type = "image/png",
                                  .as = admin});
  ASSERT_EQ(photo.status, 201) << photo.describe();
  const std::string photo_id = std::to_string(photo.json.value("id", 0));
  // The ids are real: the admin reads the photo through the same path.
  const auto image =
      server.call({.path = "/api/v1/clients/C-IDOR/photos/" + photo_id + "/image", .as = admin});
  ASSERT_EQ(image.status, 200) << image.describe();
  ASSERT_EQ(image.body, png("idor"));
  // An uploaded file is answered as the image type it was checked to be, never sniffed (V12.5.2).
  EXPECT_EQ(image.content_type, "image/png");
  EXPECT_EQ(image.header_values("X-Content-Type-Options"), std::vector<std::string>{"nosniff"});
  // …and opened as a page it is downloaded under a name of its type, not shown (V12.5.2, V14.4.2).
  EXPECT_EQ(image.header_values("Content-Disposition"),
            std::vector<std::string>{"attachment; filename=\"api.png\""});

  std::size_t refused = 0;
  for (const auto& r : server.api().routes()) {
    if (r.roles == 0 || r.path.find('{') == std::string::npos) continue;
    std::string path = std::regex_replace(r.path, std::regex(R"(\{id\})"), "C-IDOR");
    path = std::regex_replace(path, std::regex(R"(\{photo_id\})"), photo_id);
    path = std::regex_replace(path, std::regex(R"(\{[a-z_]+\})"), "1");
    for (const auto& [role_name, who] : staff) {
      const auto role = role_named(role_name);
      ASSERT_TRUE(role.has_value());
      if ((r.roles & static_cast<RoleSet>(*role)) != 0) continue;
      SCOPED_TRACE(fmt::format("{} as {} at {}", name_of(r), role_name, path));
      Call c{.method = r.method, .path = path, .as = who};
      if (r.body == BodyKind::json) c.body = json::object();
      if (r.body == BodyKind::image) {
        c.raw_body = png("write");
        c.content_type = "image/png";
      }
      const auto a = server.call(c);
      EXPECT_EQ(a.status, 403) << a.describe();
      EXPECT_EQ(a.code(), "forbidden") << a.describe();
      EXPECT_EQ(a.body.find(secret_name), std::string::npos) << a.describe();
      EXPECT_EQ(a.body.find("idora@"), std::string::npos) << a.describe();
      ++refused;
    }
  }
  EXPECT_GT(refused, 30u) << "the clinical routes with an id were not tried";
  // Nothing was written by the refused writes: still the one photo.
  const auto photos = server.call({.path = "/api/v1/clients/C-IDOR/photos", .as = admin});
  ASSERT_EQ(photos.status, 200) << photos.describe();
  EXPECT_EQ(photos.json["items"].size(), 1u) << photos.describe();
}

// ---- CSRF (V4.2.2, V13.2.3) -------------------------------------------------------------------------------

TEST(SecurityCsrf, ARefusedCookieWriteWritesNothingAndAnApiKeyWriteNeedsNoToken) {
  InProcess server;
  const auto admin = server.first_admin();
  const auto clients = [&] {
    const auto a = server.call({.path = "/api/v1/clients", .as = admin});
    EXPECT_EQ(a.status, 200) << a.describe();
    return a.json["items"].size();
  };
  // The CSRF cookie echoed as the header is what a page of another site cannot do; the cookie alone, as a
  // browser would send it on a forged form post, is not enough.
  Call forged{.method = "POST",
              .path = "/api/v1/clients",
              .body = json{{"id", "C-F"}, {"name", "Forged Name"}},
              .as = admin,
              .csrf = false};
  auto a = server.call(forged);
  EXPECT_EQ(a.status, 403) << a.describe();
  EXPECT_EQ(a.code(), "csrf") << a.describe();
  // A token that is not the session's own: its cookie's value with a character changed.
  Call wrong = forged;
  wrong.as->csrf.back() = wrong.as->csrf.back() == 'A' ? 'B' : 'A';
  wrong.csrf = true;
  a = server.call(wrong);
  EXPECT_EQ(a.status, 403) << a.describe();
  EXPECT_EQ(a.code(), "csrf") << a.describe();
  EXPECT_EQ(clients(), 0u) << "a refused write wrote its record";
  // The same write with the token is done.
  Call right = forged;
  right.csrf = true;
  EXPECT_EQ(server.call(right).status, 201);
  EXPECT_EQ(clients(), 1u);

  // A bearer key is not sent by a browser on its own, so it needs no CSRF token.
  const auto made = server.call(
      {.method = "POST", .path = "/api/v1/api-keys", .body = json{{"label", "importer"}}, .as = admin});
  ASSERT_EQ(made.status, 201) << made.describe();
  const Credentials key{"importer", "", "", "", made.json.value("key", std::string())};
  const auto by_key = server.call({.method = "POST",
                                   .path = "/api/v1/clients",
                                   .body = json{{"id", "C-K"}, {"name", "Keyed Name"}},
                                   .as = key});
  EXPECT_EQ(by_key.status, 201) << by_key.describe();
  EXPECT_EQ(clients(), 2u);
}

// ---- sessions (V3.2.1, V3.3.1, V3.4.x) --------------------------------------------------------------------

TEST(SecuritySessions, ATokenSetBeforeLoginIsNeverTheSessionAfterIt) {
  InProcess server;
  const auto admin = server.first_admin();
  // An attacker plants a session cookie (and a CSRF cookie) in the victim's browser, then the victim logs in.
  const std::string planted = new_token();
  const std::string planted_csrf = new_token();
  Request login = from("127.0.0.1", "POST", "/api/v1/auth/login",
                       json{{"name", admin.name}, {"password", admin.password}});
  login.headers.emplace_back("Cookie",
                             fmt::format("{}={}; {}={}", session_cookie, planted, csrf_cookie, planted_csrf));
  const auto a = server.send(std::move(login));
  ASSERT_EQ(a.status, 200) << a.describe();
  const auto issued = session_cookie_of(a);
  ASSERT_FALSE(issued.empty());
  EXPECT_NE(issued, planted) << "the login kept the planted token";
  EXPECT_NE(a.json.value("csrf_token", ""), planted_csrf);
  // The planted token is no session: it stays 401, the issued one works.
  Credentials attacker{"admin", "", planted, planted_csrf, ""};
  EXPECT_EQ(server.call({.path = "/api/v1/auth/me", .as = attacker}).status, 401);
  Credentials victim{"admin", "", issued, a.json.value("csrf_token", ""), ""};
  EXPECT_EQ(server.call({.path = "/api/v1/auth/me", .as = victim}).status, 200);

  // The portal: a planted portal cookie is not the session the sign-in makes either.
  ASSERT_EQ(
      server
          .call({.method = "POST",
                 .path = "/api/v1/clients",
                 .body = json{{"id", "C-FIX"}, {"name", "Fixation Example"}, {"email", "fix@example.org"}},
                 .as = admin})
          .status,
      201);
  const std::string link = server.portal_link("C-FIX", now() + std::chrono::minutes(15));
  Request sign_in = from("127.0.0.1", "POST", "/api/v1/portal/session", json{{"token", link}});
  sign_in.headers.emplace_back("Cookie", fmt::format("{}={}", portal_cookie, planted));
  const auto b = server.send(std::move(sign_in));
  ASSERT_EQ(b.status, 200) << b.describe();
  const auto portal = session_cookie_of(b, portal_cookie);
  ASSERT_FALSE(portal.empty());
  EXPECT_NE(portal, planted);
  Credentials planted_portal{"client:C-FIX", "", planted, planted_csrf, ""};
  planted_portal.portal = true;
  EXPECT_EQ(server.call({.path = "/api/v1/portal/me", .as = planted_portal}).status, 401);
}

TEST(SecuritySessions, LogoutEndsTheSessionInTheStoreNotOnlyTheCookie) {
  InProcess server;
  const auto admin = server.first_admin();
  const auto session = server.login(admin.name, admin.password);
  const auto out = server.call({.method = "POST", .path = "/api/v1/auth/logout", .as = session});
  ASSERT_EQ(out.status, 204) << out.describe();
  // The answer clears the browser's cookies…
  EXPECT_TRUE(cookie_has(out, session_cookie, "Max-Age=0")) << out.describe();
  // …and the store's row is ended, so a copy of the cookie kept elsewhere (the back button, a proxy) is dead.
  const auto hash = token_hash(session.session);
  auto row = server.store_write([hash](store::Store& s) { return s.find_auth_session(hash); });
  ASSERT_TRUE(row) << row.error().describe();
  ASSERT_TRUE(row->has_value());
  EXPECT_TRUE((*row)->ended_at.has_value()) << "the session row was not ended";
  EXPECT_EQ(server.call({.path = "/api/v1/auth/me", .as = session}).status, 401);
}

TEST(SecuritySessions, SessionCookiesAreHttpOnlyStrictAndSecureUnderTls) {
  for (const bool tls : {false, true}) {
    SCOPED_TRACE(tls ? "with tls_cert" : "without tls_cert");
    // The API only reads whether a certificate is set (http.cpp loads it): a path is enough in-process.
    InProcess server([tls](ServerConfig& c) {
      if (tls) {
        c.tls_cert = "cert.pem";
        c.tls_key = "key.pem";
      }
    });
    const auto admin = server.first_admin();
    const auto a = server.call({.method = "POST",
                                .path = "/api/v1/auth/login",
                                .body = json{{"name", admin.name}, {"password", admin.password}}});
    ASSERT_EQ(a.status, 200) << a.describe();
    EXPECT_TRUE(cookie_has(a, session_cookie, "; HttpOnly"));
    EXPECT_TRUE(cookie_has(a, session_cookie, "; SameSite=Strict"));
    EXPECT_TRUE(cookie_has(a, session_cookie, "; Path=/"));
    EXPECT_EQ(cookie_has(a, session_cookie, "; Secure"), tls);
    EXPECT_EQ(cookie_has(a, csrf_cookie, "; Secure"), tls);
    // The CSRF cookie is read by the app, so it is not HttpOnly; it is no session by itself.
    EXPECT_FALSE(cookie_has(a, csrf_cookie, "HttpOnly"));
    const auto lifetime =
        std::chrono::duration_cast<std::chrono::seconds>(server.services().config().session_lifetime).count();
    EXPECT_TRUE(cookie_has(a, session_cookie, fmt::format("; Max-Age={}", lifetime)));
  }
}

// ---- tokens (V2.6.2, V2.7.6, V3.2.2, V3.2.4, V6.3.1)
// --------------------------------------------------------

TEST(SecurityTokens, EveryTokenTheServerIssuesIs256RandomBitsInBase64UrlAndNoTwoAreAlike) {
  InProcess server;
  const auto admin = server.first_admin();
  ASSERT_EQ(server
                .call({.method = "POST",
                       .path = "/api/v1/clients",
                       .body = json{{"id", "C-TOK"}, {"name", "Token Example"}, {"email", "tok@example.org"}},
                       .as = admin})
                .status,
            201);
  const std::regex token43(R"([A-Za-z0-9_-]{43})");  // 32 bytes, base64url without padding
  std::map<std::string, std::vector<std::string>> issued;
  constexpr int rounds = 8;
  for (int i = 0; i < rounds; ++i) {
    const auto s = server.login(admin.name, admin.password);
    issued["session"].push_back(s.session);
    issued["csrf"].push_back(s.csrf);
    const auto key = server.call({.method = "POST",
                                  .path = "/api/v1/api-keys",
                                  .body = json{{"label", fmt::format("k{}", i)}},
                                  .as = admin});
    ASSERT_EQ(key.status, 201) << key.describe();
    const auto text = key.json.value("key", "");
    ASSERT_TRUE(text.starts_with("nwk_")) << text;
    issued["api key"].push_back(text.substr(4));
    const auto sent =
        server.call({.method = "POST", .path = "/api/v1/clients/C-TOK/portal-link", .as = admin});
    ASSERT_EQ(sent.status, 202) << sent.describe();
  }
  // The sign-in links, as the messages carry them (after '#', so no server ever logs them).
  const auto outbox = server.call({.path = "/api/v1/outbox", .query = "all=true&limit=500", .as = admin});
  ASSERT_EQ(outbox.status, 200) << outbox.describe();
  for (const auto& m : outbox.json["items"]) {
    const std::string body = m.value("body", "");
    std::smatch found;
    if (m.value("kind", "") == "portal_link" &&
        std::regex_search(body, found, std::regex(R"(/portal/sign-in#token=([A-Za-z0-9_-]+))"))) {
      issued["portal link"].push_back(found[1]);
    }
  }
  ASSERT_EQ(issued["portal link"].size(), static_cast<std::size_t>(rounds)) << outbox.describe();
  // A portal session (and its CSRF token) for each link, and a calendar feed for each session.
  for (const auto& link : std::vector<std::string>(issued["portal link"])) {
    const auto client = server.portal_sign_in(link);
    issued["portal session"].push_back(client.session);
    issued["portal csrf"].push_back(client.csrf);
    const auto feed = server.call({.method = "POST", .path = "/api/v1/portal/calendar", .as = client});
    ASSERT_EQ(feed.status, 201) << feed.describe();
    std::smatch found;
    const std::string path = feed.json.value("path", "");
    ASSERT_TRUE(std::regex_match(path, found, std::regex(R"(/api/v1/portal/calendar/(.+)\.ics)"))) << path;
    issued["calendar"].push_back(found[1]);
  }
  std::set<std::string> all;
  for (const auto& [kind, tokens] : issued) {
    ASSERT_EQ(tokens.size(), static_cast<std::size_t>(rounds)) << kind;
    for (const auto& t : tokens) {
      EXPECT_TRUE(std::regex_match(t, token43)) << kind << ": '" << t << "'";
      EXPECT_TRUE(all.insert(t).second) << kind << ": '" << t << "' was issued twice";
    }
  }
  // The unsubscribe link's token (made when the client's first message was queued): 128 random bits in hex
  // (store/clinic_messages.cpp), one per client, kept in clear (docs/security.md, "Not protected").
  auto unsubscribe = server.store_write([](store::Store& s) { return s.unsubscribe_token("C-TOK"); });
  ASSERT_TRUE(unsubscribe && unsubscribe->has_value());
  EXPECT_TRUE(std::regex_match(**unsubscribe, std::regex("[0-9a-f]{32}"))) << "'" << **unsubscribe << "'";

  // The store keeps hashes, never the tokens: none is in the database's files. Except a sign-in link, which
  // is in its message's body in the outbox (the mail sends it later); the link itself is kept as a hash and
  // expires within 15 minutes (docs/security.md, "Not protected").
  issued.erase("portal link");
  std::string files;
  for (const auto& entry : std::filesystem::directory_iterator(server.dir())) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    files.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  ASSERT_GT(files.size(), 4096u);
  for (const auto& [kind, tokens] : issued) {
    for (const auto& t : tokens) EXPECT_EQ(files.find(t), std::string::npos) << kind << " stored in clear";
  }
}

TEST(SecurityTokens, TenThousandNewTokensAreAllDistinctAndUseTheWholeAlphabet) {
  std::set<std::string> seen;
  std::set<char> chars;
  for (int i = 0; i < 10000; ++i) {
    const auto t = new_token();
    ASSERT_EQ(t.size(), 43u);
    EXPECT_TRUE(seen.insert(t).second) << "a token came twice: " << t;
    chars.insert(t.begin(), t.end());
  }
  // 430,000 characters from a uniform source reach all 64 symbols of base64url.
  EXPECT_EQ(chars.size(), 64u);
}

TEST(SecurityTokens, ASessionExpiresAtItsLifetimeAndAPortalLinkAfterFifteenMinutes) {
  InProcess server;
  const auto admin = server.first_admin();
  const auto before = now();
  const auto session = server.login(admin.name, admin.password);
  auto row = server.store_write(
      [hash = token_hash(session.session)](store::Store& s) { return s.find_auth_session(hash); });
  ASSERT_TRUE(row && row->has_value());
  const auto lifetime =
      std::chrono::duration_cast<std::chrono::seconds>(server.services().config().session_lifetime);
  EXPECT_GE((*row)->expires_at, before + lifetime);
  EXPECT_LE((*row)->expires_at, now() + lifetime);
  // (Use after expiry is refused: RoutesRoles.AnExpiredSessionIsUnauthorized, Portal.AnExpiredLinkIs….)
  ASSERT_EQ(
      server
          .call({.method = "POST",
                 .path = "/api/v1/clients",
                 .body = json{{"id", "C-EXP"}, {"name", "Expiry Example"}, {"email", "exp@example.org"}},
                 .as = admin})
          .status,
      201);
  const auto sent =
      server.call({.method = "POST", .path = "/api/v1/clients/C-EXP/portal-link", .as = session});
  ASSERT_EQ(sent.status, 202) << sent.describe();
  const auto expires = units::parse_date_time(sent.json.value("expires_at", ""));
  ASSERT_TRUE(expires) << sent.describe();
  EXPECT_GE(*expires, before + std::chrono::minutes(15));
  EXPECT_LE(*expires, now() + std::chrono::minutes(15));
}

// ---- URLs (V3.1.1, V8.3.1, V13.1.3) -------------------------------------------------------------------

TEST(SecurityUrls, NoRouteTakesASessionAKeyAPasswordOrASignInTokenInItsUrl) {
  // Tokens travel in cookies, headers and bodies. The one exception is by design: a calendar feed's URL is
  // its token (a calendar app cannot sign in), and it grants the dates and areas of upcoming visits only.
  InProcess server;
  // (`session_id` is a treatment session's id, not a login's.)
  const std::regex secret(R"(token|^session$|key|password|secret|csrf|otp)", std::regex::icase);
  std::size_t routes = 0;
  for (const auto& r : server.api().routes()) {
    SCOPED_TRACE(name_of(r));
    for (const auto& q : r.query)
      EXPECT_FALSE(std::regex_search(q.name, secret)) << "query parameter " << q.name;
    static const std::regex parameter(R"(\{([a-z_]+)\})");
    for (auto it = std::sregex_iterator(r.path.begin(), r.path.end(), parameter);
         it != std::sregex_iterator(); ++it) {
      const std::string name = (*it)[1];
      if (r.path == "/api/v1/portal/calendar/{file}") continue;
      EXPECT_FALSE(std::regex_search(name, secret)) << "path parameter " << name;
      EXPECT_NE(name, "file") << "a path parameter that may hold a token";
    }
    ++routes;
  }
  EXPECT_GT(routes, 50u);
  // The login answers its session in a cookie, never in a URL or a Location header.
  const auto admin = server.first_admin();
  const auto a = server.call({.method = "POST",
                              .path = "/api/v1/auth/login",
                              .body = json{{"name", admin.name}, {"password", admin.password}}});
  ASSERT_EQ(a.status, 200) << a.describe();
  EXPECT_TRUE(a.header_values("Location").empty());
  EXPECT_EQ(a.body.find(session_cookie_of(a)), std::string::npos) << "the session token is in the body";
}

// ---- input (V5.1.1, V5.2.3, V5.3.4) ----------------------------------------------------------------------

TEST(SecurityInput, SqlMetacharactersAreDataAHeaderBreakIsRefusedAndAParameterCountsOnce) {
  InProcess server;
  const auto admin = server.first_admin();
  // SQL: every query is parameterised, so a name made of SQL is stored and found as the text it is.
  const std::string sql = "Robert'); DROP TABLE clients; -- \" OR 1=1";
  const auto made = server.call({.method = "POST",
                                 .path = "/api/v1/clients",
                                 .body = json{{"id", "C-SQL"}, {"name", sql}},
                                 .as = admin});
  ASSERT_EQ(made.status, 201) << made.describe();
  const auto found =
      server.call({.path = "/api/v1/clients", .query = "q=Robert%27%29%3B%20DROP", .as = admin});
  ASSERT_EQ(found.status, 200) << found.describe();
  ASSERT_EQ(found.json["items"].size(), 1u) << found.describe();
  EXPECT_EQ(found.json["items"][0].value("name", ""), sql);
  const auto none =
      server.call({.path = "/api/v1/clients", .query = "q=%27%20OR%20%271%27%3D%271", .as = admin});
  ASSERT_EQ(none.status, 200) << none.describe();
  EXPECT_TRUE(none.json["items"].empty()) << "a quote in the search matched everything: " << none.describe();
  // Mail headers: an address or a name with a line break could add a header (Bcc:) to every message sent to
  // the client; both are refused where they come in, naming the field.
  const auto email = server.call({.method = "POST",
                                  .path = "/api/v1/clients",
                                  .body = json{{"id", "C-CRLF"},
                                               {"name", "Header Example"},
                                               {"email", "ana@example.org\r\nBcc: x@evil.example"}},
                                  .as = admin});
  EXPECT_EQ(email.status, 422) << email.describe();
  EXPECT_EQ(email.field(), "email") << email.describe();
  const auto name = server.call({.method = "POST",
                                 .path = "/api/v1/clients",
                                 .body = json{{"id", "C-CRLF"}, {"name", "Ana\r\nBcc: x@evil.example"}},
                                 .as = admin});
  EXPECT_EQ(name.status, 422) << name.describe();
  EXPECT_EQ(name.field(), "name") << name.describe();
  // HTTP parameter pollution: a query parameter given twice is refused, not read as the first or the last.
  const auto twice = server.call({.path = "/api/v1/clients", .query = "limit=1&limit=500", .as = admin});
  EXPECT_EQ(twice.status, 400) << twice.describe();
  EXPECT_EQ(twice.field(), "limit") << twice.describe();
}

// ---- the password policy as the API enforces it (V2.1.x) -------------------------------------------------

TEST(SecurityPasswords, ALoginHashesAgainAPasswordWhoseHashHasAnotherCostThanTheServers) {
  // V6.2.4: the hash's cost is a setting (fast_password_hash, for tests; interactive otherwise); a hash made
  // at another cost — an older server's, or before the setting changed — is made again at the next login.
  InProcess server;  // the tests' server: the least cost
  const auto admin = server.first_admin();
  const auto user = server.add_user(admin, "rehash.me", "practitioner");
  const auto interactive = hash_password(user.password, HashCost::interactive);
  ASSERT_TRUE(interactive) << interactive.error().describe();
  ASSERT_TRUE(needs_rehash(*interactive, HashCost::minimum));
  ASSERT_FALSE(needs_rehash(*interactive, HashCost::interactive));
  const auto credential_of = [&] {
    return server.store_write([](store::Store& st) -> Result<store::Credential> {
      NW_TRY(u, st.find_user_by_name("rehash.me"));
      if (!u) return fail(ErrorCode::not_found, "no such user");
      NW_TRY(c, st.find_credential(u->id));
      if (!c) return fail(ErrorCode::not_found, "no credential");
      return *c;
    });
  };
  auto before = credential_of();
  ASSERT_TRUE(before) << before.error().describe();
  before->password_hash = *interactive;
  const auto put = server.store_write([&](store::Store& st) {
    return st.put_credential(store::Actor{"admin", now()}, *before);
  });
  ASSERT_TRUE(put) << put.error().describe();

  const auto logged_in = server.login(user.name, user.password);
  EXPECT_FALSE(logged_in.session.empty()) << "the login with the older hash failed";
  const auto after = credential_of();
  ASSERT_TRUE(after) << after.error().describe();
  EXPECT_NE(after->password_hash, *interactive) << "the hash was not made again";
  EXPECT_FALSE(needs_rehash(after->password_hash, HashCost::minimum)) << after->password_hash;
  EXPECT_TRUE(verify_password(after->password_hash, user.password));
  EXPECT_EQ(after->must_change, before->must_change);
  // A wrong password changes nothing, and the new hash takes the next login.
  const auto wrong = server.call({.method = "POST",
                                  .path = "/api/v1/auth/login",
                                  .body = json{{"name", user.name}, {"password", "not it at all"}}});
  EXPECT_EQ(wrong.status, 401) << wrong.describe();
  const auto again = credential_of();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->password_hash, after->password_hash);
  EXPECT_FALSE(server.login(user.name, user.password).session.empty());
}

TEST(SecurityPasswords, TheApiAppliesThePolicyWithoutTruncatingOrRestrictingCharacters) {
  InProcess server;
  const auto admin = server.first_admin();
  const auto add = [&](const std::string& name, const std::string& password) {
    return server.call({.method = "POST",
                        .path = "/api/v1/users",
                        .body = json{{"name", name}, {"role", "reception"}, {"password", password}},
                        .as = admin});
  };
  // Refused: eleven characters, twelve with a run of spaces counted once, the user's name, a common password,
  // more than 128 characters. Each refusal names the field and never repeats the password.
  const std::vector<std::pair<std::string, std::string>> refused = {{"u1", "elevenchars"},
                                                                    {"u2", "ab          c"},
                                                                    {"user.name.long", "User.Name.Long"},
                                                                    {"u4", "Unbelievable"},
                                                                    {"u5", std::string(129, 'q')}};
  for (const auto& [name, password] : refused) {
    const auto a = add(name, password);
    EXPECT_EQ(a.status, 422) << password << ": " << a.describe();
    EXPECT_EQ(a.field(), "password") << a.describe();
    EXPECT_EQ(a.body.find(password), std::string::npos) << "the answer repeats the password";
  }
  // Allowed: 64 and 128 characters, spaces, any printable Unicode (accents, CJK, an emoji), no composition
  // rule.
  const std::vector<std::pair<std::string, std::string>> allowed = {{"a1", std::string(64, 'q')},
                                                                    {"a2", std::string(128, 'r')},
                                                                    {"a3", "all lower case words only"},
                                                                    {"a4", "Grüße aus Köln 🌷 und 東京"}};
  for (const auto& [name, password] : allowed) {
    const auto a = add(name, password);
    ASSERT_EQ(a.status, 201) << password << ": " << a.describe();
    // Every character counts: the password less its last character does not log in (no truncation).
    auto shorter = password.substr(0, password.size() - 1);
    while (!shorter.empty() && (static_cast<unsigned char>(shorter.back()) & 0xC0) == 0x80)
      shorter.pop_back();
    if (!shorter.empty() && (static_cast<unsigned char>(shorter.back()) & 0xC0) == 0xC0) shorter.pop_back();
    const auto wrong = server.call({.method = "POST",
                                    .path = "/api/v1/auth/login",
                                    .body = json{{"name", name}, {"password", shorter}}});
    EXPECT_EQ(wrong.status, 401) << wrong.describe();
    EXPECT_EQ(server.login(name, password).session.empty(), false);
  }
  // A change needs the current password.
  const auto user = server.add_user(admin, "changer", "reception");
  const auto bad = server.call(
      {.method = "POST",
       .path = "/api/v1/auth/password",
       .body = json{{"current_password", "not the current one"}, {"new_password", "a fresh passphrase 2026"}},
       .as = user});
  EXPECT_EQ(bad.status, 403) << bad.describe();
  EXPECT_EQ(bad.field(), "current_password") << bad.describe();
}

// ---- login throttling per address (V2.2.1) ---------------------------------------------------------------

TEST(SecurityThrottle, FailedLoginsFromOneAddressAcrossManyNamesEndIn429ForThatAddressOnly) {
  // api_test shows the per-account limit; this is the per-address one: a guesser trying one password on many
  // names (password spraying) is stopped after login_max_failures, whatever names it tries.
  InProcess server;
  const auto admin = server.first_admin();
  const int limit = server.services().config().login_max_failures;
  for (int i = 0; i < limit; ++i) {
    const auto a = server.send(from("10.66.0.9", "POST", "/api/v1/auth/login",
                                    json{{"name", fmt::format("guess{}", i)}, {"password", "Summer2026!!"}}));
    EXPECT_EQ(a.status, 401) << a.describe();
  }
  // Now even the right password of a real account is refused from that address…
  const auto blocked = server.send(from("10.66.0.9", "POST", "/api/v1/auth/login",
                                        json{{"name", admin.name}, {"password", admin.password}}));
  EXPECT_EQ(blocked.status, 429) << blocked.describe();
  EXPECT_EQ(blocked.code(), "too_many_requests");
  ASSERT_EQ(blocked.header_values("Retry-After").size(), 1u);
  EXPECT_GT(std::stoi(blocked.header_values("Retry-After").front()), 0);
  // …and from another address it works (the account itself failed no login).
  const auto elsewhere = server.send(from("10.66.0.10", "POST", "/api/v1/auth/login",
                                          json{{"name", admin.name}, {"password", admin.password}}));
  EXPECT_EQ(elsewhere.status, 200) << elsewhere.describe();
}

// ---- security headers (V14.4.x, V8.2.1, V9.1.1) ---------------------------------------------------------

void expect_security_headers(const Answer& a, bool api, bool tls, const std::string& what) {
  SCOPED_TRACE(what);
  const auto one = [&](std::string_view name) {
    const auto v = a.header_values(name);
    EXPECT_EQ(v.size(), 1u) << name << " in " << a.describe();
    return v.empty() ? std::string() : v.front();
  };
  const auto csp = one("Content-Security-Policy");
  EXPECT_NE(csp.find("default-src 'self'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe-eval"), std::string::npos) << csp;
  EXPECT_EQ(one("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(one("X-Frame-Options"), "DENY");
  EXPECT_EQ(one("Referrer-Policy"), "no-referrer");
  EXPECT_FALSE(one("X-Request-Id").empty());
  // A body always says what it is (V14.4.1), and no origin is allowed to read answers from a page of its own.
  if (!a.body.empty()) {
    EXPECT_FALSE(a.content_type.empty()) << a.describe();
  }
  EXPECT_TRUE(a.header_values("Access-Control-Allow-Origin").empty()) << a.describe();
  const auto cache = a.header_values("Cache-Control");
  const auto disposition = a.header_values("Content-Disposition");
  if (api) {
    EXPECT_EQ(cache, std::vector<std::string>{"no-store"}) << a.describe();
    // An API answer opened as a page is downloaded, never rendered (V14.4.2).
    EXPECT_EQ(disposition, std::vector<std::string>{"attachment; filename=\"api.json\""}) << a.describe();
  } else {
    EXPECT_TRUE(std::find(cache.begin(), cache.end(), "no-store") == cache.end());
    EXPECT_TRUE(disposition.empty()) << "the app's own files are pages and scripts: " << a.describe();
  }
  const auto hsts = a.header_values("Strict-Transport-Security");
  if (tls) {
    ASSERT_EQ(hsts.size(), 1u) << a.describe();
    EXPECT_TRUE(std::regex_match(hsts.front(), std::regex(R"(max-age=(\d+).*)"))) << hsts.front();
    EXPECT_GE(std::stoll(hsts.front().substr(8)), 31536000LL) << hsts.front();
  } else {
    EXPECT_TRUE(hsts.empty()) << "HSTS over plain HTTP: " << a.describe();
  }
}

TEST(SecurityHeaders, EveryAnswerApiStaticErrorOrPersonalCarriesThemAndHstsOnlyUnderTls) {
  for (const bool tls : {false, true}) {
    SCOPED_TRACE(tls ? "with tls_cert" : "without tls_cert");
    std::filesystem::path root;
    InProcess server([&](ServerConfig& c) {
      root = std::filesystem::path(c.database).parent_path() / "web";
      std::filesystem::create_directories(root / "assets");
      std::ofstream(root / "index.html") << "<!doctype html><title>app</title>";
      std::ofstream(root / "assets" / "app-Ab12Cd34.js") << "console.log(1);";
      c.web_root = root;
      if (tls) {
        c.tls_cert = "cert.pem";
        c.tls_key = "key.pem";
      }
    });
    const auto admin = server.first_admin();
    ASSERT_EQ(server
                  .call({.method = "POST",
                         .path = "/api/v1/clients",
                         .body = json{{"id", "C-H"}, {"name", "Header Example"}},
                         .as = admin})
                  .status,
              201);
    auto from_elsewhere = from("127.0.0.1", "GET", "/api/v1/clients/C-H");
    from_elsewhere.headers.emplace_back("Cookie", fmt::format("{}={}", session_cookie, admin.session));
    from_elsewhere.headers.emplace_back("Origin", "https://evil.example");
    expect_security_headers(server.send(std::move(from_elsewhere)), true, tls, "a request with an Origin");
    const auto personal = server.call({.path = "/api/v1/clients/C-H", .as = admin});
    ASSERT_EQ(personal.status, 200);
    expect_security_headers(personal, true, tls, "a client's record");
    expect_security_headers(server.call({.path = "/api/v1/clients/C-H/history", .as = admin}), true, tls,
                            "a history");
    expect_security_headers(server.call({.path = "/api/v1/health"}), true, tls, "health");
    expect_security_headers(server.call({.path = "/api/v1/clients"}), true, tls, "401");
    expect_security_headers(
        server.call({.path = "/api/v1/users", .as = server.add_user(admin, "desk-r", "reception")}), true,
        tls, "403");
    expect_security_headers(server.call({.path = "/api/v1/clients/C-NONE", .as = admin}), true, tls, "404");
    expect_security_headers(server.call({.method = "DELETE", .path = "/api/v1/clients", .as = admin}), true,
                            tls, "405");
    expect_security_headers(
        server.call({.method = "POST", .path = "/api/v1/clients", .body = json{{"id", "C-X"}}, .as = admin}),
        true, tls, "422");
    const auto page = server.call({.path = "/"});
    ASSERT_EQ(page.status, 200) << page.describe();
    expect_security_headers(page, false, tls, "the page");
    expect_security_headers(server.call({.path = "/assets/app-Ab12Cd34.js"}), false, tls, "an asset");
    expect_security_headers(server.call({.path = "/assets/missing.js"}), false, tls, "a missing file");
  }
}

// ---- error answers (V7.4.1) -------------------------------------------------------------------------------

TEST(SecurityErrors, NoErrorAnswerRepeatsAPasswordOrAToken) {
  InProcess server;
  const auto admin = server.first_admin();
  const std::string password = "Secret-Passphrase-Xy7 never echoed";
  const std::string token = new_token();
  const std::vector<std::pair<std::string, Request>> requests = [&] {
    std::vector<std::pair<std::string, Request>> out;
    out.emplace_back("a wrong password", from("127.0.0.2", "POST", "/api/v1/auth/login",
                                              json{{"name", "admin"}, {"password", password}}));
    out.emplace_back("an unknown name", from("127.0.0.3", "POST", "/api/v1/auth/login",
                                             json{{"name", token}, {"password", password}}));
    out.emplace_back("an unknown field",
                     from("127.0.0.4", "POST", "/api/v1/auth/login",
                          json{{"name", "admin"}, {"password", password}, {"otp", token}}));
    auto broken = from("127.0.0.5", "POST", "/api/v1/auth/login");
    broken.body = fmt::format(R"({{"name": "admin", "password": "{}", )", password);
    broken.headers.emplace_back("Content-Type", "application/json");
    out.emplace_back("a broken body", std::move(broken));
    auto bearer = from("127.0.0.1", "GET", "/api/v1/clients");
    bearer.headers.emplace_back("Authorization", "Bearer nwk_" + token);
    out.emplace_back("an unknown key", std::move(bearer));
    auto basic = from("127.0.0.1", "GET", "/api/v1/clients");
    basic.headers.emplace_back("Authorization", "Basic " + token);
    out.emplace_back("a key that is not a bearer", std::move(basic));
    auto cookie = from("127.0.0.1", "POST", "/api/v1/clients", json{{"id", "C-1"}, {"name", "N"}});
    cookie.headers.emplace_back("Cookie", fmt::format("{}={}", session_cookie, token));
    out.emplace_back("an unknown session", std::move(cookie));
    auto csrf = from("127.0.0.1", "POST", "/api/v1/clients", json{{"id", "C-1"}, {"name", "N"}});
    csrf.headers.emplace_back("Cookie", fmt::format("{}={}", session_cookie, admin.session));
    csrf.headers.emplace_back(std::string(csrf_header), token);
    out.emplace_back("a wrong CSRF token", std::move(csrf));
    out.emplace_back("an unknown link",
                     from("127.0.0.6", "POST", "/api/v1/portal/session", json{{"token", token}}));
    out.emplace_back("an unknown unsubscribe link",
                     from("127.0.0.7", "POST", "/api/v1/unsubscribe", json{{"token", token}}));
    out.emplace_back("an unknown calendar",
                     from("127.0.0.8", "GET", fmt::format("/api/v1/portal/calendar/{}.ics", token)));
    return out;
  }();
  for (const auto& [what, request] : requests) {
    SCOPED_TRACE(what);
    const auto a = server.send(request);
    EXPECT_GE(a.status, 400) << a.describe();
    EXPECT_EQ(a.body.find(password), std::string::npos) << a.describe();
    EXPECT_EQ(a.body.find(token), std::string::npos) << a.describe();
    for (const auto& [name, value] : a.headers) {
      EXPECT_EQ(value.find(token), std::string::npos) << name << ": " << value;
    }
  }
  // A password change refused by the policy says why without repeating it.
  const auto change =
      server.call({.method = "POST",
                   .path = "/api/v1/auth/password",
                   .body = json{{"current_password", admin.password}, {"new_password", "tiny"}},
                   .as = admin});
  EXPECT_EQ(change.status, 422) << change.describe();
  EXPECT_EQ(change.body.find(admin.password), std::string::npos);
  EXPECT_EQ(change.body.find("\"tiny\""), std::string::npos) << change.describe();
}

TEST(SecurityErrors, AServerFailureAnswersAGenericMessageWithoutItsDetail) {
  // A photo whose file went missing is a failure of the server (500): the answer names no path or hash.
  InProcess server;
  const auto admin = server.first_admin();
  ASSERT_EQ(server
                .call({.method = "POST",
                       .path = "/api/v1/clients",
                       .body = json{{"id", "C-500"}, {"name", "Failure Example"}},
                       .as = admin})
                .status,
            201);
  const auto photo = server.call({.method = "POST",
                                  .path = "/api/v1/clients/C-500/photos",
                                  .query = "kind=before",
                                  .raw_body = png("500"),
                                  .content_type = "image/png",
                                  .as = admin});
  ASSERT_EQ(photo.status, 201) << photo.describe();
  const std::string sha = photo.json.value("sha256", "");
  ASSERT_EQ(sha.size(), 64u) << photo.describe();
  std::size_t removed = 0;
  for (const auto& f : std::filesystem::recursive_directory_iterator(server.services().config().photo_dir)) {
    if (f.is_regular_file() && f.path().filename().string().find(sha) != std::string::npos) {
      std::filesystem::remove(f.path());
      ++removed;
    }
  }
  ASSERT_EQ(removed, 1u);
  const auto a = server.call(
      {.path = fmt::format("/api/v1/clients/C-500/photos/{}/image", photo.json.value("id", 0)), .as = admin});
  EXPECT_EQ(a.status, 500) << a.describe();
  EXPECT_EQ(a.code(), "internal") << a.describe();
  EXPECT_EQ(a.body.find(sha), std::string::npos) << a.describe();
  EXPECT_EQ(a.body.find(server.dir().string()), std::string::npos) << a.describe();
  EXPECT_EQ(a.header_values("X-Request-Id").size(), 1u) << "no id to find the detail in the log by";
}

// ---- paths (V12.3.1, V12.3.2, V12.5.1, V4.3.2) -----------------------------------------------------------

TEST(SecurityPaths, NoRequestPathReadsAFileOutsideTheWebRootOrAHiddenOrUnlistedOne) {
  std::filesystem::path root;
  InProcess server([&](ServerConfig& c) {
    const auto dir = std::filesystem::path(c.database).parent_path();
    root = dir / "web";
    std::filesystem::create_directories(root / "assets");
    std::filesystem::create_directories(root / ".git");
    std::ofstream(root / "index.html") << "<!doctype html><title>app</title>";
    std::ofstream(root / "assets" / "app.js") << "console.log(1);";
    std::ofstream(root / ".git" / "config") << "SECRET-GIT-CONFIG";
    std::ofstream(root / ".env") << "SECRET-ENV";
    std::ofstream(root / "assets" / "app.js.bak") << "SECRET-BACKUP";
    std::ofstream(root / "index.html.swp") << "SECRET-SWAP";
    std::ofstream(dir / "outside.txt") << "SECRET-OUTSIDE";
    c.web_root = root;
  });
  const auto index = server.call({.path = "/"});
  ASSERT_EQ(index.status, 200) << index.describe();
  ASSERT_EQ(server.call({.path = "/assets/app.js"}).status, 200);
  const std::string outside = std::filesystem::absolute(root.parent_path() / "outside.txt").string();
  for (const std::string& path : std::vector<std::string>{
           "/../outside.txt", "/assets/../../outside.txt", "/%2e%2e/outside.txt",
           "/assets/..%2f..%2foutside.txt", "/%2e%2e%2foutside.txt", "/..%5coutside.txt", "/..\\outside.txt",
           "/" + outside, "//" + outside, "/%2F" + outside.substr(1), "/.git/config", "/.env",
           "/assets/app.js.bak", "/index.html.swp", "/assets/%2e%2e/.git/config", "/index.html%00.js",
           "/etc/passwd", "/../../../../../../etc/passwd"}) {
    SCOPED_TRACE(path);
    const auto a = server.call({.path = path});
    EXPECT_EQ(a.body.find("SECRET"), std::string::npos) << a.describe();
    EXPECT_EQ(a.body.find("root:"), std::string::npos) << a.describe();
    // Either not found, or the app's page (a route of the app without an extension), never a file's bytes.
    EXPECT_TRUE(a.status == 404 || (a.status == 200 && a.body == index.body)) << a.describe();
  }
}

TEST(SecurityPaths, APhotosNameAndIdsNeverChooseWhereItsFileIsWrittenOrRead) {
  InProcess server;
  const auto admin = server.first_admin();
  ASSERT_EQ(server
                .call({.method = "POST",
                       .path = "/api/v1/clients",
                       .body = json{{"id", "C-PATH"}, {"name", "Path Example"}},
                       .as = admin})
                .status,
            201);
  const auto photo_dir = server.services().config().photo_dir;
  const auto escape = server.dir() / "escaped.png";
  // The client's file name is kept as a note: the file is named by its SHA-256 inside photo_dir.
  for (const std::string& name :
       std::vector<std::string>{"../../escaped.png", escape.string(), "..%2F..%2Fescaped.png"}) {
    SCOPED_TRACE(name);
    const auto a = server.call({.method = "POST",
                                .path = "/api/v1/clients/C-PATH/photos",
                                .query = "kind=before&name=" + name,
                                .raw_body = png(name),
                                .content_type = "image/png",
                                .as = admin});
    ASSERT_EQ(a.status, 201) << a.describe();
    EXPECT_FALSE(std::filesystem::exists(escape));
  }
  for (const auto& f : std::filesystem::recursive_directory_iterator(server.dir())) {
    if (!f.is_regular_file()) continue;
    const auto rel = f.path().lexically_relative(photo_dir);
    const bool in_photos = !rel.empty() && !rel.native().starts_with("..");
    EXPECT_TRUE(in_photos || f.path().parent_path() == server.dir()) << f.path();
    if (in_photos) {
      EXPECT_EQ(f.path().filename().string().find("escaped"), std::string::npos) << f.path();
    }
  }
  // Ids in the path are looked up, never joined to a folder.
  for (const std::string path :
       {"/api/v1/clients/..%2F..%2F..%2Fetc%2Fpasswd/photos/1/image",
        "/api/v1/clients/C-PATH/photos/..%2F1/image", "/api/v1/clients/C-PATH/photos/%2Fetc%2Fpasswd/image",
        "/api/v1/clients/..%2FC-PATH/photos"}) {
    SCOPED_TRACE(path);
    const auto a = server.call({.path = path, .as = admin});
    // Not found, refused, or an empty list of a client nobody is: never C-PATH's photos or a file's bytes.
    const bool empty_list = a.status == 200 && a.json.is_object() && a.json["items"].empty();
    EXPECT_TRUE(a.status == 404 || a.status == 422 || empty_list) << a.describe();
    EXPECT_EQ(a.body.find("root:"), std::string::npos);
  }
}

}  // namespace
}  // namespace needlework::server::testing

namespace needlework::server::testing {
namespace {

// ---- the checklist itself --------------------------------------------------------------------------------

/// Every file's text under `dir` with one of the extensions.
std::string all_sources(const std::filesystem::path& dir) {
  std::string out;
  for (const auto& f : std::filesystem::recursive_directory_iterator(dir)) {
    if (!f.is_regular_file() || f.path().extension() != ".cpp") continue;
    std::ifstream in(f.path(), std::ios::binary);
    out.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    out += '\n';
  }
  return out;
}

TEST(SecurityChecklist, EveryTestTheChecklistNamesExistsAndEveryTestedRowNamesOne) {
  // docs/security.md may call a requirement "tested" only with the test that shows it: each `Suite.Name` it
  // cites must be a TEST, TEST_F or TEST_P of tests/, and each "tested" row must cite at least one.
  std::ifstream in(std::filesystem::path(NEEDLEWORK_SOURCE_DIR) / "docs" / "security.md");
  ASSERT_TRUE(in) << "docs/security.md is missing";
  const std::string sources = all_sources(std::filesystem::path(NEEDLEWORK_SOURCE_DIR) / "tests");
  const std::regex cited(R"(`([A-Z][A-Za-z0-9]*)\.([A-Z][A-Za-z0-9]*)`)");
  const std::regex requirement(R"(^\| (V\d+\.\d+\.\d+) \|)");
  std::size_t rows = 0, tested = 0;
  std::set<std::string> ids;
  // The summary table's counts, chapter by chapter ("V7" → tested, met untested, not met, n/a), and the
  // counts of the rows themselves: the table must be their sum.
  const std::regex summary(R"(^\| (V\d+|all \d+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \|$)");
  const std::regex status(R"(^\| V(\d+)\.\d+\.\d+ \| [^|]* \| \*\*([^*]+)\*\* \|)");
  const std::vector<std::string> statuses{"tested", "met, untested", "not met", "not applicable"};
  std::map<std::string, std::vector<int>> claimed, counted;
  for (std::string line; std::getline(in, line);) {
    std::smatch row;
    if (std::regex_match(line, row, summary)) {
      claimed[row[1].str().starts_with("all") ? "all" : row[1].str()] = {
          std::stoi(row[2]), std::stoi(row[3]), std::stoi(row[4]), std::stoi(row[5])};
      continue;
    }
    if (std::regex_search(line, row, status)) {
      const auto at = std::find(statuses.begin(), statuses.end(), row[2].str());
      EXPECT_NE(at, statuses.end()) << line << ": the status is none of the four";
      if (at != statuses.end()) {
        for (const auto& chapter : {"V" + row[1].str(), std::string("all")}) {
          counted[chapter].resize(4);
          ++counted[chapter][static_cast<std::size_t>(at - statuses.begin())];
        }
      }
    }
    if (!std::regex_search(line, row, requirement)) continue;
    ++rows;
    EXPECT_TRUE(ids.insert(row[1]).second) << row[1] << " is listed twice";
    std::size_t names = 0;
    for (auto it = std::sregex_iterator(line.begin(), line.end(), cited); it != std::sregex_iterator();
         ++it) {
      const std::string suite = (*it)[1], name = (*it)[2];
      // Plain text search (std::regex over the whole suite's sources would be slow): "TEST…(Suite, Name)".
      bool found = false;
      const std::string tail = "(" + suite + ", " + name + ")";
      for (auto at = sources.find(tail); at != std::string::npos && !found; at = sources.find(tail, at + 1)) {
        const std::string_view before = std::string_view(sources).substr(0, at);
        found = before.ends_with("TEST") || before.ends_with("TEST_F") || before.ends_with("TEST_P");
      }
      EXPECT_TRUE(found) << row[1] << " cites " << suite << "." << name << ", which is no test in tests/";
      ++names;
    }
    // The browser walk (ctest `web.browser`, web/tests/e2e/) counts as a named test for what only the app
    // does.
    if (line.find("`web.browser`") != std::string::npos) {
      EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(NEEDLEWORK_SOURCE_DIR) / "web" / "tests" /
                                          "e2e" / "run.mjs"))
          << row[1] << " cites web.browser, whose walk is missing";
      ++names;
    }
    if (line.find("| **tested** |") != std::string::npos) {
      ++tested;
      EXPECT_GT(names, 0u) << row[1] << " is \"tested\" without naming a test";
    }
  }
  // The level-2 requirements of ASVS 4.0.3 number 259 (V1–V14); the checklist lists each once.
  EXPECT_EQ(rows, 259u);
  EXPECT_EQ(claimed, counted) << "the summary table does not add up the rows' statuses";
  EXPECT_EQ(claimed.size(), 15u) << "a summary row per chapter and one for all";
  EXPECT_GT(tested, 50u);
}

}  // namespace
}  // namespace needlework::server::testing
