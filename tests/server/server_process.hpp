#pragma once
// A real `needlework serve` process for the API tests: started on a free loopback port (--listen
// 127.0.0.1:0) over a database the test names, its stdout read on a thread of its own from the start (the
// "listening on" line, the first admin's one-time password, then the access log), its stderr kept too, and
// stopped with SIGTERM (SIGKILL after a bound) when the test is done with it. Waits are bounded and wake on
// the output they wait for: no sleeps.

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace needlework::test {

/// How to start a server.
struct ServeOptions {
  std::filesystem::path program;           ///< the `needlework` binary
  std::string database;                    ///< what --db takes: a SQLite file or a postgresql:// URI
  std::filesystem::path cwd;               ///< its working folder (empty: this process's)
  std::vector<std::string> extra_args;     ///< more `serve` flags (--web-root, --max-body-bytes, …)
  std::chrono::seconds start_timeout{60};  ///< for the "listening on" line (a sanitizer build starts slowly)
  /// The server's limit on open files (RLIMIT_NOFILE, soft and hard), set in the child before it starts; 0
  /// leaves the limits it inherits.
  unsigned long open_files_limit = 0;
};

/// A running `needlework serve`.
class ServerProcess {
 public:
  /// Starts it and waits for its "listening on" line; nothing (and `error` says why, with its stderr) when it
  /// could not start, exited first or did not print the line in time.
  static std::unique_ptr<ServerProcess> start(const ServeOptions& options, std::string& error);
  /// Stops it (SIGTERM, then SIGKILL after a bound) if it is still running.
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  /// "http://127.0.0.1:PORT" ("https://…" when started with a certificate).
  [[nodiscard]] const std::string& base_url() const { return base_url_; }
  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] pid_t pid() const { return pid_; }
  /// The first admin's one-time password, waiting (bounded) for its line: "" when this start did not create
  /// the first admin (a database that has one) or the line did not come.
  [[nodiscard]] std::string one_time_password(
      std::chrono::milliseconds bound = std::chrono::seconds(10)) const;
  /// Everything it has written to stdout so far (the start lines and the access log).
  [[nodiscard]] std::string output() const;
  /// Everything it has written to stderr so far.
  [[nodiscard]] std::string errors() const;
  /// Waits (bounded) until stdout holds at least `lines` lines: an access log line is written as its answer
  /// goes out, so a test that has its answer may still have to wait for the line.
  bool wait_for_lines(std::size_t lines, std::chrono::milliseconds bound = std::chrono::seconds(10)) const;

  /// Sends SIGTERM and waits for the exit; SIGKILL when it has not exited within `bound`. The exit code, or
  /// 128 + the signal that ended it (so a SIGKILL after the bound is 137, never 0).
  int stop(std::chrono::seconds bound = std::chrono::seconds(30));
  /// Whether it has exited (without waiting).
  [[nodiscard]] bool exited();

 private:
  ServerProcess() = default;
  void read_loop(int out_fd, int err_fd);
  /// Waits for the child's exit until `deadline`; true (and exit_code_ set) when it has exited.
  bool reap_until(std::chrono::steady_clock::time_point deadline);

  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  std::string base_url_;
  int port_ = 0;
  std::thread reader_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::string out_;   // guarded by mutex_
  std::string err_;   // guarded by mutex_
  bool eof_ = false;  // guarded by mutex_: both pipes closed (the child and its children are gone)
};

/// The first line of `text` that starts with `prefix`, without the prefix (trimmed); nothing if none does.
std::optional<std::string> line_after(const std::string& text, const std::string& prefix);

}  // namespace needlework::test
