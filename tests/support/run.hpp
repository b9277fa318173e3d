#pragma once
// The one way tests run a program: fork + execve, no shell, stdin fed from a string, stdout and stderr
// captured separately, a chosen environment and working folder, and a kill after a timeout so a hang fails
// one test instead of the whole run (a guard, not a timing assertion).

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace needlework::test {

/// What to run and how.
struct RunRequest {
  std::filesystem::path program;           ///< the executable (no PATH lookup)
  std::vector<std::string> args;           ///< the arguments after argv[0]
  std::filesystem::path cwd;               ///< the working folder (empty: this process's)
  std::string stdin_text;                  ///< written to the child's stdin, which is then closed
  std::map<std::string, std::string> env;  ///< variables set in the child's environment (over ours)
  std::vector<std::string> unset_env;      ///< variables of ours removed from the child's environment
  std::chrono::seconds timeout{60};        ///< the child is killed after this
};

/// What came back.
struct RunResult {
  int exit_code = -1;  ///< the exit status, or 128 + signal when the child was killed
  bool timed_out = false;
  std::string out;      ///< everything written to stdout
  std::string err;      ///< everything written to stderr
  std::string failure;  ///< non-empty when the child could not be started or watched (pipe, fork, poll)
};

/// Runs `request.program request.args…` and waits for it.
RunResult run(const RunRequest& request);

/// Splits a command line into words as a POSIX shell would for plain words and "double" or 'single' quoted
/// ones (no variables, globs or escapes beyond \" inside double quotes): for tests that write a command as
/// one string.
std::vector<std::string> split_words(const std::string& command_line);

}  // namespace needlework::test
