#pragma once
/// The repository: a backend-neutral interface to the clinic records (records.hpp). It stores and finds
/// records and appends one audit entry per write in the same transaction; it enforces no clinical rule —
/// that is `ClinicStore` (clinic_store.hpp), which works only through this interface, the same over SQLite
/// and PostgreSQL (both one implementation, src/store/sql/, over a connection per backend). Every failure is
/// a `Result` error: a missing record is `not_found`, an unreachable or busy database `io_error`, a corrupt
/// or newer one `database_error`, as documented on each function.

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "needlework/store/auth.hpp"
#include "needlework/store/records.hpp"
#include "needlework/units/error.hpp"

namespace needlework::store {

/// A record whose stored content the audit log does not vouch for: changed, written or removed outside the
/// store (by raw SQL, or in a backup file).
struct RecordProblem {
  std::string table;  ///< "clients", "intakes", …
  std::string id;     ///< the record's id as its audit entries name it
  /// `changed` (its digest differs from the one its last audit entry committed to), `unaudited` (no audit
  /// entry names it), `removed` (its last audit entry says it exists; there is no row), `unreadable` (a
  /// column holds a value that does not parse).
  std::string kind;
  std::string expected_sha256;  ///< after_sha256 of its last audit entry ("" when there is none)
  std::string actual_sha256;    ///< SHA-256 of its canonical JSON now ("" when removed or unreadable)
  std::string detail;           ///< for a person
};

/// The outcome of checking the audit log: its chain, and every record against it.
struct AuditCheck {
  bool ok = true;                  ///< the chain verifies and every record is as its audit entry says
  std::int64_t entries = 0;        ///< entries read
  std::int64_t first_bad_seq = 0;  ///< the first entry that does not verify (0 when the chain verifies)
  std::string problem;             ///< what is wrong, for a person ("" when ok)
  std::int64_t records = 0;        ///< records checked against the log (0 for `verify_chain` alone)
  std::vector<RecordProblem> record_problems;  ///< every record that does not match, by table then id
};

/// Recomputes the chain one entry at a time, in seq order, so a log of any length is checked in one pass
/// without being held in memory: `verify_chain` over entries that arrive as they are read.
class ChainVerifier {
 public:
  /// Checks the next entry; once the chain is broken the rest are only counted.
  void add(const AuditEntry& e);
  /// The check, given the head the store recorded separately (which catches a removed tail).
  [[nodiscard]] AuditCheck finish(const std::optional<std::pair<std::int64_t, std::string>>& head);

 private:
  AuditCheck check_;
  std::string prev_ = std::string(64, '0');
  std::int64_t expected_seq_ = 1;
};

/// A record table of the store and its columns, from its field table: every table `verify_audit` checks.
struct RecordTable {
  std::string name;
  std::vector<std::string> columns;  ///< in the field table's order; the first is the id
};
/// Every record table (users, clients, intakes, … photos), in the order `verify_audit` checks them.
[[nodiscard]] std::vector<RecordTable> record_tables();

/// Recomputes the chain over entries in seq order: each seq follows the previous by one, each prev_hash is
/// the previous hash, each hash is `audit_hash` of its entry; `head` (the last seq and hash the store
/// recorded separately) catches a removed tail. Pure, backend-neutral.
[[nodiscard]] AuditCheck verify_chain(const std::vector<AuditEntry>& entries,
                                      std::optional<std::pair<std::int64_t, std::string>> head);

/// hex SHA-256 of prev_hash, a newline, and the entry's canonical text (seq, at, actor, action, entity,
/// entity_id, before_sha256, after_sha256, one per line).
[[nodiscard]] std::string audit_hash(const AuditEntry& e);

/// hex SHA-256 (OpenSSL EVP_Digest) of bytes.
[[nodiscard]] std::string sha256_hex(std::string_view bytes);

/// A record's canonical JSON (json.hpp `canonical`) cut around its top-level "id" member, whose value the
/// store assigns only when it inserts the record: made beforehand (json.hpp `canonical_without_id`, on any
/// thread), it leaves the writer only the id to fill in before digesting the record for the audit.
struct CanonicalText {
  std::string before_id;  ///< "{", the members whose keys sort before "id", each followed by ","
  std::string after_id;   ///< the members whose keys sort after "id", each preceded by ",", and "}"
  /// The canonical text of the record with this id.
  [[nodiscard]] std::string with_id(std::int64_t id) const;
};

/// Which audit entries a listing returns: every condition given must hold (empty or absent: any). Applied in
/// SQL, so a page of a filtered 1M-entry log is read through an index, not by reading the log.
struct AuditFilter {
  std::string actor;             ///< the entry's actor, exactly
  std::string table;             ///< the record table (`AuditEntry::entity`), exactly
  std::string action;            ///< "insert", "update", …, exactly
  std::string record;            ///< the record id (`AuditEntry::entity_id`), exactly
  std::optional<DateTime> from;  ///< entries at or after this time
  std::optional<DateTime> to;    ///< entries before this time
  [[nodiscard]] bool empty() const {
    return actor.empty() && table.empty() && action.empty() && record.empty() && !from && !to;
  }
};

/// What `Store::insert_message_once` did: the message (the one already there, when its key was present) and
/// whether it was inserted now.
struct MessageQueued {
  OutboxMessage message;
  bool inserted = false;
};

/// The schema version a database is at, with the migrations applied to it.
struct SchemaInfo {
  int version = 0;
  std::vector<std::string> applied;  ///< "0001_init", …
};

class Store {
 public:
  Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;
  virtual ~Store() = default;

  /// Runs `body` in one write transaction (SQLite: BEGIN IMMEDIATE): every write inside commits together, or
  /// none does when `body` returns an error. Writes outside a transaction run in their own. Not reentrant
  /// across threads. A nested call is a savepoint: its writes join the outer transaction when its body
  /// succeeds and are undone alone (the outer transaction carries on) when it returns an error.
  virtual Result<void> transaction(const std::function<Result<void>()>& body) = 0;

  /// Runs `body`, which only reads, in one snapshot: every read inside sees the same committed state, and
  /// pays for one transaction rather than one each (SQLite: one read transaction; PostgreSQL: one
  /// REPEATABLE READ, READ ONLY transaction — a dozen round trips for a history instead of ~30). A write
  /// inside is refused. Inside a write transaction it just runs `body`. Returns `body`'s result.
  virtual Result<void> read_snapshot(const std::function<Result<void>()>& body) = 0;

  /// `transaction` for a body that returns a value: the value when every write committed, else the error.
  template <class T, class F>
  Result<T> transaction_returning(F&& body) {
    std::optional<Result<T>> out;
    auto r = transaction([&]() -> Result<void> {
      auto v = body();
      if (!v) return std::unexpected(v.error());
      out.emplace(std::move(v));
      return {};
    });
    if (!r) return std::unexpected(r.error());
    return std::move(*out);
  }

  [[nodiscard]] virtual Result<SchemaInfo> schema() = 0;

  // ---- users and clients -----------------------------------------------------------------------------
  virtual Result<UserRecord> insert_user(const Actor& by, const UserRecord& user) = 0;
  virtual Result<std::vector<UserRecord>> users() = 0;
  virtual Result<void> insert_client(const Actor& by, const ClientRecord& client) = 0;
  virtual Result<std::optional<ClientRecord>> find_client(std::string_view id) = 0;
  /// Writes a client's name, date of birth, email and phone (the id and creation time are fixed), audited as
  /// an "update" with the record's digest before and after; `not_found` for an unknown id.
  virtual Result<void> update_client(const Actor& by, const ClientRecord& client) = 0;
  /// Clients whose id or name contains `text` (case-insensitive for ASCII), ordered by id.
  virtual Result<std::vector<ClientRecord>> search_clients(std::string_view text) = 0;

  // ---- intakes, consents, courses --------------------------------------------------------------------
  virtual Result<IntakeRecord> insert_intake(const Actor& by, const IntakeRecord& intake) = 0;
  /// Oldest first.
  virtual Result<std::vector<IntakeRecord>> intakes_of(std::string_view client_id) = 0;
  virtual Result<ConsentRecord> insert_consent(const Actor& by, const ConsentRecord& consent) = 0;
  virtual Result<std::optional<ConsentRecord>> find_consent(Id id) = 0;
  virtual Result<void> update_consent(const Actor& by, const ConsentRecord& consent) = 0;
  virtual Result<std::vector<ConsentRecord>> consents_of(std::string_view client_id) = 0;
  virtual Result<CourseRecord> insert_course(const Actor& by, const CourseRecord& course) = 0;
  virtual Result<std::vector<CourseRecord>> courses_of(std::string_view client_id) = 0;

  // ---- appointments ----------------------------------------------------------------------------------
  virtual Result<AppointmentRecord> insert_appointment(const Actor& by, const AppointmentRecord& a) = 0;
  virtual Result<std::optional<AppointmentRecord>> find_appointment(Id id) = 0;
  virtual Result<void> update_appointment(const Actor& by, const AppointmentRecord& a) = 0;
  virtual Result<std::vector<AppointmentRecord>> appointments_of(std::string_view client_id) = 0;
  /// Every appointment with `from <= at < to`, by time then id (`appointment list`).
  virtual Result<std::vector<AppointmentRecord>> appointments_between(DateTime from, DateTime to) = 0;

  // ---- rollers ---------------------------------------------------------------------------------------
  virtual Result<RollerRecord> insert_roller(const Actor& by, const RollerRecord& r) = 0;
  virtual Result<std::optional<RollerRecord>> find_roller(Id id) = 0;
  virtual Result<void> update_roller(const Actor& by, const RollerRecord& r) = 0;
  virtual Result<std::vector<RollerRecord>> rollers_in_lot(std::string_view lot) = 0;
  /// Every roller and cartridge, by id.
  virtual Result<std::vector<RollerRecord>> rollers() = 0;

  /// Records a recall of a lot; `invalid_value` when the lot already has one (one recall per lot).
  virtual Result<LotRecallRecord> insert_lot_recall(const Actor& by, const LotRecallRecord& r) = 0;
  /// The recall of a lot, if one is recorded.
  virtual Result<std::optional<LotRecallRecord>> find_lot_recall(std::string_view lot) = 0;
  /// Every recall recorded, oldest first.
  virtual Result<std::vector<LotRecallRecord>> lot_recalls() = 0;

  // ---- home rollers and home sessions (S2) ------------------------------------------------------------
  virtual Result<HomeRollerRecord> insert_home_roller(const Actor& by, const HomeRollerRecord& r) = 0;
  virtual Result<std::optional<HomeRollerRecord>> find_home_roller(Id id) = 0;
  /// Writes a home roller's retirement (retired_at, retired_reason), audited as an update.
  virtual Result<void> update_home_roller(const Actor& by, const HomeRollerRecord& r) = 0;
  /// A client's home rollers, by id.
  virtual Result<std::vector<HomeRollerRecord>> home_rollers_of(std::string_view client_id) = 0;
  virtual Result<HomeSessionRecord> insert_home_session(const Actor& by, const HomeSessionRecord& s) = 0;
  /// A client's home sessions, by the day performed, then id.
  virtual Result<std::vector<HomeSessionRecord>> home_sessions_of(std::string_view client_id) = 0;
  // ---- sessions, steps, follow-ups, escalations ------------------------------------------------------
  /// Inserts a session; its audit digest is made from `canonical_without_id(to_json(s))`.
  Result<SessionRecord> insert_session(const Actor& by, const SessionRecord& s);
  /// The same with that text made beforehand (`text` must be `canonical_without_id(to_json(s))`): a group
  /// commit's submitting thread makes it, so the writer thread does not (bench/store_bench.cpp).
  virtual Result<SessionRecord> insert_session(const Actor& by, const SessionRecord& s,
                                               const CanonicalText& text) = 0;
  virtual Result<std::optional<SessionRecord>> find_session(Id id) = 0;
  virtual Result<void> update_session(const Actor& by, const SessionRecord& s) = 0;
  virtual Result<std::vector<SessionRecord>> sessions_of(std::string_view client_id) = 0;
  virtual Result<std::vector<SessionRecord>> sessions_with_roller(Id roller_id) = 0;
  /// Finished sessions with no follow-up recorded at or after `window` from their end, oldest first: a
  /// follow-up recorded earlier (an early check) does not take the session off the list.
  virtual Result<std::vector<SessionRecord>> finished_sessions_without_followup(
      std::chrono::seconds window) = 0;
  virtual Result<StepRecord> insert_step(const Actor& by, const StepRecord& step) = 0;
  virtual Result<std::vector<StepRecord>> steps_of(Id session_id) = 0;
  /// Inserts the dose charted on a zone of a session. One row per session and zone (UNIQUE in the table):
  /// charting a zone again is `update_session_zone`.
  virtual Result<SessionZoneRecord> insert_session_zone(const Actor& by, const SessionZoneRecord& z) = 0;
  /// Replaces a charted zone's figures (passes, directions, dose, layers, seed, time), audited as an update.
  virtual Result<void> update_session_zone(const Actor& by, const SessionZoneRecord& z) = 0;
  /// The zones charted in a session, in the order they were first charted.
  virtual Result<std::vector<SessionZoneRecord>> zones_of(Id session_id) = 0;
  /// Every zone charted in every session, by session and then as `zones_of`.
  virtual Result<std::vector<SessionZoneRecord>> session_zones() = 0;
  virtual Result<FollowupRecord> insert_followup(const Actor& by, const FollowupRecord& f) = 0;
  virtual Result<std::vector<FollowupRecord>> followups_of(Id session_id) = 0;
  /// The follow-ups of every session of a client, in the order of the sessions (as `sessions_of`) and then of
  /// `followups_of`: one query, where a history read would otherwise ask once per session.
  virtual Result<std::vector<FollowupRecord>> followups_of_client(std::string_view client_id) = 0;
  virtual Result<EscalationRecord> insert_escalation(const Actor& by, const EscalationRecord& e) = 0;
  virtual Result<std::optional<EscalationRecord>> find_escalation(Id id) = 0;
  virtual Result<void> update_escalation(const Actor& by, const EscalationRecord& e) = 0;
  virtual Result<std::vector<EscalationRecord>> open_escalations() = 0;
  /// Every escalation, open or closed, oldest first (`escalation list --all`).
  virtual Result<std::vector<EscalationRecord>> escalations() = 0;
  virtual Result<std::vector<EscalationRecord>> escalations_of(std::string_view client_id) = 0;

  // ---- outbox ----------------------------------------------------------------------------------------
  /// Inserts a message; a `dedupe_key` already present is `invalid_value` (use `insert_message_once`).
  virtual Result<OutboxMessage> insert_message(const Actor& by, const OutboxMessage& m) = 0;
  /// Inserts a message unless one with its `dedupe_key` (when not empty) is already there: then that one is
  /// returned, unchanged and not audited again, with `inserted` false — not an error, so a scheduler may
  /// queue "reminder:appointment:12" on every round and it goes out once. Checked and inserted in one write
  /// transaction, so two stores on one database cannot both insert it.
  virtual Result<MessageQueued> insert_message_once(const Actor& by, const OutboxMessage& m) = 0;
  virtual Result<std::optional<OutboxMessage>> find_message(Id id) = 0;
  virtual Result<void> update_message(const Actor& by, const OutboxMessage& m) = 0;
  /// Oldest first; only those not yet sent unless `all`.
  virtual Result<std::vector<OutboxMessage>> messages(bool all) = 0;
  /// The messages in one state, oldest first.
  virtual Result<std::vector<OutboxMessage>> messages_in(MessageState state) = 0;
  /// At most `limit` messages the mailer may try at `now`, oldest first: queued, with a recipient, and no
  /// `next_attempt_at` after `now` (read through the index on (state, next_attempt_at)).
  virtual Result<std::vector<OutboxMessage>> due_messages(DateTime now, std::int64_t limit) = 0;

  // ---- photos ----------------------------------------------------------------------------------------
  virtual Result<PhotoRecord> insert_photo(const Actor& by, const PhotoRecord& p) = 0;
  virtual Result<std::vector<PhotoRecord>> photos_of(std::string_view client_id) = 0;

  // ---- audit -----------------------------------------------------------------------------------------
  /// Every entry in seq order.
  virtual Result<std::vector<AuditEntry>> audit_log() = 0;
  /// At most `limit` entries after seq `after_seq` that `filter` selects, in seq order: a page of the log,
  /// read without the rest (the cursor is the last seq of the page before, filtered or not).
  virtual Result<std::vector<AuditEntry>> audit_entries(std::int64_t after_seq, std::int64_t limit,
                                                        const AuditFilter& filter) = 0;
  /// Every entry of a page, unfiltered.
  Result<std::vector<AuditEntry>> audit_entries(std::int64_t after_seq, std::int64_t limit) {
    return audit_entries(after_seq, limit, AuditFilter{});
  }
  /// Checks the audit log and the records against it, in one read snapshot and one streaming pass over the
  /// log and each record table: the hash chain (as `verify_chain`, with the recorded head), and every
  /// record's digest (SHA-256 of its canonical JSON) against `after_sha256` of its last audit entry — a
  /// record changed, inserted or deleted outside the store is listed in `record_problems`, and `ok` is false.
  /// A record audited before a column was added to its table is checked in its form of then (fields.hpp
  /// `earlier_forms`).
  virtual Result<AuditCheck> verify_audit() = 0;

  // ---- staff logins (auth.hpp) ------------------------------------------------------------------------
  virtual Result<std::optional<UserRecord>> find_user(Id id) = 0;
  virtual Result<std::optional<UserRecord>> find_user_by_name(std::string_view name) = 0;
  /// Changes a user's role (the name and creation time are fixed).
  virtual Result<void> update_user(const Actor& by, const UserRecord& user) = 0;
  /// Sets (inserts or replaces) a user's credential; audited as action "set_credential" on the user (never
  /// the hash itself). `not_found` for an unknown user.
  virtual Result<void> put_credential(const Actor& by, const Credential& credential) = 0;
  virtual Result<std::optional<Credential>> find_credential(Id user_id) = 0;
  /// A new session; `invalid_value` when the token hash is already in use.
  virtual Result<void> insert_auth_session(const AuthSession& session) = 0;
  virtual Result<std::optional<AuthSession>> find_auth_session(std::string_view token_hash) = 0;
  /// Moves `last_seen_at` forward to `at` (never back).
  virtual Result<void> touch_auth_session(std::string_view token_hash, DateTime at) = 0;
  /// Ends one session (logout); ending an ended one changes nothing.
  virtual Result<void> end_auth_session(std::string_view token_hash, DateTime at) = 0;
  /// Ends every open session of a user except `keep_hash` (may be empty); how many it ended.
  virtual Result<std::int64_t> end_auth_sessions_of(Id user_id, DateTime at, std::string_view keep_hash) = 0;
  /// A new key (id assigned); audited as action "insert_api_key" on the user.
  virtual Result<ApiKey> insert_api_key(const Actor& by, const ApiKey& key) = 0;
  virtual Result<std::optional<ApiKey>> find_api_key(std::string_view key_hash) = 0;
  /// Every key, by id (hashes included: the caller shows only what a person may see).
  virtual Result<std::vector<ApiKey>> api_keys() = 0;
  /// Revokes a key at by.at (audited as "revoke_api_key" on its user); `not_found` for an unknown id.
  virtual Result<ApiKey> revoke_api_key(const Actor& by, Id key_id) = 0;
  /// Counts one failed login for `key` at `at`: a window older than `window` starts again at 1. The counter
  /// as it is after.
  virtual Result<LoginThrottle> count_login_failure(std::string_view key, DateTime at,
                                                    std::chrono::seconds window) = 0;
  virtual Result<std::optional<LoginThrottle>> find_login_throttle(std::string_view key) = 0;
  /// Forgets a key's failures (after a successful login).
  virtual Result<void> clear_login_throttle(std::string_view key) = 0;

  // ---- consent to messages -----------------------------------------------------------------------------
  virtual Result<MessageConsentRecord> insert_message_consent(const Actor& by,
                                                              const MessageConsentRecord& c) = 0;
  /// A client's consents to messages, oldest first (the last holds).
  virtual Result<std::vector<MessageConsentRecord>> message_consents_of(std::string_view client_id) = 0;
  /// The token of a client's unsubscribe link, if one was made.
  virtual Result<std::optional<std::string>> unsubscribe_token(std::string_view client_id) = 0;
  /// Keeps `token` as the client's unsubscribe token unless the client has one already; returns the one kept.
  virtual Result<std::string> keep_unsubscribe_token(std::string_view client_id, std::string_view token,
                                                     DateTime at) = 0;
  /// The client whose unsubscribe token this is.
  virtual Result<std::optional<std::string>> client_of_unsubscribe_token(std::string_view token) = 0;
  // ---- the client portal (auth.hpp) ------------------------------------------------------------------
  /// A new sign-in link for its client, audited as action "issue_portal_link" on the client (never the hash).
  /// `not_found` for an unknown client, `invalid_value` for a token hash already in use.
  virtual Result<void> insert_portal_link(const Actor& by, const PortalLink& link) = 0;
  /// Accepts a link at by.at if it is unused and not expired: marks it used in the same statement that
  /// checks it (so of two uses at once only one succeeds) and audits "portal_sign_in" on its client. Nothing
  /// for an unknown, used or expired link.
  virtual Result<std::optional<PortalLink>> use_portal_link(const Actor& by, std::string_view token_hash) = 0;
  virtual Result<std::optional<PortalLink>> find_portal_link(std::string_view token_hash) = 0;
  /// The clients whose email address is `email`, compared without regard to ASCII case (a sign-in link asked
  /// for by address), by id.
  virtual Result<std::vector<ClientRecord>> clients_with_email(std::string_view email) = 0;
  /// A new client session; `invalid_value` when the token hash is already in use.
  virtual Result<void> insert_client_session(const ClientSession& session) = 0;
  virtual Result<std::optional<ClientSession>> find_client_session(std::string_view token_hash) = 0;
  /// Moves `last_seen_at` forward to `at` (never back).
  virtual Result<void> touch_client_session(std::string_view token_hash, DateTime at) = 0;
  /// Ends one client session (logout); ending an ended one changes nothing.
  virtual Result<void> end_client_session(std::string_view token_hash, DateTime at) = 0;
  /// Ends every open portal session of the client and revokes every calendar feed of theirs at by.at (a lost
  /// phone, a client who leaves the clinic), audited as "end_portal_access" on the client; `not_found` for an
  /// unknown client. Sign-in links not yet used stay valid until they expire (15 minutes).
  virtual Result<PortalAccessEnded> end_portal_access(const Actor& by, std::string_view client_id) = 0;
  /// A new calendar feed, which replaces the client's earlier ones (revoked at its `created_at`): one
  /// subscription address per client. `invalid_value` when the token hash is already in use.
  virtual Result<void> insert_calendar_feed(const CalendarFeed& feed) = 0;
  virtual Result<std::optional<CalendarFeed>> find_calendar_feed(std::string_view token_hash) = 0;

  // ---- backup ----------------------------------------------------------------------------------------
  /// Writes a consistent copy of the whole database to `target` (a new file) while the store stays usable;
  /// `step` (may be empty) is told the share done, 0–1. SQLite: the online backup API. A backend that cannot
  /// (PostgreSQL: use `pg_dump`, docs/store.md) returns `invalid_value` saying so.
  virtual Result<void> backup_to(const std::filesystem::path& target,
                                 const std::function<void(double)>& step) = 0;
};

/// How a SQLite store uses memory; the defaults suit a clinic's server and the CLI alike.
struct SqliteOptions {
  /// The connection's page cache, filled only as pages are read (SQLite's default is 2 MiB): the index and
  /// table pages a history read walks stay in the process instead of costing a system call each.
  int cache_mib = 256;
};

/// Opens (creating if needed) a SQLite database at `path` — ":memory:" for a throwaway one — with WAL,
/// foreign keys on, synchronous=FULL and a busy timeout, and applies the embedded migrations
/// (data/migrations/sqlite/NNNN_*.sql) it lacks, each in its own transaction, recording them in
/// schema_version. Errors: `io_error` when the file cannot be opened or written; `database_error` (exit 4
/// in the CLI) when the database is newer than this build or a recorded migration differs from the one built
/// in; `invalid_value` naming `cache_mib` for a page cache under 1 MiB.
[[nodiscard]] Result<std::unique_ptr<Store>> open_sqlite(const std::filesystem::path& path,
                                                         const SqliteOptions& options = {});

/// What `restore_sqlite` did.
struct RestoreReport {
  int schema_version = 0;
  std::int64_t audit_entries = 0;
  std::filesystem::path previous;  ///< where the database it replaced was kept ("" when there was none)
};

/// Restores the SQLite database `target` from `backup` (a file written by `Store::backup_to`, or any
/// Needlework SQLite database), never modifying `backup`: copies it beside the target, applies missing
/// migrations to the copy, and requires its audit chain to verify; only then renames the copy into place. An
/// existing target is refused unless `replace`, and then kept as `<target>.before-restore-<at>` (with its
/// -wal file), or `…-<at>-2`, `-3`, … when that name is taken, so a kept copy is never overwritten. Stop
/// every program using the target first. Errors: `not_found` (no backup file), `io_error` (not a
/// database), `database_error` (newer than this build), `refused` (the backup's audit chain is broken),
/// `invalid_value` (the target exists and `replace` is false).
[[nodiscard]] Result<RestoreReport> restore_sqlite(const std::filesystem::path& backup,
                                                   const std::filesystem::path& target, bool replace,
                                                   DateTime at);

}  // namespace needlework::store

namespace needlework::store {

/// Connects to the PostgreSQL database `conninfo` names — a URI (`postgresql://user@host:port/dbname`) or a
/// libpq key=value string (`host=… port=… dbname=… user=…`) — and applies the embedded migrations
/// (data/migrations/postgres/NNNN_*.sql, numbered and named as SQLite's) it lacks, each in its own
/// transaction under an advisory lock. The records, their audit chain and every error code are as on SQLite;
/// `backup_to` is `invalid_value` (use pg_dump, docs/store.md). Errors: `io_error` when the server cannot be
/// reached or refuses the login (naming host, port, user and database, never the password); `database_error`
/// when the database is newer than this build or a recorded migration differs from the one built in.
[[nodiscard]] Result<std::unique_ptr<Store>> open_postgres(const std::string& conninfo);

/// Whether `where` names a PostgreSQL database: a `postgresql://` or `postgres://` URI, or a libpq key=value
/// string starting with `host=`, `hostaddr=`, `port=`, `dbname=`, `user=` or `service=`.
[[nodiscard]] bool names_postgres(std::string_view where);

/// Opens the clinic database `where` names: PostgreSQL (`open_postgres`) when `names_postgres(where)`, else
/// the SQLite file at that path (`open_sqlite`; ":memory:" for a throwaway one).
[[nodiscard]] Result<std::unique_ptr<Store>> open_store(std::string_view where);

}  // namespace needlework::store
