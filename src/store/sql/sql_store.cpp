// The Store written once for every SQL backend, over the Connection a backend implements. Records map through
// their field tables (fields.hpp); the audit chain, transactions, savepoints and migrations are here, so the
// backends hold only what truly differs (connection.hpp).

#include "sql/sql_store.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <optional>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "needlework/store/json.hpp"
#include "needlework/store/savepoints.hpp"
#include "sql/fields.hpp"

namespace needlework::store::sql {
namespace {

using Head = std::pair<std::int64_t, std::string>;

// ---- the SQL of a record table, made once per type -------------------------------------------------------

/// The statements of record type R, from its table: columns in table order, parameters $1, $2, ….
template <class R>
struct TableSql {
  std::string columns;  ///< "id, name, …"
  std::string insert;   ///< INSERT … RETURNING id (a generated key) or plain (a given key)
  /// UPDATE … SET <updatable> = $1… WHERE id = $n RETURNING <columns> (only for a table keyed by id).
  std::string update;
  std::string by_id;  ///< SELECT <columns> FROM <table> WHERE id = $1
  /// INSERT … ON CONFLICT (<key>) DO UPDATE SET <updatable> = excluded.<updatable> (a table whose first field
  /// is a key the caller gives: a credential, put again for its user).
  std::string upsert;
  [[nodiscard]] std::string select(std::string_view rest) const {
    return fmt::format("SELECT {} FROM {} {}", columns, Table<R>::name, rest);
  }
  /// The columns with a table alias ("f.id, f.session_id, …") for a join.
  [[nodiscard]] std::string columns_of(std::string_view alias) const {
    std::string out;
    for_each_field<R>([&](const auto& f) {
      if (!out.empty()) out += ", ";
      out += fmt::format("{}.{}", alias, f.column);
    });
    return out;
  }
};

template <class R>
const TableSql<R>& sql_of() {
  static const TableSql<R> sql = [] {
    TableSql<R> t;
    std::string insert_columns, insert_params, sets, excluded;
    std::string_view key;
    int n = 0, u = 0;
    bool generated = false;
    for_each_field<R>([&](const auto& f) {
      if (!t.columns.empty()) t.columns += ", ";
      t.columns += f.column;
      if (key.empty()) key = f.column;
      if (f.use == Use::generated_key) {
        generated = true;
        return;
      }
      if (n > 0) {
        insert_columns += ", ";
        insert_params += ", ";
      }
      insert_columns += f.column;
      insert_params += fmt::format("${}", ++n);
      if (f.use == Use::updatable) {
        if (u > 0) {
          sets += ", ";
          excluded += ", ";
        }
        sets += fmt::format("{} = ${}", f.column, ++u);
        excluded += fmt::format("{0} = excluded.{0}", f.column);
      }
    });
    const auto table = Table<R>::name;
    t.insert = fmt::format("INSERT INTO {} ({}) VALUES ({}){}", table, insert_columns, insert_params,
                           generated ? " RETURNING id" : "");
    if (u > 0 && key == "id")
      t.update = fmt::format("UPDATE {} SET {} WHERE id = ${} RETURNING {}", table, sets, u + 1, t.columns);
    if (u > 0 && !generated)
      t.upsert = fmt::format("{} ON CONFLICT ({}) DO UPDATE SET {}", t.insert, key, excluded);
    t.by_id = fmt::format("SELECT {} FROM {} WHERE id = $1", t.columns, table);
    return t;
  }();
  return sql;
}

template <class R>
std::vector<Value> insert_params(const R& r) {
  std::vector<Value> out;
  for_each_field<R>([&](const auto& f) {
    using Codec = typename std::decay_t<decltype(f)>::codec;
    if (f.use != Use::generated_key) out.push_back(Codec::to_sql(r.*(f.member)));
  });
  return out;
}

template <class R>
std::vector<Value> update_params(const R& r) {
  std::vector<Value> out;
  for_each_field<R>([&](const auto& f) {
    using Codec = typename std::decay_t<decltype(f)>::codec;
    if (f.use == Use::updatable) out.push_back(Codec::to_sql(r.*(f.member)));
  });
  out.emplace_back(r.id);
  return out;
}

template <class R>
std::string id_text(const R& r) {
  if constexpr (std::is_same_v<decltype(r.id), std::string>) {
    return r.id;
  } else {
    return std::to_string(r.id);
  }
}

// ---- the audit table
// ---------------------------------------------------------------------------------------

constexpr const char* audit_columns =
    "seq, at, actor, action, entity, entity_id, before_sha256, after_sha256, prev_hash, hash";

AuditEntry read_audit(const Row& row) {
  AuditEntry e;
  e.seq = row.integer(0);
  // A changed time that no longer parses is tampering too: keep the entry, let the hash check report it.
  const std::string at_text = row.text(1);
  auto at = units::parse_date_time(at_text);
  e.at = at ? *at : DateTime{};
  e.actor = row.text(2);
  e.action = row.text(3);
  e.entity = row.text(4);
  e.entity_id = row.text(5);
  e.before_sha256 = row.text(6);
  e.after_sha256 = row.text(7);
  e.prev_hash = row.text(8);
  e.hash = row.text(9);
  if (!at) e.hash = "unparseable time " + at_text;
  return e;
}

// ---- the store
// -----------------------------------------------------------------------------------------------

class SqlStore final : public Store {
 public:
  explicit SqlStore(std::unique_ptr<Connection> connection) : conn_(std::move(connection)) {}

  Result<void> migrate(const std::vector<Migration>& all) {
    return guard([&]() -> Result<void> {
      // The usual open finds every migration recorded as built: that is read without the write lock, so
      // opening a database — to read it, or a server's new read connection — never waits for another
      // process's write transaction, nor fails behind one after the busy timeout.
      const bool up_to_date = all_recorded(all);
      for (std::size_t i = 0; i < all.size() && !up_to_date; ++i) {
        const std::int64_t version = static_cast<std::int64_t>(i) + 1;
        const auto& m = all[i];
        const std::string digest = sha256_hex(m.sql);
        // Each in its own transaction, checked once the transaction holds the lock: another process may have
        // applied it while we waited.
        struct Abandon {
          Connection& c;
          bool done = false;
          ~Abandon() {
            if (!done) c.rollback();
          }
        } abandon{*conn_};
        conn_->begin(TxKind::migration);
        conn_->script(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
            "sql_sha256 TEXT NOT NULL)");
        std::optional<std::string> recorded;
        run("SELECT sql_sha256 FROM schema_version WHERE version = $1", {Value(version)},
            [&](const Row& row) { recorded = row.text(0); });
        if (recorded) {
          if (*recorded != digest) {
            return fail(ErrorCode::database_error,
                        fmt::format("migration {} recorded in the database differs from the one built into "
                                    "this program; restore the migration file or use the matching build",
                                    m.name),
                        conn_->label());
          }
        } else {
          conn_->script(std::string(m.sql));
          run("INSERT INTO schema_version (version, name, sql_sha256) VALUES ($1, $2, $3)",
              {Value(version), Value(std::string(m.name)), Value(digest)}, nullptr);
        }
        conn_->commit();
        abandon.done = true;
      }
      std::int64_t newest = 0;
      run("SELECT COALESCE(MAX(version), 0) FROM schema_version", {},
          [&](const Row& row) { newest = row.integer(0); });
      if (newest > static_cast<std::int64_t>(all.size())) {
        return fail(ErrorCode::database_error,
                    fmt::format("the database is at schema version {}, newer than this program knows ({}); "
                                "use a newer build",
                                newest, all.size()),
                    conn_->label());
      }
      return {};
    });
  }

  /// Whether schema_version records every migration of `all` with its digest (false when it does not exist
  /// yet, or anything differs: the locked path then applies or reports it).
  bool all_recorded(const std::vector<Migration>& all) {
    std::vector<std::string> recorded;
    try {
      run("SELECT sql_sha256 FROM schema_version WHERE version BETWEEN 1 AND $1 ORDER BY version",
          {Value(static_cast<std::int64_t>(all.size()))},
          [&](const Row& row) { recorded.push_back(row.text(0)); });
    } catch (...) {
      return false;  // no schema_version yet: a new database
    }
    if (recorded.size() != all.size()) return false;
    for (std::size_t i = 0; i < all.size(); ++i) {
      if (recorded[i] != sha256_hex(all[i].sql)) return false;
    }
    return true;
  }

  // ---- transactions
  // ----------------------------------------------------------------------------------------

  Result<void> transaction(const std::function<Result<void>()>& body) override {
    if (depth_ > 0) return savepoint(body);
    try {
      conn_->begin(TxKind::write);
      ++depth_;
      struct Leave {
        SqlStore& s;
        ~Leave() {
          --s.depth_;
          s.head_.reset();  // committed or rolled back: the database holds the head now
          s.savepoints_.clear();
          s.conn_->rollback();  // after a commit, nothing is open: a no-op
        }
      } leave{*this};
      if (conn_->dialect().lock_head != nullptr) lock_head();
      auto r = body();
      if (!r) return r;
      if (head_ && !conn_->dialect().head_with_each_entry) store_head();  // the entries' head, with them
      conn_->commit();
      return {};
    } catch (...) {
      return std::unexpected(current_error());
    }
  }

  Result<void> read_snapshot(const std::function<Result<void>()>& body) override {
    if (depth_ > 0 || reading_) return body();
    try {
      conn_->begin(TxKind::read_snapshot);
      reading_ = true;
      struct Leave {
        SqlStore& s;
        ~Leave() {
          s.reading_ = false;
          s.conn_->rollback();
        }
      } leave{*this};
      auto r = body();
      conn_->commit();  // ends the read transaction; there is nothing to write
      return r;
    } catch (...) {
      return std::unexpected(current_error());
    }
  }

  /// A nested transaction is a savepoint: its writes join the outer transaction when it succeeds, and are
  /// undone alone — the outer transaction and the writes before it stay — when it fails (a failed statement
  /// included: PostgreSQL refuses every statement after an error until the savepoint is rolled back to). A
  /// group commit relies on this to keep one refused write from sinking the others in its batch.
  Result<void> savepoint(const std::function<Result<void>()>& body) {
    // Back-to-back nested transactions share one savepoint (savepoints.hpp): two statements fewer.
    const auto head_before = head_;
    const auto [name, shared] = savepoints_.push(depth_);
    if (!shared) {
      try {
        conn_->command("SAVEPOINT " + name);
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
        conn_->command("ROLLBACK TO SAVEPOINT " + name);
        head_ = head_before;
      }
      if (!shared) conn_->command("RELEASE SAVEPOINT " + name);
    } catch (...) {
      if (r) r = std::unexpected(current_error());
    }
    return r;
  }

  Result<SchemaInfo> schema() override {
    return guard([&]() -> Result<SchemaInfo> {
      SchemaInfo info;
      run("SELECT version, name FROM schema_version ORDER BY version", {}, [&](const Row& row) {
        info.version = static_cast<int>(row.integer(0));
        info.applied.push_back(row.text(1));
      });
      return info;
    });
  }

  // ---- users and clients
  // -----------------------------------------------------------------------------------

  Result<UserRecord> insert_user(const Actor& by, const UserRecord& u) override { return insert(by, u); }
  Result<std::vector<UserRecord>> users() override { return list<UserRecord>("ORDER BY name"); }

  Result<void> insert_client(const Actor& by, const ClientRecord& c) override {
    auto r = insert(by, c);
    if (!r) return std::unexpected(r.error());
    return {};
  }
  Result<std::optional<ClientRecord>> find_client(std::string_view id) override {
    return find<ClientRecord>(Value(std::string(id)));
  }
  Result<void> update_client(const Actor& by, const ClientRecord& c) override { return update(by, c); }
  Result<std::vector<ClientRecord>> search_clients(std::string_view needle) override {
    // The wildcards escaped, so the text is matched literally.
    std::string pattern = "%";
    for (char c : needle) {
      if (c == '%' || c == '_' || c == '\\') pattern += '\\';
      pattern += c;
    }
    pattern += '%';
    const auto like = conn_->dialect().ascii_like;
    return list<ClientRecord>(fmt::format("WHERE {} OR {} ORDER BY id", like("id", "$1"), like("name", "$1")),
                              {Value(pattern)});
  }

  // ---- intakes, consents, courses
  // --------------------------------------------------------------------------

  Result<IntakeRecord> insert_intake(const Actor& by, const IntakeRecord& r) override {
    return insert(by, r);
  }
  Result<std::vector<IntakeRecord>> intakes_of(std::string_view client_id) override {
    return list<IntakeRecord>("WHERE client_id = $1 ORDER BY id", {Value(std::string(client_id))});
  }
  Result<ConsentRecord> insert_consent(const Actor& by, const ConsentRecord& r) override {
    return insert(by, r);
  }
  Result<std::optional<ConsentRecord>> find_consent(Id id) override { return find<ConsentRecord>(Value(id)); }
  Result<void> update_consent(const Actor& by, const ConsentRecord& r) override { return update(by, r); }
  Result<std::vector<ConsentRecord>> consents_of(std::string_view client_id) override {
    return list<ConsentRecord>("WHERE client_id = $1 ORDER BY id", {Value(std::string(client_id))});
  }
  Result<CourseRecord> insert_course(const Actor& by, const CourseRecord& r) override {
    return insert(by, r);
  }
  Result<std::vector<CourseRecord>> courses_of(std::string_view client_id) override {
    return list<CourseRecord>("WHERE client_id = $1 ORDER BY id", {Value(std::string(client_id))});
  }

  // ---- appointments
  // ----------------------------------------------------------------------------------------

  Result<AppointmentRecord> insert_appointment(const Actor& by, const AppointmentRecord& r) override {
    return insert(by, r);
  }
  Result<std::optional<AppointmentRecord>> find_appointment(Id id) override {
    return find<AppointmentRecord>(Value(id));
  }
  Result<void> update_appointment(const Actor& by, const AppointmentRecord& r) override {
    return update(by, r);
  }
  Result<std::vector<AppointmentRecord>> appointments_of(std::string_view client_id) override {
    return list<AppointmentRecord>("WHERE client_id = $1 ORDER BY at, id", {Value(std::string(client_id))});
  }
  Result<std::vector<AppointmentRecord>> appointments_between(DateTime from, DateTime to) override {
    // Times are stored as fixed-width UTC text (TimeCodec), so text order is time order.
    return list<AppointmentRecord>("WHERE at >= $1 AND at < $2 ORDER BY at, id",
                                   {TimeCodec::to_sql(from), TimeCodec::to_sql(to)});
  }

  // ---- rollers
  // ---------------------------------------------------------------------------------------------

  Result<RollerRecord> insert_roller(const Actor& by, const RollerRecord& r) override {
    return insert(by, r);
  }
  Result<std::optional<RollerRecord>> find_roller(Id id) override { return find<RollerRecord>(Value(id)); }
  Result<void> update_roller(const Actor& by, const RollerRecord& r) override { return update(by, r); }
  Result<std::vector<RollerRecord>> rollers_in_lot(std::string_view lot) override {
    return list<RollerRecord>("WHERE lot = $1 ORDER BY id", {Value(std::string(lot))});
  }
  Result<std::vector<RollerRecord>> rollers() override { return list<RollerRecord>("ORDER BY id"); }
  Result<LotRecallRecord> insert_lot_recall(const Actor& by, const LotRecallRecord& r) override {
    return insert(by, r);
  }
  Result<std::optional<LotRecallRecord>> find_lot_recall(std::string_view lot) override {
    return first<LotRecallRecord>("WHERE lot = $1", {Value(std::string(lot))});
  }
  Result<std::vector<LotRecallRecord>> lot_recalls() override {
    return list<LotRecallRecord>("ORDER BY recalled_at, id");
  }

  // ---- home rollers and home sessions
  // ----------------------------------------------------------------------

  Result<HomeRollerRecord> insert_home_roller(const Actor& by, const HomeRollerRecord& r) override {
    return insert(by, r);
  }
  Result<std::optional<HomeRollerRecord>> find_home_roller(Id id) override {
    return find<HomeRollerRecord>(Value(id));
  }
  Result<void> update_home_roller(const Actor& by, const HomeRollerRecord& r) override {
    return update(by, r);
  }
  Result<std::vector<HomeRollerRecord>> home_rollers_of(std::string_view client_id) override {
    return list<HomeRollerRecord>("WHERE client_id = $1 ORDER BY id", {Value(std::string(client_id))});
  }
  Result<HomeSessionRecord> insert_home_session(const Actor& by, const HomeSessionRecord& r) override {
    return insert(by, r);
  }
  Result<std::vector<HomeSessionRecord>> home_sessions_of(std::string_view client_id) override {
    return list<HomeSessionRecord>("WHERE client_id = $1 ORDER BY performed_on, id",
                                   {Value(std::string(client_id))});
  }

  // ---- sessions, steps, follow-ups, escalations
  // ------------------------------------------------------------

  using Store::insert_session;
  Result<SessionRecord> insert_session(const Actor& by, const SessionRecord& s,
                                       const CanonicalText& text) override {
    return insert(by, s, &text);
  }
  Result<std::optional<SessionRecord>> find_session(Id id) override { return find<SessionRecord>(Value(id)); }
  Result<void> update_session(const Actor& by, const SessionRecord& r) override { return update(by, r); }
  Result<std::vector<SessionRecord>> sessions_of(std::string_view client_id) override {
    return list<SessionRecord>("WHERE client_id = $1 ORDER BY started_at, id",
                               {Value(std::string(client_id))});
  }
  Result<std::vector<SessionRecord>> sessions_with_roller(Id roller_id) override {
    return list<SessionRecord>("WHERE roller_id = $1 ORDER BY started_at, id", {Value(roller_id)});
  }
  Result<std::vector<SessionRecord>> finished_sessions_without_followup(
      std::chrono::seconds window) override {
    // A follow-up observed before the window opens (an early check) is kept, but does not count.
    // Formatted per call: the dialect is this connection's (a process may hold stores of both backends).
    const std::string rest = fmt::format(
        "s WHERE finished_at IS NOT NULL AND NOT EXISTS "
        "(SELECT 1 FROM followups f WHERE f.session_id = s.id AND f.observed_at >= {}) "
        "ORDER BY finished_at, id",
        conn_->dialect().time_plus_seconds("s.finished_at", "$1"));
    return list<SessionRecord>(rest, {Value(static_cast<std::int64_t>(window.count()))});
  }
  Result<StepRecord> insert_step(const Actor& by, const StepRecord& r) override { return insert(by, r); }
  Result<std::vector<StepRecord>> steps_of(Id session_id) override {
    return list<StepRecord>("WHERE session_id = $1 ORDER BY at, id", {Value(session_id)});
  }
  Result<SessionZoneRecord> insert_session_zone(const Actor& by, const SessionZoneRecord& z) override {
    return insert(by, z);
  }
  Result<void> update_session_zone(const Actor& by, const SessionZoneRecord& z) override {
    return update(by, z);
  }
  Result<std::vector<SessionZoneRecord>> zones_of(Id session_id) override {
    return list<SessionZoneRecord>("WHERE session_id = $1 ORDER BY id", {Value(session_id)});
  }
  Result<std::vector<SessionZoneRecord>> session_zones() override {
    return list<SessionZoneRecord>("ORDER BY session_id, id");
  }
  Result<FollowupRecord> insert_followup(const Actor& by, const FollowupRecord& r) override {
    return insert(by, r);
  }
  Result<std::vector<FollowupRecord>> followups_of(Id session_id) override {
    return list<FollowupRecord>("WHERE session_id = $1 ORDER BY observed_at, id", {Value(session_id)});
  }
  Result<std::vector<FollowupRecord>> followups_of_client(std::string_view client_id) override {
    static const std::string sql = fmt::format(
        "SELECT {} FROM followups f JOIN sessions s ON s.id = f.session_id WHERE s.client_id = $1 "
        "ORDER BY s.started_at, s.id, f.observed_at, f.id",
        sql_of<FollowupRecord>().columns_of("f"));
    return rows<FollowupRecord>(sql, {Value(std::string(client_id))});
  }
  Result<EscalationRecord> insert_escalation(const Actor& by, const EscalationRecord& r) override {
    return insert(by, r);
  }
  Result<std::optional<EscalationRecord>> find_escalation(Id id) override {
    return find<EscalationRecord>(Value(id));
  }
  Result<void> update_escalation(const Actor& by, const EscalationRecord& r) override {
    return update(by, r);
  }
  Result<std::vector<EscalationRecord>> open_escalations() override {
    return list<EscalationRecord>("WHERE closed_at IS NULL ORDER BY opened_at, id");
  }
  Result<std::vector<EscalationRecord>> escalations() override {
    return list<EscalationRecord>("ORDER BY opened_at, id");
  }
  Result<std::vector<EscalationRecord>> escalations_of(std::string_view client_id) override {
    return list<EscalationRecord>("WHERE client_id = $1 ORDER BY opened_at, id",
                                  {Value(std::string(client_id))});
  }

  // ---- outbox and photos
  // -----------------------------------------------------------------------------------

  Result<OutboxMessage> insert_message(const Actor& by, const OutboxMessage& m) override {
    return insert(by, m);
  }
  Result<MessageQueued> insert_message_once(const Actor& by, const OutboxMessage& m) override {
    return write<MessageQueued>([&]() -> Result<MessageQueued> {
      if (!m.dedupe_key.empty()) {
        NW_TRY(found, first<OutboxMessage>("WHERE dedupe_key = $1", {Value(m.dedupe_key)}));
        if (found) return MessageQueued{std::move(*found), false};
      }
      NW_TRY(saved, insert(by, m));
      return MessageQueued{std::move(saved), true};
    });
  }
  Result<std::optional<OutboxMessage>> find_message(Id id) override { return find<OutboxMessage>(Value(id)); }
  Result<void> update_message(const Actor& by, const OutboxMessage& m) override { return update(by, m); }
  Result<std::vector<OutboxMessage>> messages(bool all) override {
    return list<OutboxMessage>(all ? "ORDER BY created_at, id"
                                   : "WHERE sent_at IS NULL ORDER BY created_at, id");
  }
  Result<std::vector<OutboxMessage>> messages_in(MessageState state) override {
    return list<OutboxMessage>("WHERE state = $1 ORDER BY created_at, id",
                               {Value(std::string(enum_to_string(state)))});
  }
  Result<std::vector<OutboxMessage>> due_messages(DateTime now, std::int64_t limit) override {
    // Times are fixed-width UTC text (TimeCodec), so text order is time order.
    return list<OutboxMessage>(
        "WHERE state = 'queued' AND recipient <> '' AND (next_attempt_at IS NULL OR next_attempt_at <= $1) "
        "ORDER BY created_at, id LIMIT $2",
        {TimeCodec::to_sql(now), Value(limit)});
  }
  Result<PhotoRecord> insert_photo(const Actor& by, const PhotoRecord& p) override { return insert(by, p); }
  Result<std::vector<PhotoRecord>> photos_of(std::string_view client_id) override {
    return list<PhotoRecord>("WHERE client_id = $1 ORDER BY taken_at, id", {Value(std::string(client_id))});
  }

  // ---- audit
  // -----------------------------------------------------------------------------------------------

  Result<std::vector<AuditEntry>> audit_log() override {
    return guard([&]() -> Result<std::vector<AuditEntry>> { return read_audit_log(); });
  }

  using Store::audit_entries;
  Result<std::vector<AuditEntry>> audit_entries(std::int64_t after_seq, std::int64_t limit,
                                                const AuditFilter& filter) override {
    return guard([&]() -> Result<std::vector<AuditEntry>> {
      // One condition per filter given, each an equality or a range on an indexed column (0010's indexes
      // lead with it and end with seq, so a page is an index range read in seq order).
      std::vector<Value> params{Value(after_seq), Value(limit)};
      std::string where = "seq > $1";
      const auto add = [&](std::string_view condition, Value v) {
        params.push_back(std::move(v));
        where += fmt::format(" AND {} ${}", condition, params.size());
      };
      if (!filter.actor.empty()) add("actor =", Value(filter.actor));
      if (!filter.table.empty()) add("entity =", Value(filter.table));
      if (!filter.action.empty()) add("action =", Value(filter.action));
      if (!filter.record.empty()) add("entity_id =", Value(filter.record));
      // Times are fixed-width UTC text (as written by `audit`), so text order is time order.
      if (filter.from) add("at >=", TimeCodec::to_sql(*filter.from));
      if (filter.to) add("at <", TimeCodec::to_sql(*filter.to));
      std::vector<AuditEntry> out;
      run(fmt::format("SELECT {} FROM audit WHERE {} ORDER BY seq LIMIT $2", audit_columns, where), params,
          [&](const Row& row) { out.push_back(read_audit(row)); });
      return out;
    });
  }

  Result<AuditCheck> verify_audit() override {
    // The log, the head and the records from one snapshot, so a write committed by another connection between
    // the reads cannot look like a removed, added or changed entry or record. Inside a write transaction the
    // head is the one it moved (SQLite stores it only at the commit). One pass: the log is streamed through
    // the chain check, keeping only each record's last committed digest; then each table is streamed once.
    std::optional<AuditCheck> check;
    auto r = read_snapshot([&]() -> Result<void> {
      return guard([&]() -> Result<void> {
        NW_CHECK(check_integrity());
        ChainVerifier chain;
        std::unordered_map<std::string, std::string> committed;  // entity \x1f entity_id → after_sha256
        run(fmt::format("SELECT {} FROM audit ORDER BY seq", audit_columns), {}, [&](const Row& row) {
          AuditEntry e = read_audit(row);
          chain.add(e);
          committed[record_key(e.entity, e.entity_id)] = std::move(e.after_sha256);
        });
        std::optional<Head> head = depth_ > 0 ? head_ : std::nullopt;
        if (!head) {
          run("SELECT seq, hash FROM audit_head WHERE id = 1", {}, [&](const Row& row) {
            head = Head{row.integer(0), row.text(1)};
          });
        }
        check = chain.finish(head);
        check_records(committed, *check);
        return {};
      });
    });
    if (!r) return std::unexpected(r.error());
    return std::move(*check);
  }

  /// The backend's check of the database's structure (Dialect::integrity_check): a damaged file is a
  /// `database_error` listing what the check found (the first few problems), never repaired here.
  Result<void> check_integrity() {
    const char* sql = conn_->dialect().integrity_check;
    if (sql == nullptr) return {};
    std::vector<std::string> problems;
    std::size_t count = 0;
    run(sql, {}, [&](const Row& row) {
      std::string line = row.text(0);
      if (line == "ok") return;
      if (++count <= 3) problems.push_back(std::move(line));
    });
    if (count == 0) return {};
    return fail(ErrorCode::database_error,
                fmt::format("the database file is damaged ({} problem{} found by its integrity check: {}{}); "
                            "nothing was changed: keep it as it is and restore the last backup (needlework "
                            "restore, docs/store.md)",
                            count, count == 1 ? "" : "s", fmt::join(problems, "; "), count > 3 ? "; …" : ""),
                conn_->label());
  }

  // ---- staff logins
  // ----------------------------------------------------------------------------------------
  // Credentials and API keys are changed by a person: each write is audited on the user it belongs to, with
  // the user record's digest before and after (it does not change, so `verify_audit` stays green and the log
  // never holds anything derived from a secret). Sessions and failed-login counters are routine: one
  // statement each, not audited, and not in a write transaction of their own (on PostgreSQL that would take
  // the audit head's lock on every request).

  Result<std::optional<UserRecord>> find_user(Id id) override { return find<UserRecord>(Value(id)); }
  Result<std::optional<UserRecord>> find_user_by_name(std::string_view name) override {
    return first<UserRecord>("WHERE name = $1", {Value(std::string(name))});
  }
  Result<void> update_user(const Actor& by, const UserRecord& user) override { return update(by, user); }

  Result<void> put_credential(const Actor& by, const Credential& c) override {
    return write<void>([&]() -> Result<void> {
      NW_TRY(digest, user_digest(c.user_id));
      run(sql_of<Credential>().upsert, insert_params(c), nullptr);
      audit(by, "set_credential", Table<UserRecord>::name, std::to_string(c.user_id), digest, digest);
      return {};
    });
  }
  Result<std::optional<Credential>> find_credential(Id user_id) override {
    return first<Credential>("WHERE user_id = $1", {Value(user_id)});
  }

  Result<void> insert_auth_session(const AuthSession& session) override {
    return guard([&]() -> Result<void> {
      NW_CHECK(user_exists(session.user_id));
      return insert_token_row(session, "session");
    });
  }
  Result<std::optional<AuthSession>> find_auth_session(std::string_view token_hash) override {
    return first<AuthSession>("WHERE token_hash = $1", {Value(std::string(token_hash))});
  }
  Result<void> touch_auth_session(std::string_view token_hash, DateTime at) override {
    return guard([&]() -> Result<void> { return touch_session_row("auth_sessions", token_hash, at); });
  }
  Result<void> end_auth_session(std::string_view token_hash, DateTime at) override {
    return guard([&]() -> Result<void> { return end_session_row("auth_sessions", token_hash, at); });
  }
  Result<std::int64_t> end_auth_sessions_of(Id user_id, DateTime at, std::string_view keep_hash) override {
    return guard([&]() -> Result<std::int64_t> {
      std::int64_t ended = 0;
      run("UPDATE auth_sessions SET ended_at = $2 WHERE user_id = $1 AND ended_at IS NULL AND token_hash <> "
          "$3 "
          "RETURNING token_hash",
          {Value(user_id), TimeCodec::to_sql(at), Value(std::string(keep_hash))},
          [&](const Row&) { ++ended; });
      return ended;
    });
  }

  Result<ApiKey> insert_api_key(const Actor& by, const ApiKey& key) override {
    return write<ApiKey>([&]() -> Result<ApiKey> {
      NW_TRY(digest, user_digest(key.user_id));
      ApiKey k = key;
      run(sql_of<ApiKey>().insert, insert_params(k), [&](const Row& row) { k.id = row.integer(0); });
      audit(by, "insert_api_key", Table<UserRecord>::name, std::to_string(k.user_id), digest, digest);
      return k;
    });
  }
  Result<std::optional<ApiKey>> find_api_key(std::string_view key_hash) override {
    return first<ApiKey>("WHERE key_hash = $1", {Value(std::string(key_hash))});
  }
  Result<std::vector<ApiKey>> api_keys() override { return list<ApiKey>("ORDER BY id"); }
  Result<ApiKey> revoke_api_key(const Actor& by, Id key_id) override {
    return write<ApiKey>([&]() -> Result<ApiKey> {
      std::optional<ApiKey> key;
      run(sql_of<ApiKey>().by_id, {Value(key_id)}, [&](const Row& row) { key = read_record<ApiKey>(row); });
      if (!key) return fail(ErrorCode::not_found, fmt::format("no API key {}", key_id), "key_id");
      if (key->revoked_at) return *key;  // revoked already: it keeps the time it was revoked at
      NW_TRY(digest, user_digest(key->user_id));
      key->revoked_at = by.at;
      run("UPDATE api_keys SET revoked_at = $2 WHERE id = $1", {Value(key_id), TimeCodec::to_sql(by.at)},
          nullptr);
      audit(by, "revoke_api_key", Table<UserRecord>::name, std::to_string(key->user_id), digest, digest);
      return *key;
    });
  }

  Result<LoginThrottle> count_login_failure(std::string_view key, DateTime at,
                                            std::chrono::seconds window) override {
    // One statement, so two instances counting for the same key at once both count: a window that began
    // at or before `at - window` starts again at 1.
    return guard([&]() -> Result<LoginThrottle> {
      static const std::string sql = fmt::format(
          "INSERT INTO login_throttle (key, window_start, failures) VALUES ($1, $2, 1) "
          "ON CONFLICT (key) DO UPDATE SET "
          "window_start = CASE WHEN login_throttle.window_start <= $3 THEN excluded.window_start "
          "ELSE login_throttle.window_start END, "
          "failures = CASE WHEN login_throttle.window_start <= $3 THEN 1 ELSE login_throttle.failures + 1 "
          "END "
          "RETURNING {}",
          sql_of<LoginThrottle>().columns);
      std::optional<LoginThrottle> out;
      run(sql, {Value(std::string(key)), TimeCodec::to_sql(at), TimeCodec::to_sql(at - window)},
          [&](const Row& row) { out = read_record<LoginThrottle>(row); });
      if (!out) return fail(ErrorCode::database_error, "counting a failed login returned no row", "key");
      return std::move(*out);
    });
  }
  Result<std::optional<LoginThrottle>> find_login_throttle(std::string_view key) override {
    return first<LoginThrottle>("WHERE key = $1", {Value(std::string(key))});
  }
  Result<void> clear_login_throttle(std::string_view key) override {
    return guard([&]() -> Result<void> {
      run("DELETE FROM login_throttle WHERE key = $1", {Value(std::string(key))}, nullptr);
      return {};
    });
  }

  // ---- consent to messages
  Result<MessageConsentRecord> insert_message_consent(const Actor& by,
                                                      const MessageConsentRecord& c) override {
    return insert(by, c);
  }
  Result<std::vector<MessageConsentRecord>> message_consents_of(std::string_view client_id) override {
    return list<MessageConsentRecord>("WHERE client_id = $1 ORDER BY recorded_at, id",
                                      {Value(std::string(client_id))});
  }
  Result<std::optional<std::string>> unsubscribe_token(std::string_view client_id) override {
    return guard([&]() -> Result<std::optional<std::string>> {
      std::optional<std::string> token;
      run("SELECT token FROM unsubscribe_tokens WHERE client_id = $1", {Value(std::string(client_id))},
          [&](const Row& row) { token = row.text(0); });
      return token;
    });
  }
  Result<std::string> keep_unsubscribe_token(std::string_view client_id, std::string_view token,
                                             DateTime at) override {
    return write<std::string>([&]() -> Result<std::string> {
      // Two messages queued at once for a client keep one token: the second insert does nothing and both
      // read the one kept.
      run("INSERT INTO unsubscribe_tokens (client_id, token, created_at) VALUES ($1, $2, $3) "
          "ON CONFLICT (client_id) DO NOTHING",
          {Value(std::string(client_id)), Value(std::string(token)), TimeCodec::to_sql(at)}, nullptr);
      std::string kept;
      run("SELECT token FROM unsubscribe_tokens WHERE client_id = $1", {Value(std::string(client_id))},
          [&](const Row& row) { kept = row.text(0); });
      return kept;
    });
  }
  Result<std::optional<std::string>> client_of_unsubscribe_token(std::string_view token) override {
    return guard([&]() -> Result<std::optional<std::string>> {
      std::optional<std::string> client;
      run("SELECT client_id FROM unsubscribe_tokens WHERE token = $1", {Value(std::string(token))},
          [&](const Row& row) { client = row.text(0); });
      return client;
    });
  }
  // ---- the client portal
  // ------------------------------------------------------------------------------------------------------
  // A link issued and a sign-in are audited on the client (the client record's digest before and after: it
  // does not change, so `verify_audit` stays green); sessions and feeds are routine, one statement each.

  Result<void> insert_portal_link(const Actor& by, const PortalLink& link) override {
    return write<void>([&]() -> Result<void> {
      NW_TRY(digest, client_digest(link.client_id));
      NW_CHECK(insert_token_row(link, "link"));
      audit(by, "issue_portal_link", Table<ClientRecord>::name, link.client_id, digest, digest);
      return {};
    });
  }
  Result<std::optional<PortalLink>> use_portal_link(const Actor& by, std::string_view token_hash) override {
    return write<std::optional<PortalLink>>([&]() -> Result<std::optional<PortalLink>> {
      // The check and the mark in one statement: of two uses at once, only one finds it unused. Times are
      // fixed-width UTC text, so text order is time order.
      static const std::string sql = fmt::format(
          "UPDATE portal_links SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > "
          "$2 "
          "RETURNING {}",
          sql_of<PortalLink>().columns);
      std::optional<PortalLink> link;
      run(sql, {Value(std::string(token_hash)), TimeCodec::to_sql(by.at)},
          [&](const Row& row) { link = read_record<PortalLink>(row); });
      if (!link) return link;
      NW_TRY(digest, client_digest(link->client_id));
      audit(by, "portal_sign_in", Table<ClientRecord>::name, link->client_id, digest, digest);
      return link;
    });
  }
  Result<std::optional<PortalLink>> find_portal_link(std::string_view token_hash) override {
    return first<PortalLink>("WHERE token_hash = $1", {Value(std::string(token_hash))});
  }
  Result<std::vector<ClientRecord>> clients_with_email(std::string_view email) override {
    // lower() folds ASCII alike on both backends (with COLLATE "C" on PostgreSQL): the address's case is
    // the sender's habit, not part of who the client is.
    return list<ClientRecord>("WHERE lower(email) = lower($1) ORDER BY id", {Value(std::string(email))});
  }
  Result<void> insert_client_session(const ClientSession& session) override {
    return guard([&]() -> Result<void> {
      NW_CHECK(client_digest(session.client_id));
      return insert_token_row(session, "session");
    });
  }
  Result<std::optional<ClientSession>> find_client_session(std::string_view token_hash) override {
    return first<ClientSession>("WHERE token_hash = $1", {Value(std::string(token_hash))});
  }
  Result<void> touch_client_session(std::string_view token_hash, DateTime at) override {
    return guard([&]() -> Result<void> { return touch_session_row("client_sessions", token_hash, at); });
  }
  Result<void> end_client_session(std::string_view token_hash, DateTime at) override {
    return guard([&]() -> Result<void> { return end_session_row("client_sessions", token_hash, at); });
  }
  Result<PortalAccessEnded> end_portal_access(const Actor& by, std::string_view client_id) override {
    return write<PortalAccessEnded>([&]() -> Result<PortalAccessEnded> {
      NW_TRY(digest, client_digest(client_id));
      PortalAccessEnded out{std::string(client_id)};
      const std::vector<Value> params{Value(std::string(client_id)), TimeCodec::to_sql(by.at)};
      run("UPDATE client_sessions SET ended_at = $2 WHERE client_id = $1 AND ended_at IS NULL RETURNING "
          "token_hash",
          params, [&](const Row&) { ++out.sessions_ended; });
      out.feeds_revoked = revoke_feeds(client_id, by.at);
      audit(by, "end_portal_access", Table<ClientRecord>::name, std::string(client_id), digest, digest);
      return out;
    });
  }
  Result<void> insert_calendar_feed(const CalendarFeed& feed) override {
    return guard([&]() -> Result<void> {
      NW_CHECK(client_digest(feed.client_id));
      revoke_feeds(feed.client_id, feed.created_at);
      return insert_token_row(feed, "feed");
    });
  }
  Result<std::optional<CalendarFeed>> find_calendar_feed(std::string_view token_hash) override {
    return first<CalendarFeed>("WHERE token_hash = $1", {Value(std::string(token_hash))});
  }

  Result<void> backup_to(const std::filesystem::path& target,
                         const std::function<void(double)>& step) override {
    return conn_->backup_to(target, step);
  }

 private:
  /// The exception being handled as an Error: a value that does not parse is `database_error`, the rest as
  /// the backend maps them.
  [[nodiscard]] Error current_error() const {
    try {
      throw;
    } catch (const CorruptValue& e) {
      return Error{ErrorCode::database_error,
                   fmt::format("the database holds an invalid value: {}", e.what()), conn_->label()};
    } catch (...) {
      return conn_->current_error();
    }
  }

  /// Runs `f` (reads, or anything) converting exceptions to errors.
  template <class F>
  auto guard(F&& f) -> decltype(f()) {
    try {
      return f();
    } catch (...) {
      return std::unexpected(current_error());
    }
  }

  /// Runs one statement, counted for the savepoints (savepoints.hpp).
  void run(const std::string& sql, std::span<const Value> params,
           const std::function<void(const Row&)>& each) {
    savepoints_.statement();
    conn_->query(
        sql, params, each ? each : [](const Row&) {});
  }
  void run(const std::string& sql, std::initializer_list<Value> params,
           const std::function<void(const Row&)>& each) {
    run(sql, std::span<const Value>(params.begin(), params.size()), each);
  }

  template <class R>
  Result<std::vector<R>> rows(const std::string& sql, std::initializer_list<Value> params = {}) {
    return guard([&]() -> Result<std::vector<R>> {
      std::vector<R> out;
      run(sql, params, [&](const Row& row) { out.push_back(read_record<R>(row)); });
      return out;
    });
  }

  /// The records of R's table that `rest` (WHERE … ORDER BY …) selects.
  template <class R>
  Result<std::vector<R>> list(std::string_view rest, std::initializer_list<Value> params = {}) {
    return rows<R>(sql_of<R>().select(rest), params);
  }

  /// The first record of R's table that `rest` (WHERE …) selects, if any.
  template <class R>
  Result<std::optional<R>> first(std::string_view rest, std::initializer_list<Value> params) {
    NW_TRY(found, list<R>(rest, params));
    if (found.empty()) return std::optional<R>();
    return std::optional<R>(std::move(found.front()));
  }

  /// `not_found` naming `user_id` unless the user exists.
  Result<void> user_exists(Id user_id) {
    bool found = false;
    run("SELECT 1 FROM users WHERE id = $1", {Value(user_id)}, [&](const Row&) { found = true; });
    if (!found) return fail(ErrorCode::not_found, fmt::format("no user {}", user_id), "user_id");
    return {};
  }

  /// The digest of a user's record as it is (the before and after of an audit entry that changes something
  /// of the user's that is not in the record); `not_found` naming `user_id` for an unknown user.
  Result<std::string> user_digest(Id user_id) {
    std::optional<UserRecord> user;
    run(sql_of<UserRecord>().by_id, {Value(user_id)},
        [&](const Row& row) { user = read_record<UserRecord>(row); });
    if (!user) return fail(ErrorCode::not_found, fmt::format("no user {}", user_id), "user_id");
    return sha256_hex(canonical(to_json(*user)));
  }

  /// Inserts a row keyed by a token's hash (a staff or client session, a sign-in link, a calendar feed).
  /// ON CONFLICT DO NOTHING rather than a refused constraint: PostgreSQL would abort an enclosing transaction
  /// on the error; this way a reused hash is only a value the caller sees (`invalid_value` naming the hash).
  template <class R>
  Result<void> insert_token_row(const R& row, std::string_view what) {
    static const std::string sql =
        sql_of<R>().insert + " ON CONFLICT (token_hash) DO NOTHING RETURNING token_hash";
    bool inserted = false;
    run(sql, insert_params(row), [&](const Row&) { inserted = true; });
    if (!inserted) {
      return fail(ErrorCode::invalid_value,
                  fmt::format("a {} with this token hash already exists; make a new token", what),
                  "token_hash");
    }
    return {};
  }
  /// A login's session moved forward to `at`, never back (times are fixed-width UTC text, so text order is
  /// time order): two requests that race cannot move it back; a session already ended stays as it ended.
  Result<void> touch_session_row(std::string_view table, std::string_view token_hash, DateTime at) {
    run(fmt::format(
            "UPDATE {} SET last_seen_at = $2 WHERE token_hash = $1 AND last_seen_at < $2 AND ended_at "
            "IS NULL",
            table),
        {Value(std::string(token_hash)), TimeCodec::to_sql(at)}, nullptr);
    return {};
  }
  /// Revokes the client's calendar feeds not revoked yet at `at`; how many.
  std::int64_t revoke_feeds(std::string_view client_id, DateTime at) {
    std::int64_t n = 0;
    run("UPDATE calendar_feeds SET revoked_at = $2 WHERE client_id = $1 AND revoked_at IS NULL RETURNING "
        "token_hash",
        {Value(std::string(client_id)), TimeCodec::to_sql(at)}, [&](const Row&) { ++n; });
    return n;
  }
  /// A login's session ended at `at` (ending an ended one changes nothing).
  Result<void> end_session_row(std::string_view table, std::string_view token_hash, DateTime at) {
    run(fmt::format("UPDATE {} SET ended_at = $2 WHERE token_hash = $1 AND ended_at IS NULL", table),
        {Value(std::string(token_hash)), TimeCodec::to_sql(at)}, nullptr);
    return {};
  }

  /// The digest of a client's record as it is (the before and after of a portal audit entry); `not_found`
  /// naming `client_id` for an unknown client.
  Result<std::string> client_digest(std::string_view client_id) {
    std::optional<ClientRecord> client;
    run(sql_of<ClientRecord>().by_id, {Value(std::string(client_id))},
        [&](const Row& row) { client = read_record<ClientRecord>(row); });
    if (!client) return fail(ErrorCode::not_found, fmt::format("no client {}", client_id), "client_id");
    return sha256_hex(canonical(to_json(*client)));
  }

  template <class R>
  Result<std::optional<R>> find(Value id) {
    return guard([&]() -> Result<std::optional<R>> {
      std::optional<R> out;
      run(sql_of<R>().by_id, {std::move(id)}, [&](const Row& row) { out = read_record<R>(row); });
      return out;
    });
  }

  template <class T, class F>
  Result<T> write(F&& fn) {
    return transaction_returning<T>(std::forward<F>(fn));
  }

  /// Inserts a record and audits it with the digest of its JSON (made beforehand into `text`, or here).
  template <class R>
  Result<R> insert(const Actor& by, const R& record, const CanonicalText* text = nullptr) {
    return write<R>([&]() -> Result<R> {
      R r = record;
      const auto params = insert_params(r);
      run(sql_of<R>().insert, params, [&](const Row& row) {
        if constexpr (std::is_same_v<decltype(r.id), Id>) r.id = row.integer(0);
      });
      std::string after;
      if constexpr (std::is_same_v<decltype(r.id), Id>) {
        if (text != nullptr) after = sha256_hex(text->with_id(r.id));
      }
      if (after.empty()) after = sha256_hex(canonical(to_json(r)));
      audit(by, "insert", Table<R>::name, id_text(r), {}, std::move(after));
      return r;
    });
  }

  /// Updates a record's updatable columns and audits it with its JSON before and after.
  template <class R>
  Result<void> update(const Actor& by, const R& r) {
    return write<void>([&]() -> Result<void> {
      const auto& sql = sql_of<R>();
      std::optional<R> before, after;
      run(sql.by_id, {Value(r.id)}, [&](const Row& row) { before = read_record<R>(row); });
      if (!before) return fail(ErrorCode::not_found, fmt::format("no record {} in {}", r.id, Table<R>::name));
      const auto params = update_params(r);
      run(sql.update, params, [&](const Row& row) { after = read_record<R>(row); });
      if (!after) return fail(ErrorCode::not_found, fmt::format("no record {} in {}", r.id, Table<R>::name));
      audit(by, "update", Table<R>::name, id_text(r), sha256_hex(canonical(to_json(*before))),
            sha256_hex(canonical(to_json(*after))));
      return {};
    });
  }

  static std::string record_key(std::string_view table, std::string_view id) {
    std::string key(table);
    key += '\x1f';
    key += id;
    return key;
  }

  /// Every record of every table against the digest its last audit entry committed to (`committed`, which
  /// loses each record found): a row whose digest differs (in its current form and in the forms of earlier
  /// schema versions), a row no entry names, and an entry whose record has no row are each a problem.
  void check_records(std::unordered_map<std::string, std::string>& committed, AuditCheck& check) {
    std::vector<RecordProblem> problems;
    for_each_record_type([&](const auto& type) {
      using R = std::decay_t<decltype(type)>;
      const std::string table(Table<R>::name);
      run(sql_of<R>().select(""), {}, [&](const Row& row) {
        ++check.records;
        RecordProblem p{table, row.text(0), "", "", "", ""};
        std::optional<R> r;
        try {
          r = read_record<R>(row);
          p.id = id_text(*r);
          p.actual_sha256 = sha256_hex(canonical(to_json(*r)));
        } catch (const CorruptValue& e) {
          p.kind = "unreadable";
          p.detail = e.what();
        }
        const auto it = committed.find(record_key(table, p.id));
        const bool audited = it != committed.end();
        if (audited) {
          p.expected_sha256 = std::move(it->second);
          committed.erase(it);
        }
        if (!r) {
          // reported as unreadable
        } else if (!audited) {
          p.kind = "unaudited";
          p.detail = "no audit entry names this record: it was written outside Needlework";
        } else if (p.expected_sha256 != p.actual_sha256) {
          // Audited before a column was added? Its form of then, only where the digests differ.
          const auto forms = earlier_forms(*r);
          if (std::none_of(forms.begin(), forms.end(),
                           [&](const std::string& f) { return sha256_hex(f) == p.expected_sha256; })) {
            p.kind = "changed";
            p.detail = "its content differs from what its last audit entry committed to";
          }
        }
        if (!p.kind.empty()) problems.push_back(std::move(p));
      });
    });
    // What is left was audited but has no row now: removed outside Needlework.
    std::vector<RecordProblem> removed;
    for (auto& [key, digest] : committed) {
      const auto cut = key.find('\x1f');
      removed.push_back(RecordProblem{key.substr(0, cut), key.substr(cut + 1), "removed", std::move(digest),
                                      "", "its last audit entry says it exists; there is no such row"});
    }
    std::sort(removed.begin(), removed.end(),
              [](const auto& a, const auto& b) { return std::tie(a.table, a.id) < std::tie(b.table, b.id); });
    problems.insert(problems.end(), std::make_move_iterator(removed.begin()),
                    std::make_move_iterator(removed.end()));
    if (problems.empty()) return;
    check.record_problems = std::move(problems);
    const auto& first = check.record_problems.front();
    const std::string summary =
        fmt::format("{} record(s) do not match the audit log, first {} {} ({}): {}",
                    check.record_problems.size(), first.table, first.id, first.kind, first.detail);
    check.problem = check.ok ? summary : check.problem + "; and " + summary;
    check.ok = false;
  }

  std::vector<AuditEntry> read_audit_log() {
    std::vector<AuditEntry> out;
    run(fmt::format("SELECT {} FROM audit ORDER BY seq", audit_columns), {},
        [&](const Row& row) { out.push_back(read_audit(row)); });
    return out;
  }

  /// Locks the audit head row for the rest of the write transaction and reads the chain's head (PostgreSQL).
  /// A head row removed by hand cannot be locked: then the table is, which serialises writers the same way.
  void lock_head() {
    std::optional<Head> head;
    run(conn_->dialect().lock_head, {}, [&](const Row& row) { head = Head{row.integer(0), row.text(1)}; });
    if (!head) {
      run(conn_->dialect().lock_missing_head, {}, nullptr);
      head = Head{0, std::string(64, '0')};
    }
    head_ = std::move(head);
  }

  /// Appends the audit entry of one write (empty `before_sha256` for an insert); runs inside the write's
  /// transaction.
  void audit(const Actor& by, std::string_view action, std::string_view entity, const std::string& entity_id,
             std::string before_sha256, std::string after_sha256) {
    if (!head_) {
      // The first entry of this write transaction (SQLite): BEGIN IMMEDIATE holds the write lock, so the head
      // read here stays the head until the transaction ends; later entries follow the one kept in memory.
      head_.emplace(0, std::string(64, '0'));
      run("SELECT seq, hash FROM audit_head WHERE id = 1", {}, [&](const Row& row) {
        *head_ = {row.integer(0), row.text(1)};
      });
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
    const std::array<Value, 10> params{Value(e.seq),           Value(units::format_date_time(e.at)),
                                       Value(e.actor),         Value(e.action),
                                       Value(e.entity),        Value(e.entity_id),
                                       Value(e.before_sha256), Value(e.after_sha256),
                                       Value(e.prev_hash),     Value(e.hash)};
    if (conn_->dialect().head_with_each_entry) {
      // One statement: the entry and the head move together.
      static const std::string sql = fmt::format(
          "WITH entry AS (INSERT INTO audit ({}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)) "
          "INSERT INTO audit_head (id, seq, hash) VALUES (1, $1, $10) "
          "ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
          audit_columns);
      run(sql, params, nullptr);
    } else {
      static const std::string sql = fmt::format(
          "INSERT INTO audit ({}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)", audit_columns);
      run(sql, params, nullptr);
    }
    *head_ = {e.seq, std::move(e.hash)};
  }

  /// Records the head the open write transaction moved the chain to: once, just before it commits (the
  /// entries and the head commit together, so a removed newest entry is still caught).
  void store_head() {
    run("INSERT INTO audit_head (id, seq, hash) VALUES (1, $1, $2) "
        "ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
        {Value(head_->first), Value(head_->second)}, nullptr);
  }

  std::unique_ptr<Connection> conn_;
  int depth_ = 0;              ///< transaction nesting: 1 in a transaction, more in savepoints
  bool reading_ = false;       ///< inside read_snapshot
  SavepointStack savepoints_;  ///< counts the statements run on this connection
  /// The audit chain's head as the open write transaction moved it (read when it began or at its first entry,
  /// restored when a savepoint rolls back, forgotten when the transaction ends).
  std::optional<Head> head_;
};

}  // namespace

Result<std::unique_ptr<Store>> open_sql_store(std::unique_ptr<Connection> connection,
                                              const std::vector<Migration>& migrations) {
  auto store = std::make_unique<SqlStore>(std::move(connection));
  NW_CHECK(store->migrate(migrations));
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace needlework::store::sql
