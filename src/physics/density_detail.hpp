#pragma once
// Private pieces of density.cpp that simulation.cpp reuses in its single fused pass over a session's punctures.

#include <cstddef>
#include <cstdint>

#include "needlework/physics/density.hpp"

namespace needlework::physics::detail {

/// Re-hits among points given relative to a corner (x, y ≥ 0 inside a width × height box; others ignored):
/// points within r of an earlier point (by index).
std::int64_t count_rehits_xy(const float* xs, const float* ys, std::size_t n, double width_mm, double height_mm,
                             double r);

/// Surface area of one wound (a stadium of width d, length max(slit, d)), mm².
double wound_area_mm2(Length slit, Length diameter) noexcept;

/// Statistics over the zone's cells of a binned grid, given the re-hit count and the mean wound area.
DensityStats stats_from_grid(const DensityGrid& grid, ArealDensity target, std::int64_t rehits,
                             std::size_t n_punctures, double mean_wound_mm2);

}  // namespace needlework::physics::detail
