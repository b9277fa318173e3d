// `simulate` as a library (simulate.hpp): the input document's reader, the runner and its JSON report, and
// the pictures of a run. Moved from the CLI (apps/needlework/cmd_physics.cpp) so the API answers the same
// documents with the same code.

#include "needlework/clinic/simulate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "needlework/clinic/physics_bridge.hpp"
#include "needlework/physics/depth.hpp"
#include "needlework/physics/kinematics.hpp"
#include "needlework/physics/render.hpp"

namespace needlework::clinic {
namespace {

namespace ph = needlework::physics;
using json = nlohmann::json;
using units::in_mm;
using units::millimetres;

/// A field's name in an error: after the source and ": " when there is a source (the CLI's file name).
std::string at(std::string_view source, std::string_view field) {
  return source.empty() ? std::string(field) : fmt::format("{}: {}", source, field);
}

/// `parent.key`, or `key` alone under no parent.
std::string join(std::string_view parent, std::string_view key) {
  return parent.empty() ? std::string(key) : fmt::format("{}.{}", parent, key);
}

/// A string field that may be missing ("" then), named `parent.key` when it is not a string.
Result<std::string> optional_string(const json& j, const char* key, const std::string& parent) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::string{};
  if (!it->is_string()) return fail(ErrorCode::invalid_value, "must be a string", join(parent, key));
  return it->get<std::string>();
}

/// A true/false field that may be missing (false then).
Result<bool> optional_flag(const json& j, const char* key, const std::string& parent) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return false;
  if (!it->is_boolean()) return fail(ErrorCode::invalid_value, "must be true or false", join(parent, key));
  return it->get<bool>();
}

Result<double> number_at(const json& j, const char* key, const std::string& where) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return fail(ErrorCode::invalid_value, "must be a number", where);
  return it->get<double>();
}

Result<std::vector<ph::SurfacePoint>> parse_zone_json(const json& j, const std::string& where) {
  if (!j.is_array()) return fail(ErrorCode::invalid_value, "must be an array of [x_mm, y_mm] pairs", where);
  std::vector<ph::SurfacePoint> pts;
  for (std::size_t i = 0; i < j.size(); ++i) {
    const auto& p = j[i];
    if (!p.is_array() || p.size() != 2 || !p[0].is_number() || !p[1].is_number()) {
      return fail(ErrorCode::invalid_value, "must be a pair [x_mm, y_mm] of numbers",
                  fmt::format("{}[{}]", where, i));
    }
    pts.push_back({millimetres(p[0].get<double>()), millimetres(p[1].get<double>())});
  }
  return pts;
}

/// A simulate document is read strictly, as every API body is: a field it does not know is refused by name
/// (a misspelt "pases_per_direction" would otherwise be silently the default).
template <class Name>
Result<void> only_known(const json& j, std::initializer_list<std::string_view> known, Name name) {
  for (const auto& item : j.items()) {
    if (std::find(known.begin(), known.end(), item.key()) == known.end()) {
      return fail(ErrorCode::unknown_field, "is not a field of a simulate document (docs/physics.md)",
                  name(item.key()));
    }
  }
  return {};
}

Result<void> apply_plan_json(const json& j, ph::StrokePlan& plan, const std::string& where) {
  if (!j.is_object()) return fail(ErrorCode::invalid_value, "must be an object", where);
  NW_CHECK(only_known(j,
                      {"directions", "passes_per_direction", "lane_overlap", "lateral_step_mm",
                       "hand_jitter_mm", "speed_mm_per_s", "pressure", "compliance", "random_phase"},
                      [&](std::string_view key) { return join(where, key); }));
  if (auto it = j.find("directions"); it != j.end()) {
    if (!it->is_array())
      return fail(ErrorCode::invalid_value, "must be an array of names", join(where, "directions"));
    plan.directions.clear();
    for (const auto& d : *it) {
      if (!d.is_string()) return fail(ErrorCode::invalid_value, "must be a name", join(where, "directions"));
      auto dir = ph::parse_stroke_direction(d.get<std::string>());
      if (!dir) return fail(ErrorCode::invalid_value, dir.error().message, join(where, "directions"));
      plan.directions.push_back(*dir);
    }
  }
  auto num = [&](const char* key, auto&& set) -> Result<void> {
    if (!j.contains(key)) return {};
    NW_TRY(v, number_at(j, key, join(where, key)));
    set(v);
    return {};
  };
  // A count outside what an int holds would be undefined as a cast; plan validation refuses it by its range
  // (passes per direction 1–1000, physics/strokes.cpp) whichever way it is clamped.
  NW_CHECK(num("passes_per_direction",
               [&](double v) { plan.passes_per_direction = static_cast<int>(std::clamp(v, -1.0, 1e6)); }));
  NW_CHECK(num("lane_overlap", [&](double v) { plan.lane_overlap = v; }));
  NW_CHECK(num("lateral_step_mm", [&](double v) { plan.lateral_step = millimetres(v); }));
  NW_CHECK(num("hand_jitter_mm", [&](double v) { plan.hand_jitter = millimetres(v); }));
  NW_CHECK(num("speed_mm_per_s", [&](double v) { plan.speed = units::millimetres_per_second(v); }));
  NW_CHECK(num("pressure", [&](double v) { plan.pressure = ph::HandPressure{v}; }));
  NW_CHECK(num("compliance", [&](double v) { plan.compliance = ph::SkinCompliance{v}; }));
  if (auto it = j.find("random_phase"); it != j.end()) {
    if (!it->is_boolean())
      return fail(ErrorCode::invalid_value, "must be true or false", join(where, "random_phase"));
    plan.random_phase = it->get<bool>();
  }
  return {};
}

/// One input for a clinic area: the pack maps the area and device to the physics catalog (the one bridge,
/// physics_target).
Result<SimulateInput> from_clinic_area(const knowledge::Pack& pack, const SimulateData& data,
                                       const std::string& area, double length_mm, const std::string& device,
                                       const std::string& where) {
  auto target = physics_target(pack, *data.regions, data.devices, area, device);
  if (!target) {
    Error e = target.error();
    e.where = join(where, e.where);
    return std::unexpected(e);
  }
  SimulateInput in;
  in.label = area;
  in.region = target->region;
  in.length_mm = length_mm;
  if (target->device != nullptr) in.device = target->device->id;
  if (target->zone) {
    const auto [w, h] = *target->zone;
    in.zone = {{millimetres(0), millimetres(0)}, {w, millimetres(0)}, {w, h}, {millimetres(0), h}};
  }
  return in;
}

json layers_json(const ph::LayerFractions& f) {
  return json{{"epidermis", f.epidermis},
              {"papillary_dermis", f.papillary_dermis},
              {"reticular_dermis", f.reticular_dermis},
              {"beyond_dermis", f.beyond_dermis}};
}

json report_json(const SimulateRun& run) {
  const SimulateInput& in = run.input;
  const ph::SimulationResult& sim = run.result;
  const ph::Resealing& healing = *sim.resealing;
  const auto& s = sim.session;
  const auto& d = sim.density;
  const auto& needle = run.device.needle();
  auto curve_json = [](const ph::ResealingModel& m, double closed_h) {
    return json{{"closed_95_h", closed_h}, {"scale_h", units::in_s(m.scale) / 3600.0}, {"shape", m.shape}};
  };
  json j{{"device", run.device.id},
         {"region", in.region},
         {"needle_length_mm", in_mm(needle.length)},
         {"needle_diameter_mm", in_mm(needle.diameter)},
         {"zone_area_cm2", units::in_cm2(run.zone.area())},
         {"seed", in.plan.seed.value},
         {"plan",
          {{"directions", json::array()},
           {"passes_per_direction", in.plan.passes_per_direction},
           {"passes", s.passes},
           {"lane_overlap", in.plan.lane_overlap},
           {"lateral_step_mm", in.plan.lateral_step ? json(in_mm(*in.plan.lateral_step)) : json(nullptr)},
           {"hand_jitter_mm", in_mm(in.plan.hand_jitter)},
           {"speed_mm_per_s", units::in_mm_per_s(in.plan.speed)},
           {"pressure", in.plan.pressure.level},
           {"compliance", in.plan.compliance.value},
           {"random_phase", in.plan.random_phase}}},
         {"strokes", s.strokes},
         {"revolutions", s.revolutions},
         {"stamps", s.stamps},
         {"duration_s", units::in_s(s.duration)},
         {"punctures", s.punctures.size()},
         {"punctures_in_zone", d.punctures_in_zone},
         {"density",
          {{"grid_cell_mm", in_mm(in.options.grid_cell)},
           {"mean_per_cm2", units::in_per_cm2(d.mean)},
           {"coefficient_of_variation", d.coefficient_of_variation},
           {"target_per_cm2", units::in_per_cm2(d.target)},
           {"share_at_or_above_target", d.share_at_or_above_target},
           {"rehit_fraction", d.rehit_fraction},
           {"damaged_fraction", d.damaged_fraction}}},
         {"slit_mm", in_mm(sim.slit)},
         {"mean_effective_depth_mm", in_mm(sim.mean_depth)},
         {"layers_exact", layers_json(sim.layers_exact)},
         {"layers_sampled", layers_json(sim.layers_sampled)},
         {"beyond_dermis", sim.beyond_dermis},
         {"resealing",
          {{"occlusion", in.options.occlusion == ph::Occlusion::open ? "open" : "occluded"},
           {"barrier", curve_json(healing.barrier, run.barrier_h)},
           {"channels", curve_json(healing.channels, run.channels_h)}}}};
  for (auto dir : in.plan.directions) j["plan"]["directions"].push_back(ph::to_string(dir));
  if (!in.label.empty()) j["clinic_area"] = in.label;
  if (run.device.is_roller()) {
    // At the mean insertion E[η], the same η as the summary's slit and mean depth.
    const double eta = in_mm(sim.mean_depth) / in_mm(needle.length);
    const auto pen = ph::calc_penetration(run.device.roller()->drum_radius, needle.length, eta);
    j["slit_rigid_mm"] = in_mm(pen.slit_rigid);
    j["entry_angle_deg"] = pen.entry_angle_rad * 180.0 / std::numbers::pi;
  }
  if (run.max_safe) j["max_safe_needle_length_mm"] = in_mm(*run.max_safe);
  if (run.refusal) {
    j["refusal"] = {{"code", to_string(run.refusal->code)},
                    {"message", run.refusal->message},
                    {"rule", run.refusal->rule}};
  }
  if (run.ensemble) {
    const double n = static_cast<double>(run.ensemble->members.size());
    double mean = 0, mean_sq = 0, cv = 0, share = 0;
    for (const auto& m : run.ensemble->members) {
      const double v = units::in_per_cm2(m.mean);
      mean += v / n;
      mean_sq += v * v / n;
      cv += m.coefficient_of_variation / n;
      share += m.share_at_or_above_target / n;
    }
    j["ensemble"] = {{"runs", run.ensemble->members.size()},
                     {"punctures", run.ensemble->total_punctures},
                     {"mean_per_cm2", mean},
                     {"mean_per_cm2_sd", std::sqrt(std::max(0.0, mean_sq - mean * mean))},
                     {"coefficient_of_variation", cv},
                     {"share_at_or_above_target", share}};
  }
  return j;
}

}  // namespace

Result<const physics::Device*> find_device(std::span<const physics::Device> devices, std::string_view id) {
  for (const auto& d : devices) {
    if (d.id == id) return &d;
  }
  std::string known;
  for (const auto& d : devices) known += (known.empty() ? "" : ", ") + d.id;
  return fail(ErrorCode::unknown_id, fmt::format("unknown device `{}`; known devices: {}", id, known),
              "device");
}

Result<std::vector<SimulateInput>> read_simulate_document(const json& j, std::string_view source,
                                                          const SimulateData& data, const PackSource& pack) {
  if (!j.is_object())
    return fail(ErrorCode::invalid_value, "must be a JSON object",
                source.empty() ? "$" : std::string(source));
  // A clinic plan: every area that is not refused, at the longest needle the plan allows there.
  if (auto areas = j.find("areas"); areas != j.end() && areas->is_array()) {
    std::vector<SimulateInput> out;
    for (std::size_t i = 0; i < areas->size(); ++i) {
      const auto& a = (*areas)[i];
      const std::string where = at(source, fmt::format("areas[{}]", i));
      if (!a.is_object()) return fail(ErrorCode::invalid_value, "must be an object", where);
      NW_TRY(refused, optional_flag(a, "refused", where));
      if (refused) continue;
      const auto range = a.find("needle_length_mm");
      if (range == a.end() || !range->is_array() || range->size() != 2 || !(*range)[1].is_number()) {
        return fail(ErrorCode::invalid_value, "must be a [min, max] pair of mm", where + ".needle_length_mm");
      }
      NW_TRY(area, optional_string(a, "area", where));
      NW_TRY(device, optional_string(a, "device", where));
      NW_TRY(p, pack());
      NW_TRY(in, from_clinic_area(*p, data, area, (*range)[1].get<double>(), device, where));
      out.push_back(std::move(in));
    }
    if (out.empty())
      return fail(ErrorCode::invalid_value, "the plan has no area that is not refused", at(source, "areas"));
    return out;
  }
  // A clinic session: one area, one needle.
  if (auto area = j.find("area"); area != j.end() && area->is_string()) {
    NW_TRY(length, number_at(j, "needle_length_mm", join(source, "needle_length_mm")));
    NW_TRY(device, optional_string(j, "device", std::string(source)));
    NW_TRY(p, pack());
    NW_TRY(in, from_clinic_area(*p, data, area->get<std::string>(), length, device, std::string(source)));
    return std::vector<SimulateInput>{std::move(in)};
  }
  // A simulate document (docs/physics.md).
  NW_CHECK(only_known(j,
                      {"device", "region", "needle_length_mm", "zone_mm", "plan", "seed", "grid_cell_mm",
                       "target_per_cm2", "occluded"},
                      [&](std::string_view key) { return at(source, key); }));
  SimulateInput in;
  if (auto it = j.find("device"); it != j.end()) {
    if (!it->is_string()) return fail(ErrorCode::invalid_value, "must be a device id", at(source, "device"));
    in.device = it->get<std::string>();
  }
  if (auto it = j.find("region"); it != j.end()) {
    if (!it->is_string()) return fail(ErrorCode::invalid_value, "must be a region id", at(source, "region"));
    in.region = it->get<std::string>();
  }
  if (j.contains("needle_length_mm")) {
    NW_TRY(v, number_at(j, "needle_length_mm", at(source, "needle_length_mm")));
    in.length_mm = v;
  }
  if (auto it = j.find("zone_mm"); it != j.end()) {
    NW_TRY(z, parse_zone_json(*it, at(source, "zone_mm")));
    in.zone = std::move(z);
  }
  if (auto it = j.find("plan"); it != j.end()) NW_CHECK(apply_plan_json(*it, in.plan, at(source, "plan")));
  if (auto it = j.find("seed"); it != j.end()) {
    if (!it->is_number_unsigned())
      return fail(ErrorCode::invalid_value, "must be a whole number ≥ 0", at(source, "seed"));
    in.plan.seed = physics::Seed{it->get<std::uint64_t>()};
  }
  if (j.contains("grid_cell_mm")) {
    NW_TRY(v, number_at(j, "grid_cell_mm", at(source, "grid_cell_mm")));
    in.options.grid_cell = millimetres(v);
  }
  if (j.contains("target_per_cm2")) {
    NW_TRY(v, number_at(j, "target_per_cm2", at(source, "target_per_cm2")));
    in.options.target = units::per_square_centimetre(v);
  }
  if (auto it = j.find("occluded"); it != j.end()) {
    if (!it->is_boolean())
      return fail(ErrorCode::invalid_value, "must be true or false", at(source, "occluded"));
    in.options.occlusion = it->get<bool>() ? physics::Occlusion::occluded : physics::Occlusion::open;
  }
  return std::vector<SimulateInput>{std::move(in)};
}

Result<SimulateRun> run_simulation(SimulateInput in, const SimulateData& data,
                                   const SimulateRunOptions& options) {
  const ph::RegionCatalog& regions = *data.regions;
  if (std::isnan(in.plan.compliance.value)) in.plan.compliance = regions.compliance;
  NW_TRY(device_ptr, find_device(data.devices, in.device));
  SimulateRun run;
  run.device = *device_ptr;
  if (in.length_mm) {
    NW_TRY(d, ph::with_needle_length(run.device, millimetres(*in.length_mm)));
    run.device = std::move(d);
  }
  NW_TRY(region, regions.find(in.region));
  run.region = region;
  std::vector<ph::SurfacePoint> vertices = in.zone;
  if (vertices.empty()) {
    vertices = {{millimetres(0), millimetres(0)},
                {millimetres(40), millimetres(0)},
                {millimetres(40), millimetres(30)},
                {millimetres(0), millimetres(30)}};
  }
  NW_TRY(zone, ph::make_zone(vertices));
  run.zone = std::move(zone);
  NW_CHECK(ph::validate(in.plan));
  if (options.runs < 1)
    return fail(ErrorCode::out_of_range, "must be at least 1", std::string(options.runs_field));

  in.options.resealing = data.resealing;
  NW_TRY(sim, ph::simulate_session(run.device, *run.region, run.zone, in.plan, in.options));
  run.result = std::move(sim);
  const ph::DeviceClass cls = ph::device_class_of(run.device);
  const auto length = run.device.needle().length;
  if (auto safety = ph::check_within_dermis(regions, in.region, cls, length, in.plan.pressure); !safety)
    run.refusal = safety.error();
  if (auto max_safe = ph::max_safe_length(regions, in.region, cls, in.plan.pressure))
    run.max_safe = *max_safe;

  if (options.runs > 1) {
    if (!run.device.is_roller()) {
      return fail(ErrorCode::invalid_value,
                  fmt::format("Monte-Carlo ensembles ({}) are implemented for rollers", options.runs_field),
                  std::string(options.runs_field));
    }
    const double work =
        static_cast<double>(options.runs) * static_cast<double>(run.result.session.punctures.size());
    if (options.max_ensemble_punctures > 0 && work > static_cast<double>(options.max_ensemble_punctures)) {
      return fail(
          ErrorCode::out_of_range,
          fmt::format("{} runs of {} punctures each exceed the bound of {} punctures in all; ask for "
                      "fewer runs or a smaller zone",
                      options.runs, run.result.session.punctures.size(), options.max_ensemble_punctures),
          std::string(options.runs_field));
    }
    ph::EnsembleOptions eo;
    eo.members = options.runs;
    eo.grid_cell = in.options.grid_cell;
    eo.target = in.options.target;
    eo.threads = options.threads;
    eo.progress = options.progress;
    NW_TRY(e, ph::run_ensemble(run.device, *run.region, run.zone, in.plan, eo));
    run.ensemble = std::move(e);
  }
  // simulate_session computed the two resealing outputs, since the options carried the data.
  const ph::Resealing& healing = *run.result.resealing;
  run.barrier_h = units::in_s(healing.barrier.time_to_closed(ph::reported_closed_share)) / 3600.0;
  run.channels_h = units::in_s(healing.channels.time_to_closed(ph::reported_closed_share)) / 3600.0;
  run.input = std::move(in);
  run.document = report_json(run);
  return run;
}

Result<std::vector<unsigned char>> heatmap_png(const SimulateRun& run, double max_per_cm2) {
  ph::DensityGrid grid = run.result.grid;
  if (run.ensemble) {  // the ensemble mean per cell
    const double runs = static_cast<double>(run.ensemble->members.size());
    grid = run.ensemble->summed_grid;
    for (auto& c : grid.counts) c = static_cast<std::uint32_t>(std::lround(static_cast<double>(c) / runs));
  }
  return density_heatmap_png(grid, run.input.options.target, max_per_cm2);
}

Result<std::vector<unsigned char>> density_heatmap_png(const physics::DensityGrid& grid,
                                                       units::ArealDensity target, double max_per_cm2) {
  const double max_cm2 = max_per_cm2 > 0 ? max_per_cm2 : 2 * units::in_per_cm2(target);
  auto png = ph::render_density_png(grid, units::per_square_centimetre(max_cm2));
  if (png.empty()) return fail(ErrorCode::io_error, "the PNG encoder failed", "heatmap");
  return png;
}

std::string tip_path_svg(const SimulateRun& run) {
  // The pressure was validated by the simulation; the mean insertion E[η] as in the summary.
  const double eta = ph::make_depth_model(ph::device_class_of(run.device), run.input.plan.pressure)
                         .value_or(ph::DepthModel{})
                         .eta_expected();
  return ph::render_tip_path_svg(run.device, run.input.plan.compliance, eta);
}

Result<std::string> resealing_curves(const SimulateRun& run, const physics::ResealingData& data, bool csv) {
  const auto& device = run.device;
  const int count =
      device.is_roller() ? device.roller()->needle_count() : device.pen()->needles_per_cartridge;
  NW_TRY(open, ph::make_resealing(data, {device.needle().length, count, ph::Occlusion::open}));
  NW_TRY(occluded, ph::make_resealing(data, {device.needle().length, count, ph::Occlusion::occluded}));
  const std::vector<std::pair<std::string, ph::ResealingModel>> curves{
      {"barrier, not occluded", open.barrier},
      {"barrier, occluded", occluded.barrier},
      {"channels, not occluded", open.channels},
      {"channels, occluded", occluded.channels}};
  units::Time until = units::seconds(0);
  for (const auto& c : curves) until = std::max(until, c.second.time_to_closed(0.99));
  return csv ? ph::render_resealing_csv(curves, until) : ph::render_resealing_svg(curves, until);
}

}  // namespace needlework::clinic
