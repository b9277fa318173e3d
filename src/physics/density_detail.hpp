#pragma once
// Private pieces of density.cpp that simulation.cpp reuses in its single fused pass over a session's
// punctures.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "needlework/physics/density.hpp"

namespace needlework::physics::detail {

/// Punctures filed one at a time, in the order they are made: `add` says whether a puncture lands within r of
/// an earlier one. Positions relative to a corner; points outside width × height are ignored (never re-hits).
class RehitIndex {
 public:
  RehitIndex(double width_mm, double height_mm, double radius_mm, std::size_t expected);
  bool add(float x_mm, float y_mm);

 private:
  static constexpr std::uint32_t none = ~0u;
  struct Node {
    float x, y;
    std::uint32_t next;
  };
  float r_ = 0, r2_ = 0, inv_h_ = 0, inv_b_ = 0;
  int nx_ = 0, ny_ = 0;
  std::size_t words_per_row_ = 0;
  std::vector<std::uint32_t> head_;
  std::vector<Node> nodes_;
  std::vector<std::uint64_t> bits_;
};

/// Re-hits among points given relative to a corner (x, y ≥ 0 inside a width × height box; others ignored):
/// points within r of an earlier point (by index).
std::int64_t count_rehits_xy(const float* xs, const float* ys, std::size_t n, double width_mm,
                             double height_mm, double r);

/// Surface area of one wound (a stadium of width d, length max(slit, d)), mm².
double wound_area_mm2(Length slit, Length diameter) noexcept;

/// Statistics over the zone's cells of a binned grid, given the re-hit count and the mean wound area.
DensityStats stats_from_grid(const DensityGrid& grid, ArealDensity target, std::int64_t rehits,
                             std::size_t n_punctures, double mean_wound_mm2);

}  // namespace needlework::physics::detail
