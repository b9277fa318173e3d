#pragma once
// The API in-process, without a socket (issue #12's OpenAPI and route × role tests): a server's Services over
// a temporary SQLite database, the Api over the route table, and a client that calls Api::handle and waits
// for its reply (a write answers on the group committer's thread). Staff logins are made the way a clinic
// makes them: the first admin's one-time password, then users added through POST /api/v1/users.

#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "needlework/server/api.hpp"
#include "services.hpp"

namespace needlework::server::testing {

/// An answer of the API, its body parsed when it is JSON.
struct Answer {
  int status = 0;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  nlohmann::json json;  ///< the parsed body (discarded when it is not JSON)

  /// The `error.code` of an error answer ("" when there is none).
  [[nodiscard]] std::string code() const;
  /// The `error.field` of an error answer ("" when there is none).
  [[nodiscard]] std::string field() const;
  /// Every value of a header (case-insensitive name).
  [[nodiscard]] std::vector<std::string> header_values(std::string_view name) const;
  /// What a failed expectation prints.
  [[nodiscard]] std::string describe() const;
};

/// Who a request is sent as: a cookie session and its CSRF token, or an API key.
struct Credentials {
  std::string name;
  std::string password;
  std::string session;  ///< the nw_session cookie's token ("" for none)
  std::string csrf;     ///< sent as X-CSRF-Token ("" for none)
  std::string api_key;  ///< sent as a bearer token ("" for none)
  bool portal = false;  ///< a client's portal session: `session` and `csrf` go in the portal's cookies
};

/// What to send.
struct Call {
  std::string method = "GET";
  std::string path;
  std::string query;
  std::optional<nlohmann::json> body;  ///< sent as application/json
  std::string raw_body;                ///< sent as is, with `content_type`
  std::string content_type;
  std::optional<Credentials> as;
  bool csrf = true;  ///< send the CSRF header of `as` (when it has one)
};

class InProcess {
 public:
  /// A fresh server over an empty database in a new temporary folder; `adjust`, when given, changes the
  /// settings before the server opens (a web root, a TLS certificate's path).
  explicit InProcess(const std::function<void(ServerConfig&)>& adjust = {});
  ~InProcess();
  InProcess(const InProcess&) = delete;
  InProcess& operator=(const InProcess&) = delete;

  [[nodiscard]] Api& api() { return *api_; }
  [[nodiscard]] Services& services() { return *services_; }
  /// The temporary folder the database and photos are in (removed with the server).
  [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }

  /// Sends a request and waits for its answer.
  Answer send(Request request);
  Answer call(const Call& call);

  /// The first admin of the clinic (make_first_admin), logged in and with their own password.
  Credentials first_admin();
  /// Logs in; the session's cookie and CSRF token, or a failed expectation.
  Credentials login(const std::string& name, const std::string& password);
  /// Changes a one-time password to a password of one's own; the new session.
  Credentials change_password(const Credentials& who);
  /// A user added by `admin` with that role, logged in (its one-time password changed unless
  /// `keep_one_time`).
  Credentials add_user(const Credentials& admin, const std::string& name, const std::string& role,
                       bool keep_one_time = false);

  /// Signs in to the portal with a link's token (POST /api/v1/portal/session); the client's session, or a
  /// failed expectation.
  Credentials portal_sign_in(const std::string& token);
  /// A sign-in link for a registered client, written straight into the store (as the link routes would issue
  /// it, without the message), expiring at `expires_at`; its token.
  std::string portal_link(const std::string& client_id, store::DateTime expires_at);
  /// A client registered by `admin` (with an email address), signed in to the portal through a link.
  Credentials portal_client(const Credentials& admin, const std::string& client_id);

  /// Runs `f(store::Store&)` (returning Result<T>) through the group committer and waits.
  template <class F>
  auto store_write(F f) -> decltype(f(std::declval<store::Store&>()));

 private:
  std::filesystem::path dir_;
  std::shared_ptr<Services> services_;
  std::unique_ptr<Api> api_;
};

/// The session cookie a response sets ("" when none): the staff one, or the portal's.
std::string session_cookie_of(const Answer& a, std::string_view name = session_cookie);

}  // namespace needlework::server::testing

#include <future>

namespace needlework::server::testing {

template <class F>
auto InProcess::store_write(F f) -> decltype(f(std::declval<store::Store&>())) {
  using R = decltype(f(std::declval<store::Store&>()));
  auto result = std::make_shared<std::optional<R>>();
  std::promise<void> done;
  auto ready = done.get_future();
  services_->write_store([&done](Response) { done.set_value(); },
                         [f = std::move(f), result](store::Store& s) -> Result<Response> {
                           *result = f(s);
                           if (!**result) return std::unexpected((**result).error());
                           return Response{};
                         });
  ready.wait();
  return std::move(**result);
}

}  // namespace needlework::server::testing
