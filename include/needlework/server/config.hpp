#pragma once
/// The server's settings: each has a name, a default, an environment variable and a flag, read in that order
/// of precedence — a TOML file (`--config`), then the environment (`NEEDLEWORK_<NAME>`), then the command
/// line
/// (`--<name>`). The table `settings()` is the one list: `serve` builds its flags from it, docs/server.md
/// documents each entry (a test checks), and an unknown key in the file is an error that names it.

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "needlework/units/error.hpp"

namespace needlework::server {

struct ServerConfig {
  std::string listen = "127.0.0.1:8080";   ///< address:port ([v6]:port); port 0 picks a free one
  int threads = 2;                         ///< HTTP worker threads (and read connections)
  std::string database = "needlework.db";  ///< a SQLite file or a PostgreSQL URI, as the CLI's --db
  std::string pack = "seed";
  std::filesystem::path data_dir;   ///< packs, devices, skin, security lists ("" = the built-in data dir)
  std::filesystem::path photo_dir;  ///< "" = photos/ beside a SQLite file, ./photos for PostgreSQL
  std::filesystem::path web_root;   ///< static files served at / ("" = none)
  std::filesystem::path tls_cert;   ///< PEM certificate chain (with tls_key: serve HTTPS)
  std::filesystem::path tls_key;
  std::size_t max_body_bytes = 16u << 20;    ///< a JSON body or a photo
  std::size_t max_header_bytes = 16u << 10;  ///< each header field
  std::chrono::seconds request_timeout{30};  ///< to read a request and to write its answer
  std::chrono::seconds idle_timeout{60};     ///< a kept-alive connection with nothing to do
  std::size_t max_connections = 4096;
  std::chrono::minutes session_idle{30};       ///< a login unused this long ends
  std::chrono::minutes session_lifetime{720};  ///< a login ends this long after it began, however used
  std::string log_format = "json";             ///< access log lines: "json" or "text"
  std::filesystem::path access_log;            ///< "" = standard output
  std::chrono::seconds drain_timeout{10};      ///< on SIGTERM: how long in-flight requests may finish
  bool fast_password_hash = false;        ///< the least argon2id cost (tests only: logging in stays fast)
  int login_max_failures = 5;             ///< failed logins per account or address before 429
  std::chrono::minutes login_window{15};  ///< … within this window, which is also how long 429 lasts
  /// The address clients reach the app at, for links inside messages ("https://clinic.example:8443", no
  /// trailing slash); "" = the listen address (`public_url_of`).
  std::string public_url;
};

/// The address links in messages start with: `public_url` when set, else the listen address as http:// (or
/// https:// when tls_cert is set). With `listen` on port 0 or 0.0.0.0 that is not an address a client can
/// reach: a clinic sets public_url.
[[nodiscard]] std::string public_url_of(const ServerConfig& c);

/// One setting: its name in the file and flag (`max_body_bytes` → `--max-body-bytes`), environment variable,
/// default as text, what it means, and how a text value sets it.
struct Setting {
  std::string name;
  std::string env;   ///< NEEDLEWORK_<NAME>, or the CLI's own variable ($NEEDLEWORK_DB, $NEEDLEWORK_DATA)
  std::string flag;  ///< --<name with dashes>, or the CLI's own flag (--db, --data)
  std::string default_text;
  std::string help;
  std::function<Result<void>(ServerConfig&, std::string_view)> set;
};

/// Every setting, in the order docs/server.md lists them.
[[nodiscard]] const std::vector<Setting>& settings();

/// The configuration: defaults, then `file` (TOML, when given), then the environment (`getenv` is injected
/// for tests), then `flags` (name → text, as given on the command line). An unknown key in the file, a value
/// of the wrong type or out of range is `invalid_value` naming the key and where it came from.
[[nodiscard]] Result<ServerConfig> load_config(
    const std::optional<std::filesystem::path>& file,
    const std::function<std::optional<std::string>(const std::string&)>& getenv,
    const std::vector<std::pair<std::string, std::string>>& flags);

}  // namespace needlework::server
