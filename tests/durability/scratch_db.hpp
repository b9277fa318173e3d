#pragma once
// A fresh, empty database of one test's own, on either backend: a SQLite file in its own temp folder, or a
// PostgreSQL database created on the server NEEDLEWORK_TEST_PG names (dropped afterwards). Without
// NEEDLEWORK_TEST_PG a PostgreSQL test is skipped with a message saying how to start a server, or fails
// when CI is set (scripts/test.sh starts one).
//
//   class MyTest : public ::testing::TestWithParam<Backend> { ScratchDb db_; void SetUp() {
//   db_.create(GetParam()); } }; INSTANTIATE_TEST_SUITE_P(, MyTest, ::testing::Values(Backend::sqlite,
//   Backend::postgres), backend_name);

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "../store/pg_test_util.hpp"
#include "crash_protocol.hpp"

namespace durability {

namespace fs = std::filesystem;

enum class Backend { sqlite, postgres };

inline std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::sqlite ? "sqlite" : "postgres";
}

class ScratchDb {
 public:
  ScratchDb() = default;
  ScratchDb(const ScratchDb&) = delete;
  ScratchDb& operator=(const ScratchDb&) = delete;
  ~ScratchDb() { drop(); }

  /// Creates the database; uses gtest's ASSERT/SKIP, so check `IsSkipped()`/`HasFatalFailure()` after it.
  void create(Backend backend) {
    backend_ = backend;
    std::string tmpl = (fs::path(::testing::TempDir()) / "needlework-durability-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    if (backend == Backend::sqlite) {
      where_ = (dir_ / "clinic.db").string();
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
    static std::atomic<int> counter{0};
    const std::string name = "nw_durability_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
    std::string error;
    ASSERT_TRUE(pg_exec(admin_, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)", error)) << error;
    ASSERT_TRUE(pg_exec(admin_, "CREATE DATABASE " + name, error)) << error;
    pg_db_ = name;
    where_ = pg_conninfo_with_db(admin_, name);
    ASSERT_FALSE(where_.empty()) << "NEEDLEWORK_TEST_PG is not a libpq conninfo: " << admin_;
  }

  [[nodiscard]] Backend backend() const { return backend_; }
  /// What `open_where` takes: the SQLite file, or the conninfo of the test's database.
  [[nodiscard]] const std::string& where() const { return where_; }
  [[nodiscard]] const fs::path& dir() const { return dir_; }
  needlework::Result<std::unique_ptr<needlework::store::Store>> open() const { return open_where(where_); }


 private:
  void drop() {
    if (!pg_db_.empty()) {
      std::string ignored;
      pg_exec(admin_, "DROP DATABASE IF EXISTS " + pg_db_ + " WITH (FORCE)", ignored);
      pg_db_.clear();
    }
    if (!dir_.empty()) {
      std::error_code ec;
      fs::remove_all(dir_, ec);
      dir_.clear();
    }
  }


  Backend backend_ = Backend::sqlite;
  fs::path dir_;
  std::string where_, admin_, pg_db_;
};

}  // namespace durability
