#include "needlework/clinic/dose.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <utility>

#include "needlework/clinic/constants.hpp"
#include "needlework/clinic/physics_bridge.hpp"
#include "needlework/physics/simulation.hpp"
#include "needlework/physics/zone.hpp"

namespace needlework::clinic {

Result<Dose> estimate_dose(const knowledge::Pack& pack, const physics::RegionCatalog& regions,
                           std::span<const physics::Device> devices, const DoseRequest& req) {
  NW_TRY(sim, simulate_dose(pack, regions, devices, req));
  return std::move(sim.dose);
}

Result<DoseSimulation> simulate_dose(const knowledge::Pack& pack, const physics::RegionCatalog& regions,
                                     std::span<const physics::Device> devices, const DoseRequest& req) {
  if (req.passes < 1 || req.passes > max_passes) {
    return fail(ErrorCode::out_of_range,
                fmt::format("passes must be 1–{} to estimate a dose, got {}", max_passes, req.passes),
                "passes");
  }
  NW_TRY(target, physics_target(pack, regions, devices, req.area, req.device, req.needle_count));
  if (target.device == nullptr) {
    return fail(ErrorCode::invalid_value, "the device catalog is empty; chart the dose by hand", "device");
  }
  if (!req.region.empty()) {
    if (std::find(target.regions.begin(), target.regions.end(), req.region) == target.regions.end()) {
      return fail(ErrorCode::invalid_value,
                  fmt::format("'{}' is not a skin region of area '{}' (its regions: {})", req.region,
                              target.area, fmt::join(target.regions, ", ")),
                  "region");
    }
    target.region = req.region;
  }
  NW_TRY(region, regions.find(target.region));
  auto device = physics::with_needle_length(*target.device, req.needle_length);
  if (!device) return fail(device.error().code, device.error().message, "needle_length_mm");

  physics::StrokePlan plan;
  auto turn = plan.directions;  // the plan's own turn unless directions are given
  if (!req.directions.empty()) {
    NW_TRY(given, physics::parse_stroke_directions(req.directions, "directions"));
    turn = std::move(given);
  }
  plan.directions.clear();
  for (int i = 0; i < req.passes; ++i)
    plan.directions.push_back(turn[static_cast<std::size_t>(i) % turn.size()]);
  plan.passes_per_direction = 1;
  plan.seed = physics::Seed{req.seed};
  // The pressure the pack's first depth guard allows at most: the dose of the hand the guard answers for.
  if (!pack.depth_guards.empty())
    plan.pressure = physics::HandPressure{pack.depth_guards.front().max_pressure};

  NW_TRY(zone, physics::make_rectangle_zone(dose_patch_width, dose_patch_height));
  const physics::SimulationOptions options;
  NW_TRY(sim, physics::simulate_session(*device, *region, zone, plan, options));

  Dose dose;
  dose.density = sim.density.mean;
  dose.effective_depth = sim.mean_depth;
  dose.beyond_dermis_share = sim.layers_exact.beyond_dermis;
  dose.physics_device = device->id;
  dose.region = target.region;
  dose.passes = req.passes;
  dose.seed = req.seed;
  dose.punctures = sim.density.punctures_in_zone;
  dose.layers = sim.layers_exact;
  return DoseSimulation{std::move(dose), std::move(sim), options.target};
}

}  // namespace needlework::clinic
