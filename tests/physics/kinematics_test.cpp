#include "needlework/physics/kinematics.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace needlework::physics {
namespace {

using units::in_mm;
using units::millimetres;

TEST(Kinematics, TipPathCrossesTheSurfaceAtEntryAndExit) {
  const auto p = calc_penetration(millimetres(10), millimetres(1.0));
  EXPECT_NEAR(std::cos(p.phi0_rad), 10.0 / 11.0, 1e-12);
  // The tip is at depth 0 at ±φ₀ and at depth L at φ = 0.
  auto path = calc_tip_path(millimetres(10), millimetres(1.0), 301);
  ASSERT_EQ(path.size(), 301u);
  EXPECT_NEAR(in_mm(path[150].depth), 1.0, 1e-12);
  EXPECT_LT(in_mm(path.front().depth), 0.0);
  EXPECT_LT(in_mm(path.back().depth), 0.0);
  // The tip moves backwards relative to the skin while inside: entry is ahead of exit.
  EXPECT_GT(in_mm(p.u_entry), in_mm(p.u_exit));
  EXPECT_NEAR(in_mm(p.u_entry - p.u_exit), in_mm(p.slit_rigid), 1e-12);
  EXPECT_NEAR(p.entry_angle_rad, p.phi0_rad, 1e-15);
}

TEST(Kinematics, ComplianceSpansRigidSlitToRoundHole) {
  const Length r = millimetres(10), l = millimetres(1.5), d = millimetres(0.1);
  const Length rigid = calc_penetration(r, l).slit_rigid;
  EXPECT_NEAR(in_mm(calc_slit_length(r, l, d, SkinCompliance{0.0})), in_mm(rigid), 1e-12);
  EXPECT_NEAR(in_mm(calc_slit_length(r, l, d, SkinCompliance{1.0})), 0.1, 1e-12);
  const double mid = in_mm(calc_slit_length(r, l, d, SkinCompliance{0.5}));
  EXPECT_NEAR(mid, (in_mm(rigid) + 0.1) / 2, 1e-12);
  // Never below one diameter even when the rigid slit is shorter (a very short needle).
  EXPECT_NEAR(in_mm(calc_slit_length(r, millimetres(0.01), millimetres(0.25), SkinCompliance{0.0})), 0.25,
              1e-12);
  EXPECT_FALSE(make_compliance(1.2));
  EXPECT_TRUE(make_compliance(0.0));
}

}  // namespace
}  // namespace needlework::physics
