#include "needlework/physics/strokes.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "needlework/physics/kinematics.hpp"
#include "needlework/physics/rng.hpp"
#include "strokes_impl.hpp"

namespace needlework::physics {

using units::in_mm;
using units::millimetres;

namespace {}  // namespace

std::string_view to_string(StrokeDirection d) noexcept {
  switch (d) {
    case StrokeDirection::horizontal:
      return "horizontal";
    case StrokeDirection::vertical:
      return "vertical";
    case StrokeDirection::diagonal:
      return "diagonal";
    case StrokeDirection::anti_diagonal:
      return "anti_diagonal";
  }
  return "unknown";
}

Result<StrokeDirection> parse_stroke_direction(std::string_view text) {
  for (auto d : {StrokeDirection::horizontal, StrokeDirection::vertical, StrokeDirection::diagonal,
                 StrokeDirection::anti_diagonal}) {
    if (text == to_string(d)) return d;
  }
  return fail(
      ErrorCode::invalid_value,
      fmt::format("unknown stroke direction `{}` (horizontal, vertical, diagonal, anti_diagonal)", text),
      "plan.directions");
}

Result<std::vector<StrokeDirection>> parse_stroke_directions(std::span<const std::string> names,
                                                             std::string_view field) {
  std::vector<StrokeDirection> out;
  out.reserve(names.size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    auto d = parse_stroke_direction(names[i]);
    if (!d) return fail(d.error().code, d.error().message, fmt::format("{}[{}]", field, i));
    out.push_back(*d);
  }
  return out;
}

double direction_angle_rad(StrokeDirection d) noexcept {
  switch (d) {
    case StrokeDirection::horizontal:
      return 0.0;
    case StrokeDirection::vertical:
      return std::numbers::pi / 2;
    case StrokeDirection::diagonal:
      return std::numbers::pi / 4;
    case StrokeDirection::anti_diagonal:
      return 3 * std::numbers::pi / 4;
  }
  return 0.0;
}

Result<void> validate(const StrokePlan& plan) {
  if (plan.directions.empty())
    return fail(ErrorCode::invalid_value, "needs at least one direction", "plan.directions");
  if (plan.passes_per_direction < 1 || plan.passes_per_direction > 1000) {
    return fail(ErrorCode::out_of_range,
                fmt::format("passes per direction must be 1–1000, got {}", plan.passes_per_direction),
                "plan.passes_per_direction");
  }
  if (!(plan.lane_overlap >= 0.0 && plan.lane_overlap <= 0.9)) {
    return fail(
        ErrorCode::out_of_range,
        fmt::format("lane overlap is a share of the drum width in [0, 0.9], got {}", plan.lane_overlap),
        "plan.lane_overlap");
  }
  if (plan.lateral_step &&
      (!(in_mm(*plan.lateral_step) > 0.0) || !std::isfinite(in_mm(*plan.lateral_step)))) {
    return fail(ErrorCode::out_of_range, "the lateral step between lanes must be a positive length in mm",
                "plan.lateral_step_mm");
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

Length lane_step(const StrokePlan& plan, Length lane_width) noexcept {
  return plan.lateral_step ? *plan.lateral_step : lane_width * (1.0 - plan.lane_overlap);
}

DeviceClass device_class_of(const Device& device) noexcept {
  return device.is_roller() ? DeviceClass::roller : DeviceClass::pen;
}

Result<Session> simulate_strokes(const Device& device, const Zone& zone, const StrokePlan& plan) {
  return detail::simulate_strokes_with(device, zone, plan, [](const Puncture&) {});
}

}  // namespace needlework::physics
