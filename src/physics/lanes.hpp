#pragma once
// Private: how a stroke plan covers a zone with lanes. Shared by strokes.cpp (punctures kept) and
// ensemble.cpp (punctures binned on the fly) so both use the same lane model.

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

#include "needlework/physics/rng.hpp"
#include "needlework/physics/strokes.hpp"
#include "needlework/physics/zone.hpp"

namespace needlework::physics::detail {

/// One lane: the strip of width `width` centred on v = `v_centre` in the stroke frame of direction `alpha`,
/// from u_start to u_end (the zone's extent inside the strip).
struct Lane {
  double alpha = 0, cos_a = 1, sin_a = 0;
  double v_centre = 0;
  double u_start = 0, u_end = 0;
  std::uint32_t pass = 0;
};

struct Uv {
  double u, v;
};

// Keeps the part of a polygon with sign·(v − limit) ≥ 0 (one Sutherland–Hodgman step), into `out`.
inline void clip_polygon(const std::vector<Uv>& poly, double limit, double sign, std::vector<Uv>& out) {
  out.clear();
  const std::size_t n = poly.size();
  for (std::size_t i = 0; i < n; ++i) {
    const Uv& a = poly[i];
    const Uv& b = poly[(i + 1) % n];
    const double da = sign * (a.v - limit);
    const double db = sign * (b.v - limit);
    if (da >= 0) out.push_back(a);
    if ((da >= 0) != (db >= 0)) {
      const double t = da / (da - db);
      out.push_back({a.u + t * (b.u - a.u), a.v + t * (b.v - a.v)});
    }
  }
}

/// Scratch polygons reused from lane to lane (the ensemble kernel clips hundreds of lanes per member).
struct ClipBuffers {
  std::vector<Uv> once, twice;
};

/// u-extent of the zone inside the strip v ∈ [v_lo, v_hi], or nothing when the strip misses the zone.
inline std::optional<std::pair<double, double>> strip_extent(const std::vector<Uv>& poly, double v_lo,
                                                             double v_hi, ClipBuffers& buffers) {
  clip_polygon(poly, v_lo, 1.0, buffers.once);
  clip_polygon(buffers.once, v_hi, -1.0, buffers.twice);
  const std::vector<Uv>& part = buffers.twice;
  if (part.size() < 3) return std::nullopt;
  double twice_area = 0.0;
  for (std::size_t i = 0; i < part.size(); ++i) {
    const Uv& a = part[i];
    const Uv& b = part[(i + 1) % part.size()];
    twice_area += a.u * b.v - b.u * a.v;
  }
  if (std::fabs(twice_area) < 1e-9) return std::nullopt;  // the strip only touches the zone
  double lo = part[0].u, hi = part[0].u;
  for (const auto& p : part) {
    lo = std::min(lo, p.u);
    hi = std::max(hi, p.u);
  }
  if (!(hi > lo)) return std::nullopt;
  return std::pair{lo, hi};
}

/// Calls `on_lane(const Lane&)` for every lane of the plan, in order. Lane centres of a pass are
/// v_min − W/2 + offset + k·step (offset uniform in [0, step) with random phase, else W: the first lane flush
/// with the edge), so every point of the zone lies in some lane; each lane is then displaced by hand jitter
/// (normal, σ = plan.hand_jitter).
template <class OnLane>
void for_each_lane(const Zone& zone, const StrokePlan& plan, double width_mm, Xoshiro256pp& rng,
                   OnLane&& on_lane) {
  const double step = units::in_mm(lane_step(plan, units::millimetres(width_mm)));
  const double jitter_sd = units::in_mm(plan.hand_jitter);
  std::uint32_t pass_index = 0;
  ClipBuffers buffers;
  for (const StrokeDirection dir : plan.directions) {
    Lane lane;
    lane.alpha = direction_angle_rad(dir);
    lane.cos_a = std::cos(lane.alpha);
    lane.sin_a = std::sin(lane.alpha);
    std::vector<Uv> poly;
    poly.reserve(zone.vertices().size());
    double v_min = 1e300, v_max = -1e300;
    for (const auto& p : zone.vertices()) {
      const double x = units::in_mm(p.x), y = units::in_mm(p.y);
      const Uv q{x * lane.cos_a + y * lane.sin_a, -x * lane.sin_a + y * lane.cos_a};
      v_min = std::min(v_min, q.v);
      v_max = std::max(v_max, q.v);
      poly.push_back(q);
    }
    for (int pass = 0; pass < plan.passes_per_direction; ++pass, ++pass_index) {
      lane.pass = pass_index;
      // Without random phase the first lane is flush with the zone's edge.
      const double offset = plan.random_phase ? rng.uniform(0.0, step) : width_mm;
      for (double v_c = v_min - width_mm / 2 + offset; v_c - width_mm / 2 < v_max; v_c += step) {
        lane.v_centre = v_c + (jitter_sd > 0 ? jitter_sd * rng.normal_approx() : 0.0);
        const auto extent =
            strip_extent(poly, lane.v_centre - width_mm / 2, lane.v_centre + width_mm / 2, buffers);
        if (!extent) continue;
        lane.u_start = extent->first;
        lane.u_end = extent->second;
        on_lane(lane);
      }
    }
  }
}

}  // namespace needlework::physics::detail
