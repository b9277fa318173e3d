// The request pipeline of the API (api.hpp): matching, authentication, roles, CSRF, body checks, the one
// error shape, the security headers and the access log. No HTTP library here: http.cpp feeds it.

#include "needlework/server/api.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>

#include "needlework/server/credentials.hpp"
#include "needlework/store/faults.hpp"
#include "openapi.hpp"
#include "request_text.hpp"
#include "services.hpp"
#include "static_files.hpp"

namespace needlework::server {
namespace {

using request_text::media_type;
using request_text::percent_decode;
using request_text::split_path;
using request_text::split_query;
using request_text::trim;

constexpr std::array<std::pair<Role, std::string_view>, 5> role_table{{{Role::admin, "admin"},
                                                                       {Role::practitioner, "practitioner"},
                                                                       {Role::reception, "reception"},
                                                                       {Role::auditor, "auditor"},
                                                                       {Role::client, "client"}}};

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

/// A route's template cut into segments; "{name}" segments match any one segment.
struct CompiledRoute {
  std::vector<std::string> segments;
  std::vector<bool> is_param;
};

CompiledRoute compile(const std::string& path) {
  CompiledRoute c;
  for (auto seg : split_path(path)) {
    const bool param = seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
    c.segments.emplace_back(param ? seg.substr(1, seg.size() - 2) : seg);
    c.is_param.push_back(param);
  }
  return c;
}

/// Whether `segments` fit the route; its parameters into `params` when they do.
bool matches(const CompiledRoute& c, const std::vector<std::string_view>& segments,
             std::map<std::string, std::string, std::less<>>* params) {
  if (c.segments.size() != segments.size()) return false;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (!c.is_param[i] && c.segments[i] != segments[i]) return false;
  }
  if (params != nullptr) {
    for (std::size_t i = 0; i < segments.size(); ++i) {
      if (!c.is_param[i]) continue;
      auto v = percent_decode(segments[i], false);
      (*params)[c.segments[i]] = v ? *v : std::string(segments[i]);
    }
  }
  return true;
}

std::string new_request_id() {
  // A per-process random prefix and a counter: unique across instances, cheap per request.
  static const std::string prefix = new_token().substr(0, 8);
  static std::atomic<std::uint64_t> counter{0};
  return fmt::format("{}-{:x}", prefix, ++counter);
}

}  // namespace

std::optional<Role> role_named(std::string_view name) {
  for (const auto& [r, n] : role_table) {
    // A staff user's stored role is never "client": that role is a portal session's only.
    if (n == name && r != Role::client) return r;
  }
  return std::nullopt;
}

std::vector<std::string> role_names(RoleSet set) {
  std::vector<std::string> out;
  for (const auto& [r, n] : role_table) {
    if ((set & static_cast<RoleSet>(r)) != 0) out.emplace_back(n);
  }
  return out;
}

std::optional<std::string_view> Request::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (iequals(k, name)) return std::string_view(v);
  }
  return std::nullopt;
}

std::optional<std::string> Request::cookie(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (!iequals(k, "cookie")) continue;
    if (auto value = request_text::cookie_value(v, name)) return value;
  }
  return std::nullopt;
}

std::optional<std::string> Request::param(std::string_view name) const {
  auto it = query_params.find(name);
  if (it == query_params.end()) return std::nullopt;
  return it->second;
}

store::Actor Request::actor() const {
  return store::Actor{user ? user->name : std::string("anonymous"), now};
}

int status_of(ErrorCode code) {
  switch (code) {
    case ErrorCode::parse_error:
    case ErrorCode::unknown_field:
      return 400;
    case ErrorCode::missing_field:
    case ErrorCode::invalid_value:
    case ErrorCode::out_of_range:
    case ErrorCode::unknown_id:
      return 422;
    case ErrorCode::refused:
      return 409;
    case ErrorCode::not_found:
      return 404;
    case ErrorCode::io_error:
      return 503;
    case ErrorCode::pack_error:
    case ErrorCode::data_error:
    case ErrorCode::database_error:
      return 500;
  }
  return 500;
}

Response json_response(const nlohmann::json& body, int status) {
  Response r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

Response error_response(int status, std::string_view code, std::string_view message, std::string_view field,
                        std::string_view rule) {
  nlohmann::json e = {{"code", code}, {"message", message}};
  e["field"] = field.empty() ? nlohmann::json(nullptr) : nlohmann::json(field);
  if (!rule.empty()) e["rule"] = rule;
  return json_response({{"error", e}}, status);
}

namespace {

/// What a 503 tells the client: the cause when the store named it (store/faults.hpp) — from this fixed text,
/// never the store's message, which may hold SQL or a file name — and otherwise that the database is busy or
/// unreachable.
std::string_view unavailable_message(const Error& e) {
  namespace faults = store::faults;
  if (e.rule == faults::disk_full) {
    return "the disk holding the database is full: nothing was written; reads still work; try again once "
           "space is freed";
  }
  if (e.rule == faults::read_only) {
    return "the database is read-only: nothing was written; reads still work";
  }
  if (e.rule == faults::busy) return "the database is busy (another writer holds it); try again shortly";
  if (e.rule == faults::unreachable) {
    return "the database cannot be reached: nothing of this request was kept; try again shortly";
  }
  return "the database is busy or unreachable; try again shortly";
}

}  // namespace

Response error_response(const Error& e) {
  const int status = status_of(e.code);
  if (status >= 500 && status != 503) {
    // The detail (a file, a SQL message) stays in the server's log; the client learns only what happened.
    spdlog::error("internal error: {} ({})", e.describe(), to_string(e.code));
    return error_response(status, "internal", "the server failed to answer; the detail is in its log");
  }
  if (status == 503) {
    spdlog::warn("store unavailable: {}", e.describe());
    // The fault's id (STORE.disk_full, …: store/faults.hpp) goes with it, so a client can tell the causes
    // apart.
    return error_response(status, "unavailable", unavailable_message(e), {},
                          e.rule.starts_with("STORE.") ? std::string_view(e.rule) : std::string_view());
  }
  // A refusal carries the id of the rule it applies (a pack rule's, or one of units/refusals.hpp).
  return error_response(status, to_string(e.code), e.message, e.where,
                        e.code == ErrorCode::refused ? std::string_view(e.rule) : std::string_view());
}

// ---- the API ---------------------------------------------------------------------------------------------

struct Api::Impl {
  std::vector<CompiledRoute> compiled;
  nlohmann::json openapi;
  std::unique_ptr<StaticFiles> files;
  std::shared_ptr<spdlog::logger> access;
  bool json_log = true;
  bool tls = false;
};

Api::Api(std::shared_ptr<Services> services, std::vector<Route> routes)
    : services_(std::move(services)), routes_(std::move(routes)), impl_(std::make_unique<Impl>()) {
  // The document describes itself too: its route is the one made here, where the document is.
  routes_.push_back(
      Route{.method = "GET",
            .path = "/api/v1/openapi.json",
            .roles = 0,
            .summary = "This document (OpenAPI 3.1)",
            .response_schema = "OpenApi",
            .handler = [this](Services&, Request&, Reply reply) { reply(json_response(impl_->openapi)); }});
  for (const auto& r : routes_) impl_->compiled.push_back(compile(r.path));
  impl_->openapi = openapi_document(routes_, services_->schemas());
  const auto& config = services_->config();
  if (!config.web_root.empty()) impl_->files = std::make_unique<StaticFiles>(config.web_root);
  impl_->json_log = config.log_format == "json";
  impl_->tls = !config.tls_cert.empty();
  impl_->access = spdlog::get("access");
  if (!impl_->access) impl_->access = spdlog::default_logger();
}

Api::~Api() = default;

const nlohmann::json& Api::openapi() const { return impl_->openapi; }

/// What the access log line learns as the pipeline runs.
struct Seen {
  bool api = false;
  std::string route;
  store::Id user_id = 0;
};

namespace {

const std::string unmatched = "(unmatched)";

/// The file extension for a media type the API answers with ("bin" for any other).
std::string_view extension_of(std::string_view content_type) {
  const auto type = content_type.substr(0, content_type.find(';'));
  // The types the API answers with (docs/server.md, "Security headers").
  static constexpr std::pair<std::string_view, std::string_view> known[] = {
      {"application/json", "json"}, {"image/png", "png"},    {"image/jpeg", "jpg"}, {"image/svg+xml", "svg"},
      {"text/calendar", "ics"},     {"text/markdown", "md"}, {"text/plain", "txt"}};
  for (const auto& [t, ext] : known) {
    if (type == t) return ext;
  }
  return "bin";
}

/// The headers every answer carries (docs/server.md, "Security headers").
void add_security_headers(Response& r, bool api, bool tls) {
  auto& h = r.headers;
  h.emplace_back("Content-Security-Policy",
                 "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; frame-ancestors 'none'; "
                 "base-uri 'none'; form-action 'self'");
  h.emplace_back("X-Content-Type-Options", "nosniff");
  h.emplace_back("X-Frame-Options", "DENY");
  h.emplace_back("Referrer-Policy", "no-referrer");
  h.emplace_back("Cross-Origin-Opener-Policy", "same-origin");
  h.emplace_back("Cross-Origin-Resource-Policy", "same-origin");
  if (api) {
    h.emplace_back("Cache-Control", "no-store");
    // An API answer is data, never a page: opened as a page it is downloaded (ASVS V14.4.2), under a name
    // that says what it holds. (The app reads answers with fetch and <img>, which ignore this header.)
    const bool named = std::any_of(h.begin(), h.end(),
                                   [](const auto& kv) { return iequals(kv.first, "Content-Disposition"); });
    if (!named)
      h.emplace_back("Content-Disposition",
                     fmt::format("attachment; filename=\"api.{}\"", extension_of(r.content_type)));
  }
  if (tls) h.emplace_back("Strict-Transport-Security", "max-age=31536000");
}

}  // namespace

void Api::handle(Request request, Reply reply) {
  const auto started = std::chrono::steady_clock::now();
  request.request_id = new_request_id();
  request.now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  // What the log line needs is kept apart from `request`: a write answers on another thread once its batch is
  // durable, after `request` is gone. The route and the user are filled in as the pipeline learns them.
  auto seen = std::make_shared<Seen>();
  seen->api = request.path.starts_with("/api/");
  Reply answer = [impl = impl_.get(), reply = std::move(reply), started, seen, method = request.method,
                  id = request.request_id, remote = request.remote](Response r) {
    add_security_headers(r, seen->api, impl->tls);
    r.headers.emplace_back("X-Request-Id", id);
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    const std::string& route = seen->route.empty() ? unmatched : seen->route;
    if (impl->json_log) {
      // Never the raw path, a query, a body, a cookie or a name: the route template and ids only.
      const nlohmann::json line = {{"time", units::format_date_time(std::chrono::floor<std::chrono::seconds>(
                                                std::chrono::system_clock::now()))},
                                   {"request_id", id},
                                   {"remote", remote},
                                   {"method", method},
                                   {"route", route},
                                   {"status", r.status},
                                   {"duration_ms", std::round(ms * 1000.0) / 1000.0},
                                   {"user_id", seen->user_id}};
      impl->access->info(line.dump());
    } else {
      impl->access->info("{} {} {} {} {} {:.3f}ms user={}", id, remote, method, route, r.status, ms,
                         seen->user_id);
    }
    reply(std::move(r));
  };
  try {
    dispatch(request, *seen, answer);
  } catch (const std::exception& e) {
    spdlog::error("request {} failed: {}", request.request_id, e.what());
    answer(error_response(500, "internal", "the server failed to answer; the detail is in its log"));
  }
}

void Api::dispatch(Request& request, Seen& seen, const Reply& reply) {
  const auto segments = split_path(request.path);
  const Route* route = nullptr;
  std::vector<std::string> allowed;
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    if (!matches(impl_->compiled[i], segments, nullptr)) continue;
    if (routes_[i].method == request.method || (request.method == "HEAD" && routes_[i].method == "GET")) {
      route = &routes_[i];
      matches(impl_->compiled[i], segments, &request.params);
      break;
    }
    allowed.push_back(routes_[i].method);
  }
  if (route == nullptr) {
    if (!allowed.empty()) {
      auto r = error_response(
          405, "method_not_allowed",
          fmt::format("{} is not allowed here (allowed: {})", request.method, fmt::join(allowed, ", ")));
      r.headers.emplace_back("Allow", fmt::format("{}", fmt::join(allowed, ", ")));
      return reply(std::move(r));
    }
    if (!seen.api && impl_->files && (request.method == "GET" || request.method == "HEAD")) {
      seen.route = "(static)";
      return reply(impl_->files->serve(request));
    }
    return reply(error_response(404, "not_found", "no such route (see /api/v1/openapi.json)", "path"));
  }
  seen.route = route->path;
  request.route = route->path;

  // Query parameters: only those the route reads, each once.
  if (!request.query.empty()) {
    for (auto part : split_query(request.query)) {
      const auto eq = part.find('=');
      auto key = percent_decode(part.substr(0, eq), true);
      auto value =
          percent_decode(eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1), true);
      if (!key || !value) {
        return reply(
            error_response(400, "parse_error", "a query parameter has a malformed %-escape", "query"));
      }
      const bool known = std::any_of(route->query.begin(), route->query.end(),
                                     [&](const QueryParam& q) { return q.name == *key; });
      if (!known) {
        return reply(error_response(
            400, "unknown_field", "is not a query parameter of this route (see /api/v1/openapi.json)", *key));
      }
      if (request.query_params.contains(*key)) {
        return reply(error_response(400, "invalid_value", "is given twice", *key));
      }
      request.query_params.emplace(std::move(*key), std::move(*value));
    }
  }
  for (const auto& q : route->query) {
    if (q.required && !request.query_params.contains(q.name)) {
      return reply(error_response(422, "missing_field", "is required", q.name));
    }
  }

  if (route->roles != 0) {
    auto who = authenticate(request, route->roles);
    if (!who) return reply(std::move(who.error()));
    seen.user_id = who->user_id;
    const Principal& p = *who;
    if ((route->roles & static_cast<RoleSet>(p.role)) == 0) {
      return reply(error_response(403, "forbidden",
                                  fmt::format("the {} role may not do this (it needs: {})",
                                              role_names(static_cast<RoleSet>(p.role)).front(),
                                              fmt::join(role_names(route->roles), ", "))));
    }
    if (p.must_change && !route->open_before_password_change) {
      return reply(error_response(403, "password_change_required",
                                  "choose your own password first (POST /api/v1/auth/password)", "password"));
    }
    request.user = std::move(*who);
  }

  // Bodies: the type the route takes, within the size limit.
  const auto type = media_type(request.header("Content-Type"));
  if (request.body.size() > services_->config().max_body_bytes) {
    return reply(error_response(
        413, "too_large", fmt::format("the body is larger than {} bytes", services_->config().max_body_bytes),
        "body"));
  }
  switch (route->body) {
    case BodyKind::none:
      if (!request.body.empty())
        return reply(error_response(400, "unknown_field", "this route takes no body", "body"));
      break;
    case BodyKind::json: {
      if (type != "application/json") {
        return reply(error_response(415, "unsupported_media_type", "the body must be application/json",
                                    "Content-Type"));
      }
      auto parsed = nlohmann::json::parse(request.body, nullptr, false);
      if (parsed.is_discarded()) {
        try {
          // Parsed again, throwing this time, only for the byte the parser stopped at.
          [[maybe_unused]] const auto never = nlohmann::json::parse(request.body);
        } catch (const nlohmann::json::parse_error& e) {
          return reply(error_response(400, "parse_error",
                                      fmt::format("the body is not JSON (at byte {})", e.byte), "body"));
        }
        return reply(error_response(400, "parse_error", "the body is not JSON", "body"));
      }
      if (!parsed.is_object())
        return reply(error_response(400, "invalid_value", "must be a JSON object", "body"));
      request.json = std::move(parsed);
      break;
    }
    case BodyKind::image:
      if (type != "image/jpeg" && type != "image/png") {
        return reply(error_response(415, "unsupported_media_type", "a photo must be image/jpeg or image/png",
                                    "Content-Type"));
      }
      break;
  }
  route->handler(*services_, request, reply);
}

namespace {

Response unauthorized(std::string_view message) {
  auto r = error_response(401, "unauthorized", message);
  r.headers.emplace_back("WWW-Authenticate", R"(Bearer realm="needlework")");
  return r;
}

/// The principal a user id stands for, if its login is enabled.
Result<std::optional<Principal>> principal_of(store::Store& s, store::Id user_id) {
  NW_TRY(user, s.find_user(user_id));
  NW_TRY(credential, s.find_credential(user_id));
  if (!user || !credential || credential->disabled) return std::optional<Principal>{};
  auto role = role_named(user->role);
  if (!role) return std::optional<Principal>{};
  Principal p;
  p.user_id = user->id;
  p.name = user->name;
  p.role = *role;
  p.must_change = credential->must_change;
  return std::optional<Principal>{std::move(p)};
}

/// How long a session goes untouched before its last-seen time is written again: idle expiry is counted in
/// minutes, so writing it on every request would only cost a write each.
constexpr std::chrono::seconds touch_every{60};

}  // namespace

std::expected<Principal, Response> Api::authenticate(const Request& request, RoleSet route_roles) {
  const auto& config = services_->config();
  // A portal route reads the portal's cookie, a staff route the staff one; either falls back to the other, so
  // a staff login calling the portal (or a client calling a staff route) is answered 403, not 401.
  const auto portal_token = request.cookie(portal_cookie);
  const bool has_portal = portal_token && !portal_token->empty();
  const auto staff_token = request.cookie(session_cookie);
  const bool has_staff = staff_token && !staff_token->empty();
  if (!request.header("Authorization") && has_portal && (route_roles == client_only || !has_staff)) {
    return authenticate_client(request, *portal_token);
  }
  if (auto header = request.header("Authorization")) {
    const auto value = trim(*header);
    if (!value.starts_with("Bearer ") || trim(value.substr(7)).empty()) {
      return std::unexpected(unauthorized("Authorization must be 'Bearer <API key>'"));
    }
    const std::string hash = token_hash(trim(value.substr(7)));
    auto found = services_->read([&](ReadConnection& c) -> Result<std::optional<Principal>> {
      NW_TRY(key, c.store->find_api_key(hash));
      if (!key || key->revoked_at) return std::optional<Principal>{};
      return principal_of(*c.store, key->user_id);
    });
    if (!found) return std::unexpected(error_response(found.error()));
    if (!*found) return std::unexpected(unauthorized("the API key is unknown or revoked"));
    (*found)->api_key = true;
    (*found)->must_change = false;  // a key is the admin's choice, not a one-time password
    return std::move(**found);
  }
  const auto& token = staff_token;
  if (!has_staff) {
    return std::unexpected(unauthorized(route_roles == client_only
                                            ? "sign in first (POST /api/v1/portal/session with your link)"
                                            : "log in first (POST /api/v1/auth/login)"));
  }
  const std::string hash = token_hash(*token);
  std::optional<store::AuthSession> session;
  auto found = services_->read([&](ReadConnection& c) -> Result<std::optional<Principal>> {
    NW_TRY(s, c.store->find_auth_session(hash));
    const auto idle = std::chrono::duration_cast<std::chrono::seconds>(config.session_idle);
    if (!s || s->ended_at || request.now >= s->expires_at || request.now >= s->last_seen_at + idle) {
      return std::optional<Principal>{};
    }
    session = *s;
    return principal_of(*c.store, s->user_id);
  });
  if (!found) return std::unexpected(error_response(found.error()));
  if (!*found) return std::unexpected(unauthorized("the session has ended or expired; log in again"));
  // A write carried by a cookie must also carry the CSRF token the login gave (a header a page of another
  // site cannot set); GET and HEAD change nothing.
  if (request.method != "GET" && request.method != "HEAD") {
    const auto csrf = request.header(csrf_header);
    if (!csrf || !equal_in_constant_time(token_hash(trim(*csrf)), session->csrf_hash)) {
      return std::unexpected(
          error_response(403, "csrf", fmt::format("a write needs the {} header the login gave", csrf_header),
                         std::string(csrf_header)));
    }
  }
  if (request.now - session->last_seen_at >= touch_every) {
    services_->write_quietly(
        [hash, at = request.now](store::Store& s) { return s.touch_auth_session(hash, at); });
  }
  (*found)->session_hash = hash;
  return std::move(**found);
}

std::expected<Principal, Response> Api::authenticate_client(const Request& request,
                                                            const std::string& token) {
  const auto& config = services_->config();
  const std::string hash = token_hash(token);
  auto found = services_->read([&](ReadConnection& c) -> Result<std::optional<store::ClientSession>> {
    NW_TRY(s, c.store->find_client_session(hash));
    const auto idle = std::chrono::duration_cast<std::chrono::seconds>(config.session_idle);
    if (!s || s->ended_at || request.now >= s->expires_at || request.now >= s->last_seen_at + idle) {
      return std::optional<store::ClientSession>{};
    }
    return s;
  });
  if (!found) return std::unexpected(error_response(found.error()));
  if (!*found) {
    return std::unexpected(
        unauthorized("the portal session has ended or expired; ask for a new sign-in link"));
  }
  const auto& session = **found;
  if (request.method != "GET" && request.method != "HEAD") {
    const auto csrf = request.header(csrf_header);
    if (!csrf || !equal_in_constant_time(token_hash(trim(*csrf)), session.csrf_hash)) {
      return std::unexpected(error_response(
          403, "csrf", fmt::format("a write needs the {} header the sign-in gave", csrf_header),
          std::string(csrf_header)));
    }
  }
  if (request.now - session.last_seen_at >= touch_every) {
    services_->write_quietly(
        [hash, at = request.now](store::Store& s) { return s.touch_client_session(hash, at); });
  }
  Principal p;
  p.name = "client:" + session.client_id;
  p.role = Role::client;
  p.client_id = session.client_id;
  p.session_hash = hash;
  return p;
}

}  // namespace needlework::server
