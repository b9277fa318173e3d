// `needlework users add --password-stdin` (issue #12): the password read from stdin is checked by the
// server's policy with the shipped common-password list and stored hashed (argon2id) in the same transaction
// as the user; a refused password leaves no user behind. Each test runs the real binary (NEEDLEWORK_BIN) on a
// SQLite database in a fresh temporary folder and reads the result back through the store.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "needlework/server/credentials.hpp"
#include "needlework/store/store.hpp"
#include "support/run.hpp"

namespace {

namespace fs = std::filesystem;
namespace ns = needlework::store;
namespace test = needlework::test;

class UsersPassword : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("nw-users-password-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_ = dir_ / "clinic.db";
  }
  void TearDown() override { fs::remove_all(dir_); }

  /// `needlework --db clinic.db --actor root --now … ARGS…` with `stdin_text` on stdin.
  test::RunResult run(std::vector<std::string> args, const std::string& stdin_text = {}) const {
    test::RunRequest r;
    r.program = NEEDLEWORK_BIN;
    r.args = {"--db", db_.string(), "--actor", "root", "--now", "2026-11-20T08:00:00Z"};
    r.args.insert(r.args.end(), args.begin(), args.end());
    r.cwd = NEEDLEWORK_SOURCE_DIR;
    r.env.emplace("NEEDLEWORK_DATA", NEEDLEWORK_DATA_DIR);
    r.unset_env = {"NEEDLEWORK_DB", "NEEDLEWORK_MAX_INPUT_MB"};
    r.stdin_text = stdin_text;
    auto out = test::run(r);
    EXPECT_TRUE(out.failure.empty() && !out.timed_out) << out.failure;
    return out;
  }

  std::unique_ptr<ns::Store> open() const {
    auto s = ns::open_sqlite(db_);
    EXPECT_TRUE(s) << s.error().describe();
    return s ? std::move(*s) : nullptr;
  }

  fs::path dir_;
  fs::path db_;
};

TEST_F(UsersPassword, ThePasswordIsStoredHashedWithTheUserAndVerifies) {
  const std::string password = "tulip meadow copper lantern";
  const auto r = run({"users", "add", "ana", "--role", "admin", "--password-stdin"}, password + "\n");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("user ana (admin) added with a password"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find(password), std::string::npos) << "the password is never printed";

  auto store = open();
  ASSERT_TRUE(store);
  auto user = store->find_user_by_name("ana");
  ASSERT_TRUE(user && *user);
  EXPECT_EQ((*user)->role, "admin");
  auto c = store->find_credential((*user)->id);
  ASSERT_TRUE(c) << c.error().describe();
  ASSERT_TRUE(*c) << "no credential stored";
  EXPECT_TRUE((*c)->password_hash.starts_with("$argon2id$")) << (*c)->password_hash;
  EXPECT_NE((*c)->password_hash.find("m=65536,t=2"), std::string::npos) << "the interactive cost";
  EXPECT_TRUE(needlework::server::verify_password((*c)->password_hash, password))
      << "the final newline is not part of the password";
  EXPECT_FALSE(needlework::server::verify_password((*c)->password_hash, password + "\n"));
  EXPECT_FALSE((*c)->must_change);
  EXPECT_FALSE((*c)->disabled);
  EXPECT_EQ((*c)->changed_at, *needlework::units::parse_date_time("2026-11-20T08:00:00Z"));

  auto log = store->audit_log();
  ASSERT_TRUE(log);
  ASSERT_EQ(log->size(), 2u) << "the user and the credential";
  EXPECT_EQ((*log)[0].action, "insert");
  EXPECT_EQ((*log)[1].action, "set_credential");
  EXPECT_EQ((*log)[1].actor, "root");
  auto check = store->verify_audit();
  ASSERT_TRUE(check);
  EXPECT_TRUE(check->ok) << check->problem;
}

TEST_F(UsersPassword, WithoutTheFlagTheUserHasNoLogin) {
  const auto r = run({"users", "add", "bea", "--role", "reception"}, "ignored password line\n");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto store = open();
  ASSERT_TRUE(store);
  auto user = store->find_user_by_name("bea");
  ASSERT_TRUE(user && *user);
  auto c = store->find_credential((*user)->id);
  ASSERT_TRUE(c);
  EXPECT_FALSE(*c);
}

TEST_F(UsersPassword, ARefusedPasswordExits3NamingTheOptionAndAddsNoUser) {
  struct Case {
    std::string stdin_text, fragment;
  };
  const std::vector<Case> cases{
      {"short\n", "at least 12"},
      {"password\n", "at least 12"},
      {"unbelievable\n", "most common passwords"},  // 12 characters, on the shipped list
      {"CAROLINE.LONGNAME\n", "user's name"},
      {"", "at least 12"},
      {"first line of two\nsecond line here\n", "one line"},
  };
  for (const auto& c : cases) {
    const auto r = run({"users", "add", "caroline.longname", "--role", "practitioner", "--password-stdin"},
                       c.stdin_text);
    EXPECT_EQ(r.exit_code, 3) << c.stdin_text << r.out << r.err;
    EXPECT_NE(r.err.find("--password-stdin"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(c.fragment), std::string::npos) << r.err;
  }
  auto store = open();
  ASSERT_TRUE(store);
  auto user = store->find_user_by_name("caroline.longname");
  ASSERT_TRUE(user);
  EXPECT_FALSE(*user) << "a refused password leaves no user behind";
  auto log = store->audit_log();
  ASSERT_TRUE(log);
  EXPECT_TRUE(log->empty());
}

TEST_F(UsersPassword, AUserRefusedAfterThePasswordLeavesNoCredential) {
  ASSERT_EQ(run({"users", "add", "ana", "--role", "admin"}).exit_code, 0);
  const auto r = run({"users", "add", "ana", "--role", "admin", "--password-stdin"}, "tulip meadow copper\n");
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.err.find("already exists"), std::string::npos) << r.err;
  auto store = open();
  ASSERT_TRUE(store);
  auto user = store->find_user_by_name("ana");
  ASSERT_TRUE(user && *user);
  auto c = store->find_credential((*user)->id);
  ASSERT_TRUE(c);
  EXPECT_FALSE(*c) << "the existing user did not get the password";
}

}  // namespace
