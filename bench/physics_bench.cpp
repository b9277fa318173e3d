// Benchmarks of the physics engine's kernels. Throughputs are in punctures per second (items_per_second).
//
//   BM_Ensemble/threads:T      Monte-Carlo ensemble: generation, depth + layer classification, binning (full face)
//   BM_BareBinning/threads:T   the memory bound: only binning the same punctures (pre-generated) into the same grid
//   BM_FullFaceSession         one session on 300 cm² at 250 /cm², simulated and summarised (strokes, grid, stats)
//   BM_DepthByLayer            the clinic's safety query
//
// Inputs are fixed here and mirrored by bench/reference/ensemble_reference.py (scripts/bench-physics.sh).

#include <benchmark/benchmark.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "bench_data.hpp"
#include "needlework/physics/ensemble.hpp"
#include "needlework/physics/simulation.hpp"

namespace ph = needlework::physics;
using needlework::units::millimetres;

namespace {

std::string read(const std::string& relative) { return needlework::bench::read_data_file(relative); }

struct Inputs {
  ph::Device device;
  ph::RegionCatalog regions;
  ph::Zone zone;
  ph::StrokePlan plan;

  Inputs() {
    auto d = ph::parse_device(read("devices/roller-192.toml"), "roller-192.toml");
    auto r = ph::parse_regions(read("skin/regions.toml"), "regions.toml");
    if (!d || !r) throw std::runtime_error("cannot load data files from " NEEDLEWORK_DATA_DIR);
    device = *d;
    regions = *r;
    // A full face: 150 × 200 mm = 300 cm².
    zone = *ph::make_rectangle_zone(millimetres(150), millimetres(200));
    // 15 passes (horizontal, vertical, diagonal × 5) with lanes overlapping 8.4 %: 250 punctures/cm².
    plan.passes_per_direction = 5;
    plan.lane_overlap = 1.0 - 229.18 / 250.0;
    plan.hand_jitter = millimetres(0.5);
    plan.seed = ph::Seed{2026};
  }
  const ph::Region& cheek() const { return **regions.find("cheek"); }
};

const Inputs& inputs() {
  static const Inputs in;
  return in;
}

constexpr int ensemble_members = 64;

void BM_Ensemble(benchmark::State& state) {
  const Inputs& in = inputs();
  ph::EnsembleOptions opt;
  opt.members = ensemble_members;
  opt.grid_cell = millimetres(2.0);
  opt.threads = static_cast<int>(state.range(0));
  std::int64_t punctures = 0;
  for (auto _ : state) {
    auto r = ph::run_ensemble(in.device, in.cheek(), in.zone, in.plan, opt);
    benchmark::DoNotOptimize(r->summed_grid.counts.data());
    punctures += r->total_punctures;
  }
  state.SetItemsProcessed(punctures);
  state.counters["punctures_per_member"] =
      static_cast<double>(punctures) / static_cast<double>(state.iterations()) / ensemble_members;
}
BENCHMARK(BM_Ensemble)->Arg(1)->Arg(2)->ArgName("threads")->UseRealTime()->Unit(benchmark::kMillisecond);

// The same punctures (one session's positions, as floats) binned into the same 2 mm grid, once per member,
// with nothing else: a lower bound on the time any ensemble kernel needs for its scatter into memory.
void BM_BareBinning(benchmark::State& state) {
  const Inputs& in = inputs();
  auto session = ph::simulate_strokes(in.device, in.zone, in.plan);
  auto shape = ph::make_density_grid(in.zone, millimetres(2.0));
  std::vector<float> xs, ys;
  for (const auto& p : session->punctures) {
    xs.push_back(static_cast<float>(needlework::units::in_mm(p.position.x)));
    ys.push_back(static_cast<float>(needlework::units::in_mm(p.position.y)));
  }
  const int nx = shape->nx, ny = shape->ny;
  const float inv = 0.5f, fnx = static_cast<float>(nx), fny = static_cast<float>(ny);
  const std::size_t n = xs.size();
  const int threads = static_cast<int>(state.range(0));
  std::int64_t punctures = 0;
  for (auto _ : state) {
#pragma omp parallel num_threads(threads)
    {
      std::vector<std::uint32_t> counts(static_cast<std::size_t>(nx) * ny + 1);
      const std::uint32_t dummy = static_cast<std::uint32_t>(nx * ny);
#pragma omp for schedule(dynamic, 1)
      for (int m = 0; m < ensemble_members; ++m) {
        std::fill(counts.begin(), counts.end(), 0u);
        for (std::size_t i = 0; i < n; ++i) {
          const float fx = xs[i] * inv, fy = ys[i] * inv;
          const bool ok = fx >= 0.0f && fy >= 0.0f && fx < fnx && fy < fny;
          ++counts[ok ? static_cast<std::uint32_t>(static_cast<int>(fy) * nx + static_cast<int>(fx)) : dummy];
        }
        benchmark::DoNotOptimize(counts.data());
      }
    }
    punctures += static_cast<std::int64_t>(n) * ensemble_members;
  }
  state.SetItemsProcessed(punctures);
}
BENCHMARK(BM_BareBinning)->Arg(1)->Arg(2)->ArgName("threads")->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_FullFaceSession(benchmark::State& state) {
  const Inputs& in = inputs();
  std::int64_t punctures = 0;
  for (auto _ : state) {
    auto r = ph::simulate_session(in.device, in.cheek(), in.zone, in.plan);
    benchmark::DoNotOptimize(r->density.mean);
    punctures += static_cast<std::int64_t>(r->session.punctures.size());
  }
  state.SetItemsProcessed(punctures);
}
// On a shared machine the mean of a run mixes quiet and busy spells; the minimum over repetitions is what the
// code does when it has the machine (scripts/bench-physics.sh reports both).
BENCHMARK(BM_FullFaceSession)
    ->Unit(benchmark::kMillisecond)
    ->ComputeStatistics("min",
                        [](const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); });

// Parts of the full-face session, to show where its time goes.
void BM_FullFaceStrokesOnly(benchmark::State& state) {
  const Inputs& in = inputs();
  for (auto _ : state) {
    auto s = ph::simulate_strokes(in.device, in.zone, in.plan);
    benchmark::DoNotOptimize(s->punctures.data());
  }
}
BENCHMARK(BM_FullFaceStrokesOnly)->Unit(benchmark::kMillisecond);

void BM_FullFaceRehitsOnly(benchmark::State& state) {
  const Inputs& in = inputs();
  auto s = ph::simulate_strokes(in.device, in.zone, in.plan);
  for (auto _ : state) {
    benchmark::DoNotOptimize(ph::count_rehits(in.zone, s->punctures, in.device.needle().diameter));
  }
}
BENCHMARK(BM_FullFaceRehitsOnly)->Unit(benchmark::kMillisecond);

void BM_DepthByLayer(benchmark::State& state) {
  const Inputs& in = inputs();
  for (auto _ : state) {
    auto f = ph::check_within_dermis(in.regions, "periorbital", ph::DeviceClass::roller, millimetres(0.5),
                                     ph::HandPressure{0.5});
    benchmark::DoNotOptimize(f);
  }
}
BENCHMARK(BM_DepthByLayer);

}  // namespace

BENCHMARK_MAIN();
