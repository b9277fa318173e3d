#include "server_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>

extern char** environ;

namespace needlework::test {

namespace {

constexpr std::string_view listening_prefix = "needlework serve: listening on ";
constexpr std::string_view password_prefix = "one-time password: ";

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  return s.substr(i);
}

}  // namespace

std::optional<std::string> line_after(const std::string& text, const std::string& prefix) {
  std::size_t at = 0;
  while (at < text.size()) {
    const auto end = text.find('\n', at);
    if (end == std::string::npos) break;  // a line still being written is not a line yet
    if (text.compare(at, prefix.size(), prefix) == 0) {
      return trim(text.substr(at + prefix.size(), end - at - prefix.size()));
    }
    at = end + 1;
  }
  return std::nullopt;
}

std::unique_ptr<ServerProcess> ServerProcess::start(const ServeOptions& options, std::string& error) {
  // A client that goes away mid-request must fail the write, not kill the test.
  std::signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> args{"needlework",           "serve",    "--db",
                                options.database,       "--listen", "127.0.0.1:0",
                                "--fast-password-hash", "true"};
  args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string program = options.program.string();
  const std::string cwd = options.cwd.string();
  rlimit open_files{};
  getrlimit(RLIMIT_NOFILE, &open_files);
  if (options.open_files_limit != 0) open_files.rlim_cur = open_files.rlim_max = options.open_files_limit;

  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) {
    error = std::string("pipe: ") + std::strerror(errno);
    return nullptr;
  }
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    error = std::string("pipe: ") + std::strerror(errno);
    close(out_pipe[0]);
    close(out_pipe[1]);
    return nullptr;
  }
  const pid_t pid = fork();
  if (pid < 0) {
    error = std::string("fork: ") + std::strerror(errno);
    for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) close(fd);
    return nullptr;
  }
  if (pid == 0) {
    // Child: only async-signal-safe calls from here to execve. stdin is /dev/null: serve reads nothing.
    const int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd < 0 || dup2(null_fd, STDIN_FILENO) < 0 || dup2(out_pipe[1], STDOUT_FILENO) < 0 ||
        dup2(err_pipe[1], STDERR_FILENO) < 0 || (!cwd.empty() && chdir(cwd.c_str()) != 0) ||
        setrlimit(RLIMIT_NOFILE, &open_files) != 0) {
      _exit(126);
    }
    execve(program.c_str(), argv.data(), environ);
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);

  std::unique_ptr<ServerProcess> p(new ServerProcess());
  p->pid_ = pid;
  p->reader_ =
      std::thread([raw = p.get(), out = out_pipe[0], err = err_pipe[0]] { raw->read_loop(out, err); });

  std::optional<std::string> url;
  {
    std::unique_lock lock(p->mutex_);
    p->changed_.wait_for(lock, options.start_timeout, [&] {
      url = line_after(p->out_, std::string(listening_prefix));
      return url.has_value() || p->eof_;
    });
  }
  if (!url || !(url->starts_with("http://") || url->starts_with("https://"))) {
    error = "needlework serve did not print its \"listening on\" line";
    if (p->exited()) error += " (it exited with " + std::to_string(*p->exit_code_) + ")";
    error += "\nstdout:\n" + p->output() + "\nstderr:\n" + p->errors();
    return nullptr;  // the destructor stops it if it is still running
  }
  p->base_url_ = *url;
  const auto colon = url->rfind(':');
  try {
    p->port_ = std::stoi(url->substr(colon + 1));
  } catch (const std::exception&) {
    error = "no port in the \"listening on\" line: " + *url;
    return nullptr;
  }
  if (p->port_ <= 0) {
    error = "the \"listening on\" line names port 0: " + *url;
    return nullptr;
  }
  return p;
}

void ServerProcess::read_loop(int out_fd, int err_fd) {
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  int open_fds = 2;
  while (open_fds > 0) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buffer[65536];
      const ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        std::lock_guard lock(mutex_);
        (i == 0 ? out_ : err_).append(buffer, static_cast<std::size_t>(n));
        changed_.notify_all();
      } else if (n == 0 || errno != EINTR) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (auto& f : fds) {
    if (f.fd >= 0) close(f.fd);
  }
  std::lock_guard lock(mutex_);
  eof_ = true;
  changed_.notify_all();
}

std::string ServerProcess::output() const {
  std::lock_guard lock(mutex_);
  return out_;
}

std::string ServerProcess::errors() const {
  std::lock_guard lock(mutex_);
  return err_;
}

std::string ServerProcess::one_time_password(std::chrono::milliseconds bound) const {
  std::unique_lock lock(mutex_);
  std::optional<std::string> found;
  changed_.wait_for(lock, bound, [&] {
    found = line_after(out_, std::string(password_prefix));
    return found.has_value() || eof_;
  });
  return found.value_or("");
}

bool ServerProcess::wait_for_lines(std::size_t lines, std::chrono::milliseconds bound) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, bound, [&] {
    return eof_ || static_cast<std::size_t>(std::count(out_.begin(), out_.end(), '\n')) >= lines;
  }) && static_cast<std::size_t>(std::count(out_.begin(), out_.end(), '\n')) >= lines;
}

bool ServerProcess::exited() {
  if (exit_code_) return true;
  return reap_until(std::chrono::steady_clock::now());
}

bool ServerProcess::reap_until(std::chrono::steady_clock::time_point deadline) {
  if (exit_code_) return true;
  // waitpid has no timeout: poll it, waking on the reader's news (a closed pipe usually means an exit) or
  // every 20 ms, whichever comes first. This is a bounded wait for an event, not a timing assumption.
  while (true) {
    int status = 0;
    const pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exit_code_ =
          WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
      return true;
    }
    if (r < 0 && errno != EINTR) {
      exit_code_ = -1;
      return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, std::chrono::milliseconds(20));
  }
}

int ServerProcess::stop(std::chrono::seconds bound) {
  if (!exit_code_ && pid_ > 0) {
    kill(pid_, SIGTERM);
    if (!reap_until(std::chrono::steady_clock::now() + bound)) {
      kill(pid_, SIGKILL);
      reap_until(std::chrono::steady_clock::time_point::max());
    }
  }
  if (reader_.joinable()) reader_.join();
  return exit_code_.value_or(-1);
}

ServerProcess::~ServerProcess() { stop(); }

}  // namespace needlework::test
