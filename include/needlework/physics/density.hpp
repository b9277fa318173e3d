#pragma once
/// Puncture density over a zone: a grid of counts at a chosen resolution, and the statistics a session is
/// judged by (mean punctures/cm², coefficient of variation, share of the zone at or above a target density,
/// re-hit fraction, damaged surface fraction). Statistics cover the cells whose centres lie inside the zone.

#include <cstdint>
#include <span>
#include <vector>

#include "needlework/physics/depth.hpp"
#include "needlework/physics/strokes.hpp"
#include "needlework/physics/zone.hpp"
#include "needlework/units/error.hpp"

namespace needlework::physics {

/// Counts of punctures per square cell, row-major (y outer). Covers the zone's bounding box.
struct DensityGrid {
  SurfacePoint origin;  ///< lower-left corner of cell (0, 0)
  Length cell;
  int nx = 0;
  int ny = 0;
  std::vector<std::uint32_t> counts;
  std::vector<std::uint8_t> inside;  ///< 1 where the cell centre lies in the zone

  [[nodiscard]] Area cell_area() const noexcept { return cell * cell; }
  [[nodiscard]] ArealDensity density(int ix, int iy) const noexcept;
};

/// A zero grid over the zone's bounds; refuses a cell that is not positive or a grid of more than 2^26 cells.
[[nodiscard]] Result<DensityGrid> make_density_grid(const Zone& zone, Length cell);

/// Adds punctures to the grid (those outside the bounding box are ignored).
void bin_punctures(DensityGrid& grid, std::span<const Puncture> punctures) noexcept;

/// What a session did to the zone.
struct DensityStats {
  std::int64_t punctures_in_zone = 0;   ///< punctures whose cell is inside the zone
  ArealDensity mean;                    ///< over the zone's cells
  double coefficient_of_variation = 0;  ///< of the per-cell density (depends on the cell size)
  ArealDensity target;
  double share_at_or_above_target = 0;  ///< share of zone cells with density ≥ target
  double rehit_fraction =
      0;  ///< share of punctures landing within one needle diameter of an earlier one (in the zone's bounds)
  double damaged_fraction =
      0;  ///< share of the zone's surface inside a wound (see density.cpp for the estimate)
};

/// Statistics of a binned grid. `punctures` must be the ones binned (in the order they were made) for the
/// re-hit count; `needle_diameter` is the re-hit radius and, with each puncture's slit, sets the wound area.
[[nodiscard]] DensityStats calc_density_stats(const DensityGrid& grid, std::span<const Puncture> punctures,
                                              ArealDensity target, Length needle_diameter);

/// Number of punctures landing within `radius` of an earlier puncture (order = index), among those inside the
/// zone's bounds. Exact (spatial hash with cells ≥ radius).
[[nodiscard]] std::int64_t count_rehits(const Zone& zone, std::span<const Puncture> punctures, Length radius);

/// Shares of sampled punctures by the layer they end in.
[[nodiscard]] LayerFractions tally_layers(std::span<const Puncture> punctures, const Region& region) noexcept;

}  // namespace needlework::physics
