#pragma once
/// Roller kinematics: the path of a needle tip relative to the skin as the drum rolls without slip.
///
/// Stroke frame: u along the stroke, depth positive below the skin surface the drum rolls on, origin where
/// the needle points straight down (drum angle φ = 0). With drum radius R and needle length L the tip traces
/// the prolate cycloid
///   u(φ) = R·φ − (R+L)·sin φ,  depth(φ) = (R+L)·cos φ − R        (DESIGN "Physics model", FACTS §3)
/// The drum advances 2πR per turn (the puncture pattern of strokes.hpp). The needle does not cut tissue over
/// its whole length: the skin yields under it by (1 − η)·L before it is pierced, and the tip reaches the
/// insertion η·L of the depth model (depth.hpp, FACTS §5). The tip is in the tissue while it is deeper than
/// (1 − η)·L, i.e. for |φ| < φ₀ with cos φ₀ = (R + (1 − η)·L) / (R + L). On rigid tissue the entry and exit
/// points are 2·[(R+L)·sin φ₀ − R·φ₀] apart: the slit, an upper bound. At η = 1 (full insertion) this is
/// FACTS §3's 0.21 / 0.57 / 1.03 / 1.55 mm for L = 0.5 / 1.0 / 1.5 / 2.0 mm on R = 10 mm. The tip moves
/// backwards relative to the skin while inside, which is why the slit is a tear. Real skin moves with the
/// needle; `SkinCompliance` blends the slit down to the needle's own width where it crosses the surface (a
/// round hole), the lower bound clinical reports describe.

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

/// Where and how one roller needle enters and leaves rigid tissue at an insertion η·L.
struct Penetration {
  double phi0_rad = 0.0;         ///< half the drum angle spent in the skin
  Length u_entry;                ///< stroke-frame entry point (tip crosses the surface going in)
  Length u_exit;                 ///< stroke-frame exit point
  Length slit_rigid;             ///< |u_entry − u_exit|: the rigid-skin surface tear
  double entry_angle_rad = 0.0;  ///< needle axis tilt from the skin normal at entry (= φ₀); 0 for a pen
  Length max_depth;              ///< η·L: the insertion below the tissue surface at φ = 0
};

/// Entry and exit of a needle of length L on a drum of radius R (both positive) that enters the tissue to
/// `insertion_fraction` η of its length (clamped to [0, 1]; 1 is the rigid full insertion of FACTS §3). The
/// caller passes the η it means: a puncture's own η, or the depth model's mean E[η] for a summary.
[[nodiscard]] Penetration calc_penetration(Length drum_radius, Length needle_length,
                                           double insertion_fraction) noexcept;

/// Width of a needle where it crosses the skin surface at insertion η: the needle is a cone over its whole
/// length (Kalluri 2011, SEM of roller needles: 770 µm long, 140 µm base, 4 µm tip radius), so η·d.
[[nodiscard]] Length calc_surface_width(Length needle_diameter, double insertion_fraction) noexcept;

/// Surface opening (wound length along the stroke) at insertion η: between the rigid-tissue slit (compliance
/// 0) and the round hole of the needle's surface width η·d (compliance 1), linear in the compliance; never
/// narrower than η·d. The default compliance is calibrated to Kalluri 2011's measured opening
/// (data/skin/regions.toml `[compliance]`).
[[nodiscard]] Length calc_slit_length(Length drum_radius, Length needle_length, Length needle_diameter,
                                      SkinCompliance compliance, double insertion_fraction) noexcept;

/// Refuses a compliance outside [0, 1].
[[nodiscard]] Result<SkinCompliance> make_compliance(double value);

/// `samples` points of the tip path for φ in [−φ_max, φ_max] (φ_max = 1.5·φ₀ at full insertion shows the
/// approach and lift-off); depth below the surface the drum rolls on (the tissue is pierced at (1 − η)·L).
[[nodiscard]] std::vector<TipSample> calc_tip_path(Length drum_radius, Length needle_length, int samples);

}  // namespace needlework::physics
