#pragma once
// Loads the shipped data files for tests (the engine itself never reads files).

#include <fstream>
#include <sstream>
#include <string>

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

inline RegionCatalog load_regions() {
  auto r = parse_regions(read_data_file("skin/regions.toml"), "skin/regions.toml");
  if (!r) ADD_FAILURE() << r.error().describe();
  return r.value_or(RegionCatalog{});
}

}  // namespace needlework::physics::testing
