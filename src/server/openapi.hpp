#pragma once
// The OpenAPI 3.1 document of the API, made from the route table (api.hpp) and the schemas of its JSON
// documents (data/api/schemas.json): every route with its path parameters, query parameters, body, success
// answer and the error answers its pipeline can give.

#include <nlohmann/json.hpp>
#include <vector>

#include "needlework/server/api.hpp"

namespace needlework::server {

/// The document. `schemas` is the components' schema object (name → JSON Schema); a route naming a schema it
/// does not hold is a programming error the route-table test reports (here it is left as a dangling $ref).
[[nodiscard]] nlohmann::json openapi_document(const std::vector<Route>& routes,
                                              const nlohmann::json& schemas);

}  // namespace needlework::server
