// Nothing a command does may destroy data (issue #11): every file a command writes refuses to replace an
// existing one without --force, never lands on the open database, and a write error on standard output is a
// failure. Each test runs the real binary (NEEDLEWORK_BIN) in a fresh temporary folder.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "support/run.hpp"

namespace {

namespace fs = std::filesystem;
namespace test = needlework::test;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_text(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

class SafeOutput : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("nw-safe-output-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_ = dir_ / "clinic.db";
    const auto made = needlework({"--db", db_.string(), "audit", "verify"});
    ASSERT_EQ(made.exit_code, 0) << made.err;
  }
  void TearDown() override { fs::remove_all(dir_); }

  test::RunResult needlework(std::vector<std::string> args) const {
    test::RunRequest r;
    r.program = NEEDLEWORK_BIN;
    r.args = std::move(args);
    r.cwd = dir_;
    r.env = {{"NEEDLEWORK_DATA", NEEDLEWORK_DATA_DIR}};
    r.unset_env = {"NEEDLEWORK_DB"};
    return test::run(r);
  }

  /// The database still opens and its audit chain verifies.
  void expect_database_intact() const {
    const auto v = needlework({"--db", db_.string(), "audit", "verify"});
    EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  }

  fs::path dir_, db_;
};

TEST_F(SafeOutput, ExportOntoTheDatabaseIsRefused) {
  const std::string before = read_file(db_);
  for (const auto& out : std::vector<std::string>{db_.string(), "clinic.db", "./sub/../clinic.db",
                                                  "clinic.db-wal", "clinic.db-shm"}) {
    fs::create_directories(dir_ / "sub");
    const auto r = needlework({"--db", "clinic.db", "export", "--out", out, "--force"});
    EXPECT_EQ(r.exit_code, 3) << out << ": " << r.err;
    EXPECT_NE(r.err.find("open database"), std::string::npos) << r.err;
    for (const char* sibling : {"clinic.db-wal", "clinic.db-shm"}) {
      EXPECT_FALSE(read_file(dir_ / sibling).starts_with("{")) << "the export was written onto " << sibling;
    }
  }
  EXPECT_EQ(read_file(db_), before);
  expect_database_intact();
}

TEST_F(SafeOutput, ExportOverAnExistingFileNeedsForce) {
  const fs::path out = dir_ / "export.json";
  write_text(out, "keep me");
  const auto refused = needlework({"--db", db_.string(), "export", "--out", out.string()});
  EXPECT_EQ(refused.exit_code, 3) << refused.err;
  EXPECT_NE(refused.err.find("--force"), std::string::npos) << refused.err;
  EXPECT_EQ(read_file(out), "keep me");

  const auto forced = needlework({"--db", db_.string(), "export", "--out", out.string(), "--force"});
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  const auto doc = nlohmann::json::parse(read_file(out), nullptr, false);
  ASSERT_FALSE(doc.is_discarded());
  EXPECT_TRUE(doc.contains("tables"));
  // No temporary file is left beside it.
  for (const auto& e : fs::directory_iterator(dir_)) {
    EXPECT_FALSE(e.path().filename().string().starts_with(".export.json")) << e.path();
  }
}

TEST_F(SafeOutput, AFailingOutPathIsTheSameCodeForJsonAndCsv) {
  const fs::path missing = dir_ / "no-such-folder" / "deeper" / "x";
  const auto j = needlework({"--db", db_.string(), "export", "--out", missing.string()});
  EXPECT_EQ(j.exit_code, 4) << j.err;
  fs::create_directories(dir_ / "ro");
  write_text(dir_ / "ro" / "file", "a file, not a folder");
  const auto c = needlework(
      {"--db", db_.string(), "export", "--format", "csv", "--out", (dir_ / "ro" / "file" / "csv").string()});
  EXPECT_EQ(c.exit_code, 4) << c.err;
}

TEST_F(SafeOutput, CsvExportIntoANonEmptyFolderNeedsForce) {
  const fs::path out = dir_ / "csv";
  fs::create_directories(out);
  write_text(out / "notes.txt", "mine");
  const auto refused = needlework({"--db", db_.string(), "export", "--format", "csv", "--out", out.string()});
  EXPECT_EQ(refused.exit_code, 3) << refused.err;
  EXPECT_FALSE(fs::exists(out / "manifest.json"));

  const auto forced =
      needlework({"--db", db_.string(), "export", "--format", "csv", "--out", out.string(), "--force"});
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_TRUE(fs::exists(out / "manifest.json"));
  EXPECT_EQ(read_file(out / "notes.txt"), "mine");

  const fs::path fresh = dir_ / "new" / "csv";
  const auto made = needlework({"--db", db_.string(), "export", "--format", "csv", "--out", fresh.string()});
  EXPECT_EQ(made.exit_code, 0) << made.err;
  EXPECT_TRUE(fs::exists(fresh / "clients.csv"));
  EXPECT_TRUE(fs::exists(fresh / "manifest.json"));
  for (const auto& e : fs::directory_iterator(dir_ / "new")) EXPECT_EQ(e.path(), fresh) << "left over";
}

TEST_F(SafeOutput, SimulateHeatmapOverAnExistingFileNeedsForce) {
  const fs::path png = dir_ / "d.png";
  write_text(png, "keep me");
  const auto refused = needlework({"simulate", "--heatmap", png.string()});
  EXPECT_EQ(refused.exit_code, 3) << refused.err;
  EXPECT_NE(refused.err.find("--heatmap"), std::string::npos) << refused.err;
  EXPECT_EQ(read_file(png), "keep me");

  const auto forced = needlework({"simulate", "--heatmap", png.string(), "--force"});
  EXPECT_TRUE(forced.exit_code == 0 || forced.exit_code == 5) << forced.err;
  EXPECT_TRUE(read_file(png).starts_with("\x89PNG")) << "the heatmap was not written";
}

TEST_F(SafeOutput, TwoRestoresInTheSameSecondKeepBothCopies) {
  const fs::path backup = dir_ / "backup.db";
  ASSERT_EQ(needlework({"--db", db_.string(), "backup", backup.string()}).exit_code, 0);
  const std::string now = "2026-12-06T10:00:00Z";
  std::vector<std::string> kept;
  for (int i = 0; i < 2; ++i) {
    const auto r =
        needlework({"--db", db_.string(), "--now", now, "--json", "restore", backup.string(), "--replace"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    kept.push_back(nlohmann::json::parse(r.out).at("previous").get<std::string>());
  }
  EXPECT_NE(kept[0], kept[1]);
  int copies = 0;
  for (const auto& e : fs::directory_iterator(dir_)) {
    const auto name = e.path().filename().string();
    if (name.starts_with("clinic.db.before-restore-") && !name.ends_with("-wal")) ++copies;
  }
  EXPECT_EQ(copies, 2);
  EXPECT_TRUE(fs::exists(kept[0]));
  EXPECT_TRUE(fs::exists(kept[1]));
  expect_database_intact();
}

TEST_F(SafeOutput, AWriteErrorOnStandardOutputFails) {
  // The child's stdout is /dev/full (every write fails with ENOSPC); stderr is captured through a pipe.
  int err_pipe[2];
  ASSERT_EQ(::pipe(err_pipe), 0);
  const std::string bin = NEEDLEWORK_BIN, db = db_.string(), data = NEEDLEWORK_DATA_DIR;
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const int full = ::open("/dev/full", O_WRONLY);
    if (full < 0) ::_exit(127);
    ::dup2(full, STDOUT_FILENO);
    ::dup2(err_pipe[1], STDERR_FILENO);
    ::close(err_pipe[0]);
    ::setenv("NEEDLEWORK_DATA", data.c_str(), 1);
    ::execl(bin.c_str(), bin.c_str(), "--db", db.c_str(), "export", static_cast<char*>(nullptr));
    ::_exit(126);
  }
  ::close(err_pipe[1]);
  std::string err;
  char buf[4096];
  for (ssize_t n; (n = ::read(err_pipe[0], buf, sizeof buf)) > 0;)
    err.append(buf, static_cast<std::size_t>(n));
  ::close(err_pipe[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_NE(WEXITSTATUS(status), 127) << "/dev/full is not available";
  EXPECT_EQ(WEXITSTATUS(status), 4) << err;
  EXPECT_NE(err.find("standard output"), std::string::npos) << err;
}

}  // namespace
