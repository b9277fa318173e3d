#include "http_client.hpp"

#include <algorithm>
#include <cctype>
#include <mutex>
#include <sstream>
#include <stdexcept>

namespace needlework::test {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* headers = static_cast<std::vector<std::pair<std::string, std::string>>*>(user);
  std::string_view line(data, size * count);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  const auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    auto value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    headers->emplace_back(std::string(line.substr(0, colon)), std::string(value));
  } else if (line.starts_with("HTTP/")) {
    headers->clear();  // a new response (after a 100 Continue): only the final one's headers count
  }
  return size * count;
}

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (iequals(k, name)) return v;
  }
  return std::nullopt;
}

nlohmann::json HttpResponse::json() const { return nlohmann::json::parse(body, nullptr, false); }

std::string HttpResponse::error_code() const {
  const auto j = json();
  if (j.is_object() && j.contains("error") && j["error"].is_object() && j["error"].contains("code") &&
      j["error"]["code"].is_string()) {
    return j["error"]["code"].get<std::string>();
  }
  return {};
}

std::string HttpResponse::describe() const {
  if (status == 0) return "no answer: " + failure;
  return std::to_string(status) + " " + body.substr(0, 2000);
}

HttpClient::HttpClient(std::string base_url) : base_url_(std::move(base_url)) {
  global_init();
  curl_ = curl_easy_init();
  if (curl_ == nullptr) throw std::runtime_error("curl_easy_init failed");
  curl_easy_setopt(curl_, CURLOPT_COOKIEFILE, "");  // the cookie engine on, in memory only
  curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl_, CURLOPT_TIMEOUT, 60L);  // a guard against a hung server, not a timing assertion
  curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT, 10L);
}

HttpClient::~HttpClient() { curl_easy_cleanup(curl_); }

HttpResponse HttpClient::request(std::string_view method, std::string_view path, std::string_view body,
                                 std::string_view content_type, const Headers& headers) {
  HttpResponse r;
  const std::string url = base_url_ + std::string(path);
  const std::string verb(method);
  curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
  // Reset what a previous request set: the handle is reused so its connection and cookies are.
  curl_easy_setopt(curl_, CURLOPT_NOBODY, 0L);
  curl_easy_setopt(curl_, CURLOPT_HTTPGET, 1L);
  curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, nullptr);
  if (verb == "HEAD") {
    curl_easy_setopt(curl_, CURLOPT_NOBODY, 1L);
  } else if (verb != "GET" || !body.empty()) {
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    if (verb != "POST") curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, verb.c_str());
  }
  curl_slist* list = nullptr;
  // libcurl adds "Expect: 100-continue" to big bodies and a form Content-Type to POSTs: neither is wanted.
  list = curl_slist_append(list, "Expect:");
  list = curl_slist_append(
      list, content_type.empty() ? "Content-Type:" : ("Content-Type: " + std::string(content_type)).c_str());
  if (!bearer_.empty()) list = curl_slist_append(list, ("Authorization: Bearer " + bearer_).c_str());
  if (!csrf_.empty() && verb != "GET" && verb != "HEAD") {
    list = curl_slist_append(list, ("X-CSRF-Token: " + csrf_).c_str());
  }
  for (const auto& h : headers) list = curl_slist_append(list, h.c_str());
  curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &r.headers);
  const CURLcode rc = curl_easy_perform(curl_);
  curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, nullptr);
  curl_slist_free_all(list);
  if (rc != CURLE_OK) {
    long os_errno = 0;
    curl_easy_getinfo(curl_, CURLINFO_OS_ERRNO, &os_errno);
    r.failure = std::string(curl_easy_strerror(rc)) + " (" + verb + " " + url + ", errno " +
                std::to_string(os_errno) + ")";
    return r;
  }
  curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &r.status);
  return r;
}

HttpResponse HttpClient::login(std::string_view name, std::string_view password) {
  auto r = post("/api/v1/auth/login", {{"name", name}, {"password", password}});
  const auto j = r.json();
  if (r.status == 200 && j.is_object() && j.contains("csrf_token") && j["csrf_token"].is_string()) {
    csrf_ = j["csrf_token"].get<std::string>();
  }
  return r;
}

HttpResponse HttpClient::change_password(std::string_view current, std::string_view next) {
  auto r = post("/api/v1/auth/password", {{"current_password", current}, {"new_password", next}});
  const auto j = r.json();
  if (r.status == 200 && j.is_object() && j.contains("csrf_token") && j["csrf_token"].is_string()) {
    csrf_ = j["csrf_token"].get<std::string>();
  }
  return r;
}

std::string HttpClient::cookie(std::string_view name) const {
  curl_slist* cookies = nullptr;
  curl_easy_getinfo(curl_, CURLINFO_COOKIELIST, &cookies);
  std::string value;
  for (auto* c = cookies; c != nullptr; c = c->next) {
    // Netscape format: domain, tailmatch, path, secure, expires, name, value (tab-separated).
    std::vector<std::string> fields;
    std::stringstream line(c->data);
    std::string field;
    while (std::getline(line, field, '\t')) fields.push_back(field);
    if (fields.size() >= 7 && fields[5] == name) value = fields[6];
    if (fields.size() == 6 && fields[5] == name) value.clear();  // an emptied cookie
  }
  curl_slist_free_all(cookies);
  return value;
}

void HttpClient::copy_session_from(const HttpClient& other) {
  curl_slist* cookies = nullptr;
  curl_easy_getinfo(other.curl_, CURLINFO_COOKIELIST, &cookies);
  for (auto* c = cookies; c != nullptr; c = c->next) curl_easy_setopt(curl_, CURLOPT_COOKIELIST, c->data);
  curl_slist_free_all(cookies);
  csrf_ = other.csrf_;
}

}  // namespace needlework::test
