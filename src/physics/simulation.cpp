#include "needlework/physics/simulation.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <optional>
#include <thread>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "density_detail.hpp"
#include "needlework/physics/kinematics.hpp"
#include "strokes_impl.hpp"

namespace needlework::physics {

namespace {
int worker_threads() {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}
}  // namespace

Result<SimulationResult> simulate_session(const Device& device, const Region& region, const Zone& zone,
                                          const StrokePlan& plan, const SimulationOptions& options) {
  NW_TRY(grid, make_density_grid(zone, options.grid_cell));
  NW_TRY(model, make_depth_model(device_class_of(device), plan.pressure));
  const NeedleSpec& needle = device.needle();
  std::optional<Resealing> resealing;
  if (options.resealing != nullptr) {
    const int count =
        device.is_roller() ? device.roller()->needle_count() : device.pen()->needles_per_cartridge;
    NW_TRY(r, make_resealing(*options.resealing, {needle.length, count, options.occlusion}));
    resealing = r;
  }

  SimulationResult r;
  r.grid = std::move(grid);

  // Each puncture is binned, classified by layer and checked for a re-hit as it is made, while it is in
  // cache (a full face is ~85 000 punctures, 4 MB). Same results as bin_punctures + calc_density_stats +
  // tally_layers on the finished session.
  const double x0 = units::in_mm(r.grid.origin.x), y0 = units::in_mm(r.grid.origin.y);
  const double inv_cell = 1.0 / units::in_mm(r.grid.cell);
  const int nx = r.grid.nx, ny = r.grid.ny;
  std::int64_t layer_counts[4] = {0, 0, 0, 0};
  std::uint32_t* counts = r.grid.counts.data();

  // The re-hit search is bound by memory latency, not arithmetic, so it runs on a second thread behind the
  // generator: the generator publishes each puncture's position, the searcher follows in order. The result
  // does not depend on the threads (one thread runs the two sections one after the other; positions beyond
  // the buffer, if the estimate was low, are searched afterwards, still in order).
  NW_CHECK(validate(plan));
  const double expected = detail::expected_punctures(device, zone, plan);
  if (expected > options.max_punctures) {
    return fail(
        ErrorCode::out_of_range,
        fmt::format("this plan would make about {:.0f} punctures; check the zone size, passes and speed",
                    expected),
        "plan");
  }
  const std::size_t capacity = static_cast<std::size_t>(expected * 1.3 + 1024);
  std::vector<float> xs(capacity), ys(capacity), late_xs, late_ys;
  std::atomic<std::size_t> published{0};
  std::atomic<bool> finished{false};
  detail::RehitIndex index(nx * units::in_mm(r.grid.cell), ny * units::in_mm(r.grid.cell),
                           units::in_mm(needle.diameter), capacity);
  std::int64_t rehits = 0;
  double wound_sum_mm2 = 0.0;  // a roller's opening depends on each puncture's insertion (kinematics.hpp)
  std::optional<Result<Session>> session;
  // Worth a second thread only for sessions of tens of thousands of punctures; OMP_NUM_THREADS=1 turns it off
  // (on a machine whose other core is busy, the sequential order is faster: docs/performance.md).
  // (Unused in a build without OpenMP, where the pragmas are ignored.)
  [[maybe_unused]] const bool pipeline = worker_threads() >= 2 && expected > 20000;
#pragma omp parallel sections num_threads(2) if (pipeline)
  {
#pragma omp section
    {
      std::size_t made = 0;
      session = detail::simulate_strokes_with(
          device, zone, plan,
          [&](const Puncture& p) {
            const double x = units::in_mm(p.position.x) - x0, y = units::in_mm(p.position.y) - y0;
            if (made < capacity) {
              xs[made] = static_cast<float>(x);
              ys[made] = static_cast<float>(y);
              // Publish in batches: a store per puncture would bounce the counter's cache line between the
              // cores.
              if ((made + 1) % 256 == 0) published.store(made + 1, std::memory_order_release);
            } else {
              late_xs.push_back(static_cast<float>(x));
              late_ys.push_back(static_cast<float>(y));
            }
            ++made;
            const double fx = x * inv_cell, fy = y * inv_cell;
            if (fx >= 0.0 && fy >= 0.0 && fx < nx && fy < ny) {
              ++counts[static_cast<std::size_t>(static_cast<int>(fy)) * nx + static_cast<int>(fx)];
            }
            ++layer_counts[static_cast<int>(classify_depth(p.depth, region))];
            wound_sum_mm2 += detail::wound_area_mm2(p.slit, needle.diameter);
          },
          nullptr, static_cast<double>(options.max_punctures));
      published.store(std::min(made, capacity), std::memory_order_release);
      finished.store(true, std::memory_order_release);
    }
#pragma omp section
    {
      std::size_t done = 0;
      std::uint32_t idle = 0;
      for (;;) {
        const bool last = finished.load(std::memory_order_acquire);
        const std::size_t available = published.load(std::memory_order_acquire);
        if (done < available) idle = 0;
        for (; done < available; ++done) rehits += index.add(xs[done], ys[done]) ? 1 : 0;
        if (last) break;
        // Spin while the generator is just ahead: yielding on a busy machine hands the core to another
        // process for a whole time slice (milliseconds, measured: 8 ms sessions). Yield only after a long
        // wait, when the generator itself has been descheduled.
        if (++idle > 200000) std::this_thread::yield();
      }
    }
  }
  for (std::size_t i = 0; i < late_xs.size(); ++i) rehits += index.add(late_xs[i], late_ys[i]) ? 1 : 0;
  NW_TRY(strokes, std::move(*session));
  r.session = std::move(strokes);

  const auto& punctures = r.session.punctures;
  const std::size_t n = punctures.size();
  const double wound_mm2 = n == 0 ? 0.0 : wound_sum_mm2 / static_cast<double>(n);
  r.density = detail::stats_from_grid(r.grid, options.target, rehits, n, wound_mm2);
  const double total = n == 0 ? 1.0 : static_cast<double>(n);
  auto share = [&](int k) { return static_cast<double>(layer_counts[k]) / total; };
  r.layers_sampled = {share(0), share(1), share(2), share(3)};
  r.layers_exact = calc_layer_fractions(region, model, needle.length);
  r.mean_depth = mean_effective_depth(model, needle.length);
  // The summary's opening is the one at the mean insertion E[η] (the same η as `mean_depth`).
  r.slit = device.is_roller() ? calc_slit_length(device.roller()->drum_radius, needle.length, needle.diameter,
                                                 plan.compliance, model.eta_expected())
                              : needle.diameter;
  r.resealing = resealing;
  r.beyond_dermis = r.layers_exact.beyond_dermis > 0.0;
  return r;
}

}  // namespace needlework::physics
