#pragma once
/// The delivered dose of a session, from the physics engine: what a roller or pen of this many needles, at
/// this length, over this many passes puts into the skin of this area — punctures per cm² and the effective
/// depth the needles reach. The session record charts these figures (docs/store.md); the practitioner can
/// still chart measured figures by hand instead.
///
/// Mapping (no clinical number here): `physics_target` (physics_bridge.hpp) reads the pack. The region asked
/// for (a zone of the area), else the area's thinnest skin region (`skin_regions`, data/skin/regions.toml),
/// is simulated; the physics device is the one of the pack device's `physics_devices` with the roller's
/// needle count, given the session's needle length; the stroke plan is the engine's default (docs/physics.md)
/// with the passes spread over horizontal, vertical and diagonal strokes in turn, at the first depth guard's
/// maximum hand pressure when the pack has one; the surface is the `dose_patch` of constants.hpp (40 × 30
/// mm), so the figures are the dose inside the treated area, not its edges.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "needlework/knowledge/pack.hpp"
#include "needlework/physics/depth.hpp"
#include "needlework/physics/device.hpp"
#include "needlework/physics/simulation.hpp"
#include "needlework/physics/skin.hpp"
#include "needlework/units/error.hpp"
#include "needlework/units/quantity.hpp"

namespace needlework::clinic {

struct DoseRequest {
  std::string area;      ///< an area id of the pack
  std::string device;    ///< a device id of the pack (its `kind` picks roller or pen)
  int needle_count = 0;  ///< the roller's or cartridge's needles
  units::Length needle_length;
  int passes = 0;  ///< passes in all, 1–1000
  /// Stroke directions taken in turn, one pass each ("horizontal", "vertical", "diagonal", "anti_diagonal");
  /// empty: horizontal, vertical, diagonal.
  std::vector<std::string> directions;
  std::uint64_t seed = 1;  ///< the random stream (the same seed gives the same figures)
  /// The skin region simulated: one of the area's `skin_regions` (a zone of the area charted on its own);
  /// empty: the area's thinnest region.
  std::string region;
};

struct Dose {
  units::ArealDensity density;     ///< mean punctures per cm² over the treated patch
  units::Length effective_depth;   ///< mean depth the needles reach (docs/physics.md, η)
  double beyond_dermis_share = 0;  ///< share of punctures that can end beyond the dermis (exact)
  std::string physics_device;      ///< the catalog device used ("roller-192")
  std::string region;              ///< the skin region ("cheek")
  int passes = 0;
  std::uint64_t seed = 1;
  std::int64_t punctures = 0;      ///< punctures inside the patch
  physics::LayerFractions layers;  ///< share of punctures ending in each layer (the exact distribution)
};

/// A dose and the simulation it was computed from: its density grid draws the dose's heatmap.
struct DoseSimulation {
  Dose dose;
  physics::SimulationResult result;
  units::ArealDensity target;  ///< the simulation's density target (the heatmap's default scale is twice it)
};

/// Errors name the field: unknown area or device (`area`, `device`), an area without a skin region or a
/// device with no physics model of that needle count (`invalid_value`, saying to chart the dose by hand),
/// passes out of range
/// (`passes`), an unknown direction (`directions[i]`), a needle longer than the device allows
/// (`needle_length_mm`), a region that is not one of the area's (`region`, `invalid_value`, listing them).
[[nodiscard]] Result<Dose> estimate_dose(const knowledge::Pack& pack, const physics::RegionCatalog& regions,
                                         std::span<const physics::Device> devices,
                                         const DoseRequest& request);

/// `estimate_dose` with the simulation it ran, for a picture of the dose (its heatmap).
[[nodiscard]] Result<DoseSimulation> simulate_dose(const knowledge::Pack& pack,
                                                   const physics::RegionCatalog& regions,
                                                   std::span<const physics::Device> devices,
                                                   const DoseRequest& request);

}  // namespace needlework::clinic
