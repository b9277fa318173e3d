// The store commands of the `needlework` binary end to end, on a fresh database per test, on SQLite (--db
// FILE) and on PostgreSQL (--db postgresql://…, and $NEEDLEWORK_DB): the whole clinic flow headless, the
// refusals with their exit codes, and `audit verify` on a tampered database. tests/cli/cases.json cannot give
// each case its own database, so these run the binary themselves (support/run.hpp, no shell).

#include <map>
#include <vector>

#include "store_fixture.hpp"
#include "support/run.hpp"

using nlohmann::json;

namespace {

struct Outcome {
  int exit_code = -1;
  std::string out, err;
};

class StoreCli : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::path(::testing::TempDir()) / "needlework-cli-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    std::ofstream(dir_ / "consent.txt") << "I consent to micro-needling of the face.\n";
    database_.create(GetParam(), dir_);
    if (IsSkipped() || HasFatalFailure()) return;
    db_ = database_.cli_where();
  }
  void TearDown() override {
    database_.drop();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  /// Runs `needlework --db <db> --actor ana ARGS…` from the source directory (no --db when db_ is empty),
  /// with `env` set in the child's environment (support/run.hpp).
  Outcome run(std::vector<std::string> args, const std::map<std::string, std::string>& env = {}) {
    needlework::test::RunRequest request;
    request.program = NEEDLEWORK_BIN;
    if (!db_.empty()) request.args.insert(request.args.end(), {"--db", db_});
    // A PostgreSQL database has no folder for photos beside it: name one (SQLite keeps the default).
    if (GetParam() == Backend::postgres)
      request.args.insert(request.args.end(), {"--photos", (dir_ / "photos").string()});
    request.args.insert(request.args.end(), {"--actor", "ana"});
    request.args.insert(request.args.end(), args.begin(), args.end());
    request.cwd = NEEDLEWORK_SOURCE_DIR;
    request.env = env;
    const auto r = needlework::test::run(request);
    EXPECT_TRUE(r.failure.empty() && !r.timed_out) << r.failure << (r.timed_out ? "timed out" : "");
    return Outcome{r.exit_code, r.out, r.err};
  }

  /// Runs with --json and parses stdout; the exit code must be `expected`.
  json run_json(std::vector<std::string> args, int expected = 0) {
    args.push_back("--json");
    const auto r = run(args);
    EXPECT_EQ(r.exit_code, expected) << "stdout:\n" << r.out << "\nstderr:\n" << r.err;
    auto j = json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.out;
    return j;
  }

  void ready_client() {
    run_json({"clients", "add", "C-0001", "--name", "Ana Example", "--born", "1988-03-14", "--now",
              "2026-11-23T08:00:00Z"});
    run_json({"intake", "examples/intake-cleared.json", "--now", "2026-11-23T09:00:00Z"});
    run_json({"consent", "sign", "C-0001", "--text-file", (dir_ / "consent.txt").string(), "--signer",
              "Ana Example", "--now", "2026-11-23T09:05:00Z"});
  }

  std::int64_t roller(const std::string& serial, const std::string& mm = "1.0") {
    auto j = run_json({"roller", "register", "--lot", "L-2026-11", "--serial", serial, "--device",
                       "dermaroller", "--needles", "192", "--needle-mm", mm, "--expiry", "2028-01-31",
                       "--udi", "(01)01234567890128", "--now", "2026-11-23T08:30:00Z"});
    return j.value("id", std::int64_t{0});
  }

  TestDatabase database_;
  fs::path dir_;
  std::string db_;  ///< what --db is given
};

TEST_P(StoreCli, TheWholeFlowRunsHeadless) {
  ready_client();
  const auto r = roller("0001");
  ASSERT_GT(r, 0);
  run_json({"roller", "assign", std::to_string(r), "C-0001", "--now", "2026-11-24T09:55:00Z"});
  auto appt = run_json({"appointment", "book", "C-0001", "--area", "face", "--needle-mm", "1.0", "--at",
                        "2026-11-24T10:00:00Z", "--now", "2026-11-23T10:00:00Z"});
  // 1.0 mm on the face raises the seed pack's thin-skin warning: refused until acknowledged (#9).
  auto unacknowledged =
      run({"session", "start", "C-0001", "--area", "face", "--roller", std::to_string(r), "--appointment",
           std::to_string(appt.value("id", 0)), "--now", "2026-11-24T10:00:00Z"});
  EXPECT_EQ(unacknowledged.exit_code, 5) << unacknowledged.err;
  EXPECT_NE(unacknowledged.err.find("DEPTH.thin_skin"), std::string::npos) << unacknowledged.err;
  EXPECT_NE(unacknowledged.err.find("% of punctures stay within the dermis"), std::string::npos)
      << unacknowledged.err;
  EXPECT_NE(unacknowledged.err.find("--acknowledge DEPTH.thin_skin"), std::string::npos)
      << unacknowledged.err;
  EXPECT_TRUE(run_json({"clients", "show", "C-0001"})["sessions"].empty()) << "nothing stored";
  auto refusing = run({"session", "start", "C-0001", "--area", "face", "--roller", std::to_string(r),
                       "--acknowledge", "DEPTH.within_dermis", "--now", "2026-11-24T10:00:00Z"});
  EXPECT_EQ(refusing.exit_code, 5) << refusing.err;
  EXPECT_NE(refusing.err.find("--acknowledge"), std::string::npos) << refusing.err;
  auto started = run_json({"session", "start", "C-0001", "--area", "face", "--roller", std::to_string(r),
                           "--appointment", std::to_string(appt.value("id", 0)), "--acknowledge",
                           "DEPTH.thin_skin", "--now", "2026-11-24T10:00:00Z"});
  EXPECT_EQ(started["session"]["acknowledged"], json::array({"DEPTH.thin_skin"}));
  const auto sid = std::to_string(started["session"].value("id", 0));
  EXPECT_FALSE(started["protocol"]["steps"].empty());
  run_json({"session", "step", sid, "STEP.cleanse", "--now", "2026-11-24T10:01:00Z"});
  auto charted =
      run_json({"session", "chart", sid, "--passes", "4", "--density-per-cm2", "61.2", "--effective-depth-mm",
                "0.35", "--note", "even erythema", "--now", "2026-11-24T10:40:00Z"});
  EXPECT_EQ(charted["passes"], 4);
  EXPECT_EQ(charted["density_per_cm2"], 61.2);
  // A zone of the face charted on its own (#13): its dose from physics on that region, kept for the zone and
  // listed by `session show`; a region of another area is refused naming --zone and the area's zones.
  run_json({"session", "chart", sid, "--zone", "cheek", "--passes", "10", "--now", "2026-11-24T10:41:00Z"});
  auto neck =
      run({"session", "chart", sid, "--zone", "neck", "--passes", "10", "--now", "2026-11-24T10:42:00Z"});
  EXPECT_NE(neck.exit_code, 0);
  EXPECT_NE(neck.err.find("--zone"), std::string::npos) << neck.err;
  EXPECT_NE(neck.err.find("cheek"), std::string::npos) << neck.err;
  auto with_zone = run_json({"session", "show", sid});
  ASSERT_EQ(with_zone["zones"].size(), 1u) << with_zone.dump();
  EXPECT_EQ(with_zone["zones"][0]["zone"], "cheek");
  EXPECT_EQ(with_zone["zones"][0]["passes"], 10);
  EXPECT_EQ(with_zone["session"]["passes"], 4) << "the session's own chart is left as it was";
  const auto shown = run({"session", "show", sid});
  EXPECT_NE(shown.out.find("zones charted: 1"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("zone cheek: 10 passes"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("depth by layer: epidermis"), std::string::npos) << shown.out;
  for (const auto& item : started["protocol"]["steps"]) {  // the rest of the checklist, ticked off
    const std::string step = item.value("step", "");
    if (step != "STEP.cleanse") run_json({"session", "step", sid, step, "--now", "2026-11-24T10:50:00Z"});
  }
  auto finished = run_json({"session", "finish", sid, "--now", "2026-11-24T11:00:00Z"});
  EXPECT_EQ(finished["finished_at"], "2026-11-24T11:00:00Z");

  {
    std::ofstream(dir_ / "before.png", std::ios::binary) << std::string("\x89PNG\r\n\x1a\n pretend", 16);
    auto photo = run_json({"photo", "add", "C-0001", (dir_ / "before.png").string(), "--kind", "before",
                           "--session", sid, "--now", "2026-11-24T10:02:00Z"});
    EXPECT_EQ(photo["media_type"], "image/png");
    EXPECT_TRUE(fs::exists(dir_ / "photos" / photo.value("sha256", std::string("xx")).substr(0, 2) /
                           photo.value("sha256", std::string())));
    EXPECT_EQ(run({"photo", "check", "C-0001"}).exit_code, 0);
  }
  auto outbox = run_json({"outbox", "list"});
  ASSERT_EQ(outbox.size(), 1u);
  EXPECT_EQ(outbox[0]["kind"], "aftercare");
  const auto sheet = run({"outbox", "show", std::to_string(outbox[0].value("id", 0))});
  EXPECT_EQ(sheet.exit_code, 0) << sheet.err;
  EXPECT_NE(sheet.out.find("To client C-0001"), std::string::npos) << sheet.out;
  // The stored sheet says why its windows are what they are, from the resealing data (data/physics).
  EXPECT_NE(sheet.out.find("Why these windows"), std::string::npos) << sheet.out;
  EXPECT_NE(sheet.out.find("PMC8259462"), std::string::npos) << sheet.out;
  run_json({"outbox", "sent", std::to_string(outbox[0].value("id", 0)), "--now", "2026-11-24T11:05:00Z"});
  EXPECT_TRUE(run_json({"outbox", "list"}).empty());

  // An early check (2 h after) is recorded; the 24-hour follow-up stays due (#11).
  auto early =
      run_json({"session", "followup", sid, "--observed", "redness", "--now", "2026-11-24T13:00:00Z"});
  EXPECT_EQ(early["followup"]["triage"], "normal");
  auto due = run_json({"due", "--now", "2026-11-25T09:00:00Z"});
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0]["kind"], "followup");

  auto fu =
      run_json({"session", "followup", sid, "--observed", "redness", "--now", "2026-11-25T13:00:00Z"}, 5);
  EXPECT_EQ(fu["followup"]["triage"], "see_doctor");
  const auto esc = std::to_string(fu["escalation"].value("id", 0));
  auto due2 = run_json({"due", "--now", "2026-11-25T14:00:00Z"});
  ASSERT_EQ(due2.size(), 1u);
  EXPECT_EQ(due2[0]["kind"], "escalation");
  auto stranger = run({"escalation", "close", esc, "--note", "seen", "--now", "2026-11-25T14:30:00Z"});
  EXPECT_EQ(stranger.exit_code, 3);
  EXPECT_NE(stranger.err.find("not a registered user"), std::string::npos) << stranger.err;
  run_json({"users", "add", "ana", "--role", "practitioner", "--now", "2026-11-25T14:40:00Z"});
  run_json({"escalation", "close", esc, "--note", "seen by Dr. Roe", "--now", "2026-11-25T15:00:00Z"});
  EXPECT_TRUE(run_json({"due", "--now", "2026-11-25T16:00:00Z"}).empty());

  auto recall = run_json({"roller", "recall", "L-2026-11"});
  EXPECT_EQ(recall["clients"], json::array({"C-0001"}));
  EXPECT_EQ(recall["sessions"].size(), 1u);

  auto history = run_json({"clients", "show", "C-0001"});
  EXPECT_EQ(history["sessions"].size(), 1u);
  EXPECT_EQ(history["sessions"][0]["acknowledged"], json::array({"DEPTH.thin_skin"}));
  EXPECT_EQ(history["escalations"][0]["open"], false);

  const auto text = run({"audit", "verify"});
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("audit log OK"), std::string::npos) << text.out;
}

TEST_P(StoreCli, RollerRecallWithAReasonRecordsItAndItsRollersAreRefusedWithTheHint) {
  ready_client();
  const auto r = std::to_string(roller("0001"));
  run_json({"roller", "assign", r, "C-0001", "--now", "2026-11-23T09:10:00Z"});
  // Without --reason the command reads: the lot is not recalled.
  EXPECT_TRUE(run_json({"roller", "recall", "L-2026-11"})["recall"].is_null());
  const auto unrecalled = run({"roller", "recall", "L-2026-11"});
  EXPECT_NE(unrecalled.out.find("not recalled"), std::string::npos) << unrecalled.out;

  auto recalled = run_json({"roller", "recall", "L-2026-11", "--reason", "bent needles (notice 7)", "--now",
                            "2026-11-24T08:00:00Z"});
  EXPECT_EQ(recalled["recall"]["reason"], "bent needles (notice 7)");
  EXPECT_EQ(recalled["recall"]["recorded_by"], "ana");
  EXPECT_EQ(recalled["recall"]["recalled_at"], "2026-11-24T08:00:00Z");
  EXPECT_EQ(recalled["clients"], json::array({"C-0001"}));
  const auto text = run({"roller", "recall", "L-2026-11"});
  EXPECT_NE(text.out.find("RECALLED 2026-11-24T08:00:00Z by ana: bent needles (notice 7)"), std::string::npos)
      << text.out;

  auto refused = run({"session", "start", "C-0001", "--area", "face", "--roller", r, "--acknowledge",
                      "DEPTH.thin_skin", "--now", "2026-11-24T10:00:00Z"});
  EXPECT_EQ(refused.exit_code, 5) << refused.err;
  EXPECT_NE(refused.err.find("lot L-2026-11 was recalled on 2026-11-24 (bent needles (notice 7))"),
            std::string::npos)
      << refused.err;
  EXPECT_NE(refused.err.find("\n  hint: `needlework roller recall LOT` lists the lot's rollers"),
            std::string::npos)
      << refused.err;
  // Once per lot; a recall needs its reason.
  auto again = run({"roller", "recall", "L-2026-11", "--reason", "again", "--now", "2026-11-24T09:00:00Z"});
  EXPECT_EQ(again.exit_code, 3) << again.err;
  EXPECT_NE(again.err.find("already recalled"), std::string::npos) << again.err;
  auto blank = run({"roller", "recall", "L-OTHER", "--reason", " ", "--now", "2026-11-24T09:00:00Z"});
  EXPECT_EQ(blank.exit_code, 3) << blank.err;
  EXPECT_NE(blank.err.find("--reason"), std::string::npos) << blank.err;
  EXPECT_EQ(run({"audit", "verify"}).exit_code, 0);
}

TEST_P(StoreCli, RefusalsExit5WithAReasonAndBadInputExits3) {
  ready_client();
  const auto r = roller("0001");
  // Not assigned yet.
  auto unassigned = run({"session", "start", "C-0001", "--area", "face", "--roller", std::to_string(r),
                         "--now", "2026-11-24T10:00:00Z"});
  EXPECT_EQ(unassigned.exit_code, 5);
  // The store's message names no command; the CLI's hint for RECORD.roller_not_assigned does.
  EXPECT_NE(unassigned.err.find("assign it to client C-0001 first"), std::string::npos) << unassigned.err;
  EXPECT_NE(unassigned.err.find("\n  hint: `needlework roller assign ROLLER CLIENT`"), std::string::npos)
      << unassigned.err;
  run_json({"clients", "add", "C-0002", "--name", "Bea Example", "--now", "2026-11-23T08:00:00Z"});
  run_json({"roller", "assign", std::to_string(r), "C-0001", "--now", "2026-11-24T09:55:00Z"});
  // Dated before the assignment (#11).
  auto before_assignment = run({"session", "start", "C-0001", "--area", "face", "--roller", std::to_string(r),
                                "--acknowledge", "DEPTH.thin_skin", "--now", "2026-11-24T09:50:00Z"});
  EXPECT_EQ(before_assignment.exit_code, 5) << before_assignment.err;
  EXPECT_NE(before_assignment.err.find("after the session start"), std::string::npos)
      << before_assignment.err;
  auto cross = run({"roller", "assign", std::to_string(r), "C-0002", "--now", "2026-11-24T09:56:00Z"});
  EXPECT_EQ(cross.exit_code, 5);
  EXPECT_NE(cross.err.find("never crosses clients"), std::string::npos) << cross.err;
  // Periorbital with a 1 mm needle.
  auto needle = run({"session", "start", "C-0001", "--area", "periorbital", "--roller", std::to_string(r),
                     "--now", "2026-11-24T10:00:00Z"});
  EXPECT_EQ(needle.exit_code, 5) << needle.err;
  auto unknown_client = run({"clients", "show", "C-9999"});
  EXPECT_EQ(unknown_client.exit_code, 3);
  EXPECT_NE(unknown_client.err.find("C-9999"), std::string::npos);
  auto bad_time = run({"due", "--now", "tomorrow"});
  EXPECT_EQ(bad_time.exit_code, 3);
  EXPECT_NE(bad_time.err.find("--now"), std::string::npos);
}

// Home maintenance from the command line: a home roller registered, a home session logged, the next one two
// days later refused (exit 5) with the rule and the earliest date, a week later allowed; the roller's life.
TEST_P(StoreCli, AHomeSessionTwoDaysAfterThePreviousOneExits5WithTheRule) {
  run_json({"clients", "add", "C-0009", "--name", "Hana Example", "--now", "2026-11-23T08:00:00Z"});
  auto roller = run_json({"home", "roller", "add", "C-0009", "--lot", "H-2026-11", "--on", "2026-11-23",
                          "--now", "2026-11-23T09:00:00Z"});
  const auto id = std::to_string(roller.value("id", std::int64_t{0}));
  EXPECT_EQ(roller.value("uses", -1), 0);
  run_json({"home", "session", "log", "C-0009", "--roller", id, "--area", "face", "--on", "2026-11-24",
            "--now", "2026-11-24T20:00:00Z"});
  auto early = run({"home", "session", "log", "C-0009", "--roller", id, "--area", "face", "--on",
                    "2026-11-26", "--now", "2026-11-26T20:00:00Z"});
  EXPECT_EQ(early.exit_code, 5) << early.err;
  for (const char* part : {"HOME.maintenance", "--on", "earliest allowed date is 2026-12-01"}) {
    EXPECT_NE(early.err.find(part), std::string::npos) << part << ": " << early.err;
  }
  auto future = run({"home", "session", "log", "C-0009", "--roller", id, "--area", "face", "--on",
                     "2026-12-09", "--now", "2026-12-01T20:00:00Z"});
  EXPECT_EQ(future.exit_code, 3) << future.err;
  EXPECT_NE(future.err.find("--on"), std::string::npos) << future.err;
  run_json({"home", "session", "log", "C-0009", "--roller", id, "--area", "face", "--on", "2026-12-01",
            "--now", "2026-12-01T20:00:00Z"});
  auto sessions = run_json({"home", "session", "list", "C-0009"});
  ASSERT_TRUE(sessions.is_array());
  EXPECT_EQ(sessions.size(), 2u);
  auto lives = run_json({"home", "roller", "list", "C-0009", "--now", "2026-12-02T09:00:00Z"});
  ASSERT_TRUE(lives.is_array() && lives.size() == 1u) << lives.dump();
  EXPECT_EQ(lives[0].value("uses", -1), 2);
  EXPECT_EQ(lives[0].value("days_in_use", -1), 10);
  auto retired = run_json(
      {"home", "roller", "retire", "C-0009", id, "--reason", "replaced", "--now", "2026-12-02T09:00:00Z"});
  EXPECT_EQ(retired.value("retired_reason", std::string()), "replaced");
}

TEST_P(StoreCli, ASessionFinishesWithItsWholeChecklistOrAReason) {
  ready_client();
  const auto r = roller("0001");
  run_json({"roller", "assign", std::to_string(r), "C-0001", "--now", "2026-11-24T09:55:00Z"});
  auto started = run_json({"session", "start", "C-0001", "--area", "face", "--roller", std::to_string(r),
                           "--acknowledge", "DEPTH.thin_skin", "--now", "2026-11-24T10:00:00Z"});
  const auto sid = std::to_string(started["session"].value("id", 0));
  run_json({"session", "step", sid, "STEP.cleanse", "--now", "2026-11-24T10:01:00Z"});
  auto list = run_json({"session", "checklist", sid});
  ASSERT_EQ(list.size(), started["protocol"]["steps"].size());
  for (const auto& item : list) EXPECT_EQ(item["done_at"].is_null(), item["step"] != "STEP.cleanse") << item;
  auto foreign = run({"session", "step", sid, "STEP.cocktail", "--now", "2026-11-24T10:02:00Z"});
  EXPECT_EQ(foreign.exit_code, 5) << foreign.err;  // no cocktail in this session
  auto bare = run({"session", "finish", sid, "--now", "2026-11-24T11:00:00Z"});
  EXPECT_EQ(bare.exit_code, 5) << bare.err;
  EXPECT_NE(bare.err.find("STEP.roll"), std::string::npos) << bare.err;
  auto blank = run({"session", "finish", sid, "--reason", "  ", "--now", "2026-11-24T11:00:00Z"});
  EXPECT_EQ(blank.exit_code, 3) << blank.err;
  EXPECT_NE(blank.err.find("--reason"), std::string::npos) << blank.err;
  auto done = run_json(
      {"session", "finish", sid, "--reason", "client felt faint; stopped", "--now", "2026-11-24T11:00:00Z"});
  EXPECT_EQ(done["finished_at"], "2026-11-24T11:00:00Z");
  EXPECT_NE(done.value("notes", "").find("client felt faint; stopped"), std::string::npos) << done;
}

TEST_P(StoreCli, AuditVerifyFindsATamperedEntry) {
  ready_client();
  ASSERT_EQ(run({"audit", "verify"}).exit_code, 0);
  std::string error;
  ASSERT_TRUE(database_.exec(GetParam() == Backend::sqlite ? "DROP TRIGGER audit_no_update"
                                                           : "DROP TRIGGER audit_no_update ON audit",
                             error))
      << error;
  ASSERT_TRUE(database_.exec("UPDATE audit SET actor = 'mallory' WHERE seq = 2", error)) << error;
  auto r = run({"audit", "verify"});
  EXPECT_EQ(r.exit_code, 5);
  EXPECT_NE(r.out.find("entry 2"), std::string::npos) << r.out;
  auto j = run_json({"audit", "verify"}, 5);
  EXPECT_EQ(j["first_bad_seq"], 2);
}

TEST_P(StoreCli, AuditVerifyFindsARecordChangedOutsideNeedlework) {
  ready_client();
  std::string error;
  ASSERT_TRUE(database_.exec("UPDATE clients SET name = 'Mallory' WHERE id = 'C-0001'", error)) << error;
  auto r = run({"audit", "verify"});
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_NE(r.out.find("clients C-0001 changed"), std::string::npos) << r.out;
  auto j = run_json({"audit", "verify"}, 5);
  ASSERT_EQ(j["record_problems"].size(), 1u) << j;
  EXPECT_EQ(j["record_problems"][0]["table"], "clients");
  EXPECT_EQ(j["record_problems"][0]["id"], "C-0001");
  EXPECT_EQ(j["record_problems"][0]["kind"], "changed");
}

NEEDLEWORK_INSTANTIATE_STORE_TESTS(StoreCli);

// ---- one backend ---------------------------------------------------------------------------------------

class SqliteCli : public StoreCli {};
NEEDLEWORK_INSTANTIATE_STORE_TESTS_ON(SqliteCli, Backend::sqlite);

TEST_P(SqliteCli, ADatabaseThatCannotBeOpenedExits4) {
  std::ofstream(dir_ / "junk.db") << "not a database, just some text that is long enough to be a header";
  db_ = (dir_ / "junk.db").string();
  auto r = run({"db", "info"});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  db_ = dir_.string();  // a folder
  auto folder = run({"db", "info"});
  EXPECT_EQ(folder.exit_code, 3) << folder.err;
}

class PostgresCli : public StoreCli {};
NEEDLEWORK_INSTANTIATE_STORE_TESTS_ON(PostgresCli, Backend::postgres);

TEST_P(PostgresCli, NeedleworkDbInTheEnvironmentIsUsedWhenDbIsNotGiven) {
  // Precedence: --db, then $NEEDLEWORK_DB, then ./needlework.db.
  const std::string uri = db_;
  db_.clear();
  const std::map<std::string, std::string> env{{"NEEDLEWORK_DB", uri}};
  auto added = run(
      {"clients", "add", "C-0001", "--name", "Ana Example", "--now", "2026-11-23T08:00:00Z", "--json"}, env);
  ASSERT_EQ(added.exit_code, 0) << added.err;
  db_ = uri;
  auto shown = run_json({"clients", "show", "C-0001"});
  EXPECT_EQ(shown["client"]["name"], "Ana Example") << shown.dump();
  // --db wins over the environment: a server that does not exist is not consulted.
  db_ = uri;
  auto info = run({"db", "info", "--json"}, {{"NEEDLEWORK_DB", "postgresql://nobody@127.0.0.1:1/none"}});
  EXPECT_EQ(info.exit_code, 0) << info.err;
}

TEST_P(PostgresCli, AServerThatCannotBeReachedExits4NamingItButNeverThePassword) {
  db_ = "postgresql://ana:s3cret-pw@127.0.0.1:1/clinic";
  auto r = run({"db", "info"});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("127.0.0.1"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("clinic"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("s3cret-pw"), std::string::npos) << r.err;
  db_ = "host=127.0.0.1 port=1 dbname=clinic user=ana password=s3cret-pw connect_timeout=5";
  auto kv = run({"db", "info", "--json"});
  EXPECT_EQ(kv.exit_code, 4) << kv.out;
  EXPECT_EQ(kv.out.find("s3cret-pw"), std::string::npos) << kv.out;
  EXPECT_EQ(kv.err.find("s3cret-pw"), std::string::npos) << kv.err;
}

}  // namespace
