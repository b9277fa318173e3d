#include "needlework/physics/simulation.hpp"

#include "needlework/physics/kinematics.hpp"

namespace needlework::physics {

Result<SimulationResult> simulate_session(const Device& device, const Region& region, const Zone& zone,
                                          const StrokePlan& plan, const SimulationOptions& options) {
  auto session = simulate_strokes(device, zone, plan);
  if (!session) return std::unexpected(session.error());
  auto grid = make_density_grid(zone, options.grid_cell);
  if (!grid) return std::unexpected(grid.error());
  auto model = make_depth_model(device_class_of(device), plan.pressure);
  if (!model) return std::unexpected(model.error());
  const NeedleSpec& needle = device.needle();
  auto resealing = make_resealing_model(needle.length, options.occlusion);
  if (!resealing) return std::unexpected(resealing.error());

  SimulationResult r;
  r.session = std::move(*session);
  r.grid = std::move(*grid);
  bin_punctures(r.grid, r.session.punctures);
  r.density = calc_density_stats(r.grid, r.session.punctures, options.target, needle.diameter);
  r.layers_sampled = tally_layers(r.session.punctures, region);
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
