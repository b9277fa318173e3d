#pragma once
/// Shared vocabulary of the physics engine: the skin frame, dimensionless model parameters with their ranges,
/// and short aliases for the typed quantities. Inside the engine lengths are mm and times s
/// (units/quantity.hpp).
///
/// Frames: the *skin frame* has its origin at a point the caller chooses on the skin surface, x and y in the
/// surface plane, and depth positive into the skin. The *stroke frame* has u along the stroke and v across
/// it.

#include <cstdint>

#include "needlework/units/quantity.hpp"

namespace needlework::physics {

using units::Area;
using units::ArealDensity;
using units::Frequency;
using units::Length;
using units::Speed;
using units::Time;

/// A point on the skin surface, in the skin frame.
struct SurfacePoint {
  Length x;
  Length y;
};

/// How hard the hand presses, as a normalised level: 0 = light contact, 0.5 = moderate, 1 = firm.
/// Dimensionless on purpose: no published figure ties a force in newtons to penetration depth for these
/// devices, so the engine only promises monotonicity and the FACTS §5 bracket (see depth.hpp).
struct HandPressure {
  double level = 0.5;
};

/// How far the skin moves with a roller needle instead of being torn: 0 = rigid skin (the prolate-cycloid
/// slit, an upper bound, FACTS §3), 1 = fully compliant (a round hole of the needle's width at the surface,
/// the lower bound that clinical reports of round or slightly oval holes describe). The default is the value
/// calibrated in data/skin/regions.toml `[compliance]` (Kalluri 2011's measured opening), which programs that
/// load the skin catalog take from there; a test checks that the two agree.
struct SkinCompliance {
  double value = 0.80;
};

/// Seed for the engine's deterministic random streams.
struct Seed {
  std::uint64_t value = 1;
};

}  // namespace needlework::physics
