// The SQLite backend of the repository (SQLiteCpp). One connection, the single writer; writes run in
// BEGIN IMMEDIATE transactions so a second process waits (busy timeout) instead of failing mid-way. Every
// SQLite exception is caught here and becomes an Error.

#include <SQLiteCpp/Backup.h>
#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>
#include <sqlite3.h>

#include <map>
#include <stdexcept>
#include <unordered_map>

#include "needlework/store/json.hpp"
#include "needlework/store/store.hpp"
#include "savepoints.hpp"
#include "sqlite/migrations.hpp"

namespace needlework::store {
namespace {

using nlohmann::json;

/// How long a writer waits for another connection's write lock before giving up.
constexpr int busy_timeout_ms = 10000;

/// A database value that does not parse: the file was changed outside Needlework.
struct CorruptValue : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// ---- binding -----------------------------------------------------------------------------------------

void bind_one(SQLite::Statement& st, int i, const std::string& v) { st.bind(i, v); }
void bind_one(SQLite::Statement& st, int i, std::string_view v) { st.bind(i, std::string(v)); }
void bind_one(SQLite::Statement& st, int i, int v) { st.bind(i, static_cast<std::int32_t>(v)); }
void bind_one(SQLite::Statement& st, int i, std::int64_t v) { st.bind(i, v); }
void bind_one(SQLite::Statement& st, int i, double v) { st.bind(i, v); }
void bind_one(SQLite::Statement& st, int i, DateTime v) { st.bind(i, units::format_date_time(v)); }
void bind_one(SQLite::Statement& st, int i, Date v) { st.bind(i, units::format_date(v)); }
void bind_one(SQLite::Statement& st, int i, units::Length v) { st.bind(i, units::in_mm(v)); }
template <class T>
void bind_one(SQLite::Statement& st, int i, const std::optional<T>& v) {
  if (v) {
    bind_one(st, i, *v);
  } else {
    st.bind(i);
  }
}

template <class... Args>
void bind_all(SQLite::Statement& st, const Args&... args) {
  int i = 0;
  (bind_one(st, ++i, args), ...);
}

// ---- reading -----------------------------------------------------------------------------------------

std::string text(const SQLite::Column& c) { return c.isNull() ? std::string() : c.getString(); }

DateTime time_of(const SQLite::Column& c) {
  auto t = units::parse_date_time(text(c));
  if (!t) throw CorruptValue(fmt::format("column {} holds '{}', not a UTC time", c.getName(), text(c)));
  return *t;
}
std::optional<DateTime> opt_time_of(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return time_of(c);
}
Date date_of(const SQLite::Column& c) {
  auto d = units::parse_date(text(c));
  if (!d) throw CorruptValue(fmt::format("column {} holds '{}', not a date", c.getName(), text(c)));
  return *d;
}
std::optional<Id> opt_id_of(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return c.getInt64();
}

constexpr const char* user_cols = "id, name, role, created_at";
UserRecord read_user(SQLite::Statement& st) {
  return {st.getColumn(0).getInt64(), text(st.getColumn(1)), text(st.getColumn(2)), time_of(st.getColumn(3))};
}

constexpr const char* client_cols = "id, name, date_of_birth, created_at";
ClientRecord read_client(SQLite::Statement& st) {
  ClientRecord c;
  c.id = text(st.getColumn(0));
  c.name = text(st.getColumn(1));
  if (!st.getColumn(2).isNull()) c.date_of_birth = date_of(st.getColumn(2));
  c.created_at = time_of(st.getColumn(3));
  return c;
}

constexpr const char* intake_cols =
    "id, client_id, intake_date, intake_json, decision, areas_json, reasons_json, pack, recorded_at";
IntakeRecord read_intake(SQLite::Statement& st) {
  IntakeRecord r;
  r.id = st.getColumn(0).getInt64();
  r.client_id = text(st.getColumn(1));
  r.intake_date = date_of(st.getColumn(2));
  r.intake_json = text(st.getColumn(3));
  r.decision = text(st.getColumn(4));
  const auto areas = json::parse(text(st.getColumn(5)), nullptr, false);
  if (!areas.is_array()) throw CorruptValue("intakes.areas_json is not a JSON array");
  for (const auto& a : areas) {
    r.areas.push_back({a.value("area", std::string()), a.value("decision", std::string())});
  }
  r.reasons_json = text(st.getColumn(6));
  r.pack = text(st.getColumn(7));
  r.recorded_at = time_of(st.getColumn(8));
  return r;
}

constexpr const char* consent_cols =
    "id, client_id, text_sha256, signer, signed_at, withdrawn_at, withdrawn_by";
ConsentRecord read_consent(SQLite::Statement& st) {
  ConsentRecord r;
  r.id = st.getColumn(0).getInt64();
  r.client_id = text(st.getColumn(1));
  r.text_sha256 = text(st.getColumn(2));
  r.signer = text(st.getColumn(3));
  r.signed_at = time_of(st.getColumn(4));
  r.withdrawn_at = opt_time_of(st.getColumn(5));
  r.withdrawn_by = text(st.getColumn(6));
  return r;
}

constexpr const char* course_cols = "id, client_id, intake_id, start_date, plan_json, pack, created_at";
CourseRecord read_course(SQLite::Statement& st) {
  return {st.getColumn(0).getInt64(), text(st.getColumn(1)), st.getColumn(2).getInt64(),
          date_of(st.getColumn(3)),   text(st.getColumn(4)), text(st.getColumn(5)),
          time_of(st.getColumn(6))};
}

constexpr const char* appointment_cols = "id, client_id, course_id, area, needle_length_mm, at, state";
AppointmentRecord read_appointment(SQLite::Statement& st) {
  AppointmentRecord r;
  r.id = st.getColumn(0).getInt64();
  r.client_id = text(st.getColumn(1));
  r.course_id = opt_id_of(st.getColumn(2));
  r.area = text(st.getColumn(3));
  r.needle_length = units::millimetres(st.getColumn(4).getDouble());
  r.at = time_of(st.getColumn(5));
  auto s = appointment_state_from_string(text(st.getColumn(6)));
  if (!s) throw CorruptValue("appointments.state holds an unknown state");
  r.state = *s;
  return r;
}

constexpr const char* roller_cols =
    "id, lot, serial, udi, device, needle_count, needle_length_mm, expiry, state, client_id, uses, "
    "disposal_reason, registered_at";
RollerRecord read_roller(SQLite::Statement& st) {
  RollerRecord r;
  r.id = st.getColumn(0).getInt64();
  r.lot = text(st.getColumn(1));
  r.serial = text(st.getColumn(2));
  r.udi = text(st.getColumn(3));
  r.device = text(st.getColumn(4));
  r.needle_count = st.getColumn(5).getInt();
  r.needle_length = units::millimetres(st.getColumn(6).getDouble());
  r.expiry = date_of(st.getColumn(7));
  auto s = roller_state_from_string(text(st.getColumn(8)));
  if (!s) throw CorruptValue("rollers.state holds an unknown state");
  r.state = *s;
  r.client_id = text(st.getColumn(9));
  r.uses = st.getColumn(10).getInt();
  r.disposal_reason = text(st.getColumn(11));
  r.registered_at = time_of(st.getColumn(12));
  return r;
}

constexpr const char* session_cols =
    "id, client_id, appointment_id, intake_id, consent_id, roller_id, area, device, needle_length_mm, pack, "
    "started_at, finished_at, passes, density_per_cm2, effective_depth_mm, notes, cocktail, conditions_json, "
    "stroke_plan_json";
SessionRecord read_session(SQLite::Statement& st) {
  SessionRecord r;
  r.id = st.getColumn(0).getInt64();
  r.client_id = text(st.getColumn(1));
  r.appointment_id = opt_id_of(st.getColumn(2));
  r.intake_id = st.getColumn(3).getInt64();
  r.consent_id = st.getColumn(4).getInt64();
  r.roller_id = st.getColumn(5).getInt64();
  r.area = text(st.getColumn(6));
  r.device = text(st.getColumn(7));
  r.needle_length = units::millimetres(st.getColumn(8).getDouble());
  r.pack = text(st.getColumn(9));
  r.started_at = time_of(st.getColumn(10));
  r.finished_at = opt_time_of(st.getColumn(11));
  if (!st.getColumn(12).isNull()) r.passes = st.getColumn(12).getInt();
  if (!st.getColumn(13).isNull()) r.density = units::per_square_centimetre(st.getColumn(13).getDouble());
  if (!st.getColumn(14).isNull()) r.effective_depth = units::millimetres(st.getColumn(14).getDouble());
  r.notes = text(st.getColumn(15));
  r.cocktail = st.getColumn(16).getInt() != 0;
  const auto conditions = json::parse(text(st.getColumn(17)), nullptr, false);
  if (!conditions.is_array()) throw CorruptValue("sessions.conditions_json is not a JSON array");
  for (const auto& c : conditions) r.conditions.push_back(c.is_string() ? c.get<std::string>() : c.dump());
  r.stroke_plan_json = text(st.getColumn(18));
  return r;
}

constexpr const char* photo_cols =
    "id, client_id, session_id, sha256, media_type, size_bytes, kind, taken_at, original_name, note";
PhotoRecord read_photo(SQLite::Statement& st) {
  PhotoRecord p;
  p.id = st.getColumn(0).getInt64();
  p.client_id = text(st.getColumn(1));
  p.session_id = opt_id_of(st.getColumn(2));
  p.sha256 = text(st.getColumn(3));
  p.media_type = text(st.getColumn(4));
  p.size_bytes = st.getColumn(5).getInt64();
  p.kind = text(st.getColumn(6));
  p.taken_at = time_of(st.getColumn(7));
  p.original_name = text(st.getColumn(8));
  p.note = text(st.getColumn(9));
  return p;
}

constexpr const char* outbox_cols =
    "id, client_id, session_id, kind, subject, body, created_at, sent_at, sent_by";
OutboxMessage read_message(SQLite::Statement& st) {
  OutboxMessage m;
  m.id = st.getColumn(0).getInt64();
  m.client_id = text(st.getColumn(1));
  m.session_id = opt_id_of(st.getColumn(2));
  m.kind = text(st.getColumn(3));
  m.subject = text(st.getColumn(4));
  m.body = text(st.getColumn(5));
  m.created_at = time_of(st.getColumn(6));
  m.sent_at = opt_time_of(st.getColumn(7));
  m.sent_by = text(st.getColumn(8));
  return m;
}

constexpr const char* step_cols = "id, session_id, step, at";
StepRecord read_step(SQLite::Statement& st) {
  return {st.getColumn(0).getInt64(), st.getColumn(1).getInt64(), text(st.getColumn(2)),
          time_of(st.getColumn(3))};
}

constexpr const char* followup_cols =
    "id, session_id, observed_at, observations_json, triage, result_json, pack";
FollowupRecord read_followup(SQLite::Statement& st) {
  FollowupRecord r;
  r.id = st.getColumn(0).getInt64();
  r.session_id = st.getColumn(1).getInt64();
  r.observed_at = time_of(st.getColumn(2));
  const auto obs = json::parse(text(st.getColumn(3)), nullptr, false);
  if (!obs.is_array()) throw CorruptValue("followups.observations_json is not a JSON array");
  for (const auto& o : obs) r.observations.push_back(o.is_string() ? o.get<std::string>() : o.dump());
  r.triage = text(st.getColumn(4));
  r.result_json = text(st.getColumn(5));
  r.pack = text(st.getColumn(6));
  return r;
}

constexpr const char* escalation_cols =
    "id, session_id, followup_id, client_id, opened_at, reason, closed_at, closed_by, close_note";
EscalationRecord read_escalation(SQLite::Statement& st) {
  EscalationRecord r;
  r.id = st.getColumn(0).getInt64();
  r.session_id = st.getColumn(1).getInt64();
  r.followup_id = st.getColumn(2).getInt64();
  r.client_id = text(st.getColumn(3));
  r.opened_at = time_of(st.getColumn(4));
  r.reason = text(st.getColumn(5));
  r.closed_at = opt_time_of(st.getColumn(6));
  r.closed_by = text(st.getColumn(7));
  r.close_note = text(st.getColumn(8));
  return r;
}

constexpr const char* audit_cols =
    "seq, at, actor, action, entity, entity_id, before_sha256, after_sha256, prev_hash, hash";
AuditEntry read_audit(SQLite::Statement& st) {
  AuditEntry e;
  e.seq = st.getColumn(0).getInt64();
  // A changed time that no longer parses is tampering too: keep the entry, let the hash check report it.
  auto at = units::parse_date_time(text(st.getColumn(1)));
  e.at = at ? *at : DateTime{};
  e.actor = text(st.getColumn(2));
  e.action = text(st.getColumn(3));
  e.entity = text(st.getColumn(4));
  e.entity_id = text(st.getColumn(5));
  e.before_sha256 = text(st.getColumn(6));
  e.after_sha256 = text(st.getColumn(7));
  e.prev_hash = text(st.getColumn(8));
  e.hash = text(st.getColumn(9));
  if (!at) e.hash = "unparseable time " + text(st.getColumn(1));
  return e;
}

// ---- errors ------------------------------------------------------------------------------------------

Error to_error(const SQLite::Exception& e, std::string_view where) {
  const int code = e.getErrorCode();
  if (code == SQLITE_CONSTRAINT) {
    return Error{ErrorCode::invalid_value, fmt::format("the database refused the change: {}", e.what()),
                 std::string(where)};
  }
  if (code == SQLITE_BUSY || code == SQLITE_LOCKED) {
    return Error{ErrorCode::io_error,
                 fmt::format("the database is busy (another writer held it for {} s); try again",
                             busy_timeout_ms / 1000),
                 std::string(where)};
  }
  return Error{ErrorCode::io_error, fmt::format("SQLite: {}", e.what()), std::string(where)};
}

class SqliteStore final : public Store {
 public:
  SqliteStore(const std::filesystem::path& path, int flags)
      : path_(path.string()), db_(path.string(), flags, busy_timeout_ms) {}

  Result<void> configure(const SqliteOptions& options) {
    return guard([&]() -> Result<void> {
      // WAL lets readers work while the one writer commits; FULL syncs the WAL at every commit so a committed
      // record survives a power cut.
      const std::string mode = db_.execAndGet("PRAGMA journal_mode=WAL").getString();
      if (mode != "wal" && path_ != ":memory:") {
        return fail(ErrorCode::io_error, fmt::format("cannot switch the database to WAL (got '{}')", mode),
                    path_);
      }
      db_.exec("PRAGMA foreign_keys=ON");
      db_.exec("PRAGMA synchronous=FULL");
      // The page cache (SqliteOptions::cache_mib): over half of a warm history read's time in a
      // 1M-session clinic went to fetching pages from the OS page cache with a system call each.
      db_.exec(fmt::format("PRAGMA cache_size={}", -1024 * static_cast<std::int64_t>(options.cache_mib)));
      if (db_.execAndGet("PRAGMA foreign_keys").getInt() != 1) {
        return fail(ErrorCode::io_error, "this SQLite cannot enforce foreign keys", path_);
      }
      return {};
    });
  }

  Result<void> migrate() {
    return guard([&]() -> Result<void> {
      db_.exec(
          "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
          "sql_sha256 TEXT NOT NULL)");
      const auto& all = sqlite::migrations();
      for (std::size_t i = 0; i < all.size(); ++i) {
        const int version = static_cast<int>(i) + 1;
        const auto& m = all[i];
        const std::string digest = sha256_hex(m.sql);
        // Checked inside the transaction: another process may have applied it while we waited for the lock.
        SQLite::Transaction tx(db_, SQLite::TransactionBehavior::IMMEDIATE);
        SQLite::Statement q(db_, "SELECT name, sql_sha256 FROM schema_version WHERE version = ?");
        bind_all(q, version);
        if (q.executeStep()) {
          if (text(q.getColumn(1)) != digest) {
            return fail(ErrorCode::pack_error,
                        fmt::format("migration {} recorded in the database differs from the one built into "
                                    "this program; restore the migration file or use the matching build",
                                    m.name),
                        path_);
          }
          continue;
        }
        db_.exec(std::string(m.sql));
        SQLite::Statement ins(db_, "INSERT INTO schema_version (version, name, sql_sha256) VALUES (?, ?, ?)");
        bind_all(ins, version, m.name, digest);
        ins.exec();
        tx.commit();
      }
      const int newest = db_.execAndGet("SELECT COALESCE(MAX(version), 0) FROM schema_version").getInt();
      if (newest > static_cast<int>(all.size())) {
        return fail(ErrorCode::pack_error,
                    fmt::format("the database is at schema version {}, newer than this program knows ({}); "
                                "use a newer build",
                                newest, all.size()),
                    path_);
      }
      return {};
    });
  }

  Result<void> transaction(const std::function<Result<void>()>& body) override {
    if (depth_ > 0) return savepoint(body);
    try {
      SQLite::Transaction tx(db_, SQLite::TransactionBehavior::IMMEDIATE);
      ++depth_;
      struct Leave {
        SqliteStore& s;
        ~Leave() {
          --s.depth_;
          s.head_.reset();  // committed or rolled back: the file holds the head now
          s.savepoints_.clear();
        }
      } leave{*this};
      auto r = body();
      if (!r) return r;  // ~Transaction rolls back
      if (head_) store_head();  // the audit entries' head, with them
      tx.commit();
      return {};
    } catch (const SQLite::Exception& e) {
      return std::unexpected(to_error(e, path_));
    } catch (const CorruptValue& e) {
      return fail(ErrorCode::pack_error, fmt::format("the database holds an invalid value: {}", e.what()),
                  path_);
    }
  }

  Result<void> read_snapshot(const std::function<Result<void>()>& body) override {
    if (depth_ > 0 || reading_) return body();
    try {
      // DEFERRED: the first read takes the snapshot; a write inside fails (BEGIN IMMEDIATE cannot nest).
      SQLite::Transaction tx(db_, SQLite::TransactionBehavior::DEFERRED);
      reading_ = true;
      struct Leave {
        bool& reading;
        ~Leave() { reading = false; }
      } leave{reading_};
      auto r = body();
      tx.commit();  // ends the read transaction; there is nothing to write
      return r;
    } catch (const SQLite::Exception& e) {
      return std::unexpected(to_error(e, path_));
    }
  }

  /// A nested transaction is a savepoint: its writes join the outer transaction when it succeeds, and are
  /// undone alone — the outer transaction and the writes before it stay — when it fails. A group commit
  /// relies on this to keep one refused write from sinking the others in its batch.
  Result<void> savepoint(const std::function<Result<void>()>& body) {
    // Back-to-back nested transactions share one savepoint (savepoints.hpp).
    const auto [name, shared] = savepoints_.push(depth_);
    const auto head_before = head_;
    if (!shared) savepoint_command("SAVEPOINT " + name)->exec();
    ++depth_;
    struct Leave {
      SqliteStore& s;
      ~Leave() {
        --s.depth_;
        s.savepoints_.pop();
      }
    };
    std::optional<Leave> leave(std::in_place, *this);
    Result<void> r;
    try {
      r = body();
    } catch (const SQLite::Exception& e) {
      r = std::unexpected(to_error(e, path_));
    } catch (const CorruptValue& e) {
      r = fail(ErrorCode::pack_error, fmt::format("the database holds an invalid value: {}", e.what()), path_);
    }
    leave.reset();
    if (!r) {
      savepoint_command("ROLLBACK TO " + name)->exec();
      head_ = head_before;
    }
    if (!shared) savepoint_command("RELEASE " + name)->exec();
    return r;
  }

  Result<SchemaInfo> schema() override {
    return guard([&]() -> Result<SchemaInfo> {
      SchemaInfo info;
      auto q = prepare("SELECT version, name FROM schema_version ORDER BY version");
      while (q->executeStep()) {
        info.version = q->getColumn(0).getInt();
        info.applied.push_back(text(q->getColumn(1)));
      }
      return info;
    });
  }

  // ---- users and clients -----------------------------------------------------------------------------

  Result<UserRecord> insert_user(const Actor& by, const UserRecord& user) override {
    return write<UserRecord>([&]() -> Result<UserRecord> {
      UserRecord u = user;
      auto st = prepare("INSERT INTO users (name, role, created_at) VALUES (?, ?, ?)");
      bind_all(*st, u.name, u.role, u.created_at);
      st->exec();
      u.id = db_.getLastInsertRowid();
      audit(by, "insert", "users", std::to_string(u.id), nullptr, to_json(u));
      return u;
    });
  }

  Result<std::vector<UserRecord>> users() override {
    return list<UserRecord>(fmt::format("SELECT {} FROM users ORDER BY name", user_cols), read_user);
  }

  Result<void> insert_client(const Actor& by, const ClientRecord& c) override {
    return write<void>([&]() -> Result<void> {
      auto st = prepare("INSERT INTO clients (id, name, date_of_birth, created_at) VALUES (?, ?, ?, ?)");
      bind_all(*st, c.id, c.name, c.date_of_birth, c.created_at);
      st->exec();
      audit(by, "insert", "clients", c.id, nullptr, to_json(c));
      return {};
    });
  }

  Result<std::optional<ClientRecord>> find_client(std::string_view id) override {
    return find<ClientRecord>(fmt::format("SELECT {} FROM clients WHERE id = ?", client_cols), read_client,
                              std::string(id));
  }

  Result<std::vector<ClientRecord>> search_clients(std::string_view needle) override {
    // LIKE is case-insensitive for ASCII; escape its wildcards so the text is matched literally.
    std::string pattern = "%";
    for (char c : needle) {
      if (c == '%' || c == '_' || c == '\\') pattern += '\\';
      pattern += c;
    }
    pattern += '%';
    return list<ClientRecord>(
        fmt::format(
            "SELECT {} FROM clients WHERE id LIKE ?1 ESCAPE '\\' OR name LIKE ?1 ESCAPE '\\' ORDER BY id",
            client_cols),
        read_client, pattern);
  }

  // ---- intakes, consents, courses --------------------------------------------------------------------

  Result<IntakeRecord> insert_intake(const Actor& by, const IntakeRecord& intake) override {
    return write<IntakeRecord>([&]() -> Result<IntakeRecord> {
      IntakeRecord r = intake;
      json areas = json::array();
      for (const auto& a : r.areas) areas.push_back({{"area", a.area}, {"decision", a.decision}});
      auto st = prepare(
          "INSERT INTO intakes (client_id, intake_date, intake_json, decision, areas_json, "
          "reasons_json, pack, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
      bind_all(*st, r.client_id, r.intake_date, r.intake_json, r.decision, canonical(areas), r.reasons_json,
               r.pack, r.recorded_at);
      st->exec();
      r.id = db_.getLastInsertRowid();
      audit(by, "insert", "intakes", std::to_string(r.id), nullptr, to_json(r));
      return r;
    });
  }

  Result<std::vector<IntakeRecord>> intakes_of(std::string_view client_id) override {
    return list<IntakeRecord>(
        fmt::format("SELECT {} FROM intakes WHERE client_id = ? ORDER BY id", intake_cols), read_intake,
        std::string(client_id));
  }

  Result<ConsentRecord> insert_consent(const Actor& by, const ConsentRecord& consent) override {
    return write<ConsentRecord>([&]() -> Result<ConsentRecord> {
      ConsentRecord r = consent;
      auto st = prepare(
          "INSERT INTO consents (client_id, text_sha256, signer, signed_at, withdrawn_at, "
          "withdrawn_by) VALUES (?, ?, ?, ?, ?, ?)");
      bind_all(*st, r.client_id, r.text_sha256, r.signer, r.signed_at, r.withdrawn_at, r.withdrawn_by);
      st->exec();
      r.id = db_.getLastInsertRowid();
      audit(by, "insert", "consents", std::to_string(r.id), nullptr, to_json(r));
      return r;
    });
  }

  Result<std::optional<ConsentRecord>> find_consent(Id id) override {
    return find<ConsentRecord>(fmt::format("SELECT {} FROM consents WHERE id = ?", consent_cols),
                               read_consent, id);
  }

  Result<void> update_consent(const Actor& by, const ConsentRecord& r) override {
    return update<ConsentRecord>(by, "consents", r.id, read_consent, consent_cols, [&] {
      auto st = prepare("UPDATE consents SET withdrawn_at = ?, withdrawn_by = ? WHERE id = ?");
      bind_all(*st, r.withdrawn_at, r.withdrawn_by, r.id);
      st->exec();
    });
  }

  Result<std::vector<ConsentRecord>> consents_of(std::string_view client_id) override {
    return list<ConsentRecord>(
        fmt::format("SELECT {} FROM consents WHERE client_id = ? ORDER BY id", consent_cols), read_consent,
        std::string(client_id));
  }

  Result<CourseRecord> insert_course(const Actor& by, const CourseRecord& course) override {
    return write<CourseRecord>([&]() -> Result<CourseRecord> {
      CourseRecord r = course;
      auto st = prepare(
          "INSERT INTO courses (client_id, intake_id, start_date, plan_json, pack, created_at) "
          "VALUES (?, ?, ?, ?, ?, ?)");
      bind_all(*st, r.client_id, r.intake_id, r.start, r.plan_json, r.pack, r.created_at);
      st->exec();
      r.id = db_.getLastInsertRowid();
      audit(by, "insert", "courses", std::to_string(r.id), nullptr, to_json(r));
      return r;
    });
  }

  Result<std::vector<CourseRecord>> courses_of(std::string_view client_id) override {
    return list<CourseRecord>(
        fmt::format("SELECT {} FROM courses WHERE client_id = ? ORDER BY id", course_cols), read_course,
        std::string(client_id));
  }

  // ---- appointments ----------------------------------------------------------------------------------

  Result<AppointmentRecord> insert_appointment(const Actor& by, const AppointmentRecord& a) override {
    return write<AppointmentRecord>([&]() -> Result<AppointmentRecord> {
      AppointmentRecord r = a;
      auto st = prepare(
          "INSERT INTO appointments (client_id, course_id, area, needle_length_mm, at, state) "
          "VALUES (?, ?, ?, ?, ?, ?)");
      bind_all(*st, r.client_id, r.course_id, r.area, r.needle_length, r.at, to_string(r.state));
      st->exec();
      r.id = db_.getLastInsertRowid();
      audit(by, "insert", "appointments", std::to_string(r.id), nullptr, to_json(r));
      return r;
    });
  }

  Result<std::optional<AppointmentRecord>> find_appointment(Id id) override {
    return find<AppointmentRecord>(fmt::format("SELECT {} FROM appointments WHERE id = ?", appointment_cols),
                                   read_appointment, id);
  }

  Result<void> update_appointment(const Actor& by, const AppointmentRecord& r) override {
    return update<AppointmentRecord>(by, "appointments", r.id, read_appointment, appointment_cols, [&] {
      auto st = prepare("UPDATE appointments SET state = ?, at = ? WHERE id = ?");
      bind_all(*st, to_string(r.state), r.at, r.id);
      st->exec();
    });
  }

  Result<std::vector<AppointmentRecord>> appointments_of(std::string_view client_id) override {
    return list<AppointmentRecord>(
        fmt::format("SELECT {} FROM appointments WHERE client_id = ? ORDER BY at, id", appointment_cols),
        read_appointment, std::string(client_id));
  }

  // ---- rollers ---------------------------------------------------------------------------------------

  Result<RollerRecord> insert_roller(const Actor& by, const RollerRecord& roller) override {
    return write<RollerRecord>([&]() -> Result<RollerRecord> {
      RollerRecord r = roller;
      auto st = prepare(
          "INSERT INTO rollers (lot, serial, udi, device, needle_count, needle_length_mm, expiry, "
          "state, client_id, uses, disposal_reason, registered_at) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      bind_all(*st, r.lot, r.serial, r.udi, r.device, r.needle_count, r.needle_length, r.expiry,
               to_string(r.state), client_or_null(r.client_id), r.uses, r.disposal_reason, r.registered_at);
      st->exec();
      r.id = db_.getLastInsertRowid();
      audit(by, "insert", "rollers", std::to_string(r.id), nullptr, to_json(r));
      return r;
    });
  }

  Result<std::optional<RollerRecord>> find_roller(Id id) override {
    return find<RollerRecord>(fmt::format("SELECT {} FROM rollers WHERE id = ?", roller_cols), read_roller,
                              id);
  }

  Result<void> update_roller(const Actor& by, const RollerRecord& r) override {
    return update<RollerRecord>(by, "rollers", r.id, read_roller, roller_cols, [&] {
      auto st =
          prepare("UPDATE rollers SET state = ?, client_id = ?, uses = ?, disposal_reason = ? WHERE id = ?");
      bind_all(*st, to_string(r.state), client_or_null(r.client_id), r.uses, r.disposal_reason, r.id);
      st->exec();
    });
  }

  Result<std::vector<RollerRecord>> rollers_in_lot(std::string_view lot) override {
    return list<RollerRecord>(fmt::format("SELECT {} FROM rollers WHERE lot = ? ORDER BY id", roller_cols),
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
      auto st = prepare(
          "INSERT INTO sessions (client_id, appointment_id, intake_id, consent_id, roller_id, area, "
          "device, needle_length_mm, pack, started_at, finished_at, passes, density_per_cm2, "
          "effective_depth_mm, notes, cocktail, conditions_json, stroke_plan_json) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      bind_session(*st, r);
      st->exec();
      r.id = db_.getLastInsertRowid();
      audit_digests(by, "insert", "sessions", std::to_string(r.id), {}, sha256_hex(text.with_id(r.id)));
      return r;
    });
  }

  Result<std::optional<SessionRecord>> find_session(Id id) override {
    return find<SessionRecord>(fmt::format("SELECT {} FROM sessions WHERE id = ?", session_cols),
                               read_session, id);
  }

  Result<void> update_session(const Actor& by, const SessionRecord& r) override {
    return update<SessionRecord>(by, "sessions", r.id, read_session, session_cols, [&] {
      auto st = prepare(
          "UPDATE sessions SET finished_at = ?, passes = ?, density_per_cm2 = ?, "
          "effective_depth_mm = ?, notes = ?, stroke_plan_json = ? WHERE id = ?");
      std::optional<double> density, depth;
      if (r.density) density = units::in_per_cm2(*r.density);
      if (r.effective_depth) depth = units::in_mm(*r.effective_depth);
      bind_all(*st, r.finished_at, r.passes, density, depth, r.notes, r.stroke_plan_json, r.id);
      st->exec();
    });
  }

  Result<std::vector<SessionRecord>> sessions_of(std::string_view client_id) override {
    return list<SessionRecord>(
        fmt::format("SELECT {} FROM sessions WHERE client_id = ? ORDER BY started_at, id", session_cols),
        read_session, std::string(client_id));
  }

  Result<std::vector<SessionRecord>> sessions_with_roller(Id roller_id) override {
    return list<SessionRecord>(
        fmt::format("SELECT {} FROM sessions WHERE roller_id = ? ORDER BY started_at, id", session_cols),
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
      auto st = prepare("INSERT INTO session_steps (session_id, step, at) VALUES (?, ?, ?)");
      bind_all(*st, r.session_id, r.step, r.at);
      st->exec();
      r.id = db_.getLastInsertRowid();
      audit(by, "insert", "session_steps", std::to_string(r.id), nullptr, to_json(r));
      return r;
    });
  }

  Result<std::vector<StepRecord>> steps_of(Id session_id) override {
    return list<StepRecord>(
        fmt::format("SELECT {} FROM session_steps WHERE session_id = ? ORDER BY at, id", step_cols),
        read_step, session_id);
  }

  Result<FollowupRecord> insert_followup(const Actor& by, const FollowupRecord& f) override {
    return write<FollowupRecord>([&]() -> Result<FollowupRecord> {
      FollowupRecord r = f;
      auto st = prepare(
          "INSERT INTO followups (session_id, observed_at, observations_json, triage, result_json, "
          "pack) VALUES (?, ?, ?, ?, ?, ?)");
      bind_all(*st, r.session_id, r.observed_at, canonical(json(r.observations)), r.triage, r.result_json,
               r.pack);
      st->exec();
      r.id = db_.getLastInsertRowid();
      audit(by, "insert", "followups", std::to_string(r.id), nullptr, to_json(r));
      return r;
    });
  }

  Result<std::vector<FollowupRecord>> followups_of(Id session_id) override {
    return list<FollowupRecord>(
        fmt::format("SELECT {} FROM followups WHERE session_id = ? ORDER BY observed_at, id", followup_cols),
        read_followup, session_id);
  }

  Result<std::vector<FollowupRecord>> followups_of_client(std::string_view client_id) override {
    return list<FollowupRecord>(
        "SELECT f.id, f.session_id, f.observed_at, f.observations_json, f.triage, f.result_json, f.pack "
        "FROM followups f JOIN sessions s ON s.id = f.session_id WHERE s.client_id = ? "
        "ORDER BY s.started_at, s.id, f.observed_at, f.id",
        read_followup, std::string(client_id));
  }

  Result<EscalationRecord> insert_escalation(const Actor& by, const EscalationRecord& e) override {
    return write<EscalationRecord>([&]() -> Result<EscalationRecord> {
      EscalationRecord r = e;
      auto st = prepare(
          "INSERT INTO escalations (session_id, followup_id, client_id, opened_at, reason, "
          "closed_at, closed_by, close_note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
      bind_all(*st, r.session_id, r.followup_id, r.client_id, r.opened_at, r.reason, r.closed_at, r.closed_by,
               r.close_note);
      st->exec();
      r.id = db_.getLastInsertRowid();
      audit(by, "insert", "escalations", std::to_string(r.id), nullptr, to_json(r));
      return r;
    });
  }

  Result<std::optional<EscalationRecord>> find_escalation(Id id) override {
    return find<EscalationRecord>(fmt::format("SELECT {} FROM escalations WHERE id = ?", escalation_cols),
                                  read_escalation, id);
  }

  Result<void> update_escalation(const Actor& by, const EscalationRecord& r) override {
    return update<EscalationRecord>(by, "escalations", r.id, read_escalation, escalation_cols, [&] {
      auto st = prepare("UPDATE escalations SET closed_at = ?, closed_by = ?, close_note = ? WHERE id = ?");
      bind_all(*st, r.closed_at, r.closed_by, r.close_note, r.id);
      st->exec();
    });
  }

  Result<std::vector<EscalationRecord>> open_escalations() override {
    return list<EscalationRecord>(
        fmt::format("SELECT {} FROM escalations WHERE closed_at IS NULL ORDER BY opened_at, id",
                    escalation_cols),
        read_escalation);
  }

  Result<std::vector<EscalationRecord>> escalations_of(std::string_view client_id) override {
    return list<EscalationRecord>(
        fmt::format("SELECT {} FROM escalations WHERE client_id = ? ORDER BY opened_at, id", escalation_cols),
        read_escalation, std::string(client_id));
  }

  // ---- photos ------------------------------------------------------------------------------------------

  Result<PhotoRecord> insert_photo(const Actor& by, const PhotoRecord& photo) override {
    return write<PhotoRecord>([&]() -> Result<PhotoRecord> {
      PhotoRecord p = photo;
      auto st = prepare(
          "INSERT INTO photos (client_id, session_id, sha256, media_type, size_bytes, kind, taken_at, "
          "original_name, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
      bind_all(*st, p.client_id, p.session_id, p.sha256, p.media_type, p.size_bytes, p.kind, p.taken_at,
               p.original_name, p.note);
      st->exec();
      p.id = db_.getLastInsertRowid();
      audit(by, "insert", "photos", std::to_string(p.id), nullptr, to_json(p));
      return p;
    });
  }

  Result<std::vector<PhotoRecord>> photos_of(std::string_view client_id) override {
    return list<PhotoRecord>(
        fmt::format("SELECT {} FROM photos WHERE client_id = ? ORDER BY taken_at, id", photo_cols),
        read_photo, std::string(client_id));
  }

  // ---- outbox ------------------------------------------------------------------------------------------

  Result<OutboxMessage> insert_message(const Actor& by, const OutboxMessage& message) override {
    return write<OutboxMessage>([&]() -> Result<OutboxMessage> {
      OutboxMessage m = message;
      auto st = prepare(
          "INSERT INTO outbox (client_id, session_id, kind, subject, body, created_at, sent_at, "
          "sent_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
      bind_all(*st, m.client_id, m.session_id, m.kind, m.subject, m.body, m.created_at, m.sent_at, m.sent_by);
      st->exec();
      m.id = db_.getLastInsertRowid();
      audit(by, "insert", "outbox", std::to_string(m.id), nullptr, to_json(m));
      return m;
    });
  }

  Result<std::optional<OutboxMessage>> find_message(Id id) override {
    return find<OutboxMessage>(fmt::format("SELECT {} FROM outbox WHERE id = ?", outbox_cols), read_message,
                               id);
  }

  Result<void> update_message(const Actor& by, const OutboxMessage& m) override {
    return update<OutboxMessage>(by, "outbox", m.id, read_message, outbox_cols, [&] {
      auto st = prepare("UPDATE outbox SET sent_at = ?, sent_by = ? WHERE id = ?");
      bind_all(*st, m.sent_at, m.sent_by, m.id);
      st->exec();
    });
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
    return guard([&]() -> Result<AuditCheck> {
      // The log and the head from one snapshot (a read transaction), so a write committed by another
      // connection between the two reads cannot look like a removed or added entry.
      std::optional<SQLite::Transaction> snapshot;
      if (depth_ == 0 && !reading_) snapshot.emplace(db_, SQLite::TransactionBehavior::DEFERRED);
      auto entries = audit_log();
      if (!entries) return std::unexpected(entries.error());
      std::optional<std::pair<std::int64_t, std::string>> head = head_;  // inside a write: not yet stored
      if (!head) {
        auto q = prepare("SELECT seq, hash FROM audit_head WHERE id = 1");
        if (q->executeStep()) head = std::pair{q->getColumn(0).getInt64(), text(q->getColumn(1))};
      }
      auto check = verify_chain(*entries, head);
      if (snapshot) snapshot->commit();
      return check;
    });
  }

 private:
  static std::optional<std::string> client_or_null(const std::string& id) {
    return id.empty() ? std::nullopt : std::optional<std::string>(id);
  }

  void bind_session(SQLite::Statement& st, const SessionRecord& r) {
    std::optional<double> density, depth;
    if (r.density) density = units::in_per_cm2(*r.density);
    if (r.effective_depth) depth = units::in_mm(*r.effective_depth);
    bind_all(st, r.client_id, r.appointment_id, r.intake_id, r.consent_id, r.roller_id, r.area, r.device,
             r.needle_length, r.pack, r.started_at, r.finished_at, r.passes, density, depth, r.notes,
             r.cocktail ? 1 : 0, canonical(json(r.conditions)), r.stroke_plan_json);
  }

  /// Appends the audit entry of one write; must run inside the write's transaction.
  void audit(const Actor& by, std::string_view action, std::string_view entity, const std::string& entity_id,
             const json* before, const json& after) {
    audit_digests(by, action, entity, entity_id,
                  before != nullptr ? sha256_hex(canonical(*before)) : std::string(),
                  sha256_hex(canonical(after)));
  }
  /// The same with the record's digests made by the caller (empty `before_sha256` for an insert). Runs inside
  /// the write's transaction (every write goes through `write`), whose commit stores the head (store_head).
  void audit_digests(const Actor& by, std::string_view action, std::string_view entity,
                     const std::string& entity_id, std::string before_sha256, std::string after_sha256) {
    if (!head_) {
      // The first entry of this write transaction: BEGIN IMMEDIATE holds the write lock, so the head read
      // here stays the head until the transaction ends; later entries follow the one kept in memory.
      head_.emplace(0, std::string(64, '0'));
      auto h = prepare("SELECT seq, hash FROM audit_head WHERE id = 1");
      if (h->executeStep()) *head_ = {h->getColumn(0).getInt64(), text(h->getColumn(1))};
    }
    AuditEntry e;
    e.seq = head_->first + 1;
    e.prev_hash = head_->second;
    e.at = by.at;
    e.actor = by.name;
    e.action = action;
    e.entity = entity;
    e.entity_id = entity_id;
    e.before_sha256 = std::move(before_sha256);
    e.after_sha256 = std::move(after_sha256);
    e.hash = audit_hash(e);
    auto ins =
        prepare(fmt::format("INSERT INTO audit ({}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", audit_cols));
    bind_all(*ins, e.seq, e.at, e.actor, e.action, e.entity, e.entity_id, e.before_sha256, e.after_sha256,
             e.prev_hash, e.hash);
    ins->exec();
    *head_ = {e.seq, std::move(e.hash)};
  }

  /// Records the head the open write transaction moved the chain to: once, just before it commits (the
  /// entries and the head commit together, so a removed newest entry is still caught).
  void store_head() {
    auto head = prepare(
        "INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash");
    bind_all(*head, head_->first, head_->second);
    head->exec();
  }
  void audit(const Actor& by, std::string_view action, std::string_view entity, const std::string& entity_id,
             std::nullptr_t, const json& after) {
    audit(by, action, entity, entity_id, static_cast<const json*>(nullptr), after);
  }

  Result<void> backup_to(const std::filesystem::path& target, const std::function<void(double)>& step) override {
    if (path_ == ":memory:") return fail(ErrorCode::invalid_value, "an in-memory database has nothing to back up", "--db");
    std::error_code ec;
    if (std::filesystem::exists(target, ec)) {
      return fail(ErrorCode::invalid_value, "already exists; name a new file for the backup", target.string());
    }
    // Written beside the target under a temporary name and renamed when complete, so a backup file that
    // exists is always whole.
    const std::filesystem::path partial = target.string() + ".partial";
    std::filesystem::remove(partial, ec);
    try {
      {
        SQLite::Database out(partial.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        SQLite::Backup backup(out, db_);
        // A few hundred pages at a time: the writer is held off only between steps, never for the whole copy.
        constexpr int pages_per_step = 256;
        int rc = SQLITE_OK;
        do {
          rc = backup.executeStep(pages_per_step);
          const int total = backup.getTotalPageCount();
          if (step && total > 0) step(1.0 - static_cast<double>(backup.getRemainingPageCount()) / total);
        } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
        out.exec("PRAGMA journal_mode=DELETE");
      }
      std::filesystem::rename(partial, target);
    } catch (const SQLite::Exception& e) {
      std::filesystem::remove(partial, ec);
      return fail(ErrorCode::io_error, fmt::format("backup failed: {}", e.what()), target.string());
    } catch (const std::filesystem::filesystem_error& e) {
      std::filesystem::remove(partial, ec);
      return fail(ErrorCode::io_error, fmt::format("backup failed: {}", e.what()), target.string());
    }
    return {};
  }

  /// Runs a read (or anything) converting exceptions to errors.
  template <class F>
  auto guard(F&& f) -> decltype(f()) {
    try {
      return f();
    } catch (const SQLite::Exception& e) {
      return std::unexpected(to_error(e, path_));
    } catch (const CorruptValue& e) {
      return std::unexpected(Error{ErrorCode::pack_error,
                                   fmt::format("the database holds an invalid value: {}", e.what()), path_});
    }
  }

  template <class T, class F>
  Result<T> write(F&& fn) {
    return transaction_returning<T>(std::forward<F>(fn));
  }

  /// Updates one row and audits it with the row's JSON before and after.
  template <class T, class Read, class Exec>
  Result<void> update(const Actor& by, const char* table, Id id, Read read, const char* cols, Exec exec) {
    return write<void>([&]() -> Result<void> {
      const std::string select = fmt::format("SELECT {} FROM {} WHERE id = ?", cols, table);
      auto q = prepare(select);
      bind_all(*q, id);
      if (!q->executeStep()) return fail(ErrorCode::not_found, fmt::format("no record {} in {}", id, table));
      const json before = to_json(read(*q));
      q->reset();  // keeps the binding: the same row is read again after the change
      exec();
      q->executeStep();
      audit(by, "update", table, std::to_string(id), &before, to_json(read(*q)));
      return {};
    });
  }

  template <class T, class Read, class... Args>
  Result<std::optional<T>> find(const std::string& sql, Read read, const Args&... args) {
    return guard([&]() -> Result<std::optional<T>> {
      auto q = prepare(sql);
      bind_all(*q, args...);
      if (!q->executeStep()) return std::optional<T>();
      return std::optional<T>(read(*q));
    });
  }

  template <class T, class Read, class... Args>
  Result<std::vector<T>> list(const std::string& sql, Read read, const Args&... args) {
    return guard([&]() -> Result<std::vector<T>> {
      auto q = prepare(sql);
      bind_all(*q, args...);
      std::vector<T> out;
      while (q->executeStep()) out.push_back(read(*q));
      return out;
    });
  }

  /// A prepared statement on loan from the cache, reset (bindings cleared) when the loan ends.
  class Prepared {
   public:
    Prepared(SQLite::Statement& st, bool& busy) : st_(&st), busy_(&busy) { busy = true; }
    explicit Prepared(std::unique_ptr<SQLite::Statement> own) : own_(std::move(own)), st_(own_.get()) {}
    Prepared(const Prepared&) = delete;
    Prepared& operator=(const Prepared&) = delete;
    ~Prepared() {
      if (busy_ == nullptr) return;
      st_->tryReset();  // returns the last step's error, already reported
      try {
        st_->clearBindings();  // frees the bound copies (sqlite3_clear_bindings cannot fail)
      } catch (...) {
      }
      *busy_ = false;
    }
    SQLite::Statement& operator*() const { return *st_; }
    SQLite::Statement* operator->() const { return st_; }

   private:
    std::unique_ptr<SQLite::Statement> own_;
    SQLite::Statement* st_;
    bool* busy_ = nullptr;
  };

  /// The statement for `sql`, parsed once per connection: parsing was most of the cost of a small write (a
  /// session insert parsed eight statements: the insert, the audit's three, two savepoints and their
  /// releases). A statement still on loan (the same text used again inside its use) is parsed afresh.
  Prepared prepare(const std::string& sql) {
    savepoints_.statement();
    return cached(sql);
  }
  /// A savepoint command (SAVEPOINT, RELEASE, ROLLBACK TO): from the same cache, but not counted as a
  /// statement run inside the savepoint (SavepointStack).
  Prepared savepoint_command(const std::string& sql) { return cached(sql); }
  Prepared cached(const std::string& sql) {
    auto& entry = statements_[sql];
    if (!entry.statement) entry.statement = std::make_unique<SQLite::Statement>(db_, sql);
    if (entry.busy) return Prepared(std::make_unique<SQLite::Statement>(db_, sql));
    return Prepared(*entry.statement, entry.busy);
  }

  struct CachedStatement {
    std::unique_ptr<SQLite::Statement> statement;
    bool busy = false;
  };

  std::string path_;
  SQLite::Database db_;
  int depth_ = 0;
  bool reading_ = false;  ///< inside read_snapshot
  SavepointStack savepoints_;  ///< counts the statements prepared (= about to run) on this connection
  /// The audit chain's head as the open write transaction moved it (read on its first entry, restored when a
  /// savepoint rolls back, stored in audit_head just before the commit, forgotten when the transaction ends).
  std::optional<std::pair<std::int64_t, std::string>> head_;
  std::unordered_map<std::string, CachedStatement> statements_;  // finalized before db_ closes
};

}  // namespace

Result<std::unique_ptr<Store>> open_sqlite(const std::filesystem::path& path, const SqliteOptions& options) {
  std::unique_ptr<SqliteStore> store;
  try {
    if (path.empty()) return fail(ErrorCode::invalid_value, "the database path is empty", "--db");
    if (options.cache_mib < 1) {
      return fail(ErrorCode::invalid_value,
                  fmt::format("the page cache must be at least 1 MiB, not {}", options.cache_mib),
                  "cache_mib");
    }
    if (path != ":memory:") {
      std::error_code ec;
      if (std::filesystem::is_directory(path, ec)) {
        return fail(ErrorCode::invalid_value, "is a folder; name a database file", path.string());
      }
    }
    store = std::make_unique<SqliteStore>(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  } catch (const SQLite::Exception& e) {
    return fail(ErrorCode::io_error, fmt::format("cannot open the database: {}", e.what()), path.string());
  }
  if (auto r = store->configure(options); !r) return std::unexpected(r.error());
  if (auto r = store->migrate(); !r) return std::unexpected(r.error());
  return std::unique_ptr<Store>(std::move(store));
}

Result<RestoreReport> restore_sqlite(const std::filesystem::path& backup, const std::filesystem::path& target,
                                     bool replace, DateTime at) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_regular_file(backup, ec)) return fail(ErrorCode::not_found, "no such backup file", backup.string());
  if (target.empty() || target == ":memory:") {
    return fail(ErrorCode::invalid_value, "name a database file to restore into", "--db");
  }
  if (fs::exists(target, ec) && !replace) {
    return fail(ErrorCode::invalid_value,
                "the database already exists; add --replace to replace it (it is kept beside as "
                "<name>.before-restore-<time>)",
                target.string());
  }
  const fs::path copy = target.string() + ".restoring";
  auto remove_copy = [&] {
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(copy.string() + suffix, ec);
  };
  remove_copy();
  // A byte copy (with a -wal file, if the backup has one): opening the backup itself, even read-only, would
  // leave files beside it.
  for (const char* suffix : {"", "-wal"}) {
    const fs::path from = backup.string() + suffix;
    if (*suffix != '\0' && !fs::exists(from, ec)) continue;
    fs::copy_file(from, copy.string() + suffix, fs::copy_options::overwrite_existing, ec);
    if (ec) {
      remove_copy();
      return fail(ErrorCode::io_error, fmt::format("cannot copy the backup: {}", ec.message()), from.string());
    }
  }
  RestoreReport report;
  {
    auto opened = open_sqlite(copy);
    if (!opened) {
      remove_copy();
      auto e = opened.error();
      e.where = backup.string();
      return std::unexpected(e);
    }
    auto check = (*opened)->verify_audit();
    auto schema = (*opened)->schema();
    if (!check || !schema) {
      remove_copy();
      return std::unexpected(!check ? check.error() : schema.error());
    }
    if (!check->ok) {
      remove_copy();
      return fail(ErrorCode::refused,
                  fmt::format("the backup's audit chain is broken at entry {} ({}); it was not restored",
                              check->first_bad_seq, check->problem),
                  backup.string());
    }
    report.audit_entries = check->entries;
    report.schema_version = schema->version;
  }  // closed: the copy is checkpointed into one file
  if (fs::exists(target, ec)) {
    const std::string stamp = units::format_date_time(at);
    std::string compact;
    for (char c : stamp) {
      if (c != ':' && c != '-') compact += c;
    }
    report.previous = target.string() + ".before-restore-" + compact;
    for (const char* suffix : {"", "-wal"}) {
      const fs::path from = target.string() + suffix;
      if (fs::exists(from, ec)) fs::rename(from, report.previous.string() + suffix, ec);
      if (ec) {
        remove_copy();
        return fail(ErrorCode::io_error, fmt::format("cannot move the current database aside: {}", ec.message()),
                    from.string());
      }
    }
    fs::remove(target.string() + "-shm", ec);
  }
  fs::rename(copy, target, ec);
  if (ec) {
    return fail(ErrorCode::io_error, fmt::format("cannot move the restored copy into place: {}", ec.message()),
                target.string());
  }
  remove_copy();
  return report;
}

}  // namespace needlework::store
