// `needlework serve`: the clinic server (src/server); `needlework openapi`: the OpenAPI document it serves.
// Its settings come from server::settings() — one flag each, beside the global --db, --data and --pack it
// shares with every store command — over the environment and a TOML file (--config); docs/server.md lists
// them.

#include <filesystem>
#include <iostream>
#include <map>
#include <memory>

#include "context.hpp"
#include "needlework/server/config.hpp"
#include "needlework/server/openapi_export.hpp"
#include "needlework/server/server.hpp"

#ifndef NEEDLEWORK_WEB_DIR
#error "NEEDLEWORK_WEB_DIR must be defined by the build"
#endif

namespace needlework::cli {

void add_serve_command(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand(
      "serve",
      "Serve the clinic over HTTP: the JSON API (/api/v1, OpenAPI at /api/v1/openapi.json), staff logins and "
      "the browser app. Settings: --config FILE, then $NEEDLEWORK_* variables, then these flags "
      "(docs/server.md).");
  auto config_file = std::make_shared<std::string>();
  auto values = std::make_shared<std::map<std::string, std::string>>();
  cmd->add_option("--config", *config_file, "A TOML file of settings (docs/server.md)");
  for (const auto& s : server::settings()) {
    // --db, --data and --pack are the global options every command has.
    if (s.flag == "--db" || s.flag == "--data" || s.name == "pack") continue;
    cmd->add_option(s.flag, (*values)[s.name], s.help + " (default: " + s.default_text + "; $" + s.env + ")");
  }
  cmd->footer(
      "Examples:\n  needlework serve\n  needlework --db clinic.db serve --listen 0.0.0.0:8443 --tls-cert "
      "cert.pem --tls-key key.pem\n  needlework --db postgresql://needlework@db/clinic serve --threads 8\n\n"
      "On a clinic with no admin login, serve makes the user 'admin' and prints a one-time password once.\n"
      "SIGTERM or SIGINT: finishes the requests in flight, writes what is queued, exits 0.\n\n" +
      std::string(exit_codes_help));
  cmd->callback([&app, &ctx, cmd, config_file, values] {
    std::vector<std::pair<std::string, std::string>> flags;
    for (const auto& s : server::settings()) {
      if (auto* o = cmd->get_option_no_throw(s.flag); o != nullptr && o->count() > 0) {
        flags.emplace_back(s.name, (*values)[s.name]);
      }
    }
    // The global options, when given, are flags of the server too.
    if (auto* o = app.get_option_no_throw("--db"); o != nullptr && o->count() > 0) {
      flags.emplace_back("database", o->as<std::string>());
    }
    if (!ctx.data_option.empty()) flags.emplace_back("data_dir", ctx.data_option);
    if (auto* o = app.get_option_no_throw("--pack"); o != nullptr && o->count() > 0) {
      flags.emplace_back("pack", ctx.pack_id);
    }
    auto config = server::load_config(
        config_file->empty() ? std::nullopt : std::optional<std::filesystem::path>(*config_file),
        [](const std::string& name) -> std::optional<std::string> {
          const char* v = std::getenv(name.c_str());
          if (v == nullptr || *v == '\0') return std::nullopt;
          return std::string(v);
        },
        flags);
    if (!config) {
      ctx.exit_code = report(ctx, config.error());
      return;
    }
    // No web_root configured: the browser app this build made (<build>/web/dist), as the data folder
    // defaults to the build's data/ — so the built binary serves its app without flags
    // (docs/architecture.md).
    if (config->web_root.empty()) {
      const std::filesystem::path built = NEEDLEWORK_WEB_DIR;
      std::error_code ec;
      if (std::filesystem::is_regular_file(built / "index.html", ec)) {
        config->web_root = built;
      } else {
        std::cout << "needlework serve: no browser app at " << built.string()
                  << " (build the `web` target, or set web_root); serving the API only\n";
      }
    }
    auto ran = server::serve(*config, std::cout);
    if (!ran) ctx.exit_code = report(ctx, ran.error());
  });
}

void add_openapi_command(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("openapi",
                                 "Print the OpenAPI 3.1 document that `needlework serve` answers at "
                                 "/api/v1/openapi.json (the browser app's "
                                 "TypeScript types are generated from it). Reads only the data folder and "
                                 "--pack; no database is opened.");
  cmd->footer("Example:\n  needlework openapi > openapi.json\n\n" + std::string(exit_codes_help));
  cmd->callback([&ctx] {
    server::ServerConfig config;
    config.data_dir = ctx.data_dir();
    config.pack = ctx.pack_id;
    auto doc = server::served_openapi(config);
    if (!doc) {
      ctx.exit_code = report(ctx, doc.error());
      return;
    }
    print_json(*doc);
  });
}

}  // namespace needlework::cli
