#include "needlework/physics/resealing.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "needlework/physics/device.hpp"

namespace needlework::physics {

namespace {
// Calibration constants; see the header for the FACTS §6 figures they come from.
constexpr double tau0_s = 2.0 * 3600.0 / 2.995732273553991;  // 2 h / ln 20
constexpr double reference_length_mm = 1.5;
const double length_exponent = std::log(18.0 / 12.0) / std::log(770.0 / 370.0);
constexpr double occlusion_factor = 10.0;
}  // namespace

double ResealingModel::open_fraction(Time t) const noexcept {
  if (units::in_s(t) <= 0.0) return 1.0;
  return std::exp(-units::in_s(t) / units::in_s(tau));
}

Time ResealingModel::time_to_closed(double closed_share) const noexcept {
  const double open = std::clamp(1.0 - closed_share, 1e-12, 1.0);
  return units::seconds(-std::log(open) * units::in_s(tau));
}

Result<ResealingModel> make_resealing_model(Length needle_length, Occlusion occlusion) {
  const double l = units::in_mm(needle_length);
  if (!(l > 0.0) || needle_length > catalog_max_needle_length) {
    return fail(ErrorCode::out_of_range,
                fmt::format("needle length must be in (0, {}] mm, got {}",
                            units::in_mm(catalog_max_needle_length), l),
                "needle_length_mm");
  }
  double tau = tau0_s * std::pow(l / reference_length_mm, length_exponent);
  if (occlusion == Occlusion::occluded) tau *= occlusion_factor;
  return ResealingModel{units::seconds(tau)};
}

std::vector<ResealingPoint> calc_resealing_curve(const ResealingModel& model, Time until, int samples) {
  samples = std::max(samples, 2);
  std::vector<ResealingPoint> curve;
  curve.reserve(static_cast<std::size_t>(samples));
  for (int i = 0; i < samples; ++i) {
    const Time t = until * (static_cast<double>(i) / (samples - 1));
    curve.push_back({t, model.open_fraction(t)});
  }
  return curve;
}

}  // namespace needlework::physics
