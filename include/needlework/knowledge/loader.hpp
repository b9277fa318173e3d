#pragma once
/// Loading and validating knowledge packs. Reading files is this module's one piece of I/O; everything it
/// returns is plain data. Every failure names the file, line and column, the key, and the problem.

#include <filesystem>
#include <string>
#include <vector>

#include "needlework/knowledge/pack.hpp"
#include "needlework/units/error.hpp"

namespace needlework::knowledge {

/// A pack folder found under a packs directory.
struct PackSummary {
  std::string id;
  std::string version;
  std::string title;
  std::string extends;
  std::filesystem::path dir;
};

/// Lists the packs in `packs_dir` (every sub-folder with a pack.toml), sorted by id.
[[nodiscard]] Result<std::vector<PackSummary>> list_packs(const std::filesystem::path& packs_dir);

/// Loads pack `id` from `packs_dir/<id>/`, resolving `extends` (base first), applying overrides, and
/// validating the whole: every id unique, every reference resolvable, every number in its range, every rule
/// sourced.
[[nodiscard]] Result<Pack> load_pack(const std::filesystem::path& packs_dir, const std::string& id);

/// Loads and validates a pack from a folder path (for `pack validate DIR`); its `extends` is looked up beside
/// it.
[[nodiscard]] Result<Pack> load_pack_dir(const std::filesystem::path& dir);

/// Validation of an already resolved pack (also run by load_pack); returns the first problem.
[[nodiscard]] Result<void> validate(const Pack& pack);

/// Problems that do not stop a pack from loading but that a pack author should see (`pack validate` prints
/// them): an observation no follow-up rule covers at some hour, no consultation rule.
[[nodiscard]] std::vector<std::string> lint(const Pack& pack);

}  // namespace needlework::knowledge
