#include <gtest/gtest.h>

#include "needlework/physics/depth.hpp"
#include "needlework/physics/skin.hpp"
#include "test_data.hpp"

namespace needlework::physics {
namespace {

using units::millimetres;

TEST(Regions, ShippedFileHasTheFacialAndBodyRegionsAndTheScalp) {
  const RegionCatalog c = testing::load_regions();
  for (const char* id : {"forehead", "periorbital", "cheek", "nose", "chin", "neck", "back", "abdomen", "thigh",
                         "upper_arm", "scalp"}) {
    auto r = c.find(id);
    ASSERT_TRUE(r) << id;
    EXPECT_GT((*r)->dermis, (*r)->papillary_dermis);
    EXPECT_EQ((*r)->sources.size(), 3u);
  }
  // FACTS §4: eyelid dermis 0.58 (F) – 0.67 (M) mm; the thinner is used.
  EXPECT_NEAR(units::in_mm((*c.find("periorbital"))->dermis), 0.58, 1e-12);
}

TEST(Regions, UnknownRegionListsTheKnownOnes) {
  const RegionCatalog c = testing::load_regions();
  auto r = c.find("elbow");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::unknown_id);
  EXPECT_NE(r.error().message.find("cheek"), std::string::npos);
}

TEST(Regions, RefusesBadFiles) {
  EXPECT_EQ(parse_regions("[[region]]\nid = \"a\"\nepidermis_mm = 0.1\n", "r.toml").error().code,
            ErrorCode::missing_field);
  const char* negative = R"([[region]]
id = "a"
epidermis_mm = -0.1
epidermis_mm_source = "s"
dermis_mm = 1.0
dermis_mm_source = "s"
papillary_fraction = 0.2
papillary_fraction_source = "s"
)";
  auto r = parse_regions(negative, "r.toml");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().where.find("region[0].epidermis_mm"), std::string::npos) << r.error().where;
}

TEST(DepthModel, MeanRisesWithPressureAndStaysInTheBracket) {
  for (auto cls : {DeviceClass::roller, DeviceClass::pen}) {
    double previous = 0;
    for (double p : {0.0, 0.25, 0.5, 0.75, 1.0}) {
      auto m = make_depth_model(cls, HandPressure{p});
      ASSERT_TRUE(m);
      EXPECT_GE(m->eta_mean, previous);
      previous = m->eta_mean;
      EXPECT_GE(m->eta_low(), eta_floor);
      EXPECT_LE(m->eta_high(), eta_ceiling);
    }
  }
  EXPECT_FALSE(make_depth_model(DeviceClass::roller, HandPressure{1.5}));
}

TEST(DepthModel, CdfMatchesSampling) {
  const DepthModel m = *make_depth_model(DeviceClass::roller, HandPressure{0.5});
  // Midpoint rule over a 400 × 400 grid of (u1, u2).
  int below = 0, n = 400;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) below += m.eta_from_uniforms((i + 0.5) / n, (j + 0.5) / n) <= 0.43 ? 1 : 0;
  EXPECT_NEAR(below / double(n * n), m.eta_cdf(0.43), 2e-3);
}

TEST(DepthByLayer, FractionsSumToOneAndMoveDeeperWithLength) {
  const RegionCatalog c = testing::load_regions();
  double previous_deep = -1;
  for (double l : {0.25, 0.5, 1.0, 1.5, 2.0}) {
    auto f = depth_by_layer(c, "cheek", DeviceClass::roller, millimetres(l), HandPressure{0.5});
    ASSERT_TRUE(f);
    EXPECT_NEAR(f->epidermis + f->papillary_dermis + f->reticular_dermis + f->beyond_dermis, 1.0, 1e-12);
    const double deep = f->reticular_dermis + f->beyond_dermis;
    EXPECT_GE(deep, previous_deep);
    previous_deep = deep;
  }
}

TEST(DepthByLayer, BadInputsAreErrors) {
  const RegionCatalog c = testing::load_regions();
  EXPECT_EQ(depth_by_layer(c, "elbow", DeviceClass::roller, millimetres(0.5), {}).error().code,
            ErrorCode::unknown_id);
  EXPECT_EQ(depth_by_layer(c, "cheek", DeviceClass::roller, millimetres(-1), {}).error().where, "needle_length_mm");
  EXPECT_EQ(depth_by_layer(c, "cheek", DeviceClass::roller, millimetres(1), HandPressure{-0.1}).error().where,
            "pressure");
}

TEST(CheckWithinDermis, RefusalNamesTheLimitAndAShorterNeedle) {
  const RegionCatalog c = testing::load_regions();
  auto r = check_within_dermis(c, "periorbital", DeviceClass::roller, millimetres(1.5), HandPressure{0.5});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::refused);
  EXPECT_NE(r.error().message.find("beyond the dermis"), std::string::npos);
  auto max_len = max_safe_length(c, "periorbital", DeviceClass::roller, HandPressure{0.5});
  ASSERT_TRUE(max_len);
  // Just under the limit passes, just over is refused.
  EXPECT_TRUE(check_within_dermis(c, "periorbital", DeviceClass::roller, *max_len * 0.999, HandPressure{0.5}));
  EXPECT_FALSE(check_within_dermis(c, "periorbital", DeviceClass::roller, *max_len * 1.01, HandPressure{0.5}));
}

TEST(Classify, BoundariesBelongToTheUpperLayer) {
  Region r{"t", "t", millimetres(0.1), millimetres(0.2), millimetres(1.0), {}};
  EXPECT_EQ(classify_depth(millimetres(0.1), r), Layer::epidermis);
  EXPECT_EQ(classify_depth(millimetres(0.2), r), Layer::papillary_dermis);
  EXPECT_EQ(classify_depth(millimetres(0.31), r), Layer::reticular_dermis);
  EXPECT_EQ(classify_depth(millimetres(1.1), r), Layer::reticular_dermis);
  EXPECT_EQ(classify_depth(millimetres(1.11), r), Layer::beyond_dermis);
}

}  // namespace
}  // namespace needlework::physics
