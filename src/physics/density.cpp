#include "needlework/physics/density.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include <fmt/format.h>

#include "density_detail.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

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

namespace detail {

namespace {
int max_threads() {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}
}  // namespace

std::int64_t count_rehits_xy(const float* xs, const float* ys, std::size_t n, double width_mm, double height_mm,
                             double r) {
  if (!(r > 0.0) || n == 0) return 0;
  // One pass in puncture order over a hash of cells of side h ≥ r (at least 1 mm, so that the table of a full
  // face fits in L2 cache). Each cell keeps a list of the punctures already in it (head + next links), so
  // everything a puncture is compared with is earlier by construction; a neighbour within r lies in a cell
  // that the disc of radius r around the puncture touches, usually only its own (r ≪ h).
  //
  // The walk is bound by memory latency (a full face: 85 000 punctures, each list step a likely cache miss), so
  // the rows of cells are split into bands, one per thread: a thread answers for the punctures of its band and
  // also files those of the row just below it, the only other row its discs can reach. The count is the same
  // for any number of bands.
  const double h = std::max(r, 1.0);
  const float inv_h = static_cast<float>(1.0 / h);
  const int nx = static_cast<int>(std::ceil(width_mm / h)) + 1;
  const int ny = static_cast<int>(std::ceil(height_mm / h)) + 1;
  constexpr std::uint32_t none = ~0u;
  const float fnx = static_cast<float>(nx), fny = static_cast<float>(ny);
  const float r2_h = static_cast<float>((r / h) * (r / h));  // r² in units of h²
  const float rf = static_cast<float>(r);
  // 8 bytes per filed puncture: its position inside its cell in units of h/65536 (15 nm for h = 1 mm, finer
  // than float at 200 mm) and the link. A full face's table then fits in L2 cache.
  struct Node {
    std::uint16_t x, y;
    std::uint32_t next;
  };
  constexpr float sub = 65536.0f;
  const int bands = (n > 20000 && ny >= 8) ? std::min(2, max_threads()) : 1;  // OMP_NUM_THREADS=1: one band
  std::int64_t rehits = 0;
#pragma omp parallel for num_threads(bands) reduction(+ : rehits) schedule(static, 1) if (bands > 1)
  for (int band = 0; band < bands; ++band) {
    const int row_lo = band * ny / bands, row_hi = (band + 1) * ny / bands;  // rows this band answers for
    const int file_lo = std::max(row_lo - 1, 0), file_hi = std::min(row_hi + 1, ny);  // rows it files
    std::vector<std::uint32_t> head(static_cast<std::size_t>(nx) * (file_hi - file_lo), none);
    std::vector<Node> nodes;
    nodes.reserve(n / bands + n / 16);
    std::int64_t found = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const float px = xs[i], py = ys[i];
      const float fx = px * inv_h, fy = py * inv_h;
      if (!(fx >= 0.0f && fy >= 0.0f && fx < fnx && fy < fny)) continue;
      const int row = static_cast<int>(fy);
      if (row < file_lo || row >= file_hi) continue;
      if (row >= row_lo && row < row_hi) {
        // floor((p ± r)/h) for values ≥ −1, clamped to the table.
        const int qx0 = std::max(static_cast<int>((px - rf) * inv_h + 1.0f) - 1, 0);
        const int qx1 = std::min(static_cast<int>((px + rf) * inv_h), nx - 1);
        const int qy0 = std::max(static_cast<int>((py - rf) * inv_h + 1.0f) - 1, file_lo);
        const int qy1 = std::min(static_cast<int>((py + rf) * inv_h), file_hi - 1);
        bool hit = false;
        // Distances in units of h, from the puncture's position relative to each candidate cell's corner.
        for (int qy = qy0; qy <= qy1 && !hit; ++qy) {
          const float oy = fy - static_cast<float>(qy);
          for (int qx = qx0; qx <= qx1 && !hit; ++qx) {
            const float ox = fx - static_cast<float>(qx);
            for (std::uint32_t j = head[static_cast<std::size_t>(qy - file_lo) * nx + qx]; j != none;
                 j = nodes[j].next) {
              const float ex = static_cast<float>(nodes[j].x) * (1.0f / sub) - ox;
              const float ey = static_cast<float>(nodes[j].y) * (1.0f / sub) - oy;
              if (ex * ex + ey * ey < r2_h) {
                hit = true;
                break;
              }
            }
          }
        }
        found += hit ? 1 : 0;
      }
      const int col = static_cast<int>(fx);
      const std::size_t own = static_cast<std::size_t>(row - file_lo) * nx + col;
      const auto quantise = [&](float f, int cell) {
        return static_cast<std::uint16_t>(std::min((f - static_cast<float>(cell)) * sub, sub - 1.0f));
      };
      nodes.push_back({quantise(fx, col), quantise(fy, row), head[own]});
      head[own] = static_cast<std::uint32_t>(nodes.size() - 1);
    }
    rehits += found;
  }
  return rehits;
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
    // Inside a cell the wounds are taken as placed independently (a Boolean model): the covered share of a cell
    // with n wounds of mean area a is 1 − exp(−n·a / cell area).
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

DensityStats calc_density_stats(const DensityGrid& grid, std::span<const Puncture> punctures, ArealDensity target,
                                Length needle_diameter) {
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
