#include "data.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace needlework::test {

std::filesystem::path data_dir() { return NEEDLEWORK_DATA_DIR; }

std::filesystem::path source_dir() { return NEEDLEWORK_SOURCE_DIR; }

std::string read_data_file(const std::string& relative) {
  std::ifstream in(data_dir() / relative, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << (data_dir() / relative).string();
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

physics::Device load_device(const std::string& id) {
  const std::string name = "devices/" + id + ".toml";
  auto d = physics::parse_device(read_data_file(name), name);
  if (!d) ADD_FAILURE() << d.error().describe();
  return d.value_or(physics::Device{});
}

std::vector<physics::Device> load_all_devices() {
  std::vector<std::string> ids;
  for (const auto& e : std::filesystem::directory_iterator(data_dir() / "devices")) {
    if (e.path().extension() == ".toml") ids.push_back(e.path().stem().string());
  }
  std::sort(ids.begin(), ids.end());
  std::vector<physics::Device> out;
  for (const auto& id : ids) out.push_back(load_device(id));
  return out;
}

physics::RegionCatalog load_regions() {
  auto r = physics::parse_regions(read_data_file("skin/regions.toml"), "skin/regions.toml");
  if (!r) ADD_FAILURE() << r.error().describe();
  return r.value_or(physics::RegionCatalog{});
}

const physics::RegionCatalog& skin_regions() {
  static const physics::RegionCatalog regions = load_regions();
  return regions;
}

physics::ResealingData load_resealing() {
  auto r = physics::parse_resealing(read_data_file("physics/resealing.toml"), "physics/resealing.toml");
  if (!r) ADD_FAILURE() << r.error().describe();
  return r.value_or(physics::ResealingData{});
}

}  // namespace needlework::test
