#pragma once
/// Roller kinematics: the path of a needle tip relative to the skin as the drum rolls without slip.
///
/// Stroke frame: u along the stroke, depth positive into the skin, origin where the needle points straight
/// down (drum angle φ = 0). With drum radius R and needle length L the tip traces the prolate cycloid
///   u(φ) = R·φ − (R+L)·sin φ,  depth(φ) = (R+L)·cos φ − R        (DESIGN "Physics model", FACTS §3)
/// It is in the skin while cos φ > R/(R+L), i.e. for |φ| < φ₀ = acos(R/(R+L)). On rigid skin the entry and
/// exit points are 2·[(R+L)·sin φ₀ − R·φ₀] apart: the slit, an upper bound (0.21 / 0.57 / 1.03 / 1.55 mm for
/// L = 0.5 / 1.0 / 1.5 / 2.0 mm on R = 10 mm). The tip moves backwards relative to the skin while inside,
/// which is why the slit is a tear. Real skin moves with the needle; `SkinCompliance` blends the slit down to
/// one needle diameter (a round hole), the lower bound clinical reports describe.

#include <vector>

#include "needlework/physics/types.hpp"
#include "needlework/units/error.hpp"

namespace needlework::physics {

/// One sample of the tip path in the stroke frame.
struct TipSample {
  double phi_rad = 0.0;  ///< drum angle from the needle's lowest point
  Length u;              ///< along the stroke
  Length depth;          ///< below the surface (negative: above the skin)
};

/// Where and how one roller needle enters and leaves rigid skin.
struct Penetration {
  double phi0_rad = 0.0;         ///< half the drum angle spent in the skin
  Length u_entry;                ///< stroke-frame entry point (tip crosses the surface going in)
  Length u_exit;                 ///< stroke-frame exit point
  Length slit_rigid;             ///< |u_entry − u_exit|: the rigid-skin surface tear
  double entry_angle_rad = 0.0;  ///< needle axis tilt from the skin normal at entry (= φ₀); 0 for a pen
  Length max_depth;              ///< L at φ = 0 (nominal; see depth.hpp for the effective depth)
};

/// Entry and exit of a needle of length L on a drum of radius R (both positive).
[[nodiscard]] Penetration calc_penetration(Length drum_radius, Length needle_length) noexcept;

/// Surface slit length between the rigid-skin upper bound (compliance 0) and the round-hole lower bound of
/// one needle diameter (compliance 1), linear in the compliance; never shorter than the diameter.
[[nodiscard]] Length calc_slit_length(Length drum_radius, Length needle_length, Length needle_diameter,
                                      SkinCompliance compliance) noexcept;

/// Refuses a compliance outside [0, 1].
[[nodiscard]] Result<SkinCompliance> make_compliance(double value);

/// `samples` points of the tip path for φ in [−φ_max, φ_max] (φ_max = 1.5·φ₀ shows the approach and
/// lift-off).
[[nodiscard]] std::vector<TipSample> calc_tip_path(Length drum_radius, Length needle_length, int samples);

}  // namespace needlework::physics
