#include "needlework/physics/simulation.hpp"

#include <optional>

#include "needlework/physics/kinematics.hpp"

#include "density_detail.hpp"
#include "strokes_impl.hpp"

namespace needlework::physics {

Result<SimulationResult> simulate_session(const Device& device, const Region& region, const Zone& zone,
                                          const StrokePlan& plan, const SimulationOptions& options) {
  auto grid = make_density_grid(zone, options.grid_cell);
  if (!grid) return std::unexpected(grid.error());
  auto model = make_depth_model(device_class_of(device), plan.pressure);
  if (!model) return std::unexpected(model.error());
  const NeedleSpec& needle = device.needle();
  auto resealing = make_resealing_model(needle.length, options.occlusion);
  if (!resealing) return std::unexpected(resealing.error());

  SimulationResult r;
  r.grid = std::move(*grid);

  // Each puncture is binned, classified by layer and checked for a re-hit as it is made, while it is in
  // cache (a full face is ~85 000 punctures, 4 MB). Same results as bin_punctures + calc_density_stats +
  // tally_layers on the finished session.
  const double x0 = units::in_mm(r.grid.origin.x), y0 = units::in_mm(r.grid.origin.y);
  const double inv_cell = 1.0 / units::in_mm(r.grid.cell);
  const int nx = r.grid.nx, ny = r.grid.ny;
  std::int64_t layer_counts[4] = {0, 0, 0, 0};
  std::int64_t rehits = 0;
  std::uint32_t* counts = r.grid.counts.data();
  std::optional<detail::RehitIndex> index;
  std::size_t reserved = 0;
  auto session = detail::simulate_strokes_with(device, zone, plan, [&](const Puncture& p) {
    if (!index) {  // the first puncture: size the index like the session
      index.emplace(nx * units::in_mm(r.grid.cell), ny * units::in_mm(r.grid.cell), units::in_mm(needle.diameter),
                    reserved);
    }
    const double x = units::in_mm(p.position.x) - x0, y = units::in_mm(p.position.y) - y0;
    rehits += index->add(static_cast<float>(x), static_cast<float>(y)) ? 1 : 0;
    const double fx = x * inv_cell, fy = y * inv_cell;
    if (fx >= 0.0 && fy >= 0.0 && fx < nx && fy < ny) {
      ++counts[static_cast<std::size_t>(static_cast<int>(fy)) * nx + static_cast<int>(fx)];
    }
    ++layer_counts[static_cast<int>(classify_depth(p.depth, region))];
  }, &reserved);
  if (!session) return std::unexpected(session.error());
  r.session = std::move(*session);

  const auto& punctures = r.session.punctures;
  const std::size_t n = punctures.size();
  // Every puncture of a session has the same slit (device and compliance are fixed), so one wound area serves.
  const double wound_mm2 = detail::wound_area_mm2(n == 0 ? needle.diameter : punctures[0].slit, needle.diameter);
  r.density = detail::stats_from_grid(r.grid, options.target, rehits, n, wound_mm2);
  const double total = n == 0 ? 1.0 : static_cast<double>(n);
  auto share = [&](int k) { return static_cast<double>(layer_counts[k]) / total; };
  r.layers_sampled = {share(0), share(1), share(2), share(3)};
  r.layers_exact = calc_layer_fractions(region, *model, needle.length);
  r.mean_depth = mean_effective_depth(*model, needle.length);
  r.slit = device.is_roller()
               ? calc_slit_length(device.roller()->drum_radius, needle.length, needle.diameter, plan.compliance)
               : needle.diameter;
  r.resealing = *resealing;
  r.beyond_dermis = r.layers_exact.beyond_dermis > 0.0;
  return r;
}

}  // namespace needlework::physics
