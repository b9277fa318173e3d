#include "needlework/physics/skin.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "toml_util.hpp"

namespace needlework::physics {

std::string_view to_string(Sex sex) noexcept {
  switch (sex) {
    case Sex::any:
      return "any";
    case Sex::female:
      return "female";
    case Sex::male:
      return "male";
  }
  return "any";
}

Result<Sex> parse_sex(std::string_view text, std::string_view field) {
  for (Sex s : {Sex::any, Sex::female, Sex::male}) {
    if (text == to_string(s)) return s;
  }
  return fail(ErrorCode::out_of_range, fmt::format("'{}' is not a sex (any, female, male)", text),
              std::string(field));
}

double normal_quantile(double p) noexcept {
  // Φ is monotone: bisect Φ(z) = 0.5·erfc(−z/√2) on [−10, 10] to far below any percentile's precision.
  double lo = -10.0, hi = 10.0;
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    if (0.5 * std::erfc(-mid / std::sqrt(2.0)) < p)
      lo = mid;
    else
      hi = mid;
  }
  return 0.5 * (lo + hi);
}

Result<Region> at_percentile(const Region& region, Sex sex, double percentile) {
  if (!(percentile > 0.0 && percentile < 100.0)) {
    return fail(ErrorCode::out_of_range,
                fmt::format("the client percentile must lie strictly between 0 and 100, got {}", percentile),
                "client_percentile");
  }
  const double z = normal_quantile(percentile / 100.0);
  std::optional<double> thinnest;
  for (const auto& f : region.dermis_figures) {
    if (sex != Sex::any && f.sex != Sex::any && f.sex != sex) continue;
    const double d = units::in_mm(f.mean) + z * units::in_mm(f.sd);
    if (!thinnest || d < *thinnest) thinnest = d;
  }
  if (!thinnest) {
    return fail(
        ErrorCode::invalid_value,
        fmt::format("skin region `{}` has no dermis figure for {} clients", region.id, to_string(sex)),
        "sex");
  }
  Region r = region;
  // A normal tail can go below zero at extreme percentiles; 1 µm keeps the floor a depth and refuses
  // everything.
  r.dermis = units::millimetres(std::max(*thinnest, 0.001));
  r.papillary_dermis = r.dermis * r.papillary_fraction;
  return r;
}

Result<const Region*> RegionCatalog::find(std::string_view id) const {
  for (const auto& r : regions) {
    if (r.id == id) return &r;
  }
  std::string known;
  for (const auto& r : regions) known += (known.empty() ? "" : ", ") + r.id;
  return fail(ErrorCode::unknown_id, fmt::format("unknown skin region `{}`; known regions: {}", id, known),
              "region");
}

namespace {

Result<DermisFigure> parse_figure(const detail::TableReader& t) {
  DermisFigure f;
  NW_TRY(sex_text, t.string("sex"));
  NW_TRY(sex, parse_sex(sex_text, t.where("sex")));
  f.sex = sex;
  NW_TRY(method, t.string("method"));
  if (method != "ultrasound" && method != "histology") {
    return fail(ErrorCode::out_of_range, fmt::format("'{}' is not a method (ultrasound, histology)", method),
                t.where("method"));
  }
  f.method = method;
  if (t.has("n")) {
    NW_TRY(n, t.integer("n"));
    if (n < 1) return fail(ErrorCode::out_of_range, "must be at least 1", t.where("n"));
    f.n = static_cast<int>(n);
  }
  NW_TRY(mean, t.sourced_number("mean_mm"));
  NW_TRY(sd, t.sourced_number("sd_mm"));
  if (!(mean > 0.0)) return fail(ErrorCode::out_of_range, "must be positive", t.where("mean_mm"));
  if (!(sd > 0.0)) return fail(ErrorCode::out_of_range, "must be positive", t.where("sd_mm"));
  f.mean = units::millimetres(mean);
  f.sd = units::millimetres(sd);
  f.mean_source = *t.optional_string("mean_mm_source");
  f.sd_source = *t.optional_string("sd_mm_source");
  return f;
}

}  // namespace

Result<RegionCatalog> parse_regions(std::string_view toml_text, std::string_view source_name) {
  NW_TRY(parsed, detail::parse_toml(toml_text, source_name));
  detail::TableReader top(parsed, source_name, "");
  NW_TRY(tables, top.table_array("region"));

  RegionCatalog catalog;
  {
    NW_TRY(c, top.table("compliance"));
    NW_TRY(value, c.sourced_number("value"));
    if (!(value >= 0.0 && value <= 1.0)) {
      return fail(ErrorCode::out_of_range, "must lie between 0 (rigid skin) and 1 (round hole)",
                  c.where("value"));
    }
    catalog.compliance = SkinCompliance{value};
    catalog.compliance_source = *c.optional_string("value_source");
  }
  for (const auto& t : tables) {
    Region r;
    NW_TRY(id, t.string("id"));
    r.id = id;
    for (const auto& other : catalog.regions) {
      if (other.id == r.id) {
        return fail(ErrorCode::invalid_value, fmt::format("duplicate region id `{}`", r.id), t.where("id"));
      }
    }
    r.name = t.optional_string("name").value_or(r.id);
    r.note = t.optional_string("note").value_or("");
    NW_TRY(epi, t.sourced_number("epidermis_mm"));
    NW_TRY(papillary, t.sourced_number("papillary_fraction"));
    if (!(epi > 0.0)) return fail(ErrorCode::out_of_range, "must be positive", t.where("epidermis_mm"));
    if (!(papillary > 0.0 && papillary < 1.0)) {
      return fail(ErrorCode::out_of_range, "must lie strictly between 0 and 1 (share of the dermis)",
                  t.where("papillary_fraction"));
    }
    r.epidermis = units::millimetres(epi);
    r.papillary_fraction = papillary;
    r.sources.push_back(*t.optional_string("epidermis_mm_source"));
    r.sources.push_back(*t.optional_string("papillary_fraction_source"));
    if (!t.has("dermis")) {
      return fail(ErrorCode::missing_field, "a region needs at least one [[region.dermis]] figure",
                  t.where("dermis"));
    }
    NW_TRY(figures, t.table_array("dermis"));
    for (const auto& ft : figures) {
      NW_TRY(f, parse_figure(ft));
      r.sources.push_back(f.mean_source);
      r.sources.push_back(f.sd_source);
      if (r.dermis_figures.empty() || f.mean < r.dermis) r.dermis = f.mean;
      r.dermis_figures.push_back(std::move(f));
    }
    if (r.dermis_figures.empty()) {
      return fail(ErrorCode::missing_field, "a region needs at least one [[region.dermis]] figure",
                  t.where("dermis"));
    }
    r.papillary_dermis = r.dermis * papillary;
    catalog.regions.push_back(std::move(r));
  }
  if (catalog.regions.empty()) {
    return fail(ErrorCode::missing_field, "no [[region]] tables", detail::location(source_name, "region"));
  }
  return catalog;
}

}  // namespace needlework::physics
