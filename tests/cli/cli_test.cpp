// End-to-end tests of the `needlework` command line, driven by tests/cli/cases.json.
//
// Each case runs the real binary (NEEDLEWORK_BIN, set by CMake) as a child process — fork + execve, no shell —
// with the source directory as its working directory, so relative paths such as examples/intake-cleared.json
// print identically on every machine. Each case is its own GoogleTest test (CliCase/<name>).
//
// A case (see tests/cli/cases.json and docs/cli.md):
//   "name"                 [A-Za-z0-9_]+, unique; the test's name
//   "args"                 the command line after `needlework`
//   "stdin"                optional: a file (relative to the source dir) fed to the child's stdin;
//                          without it stdin is /dev/null
//   "env"                  optional: {"NAME": "value"} added to the child's environment
//   "exit"                 required: the exact exit code
//   "golden"               optional: a file under tests/cli/golden/ that stdout must equal byte for byte
//                          (a .json golden must also parse as JSON)
//   "stdout_contains"      optional: substrings stdout must contain
//   "stderr_contains"      optional: substrings stderr must contain
//   "stdout_not_contains"  optional: substrings stdout must not contain
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

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <poll.h>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char** environ;

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
  std::vector<std::string> stdout_contains, stderr_contains, stdout_not_contains;
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
    static const std::set<std::string> keys{"name",   "args",   "stdin",           "env",
                                            "exit",   "golden", "stdout_contains", "stderr_contains",
                                            "stdout_not_contains", "comment"};
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

struct Outcome {
  int exit_code = -1;  ///< the exit status, or 128 + signal when the child was killed
  bool timed_out = false;
  std::string out, err;
};

/// Runs `binary args…` in `cwd` with stdin from `stdin_file` (or /dev/null), capturing stdout and stderr.
Outcome run(const Case& c) {
  Outcome result;
  // The child's environment: ours, minus anything that would change which data the binary reads, plus the
  // case's own variables.
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    const auto name = entry.substr(0, entry.find('='));
    if (name == "NEEDLEWORK_DATA" || name == "NEEDLEWORK_UPDATE_GOLDEN" || c.env.contains(name)) continue;
    env_strings.push_back(entry);
  }
  for (const auto& [k, v] : c.env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);

  std::vector<std::string> arg_strings{"needlework"};
  arg_strings.insert(arg_strings.end(), c.args.begin(), c.args.end());
  std::vector<char*> argv;
  for (auto& s : arg_strings) argv.push_back(s.data());
  argv.push_back(nullptr);

  const std::string binary = NEEDLEWORK_BIN;
  const std::string cwd = source_dir.string();
  const std::string input = c.stdin_file.empty() ? std::string("/dev/null") : (source_dir / c.stdin_file).string();

  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) {
    ADD_FAILURE() << "pipe: " << std::strerror(errno);
    return result;
  }
  const pid_t pid = fork();
  if (pid < 0) {
    ADD_FAILURE() << "fork: " << std::strerror(errno);
    return result;
  }
  if (pid == 0) {
    // Child: only async-signal-safe calls from here to execve.
    const int in_fd = open(input.c_str(), O_RDONLY);
    if (in_fd < 0 || dup2(in_fd, STDIN_FILENO) < 0 || dup2(out_pipe[1], STDOUT_FILENO) < 0 ||
        dup2(err_pipe[1], STDERR_FILENO) < 0 || chdir(cwd.c_str()) != 0) {
      _exit(126);
    }
    execve(binary.c_str(), argv.data(), envp.data());
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);

  const auto deadline = std::chrono::steady_clock::now() + child_timeout;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_fds = 2;
  while (open_fds > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      kill(pid, SIGKILL);
      break;
    }
    const int ready = poll(fds, 2, static_cast<int>(left.count()));
    if (ready < 0) {
      if (errno == EINTR) continue;
      ADD_FAILURE() << "poll: " << std::strerror(errno);
      kill(pid, SIGKILL);
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buffer[65536];
      const ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        sinks[i]->append(buffer, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (auto& fd : fds) {
    if (fd.fd >= 0) close(fd.fd);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.exit_code = 128 + WTERMSIG(status);
  }
  return result;
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
  s << "first difference at line " << (i + 1) << " (expected " << e.size() << " lines, got " << a.size() << ")\n";
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

  const Outcome o = run(c);
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
      ASSERT_TRUE(fs::exists(golden)) << golden.string()
                                      << " does not exist; run with NEEDLEWORK_UPDATE_GOLDEN=1 to create it";
      const std::string expected = read_file(golden);
      EXPECT_TRUE(expected == o.out) << "stdout differs from " << golden.lexically_relative(source_dir).string()
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
    EXPECT_TRUE(used.contains(name)) << "tests/cli/golden/" << name << " is not the golden of any case in cases.json";
  }
  for (const auto& name : used) {
    EXPECT_TRUE(fs::exists(golden_dir / name) || update_golden())
        << "tests/cli/golden/" << name << " is missing; run with NEEDLEWORK_UPDATE_GOLDEN=1";
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, CliCase, ::testing::ValuesIn(load_cases()),
                         [](const ::testing::TestParamInfo<Case>& param_info) { return param_info.param.name; });

}  // namespace
