// `needlework openapi` (server::served_openapi): the document printed without a server is the one the server
// answers at /api/v1/openapi.json — the browser app's types are generated from it (web/scripts/gen-api.mjs) —
// and a data folder it cannot load is an error naming the setting, not a partial document.

#include "needlework/server/openapi_export.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "in_process.hpp"

namespace needlework::server::testing {
namespace {

TEST(OpenApiExport, IsTheDocumentTheServerServes) {
  ServerConfig config;
  config.data_dir = NEEDLEWORK_DATA_DIR;
  auto doc = served_openapi(config);
  ASSERT_TRUE(doc) << doc.error().describe();

  InProcess server;
  Request req;
  req.method = "GET";
  req.path = "/api/v1/openapi.json";
  const auto served = server.send(req);
  ASSERT_EQ(served.status, 200) << served.describe();
  EXPECT_EQ(*doc, nlohmann::json::parse(served.body));
  // The route of the document itself is in it (it is added where the Api is made, not in api_routes()).
  EXPECT_TRUE(doc->at("paths").contains("/api/v1/openapi.json"));
  EXPECT_TRUE(doc->at("paths").at("/api/v1/due").at("get").contains("x-roles"));
}

TEST(OpenApiExport, ADataFolderWithoutPacksIsAnErrorNamingTheSetting) {
  ServerConfig config;
  config.data_dir = std::filesystem::temp_directory_path() / "needlework-no-such-data-folder";
  auto doc = served_openapi(config);
  ASSERT_FALSE(doc);
  EXPECT_NE(doc.error().where.find("pack"), std::string::npos) << doc.error().describe();
}

}  // namespace
}  // namespace needlework::server::testing
