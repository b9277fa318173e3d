// The API in-process (in_process.hpp).

#include "in_process.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <random>
#include <sstream>

#include "needlework/server/credentials.hpp"
#include "routes.hpp"

// A Call names only what it sends (designated initializers); GCC 12 warns of every member left to its
// default.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace needlework::server::testing {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::filesystem::path new_temp_dir() {
  static std::atomic<int> counter{0};
  std::random_device random;
  const auto dir = std::filesystem::temp_directory_path() /
                   fmt::format("nw-api-test-{}-{}-{:x}", ::getpid(), ++counter, random());
  std::filesystem::create_directories(dir);
  return dir;
}

/// A password of the user's own: long, not common, not their name.
std::string own_password(const std::string& name) { return "violet harbour " + name + " 4417 lanterns"; }

}  // namespace

std::string Answer::code() const {
  if (!json.is_object() || !json.contains("error") || !json["error"].is_object()) return {};
  return json["error"].value("code", std::string());
}

std::string Answer::field() const {
  if (!json.is_object() || !json.contains("error") || !json["error"].is_object()) return {};
  const auto& f = json["error"]["field"];
  return f.is_string() ? f.get<std::string>() : std::string();
}

std::vector<std::string> Answer::header_values(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : headers) {
    if (iequals(k, name)) out.push_back(v);
  }
  return out;
}

std::string Answer::describe() const {
  return fmt::format("HTTP {} {}", status, body.size() > 600 ? body.substr(0, 600) + "…" : body);
}

std::string session_cookie_of(const Answer& a, std::string_view name) {
  const std::string prefix = fmt::format("{}=", name);
  for (const auto& v : a.header_values("Set-Cookie")) {
    if (!v.starts_with(prefix)) continue;
    return v.substr(prefix.size(), v.find(';') - prefix.size());
  }
  return {};
}

InProcess::InProcess(const std::function<void(ServerConfig&)>& adjust) : dir_(new_temp_dir()) {
  // The access log of a few hundred requests says nothing a failed expectation does not.
  spdlog::set_level(spdlog::level::warn);
  ServerConfig config;
  config.database = (dir_ / "clinic.db").string();
  config.data_dir = NEEDLEWORK_DATA_DIR;
  config.photo_dir = dir_ / "photos";
  config.fast_password_hash = true;
  if (adjust) adjust(config);
  auto services = Services::open(config);
  if (!services) throw std::runtime_error("cannot open the services: " + services.error().describe());
  services_ = std::move(*services);
  api_ = std::make_unique<Api>(services_, api_routes());
}

InProcess::~InProcess() {
  api_.reset();
  if (services_) services_->close_writer();
  services_.reset();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

Answer InProcess::send(Request request) {
  std::promise<Response> promise;
  auto future = promise.get_future();
  api_->handle(std::move(request), [&promise](Response r) { promise.set_value(std::move(r)); });
  // A bound, not a pause: a reply that never comes fails the test instead of hanging it.
  if (future.wait_for(std::chrono::seconds(60)) != std::future_status::ready) {
    ADD_FAILURE() << "no reply within 60 s";
    return Answer{};
  }
  Response r = future.get();
  Answer a;
  a.status = r.status;
  a.content_type = r.content_type;
  a.body = r.body;
  a.headers = r.headers;
  a.json = nlohmann::json::parse(r.body, nullptr, false);
  return a;
}

Answer InProcess::call(const Call& c) {
  Request r;
  r.method = c.method;
  r.path = c.path;
  r.query = c.query;
  r.remote = "127.0.0.1";
  if (c.body) {
    r.body = c.body->dump();
    r.headers.emplace_back("Content-Type", "application/json");
  } else if (!c.raw_body.empty() || !c.content_type.empty()) {
    r.body = c.raw_body;
    r.headers.emplace_back("Content-Type", c.content_type);
  }
  if (c.as) {
    if (!c.as->api_key.empty()) r.headers.emplace_back("Authorization", "Bearer " + c.as->api_key);
    if (!c.as->session.empty()) {
      r.headers.emplace_back(
          "Cookie", fmt::format("{}={}; {}={}", c.as->portal ? portal_cookie : session_cookie, c.as->session,
                                c.as->portal ? portal_csrf_cookie : csrf_cookie, c.as->csrf));
    }
    if (c.csrf && !c.as->csrf.empty()) r.headers.emplace_back(std::string(csrf_header), c.as->csrf);
  }
  return send(std::move(r));
}

Credentials InProcess::login(const std::string& name, const std::string& password) {
  Credentials who{name, password, {}, {}, {}};
  const auto a = call({.method = "POST",
                       .path = "/api/v1/auth/login",
                       .body = nlohmann::json{{"name", name}, {"password", password}}});
  EXPECT_EQ(a.status, 200) << "login of " << name << ": " << a.describe();
  who.session = session_cookie_of(a);
  if (a.json.is_object()) who.csrf = a.json.value("csrf_token", std::string());
  EXPECT_FALSE(who.session.empty()) << a.describe();
  return who;
}

Credentials InProcess::portal_sign_in(const std::string& token) {
  const auto a =
      call({.method = "POST", .path = "/api/v1/portal/session", .body = nlohmann::json{{"token", token}}});
  EXPECT_EQ(a.status, 200) << "portal sign-in: " << a.describe();
  Credentials who;
  who.portal = true;
  who.session = session_cookie_of(a, portal_cookie);
  if (a.json.is_object()) {
    who.csrf = a.json.value("csrf_token", std::string());
    who.name = "client:" + a.json["client"].value("id", std::string());
  }
  EXPECT_FALSE(who.session.empty()) << a.describe();
  return who;
}

std::string InProcess::portal_link(const std::string& client_id, store::DateTime expires_at) {
  const std::string token = new_token();
  store::PortalLink link;
  link.token_hash = token_hash(token);
  link.client_id = client_id;
  link.created_at =
      std::min(expires_at, std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
  link.expires_at = expires_at;
  link.requested_from = "test";
  auto put = store_write([link](store::Store& s) {
    return s.insert_portal_link({"test", link.created_at}, link);
  });
  EXPECT_TRUE(put) << put.error().describe();
  return token;
}

Credentials InProcess::portal_client(const Credentials& admin, const std::string& client_id) {
  const auto a = call({.method = "POST",
                       .path = "/api/v1/clients",
                       .body = nlohmann::json{{"id", client_id},
                                              {"name", "Client " + client_id},
                                              {"email", client_id + "@example.org"}},
                       .as = admin});
  EXPECT_EQ(a.status, 201) << "adding client " << client_id << ": " << a.describe();
  const auto soon =
      std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) + std::chrono::minutes(15);
  return portal_sign_in(portal_link(client_id, soon));
}

Credentials InProcess::change_password(const Credentials& who) {
  const std::string next = own_password(who.name);
  const auto a = call({.method = "POST",
                       .path = "/api/v1/auth/password",
                       .body = nlohmann::json{{"current_password", who.password}, {"new_password", next}},
                       .as = who});
  EXPECT_EQ(a.status, 200) << "password change of " << who.name << ": " << a.describe();
  Credentials out = who;
  out.password = next;
  out.session = session_cookie_of(a);
  if (a.json.is_object()) out.csrf = a.json.value("csrf_token", std::string());
  return out;
}

Credentials InProcess::first_admin() {
  std::ostringstream out;
  auto made = make_first_admin(*services_, out);
  EXPECT_TRUE(made) << made.error().describe();
  const std::string text = out.str();
  const std::string marker = "one-time password: ";
  const auto at = text.find(marker);
  EXPECT_NE(at, std::string::npos) << text;
  if (at == std::string::npos) return {};
  const auto begin = at + marker.size();
  const std::string password = text.substr(begin, text.find('\n', begin) - begin);
  return change_password(login("admin", password));
}

Credentials InProcess::add_user(const Credentials& admin, const std::string& name, const std::string& role,
                                bool keep_one_time) {
  const auto a = call({.method = "POST",
                       .path = "/api/v1/users",
                       .body = nlohmann::json{{"name", name}, {"role", role}},
                       .as = admin});
  EXPECT_EQ(a.status, 201) << "adding " << name << ": " << a.describe();
  const std::string one_time = a.json.is_object() ? a.json.value("one_time_password", std::string()) : "";
  auto who = login(name, one_time);
  return keep_one_time ? who : change_password(who);
}

}  // namespace needlework::server::testing
