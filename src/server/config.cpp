// The settings table and the layered configuration (config.hpp).

#include "needlework/server/config.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <charconv>

namespace needlework::server {
namespace {

/// A whole number in [lo, hi] from text; `invalid_value` otherwise.
Result<std::int64_t> whole(std::string_view text, std::int64_t lo, std::int64_t hi) {
  std::int64_t v = 0;
  const auto* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc{} || p != end) return fail(ErrorCode::invalid_value, "must be a whole number");
  if (v < lo || v > hi) {
    return fail(ErrorCode::out_of_range, fmt::format("must be between {} and {}", lo, hi));
  }
  return v;
}

template <class T>
std::function<Result<void>(ServerConfig&, std::string_view)> integer(T ServerConfig::*member, std::int64_t lo,
                                                                     std::int64_t hi) {
  return [member, lo, hi](ServerConfig& c, std::string_view text) -> Result<void> {
    NW_TRY(v, whole(text, lo, hi));
    if constexpr (std::is_integral_v<T>) {
      c.*member = static_cast<T>(v);
    } else {
      c.*member = T{static_cast<typename T::rep>(v)};
    }
    return {};
  };
}

std::function<Result<void>(ServerConfig&, std::string_view)> text(std::string ServerConfig::*member) {
  return [member](ServerConfig& c, std::string_view t) -> Result<void> {
    c.*member = std::string(t);
    return {};
  };
}

std::function<Result<void>(ServerConfig&, std::string_view)> path(
    std::filesystem::path ServerConfig::*member) {
  return [member](ServerConfig& c, std::string_view t) -> Result<void> {
    c.*member = std::filesystem::path(std::string(t));
    return {};
  };
}

std::vector<Setting> make_settings() {
  const ServerConfig d;
  std::vector<Setting> s;
  auto add = [&](std::string name, std::string def, std::string help, auto set) {
    std::string env = "NEEDLEWORK_";
    for (char ch : name) env += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    std::string flag = "--";
    for (char ch : name) flag += ch == '_' ? '-' : ch;
    s.push_back(Setting{std::move(name), std::move(env), std::move(flag), std::move(def), std::move(help),
                        std::move(set)});
  };
  add("listen", d.listen, "address:port to listen on ([::1]:8080 for IPv6); port 0 picks a free port",
      [](ServerConfig& c, std::string_view t) -> Result<void> {
        const auto colon = t.rfind(':');
        if (colon == std::string_view::npos || colon == 0) {
          return fail(ErrorCode::invalid_value, "must be address:port, e.g. 127.0.0.1:8080");
        }
        NW_CHECK(whole(t.substr(colon + 1), 0, 65535));
        c.listen = std::string(t);
        return {};
      });
  add("threads", std::to_string(d.threads), "HTTP worker threads, each with its own read connection (1–256)",
      integer(&ServerConfig::threads, 1, 256));
  add("database", d.database,
      "the clinic database: a SQLite file, or a PostgreSQL URI (postgresql://user@host/db), as the CLI's "
      "--db",
      text(&ServerConfig::database));
  add("pack", d.pack, "the knowledge pack the clinic works with", text(&ServerConfig::pack));
  add("data_dir", "(the built-in data folder)", "packs, devices, skin regions and the password list",
      path(&ServerConfig::data_dir));
  add("photo_dir", "(photos/ beside a SQLite file; ./photos for PostgreSQL)", "where photo files are kept",
      path(&ServerConfig::photo_dir));
  add("web_root", "(the built browser app, <build>/web/dist, when built)",
      "a folder of static files served at / (the browser app)", path(&ServerConfig::web_root));
  add("tls_cert", "(none)", "PEM certificate chain: with tls_key, serve HTTPS (cookies become Secure)",
      path(&ServerConfig::tls_cert));
  add("tls_key", "(none)", "PEM private key of tls_cert", path(&ServerConfig::tls_key));
  add("max_body_bytes", std::to_string(d.max_body_bytes),
      "the largest request body: a JSON document or a photo",
      integer(&ServerConfig::max_body_bytes, 1024, std::int64_t{1} << 30));
  add("max_header_bytes", std::to_string(d.max_header_bytes), "the largest header field (name or value)",
      integer(&ServerConfig::max_header_bytes, 256, std::int64_t{1} << 20));
  add("request_timeout_s", std::to_string(d.request_timeout.count()),
      "seconds to handle a request and to write its answer",
      integer(&ServerConfig::request_timeout, 1, 3600));
  add("idle_timeout_s", std::to_string(d.idle_timeout.count()),
      "seconds a connection has to deliver its next request (waiting and reading together)",
      integer(&ServerConfig::idle_timeout, 1, 3600));
  add("max_connections", std::to_string(d.max_connections),
      "connections held at once (fewer if the open-file limit is lower); more wait to be accepted",
      integer(&ServerConfig::max_connections, 1, 1000000));
  add("session_idle_min", std::to_string(d.session_idle.count()),
      "minutes a login may go unused before it ends", integer(&ServerConfig::session_idle, 1, 24 * 60));
  add("session_lifetime_min", std::to_string(d.session_lifetime.count()),
      "minutes after which a login ends however it is used",
      integer(&ServerConfig::session_lifetime, 1, 30 * 24 * 60));
  add("log_format", d.log_format, "access log lines: json or text",
      [](ServerConfig& c, std::string_view t) -> Result<void> {
        if (t != "json" && t != "text") return fail(ErrorCode::invalid_value, "must be json or text");
        c.log_format = std::string(t);
        return {};
      });
  add("access_log", "(standard output)", "file the access log is appended to",
      path(&ServerConfig::access_log));
  add("drain_timeout_s", std::to_string(d.drain_timeout.count()),
      "on SIGTERM or SIGINT, seconds in-flight requests may take to finish",
      integer(&ServerConfig::drain_timeout, 0, 600));
  add("fast_password_hash", "false",
      "hash passwords at argon2id's least cost: for tests only, never a clinic",
      [](ServerConfig& c, std::string_view t) -> Result<void> {
        if (t != "true" && t != "false") return fail(ErrorCode::invalid_value, "must be true or false");
        c.fast_password_hash = t == "true";
        return {};
      });
  add("login_max_failures", std::to_string(d.login_max_failures),
      "failed logins per account, and per address, within login_window_min before logins answer 429",
      integer(&ServerConfig::login_max_failures, 1, 1000));
  add("login_window_min", std::to_string(d.login_window.count()),
      "minutes failed logins are counted over, and how long a throttled login waits",
      integer(&ServerConfig::login_window, 1, 24 * 60));
  add("public_url", "(the listen address, as http://)",
      "the address clients reach the app at, used in links inside messages (https://clinic.example:8443)",
      [](ServerConfig& c, std::string_view t) -> Result<void> {
        std::string url(t);
        while (!url.empty() && url.back() == '/') url.pop_back();
        if (!url.empty()) {
          const bool scheme = url.starts_with("http://") || url.starts_with("https://");
          const auto host_at = url.find("://") + 3;
          if (!scheme || host_at >= url.size() || url.find_first_of(" \t\r\n?#") != std::string::npos) {
            return fail(
                ErrorCode::invalid_value,
                "must be an http:// or https:// address with no query, e.g. https://clinic.example:8443");
          }
        }
        c.public_url = std::move(url);
        return {};
      });
  add("smtp_host", "(none: no mail is sent)", "the mail relay the outbox is delivered to (docs/mail.md)",
      text(&ServerConfig::smtp_host));
  add("smtp_port", "(25, 587 or 465 by smtp_tls)", "the relay's port",
      integer(&ServerConfig::smtp_port, 0, 65535));
  add("smtp_tls", d.smtp_tls, "none, starttls (required) or implicit (SMTPS)",
      [](ServerConfig& c, std::string_view t) -> Result<void> {
        if (!mail::tls_mode_from_string(t))
          return fail(ErrorCode::invalid_value, "must be none, starttls or implicit");
        c.smtp_tls = std::string(t);
        return {};
      });
  add("smtp_user", "(none: no login)", "the login at the relay", text(&ServerConfig::smtp_user));
  add("smtp_password_file", "(none)",
      "a file whose first line is smtp_user's password (never the password itself)",
      path(&ServerConfig::smtp_password_file));
  add("mail_from", "(none)",
      "the sender of the clinic's mail: front@clinic.example or \"Clinic <front@clinic.example>\"",
      text(&ServerConfig::mail_from));
  add("mail_max_attempts", std::to_string(d.mail_max_attempts),
      "attempts before a message the relay keeps refusing for now (4xx, unreachable) is failed",
      integer(&ServerConfig::mail_max_attempts, 1, 100));
  add("mail_retry_base_s", std::to_string(d.mail_retry_base.count()),
      "seconds before the first retry; each next one waits twice as long (±20 %, at most 6 h)",
      integer(&ServerConfig::mail_retry_base, 1, 86400));
  add("mail_poll_s", std::to_string(d.mail_poll.count()),
      "seconds the delivery worker of serve sleeps when nothing is due",
      integer(&ServerConfig::mail_poll, 1, 3600));
  add("reminder_lead_h", std::to_string(d.reminder_lead.count()),
      "hours before a booked visit its reminder is sent (queued by the delivery worker's round)",
      integer(&ServerConfig::reminder_lead, 1, 24 * 14));
  // The CLI's own names for what it shares with the server, so one environment serves both.
  for (auto& x : s) {
    if (x.name == "database") {
      x.env = "NEEDLEWORK_DB";
      x.flag = "--db";
    } else if (x.name == "data_dir") {
      x.env = "NEEDLEWORK_DATA";
      x.flag = "--data";
    }
  }
  return s;
}

const Setting* find_setting(std::string_view name) {
  for (const auto& s : settings()) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

Result<void> apply(ServerConfig& c, const Setting& s, std::string_view value, std::string_view from) {
  auto r = s.set(c, value);
  if (!r) {
    return fail(
        r.error().code == ErrorCode::out_of_range ? ErrorCode::out_of_range : ErrorCode::invalid_value,
        r.error().message, fmt::format("{} ({})", s.name, from));
  }
  return {};
}

}  // namespace

mail::MailConfig mail_config_of(const ServerConfig& c) {
  mail::MailConfig m;
  m.smtp_host = c.smtp_host;
  m.smtp_port = c.smtp_port;
  m.smtp_tls = mail::tls_mode_from_string(c.smtp_tls).value_or(mail::TlsMode::starttls);
  m.smtp_user = c.smtp_user;
  m.smtp_password_file = c.smtp_password_file;
  m.mail_from = c.mail_from;
  m.max_attempts = c.mail_max_attempts;
  m.retry_base = c.mail_retry_base;
  m.poll = c.mail_poll;
  m.reminder_lead = c.reminder_lead;
  return m;
}

std::string public_url_of(const ServerConfig& c) {
  if (!c.public_url.empty()) return c.public_url;
  return fmt::format("{}://{}", c.tls_cert.empty() ? "http" : "https", c.listen);
}

const std::vector<Setting>& settings() {
  static const std::vector<Setting> all = make_settings();
  return all;
}

Result<ServerConfig> load_config(const std::optional<std::filesystem::path>& file,
                                 const std::function<std::optional<std::string>(const std::string&)>& getenv,
                                 const std::vector<std::pair<std::string, std::string>>& flags) {
  ServerConfig c;
  if (file) {
    toml::table t;
    try {
      t = toml::parse_file(file->string());
    } catch (const toml::parse_error& e) {
      return fail(ErrorCode::parse_error, std::string(e.description()),
                  fmt::format("{}:{}:{}", file->string(), e.source().begin.line, e.source().begin.column));
    }
    for (const auto& [key, node] : t) {
      const auto* s = find_setting(key.str());
      const std::string where = fmt::format("{}: {}", file->string(), key.str());
      if (s == nullptr) {
        return fail(ErrorCode::unknown_field, "is not a setting (see docs/server.md)", where);
      }
      std::string value;
      if (auto str = node.value<std::string>(); str && node.is_string()) {
        value = *str;
      } else if (node.is_integer()) {
        value = std::to_string(*node.value<std::int64_t>());
      } else if (node.is_boolean()) {
        value = *node.value<bool>() ? "true" : "false";
      } else {
        return fail(ErrorCode::invalid_value, "must be a string, a whole number or true/false", where);
      }
      NW_CHECK(apply(c, *s, value, file->string()));
    }
  }
  for (const auto& s : settings()) {
    if (auto v = getenv(s.env)) NW_CHECK(apply(c, s, *v, "$" + s.env));
  }
  for (const auto& [name, value] : flags) {
    const auto* s = find_setting(name);
    if (s == nullptr) return fail(ErrorCode::unknown_field, "is not a setting", "--" + name);
    NW_CHECK(apply(c, *s, value, "--" + name));
  }
  return c;
}

}  // namespace needlework::server
