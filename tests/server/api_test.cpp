// The API of `needlework serve` through a real process and a real HTTP client (issue #12, "Tests"): each test
// starts the built binary on a free loopback port over its own temporary database (server_process.hpp) and
// talks to it with libcurl (http_client.hpp). Where the store matters the tests run on SQLite and on
// PostgreSQL (NEEDLEWORK_TEST_PG, as tests/store does); where it does not, on SQLite only.
//
// Time: the server stamps every write with its own clock, so records made through HTTP are "now". What needs
// a past (a follow-up 24 hours after a session, which is what opens an escalation) is made beforehand with
// the CLI's --now on the same database, as a clinic that has used the CLI and then starts the server would
// have.

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <time.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "http_client.hpp"
#include "server_process.hpp"
#include "support/run.hpp"
#include "support/test_database.hpp"

namespace {

namespace fs = std::filesystem;
using needlework::test::HttpClient;
using needlework::test::HttpResponse;
using needlework::test::ServeOptions;
using needlework::test::ServerProcess;
using nlohmann::json;

// Passwords the tests choose: long enough, not on the common list, not a user's name.
constexpr const char* admin_password = "correct horse battery staple 7";
constexpr const char* staff_password = "tulip-orbit-granite-41";
constexpr const char* consent_text =
    "I consent to micro-needling of the face and have read the aftercare sheet.";

/// A UTC date or date-time `days` from now: what the server's clock will also say.
std::string utc(std::chrono::system_clock::time_point t, const char* format) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buffer[64];
  std::strftime(buffer, sizeof buffer, format, &tm);
  return buffer;
}
std::string date_in(int days) {
  return utc(std::chrono::system_clock::now() + std::chrono::days(days), "%Y-%m-%d");
}
std::string time_in(std::chrono::system_clock::duration d) {
  return utc(std::chrono::system_clock::now() + d, "%Y-%m-%dT%H:%M:%SZ");
}

json read_json(const fs::path& p) {
  std::ifstream in(p);
  return json::parse(in);
}

/// An example intake (examples/…) for `id`/`name`, dated `date` with its dermatologist's clearance of that
/// day.
json intake_for(const std::string& example, const std::string& id, const std::string& name,
                const std::string& date) {
  json j = read_json(fs::path(NEEDLEWORK_SOURCE_DIR) / "examples" / example);
  j["client"]["id"] = id;
  j["client"]["name"] = name;
  j["client"]["date_of_birth"] = "1988-03-14";  // as the tests register their clients
  j["date"] = date;
  if (j.contains("dermatologist_clearance")) j["dermatologist_clearance"]["date"] = date;
  return j;
}

/// The id of a created record: the answer's "id", or its only object member's ("roller": {"id": …}).
json id_of(const HttpResponse& r, const std::string& key) {
  const auto j = r.json();
  if (!j.is_object()) return nullptr;
  if (j.contains(key) && j[key].is_object() && j[key].contains("id")) return j[key]["id"];
  if (j.contains("id")) return j["id"];
  return nullptr;
}
std::string id_text(const json& id) { return id.is_string() ? id.get<std::string>() : id.dump(); }

/// The items of a list answer ({"items": […], "next_cursor": …}).
json items_of(const HttpResponse& r) {
  const auto j = r.json();
  if (j.is_object() && j.contains("items") && j["items"].is_array()) return j["items"];
  return json::array();
}

/// Checks an error answer: its status, its code, and (when given) its field; the one error shape throughout.
void expect_error(const HttpResponse& r, long status, const std::string& code,
                  const std::string& field = {}) {
  EXPECT_EQ(r.status, status) << r.describe();
  const auto j = r.json();
  ASSERT_TRUE(j.is_object() && j.contains("error") && j["error"].is_object()) << r.describe();
  const auto& e = j["error"];
  EXPECT_TRUE(e.contains("code") && e.contains("message") && e.contains("field")) << r.describe();
  EXPECT_EQ(e.value("code", ""), code) << r.describe();
  const std::string got_field =
      e.contains("field") && e["field"].is_string() ? e["field"].get<std::string>() : "";
  if (!field.empty()) {
    EXPECT_EQ(got_field, field) << r.describe();
  }
  EXPECT_EQ(r.header("Content-Type").value_or("").find("application/json"), 0u) << r.describe();
}

/// A refusal: 409, code "refused", and the rule it applies (`rule`, or any rule id when `rule` is "*").
void expect_refused(const HttpResponse& r, const std::string& field, const std::string& rule = {}) {
  expect_error(r, 409, "refused", field);
  const auto j = r.json();
  if (rule.empty() || !j.is_object() || !j.contains("error")) return;
  const std::string got = j["error"].value("rule", "");
  if (rule == "*") {
    EXPECT_NE(got.find('.'), std::string::npos) << "a refusal names its rule: " << r.describe();
  } else {
    EXPECT_EQ(got, rule) << r.describe();
  }
}

class ApiTest : public ::testing::Test {
 protected:
  /// The backend (the parameterised suites override it).
  virtual Backend backend() const { return Backend::sqlite; }

  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "nw-api-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    db_.create(backend(), dir_);
  }
  void TearDown() override {
    // A failed test shows what its servers said on stderr (a crash, a sanitizer report).
    if (HasFailure()) {
      for (const auto& s : servers_) {
        std::cerr << "server " << s->pid() << (s->exited() ? " (exited)" : " (running)") << " stdout:\n"
                  << s->output() << "\nstderr:\n"
                  << s->errors() << "\n";
      }
    }
    servers_.clear();  // stop the servers before the database goes
    db_.drop();
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  /// Starts a server on the test's database (another instance when called again).
  ServerProcess& serve(std::vector<std::string> extra = {}) {
    ServeOptions o;
    o.program = NEEDLEWORK_BIN;
    o.database = db_.cli_where();
    o.cwd = dir_;
    extra.insert(extra.begin(), {"--photo-dir", (dir_ / "photos").string()});
    o.extra_args = std::move(extra);
    std::string error;
    auto p = ServerProcess::start(o, error);
    if (!p) {
      ADD_FAILURE() << error;
      throw std::runtime_error("the server did not start");
    }
    servers_.push_back(std::move(p));
    return *servers_.back();
  }

  /// Runs the CLI on the test's database; its stdout, failing the test on a non-zero exit.
  std::string cli(std::vector<std::string> args) {
    needlework::test::RunRequest r;
    r.program = NEEDLEWORK_BIN;
    r.args = {"--db", db_.cli_where(), "--actor", "ana"};
    r.args.insert(r.args.end(), args.begin(), args.end());
    r.cwd = dir_;
    const auto out = needlework::test::run(r);
    EXPECT_EQ(out.exit_code, 0) << fmt::format("{}", fmt::join(args, " ")) << "\n" << out.out << out.err;
    return out.out;
  }

  /// The first admin, logged in with the one-time password the server printed and then with a password of
  /// its own.
  std::unique_ptr<HttpClient> first_admin(ServerProcess& server) {
    auto c = std::make_unique<HttpClient>(server.base_url());
    const auto otp = server.one_time_password();
    EXPECT_FALSE(otp.empty()) << server.output();
    auto login = c->login("admin", otp);
    EXPECT_EQ(login.status, 200) << login.describe();
    EXPECT_EQ(login.json().value("must_change_password", false), true) << login.describe();
    auto changed = c->change_password(otp, admin_password);
    EXPECT_EQ(changed.status, 200) << changed.describe();
    return c;
  }

  /// A staff user made by `admin`, logged in (changing the password the admin set if the server asks to).
  std::unique_ptr<HttpClient> staff(HttpClient& admin, const std::string& name, const std::string& role) {
    auto made = admin.post("/api/v1/users", {{"name", name}, {"role", role}, {"password", staff_password}});
    EXPECT_EQ(made.status, 201) << made.describe();
    auto c = std::make_unique<HttpClient>(admin.base_url());
    auto login = c->login(name, staff_password);
    EXPECT_EQ(login.status, 200) << login.describe();
    if (login.json().value("must_change_password", false)) {
      auto changed = c->change_password(staff_password, std::string(staff_password) + "-own");
      EXPECT_EQ(changed.status, 200) << changed.describe();
    }
    return c;
  }

  // ---- clinic records through HTTP --------------------------------------------------------------------

  void add_client(HttpClient& c, const std::string& id, const std::string& name) {
    auto r = c.post("/api/v1/clients", {{"id", id}, {"name", name}, {"date_of_birth", "1988-03-14"}});
    ASSERT_EQ(r.status, 201) << r.describe();
  }
  void record_intake(HttpClient& c, const std::string& example, const std::string& id,
                     const std::string& name) {
    auto r = c.post("/api/v1/intakes", intake_for(example, id, name, date_in(0)));
    ASSERT_EQ(r.status, 201) << r.describe();
  }
  void sign_consent(HttpClient& c, const std::string& id, const std::string& signer) {
    auto r = c.post("/api/v1/clients/" + id + "/consents", {{"text", consent_text}, {"signer", signer}});
    ASSERT_EQ(r.status, 201) << r.describe();
  }
  /// A new roller (a serial of its own) of `lot`, assigned to `client` unless that is "".
  json roller(HttpClient& c, const std::string& client, double needle_mm = 1.0,
              const std::string& lot = "L-2026-11") {
    const std::string serial = fmt::format("{:04}", ++serial_);
    auto r = c.post("/api/v1/rollers", {{"lot", lot},
                                        {"serial", serial},
                                        {"device", "dermaroller"},
                                        {"needle_count", 192},
                                        {"needle_length_mm", needle_mm},
                                        {"expiry", date_in(400)}});
    EXPECT_EQ(r.status, 201) << r.describe();
    const auto id = id_of(r, "roller");
    EXPECT_FALSE(id.is_null()) << r.describe();
    if (!client.empty()) {
      auto a = c.post("/api/v1/rollers/" + id_text(id) + "/assign", {{"client_id", client}});
      EXPECT_EQ(a.status, 200) << a.describe();
    }
    return id;
  }
  /// A client with an intake that clears face, periorbital and scalp, and a signed consent.
  void ready_client(HttpClient& c, const std::string& id, const std::string& name) {
    add_client(c, id, name);
    record_intake(c, "intake-cleared.json", id, name);
    sign_consent(c, id, name);
  }
  HttpResponse start_session(HttpClient& c, const std::string& client, const json& roller_id,
                             const std::string& area = "face") {
    json body = {{"client_id", client}, {"area", area}, {"roller_id", roller_id}};
    // 1 mm on the face raises the thin-skin warning, which the practitioner acknowledges (scripts/demo.sh).
    if (area == "face") body["acknowledge"] = json::array({"DEPTH.thin_skin"});
    return c.post("/api/v1/sessions", body);
  }

  /// A client treated three days ago, with the CLI's --now on the same database (before the server starts):
  /// its session finished, so its 24-hour follow-up is due now. The session's id.
  std::string past_session(const std::string& id, const std::string& name) {
    const auto day = date_in(-3);
    const auto at = [&](const char* hm) { return day + "T" + hm + ":00Z"; };
    const auto intake_file = dir_ / (id + "-intake.json");
    std::ofstream(intake_file) << intake_for("intake-cleared.json", id, name, day).dump();
    const auto consent_file = dir_ / (id + "-consent.txt");
    std::ofstream(consent_file) << consent_text << "\n";
    cli({"clients", "add", id, "--name", name, "--born", "1988-03-14", "--now", at("08:00")});
    cli({"intake", intake_file.string(), "--now", at("09:00")});
    cli({"consent", "sign", id, "--text-file", consent_file.string(), "--signer", name, "--now",
         at("09:05")});
    cli({"roller", "register", "--lot", "L-2026-10", "--serial", "9001", "--device", "dermaroller",
         "--needles", "192", "--needle-mm", "1.0", "--expiry", date_in(400), "--now", at("09:10")});
    cli({"roller", "assign", "1", id, "--now", at("09:55")});
    const auto started = json::parse(cli({"--json", "session", "start", id, "--area", "face", "--roller", "1",
                                          "--acknowledge", "DEPTH.thin_skin", "--now", at("10:00")}),
                                     nullptr, false);
    json sid = started.is_object() && started.contains("session") ? started["session"]["id"] : json(1);
    cli({"session", "finish", id_text(sid), "--reason", "a test of the follow-up", "--now", at("11:00")});
    return id_text(sid);
  }

  fs::path dir_;
  TestDatabase db_;
  std::vector<std::unique_ptr<ServerProcess>> servers_;
  int serial_ = 0;
};

/// The suites that run on both backends.
class ApiStoreTest : public ApiTest, public ::testing::WithParamInterface<Backend> {
 protected:
  Backend backend() const override { return GetParam(); }
};

class ApiFlow : public ApiStoreTest {};
NEEDLEWORK_INSTANTIATE_STORE_TESTS(ApiFlow);

// ---- the clinic flow of scripts/demo.sh
// ---------------------------------------------------------------------

TEST_P(ApiFlow, TheDemoClinicFlowThroughHttp) {
  const auto past = past_session("C-0009", "Cora Example");
  auto& server = serve();

  // First run: the one-time password opens only the password change.
  HttpClient admin(server.base_url());
  const auto otp = server.one_time_password();
  ASSERT_EQ(otp.size(), 20u) << server.output();
  auto login = admin.login("admin", otp);
  ASSERT_EQ(login.status, 200) << login.describe();
  EXPECT_TRUE(login.json().value("must_change_password", false));
  EXPECT_EQ(login.json()["user"].value("role", ""), "admin");
  const auto first_csrf = admin.csrf_token();
  EXPECT_FALSE(first_csrf.empty());
  const auto cookie = login.header("Set-Cookie").value_or("");
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;
  expect_error(admin.get("/api/v1/clients"), 403, "password_change_required");
  EXPECT_EQ(admin.get("/api/v1/auth/me").status, 200);
  auto changed = admin.change_password(otp, admin_password);
  ASSERT_EQ(changed.status, 200) << changed.describe();
  EXPECT_NE(admin.csrf_token(), first_csrf) << "a password change gives a new CSRF token";
  ASSERT_EQ(admin.get("/api/v1/clients").status, 200);

  // Staff.
  auto pia = staff(admin, "pia", "practitioner");
  auto rita = staff(admin, "rita", "reception");

  // Reception registers the client and her consent; the practitioner records the intake.
  add_client(*rita, "C-0001", "Ana Example");
  auto found = rita->get("/api/v1/clients?q=Ana");
  ASSERT_EQ(found.status, 200) << found.describe();
  ASSERT_EQ(items_of(found).size(), 1u) << found.describe();
  auto intake =
      pia->post("/api/v1/intakes", intake_for("intake-cleared.json", "C-0001", "Ana Example", date_in(0)));
  ASSERT_EQ(intake.status, 201) << intake.describe();
  sign_consent(*rita, "C-0001", "Ana Example");
  auto course = pia->post("/api/v1/clients/C-0001/courses", {{"start", date_in(0)}});
  EXPECT_EQ(course.status, 201) << course.describe();

  // Reception books her next visit (four days on: the course interval holds) and finds it in the diary.
  auto booked = rita->post("/api/v1/appointments", {{"client_id", "C-0001"},
                                                    {"area", "face"},
                                                    {"needle_length_mm", 1.0},
                                                    {"at", time_in(std::chrono::days(4))}});
  ASSERT_EQ(booked.status, 201) << booked.describe();
  auto diary = rita->get("/api/v1/appointments?from=" + time_in(std::chrono::days(3)) +
                         "&to=" + time_in(std::chrono::days(5)));
  ASSERT_EQ(diary.status, 200) << diary.describe();
  EXPECT_EQ(items_of(diary).size(), 1u) << diary.describe();

  // A roller from a lot, assigned to her alone; the session with the acknowledged warning.
  const auto roller_id = roller(*pia, "C-0001");
  auto started = start_session(*pia, "C-0001", roller_id);
  ASSERT_EQ(started.status, 201) << started.describe();
  const auto sj = started.json();
  ASSERT_TRUE(sj.contains("session") && sj.contains("protocol")) << started.describe();
  const auto session_id = id_text(sj["session"]["id"]);

  for (const char* step :
       {"STEP.check_roller", "STEP.check_consultation", "STEP.cleanse", "STEP.anaesthetic",
        "STEP.anaesthetic_wait", "STEP.disinfect", "STEP.roll", "STEP.mask", "STEP.sunscreen"}) {
    auto s = pia->post("/api/v1/sessions/" + session_id + "/steps", {{"step", step}});
    EXPECT_LT(s.status, 300) << step << ": " << s.describe();
  }
  auto chart = pia->post("/api/v1/sessions/" + session_id + "/chart",
                         {{"passes", 15}, {"dose_from_physics", true}, {"notes", "even coverage"}});
  ASSERT_EQ(chart.status, 200) << chart.describe();
  EXPECT_NE(chart.body.find("dose"), std::string::npos) << "the dose comes from the physics engine";

  // A zone of the face charted on its own: its dose from physics on that region, listed with the session, and
  // its heatmap drawn again from what was stored.
  const std::string zones_url = "/api/v1/sessions/" + session_id;
  auto zone = pia->post(zones_url + "/chart", {{"zone", "cheek"}, {"passes", 10}});
  ASSERT_EQ(zone.status, 200) << zone.describe();
  expect_error(pia->post(zones_url + "/chart", {{"zone", "neck"}, {"passes", 10}}), 422, "invalid_value",
               "zone");
  expect_error(pia->post(zones_url + "/chart", {{"zone", 7}}), 422, "invalid_value", "zone");
  auto detail = pia->get(zones_url);
  ASSERT_EQ(detail.status, 200) << detail.describe();
  ASSERT_EQ(detail.json()["zones"].size(), 1u) << detail.describe();
  const auto cheek = detail.json()["zones"][0];
  EXPECT_EQ(cheek["zone"], "cheek");
  EXPECT_EQ(cheek["passes"], 10);
  EXPECT_GT(cheek["density_per_cm2"].get<double>(), 0.0);
  EXPECT_TRUE(cheek["layers"].contains("papillary_dermis")) << detail.describe();
  auto heatmap = pia->get(zones_url + "/zones/cheek/heatmap.png");
  ASSERT_EQ(heatmap.status, 200) << heatmap.describe();
  EXPECT_EQ(heatmap.header("Content-Type").value_or(""), "image/png");
  ASSERT_GT(heatmap.body.size(), 8u);
  EXPECT_EQ(heatmap.body.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(pia->get(zones_url + "/zones/cheek/heatmap.png").body, heatmap.body) << "drawn the same again";
  auto scaled = pia->get(zones_url + "/zones/cheek/heatmap.png?heatmap_max=2000");
  ASSERT_EQ(scaled.status, 200) << scaled.describe();
  EXPECT_NE(scaled.body, heatmap.body) << "heatmap_max sets the top of the colour scale";
  expect_error(pia->get(zones_url + "/zones/cheek/heatmap.png?heatmap_max=-1"), 422, "out_of_range",
               "heatmap_max");
  expect_error(pia->get(zones_url + "/zones/nose/heatmap.png"), 404, "not_found", "zone");
  EXPECT_EQ(rita->get(zones_url + "/zones/cheek/heatmap.png").status, 403) << "clinical roles only";

  auto finished = pia->post("/api/v1/sessions/" + session_id + "/finish", json::object());
  ASSERT_EQ(finished.status, 200) << finished.describe();
  expect_refused(pia->post(zones_url + "/chart", {{"zone", "forehead"}, {"passes", 10}}), "session",
                 "RECORD.session_finished");
  auto shown = pia->get("/api/v1/sessions/" + session_id);
  ASSERT_EQ(shown.status, 200) << shown.describe();
  EXPECT_EQ(shown.json()["zones"].size(), 1u) << "a refused zone is not stored";
  auto history = rita->get("/api/v1/clients/C-0001/history");
  ASSERT_EQ(history.status, 200) << history.describe();
  EXPECT_NE(history.body.find(session_id), std::string::npos);

  // A photo after the session: the raw PNG as the body, listed, and downloaded byte for byte.
  const std::string png = std::string("\x89PNG\r\n\x1a\n", 8) + std::string(200, '\x07');
  auto photo = pia->request("POST", "/api/v1/clients/C-0001/photos?kind=after&session_id=" + session_id, png,
                            "image/png");
  ASSERT_EQ(photo.status, 201) << photo.describe();
  auto photos = pia->get("/api/v1/clients/C-0001/photos");
  ASSERT_EQ(items_of(photos).size(), 1u) << photos.describe();
  auto image = pia->get("/api/v1/clients/C-0001/photos/" + id_text(id_of(photo, "photo")) + "/image");
  EXPECT_EQ(image.status, 200) << image.describe();
  EXPECT_EQ(image.body, png);
  EXPECT_EQ(image.header("Content-Type").value_or(""), "image/png");

  // The aftercare sheet waits in the outbox until someone marks it sent.
  auto outbox = pia->get("/api/v1/outbox");
  ASSERT_EQ(outbox.status, 200) << outbox.describe();
  ASSERT_FALSE(items_of(outbox).empty()) << outbox.describe();
  const auto message_id = id_text(items_of(outbox)[0]["id"]);
  auto sent = pia->post("/api/v1/outbox/" + message_id + "/sent");
  EXPECT_EQ(sent.status, 200) << sent.describe();

  // The client treated three days ago: her 24-hour follow-up is due; redness that persists sends her to a
  // doctor, which opens an escalation that stays open until a user closes it.
  auto due = rita->get("/api/v1/due");
  ASSERT_EQ(due.status, 200) << due.describe();
  EXPECT_NE(due.body.find("C-0009"), std::string::npos) << due.describe();
  auto followup = pia->post("/api/v1/sessions/" + past + "/followups",
                            {{"observations", json::array({"redness", "dryness"})}});
  ASSERT_EQ(followup.status, 201) << followup.describe();
  EXPECT_NE(followup.body.find("see_doctor"), std::string::npos) << followup.describe();
  EXPECT_NE(followup.body.find("FU.redness_persisting"), std::string::npos) << followup.describe();
  auto escalations = pia->get("/api/v1/escalations");
  ASSERT_EQ(escalations.status, 200) << escalations.describe();
  ASSERT_EQ(items_of(escalations).size(), 1u) << escalations.describe();
  const auto escalation_id = id_text(items_of(escalations)[0]["id"]);
  auto closed =
      pia->post("/api/v1/escalations/" + escalation_id + "/close", {{"note", "seen; cold compress"}});
  ASSERT_EQ(closed.status, 200) << closed.describe();
  EXPECT_EQ(closed.json().dump().find("\"pia\"") != std::string::npos, true)
      << "the escalation is closed by the authenticated user: " << closed.describe();

  // Every write is in the audit log, under the user who made it, and the chain verifies.
  auto audit = admin.get("/api/v1/audit");
  ASSERT_EQ(audit.status, 200) << audit.describe();
  EXPECT_NE(audit.body.find("\"rita\""), std::string::npos) << "the audit names the authenticated user";
  auto verify = admin.get("/api/v1/audit/verify");
  ASSERT_EQ(verify.status, 200) << verify.describe();
  EXPECT_EQ(verify.json().value("ok", false), true) << verify.describe();
}

// ---- every refusal of the records issue, through HTTP ----------------------------------------------------

TEST_P(ApiFlow, EveryRefusalAnswers409NamingItsRule) {
  auto& server = serve();
  auto admin = first_admin(server);
  auto pia = staff(*admin, "pia", "practitioner");
  auto rita = staff(*admin, "rita", "reception");

  // No consent: refused until she signs one.
  add_client(*pia, "C-0001", "Ana Example");
  record_intake(*pia, "intake-cleared.json", "C-0001", "Ana Example");
  const auto r1 = roller(*pia, "C-0001");
  expect_refused(start_session(*pia, "C-0001", r1), "consent", "RECORD.consent_missing");
  sign_consent(*pia, "C-0001", "Ana Example");

  // Another client's roller: assigning it is refused (HYG.single_client), and so is using it.
  ready_client(*pia, "C-0002", "Bea Example");
  auto cross = pia->post("/api/v1/rollers/" + id_text(r1) + "/assign", {{"client_id", "C-0002"}});
  expect_refused(cross, "roller", "HYG.single_client");
  expect_refused(start_session(*pia, "C-0002", r1), "roller", "HYG.single_client");

  // A needle too long for the area (1 mm around the eyes), next to the allowed one.
  auto too_long = start_session(*pia, "C-0002", roller(*pia, "C-0002", 1.0), "periorbital");
  expect_refused(too_long, "needle_length_mm", "LIMIT.periorbital");
  auto short_needle = start_session(*pia, "C-0002", roller(*pia, "C-0002", 0.25), "periorbital");
  ASSERT_EQ(short_needle.status, 201) << short_needle.describe();

  // Interval too short: a second face session the same day (COURSE.default), after an allowed first.
  auto first = start_session(*pia, "C-0001", r1);
  ASSERT_EQ(first.status, 201) << first.describe();
  const auto first_id = id_text(first.json()["session"]["id"]);
  ASSERT_EQ(
      pia->post("/api/v1/sessions/" + first_id + "/finish", {{"missing_steps_reason", "a test"}}).status,
      200);
  expect_refused(start_session(*pia, "C-0001", roller(*pia, "C-0001")), "", "COURSE.default");

  // A contraindicated client: the intake is recorded with its screening, which does not clear her.
  add_client(*pia, "C-0003", "Cleo Example");
  auto intake = pia->post("/api/v1/intakes",
                          intake_for("intake-contraindicated.json", "C-0003", "Cleo Example", date_in(0)));
  ASSERT_EQ(intake.status, 201) << intake.describe();
  EXPECT_NE(intake.body.find("CI.diabetes"), std::string::npos) << intake.describe();
  sign_consent(*pia, "C-0003", "Cleo Example");
  expect_refused(start_session(*pia, "C-0003", roller(*pia, "C-0003")), "area", "CI.diabetes");

  // An expired roller is refused at its registration: a record-keeping rule, in no pack.
  auto expired = pia->post("/api/v1/rollers", {{"lot", "L-2026-11"},
                                               {"serial", "EXPIRED-1"},
                                               {"device", "dermaroller"},
                                               {"needle_count", 192},
                                               {"needle_length_mm", 1.0},
                                               {"expiry", date_in(-1)}});
  expect_refused(expired, "expiry", "RECORD.roller_expired");

  // A recalled lot: recording the recall answers what the lot touched with the recall itself; from then on a
  // roller of the lot is refused for a session (RECORD.lot_recalled: the lot, the recall's date and reason,
  // and to dispose of it), and so is registering another of the lot. Reception may not record a recall.
  const auto recalled = roller(*pia, "C-0002", 0.25, "L-RECALL");
  const json notice{{"lot", "L-RECALL"}, {"reason", "sterility failure (maker's notice 12/2026)"}};
  expect_error(rita->post("/api/v1/recalls", notice), 403, "forbidden");
  auto before = pia->get("/api/v1/recalls/L-RECALL");
  ASSERT_EQ(before.status, 200) << before.describe();
  EXPECT_TRUE(before.json()["recall"].is_null()) << before.describe();
  auto recall = pia->post("/api/v1/recalls", notice);
  ASSERT_EQ(recall.status, 201) << recall.describe();
  const auto doc = recall.json();
  EXPECT_EQ(doc["recall"]["reason"], notice["reason"]) << recall.describe();
  EXPECT_EQ(doc["recall"].value("recorded_by", ""), "pia") << recall.describe();
  EXPECT_EQ(doc["clients"], json::array({"C-0002"})) << "who was touched: " << recall.describe();
  EXPECT_EQ(doc["rollers"].size(), 1u) << recall.describe();
  auto read = pia->get("/api/v1/recalls/L-RECALL");
  ASSERT_EQ(read.status, 200) << read.describe();
  EXPECT_EQ(read.json()["recall"], doc["recall"]) << read.describe();
  // The list of recalls (what Today shows): this one, as recorded; reception may not read it.
  auto recalls = pia->get("/api/v1/recalls");
  ASSERT_EQ(recalls.status, 200) << recalls.describe();
  ASSERT_EQ(recalls.json()["items"].size(), 1u) << recalls.describe();
  EXPECT_EQ(recalls.json()["items"][0], doc["recall"]) << recalls.describe();
  expect_error(rita->get("/api/v1/recalls"), 403, "forbidden");
  auto refused = start_session(*pia, "C-0002", recalled, "periorbital");
  expect_refused(refused, "roller", "RECORD.lot_recalled");
  for (const std::string part : {"L-RECALL", "sterility failure", "dispose"}) {
    EXPECT_NE(refused.body.find(part), std::string::npos) << part << ": " << refused.describe();
  }
  auto another = pia->post("/api/v1/rollers", {{"lot", "L-RECALL"},
                                               {"serial", "AFTER-1"},
                                               {"device", "dermaroller"},
                                               {"needle_count", 192},
                                               {"needle_length_mm", 0.25},
                                               {"expiry", date_in(400)}});
  expect_refused(another, "lot", "RECORD.lot_recalled");
  expect_error(pia->post("/api/v1/recalls", notice), 422, "invalid_value", "lot");
  auto disposed =
      pia->post("/api/v1/rollers/" + id_text(recalled) + "/dispose", {{"reason", "lot L-RECALL recalled"}});
  ASSERT_EQ(disposed.status, 200) << "a recalled roller is disposed of: " << disposed.describe();
  auto verify = admin->get("/api/v1/audit/verify");
  ASSERT_EQ(verify.status, 200) << verify.describe();
  EXPECT_EQ(verify.json().value("ok", false), true) << "the recall is audited: " << verify.describe();

  // Reception may register and book, but not chart or start a session.
  auto chart = rita->post("/api/v1/sessions/" + id_text(short_needle.json()["session"]["id"]) + "/chart",
                          {{"passes", 3}});
  expect_error(chart, 403, "forbidden");
  expect_error(start_session(*rita, "C-0002", roller(*pia, "C-0002")), 403, "forbidden");
  expect_error(rita->post("/api/v1/screen", intake_for("intake-cleared.json", "C-0004", "Dee", date_in(0))),
               403, "forbidden");
}

// ---- SIGTERM ---------------------------------------------------------------------------------------------

TEST_P(ApiFlow, AClientIsEditedTheAuditIsFilteredAndABaselinePhotoKeepsItsArea) {
  auto& server = serve();
  auto admin = first_admin(server);
  auto rita = staff(*admin, "rita", "reception");
  auto pia = staff(*admin, "pia", "practitioner");
  auto added = rita->post("/api/v1/clients", {{"id", "C-0001"},
                                              {"name", "Ana Example"},
                                              {"email", "ana@example.org"},
                                              {"phone", "+44 20 7946 0958"}});
  ASSERT_EQ(added.status, 201) << added.describe();
  EXPECT_EQ(added.json().value("email", ""), "ana@example.org");

  // Reception edits (the roles of POST /clients): only what is sent changes; null removes the email.
  auto edited = rita->request("PATCH", "/api/v1/clients/C-0001",
                              json{{"name", "Ana Example-Smith"}, {"phone", "020 7946 0000"}}.dump(),
                              "application/json");
  ASSERT_EQ(edited.status, 200) << edited.describe();
  EXPECT_EQ(edited.json().value("name", ""), "Ana Example-Smith");
  EXPECT_EQ(edited.json().value("phone", ""), "020 7946 0000");
  EXPECT_EQ(edited.json().value("email", ""), "ana@example.org");
  auto cleared =
      rita->request("PATCH", "/api/v1/clients/C-0001", json{{"email", nullptr}}.dump(), "application/json");
  ASSERT_EQ(cleared.status, 200) << cleared.describe();
  EXPECT_FALSE(cleared.json().contains("email")) << cleared.describe();
  auto shown = rita->get("/api/v1/clients/C-0001");
  EXPECT_EQ(shown.json().value("phone", ""), "020 7946 0000");
  EXPECT_FALSE(shown.json().contains("email"));

  // Bad values name their field and change nothing; an unknown client is 404, an unknown field 400.
  const auto patch = [&](const json& body, const std::string& id = "C-0001") {
    return rita->request("PATCH", "/api/v1/clients/" + id, body.dump(), "application/json");
  };
  expect_error(patch({{"email", "ana.example.org"}, {"phone", "020 7946 1111"}}), 422, "invalid_value",
               "email");
  expect_error(patch({{"phone", "12"}}), 422, "invalid_value", "phone");
  expect_error(patch({{"name", ""}}), 422, "invalid_value", "name");
  expect_error(patch({{"date_of_birth", date_in(2)}}), 422, "out_of_range", "date_of_birth");
  expect_error(patch({{"nickname", "Ana"}}), 400, "unknown_field", "nickname");
  expect_error(patch({{"phone", "020 7946 1111"}}, "C-404"), 404, "not_found");
  EXPECT_EQ(rita->get("/api/v1/clients/C-0001").json().value("phone", ""), "020 7946 0000");

  // A baseline photo, before any session, with its own area; an area the pack does not know is refused.
  const std::string png = std::string("\x89PNG\r\n\x1a\n", 8) + std::string(64, '\x07');
  auto photo = pia->request("POST", "/api/v1/clients/C-0001/photos?kind=before&area=face", png, "image/png");
  ASSERT_EQ(photo.status, 201) << photo.describe();
  EXPECT_EQ(photo.json().value("area", ""), "face");
  EXPECT_EQ(items_of(pia->get("/api/v1/clients/C-0001/photos"))[0].value("area", ""), "face");
  expect_error(pia->request("POST", "/api/v1/clients/C-0001/photos?kind=before&area=elbow", png, "image/png"),
               422, "unknown_id", "area");

  // The audit log filtered on the server: each filter, and together; bad values name their parameter.
  const auto seqs = [&](const std::string& query) {
    auto r = admin->get("/api/v1/audit?limit=500&" + query);
    EXPECT_EQ(r.status, 200) << r.describe();
    std::vector<std::int64_t> out;
    for (const auto& e : items_of(r)) out.push_back(e.value("seq", std::int64_t{0}));
    return out;
  };
  const auto all = items_of(admin->get("/api/v1/audit?limit=500"));
  const auto expected = [&](const std::function<bool(const json&)>& keep) {
    std::vector<std::int64_t> out;
    for (const auto& e : all)
      if (keep(e)) out.push_back(e.value("seq", std::int64_t{0}));
    return out;
  };
  const auto updates_of_ana = expected([](const json& e) {
    return e.value("entity", "") == "clients" && e.value("entity_id", "") == "C-0001" &&
           e.value("action", "") == "update";
  });
  EXPECT_EQ(updates_of_ana.size(), 2u);
  EXPECT_EQ(seqs("table=clients&record=C-0001&action=update"), updates_of_ana);
  EXPECT_EQ(seqs("actor=rita"), expected([](const json& e) { return e.value("actor", "") == "rita"; }));
  EXPECT_EQ(seqs("table=photos"), expected([](const json& e) { return e.value("entity", "") == "photos"; }));
  EXPECT_EQ(seqs("record=C-0001"),
            expected([](const json& e) { return e.value("entity_id", "") == "C-0001"; }));
  EXPECT_EQ(seqs("action=insert"), expected([](const json& e) { return e.value("action", "") == "insert"; }));
  EXPECT_EQ(seqs("from=" + time_in(std::chrono::hours(1))), std::vector<std::int64_t>{});
  EXPECT_EQ(seqs("to=" + time_in(std::chrono::hours(1))), expected([](const json&) { return true; }));
  EXPECT_EQ(seqs("from=" + time_in(-std::chrono::hours(1)) + "&to=" + time_in(std::chrono::hours(1))),
            expected([](const json&) { return true; }));
  // Paged through the cursor, a filtered listing gives the same entries.
  auto first = admin->get("/api/v1/audit?limit=1&table=clients&record=C-0001&action=update");
  ASSERT_EQ(items_of(first).size(), 1u) << first.describe();
  const auto cursor = first.json().value("next_cursor", "");
  ASSERT_FALSE(cursor.empty()) << first.describe();
  auto second =
      admin->get("/api/v1/audit?limit=1&table=clients&record=C-0001&action=update&cursor=" + cursor);
  ASSERT_EQ(items_of(second).size(), 1u) << second.describe();
  EXPECT_EQ(items_of(second)[0].value("seq", std::int64_t{0}), updates_of_ana[1]);
  expect_error(admin->get("/api/v1/audit?from=yesterday"), 422, "invalid_value", "from");
  expect_error(admin->get("/api/v1/audit?to=2026-13-01T00:00:00Z"), 422, "invalid_value", "to");
  expect_error(admin->get("/api/v1/audit?table=passwords"), 422, "invalid_value", "table");
  expect_error(admin->get("/api/v1/audit?who=rita"), 400, "unknown_field", "who");

  auto verify = admin->get("/api/v1/audit/verify");
  EXPECT_EQ(verify.json().value("ok", false), true) << verify.describe();
}

TEST_P(ApiFlow, AWriteAcknowledgedBeforeSigtermIsInTheDatabaseAfterExit) {
  auto& server = serve();
  auto admin = first_admin(server);
  auto r = admin->post("/api/v1/clients", {{"id", "C-0042"}, {"name", "Greta Example"}});
  ASSERT_EQ(r.status, 201) << r.describe();

  // Writes keep coming from two clients while the signal arrives: each one acknowledged (201) must be in the
  // database after the exit; the others were refused (503 while draining) or found the server gone.
  constexpr int writers = 2;
  std::vector<std::unique_ptr<HttpClient>> clients;
  for (int w = 0; w < writers; ++w) {
    clients.push_back(std::make_unique<HttpClient>(server.base_url()));
    clients.back()->copy_session_from(*admin);
  }
  std::vector<std::vector<std::string>> acknowledged(writers);
  std::atomic<int> acks{0}, finished{0};
  {
    std::vector<std::jthread> threads;
    for (int w = 0; w < writers; ++w) {
      threads.emplace_back([&, w] {
        for (int i = 0; i < 2000; ++i) {
          const auto id = fmt::format("T{}-{:04}", w, i);
          const auto a = clients[w]->post("/api/v1/clients", {{"id", id}, {"name", "Signal Example"}});
          if (a.status != 201) {
            EXPECT_TRUE(a.status == 0 || a.status == 503) << a.describe();
            break;
          }
          acknowledged[w].push_back(id);
          ++acks;
        }
        ++finished;
      });
    }
    // Signal once writes are flowing (polled: the writers stop by themselves if they never do).
    while (acks.load() < 20 && finished.load() < writers)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    EXPECT_EQ(server.stop(), 0) << server.errors();
  }

  // Re-open the database with the CLI: every acknowledged write is there.
  const auto shown = cli({"--json", "clients", "show", "C-0042"});
  EXPECT_NE(shown.find("Greta Example"), std::string::npos) << shown;
  const auto found = json::parse(cli({"--json", "clients", "find", "T"}), nullptr, false);
  ASSERT_TRUE(found.is_array()) << found;
  std::set<std::string> stored;
  for (const auto& c : found) stored.insert(c.value("id", ""));
  std::size_t total = 0;
  for (const auto& ids : acknowledged) {
    total += ids.size();
    for (const auto& id : ids)
      EXPECT_TRUE(stored.contains(id)) << id << " was acknowledged but is not stored";
  }
  EXPECT_GE(total, 20u);
}

// ---- scale-out: two instances on one PostgreSQL database -----------------------------------------------

class ApiScaleOut : public ApiStoreTest {};
NEEDLEWORK_INSTANTIATE_STORE_TESTS_ON(ApiScaleOut, Backend::postgres);

TEST_P(ApiScaleOut, TwoInstancesOnOneDatabaseShareRollersLoginsAndTheAuditChain) {
  auto& a = serve();
  auto admin = first_admin(a);
  auto& b = serve();
  EXPECT_TRUE(b.one_time_password(std::chrono::milliseconds(0)).empty())
      << "the second instance finds the first admin and makes none";

  // A login on A is valid on B: the same cookie and CSRF token.
  HttpClient admin_b(b.base_url());
  admin_b.copy_session_from(*admin);
  auto me = admin_b.get("/api/v1/auth/me");
  ASSERT_EQ(me.status, 200) << me.describe();
  EXPECT_EQ(me.json()["user"].value("name", ""), "admin") << me.describe();

  ready_client(*admin, "C-A", "Ana Example");
  ready_client(admin_b, "C-B", "Bea Example");
  // A roller assigned to A through one instance is refused for B through the other.
  const auto r = roller(*admin, "C-A");
  expect_refused(admin_b.post("/api/v1/rollers/" + id_text(r) + "/assign", {{"client_id", "C-B"}}), "roller",
                 "HYG.single_client");
  expect_refused(start_session(admin_b, "C-B", r), "roller", "HYG.single_client");

  // Concurrent writes through both, then the chain verifies: four clients (two on each instance) with the
  // same login, each on a thread of its own.
  constexpr int writers = 4, writes = 25;
  std::vector<std::unique_ptr<HttpClient>> clients;
  for (int w = 0; w < writers; ++w) {
    clients.push_back(std::make_unique<HttpClient>(w % 2 == 0 ? a.base_url() : b.base_url()));
    clients.back()->copy_session_from(*admin);
  }
  std::vector<std::vector<long>> statuses(writers);
  {
    std::vector<std::jthread> threads;
    for (int w = 0; w < writers; ++w) {
      threads.emplace_back([&, w] {
        for (int i = 0; i < writes; ++i) {
          auto made = clients[w]->post("/api/v1/clients",
                                       {{"id", fmt::format("W{}-{}", w, i)}, {"name", "Concurrent Example"}});
          statuses[w].push_back(made.status);
        }
      });
    }
  }
  for (const auto& s : statuses) {
    ASSERT_EQ(s.size(), static_cast<std::size_t>(writes));
    for (long st : s) EXPECT_EQ(st, 201);
  }
  auto verify = admin_b.get("/api/v1/audit/verify");
  ASSERT_EQ(verify.status, 200) << verify.describe();
  EXPECT_EQ(verify.json().value("ok", false), true) << verify.describe();
  auto listed = admin->get("/api/v1/clients?limit=500");
  EXPECT_EQ(items_of(listed).size(), static_cast<std::size_t>(2 + writers * writes))
      << "both instances' writes are in the one database";
}

// ---- bad bodies, routes and methods (SQLite only: the store plays no part) --------------------------------

class ApiRequests : public ApiTest {};

TEST_F(ApiRequests, BadBodiesRoutesAndMethodsAnswerTheirStatusInTheOneErrorShape) {
  auto& server = serve({"--max-body-bytes", "65536"});
  auto admin = first_admin(server);

  expect_error(admin->request("POST", "/api/v1/clients", "{\"id\": \"C-1\",", "application/json"), 400,
               "parse_error", "body");
  expect_error(admin->post("/api/v1/clients", {{"id", "C-1"}, {"name", "Ana"}, {"nickname", "A"}}), 400,
               "unknown_field", "nickname");
  expect_error(admin->post("/api/v1/clients", {{"id", "C-1"}, {"name", 42}}), 422, "invalid_value", "name");
  expect_error(admin->post("/api/v1/rollers", {{"lot", "L-1"},
                                               {"serial", "1"},
                                               {"device", "dermaroller"},
                                               {"needle_count", "many"},
                                               {"needle_length_mm", 1.0},
                                               {"expiry", date_in(400)}}),
               422, "invalid_value", "needle_count");
  const std::string big = json{{"id", "C-1"}, {"name", std::string(70000, 'x')}}.dump();
  expect_error(admin->request("POST", "/api/v1/clients", big, "application/json"), 413, "too_large");
  expect_error(admin->request("POST", "/api/v1/clients", "id=C-1", "application/x-www-form-urlencoded"), 415,
               "unsupported_media_type");
  expect_error(admin->request("POST", "/api/v1/clients/C-1/photos?kind=before", "GIF89a", "image/gif"), 415,
               "unsupported_media_type");
  ASSERT_EQ(admin->post("/api/v1/clients", {{"id", "C-1"}, {"name", "Ana Example"}}).status, 201);
  expect_error(
      admin->request("POST", "/api/v1/clients/C-1/photos?kind=before", "GIF89a not a PNG", "image/png"), 422,
      "invalid_value", "file");
  expect_error(admin->get("/api/v1/clients?colour=red"), 400, "unknown_field", "colour");
  expect_error(admin->get("/api/v1/no-such-thing"), 404, "not_found");
  expect_error(admin->get("/api/v1/clients/C-404"), 404, "not_found");
  auto wrong = admin->request("DELETE", "/api/v1/clients");
  expect_error(wrong, 405, "method_not_allowed");
  const auto allow = wrong.header("Allow").value_or("");
  EXPECT_NE(allow.find("GET"), std::string::npos) << allow;
  EXPECT_NE(allow.find("POST"), std::string::npos) << allow;

  // None of the refused bodies was stored: the one good client only.
  EXPECT_EQ(items_of(admin->get("/api/v1/clients")).size(), 1u);

  // Every answer carries the security headers.
  auto health = admin->get("/api/v1/health");
  EXPECT_EQ(health.status, 200);
  EXPECT_NE(health.header("Content-Security-Policy").value_or("").find("default-src 'self'"),
            std::string::npos);
  EXPECT_EQ(health.header("X-Content-Type-Options").value_or(""), "nosniff");
  EXPECT_EQ(health.header("Referrer-Policy").value_or(""), "no-referrer");
  EXPECT_EQ(health.header("Cache-Control").value_or(""), "no-store");
  EXPECT_EQ(admin->get("/api/v1/openapi.json").json().value("openapi", "").rfind("3.1", 0), 0u);
}

// ---- the app's files
// ----------------------------------------------------------------------------------------

namespace {
void write_file(const fs::path& p, const std::string& bytes) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << bytes;
}
}  // namespace

TEST_F(ApiRequests, TheWebRootIsServedWithTypesEtagsCachingGzipAndNothingOutsideIt) {
  const auto root = dir_ / "web";
  const std::string index = "<!doctype html><title>Needlework</title>";
  const std::string script = "console.log('needlework');\n";
  const std::string gzipped = std::string("\x1f\x8b", 2) + "not really deflate, but what was put there";
  write_file(root / "index.html", index);
  write_file(root / "assets" / "main-Ab12Cd34.js", script);
  write_file(root / "assets" / "main-Ab12Cd34.js.gz", gzipped);
  write_file(dir_ / "secret.txt", "outside the web root");
  fs::create_symlink(dir_ / "secret.txt", root / "leak.txt");
  auto& server = serve({"--web-root", root.string()});
  HttpClient browser(server.base_url());

  // The page: its type, a strong ETag, revalidated every time (its name does not change with its content).
  auto page = browser.get("/");
  ASSERT_EQ(page.status, 200) << page.describe();
  EXPECT_EQ(page.body, index);
  EXPECT_EQ(page.header("Content-Type").value_or(""), "text/html; charset=utf-8");
  EXPECT_EQ(page.header("Cache-Control").value_or(""), "no-cache");
  const auto etag = page.header("ETag").value_or("");
  EXPECT_EQ(etag.size(), 66u) << etag;  // "…" around a SHA-256 in hex
  EXPECT_EQ(etag.front(), '"');
  EXPECT_NE(page.header("Content-Security-Policy").value_or("").find("default-src 'self'"),
            std::string::npos);
  // Sent back, the ETag gives 304 without a body.
  auto again = browser.request("GET", "/", {}, {}, {"If-None-Match: " + etag});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  // A route of the app (no extension, no such file) is the page too, so a reload of /clients/C-1 works.
  EXPECT_EQ(browser.get("/clients/C-1").body, index);

  // A hashed asset: cached for a year, immutable; its precompressed twin only for a client that takes gzip.
  auto plain = browser.get("/assets/main-Ab12Cd34.js");
  ASSERT_EQ(plain.status, 200);
  EXPECT_EQ(plain.body, script);
  EXPECT_EQ(plain.header("Content-Type").value_or(""), "text/javascript; charset=utf-8");
  EXPECT_EQ(plain.header("Cache-Control").value_or(""), "public, max-age=31536000, immutable");
  EXPECT_FALSE(plain.header("Content-Encoding").has_value());
  auto zipped = browser.request("GET", "/assets/main-Ab12Cd34.js", {}, {}, {"Accept-Encoding: gzip, br"});
  ASSERT_EQ(zipped.status, 200);
  EXPECT_EQ(zipped.body, gzipped);
  EXPECT_EQ(zipped.header("Content-Encoding").value_or(""), "gzip");
  EXPECT_EQ(zipped.header("Vary").value_or(""), "Accept-Encoding");
  // HEAD: the headers, no body.
  auto head = browser.request("HEAD", "/assets/main-Ab12Cd34.js");
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());

  // Nothing outside the root: a symlink that leads out, an escaped "..", a missing file with an extension.
  expect_error(browser.get("/leak.txt"), 404, "not_found");
  expect_error(browser.get("/assets/%2e%2e/%2e%2e/secret.txt"), 404, "not_found");
  expect_error(browser.get("/assets/missing-Zz99Yy88.js"), 404, "not_found");
  // The API's namespace never falls back to the page.
  expect_error(browser.get("/api/v1/no-such-thing"), 404, "not_found");
}

// ---- authentication
// ----------------------------------------------------------------------------------------

TEST_F(ApiRequests, SessionsKeysCsrfPasswordChangesAndThrottling) {
  auto& server = serve();
  auto admin = first_admin(server);

  // No session.
  HttpClient nobody(server.base_url());
  expect_error(nobody.get("/api/v1/clients"), 401, "unauthorized");
  EXPECT_EQ(nobody.get("/api/v1/health").status, 200) << "health is public";

  // A write with the cookie but without the CSRF token.
  const auto token = admin->csrf_token();
  admin->set_csrf_token("");
  expect_error(admin->post("/api/v1/clients", {{"id", "C-1"}, {"name", "Ana Example"}}), 403, "csrf");
  admin->set_csrf_token("not-the-token");
  expect_error(admin->post("/api/v1/clients", {{"id", "C-1"}, {"name", "Ana Example"}}), 403, "csrf");
  admin->set_csrf_token(token);
  ASSERT_EQ(admin->post("/api/v1/clients", {{"id", "C-1"}, {"name", "Ana Example"}}).status, 201);

  // An ended session: log out, then replay the cookie.
  auto pia = staff(*admin, "pia", "practitioner");
  const auto cookie = pia->cookie("nw_session");
  ASSERT_FALSE(cookie.empty());
  ASSERT_EQ(pia->request("GET", "/api/v1/clients").status, 200);
  EXPECT_EQ(pia->post("/api/v1/auth/logout").status, 204);
  HttpClient replay(server.base_url());
  expect_error(replay.request("GET", "/api/v1/clients", {}, {}, {"Cookie: nw_session=" + cookie}), 401,
               "unauthorized");

  // API keys: a bearer key works until it is revoked.
  auto key = admin->post("/api/v1/api-keys", {{"label", "front desk importer"}});
  ASSERT_EQ(key.status, 201) << key.describe();
  const auto key_text = key.json().value("key", "");
  const auto key_id = id_text(key.json()["id"]);
  HttpClient machine(server.base_url());
  machine.set_bearer(key_text);
  EXPECT_EQ(machine.get("/api/v1/clients").status, 200);
  EXPECT_EQ(machine.post("/api/v1/clients", {{"id", "C-2"}, {"name", "Bea Example"}}).status, 201)
      << "a key needs no CSRF token";
  EXPECT_EQ(admin->del("/api/v1/api-keys/" + key_id).status / 100, 2);
  expect_error(machine.get("/api/v1/clients"), 401, "unauthorized");
  machine.set_bearer("nwk_made_up");
  expect_error(machine.get("/api/v1/clients"), 401, "unauthorized");

  // A password change ends the user's other sessions, not the one that changed it.
  HttpClient tablet(server.base_url()), desk(server.base_url());
  ASSERT_EQ(tablet.login("admin", admin_password).status, 200);
  ASSERT_EQ(desk.login("admin", admin_password).status, 200);
  ASSERT_EQ(desk.get("/api/v1/clients").status, 200);
  const std::string next = std::string(admin_password) + " again";
  ASSERT_EQ(tablet.change_password(admin_password, next).status, 200);
  EXPECT_EQ(tablet.get("/api/v1/clients").status, 200);
  expect_error(desk.get("/api/v1/clients"), 401, "unauthorized");
  expect_error(admin->get("/api/v1/clients"), 401, "unauthorized");

  // Failed logins: 401 each, then 429 with Retry-After for the account, even with the right password.
  HttpClient guesser(server.base_url());
  for (int i = 0; i < 5; ++i)
    expect_error(guesser.login("pia", "wrong password " + std::to_string(i)), 401, "unauthorized");
  auto throttled = guesser.login("pia", std::string(staff_password));
  EXPECT_EQ(throttled.status, 429) << throttled.describe();
  const auto retry = throttled.header("Retry-After").value_or("");
  ASSERT_FALSE(retry.empty());
  EXPECT_GT(std::stoi(retry), 0);
  EXPECT_EQ(throttled.error_code(), "too_many_requests") << throttled.describe();
}

// ---- the access log
// ----------------------------------------------------------------------------------------

TEST_F(ApiRequests, TheAccessLogHoldsRouteTemplatesAndNoPersonalData) {
  auto& server = serve();
  auto admin = first_admin(server);
  const auto session_cookie = admin->cookie("nw_session");
  auto pia = staff(*admin, "pia", "practitioner");
  ready_client(*pia, "C-0001", "Ana Example");
  const auto r = roller(*pia, "C-0001");
  auto started = start_session(*pia, "C-0001", r);
  ASSERT_EQ(started.status, 201) << started.describe();
  auto key = admin->post("/api/v1/api-keys", {{"label", "importer"}});
  const auto key_text = key.json().value("key", "");
  ASSERT_EQ(pia->get("/api/v1/clients?q=Ana").status, 200);
  ASSERT_EQ(pia->get("/api/v1/clients/C-0001/history").status, 200);
  const auto otp = server.one_time_password();
  EXPECT_EQ(server.stop(), 0) << server.errors();
  const auto log = server.output();
  // The one-time password is printed once, on its own line, to the terminal: everything else is searched.
  std::string searched = server.errors();
  {
    std::istringstream all(log);
    std::string l;
    while (std::getline(all, l)) {
      if (!l.starts_with("one-time password: ")) searched += l + "\n";
    }
  }
  for (const std::string& secret :
       {std::string("Ana Example"), std::string("1988-03-14"), std::string(consent_text),
        std::string(admin_password), std::string(staff_password), otp, session_cookie, key_text,
        std::string("Dr. Jane Roe")}) {
    ASSERT_FALSE(secret.empty());
    EXPECT_EQ(searched.find(secret), std::string::npos) << "the server's output holds '" << secret << "'";
  }
  // Every access line is JSON with the route template (never the raw path with its ids or query).
  std::istringstream lines(log);
  std::string line;
  int access_lines = 0;
  bool saw_template = false;
  while (std::getline(lines, line)) {
    // The lines a person starting the server reads (the address, the first admin) are text; the access log's
    // are JSON.
    if (line.empty() || line.front() != '{') continue;
    const auto j = json::parse(line, nullptr, false);
    ASSERT_TRUE(j.is_object()) << line;
    if (!j.contains("route")) continue;
    ++access_lines;
    for (const char* k : {"time", "request_id", "method", "route", "status", "duration_ms", "user_id"}) {
      EXPECT_TRUE(j.contains(k)) << k << " missing: " << line;
    }
    const auto route = j.value("route", "");
    EXPECT_EQ(route.find("C-0001"), std::string::npos) << line;
    EXPECT_EQ(route.find('?'), std::string::npos) << line;
    if (route == "/api/v1/clients/{id}/history") saw_template = true;
  }
  EXPECT_GE(access_lines, 10) << log;
  EXPECT_TRUE(saw_template) << log;
}

}  // namespace
