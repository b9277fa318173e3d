#include "output_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "needlework/store/store.hpp"

namespace needlework::cli {

namespace fs = std::filesystem;

namespace {

/// The same file, by identity when both exist (hard links, symlinks, `./x` against `x`), else by the
/// normalised absolute path (a -wal file SQLite has not created yet).
bool same_file(const fs::path& a, const fs::path& b) {
  std::error_code ec;
  if (fs::exists(a, ec) && fs::exists(b, ec)) {
    const bool eq = fs::equivalent(a, b, ec);
    if (!ec) return eq;
  }
  const auto ca = fs::weakly_canonical(fs::absolute(a, ec), ec);
  const auto cb = fs::weakly_canonical(fs::absolute(b, ec), ec);
  return !ec && ca == cb;
}

bool protects_a_file(const std::string& database) {
  return !database.empty() && database != ":memory:" && !store::names_postgres(database);
}

/// fsync of a folder, so a rename into it survives a crash; a file system that cannot is not an error.
void sync_folder(const fs::path& dir) {
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return;
  (void)::fsync(fd);
  ::close(fd);
}

/// Writes `bytes` to a new temporary file in `dir` (mkstemp: unique, never an existing file) and fsyncs it.
Result<fs::path> write_temporary(const fs::path& dir, const std::string& stem, std::string_view bytes) {
  std::string name = (dir.empty() ? fs::path(".") : dir).string() + "/." + stem + ".XXXXXX";
  const int fd = ::mkstemp(name.data());
  if (fd < 0) {
    return fail(ErrorCode::io_error, fmt::format("cannot create a temporary file: {}", std::strerror(errno)),
                (dir / stem).string());
  }
  // mkstemp makes the file 0600; an output file is an ordinary one, as open(2) with the umask would make it.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  (void)::fchmod(fd, 0666 & ~mask);
  std::size_t done = 0;
  bool ok = true;
  while (ok && done < bytes.size()) {
    const auto n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<std::size_t>(n);
  }
  const int saved = errno;
  ok = ok && ::fsync(fd) == 0;
  ok = ::close(fd) == 0 && ok;
  if (!ok) {
    const std::string why = std::strerror(saved != 0 ? saved : errno);
    ::unlink(name.c_str());
    return fail(ErrorCode::io_error, fmt::format("cannot write the file: {}", why), (dir / stem).string());
  }
  return fs::path(name);
}

}  // namespace

Result<void> check_output_file(const fs::path& target, const OutputPolicy& policy) {
  if (protects_a_file(policy.database)) {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
      if (same_file(target, policy.database + suffix)) {
        return fail(ErrorCode::invalid_value,
                    fmt::format("'{}' is the open database{}; it is never written over", target.string(),
                                *suffix != '\0' ? fmt::format(" (its {} file)", suffix) : std::string()),
                    policy.option);
      }
    }
  }
  std::error_code ec;
  const auto status = fs::symlink_status(target, ec);
  if (fs::is_directory(fs::status(target, ec))) {
    return fail(ErrorCode::invalid_value, fmt::format("'{}' is a folder; name a file", target.string()),
                policy.option);
  }
  if (fs::exists(status) && !policy.force) {
    return fail(ErrorCode::invalid_value,
                fmt::format("'{}' already exists; add --force to replace it", target.string()),
                policy.option);
  }
  return {};
}

Result<void> write_output_file(const fs::path& target, std::string_view bytes, const OutputPolicy& policy) {
  NW_CHECK(check_output_file(target, policy));
  const fs::path dir = target.parent_path();
  std::error_code ec;
  if (!dir.empty() && !fs::is_directory(dir, ec)) {
    return fail(ErrorCode::io_error, "the folder does not exist", target.string());
  }
  NW_TRY(temp, write_temporary(dir, target.filename().string(), bytes));
  // rename(2) replaces the target in one step: a reader sees the old file or the new one, never half of one.
  fs::rename(temp, target, ec);
  if (ec) {
    fs::remove(temp, ec);
    return fail(ErrorCode::io_error, fmt::format("cannot move the file into place: {}", ec.message()),
                target.string());
  }
  sync_folder(dir);
  return {};
}

Result<void> write_output_folder(const fs::path& dir,
                                 const std::vector<std::pair<std::string, std::string>>& files,
                                 const OutputPolicy& policy) {
  std::error_code ec;
  const bool exists = fs::exists(dir, ec);
  if (exists && !fs::is_directory(dir, ec)) {
    return fail(ErrorCode::invalid_value, fmt::format("'{}' exists and is not a folder", dir.string()),
                policy.option);
  }
  const bool empty = !exists || fs::is_empty(dir, ec);
  if (!empty) {
    if (!policy.force) {
      return fail(ErrorCode::invalid_value,
                  fmt::format("the folder '{}' is not empty; add --force to replace its files", dir.string()),
                  policy.option);
    }
    for (const auto& [name, text] : files) NW_CHECK(write_output_file(dir / name, text, policy));
    return {};
  }
  for (const auto& f : files) NW_CHECK(check_output_file(dir / f.first, policy));
  // A new (or empty) folder is built beside its place and renamed in whole: no half export under its name.
  const fs::path target = fs::absolute(dir, ec).lexically_normal();
  const fs::path parent = (target.has_filename() ? target : target.parent_path()).parent_path();
  const std::string name = (target.has_filename() ? target : target.parent_path()).filename().string();
  fs::create_directories(parent, ec);
  if (ec)
    return fail(ErrorCode::io_error, fmt::format("cannot create the folder: {}", ec.message()),
                parent.string());
  std::string temp = (parent / ("." + name + ".XXXXXX")).string();
  if (::mkdtemp(temp.data()) == nullptr) {
    return fail(ErrorCode::io_error,
                fmt::format("cannot create a temporary folder: {}", std::strerror(errno)), dir.string());
  }
  auto discard = [&] { fs::remove_all(temp, ec); };
  for (const auto& [file, text] : files) {
    auto w =
        write_output_file(fs::path(temp) / file, text, OutputPolicy{policy.option, false, policy.database});
    if (!w) {
      discard();
      return w;
    }
  }
  // mkdtemp makes the folder 0700; an export folder is an ordinary one, as mkdir with the umask would make
  // it.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  ::chmod(temp.c_str(), 0777 & ~mask);
  fs::rename(temp, target.has_filename() ? target : target.parent_path(), ec);
  if (ec) {
    const auto why = ec.message();
    discard();
    return fail(ErrorCode::io_error, fmt::format("cannot move the folder into place: {}", why), dir.string());
  }
  sync_folder(parent);
  return {};
}

Result<void> finish_stdout() {
  std::cout.flush();
  const bool ok = static_cast<bool>(std::cout) && std::fflush(stdout) == 0 && std::ferror(stdout) == 0;
  if (!ok) {
    return fail(ErrorCode::io_error, fmt::format("cannot write to standard output: {}", std::strerror(errno)),
                "stdout");
  }
  return {};
}

}  // namespace needlework::cli
