#pragma once
/// The physics data files of a data folder, loaded the same way by every face (the CLI, the server): the skin
/// regions (skin/regions.toml), the resealing data (physics/resealing.toml) and the device catalog
/// (devices/*.toml, sorted by file name). A file that cannot be read or does not validate is a `data_error`
/// naming it (and, for a parse error, the line and column).

#include <filesystem>
#include <vector>

#include "needlework/physics/device.hpp"
#include "needlework/physics/resealing.hpp"
#include "needlework/physics/skin.hpp"
#include "needlework/units/error.hpp"

namespace needlework::physics {

[[nodiscard]] Result<RegionCatalog> load_regions_file(const std::filesystem::path& data_dir);
[[nodiscard]] Result<ResealingData> load_resealing_file(const std::filesystem::path& data_dir);
[[nodiscard]] Result<std::vector<Device>> load_device_catalog(const std::filesystem::path& data_dir);

}  // namespace needlework::physics
