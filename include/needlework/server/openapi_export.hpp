#pragma once
/// The OpenAPI document of `needlework serve`, without serving: what `needlework openapi` prints and what the
/// browser app's TypeScript types are generated from (web/, docs/architecture.md). It is the very document
/// the server answers at /api/v1/openapi.json — the same route table, schemas and builder — not a second
/// copy.

#include <nlohmann/json.hpp>

#include "needlework/server/config.hpp"
#include "needlework/units/error.hpp"

namespace needlework::server {

/// The document a server with this configuration serves. Only the configuration's data folder and pack are
/// read: the clinic database is not opened; a throwaway SQLite file in a temporary folder (removed before
/// returning) stands in for it, since the route table is built over opened services.
[[nodiscard]] Result<nlohmann::json> served_openapi(ServerConfig config);

}  // namespace needlework::server
