// Validation of the resealing models (data/physics/resealing.toml) against the published human figures
// (FACTS §6, "Validation targets" 5). Each test names the figure, the source, the condition and the
// tolerance; the figures the models do not match are listed in docs/physics.md "Resealing" with the size of
// the miss.

#include <gtest/gtest.h>

#include "needlework/physics/resealing.hpp"
#include "test_data.hpp"

namespace needlework::physics {
namespace {

using units::millimetres;

double hours(Time t) { return units::in_s(t) / 3600.0; }

Resealing session(Occlusion o, double length_mm = 1.0, int count = 192) {
  static const ResealingData data = testing::load_resealing();
  auto r = make_resealing(data, {millimetres(length_mm), count, o});
  EXPECT_TRUE(r) << r.error().describe();
  return r.value_or(Resealing{});
}

double barrier_h(Occlusion o) { return hours(session(o).barrier.time_to_closed(reported_closed_share)); }
double channels_h(Occlusion o) { return hours(session(o).channels.time_to_closed(reported_closed_share)); }

// Gupta, Gill, Andrews & Prausnitz 2011 (human, impedance, not occluded): "all microneedle treated sites
// recovered barrier properties within 2 h", for every geometry tested. Tolerance 1 % (the curve is fixed at
// this figure; the tolerance only absorbs rounding).
TEST(ResealingValidation, Gupta2011BarrierBackWithinTwoHoursUncovered) {
  EXPECT_NEAR(barrier_h(Occlusion::open), 2.0, 0.02);
  // "every geometry": the model gives the same for every length and needle count in the catalog range.
  for (double l : {0.2, 0.5, 1.0, 1.5, 2.5}) {
    for (int n : {1, 50, 192, 540}) {
      EXPECT_LE(hours(session(Occlusion::open, l, n).barrier.time_to_closed(reported_closed_share)),
                2.0 + 1e-9)
          << l << " mm, " << n << " needles";
    }
  }
}

// Gupta 2011 (human, impedance, occluded): resealing windows of about 3–40 h depending on geometry (FACTS §6;
// the copy of the abstract read breaks off before the numbers: ASSUMED). The model takes the upper end, so it
// must sit inside the range and at 40 h (tolerance 1 %).
TEST(ResealingValidation, Gupta2011OccludedBarrierInsideThreeToFortyHours) {
  const double h = barrier_h(Occlusion::occluded);
  EXPECT_GE(h, 3.0);
  EXPECT_LE(h, 40.0 * 1.01);
  EXPECT_NEAR(h, 40.0, 0.4);
  EXPECT_GT(h, barrier_h(Occlusion::open));  // occlusion slows resealing (Gupta 2011)
}

// Dermatol Surg 2012;38:1816 (human face, 0.15–0.25 mm, 5 or 10 applications, TEWL): "prompt recovery of
// barrier function (within 72 hours)". An upper bound: both conditions must be back by 72 h.
TEST(ResealingValidation, DermatolSurg2012FacialBarrierBackWithin72Hours) {
  for (double l : {0.15, 0.25}) {
    for (auto o : {Occlusion::open, Occlusion::occluded}) {
      EXPECT_LE(hours(session(o, l).barrier.time_to_closed(reported_closed_share)), 72.0) << l;
    }
  }
}

// PMC8259462 (2021; 35 people; upper arm, volar forearm, abdomen; impedance for 3 days): micropore closure
// half-life 20.2 / 23.69 / 25.86 h and closure time 58.29 / 60.34 / 63.09 h (site means; not significantly
// different). The channel curve must put its half-life and its 95 % time inside the range of the site means,
// and within 1 % of their mean (23.25 h, 60.57 h).
TEST(ResealingValidation, Pmc8259462ChannelHalfLifeAndClosureTime) {
  for (auto o : {Occlusion::open, Occlusion::occluded}) {
    const ResealingModel m = session(o).channels;
    const double half = hours(m.time_to_closed(0.5));
    const double closed = hours(m.time_to_closed(reported_closed_share));
    EXPECT_GE(half, 20.2);
    EXPECT_LE(half, 25.86);
    EXPECT_NEAR(half, 23.25, 0.01 * 23.25);
    EXPECT_GE(closed, 58.29);
    EXPECT_LE(closed, 63.09);
    EXPECT_NEAR(closed, 60.57, 0.01 * 60.57);
  }
}

// The barrier recovers before the channels close: Kalluri 2011 (rat, Dermaroller 370/770 µm): TEWL back at
// 4–5 h, calcein-stained pores closed at 12–18 h; Donnelly 2014 (PMC4119956, human, n = 15): TEWL suggested
// closure while OCT showed the pores still open at 24 h. Uncovered: the barrier is back (95 %) while more
// than 90 % of the channels are still open, and by 24 h more than a quarter of them still are.
TEST(ResealingValidation, BarrierRecoversBeforeChannelsClose) {
  const Resealing r = session(Occlusion::open);
  const Time barrier_back = r.barrier.time_to_closed(reported_closed_share);
  EXPECT_GT(r.channels.open_fraction(barrier_back), 0.9);
  EXPECT_GT(r.channels.open_fraction(units::seconds(24 * 3600.0)), 0.25);
  EXPECT_LT(barrier_h(Occlusion::open), channels_h(Occlusion::open));
}

// Kalluri 2011 (rat, secondary, not used for the human curves): pores closed by 12 h (370 µm) and 18 h
// (770 µm) by calcein imaging. Human skin closes more slowly: the human channel curve must not close before
// the rat figures (a check of direction, not a calibration).
TEST(ResealingValidation, HumanChannelsCloseLaterThanKalluri2011Rat) {
  EXPECT_GT(channels_h(Occlusion::open), 18.0);
}

}  // namespace
}  // namespace needlework::physics
