#include "needlework/physics/density.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "density_detail.hpp"

namespace needlework::physics {

using units::in_mm;
using units::millimetres;

ArealDensity DensityGrid::density(int ix, int iy) const noexcept {
  return static_cast<double>(counts[static_cast<std::size_t>(iy) * nx + ix]) / cell_area();
}

Result<DensityGrid> make_density_grid(const Zone& zone, Length cell) {
  const double c = in_mm(cell);
  if (!(c > 0.0) || !std::isfinite(c)) {
    return fail(ErrorCode::out_of_range, "the grid cell must be a positive length in mm", "grid.cell_mm");
  }
  const double w = in_mm(zone.max_corner().x - zone.min_corner().x);
  const double h = in_mm(zone.max_corner().y - zone.min_corner().y);
  // A cell wider than the zone makes a grid of one cell, which shows nothing — and a grid as wide as such a
  // cell would make the re-hit index (density.hpp) as wide (found by fuzz_simulate_json: 2.4e28 mm).
  if (c > std::max(w, h)) {
    return fail(
        ErrorCode::out_of_range,
        fmt::format("a {} mm cell is larger than the zone ({:.1f} × {:.1f} mm): the grid would be one "
                    "cell; use a cell of at most {:.1f} mm",
                    c, w, h, std::max(w, h)),
        "grid.cell_mm");
  }
  const double cells = std::ceil(w / c) * std::ceil(h / c);
  if (cells > double(1 << 26)) {
    return fail(ErrorCode::out_of_range,
                fmt::format("a {} mm cell makes {:.0f} cells over this zone; use a coarser grid", c, cells),
                "grid.cell_mm");
  }
  DensityGrid g;
  g.origin = zone.min_corner();
  g.cell = cell;
  g.nx = std::max(1, static_cast<int>(std::ceil(w / c)));
  g.ny = std::max(1, static_cast<int>(std::ceil(h / c)));
  g.counts.assign(static_cast<std::size_t>(g.nx) * g.ny, 0);
  g.inside.resize(g.counts.size());
  for (int iy = 0; iy < g.ny; ++iy) {
    for (int ix = 0; ix < g.nx; ++ix) {
      const SurfacePoint centre{g.origin.x + (ix + 0.5) * cell, g.origin.y + (iy + 0.5) * cell};
      g.inside[static_cast<std::size_t>(iy) * g.nx + ix] = zone.contains(centre) ? 1 : 0;
    }
  }
  return g;
}

void bin_punctures(DensityGrid& grid, std::span<const Puncture> punctures) noexcept {
  const double inv = 1.0 / in_mm(grid.cell);
  const double x0 = in_mm(grid.origin.x), y0 = in_mm(grid.origin.y);
  for (const auto& p : punctures) {
    const double fx = (in_mm(p.position.x) - x0) * inv;
    const double fy = (in_mm(p.position.y) - y0) * inv;
    if (!(fx >= 0.0 && fy >= 0.0 && fx < grid.nx && fy < grid.ny)) continue;
    ++grid.counts[static_cast<std::size_t>(static_cast<int>(fy)) * grid.nx + static_cast<int>(fx)];
  }
}

namespace detail {

// One pass in puncture order over a hash of cells of side h ≥ r (at least 1 mm, so that the table of a full
// face stays in L2 cache). Each cell keeps a list of the punctures already in it (head + next links), so
// everything a puncture is compared with is earlier by construction; a neighbour within r lies in a cell that
// the disc of radius r around the puncture touches, usually only its own (r ≪ h).
//
// Walking a list is a chain of dependent loads, the bound of this search. A bitmap of cells of side 2r marks
// where punctures have landed: an earlier puncture within r of a new one lies in a bitmap cell that the
// square [p − r, p + r]² overlaps (at most 2 × 2 cells), so when those bits are clear (nearly always at
// clinical densities) the list is not walked. At side 2r the bitmap of a full face is 94 KB and stays in L2
// cache.
RehitIndex::RehitIndex(double width_mm, double height_mm, double radius_mm, std::size_t expected)
    : r_(static_cast<float>(radius_mm)), r2_(static_cast<float>(radius_mm * radius_mm)) {
  if (!(radius_mm > 0.0)) return;
  const double h = std::max(radius_mm, 1.0);
  // Callers bound the area before (make_density_grid's cell count, the punctures a plan may make); a table
  // larger than 2^26 cells is not built rather than overflowing (add() then finds no neighbour).
  if (!(width_mm > 0.0 && height_mm > 0.0 &&
        (std::ceil(width_mm / h) + 1) * (std::ceil(height_mm / h) + 1) <= double(1 << 26))) {
    return;
  }
  inv_h_ = static_cast<float>(1.0 / h);
  nx_ = static_cast<int>(std::ceil(width_mm / h)) + 1;
  ny_ = static_cast<int>(std::ceil(height_mm / h)) + 1;
  head_.assign(static_cast<std::size_t>(nx_) * ny_, none);
  nodes_.reserve(expected);
  // Bitmap with a one-cell border over the whole hash table (nx·h × ny·h, what the bounds check admits), so
  // the block never leaves it; skipped if it would exceed 64 MB.
  inv_b_ = static_cast<float>(1.0 / (2.0 * radius_mm));
  const std::size_t bx = static_cast<std::size_t>(std::ceil(nx_ * h / (2.0 * radius_mm))) + 3;
  const std::size_t by = static_cast<std::size_t>(std::ceil(ny_ * h / (2.0 * radius_mm))) + 3;
  words_per_row_ = (bx + 63) / 64;
  if (words_per_row_ * by * 8 <= (std::size_t{64} << 20)) bits_.assign(words_per_row_ * by, 0);
}

bool RehitIndex::add(float px, float py) {
  if (head_.empty()) return false;
  const float fx = px * inv_h_, fy = py * inv_h_;
  if (!(fx >= 0.0f && fy >= 0.0f && fx < static_cast<float>(nx_) && fy < static_cast<float>(ny_)))
    return false;
  bool maybe = true;
  std::size_t bcol = 0, brow = 0;
  const bool use_bitmap = !bits_.empty();
  if (use_bitmap) {
    bcol = static_cast<std::size_t>(px * inv_b_) + 1;
    brow = static_cast<std::size_t>(py * inv_b_) + 1;
    auto bit = [&](std::size_t col, std::size_t row) {
      return (bits_[row * words_per_row_ + col / 64] >> (col % 64)) & 1u;
    };
    // Cells (one-cell border included) overlapped by [p − r, p + r]²; p ≥ 0 so every argument is ≥ 0.5.
    const std::size_t c0 = static_cast<std::size_t>((px - r_) * inv_b_ + 1.0f);
    const std::size_t c1 = static_cast<std::size_t>((px + r_) * inv_b_ + 1.0f);
    const std::size_t r0 = static_cast<std::size_t>((py - r_) * inv_b_ + 1.0f);
    const std::size_t r1 = static_cast<std::size_t>((py + r_) * inv_b_ + 1.0f);
    maybe = (bit(c0, r0) | bit(c1, r0) | bit(c0, r1) | bit(c1, r1)) != 0;
  }
  bool hit = false;
  if (maybe) {
    // floor((p ± r)/h) for values ≥ −1, clamped to the table.
    const int qx0 = std::max(static_cast<int>((px - r_) * inv_h_ + 1.0f) - 1, 0);
    const int qx1 = std::min(static_cast<int>((px + r_) * inv_h_), nx_ - 1);
    const int qy0 = std::max(static_cast<int>((py - r_) * inv_h_ + 1.0f) - 1, 0);
    const int qy1 = std::min(static_cast<int>((py + r_) * inv_h_), ny_ - 1);
    for (int qy = qy0; qy <= qy1 && !hit; ++qy) {
      for (int qx = qx0; qx <= qx1 && !hit; ++qx) {
        for (std::uint32_t j = head_[static_cast<std::size_t>(qy) * nx_ + qx]; j != none;
             j = nodes_[j].next) {
          const float ex = nodes_[j].x - px, ey = nodes_[j].y - py;
          if (ex * ex + ey * ey < r2_) {
            hit = true;
            break;
          }
        }
      }
    }
  }
  if (use_bitmap) bits_[brow * words_per_row_ + bcol / 64] |= std::uint64_t{1} << (bcol % 64);
  const std::size_t own = static_cast<std::size_t>(static_cast<int>(fy)) * nx_ + static_cast<int>(fx);
  nodes_.push_back({px, py, head_[own]});
  head_[own] = static_cast<std::uint32_t>(nodes_.size() - 1);
  return hit;
}

std::int64_t count_rehits_xy(const float* xs, const float* ys, std::size_t n, double width_mm,
                             double height_mm, double r) {
  if (!(r > 0.0) || n == 0) return 0;
  RehitIndex index(width_mm, height_mm, r, n);
  std::int64_t found = 0;
  for (std::size_t i = 0; i < n; ++i) found += index.add(xs[i], ys[i]) ? 1 : 0;
  return found;
}

}  // namespace detail

std::int64_t count_rehits(const Zone& zone, std::span<const Puncture> punctures, Length radius) {
  const double x0 = in_mm(zone.min_corner().x), y0 = in_mm(zone.min_corner().y);
  std::vector<float> xs(punctures.size()), ys(punctures.size());
  for (std::size_t i = 0; i < punctures.size(); ++i) {
    xs[i] = static_cast<float>(in_mm(punctures[i].position.x) - x0);
    ys[i] = static_cast<float>(in_mm(punctures[i].position.y) - y0);
  }
  return detail::count_rehits_xy(xs.data(), ys.data(), punctures.size(),
                                 in_mm(zone.max_corner().x - zone.min_corner().x),
                                 in_mm(zone.max_corner().y - zone.min_corner().y), in_mm(radius));
}

namespace detail {

double wound_area_mm2(Length slit, Length diameter) noexcept {
  // A wound is a stadium of width d and length = slit (≥ d).
  const double d = in_mm(diameter);
  const double l = std::max(in_mm(slit), d);
  return d * (l - d) + std::numbers::pi * d * d / 4;
}

DensityStats stats_from_grid(const DensityGrid& grid, ArealDensity target, std::int64_t rehits,
                             std::size_t n_punctures, double mean_wound_mm2) {
  DensityStats s;
  s.target = target;
  const double cell_mm2 = units::in_mm2(grid.cell_area());
  std::int64_t cells = 0, total = 0, at_target = 0;
  double sum_sq = 0.0, damaged = 0.0;
  const double target_count = units::in_per_mm2(target) * cell_mm2;
  for (std::size_t c = 0; c < grid.counts.size(); ++c) {
    if (!grid.inside[c]) continue;
    ++cells;
    const double n = grid.counts[c];
    total += grid.counts[c];
    sum_sq += n * n;
    at_target += n >= target_count - 1e-9 ? 1 : 0;
    // Inside a cell the wounds are taken as placed independently (a Boolean model): the covered share of a
    // cell with n wounds of mean area a is 1 − exp(−n·a / cell area).
    damaged += 1.0 - std::exp(-n * mean_wound_mm2 / cell_mm2);
  }
  s.rehit_fraction = n_punctures == 0 ? 0.0 : static_cast<double>(rehits) / static_cast<double>(n_punctures);
  if (cells == 0) return s;
  const double n_cells = static_cast<double>(cells);
  const double mean_count = static_cast<double>(total) / n_cells;
  s.punctures_in_zone = total;
  s.mean = units::per_square_millimetre(mean_count / cell_mm2);
  const double var = std::max(0.0, sum_sq / n_cells - mean_count * mean_count);
  s.coefficient_of_variation = mean_count > 0 ? std::sqrt(var) / mean_count : 0.0;
  s.share_at_or_above_target = static_cast<double>(at_target) / n_cells;
  s.damaged_fraction = damaged / n_cells;
  return s;
}

}  // namespace detail

DensityStats calc_density_stats(const DensityGrid& grid, std::span<const Puncture> punctures,
                                ArealDensity target, Length needle_diameter) {
  // Re-hits among the punctures inside the grid's bounds (the zone's bounding box).
  const double x0 = in_mm(grid.origin.x), y0 = in_mm(grid.origin.y);
  std::vector<float> xs(punctures.size()), ys(punctures.size());
  double wound_sum = 0.0;
  for (std::size_t i = 0; i < punctures.size(); ++i) {
    xs[i] = static_cast<float>(in_mm(punctures[i].position.x) - x0);
    ys[i] = static_cast<float>(in_mm(punctures[i].position.y) - y0);
    wound_sum += detail::wound_area_mm2(punctures[i].slit, needle_diameter);
  }
  const std::int64_t rehits =
      detail::count_rehits_xy(xs.data(), ys.data(), punctures.size(), grid.nx * in_mm(grid.cell),
                              grid.ny * in_mm(grid.cell), in_mm(needle_diameter));
  const double mean_wound = punctures.empty() ? 0.0 : wound_sum / static_cast<double>(punctures.size());
  return detail::stats_from_grid(grid, target, rehits, punctures.size(), mean_wound);
}

LayerFractions tally_layers(std::span<const Puncture> punctures, const Region& region) noexcept {
  std::int64_t n[4] = {0, 0, 0, 0};
  for (const auto& p : punctures) ++n[static_cast<int>(classify_depth(p.depth, region))];
  const double total = punctures.empty() ? 1.0 : static_cast<double>(punctures.size());
  auto share = [&](int i) { return static_cast<double>(n[i]) / total; };
  return {share(0), share(1), share(2), share(3)};
}

}  // namespace needlework::physics
