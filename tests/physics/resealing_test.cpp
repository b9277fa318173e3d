#include "needlework/physics/resealing.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace needlework::physics {
namespace {

using units::millimetres;

double hours(Time t) { return units::in_s(t) / 3600.0; }

TEST(Resealing, OpenFractionStartsAtOneAndDecays) {
  const auto m = *make_resealing_model(millimetres(1.0), Occlusion::open);
  EXPECT_EQ(m.open_fraction(units::seconds(0)), 1.0);
  EXPECT_NEAR(m.open_fraction(m.tau), std::exp(-1.0), 1e-12);
  EXPECT_NEAR(m.open_fraction(m.time_to_closed(0.95)), 0.05, 1e-12);
  const auto curve = calc_resealing_curve(m, units::seconds(7200), 5);
  ASSERT_EQ(curve.size(), 5u);
  for (std::size_t i = 1; i < curve.size(); ++i)
    EXPECT_LT(curve[i].open_fraction, curve[i - 1].open_fraction);
}

TEST(Resealing, DeeperAndOccludedCloseLater) {
  const auto short_open = *make_resealing_model(millimetres(0.5), Occlusion::open);
  const auto long_open = *make_resealing_model(millimetres(1.5), Occlusion::open);
  const auto long_occluded = *make_resealing_model(millimetres(1.5), Occlusion::occluded);
  EXPECT_LT(short_open.tau, long_open.tau);
  EXPECT_LT(long_open.tau, long_occluded.tau);
  // The length exponent reproduces the Kalluri 2011 ratio 18 h / 12 h for 770 µm vs 370 µm.
  const auto a = *make_resealing_model(millimetres(0.37), Occlusion::open);
  const auto b = *make_resealing_model(millimetres(0.77), Occlusion::open);
  EXPECT_NEAR(units::in_s(b.tau) / units::in_s(a.tau), 1.5, 1e-9);
}

TEST(Resealing, RefusesImpossibleLengths) {
  EXPECT_FALSE(make_resealing_model(millimetres(0), Occlusion::open));
  EXPECT_EQ(make_resealing_model(millimetres(4), Occlusion::open).error().where, "needle_length_mm");
  (void)hours;
}

}  // namespace
}  // namespace needlework::physics
