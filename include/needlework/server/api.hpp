#pragma once
/// The HTTP API of `needlework serve`, independent of the HTTP library: a request as plain data, a response,
/// and the route table — every route with its method, path template, the roles that may call it, what its
/// body is and what it answers. The RESTinio layer (http.cpp, the only file that includes RESTinio and Asio)
/// turns bytes into `Request`s and `Response`s into bytes; everything between — matching, authentication,
/// roles, CSRF, body checks, the error shape, the security headers and the access log — is `Api::handle`, so
/// it is tested without a socket as well as through one.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "needlework/server/config.hpp"
#include "needlework/store/records.hpp"
#include "needlework/units/error.hpp"

namespace needlework::server {

/// The cookie that holds a login's session token, and the header a cookie write carries its CSRF token in.
inline constexpr std::string_view session_cookie = "nw_session";
inline constexpr std::string_view csrf_cookie = "nw_csrf";
inline constexpr std::string_view csrf_header = "X-CSRF-Token";
/// The cookies of a client's portal session (docs/portal.md): their own names, so a staff login and a client
/// session in one browser never stand for each other. The CSRF header is the same as for staff.
inline constexpr std::string_view portal_cookie = "nw_portal";
inline constexpr std::string_view portal_csrf_cookie = "nw_portal_csrf";

/// A role, as a bit so a route can name several: the four staff roles, and `client` — a client signed in to
/// the portal, who only ever reaches the portal's routes (and is never in `any_staff`).
enum class Role : std::uint8_t { admin = 1, practitioner = 2, reception = 4, auditor = 8, client = 16 };
using RoleSet = std::uint8_t;
[[nodiscard]] constexpr RoleSet roles(std::initializer_list<Role> list) {
  RoleSet s = 0;
  for (auto r : list) s = static_cast<RoleSet>(s | static_cast<RoleSet>(r));
  return s;
}
/// Every staff role.
inline constexpr RoleSet any_staff = 15;
/// A client signed in to the portal.
inline constexpr RoleSet client_only = 16;
/// The staff role a stored role name ("practitioner") stands for; nothing for a name that is not a staff
/// role ("client" included: no staff user can hold it).
[[nodiscard]] std::optional<Role> role_named(std::string_view name);
/// The role names of a set, in the order admin, practitioner, reception, auditor, client.
[[nodiscard]] std::vector<std::string> role_names(RoleSet set);

/// Who is asking, once authenticated.
struct Principal {
  store::Id user_id = 0;
  std::string name;
  Role role = Role::auditor;
  bool api_key = false;      ///< a bearer key (no cookie, so no CSRF token)
  bool must_change = false;  ///< a one-time password: only the password change (and logout, me) are open
  std::string session_hash;  ///< the cookie session's token hash ("" for a key)
  std::string client_id;     ///< Role::client: the client signed in (user_id is 0); "" for staff
};

/// What a route's request body is.
enum class BodyKind {
  none,   ///< no body (a body sent anyway is refused: 400)
  json,   ///< application/json, an object
  image,  ///< image/jpeg or image/png, the raw bytes (a photo)
};

/// A query parameter a route reads (for the OpenAPI document and the unknown-parameter check).
struct QueryParam {
  std::string name;
  std::string type;  ///< "string", "integer", "boolean"
  std::string description;
  bool required = false;
};

/// An HTTP request as the API sees it.
struct Request {
  std::string method;  ///< "GET", "POST", …
  std::string path;    ///< the path without the query, percent-decoding not applied
  std::string query;   ///< the raw query string (after '?'), "" when none
  std::vector<std::pair<std::string, std::string>> headers;  ///< names as sent
  std::string body;
  std::string remote;  ///< the peer's address (no port)

  // Filled in by Api::handle before the handler runs.
  std::string request_id;
  std::string route;  ///< the matched route's template ("/api/v1/clients/{id}")
  std::map<std::string, std::string, std::less<>> params;             ///< path parameters, percent-decoded
  std::multimap<std::string, std::string, std::less<>> query_params;  ///< percent-decoded
  std::optional<Principal> user;
  store::DateTime now;  ///< when the request arrived (UTC, whole seconds)
  nlohmann::json json;  ///< the parsed body of a BodyKind::json route

  /// The first header of that name (case-insensitive), if any.
  [[nodiscard]] std::optional<std::string_view> header(std::string_view name) const;
  /// The value of a cookie of the Cookie header, if any.
  [[nodiscard]] std::optional<std::string> cookie(std::string_view name) const;
  /// A query parameter's value, if given.
  [[nodiscard]] std::optional<std::string> param(std::string_view name) const;
  /// Who is asking, for the audit: the authenticated user's name, stamped with `now`.
  [[nodiscard]] store::Actor actor() const;
};

/// An HTTP response.
struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  /// A body shared rather than copied (a static file held in memory); when set it is sent instead of `body`.
  std::shared_ptr<const std::string> shared_body;
  std::vector<std::pair<std::string, std::string>> headers;  ///< beyond the content type and security headers

  /// The body's bytes, whichever of the two holds them.
  [[nodiscard]] const std::string& content() const { return shared_body ? *shared_body : body; }
};

/// Gives the response; called exactly once, from any thread.
using Reply = std::function<void(Response)>;

class Services;
struct Seen;

/// One route of the API.
struct Route {
  std::string method;
  std::string path;  ///< a template: "/api/v1/clients/{id}/history"
  /// Who may call it; 0 for a public route (login, the OpenAPI document, health).
  RoleSet roles = any_staff;
  BodyKind body = BodyKind::none;
  std::string summary;          ///< one line for the OpenAPI document
  std::string request_schema;   ///< the OpenAPI component of a JSON body ("" for none)
  std::string response_schema;  ///< the component of a 2xx JSON answer ("" when not JSON: see response_type)
  std::string response_type = "application/json";  ///< the 2xx media type ("image/png", "text/plain", …)
  int success = 200;                               ///< the status of a success
  std::vector<QueryParam> query;                   ///< every query parameter it reads
  bool open_before_password_change =
      false;            ///< reachable with a one-time password (password change, me, logout)
  bool writes = false;  ///< goes through the group committer (documented; CSRF applies to any non-GET)
  std::function<void(Services&, Request&, Reply)> handler;
};

/// The JSON of an error: {"error": {"code", "message", "field"}} (+ "rule" for a refusal).
[[nodiscard]] Response error_response(int status, std::string_view code, std::string_view message,
                                      std::string_view field = {}, std::string_view rule = {});
/// An `Error` of the engines or the store as its response: its HTTP status (docs/server.md's table), its
/// code, its message and field; a refusal (409) names its rule. A database or internal failure says only
/// that, without internals (the detail goes to the server log).
[[nodiscard]] Response error_response(const Error& e);
/// The HTTP status of an error code.
[[nodiscard]] int status_of(ErrorCode code);
/// A JSON answer.
[[nodiscard]] Response json_response(const nlohmann::json& body, int status = 200);

/// The API: the route table, the services the handlers use, and the request pipeline.
class Api {
 public:
  Api(std::shared_ptr<Services> services, std::vector<Route> routes);
  ~Api();
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  /// Runs a request through the pipeline: match (404, 405 with Allow), authenticate (401), roles (403), CSRF
  /// on cookie writes (403), body checks (413, 415, 400), the handler; adds the security headers and the
  /// request id to whatever answers, and writes the access log line. `reply` is called once, possibly on
  /// another thread (a write answers once its group commit is durable).
  void handle(Request request, Reply reply);

  [[nodiscard]] const std::vector<Route>& routes() const { return routes_; }
  [[nodiscard]] Services& services() { return *services_; }
  /// The OpenAPI 3.1 document of the routes (served at /api/v1/openapi.json).
  [[nodiscard]] const nlohmann::json& openapi() const;

 private:
  struct Impl;
  void dispatch(Request& request, Seen& seen, const Reply& reply);
  /// Who is asking: a bearer API key, else the session cookie — the portal's for a portal route (`roles` is
  /// `client_only`) when the request has one, the staff one otherwise; the 401 to answer when none holds.
  std::expected<Principal, Response> authenticate(const Request& request, RoleSet roles);
  /// A client's portal session from its cookie (the CSRF check as for staff).
  std::expected<Principal, Response> authenticate_client(const Request& request, const std::string& token);
  std::shared_ptr<Services> services_;
  std::vector<Route> routes_;
  std::unique_ptr<Impl> impl_;
};

/// Every route of the API, with its handler: the one table the router, the OpenAPI document and the
/// route×role test read.
[[nodiscard]] std::vector<Route> api_routes();

}  // namespace needlework::server
