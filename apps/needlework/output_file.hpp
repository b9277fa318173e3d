#pragma once
// The one way a `needlework` command writes a file or a folder of files (issue #11, "nothing a command does
// may destroy data"): an existing file is replaced only with --force, the open database (and its SQLite -wal,
// -shm and -journal siblings) is never written over, and every file goes through a temporary file in the same
// folder that is fsync'ed and renamed into place, so a crash leaves either the old file or the whole new one.

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "needlework/units/error.hpp"

namespace needlework::cli {

/// What a write may replace and what it must never touch.
struct OutputPolicy {
  std::string option;    ///< the option that named the target (for the error's location), e.g. "--out"
  bool force = false;    ///< --force: an existing file may be replaced (never the database)
  std::string database;  ///< the open database (--db) to protect; empty, ":memory:" or PostgreSQL: none
};

/// Refuses (invalid_value, located at the option) a target that is the database or one of its SQLite
/// siblings, whatever the path spelling, or an existing file without --force, or an existing folder.
[[nodiscard]] Result<void> check_output_file(const std::filesystem::path& target, const OutputPolicy& policy);

/// Checks `target` (check_output_file) and writes `bytes` there through a temporary file in the same folder,
/// fsync'ed and renamed into place (the folder is then fsync'ed too). Errors: io_error naming the file.
[[nodiscard]] Result<void> write_output_file(const std::filesystem::path& target, std::string_view bytes,
                                             const OutputPolicy& policy);

/// Writes a folder of files (name, contents). A folder that does not exist, or is empty, is built as a
/// temporary folder beside it and renamed into place whole; a non-empty folder is refused unless --force,
/// and then each file is replaced one by one (write_output_file). A name that is the database is refused.
[[nodiscard]] Result<void> write_output_folder(const std::filesystem::path& dir,
                                               const std::vector<std::pair<std::string, std::string>>& files,
                                               const OutputPolicy& policy);

/// Flushes standard output and reports whether everything printed reached it: a full disk, a closed pipe or
/// /dev/full is an io_error ("cannot write to standard output"). Called once, at the end of main.
[[nodiscard]] Result<void> finish_stdout();

}  // namespace needlework::cli
