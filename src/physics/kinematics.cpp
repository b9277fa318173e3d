#include "needlework/physics/kinematics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace needlework::physics {

using units::in_mm;
using units::millimetres;

Penetration calc_penetration(Length drum_radius, Length needle_length) noexcept {
  const double r = in_mm(drum_radius);
  const double rl = r + in_mm(needle_length);
  const double phi0 = std::acos(r / rl);
  // u(±φ₀) = ±(R·φ₀ − (R+L)·sin φ₀); the tip enters at −φ₀ (ahead of the axle's footprint) and exits at +φ₀.
  const double u_exit = r * phi0 - rl * std::sin(phi0);
  Penetration p;
  p.phi0_rad = phi0;
  p.u_entry = millimetres(-u_exit);
  p.u_exit = millimetres(u_exit);
  p.slit_rigid = millimetres(2.0 * std::fabs(u_exit));
  p.entry_angle_rad = phi0;
  p.max_depth = needle_length;
  return p;
}

Length calc_slit_length(Length drum_radius, Length needle_length, Length needle_diameter,
                        SkinCompliance compliance) noexcept {
  const Length rigid = calc_penetration(drum_radius, needle_length).slit_rigid;
  const Length blended = (1.0 - compliance.value) * rigid + compliance.value * needle_diameter;
  return std::max(blended, needle_diameter);
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
