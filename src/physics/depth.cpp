#include "needlework/physics/depth.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace needlework::physics {

using units::in_mm;

std::string_view to_string(Layer layer) noexcept {
  switch (layer) {
    case Layer::epidermis: return "epidermis";
    case Layer::papillary_dermis: return "papillary_dermis";
    case Layer::reticular_dermis: return "reticular_dermis";
    case Layer::beyond_dermis: return "beyond_dermis";
  }
  return "unknown";
}

double DepthModel::eta_low() const noexcept { return std::clamp(eta_mean - eta_half_width, eta_floor, eta_ceiling); }
double DepthModel::eta_high() const noexcept {
  return std::clamp(eta_mean + eta_half_width, eta_floor, eta_ceiling);
}

double DepthModel::eta_from_uniforms(double u1, double u2) const noexcept {
  return std::clamp(eta_mean + eta_half_width * (u1 + u2 - 1.0), eta_floor, eta_ceiling);
}

double DepthModel::eta_cdf(double x) const noexcept {
  if (x < eta_floor) return 0.0;
  if (x >= eta_ceiling) return 1.0;
  if (eta_half_width <= 0.0) return x >= eta_mean ? 1.0 : 0.0;
  // Triangular on [μ − h, μ + h] (sum of two uniforms), in units of h from its lower end.
  const double t = (x - (eta_mean - eta_half_width)) / eta_half_width;
  if (t <= 0.0) return 0.0;
  if (t <= 1.0) return t * t / 2.0;
  if (t < 2.0) return 1.0 - (2.0 - t) * (2.0 - t) / 2.0;
  return 1.0;
}

Result<DepthModel> make_depth_model(DeviceClass device_class, HandPressure pressure) {
  if (!(pressure.level >= 0.0 && pressure.level <= 1.0)) {
    return fail(ErrorCode::out_of_range,
                fmt::format("pressure must be between 0 (light) and 1 (firm), got {}", pressure.level), "pressure");
  }
  DepthModel m;
  m.eta_mean = device_class == DeviceClass::roller ? 0.20 + 0.40 * pressure.level : 0.50 + 0.27 * pressure.level;
  return m;
}

Length mean_effective_depth(const DepthModel& model, Length nominal_length) noexcept {
  return model.eta_mean * nominal_length;
}

Layer classify_depth(Length depth, const Region& region) noexcept {
  if (depth <= region.epidermis) return Layer::epidermis;
  if (depth <= region.papillary_floor()) return Layer::papillary_dermis;
  if (depth <= region.dermis_floor()) return Layer::reticular_dermis;
  return Layer::beyond_dermis;
}

double LayerFractions::share(Layer layer) const noexcept {
  switch (layer) {
    case Layer::epidermis: return epidermis;
    case Layer::papillary_dermis: return papillary_dermis;
    case Layer::reticular_dermis: return reticular_dermis;
    case Layer::beyond_dermis: return beyond_dermis;
  }
  return 0.0;
}

LayerFractions calc_layer_fractions(const Region& region, const DepthModel& model, Length nominal_length) noexcept {
  // P(depth ≤ a) = P(η ≤ a / L).
  const double l_mm = in_mm(nominal_length);
  const double p_epi = model.eta_cdf(in_mm(region.epidermis) / l_mm);
  const double p_pap = model.eta_cdf(in_mm(region.papillary_floor()) / l_mm);
  const double p_derm = model.eta_cdf(in_mm(region.dermis_floor()) / l_mm);
  return {p_epi, p_pap - p_epi, p_derm - p_pap, 1.0 - p_derm};
}

namespace {

Result<std::pair<const Region*, DepthModel>> resolve(const RegionCatalog& regions, std::string_view region_id,
                                                     DeviceClass device_class, Length nominal_length,
                                                     HandPressure pressure) {
  auto region = regions.find(region_id);
  if (!region) return std::unexpected(region.error());
  if (!(in_mm(nominal_length) > 0.0) || !std::isfinite(in_mm(nominal_length))) {
    return fail(ErrorCode::out_of_range,
                fmt::format("needle length must be a positive number of mm, got {}", in_mm(nominal_length)),
                "needle_length_mm");
  }
  auto model = make_depth_model(device_class, pressure);
  if (!model) return std::unexpected(model.error());
  return std::pair{*region, *model};
}

}  // namespace

Result<LayerFractions> depth_by_layer(const RegionCatalog& regions, std::string_view region_id,
                                      DeviceClass device_class, Length nominal_length, HandPressure pressure) {
  auto r = resolve(regions, region_id, device_class, nominal_length, pressure);
  if (!r) return std::unexpected(r.error());
  return calc_layer_fractions(*r->first, r->second, nominal_length);
}

Result<LayerFractions> check_within_dermis(const RegionCatalog& regions, std::string_view region_id,
                                           DeviceClass device_class, Length nominal_length, HandPressure pressure,
                                           double tolerated_beyond_share) {
  auto r = resolve(regions, region_id, device_class, nominal_length, pressure);
  if (!r) return std::unexpected(r.error());
  const auto& [region, model] = *r;
  const LayerFractions f = calc_layer_fractions(*region, model, nominal_length);
  if (f.beyond_dermis > tolerated_beyond_share) {
    return fail(ErrorCode::refused,
                fmt::format("a {} mm needle can reach {:.2f} mm deep on the {} ({:.0f} % of punctures), beyond "
                            "the dermis which ends at {:.2f} mm; use a needle of at most {:.2f} mm here",
                            in_mm(nominal_length), model.eta_high() * in_mm(nominal_length), region->name,
                            100.0 * f.beyond_dermis, in_mm(region->dermis_floor()),
                            in_mm(region->dermis_floor()) / model.eta_high()),
                "needle_length_mm");
  }
  return f;
}

Result<Length> max_safe_length(const RegionCatalog& regions, std::string_view region_id, DeviceClass device_class,
                               HandPressure pressure) {
  auto r = resolve(regions, region_id, device_class, units::millimetres(1.0), pressure);
  if (!r) return std::unexpected(r.error());
  return r->first->dermis_floor() / r->second.eta_high();
}

}  // namespace needlework::physics
