#pragma once
// A fresh, empty database of one test's own, on either backend: a SQLite file in its own temp folder, or a
// PostgreSQL database created on the server NEEDLEWORK_TEST_PG names (dropped afterwards). Without
// NEEDLEWORK_TEST_PG a PostgreSQL test is skipped with a message saying how to start a server, or fails
// when CI is set (scripts/test.sh starts one). The database itself is tests/support/test_database.hpp's.
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

#include "crash_protocol.hpp"
#include "support/test_database.hpp"

namespace durability {

namespace fs = std::filesystem;

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
    db_.create(backend, dir_);
  }

  [[nodiscard]] Backend backend() const { return backend_; }
  /// What `open_where` takes: the SQLite file, or the conninfo of the test's database.
  [[nodiscard]] const std::string& where() const { return db_.where(); }
  [[nodiscard]] const fs::path& dir() const { return dir_; }
  needlework::Result<std::unique_ptr<needlework::store::Store>> open() const { return open_where(where()); }

 private:
  void drop() {
    db_.drop();
    if (!dir_.empty()) {
      std::error_code ec;
      fs::remove_all(dir_, ec);
      dir_.clear();
    }
  }

  Backend backend_ = Backend::sqlite;
  fs::path dir_;
  TestDatabase db_;
};

}  // namespace durability
