// The served OpenAPI document without a server (openapi_export.hpp).

#include "needlework/server/openapi_export.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <system_error>

#include "needlework/server/api.hpp"
#include "services.hpp"

namespace needlework::server {

Result<nlohmann::json> served_openapi(ServerConfig config) {
  std::error_code ec;
  const auto base = std::filesystem::temp_directory_path(ec);
  if (ec) return fail(ErrorCode::io_error, "no temporary folder: " + ec.message(), "TMPDIR");
  // mkdtemp: a folder of our own, so two runs at once never share the throwaway database.
  std::string templ = (base / "needlework-openapi-XXXXXX").string();
  if (::mkdtemp(templ.data()) == nullptr) {
    return fail(ErrorCode::io_error, "cannot make a temporary folder", base.string());
  }
  const std::filesystem::path dir = templ;
  config.database = (dir / "clinic.db").string();
  config.photo_dir = dir / "photos";
  config.web_root.clear();
  config.access_log.clear();
  Result<nlohmann::json> document = [&]() -> Result<nlohmann::json> {
    NW_TRY(services, Services::open(config));
    nlohmann::json doc;
    {
      const Api api(services, api_routes());
      doc = api.openapi();
    }
    services->close_writer();
    return doc;
  }();
  std::filesystem::remove_all(dir, ec);
  return document;
}

}  // namespace needlework::server
