#pragma once
// Loads the shipped data files for tests (the engine itself never reads files).

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "needlework/physics/device.hpp"
#include "needlework/physics/skin.hpp"

namespace needlework::physics::testing {

inline std::string read_data_file(const std::string& relative) {
  std::ifstream in(std::string(NEEDLEWORK_DATA_DIR) + "/" + relative, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << relative;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline Device load_device(const std::string& id) {
  const std::string name = "devices/" + id + ".toml";
  auto d = parse_device(read_data_file(name), name);
  if (!d) ADD_FAILURE() << d.error().describe();
  return d.value_or(Device{});
}

/// Every device of the catalog (data/devices/*.toml), sorted by file name.
inline std::vector<Device> load_all_devices() {
  std::vector<std::string> ids;
  for (const auto& e : std::filesystem::directory_iterator(std::string(NEEDLEWORK_DATA_DIR) + "/devices")) {
    if (e.path().extension() == ".toml") ids.push_back(e.path().stem().string());
  }
  std::sort(ids.begin(), ids.end());
  std::vector<Device> out;
  for (const auto& id : ids) out.push_back(load_device(id));
  return out;
}

inline RegionCatalog load_regions() {
  auto r = parse_regions(read_data_file("skin/regions.toml"), "skin/regions.toml");
  if (!r) ADD_FAILURE() << r.error().describe();
  return r.value_or(RegionCatalog{});
}

}  // namespace needlework::physics::testing
