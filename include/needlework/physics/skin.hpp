#pragma once
/// Skin regions: the thickness of the epidermis, papillary dermis and whole dermis at a body site, each with
/// its published source (data/skin/regions.toml, FACTS §4). The dermis is a distribution over clients: one
/// entry per published figure (sex, method, n, mean, SD). Parsing takes text; the catalog is a plain value.

#include <string>
#include <string_view>
#include <vector>

#include "needlework/physics/types.hpp"
#include "needlework/units/error.hpp"

namespace needlework::physics {

/// Whose skin a figure describes; `any` is a figure for both sexes (or a client whose sex is not given).
enum class Sex { any, female, male };

/// Stable text for a sex ("female").
[[nodiscard]] std::string_view to_string(Sex sex) noexcept;
/// Parses "any", "female", "male"; `out_of_range` names `field` otherwise.
[[nodiscard]] Result<Sex> parse_sex(std::string_view text, std::string_view field);

/// One published dermis figure at a site: normal with this mean and SD over the clients it describes.
struct DermisFigure {
  Sex sex = Sex::any;
  std::string method;  ///< "ultrasound" or "histology"
  int n = 0;           ///< subjects measured (0: not known)
  Length mean;
  Length sd;
  std::string mean_source;
  std::string sd_source;
  [[nodiscard]] bool sd_assumed() const noexcept { return sd_source.starts_with("ASSUMED"); }
};

/// Layer thicknesses at one body site. Depths below the surface: the epidermis ends at `epidermis`, the
/// papillary dermis at `epidermis + papillary_dermis`, the dermis at `epidermis + dermis` (`dermis` includes
/// the papillary part). Anything deeper is subcutis. `dermis` is the thinnest mean of `dermis_figures` (what
/// the simulator uses); the guard uses a percentile of them (`at_percentile`).
struct Region {
  std::string id;
  std::string name;
  std::string note;
  Length epidermis;
  Length papillary_dermis;
  Length dermis;
  double papillary_fraction = 0.2;
  std::vector<DermisFigure> dermis_figures;
  std::vector<std::string> sources;  ///< epidermis, papillary fraction, then each figure's mean and SD source

  /// Depth at which the dermis ends (the beyond-dermis safety limit).
  [[nodiscard]] Length dermis_floor() const noexcept { return epidermis + dermis; }
  /// Depth at which the papillary dermis ends.
  [[nodiscard]] Length papillary_floor() const noexcept { return epidermis + papillary_dermis; }
};

/// The standard normal quantile: z with Φ(z) = p, for p in (0, 1).
[[nodiscard]] double normal_quantile(double p) noexcept;

/// The region as it is for a client at `percentile` (0–100, exclusive) of dermis thickness among clients of
/// `sex`: the dermis is mean + z·SD of each matching figure, the thinnest of them (a figure for `any` matches
/// both sexes; `any` matches every figure). Never below 1 µm. Errors: percentile outside (0, 100)
/// (`out_of_range`), no figure for that sex (`invalid_value`).
[[nodiscard]] Result<Region> at_percentile(const Region& region, Sex sex, double percentile);

/// All regions of a regions file.
struct RegionCatalog {
  std::vector<Region> regions;
  /// The skin's calibrated compliance for the roller slit (kinematics.hpp), with its source and calibration.
  SkinCompliance compliance;
  std::string compliance_source;

  /// The region with this id, or an `unknown_id` error that lists the known ids.
  [[nodiscard]] Result<const Region*> find(std::string_view id) const;
};

/// Parses data/skin/regions.toml (`[[region]]` tables with `[[region.dermis]]` figures, and the
/// `[compliance]` table; every number with a `<field>_source`). Refuses a compliance outside [0, 1],
/// non-positive thicknesses or SDs, a papillary fraction outside (0, 1), a region without a dermis figure, an
/// unknown sex and duplicate ids.
[[nodiscard]] Result<RegionCatalog> parse_regions(std::string_view toml_text, std::string_view source_name);

}  // namespace needlework::physics
