#include "needlework/physics/resealing.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "needlework/physics/device.hpp"
#include "toml_util.hpp"

namespace needlework::physics {

double ResealingModel::open_fraction(Time t) const noexcept {
  if (units::in_s(t) <= 0.0) return 1.0;
  return std::exp(-std::pow(units::in_s(t) / units::in_s(scale), shape));
}

Time ResealingModel::time_to_closed(double closed_share) const noexcept {
  const double open = std::clamp(1.0 - closed_share, 1e-12, 1.0);
  return units::seconds(units::in_s(scale) * std::pow(-std::log(open), 1.0 / shape));
}

namespace {

// open(t) = exp(−(t/λ)^k) closes the share s by t_s = λ (−ln(1 − s))^(1/k); two such points fix λ and k, one
// point and k fix λ.
Result<ResealingCurveData> parse_curve(const detail::TableReader& t) {
  ResealingCurveData c;
  NW_TRY(cite, t.string("cite"));
  c.cite = cite;
  NW_TRY(closed_h, t.sourced_number("closed_h"));
  NW_TRY(share, t.sourced_number("closed_share"));
  if (!(closed_h > 0.0))
    return fail(ErrorCode::out_of_range, "must be positive (hours)", t.where("closed_h"));
  if (!(share > 0.5 && share < 1.0)) {
    return fail(ErrorCode::out_of_range, "must lie strictly between 0.5 and 1 (share closed)",
                t.where("closed_share"));
  }
  c.closed_h = closed_h;
  c.closed_share = share;
  c.sources.push_back(*t.optional_string("closed_h_source"));
  c.sources.push_back(*t.optional_string("closed_share_source"));
  const double log_closed = -std::log(1.0 - share);  // (t_s / λ)^k at the closed point
  if (t.has("half_h") == t.has("shape")) {
    return fail(ErrorCode::invalid_value, "give exactly one of half_h (a published half-life) or shape",
                t.where("half_h"));
  }
  double k = 0.0;
  if (t.has("half_h")) {
    NW_TRY(half_h, t.sourced_number("half_h"));
    if (!(half_h > 0.0 && half_h < closed_h)) {
      return fail(ErrorCode::out_of_range,
                  fmt::format("must be positive and shorter than closed_h ({} h)", closed_h),
                  t.where("half_h"));
    }
    k = std::log(log_closed / std::log(2.0)) / std::log(closed_h / half_h);
    c.sources.push_back(*t.optional_string("half_h_source"));
  } else {
    NW_TRY(shape, t.sourced_number("shape"));
    if (!(shape > 0.0)) return fail(ErrorCode::out_of_range, "must be positive", t.where("shape"));
    k = shape;
    c.sources.push_back(*t.optional_string("shape_source"));
  }
  c.model.shape = k;
  c.model.scale = units::seconds(closed_h * 3600.0 / std::pow(log_closed, 1.0 / k));
  return c;
}

Result<ResealingOutputData> parse_output(const detail::TableReader& top, std::string_view key) {
  NW_TRY(t, top.table(key));
  ResealingOutputData o;
  NW_TRY(name, t.string("name"));
  NW_TRY(measure, t.string("measure"));
  o.name = name;
  o.measure = measure;
  NW_TRY(open_table, t.table("open"));
  NW_TRY(open, parse_curve(open_table));
  NW_TRY(occluded_table, t.table("occluded"));
  NW_TRY(occluded, parse_curve(occluded_table));
  o.open = std::move(open);
  o.occluded = std::move(occluded);
  return o;
}

}  // namespace

Result<ResealingData> parse_resealing(std::string_view toml_text, std::string_view source_name) {
  NW_TRY(parsed, detail::parse_toml(toml_text, source_name));
  const detail::TableReader top(parsed, source_name, "");
  NW_TRY(barrier, parse_output(top, "barrier"));
  NW_TRY(channels, parse_output(top, "channels"));
  return ResealingData{std::move(barrier), std::move(channels)};
}

Result<Resealing> make_resealing(const ResealingData& data, const ResealingInput& input) {
  const double l = units::in_mm(input.needle_length);
  if (!(l > 0.0) || input.needle_length > catalog_max_needle_length) {
    return fail(ErrorCode::out_of_range,
                fmt::format("needle length must be in (0, {}] mm, got {}",
                            units::in_mm(catalog_max_needle_length), l),
                "needle_length_mm");
  }
  if (input.needle_count < 1) {
    return fail(ErrorCode::out_of_range,
                fmt::format("needle count must be at least 1, got {}", input.needle_count), "needle_count");
  }
  return Resealing{input.occlusion, data.barrier.under(input.occlusion).model,
                   data.channels.under(input.occlusion).model};
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
