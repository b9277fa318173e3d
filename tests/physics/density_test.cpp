#include "needlework/physics/density.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "needlework/physics/rng.hpp"
#include "needlework/physics/simulation.hpp"
#include "test_data.hpp"

namespace needlework::physics {
namespace {

using units::in_mm;
using units::millimetres;

Puncture at(double x, double y, double slit = 0.1) {
  Puncture p;
  p.position = {millimetres(x), millimetres(y)};
  p.slit = millimetres(slit);
  return p;
}

TEST(Density, GridCountsAndStatisticsOnKnownPunctures) {
  const Zone z = *make_rectangle_zone(millimetres(4), millimetres(2));
  auto g = make_density_grid(z, millimetres(1));
  ASSERT_TRUE(g);
  EXPECT_EQ(g->nx, 4);
  EXPECT_EQ(g->ny, 2);
  // 8 cells; cells (0,0) and (1,0) get 2 punctures each, the rest none.
  std::vector<Puncture> ps{at(0.2, 0.2), at(0.7, 0.7), at(1.2, 0.2), at(1.7, 0.7), at(-5, -5)};
  bin_punctures(*g, ps);
  EXPECT_EQ(g->counts[0], 2u);
  EXPECT_EQ(g->counts[1], 2u);
  const DensityStats s = calc_density_stats(*g, ps, units::per_square_millimetre(2.0), millimetres(0.1));
  EXPECT_EQ(s.punctures_in_zone, 4);
  EXPECT_NEAR(units::in_per_mm2(s.mean), 0.5, 1e-12);
  // Counts {2,2,0,0,0,0,0,0}: mean 0.5, sd sqrt(0.75): CV = sqrt(3).
  EXPECT_NEAR(s.coefficient_of_variation, std::sqrt(3.0), 1e-12);
  EXPECT_NEAR(s.share_at_or_above_target, 0.25, 1e-12);
  EXPECT_EQ(s.rehit_fraction, 0.0);
}

TEST(Density, RefusesBadCells) {
  const Zone z = *make_rectangle_zone(millimetres(4), millimetres(2));
  EXPECT_EQ(make_density_grid(z, millimetres(0)).error().where, "grid.cell_mm");
  // A cell wider than the zone: one cell would show nothing (found by fuzz_simulate_json with 2.4e28 mm,
  // which then overflowed the re-hit index's size). As wide as the zone's longer side is still a grid.
  const auto wide = make_density_grid(z, millimetres(2.4e28));
  ASSERT_FALSE(wide);
  EXPECT_EQ(wide.error().code, needlework::ErrorCode::out_of_range);
  EXPECT_EQ(wide.error().where, "grid.cell_mm");
  EXPECT_NE(wide.error().message.find("larger than the zone"), std::string::npos) << wide.error().message;
  EXPECT_TRUE(make_density_grid(z, millimetres(4)));
  EXPECT_FALSE(make_density_grid(z, millimetres(4.001)));
  EXPECT_FALSE(
      make_density_grid(*make_rectangle_zone(millimetres(1e5), millimetres(1e5)), millimetres(0.001)));
}

TEST(Density, RehitsMatchBruteForce) {
  const Zone z = *make_rectangle_zone(millimetres(20), millimetres(20));
  Xoshiro256pp rng(7);
  std::vector<Puncture> ps;
  for (int i = 0; i < 3000; ++i) ps.push_back(at(rng.uniform(0, 20), rng.uniform(0, 20)));
  const double r = 0.3;
  std::int64_t brute = 0;
  for (std::size_t i = 0; i < ps.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (std::hypot(in_mm(ps[i].position.x - ps[j].position.x), in_mm(ps[i].position.y - ps[j].position.y)) <
          r) {
        ++brute;
        break;
      }
    }
  }
  EXPECT_GT(brute, 0);
  EXPECT_EQ(count_rehits(z, ps, millimetres(r)), brute);
}

TEST(Density, RehitsOnLargeSessionsMatchASweepReference) {
  // A full-face-sized count with the bitmap pre-filter; the reference sweeps over points sorted by x.
  const Zone z = *make_rectangle_zone(millimetres(60), millimetres(60));
  Xoshiro256pp rng(11);
  std::vector<Puncture> ps;
  for (int i = 0; i < 40000; ++i) ps.push_back(at(rng.uniform(0, 60), rng.uniform(0, 60)));
  const double r = 0.1;
  std::vector<std::size_t> by_x(ps.size());
  for (std::size_t i = 0; i < ps.size(); ++i) by_x[i] = i;
  std::sort(by_x.begin(), by_x.end(),
            [&](auto a, auto b) { return in_mm(ps[a].position.x) < in_mm(ps[b].position.x); });
  std::vector<bool> hit(ps.size(), false);
  for (std::size_t a = 0; a < by_x.size(); ++a) {
    for (std::size_t b = a + 1; b < by_x.size(); ++b) {
      const auto i = by_x[a], j = by_x[b];
      const double dx = in_mm(ps[j].position.x - ps[i].position.x);
      if (dx >= r) break;
      if (std::hypot(dx, in_mm(ps[j].position.y - ps[i].position.y)) < r) hit[std::max(i, j)] = true;
    }
  }
  const auto expected = std::count(hit.begin(), hit.end(), true);
  EXPECT_GT(expected, 100);
  EXPECT_EQ(count_rehits(z, ps, millimetres(r)), expected);
}

TEST(Density, SessionSummaryEqualsTheStandAloneStatistics) {
  // simulate_session bins, classifies and searches re-hits while the punctures are made (two threads, two
  // bands); the figures must be exactly those of the stand-alone functions on the finished session.
  const Device d = testing::load_device("roller-192");
  const RegionCatalog regions = testing::load_regions();
  const Region& cheek = **regions.find("cheek");
  const Zone z = *make_zone({{millimetres(0), millimetres(0)},
                             {millimetres(120), millimetres(10)},
                             {millimetres(110), millimetres(110)},
                             {millimetres(-5), millimetres(90)}});
  StrokePlan plan;
  plan.lane_overlap = 0.1;
  plan.hand_jitter = millimetres(0.7);
  plan.seed = Seed{99};
  auto r = simulate_session(d, cheek, z, plan);
  ASSERT_TRUE(r);
  ASSERT_GT(r->session.punctures.size(), 20000u);  // large enough for the pipelined path
  auto g = *make_density_grid(z, millimetres(2));
  bin_punctures(g, r->session.punctures);
  EXPECT_EQ(g.counts, r->grid.counts);
  const DensityStats s =
      calc_density_stats(g, r->session.punctures, units::per_square_centimetre(250), d.needle().diameter);
  EXPECT_EQ(s.rehit_fraction, r->density.rehit_fraction);
  EXPECT_GT(s.rehit_fraction, 0.0);
  EXPECT_EQ(s.punctures_in_zone, r->density.punctures_in_zone);
  EXPECT_NEAR(s.damaged_fraction, r->density.damaged_fraction, 1e-12);
  const LayerFractions f = tally_layers(r->session.punctures, cheek);
  EXPECT_EQ(f.papillary_dermis, r->layers_sampled.papillary_dermis);
}

TEST(Density, DamagedFractionGrowsWithSlitAndStaysBelowOne) {
  const Zone z = *make_rectangle_zone(millimetres(10), millimetres(10));
  Xoshiro256pp rng(3);
  std::vector<Puncture> round, slit;
  for (int i = 0; i < 2000; ++i) {
    const double x = rng.uniform(0, 10), y = rng.uniform(0, 10);
    round.push_back(at(x, y, 0.1));
    slit.push_back(at(x, y, 1.0));
  }
  auto g = *make_density_grid(z, millimetres(1));
  bin_punctures(g, round);
  const double a = calc_density_stats(g, round, {}, millimetres(0.1)).damaged_fraction;
  const double b = calc_density_stats(g, slit, {}, millimetres(0.1)).damaged_fraction;
  // 20 holes/mm² of π·0.05² mm² cover about 1 − exp(−0.157) ≈ 14.5 %.
  EXPECT_NEAR(a, 1 - std::exp(-20 * 3.14159265 * 0.0025), 0.01);
  EXPECT_GT(b, a);
  EXPECT_LT(b, 1.0);
}

}  // namespace
}  // namespace needlework::physics
