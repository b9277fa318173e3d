#pragma once
// One test's own empty database on either backend, shared by the store tests (tests/store/store_fixture.hpp)
// and the durability tests (tests/durability/): the Backend parameter, a SQLite file or a PostgreSQL database
// created on the server NEEDLEWORK_TEST_PG names (skipped with a message without one, failed when CI is set),
// and libpq helpers to reach the server directly, as an outsider would.

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <ostream>
#include <string>
#include <string_view>

/// The backend a store test runs on.
enum class Backend { sqlite, postgres };

inline const char* to_string(Backend b) { return b == Backend::sqlite ? "sqlite" : "postgres"; }
inline void PrintTo(Backend b, std::ostream* os) { *os << to_string(b); }
inline std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return to_string(info.param);
}

/// Instantiates the value-parameterised suite `suite` on both backends; test names end in /sqlite, /postgres.
#define NEEDLEWORK_INSTANTIATE_STORE_TESTS(suite) \
  INSTANTIATE_TEST_SUITE_P(, suite, ::testing::Values(Backend::sqlite, Backend::postgres), backend_name)

/// Instantiates `suite` on one backend, for what is inherently about that backend.
#define NEEDLEWORK_INSTANTIATE_STORE_TESTS_ON(suite, backend) \
  INSTANTIATE_TEST_SUITE_P(, suite, ::testing::Values(backend), backend_name)

/// The libpq conninfo `base` (a URI or key=value text) with its database replaced by `dbname`, as key=value
/// text. Empty when `base` does not parse.
inline std::string pg_conninfo_with_db(const std::string& base, const std::string& dbname) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(base.c_str(), &err);
  if (opts == nullptr) {
    PQfreemem(err);
    return {};
  }
  auto quote = [](const std::string& v) {
    std::string out = "'";
    for (char c : v) {
      if (c == '\'' || c == '\\') out += '\\';
      out += c;
    }
    return out + "'";
  };
  std::string out;
  for (auto* o = opts; o->keyword != nullptr; ++o) {
    if (o->val == nullptr || std::string_view(o->keyword) == "dbname") continue;
    out += std::string(o->keyword) + "=" + quote(o->val) + " ";
  }
  PQconninfoFree(opts);
  return out + "dbname=" + quote(dbname);
}

/// Runs SQL on a PostgreSQL database over a connection of its own; false (and `error`) when it fails.
inline bool pg_exec(const std::string& conninfo, const std::string& sql, std::string& error) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    error = PQerrorMessage(conn);
    PQfinish(conn);
    return false;
  }
  PGresult* res = PQexec(conn, sql.c_str());
  const auto status = PQresultStatus(res);
  const bool ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
  if (!ok) error = PQresultErrorMessage(res);
  PQclear(res);
  PQfinish(conn);
  return ok;
}

/// The libpq conninfo as a URI, postgresql://user@host:port/dbname (what a person types after --db).
inline std::string pg_uri_of(const std::string& conninfo) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(conninfo.c_str(), &err);
  if (opts == nullptr) {
    PQfreemem(err);
    return {};
  }
  std::string host, port, user, dbname;
  for (auto* o = opts; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    const std::string_view k = o->keyword;
    if (k == "host") host = o->val;
    if (k == "port") port = o->val;
    if (k == "user") user = o->val;
    if (k == "dbname") dbname = o->val;
  }
  PQconninfoFree(opts);
  return "postgresql://" + (user.empty() ? "" : user + "@") + host + (port.empty() ? "" : ":" + port) + "/" +
         dbname;
}

/// One test's own empty database: a file in `dir` (SQLite), or a database created for it on the server
/// NEEDLEWORK_TEST_PG names and dropped when this goes (PostgreSQL). Without NEEDLEWORK_TEST_PG, `create`
/// skips the test with a message saying how to start a server, or fails it when CI is set.
class TestDatabase {
 public:
  TestDatabase() = default;
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;
  ~TestDatabase() { drop(); }

  /// Call from SetUp, then return if the test was skipped or failed.
  void create(Backend backend, const std::filesystem::path& dir) {
    backend_ = backend;
    if (backend == Backend::sqlite) {
      path_ = dir / "clinic.db";
      conninfo_ = path_.string();
      return;
    }
    const char* env = std::getenv("NEEDLEWORK_TEST_PG");
    if (env == nullptr || *env == '\0') {
      const char* how =
          "NEEDLEWORK_TEST_PG is not set: start a server with `eval \"$(bash scripts/pg-cluster.sh start)\"` "
          "(it exports NEEDLEWORK_TEST_PG), or run `bash scripts/test.sh`";
      if (const char* ci = std::getenv("CI"); ci != nullptr && *ci != '\0') FAIL() << how;
      GTEST_SKIP() << how;
    }
    admin_ = env;
    // ctest runs each test in a process of its own, several at once: the pid keeps the names apart.
    static std::atomic<int> counter{0};
    const std::string name = "nw_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
    std::string error;
    ASSERT_TRUE(pg_exec(admin_, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)", error)) << error;
    ASSERT_TRUE(pg_exec(admin_, "CREATE DATABASE " + name, error)) << error;
    name_ = name;
    conninfo_ = pg_conninfo_with_db(admin_, name);
    ASSERT_FALSE(conninfo_.empty()) << "NEEDLEWORK_TEST_PG is not a libpq conninfo: " << admin_;
  }

  /// Drops a PostgreSQL test database (every connection to it must be closed, or is ended).
  void drop() {
    if (name_.empty()) return;
    std::string ignored;
    pg_exec(admin_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)", ignored);
    name_.clear();
  }

  /// What open_store takes: the file path, or a key=value conninfo.
  [[nodiscard]] const std::string& where() const { return conninfo_; }
  /// The same as a person would type it after --db: the path, or a postgresql:// URI.
  [[nodiscard]] std::string cli_where() const {
    return backend_ == Backend::sqlite ? conninfo_ : pg_uri_of(conninfo_);
  }
  /// SQLite: the database file; empty on PostgreSQL.
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

  /// Runs raw SQL over a connection of its own, as someone with direct access (not Needlework) would.
  bool exec(const std::string& sql, std::string& error) const {
    if (backend_ == Backend::postgres) return pg_exec(conninfo_, sql, error);
    sqlite3* db = nullptr;
    if (sqlite3_open(path_.c_str(), &db) != SQLITE_OK) {
      error = "cannot open " + path_.string();
      sqlite3_close(db);
      return false;
    }
    char* err = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    error = err != nullptr ? err : "";
    sqlite3_free(err);
    sqlite3_close(db);
    return rc == SQLITE_OK;
  }

 private:
  Backend backend_ = Backend::sqlite;
  std::filesystem::path path_;
  std::string conninfo_, admin_, name_;
};
