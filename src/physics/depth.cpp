#include "needlework/physics/depth.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <optional>

#include "needlework/units/refusals.hpp"

namespace needlework::physics {

using units::in_mm;

std::string_view to_string(Layer layer) noexcept {
  switch (layer) {
    case Layer::epidermis:
      return "epidermis";
    case Layer::papillary_dermis:
      return "papillary_dermis";
    case Layer::reticular_dermis:
      return "reticular_dermis";
    case Layer::beyond_dermis:
      return "beyond_dermis";
  }
  return "unknown";
}

// Only the top is clamped (module comment of depth.hpp): the floor 0.20 is a mean (Kalluri's channels lie
// on both sides of it), so single punctures may go below it.
double DepthModel::eta_low() const noexcept { return std::min(eta_mean - eta_half_width, eta_ceiling); }
double DepthModel::eta_high() const noexcept { return std::min(eta_mean + eta_half_width, eta_ceiling); }

double DepthModel::eta_from_uniforms(double u1, double u2) const noexcept {
  return std::min(eta_mean + eta_half_width * (u1 + u2 - 1.0), eta_ceiling);
}

double DepthModel::eta_cdf(double x) const noexcept {
  if (x >= eta_ceiling) return 1.0;
  if (eta_half_width <= 0.0) return x >= eta_mean ? 1.0 : 0.0;
  // Triangular on [μ − h, μ + h] (sum of two uniforms), in units of h from its lower end.
  const double t = (x - (eta_mean - eta_half_width)) / eta_half_width;
  if (t <= 0.0) return 0.0;
  if (t <= 1.0) return t * t / 2.0;
  if (t < 2.0) return 1.0 - (2.0 - t) * (2.0 - t) / 2.0;
  return 1.0;
}

double DepthModel::eta_expected() const noexcept {
  // E[X] = a + ∫_a^b (1 − F(x)) dx for X on [a, b]; F is piecewise quadratic, so a fine midpoint sum is exact
  // to well below the printed precision.
  const double a = eta_low(), b = eta_high();
  if (b <= a) return a;
  constexpr int steps = 2000;
  const double dx = (b - a) / steps;
  double sum = 0.0;
  for (int i = 0; i < steps; ++i) sum += 1.0 - eta_cdf(a + (i + 0.5) * dx);
  return a + sum * dx;
}

double DepthModel::eta_quantile(double q) const noexcept {
  if (q >= 1.0) return eta_high();
  double lo = eta_low(), hi = eta_high();
  if (eta_cdf(lo) >= q) return lo;
  for (int i = 0; i < 100; ++i) {
    const double mid = 0.5 * (lo + hi);
    if (eta_cdf(mid) >= q)
      hi = mid;
    else
      lo = mid;
  }
  return hi;
}

Result<DepthModel> make_depth_model(DeviceClass device_class, HandPressure pressure) {
  if (!(pressure.level >= 0.0 && pressure.level <= 1.0)) {
    return fail(ErrorCode::out_of_range,
                fmt::format("pressure must be between 0 (light) and 1 (firm), got {}", pressure.level),
                "pressure");
  }
  DepthModel m;
  m.eta_mean =
      device_class == DeviceClass::roller ? 0.20 + 0.40 * pressure.level : 0.50 + 0.27 * pressure.level;
  return m;
}

Length mean_effective_depth(const DepthModel& model, Length nominal_length) noexcept {
  return model.eta_expected() * nominal_length;
}

Layer classify_depth(Length depth, const Region& region) noexcept {
  if (depth <= region.epidermis) return Layer::epidermis;
  if (depth <= region.papillary_floor()) return Layer::papillary_dermis;
  if (depth <= region.dermis_floor()) return Layer::reticular_dermis;
  return Layer::beyond_dermis;
}

double LayerFractions::share(Layer layer) const noexcept {
  switch (layer) {
    case Layer::epidermis:
      return epidermis;
    case Layer::papillary_dermis:
      return papillary_dermis;
    case Layer::reticular_dermis:
      return reticular_dermis;
    case Layer::beyond_dermis:
      return beyond_dermis;
  }
  return 0.0;
}

LayerFractions calc_layer_fractions(const Region& region, const DepthModel& model,
                                    Length nominal_length) noexcept {
  // P(depth ≤ a) = P(η ≤ a / L).
  const double l_mm = in_mm(nominal_length);
  const double p_epi = model.eta_cdf(in_mm(region.epidermis) / l_mm);
  const double p_pap = model.eta_cdf(in_mm(region.papillary_floor()) / l_mm);
  const double p_derm = model.eta_cdf(in_mm(region.dermis_floor()) / l_mm);
  return {p_epi, p_pap - p_epi, p_derm - p_pap, 1.0 - p_derm};
}

std::string percent_text(double share) {
  if (share > 0.0 && share < 0.001) return "< 0.1 %";
  if (share < 1.0 && share > 0.999) return "> 99.9 %";
  return fmt::format("{:.1f} %", 100.0 * share);
}

namespace {

Result<std::pair<const Region*, DepthModel>> resolve(const RegionCatalog& regions, std::string_view region_id,
                                                     DeviceClass device_class, Length nominal_length,
                                                     HandPressure pressure) {
  NW_TRY(region, regions.find(region_id));
  if (!(in_mm(nominal_length) > 0.0) || !std::isfinite(in_mm(nominal_length))) {
    return fail(ErrorCode::out_of_range,
                fmt::format("needle length must be a positive number of mm, got {}", in_mm(nominal_length)),
                "needle_length_mm");
  }
  NW_TRY(model, make_depth_model(device_class, pressure));
  return std::pair{region, model};
}

}  // namespace

Result<LayerFractions> depth_by_layer(const RegionCatalog& regions, std::string_view region_id,
                                      DeviceClass device_class, Length nominal_length,
                                      HandPressure pressure) {
  NW_TRY(r, resolve(regions, region_id, device_class, nominal_length, pressure));
  return calc_layer_fractions(*r.first, r.second, nominal_length);
}

Result<LayerFractions> check_within_dermis(const RegionCatalog& regions, std::string_view region_id,
                                           DeviceClass device_class, Length nominal_length,
                                           HandPressure pressure, double tolerated_beyond_share) {
  NW_TRY(r, resolve(regions, region_id, device_class, nominal_length, pressure));
  const auto& [region, model] = r;
  const LayerFractions f = calc_layer_fractions(*region, model, nominal_length);
  if (f.beyond_dermis > tolerated_beyond_share) {
    return refuse(std::string(refusals::beyond_dermis),
                  fmt::format("a {} mm needle can reach {:.2f} mm deep on the {} ({} of punctures), beyond "
                              "the dermis which ends at {:.2f} mm; use a needle of at most {:.2f} mm here",
                              in_mm(nominal_length), model.eta_high() * in_mm(nominal_length), region->name,
                              percent_text(f.beyond_dermis), in_mm(region->dermis_floor()),
                              in_mm(max_safe_length_on(*region, model, tolerated_beyond_share))),
                  "needle_length_mm");
  }
  return f;
}

Result<Length> max_safe_length(const RegionCatalog& regions, std::string_view region_id,
                               DeviceClass device_class, HandPressure pressure) {
  NW_TRY(r, resolve(regions, region_id, device_class, units::millimetres(1.0), pressure));
  return max_safe_length_on(*r.first, r.second, 0.0);
}

Length max_safe_length_on(const Region& region, const DepthModel& model,
                          double tolerated_beyond_share) noexcept {
  // beyond share = P(η > floor / L) ≤ t  ⇔  floor / L ≥ q(1 − t)  ⇔  L ≤ floor / q(1 − t).
  return region.dermis_floor() / model.eta_quantile(1.0 - tolerated_beyond_share);
}

std::string describe(const Assurance& a) {
  const int pct = static_cast<int>(std::lround(a.client_percentile));
  const bool whole = std::abs(a.client_percentile - pct) < 1e-9;
  const char* suffix = (pct % 100 >= 11 && pct % 100 <= 13) ? "th"
                       : pct % 10 == 1                      ? "st"
                       : pct % 10 == 2                      ? "nd"
                       : pct % 10 == 3                      ? "rd"
                                                            : "th";
  const std::string pctl = whole && pct == 50 ? "median"
                           : whole            ? fmt::format("{}{}-percentile", pct, suffix)
                                              : fmt::format("{:g}th-percentile", a.client_percentile);
  const std::string who = a.sex == Sex::any ? "client" : fmt::format("{} client", to_string(a.sex));
  const std::string pressure =
      a.pressure_label.empty()
          ? fmt::format("pressure up to {:.2f}", a.max_pressure.level)
          : fmt::format("{} pressure (up to {:.2f})", a.pressure_label, a.max_pressure.level);
  return fmt::format("a {} {} at {}", pctl, who, pressure);
}

Result<DepthVerdict> assess_depth(const RegionCatalog& regions, std::span<const std::string> region_ids,
                                  DeviceClass device_class, Length nominal_length,
                                  const Assurance& assurance) {
  if (region_ids.empty())
    return fail(ErrorCode::invalid_value, "an area needs at least one skin region", "region");
  std::optional<DepthVerdict> worst;
  for (const auto& id : region_ids) {
    NW_TRY(r, resolve(regions, id, device_class, nominal_length, assurance.max_pressure));
    const auto& [region, model] = r;
    NW_TRY(client, at_percentile(*region, assurance.sex, assurance.client_percentile));
    DepthVerdict v;
    v.region_id = region->id;
    v.region_name = region->name;
    v.length = nominal_length;
    v.layers = calc_layer_fractions(client, model, nominal_length);
    v.dermis_floor = client.dermis_floor();
    v.max_safe_length = max_safe_length_on(client, model, assurance.tolerated_beyond_share);
    if (!worst || v.max_safe_length < worst->max_safe_length) worst = std::move(v);
  }
  DepthVerdict v = std::move(*worst);
  v.within = v.layers.beyond_dermis <= assurance.tolerated_beyond_share;
  std::string region_name = v.region_name;
  if (!region_name.empty()) region_name[0] = static_cast<char>(std::tolower(region_name[0]));
  v.summary = fmt::format(
      "{:.2f} mm on the {}: {} of punctures stay within the dermis for {} (longest safe "
      "needle there {:.2f} mm)",
      in_mm(nominal_length), region_name, percent_text(1.0 - v.layers.beyond_dermis), describe(assurance),
      in_mm(v.max_safe_length));
  return v;
}

}  // namespace needlework::physics
