// The PostgreSQL connection of the shared SQL layer (sql/connection.hpp), over libpqxx 6.4 (keeping to the
// subset 7.x also has: connection, work, exec, prepare/exec_prepared, is_null, commit). Records map exactly
// as on SQLite — the same columns, times and dates as the same UTC text, numbers sent as text in their
// shortest round-trip form — so a record reads back identical on either backend and audits to the same
// digests.
//
// One connection; every write transaction begins by locking the audit head row (SELECT … FOR UPDATE, the
// dialect's lock_head), so writers in several processes take turns as SQLite's BEGIN IMMEDIATE makes them,
// and each reads the chain's head only once it is theirs: no fork, no gap. READ COMMITTED: once the lock is
// held no other writer can commit, so every later statement sees the latest data. lock_timeout plays the part
// of SQLite's busy timeout. Every libpqxx exception becomes an Error in `current_error`; the password never
// appears in one.

#include <fmt/format.h>
#include <libpq-fe.h>

#include <charconv>
#include <optional>
#include <pqxx/pqxx>
#include <unordered_map>

#include "migrations.hpp"
#include "needlework/store/faults.hpp"
#include "needlework/store/store.hpp"
#include "sql/connection.hpp"
#include "sql/sql_store.hpp"

namespace needlework::store {
namespace {

/// How long a writer waits for another connection's write lock before giving up (SQLite: the busy timeout).
constexpr int lock_timeout_ms = 10000;

/// Key of the advisory lock migrations run under ("nwmg"), so two processes opening a new database at once
/// apply each migration once.
constexpr std::int64_t migration_lock_key = 0x6e776d67;

// ---- the connection string ---------------------------------------------------------------------------

/// The parts of a libpq connection string worth naming in a message; never the password.
struct ConnInfo {
  std::string host, port, dbname, user, password;
  bool parsed = false;
};

ConnInfo parse_conninfo(const std::string& conninfo) {
  ConnInfo out;
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(conninfo.c_str(), &err);
  if (opts == nullptr) {
    PQfreemem(err);
    return out;
  }
  out.parsed = true;
  for (auto* o = opts; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    const std::string_view k = o->keyword;
    if (k == "host" || (k == "hostaddr" && out.host.empty())) out.host = o->val;
    if (k == "port") out.port = o->val;
    if (k == "dbname") out.dbname = o->val;
    if (k == "user") out.user = o->val;
    if (k == "password") out.password = o->val;
  }
  PQconninfoFree(opts);
  return out;
}

/// "postgresql://user@host:port/dbname" without the password: what errors name as their location.
std::string label_of(const ConnInfo& c) {
  if (!c.parsed) return "PostgreSQL (a connection string that does not parse)";
  std::string host = c.host.empty() ? "localhost" : c.host;
  if (host.starts_with('/')) host = "[socket " + host + "]";
  return fmt::format("postgresql://{}{}{}{}/{}", c.user.empty() ? "" : c.user + "@", host,
                     c.port.empty() ? "" : ":", c.port, c.dbname.empty() ? "(default database)" : c.dbname);
}

/// A server or libpq message on one line, with the password blanked should it ever be echoed.
std::string clean_message(std::string_view what, const ConnInfo& info) {
  std::string s;
  bool line_start = true;
  for (const char c : what) {
    if (c == '\n' || c == '\r') {
      line_start = true;
      continue;
    }
    if (line_start && (c == ' ' || c == '\t')) continue;
    if (line_start && !s.empty()) s += "; ";
    line_start = false;
    s += c;
  }
  for (const std::string_view severity : {"ERROR:  ", "FATAL:  "}) {
    for (std::size_t i = 0; (i = s.find(severity, i)) != std::string::npos;) s.erase(i, severity.size());
  }
  if (!info.password.empty()) {
    for (std::size_t i = 0; (i = s.find(info.password, i)) != std::string::npos;) {
      s.replace(i, info.password.size(), "***");
    }
  }
  return s;
}

// ---- the connection ----------------------------------------------------------------------------------

std::string ascii_like(std::string_view column, std::string_view param) {
  // As SQLite's LIKE: case-insensitive for ASCII only (lower() under the "C" collation folds nothing else).
  return fmt::format("lower({}) LIKE lower({}::text COLLATE \"C\") ESCAPE '\\'", column, param);
}

std::string time_plus_seconds(std::string_view time_column, std::string_view seconds_param) {
  // The ISO text as a UTC timestamp, moved, and written back in the same form (byte order, "C").
  return fmt::format(
      "(to_char(({}::timestamptz + ({}::bigint) * interval '1 second') AT TIME ZONE 'UTC', "
      "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') COLLATE \"C\")",
      time_column, seconds_param);
}

const sql::Dialect postgres_dialect{.lock_head = "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE",
                                    .lock_missing_head = "LOCK TABLE audit_head IN SHARE ROW EXCLUSIVE MODE",
                                    .head_with_each_entry = true,
                                    .ascii_like = &ascii_like,
                                    .time_plus_seconds = &time_plus_seconds};

class PostgresRow final : public sql::Row {
 public:
  explicit PostgresRow(const pqxx::row& row) : row_(row) {}
  [[nodiscard]] bool is_null(int i) const override { return row_[i].is_null(); }
  [[nodiscard]] std::int64_t integer(int i) const override {
    const auto& f = row_[i];
    if (f.is_null()) throw sql::CorruptValue(fmt::format("column {} is empty, not a number", f.name()));
    return f.as<std::int64_t>();
  }
  [[nodiscard]] double real(int i) const override {
    const auto& f = row_[i];
    if (f.is_null()) throw sql::CorruptValue(fmt::format("column {} is empty, not a number", f.name()));
    // PostgreSQL 12+ prints a double in its shortest exact form; from_chars reads it back to the same bits.
    const std::string_view s = f.c_str();
    double v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size()) {
      throw sql::CorruptValue(fmt::format("column {} holds '{}', not a number", f.name(), s));
    }
    return v;
  }
  [[nodiscard]] std::string text(int i) const override {
    const auto& f = row_[i];
    return f.is_null() ? std::string() : std::string(f.c_str());
  }
  [[nodiscard]] std::string name(int i) const override { return row_[i].name(); }

 private:
  const pqxx::row& row_;
};

/// A parameter as the text PostgreSQL is sent: integers in decimal, doubles in their shortest round-trip form
/// (fmt), so nothing is rounded on the way; nullopt for NULL.
std::optional<std::string> param_text(const sql::Value& v) {
  if (const auto* n = std::get_if<std::int64_t>(&v)) return std::to_string(*n);
  if (const auto* d = std::get_if<double>(&v)) return fmt::format("{}", *d);
  if (const auto* t = std::get_if<std::string>(&v)) return *t;
  return std::nullopt;
}

class PostgresConnection final : public sql::Connection {
 public:
  PostgresConnection(const std::string& conninfo, ConnInfo info)
      : conninfo_(conninfo),
        info_(std::move(info)),
        label_(label_of(info_)),
        conn_(std::make_unique<pqxx::connection>(conninfo)) {}

  /// Applies the session settings once, in a transaction of its own.
  Result<void> configure() {
    try {
      begin(sql::TxKind::single);
      commit();
      return {};
    } catch (...) {
      rollback();
      return std::unexpected(current_error());
    }
  }

  [[nodiscard]] const sql::Dialect& dialect() const override { return postgres_dialect; }
  [[nodiscard]] const std::string& label() const override { return label_; }

  void query(const std::string& sql, std::span<const sql::Value> params,
             const std::function<void(const sql::Row&)>& each) override {
    if (!tx_) {
      // A read outside a transaction runs in one of its own.
      begin(sql::TxKind::single);
      try {
        query(sql, params, each);
        commit();
      } catch (...) {
        rollback();
        throw;
      }
      return;
    }
    auto [it, added] = prepared_.try_emplace(sql, "");
    if (added) {
      it->second = fmt::format("nw{}", prepared_.size());
      try {
        conn_->prepare(it->second, sql);
      } catch (...) {
        prepared_.erase(it);
        throw;
      }
    }
    std::vector<std::optional<std::string>> texts;
    texts.reserve(params.size());
    for (const auto& v : params) texts.push_back(param_text(v));
    std::vector<const char*> values;
    values.reserve(texts.size());
    for (const auto& t : texts) values.push_back(t ? t->c_str() : nullptr);
    const auto result = tx_->exec_prepared(it->second, pqxx::prepare::make_dynamic_params(values));
    for (const auto& r : result) each(PostgresRow(r));
  }

  void command(const std::string& sql) override { tx_->exec(sql); }
  void script(const std::string& sql) override { tx_->exec(sql); }

  void begin(sql::TxKind kind) override {
    if (tx_) throw std::logic_error("a transaction is already open on this connection");
    reconnect_if_lost();
    tx_.emplace(*conn_);
    try {
      start(kind);
    } catch (...) {
      tx_.reset();
      throw;
    }
  }

  void commit() override {
    if (!tx_) throw std::logic_error("no transaction is open on this connection");
    tx_->commit();
    tx_.reset();
    if (fresh_) configured_pid_ = conn_->backendpid();
  }

  void rollback() noexcept override { tx_.reset(); }  // ~work aborts an open transaction

  [[nodiscard]] Error current_error() const override {
    auto fault = [&](std::string_view id, std::string message) {
      return Error{ErrorCode::io_error, std::move(message), label_, std::string(id)};
    };
    try {
      throw;
    } catch (const pqxx::sql_error& e) {
      const std::string& state = e.sqlstate();
      const std::string message = clean_message(e.what(), info_);
      if (state.starts_with("23")) {  // integrity constraint violation: unique, foreign key, check, trigger
        return Error{ErrorCode::invalid_value, fmt::format("the database refused the change: {}", message),
                     label_};
      }
      if (state == "55P03" || state == "40P01" ||
          state == "40001") {  // lock timeout, deadlock, serialization
        return fault(faults::busy,
                     fmt::format("the database is busy (another writer held it for {} s); try again",
                                 lock_timeout_ms / 1000));
      }
      if (state == "53100")
        return fault(faults::disk_full, fmt::format("the database server's disk is full: {}", message));
      if (state == "25006")
        return fault(faults::read_only, fmt::format("the database is read-only: {}", message));
      // Connection exceptions, the server shutting down or starting up (57P01–57P03): the connection is gone.
      if (state.starts_with("08") || state.starts_with("57P")) {
        return fault(faults::unreachable, fmt::format("lost the connection to PostgreSQL: {}", message));
      }
      return Error{ErrorCode::io_error, fmt::format("PostgreSQL: {}", message), label_};
    } catch (const pqxx::broken_connection& e) {
      return fault(faults::unreachable,
                   fmt::format("lost the connection to PostgreSQL: {}", clean_message(e.what(), info_)));
    } catch (const pqxx::in_doubt_error& e) {
      return fault(faults::unreachable,
                   fmt::format("the connection broke during a commit, which may or may not have happened: {}",
                               clean_message(e.what(), info_)));
    } catch (const pqxx::conversion_error& e) {
      return Error{ErrorCode::database_error,
                   fmt::format("the database holds an invalid value: {}", e.what()), label_};
    } catch (const std::exception& e) {
      return Error{ErrorCode::io_error, fmt::format("PostgreSQL: {}", clean_message(e.what(), info_)),
                   label_};
    }
  }

  Result<void> backup_to(const std::filesystem::path& target, const std::function<void(double)>&) override {
    return fail(ErrorCode::invalid_value,
                fmt::format("a PostgreSQL database is backed up with pg_dump, not by Needlework: "
                            "pg_dump --format=custom --file=clinic.dump '{}' (docs/store.md, \"PostgreSQL\")",
                            label_),
                target.string());
  }

 private:
  /// The first statements of a transaction just begun: its isolation for a snapshot, the session settings
  /// when the session is new (the first, or one libpqxx 6.4 reconnected after the server went away) — inside
  /// the transaction, so they hold once it commits — and the migration lock.
  void start(sql::TxKind kind) {
    if (kind == sql::TxKind::read_snapshot)
      tx_->exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    fresh_ = conn_->backendpid() != configured_pid_;
    if (fresh_) {
      // Notices ("relation already exists, skipping") would otherwise be printed on stderr by libpqxx;
      // lock_timeout is SQLite's busy timeout.
      tx_->exec(
          fmt::format("SELECT set_config('client_min_messages', 'warning', false), "
                      "set_config('lock_timeout', '{}', false), "
                      "set_config('application_name', 'needlework', false)",
                      lock_timeout_ms));
    }
    // Each migration under a transaction-scoped advisory lock, so two processes apply it once.
    if (kind == sql::TxKind::migration)
      tx_->exec(fmt::format("SELECT pg_advisory_xact_lock({})", migration_lock_key));
  }

  /// A connection the server ended (a restart, a terminated session) is replaced by a new one when the next
  /// transaction starts; the transaction it broke has already failed with io_error.
  void reconnect_if_lost() {
    if (conn_->is_open()) return;
    // The new connection first: when the server is still down this throws (broken_connection, the request's
    // io_error) and the old, closed one stays, so conn_ is never null and the next transaction tries again.
    auto fresh = std::make_unique<pqxx::connection>(conninfo_);
    conn_ = std::move(fresh);
    prepared_.clear();
    configured_pid_ = 0;
  }

  std::string conninfo_;  ///< as given, password included: only ever passed to libpq
  ConnInfo info_;
  std::string label_;
  std::unique_ptr<pqxx::connection> conn_;  ///< never null
  std::optional<pqxx::work> tx_;            ///< the open transaction, if any
  int configured_pid_ = 0;                  ///< the server process whose session has our settings
  bool fresh_ = false;                      ///< the open transaction applies the session settings
  std::unordered_map<std::string, std::string> prepared_;  ///< SQL text → prepared statement name
};

}  // namespace

Result<std::unique_ptr<Store>> open_postgres(const std::string& conninfo) {
  const ConnInfo info = parse_conninfo(conninfo);
  const std::string label = label_of(info);
  if (!info.parsed) {
    return fail(ErrorCode::invalid_value,
                "is not a PostgreSQL connection string (postgresql://user@host:port/dbname, or "
                "host=… dbname=… key=value pairs)",
                "--db");
  }
  std::unique_ptr<PostgresConnection> connection;
  try {
    connection = std::make_unique<PostgresConnection>(conninfo, info);
  } catch (const std::exception& e) {
    return std::unexpected(Error{
        ErrorCode::io_error, fmt::format("cannot connect to PostgreSQL: {}", clean_message(e.what(), info)),
        label, std::string(faults::unreachable)});
  }
  NW_CHECK(connection->configure());
  return sql::open_sql_store(std::move(connection), postgres_migrations());
}

}  // namespace needlework::store
