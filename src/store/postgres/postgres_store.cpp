// The PostgreSQL backend of the repository (libpqxx 6.4, keeping to the subset 7.x also has: connection,
// work, exec_params, prepare/exec_prepared, as<T>, is_null, commit). It maps records exactly as the SQLite
// backend does — the same columns, times and dates as the same UTC text, numbers sent as text in their
// shortest round-trip form — so a record reads back identical on either backend and audits to the same
// digests.
//
// One connection; every write transaction begins by locking the audit head row (SELECT … FOR UPDATE), so
// writers in several processes take turns as SQLite's BEGIN IMMEDIATE makes them, and each reads the chain's
// head only once it is theirs: no fork, no gap. READ COMMITTED: once the lock is held no other writer can
// commit, so every later statement sees the latest data. lock_timeout plays the part of SQLite's busy
// timeout. Every libpqxx exception is caught here and becomes an Error; the password never appears in one.

#include <fmt/format.h>
#include <libpq-fe.h>

#include <charconv>
#include <pqxx/pqxx>
#include <stdexcept>
#include <unordered_map>

#include "needlework/store/json.hpp"
#include "needlework/store/store.hpp"
#include "postgres/migrations.hpp"
#include "savepoints.hpp"

namespace needlework::store {
namespace {

using nlohmann::json;

/// How long a writer waits for another connection's write lock before giving up (SQLite: the busy timeout).
constexpr int lock_timeout_ms = 10000;

/// Key of the advisory lock migrations run under ("nwmg"), so two processes opening a new database at once
/// apply each migration once.
constexpr std::int64_t migration_lock_key = 0x6e776d67;

/// A database value that does not parse: the database was changed outside Needlework.
struct CorruptValue : std::runtime_error {
  using std::runtime_error::runtime_error;
};

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

// ---- parameters --------------------------------------------------------------------------------------

/// One statement parameter, sent as text (or NULL) in exactly the form the SQLite backend stores: times and
/// dates as ISO text, doubles in their shortest round-trip form (fmt), so nothing is rounded on the way.
class Param {
 public:
  Param(const std::string& v) : v_(v) {}
  Param(std::string_view v) : v_(std::string(v)) {}
  Param(const char* v) : v_(std::string(v)) {}
  Param(int v) : v_(std::to_string(v)) {}
  Param(std::int64_t v) : v_(std::to_string(v)) {}
  Param(double v) : v_(fmt::format("{}", v)) {}
  Param(DateTime v) : v_(units::format_date_time(v)) {}
  Param(Date v) : v_(units::format_date(v)) {}
  Param(units::Length v) : Param(units::in_mm(v)) {}
  template <class T>
  Param(const std::optional<T>& v) {
    if (v) v_ = Param(*v).v_;
  }
  [[nodiscard]] const char* c_str() const { return v_ ? v_->c_str() : nullptr; }

 private:
  std::optional<std::string> v_;
};

// ---- reading -----------------------------------------------------------------------------------------

std::string text(const pqxx::field& f) { return f.is_null() ? std::string() : std::string(f.c_str()); }

std::int64_t int_of(const pqxx::field& f) {
  if (f.is_null()) throw CorruptValue(fmt::format("column {} is empty, not a number", f.name()));
  return f.as<std::int64_t>();
}

double real_of(const pqxx::field& f) {
  if (f.is_null()) throw CorruptValue(fmt::format("column {} is empty, not a number", f.name()));
  // PostgreSQL 12+ prints a double in its shortest exact form; from_chars reads it back to the same bits.
  const std::string_view s = f.c_str();
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) {
    throw CorruptValue(fmt::format("column {} holds '{}', not a number", f.name(), s));
  }
  return v;
}

DateTime time_of(const pqxx::field& f) {
  auto t = units::parse_date_time(text(f));
  if (!t) throw CorruptValue(fmt::format("column {} holds '{}', not a UTC time", f.name(), text(f)));
  return *t;
}
std::optional<DateTime> opt_time_of(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return time_of(f);
}
Date date_of(const pqxx::field& f) {
  auto d = units::parse_date(text(f));
  if (!d) throw CorruptValue(fmt::format("column {} holds '{}', not a date", f.name(), text(f)));
  return *d;
}
std::optional<Id> opt_id_of(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<std::int64_t>();
}

constexpr const char* user_cols = "id, name, role, created_at";
UserRecord read_user(const pqxx::row& r) { return {int_of(r[0]), text(r[1]), text(r[2]), time_of(r[3])}; }

constexpr const char* client_cols = "id, name, date_of_birth, created_at";
ClientRecord read_client(const pqxx::row& r) {
  ClientRecord c;
  c.id = text(r[0]);
  c.name = text(r[1]);
  if (!r[2].is_null()) c.date_of_birth = date_of(r[2]);
  c.created_at = time_of(r[3]);
  return c;
}

constexpr const char* intake_cols =
    "id, client_id, intake_date, intake_json, decision, areas_json, reasons_json, pack, recorded_at";
IntakeRecord read_intake(const pqxx::row& row) {
  IntakeRecord r;
  r.id = int_of(row[0]);
  r.client_id = text(row[1]);
  r.intake_date = date_of(row[2]);
  r.intake_json = text(row[3]);
  r.decision = text(row[4]);
  const auto areas = json::parse(text(row[5]), nullptr, false);
  if (!areas.is_array()) throw CorruptValue("intakes.areas_json is not a JSON array");
  for (const auto& a : areas) {
    r.areas.push_back({a.value("area", std::string()), a.value("decision", std::string())});
  }
  r.reasons_json = text(row[6]);
  r.pack = text(row[7]);
  r.recorded_at = time_of(row[8]);
  return r;
}

constexpr const char* consent_cols =
    "id, client_id, text_sha256, signer, signed_at, withdrawn_at, withdrawn_by";
ConsentRecord read_consent(const pqxx::row& row) {
  ConsentRecord r;
  r.id = int_of(row[0]);
  r.client_id = text(row[1]);
  r.text_sha256 = text(row[2]);
  r.signer = text(row[3]);
  r.signed_at = time_of(row[4]);
  r.withdrawn_at = opt_time_of(row[5]);
  r.withdrawn_by = text(row[6]);
  return r;
}

constexpr const char* course_cols = "id, client_id, intake_id, start_date, plan_json, pack, created_at";
CourseRecord read_course(const pqxx::row& row) {
  return {int_of(row[0]), text(row[1]), int_of(row[2]), date_of(row[3]),
          text(row[4]),   text(row[5]), time_of(row[6])};
}

constexpr const char* appointment_cols = "id, client_id, course_id, area, needle_length_mm, at, state";
AppointmentRecord read_appointment(const pqxx::row& row) {
  AppointmentRecord r;
  r.id = int_of(row[0]);
  r.client_id = text(row[1]);
  r.course_id = opt_id_of(row[2]);
  r.area = text(row[3]);
  r.needle_length = units::millimetres(real_of(row[4]));
  r.at = time_of(row[5]);
  auto s = appointment_state_from_string(text(row[6]));
  if (!s) throw CorruptValue("appointments.state holds an unknown state");
  r.state = *s;
  return r;
}

constexpr const char* roller_cols =
    "id, lot, serial, udi, device, needle_count, needle_length_mm, expiry, state, client_id, uses, "
    "disposal_reason, registered_at";
RollerRecord read_roller(const pqxx::row& row) {
  RollerRecord r;
  r.id = int_of(row[0]);
  r.lot = text(row[1]);
  r.serial = text(row[2]);
  r.udi = text(row[3]);
  r.device = text(row[4]);
  r.needle_count = static_cast<int>(int_of(row[5]));
  r.needle_length = units::millimetres(real_of(row[6]));
  r.expiry = date_of(row[7]);
  auto s = roller_state_from_string(text(row[8]));
  if (!s) throw CorruptValue("rollers.state holds an unknown state");
  r.state = *s;
  r.client_id = text(row[9]);
  r.uses = static_cast<int>(int_of(row[10]));
  r.disposal_reason = text(row[11]);
  r.registered_at = time_of(row[12]);
  return r;
}

constexpr const char* session_cols =
    "id, client_id, appointment_id, intake_id, consent_id, roller_id, area, device, needle_length_mm, pack, "
    "started_at, finished_at, passes, density_per_cm2, effective_depth_mm, notes, cocktail, conditions_json, "
    "stroke_plan_json";
SessionRecord read_session(const pqxx::row& row) {
  SessionRecord r;
  r.id = int_of(row[0]);
  r.client_id = text(row[1]);
  r.appointment_id = opt_id_of(row[2]);
  r.intake_id = int_of(row[3]);
  r.consent_id = int_of(row[4]);
  r.roller_id = int_of(row[5]);
  r.area = text(row[6]);
  r.device = text(row[7]);
  r.needle_length = units::millimetres(real_of(row[8]));
  r.pack = text(row[9]);
  r.started_at = time_of(row[10]);
  r.finished_at = opt_time_of(row[11]);
  if (!row[12].is_null()) r.passes = static_cast<int>(int_of(row[12]));
  if (!row[13].is_null()) r.density = units::per_square_centimetre(real_of(row[13]));
  if (!row[14].is_null()) r.effective_depth = units::millimetres(real_of(row[14]));
  r.notes = text(row[15]);
  r.cocktail = int_of(row[16]) != 0;
  const auto conditions = json::parse(text(row[17]), nullptr, false);
  if (!conditions.is_array()) throw CorruptValue("sessions.conditions_json is not a JSON array");
  for (const auto& c : conditions) r.conditions.push_back(c.is_string() ? c.get<std::string>() : c.dump());
  r.stroke_plan_json = text(row[18]);
  return r;
}

constexpr const char* photo_cols =
    "id, client_id, session_id, sha256, media_type, size_bytes, kind, taken_at, original_name, note";
PhotoRecord read_photo(const pqxx::row& row) {
  PhotoRecord p;
  p.id = int_of(row[0]);
  p.client_id = text(row[1]);
  p.session_id = opt_id_of(row[2]);
  p.sha256 = text(row[3]);
  p.media_type = text(row[4]);
  p.size_bytes = int_of(row[5]);
  p.kind = text(row[6]);
  p.taken_at = time_of(row[7]);
  p.original_name = text(row[8]);
  p.note = text(row[9]);
  return p;
}

constexpr const char* outbox_cols =
    "id, client_id, session_id, kind, subject, body, created_at, sent_at, sent_by";
OutboxMessage read_message(const pqxx::row& row) {
  OutboxMessage m;
  m.id = int_of(row[0]);
  m.client_id = text(row[1]);
  m.session_id = opt_id_of(row[2]);
  m.kind = text(row[3]);
  m.subject = text(row[4]);
  m.body = text(row[5]);
  m.created_at = time_of(row[6]);
  m.sent_at = opt_time_of(row[7]);
  m.sent_by = text(row[8]);
  return m;
}

constexpr const char* step_cols = "id, session_id, step, at";
StepRecord read_step(const pqxx::row& row) {
  return {int_of(row[0]), int_of(row[1]), text(row[2]), time_of(row[3])};
}

constexpr const char* followup_cols =
    "id, session_id, observed_at, observations_json, triage, result_json, pack";
FollowupRecord read_followup(const pqxx::row& row) {
  FollowupRecord r;
  r.id = int_of(row[0]);
  r.session_id = int_of(row[1]);
  r.observed_at = time_of(row[2]);
  const auto obs = json::parse(text(row[3]), nullptr, false);
  if (!obs.is_array()) throw CorruptValue("followups.observations_json is not a JSON array");
  for (const auto& o : obs) r.observations.push_back(o.is_string() ? o.get<std::string>() : o.dump());
  r.triage = text(row[4]);
  r.result_json = text(row[5]);
  r.pack = text(row[6]);
  return r;
}

constexpr const char* escalation_cols =
    "id, session_id, followup_id, client_id, opened_at, reason, closed_at, closed_by, close_note";
EscalationRecord read_escalation(const pqxx::row& row) {
  EscalationRecord r;
  r.id = int_of(row[0]);
  r.session_id = int_of(row[1]);
  r.followup_id = int_of(row[2]);
  r.client_id = text(row[3]);
  r.opened_at = time_of(row[4]);
  r.reason = text(row[5]);
  r.closed_at = opt_time_of(row[6]);
  r.closed_by = text(row[7]);
  r.close_note = text(row[8]);
  return r;
}

constexpr const char* audit_cols =
    "seq, at, actor, action, entity, entity_id, before_sha256, after_sha256, prev_hash, hash";
AuditEntry read_audit(const pqxx::row& row) {
  AuditEntry e;
  e.seq = int_of(row[0]);
  // A changed time that no longer parses is tampering too: keep the entry, let the hash check report it.
  auto at = units::parse_date_time(text(row[1]));
  e.at = at ? *at : DateTime{};
  e.actor = text(row[2]);
  e.action = text(row[3]);
  e.entity = text(row[4]);
  e.entity_id = text(row[5]);
  e.before_sha256 = text(row[6]);
  e.after_sha256 = text(row[7]);
  e.prev_hash = text(row[8]);
  e.hash = text(row[9]);
  if (!at) e.hash = "unparseable time " + text(row[1]);
  return e;
}

// ---- the store ---------------------------------------------------------------------------------------

class PostgresStore final : public Store {
 public:
  PostgresStore(const std::string& conninfo, ConnInfo info)
      : conninfo_(conninfo),
        info_(std::move(info)),
        label_(label_of(info_)),
        conn_(std::make_unique<pqxx::connection>(conninfo)) {}

  Result<void> configure() {
    return guard([&]() -> Result<void> {
      pqxx::work w(*conn_);
      const bool fresh = begin(w);
      w.commit();
      began(fresh);
      return {};
    });
  }

  Result<void> migrate() {
    return guard([&]() -> Result<void> {
      const auto& all = postgres::migrations();
      int newest = 0;
      for (std::size_t i = 0; i < all.size(); ++i) {
        const int version = static_cast<int>(i) + 1;
        const auto& m = all[i];
        const std::string digest = sha256_hex(m.sql);
        // Each migration in its own transaction under a transaction-scoped advisory lock; checked again once
        // the lock is held, since another process may have applied it while we waited.
        pqxx::work w(*conn_);
        w.exec(fmt::format("SELECT pg_advisory_xact_lock({})", migration_lock_key));
        w.exec(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
            "sql_sha256 TEXT NOT NULL)");
        const auto found = w.exec_params("SELECT name, sql_sha256 FROM schema_version WHERE version = $1",
                                         Param(version).c_str());
        if (!found.empty()) {
          if (text(found[0][1]) != digest) {
            return fail(ErrorCode::pack_error,
                        fmt::format("migration {} recorded in the database differs from the one built into "
                                    "this program; restore the migration file or use the matching build",
                                    m.name),
                        label_);
          }
          if (i + 1 == all.size()) {
            newest = static_cast<int>(
                int_of(w.exec("SELECT COALESCE(MAX(version), 0) FROM schema_version")[0][0]));
          }
          w.commit();
          continue;
        }
        w.exec(std::string(m.sql));
        w.exec_params("INSERT INTO schema_version (version, name, sql_sha256) VALUES ($1, $2, $3)",
                      Param(version).c_str(), Param(m.name).c_str(), Param(digest).c_str());
        if (i + 1 == all.size()) {
          newest =
              static_cast<int>(int_of(w.exec("SELECT COALESCE(MAX(version), 0) FROM schema_version")[0][0]));
        }
        w.commit();
      }
      if (newest > static_cast<int>(all.size())) {
        return fail(ErrorCode::pack_error,
                    fmt::format("the database is at schema version {}, newer than this program knows ({}); "
                                "use a newer build",
                                newest, all.size()),
                    label_);
      }
      return {};
    });
  }

  Result<void> transaction(const std::function<Result<void>()>& body) override {
    if (depth_ > 0) return savepoint(body);
    try {
      reconnect_if_lost();
      pqxx::work w(*conn_);
      const bool fresh = begin(w);
      tx_ = &w;
      ++depth_;
      struct Leave {
        PostgresStore& s;
        ~Leave() {
          --s.depth_;
          s.tx_ = nullptr;
          s.savepoints_.clear();
        }
      } leave{*this};
      lock_head();
      auto r = body();
      if (!r) return r;  // ~work rolls back
      w.commit();
      began(fresh);
      return {};
    } catch (...) {
      return std::unexpected(current_error());
    }
  }

  Result<void> read_snapshot(const std::function<Result<void>()>& body) override {
    if (tx_ != nullptr) return body();
    return guard([&]() -> Result<void> {
      return in_transaction([&] { return body(); }, "REPEATABLE READ, READ ONLY");
    });
  }

  /// A nested transaction is a savepoint: its writes join the outer transaction when it succeeds, and are
  /// undone alone — the outer transaction and the writes before it stay — when it fails (a failed statement
  /// included: PostgreSQL refuses every statement after an error until the savepoint is rolled back to).
  Result<void> savepoint(const std::function<Result<void>()>& body) {
    // Back-to-back nested transactions share one savepoint (savepoints.hpp): two round trips fewer.
    const auto head_before = head_;
    const auto [name, shared] = savepoints_.push(depth_);
    if (!shared) {
      try {
        tx_->exec("SAVEPOINT " + name);
      } catch (...) {
        savepoints_.pop();
        return std::unexpected(current_error());
      }
    }
    ++depth_;
    Result<void> r;
    try {
      r = body();
    } catch (...) {
      r = std::unexpected(current_error());
    }
    --depth_;
    savepoints_.pop();
    try {
      if (!r) {
        tx_->exec("ROLLBACK TO SAVEPOINT " + name);
        head_ = head_before;
      }
      if (!shared) tx_->exec("RELEASE SAVEPOINT " + name);
    } catch (...) {
      if (r) r = std::unexpected(current_error());
    }
    return r;
  }

  Result<SchemaInfo> schema() override {
    return guard([&]() -> Result<SchemaInfo> {
      return in_transaction([&]() -> SchemaInfo {
        SchemaInfo info;
        for (const auto& row : query("SELECT version, name FROM schema_version ORDER BY version")) {
          info.version = static_cast<int>(int_of(row[0]));
          info.applied.push_back(text(row[1]));
        }
        return info;
      });
    });
  }

  // ---- users and clients -----------------------------------------------------------------------------

  Result<UserRecord> insert_user(const Actor& by, const UserRecord& user) override {
    return write<UserRecord>([&]() -> Result<UserRecord> {
      UserRecord u = user;
      u.id = inserted("INSERT INTO users (name, role, created_at) VALUES ($1, $2, $3) RETURNING id", u.name,
                      u.role, u.created_at);
      audit(by, "insert", "users", std::to_string(u.id), nullptr, to_json(u));
      return u;
    });
  }

  Result<std::vector<UserRecord>> users() override {
    return list<UserRecord>(fmt::format("SELECT {} FROM users ORDER BY name", user_cols), read_user);
  }

  Result<void> insert_client(const Actor& by, const ClientRecord& c) override {
    return write<void>([&]() -> Result<void> {
      query("INSERT INTO clients (id, name, date_of_birth, created_at) VALUES ($1, $2, $3, $4)", c.id, c.name,
            c.date_of_birth, c.created_at);
      audit(by, "insert", "clients", c.id, nullptr, to_json(c));
      return {};
    });
  }

  Result<std::optional<ClientRecord>> find_client(std::string_view id) override {
    return find<ClientRecord>(fmt::format("SELECT {} FROM clients WHERE id = $1", client_cols), read_client,
                              std::string(id));
  }

  Result<std::vector<ClientRecord>> search_clients(std::string_view needle) override {
    // As SQLite's LIKE: case-insensitive for ASCII only (lower() under the "C" collation folds nothing else),
    // with the wildcards escaped so the text is matched literally.
    std::string pattern = "%";
    for (char c : needle) {
      if (c == '%' || c == '_' || c == '\\') pattern += '\\';
      pattern += c;
    }
    pattern += '%';
    return list<ClientRecord>(
        fmt::format("SELECT {} FROM clients WHERE lower(id) LIKE lower($1::text COLLATE \"C\") ESCAPE '\\' "
                    "OR lower(name) LIKE lower($1::text COLLATE \"C\") ESCAPE '\\' ORDER BY id",
                    client_cols),
        read_client, pattern);
  }

  // ---- intakes, consents, courses --------------------------------------------------------------------

  Result<IntakeRecord> insert_intake(const Actor& by, const IntakeRecord& intake) override {
    return write<IntakeRecord>([&]() -> Result<IntakeRecord> {
      IntakeRecord r = intake;
      json areas = json::array();
      for (const auto& a : r.areas) areas.push_back({{"area", a.area}, {"decision", a.decision}});
      r.id = inserted(
          "INSERT INTO intakes (client_id, intake_date, intake_json, decision, areas_json, reasons_json, "
          "pack, "
          "recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
          r.client_id, r.intake_date, r.intake_json, r.decision, canonical(areas), r.reasons_json, r.pack,
          r.recorded_at);
      audit(by, "insert", "intakes", std::to_string(r.id), nullptr, to_json(r));
      return r;
    });
  }

  Result<std::vector<IntakeRecord>> intakes_of(std::string_view client_id) override {
    return list<IntakeRecord>(
        fmt::format("SELECT {} FROM intakes WHERE client_id = $1 ORDER BY id", intake_cols), read_intake,
        std::string(client_id));
  }

  Result<ConsentRecord> insert_consent(const Actor& by, const ConsentRecord& consent) override {
    return write<ConsentRecord>([&]() -> Result<ConsentRecord> {
      ConsentRecord r = consent;
      r.id = inserted(
          "INSERT INTO consents (client_id, text_sha256, signer, signed_at, withdrawn_at, withdrawn_by) "
          "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
          r.client_id, r.text_sha256, r.signer, r.signed_at, r.withdrawn_at, r.withdrawn_by);
      audit(by, "insert", "consents", std::to_string(r.id), nullptr, to_json(r));
      return r;
    });
  }

  Result<std::optional<ConsentRecord>> find_consent(Id id) override {
    return find<ConsentRecord>(fmt::format("SELECT {} FROM consents WHERE id = $1", consent_cols),
                               read_consent, id);
  }

  Result<void> update_consent(const Actor& by, const ConsentRecord& r) override {
    return update(by, "consents", r.id, read_consent, consent_cols, "withdrawn_at = $1, withdrawn_by = $2",
                  r.withdrawn_at, r.withdrawn_by);
  }

  Result<std::vector<ConsentRecord>> consents_of(std::string_view client_id) override {
    return list<ConsentRecord>(
        fmt::format("SELECT {} FROM consents WHERE client_id = $1 ORDER BY id", consent_cols), read_consent,
        std::string(client_id));
  }

  Result<CourseRecord> insert_course(const Actor& by, const CourseRecord& course) override {
    return write<CourseRecord>([&]() -> Result<CourseRecord> {
      CourseRecord r = course;
      r.id = inserted(
          "INSERT INTO courses (client_id, intake_id, start_date, plan_json, pack, created_at) "
          "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
          r.client_id, r.intake_id, r.start, r.plan_json, r.pack, r.created_at);
      audit(by, "insert", "courses", std::to_string(r.id), nullptr, to_json(r));
      return r;
    });
  }

  Result<std::vector<CourseRecord>> courses_of(std::string_view client_id) override {
    return list<CourseRecord>(
        fmt::format("SELECT {} FROM courses WHERE client_id = $1 ORDER BY id", course_cols), read_course,
        std::string(client_id));
  }

  // ---- appointments ----------------------------------------------------------------------------------

  Result<AppointmentRecord> insert_appointment(const Actor& by, const AppointmentRecord& a) override {
    return write<AppointmentRecord>([&]() -> Result<AppointmentRecord> {
      AppointmentRecord r = a;
      r.id = inserted(
          "INSERT INTO appointments (client_id, course_id, area, needle_length_mm, at, state) "
          "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
          r.client_id, r.course_id, r.area, r.needle_length, r.at, to_string(r.state));
      audit(by, "insert", "appointments", std::to_string(r.id), nullptr, to_json(r));
      return r;
    });
  }

  Result<std::optional<AppointmentRecord>> find_appointment(Id id) override {
    return find<AppointmentRecord>(fmt::format("SELECT {} FROM appointments WHERE id = $1", appointment_cols),
                                   read_appointment, id);
  }

  Result<void> update_appointment(const Actor& by, const AppointmentRecord& r) override {
    return update(by, "appointments", r.id, read_appointment, appointment_cols, "state = $1, at = $2",
                  to_string(r.state), r.at);
  }

  Result<std::vector<AppointmentRecord>> appointments_of(std::string_view client_id) override {
    return list<AppointmentRecord>(
        fmt::format("SELECT {} FROM appointments WHERE client_id = $1 ORDER BY at, id", appointment_cols),
        read_appointment, std::string(client_id));
  }

  // ---- rollers ---------------------------------------------------------------------------------------

  Result<RollerRecord> insert_roller(const Actor& by, const RollerRecord& roller) override {
    return write<RollerRecord>([&]() -> Result<RollerRecord> {
      RollerRecord r = roller;
      r.id = inserted(
          "INSERT INTO rollers (lot, serial, udi, device, needle_count, needle_length_mm, expiry, state, "
          "client_id, uses, disposal_reason, registered_at) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
          r.lot, r.serial, r.udi, r.device, r.needle_count, r.needle_length, r.expiry, to_string(r.state),
          client_or_null(r.client_id), r.uses, r.disposal_reason, r.registered_at);
      audit(by, "insert", "rollers", std::to_string(r.id), nullptr, to_json(r));
      return r;
    });
  }

  Result<std::optional<RollerRecord>> find_roller(Id id) override {
    return find<RollerRecord>(fmt::format("SELECT {} FROM rollers WHERE id = $1", roller_cols), read_roller,
                              id);
  }

  Result<void> update_roller(const Actor& by, const RollerRecord& r) override {
    return update(by, "rollers", r.id, read_roller, roller_cols,
                  "state = $1, client_id = $2, uses = $3, disposal_reason = $4", to_string(r.state),
                  client_or_null(r.client_id), r.uses, r.disposal_reason);
  }

  Result<std::vector<RollerRecord>> rollers_in_lot(std::string_view lot) override {
    return list<RollerRecord>(fmt::format("SELECT {} FROM rollers WHERE lot = $1 ORDER BY id", roller_cols),
                              read_roller, std::string(lot));
  }

  Result<std::vector<RollerRecord>> rollers() override {
    return list<RollerRecord>(fmt::format("SELECT {} FROM rollers ORDER BY id", roller_cols), read_roller);
  }

  // ---- sessions ----------------------------------------------------------------------------------------

  using Store::insert_session;
  Result<SessionRecord> insert_session(const Actor& by, const SessionRecord& s,
                                       const CanonicalText& text) override {
    return write<SessionRecord>([&]() -> Result<SessionRecord> {
      SessionRecord r = s;
      r.id = inserted(
          "INSERT INTO sessions (client_id, appointment_id, intake_id, consent_id, roller_id, area, device, "
          "needle_length_mm, pack, started_at, finished_at, passes, density_per_cm2, effective_depth_mm, "
          "notes, cocktail, conditions_json, stroke_plan_json) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id",
          r.client_id, r.appointment_id, r.intake_id, r.consent_id, r.roller_id, r.area, r.device,
          r.needle_length, r.pack, r.started_at, r.finished_at, r.passes, density_of(r), depth_of(r), r.notes,
          r.cocktail ? 1 : 0, canonical(json(r.conditions)), r.stroke_plan_json);
      audit_digests(by, "insert", "sessions", std::to_string(r.id), {}, sha256_hex(text.with_id(r.id)));
      return r;
    });
  }

  Result<std::optional<SessionRecord>> find_session(Id id) override {
    return find<SessionRecord>(fmt::format("SELECT {} FROM sessions WHERE id = $1", session_cols),
                               read_session, id);
  }

  Result<void> update_session(const Actor& by, const SessionRecord& r) override {
    return update(by, "sessions", r.id, read_session, session_cols,
                  "finished_at = $1, passes = $2, density_per_cm2 = $3, effective_depth_mm = $4, notes = $5, "
                  "stroke_plan_json = $6",
                  r.finished_at, r.passes, density_of(r), depth_of(r), r.notes, r.stroke_plan_json);
  }

  Result<std::vector<SessionRecord>> sessions_of(std::string_view client_id) override {
    return list<SessionRecord>(
        fmt::format("SELECT {} FROM sessions WHERE client_id = $1 ORDER BY started_at, id", session_cols),
        read_session, std::string(client_id));
  }

  Result<std::vector<SessionRecord>> sessions_with_roller(Id roller_id) override {
    return list<SessionRecord>(
        fmt::format("SELECT {} FROM sessions WHERE roller_id = $1 ORDER BY started_at, id", session_cols),
        read_session, roller_id);
  }

  Result<std::vector<SessionRecord>> finished_sessions_without_followup() override {
    return list<SessionRecord>(
        fmt::format("SELECT {} FROM sessions s WHERE finished_at IS NOT NULL AND NOT EXISTS "
                    "(SELECT 1 FROM followups f WHERE f.session_id = s.id) ORDER BY finished_at, id",
                    session_cols),
        read_session);
  }

  Result<StepRecord> insert_step(const Actor& by, const StepRecord& step) override {
    return write<StepRecord>([&]() -> Result<StepRecord> {
      StepRecord r = step;
      r.id = inserted("INSERT INTO session_steps (session_id, step, at) VALUES ($1, $2, $3) RETURNING id",
                      r.session_id, r.step, r.at);
      audit(by, "insert", "session_steps", std::to_string(r.id), nullptr, to_json(r));
      return r;
    });
  }

  Result<std::vector<StepRecord>> steps_of(Id session_id) override {
    return list<StepRecord>(
        fmt::format("SELECT {} FROM session_steps WHERE session_id = $1 ORDER BY at, id", step_cols),
        read_step, session_id);
  }

  Result<FollowupRecord> insert_followup(const Actor& by, const FollowupRecord& f) override {
    return write<FollowupRecord>([&]() -> Result<FollowupRecord> {
      FollowupRecord r = f;
      r.id = inserted(
          "INSERT INTO followups (session_id, observed_at, observations_json, triage, result_json, pack) "
          "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
          r.session_id, r.observed_at, canonical(json(r.observations)), r.triage, r.result_json, r.pack);
      audit(by, "insert", "followups", std::to_string(r.id), nullptr, to_json(r));
      return r;
    });
  }

  Result<std::vector<FollowupRecord>> followups_of(Id session_id) override {
    return list<FollowupRecord>(
        fmt::format("SELECT {} FROM followups WHERE session_id = $1 ORDER BY observed_at, id", followup_cols),
        read_followup, session_id);
  }

  Result<std::vector<FollowupRecord>> followups_of_client(std::string_view client_id) override {
    return list<FollowupRecord>(
        "SELECT f.id, f.session_id, f.observed_at, f.observations_json, f.triage, f.result_json, f.pack "
        "FROM followups f JOIN sessions s ON s.id = f.session_id WHERE s.client_id = $1 "
        "ORDER BY s.started_at, s.id, f.observed_at, f.id",
        read_followup, std::string(client_id));
  }

  Result<EscalationRecord> insert_escalation(const Actor& by, const EscalationRecord& e) override {
    return write<EscalationRecord>([&]() -> Result<EscalationRecord> {
      EscalationRecord r = e;
      r.id = inserted(
          "INSERT INTO escalations (session_id, followup_id, client_id, opened_at, reason, closed_at, "
          "closed_by, close_note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
          r.session_id, r.followup_id, r.client_id, r.opened_at, r.reason, r.closed_at, r.closed_by,
          r.close_note);
      audit(by, "insert", "escalations", std::to_string(r.id), nullptr, to_json(r));
      return r;
    });
  }

  Result<std::optional<EscalationRecord>> find_escalation(Id id) override {
    return find<EscalationRecord>(fmt::format("SELECT {} FROM escalations WHERE id = $1", escalation_cols),
                                  read_escalation, id);
  }

  Result<void> update_escalation(const Actor& by, const EscalationRecord& r) override {
    return update(by, "escalations", r.id, read_escalation, escalation_cols,
                  "closed_at = $1, closed_by = $2, close_note = $3", r.closed_at, r.closed_by, r.close_note);
  }

  Result<std::vector<EscalationRecord>> open_escalations() override {
    return list<EscalationRecord>(
        fmt::format("SELECT {} FROM escalations WHERE closed_at IS NULL ORDER BY opened_at, id",
                    escalation_cols),
        read_escalation);
  }

  Result<std::vector<EscalationRecord>> escalations_of(std::string_view client_id) override {
    return list<EscalationRecord>(
        fmt::format("SELECT {} FROM escalations WHERE client_id = $1 ORDER BY opened_at, id",
                    escalation_cols),
        read_escalation, std::string(client_id));
  }

  // ---- photos ------------------------------------------------------------------------------------------

  Result<PhotoRecord> insert_photo(const Actor& by, const PhotoRecord& photo) override {
    return write<PhotoRecord>([&]() -> Result<PhotoRecord> {
      PhotoRecord p = photo;
      p.id = inserted(
          "INSERT INTO photos (client_id, session_id, sha256, media_type, size_bytes, kind, taken_at, "
          "original_name, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
          p.client_id, p.session_id, p.sha256, p.media_type, p.size_bytes, p.kind, p.taken_at,
          p.original_name, p.note);
      audit(by, "insert", "photos", std::to_string(p.id), nullptr, to_json(p));
      return p;
    });
  }

  Result<std::vector<PhotoRecord>> photos_of(std::string_view client_id) override {
    return list<PhotoRecord>(
        fmt::format("SELECT {} FROM photos WHERE client_id = $1 ORDER BY taken_at, id", photo_cols),
        read_photo, std::string(client_id));
  }

  // ---- outbox ------------------------------------------------------------------------------------------

  Result<OutboxMessage> insert_message(const Actor& by, const OutboxMessage& message) override {
    return write<OutboxMessage>([&]() -> Result<OutboxMessage> {
      OutboxMessage m = message;
      m.id = inserted(
          "INSERT INTO outbox (client_id, session_id, kind, subject, body, created_at, sent_at, sent_by) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
          m.client_id, m.session_id, m.kind, m.subject, m.body, m.created_at, m.sent_at, m.sent_by);
      audit(by, "insert", "outbox", std::to_string(m.id), nullptr, to_json(m));
      return m;
    });
  }

  Result<std::optional<OutboxMessage>> find_message(Id id) override {
    return find<OutboxMessage>(fmt::format("SELECT {} FROM outbox WHERE id = $1", outbox_cols), read_message,
                               id);
  }

  Result<void> update_message(const Actor& by, const OutboxMessage& m) override {
    return update(by, "outbox", m.id, read_message, outbox_cols, "sent_at = $1, sent_by = $2", m.sent_at,
                  m.sent_by);
  }

  Result<std::vector<OutboxMessage>> messages(bool all) override {
    return list<OutboxMessage>(fmt::format("SELECT {} FROM outbox {} ORDER BY created_at, id", outbox_cols,
                                           all ? "" : "WHERE sent_at IS NULL"),
                               read_message);
  }

  // ---- audit -------------------------------------------------------------------------------------------

  Result<std::vector<AuditEntry>> audit_log() override {
    return list<AuditEntry>(fmt::format("SELECT {} FROM audit ORDER BY seq", audit_cols), read_audit);
  }

  Result<AuditCheck> verify_audit() override {
    // The log and the head from one snapshot, so a writer committing in between cannot look like tampering
    // (inside a write transaction the head lock already keeps writers out).
    return guard([&]() -> Result<AuditCheck> {
      return in_transaction(
          [&]() -> AuditCheck {
            std::vector<AuditEntry> entries;
            for (const auto& row : query(fmt::format("SELECT {} FROM audit ORDER BY seq", audit_cols))) {
              entries.push_back(read_audit(row));
            }
            std::optional<std::pair<std::int64_t, std::string>> head;
            const auto h = query("SELECT seq, hash FROM audit_head WHERE id = 1");
            if (!h.empty()) head = std::pair{int_of(h[0][0]), text(h[0][1])};
            return verify_chain(entries, head);
          },
          "REPEATABLE READ");
    });
  }

  // ---- backup ------------------------------------------------------------------------------------------

  Result<void> backup_to(const std::filesystem::path& target, const std::function<void(double)>&) override {
    return fail(ErrorCode::invalid_value,
                fmt::format("a PostgreSQL database is backed up with pg_dump, not by Needlework: "
                            "pg_dump --format=custom --file=clinic.dump '{}' (docs/store.md, \"PostgreSQL\")",
                            label_),
                target.string());
  }

 private:
  static std::optional<std::string> client_or_null(const std::string& id) {
    return id.empty() ? std::nullopt : std::optional<std::string>(id);
  }
  static std::optional<double> density_of(const SessionRecord& r) {
    return r.density ? std::optional<double>(units::in_per_cm2(*r.density)) : std::nullopt;
  }
  static std::optional<double> depth_of(const SessionRecord& r) {
    return r.effective_depth ? std::optional<double>(units::in_mm(*r.effective_depth)) : std::nullopt;
  }

  /// Starts a transaction's work on the session: applies the session settings when the session is new (the
  /// first, or one libpqxx 6.4 reconnected after the server went away) — inside the transaction, so they hold
  /// once it commits (`began`) — and the isolation level if one is asked for. True when it applied them.
  bool begin(pqxx::work& w, std::string_view isolation = {}) {
    if (!isolation.empty()) w.exec(fmt::format("SET TRANSACTION ISOLATION LEVEL {}", isolation));
    if (conn_->backendpid() == configured_pid_) return false;
    // Notices ("relation already exists, skipping") would otherwise be printed on stderr by libpqxx;
    // lock_timeout is SQLite's busy timeout.
    w.exec(
        fmt::format("SELECT set_config('client_min_messages', 'warning', false), "
                    "set_config('lock_timeout', '{}', false), "
                    "set_config('application_name', 'needlework', false)",
                    lock_timeout_ms));
    return true;
  }
  void began(bool fresh) {
    if (fresh) configured_pid_ = conn_->backendpid();
  }

  /// A connection the server ended (a restart, a terminated session) is replaced by a new one when the next
  /// transaction starts; the transaction it broke has already failed with io_error.
  void reconnect_if_lost() {
    if (conn_->is_open()) return;
    conn_.reset();
    prepared_.clear();
    configured_pid_ = 0;
    conn_ = std::make_unique<pqxx::connection>(conninfo_);
  }

  /// Locks the audit head row for the rest of the write transaction and reads the chain's head. A head row
  /// removed by hand cannot be locked: then the table is, which serialises writers the same way.
  void lock_head() {
    const auto h = query("SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE");
    if (h.empty()) {
      query("LOCK TABLE audit_head IN SHARE ROW EXCLUSIVE MODE");
      head_ = {0, std::string(64, '0')};
    } else {
      head_ = {int_of(h[0][0]), text(h[0][1])};
    }
  }

  /// Appends the audit entry of one write and moves the head; runs inside the write's transaction, whose
  /// lock_head read the head this entry follows.
  void audit(const Actor& by, std::string_view action, std::string_view entity, const std::string& entity_id,
             const json* before, const json& after) {
    audit_digests(by, action, entity, entity_id,
                  before != nullptr ? sha256_hex(canonical(*before)) : std::string(),
                  sha256_hex(canonical(after)));
  }
  /// The same with the record's digests made by the caller (empty `before_sha256` for an insert).
  void audit_digests(const Actor& by, std::string_view action, std::string_view entity,
                     const std::string& entity_id, std::string before_sha256, std::string after_sha256) {
    AuditEntry e;
    e.seq = head_.first + 1;
    e.prev_hash = head_.second;
    e.at = by.at;
    e.actor = by.name;
    e.action = action;
    e.entity = entity;
    e.entity_id = entity_id;
    e.before_sha256 = std::move(before_sha256);
    e.after_sha256 = std::move(after_sha256);
    e.hash = audit_hash(e);
    // One round trip: the entry and the head move together.
    query(
        fmt::format("WITH entry AS (INSERT INTO audit ({}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)) "
                    "INSERT INTO audit_head (id, seq, hash) VALUES (1, $1, $10) "
                    "ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
                    audit_cols),
        e.seq, e.at, e.actor, e.action, e.entity, e.entity_id, e.before_sha256, e.after_sha256, e.prev_hash,
        e.hash);
    head_ = {e.seq, e.hash};
  }
  void audit(const Actor& by, std::string_view action, std::string_view entity, const std::string& entity_id,
             std::nullptr_t, const json& after) {
    audit(by, action, entity, entity_id, static_cast<const json*>(nullptr), after);
  }

  /// Runs one statement in the open transaction, prepared once per connection.
  template <class... Args>
  pqxx::result query(const std::string& sql, const Args&... args) {
    savepoints_.statement();
    auto [it, added] = prepared_.try_emplace(sql, "");
    if (added) {
      it->second = fmt::format("nw{}", prepared_.size());
      conn_->prepare(it->second, sql);
    }
    return tx_->exec_prepared(it->second, Param(args).c_str()...);
  }

  /// An INSERT … RETURNING id.
  template <class... Args>
  Id inserted(const std::string& sql, const Args&... args) {
    const auto r = query(sql, args...);
    if (r.size() != 1) throw CorruptValue("an INSERT returned no id");
    return int_of(r[0][0]);
  }

  /// Runs `f` in the open transaction, or in a transaction of its own (for reads outside one), started with
  /// `isolation` (e.g. "REPEATABLE READ": one snapshot for several statements) when not empty.
  template <class F>
  auto in_transaction(F&& f, std::string_view isolation = {}) -> decltype(f()) {
    if (tx_ != nullptr) return f();
    reconnect_if_lost();
    pqxx::work w(*conn_);
    const bool fresh = begin(w, isolation);
    tx_ = &w;
    struct Leave {
      pqxx::work*& tx;
      ~Leave() { tx = nullptr; }
    } leave{tx_};
    auto out = f();
    w.commit();
    began(fresh);
    return out;
  }

  /// The exception being handled, as an Error.
  Error current_error() const {
    try {
      throw;
    } catch (const CorruptValue& e) {
      return Error{ErrorCode::pack_error, fmt::format("the database holds an invalid value: {}", e.what()),
                   label_};
    } catch (const pqxx::sql_error& e) {
      const std::string& state = e.sqlstate();
      const std::string message = clean_message(e.what(), info_);
      if (state.starts_with("23")) {  // integrity constraint violation: unique, foreign key, check, trigger
        return Error{ErrorCode::invalid_value, fmt::format("the database refused the change: {}", message),
                     label_};
      }
      if (state == "55P03" || state == "40P01" ||
          state == "40001") {  // lock timeout, deadlock, serialization
        return Error{ErrorCode::io_error,
                     fmt::format("the database is busy (another writer held it for {} s); try again",
                                 lock_timeout_ms / 1000),
                     label_};
      }
      return Error{ErrorCode::io_error, fmt::format("PostgreSQL: {}", message), label_};
    } catch (const pqxx::broken_connection& e) {
      return Error{ErrorCode::io_error,
                   fmt::format("lost the connection to PostgreSQL: {}", clean_message(e.what(), info_)),
                   label_};
    } catch (const pqxx::in_doubt_error& e) {
      return Error{ErrorCode::io_error,
                   fmt::format("the connection broke during a commit, which may or may not have happened: {}",
                               clean_message(e.what(), info_)),
                   label_};
    } catch (const pqxx::conversion_error& e) {
      return Error{ErrorCode::pack_error, fmt::format("the database holds an invalid value: {}", e.what()),
                   label_};
    } catch (const std::exception& e) {
      return Error{ErrorCode::io_error, fmt::format("PostgreSQL: {}", clean_message(e.what(), info_)),
                   label_};
    }
  }

  /// Runs a read (or anything) converting exceptions to errors.
  template <class F>
  auto guard(F&& f) -> decltype(f()) {
    try {
      return f();
    } catch (...) {
      return std::unexpected(current_error());
    }
  }

  template <class T, class F>
  Result<T> write(F&& fn) {
    return transaction_returning<T>(std::forward<F>(fn));
  }

  /// Updates one row (`set` names parameters $1…$n; the id is appended) and audits it with the row's JSON
  /// before and after.
  template <class Read, class... Args>
  Result<void> update(const Actor& by, const char* table, Id id, Read read, const char* cols, const char* set,
                      const Args&... args) {
    return write<void>([&]() -> Result<void> {
      const auto before_row = query(fmt::format("SELECT {} FROM {} WHERE id = $1", cols, table), id);
      if (before_row.empty()) return fail(ErrorCode::not_found, fmt::format("no record {} in {}", id, table));
      const json before = to_json(read(before_row[0]));
      const auto after_row = query(
          fmt::format("UPDATE {} SET {} WHERE id = ${} RETURNING {}", table, set, sizeof...(Args) + 1, cols),
          args..., id);
      audit(by, "update", table, std::to_string(id), &before, to_json(read(after_row.at(0))));
      return {};
    });
  }

  template <class T, class Read, class... Args>
  Result<std::optional<T>> find(const std::string& sql, Read read, const Args&... args) {
    return guard([&]() -> Result<std::optional<T>> {
      return in_transaction([&]() -> std::optional<T> {
        const auto r = query(sql, args...);
        if (r.empty()) return std::nullopt;
        return read(r[0]);
      });
    });
  }

  template <class T, class Read, class... Args>
  Result<std::vector<T>> list(const std::string& sql, Read read, const Args&... args) {
    return guard([&]() -> Result<std::vector<T>> {
      return in_transaction([&]() -> std::vector<T> {
        std::vector<T> out;
        for (const auto& row : query(sql, args...)) out.push_back(read(row));
        return out;
      });
    });
  }

  std::string conninfo_;  ///< as given, password included: only ever passed to libpq
  ConnInfo info_;
  std::string label_;
  std::unique_ptr<pqxx::connection> conn_;  ///< never null
  pqxx::work* tx_ = nullptr;                ///< the open transaction, if any
  int configured_pid_ = 0;                  ///< the server process whose session has our settings
  int depth_ = 0;                           ///< transaction nesting: 1 in a transaction, more in savepoints
  SavepointStack savepoints_;               ///< counts the statements run on this connection
  std::pair<std::int64_t, std::string> head_{0, std::string(64, '0')};  ///< the audit head, while locked
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
  std::unique_ptr<PostgresStore> store;
  try {
    store = std::make_unique<PostgresStore>(conninfo, info);
  } catch (const std::exception& e) {
    return fail(ErrorCode::io_error,
                fmt::format("cannot connect to PostgreSQL: {}", clean_message(e.what(), info)), label);
  }
  if (auto r = store->configure(); !r) return std::unexpected(r.error());
  if (auto r = store->migrate(); !r) return std::unexpected(r.error());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace needlework::store
