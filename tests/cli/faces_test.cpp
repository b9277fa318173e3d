// The CLI's faces (issue #11) on a real database: every number option refused by its field's one rule
// leaves the records as they were; inputs are bounded; every text printed to the terminal is escaped, also
// text changed in the database behind the application's back; the list and show commands; the backup file
// goes through a temporary file of its own. Each test runs the real binary (NEEDLEWORK_BIN) in a fresh
// temporary folder on a SQLite database it builds with the CLI itself.

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "support/run.hpp"

namespace {

namespace fs = std::filesystem;
namespace test = needlework::test;
using nlohmann::json;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class Faces : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("nw-faces-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_ = dir_ / "clinic.db";
    std::ofstream(dir_ / "consent.txt") << "I consent to micro-needling of the face.\n";
  }
  void TearDown() override { fs::remove_all(dir_); }

  /// `needlework --db clinic.db ARGS…` from the source folder, with `env` added.
  test::RunResult run(std::vector<std::string> args, const std::map<std::string, std::string>& env = {},
                      const std::string& stdin_text = {}) const {
    test::RunRequest r;
    r.program = NEEDLEWORK_BIN;
    r.args = {"--db", db_.string()};
    r.args.insert(r.args.end(), args.begin(), args.end());
    r.cwd = NEEDLEWORK_SOURCE_DIR;
    r.env = env;
    r.env.emplace("NEEDLEWORK_DATA", NEEDLEWORK_DATA_DIR);
    r.unset_env = {"NEEDLEWORK_DB", "NEEDLEWORK_MAX_INPUT_MB", "NEEDLEWORK_MAX_PHOTO_MB"};
    r.stdin_text = stdin_text;
    auto out = test::run(r);
    EXPECT_TRUE(out.failure.empty() && !out.timed_out) << out.failure;
    return out;
  }

  /// Runs with --json and --actor ana; the exit code must be `expected`; returns stdout parsed.
  json run_json(std::vector<std::string> args, int expected = 0) const {
    args.insert(args.begin(), {"--json", "--actor", "ana"});
    const auto r = run(args);
    EXPECT_EQ(r.exit_code, expected) << "stdout:\n" << r.out << "\nstderr:\n" << r.err;
    auto j = json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.out;
    return j;
  }

  /// The whole audit log as JSON: any write to the records adds an entry, so an equal log means nothing
  /// stored changed.
  std::string audit_log() const {
    const auto r = run({"--json", "audit", "log"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }

  /// A client screened and consented, a roller assigned, an appointment booked; returns the roller id.
  std::int64_t ready_client() const {
    run_json({"users", "add", "ana", "--role", "practitioner", "--now", "2026-11-23T07:00:00Z"});
    run_json({"clients", "add", "C-0001", "--name", "Ana Example", "--born", "1988-03-14", "--now",
              "2026-11-23T08:00:00Z"});
    run_json({"intake", "examples/intake-cleared.json", "--now", "2026-11-23T09:00:00Z"});
    run_json({"consent", "sign", "C-0001", "--text-file", (dir_ / "consent.txt").string(), "--signer",
              "Ana Example", "--now", "2026-11-23T09:05:00Z"});
    const auto roller = run_json({"roller", "register", "--lot", "L-2026-11", "--serial", "0001", "--device",
                                  "dermaroller", "--needles", "192", "--needle-mm", "1.0", "--expiry",
                                  "2028-01-31", "--now", "2026-11-23T08:30:00Z"})
                            .value("id", std::int64_t{0});
    run_json({"roller", "assign", std::to_string(roller), "C-0001", "--now", "2026-11-23T09:10:00Z"});
    run_json({"appointment", "book", "C-0001", "--area", "face", "--needle-mm", "1.0", "--at",
              "2026-11-24T10:00:00Z", "--now", "2026-11-23T10:00:00Z"});
    return roller;
  }

  /// A finished session of the ready client, a see-a-doctor follow-up and so an open escalation; returns
  /// the session id.
  std::string session_with_escalation(std::int64_t roller) const {
    // 1 mm on the face raises the DEPTH.thin_skin warning (docs/physics.md): the practitioner acknowledges
    // it.
    auto started =
        run_json({"session", "start", "C-0001", "--area", "face", "--acknowledge", "DEPTH.thin_skin",
                  "--roller", std::to_string(roller), "--appointment", "1", "--now", "2026-11-24T10:00:00Z"});
    const auto sid = std::to_string(started["session"].value("id", 0));
    for (const auto& item : started["protocol"]["steps"]) {
      run_json({"session", "step", sid, item.value("step", ""), "--now", "2026-11-24T10:30:00Z"});
    }
    run_json({"session", "chart", sid, "--passes", "4", "--density-per-cm2", "61.2", "--effective-depth-mm",
              "0.35", "--note", "even erythema", "--now", "2026-11-24T10:40:00Z"});
    run_json({"session", "finish", sid, "--now", "2026-11-24T11:00:00Z"});
    run_json({"session", "followup", sid, "--observed", "redness", "--now", "2026-11-25T13:00:00Z"}, 5);
    return sid;
  }

  /// Changes the database behind the application's back, as someone with the file could.
  void raw_sql(const std::string& sql) const {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_.c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    const std::string message = error != nullptr ? error : "";
    sqlite3_free(error);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK) << message;
  }

  fs::path dir_, db_;
};

TEST_F(Faces, BadNumbersAreRefusedByTheFieldsRuleAndNothingStoredChanges) {
  const auto roller = ready_client();
  const auto sid = session_with_escalation(roller);
  const std::string before = audit_log();
  struct Bad {
    std::vector<std::string> args;
    int exit;
    std::string option, says;
  };
  const std::string r = std::to_string(roller);
  const std::vector<Bad> bad{
      {{"appointment", "book", "C-0001", "--area", "face", "--needle-mm", "inf", "--at",
        "2026-12-24T10:00:00Z"},
       3,
       "--needle-mm",
       "is not a number"},
      {{"appointment", "book", "C-0001", "--area", "face", "--needle-mm", "1e400", "--at",
        "2026-12-24T10:00:00Z"},
       3,
       "--needle-mm",
       "out of range"},
      {{"appointment", "book", "C-0001", "--area", "face", "--needle-mm", "50", "--at",
        "2026-12-24T10:00:00Z"},
       3,
       "--needle-mm",
       "out of range"},
      {{"appointment", "book", "C-0001", "--area", "face", "--needle-mm", "1", "--at", "2026-12-24T10:00:00Z",
        "--course", "99999999999999999999"},
       3,
       "--course",
       "out of range"},
      {{"session", "chart", sid, "--density-per-cm2", "1e308"}, 3, "--density-per-cm2", "out of range"},
      {{"session", "chart", sid, "--passes", "0x10"}, 3, "--passes", "is not a number"},
      {{"session", "chart", sid, "--passes", "-1"}, 3, "--passes", "out of range"},
      {{"session", "chart", sid, "--effective-depth-mm", "nan"},
       3,
       "--effective-depth-mm",
       "is not a number"},
      {{"session", "chart", sid, "--dose-from-physics", "--seed", "18446744073709551616"},
       3,
       "--seed",
       "out of range"},
      {{"session", "start", "C-0001", "--area", "face", "--roller", "99999999999999999999"},
       3,
       "--roller",
       "out of range"},
      {{"roller", "dispose", "1e0", "--reason", "x"}, 3, "roller", "not a whole number"},
      {{"roller", "register", "--lot", "L-2", "--serial", "2", "--device", "dermaroller", "--needles", "0x10",
        "--needle-mm", "1", "--expiry", "2028-01-31"},
       3,
       "--needles",
       "is not a number"},
      {{"roller", "register", "--lot", "L-2", "--serial", "2", "--device", "dermaroller", "--needles", "192",
        "--needle-mm", "-0.5", "--expiry", "2028-01-31"},
       3,
       "--needle-mm",
       "out of range"},
      {{"escalation", "close", "1e400", "--note", "x"}, 3, "escalation", "not a whole number"},
      {{"photo", "add", "C-0001", "examples/intake-cleared.json", "--kind", "before", "--session", "0"},
       3,
       "--session",
       "out of range"},
  };
  for (const auto& b : bad) {
    auto args = b.args;
    args.insert(args.begin(), {"--actor", "ana", "--now", "2026-11-26T09:00:00Z"});
    const auto o = run(args);
    std::string line;
    for (const auto& a : b.args) line += a + " ";
    EXPECT_EQ(o.exit_code, b.exit) << line << "\n" << o.err;
    EXPECT_NE(o.err.find(b.option + ": "), std::string::npos) << line << "\n" << o.err;
    EXPECT_NE(o.err.find(b.says), std::string::npos) << line << "\n" << o.err;
    EXPECT_EQ(o.err.find("9223372036854775807"), std::string::npos) << line << "\n" << o.err;
  }
  EXPECT_EQ(audit_log(), before);
}

TEST_F(Faces, TheSameNeedleLengthIsRefusedTheSameWayInAJsonFile) {
  // One rule per field: a session file with the value --needle-mm refuses gets the same answer.
  const auto file = dir_ / "session.json";
  auto doc = json::parse(read_file(fs::path(NEEDLEWORK_SOURCE_DIR) / "examples" / "session.json"));
  doc["needle_length_mm"] = 50;
  std::ofstream(file) << doc.dump();
  const auto from_json = run({"protocol", file.string()});
  const auto from_option = run({"--actor", "ana", "appointment", "book", "C-1", "--area", "face",
                                "--needle-mm", "50", "--at", "2026-12-24T10:00:00Z"});
  EXPECT_EQ(from_json.exit_code, 3) << from_json.err;
  EXPECT_EQ(from_option.exit_code, 3) << from_option.err;
  const std::string says = "50 mm is out of range: it must be above 0 and at most 5 mm";
  EXPECT_NE(from_json.err.find(says), std::string::npos) << from_json.err;
  EXPECT_NE(from_option.err.find(says), std::string::npos) << from_option.err;
}

TEST_F(Faces, InputsBeyondTheirLimitAreRefusedBeforeTheyAreRead) {
  const auto big = dir_ / "big.json";
  {
    std::ofstream out(big, std::ios::binary);
    out << std::string(2 * 1024 * 1024, ' ') << "{}";
  }
  const auto file = run({"screen", big.string()}, {{"NEEDLEWORK_MAX_INPUT_MB", "1"}});
  EXPECT_EQ(file.exit_code, 3) << file.err;
  EXPECT_NE(file.err.find("larger than the 1 MiB limit"), std::string::npos) << file.err;
  EXPECT_NE(file.err.find("NEEDLEWORK_MAX_INPUT_MB"), std::string::npos) << file.err;

  const auto piped = run({"screen", "-"}, {{"NEEDLEWORK_MAX_INPUT_MB", "1"}}, read_file(big));
  EXPECT_EQ(piped.exit_code, 3) << piped.err;
  EXPECT_NE(piped.err.find("<stdin>: is larger than the 1 MiB limit"), std::string::npos) << piped.err;

  // The limit is the user's to raise: the same file is read (and found empty of an intake) with more room.
  const auto raised = run({"screen", big.string()}, {{"NEEDLEWORK_MAX_INPUT_MB", "4"}});
  EXPECT_EQ(raised.exit_code, 3) << raised.err;
  EXPECT_EQ(raised.err.find("limit"), std::string::npos) << raised.err;

  // Photos have their own limit, and a refused photo stores nothing.
  ready_client();
  const std::string before = audit_log();
  const auto photo = run({"--actor", "ana", "photo", "add", "C-0001", big.string(), "--kind", "before"},
                         {{"NEEDLEWORK_MAX_PHOTO_MB", "1"}});
  EXPECT_EQ(photo.exit_code, 3) << photo.err;
  EXPECT_NE(photo.err.find("limit for photos"), std::string::npos) << photo.err;
  EXPECT_EQ(audit_log(), before);
}

TEST_F(Faces, EveryRendererEscapesTextChangedBehindTheApplicationsBack) {
  const auto roller = ready_client();
  const auto sid = session_with_escalation(roller);
  const std::string forged = "Ana\x1b[31m\nneedlework: forged\xff";
  const std::string shown = "Ana\\x1b[31m\\nneedlework: forged\\xff";
  raw_sql(
      "UPDATE clients SET name = 'Ana' || char(27) || '[31m' || char(10) || 'needlework: forged' || "
      "CAST(X'FF' AS TEXT) WHERE id = 'C-0001'");
  raw_sql("UPDATE appointments SET area = 'face' || char(27) || '[2J'");
  raw_sql("UPDATE rollers SET lot = 'L' || char(10) || 'x'");
  raw_sql("UPDATE escalations SET reason = 'red' || char(27) || '[0m' || char(10) || '99 forged'");
  raw_sql("UPDATE users SET role = 'admin' || char(10) || 'eve admin'");
  const std::vector<std::vector<std::string>> commands{
      {"clients", "show", "C-0001"},
      {"clients", "find", "Ana"},
      {"appointment", "list", "--from", "2026-11-01"},
      {"roller", "list"},
      {"roller", "recall", "L\nx"},
      {"escalation", "list", "--all"},
      {"users", "list"},
      {"session", "show", sid},
      {"audit", "log"},
      {"due", "--now", "2026-11-26T09:00:00Z"},
  };
  for (const auto& c : commands) {
    const auto o = run(c);
    std::string line;
    for (const auto& a : c) line += a + " ";
    EXPECT_EQ(o.out.find('\x1b'), std::string::npos) << line << ":\n" << o.out;
    EXPECT_EQ(o.out.find("\nneedlework: forged"), std::string::npos) << line << ":\n" << o.out;
    EXPECT_EQ(o.out.find("\n99 forged"), std::string::npos) << line << ":\n" << o.out;
    EXPECT_EQ(o.out.find("\neve admin"), std::string::npos) << line << ":\n" << o.out;
    EXPECT_EQ(o.out.find('\xff'), std::string::npos) << line << ":\n" << o.out;
  }
  EXPECT_NE(run({"clients", "show", "C-0001"}).out.find(shown), std::string::npos);
  EXPECT_NE(run({"escalation", "list"}).out.find("red\\x1b[0m\\n99 forged"), std::string::npos);
  (void)forged;
}

TEST_F(Faces, AnActorIsANameAndTheAuditLogCannotBeForged) {
  ready_client();
  const std::string before = audit_log();
  const auto o =
      run({"--actor", "ana\n     9 2026-11-23T00:00:00Z root", "clients", "add", "C-0002", "--name", "Bo"});
  EXPECT_EQ(o.exit_code, 3) << o.err;
  EXPECT_NE(o.err.find("--actor: must not contain control characters"), std::string::npos) << o.err;
  EXPECT_EQ(o.err.find("\n     9"), std::string::npos) << o.err;
  EXPECT_EQ(audit_log(), before);
}

TEST_F(Faces, ClosingAnEscalationWithoutActorSaysToPassActor) {
  const auto sid = session_with_escalation(ready_client());
  const auto o = run({"escalation", "close", "1", "--note", "seen", "--now", "2026-11-25T14:00:00Z"},
                     {{"USER", "nobody"}});
  EXPECT_EQ(o.exit_code, 3) << o.err;
  EXPECT_NE(o.err.find("--actor: "), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("pass --actor NAME"), std::string::npos) << o.err;
  EXPECT_EQ(o.err.find("users add nobody"), std::string::npos) << o.err;
  (void)sid;
}

TEST_F(Faces, ListAndShowWhereAPersonWouldLook) {
  const auto roller = ready_client();
  const auto sid = session_with_escalation(roller);
  run_json({"roller", "register", "--lot", "L-2027-01", "--serial", "0002", "--device", "dermaroller",
            "--needles", "192", "--needle-mm", "0.5", "--expiry", "2028-01-31", "--now",
            "2026-11-23T08:30:00Z"});
  run_json({"appointment", "book", "C-0001", "--area", "face", "--needle-mm", "1.0", "--at",
            "2026-12-24T10:00:00Z", "--now", "2026-11-25T10:00:00Z"});

  const auto users = run_json({"users", "list"});
  ASSERT_EQ(users.size(), 1u);
  EXPECT_EQ(users[0]["name"], "ana");
  EXPECT_NE(run({"users", "list"}).out.find("practitioner"), std::string::npos);

  // Appointments: from today (--now) on by default; by client and by date range.
  const auto upcoming = run_json({"appointment", "list", "--now", "2026-11-26T09:00:00Z"});
  ASSERT_EQ(upcoming.size(), 1u);
  EXPECT_EQ(upcoming[0]["at"], "2026-12-24T10:00:00Z");
  EXPECT_EQ(run_json({"appointment", "list", "--from", "2026-11-01"}).size(), 2u);
  EXPECT_EQ(run_json({"appointment", "list", "--from", "2026-11-24", "--to", "2026-11-24"}).size(), 1u);
  EXPECT_EQ(run_json({"appointment", "list", "--client", "C-0001", "--from", "2026-11-01"}).size(), 2u);
  EXPECT_TRUE(run_json({"appointment", "list", "--client", "C-0002", "--from", "2026-11-01"}).empty());
  EXPECT_NE(run({"appointment", "list", "--from", "2026-11-01"}).out.find("C-0001"), std::string::npos);

  // Escalations: open by default, every one with --all.
  EXPECT_EQ(run_json({"escalation", "list"}).size(), 1u);
  run_json({"escalation", "close", "1", "--note", "seen by Dr. Roe", "--now", "2026-11-25T15:00:00Z"});
  EXPECT_TRUE(run_json({"escalation", "list"}).empty());
  const auto all = run_json({"escalation", "list", "--all"});
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0]["closed_by"], "ana");

  // Rollers: by state and lot.
  EXPECT_EQ(run_json({"roller", "list"}).size(), 2u);
  const auto used = run_json({"roller", "list", "--state", "used"});
  ASSERT_EQ(used.size(), 1u);
  EXPECT_EQ(used[0]["id"], roller);
  EXPECT_EQ(run_json({"roller", "list", "--state", "new", "--lot", "L-2027-01"}).size(), 1u);
  EXPECT_TRUE(run_json({"roller", "list", "--state", "new", "--lot", "L-2026-11"}).empty());

  // One session: record, chart, steps, follow-ups, escalations.
  const auto shown = run_json({"session", "show", sid});
  EXPECT_EQ(shown["session"]["passes"], 4);
  EXPECT_EQ(shown["session"]["density_per_cm2"], 61.2);
  EXPECT_FALSE(shown["steps"].empty());
  ASSERT_EQ(shown["followups"].size(), 1u);
  EXPECT_EQ(shown["followups"][0]["triage"], "see_doctor");
  EXPECT_EQ(shown["escalations"].size(), 1u);
  const auto text = run({"session", "show", sid});
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("passes 4"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("see_doctor"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("notes: ["), std::string::npos) << text.out;
}

TEST_F(Faces, BackupGoesThroughATemporaryFileOfItsOwn) {
  ready_client();
  // A file that happens to bear the old fixed temporary name is never touched.
  std::ofstream(dir_ / "copy.db.partial") << "mine";
  const auto made = run({"backup", (dir_ / "copy.db").string()});
  EXPECT_EQ(made.exit_code, 0) << made.err;
  EXPECT_EQ(read_file(dir_ / "copy.db.partial"), "mine");
  for (const auto& e : fs::directory_iterator(dir_)) {
    EXPECT_EQ(e.path().filename().string().find(".partial-"), std::string::npos) << "left over: " << e.path();
  }
  // Never onto the database's own files, whatever the spelling, and never over an existing file.
  for (const auto& target : {db_.string() + "-wal", (dir_ / "." / "clinic.db-journal").string()}) {
    const auto onto = run({"backup", target});
    EXPECT_EQ(onto.exit_code, 3) << target << ": " << onto.err;
    EXPECT_NE(onto.err.find("open database"), std::string::npos) << onto.err;
  }
  const std::string copy = read_file(dir_ / "copy.db");
  const auto again = run({"backup", (dir_ / "copy.db").string()});
  EXPECT_EQ(again.exit_code, 3) << again.err;
  EXPECT_EQ(read_file(dir_ / "copy.db"), copy);
}

}  // namespace
