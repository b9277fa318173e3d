#include "needlework/physics/strokes.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include <fmt/format.h>

#include "needlework/physics/kinematics.hpp"
#include "needlework/physics/rng.hpp"
#include "lanes.hpp"

namespace needlework::physics {

using units::in_mm;
using units::millimetres;

namespace {

constexpr double two_pi = 2.0 * std::numbers::pi;

}  // namespace

std::string_view to_string(StrokeDirection d) noexcept {
  switch (d) {
    case StrokeDirection::horizontal: return "horizontal";
    case StrokeDirection::vertical: return "vertical";
    case StrokeDirection::diagonal: return "diagonal";
    case StrokeDirection::anti_diagonal: return "anti_diagonal";
  }
  return "unknown";
}

Result<StrokeDirection> parse_stroke_direction(std::string_view text) {
  for (auto d : {StrokeDirection::horizontal, StrokeDirection::vertical, StrokeDirection::diagonal,
                 StrokeDirection::anti_diagonal}) {
    if (text == to_string(d)) return d;
  }
  return fail(ErrorCode::invalid_value,
              fmt::format("unknown stroke direction `{}` (horizontal, vertical, diagonal, anti_diagonal)", text),
              "plan.directions");
}

double direction_angle_rad(StrokeDirection d) noexcept {
  switch (d) {
    case StrokeDirection::horizontal: return 0.0;
    case StrokeDirection::vertical: return std::numbers::pi / 2;
    case StrokeDirection::diagonal: return std::numbers::pi / 4;
    case StrokeDirection::anti_diagonal: return 3 * std::numbers::pi / 4;
  }
  return 0.0;
}

Result<void> validate(const StrokePlan& plan) {
  if (plan.directions.empty()) return fail(ErrorCode::invalid_value, "needs at least one direction", "plan.directions");
  if (plan.passes_per_direction < 1 || plan.passes_per_direction > 1000) {
    return fail(ErrorCode::out_of_range,
                fmt::format("passes per direction must be 1–1000, got {}", plan.passes_per_direction),
                "plan.passes_per_direction");
  }
  if (!(plan.lane_overlap >= 0.0 && plan.lane_overlap <= 0.9)) {
    return fail(ErrorCode::out_of_range,
                fmt::format("lane overlap is a share of the drum width in [0, 0.9], got {}", plan.lane_overlap),
                "plan.lane_overlap");
  }
  if (!(in_mm(plan.hand_jitter) >= 0.0) || !std::isfinite(in_mm(plan.hand_jitter))) {
    return fail(ErrorCode::out_of_range, "hand jitter is a standard deviation in mm and cannot be negative",
                "plan.hand_jitter_mm");
  }
  if (!(units::in_mm_per_s(plan.speed) > 0.0) || !std::isfinite(units::in_mm_per_s(plan.speed))) {
    return fail(ErrorCode::out_of_range, "speed must be a positive number of mm/s", "plan.speed_mm_per_s");
  }
  if (!(plan.pressure.level >= 0.0 && plan.pressure.level <= 1.0)) {
    return fail(ErrorCode::out_of_range, "pressure must be between 0 (light) and 1 (firm)", "plan.pressure");
  }
  if (!(plan.compliance.value >= 0.0 && plan.compliance.value <= 1.0)) {
    return fail(ErrorCode::out_of_range, "compliance must be between 0 (rigid) and 1 (round hole)",
                "plan.compliance");
  }
  return {};
}

DeviceClass device_class_of(const Device& device) noexcept {
  return device.is_roller() ? DeviceClass::roller : DeviceClass::pen;
}

Result<Session> simulate_strokes(const Device& device, const Zone& zone, const StrokePlan& plan) {
  if (auto ok = validate(plan); !ok) return std::unexpected(ok.error());
  auto depth_model = make_depth_model(device_class_of(device), plan.pressure);
  if (!depth_model) return std::unexpected(depth_model.error());

  Xoshiro256pp rng(plan.seed.value);
  Session session;
  const NeedleSpec& needle = device.needle();
  const double length_mm = in_mm(needle.length);
  const RollerGeometry* roller = device.roller();
  const PenGeometry* pen = device.pen();

  // Per-device constants of every puncture.
  double slit_mm = in_mm(needle.diameter);
  double entry_angle = 0.0;
  double lane_width_mm = 0.0;
  if (roller) {
    slit_mm = in_mm(calc_slit_length(roller->drum_radius, needle.length, needle.diameter, plan.compliance));
    entry_angle = calc_penetration(roller->drum_radius, needle.length).entry_angle_rad;
    lane_width_mm = in_mm(roller->drum_width);
  } else {
    lane_width_mm = in_mm(pen->cartridge_diameter);
  }
  const double step_mm = lane_width_mm * (1.0 - plan.lane_overlap);
  const double radius_mm = roller ? in_mm(roller->drum_radius) : 0.0;
  const double stamp_pitch_mm = pen ? units::in_mm_per_s(plan.speed) / units::in_hz(pen->stamp_rate) : 0.0;

  // A rough reservation: expected punctures = passes × density per pass × zone area.
  {
    const double area_mm2 = units::in_mm2(zone.area());
    const double per_pass = roller ? units::in_per_mm2(roller->density_per_pass()) / (1.0 - plan.lane_overlap)
                                   : pen->needles_per_cartridge / (stamp_pitch_mm * step_mm);
    const double expected = per_pass * area_mm2 * plan.passes_per_direction *
                            static_cast<double>(plan.directions.size());
    // Guard memory: 50 million punctures is 100 m² at 500 /cm², far beyond any session.
    if (expected > 5e7) {
      return fail(ErrorCode::out_of_range,
                  fmt::format("this plan would make about {:.0f} punctures; check the zone size, passes and speed",
                              expected),
                  "plan");
    }
    session.punctures.reserve(static_cast<std::size_t>(expected * 1.1 + 1024));
  }

  double travel_mm = 0.0;
  std::uint32_t stroke_index = 0;
  detail::for_each_lane(zone, plan, lane_width_mm, rng, [&](const detail::Lane& lane) {
    const double lane_length = lane.u_end - lane.u_start;
    travel_mm += lane_length;
    const std::uint32_t stroke = stroke_index++;
    auto emit = [&](double u, double v) {
      // One 64-bit draw gives both uniforms of the triangular depth distribution (32 bits each).
      const std::uint64_t w = rng.next();
      const double eta = depth_model->eta_from_uniforms(static_cast<double>(w >> 32) * 0x1.0p-32,
                                                        static_cast<double>(w & 0xffffffffu) * 0x1.0p-32);
      Puncture p;
      p.position = {millimetres(u * lane.cos_a - v * lane.sin_a), millimetres(u * lane.sin_a + v * lane.cos_a)};
      p.depth = millimetres(eta * length_mm);
      p.slit = millimetres(slit_mm);
      p.entry_angle_rad = static_cast<float>(entry_angle);
      p.stroke_angle_rad = static_cast<float>(lane.alpha);
      p.stroke = stroke;
      p.pass = lane.pass;
      session.punctures.push_back(p);
    };
    if (roller) {
      // Needle j points straight down after the drum has turned ψ_j = (θ_j − φ_start) mod 2π, then every 2π;
      // rolling without slip, that is R·ψ_j along the lane.
      const double phase = plan.random_phase ? rng.uniform(0.0, two_pi) : 0.0;
      const double psi_end = lane_length / radius_mm;
      for (const DrumSlot& slot : roller->slots) {
        double psi = std::fmod(slot.angle_rad - phase, two_pi);
        if (psi < 0) psi += two_pi;
        const double v = lane.v_centre + in_mm(slot.axial);
        for (; psi < psi_end; psi += two_pi) emit(lane.u_start + radius_mm * psi, v);
      }
    } else {
      const double first = plan.random_phase ? rng.uniform(0.0, stamp_pitch_mm) : 0.0;
      for (double u = lane.u_start + first; u < lane.u_end; u += stamp_pitch_mm) {
        ++session.stamps;
        for (const SurfacePoint& o : pen->offsets) emit(u + in_mm(o.x), lane.v_centre + in_mm(o.y));
      }
    }
  });
  session.passes = static_cast<int>(plan.passes_per_direction * plan.directions.size());
  session.strokes = static_cast<int>(stroke_index);
  session.travel = millimetres(travel_mm);
  session.revolutions = roller ? travel_mm / (two_pi * radius_mm) : 0.0;
  session.duration = units::seconds(travel_mm / units::in_mm_per_s(plan.speed));
  return session;
}

}  // namespace needlework::physics
