#pragma once
// The store test fixture, shared by the store test files: a fresh, empty database per test on each backend
// (a SQLite file in its own temp folder, or a PostgreSQL database of its own on the server named by
// NEEDLEWORK_TEST_PG), the ClinicStore over it, and helpers that build the usual records.
//
//   TEST_P(StoreTest, Something) { ready_client("C-1"); … }
//   NEEDLEWORK_INSTANTIATE_STORE_TESTS(StoreTest);                     // runs as …/sqlite and …/postgres
//   NEEDLEWORK_INSTANTIATE_STORE_TESTS_ON(SqliteOnly, Backend::sqlite);  // a test about one backend
//
// Without NEEDLEWORK_TEST_PG the PostgreSQL tests are skipped with a message saying how to start a server,
// or fail when CI is set (scripts/test.sh starts one). Everything here is in the global namespace of the test
// binary, with the aliases ns, nk, nu and fs.

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "needlework/knowledge/loader.hpp"
#include "needlework/store/clinic_store.hpp"
#include "needlework/store/json.hpp"
#include "needlework/store/store.hpp"
#include "support/data.hpp"
#include "support/packs.hpp"
#include "support/test_database.hpp"

namespace ns = needlework::store;
namespace nk = needlework::knowledge;
namespace nu = needlework::units;
namespace fs = std::filesystem;

inline const fs::path& test_data_dir() {
  static const fs::path dir{NEEDLEWORK_DATA_DIR};
  return dir;
}

inline const nk::Pack& seed() {
  static const nk::Pack pack = needlework::test::load_pack("seed");
  return pack;
}

inline const needlework::physics::RegionCatalog& regions() { return needlework::test::skin_regions(); }

inline nu::DateTime at(const char* text) { return *nu::parse_date_time(text); }
inline ns::Actor by(const char* when, const char* who = "ana") { return ns::Actor{who, at(when)}; }

inline nlohmann::json intake_json(const std::string& client, const std::string& date,
                                  const nlohmann::json& areas,
                                  const nlohmann::json& conditions = nlohmann::json::array()) {
  return {{"client", {{"id", client}, {"name", "Test " + client}}},
          {"date", date},
          {"setting", "clinic"},
          {"areas", areas},
          {"conditions", conditions},
          {"dermatologist_clearance",
           {{"by", "Dr. Roe"}, {"date", date}, {"reviewed", nlohmann::json::array()}}}};
}

/// A refusal whose message mentions `fragment` and, when `rule` is given, that carries the id of the rule it
/// applies (Error::rule: a pack rule's id, or one of units/refusals.hpp).
template <class T>
void expect_refused(const needlework::Result<T>& r, const std::string& fragment, std::string_view rule = {}) {
  ASSERT_FALSE(r) << "expected a refusal mentioning '" << fragment << "'";
  EXPECT_EQ(r.error().code, needlework::ErrorCode::refused) << r.error().describe();
  EXPECT_NE(r.error().message.find(fragment), std::string::npos) << r.error().describe();
  if (!rule.empty()) {
    EXPECT_EQ(r.error().rule, rule) << r.error().describe();
  }
}

class StoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::path(::testing::TempDir()) / "needlework-store-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    db_.create(backend(), dir_);
    if (IsSkipped() || HasFatalFailure()) return;
    db_path_ = db_.path();
    where_ = db_.where();
    reopen();
  }
  void TearDown() override {
    close();  // every connection to a test database ends before it is dropped
    db_.drop();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  [[nodiscard]] Backend backend() const { return GetParam(); }

  /// Opens another store on this test's database (a second connection).
  needlework::Result<std::unique_ptr<ns::Store>> open_db() {
    if (backend() == Backend::sqlite) return ns::open_sqlite(db_path_);
    return ns::open_store(where_);
  }

  void reopen(const nk::Pack& pack = seed()) {
    close();
    auto s = open_db();
    ASSERT_TRUE(s) << s.error().describe();
    store_ = std::move(*s);
    clinic_ = std::make_unique<ns::ClinicStore>(*store_, pack, ns::ClinicPhysics{.regions = &regions()},
                                                dir_ / "photos");
  }
  void close() {
    clinic_.reset();
    store_.reset();
  }

  /// Runs raw SQL on the database, as someone with direct access (not Needlework) would.
  void raw_sql(const std::string& sql) {
    std::string error;
    ASSERT_TRUE(raw_exec(sql, error)) << error;
  }
  /// Whether raw SQL succeeds (a guard in the schema refuses it when not).
  bool raw_exec_ok(const std::string& sql) {
    std::string error;
    return raw_exec(sql, error);
  }

  std::int64_t audit_count() {
    auto log = store_->audit_log();
    EXPECT_TRUE(log);
    return log ? static_cast<std::int64_t>(log->size()) : -1;
  }

  void add_client(const std::string& id, const char* when = "2026-11-20T09:00:00Z") {
    ns::ClientRecord c;
    c.id = id;
    c.name = "Test " + id;
    auto r = clinic_->add_client(by(when), c);
    ASSERT_TRUE(r) << r.error().describe();
  }

  void record_intake(const nlohmann::json& doc, const char* when = "2026-11-23T09:00:00Z") {
    auto in = needlework::clinic::parse_intake(doc, seed());
    ASSERT_TRUE(in) << in.error().describe();
    auto r = clinic_->record_intake(by(when), *in, doc);
    ASSERT_TRUE(r) << r.error().describe();
  }

  /// A client with a cleared intake for face and periorbital and a signed consent.
  void ready_client(const std::string& id) {
    add_client(id);
    record_intake(intake_json(id, "2026-11-23",
                              {{{"area", "face"}, {"concerns", {"pores"}}},
                               {{"area", "periorbital"}, {"concerns", {"fine_wrinkles"}}}}));
    auto c =
        clinic_->record_consent(by("2026-11-23T09:10:00Z"), id, "I consent to micro-needling.", "Test " + id);
    ASSERT_TRUE(c) << c.error().describe();
  }

  ns::Id roller(const char* lot, const char* serial, double mm = 1.0, const char* expiry = "2028-01-31") {
    ns::RollerSpec spec{
        lot, serial, "(01)00000000000000", "dermaroller", 192, nu::millimetres(mm), *nu::parse_date(expiry)};
    auto r = clinic_->register_roller(by("2026-11-20T09:00:00Z"), spec);
    EXPECT_TRUE(r) << r.error().describe();
    return r ? r->id : 0;
  }

  ns::Id assigned_roller(const std::string& client, const char* lot, const char* serial, double mm = 1.0) {
    const ns::Id id = roller(lot, serial, mm);
    auto r = clinic_->assign_roller(by("2026-11-20T09:05:00Z"), id, client);
    EXPECT_TRUE(r) << r.error().describe();
    return id;
  }

  /// The depth-guard warning rules of the seed pack that fire for a needle on an area (the test skin data):
  /// what a session start must acknowledge.
  static std::vector<std::string> warnings_for(const std::string& area, double mm,
                                               const char* device = "dermaroller") {
    std::vector<std::string> out;
    auto d = needlework::clinic::check_depth(seed(), &regions(), area, *seed().find_device(device),
                                             nu::millimetres(mm));
    if (!d || !*d) return out;
    for (const auto& f : (*d)->findings) {
      if (!f.verdict.within && f.action == nk::GuardAction::warn) out.push_back(f.rule);
    }
    return out;
  }

  /// Starts a session, acknowledging every depth-guard warning its roller's needle raises there (the
  /// acknowledgement rule itself is tested with explicit lists).
  needlework::Result<ns::StartedSession> start(const std::string& client, ns::Id roller_id, const char* when,
                                               const std::string& area = "face") {
    ns::SessionRequest req;
    req.client_id = client;
    req.area = area;
    req.roller_id = roller_id;
    if (auto r = store_->find_roller(roller_id); r && *r && seed().find_area(area) != nullptr) {
      req.acknowledged = warnings_for(area, nu::in_mm((*r)->needle_length), (*r)->device.c_str());
    }
    return clinic_->start_session(by(when), req);
  }

  /// Starts and finishes a session, returning its id.
  ns::Id session(const std::string& client, ns::Id roller_id, const char* start_at, const char* end_at,
                 const std::string& area = "face") {
    auto s = start(client, roller_id, start_at, area);
    EXPECT_TRUE(s) << s.error().describe();
    if (!s) return 0;
    EXPECT_TRUE(finish(s->session.id, end_at));
    return s->session.id;
  }

  /// Records every step of the session's protocol at `at`, then finishes it then.
  needlework::Result<ns::SessionRecord> finish(ns::Id session_id, const char* at) {
    auto steps = clinic_->checklist(session_id);
    if (!steps) return std::unexpected(steps.error());
    for (const auto& st : *steps) {
      if (st.done_at) continue;
      if (auto r = clinic_->record_step(by(at), session_id, st.step); !r) return std::unexpected(r.error());
    }
    return clinic_->finish_session(by(at), session_id);
  }

  TestDatabase db_;
  fs::path dir_;
  fs::path db_path_;   ///< SQLite: the database file; empty on PostgreSQL
  std::string where_;  ///< what `open_store` is given: the file path, or the test database's conninfo
  std::unique_ptr<ns::Store> store_;
  std::unique_ptr<ns::ClinicStore> clinic_;

 private:
  bool raw_exec(const std::string& sql, std::string& error) { return db_.exec(sql, error); }
};
