#include "needlework/physics/kinematics.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "test_data.hpp"

namespace needlework::physics {
namespace {

using units::in_mm;
using units::millimetres;

TEST(Kinematics, TipPathCrossesTheSurfaceAtEntryAndExit) {
  // Full insertion (η = 1): the tissue is pierced at the surface the drum rolls on.
  const auto p = calc_penetration(millimetres(10), millimetres(1.0), 1.0);
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
  EXPECT_NEAR(in_mm(p.max_depth), 1.0, 1e-12);
}

TEST(Kinematics, TheNeedleIsInTheTissueOnlyForItsInsertion) {
  // At insertion η the tissue is pierced (1 − η)·L below the surface: cos φ₀ = (R + (1 − η)L) / (R + L), and
  // the tip path at ±φ₀ is exactly at that depth.
  const Length r = millimetres(10), l = millimetres(1.0);
  const auto p = calc_penetration(r, l, 0.4);
  EXPECT_NEAR(std::cos(p.phi0_rad), 10.6 / 11.0, 1e-12);
  EXPECT_NEAR(in_mm(p.max_depth), 0.4, 1e-12);
  EXPECT_NEAR(11.0 * std::cos(p.phi0_rad) - 10.0, 0.6, 1e-12);
  // Less insertion, a shorter arc in the tissue: shorter slit, smaller entry angle; none without insertion.
  double previous_slit = 0, previous_angle = 0;
  for (double eta : {0.1, 0.2, 0.4, 0.77, 1.0}) {
    const auto q = calc_penetration(r, l, eta);
    EXPECT_GT(in_mm(q.slit_rigid), previous_slit) << eta;
    EXPECT_GT(q.entry_angle_rad, previous_angle) << eta;
    previous_slit = in_mm(q.slit_rigid);
    previous_angle = q.entry_angle_rad;
  }
  EXPECT_NEAR(in_mm(calc_penetration(r, l, 0.0).slit_rigid), 0.0, 1e-12);
  // η outside [0, 1] is clamped, not a NaN.
  EXPECT_NEAR(in_mm(calc_penetration(r, l, 1.7).slit_rigid), in_mm(calc_penetration(r, l, 1.0).slit_rigid),
              1e-12);
  EXPECT_NEAR(in_mm(calc_penetration(r, l, -0.5).slit_rigid), 0.0, 1e-12);
}

TEST(Kinematics, ComplianceSpansRigidSlitToTheNeedlesWidthAtTheSurface) {
  const Length r = millimetres(10), l = millimetres(1.5), d = millimetres(0.1);
  const double eta = 0.4;
  const Length rigid = calc_penetration(r, l, eta).slit_rigid;
  // A cone over its whole length is η·d wide where it crosses the surface.
  EXPECT_NEAR(in_mm(calc_surface_width(d, eta)), 0.04, 1e-12);
  EXPECT_NEAR(in_mm(calc_slit_length(r, l, d, SkinCompliance{0.0}, eta)), in_mm(rigid), 1e-12);
  EXPECT_NEAR(in_mm(calc_slit_length(r, l, d, SkinCompliance{1.0}, eta)), 0.04, 1e-12);
  const double mid = in_mm(calc_slit_length(r, l, d, SkinCompliance{0.5}, eta));
  EXPECT_NEAR(mid, (in_mm(rigid) + 0.04) / 2, 1e-12);
  // Never narrower than the needle where it crosses the surface, even when the rigid slit is shorter (a thick
  // needle barely inserted).
  const double thick =
      in_mm(calc_slit_length(r, millimetres(0.05), millimetres(0.25), SkinCompliance{0.0}, 0.2));
  EXPECT_LT(in_mm(calc_penetration(r, millimetres(0.05), 0.2).slit_rigid), 0.05);
  EXPECT_NEAR(thick, 0.05, 1e-12);
  EXPECT_FALSE(make_compliance(1.2));
  EXPECT_FALSE(make_compliance(-0.1));
  EXPECT_TRUE(make_compliance(0.0));
}

TEST(Kinematics, TheDefaultComplianceIsTheCalibratedValueOfTheSkinCatalog) {
  const RegionCatalog regions = testing::load_regions();
  EXPECT_NEAR(regions.compliance.value, SkinCompliance{}.value, 1e-12);
  EXPECT_TRUE(regions.compliance_source.starts_with("CALIBRATED")) << regions.compliance_source;
}

}  // namespace
}  // namespace needlework::physics
