#include "needlework/physics/ensemble.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>

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

// Eight xoshiro128+ streams side by side, stepped together with GCC/Clang vector extensions (two 4 × 32-bit
// vectors per state word; SSE2 is enough). One 32-bit word per puncture: its two 16-bit halves are the two
// uniforms of the triangular depth distribution (16 bits resolve η to 1.5e-6, far below the model's spread).
using u32x4 = std::uint32_t __attribute__((vector_size(16)));

struct alignas(64) StreamsX8 {
  u32x4 s0[2]{}, s1[2]{}, s2[2]{}, s3[2]{};

  explicit StreamsX8(std::uint64_t seed) {
    SplitMix64 sm(seed);
    std::uint32_t words[4][rng_lanes];
    for (int l = 0; l < rng_lanes; ++l) {
      const std::uint64_t a = sm.next(), b = sm.next();
      words[0][l] = static_cast<std::uint32_t>(a);
      words[1][l] = static_cast<std::uint32_t>(a >> 32);
      words[2][l] = static_cast<std::uint32_t>(b);
      words[3][l] = static_cast<std::uint32_t>(b >> 32) | 1u;  // never all zero
    }
    __builtin_memcpy(s0, words[0], sizeof s0);
    __builtin_memcpy(s1, words[1], sizeof s1);
    __builtin_memcpy(s2, words[2], sizeof s2);
    __builtin_memcpy(s3, words[3], sizeof s3);
  }

  // n must be a multiple of rng_lanes.
  void fill(std::uint32_t* __restrict out, std::size_t n) noexcept {
    u32x4 a0 = s0[0], a1 = s1[0], a2 = s2[0], a3 = s3[0];
    u32x4 b0 = s0[1], b1 = s1[1], b2 = s2[1], b3 = s3[1];
    for (std::size_t i = 0; i < n; i += rng_lanes) {
      const u32x4 ra = a0 + a3, rb = b0 + b3;
      __builtin_memcpy(out + i, &ra, sizeof ra);
      __builtin_memcpy(out + i + 4, &rb, sizeof rb);
      const u32x4 ta = a1 << 9, tb = b1 << 9;
      a2 ^= a0, b2 ^= b0;
      a3 ^= a1, b3 ^= b1;
      a1 ^= a2, b1 ^= b2;
      a0 ^= a3, b0 ^= b3;
      a2 ^= ta, b2 ^= tb;
      a3 = (a3 << 11) | (a3 >> 21), b3 = (b3 << 11) | (b3 >> 21);
    }
    s0[0] = a0, s1[0] = a1, s2[0] = a2, s3[0] = a3;
    s0[1] = b0, s1[1] = b1, s2[1] = b2, s3[1] = b3;
  }
};

// Everything the inner loop needs, in single precision.
struct Kernel {
  int n_needles = 0;
  std::size_t padded = 0;    // n_needles rounded up to rng_lanes
  std::vector<float> theta;  // slot angle in [0, 2π)
  std::vector<float> axial;  // slot axial position, mm
  double radius_mm = 0;
  // Layer boundaries as thresholds on s = lo16 + hi16 of the puncture's random word (0 … 131070): the
  // puncture ends deeper than a boundary exactly when s > threshold (see depth_threshold), so classification
  // is integer.
  std::int32_t deeper_than_epi = 0, deeper_than_pap = 0, deeper_than_derm = 0;
  float x0 = 0, y0 = 0, inv_cell = 0;
  int nx = 0, ny = 0;
  double drum_width_mm = 0;
};

// η = min(μ + h·(s/65536 − 1), ceiling) and the puncture is deeper than `boundary` when η·L > boundary.
// Clamping is monotone, so that is s > S for the S below (−1: always deeper; 131070: never).
std::int32_t depth_threshold(const DepthModel& m, double length_mm, double boundary_mm) {
  const double t = boundary_mm / length_mm;
  if (t >= eta_ceiling) return 131070;
  const double s = 65536.0 * ((t - m.eta_mean) / m.eta_half_width + 1.0);
  return static_cast<std::int32_t>(std::clamp(std::floor(s), -1.0, 131070.0));
}

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
  // Per needle: drum angle at first touchdown, and the position of that touchdown relative to the grid
  // origin.
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
  const std::int32_t te = k.deeper_than_epi, tp = k.deeper_than_pap, td = k.deeper_than_derm;
  const int revolutions = static_cast<int>(std::ceil(lane_psi / static_cast<float>(two_pi)));
  // Fast path: every revolution but the last is complete (each needle touches down once, psi0 < 2π), and when
  // the whole lane lies inside the grid no puncture needs a bounds check. Most lanes of a zone are like that.
  const int full_revolutions = static_cast<int>(lane_psi / static_cast<float>(two_pi));
  float min_x = s.bx[0], max_x = s.bx[0], min_y = s.by[0], max_y = s.by[0];
  for (int j = 1; j < n; ++j) {
    min_x = std::min(min_x, s.bx[j]);
    max_x = std::max(max_x, s.bx[j]);
    min_y = std::min(min_y, s.by[j]);
    max_y = std::max(max_y, s.by[j]);
  }
  const float span = static_cast<float>(std::max(revolutions - 1, 0));
  const bool inside_grid =
      min_x + std::min(0.0f, span * dx) >= 0.0f && min_y + std::min(0.0f, span * dy) >= 0.0f &&
      max_x + std::max(0.0f, span * dx) < fnx - 1e-3f && max_y + std::max(0.0f, span * dy) < fny - 1e-3f;
  for (int rev = 0; rev < revolutions; ++rev) {
    streams.fill(s.random.data(), k.padded);
    const float psi_off = static_cast<float>(two_pi) * static_cast<float>(rev);
    const float ox = dx * static_cast<float>(rev), oy = dy * static_cast<float>(rev);
    int n_valid = 0, n_e = 0, n_p = 0, n_d = 0;
    if (inside_grid && rev < full_revolutions) {
      for (int j = 0; j < n; ++j) {
        const float fx = s.bx[j] + ox, fy = s.by[j] + oy;
        s.cell[j] = static_cast<std::uint32_t>(static_cast<int>(fy) * k.nx + static_cast<int>(fx));
        const std::uint32_t w = s.random[j];
        const std::int32_t sum = static_cast<std::int32_t>((w & 0xffffu) + (w >> 16));
        n_e += sum > te;
        n_p += sum > tp;
        n_d += sum > td;
      }
      for (int j = 0; j < n; ++j) ++counts[s.cell[j]];
      tally.punctures += n;
      tally.deeper_than_epi += n_e;
      tally.deeper_than_pap += n_p;
      tally.deeper_than_derm += n_d;
      continue;
    }
    for (int j = 0; j < n; ++j) {
      const int valid = (s.psi0[j] + psi_off) < lane_psi;
      const float fx = s.bx[j] + ox, fy = s.by[j] + oy;
      const int in = valid & (fx >= 0.0f) & (fy >= 0.0f) & (fx < fnx) & (fy < fny);
      const std::uint32_t idx =
          static_cast<std::uint32_t>(static_cast<int>(fy) * k.nx + static_cast<int>(fx));
      s.cell[j] = in ? idx : dummy;
      const std::uint32_t w = s.random[j];
      const std::int32_t sum = static_cast<std::int32_t>((w & 0xffffu) + (w >> 16));
      n_valid += valid;
      n_e += valid & (sum > te);
      n_p += valid & (sum > tp);
      n_d += valid & (sum > td);
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
    m.coefficient_of_variation =
        mean > 0 ? std::sqrt(std::max(0.0, sum_sq / n_cells - mean * mean)) / mean : 0;
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
    return fail(ErrorCode::invalid_value,
                "Monte-Carlo ensembles are implemented for rollers; simulate a pen session", "device");
  }
  if (options.members < 1)
    return fail(ErrorCode::out_of_range, "needs at least one member", "ensemble.members");
  NW_CHECK(validate(plan));
  NW_TRY(model, make_depth_model(DeviceClass::roller, plan.pressure));
  NW_TRY(shape, make_density_grid(zone, options.grid_cell));

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
  const double length_mm = in_mm(roller->needle.length);
  k.deeper_than_epi = depth_threshold(model, length_mm, in_mm(region.epidermis));
  k.deeper_than_pap = depth_threshold(model, length_mm, in_mm(region.papillary_floor()));
  k.deeper_than_derm = depth_threshold(model, length_mm, in_mm(region.dermis_floor()));
  k.x0 = static_cast<float>(in_mm(shape.origin.x));
  k.y0 = static_cast<float>(in_mm(shape.origin.y));
  k.inv_cell = static_cast<float>(1.0 / in_mm(shape.cell));
  k.nx = shape.nx;
  k.ny = shape.ny;

  const int members = options.members;
  std::vector<std::uint64_t> seeds(static_cast<std::size_t>(members));
  SplitMix64 seeder(plan.seed.value);
  for (auto& s : seeds) s = seeder.next();

  EnsembleResult result;
  result.members.resize(static_cast<std::size_t>(members));
  result.summed_grid = shape;
  const std::size_t n_cells = shape.counts.size();
  int done = 0;

  // Unused in a build without OpenMP (the fuzz build), where the pragmas are ignored.
  [[maybe_unused]] const int n_threads = thread_count(options.threads);
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
      result.members[static_cast<std::size_t>(m)] = member_stats(shape, counts.data(), tally, options.target);
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
