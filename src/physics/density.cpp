#include "needlework/physics/density.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include <fmt/format.h>

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

std::int64_t count_rehits(const Zone& zone, std::span<const Puncture> punctures, Length radius) {
  const double r = in_mm(radius);
  if (!(r > 0.0) || punctures.empty()) return 0;
  // Hash cells of side h ≥ r (at least 1 mm, so that the table of a full face fits in L2 cache): a neighbour within r lies in a cell
  // that the disc of radius r around the puncture touches, at most the 3 × 3 block around its own cell.
  const double h = std::max(r, 1.0);
  const double x0 = in_mm(zone.min_corner().x), y0 = in_mm(zone.min_corner().y);
  const int nx = static_cast<int>(std::ceil(in_mm(zone.max_corner().x - zone.min_corner().x) / h)) + 1;
  const int ny = static_cast<int>(std::ceil(in_mm(zone.max_corner().y - zone.min_corner().y) / h)) + 1;
  const std::size_t n_cells = static_cast<std::size_t>(nx) * ny;
  constexpr std::uint32_t outside = ~0u;
  std::vector<std::uint32_t> key(punctures.size());
  std::vector<std::uint32_t> start(n_cells + 1, 0);
  for (std::size_t i = 0; i < punctures.size(); ++i) {
    const double fx = (in_mm(punctures[i].position.x) - x0) / h;
    const double fy = (in_mm(punctures[i].position.y) - y0) / h;
    if (!(fx >= 0 && fy >= 0 && fx < nx && fy < ny)) {
      key[i] = outside;
      continue;
    }
    key[i] = static_cast<std::uint32_t>(static_cast<int>(fy) * nx + static_cast<int>(fx));
    ++start[key[i] + 1];
  }
  for (std::size_t c = 0; c < n_cells; ++c) start[c + 1] += start[c];
  // Counting sort keeps the original order inside each cell, so "earlier" is a smaller index. Coordinates are
  // copied in cell order so that the neighbour scan below reads contiguous memory (random access into the
  // punctures themselves cost ten times more on a full face).
  const std::size_t n_hashed = start[n_cells];
  std::vector<std::uint32_t> order(n_hashed);
  std::vector<float> sx(n_hashed), sy(n_hashed);  // relative to the zone's corner: float is exact to 1e-5 mm
  {
    std::vector<std::uint32_t> fill(start.begin(), start.end() - 1);
    for (std::size_t i = 0; i < punctures.size(); ++i) {
      if (key[i] == outside) continue;
      const std::uint32_t slot = fill[key[i]]++;
      order[slot] = static_cast<std::uint32_t>(i);
      sx[slot] = static_cast<float>(in_mm(punctures[i].position.x) - x0);
      sy[slot] = static_cast<float>(in_mm(punctures[i].position.y) - y0);
    }
  }
  const double r2 = r * r;
  std::int64_t rehits = 0;
  for (int cy = 0; cy < ny; ++cy) {
    for (int cx = 0; cx < nx; ++cx) {
      const std::size_t cell = static_cast<std::size_t>(cy) * nx + cx;
      for (std::uint32_t a = start[cell]; a < start[cell + 1]; ++a) {
        const std::uint32_t i = order[a];
        const double px = sx[a], py = sy[a];  // relative to (x0, y0)
        bool hit = false;
        // Only the cells the disc of radius r around the puncture touches: usually just its own (r ≪ h).
        const int qx0 = std::max(static_cast<int>(std::floor((px - r) / h)), 0);
        const int qx1 = std::min(static_cast<int>(std::floor((px + r) / h)), nx - 1);
        const int qy0 = std::max(static_cast<int>(std::floor((py - r) / h)), 0);
        const int qy1 = std::min(static_cast<int>(std::floor((py + r) / h)), ny - 1);
        for (int qy = qy0; qy <= qy1 && !hit; ++qy) {
          for (int qx = qx0; qx <= qx1 && !hit; ++qx) {
            const std::size_t c = static_cast<std::size_t>(qy) * nx + qx;
            for (std::uint32_t b = start[c]; b < start[c + 1]; ++b) {
              if (order[b] >= i) break;  // sorted by index within a cell
              const double ex = double(sx[b]) - px, ey = double(sy[b]) - py;
              if (ex * ex + ey * ey < r2) {
                hit = true;
                break;
              }
            }
          }
        }
        rehits += hit ? 1 : 0;
      }
    }
  }
  return rehits;
}

DensityStats calc_density_stats(const DensityGrid& grid, std::span<const Puncture> punctures, ArealDensity target,
                                Length needle_diameter) {
  DensityStats s;
  s.target = target;
  const double cell_mm2 = units::in_mm2(grid.cell_area());
  std::int64_t cells = 0, total = 0, at_target = 0;
  double sum_sq = 0.0;
  const double target_count = units::in_per_mm2(target) * cell_mm2;
  for (std::size_t c = 0; c < grid.counts.size(); ++c) {
    if (!grid.inside[c]) continue;
    ++cells;
    const double n = grid.counts[c];
    total += grid.counts[c];
    sum_sq += n * n;
    at_target += n >= target_count - 1e-9 ? 1 : 0;
  }
  if (cells == 0) return s;
  const double n_cells = static_cast<double>(cells);
  const double mean_count = static_cast<double>(total) / n_cells;
  s.punctures_in_zone = total;
  s.mean = units::per_square_millimetre(mean_count / cell_mm2);
  const double var = std::max(0.0, sum_sq / n_cells - mean_count * mean_count);
  s.coefficient_of_variation = mean_count > 0 ? std::sqrt(var) / mean_count : 0.0;
  s.share_at_or_above_target = static_cast<double>(at_target) / n_cells;

  // Re-hits: among the binned punctures in the zone's bounding box (a close stand-in for the zone itself).
  Zone bounds_zone = *make_zone({grid.origin,
                                 {grid.origin.x + grid.nx * grid.cell, grid.origin.y},
                                 {grid.origin.x + grid.nx * grid.cell, grid.origin.y + grid.ny * grid.cell},
                                 {grid.origin.x, grid.origin.y + grid.ny * grid.cell}});
  const std::int64_t rehits = count_rehits(bounds_zone, punctures, needle_diameter);
  s.rehit_fraction = punctures.empty() ? 0.0 : static_cast<double>(rehits) / static_cast<double>(punctures.size());

  // Damaged surface: a wound is a stadium of width d and length = slit (≥ d). Inside each cell the wounds are
  // taken as placed independently (a Boolean model), so the covered share of a cell with n wounds of mean area a
  // is 1 − exp(−n·a / cell area); the zone figure is the mean over its cells.
  double wound_area_sum = 0.0;
  const double d = in_mm(needle_diameter);
  for (const auto& p : punctures) {
    const double slit = std::max(in_mm(p.slit), d);
    wound_area_sum += d * (slit - d) + std::numbers::pi * d * d / 4;
  }
  const double mean_wound_mm2 = punctures.empty() ? 0.0 : wound_area_sum / static_cast<double>(punctures.size());
  double damaged = 0.0;
  for (std::size_t c = 0; c < grid.counts.size(); ++c) {
    if (grid.inside[c]) damaged += 1.0 - std::exp(-static_cast<double>(grid.counts[c]) * mean_wound_mm2 / cell_mm2);
  }
  s.damaged_fraction = damaged / n_cells;
  return s;
}

LayerFractions tally_layers(std::span<const Puncture> punctures, const Region& region) noexcept {
  std::int64_t n[4] = {0, 0, 0, 0};
  for (const auto& p : punctures) ++n[static_cast<int>(classify_depth(p.depth, region))];
  const double total = punctures.empty() ? 1.0 : static_cast<double>(punctures.size());
  auto share = [&](int i) { return static_cast<double>(n[i]) / total; };
  return {share(0), share(1), share(2), share(3)};
}

}  // namespace needlework::physics
