#include "needlework/physics/ensemble.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include <fmt/format.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "lanes.hpp"
#include "needlework/physics/rng.hpp"

namespace needlework::physics {

using units::in_mm;

namespace {

constexpr double two_pi = 2.0 * std::numbers::pi;
constexpr int rng_lanes = 8;

// Eight xoshiro128+ streams side by side (structure of arrays) so the compiler turns one step of all eight into a
// few SIMD instructions. One 32-bit word per puncture: its two 16-bit halves are the two uniforms of the
// triangular depth distribution (16 bits resolve η to 1.5e-6, far below the model's spread).
struct alignas(64) StreamsX8 {
  std::uint32_t s0[rng_lanes], s1[rng_lanes], s2[rng_lanes], s3[rng_lanes];

  explicit StreamsX8(std::uint64_t seed) {
    SplitMix64 sm(seed);
    for (int l = 0; l < rng_lanes; ++l) {
      const std::uint64_t a = sm.next(), b = sm.next();
      s0[l] = static_cast<std::uint32_t>(a);
      s1[l] = static_cast<std::uint32_t>(a >> 32);
      s2[l] = static_cast<std::uint32_t>(b);
      s3[l] = static_cast<std::uint32_t>(b >> 32) | 1u;  // never all zero
    }
  }

  // n must be a multiple of rng_lanes.
  void fill(std::uint32_t* __restrict out, std::size_t n) noexcept {
    for (std::size_t i = 0; i < n; i += rng_lanes) {
      for (int l = 0; l < rng_lanes; ++l) {
        const std::uint32_t result = s0[l] + s3[l];
        const std::uint32_t t = s1[l] << 9;
        s2[l] ^= s0[l];
        s3[l] ^= s1[l];
        s1[l] ^= s2[l];
        s0[l] ^= s3[l];
        s2[l] ^= t;
        s3[l] = (s3[l] << 11) | (s3[l] >> 21);
        out[i + l] = result;
      }
    }
  }
};

// Everything the inner loop needs, in single precision.
struct Kernel {
  int n_needles = 0;
  std::size_t padded = 0;          // n_needles rounded up to rng_lanes
  std::vector<float> theta;        // slot angle in [0, 2π)
  std::vector<float> axial;        // slot axial position, mm
  double radius_mm = 0;
  float length_mm = 0;
  float eta_mean = 0, eta_half = 0;
  float epi_mm = 0, pap_mm = 0, derm_mm = 0;
  float x0 = 0, y0 = 0, inv_cell = 0;
  int nx = 0, ny = 0;
  double drum_width_mm = 0;
};

struct Scratch {
  std::vector<float> bx, by, psi0;
  std::vector<std::uint32_t> random, cell;
  explicit Scratch(std::size_t n) : bx(n), by(n), psi0(n), random(n), cell(n) {}
};

struct Tally {
  std::int64_t punctures = 0, deeper_than_epi = 0, deeper_than_pap = 0, deeper_than_derm = 0;
};

// One lane of one member: generation, depth, layer classification and binning.
void run_lane(const Kernel& k, const detail::Lane& lane, double phase, StreamsX8& streams, Scratch& s,
              std::uint32_t* __restrict counts, Tally& tally) {
  const int n = k.n_needles;
  const float cu = static_cast<float>(lane.cos_a), su = static_cast<float>(lane.sin_a);
  const float r = static_cast<float>(k.radius_mm);
  const float ph = static_cast<float>(phase);
  const float lane_psi = static_cast<float>((lane.u_end - lane.u_start) / k.radius_mm);
  const float us = static_cast<float>(lane.u_start), vc = static_cast<float>(lane.v_centre);
  // Per needle: drum angle at first touchdown, and the position of that touchdown relative to the grid origin.
  for (int j = 0; j < n; ++j) {
    float psi = k.theta[j] - ph;
    psi += psi < 0.0f ? static_cast<float>(two_pi) : 0.0f;
    const float u = us + r * psi;
    const float v = vc + k.axial[j];
    s.psi0[j] = psi;
    s.bx[j] = (u * cu - v * su - k.x0) * k.inv_cell;
    s.by[j] = (u * su + v * cu - k.y0) * k.inv_cell;
  }
  const float step_cells = static_cast<float>(two_pi) * r * k.inv_cell;
  const float dx = step_cells * cu, dy = step_cells * su;
  const float fnx = static_cast<float>(k.nx), fny = static_cast<float>(k.ny);
  const std::uint32_t dummy = static_cast<std::uint32_t>(k.nx * k.ny);
  const float mu = k.eta_mean, h = k.eta_half, lmm = k.length_mm;
  const float e = k.epi_mm, p = k.pap_mm, d = k.derm_mm;
  constexpr float inv16 = 1.0f / 65536.0f;
  const int revolutions = static_cast<int>(std::ceil(lane_psi / static_cast<float>(two_pi)));
  for (int rev = 0; rev < revolutions; ++rev) {
    streams.fill(s.random.data(), k.padded);
    const float psi_off = static_cast<float>(two_pi) * static_cast<float>(rev);
    const float ox = dx * static_cast<float>(rev), oy = dy * static_cast<float>(rev);
    int n_valid = 0, n_e = 0, n_p = 0, n_d = 0;
    for (int j = 0; j < n; ++j) {
      const int valid = (s.psi0[j] + psi_off) < lane_psi;
      const float fx = s.bx[j] + ox, fy = s.by[j] + oy;
      const int in = valid & (fx >= 0.0f) & (fy >= 0.0f) & (fx < fnx) & (fy < fny);
      const std::uint32_t idx = static_cast<std::uint32_t>(static_cast<int>(fy) * k.nx + static_cast<int>(fx));
      s.cell[j] = in ? idx : dummy;
      const std::uint32_t w = s.random[j];
      const float u1 = static_cast<float>(w & 0xffffu) * inv16, u2 = static_cast<float>(w >> 16) * inv16;
      const float eta = std::clamp(mu + h * (u1 + u2 - 1.0f), static_cast<float>(eta_floor),
                                   static_cast<float>(eta_ceiling));
      const float depth = eta * lmm;
      n_valid += valid;
      n_e += valid & (depth > e);
      n_p += valid & (depth > p);
      n_d += valid & (depth > d);
    }
    for (int j = 0; j < n; ++j) ++counts[s.cell[j]];
    tally.punctures += n_valid;
    tally.deeper_than_epi += n_e;
    tally.deeper_than_pap += n_p;
    tally.deeper_than_derm += n_d;
  }
}

MemberStats member_stats(const DensityGrid& shape, const std::uint32_t* counts, const Tally& t,
                         ArealDensity target) {
  MemberStats m;
  const double cell_mm2 = units::in_mm2(shape.cell_area());
  const double target_count = units::in_per_mm2(target) * cell_mm2;
  std::int64_t cells = 0, total = 0, at_target = 0;
  double sum_sq = 0;
  for (std::size_t c = 0; c < shape.inside.size(); ++c) {
    if (!shape.inside[c]) continue;
    ++cells;
    total += counts[c];
    sum_sq += double(counts[c]) * counts[c];
    at_target += counts[c] >= target_count - 1e-9 ? 1 : 0;
  }
  m.punctures = t.punctures;
  m.punctures_in_zone = total;
  if (cells > 0) {
    const double n_cells = static_cast<double>(cells);
    const double mean = static_cast<double>(total) / n_cells;
    m.mean = units::per_square_millimetre(mean / cell_mm2);
    m.coefficient_of_variation = mean > 0 ? std::sqrt(std::max(0.0, sum_sq / n_cells - mean * mean)) / mean : 0;
    m.share_at_or_above_target = static_cast<double>(at_target) / n_cells;
  }
  const double n = t.punctures > 0 ? static_cast<double>(t.punctures) : 1.0;
  auto share = [n](std::int64_t count) { return static_cast<double>(count) / n; };
  m.layers = {share(t.punctures - t.deeper_than_epi), share(t.deeper_than_epi - t.deeper_than_pap),
              share(t.deeper_than_pap - t.deeper_than_derm), share(t.deeper_than_derm)};
  return m;
}

int thread_count(int requested) {
#ifdef _OPENMP
  return requested > 0 ? requested : omp_get_max_threads();
#else
  (void)requested;
  return 1;
#endif
}

}  // namespace

Result<EnsembleResult> run_ensemble(const Device& device, const Region& region, const Zone& zone,
                                    const StrokePlan& plan, const EnsembleOptions& options) {
  const RollerGeometry* roller = device.roller();
  if (!roller) {
    return fail(ErrorCode::invalid_value, "Monte-Carlo ensembles are implemented for rollers; simulate a pen session",
                "device");
  }
  if (options.members < 1) return fail(ErrorCode::out_of_range, "needs at least one member", "ensemble.members");
  if (auto ok = validate(plan); !ok) return std::unexpected(ok.error());
  auto model = make_depth_model(DeviceClass::roller, plan.pressure);
  if (!model) return std::unexpected(model.error());
  auto shape = make_density_grid(zone, options.grid_cell);
  if (!shape) return std::unexpected(shape.error());

  Kernel k;
  k.n_needles = roller->needle_count();
  k.padded = (static_cast<std::size_t>(k.n_needles) + rng_lanes - 1) / rng_lanes * rng_lanes;
  for (const auto& slot : roller->slots) {
    double t = std::fmod(slot.angle_rad, two_pi);
    if (t < 0) t += two_pi;
    k.theta.push_back(static_cast<float>(t));
    k.axial.push_back(static_cast<float>(in_mm(slot.axial)));
  }
  k.radius_mm = in_mm(roller->drum_radius);
  k.drum_width_mm = in_mm(roller->drum_width);
  k.length_mm = static_cast<float>(in_mm(roller->needle.length));
  k.eta_mean = static_cast<float>(model->eta_mean);
  k.eta_half = static_cast<float>(model->eta_half_width);
  k.epi_mm = static_cast<float>(in_mm(region.epidermis));
  k.pap_mm = static_cast<float>(in_mm(region.papillary_floor()));
  k.derm_mm = static_cast<float>(in_mm(region.dermis_floor()));
  k.x0 = static_cast<float>(in_mm(shape->origin.x));
  k.y0 = static_cast<float>(in_mm(shape->origin.y));
  k.inv_cell = static_cast<float>(1.0 / in_mm(shape->cell));
  k.nx = shape->nx;
  k.ny = shape->ny;

  const int members = options.members;
  std::vector<std::uint64_t> seeds(static_cast<std::size_t>(members));
  SplitMix64 seeder(plan.seed.value);
  for (auto& s : seeds) s = seeder.next();

  EnsembleResult result;
  result.members.resize(static_cast<std::size_t>(members));
  result.summed_grid = *shape;
  const std::size_t n_cells = shape->counts.size();
  int done = 0;

  const int n_threads = thread_count(options.threads);
#pragma omp parallel num_threads(n_threads) if (members > 1)
  {
    std::vector<std::uint32_t> counts(n_cells + 1);  // + 1: the cell that takes punctures outside the grid
    std::vector<std::uint64_t> partial(n_cells, 0);
    Scratch scratch(k.padded);
#pragma omp for schedule(dynamic, 1)
    for (int m = 0; m < members; ++m) {
      Xoshiro256pp lane_rng(seeds[static_cast<std::size_t>(m)]);
      StreamsX8 streams(lane_rng.next());
      std::fill(counts.begin(), counts.end(), 0u);
      Tally tally;
      detail::for_each_lane(zone, plan, k.drum_width_mm, lane_rng, [&](const detail::Lane& lane) {
        const double phase = plan.random_phase ? lane_rng.uniform(0.0, two_pi) : 0.0;
        run_lane(k, lane, phase, streams, scratch, counts.data(), tally);
      });
      result.members[static_cast<std::size_t>(m)] = member_stats(*shape, counts.data(), tally, options.target);
      for (std::size_t c = 0; c < n_cells; ++c) partial[c] += counts[c];
      if (options.progress) {
#pragma omp critical(needlework_ensemble_progress)
        options.progress(++done, members);
      }
    }
#pragma omp critical(needlework_ensemble_sum)
    for (std::size_t c = 0; c < n_cells; ++c) {
      result.summed_grid.counts[c] += static_cast<std::uint32_t>(partial[c]);
    }
  }
  for (const auto& m : result.members) result.total_punctures += m.punctures;
  return result;
}

}  // namespace needlework::physics
