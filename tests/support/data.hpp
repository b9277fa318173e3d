#pragma once
// The shipped data files, loaded for tests the way the CLI loads them (the engines never read files): the
// skin regions and the device catalog of data/ (packs.hpp: the knowledge packs). A file that does not load
// fails the calling test (ADD_FAILURE) and yields an empty value, so one broken file reports once and the
// rest of the test still runs.

#include <filesystem>
#include <string>
#include <vector>

#include "needlework/physics/device.hpp"
#include "needlework/physics/resealing.hpp"
#include "needlework/physics/skin.hpp"

namespace needlework::test {

/// The data folder of the source tree (NEEDLEWORK_DATA_DIR).
std::filesystem::path data_dir();

/// The source tree (NEEDLEWORK_SOURCE_DIR): where tests find examples/ and their own inputs.
std::filesystem::path source_dir();

/// The text of `relative` under data_dir().
std::string read_data_file(const std::string& relative);

/// data/devices/<id>.toml.
physics::Device load_device(const std::string& id);

/// Every device of the catalog (data/devices/*.toml), sorted by file name, as the CLI loads them.
std::vector<physics::Device> load_all_devices();

/// data/skin/regions.toml.
physics::RegionCatalog load_regions();

/// data/skin/regions.toml, loaded once for the whole test program (for code that keeps a pointer to it).
const physics::RegionCatalog& skin_regions();

/// data/physics/resealing.toml (barrier recovery and channel closure).
physics::ResealingData load_resealing();

}  // namespace needlework::test
