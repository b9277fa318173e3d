#pragma once
// A real HTTP client for the API tests (libcurl): one easy handle per client, so one client is one browser
// (its cookies kept in memory, the CSRF token of its last login or password change sent on every write) or
// one machine (a bearer API key). Each request answers its status, headers and body.

#include <curl/curl.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace needlework::test {

/// One answer.
struct HttpResponse {
  long status = 0;  ///< 0 when no answer came (then `failure` says why)
  std::vector<std::pair<std::string, std::string>> headers;  ///< as received (every Set-Cookie kept)
  std::string body;
  std::string failure;  ///< libcurl's error for a request that got no answer

  /// The first header of that name (case-insensitive).
  [[nodiscard]] std::optional<std::string> header(std::string_view name) const;
  /// The body as JSON (a discarded value when it is not JSON).
  [[nodiscard]] nlohmann::json json() const;
  /// {"error": {"code": …}}'s code, "" when the body is not an error.
  [[nodiscard]] std::string error_code() const;
  /// "STATUS body" for a failure message.
  [[nodiscard]] std::string describe() const;
};

/// Extra request headers, "Name: value" each.
using Headers = std::vector<std::string>;

class HttpClient {
 public:
  explicit HttpClient(std::string base_url);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  /// Sends `method path` (path with its query) with `body` of `content_type` ("" sends no Content-Type), the
  /// client's cookies, its bearer key if set, and on anything but GET/HEAD its CSRF token if it has one.
  HttpResponse request(std::string_view method, std::string_view path, std::string_view body = {},
                       std::string_view content_type = {}, const Headers& headers = {});
  HttpResponse get(std::string_view path) { return request("GET", path); }
  HttpResponse post(std::string_view path, const nlohmann::json& body) {
    return request("POST", path, body.dump(), "application/json");
  }
  HttpResponse post(std::string_view path) { return request("POST", path); }
  HttpResponse del(std::string_view path) { return request("DELETE", path); }

  /// POST /api/v1/auth/login; keeps the session cookie (libcurl's cookie engine) and the CSRF token.
  HttpResponse login(std::string_view name, std::string_view password);
  /// POST /api/v1/auth/password; keeps the new CSRF token.
  HttpResponse change_password(std::string_view current, std::string_view next);

  /// The CSRF token sent on writes ("" sends none).
  [[nodiscard]] const std::string& csrf_token() const { return csrf_; }
  void set_csrf_token(std::string token) { csrf_ = std::move(token); }
  /// A bearer API key sent as Authorization on every request ("" sends none).
  void set_bearer(std::string key) { bearer_ = std::move(key); }
  /// The value of a cookie the client holds ("" when it holds none of that name).
  [[nodiscard]] std::string cookie(std::string_view name) const;
  /// Gives this client `other`'s cookies and CSRF token: the same browser talking to another instance.
  void copy_session_from(const HttpClient& other);
  [[nodiscard]] const std::string& base_url() const { return base_url_; }

 private:
  std::string base_url_;
  CURL* curl_ = nullptr;
  std::string csrf_;
  std::string bearer_;
};

}  // namespace needlework::test
