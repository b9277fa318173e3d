#include "needlework/physics/device.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "test_data.hpp"

namespace needlework::physics {
namespace {

using units::millimetres;

RollerSpec standard_spec() {
  RollerSpec s;
  s.drum_diameter = millimetres(20);
  s.drum_width = millimetres(20);
  s.rings = 8;
  s.needles_per_ring = 24;
  s.needle = {millimetres(0.5), millimetres(0.1), TipShape::conical};
  return s;
}

TEST(Roller, StandardGeometryExpandsToOneSlotPerNeedle) {
  auto g = make_roller(standard_spec());
  ASSERT_TRUE(g) << g.error().describe();
  EXPECT_EQ(g->needle_count(), 192);
  EXPECT_DOUBLE_EQ(units::in_mm(g->drum_radius), 10.0);
  // DESIGN: 192 / (π · 2 cm · 2 cm) = 15.3 punctures/cm² per pass.
  EXPECT_NEAR(units::in_per_cm2(g->density_per_pass()), 192.0 / (std::numbers::pi * 4.0), 1e-9);
  EXPECT_NEAR(units::in_per_cm2(g->density_per_pass()), 15.3, 0.05);
}

TEST(Roller, RefusesNegativeAndZeroSizes) {
  auto s = standard_spec();
  s.drum_width = millimetres(-20);
  auto g = make_roller(s);
  ASSERT_FALSE(g);
  EXPECT_EQ(g.error().where, "drum.width_mm");
  s = standard_spec();
  s.needle.diameter = millimetres(0);
  ASSERT_FALSE(make_roller(s));
  EXPECT_EQ(make_roller(s).error().where, "needle.diameter_mm");
}

TEST(Roller, RefusesNeedlesLongerThanTheCatalogAllows) {
  auto s = standard_spec();
  s.needle.length = millimetres(3.5);
  auto g = make_roller(s);
  ASSERT_FALSE(g);
  EXPECT_EQ(g.error().code, ErrorCode::out_of_range);
  EXPECT_EQ(g.error().where, "needle.length_mm");
  s = standard_spec();
  s.max_needle_length = millimetres(1.0);
  s.needle.length = millimetres(1.5);
  EXPECT_FALSE(make_roller(s));
}

TEST(Roller, RefusesOverlappingNeedlesAroundTheDrum) {
  auto s = standard_spec();
  s.needles_per_ring = 700;  // 62.8 mm / 700 = 0.09 mm < 0.1 mm diameter
  auto g = make_roller(s);
  ASSERT_FALSE(g);
  EXPECT_EQ(g.error().where, "drum.needles_per_ring");
  EXPECT_NE(g.error().message.find("overlap"), std::string::npos);
}

TEST(Roller, RefusesOverlappingNeedlesAcrossTheDrum) {
  auto s = standard_spec();
  s.rings = 250;  // 20 mm / 250 = 0.08 mm < 0.1 mm
  ASSERT_FALSE(make_roller(s));
  EXPECT_EQ(make_roller(s).error().where, "drum.rings");
}

TEST(Roller, ExplicitLayoutIsCheckedPairwiseIncludingWrapAround) {
  auto s = standard_spec();
  s.layout = {{millimetres(0), 0.0}, {millimetres(5), 1.0}};
  auto ok = make_roller(s);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->needle_count(), 2);
  // 2π − 0.005 rad is 0.05 mm of arc from angle 0 on R = 10 mm: overlapping across the seam.
  s.layout = {{millimetres(0), 0.0}, {millimetres(0), 2 * std::numbers::pi - 0.005}};
  auto bad = make_roller(s);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().where, "drum.slot[1]");
  s.layout = {{millimetres(9.99), 0.0}};
  EXPECT_FALSE(make_roller(s));  // sticks out of the drum
}

TEST(Roller, DeclaredCountMustMatchLayout) {
  auto s = standard_spec();
  s.declared_needle_count = 190;
  ASSERT_FALSE(make_roller(s));
  EXPECT_EQ(make_roller(s).error().where, "drum.needle_count");
}

TEST(Roller, StaggeredRingsAreOffsetByHalfAPitch) {
  auto s = standard_spec();
  s.staggered = true;
  auto g = make_roller(s);
  ASSERT_TRUE(g);
  EXPECT_NEAR(g->slots[24].angle_rad - g->slots[0].angle_rad, std::numbers::pi / 24, 1e-12);
}

TEST(Pen, LaysNeedlesInsideTheCartridgeWithoutOverlap) {
  PenSpec p{12, millimetres(7), units::hertz(100), millimetres(0.5), millimetres(0.1)};
  auto g = make_pen(p);
  ASSERT_TRUE(g) << g.error().describe();
  ASSERT_EQ(g->offsets.size(), 12u);
  for (std::size_t i = 0; i < g->offsets.size(); ++i) {
    const double ri = std::hypot(units::in_mm(g->offsets[i].x), units::in_mm(g->offsets[i].y));
    EXPECT_LE(ri + 0.05, 3.5 + 1e-9);
    for (std::size_t j = 0; j < i; ++j) {
      const double dij = std::hypot(units::in_mm(g->offsets[i].x - g->offsets[j].x),
                                    units::in_mm(g->offsets[i].y - g->offsets[j].y));
      EXPECT_GE(dij, 0.1);
    }
  }
}

TEST(Pen, RefusesImpossiblePens) {
  PenSpec p{12, millimetres(7), units::hertz(100), millimetres(3.5), millimetres(0.1)};
  EXPECT_EQ(make_pen(p).error().where, "needle.depth_mm");
  p.depth = millimetres(0.5);
  p.stamp_rate = units::hertz(0);
  EXPECT_EQ(make_pen(p).error().where, "motor.stamp_rate_hz");
  p.stamp_rate = units::hertz(100);
  p.needles_per_cartridge = 400;  // 20 × 20 grid in a 7 mm face: 0.18 mm pitch … but 0.3 mm needles overlap
  p.needle_diameter = millimetres(0.3);
  EXPECT_EQ(make_pen(p).error().where, "cartridge.needles");
}

TEST(DeviceFile, ShippedCatalogLoads) {
  for (const char* id :
       {"roller-192", "roller-540", "roller-162-home", "roller-scalp", "roller-body", "pen-12", "pen-36"}) {
    const Device d = testing::load_device(id);
    EXPECT_EQ(d.id, id);
    EXPECT_FALSE(d.sources.empty());
  }
  EXPECT_EQ(testing::load_device("roller-192").roller()->needle_count(), 192);
  EXPECT_EQ(testing::load_device("roller-540").roller()->needle_count(), 540);
  EXPECT_EQ(testing::load_device("roller-162-home").roller()->needle_count(), 162);
  EXPECT_EQ(testing::load_device("pen-36").pen()->needles_per_cartridge, 36);
}

TEST(DeviceFile, EveryNumberNeedsASource) {
  const char* text = R"(id = "x"
name = "X"
kind = "roller"
sources = ["test"]
[drum]
diameter_mm = 20.0
width_mm = 20.0
width_mm_source = "s"
rings = 8
rings_source = "s"
needles_per_ring = 24
needles_per_ring_source = "s"
[needle]
length_mm = 0.5
length_mm_source = "s"
diameter_mm = 0.1
diameter_mm_source = "s"
)";
  auto d = parse_device(text, "x.toml");
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, ErrorCode::missing_field);
  EXPECT_NE(d.error().where.find("x.toml:6"), std::string::npos) << d.error().where;
  EXPECT_NE(d.error().where.find("drum.diameter_mm"), std::string::npos);
}

TEST(DeviceFile, SyntaxErrorsCarryLineAndColumn) {
  auto d = parse_device("id = \"x\"\nname = [\n", "broken.toml");
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, ErrorCode::parse_error);
  EXPECT_EQ(d.error().where.rfind("broken.toml:", 0), 0u);
}

TEST(DeviceFile, ImpossibleGeometryNamesFileAndField) {
  std::string text = testing::read_data_file("devices/roller-192.toml");
  const auto at = text.find("needles_per_ring = 24");
  text.replace(at, 21, "needles_per_ring = 900");
  auto d = parse_device(text, "roller-192.toml");
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().where, "roller-192.toml: drum.needles_per_ring");
}

TEST(DeviceFile, NeedleLengthOverrideRespectsTheDeviceMaximum) {
  const Device d = testing::load_device("roller-192");
  auto longer = with_needle_length(d, millimetres(1.5));
  ASSERT_TRUE(longer);
  EXPECT_DOUBLE_EQ(units::in_mm(longer->needle().length), 1.5);
  EXPECT_FALSE(with_needle_length(d, millimetres(2.6)));
  EXPECT_FALSE(with_needle_length(testing::load_device("pen-12"), millimetres(0.1)));
}

}  // namespace
}  // namespace needlework::physics
