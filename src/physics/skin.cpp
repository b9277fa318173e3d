#include "needlework/physics/skin.hpp"

#include <fmt/format.h>

#include "toml_util.hpp"

namespace needlework::physics {

Result<const Region*> RegionCatalog::find(std::string_view id) const {
  for (const auto& r : regions) {
    if (r.id == id) return &r;
  }
  std::string known;
  for (const auto& r : regions) known += (known.empty() ? "" : ", ") + r.id;
  return fail(ErrorCode::unknown_id, fmt::format("unknown skin region `{}`; known regions: {}", id, known),
              "region");
}

Result<RegionCatalog> parse_regions(std::string_view toml_text, std::string_view source_name) {
  auto parsed = detail::parse_toml(toml_text, source_name);
  if (!parsed) return std::unexpected(parsed.error());
  detail::TableReader top(*parsed, source_name, "");
  auto tables = top.table_array("region");
  if (!tables) return std::unexpected(tables.error());

  RegionCatalog catalog;
  for (const auto& t : *tables) {
    Region r;
    auto id = t.string("id");
    if (!id) return std::unexpected(id.error());
    r.id = *id;
    for (const auto& other : catalog.regions) {
      if (other.id == r.id) {
        return fail(ErrorCode::invalid_value, fmt::format("duplicate region id `{}`", r.id), t.where("id"));
      }
    }
    r.name = t.optional_string("name").value_or(r.id);
    auto epi = t.sourced_number("epidermis_mm");
    if (!epi) return std::unexpected(epi.error());
    auto dermis = t.sourced_number("dermis_mm");
    if (!dermis) return std::unexpected(dermis.error());
    auto papillary = t.sourced_number("papillary_fraction");
    if (!papillary) return std::unexpected(papillary.error());
    if (!(*epi > 0.0)) return fail(ErrorCode::out_of_range, "must be positive", t.where("epidermis_mm"));
    if (!(*dermis > 0.0)) return fail(ErrorCode::out_of_range, "must be positive", t.where("dermis_mm"));
    if (!(*papillary > 0.0 && *papillary < 1.0)) {
      return fail(ErrorCode::out_of_range, "must lie strictly between 0 and 1 (share of the dermis)",
                  t.where("papillary_fraction"));
    }
    r.epidermis = units::millimetres(*epi);
    r.dermis = units::millimetres(*dermis);
    r.papillary_dermis = units::millimetres(*dermis * *papillary);
    for (const char* key : {"epidermis_mm_source", "dermis_mm_source", "papillary_fraction_source"}) {
      r.sources.push_back(*t.optional_string(key));
    }
    catalog.regions.push_back(std::move(r));
  }
  if (catalog.regions.empty()) {
    return fail(ErrorCode::missing_field, "no [[region]] tables", detail::location(source_name, "region"));
  }
  return catalog;
}

}  // namespace needlework::physics
