#pragma once
// Private: the stroke simulation as a template over a per-puncture observer, so that simulate_session can
// bin, classify and index each puncture while it is still in cache (one pass over a session instead of two).
// simulate_strokes (strokes.cpp) instantiates it with an observer that does nothing.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

#include "lanes.hpp"
#include "needlework/physics/kinematics.hpp"
#include "needlework/physics/rng.hpp"
#include "needlework/physics/strokes.hpp"

namespace needlework::physics::detail {

/// Expected punctures of a validated plan: passes × density per pass × zone area (lanes overhang the zone, so
/// a session holds up to ~15 % more; callers add a margin).
inline double expected_punctures(const Device& device, const Zone& zone, const StrokePlan& plan) {
  const double area_mm2 = units::in_mm2(zone.area());
  double per_pass = 0.0;
  if (const RollerGeometry* roller = device.roller()) {
    per_pass = units::in_per_mm2(roller->density_per_pass()) *
               (roller->drum_width / lane_step(plan, roller->drum_width));
  } else {
    const PenGeometry* pen = device.pen();
    const double step_mm = units::in_mm(lane_step(plan, pen->cartridge_diameter));
    const double stamp_pitch_mm = units::in_mm_per_s(plan.speed) / units::in_hz(pen->stamp_rate);
    per_pass = pen->needles_per_cartridge / (stamp_pitch_mm * step_mm);
  }
  return per_pass * area_mm2 * plan.passes_per_direction * static_cast<double>(plan.directions.size());
}

/// `limit` bounds the punctures actually made, not only the estimate: lanes sweep a strip's whole extent, so
/// a long, thin zone (a sliver of 1 cm² across 5 m, found by fuzz_simulate_json) is swept far beyond its area
/// and the estimate, which goes by area, is far too low. Past `limit` the session stops and is refused.
template <class OnPuncture>
Result<Session> simulate_strokes_with(const Device& device, const Zone& zone, const StrokePlan& plan,
                                      OnPuncture&& on_puncture, std::size_t* reserved = nullptr,
                                      double limit = default_max_punctures) {
  NW_CHECK(validate(plan));
  NW_TRY(depth_model, make_depth_model(device_class_of(device), plan.pressure));

  Xoshiro256pp rng(plan.seed.value);
  Session session;
  const NeedleSpec& needle = device.needle();
  const double length_mm = units::in_mm(needle.length);
  const RollerGeometry* roller = device.roller();
  const PenGeometry* pen = device.pen();

  // A pen enters perpendicular: its hole is the needle's own width, whatever the depth. A roller needle's
  // opening and entry angle follow from its own insertion η (kinematics.hpp), so they are per puncture. Both
  // are smooth in η over the model's narrow range (at most 0.2 wide), so they are tabulated once and
  // interpolated linearly: two trigonometric calls per puncture would cost ten times the rest of its
  // generation (docs/performance.md); with 1,024 intervals the interpolation error is far below a micrometre
  // (tested).
  const double pen_slit_mm = units::in_mm(needle.diameter);
  constexpr int table_intervals = 1024;
  std::vector<double> slit_table, angle_table;
  const double eta_lo = depth_model.eta_low(), eta_hi = depth_model.eta_high();
  const double eta_step = (eta_hi - eta_lo) / table_intervals;
  if (roller) {
    slit_table.resize(table_intervals + 2);
    angle_table.resize(table_intervals + 2);
    for (int k = 0; k <= table_intervals + 1; ++k) {
      const double eta = eta_lo + eta_step * k;
      slit_table[k] = units::in_mm(
          calc_slit_length(roller->drum_radius, needle.length, needle.diameter, plan.compliance, eta));
      angle_table[k] = calc_penetration(roller->drum_radius, needle.length, eta).entry_angle_rad;
    }
  }
  const double lane_width_mm =
      roller ? units::in_mm(roller->drum_width) : units::in_mm(pen->cartridge_diameter);
  const double radius_mm = roller ? units::in_mm(roller->drum_radius) : 0.0;
  const double stamp_pitch_mm = pen ? units::in_mm_per_s(plan.speed) / units::in_hz(pen->stamp_rate) : 0.0;

  // A rough reservation: expected punctures = passes × density per pass × zone area.
  {
    const double expected = expected_punctures(device, zone, plan);
    // Guard memory before anything is allocated: the estimate alone may already pass the bound.
    if (expected > limit) {
      return fail(
          ErrorCode::out_of_range,
          fmt::format("this plan would make about {:.0f} punctures; check the zone size, passes and speed",
                      expected),
          "plan");
    }
    // Lanes overhang the zone's edges by up to a drum width, so a session holds more punctures than the
    // zone's share; 1.3 × covers a full face (measured 1.13 ×) without reallocating 4 MB halfway.
    session.punctures.reserve(static_cast<std::size_t>(std::min(expected * 1.3, limit) + 1024));
    if (reserved) *reserved = session.punctures.capacity();
  }
  // The lanes themselves: at most (the zone's diagonal + a lane) / the lane step per pass and direction. A
  // zone long and thin enough to need more than ten million is refused before any is walked.
  {
    const double w = units::in_mm(zone.max_corner().x - zone.min_corner().x);
    const double h = units::in_mm(zone.max_corner().y - zone.min_corner().y);
    const double step = units::in_mm(lane_step(plan, units::millimetres(lane_width_mm)));
    const double lanes = (std::hypot(w, h) + lane_width_mm) / step + 1.0;
    const double all = lanes * plan.passes_per_direction * static_cast<double>(plan.directions.size());
    if (!(all <= 1e7)) {
      return fail(
          ErrorCode::out_of_range,
          fmt::format("this plan would make about {:.0f} strokes; check the zone size, passes and speed",
                      all),
          "plan");
    }
  }

  double travel_mm = 0.0;
  std::uint32_t stroke_index = 0;
  bool over = false;
  detail::for_each_lane(zone, plan, lane_width_mm, rng, [&](const detail::Lane& lane) {
    if (over) return;
    const double lane_length = lane.u_end - lane.u_start;
    travel_mm += lane_length;
    const std::uint32_t stroke = stroke_index++;
    auto emit = [&](double u, double v) {
      // One 64-bit draw gives both uniforms of the triangular depth distribution (32 bits each).
      const std::uint64_t w = rng.next();
      const double eta = depth_model.eta_from_uniforms(static_cast<double>(w >> 32) * 0x1.0p-32,
                                                       static_cast<double>(w & 0xffffffffu) * 0x1.0p-32);
      Puncture p;
      p.position = {units::millimetres(u * lane.cos_a - v * lane.sin_a),
                    units::millimetres(u * lane.sin_a + v * lane.cos_a)};
      p.depth = units::millimetres(eta * length_mm);
      if (roller) {
        const double x = eta_step > 0.0 ? (eta - eta_lo) / eta_step : 0.0;
        const int k = std::clamp(static_cast<int>(x), 0, table_intervals);
        const double f = x - k;
        p.slit = units::millimetres(slit_table[k] + f * (slit_table[k + 1] - slit_table[k]));
        p.entry_angle_rad = static_cast<float>(angle_table[k] + f * (angle_table[k + 1] - angle_table[k]));
      } else {
        p.slit = units::millimetres(pen_slit_mm);
      }
      p.stroke_angle_rad = static_cast<float>(lane.alpha);
      p.stroke = stroke;
      p.pass = lane.pass;
      session.punctures.push_back(p);
      on_puncture(session.punctures.back());
    };
    if (roller) {
      // Needle j points straight down after the drum has turned ψ_j = (θ_j − φ_start) mod 2π, then every 2π;
      // rolling without slip, that is R·ψ_j along the lane.
      const double phase = plan.random_phase ? rng.uniform(0.0, (2.0 * std::numbers::pi)) : 0.0;
      const double psi_end = lane_length / radius_mm;
      for (const DrumSlot& slot : roller->slots) {
        double psi = std::fmod(slot.angle_rad - phase, (2.0 * std::numbers::pi));
        if (psi < 0) psi += (2.0 * std::numbers::pi);
        const double v = lane.v_centre + units::in_mm(slot.axial);
        for (; psi < psi_end; psi += (2.0 * std::numbers::pi)) emit(lane.u_start + radius_mm * psi, v);
      }
    } else {
      const double first = plan.random_phase ? rng.uniform(0.0, stamp_pitch_mm) : 0.0;
      for (double u = lane.u_start + first; u < lane.u_end; u += stamp_pitch_mm) {
        ++session.stamps;
        for (const SurfacePoint& o : pen->offsets)
          emit(u + units::in_mm(o.x), lane.v_centre + units::in_mm(o.y));
      }
    }
    over = static_cast<double>(session.punctures.size()) > limit;
  });
  if (over) {
    return fail(
        ErrorCode::out_of_range,
        fmt::format("this plan makes more than {:.0f} punctures (the lanes sweep the zone's whole "
                    "length: a long, thin zone is swept far beyond its area); check the zone's shape, "
                    "passes and speed",
                    limit),
        "plan");
  }
  session.passes = static_cast<int>(plan.passes_per_direction * plan.directions.size());
  session.strokes = static_cast<int>(stroke_index);
  session.travel = units::millimetres(travel_mm);
  session.revolutions = roller ? travel_mm / ((2.0 * std::numbers::pi) * radius_mm) : 0.0;
  session.duration = units::seconds(travel_mm / units::in_mm_per_s(plan.speed));
  return session;
}

}  // namespace needlework::physics::detail
