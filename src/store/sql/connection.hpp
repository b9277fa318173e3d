#pragma once
// The small interface each backend implements for the shared SQL layer (sql_store.hpp): one connection that
// prepares (and caches), binds, steps and reads statements, opens and ends transactions, maps its own
// exceptions to Errors and says how its SQL differs. As DuckDB serialises every type once against a
// Serializer interface that each format implements, the store maps every record once (fields.hpp) against
// this interface, which SQLite (sqlite/sqlite_store.cpp) and PostgreSQL (postgres/postgres_store.cpp)
// implement. No SQLite or libpqxx type appears here.

#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "needlework/units/error.hpp"
#include "sql/row.hpp"

namespace needlework::store::sql {

/// What a transaction is for.
enum class TxKind {
  write,          ///< a write transaction: writers take turns (SQLite BEGIN IMMEDIATE)
  read_snapshot,  ///< reads that all see one committed state
  migration,      ///< a migration: writers and other migrating processes take turns
  single,         ///< one statement outside any transaction, where the backend needs one (PostgreSQL)
};

/// Where the backends' SQL differs.
struct Dialect {
  /// The statement that locks the audit head row for the write transaction and reads it (seq, hash), run
  /// when a write transaction begins; nullptr when beginning the transaction already serialises writers
  /// (SQLite), and then the head is read at the first audit entry.
  const char* lock_head = nullptr;
  /// Run instead when the head row is missing (a new database, or one tampered with).
  const char* lock_missing_head = nullptr;
  /// The audit head moves with each entry, in the same statement (PostgreSQL: one round trip for both);
  /// otherwise it is written once, just before the transaction commits (SQLite).
  bool head_with_each_entry = false;
  /// `column` matches the LIKE pattern in `param`, case-insensitively for ASCII only, with '\' escaping.
  std::string (*ascii_like)(std::string_view column, std::string_view param) = nullptr;
  /// The UTC time text ("YYYY-MM-DDTHH:MM:SSZ") `seconds_param` (an integer parameter) after the time text in
  /// `time_column`, in the same form, so it compares with other time columns as text.
  std::string (*time_plus_seconds)(std::string_view time_column, std::string_view seconds_param) = nullptr;
  /// A statement checking the database's own structure (pages, b-trees, indexes against their tables),
  /// answering one row "ok" or a row per problem; run by `verify_audit` before the chain, so a damaged page
  /// in an index the record reads never touch is reported too. nullptr when the backend has none (PostgreSQL
  /// checks its pages itself, with data checksums when the cluster has them).
  const char* integrity_check = nullptr;
};

/// One database connection, used by one thread at a time.
class Connection {
 public:
  Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  virtual ~Connection() = default;

  [[nodiscard]] virtual const Dialect& dialect() const = 0;
  /// Where errors point: the database file, or the server without the password.
  [[nodiscard]] virtual const std::string& label() const = 0;

  /// Runs `sql` with `params` and calls `each` for every result row. Parameters are written `$1`, `$2`, … in
  /// the shared SQL (PostgreSQL's style; SQLite's connection reads them as `?1`, `?2`, …). Statements are
  /// prepared once per connection and reused. Outside a transaction the statement runs in its own.
  virtual void query(const std::string& sql, std::span<const Value> params,
                     const std::function<void(const Row&)>& each) = 0;
  /// Runs a command without parameters or rows (SAVEPOINT, RELEASE …, ROLLBACK TO …), cached like a query.
  virtual void command(const std::string& sql) = 0;
  /// Runs a script of several statements (a migration), not cached.
  virtual void script(const std::string& sql) = 0;

  /// Begins a transaction; when it throws, nothing new is left open (and a transaction already open, which
  /// makes it throw, is left as it was).
  virtual void begin(TxKind kind) = 0;
  virtual void commit() = 0;
  /// Ends the open transaction, if any, undoing it; never throws.
  virtual void rollback() noexcept = 0;

  /// The exception being handled (a backend's own, or any std::exception) as an Error: a refused constraint
  /// `invalid_value`, a busy database or a lost connection `io_error`, a value the backend cannot convert
  /// `database_error`. Call only inside a catch block.
  [[nodiscard]] virtual Error current_error() const = 0;

  /// Store::backup_to for this backend.
  virtual Result<void> backup_to(const std::filesystem::path& target,
                                 const std::function<void(double)>& step) = 0;
};

}  // namespace needlework::store::sql
