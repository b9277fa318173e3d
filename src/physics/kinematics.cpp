#include "needlework/physics/kinematics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace needlework::physics {

using units::in_mm;
using units::millimetres;

Penetration calc_penetration(Length drum_radius, Length needle_length, double insertion_fraction) noexcept {
  // η outside [0, 1] has no geometric meaning (no insertion, or deeper than the needle is long).
  const double eta = std::clamp(insertion_fraction, 0.0, 1.0);
  const double r = in_mm(drum_radius);
  const double l = in_mm(needle_length);
  const double rl = r + l;
  // The tissue is pierced where the tip is (1 − η)·L below the surface the drum rolls on.
  const double phi0 = std::acos(std::min(1.0, (r + (1.0 - eta) * l) / rl));
  // u(±φ₀) = ±(R·φ₀ − (R+L)·sin φ₀); the tip enters at −φ₀ (ahead of the axle's footprint) and exits at +φ₀.
  const double u_exit = r * phi0 - rl * std::sin(phi0);
  Penetration p;
  p.phi0_rad = phi0;
  p.u_entry = millimetres(-u_exit);
  p.u_exit = millimetres(u_exit);
  p.slit_rigid = millimetres(2.0 * std::fabs(u_exit));
  p.entry_angle_rad = phi0;
  p.max_depth = millimetres(eta * l);
  return p;
}

Length calc_surface_width(Length needle_diameter, double insertion_fraction) noexcept {
  return std::clamp(insertion_fraction, 0.0, 1.0) * needle_diameter;
}

Length calc_slit_length(Length drum_radius, Length needle_length, Length needle_diameter,
                        SkinCompliance compliance, double insertion_fraction) noexcept {
  const Length rigid = calc_penetration(drum_radius, needle_length, insertion_fraction).slit_rigid;
  const Length width = calc_surface_width(needle_diameter, insertion_fraction);
  const Length blended = (1.0 - compliance.value) * rigid + compliance.value * width;
  // Kept on purpose: while the needle is in, the hole is at least as wide as the needle where it crosses the
  // surface (η·d). The blend falls below that only when the rigid slit itself is shorter than η·d (a tip that
  // barely moves while inside); the opening is then the needle's own cross-section. The measured opening the
  // compliance is calibrated to (70.7 µm, Kalluri 2011) is wider than this bound (27.7 µm there), so the
  // clamp does not shape the calibration.
  return std::max(blended, width);
}

Result<SkinCompliance> make_compliance(double value) {
  if (!(value >= 0.0 && value <= 1.0)) {
    return fail(ErrorCode::out_of_range,
                fmt::format("compliance must be between 0 (rigid skin) and 1 (round hole), got {}", value),
                "compliance");
  }
  return SkinCompliance{value};
}

std::vector<TipSample> calc_tip_path(Length drum_radius, Length needle_length, int samples) {
  const double r = in_mm(drum_radius);
  const double rl = r + in_mm(needle_length);
  const double phi_max = 1.5 * std::acos(r / rl);
  samples = std::max(samples, 2);
  std::vector<TipSample> path;
  path.reserve(static_cast<std::size_t>(samples));
  for (int i = 0; i < samples; ++i) {
    const double phi = -phi_max + 2.0 * phi_max * i / (samples - 1);
    path.push_back({phi, millimetres(r * phi - rl * std::sin(phi)), millimetres(rl * std::cos(phi) - r)});
  }
  return path;
}

}  // namespace needlework::physics
