// End-to-end tests of the `needlework` command line, driven by tests/cli/cases.json.
//
// Each case runs the real binary (NEEDLEWORK_BIN, set by CMake) as a child process (support/run.hpp, no
// shell) with the source directory as its working directory, so relative paths such as
// examples/intake-cleared.json print identically on every machine. Each case is its own GoogleTest test
// (CliCase/<name>).
//
// A case (see tests/cli/cases.json and docs/cli.md):
//   "name"                 [A-Za-z0-9_]+, unique; the test's name
//   "args"                 the command line after `needlework`
//   "stdin"                optional: a file (relative to the source dir) fed to the child's stdin;
//                          without it stdin is empty
//   "env"                  optional: {"NAME": "value"} added to the child's environment
//   "exit"                 required: the exact exit code
//   "golden"               optional: a file under tests/cli/golden/ that stdout must equal byte for byte
//                          (a .json golden must also parse as JSON)
//   "stdout_contains"      optional: substrings stdout must contain
//   "stderr_contains"      optional: substrings stderr must contain
//   "stdout_not_contains"  optional: substrings stdout must not contain
//   "stderr_not_contains"  optional: substrings stderr must not contain
// A stream with neither a golden nor *_contains must be empty: errors go to stderr only, successes print
// nothing on stderr (a sanitizer report or a stray log line fails the case).
//
// Updating goldens: run with NEEDLEWORK_UPDATE_GOLDEN=1 in the environment, e.g.
//   NEEDLEWORK_UPDATE_GOLDEN=1 ctest --test-dir build/dev -R CliCase
// Every case with a "golden" then rewrites its file from the binary's stdout instead of comparing (exit codes
// and substrings are still checked). Review the result with `git diff tests/cli/golden` before committing.
//
// The child is killed after 60 s so a hang fails one case instead of the whole run; that is a guard, not a
// timing assertion.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "support/run.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path source_dir{NEEDLEWORK_SOURCE_DIR};
const fs::path cli_dir = source_dir / "tests" / "cli";
const fs::path golden_dir = cli_dir / "golden";
constexpr std::chrono::seconds child_timeout{60};

struct Case {
  std::string name;
  std::vector<std::string> args;
  std::string stdin_file;
  std::map<std::string, std::string> env;
  int exit_code = 0;
  std::string golden;
  std::vector<std::string> stdout_contains, stderr_contains, stdout_not_contains, stderr_not_contains;
  std::string load_error;  ///< set on a sentinel case when cases.json itself is broken
};

std::ostream& operator<<(std::ostream& os, const Case& c) { return os << c.name; }

std::vector<std::string> string_list(const json& j, const char* key) {
  std::vector<std::string> out;
  if (!j.contains(key)) return out;
  for (const auto& s : j.at(key)) out.push_back(s.get<std::string>());
  return out;
}

/// Reads tests/cli/cases.json. A broken file yields one failing case that says why, rather than no tests.
std::vector<Case> load_cases() {
  const fs::path file = cli_dir / "cases.json";
  std::vector<Case> cases;
  try {
    std::ifstream in(file);
    if (!in) throw std::runtime_error("cannot open " + file.string());
    const json doc = json::parse(in);
    static const std::set<std::string> keys{"name",
                                            "args",
                                            "stdin",
                                            "env",
                                            "exit",
                                            "golden",
                                            "stdout_contains",
                                            "stderr_contains",
                                            "stdout_not_contains",
                                            "stderr_not_contains",
                                            "comment"};
    static const std::regex name_pattern("[A-Za-z0-9_]+");
    std::set<std::string> names;
    for (const auto& j : doc.at("cases")) {
      Case c;
      c.name = j.at("name").get<std::string>();
      for (const auto& [k, v] : j.items()) {
        if (!keys.contains(k)) throw std::runtime_error("case " + c.name + ": unknown key '" + k + "'");
      }
      if (!std::regex_match(c.name, name_pattern)) throw std::runtime_error("bad case name '" + c.name + "'");
      if (!names.insert(c.name).second) throw std::runtime_error("case name used twice: " + c.name);
      c.args = string_list(j, "args");
      c.stdin_file = j.value("stdin", "");
      if (j.contains("env")) c.env = j.at("env").get<std::map<std::string, std::string>>();
      c.exit_code = j.at("exit").get<int>();
      c.golden = j.value("golden", "");
      c.stdout_contains = string_list(j, "stdout_contains");
      c.stderr_contains = string_list(j, "stderr_contains");
      c.stdout_not_contains = string_list(j, "stdout_not_contains");
      c.stderr_not_contains = string_list(j, "stderr_not_contains");
      cases.push_back(std::move(c));
    }
  } catch (const std::exception& e) {
    Case broken;
    broken.name = "cases_json_is_broken";
    broken.load_error = file.string() + ": " + e.what();
    return {broken};
  }
  return cases;
}

std::string read_file(const fs::path& p);

/// Runs the binary on a case: in the source folder, with stdin from the case's file (or empty), without the
/// variables that would change which data it reads, plus the case's own.
needlework::test::RunResult run(const Case& c) {
  needlework::test::RunRequest request;
  request.program = NEEDLEWORK_BIN;
  request.args = c.args;
  request.cwd = source_dir;
  if (!c.stdin_file.empty()) request.stdin_text = read_file(source_dir / c.stdin_file);
  request.env = c.env;
  request.unset_env = {"NEEDLEWORK_DATA", "NEEDLEWORK_UPDATE_GOLDEN"};
  request.timeout = child_timeout;
  return needlework::test::run(request);
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

/// The first differing line of two texts, with a little context, for a readable failure message.
std::string first_difference(const std::string& expected, const std::string& actual) {
  const auto e = lines_of(expected), a = lines_of(actual);
  std::size_t i = 0;
  while (i < e.size() && i < a.size() && e[i] == a[i]) ++i;
  std::ostringstream s;
  s << "first difference at line " << (i + 1) << " (expected " << e.size() << " lines, got " << a.size()
    << ")\n";
  const std::size_t from = i >= 2 ? i - 2 : 0;
  for (std::size_t k = from; k < i; ++k) s << "    " << e[k] << '\n';
  s << "  - " << (i < e.size() ? e[i] : std::string("<end of golden>")) << '\n';
  s << "  + " << (i < a.size() ? a[i] : std::string("<end of output>")) << '\n';
  if (i >= e.size() && i >= a.size()) s << "  (the texts differ only in a final newline)\n";
  return s.str();
}

bool update_golden() {
  const char* v = std::getenv("NEEDLEWORK_UPDATE_GOLDEN");
  return v != nullptr && std::string_view(v) == "1";
}

std::string command_line(const Case& c) {
  std::string s = "needlework";
  for (const auto& a : c.args) s += " " + a;
  if (!c.stdin_file.empty()) s += " < " + c.stdin_file;
  return s;
}

class CliCase : public ::testing::TestWithParam<Case> {};

TEST_P(CliCase, Run) {
  const Case& c = GetParam();
  ASSERT_TRUE(c.load_error.empty()) << c.load_error;
  SCOPED_TRACE("(cd " + source_dir.string() + " && " + command_line(c) + ")");

  const auto o = run(c);
  ASSERT_TRUE(o.failure.empty()) << o.failure;
  ASSERT_FALSE(o.timed_out) << "killed after " << child_timeout.count() << " s\nstdout:\n"
                            << o.out << "\nstderr:\n"
                            << o.err;
  EXPECT_EQ(o.exit_code, c.exit_code) << "stdout:\n" << o.out << "\nstderr:\n" << o.err;

  if (!c.golden.empty()) {
    const fs::path golden = golden_dir / c.golden;
    if (golden.extension() == ".json") {
      EXPECT_TRUE(json::accept(o.out)) << "stdout is not valid JSON:\n" << o.out;
    }
    if (update_golden()) {
      fs::create_directories(golden.parent_path());
      std::ofstream(golden, std::ios::binary) << o.out;
      std::cout << "[ golden   ] rewrote " << golden.lexically_relative(source_dir).string() << '\n';
    } else {
      ASSERT_TRUE(fs::exists(golden))
          << golden.string() << " does not exist; run with NEEDLEWORK_UPDATE_GOLDEN=1 to create it";
      const std::string expected = read_file(golden);
      EXPECT_TRUE(expected == o.out) << "stdout differs from "
                                     << golden.lexically_relative(source_dir).string()
                                     << " (NEEDLEWORK_UPDATE_GOLDEN=1 rewrites it)\n"
                                     << first_difference(expected, o.out);
    }
  }
  for (const auto& s : c.stdout_contains) {
    EXPECT_NE(o.out.find(s), std::string::npos) << "stdout lacks \"" << s << "\"; stdout:\n" << o.out;
  }
  for (const auto& s : c.stdout_not_contains) {
    EXPECT_EQ(o.out.find(s), std::string::npos) << "stdout contains \"" << s << "\"; stdout:\n" << o.out;
  }
  for (const auto& s : c.stderr_contains) {
    EXPECT_NE(o.err.find(s), std::string::npos) << "stderr lacks \"" << s << "\"; stderr:\n" << o.err;
  }
  for (const auto& s : c.stderr_not_contains) {
    EXPECT_EQ(o.err.find(s), std::string::npos) << "stderr contains \"" << s << "\"; stderr:\n" << o.err;
  }
  if (c.golden.empty() && c.stdout_contains.empty()) {
    EXPECT_EQ(o.out, "") << "stdout was expected to be empty";
  }
  if (c.stderr_contains.empty()) {
    EXPECT_EQ(o.err, "") << "stderr was expected to be empty";
  }
}

// A golden no case refers to is left over from a renamed or removed case.
TEST(CliGoldens, EveryGoldenFileBelongsToACase) {
  std::set<std::string> used;
  for (const auto& c : load_cases()) {
    ASSERT_TRUE(c.load_error.empty()) << c.load_error;
    if (!c.golden.empty()) used.insert(c.golden);
  }
  for (const auto& entry : fs::directory_iterator(golden_dir)) {
    const auto name = entry.path().filename().string();
    EXPECT_TRUE(used.contains(name)) << "tests/cli/golden/" << name
                                     << " is not the golden of any case in cases.json";
  }
  for (const auto& name : used) {
    EXPECT_TRUE(fs::exists(golden_dir / name) || update_golden())
        << "tests/cli/golden/" << name << " is missing; run with NEEDLEWORK_UPDATE_GOLDEN=1";
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, CliCase, ::testing::ValuesIn(load_cases()),
                         [](const ::testing::TestParamInfo<Case>& param_info) {
                           return param_info.param.name;
                         });

}  // namespace
