// `needlework serve`: the clinic server (src/server). Its settings come from server::settings() — one flag
// each, beside the global --db, --data and --pack it shares with every store command — over the environment
// and a TOML file (--config); docs/server.md lists them.

#include <iostream>
#include <map>
#include <memory>

#include "context.hpp"
#include "needlework/server/config.hpp"
#include "needlework/server/server.hpp"

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
    auto ran = server::serve(*config, std::cout);
    if (!ran) ctx.exit_code = report(ctx, ran.error());
  });
}

}  // namespace needlework::cli
