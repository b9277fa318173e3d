// Full-face session timing as a distribution: `simulate_session` run N times (default 400), printed as
// minimum, 10th percentile and median in ms. On a shared machine the minimum is what the code does when it
// has the cores; the median shows what the other load costs. Same inputs as physics_bench's
// BM_FullFaceSession.
//
// Usage: physics_session_timing [runs]     (OMP_NUM_THREADS=1 for the sequential order)

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "bench_data.hpp"
#include "needlework/physics/simulation.hpp"

namespace ph = needlework::physics;
using needlework::units::millimetres;

namespace {
std::string read(const std::string& relative) { return needlework::bench::read_data_file(relative); }
}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 400;
  auto device = ph::parse_device(read("devices/roller-192.toml"), "roller-192.toml");
  auto regions = ph::parse_regions(read("skin/regions.toml"), "regions.toml");
  if (!device || !regions) {
    std::fprintf(stderr, "cannot load the data files from %s\n", NEEDLEWORK_DATA_DIR);
    return 1;
  }
  const ph::Zone zone = *ph::make_rectangle_zone(millimetres(150), millimetres(200));  // a full face, 300 cm²
  ph::StrokePlan plan;
  plan.passes_per_direction = 5;
  plan.lane_overlap = 1.0 - 229.18 / 250.0;  // 250 punctures/cm²
  plan.hand_jitter = millimetres(0.5);
  plan.seed = ph::Seed{2026};
  const ph::Region& cheek = **regions->find("cheek");
  std::vector<double> ms;
  std::size_t punctures = 0;
  for (int i = 0; i < runs; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    {
      auto r = ph::simulate_session(*device, cheek, zone, plan);
      punctures = r->session.punctures.size();
    }
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  std::printf("{\"runs\": %d, \"punctures\": %zu, \"min_ms\": %.3f, \"p10_ms\": %.3f, \"median_ms\": %.3f}\n",
              runs, punctures, ms.front(), ms[ms.size() / 10], ms[ms.size() / 2]);
  return 0;
}
