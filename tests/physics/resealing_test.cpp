#include "needlework/physics/resealing.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "test_data.hpp"

namespace needlework::physics {
namespace {

using units::millimetres;

double hours(Time t) { return units::in_s(t) / 3600.0; }

const ResealingData& data() {
  static const ResealingData d = testing::load_resealing();
  return d;
}

TEST(Resealing, OpenFractionStartsAtOneAndDecays) {
  const auto r = *make_resealing(data(), {millimetres(1.0), 192, Occlusion::open});
  for (const ResealingModel& m : {r.barrier, r.channels}) {
    EXPECT_EQ(m.open_fraction(units::seconds(0)), 1.0);
    EXPECT_NEAR(m.open_fraction(m.scale), std::exp(-1.0), 1e-12);
    EXPECT_NEAR(m.open_fraction(m.time_to_closed(0.95)), 0.05, 1e-12);
    EXPECT_NEAR(m.open_fraction(m.time_to_closed(0.5)), 0.5, 1e-12);
    const auto curve = calc_resealing_curve(m, units::seconds(100 * 3600.0), 5);
    ASSERT_EQ(curve.size(), 5u);
    for (std::size_t i = 1; i < curve.size(); ++i)
      EXPECT_LT(curve[i].open_fraction, curve[i - 1].open_fraction);
  }
}

// The loader derives λ and k from the two figures of a curve: half_h and closed_h.
TEST(Resealing, TwoFiguresFixScaleAndShape) {
  const auto& c = data().channels.open;
  EXPECT_NEAR(hours(c.model.time_to_closed(0.5)), 23.25, 1e-9);
  EXPECT_NEAR(hours(c.model.time_to_closed(c.closed_share)), c.closed_h, 1e-9);
  EXPECT_GT(c.model.shape, 1.0);  // 60.57 / 23.25 < ln 20 / ln 2: closure slower to start than first-order
  EXPECT_EQ(data().barrier.open.model.shape, 1.0);
  EXPECT_FALSE(c.sources.empty());
  EXPECT_FALSE(c.cite.empty());
}

TEST(Resealing, BarrierAndChannelsAreSeparateOutputs) {
  const auto open = *make_resealing(data(), {millimetres(1.0), 192, Occlusion::open});
  const auto covered = *make_resealing(data(), {millimetres(1.0), 192, Occlusion::occluded});
  EXPECT_EQ(open.occlusion, Occlusion::open);
  EXPECT_EQ(covered.occlusion, Occlusion::occluded);
  EXPECT_LT(open.barrier.time_to_closed(0.95), open.channels.time_to_closed(0.95));
  EXPECT_LT(open.barrier.time_to_closed(0.95), covered.barrier.time_to_closed(0.95));
  // The channel curve does not use occlusion (no human figure under occlusion; the data file says why).
  EXPECT_EQ(open.channels.time_to_closed(0.95), covered.channels.time_to_closed(0.95));
}

TEST(Resealing, LengthAndCountDoNotChangeTheCurves) {
  const auto a = *make_resealing(data(), {millimetres(0.2), 1, Occlusion::occluded});
  const auto b = *make_resealing(data(), {millimetres(2.5), 540, Occlusion::occluded});
  EXPECT_EQ(a.barrier.scale, b.barrier.scale);
  EXPECT_EQ(a.channels.scale, b.channels.scale);
}

TEST(Resealing, RefusesImpossibleLengthsAndCounts) {
  for (double l : {0.0, -0.5, 4.0}) {
    const auto r = make_resealing(data(), {millimetres(l), 192, Occlusion::open});
    ASSERT_FALSE(r) << l;
    EXPECT_EQ(r.error().code, ErrorCode::out_of_range);
    EXPECT_EQ(r.error().where, "needle_length_mm");
    EXPECT_NE(r.error().message.find("needle length"), std::string::npos);
  }
  for (int n : {0, -3}) {
    const auto r = make_resealing(data(), {millimetres(1.0), n, Occlusion::open});
    ASSERT_FALSE(r) << n;
    EXPECT_EQ(r.error().where, "needle_count");
    EXPECT_NE(r.error().message.find("at least 1"), std::string::npos);
  }
}

// A minimal valid file, to break one field at a time.
std::string file(const std::string& barrier_open_extra, const std::string& channels_open) {
  const std::string curve =
      "cite = \"c\"\nclosed_h = 2.0\nclosed_h_source = \"s\"\nclosed_share = 0.95\nclosed_share_source = "
      "\"s\"\n";
  return "[barrier]\nname = \"b\"\nmeasure = \"m\"\n[barrier.open]\n" + curve + barrier_open_extra +
         "[barrier.occluded]\n" + curve + "shape = 1.0\nshape_source = \"s\"\n" +
         "[channels]\nname = \"c\"\nmeasure = \"m\"\n[channels.open]\n" + channels_open +
         "[channels.occluded]\n" + curve + "shape = 1.0\nshape_source = \"s\"\n";
}

TEST(Resealing, ParserAcceptsAMinimalFile) {
  const std::string curve =
      "cite = \"c\"\nclosed_h = 60.0\nclosed_h_source = \"s\"\nclosed_share = 0.95\nclosed_share_source = "
      "\"s\"\nhalf_h = 20.0\nhalf_h_source = \"s\"\n";
  const auto r = parse_resealing(file("shape = 1.0\nshape_source = \"s\"\n", curve), "t.toml");
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_NEAR(hours(r->channels.open.model.time_to_closed(0.5)), 20.0, 1e-9);
  EXPECT_NEAR(hours(r->barrier.open.model.time_to_closed(0.95)), 2.0, 1e-9);
}

TEST(Resealing, ParserRefusesBadFiguresNamingTheField) {
  const std::string ok_channels =
      "cite = \"c\"\nclosed_h = 60.0\nclosed_h_source = \"s\"\nclosed_share = 0.95\nclosed_share_source = "
      "\"s\"\nhalf_h = 20.0\nhalf_h_source = \"s\"\n";
  struct Case {
    std::string barrier_extra, channels, field;
  };
  const Case cases[] = {
      // neither half_h nor shape
      {"", ok_channels, "half_h"},
      // both
      {"shape = 1.0\nshape_source = \"s\"\nhalf_h = 1.0\nhalf_h_source = \"s\"\n", ok_channels, "half_h"},
      // a number without its source
      {"shape = 1.0\n", ok_channels, "shape"},
      // shape not positive
      {"shape = 0.0\nshape_source = \"s\"\n", ok_channels, "shape"},
      // half-life not shorter than the closed time
      {"shape = 1.0\nshape_source = \"s\"\n",
       "cite = \"c\"\nclosed_h = 10.0\nclosed_h_source = \"s\"\nclosed_share = 0.95\nclosed_share_source = "
       "\"s\"\nhalf_h = 20.0\nhalf_h_source = \"s\"\n",
       "half_h"},
      // closed share out of range
      {"shape = 1.0\nshape_source = \"s\"\n",
       "cite = \"c\"\nclosed_h = 60.0\nclosed_h_source = \"s\"\nclosed_share = 1.0\nclosed_share_source = "
       "\"s\"\nhalf_h = 20.0\nhalf_h_source = \"s\"\n",
       "closed_share"},
      // negative closed time
      {"shape = 1.0\nshape_source = \"s\"\n",
       "cite = \"c\"\nclosed_h = -1.0\nclosed_h_source = \"s\"\nclosed_share = 0.95\nclosed_share_source = "
       "\"s\"\nhalf_h = 20.0\nhalf_h_source = \"s\"\n",
       "closed_h"},
  };
  for (const auto& c : cases) {
    const auto r = parse_resealing(file(c.barrier_extra, c.channels), "t.toml");
    ASSERT_FALSE(r) << c.field;
    EXPECT_NE(r.error().where.find(c.field), std::string::npos) << r.error().describe();
    EXPECT_NE(r.error().where.find("t.toml"), std::string::npos) << r.error().describe();
  }
  EXPECT_FALSE(parse_resealing("[barrier]\nname = \"b\"\n", "t.toml"));
}

}  // namespace
}  // namespace needlework::physics
