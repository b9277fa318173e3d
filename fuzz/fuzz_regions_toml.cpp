// The skin-region file (data/skin/regions.toml): physics::parse_regions, what physics::load_regions_file (the
// CLI and the server) calls; a catalog that parses is asked for each of its regions and their percentiles.

#include <cstdint>

#include "needlework/physics/skin.hpp"
#include "support/fuzz_support.hpp"

using namespace needlework;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto catalog = physics::parse_regions(fuzz::text_of(data, size), "regions.toml");
  if (!catalog) return 0;
  for (const auto& region : catalog->regions) {
    (void)catalog->find(region.id);
    for (auto sex : {physics::Sex::female, physics::Sex::male}) {
      for (double p : {0.0, 50.0, 100.0}) (void)physics::at_percentile(region, sex, p);
    }
  }
  return 0;
}
