#pragma once
/// One simulated session from end to end: strokes → punctures → density grid and statistics → layer shares →
/// resealing. This is what `needlework simulate` shows and what the benchmark "full-face session" measures.

#include <optional>

#include "needlework/physics/density.hpp"
#include "needlework/physics/depth.hpp"
#include "needlework/physics/device.hpp"
#include "needlework/physics/resealing.hpp"
#include "needlework/physics/skin.hpp"
#include "needlework/physics/strokes.hpp"
#include "needlework/physics/zone.hpp"
#include "needlework/units/error.hpp"

namespace needlework::physics {

/// Inputs besides device, region, zone and plan.
struct SimulationOptions {
  Length grid_cell = units::millimetres(2.0);
  ArealDensity target = units::per_square_centimetre(250.0);  ///< FACTS §2: pen target 250–300 /cm²
  Occlusion occlusion = Occlusion::open;
  /// The resealing data (data/physics/resealing.toml); without it the result has no resealing curves.
  const ResealingData* resealing = nullptr;
  /// The most punctures the session may make (the estimate is checked before anything is allocated, the count
  /// while the lanes are walked); a caller serving many (the HTTP API) sets a lower one.
  double max_punctures = default_max_punctures;
};

/// Everything a session report needs.
struct SimulationResult {
  Session session;
  DensityGrid grid;
  DensityStats density;
  LayerFractions layers_sampled;  ///< from the punctures of this run
  LayerFractions layers_exact;    ///< from the depth distribution (what the safety refusal uses)
  Length mean_depth;
  Length slit;  ///< roller: surface opening at the mean insertion E[η] (punctures carry their own); pen: d
  std::optional<Resealing>
      resealing;               ///< barrier recovery and channel closure, when the options had the data
  bool beyond_dermis = false;  ///< true when any puncture can end beyond the dermis: refuse the plan
};

/// Runs the whole pipeline. Errors: plan validation, grid size. A plan that reaches beyond the dermis is not
/// an error here (the simulation is still shown); `beyond_dermis` flags it and the CLI exits with "needs
/// attention". Sessions of more than 20 000 expected punctures run the re-hit search on a second thread,
/// behind the generator, when OpenMP offers one (`OMP_NUM_THREADS=1` keeps it to one); the result is the same
/// either way.
[[nodiscard]] Result<SimulationResult> simulate_session(const Device& device, const Region& region,
                                                        const Zone& zone, const StrokePlan& plan,
                                                        const SimulationOptions& options = {});

}  // namespace needlework::physics
