#pragma once
/// Skin regions: the thickness of the epidermis, papillary dermis and whole dermis at a body site, each with its
/// published source (data/skin/regions.toml, FACTS §4). Parsing takes text; the catalog is a plain value.

#include <string>
#include <string_view>
#include <vector>

#include "needlework/units/error.hpp"
#include "needlework/physics/types.hpp"

namespace needlework::physics {

/// Layer thicknesses at one body site. Depths below the surface: the epidermis ends at `epidermis`, the
/// papillary dermis at `epidermis + papillary_dermis`, the dermis at `epidermis + dermis` (`dermis` includes
/// the papillary part). Anything deeper is subcutis.
struct Region {
  std::string id;
  std::string name;
  Length epidermis;
  Length papillary_dermis;
  Length dermis;
  std::vector<std::string> sources;

  /// Depth at which the dermis ends (the beyond-dermis safety limit).
  [[nodiscard]] Length dermis_floor() const noexcept { return epidermis + dermis; }
  /// Depth at which the papillary dermis ends.
  [[nodiscard]] Length papillary_floor() const noexcept { return epidermis + papillary_dermis; }
};

/// All regions of a regions file.
struct RegionCatalog {
  std::vector<Region> regions;

  /// The region with this id, or an `unknown_id` error that lists the known ids.
  [[nodiscard]] Result<const Region*> find(std::string_view id) const;
};

/// Parses data/skin/regions.toml (`[[region]]` tables; every number with a `<field>_source`). Refuses
/// non-positive thicknesses, a papillary dermis not thinner than the dermis, and duplicate ids.
[[nodiscard]] Result<RegionCatalog> parse_regions(std::string_view toml_text, std::string_view source_name);

}  // namespace needlework::physics
