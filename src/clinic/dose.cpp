#include "needlework/clinic/dose.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <utility>

#include "needlework/physics/simulation.hpp"
#include "needlework/physics/zone.hpp"

namespace needlework::clinic {
namespace {

int needle_count_of(const physics::Device& d) {
  if (const auto* r = d.roller()) return r->needle_count();
  if (const auto* p = d.pen()) return static_cast<int>(p->offsets.size());
  return 0;
}

}  // namespace

Result<Dose> estimate_dose(const knowledge::Pack& pack, const physics::RegionCatalog& regions,
                           std::span<const physics::Device> devices, const DoseRequest& req) {
  const auto* area = pack.find_area(req.area);
  if (area == nullptr) {
    return fail(ErrorCode::unknown_id, fmt::format("'{}' is not an area of pack {}", req.area, pack.label()), "area");
  }
  if (area->skin_region.empty()) {
    return fail(ErrorCode::invalid_value,
                fmt::format("area '{}' has no skin region in pack {}, so the physics engine cannot model it; "
                            "chart the dose by hand",
                            req.area, pack.label()),
                "area");
  }
  const auto* kind = pack.find_device(req.device);
  if (kind == nullptr) {
    return fail(ErrorCode::unknown_id, fmt::format("'{}' is not a device of pack {}", req.device, pack.label()),
                "device");
  }
  if (req.passes < 1 || req.passes > 1000) {
    return fail(ErrorCode::out_of_range, fmt::format("passes must be 1–1000 to estimate a dose, got {}", req.passes),
                "passes");
  }
  auto region = regions.find(area->skin_region);
  if (!region) return std::unexpected(region.error());

  // The catalog's device of the same kind and needle count; a tie goes to the one made for this skin.
  auto made_for_this_skin = [&](const physics::Device& d) { return d.use == area->skin_region || d.use == req.area; };
  auto better = [&](const physics::Device& d, const physics::Device& than) {
    return std::pair{!made_for_this_skin(d), d.id} < std::pair{!made_for_this_skin(than), than.id};
  };
  const physics::Device* chosen = nullptr;
  std::vector<std::string> counts;
  for (const auto& d : devices) {
    if (d.is_roller() != (kind->kind == "roller")) continue;
    counts.push_back(fmt::format("{} ({})", needle_count_of(d), d.id));
    if (needle_count_of(d) == req.needle_count && (chosen == nullptr || better(d, *chosen))) chosen = &d;
  }
  if (chosen == nullptr) {
    return fail(ErrorCode::invalid_value,
                fmt::format("the device catalog has no {} with {} needles (it has: {}); chart the dose by hand",
                            kind->kind, req.needle_count, fmt::join(counts, ", ")),
                "needle_count");
  }
  auto device = physics::with_needle_length(*chosen, req.needle_length);
  if (!device) return std::unexpected(Error{device.error().code, device.error().message, "needle_length_mm"});

  physics::StrokePlan plan;
  auto turn = plan.directions;  // the plan's own turn unless directions are given
  if (!req.directions.empty()) {
    auto given = physics::parse_stroke_directions(req.directions, "directions");
    if (!given) return std::unexpected(given.error());
    turn = std::move(*given);
  }
  plan.directions.clear();
  for (int i = 0; i < req.passes; ++i) plan.directions.push_back(turn[static_cast<std::size_t>(i) % turn.size()]);
  plan.passes_per_direction = 1;
  plan.seed = physics::Seed{req.seed};
  if (!pack.depth_guards.empty()) plan.pressure = physics::HandPressure{pack.depth_guards.front().pressure};

  auto zone = physics::make_rectangle_zone(units::millimetres(40), units::millimetres(30));
  if (!zone) return std::unexpected(zone.error());
  auto sim = physics::simulate_session(*device, **region, *zone, plan);
  if (!sim) return std::unexpected(sim.error());

  Dose dose;
  dose.density = sim->density.mean;
  dose.effective_depth = sim->mean_depth;
  dose.beyond_dermis_share = sim->layers_exact.beyond_dermis;
  dose.physics_device = device->id;
  dose.region = area->skin_region;
  dose.passes = req.passes;
  dose.seed = req.seed;
  dose.punctures = sim->density.punctures_in_zone;
  return dose;
}

}  // namespace needlework::clinic
