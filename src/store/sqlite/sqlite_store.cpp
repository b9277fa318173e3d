// The SQLite connection of the shared SQL layer (sql/connection.hpp), over SQLiteCpp: one connection, the
// single writer; writes run in BEGIN IMMEDIATE transactions so a second process waits (busy timeout) instead
// of failing mid-way. Statements are parsed once per connection and reused. Every SQLite exception becomes an
// Error in `current_error`.

#include <SQLiteCpp/Backup.h>
#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>
#include <sqlite3.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <unordered_map>

#include "migrations.hpp"
#include "needlework/store/faults.hpp"
#include "needlework/store/store.hpp"
#include "needlework/units/refusals.hpp"
#include "sql/connection.hpp"
#include "sql/sql_store.hpp"

namespace needlework::store {
namespace {

/// How long a writer waits for another connection's write lock before giving up.
constexpr int busy_timeout_ms = 10000;

/// The shared SQL's `$n` parameters as SQLite's `?n` (the same numbered parameter).
std::string sqlite_parameters(const std::string& sql) {
  std::string out = sql;
  for (std::size_t i = 0; i + 1 < out.size(); ++i) {
    if (out[i] == '$' && out[i + 1] >= '0' && out[i + 1] <= '9') out[i] = '?';
  }
  return out;
}

std::string ascii_like(std::string_view column, std::string_view param) {
  // LIKE is case-insensitive for ASCII only.
  return fmt::format("{} LIKE {} ESCAPE '\\'", column, param);
}

std::string time_plus_seconds(std::string_view time_column, std::string_view seconds_param) {
  // strftime reads the ISO text (the trailing Z included) and writes it back in the same form.
  return fmt::format("strftime('%Y-%m-%dT%H:%M:%SZ', {}, ({}) || ' seconds')", time_column, seconds_param);
}

const sql::Dialect sqlite_dialect{.lock_head = nullptr,
                                  .lock_missing_head = nullptr,
                                  .head_with_each_entry = false,
                                  .ascii_like = &ascii_like,
                                  .time_plus_seconds = &time_plus_seconds,
                                  .integrity_check = "PRAGMA integrity_check"};

/// A SQLite failure as an Error, by its cause: the database's state (a full disk, a read-only file, another
/// writer holding the lock, a damaged file) named as such — the fault's id in `rule` (store/faults.hpp) — and
/// anything else as SQLite said it. `db` (may be null) gives the errno behind an I/O error: a full disk shows
/// as SQLITE_FULL when a write to the database or its log fails, but as SQLITE_IOERR (ENOSPC) when growing
/// the WAL index (-shm) does.
Error sqlite_error(const SQLite::Exception& e, sqlite3* db, const std::string& where, int busy_timeout_s) {
  const int code = e.getErrorCode() & 0xff;
  const int os_errno = db != nullptr ? sqlite3_system_errno(db) : 0;
  auto fault = [&](std::string_view id, std::string message) {
    return Error{ErrorCode::io_error, std::move(message), where, std::string(id)};
  };
  if (code == SQLITE_CONSTRAINT) {
    return Error{ErrorCode::invalid_value, fmt::format("the database refused the change: {}", e.what()),
                 where};
  }
  if (code == SQLITE_BUSY || code == SQLITE_LOCKED) {
    return fault(
        faults::busy,
        fmt::format("the database is busy (another writer held it for {} s); try again", busy_timeout_s));
  }
  if (code == SQLITE_FULL || (code == SQLITE_IOERR && (os_errno == ENOSPC || os_errno == EDQUOT))) {
    return fault(faults::disk_full,
                 "the disk holding the database is full: nothing was written; free space, then try "
                 "again");
  }
  if (code == SQLITE_READONLY) {
    return fault(
        faults::read_only,
        "the database is read-only (its file or its file system does not allow writing): nothing was "
        "written; reads still work");
  }
  if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) {
    return Error{
        ErrorCode::database_error,
        fmt::format("the database file is damaged (SQLite: {}); nothing was changed: keep it as it is "
                    "and restore the last backup (needlework restore, docs/store.md)",
                    e.what()),
        where};
  }
  return Error{ErrorCode::io_error, fmt::format("SQLite: {}", e.what()), where};
}

class SqliteRow final : public sql::Row {
 public:
  explicit SqliteRow(SQLite::Statement& st) : st_(st) {}
  [[nodiscard]] bool is_null(int i) const override { return st_.isColumnNull(i); }
  [[nodiscard]] std::int64_t integer(int i) const override { return st_.getColumn(i).getInt64(); }
  [[nodiscard]] double real(int i) const override { return st_.getColumn(i).getDouble(); }
  [[nodiscard]] std::string text(int i) const override {
    const auto c = st_.getColumn(i);
    return c.isNull() ? std::string() : c.getString();
  }
  [[nodiscard]] std::string name(int i) const override { return st_.getColumnName(i); }

 private:
  SQLite::Statement& st_;
};

class SqliteConnection final : public sql::Connection {
 public:
  SqliteConnection(const std::filesystem::path& path, int flags)
      : path_(path.string()), db_(path.string(), flags, busy_timeout_ms) {}
  /// Opens `uri` (a file: URI, with SQLite::OPEN_URI in `flags`) and names the connection `label`.
  SqliteConnection(const std::string& uri, int flags, std::string label)
      : path_(std::move(label)), db_(uri, flags, busy_timeout_ms) {}

  /// WAL, foreign keys, synchronous=FULL and the page cache; an Error when the file cannot have them.
  Result<void> configure(const SqliteOptions& options) {
    try {
      // WAL lets readers work while the one writer commits; FULL syncs the WAL at every commit so a committed
      // record survives a power cut.
      // A database opened read-only (its file or file system does not allow writing) keeps the mode its file
      // has: switching needs a write.
      const bool read_only = sqlite3_db_readonly(db_.getHandle(), "main") == 1;
      const std::string mode =
          db_.execAndGet(read_only ? "PRAGMA journal_mode" : "PRAGMA journal_mode=WAL").getString();
      if (mode != "wal" && path_ != ":memory:" && !read_only) {
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
    } catch (...) {
      return std::unexpected(current_error());
    }
  }

  /// Whether the connection can only read: the file, or its file system, does not allow writing.
  [[nodiscard]] bool read_only() const { return sqlite3_db_readonly(db_.getHandle(), "main") == 1; }

  [[nodiscard]] const sql::Dialect& dialect() const override { return sqlite_dialect; }
  [[nodiscard]] const std::string& label() const override { return path_; }

  void query(const std::string& sql, std::span<const sql::Value> params,
             const std::function<void(const sql::Row&)>& each) override {
    auto st = cached(sql);
    int i = 0;
    for (const auto& v : params) {
      ++i;
      if (const auto* n = std::get_if<std::int64_t>(&v)) {
        st->bind(i, *n);
      } else if (const auto* d = std::get_if<double>(&v)) {
        st->bind(i, *d);
      } else if (const auto* t = std::get_if<std::string>(&v)) {
        st->bind(i, *t);
      } else {
        st->bind(i);
      }
    }
    const SqliteRow row(*st);
    while (st->executeStep()) each(row);
  }

  void command(const std::string& sql) override { cached(sql)->exec(); }
  void script(const std::string& sql) override { db_.exec(sql); }

  void begin(sql::TxKind kind) override {
    // DEFERRED for a snapshot: the first read takes it, and a write inside fails (BEGIN IMMEDIATE cannot
    // nest). A migration is a write.
    command(kind == sql::TxKind::read_snapshot ? "BEGIN DEFERRED" : "BEGIN IMMEDIATE");
  }
  void commit() override { command("COMMIT"); }
  void rollback() noexcept override {
    if (sqlite3_get_autocommit(db_.getHandle()) != 0) return;  // nothing open
    try {
      command("ROLLBACK");
    } catch (...) {
    }
  }

  [[nodiscard]] Error current_error() const override {
    try {
      throw;
    } catch (const SQLite::Exception& e) {
      return sqlite_error(e, db_.getHandle(), path_, busy_timeout_ms / 1000);
    } catch (const std::exception& e) {
      return Error{ErrorCode::io_error, fmt::format("SQLite: {}", e.what()), path_};
    }
  }

  Result<void> backup_to(const std::filesystem::path& target,
                         const std::function<void(double)>& step) override {
    if (path_ == ":memory:")
      return fail(ErrorCode::invalid_value, "an in-memory database has nothing to back up", "--db");
    std::error_code ec;
    if (std::filesystem::exists(target, ec)) {
      return fail(ErrorCode::invalid_value, "already exists; name a new file for the backup",
                  target.string());
    }
    // Written beside the target to a temporary file of its own (mkstemp: a new name, never a file that was
    // there; 0600, as a copy of clinical records should be) and put in place when complete, so a backup file
    // that exists is always whole.
    std::string partial_name = target.string() + ".partial-XXXXXX";
    const int fd = ::mkstemp(partial_name.data());
    if (fd < 0) {
      return fail(ErrorCode::io_error,
                  fmt::format("cannot create a temporary file beside it: {}", std::strerror(errno)),
                  target.string());
    }
    ::close(fd);
    const std::filesystem::path partial = partial_name;
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
      // link(2) puts the copy in place without replacing a file that appeared under that name meanwhile
      // (rename would); then the temporary name goes.
      if (::link(partial.c_str(), target.c_str()) != 0) {
        const int err = errno;
        std::filesystem::remove(partial, ec);
        return fail(err == EEXIST ? ErrorCode::invalid_value : ErrorCode::io_error,
                    err == EEXIST ? std::string("already exists; name a new file for the backup")
                                  : fmt::format("backup failed: {}", std::strerror(err)),
                    target.string());
      }
      std::filesystem::remove(partial, ec);
    } catch (const SQLite::Exception& e) {
      std::filesystem::remove(partial, ec);
      return fail(ErrorCode::io_error, fmt::format("backup failed: {}", e.what()), target.string());
    } catch (const std::filesystem::filesystem_error& e) {
      std::filesystem::remove(partial, ec);
      return fail(ErrorCode::io_error, fmt::format("backup failed: {}", e.what()), target.string());
    }
    return {};
  }

 private:
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
  Prepared cached(const std::string& sql) {
    auto& entry = statements_[sql];
    if (!entry.statement) entry.statement = std::make_unique<SQLite::Statement>(db_, sqlite_parameters(sql));
    if (entry.busy) return Prepared(std::make_unique<SQLite::Statement>(db_, sqlite_parameters(sql)));
    return Prepared(*entry.statement, entry.busy);
  }

  struct CachedStatement {
    std::unique_ptr<SQLite::Statement> statement;
    bool busy = false;
  };

  std::string path_;
  SQLite::Database db_;
  std::unordered_map<std::string, CachedStatement> statements_;  // finalized before db_ closes
};

/// The file as a URI for sqlite3_open_v2 (SQLITE_OPEN_URI): '%', '?' and '#' escaped, so a path holding them
/// still names the file.
std::string file_uri(const std::filesystem::path& path, std::string_view query) {
  std::string uri = "file:";
  for (const char c : path.string()) {
    if (c == '%' || c == '?' || c == '#') {
      uri += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    } else {
      uri += c;
    }
  }
  return uri + "?" + std::string(query);
}

/// A database whose file, or file system, does not allow writing, opened for reading: reads work, a write
/// fails with the read-only fault. SQLite reads a WAL database without writing only when its -wal and -shm
/// files are there (it cannot make them); on a read-only file system without them — a clean shutdown removed
/// both, so the database file holds every commit — it is opened `immutable`, which needs no -shm. A -wal left
/// without its -shm could hold commits the file lacks: that is refused rather than read stale.
Result<std::unique_ptr<SqliteConnection>> open_read_only(const std::filesystem::path& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const bool wal = fs::exists(path.string() + "-wal", ec), shm = fs::exists(path.string() + "-shm", ec);
  struct statvfs info {};
  const bool read_only_fs = ::statvfs(path.c_str(), &info) == 0 && (info.f_flag & ST_RDONLY) != 0;
  if (wal && shm) return std::make_unique<SqliteConnection>(path, SQLite::OPEN_READONLY);
  if (!wal && read_only_fs) {
    return std::make_unique<SqliteConnection>(file_uri(path, "immutable=1"),
                                              SQLite::OPEN_READONLY | SQLite::OPEN_URI, path.string());
  }
  if (!wal) return std::make_unique<SqliteConnection>(path, SQLite::OPEN_READONLY);
  return std::unexpected(
      Error{ErrorCode::io_error,
            "the database is read-only and its write-ahead log (-wal) has no index (-shm): "
            "it cannot be read without writing; make it writable once so SQLite recovers it",
            path.string(), std::string(faults::read_only)});
}

}  // namespace

Result<std::unique_ptr<Store>> open_sqlite(const std::filesystem::path& path, const SqliteOptions& options) {
  std::unique_ptr<SqliteConnection> connection;
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
    connection = std::make_unique<SqliteConnection>(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    if (path != ":memory:" && connection->read_only()) {
      NW_TRY(reopened, open_read_only(path));
      connection = std::move(reopened);
    }
  } catch (const SQLite::Exception& e) {
    Error error = sqlite_error(e, nullptr, path.string(), busy_timeout_ms / 1000);
    if (error.rule.empty()) error.message = fmt::format("cannot open the database: {}", e.what());
    return std::unexpected(std::move(error));
  }
  NW_CHECK(connection->configure(options));
  return sql::open_sql_store(std::move(connection), sqlite_migrations());
}

Result<RestoreReport> restore_sqlite(const std::filesystem::path& backup, const std::filesystem::path& target,
                                     bool replace, DateTime at) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_regular_file(backup, ec))
    return fail(ErrorCode::not_found, "no such backup file", backup.string());
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
      return fail(ErrorCode::io_error, fmt::format("cannot copy the backup: {}", ec.message()),
                  from.string());
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
      return refuse(
          std::string(refusals::backup_inconsistent),
          check->first_bad_seq != 0
              ? fmt::format("the backup's audit chain is broken at entry {} ({}); it was not restored",
                            check->first_bad_seq, check->problem)
              : fmt::format("the backup's records do not match its audit log ({}); it was not "
                            "restored (verifying the backup's audit log lists them)",
                            check->problem),
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
    // Two restores in the same second must not overwrite each other's kept copy: the first free name of
    // <target>.before-restore-<time>, -2, -3, … (neither it nor its -wal may exist).
    const std::string base = target.string() + ".before-restore-" + compact;
    report.previous = base;
    for (int n = 2; fs::exists(report.previous, ec) || fs::exists(report.previous.string() + "-wal", ec);
         ++n) {
      report.previous = fmt::format("{}-{}", base, n);
    }
    for (const char* suffix : {"", "-wal"}) {
      const fs::path from = target.string() + suffix;
      if (fs::exists(from, ec)) fs::rename(from, report.previous.string() + suffix, ec);
      if (ec) {
        remove_copy();
        return fail(ErrorCode::io_error,
                    fmt::format("cannot move the current database aside: {}", ec.message()), from.string());
      }
    }
    fs::remove(target.string() + "-shm", ec);
  }
  fs::rename(copy, target, ec);
  if (ec) {
    return fail(ErrorCode::io_error,
                fmt::format("cannot move the restored copy into place: {}", ec.message()), target.string());
  }
  remove_copy();
  return report;
}

}  // namespace needlework::store
