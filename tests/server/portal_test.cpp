// The client portal in-process (issue #14, docs/portal.md): sign-in links (single use, 15 minutes, the same
// answer for a known and an unknown address, throttled), the client role kept apart from the staff's, and —
// the point of the portal's design — a client never reaching another client's records: signed in as client A,
// every portal route is called with client B's ids and answers 404 (as for an id nobody has), never B's data.
// Two clients are treated "30 hours ago" through a second connection to the server's database (ClinicStore
// with past times, as the CLI's --now does): no sleeping, no clock of the server's to move.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "in_process.hpp"
#include "needlework/clinic/engine.hpp"
#include "needlework/clinic/intake.hpp"
#include "needlework/server/credentials.hpp"
#include "needlework/store/clinic_store.hpp"
#include "needlework/units/date.hpp"
#include "needlework/units/quantity.hpp"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace needlework::server::testing {
namespace {

using nlohmann::json;
using std::chrono::hours;

store::DateTime now() { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); }

/// What one client has on file: a session that ended 30 hours ago, a visit booked, a consent and a photo.
struct Treated {
  std::string id;
  std::string email;
  store::Id session = 0;
  store::Id appointment = 0;
  store::Id consent = 0;
  store::Id photo = 0;
  store::Id home_roller = 0;
  store::Id home_session = 0;
};

class Portal : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new InProcess();
    admin_ = new Credentials(server_->first_admin());
    a_ = new Treated(treat("C-PORTAL-A", "ana@example.org", "L-A"));
    b_ = new Treated(treat("C-PORTAL-B", "bea@example.org", "L-B"));
  }
  static void TearDownTestSuite() {
    delete a_;
    delete b_;
    delete admin_;
    delete server_;
  }

  /// A client treated through ClinicStore on a second connection, at times in the past.
  static Treated treat(const std::string& id, const std::string& email, const std::string& lot) {
    Treated t{id, email};
    auto& services = server_->services();
    auto st = store::open_sqlite(services.config().database);
    EXPECT_TRUE(st) << st.error().describe();
    store::ClinicStore cs(**st, services.pack(), services.physics(), services.photo_dir());
    const auto t0 = now() - hours(40);
    auto at = [&](int h) { return store::Actor{"admin", t0 + hours(h)}; };
    store::ClientRecord c;
    c.id = id;
    c.name = "Name of " + id;
    c.email = email;
    EXPECT_TRUE(cs.add_client(at(0), c));
    const std::string day = units::format_date(std::chrono::floor<std::chrono::days>(t0));
    const json intake = {
        {"client", {{"id", id}, {"name", c.name}}},
        {"date", day},
        {"setting", "clinic"},
        {"areas", {{{"area", "face"}, {"concerns", {"pores"}}}}},
        {"conditions", json::array()},
        {"dermatologist_clearance", {{"by", "Dr. Roe"}, {"date", day}, {"reviewed", json::array()}}}};
    auto in = clinic::parse_intake(intake, services.pack());
    EXPECT_TRUE(in) << in.error().describe();
    auto rec = cs.record_intake(at(1), *in, intake);
    EXPECT_TRUE(rec) << rec.error().describe();
    auto consent = cs.record_consent(at(1), id, "I consent to micro-needling.", c.name);
    EXPECT_TRUE(consent) << consent.error().describe();
    t.consent = consent->id;
    store::RollerSpec spec{lot,
                           "0001",
                           "(01)00000000000000",
                           "dermaroller",
                           192,
                           units::millimetres(1.0),
                           std::chrono::floor<std::chrono::days>(now()) + std::chrono::days(400)};
    auto roller = cs.register_roller(at(2), spec);
    EXPECT_TRUE(roller) << roller.error().describe();
    EXPECT_TRUE(cs.assign_roller(at(2), roller->id, id));
    store::SessionRequest req;
    req.client_id = id;
    req.area = "face";
    req.roller_id = roller->id;
    auto depth = clinic::check_depth(services.pack(), &services.regions(), "face",
                                     *services.pack().find_device("dermaroller"), units::millimetres(1.0));
    if (depth && *depth) {
      for (const auto& f : (*depth)->findings) {
        if (!f.verdict.within && f.action == knowledge::GuardAction::warn) req.acknowledged.push_back(f.rule);
      }
    }
    auto started = cs.start_session(at(9), req);  // 31 hours ago
    EXPECT_TRUE(started) << started.error().describe();
    t.session = started->session.id;
    auto finished = cs.finish_session(at(10), t.session, std::string("portal test: steps not charted"));
    EXPECT_TRUE(finished) << finished.error().describe();  // 30 hours ago
    auto visit =
        cs.book_appointment(at(10), id, "face", units::millimetres(1.0), now() + std::chrono::days(60));
    EXPECT_TRUE(visit) << visit.error().describe();
    t.appointment = visit->id;
    store::PhotoInput photo{id, t.session, std::string("\x89PNG\r\n\x1a\n", 8) + id, "followup", "", "", ""};
    auto kept = cs.add_photo(at(10), photo);
    EXPECT_TRUE(kept) << kept.error().describe();
    t.photo = kept->id;
    // A home roller of their own and a home session with it, before the professional session.
    const auto day0 = std::chrono::floor<std::chrono::days>(t0);
    auto home = cs.register_home_roller(
        at(3), id, store::HomeRollerSpec{"home_roller", lot + "-H", day0 - std::chrono::days(30)});
    EXPECT_TRUE(home) << home.error().describe();
    t.home_roller = home->id;
    auto rolled = cs.log_home_session(
        at(3), id, store::HomeSessionInput{home->id, "face", day0 - std::chrono::days(20), ""});
    EXPECT_TRUE(rolled) << rolled.error().describe();
    t.home_session = rolled->session.id;
    return t;
  }

  static Credentials sign_in(const Treated& t) {
    return server_->portal_sign_in(server_->portal_link(t.id, now() + std::chrono::minutes(15)));
  }

  /// A request from an address of its own (the throttle counts per address).
  static Answer from(const std::string& remote, const std::string& path, const json& body) {
    Request r;
    r.method = "POST";
    r.path = path;
    r.remote = remote;
    r.body = body.dump();
    r.headers.emplace_back("Content-Type", "application/json");
    return server_->send(std::move(r));
  }

  /// The portal_link messages of the outbox, as the staff API lists them.
  static std::vector<json> link_messages(const std::string& client) {
    std::vector<json> out;
    const auto a = server_->call({.path = "/api/v1/outbox", .query = "all=true&limit=500", .as = *admin_});
    EXPECT_EQ(a.status, 200) << a.describe();
    for (const auto& m : a.json["items"]) {
      if (m.value("kind", "") == "portal_link" && m.value("client_id", "") == client) out.push_back(m);
    }
    return out;
  }

  static std::string token_in(const json& message) {
    std::smatch m;
    const std::string body = message.value("body", "");
    if (!std::regex_search(body, m, std::regex(R"(/portal/sign-in#token=([A-Za-z0-9_-]+))"))) return {};
    return m[1];
  }

  static InProcess* server_;
  static Credentials* admin_;
  static Treated* a_;
  static Treated* b_;
};

InProcess* Portal::server_ = nullptr;
Credentials* Portal::admin_ = nullptr;
Treated* Portal::a_ = nullptr;
Treated* Portal::b_ = nullptr;

TEST_F(Portal, ALinkAskedForByEmailSignsInOnceAndTheAnswerNeverTellsWhetherTheAddressIsKnown) {
  const auto before = link_messages(a_->id).size();
  const auto known = from("10.0.0.1", "/api/v1/portal/link", {{"email", "  ANA@example.org "}});
  const auto unknown = from("10.0.0.2", "/api/v1/portal/link", {{"email", "nobody@example.org"}});
  ASSERT_EQ(known.status, 202) << known.describe();
  EXPECT_EQ(unknown.status, 202) << unknown.describe();
  EXPECT_EQ(known.body, unknown.body) << "the answer tells a known address from an unknown one";

  const auto messages = link_messages(a_->id);
  ASSERT_EQ(messages.size(), before + 1) << "one message queued for the known address";
  const std::string token = token_in(messages.back());
  ASSERT_FALSE(token.empty()) << messages.back().dump();

  const auto first =
      server_->call({.method = "POST", .path = "/api/v1/portal/session", .body = json{{"token", token}}});
  ASSERT_EQ(first.status, 200) << first.describe();
  EXPECT_EQ(first.json["client"].value("id", ""), a_->id);
  const auto cookies = first.header_values("Set-Cookie");
  ASSERT_FALSE(cookies.empty());
  EXPECT_TRUE(cookies.front().starts_with(std::string(portal_cookie) + "=")) << cookies.front();
  EXPECT_NE(cookies.front().find("HttpOnly"), std::string::npos) << cookies.front();
  EXPECT_NE(cookies.front().find("SameSite=Strict"), std::string::npos) << cookies.front();

  // The same link again, and a token nobody issued: one answer for both.
  const auto again =
      server_->call({.method = "POST", .path = "/api/v1/portal/session", .body = json{{"token", token}}});
  const auto made_up = server_->call(
      {.method = "POST", .path = "/api/v1/portal/session", .body = json{{"token", new_token()}}});
  EXPECT_EQ(again.status, 401) << again.describe();
  EXPECT_EQ(made_up.status, 401) << made_up.describe();
  EXPECT_EQ(again.json["error"].value("message", "?"), made_up.json["error"].value("message", "!"));

  // The issue and the sign-in are audit entries of the client; the token is in neither.
  const auto audit = server_->call({.path = "/api/v1/audit", .query = "record=" + a_->id, .as = *admin_});
  ASSERT_EQ(audit.status, 200) << audit.describe();
  EXPECT_NE(audit.body.find("issue_portal_link"), std::string::npos) << audit.describe();
  EXPECT_NE(audit.body.find("portal_sign_in"), std::string::npos) << audit.describe();
  EXPECT_EQ(audit.body.find(token), std::string::npos);
}

TEST_F(Portal, AnExpiredLinkIsRefusedWithTheSameAnswerAsAUsedOne) {
  const auto expired = server_->portal_link(a_->id, now() - std::chrono::seconds(1));
  const auto fresh = server_->portal_link(a_->id, now() + std::chrono::minutes(15));
  const auto a =
      server_->call({.method = "POST", .path = "/api/v1/portal/session", .body = json{{"token", expired}}});
  EXPECT_EQ(a.status, 401) << a.describe();
  EXPECT_NE(a.json["error"].value("message", "").find("expired"), std::string::npos) << a.describe();
  // Only the time makes the difference: a link written the same way that has not expired signs in.
  const auto b =
      server_->call({.method = "POST", .path = "/api/v1/portal/session", .body = json{{"token", fresh}}});
  EXPECT_EQ(b.status, 200) << b.describe();
}

TEST_F(Portal, LinkRequestsAreThrottledPerAddressAndPerEmail) {
  const int limit = server_->services().config().login_max_failures;
  for (int i = 0; i < limit; ++i) {
    const auto a = from("10.1.1.1", "/api/v1/portal/link", {{"email", fmt::format("x{}@example.org", i)}});
    ASSERT_EQ(a.status, 202) << a.describe();
  }
  const auto over = from("10.1.1.1", "/api/v1/portal/link", {{"email", "another@example.org"}});
  EXPECT_EQ(over.status, 429) << over.describe();
  EXPECT_FALSE(over.header_values("Retry-After").empty());
  // Per email: from as many addresses as asked, one address is asked for only so often.
  for (int i = 0; i < limit; ++i) {
    const auto a = from(fmt::format("10.2.2.{}", i), "/api/v1/portal/link", {{"email", "flood@example.org"}});
    ASSERT_EQ(a.status, 202) << a.describe();
  }
  const auto flooded = from("10.2.3.1", "/api/v1/portal/link", {{"email", "FLOOD@example.org"}});
  EXPECT_EQ(flooded.status, 429) << flooded.describe();
}

TEST_F(Portal, TheFrontDeskSendsALinkToAClientWithAnEmailAddress) {
  const auto reception = server_->add_user(*admin_, "front-desk", "reception");
  const auto before = link_messages(b_->id).size();
  const auto sent = server_->call(
      {.method = "POST", .path = "/api/v1/clients/" + b_->id + "/portal-link", .as = reception});
  ASSERT_EQ(sent.status, 202) << sent.describe();
  EXPECT_EQ(link_messages(b_->id).size(), before + 1);
  const auto unknown =
      server_->call({.method = "POST", .path = "/api/v1/clients/C-NOBODY/portal-link", .as = reception});
  EXPECT_EQ(unknown.status, 404) << unknown.describe();
  const auto added = server_->call({.method = "POST",
                                    .path = "/api/v1/clients",
                                    .body = json{{"id", "C-NO-EMAIL"}, {"name", "No Email"}},
                                    .as = reception});
  ASSERT_EQ(added.status, 201) << added.describe();
  const auto no_email =
      server_->call({.method = "POST", .path = "/api/v1/clients/C-NO-EMAIL/portal-link", .as = reception});
  EXPECT_EQ(no_email.status, 422) << no_email.describe();
  EXPECT_EQ(no_email.field(), "email") << no_email.describe();
}

TEST_F(Portal, AClientReachesNoneOfAnotherClientsRecordsThroughAnyPortalRoute) {
  const auto ana = sign_in(*a_);
  const auto forbidden_text = std::vector<std::string>{b_->id, b_->email, "Name of " + b_->id};
  auto never_b = [&](const Answer& a, const std::string& what) {
    for (const auto& t : forbidden_text)
      EXPECT_EQ(a.body.find(t), std::string::npos) << what << ": " << a.describe();
  };
  std::set<std::string> called;
  auto call = [&](const std::string& route, Call c) {
    called.insert(c.method + " " + route);
    c.as = ana;
    auto a = server_->call(c);
    never_b(a, c.method + " " + c.path);
    return a;
  };
  const std::string bs = std::to_string(b_->session);
  const std::string as = std::to_string(a_->session);

  // B's ids in a path or body: 404, as an id nobody has.
  auto aftercare = call("/api/v1/portal/sessions/{id}/aftercare",
                        {.path = "/api/v1/portal/sessions/" + bs + "/aftercare"});
  EXPECT_EQ(aftercare.status, 404) << aftercare.describe();
  auto nobody =
      call("/api/v1/portal/sessions/{id}/aftercare", {.path = "/api/v1/portal/sessions/999999/aftercare"});
  EXPECT_EQ(nobody.status, 404);
  EXPECT_EQ(aftercare.json["error"].value("message", "").substr(0, 10),
            nobody.json["error"].value("message", "").substr(0, 10));
  auto check = call("/api/v1/portal/sessions/{id}/self-check",
                    {.method = "POST",
                     .path = "/api/v1/portal/sessions/" + bs + "/self-check",
                     .body = json{{"observations", {"redness"}}}});
  EXPECT_EQ(check.status, 404) << check.describe();
  auto with_b_photo = call("/api/v1/portal/sessions/{id}/self-check",
                           {.method = "POST",
                            .path = "/api/v1/portal/sessions/" + as + "/self-check",
                            .body = json{{"observations", {"dryness"}}, {"photo_id", b_->photo}}});
  EXPECT_EQ(with_b_photo.status, 404) << with_b_photo.describe();
  EXPECT_EQ(with_b_photo.field(), "photo_id") << with_b_photo.describe();
  auto photo = call("/api/v1/portal/photos", {.method = "POST",
                                              .path = "/api/v1/portal/photos",
                                              .query = "session_id=" + bs,
                                              .raw_body = std::string("\x89PNG\r\n\x1a\n", 8) + "x",
                                              .content_type = "image/png"});
  EXPECT_EQ(photo.status, 404) << photo.describe();
  auto with_b_roller = call(
      "/api/v1/portal/home-sessions",
      {.method = "POST",
       .path = "/api/v1/portal/home-sessions",
       .body = json{{"home_roller_id", b_->home_roller},
                    {"area", "face"},
                    {"performed_on", units::format_date(std::chrono::floor<std::chrono::days>(now()))}}});
  EXPECT_EQ(with_b_roller.status, 404) << with_b_roller.describe();
  EXPECT_EQ(with_b_roller.field(), "home_roller_id") << with_b_roller.describe();
  // A client id in the body is not a member the portal reads: 400, never B's records.
  auto naming_b = call("/api/v1/portal/home-sessions", {.method = "POST",
                                                        .path = "/api/v1/portal/home-sessions",
                                                        .body = json{{"client_id", b_->id},
                                                                     {"home_roller_id", a_->home_roller},
                                                                     {"area", "face"},
                                                                     {"performed_on", "2020-01-01"}}});
  EXPECT_EQ(naming_b.status, 400) << naming_b.describe();
  // Nothing was recorded for B by any of that.
  const auto b_history = server_->call({.path = "/api/v1/clients/" + b_->id + "/history", .as = *admin_});
  ASSERT_EQ(b_history.status, 200) << b_history.describe();
  EXPECT_TRUE(b_history.json["followups"].empty()) << b_history.describe();
  EXPECT_EQ(b_history.json["photos"].size(), 1u) << b_history.describe();
  const auto b_home = server_->call({.path = "/api/v1/clients/" + b_->id + "/home-sessions", .as = *admin_});
  ASSERT_EQ(b_home.status, 200) << b_home.describe();
  EXPECT_EQ(b_home.json["items"].size(), 1u) << b_home.describe();

  // Lists: A's own, never B's.
  auto me = call("/api/v1/portal/me", {.path = "/api/v1/portal/me"});
  EXPECT_EQ(me.status, 200);
  EXPECT_EQ(me.json["client"].value("id", ""), a_->id) << me.describe();
  auto sessions = call("/api/v1/portal/sessions", {.path = "/api/v1/portal/sessions"});
  ASSERT_EQ(sessions.status, 200);
  ASSERT_EQ(sessions.json["items"].size(), 1u) << sessions.describe();
  EXPECT_EQ(sessions.json["items"][0].value("id", 0), a_->session);
  auto visits = call("/api/v1/portal/visits", {.path = "/api/v1/portal/visits"});
  ASSERT_EQ(visits.status, 200);
  ASSERT_EQ(visits.json["items"].size(), 1u) << visits.describe();
  EXPECT_EQ(visits.json["items"][0].value("id", 0), a_->appointment);
  auto consents = call("/api/v1/portal/consents", {.path = "/api/v1/portal/consents"});
  ASSERT_EQ(consents.status, 200);
  ASSERT_EQ(consents.json["items"].size(), 1u) << consents.describe();
  EXPECT_EQ(consents.json["items"][0].value("id", 0), a_->consent);
  auto observations = call("/api/v1/portal/observations", {.path = "/api/v1/portal/observations"});
  EXPECT_EQ(observations.status, 200);
  auto rollers = call("/api/v1/portal/home-rollers", {.path = "/api/v1/portal/home-rollers"});
  ASSERT_EQ(rollers.status, 200) << rollers.describe();
  ASSERT_EQ(rollers.json["items"].size(), 1u) << rollers.describe();
  EXPECT_EQ(rollers.json["items"][0].value("id", 0), a_->home_roller);
  auto home_sessions = call("/api/v1/portal/home-sessions", {.path = "/api/v1/portal/home-sessions"});
  ASSERT_EQ(home_sessions.status, 200) << home_sessions.describe();
  ASSERT_EQ(home_sessions.json["items"].size(), 1u) << home_sessions.describe();
  EXPECT_EQ(home_sessions.json["items"][0].value("id", 0), a_->home_session);
  // The plan: the pack's choices, and the next day the rule allows on the area treated (the course's
  // interval after the professional session of 31 hours ago, so not today).
  auto plan = call("/api/v1/portal/home-plan", {.path = "/api/v1/portal/home-plan"});
  ASSERT_EQ(plan.status, 200) << plan.describe();
  EXPECT_FALSE(plan.json["devices"].empty()) << plan.describe();
  ASSERT_EQ(plan.json["next"].size(), 1u) << plan.describe();
  EXPECT_EQ(plan.json["next"][0].value("area", ""), "face");
  EXPECT_GT(plan.json["next"][0].value("earliest", ""),
            units::format_date(std::chrono::floor<std::chrono::days>(now())));
  // Registering a roller from the portal registers it for A; logging with it today is refused by the rule.
  auto mine =
      call("/api/v1/portal/home-rollers", {.method = "POST",
                                           .path = "/api/v1/portal/home-rollers",
                                           .body = json{{"device", "home_roller"}, {"lot", "L-A-H2"}}});
  ASSERT_EQ(mine.status, 201) << mine.describe();
  EXPECT_EQ(mine.json.value("client_id", ""), a_->id) << mine.describe();
  auto too_soon = call(
      "/api/v1/portal/home-sessions",
      {.method = "POST",
       .path = "/api/v1/portal/home-sessions",
       .body = json{{"home_roller_id", mine.json.value("id", 0)},
                    {"area", "face"},
                    {"performed_on", units::format_date(std::chrono::floor<std::chrono::days>(now()))}}});
  EXPECT_EQ(too_soon.status, 409) << too_soon.describe();
  EXPECT_EQ(too_soon.field(), "performed_on") << too_soon.describe();
  EXPECT_NE(too_soon.body.find(plan.json["next"][0].value("earliest", "?")), std::string::npos)
      << too_soon.describe();
  // A's calendar lists A's visit only; B's feed is not reachable without B's token.
  auto feed = call("/api/v1/portal/calendar", {.method = "POST", .path = "/api/v1/portal/calendar"});
  ASSERT_EQ(feed.status, 201) << feed.describe();
  auto ics = call("/api/v1/portal/calendar/{file}", {.path = feed.json.value("path", "")});
  ASSERT_EQ(ics.status, 200) << ics.describe();
  EXPECT_NE(ics.body.find(fmt::format("UID:appointment-{}@", a_->appointment)), std::string::npos)
      << ics.body;
  EXPECT_EQ(ics.body.find(fmt::format("UID:appointment-{}@", b_->appointment)), std::string::npos)
      << ics.body;
  auto guessed =
      call("/api/v1/portal/calendar/{file}", {.path = "/api/v1/portal/calendar/" + new_token() + ".ics"});
  EXPECT_EQ(guessed.status, 404);
  // A's own records answer (the 404s above are about B, not about the routes).
  auto own = call("/api/v1/portal/sessions/{id}/aftercare",
                  {.path = "/api/v1/portal/sessions/" + as + "/aftercare"});
  EXPECT_EQ(own.status, 200) << own.describe();
  auto own_photo = call("/api/v1/portal/photos", {.method = "POST",
                                                  .path = "/api/v1/portal/photos",
                                                  .query = "session_id=" + as,
                                                  .raw_body = std::string("\x89PNG\r\n\x1a\n", 8) + "a",
                                                  .content_type = "image/png"});
  EXPECT_EQ(own_photo.status, 201) << own_photo.describe();
  EXPECT_EQ(own_photo.json.value("client_id", ""), a_->id);
  EXPECT_EQ(own_photo.json.value("kind", ""), "followup");
  auto out = call("/api/v1/portal/logout", {.method = "POST", .path = "/api/v1/portal/logout"});
  EXPECT_EQ(out.status, 204);

  // Every portal route was called (a route added later must be added here).
  std::set<std::string> portal;
  for (const auto& r : server_->api().routes()) {
    if (r.roles == client_only || (r.roles == 0 && r.path.starts_with("/api/v1/portal/calendar/"))) {
      portal.insert(r.method + " " + r.path);
    }
  }
  for (const auto& r : portal) EXPECT_TRUE(called.contains(r)) << r << " was not tried with B's ids";
}

TEST_F(Portal, ANewCalendarReplacesTheOldAndTheFrontDeskEndsAClientsPortalAccess) {
  const auto ana = sign_in(*a_);
  const auto first = server_->call({.method = "POST", .path = "/api/v1/portal/calendar", .as = ana});
  const auto second = server_->call({.method = "POST", .path = "/api/v1/portal/calendar", .as = ana});
  ASSERT_EQ(first.status, 201) << first.describe();
  ASSERT_EQ(second.status, 201) << second.describe();
  EXPECT_EQ(server_->call({.path = first.json.value("path", "")}).status, 404) << "replaced by the second";
  EXPECT_EQ(server_->call({.path = second.json.value("path", "")}).status, 200);
  const auto bea = sign_in(*b_);
  const auto bea_feed = server_->call({.method = "POST", .path = "/api/v1/portal/calendar", .as = bea});
  ASSERT_EQ(bea_feed.status, 201) << bea_feed.describe();

  // A lost phone: the front desk ends Ana's portal access.
  const auto reception = server_->add_user(*admin_, "front-desk-2", "reception");
  const auto ended = server_->call(
      {.method = "POST", .path = "/api/v1/clients/" + a_->id + "/portal-access/end", .as = reception});
  ASSERT_EQ(ended.status, 200) << ended.describe();
  EXPECT_GE(ended.json.value("sessions_ended", 0), 1) << ended.describe();
  EXPECT_EQ(ended.json.value("feeds_revoked", 0), 1) << ended.describe();
  EXPECT_EQ(server_->call({.path = "/api/v1/portal/me", .as = ana}).status, 401);
  EXPECT_EQ(server_->call({.path = second.json.value("path", "")}).status, 404);
  // Bea is not touched; Ana can sign in again with a new link.
  EXPECT_EQ(server_->call({.path = "/api/v1/portal/me", .as = bea}).status, 200);
  EXPECT_EQ(server_->call({.path = bea_feed.json.value("path", "")}).status, 200);
  EXPECT_EQ(server_->call({.path = "/api/v1/portal/me", .as = sign_in(*a_)}).status, 200);
  const auto nobody = server_->call(
      {.method = "POST", .path = "/api/v1/clients/C-NOBODY/portal-access/end", .as = reception});
  EXPECT_EQ(nobody.status, 404) << nobody.describe();
}

TEST_F(Portal, AClientSessionIsRefusedByEveryStaffRouteAndAStaffSessionByEveryPortalRoute) {
  const auto ana = sign_in(*a_);
  std::size_t staff = 0, portal = 0;
  for (const auto& r : server_->api().routes()) {
    if (r.roles == 0) continue;
    // A's own ids in the path: even about A, a staff route is not the client's.
    std::string path =
        std::regex_replace(r.path, std::regex(R"(\{id\})"),
                           r.path.starts_with("/api/v1/clients/") ? a_->id : std::to_string(a_->session));
    path = std::regex_replace(path, std::regex(R"(\{[a-z_]+\})"), "1");
    Call c{.method = r.method, .path = path};
    if (r.body == BodyKind::json) c.body = json::object();
    if (r.body == BodyKind::image) {
      c.raw_body = std::string("\x89PNG\r\n\x1a\n", 8);
      c.content_type = "image/png";
    }
    c.as = r.roles == client_only ? *admin_ : ana;
    const auto a = server_->call(c);
    SCOPED_TRACE(r.method + " " + r.path);
    EXPECT_EQ(a.status, 403) << a.describe();
    EXPECT_EQ(a.code(), "forbidden") << a.describe();
    ++(r.roles == client_only ? portal : staff);
  }
  EXPECT_GT(staff, 40u);
  EXPECT_GT(portal, 8u);
}

TEST_F(Portal, RednessAndSwellingThirtyHoursOnAlertTheClinicAtOnceInThePacksWords) {
  const auto ana = sign_in(*a_);
  // Bad reports first: an observation the pack does not know, a time to come.
  const std::string path = "/api/v1/portal/sessions/" + std::to_string(a_->session) + "/self-check";
  const auto unknown =
      server_->call({.method = "POST", .path = path, .body = json{{"observations", {"itching"}}}, .as = ana});
  EXPECT_EQ(unknown.status, 422) << unknown.describe();
  EXPECT_EQ(unknown.field(), "observations[0]") << unknown.describe();
  const auto later = server_->call({.method = "POST",
                                    .path = path,
                                    .body = json{{"observations", {"redness"}},
                                                 {"observed_at", units::format_date_time(now() + hours(2))}},
                                    .as = ana});
  EXPECT_EQ(later.status, 422) << later.describe();
  EXPECT_EQ(later.field(), "observed_at") << later.describe();

  const auto r = server_->call(
      {.method = "POST", .path = path, .body = json{{"observations", {"redness", "swelling"}}}, .as = ana});
  ASSERT_EQ(r.status, 201) << r.describe();
  EXPECT_EQ(r.json["result"].value("triage", ""), "see_doctor") << r.describe();
  EXPECT_TRUE(r.json.value("escalated", false)) << r.describe();
  EXPECT_NEAR(r.json["result"].value("hours_since_session", 0.0), 30.0, 0.1) << r.describe();
  // What to do is the pack's own note for the rule that fired.
  std::set<std::string> rules;
  for (const auto& o : r.json["result"]["observations"]) {
    rules.insert(o.value("rule", ""));
    EXPECT_NE(o.value("message", "").find("consult a doctor"), std::string::npos) << o.dump();
  }
  EXPECT_EQ(rules, (std::set<std::string>{"FU.redness_persisting", "FU.swelling_persisting"}));

  // The clinic's Today list shows the escalation, recorded as the client's.
  const auto due = server_->call({.path = "/api/v1/due", .as = *admin_});
  ASSERT_EQ(due.status, 200) << due.describe();
  bool escalated = false;
  for (const auto& item : due.json["items"]) {
    if (item.value("kind", "") == "escalation" && item.value("client_id", "") == a_->id) escalated = true;
  }
  EXPECT_TRUE(escalated) << due.describe();
}

}  // namespace
}  // namespace needlework::server::testing
