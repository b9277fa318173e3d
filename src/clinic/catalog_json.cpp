// JSON forms of the catalogs (catalog_json.hpp), moved from the CLI (apps/needlework/cmd_physics.cpp and
// cmd_pack.cpp) so the API answers the same documents.

#include "needlework/clinic/catalog_json.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "needlework/clinic/physics_bridge.hpp"
#include "needlework/clinic/simulate.hpp"
#include "needlework/physics/kinematics.hpp"

namespace needlework::clinic {

namespace ph = needlework::physics;
using json = nlohmann::json;
using units::in_mm;

Result<std::vector<const physics::Device*>> select_devices(std::span<const physics::Device> devices,
                                                           std::span<const std::string> ids) {
  std::vector<const ph::Device*> list;
  if (ids.empty()) {
    for (const auto& d : devices) list.push_back(&d);
    return list;
  }
  for (const auto& id : ids) {
    NW_TRY(d, find_device(devices, id));
    list.push_back(d);
  }
  return list;
}

double device_comparison_eta() {
  // Slit and entry angle at the mean insertion of a roller at moderate pressure (depth.hpp, kinematics.hpp).
  return ph::make_depth_model(ph::DeviceClass::roller, ph::HandPressure{0.5})->eta_expected();
}

json devices_json(std::span<const physics::Device* const> list, physics::SkinCompliance compliance) {
  const double eta = device_comparison_eta();
  json all = json::array();
  for (const auto* d : list) {
    const auto& n = d->needle();
    json j{{"id", d->id},
           {"name", d->name},
           {"use", d->use},
           {"sources", d->sources},
           {"needle_length_mm", in_mm(n.length)},
           {"needle_diameter_mm", in_mm(n.diameter)}};
    if (const auto* r = d->roller()) {
      const auto pen = ph::calc_penetration(r->drum_radius, n.length, eta);
      j.update(
          {{"kind", "roller"},
           {"needles", r->needle_count()},
           {"drum_diameter_mm", 2 * in_mm(r->drum_radius)},
           {"drum_width_mm", in_mm(r->drum_width)},
           {"rings", r->rings},
           {"needles_per_ring", r->needles_per_ring},
           {"max_needle_length_mm", in_mm(r->max_needle_length)},
           {"density_per_pass_per_cm2", units::in_per_cm2(r->density_per_pass())},
           {"slit_rigid_mm", in_mm(pen.slit_rigid)},
           {"slit_mm", in_mm(ph::calc_slit_length(r->drum_radius, n.length, n.diameter, compliance, eta))},
           {"entry_angle_deg", pen.entry_angle_rad * 180 / std::numbers::pi}});
    } else {
      const auto* p = d->pen();
      j.update({{"kind", "pen"},
                {"needles", p->needles_per_cartridge},
                {"cartridge_diameter_mm", in_mm(p->cartridge_diameter)},
                {"stamp_rate_hz", units::in_hz(p->stamp_rate)},
                {"min_depth_mm", in_mm(p->min_depth)},
                {"max_depth_mm", in_mm(p->max_depth)}});
    }
    all.push_back(std::move(j));
  }
  return all;
}

Result<std::vector<DepthGuardView>> depth_guards(const knowledge::Pack& pack) {
  std::vector<DepthGuardView> guards;
  for (const auto& g : pack.depth_guards) {
    NW_TRY(a, assurance_of(g));
    guards.push_back({g.id, g.action == knowledge::GuardAction::warn ? "warn" : "refuse", a});
  }
  return guards;
}

double longest_safe_mm(const physics::Region& region, physics::DeviceClass cls, const physics::Assurance& a,
                       double eta_half_width) {
  auto client = ph::at_percentile(region, a.sex, a.client_percentile);
  auto model = ph::make_depth_model(cls, a.max_pressure);
  if (!client || !model) return 0.0;
  model->eta_half_width = eta_half_width;
  return in_mm(ph::max_safe_length_on(*client, *model, a.tolerated_beyond_share));
}

json regions_json(const physics::RegionCatalog& regions, std::span<const DepthGuardView> guards,
                  std::string_view pack_label) {
  json out = json::array();
  for (const auto& r : regions.regions) {
    json figures = json::array();
    for (const auto& f : r.dermis_figures) {
      figures.push_back({{"sex", ph::to_string(f.sex)},
                         {"method", f.method},
                         {"n", f.n == 0 ? json(nullptr) : json(f.n)},
                         {"mean_mm", in_mm(f.mean)},
                         {"sd_mm", in_mm(f.sd)},
                         {"sd_assumed", f.sd_assumed()},
                         {"mean_source", f.mean_source},
                         {"sd_source", f.sd_source}});
    }
    json safe = json::array();
    for (const auto& g : guards) {
      safe.push_back(
          {{"rule", g.rule},
           {"action", g.action},
           {"assurance", ph::describe(g.assurance)},
           {"roller_mm", std::round(longest_safe_mm(r, ph::DeviceClass::roller, g.assurance) * 100) / 100},
           {"pen_mm", std::round(longest_safe_mm(r, ph::DeviceClass::pen, g.assurance) * 100) / 100}});
    }
    out.push_back({{"id", r.id},
                   {"name", r.name},
                   {"note", r.note},
                   {"epidermis", {{"mm", in_mm(r.epidermis)}, {"source", r.sources.at(0)}}},
                   {"papillary_fraction", {{"value", r.papillary_fraction}, {"source", r.sources.at(1)}}},
                   {"dermis", figures},
                   {"longest_safe_needle", safe}});
  }
  json guards_json = json::array();
  for (const auto& g : guards) {
    guards_json.push_back({{"rule", g.rule}, {"action", g.action}, {"assurance", ph::describe(g.assurance)}});
  }
  return {{"pack", pack_label}, {"guards", guards_json}, {"regions", out}};
}

json pack_list_json(std::span<const knowledge::PackSummary> packs) {
  json out = json::array();
  for (const auto& p : packs) {
    out.push_back({{"id", p.id},
                   {"version", p.version},
                   {"title", p.title},
                   {"extends", p.extends},
                   {"default", p.id == "seed"}});
  }
  return out;
}

json overrides_json(const knowledge::Pack& p) {
  json out = json::array();
  for (const auto& o : p.overrides) {
    out.push_back({{"replaced", o.replaced_id},
                   {"replaced_pack", o.replaced_origin},
                   {"by", o.by_id},
                   {"by_pack", o.by_origin}});
  }
  return out;
}

json pack_json(const knowledge::Pack& p) {
  json layers = json::array();
  for (const auto& l : p.layers) {
    layers.push_back(
        {{"id", l.id}, {"version", l.version}, {"title", l.title}, {"extends", l.extends}, {"dir", l.dir}});
  }
  json rules = json::array();
  for (const auto& [table, rule_id] : p.rule_index()) rules.push_back({{"table", table}, {"id", rule_id}});
  json sources = json::array();
  for (const auto& s : p.sources) {
    sources.push_back(
        {{"id", s.id}, {"citation", s.citation}, {"confidence", s.confidence}, {"pack", s.origin}});
  }
  return {{"pack", p.label()},
          {"layers", layers},
          {"overrides", overrides_json(p)},
          {"sources", sources},
          {"rules", rules}};
}

Result<json> vocabulary_json(const knowledge::Pack& p, std::string_view kind) {
  if (!kind.empty() &&
      std::find(vocabulary_kinds.begin(), vocabulary_kinds.end(), kind) == vocabulary_kinds.end()) {
    return fail(ErrorCode::invalid_value,
                fmt::format("'{}' is not a vocabulary kind ({})", kind, fmt::join(vocabulary_kinds, ", ")),
                "kind");
  }
  json out = json::object();
  auto section = [&](std::string_view name, const auto& items, auto&& extra) {
    if (!kind.empty() && kind != name) return;
    json arr = json::array();
    for (const auto& i : items) {
      json e{{"id", i.id}, {"label", i.label}, {"source", i.source}, {"pack", i.origin}};
      extra(i, e);
      arr.push_back(std::move(e));
    }
    out[std::string(name)] = std::move(arr);
  };
  section("areas", p.areas, [](const auto& a, json& e) {
    e["parent"] = a.parent;
    e["skin_regions"] = a.skin_regions;
  });
  section("conditions", p.conditions, [](const auto& c, json& e) {
    e["scope"] = knowledge::to_string(c.scope);
    e["dated"] = c.dated;
  });
  section("concerns", p.concerns, [](const auto&, json&) {});
  section("observations", p.observations, [](const auto&, json&) {});
  section("devices", p.devices,
          [](const auto& d, json& e) { e["setting"] = knowledge::to_string(d.setting); });
  return out;
}

}  // namespace needlework::clinic
