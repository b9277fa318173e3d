// The OpenAPI document from the route table (openapi.hpp).

#include "openapi.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <regex>

#include "needlework/version.hpp"

namespace needlework::server {
namespace {

nlohmann::json ref(const std::string& schema) { return {{"$ref", "#/components/schemas/" + schema}}; }

nlohmann::json error_answer(std::string_view description) {
  return {{"description", description}, {"content", {{"application/json", {{"schema", ref("Error")}}}}}};
}

}  // namespace

nlohmann::json openapi_document(const std::vector<Route>& routes, const nlohmann::json& schemas) {
  nlohmann::json paths = nlohmann::json::object();
  static const std::regex param(R"(\{([a-z_]+)\})");
  for (const auto& r : routes) {
    nlohmann::json op;
    op["summary"] = r.summary;
    op["operationId"] =
        fmt::format("{}{}", r.method, std::regex_replace(r.path, std::regex(R"([^A-Za-z0-9]+)"), "_"));
    const auto names = role_names(r.roles);
    op["description"] = r.roles == 0 ? std::string("Public: no login needed.")
                                     : fmt::format("Roles: {}.", fmt::join(names, ", "));
    op["x-roles"] = names;
    nlohmann::json parameters = nlohmann::json::array();
    for (auto it = std::sregex_iterator(r.path.begin(), r.path.end(), param); it != std::sregex_iterator();
         ++it) {
      parameters.push_back(
          {{"name", (*it)[1].str()}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}});
    }
    for (const auto& q : r.query) {
      parameters.push_back({{"name", q.name},
                            {"in", "query"},
                            {"required", q.required},
                            {"description", q.description},
                            {"schema", {{"type", q.type}}}});
    }
    if (!parameters.empty()) op["parameters"] = parameters;
    if (r.body == BodyKind::json) {
      op["requestBody"] = {{"required", true},
                           {"content", {{"application/json", {{"schema", ref(r.request_schema)}}}}}};
    } else if (r.body == BodyKind::image) {
      const nlohmann::json binary = {
          {"schema", {{"type", "string"}, {"contentMediaType", "application/octet-stream"}}}};
      op["requestBody"] = {{"required", true}, {"content", {{"image/jpeg", binary}, {"image/png", binary}}}};
    }
    nlohmann::json responses;
    nlohmann::json ok = {{"description", "success"}};
    if (r.success != 204) {
      if (!r.response_schema.empty()) {
        ok["content"] = {{r.response_type, {{"schema", ref(r.response_schema)}}}};
      } else {
        ok["content"] = {{r.response_type, {{"schema", {{"type", "string"}}}}}};
      }
    }
    responses[std::to_string(r.success)] = ok;
    if (r.body != BodyKind::none || !r.query.empty()) responses["400"] = error_answer("malformed request");
    if (r.roles != 0) {
      responses["401"] = error_answer("not logged in, or the session or key has ended");
      responses["403"] = error_answer("the role may not do this, or a cookie write lacks its CSRF token");
    }
    if (r.path.find('{') != std::string::npos) responses["404"] = error_answer("no such record");
    if (r.writes) responses["409"] = error_answer("a clinical or safety rule refuses it (names the rule)");
    if (r.body != BodyKind::none) {
      responses["413"] = error_answer("the body is too large");
      responses["415"] = error_answer("the body's media type is not the one this route takes");
    }
    if (r.body != BodyKind::none || !r.query.empty() || r.path.find('{') != std::string::npos) {
      responses["422"] = error_answer("a field is missing, out of range or unknown to the pack");
    }
    if (r.path == "/api/v1/auth/login")
      responses["429"] = error_answer("too many failed logins: wait Retry-After");
    responses["500"] = error_answer("the server failed (the detail is in its log)");
    responses["503"] = error_answer("the database is busy or unreachable");
    op["responses"] = responses;
    std::string method = r.method;
    std::transform(method.begin(), method.end(), method.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    paths[r.path][method] = op;
  }
  return {{"openapi", "3.1.0"},
          {"info",
           {{"title", "Needlework clinic API"},
            {"version", std::string(needlework::version)},
            {"description",
             "The clinic server of Needlework: records, staff logins and the clinical and physics engines. "
             "Log in with POST /api/v1/auth/login (a cookie session; writes carry the X-CSRF-Token header) "
             "or send an API key as a bearer token. Every error is {\"error\": {code, message, field}}."}}},
          {"servers", nlohmann::json::array({{{"url", "/"}}})},
          {"paths", paths},
          {"components",
           {{"schemas", schemas},
            {"securitySchemes",
             {{"session", {{"type", "apiKey"}, {"in", "cookie"}, {"name", std::string(session_cookie)}}},
              {"apiKey", {{"type", "http"}, {"scheme", "bearer"}}}}}}},
          {"security", nlohmann::json::array(
                           {{{"session", nlohmann::json::array()}}, {{"apiKey", nlohmann::json::array()}}})}};
}

}  // namespace needlework::server
