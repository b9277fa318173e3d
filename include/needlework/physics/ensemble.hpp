#pragma once
/// Monte-Carlo ensembles: the same plan run many times with independent seeds, to see how much density and
/// depth vary from session to session. This is the engine's hot path: punctures are generated, given a depth,
/// classified by layer and binned in one pass without being stored (single-precision positions, one 32-bit
/// random word per puncture, SIMD-friendly random streams). The model is the one of strokes.hpp / depth.hpp
/// for rollers: same lanes, drum phase, jitter and depth distribution, but different random streams, so
/// results agree with `simulate_session` statistically, not bit for bit. Re-hits are not counted here (see
/// density.hpp).

#include <cstdint>
#include <functional>
#include <vector>

#include "needlework/physics/density.hpp"
#include "needlework/physics/depth.hpp"
#include "needlework/physics/device.hpp"
#include "needlework/physics/skin.hpp"
#include "needlework/physics/strokes.hpp"
#include "needlework/physics/zone.hpp"
#include "needlework/units/error.hpp"

namespace needlework::physics {

/// Statistics of one member of an ensemble.
struct MemberStats {
  std::int64_t punctures = 0;
  std::int64_t punctures_in_zone = 0;
  ArealDensity mean;
  double coefficient_of_variation = 0.0;
  double share_at_or_above_target = 0.0;
  LayerFractions layers;
};

/// Result of an ensemble: per-member statistics in member order, and the grid summed over members.
struct EnsembleResult {
  std::vector<MemberStats> members;
  DensityGrid summed_grid;
  std::int64_t total_punctures = 0;
};

/// Options of an ensemble run.
struct EnsembleOptions {
  int members = 100;
  Length grid_cell = units::millimetres(2.0);
  ArealDensity target = units::per_square_centimetre(250.0);
  int threads = 0;  ///< 0: as many as OpenMP offers
  /// Called after each member completes with (done, total), from one thread at a time.
  std::function<void(int, int)> progress;
};

/// Runs `options.members` sessions of a roller plan; member i uses the seed SplitMix64(plan.seed).next() i+1
/// times. Errors: pens (not supported by this kernel: use `simulate_session`), plan validation, grid size,
/// members < 1.
[[nodiscard]] Result<EnsembleResult> run_ensemble(const Device& device, const Region& region,
                                                  const Zone& zone, const StrokePlan& plan,
                                                  const EnsembleOptions& options);

}  // namespace needlework::physics
