// Staff logins over HTTP: login (throttled), logout, who am I, password change; users and API keys (admin);
// the first admin of a new clinic. Sessions, keys and throttle counters live in the store (store/auth.hpp),
// so any instance of the server can answer any request.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <future>
#include <limits>
#include <optional>

#include "needlework/server/credentials.hpp"
#include "needlework/store/json.hpp"
#include "needlework/units/text.hpp"
#include "routes.hpp"

namespace needlework::server {
namespace {

using nlohmann::json;
using store::Id;

json user_json(const store::UserRecord& u) { return store::to_json(u); }

json key_json(const store::ApiKey& k) {
  // Never the hash: a key is shown once, when it is made.
  json j = {{"id", k.id},
            {"user_id", k.user_id},
            {"label", k.label},
            {"created_at", units::format_date_time(k.created_at)},
            {"created_by", k.created_by}};
  j["revoked_at"] = k.revoked_at ? json(units::format_date_time(*k.revoked_at)) : json(nullptr);
  return j;
}

/// The cookies of a new session: the token (HttpOnly: page scripts never see it) and the CSRF token
/// (readable, so the app can echo it in the X-CSRF-Token header).
void set_session_cookies(Response& r, const Services& s, const std::string& token, const std::string& csrf) {
  const bool tls = !s.config().tls_cert.empty();
  const auto max_age = std::chrono::duration_cast<std::chrono::seconds>(s.config().session_lifetime).count();
  const std::string secure = tls ? "; Secure" : "";
  r.headers.emplace_back("Set-Cookie", fmt::format("{}={}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}{}",
                                                   session_cookie, token, max_age, secure));
  r.headers.emplace_back("Set-Cookie", fmt::format("{}={}; SameSite=Strict; Path=/; Max-Age={}{}",
                                                   csrf_cookie, csrf, max_age, secure));
}

void clear_session_cookies(Response& r) {
  r.headers.emplace_back("Set-Cookie",
                         fmt::format("{}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0", session_cookie));
  r.headers.emplace_back("Set-Cookie", fmt::format("{}=; SameSite=Strict; Path=/; Max-Age=0", csrf_cookie));
}

/// A new session for `user` (the store row and the two tokens).
struct NewSession {
  store::AuthSession row;
  std::string token;
  std::string csrf;
};
NewSession new_session(const Services& s, Id user, store::DateTime now) {
  NewSession n;
  n.token = new_token();
  n.csrf = new_token();
  n.row.token_hash = token_hash(n.token);
  n.row.csrf_hash = token_hash(n.csrf);
  n.row.user_id = user;
  n.row.created_at = now;
  n.row.last_seen_at = now;
  n.row.expires_at = now + std::chrono::duration_cast<std::chrono::seconds>(s.config().session_lifetime);
  return n;
}

/// A hash to verify against when the name is unknown, so a wrong name costs as long as a wrong password and
/// the time of the answer does not tell which names exist.
const std::string& decoy_hash(const Services& s) {
  static const std::string interactive = hash_password(new_token(), HashCost::interactive).value_or("");
  static const std::string minimum = hash_password(new_token(), HashCost::minimum).value_or("");
  return s.hash_cost() == HashCost::interactive ? interactive : minimum;
}

std::string throttle_key_user(std::string_view name) {
  std::string k = "user:";
  for (char c : name) k += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return k;
}

Response too_many(std::int64_t retry_after_s) {
  auto r = error_response(429, "too_many_requests",
                          fmt::format("too many failed logins; try again in {} seconds", retry_after_s));
  r.headers.emplace_back("Retry-After", std::to_string(retry_after_s));
  return r;
}

void login(Services& s, Request& req, Reply reply) {
  clinic::JsonFields f(req.json);
  auto name = f.string("name");
  auto password = f.string("password");
  if (!name) return reply(error_response(name.error()));
  if (!password) return reply(error_response(password.error()));
  if (auto done = f.finish(); !done) return reply(error_response(done.error()));
  const std::vector<std::string> keys = {throttle_key_user(*name), "addr:" + req.remote};
  const auto window = std::chrono::duration_cast<std::chrono::seconds>(s.config().login_window);
  struct Found {
    std::optional<store::UserRecord> user;
    std::optional<store::Credential> credential;
    std::int64_t retry_after = 0;
  };
  auto found = s.read([&](ReadConnection& c) -> Result<Found> {
    Found out;
    for (const auto& k : keys) {
      NW_TRY(t, c.store->find_login_throttle(k));
      if (t && t->failures >= s.config().login_max_failures && req.now < t->window_start + window) {
        out.retry_after =
            std::max<std::int64_t>(out.retry_after, (t->window_start + window - req.now).count());
      }
    }
    if (out.retry_after > 0) return out;
    NW_TRY(u, c.store->find_user_by_name(*name));
    out.user = u;
    if (u) {
      NW_TRY(cr, c.store->find_credential(u->id));
      out.credential = cr;
    }
    return out;
  });
  if (!found) return reply(error_response(found.error()));
  if (found->retry_after > 0) return reply(too_many(found->retry_after));
  const bool usable = found->credential && !found->credential->disabled;
  const bool ok = usable ? verify_password(found->credential->password_hash, *password)
                         : (void(verify_password(decoy_hash(s), *password)), false);
  if (!ok) {
    s.write_store(std::move(reply), [keys, now = req.now, window](store::Store& st) -> Result<Response> {
      for (const auto& k : keys) NW_CHECK(st.count_login_failure(k, now, window));
      return error_response(401, "unauthorized",
                            "the name or the password is wrong (or the login is disabled)");
    });
    return;
  }
  // A hash made at another cost than the server's now (an older setting, or a changed one: ASVS V6.2.4) is
  // made again from the password just checked, in the login's own write.
  std::optional<store::Credential> rehashed;
  if (needs_rehash(found->credential->password_hash, s.hash_cost())) {
    if (auto again = hash_password(*password, s.hash_cost())) {
      rehashed = *found->credential;
      rehashed->password_hash = std::move(*again);
    }  // else the old hash stays: it still verifies, and the next login tries again
  }
  auto session = new_session(s, found->user->id, req.now);
  json body = {{"user", user_json(*found->user)},
               {"must_change_password", found->credential->must_change},
               {"csrf_token", session.csrf}};
  s.write_store(std::move(reply),
                [&s, session, keys, body, rehashed,
                 actor = store::Actor{found->user->name, req.now}](store::Store& st) -> Result<Response> {
                  if (rehashed) NW_CHECK(st.put_credential(actor, *rehashed));
                  NW_CHECK(st.insert_auth_session(session.row));
                  for (const auto& k : keys) NW_CHECK(st.clear_login_throttle(k));
                  auto r = json_response(body);
                  set_session_cookies(r, s, session.token, session.csrf);
                  return r;
                });
}

void logout(Services& s, Request& req, Reply reply) {
  if (req.user->api_key) {
    return reply(error_response(422, "invalid_value", "an API key has no session to end (revoke the key)"));
  }
  s.write_store(std::move(reply),
                [hash = req.user->session_hash, now = req.now](store::Store& st) -> Result<Response> {
                  NW_CHECK(st.end_auth_session(hash, now));
                  Response r;
                  r.status = 204;
                  r.content_type.clear();
                  clear_session_cookies(r);
                  return r;
                });
}

Result<Response> me(Services&, Request& req, ReadConnection& c) {
  NW_TRY(user, c.store->find_user(req.user->user_id));
  if (!user) return fail(ErrorCode::not_found, "the user no longer exists");
  return json_response({{"user", user_json(*user)},
                        {"must_change_password", req.user->must_change},
                        {"via", req.user->api_key ? "api_key" : "session"}});
}

void change_password(Services& s, Request& req, Reply reply) {
  if (req.user->api_key) {
    return reply(error_response(422, "invalid_value", "an API key has no password; log in to change yours"));
  }
  clinic::JsonFields f(req.json);
  auto current = f.string("current_password");
  auto next = f.string("new_password");
  if (!current) return reply(error_response(current.error()));
  if (!next) return reply(error_response(next.error()));
  if (auto done = f.finish(); !done) return reply(error_response(done.error()));
  auto credential = s.read([&](ReadConnection& c) { return c.store->find_credential(req.user->user_id); });
  if (!credential) return reply(error_response(credential.error()));
  if (!*credential || !verify_password((*credential)->password_hash, *current)) {
    return reply(error_response(403, "forbidden", "the current password is wrong", "current_password"));
  }
  if (*next == *current) {
    return reply(
        error_response(422, "invalid_value", "must differ from the current password", "new_password"));
  }
  if (auto ok = check_password(*next, req.user->name, s.password_policy(), "new_password"); !ok) {
    return reply(error_response(ok.error()));
  }
  auto hash = hash_password(*next, s.hash_cost());
  if (!hash) return reply(error_response(hash.error()));
  store::Credential updated = **credential;
  updated.password_hash = *hash;
  updated.must_change = false;
  updated.changed_at = req.now;
  // Every session of the user ends (this one too: a new one replaces it, so a token that was known before the
  // change — a fixed or stolen one — is worthless after it).
  auto session = new_session(s, req.user->user_id, req.now);
  s.write_store(std::move(reply),
                [&s, updated, session, actor = req.actor()](store::Store& st) -> Result<Response> {
                  NW_CHECK(st.put_credential(actor, updated));
                  NW_CHECK(st.end_auth_sessions_of(updated.user_id, actor.at, ""));
                  NW_CHECK(st.insert_auth_session(session.row));
                  NW_TRY(user, st.find_user(updated.user_id));
                  auto r = json_response({{"user", user ? user_json(*user) : json(nullptr)},
                                          {"must_change_password", false},
                                          {"csrf_token", session.csrf}});
                  set_session_cookies(r, s, session.token, session.csrf);
                  return r;
                });
}

Result<Response> list_users(Services&, Request& req, ReadConnection& c) {
  NW_TRY(users, c.store->users());
  std::vector<json> items;
  for (const auto& u : users) {
    NW_TRY(cred, c.store->find_credential(u.id));
    json j = user_json(u);
    j["login"] = cred ? json{{"enabled", !cred->disabled},
                             {"must_change_password", cred->must_change},
                             {"changed_at", units::format_date_time(cred->changed_at)}}
                      : json(nullptr);
    items.push_back(std::move(j));
  }
  NW_TRY(out, page(req, items, [](const json& j) { return j.at("id").dump(); }));
  return json_response(out);
}

void add_user(Services& s, Request& req, Reply reply) {
  clinic::JsonFields f(req.json);
  auto name = f.string("name");
  auto role = f.string("role");
  auto password = f.string("password", false);
  if (!name) return reply(error_response(name.error()));
  if (!role) return reply(error_response(role.error()));
  if (!password) return reply(error_response(password.error()));
  if (auto done = f.finish(); !done) return reply(error_response(done.error()));
  // No password given: a one-time one, shown once in this answer. Given: the admin knows it, so it is
  // one-time too — the user chooses their own at first login either way.
  const bool generated = password->empty();
  const std::string chosen = generated ? new_one_time_password() : *password;
  if (!generated) {
    if (auto ok = check_password(chosen, *name, s.password_policy()); !ok)
      return reply(error_response(ok.error()));
  }
  auto hash = hash_password(chosen, s.hash_cost());
  if (!hash) return reply(error_response(hash.error()));
  s.write(std::move(reply),
          [name = *name, role = *role, hash = *hash, generated, chosen,
           actor = req.actor()](store::ClinicStore& clinic) -> Result<Response> {
            NW_TRY(user, clinic.add_user(actor, name, role));
            NW_CHECK(clinic.repository().put_credential(
                actor, store::Credential{user.id, hash, true, actor.at, false}));
            json body = {{"user", user_json(user)}, {"must_change_password", true}};
            if (generated) body["one_time_password"] = chosen;
            return created(body);
          });
}

void update_user(Services& s, Request& req, Reply reply) {
  auto id = id_param(req, "id");
  if (!id) return reply(error_response(id.error()));
  clinic::JsonFields f(req.json);
  auto role = f.string("role", false);
  auto disabled = f.get("disabled");
  if (!role) return reply(error_response(role.error()));
  if (disabled != nullptr && !disabled->is_boolean()) {
    return reply(error_response(422, "invalid_value", "must be true or false", "disabled"));
  }
  if (auto done = f.finish(); !done) return reply(error_response(done.error()));
  if (!role->empty() && !role_named(*role)) {
    return reply(error_response(
        422, "invalid_value",
        fmt::format("is not a role (one of: {})", fmt::join(role_names(any_staff), ", ")), "role"));
  }
  const std::optional<bool> disable = disabled ? std::optional<bool>(disabled->get<bool>()) : std::nullopt;
  if (*id == req.user->user_id && ((disable && *disable) || (!role->empty() && *role != "admin"))) {
    return reply(error_response(409, "refused", "an admin cannot disable or demote their own login", "id"));
  }
  s.write_store(std::move(reply),
                [id = *id, role = *role, disable, actor = req.actor()](store::Store& st) -> Result<Response> {
                  NW_TRY(user, st.find_user(id));
                  if (!user) return fail(ErrorCode::not_found, fmt::format("no user {}", id), "id");
                  if (!role.empty() && role != user->role) {
                    user->role = role;
                    NW_CHECK(st.update_user(actor, *user));
                  }
                  if (disable) {
                    NW_TRY(cred, st.find_credential(id));
                    if (!cred)
                      return fail(ErrorCode::invalid_value,
                                  "the user has no login to switch (reset the password)", "disabled");
                    if (cred->disabled != *disable) {
                      cred->disabled = *disable;
                      NW_CHECK(st.put_credential(actor, *cred));
                    }
                    if (*disable) NW_CHECK(st.end_auth_sessions_of(id, actor.at, ""));
                  }
                  return json_response({{"user", user_json(*user)}});
                });
}

void reset_password(Services& s, Request& req, Reply reply) {
  auto id = id_param(req, "id");
  if (!id) return reply(error_response(id.error()));
  const std::string one_time = new_one_time_password();
  auto hash = hash_password(one_time, s.hash_cost());
  if (!hash) return reply(error_response(hash.error()));
  s.write_store(
      std::move(reply),
      [id = *id, hash = *hash, one_time, actor = req.actor()](store::Store& st) -> Result<Response> {
        NW_TRY(user, st.find_user(id));
        if (!user) return fail(ErrorCode::not_found, fmt::format("no user {}", id), "id");
        NW_TRY(cred, st.find_credential(id));
        NW_CHECK(
            st.put_credential(actor, store::Credential{id, hash, true, actor.at, cred && cred->disabled}));
        NW_CHECK(st.end_auth_sessions_of(id, actor.at, ""));
        return json_response({{"user", user_json(*user)}, {"one_time_password", one_time}});
      });
}

Result<Response> list_keys(Services&, Request& req, ReadConnection& c) {
  NW_TRY(keys, c.store->api_keys());
  std::vector<json> items;
  for (const auto& k : keys) items.push_back(key_json(k));
  NW_TRY(out, page(req, items, [](const json& j) { return j.at("id").dump(); }));
  return json_response(out);
}

void add_key(Services& s, Request& req, Reply reply) {
  clinic::JsonFields f(req.json);
  auto label = f.string("label");
  auto user = f.integer("user_id", 1, std::numeric_limits<std::int64_t>::max(), false);
  if (!label) return reply(error_response(label.error()));
  if (!user) return reply(error_response(user.error()));
  if (auto done = f.finish(); !done) return reply(error_response(done.error()));
  auto clean = units::clean_text(*label, "label");
  if (!clean) return reply(error_response(clean.error()));
  const std::string key = new_token("nwk_");
  store::ApiKey k;
  k.user_id = user->value_or(req.user->user_id);
  k.key_hash = token_hash(key);
  k.label = *clean;
  k.created_at = req.now;
  k.created_by = req.user->name;
  s.write_store(std::move(reply), [k, key, actor = req.actor()](store::Store& st) -> Result<Response> {
    NW_TRY(owner, st.find_user(k.user_id));
    if (!owner) return fail(ErrorCode::unknown_id, fmt::format("no user {}", k.user_id), "user_id");
    NW_TRY(made, st.insert_api_key(actor, k));
    json body = key_json(made);
    body["key"] = key;  // shown this once; only its hash is kept
    return created(body);
  });
}

void revoke_key(Services& s, Request& req, Reply reply) {
  auto id = id_param(req, "id");
  if (!id) return reply(error_response(id.error()));
  s.write_store(std::move(reply), [id = *id, actor = req.actor()](store::Store& st) -> Result<Response> {
    NW_TRY(k, st.revoke_api_key(actor, id));
    return json_response(key_json(k));
  });
}

}  // namespace

Result<void> make_first_admin(Services& services, std::ostream& out) {
  auto has_admin = services.read([](ReadConnection& c) -> Result<bool> {
    NW_TRY(users, c.store->users());
    for (const auto& u : users) {
      if (u.role != "admin") continue;
      NW_TRY(cred, c.store->find_credential(u.id));
      if (cred && !cred->disabled) return true;
    }
    return false;
  });
  NW_CHECK(has_admin);
  if (*has_admin) return {};
  const std::string password = new_one_time_password();
  NW_TRY(hash, hash_password(password, services.hash_cost()));
  const store::Actor actor{"serve",
                           std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now())};
  std::promise<Result<std::string>> done;
  auto made = done.get_future();
  services.write(
      [&done](Response r) {
        done.set_value(r.status < 300 ? Result<std::string>(r.body) : fail(ErrorCode::io_error, r.body));
      },
      [hash, actor](store::ClinicStore& clinic) -> Result<Response> {
        auto& st = clinic.repository();
        NW_TRY(existing, st.find_user_by_name("admin"));
        store::UserRecord admin;
        if (existing && existing->role == "admin") {
          admin = *existing;
        } else if (existing) {
          return fail(
              ErrorCode::invalid_value,
              "a user named 'admin' exists without the admin role; add an admin with `needlework users "
              "add NAME --role admin --password-stdin`",
              "users");
        } else {
          NW_TRY(u, clinic.add_user(actor, "admin", "admin"));
          admin = u;
        }
        NW_CHECK(st.put_credential(actor, store::Credential{admin.id, hash, true, actor.at, false}));
        return json_response({{"name", admin.name}});
      });
  NW_TRY(name, made.get());
  // The terminal only: the access log never sees it.
  out << "first admin: admin\n"
      << "one-time password: " << password << "\n"
      << "(log in and choose a new password; this one is shown only now)\n"
      << std::flush;
  return {};
}

std::vector<Route> auth_routes() {
  const RoleSet admin = roles({Role::admin});
  std::vector<Route> r;
  r.push_back(Route{.method = "POST",
                    .path = "/api/v1/auth/login",
                    .roles = 0,
                    .body = BodyKind::json,
                    .summary = "Log in: a session cookie and the CSRF token",
                    .request_schema = "Login",
                    .response_schema = "LoginResult",
                    .writes = true,
                    .handler = login});
  r.push_back(Route{.method = "POST",
                    .path = "/api/v1/auth/logout",
                    .summary = "End this session",
                    .response_type = "",
                    .success = 204,
                    .open_before_password_change = true,
                    .writes = true,
                    .handler = logout});
  r.push_back(Route{.method = "GET",
                    .path = "/api/v1/auth/me",
                    .summary = "Who is logged in",
                    .response_schema = "Me",
                    .open_before_password_change = true,
                    .handler = reading(me)});
  r.push_back(Route{.method = "POST",
                    .path = "/api/v1/auth/password",
                    .body = BodyKind::json,
                    .summary = "Change my password (ends every session; a new one replaces this)",
                    .request_schema = "PasswordChange",
                    .response_schema = "LoginResult",
                    .open_before_password_change = true,
                    .writes = true,
                    .handler = change_password});
  r.push_back(Route{.method = "GET",
                    .path = "/api/v1/users",
                    .roles = admin,
                    .summary = "Staff users and their logins",
                    .response_schema = "UserPage",
                    .query = page_params(),
                    .handler = reading(list_users)});
  r.push_back(Route{.method = "POST",
                    .path = "/api/v1/users",
                    .roles = admin,
                    .body = BodyKind::json,
                    .summary = "Add a staff user with a one-time password",
                    .request_schema = "NewUser",
                    .response_schema = "NewUserResult",
                    .success = 201,
                    .writes = true,
                    .handler = add_user});
  r.push_back(Route{.method = "PATCH",
                    .path = "/api/v1/users/{id}",
                    .roles = admin,
                    .body = BodyKind::json,
                    .summary = "Change a user's role, or disable or enable their login",
                    .request_schema = "UserChange",
                    .response_schema = "UserResult",
                    .writes = true,
                    .handler = update_user});
  r.push_back(Route{.method = "POST",
                    .path = "/api/v1/users/{id}/reset-password",
                    .roles = admin,
                    .summary = "Give a user a new one-time password (ends their sessions)",
                    .response_schema = "NewUserResult",
                    .writes = true,
                    .handler = reset_password});
  r.push_back(Route{.method = "GET",
                    .path = "/api/v1/api-keys",
                    .roles = admin,
                    .summary = "API keys (never the keys)",
                    .response_schema = "ApiKeyPage",
                    .query = page_params(),
                    .handler = reading(list_keys)});
  r.push_back(Route{.method = "POST",
                    .path = "/api/v1/api-keys",
                    .roles = admin,
                    .body = BodyKind::json,
                    .summary = "Make an API key (shown once)",
                    .request_schema = "NewApiKey",
                    .response_schema = "ApiKeyCreated",
                    .success = 201,
                    .writes = true,
                    .handler = add_key});
  r.push_back(Route{.method = "DELETE",
                    .path = "/api/v1/api-keys/{id}",
                    .roles = admin,
                    .summary = "Revoke an API key",
                    .response_schema = "ApiKey",
                    .writes = true,
                    .handler = revoke_key});
  return r;
}

}  // namespace needlework::server
