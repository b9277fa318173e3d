#include "needlework/physics/strokes.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "needlework/physics/kinematics.hpp"
#include "needlework/physics/zone.hpp"
#include "test_data.hpp"

namespace needlework::physics {
namespace {

using units::in_mm;
using units::millimetres;

TEST(Zone, RefusesBadPolygons) {
  EXPECT_EQ(make_zone({{millimetres(0), millimetres(0)}, {millimetres(1), millimetres(0)}}).error().where,
            "zone");
  // A bow-tie crosses itself.
  auto bow = make_zone({{millimetres(0), millimetres(0)},
                        {millimetres(10), millimetres(10)},
                        {millimetres(10), millimetres(0)},
                        {millimetres(0), millimetres(10)}});
  ASSERT_FALSE(bow);
  EXPECT_NE(bow.error().message.find("simple polygon"), std::string::npos);
  // Collinear points have no area.
  EXPECT_FALSE(make_zone({{millimetres(0), millimetres(0)},
                          {millimetres(1), millimetres(1)},
                          {millimetres(2), millimetres(2)}}));
  auto nan = make_zone({{millimetres(0), millimetres(0)},
                        {millimetres(NAN), millimetres(1)},
                        {millimetres(2), millimetres(0)}});
  ASSERT_FALSE(nan);
  EXPECT_EQ(nan.error().where, "zone[1]");
}

TEST(Zone, AreaAndContainmentForAClockwiseTriangle) {
  auto z = make_zone({{millimetres(0), millimetres(0)},
                      {millimetres(0), millimetres(10)},
                      {millimetres(10), millimetres(0)}});
  ASSERT_TRUE(z);
  EXPECT_NEAR(units::in_mm2(z->area()), 50.0, 1e-12);
  EXPECT_TRUE(z->contains({millimetres(2), millimetres(2)}));
  EXPECT_FALSE(z->contains({millimetres(8), millimetres(8)}));
}

TEST(Plan, ValidationNamesTheField) {
  StrokePlan p;
  p.lane_overlap = 0.95;
  EXPECT_EQ(validate(p).error().where, "plan.lane_overlap");
  p = {};
  p.directions.clear();
  EXPECT_EQ(validate(p).error().where, "plan.directions");
  p = {};
  p.speed = units::millimetres_per_second(0);
  EXPECT_EQ(validate(p).error().where, "plan.speed_mm_per_s");
  p = {};
  p.passes_per_direction = 0;
  EXPECT_EQ(validate(p).error().where, "plan.passes_per_direction");
  EXPECT_EQ(parse_stroke_direction("sideways").error().where, "plan.directions");
  p = {};
  p.lateral_step = millimetres(0);
  EXPECT_EQ(validate(p).error().where, "plan.lateral_step_mm");
}

TEST(Strokes, SameSeedSamePuncturesOtherSeedOthers) {
  const Device d = testing::load_device("roller-192");
  const Zone z = *make_rectangle_zone(millimetres(40), millimetres(30));
  StrokePlan plan;
  plan.hand_jitter = millimetres(1.0);
  plan.seed = Seed{42};
  const Session a = *simulate_strokes(d, z, plan);
  const Session b = *simulate_strokes(d, z, plan);
  ASSERT_EQ(a.punctures.size(), b.punctures.size());
  for (std::size_t i = 0; i < a.punctures.size(); ++i) {
    ASSERT_EQ(in_mm(a.punctures[i].position.x), in_mm(b.punctures[i].position.x));
    ASSERT_EQ(in_mm(a.punctures[i].depth), in_mm(b.punctures[i].depth));
  }
  plan.seed = Seed{43};
  const Session c = *simulate_strokes(d, z, plan);
  EXPECT_NE(in_mm(a.punctures[0].position.x), in_mm(c.punctures[0].position.x));
}

TEST(Strokes, PenStampsAreVOverFApartAndEnterPerpendicular) {
  const Device pen = testing::load_device("pen-12");  // 12 needles, 100 stamps/s, 7 mm cartridge
  const Zone z = *make_rectangle_zone(millimetres(50), millimetres(7));
  StrokePlan plan;
  plan.directions = {StrokeDirection::horizontal};
  plan.passes_per_direction = 1;
  plan.random_phase = false;
  plan.speed = units::millimetres_per_second(20);  // 0.2 mm between stamps
  auto s = simulate_strokes(pen, z, plan);
  ASSERT_TRUE(s);
  // One lane of 50 mm (the strip covers the 7 mm zone exactly): 250 stamps.
  EXPECT_EQ(s->strokes, 1);
  EXPECT_EQ(s->stamps, 250);
  EXPECT_EQ(s->punctures.size(), 250u * 12u);
  EXPECT_NEAR(in_mm(s->punctures[12].position.x - s->punctures[0].position.x), 0.2, 1e-9);
  EXPECT_EQ(s->punctures[0].entry_angle_rad, 0.0);
  EXPECT_NEAR(in_mm(s->punctures[0].slit), 0.1, 1e-12);
}

TEST(Strokes, EachRollerPunctureHasTheSlitAndEntryAngleOfItsOwnInsertion) {
  // The opening and entry angle follow from the puncture's own η = depth / L (kinematics.hpp); the generator
  // interpolates them from a table, which must agree with the exact functions.
  const Device d = testing::load_device("roller-192");
  const RollerGeometry& r = *d.roller();
  const Zone z = *make_rectangle_zone(millimetres(40), millimetres(40));
  for (double pressure : {0.0, 0.5, 1.0}) {
    StrokePlan plan;
    plan.pressure = HandPressure{pressure};
    plan.passes_per_direction = 1;
    auto s = simulate_strokes(d, z, plan);
    ASSERT_TRUE(s);
    double shortest = 1e9, longest = 0;
    for (const Puncture& p : s->punctures) {
      const double eta = p.depth / r.needle.length;
      const double exact =
          in_mm(calc_slit_length(r.drum_radius, r.needle.length, r.needle.diameter, plan.compliance, eta));
      ASSERT_NEAR(in_mm(p.slit), exact, 1e-6) << eta;
      ASSERT_NEAR(p.entry_angle_rad, calc_penetration(r.drum_radius, r.needle.length, eta).entry_angle_rad,
                  1e-6);
      shortest = std::min(shortest, in_mm(p.slit));
      longest = std::max(longest, in_mm(p.slit));
    }
    EXPECT_LT(shortest, longest) << "the openings vary with the insertion";
  }
}

TEST(Strokes, DirectionsRotateTheStrokeAngle) {
  const Device d = testing::load_device("roller-192");
  const Zone z = *make_rectangle_zone(millimetres(40), millimetres(40));
  StrokePlan plan;
  plan.directions = {StrokeDirection::vertical};
  plan.passes_per_direction = 1;
  const Session s = *simulate_strokes(d, z, plan);
  ASSERT_FALSE(s.punctures.empty());
  for (const auto& p : s.punctures) EXPECT_NEAR(p.stroke_angle_rad, std::numbers::pi / 2, 1e-6);
}

TEST(Strokes, LateralStepSetsTheDistanceBetweenLanes) {
  const Device d = testing::load_device("roller-192");
  const Zone z = *make_rectangle_zone(millimetres(100), millimetres(100));
  StrokePlan plan;
  plan.directions = {StrokeDirection::horizontal};
  plan.passes_per_direction = 1;
  plan.random_phase = false;
  plan.lateral_step = millimetres(10);  // half the drum width: every point is rolled twice
  const Session half = *simulate_strokes(d, z, plan);
  plan.lateral_step.reset();
  const Session abutting = *simulate_strokes(d, z, plan);
  EXPECT_EQ(abutting.strokes, 5);
  EXPECT_NEAR(static_cast<double>(half.punctures.size()) / static_cast<double>(abutting.punctures.size()),
              2.0, 0.1);
  EXPECT_NEAR(lane_step(plan, millimetres(20)).base(), 20.0, 1e-12);
}

TEST(Strokes, AbsurdPlansAreRefusedNotAllocated) {
  const Device pen = testing::load_device("pen-36");
  const Zone z = *make_rectangle_zone(millimetres(1000), millimetres(1000));
  StrokePlan plan;
  plan.passes_per_direction = 100;
  plan.speed = units::millimetres_per_second(0.01);
  auto s = simulate_strokes(pen, z, plan);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().where, "plan");
}

}  // namespace
}  // namespace needlework::physics
