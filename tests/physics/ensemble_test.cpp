#include "needlework/physics/ensemble.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "needlework/physics/simulation.hpp"
#include "test_data.hpp"

namespace needlework::physics {
namespace {

using units::millimetres;

struct Fixture {
  Device device = testing::load_device("roller-192");
  RegionCatalog regions = testing::load_regions();
  Zone zone = *make_zone({{millimetres(0), millimetres(0)},
                          {millimetres(60), millimetres(0)},
                          {millimetres(70), millimetres(40)},
                          {millimetres(5), millimetres(50)}});
  StrokePlan plan;
  Fixture() {
    plan.hand_jitter = millimetres(1.0);
    plan.seed = Seed{11};
    device = *with_needle_length(device, millimetres(1.0));
  }
};

TEST(Ensemble, AgreesWithTheSessionSimulatorStatistically) {
  Fixture f;
  const Region& cheek = **f.regions.find("cheek");
  EnsembleOptions opt;
  opt.members = 40;
  auto e = run_ensemble(f.device, cheek, f.zone, f.plan, opt);
  ASSERT_TRUE(e) << e.error().describe();
  double ens_mean = 0, ens_papillary = 0, ens_reticular = 0;
  const double n_members = static_cast<double>(e->members.size());
  for (const auto& m : e->members) {
    ens_mean += units::in_per_cm2(m.mean) / n_members;
    ens_papillary += m.layers.papillary_dermis / n_members;
    ens_reticular += m.layers.reticular_dermis / n_members;
  }
  double sim_mean = 0;
  for (int s = 0; s < 10; ++s) {
    f.plan.seed = Seed{100u + s};
    auto r = simulate_session(f.device, cheek, f.zone, f.plan);
    ASSERT_TRUE(r);
    sim_mean += units::in_per_cm2(r->density.mean) / 10;
  }
  // 15 passes × 15.28 /cm² = 229 /cm²; both implementations should land within a few percent.
  EXPECT_NEAR(ens_mean, sim_mean, 0.03 * sim_mean);
  const LayerFractions exact = calc_layer_fractions(
      cheek, *make_depth_model(DeviceClass::roller, f.plan.pressure), f.device.needle().length);
  EXPECT_NEAR(ens_papillary, exact.papillary_dermis, 0.01);
  EXPECT_NEAR(ens_reticular, exact.reticular_dermis, 0.01);
}

TEST(Ensemble, DeterministicAndIndependentOfThreadCount) {
  Fixture f;
  const Region& cheek = **f.regions.find("cheek");
  EnsembleOptions one;
  one.members = 6;
  one.threads = 1;
  EnsembleOptions two = one;
  two.threads = 2;
  int calls = 0;
  two.progress = [&](int done, int total) {
    ++calls;
    EXPECT_LE(done, total);
  };
  auto a = *run_ensemble(f.device, cheek, f.zone, f.plan, one);
  auto b = *run_ensemble(f.device, cheek, f.zone, f.plan, two);
  EXPECT_EQ(calls, 6);
  EXPECT_EQ(a.summed_grid.counts, b.summed_grid.counts);
  for (std::size_t i = 0; i < a.members.size(); ++i)
    EXPECT_EQ(a.members[i].punctures, b.members[i].punctures);
}

TEST(Ensemble, RefusesPensAndEmptyEnsembles) {
  Fixture f;
  const Region& cheek = **f.regions.find("cheek");
  EnsembleOptions opt;
  EXPECT_EQ(run_ensemble(testing::load_device("pen-12"), cheek, f.zone, f.plan, opt).error().where, "device");
  opt.members = 0;
  EXPECT_EQ(run_ensemble(f.device, cheek, f.zone, f.plan, opt).error().where, "ensemble.members");
}

}  // namespace
}  // namespace needlework::physics
