#include <gtest/gtest.h>

#include "needlework/physics/depth.hpp"
#include "needlework/physics/skin.hpp"
#include "test_data.hpp"

namespace needlework::physics {
namespace {

using units::millimetres;

TEST(Regions, ShippedFileHasTheFacialAndBodyRegionsAndTheScalp) {
  const RegionCatalog c = testing::load_regions();
  for (const char* id : {"forehead", "glabella", "temple", "periorbital", "cheek", "nose", "submandibular",
                         "neck", "back", "waist", "thigh", "upper_arm", "scalp"}) {
    auto r = c.find(id);
    ASSERT_TRUE(r) << id;
    EXPECT_GT((*r)->dermis, (*r)->papillary_dermis);
    ASSERT_FALSE((*r)->dermis_figures.empty()) << id;
    // Epidermis and papillary sources, then a mean and an SD source per figure.
    EXPECT_EQ((*r)->sources.size(), 2u + 2u * (*r)->dermis_figures.size()) << id;
    for (const auto& f : (*r)->dermis_figures) EXPECT_GT(f.sd, millimetres(0)) << id;
  }
  // The simulator's dermis is the thinnest mean: Meng 2022 eyelid, women 0.58 mm (men 0.67).
  EXPECT_NEAR(units::in_mm((*c.find("periorbital"))->dermis), 0.58, 1e-12);
  // The truthful names: Meng 2022 has no chin site, Laurent 2007 measured the waist.
  EXPECT_FALSE(c.find("chin"));
  EXPECT_FALSE(c.find("abdomen"));
}

TEST(Regions, AFigureWithoutAReadableSdSaysAssumed) {
  const RegionCatalog c = testing::load_regions();
  const auto& thigh = **c.find("thigh");
  ASSERT_EQ(thigh.dermis_figures.size(), 1u);
  EXPECT_TRUE(thigh.dermis_figures[0].sd_assumed());
  const auto& forehead = **c.find("forehead");
  for (const auto& f : forehead.dermis_figures) EXPECT_FALSE(f.sd_assumed());
}

TEST(Percentile, NormalQuantileMatchesTheTable) {
  EXPECT_NEAR(normal_quantile(0.05), -1.644854, 1e-5);
  EXPECT_NEAR(normal_quantile(0.5), 0.0, 1e-9);
  EXPECT_NEAR(normal_quantile(0.975), 1.959964, 1e-5);
}

TEST(Percentile, AClientAtAPercentileTakesTheThinnestMatchingFigure) {
  const RegionCatalog c = testing::load_regions();
  const auto& cheek = **c.find("cheek");
  // Meng 2022 zygoma dermis: women 0.87 ± 0.35, men 1.14 ± 0.21 mm.
  auto women = at_percentile(cheek, Sex::female, 5.0);
  ASSERT_TRUE(women);
  EXPECT_NEAR(units::in_mm(women->dermis), 0.87 - 1.644854 * 0.35, 1e-4);
  auto men = at_percentile(cheek, Sex::male, 5.0);
  ASSERT_TRUE(men);
  EXPECT_NEAR(units::in_mm(men->dermis), 1.14 - 1.644854 * 0.21, 1e-4);
  auto anyone = at_percentile(cheek, Sex::any, 5.0);
  ASSERT_TRUE(anyone);
  EXPECT_DOUBLE_EQ(units::in_mm(anyone->dermis), units::in_mm(women->dermis));
  auto median = at_percentile(cheek, Sex::any, 50.0);
  ASSERT_TRUE(median);
  EXPECT_NEAR(units::in_mm(median->dermis), 0.87, 1e-9);
  EXPECT_EQ(at_percentile(cheek, Sex::any, 0.0).error().where, "client_percentile");
  EXPECT_EQ(at_percentile(cheek, Sex::any, 100.0).error().code, ErrorCode::out_of_range);
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
  const std::string compliance = "[compliance]\nvalue = 0.8\nvalue_source = \"s\"\n";
  const std::string head = compliance + R"([[region]]
id = "a"
epidermis_mm = 0.1
epidermis_mm_source = "s"
papillary_fraction = 0.2
papillary_fraction_source = "s"
)";
  const std::string figure = R"(
[[region.dermis]]
sex = "female"
method = "ultrasound"
mean_mm = 1.0
mean_mm_source = "s"
sd_mm = 0.1
sd_mm_source = "s"
)";
  ASSERT_TRUE(parse_regions(head + figure, "r.toml"));
  // No dermis figure at all.
  auto none = parse_regions(head, "r.toml");
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().where.find("dermis"), std::string::npos) << none.error().where;
  // A negative epidermis names its field.
  std::string negative = head;
  negative.replace(negative.find("0.1"), 3, "-0.1");
  auto r = parse_regions(negative + figure, "r.toml");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().where.find("region[0].epidermis_mm"), std::string::npos) << r.error().where;
  // A figure's SD needs its source; an unknown sex and method are named.
  std::string unsourced = figure;
  unsourced.replace(unsourced.find("sd_mm_source = \"s\"\n"), 18, "");
  EXPECT_FALSE(parse_regions(head + unsourced, "r.toml"));
  std::string sex = figure;
  sex.replace(sex.find("female"), 6, "other");
  auto bad_sex = parse_regions(head + sex, "r.toml");
  ASSERT_FALSE(bad_sex);
  EXPECT_NE(bad_sex.error().where.find("sex"), std::string::npos) << bad_sex.error().where;
  std::string method = figure;
  method.replace(method.find("ultrasound"), 10, "guess");
  EXPECT_FALSE(parse_regions(head + method, "r.toml"));
  std::string zero_sd = figure;
  zero_sd.replace(zero_sd.find("sd_mm = 0.1"), 11, "sd_mm = 0.0");
  EXPECT_EQ(parse_regions(head + zero_sd, "r.toml").error().code, ErrorCode::out_of_range);
  // The calibrated compliance is required, sourced, and within [0, 1].
  const std::string regions_only = head.substr(compliance.size());
  auto no_compliance = parse_regions(regions_only + figure, "r.toml");
  ASSERT_FALSE(no_compliance);
  EXPECT_NE(no_compliance.error().where.find("compliance"), std::string::npos) << no_compliance.error().where;
  auto too_large =
      parse_regions("[compliance]\nvalue = 1.5\nvalue_source = \"s\"\n" + regions_only + figure, "r.toml");
  ASSERT_FALSE(too_large);
  EXPECT_EQ(too_large.error().code, ErrorCode::out_of_range);
  EXPECT_NE(too_large.error().where.find("compliance.value"), std::string::npos) << too_large.error().where;
  EXPECT_FALSE(parse_regions("[compliance]\nvalue = 0.8\n" + regions_only + figure, "r.toml"));
  auto parsed = parse_regions(head + figure, "r.toml");
  ASSERT_TRUE(parsed);
  EXPECT_NEAR(parsed->compliance.value, 0.8, 1e-12);
}

TEST(DepthModel, MeanRisesWithPressureAndStaysInTheBracket) {
  for (auto cls : {DeviceClass::roller, DeviceClass::pen}) {
    double previous = 0;
    for (double p : {0.0, 0.25, 0.5, 0.75, 1.0}) {
      auto m = make_depth_model(cls, HandPressure{p});
      ASSERT_TRUE(m);
      EXPECT_GE(m->eta_mean, previous);
      previous = m->eta_mean;
      // The mean stays in the published bracket of means; single punctures spread ±0.10 below it and are
      // clamped at the ceiling only.
      EXPECT_GE(m->eta_mean, eta_floor);
      EXPECT_LE(m->eta_mean, eta_ceiling);
      EXPECT_NEAR(m->eta_low(), std::min(m->eta_mean - eta_half_width, eta_ceiling), 1e-12);
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
  EXPECT_EQ(depth_by_layer(c, "cheek", DeviceClass::roller, millimetres(-1), {}).error().where,
            "needle_length_mm");
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
  EXPECT_TRUE(
      check_within_dermis(c, "periorbital", DeviceClass::roller, *max_len * 0.999, HandPressure{0.5}));
  EXPECT_FALSE(
      check_within_dermis(c, "periorbital", DeviceClass::roller, *max_len * 1.01, HandPressure{0.5}));
}

TEST(Classify, BoundariesBelongToTheUpperLayer) {
  Region r;
  r.epidermis = millimetres(0.1);
  r.papillary_dermis = millimetres(0.2);
  r.dermis = millimetres(1.0);
  EXPECT_EQ(classify_depth(millimetres(0.1), r), Layer::epidermis);
  EXPECT_EQ(classify_depth(millimetres(0.2), r), Layer::papillary_dermis);
  EXPECT_EQ(classify_depth(millimetres(0.31), r), Layer::reticular_dermis);
  EXPECT_EQ(classify_depth(millimetres(1.1), r), Layer::reticular_dermis);
  EXPECT_EQ(classify_depth(millimetres(1.11), r), Layer::beyond_dermis);
}

TEST(PercentText, NonZeroSharesAreNeverZeroAndSharesShortOfOneNeverHundred) {
  EXPECT_EQ(percent_text(0.0), "0.0 %");
  EXPECT_EQ(percent_text(1.0), "100.0 %");
  EXPECT_EQ(percent_text(1e-6), "< 0.1 %");
  EXPECT_EQ(percent_text(1.0 - 1e-6), "> 99.9 %");
  EXPECT_EQ(percent_text(0.123), "12.3 %");
}

TEST(Guard, ARefusedVerdictNeverSaysEveryPunctureStaysWithin) {
  // Just past the longest safe needle a sliver of punctures crosses the dermis: the verdict must not read
  // "100.0 % of punctures stay within the dermis" beside a refusal.
  const RegionCatalog c = testing::load_regions();
  const std::vector<std::string> scalp{"scalp"};
  Assurance a;
  a.max_pressure = HandPressure{0.3};
  auto safe = assess_depth(c, scalp, DeviceClass::roller, millimetres(1.0), a);
  ASSERT_TRUE(safe);
  auto past = assess_depth(c, scalp, DeviceClass::roller, safe->max_safe_length * 1.0005, a);
  ASSERT_TRUE(past);
  EXPECT_FALSE(past->within);
  EXPECT_GT(past->layers.beyond_dermis, 0.0);
  EXPECT_EQ(past->summary.find("100.0 %"), std::string::npos) << past->summary;
  EXPECT_NE(past->summary.find("> 99.9 %"), std::string::npos) << past->summary;
}

TEST(CheckWithinDermis, ATinyShareIsNeverPrintedAsZeroPercent) {
  // The review's "(0 % of punctures)": a refusal for a share below 0.5 % printed 0 %.
  const RegionCatalog c = testing::load_regions();
  auto max_len = max_safe_length(c, "periorbital", DeviceClass::roller, HandPressure{0.5});
  ASSERT_TRUE(max_len);
  auto r = check_within_dermis(c, "periorbital", DeviceClass::roller, *max_len * 1.001, HandPressure{0.5});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message.find("(0 %"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.find("(0.0 %"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("< 0.1 %"), std::string::npos) << r.error().message;
}

TEST(DepthModel, MeanEffectiveDepthIsTheMeanOfTheClampedDistribution) {
  // A firmly pressed pen has η̄ = 0.77 on the ceiling: half the triangle is clamped down to 0.77, so the mean
  // of what the needles reach is below η̄ · L (docs/physics.md).
  auto m = make_depth_model(DeviceClass::pen, HandPressure{1.0});
  ASSERT_TRUE(m);
  const double mean = units::in_mm(mean_effective_depth(*m, millimetres(1.0)));
  EXPECT_LT(mean, 0.77 - 1e-3);
  // The same mean from the sampler the simulator uses (a fine grid of its two uniforms).
  double sum = 0;
  constexpr int n = 400;
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) sum += m->eta_from_uniforms((i + 0.5) / n, (j + 0.5) / n);
  }
  EXPECT_NEAR(mean, sum / (n * n), 1e-4);
  // Unclamped, the mean is η̄ · L, also at light roller pressure, where η̄ = 0.20 is Kalluri's mean and the
  // punctures spread on both sides of it.
  for (auto [cls, p] : {std::pair{DeviceClass::roller, 0.5}, std::pair{DeviceClass::roller, 0.0}}) {
    auto mid = make_depth_model(cls, HandPressure{p});
    EXPECT_NEAR(units::in_mm(mean_effective_depth(*mid, millimetres(1.0))), mid->eta_mean, 1e-6) << p;
  }
}

TEST(Guard, AnAreaIsAsSafeAsItsThinnestRegionAndTheVerdictNamesIt) {
  const RegionCatalog c = testing::load_regions();
  const std::vector<std::string> face{"forehead", "glabella", "temple", "nose", "cheek", "submandibular"};
  Assurance median;
  median.client_percentile = 50;
  median.max_pressure = HandPressure{0.3};
  median.pressure_label = "gentle";
  auto v = assess_depth(c, face, DeviceClass::roller, millimetres(1.5), median);
  ASSERT_TRUE(v) << v.error().describe();
  EXPECT_EQ(v->region_id,
            "temple");  // Meng 2022: the temple's dermis (women 0.80 mm) is the face's thinnest mean
  for (const auto& id : face) {
    auto alone = assess_depth(c, std::vector<std::string>{id}, DeviceClass::roller, millimetres(1.5), median);
    ASSERT_TRUE(alone);
    EXPECT_LE(v->max_safe_length, alone->max_safe_length) << id;
  }
  Assurance thin = median;
  thin.client_percentile = 5;
  auto w = assess_depth(c, face, DeviceClass::roller, millimetres(1.5), thin);
  ASSERT_TRUE(w);
  EXPECT_EQ(w->region_id,
            "cheek");  // the zygoma's wide spread (women 0.87 ± 0.35 mm) makes it the worst at p5
  EXPECT_FALSE(w->within);
  EXPECT_NE(w->summary.find("1.50 mm on the cheek (zygoma)"), std::string::npos) << w->summary;
  EXPECT_NE(w->summary.find("for a 5th-percentile client at gentle pressure (up to 0.30)"), std::string::npos)
      << w->summary;
  EXPECT_TRUE(
      assess_depth(c, std::vector<std::string>{}, DeviceClass::roller, millimetres(1), thin).error().code ==
      ErrorCode::invalid_value);
  EXPECT_EQ(assess_depth(c, std::vector<std::string>{"elbow"}, DeviceClass::roller, millimetres(1), thin)
                .error()
                .code,
            ErrorCode::unknown_id);
}

// The guard's promise, as a property: whatever it accepts, no puncture of a client at the stated percentile,
// at any pressure up to the stated maximum, ends beyond the dermis; and just above its longest safe needle it
// does not accept. Swept over every region, both device classes, needle lengths and assurances.
TEST(Guard, NeverAcceptsANeedleWhoseWorstPunctureLeavesTheDermisUnderTheAssurance) {
  const RegionCatalog c = testing::load_regions();
  int accepted = 0, refused = 0;
  for (const auto& region : c.regions) {
    for (auto cls : {DeviceClass::roller, DeviceClass::pen}) {
      for (double pct : {1.0, 5.0, 50.0}) {
        for (Sex sex : {Sex::any, Sex::female, Sex::male}) {
          for (double max_p : {0.3, 0.5, 1.0}) {
            Assurance a;
            a.client_percentile = pct;
            a.sex = sex;
            a.max_pressure = HandPressure{max_p};
            auto client = at_percentile(region, sex, pct);
            ASSERT_TRUE(client);
            for (double l = 0.1; l <= 3.0; l += 0.05) {
              auto v = assess_depth(c, std::vector<std::string>{region.id}, cls, millimetres(l), a);
              ASSERT_TRUE(v);
              if (!v->within) {
                ++refused;
                EXPECT_GT(l, units::in_mm(v->max_safe_length) - 1e-9);
                continue;
              }
              ++accepted;
              for (double p = 0.0; p <= max_p + 1e-12; p += 0.05) {
                auto m = make_depth_model(cls, HandPressure{std::min(p, max_p)});
                ASSERT_TRUE(m);
                // The deepest puncture the model can produce at this pressure.
                EXPECT_LE(m->eta_high() * l, units::in_mm(client->dermis_floor()) + 1e-12)
                    << region.id << " " << l << " mm at pressure " << p;
                for (double u : {0.0, 0.5, 0.999999}) {
                  EXPECT_LE(m->eta_from_uniforms(u, u) * l, units::in_mm(client->dermis_floor()) + 1e-12);
                }
              }
            }
          }
        }
      }
    }
  }
  EXPECT_GT(accepted, 0);
  EXPECT_GT(refused, 0);
}

}  // namespace
}  // namespace needlework::physics
