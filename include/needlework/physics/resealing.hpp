#pragma once
/// Channel resealing: the share of micro-channels still open a time t after a session,
///   open(t) = exp(−t / τ),   τ = τ₀ · (L / 1.5 mm)^0.553 · k_occlusion
/// calibrated to FACTS §6:
///   - τ₀ = 2 h / ln 20 ≈ 40 min, so a 1.5 mm needle without occlusion is 95 % closed at 2 h: "barrier back within
///     2 h for all geometries tested" (Gupta 2011, human); shorter needles close sooner.
///   - exponent 0.553 = ln(18 h / 12 h) / ln(770 µm / 370 µm): the ratio of dye-imaging closure times of the two
///     roller lengths in Kalluri 2011 (rat), the only published pair that isolates needle length.
///   - k_occlusion = 10: occluded channels of 0.5–1.5 mm then reach 95 % closed at 11–20 h, inside the 3–40 h
///     Gupta 2011 reports for occluded human skin (M confidence).
/// The aftercare engine uses the curve to explain its time windows (e.g. no make-up until the channels
/// close).

#include <vector>

#include "needlework/physics/types.hpp"
#include "needlework/units/error.hpp"

namespace needlework::physics {

/// Whether the treated skin is covered (occlusive dressing, mask, thick ointment) after the session.
enum class Occlusion { open, occluded };

/// The share of channels at which the skin counts as closed when one time is reported for a curve (the time
/// to 95 % closed, DESIGN.md "Physics model"): a reporting convention of the engine, not a clinical rule —
/// the aftercare windows come from the packs.
inline constexpr double reported_closed_share = 0.95;

/// Resealing time constant for one needle length and occlusion.
struct ResealingModel {
  Time tau;
  /// Share of channels still open after `t` (1 at t ≤ 0).
  [[nodiscard]] double open_fraction(Time t) const noexcept;
  /// Time until the given share of channels has closed (e.g. 0.95).
  [[nodiscard]] Time time_to_closed(double closed_share) const noexcept;
};

/// One point of a resealing curve.
struct ResealingPoint {
  Time t;
  double open_fraction = 1.0;
};

/// The model for a nominal needle length in (0, 3] mm; refuses other lengths.
[[nodiscard]] Result<ResealingModel> make_resealing_model(Length needle_length, Occlusion occlusion);

/// `samples` evenly spaced points from 0 to `until`.
[[nodiscard]] std::vector<ResealingPoint> calc_resealing_curve(const ResealingModel& model, Time until,
                                                               int samples);

}  // namespace needlework::physics
