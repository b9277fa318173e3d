#pragma once
/// Resealing after a session, as two outputs that the literature measures separately (docs/physics.md
/// "Resealing"):
///   - barrier recovery: the skin barrier back to baseline (impedance, trans-epidermal water loss);
///   - channel closure: the micro-channels themselves closed (pore lifetime; dye or imaging in animals).
/// Each is a curve of the share still open a time t after the session,
///   open(t) = exp(−(t / λ)^k),
/// per occlusion, with λ and k fixed by the published human figures in data/physics/resealing.toml (Gupta
/// 2011 for the barrier; PMC8259462 for the channels). Needle length and count are validated but do not
/// change the curves: the human data read does not resolve them (the data file says why). The aftercare
/// engine uses both outputs to explain its time windows.

#include <string>
#include <string_view>
#include <vector>

#include "needlework/physics/types.hpp"
#include "needlework/units/error.hpp"

namespace needlework::physics {

/// Whether the treated skin is covered (occlusive dressing, mask, thick ointment) after the session.
enum class Occlusion { open, occluded };

/// The share at which the skin counts as closed when one time is reported for a curve (the time to 95 %
/// closed, DESIGN.md "Physics model"): a reporting convention of the engine, not a clinical rule — the
/// aftercare windows come from the packs.
inline constexpr double reported_closed_share = 0.95;

/// One resealing curve, open(t) = exp(−(t / scale)^shape).
struct ResealingModel {
  Time scale;          ///< λ: the time by which 1 − 1/e has closed
  double shape = 1.0;  ///< k: 1 is first-order; > 1 closes slowly at first, then faster
  /// Share still open after `t` (1 at t ≤ 0).
  [[nodiscard]] double open_fraction(Time t) const noexcept;
  /// Time until the given share has closed (e.g. 0.95); `closed_share` is clamped to [0, 1 − 1e-12].
  [[nodiscard]] Time time_to_closed(double closed_share) const noexcept;
};

/// One curve of the data file with the figures that fixed it and their sources.
struct ResealingCurveData {
  ResealingModel model;
  std::string cite;            ///< short citation for reports ("Gupta 2011, human, impedance, not occluded")
  double closed_h = 0;         ///< the published time by which `closed_share` has closed
  double closed_share = 0.95;  ///< the share that time stands for
  std::vector<std::string> sources;
};

/// One output (barrier or channels) under both conditions.
struct ResealingOutputData {
  std::string name;     ///< "barrier recovery", "channel closure"
  std::string measure;  ///< what the curve stands for ("electrical impedance back to baseline")
  ResealingCurveData open;
  ResealingCurveData occluded;
  [[nodiscard]] const ResealingCurveData& under(Occlusion o) const noexcept {
    return o == Occlusion::open ? open : occluded;
  }
};

/// The parsed data/physics/resealing.toml.
struct ResealingData {
  ResealingOutputData barrier;
  ResealingOutputData channels;
};

/// Parses data/physics/resealing.toml. Each curve needs `closed_h` and `closed_share` with a source, and
/// exactly one of `half_h` (a published half-life, shorter than `closed_h`) or `shape` (k > 0), with a
/// source. Errors name the file, line and field.
[[nodiscard]] Result<ResealingData> parse_resealing(std::string_view toml_text, std::string_view source_name);

/// What a session leaves behind, as far as resealing is concerned.
struct ResealingInput {
  Length needle_length;  ///< nominal, in (0, 3] mm
  int needle_count = 1;  ///< needles on the device, ≥ 1
  Occlusion occlusion = Occlusion::open;
};

/// The two outputs for one session.
struct Resealing {
  Occlusion occlusion = Occlusion::open;
  ResealingModel barrier;
  ResealingModel channels;
};

/// The two curves for a session. Refuses a length outside (0, 3] mm and a needle count below 1, naming the
/// field. Length and count do not change the curves (see the data file for why).
[[nodiscard]] Result<Resealing> make_resealing(const ResealingData& data, const ResealingInput& input);

/// One point of a resealing curve.
struct ResealingPoint {
  Time t;
  double open_fraction = 1.0;
};

/// `samples` evenly spaced points from 0 to `until`.
[[nodiscard]] std::vector<ResealingPoint> calc_resealing_curve(const ResealingModel& model, Time until,
                                                               int samples);

}  // namespace needlework::physics
