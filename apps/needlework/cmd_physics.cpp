// `needlework simulate` and `needlework devices`: the physics engine's faces. Files are read and written
// here; the engine itself (needlework/physics) takes text and returns values and bytes.

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <memory>
#include <numbers>
#include <optional>
#include <sstream>

#include "context.hpp"
#include "needlework/clinic/physics_bridge.hpp"
#include "needlework/physics/density.hpp"
#include "needlework/physics/depth.hpp"
#include "needlework/physics/device.hpp"
#include "needlework/physics/ensemble.hpp"
#include "needlework/physics/kinematics.hpp"
#include "needlework/physics/render.hpp"
#include "needlework/physics/resealing.hpp"
#include "needlework/physics/simulation.hpp"
#include "needlework/physics/skin.hpp"
#include "needlework/units/text.hpp"
#include "options.hpp"
#include "output_file.hpp"

namespace needlework::cli {
namespace {

namespace fs = std::filesystem;
namespace ph = needlework::physics;
using json = nlohmann::json;
using units::in_mm;
using units::millimetres;

// ---------------------------------------------------------------------------------------------------------------
// Data files (the edge: read text, hand it to the engine's parsers)

Result<const ph::Device*> find_device(const std::vector<ph::Device>& devices, const std::string& id) {
  for (const auto& d : devices) {
    if (d.id == id) return &d;
  }
  std::string known;
  for (const auto& d : devices) known += (known.empty() ? "" : ", ") + d.id;
  return fail(ErrorCode::unknown_id, fmt::format("unknown device `{}`; known devices: {}", id, known),
              "device");
}

// ---------------------------------------------------------------------------------------------------------------
// Inputs

/// Everything one simulation needs, gathered from defaults, an input document and the command line.
struct SimInput {
  std::string label;  // what is simulated (a clinic area, or empty)
  std::string device = "roller-192";
  std::string region = "cheek";
  std::optional<double> length_mm;
  std::vector<ph::SurfacePoint> zone;  // empty: the default 40 × 30 mm rectangle
  // Compliance NaN until set: a document or --compliance sets it, else the skin catalog's calibrated default
  // (data/skin/regions.toml [compliance]); `validate` refuses a NaN that slipped through.
  ph::StrokePlan plan{.compliance = ph::SkinCompliance{std::numeric_limits<double>::quiet_NaN()}};
  ph::SimulationOptions options;
};

Result<double> number_at(const json& j, const char* key, const std::string& where) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_number()) {
    return fail(ErrorCode::invalid_value, "must be a number", where.empty() ? key : where + "." + key);
  }
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

/// "0,0 40,0 40,30 0,30" (mm), or "WxH" for a rectangle.
Result<std::vector<ph::SurfacePoint>> parse_zone_text(const std::string& text) {
  // Numbers through the CLI's one strict parser (options.hpp): finite decimals only, no "inf", "nan" or hex.
  std::vector<ph::SurfacePoint> pts;
  if (const auto x = text.find_first_of("xX");
      x != std::string::npos && text.find(',') == std::string::npos) {
    auto w = parse_number(text.substr(0, x), "--zone");
    auto h = parse_number(text.substr(x + 1), "--zone");
    if (w && h) {
      return std::vector<ph::SurfacePoint>{{millimetres(0), millimetres(0)},
                                           {millimetres(*w), millimetres(0)},
                                           {millimetres(*w), millimetres(*h)},
                                           {millimetres(0), millimetres(*h)}};
    }
  }
  std::istringstream in(text);
  std::string token;
  while (in >> token) {
    const auto comma = token.find(',');
    auto px = comma == std::string::npos ? parse_number("", "--zone")
                                         : parse_number(token.substr(0, comma), "--zone");
    auto py = comma == std::string::npos ? px : parse_number(token.substr(comma + 1), "--zone");
    if (!px || !py) {
      return fail(
          ErrorCode::invalid_value,
          fmt::format("`{}` is not a vertex `x,y` in mm (write the zone as \"0,0 40,0 40,30\" or \"40x30\")",
                      units::excerpt(token)),
          fmt::format("--zone[{}]", pts.size()));
    }
    pts.push_back({millimetres(*px), millimetres(*py)});
  }
  return pts;
}

Result<void> apply_plan_json(const json& j, ph::StrokePlan& plan, const std::string& where) {
  if (!j.is_object()) return fail(ErrorCode::invalid_value, "must be an object", where);
  if (auto it = j.find("directions"); it != j.end()) {
    if (!it->is_array())
      return fail(ErrorCode::invalid_value, "must be an array of names", where + ".directions");
    plan.directions.clear();
    for (const auto& d : *it) {
      if (!d.is_string()) return fail(ErrorCode::invalid_value, "must be a name", where + ".directions");
      auto dir = ph::parse_stroke_direction(d.get<std::string>());
      if (!dir) return fail(ErrorCode::invalid_value, dir.error().message, where + ".directions");
      plan.directions.push_back(*dir);
    }
  }
  auto num = [&](const char* key, auto&& set) -> Result<void> {
    if (!j.contains(key)) return {};
    auto v = number_at(j, key, where);
    if (!v) return std::unexpected(v.error());
    set(*v);
    return {};
  };
  Result<void> r;
  if (r = num("passes_per_direction", [&](double v) { plan.passes_per_direction = static_cast<int>(v); }); !r)
    return r;
  if (r = num("lane_overlap", [&](double v) { plan.lane_overlap = v; }); !r) return r;
  if (r = num("lateral_step_mm", [&](double v) { plan.lateral_step = millimetres(v); }); !r) return r;
  if (r = num("hand_jitter_mm", [&](double v) { plan.hand_jitter = millimetres(v); }); !r) return r;
  if (r = num("speed_mm_per_s", [&](double v) { plan.speed = units::millimetres_per_second(v); }); !r)
    return r;
  if (r = num("pressure", [&](double v) { plan.pressure = ph::HandPressure{v}; }); !r) return r;
  if (r = num("compliance", [&](double v) { plan.compliance = ph::SkinCompliance{v}; }); !r) return r;
  if (auto it = j.find("random_phase"); it != j.end()) {
    if (!it->is_boolean())
      return fail(ErrorCode::invalid_value, "must be true or false", where + ".random_phase");
    plan.random_phase = it->get<bool>();
  }
  return {};
}

// The clinic's words for areas and devices are mapped to the physics catalog by the pack, through the one
// bridge (clinic::physics_target); the pack is loaded only for a clinic document.
struct ClinicBridge {
  const Context& ctx;
  const std::vector<ph::Device>& devices;
  const ph::RegionCatalog& regions;
  std::optional<needlework::knowledge::Pack> pack;

  Result<SimInput> from_clinic_area(const std::string& area, double length_mm, const std::string& device,
                                    const std::string& where) {
    if (!pack) {
      NW_TRY(loaded, load_selected_pack(ctx));
      pack = std::move(loaded);
    }
    auto target = needlework::clinic::physics_target(*pack, regions, devices, area, device);
    if (!target) {
      auto e = target.error();
      e.where = where + "." + e.where;
      return std::unexpected(e);
    }
    SimInput in;
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
};

/// Reads an input document: a simulate document, a clinic session, or a clinic plan (one input per area).
Result<std::vector<SimInput>> parse_input_document(const json& j, const std::string& source,
                                                   ClinicBridge& bridge) {
  if (!j.is_object()) return fail(ErrorCode::invalid_value, "must be a JSON object", source);
  // A clinic plan: every area that is not refused, at the longest needle the plan allows there.
  if (auto areas = j.find("areas"); areas != j.end() && areas->is_array()) {
    std::vector<SimInput> out;
    for (std::size_t i = 0; i < areas->size(); ++i) {
      const auto& a = (*areas)[i];
      const std::string where = fmt::format("{}: areas[{}]", source, i);
      if (a.value("refused", false)) continue;
      const auto range = a.find("needle_length_mm");
      if (range == a.end() || !range->is_array() || range->size() != 2 || !(*range)[1].is_number()) {
        return fail(ErrorCode::invalid_value, "must be a [min, max] pair of mm", where + ".needle_length_mm");
      }
      auto in = bridge.from_clinic_area(a.value("area", ""), (*range)[1].get<double>(), a.value("device", ""),
                                        where);
      if (!in) return std::unexpected(in.error());
      out.push_back(std::move(*in));
    }
    if (out.empty())
      return fail(ErrorCode::invalid_value, "the plan has no area that is not refused", source + ": areas");
    return out;
  }
  // A clinic session: one area, one needle.
  if (auto area = j.find("area"); area != j.end() && area->is_string()) {
    auto length = number_at(j, "needle_length_mm", source);
    if (!length) return std::unexpected(length.error());
    auto in = bridge.from_clinic_area(area->get<std::string>(), *length, j.value("device", ""), source);
    if (!in) return std::unexpected(in.error());
    return std::vector<SimInput>{std::move(*in)};
  }
  // A simulate document (docs/physics.md).
  SimInput in;
  if (auto it = j.find("device"); it != j.end()) {
    if (!it->is_string()) return fail(ErrorCode::invalid_value, "must be a device id", source + ": device");
    in.device = it->get<std::string>();
  }
  if (auto it = j.find("region"); it != j.end()) {
    if (!it->is_string()) return fail(ErrorCode::invalid_value, "must be a region id", source + ": region");
    in.region = it->get<std::string>();
  }
  if (j.contains("needle_length_mm")) {
    auto v = number_at(j, "needle_length_mm", source + ":");
    if (!v) return std::unexpected(v.error());
    in.length_mm = *v;
  }
  if (auto it = j.find("zone_mm"); it != j.end()) {
    auto z = parse_zone_json(*it, source + ": zone_mm");
    if (!z) return std::unexpected(z.error());
    in.zone = std::move(*z);
  }
  if (auto it = j.find("plan"); it != j.end()) {
    if (auto r = apply_plan_json(*it, in.plan, source + ": plan"); !r) return std::unexpected(r.error());
  }
  if (auto it = j.find("seed"); it != j.end()) {
    if (!it->is_number_unsigned())
      return fail(ErrorCode::invalid_value, "must be a whole number ≥ 0", source + ": seed");
    in.plan.seed = ph::Seed{it->get<std::uint64_t>()};
  }
  if (j.contains("grid_cell_mm")) {
    auto v = number_at(j, "grid_cell_mm", source + ":");
    if (!v) return std::unexpected(v.error());
    in.options.grid_cell = millimetres(*v);
  }
  if (j.contains("target_per_cm2")) {
    auto v = number_at(j, "target_per_cm2", source + ":");
    if (!v) return std::unexpected(v.error());
    in.options.target = units::per_square_centimetre(*v);
  }
  if (auto it = j.find("occluded"); it != j.end() && it->is_boolean()) {
    in.options.occlusion = it->get<bool>() ? ph::Occlusion::occluded : ph::Occlusion::open;
  }
  return std::vector<SimInput>{std::move(in)};
}

// ---------------------------------------------------------------------------------------------------------------
// Output

// Never "0.0 %" for a non-zero share (a refusal beside "beyond the dermis 0.0 %" would contradict itself).
std::string percent(double share) { return ph::percent_text(share); }

json layers_json(const ph::LayerFractions& f) {
  return json{{"epidermis", f.epidermis},
              {"papillary_dermis", f.papillary_dermis},
              {"reticular_dermis", f.reticular_dermis},
              {"beyond_dermis", f.beyond_dermis}};
}

std::string layers_text(const ph::LayerFractions& f) {
  return fmt::format("epidermis {}, papillary dermis {}, reticular dermis {}, beyond the dermis {}",
                     percent(f.epidermis), percent(f.papillary_dermis), percent(f.reticular_dermis),
                     percent(f.beyond_dermis));
}

std::string directions_text(const ph::StrokePlan& plan) {
  std::string s;
  for (auto d : plan.directions) s += (s.empty() ? "" : ", ") + std::string(ph::to_string(d));
  return s;
}

struct Outputs {
  std::string heatmap, svg, resealing;
  double heatmap_max_per_cm2 = 0;  // 0: twice the target
  int runs = 1;
  bool force = false;  // --force: the files may replace existing ones
};

/// Runs one input and prints or collects its report; returns the exit code it deserves.
int run_simulation(Context& ctx, SimInput in, const std::vector<ph::Device>& devices,
                   const ph::RegionCatalog& regions, const ph::ResealingData& resealing, const Outputs& out,
                   json& collected) {
  auto device_ptr = find_device(devices, in.device);
  if (!device_ptr) return report(ctx, device_ptr.error());
  ph::Device device = **device_ptr;
  if (in.length_mm) {
    auto d = ph::with_needle_length(device, millimetres(*in.length_mm));
    if (!d) return report(ctx, d.error());
    device = std::move(*d);
  }
  auto region = regions.find(in.region);
  if (!region) return report(ctx, region.error());
  std::vector<ph::SurfacePoint> vertices = in.zone;
  if (vertices.empty()) {
    vertices = {{millimetres(0), millimetres(0)},
                {millimetres(40), millimetres(0)},
                {millimetres(40), millimetres(30)},
                {millimetres(0), millimetres(30)}};
  }
  auto zone = ph::make_zone(vertices);
  if (!zone) return report(ctx, zone.error());
  if (auto ok = ph::validate(in.plan); !ok) return report(ctx, ok.error());
  if (out.runs < 1) return report(ctx, Error{ErrorCode::out_of_range, "must be at least 1", "--runs"});

  in.options.resealing = &resealing;
  auto sim = ph::simulate_session(device, **region, *zone, in.plan, in.options);
  if (!sim) return report(ctx, sim.error());
  // simulate_session computed the two resealing outputs, since the options carried the data.
  const ph::Resealing& healing = *sim->resealing;
  const ph::DeviceClass cls = ph::device_class_of(device);
  auto safety = ph::check_within_dermis(regions, in.region, cls, device.needle().length, in.plan.pressure);
  auto max_safe = ph::max_safe_length(regions, in.region, cls, in.plan.pressure);

  std::optional<ph::EnsembleResult> ensemble;
  if (out.runs > 1) {
    if (!device.is_roller()) {
      return report(ctx, Error{ErrorCode::invalid_value,
                               "Monte-Carlo ensembles (--runs) are implemented for rollers", "--runs"});
    }
    ProgressBar bar(!ctx.json, "runs");
    ph::EnsembleOptions eo;
    eo.members = out.runs;
    eo.grid_cell = in.options.grid_cell;
    eo.target = in.options.target;
    eo.progress = [&bar](int done, int total) { bar.update(done, total); };
    auto e = ph::run_ensemble(device, **region, *zone, in.plan, eo);
    if (!e) return report(ctx, e.error());
    ensemble = std::move(*e);
  }

  // Files the user asked for.
  if (!out.heatmap.empty()) {
    ph::DensityGrid grid = sim->grid;
    if (ensemble) {  // the ensemble mean per cell
      grid = ensemble->summed_grid;
      for (auto& c : grid.counts)
        c = static_cast<std::uint32_t>(std::lround(static_cast<double>(c) / out.runs));
    }
    const double max_cm2 =
        out.heatmap_max_per_cm2 > 0 ? out.heatmap_max_per_cm2 : 2 * units::in_per_cm2(in.options.target);
    const auto png = ph::render_density_png(grid, units::per_square_centimetre(max_cm2));
    if (png.empty()) return report(ctx, Error{ErrorCode::io_error, "the PNG encoder failed", out.heatmap});
    const std::string_view bytes(reinterpret_cast<const char*>(png.data()), png.size());
    if (auto w = write_output_file(out.heatmap, bytes, {"--heatmap", out.force, {}}); !w)
      return report(ctx, w.error());
  }
  if (!out.svg.empty()) {
    // The pressure was validated by the simulation above; the mean insertion E[η] as in the summary.
    const double eta = ph::make_depth_model(ph::device_class_of(device), in.plan.pressure)
                           .value_or(ph::DepthModel{})
                           .eta_expected();
    const std::string svg = ph::render_tip_path_svg(device, in.plan.compliance, eta);
    if (auto w = write_output_file(out.svg, svg, {"--svg", out.force, {}}); !w) return report(ctx, w.error());
  }
  if (!out.resealing.empty()) {
    // Both outputs under both conditions, whatever --occluded says: the file compares them.
    const int count =
        device.is_roller() ? device.roller()->needle_count() : device.pen()->needles_per_cartridge;
    const auto open = ph::make_resealing(resealing, {device.needle().length, count, ph::Occlusion::open});
    const auto occluded =
        ph::make_resealing(resealing, {device.needle().length, count, ph::Occlusion::occluded});
    if (!open) return report(ctx, open.error());
    if (!occluded) return report(ctx, occluded.error());
    const std::vector<std::pair<std::string, ph::ResealingModel>> curves{
        {"barrier, not occluded", open->barrier},
        {"barrier, occluded", occluded->barrier},
        {"channels, not occluded", open->channels},
        {"channels, occluded", occluded->channels}};
    units::Time until = units::seconds(0);
    for (const auto& c : curves) until = std::max(until, c.second.time_to_closed(0.99));
    const bool csv = out.resealing.size() >= 4 && out.resealing.substr(out.resealing.size() - 4) == ".csv";
    const std::string text =
        csv ? ph::render_resealing_csv(curves, until) : ph::render_resealing_svg(curves, until);
    if (auto w = write_output_file(out.resealing, text, {"--resealing", out.force, {}}); !w)
      return report(ctx, w.error());
  }

  const auto& s = sim->session;
  const auto& d = sim->density;
  const auto& needle = device.needle();
  const double barrier_h = units::in_s(healing.barrier.time_to_closed(ph::reported_closed_share)) / 3600.0;
  const double channels_h = units::in_s(healing.channels.time_to_closed(ph::reported_closed_share)) / 3600.0;
  auto curve_json = [](const ph::ResealingModel& m, double closed_h) {
    return json{{"closed_95_h", closed_h}, {"scale_h", units::in_s(m.scale) / 3600.0}, {"shape", m.shape}};
  };
  json j{{"device", device.id},
         {"region", in.region},
         {"needle_length_mm", in_mm(needle.length)},
         {"needle_diameter_mm", in_mm(needle.diameter)},
         {"zone_area_cm2", units::in_cm2(zone->area())},
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
         {"slit_mm", in_mm(sim->slit)},
         {"mean_effective_depth_mm", in_mm(sim->mean_depth)},
         {"layers_exact", layers_json(sim->layers_exact)},
         {"layers_sampled", layers_json(sim->layers_sampled)},
         {"beyond_dermis", sim->beyond_dermis},
         {"resealing",
          {{"occlusion", in.options.occlusion == ph::Occlusion::open ? "open" : "occluded"},
           {"barrier", curve_json(healing.barrier, barrier_h)},
           {"channels", curve_json(healing.channels, channels_h)}}}};
  for (auto dir : in.plan.directions) j["plan"]["directions"].push_back(ph::to_string(dir));
  if (!in.label.empty()) j["clinic_area"] = in.label;
  if (device.is_roller()) {
    // At the mean insertion E[η], the same η as the summary's slit and mean depth.
    const double eta = in_mm(sim->mean_depth) / in_mm(needle.length);
    const auto pen = ph::calc_penetration(device.roller()->drum_radius, needle.length, eta);
    j["slit_rigid_mm"] = in_mm(pen.slit_rigid);
    j["entry_angle_deg"] = pen.entry_angle_rad * 180.0 / std::numbers::pi;
  }
  if (max_safe) j["max_safe_needle_length_mm"] = in_mm(*max_safe);
  if (!safety) j["refusal"] = {{"code", to_string(safety.error().code)}, {"message", safety.error().message}};
  if (ensemble) {
    const double n = static_cast<double>(ensemble->members.size());
    double mean = 0, mean_sq = 0, cv = 0, share = 0;
    for (const auto& m : ensemble->members) {
      const double v = units::in_per_cm2(m.mean);
      mean += v / n;
      mean_sq += v * v / n;
      cv += m.coefficient_of_variation / n;
      share += m.share_at_or_above_target / n;
    }
    j["ensemble"] = {{"runs", ensemble->members.size()},
                     {"punctures", ensemble->total_punctures},
                     {"mean_per_cm2", mean},
                     {"mean_per_cm2_sd", std::sqrt(std::max(0.0, mean_sq - mean * mean))},
                     {"coefficient_of_variation", cv},
                     {"share_at_or_above_target", share}};
  }

  if (ctx.json) {
    collected.push_back(j);
  } else {
    const std::string title = in.label.empty() ? "" : fmt::format(" (clinic area: {})", in.label);
    fmt::print("Simulation{}: {} — {} on the {}\n", title, device.name,
               fmt::format("{} mm needles", in_mm(needle.length)), (*region)->name);
    fmt::print("  {:<24} {:.1f} cm², seed {}\n", "zone", units::in_cm2(zone->area()), in.plan.seed.value);
    fmt::print("  {:<24} {} × {} = {} passes, {} strokes, {:.1f} s at {} mm/s\n", "plan",
               directions_text(in.plan), in.plan.passes_per_direction, s.passes, s.strokes,
               units::in_s(s.duration), units::in_mm_per_s(in.plan.speed));
    if (device.is_roller())
      fmt::print("  {:<24} {:.1f}\n", "drum revolutions", s.revolutions);
    else
      fmt::print("  {:<24} {}\n", "stamps", s.stamps);
    fmt::print("  {:<24} {} ({} in the zone)\n", "punctures", s.punctures.size(), d.punctures_in_zone);
    fmt::print("  {:<24} {:.1f} /cm²\n", "mean density", units::in_per_cm2(d.mean));
    fmt::print("  {:<24} {:.2f} ({} mm cells)\n", "coefficient of variation", d.coefficient_of_variation,
               in_mm(in.options.grid_cell));
    fmt::print("  {:<24} {} of the zone at ≥ {:.0f} /cm²\n", "at target", percent(d.share_at_or_above_target),
               units::in_per_cm2(d.target));
    fmt::print("  {:<24} {}\n", "re-hits", percent(d.rehit_fraction));
    fmt::print("  {:<24} {}\n", "damaged surface", percent(d.damaged_fraction));
    if (device.is_roller()) {
      fmt::print("  {:<24} {:.3f} mm (rigid skin {:.3f} mm, compliance {:.2f}); entry angle {:.1f}°\n",
                 "slit", in_mm(sim->slit), j["slit_rigid_mm"].get<double>(), in.plan.compliance.value,
                 j["entry_angle_deg"].get<double>());
    } else {
      fmt::print("  {:<24} {:.3f} mm round holes (perpendicular entry)\n", "wound", in_mm(sim->slit));
    }
    fmt::print("  {:<24} {:.3f} mm (pressure {:.2f})\n", "mean effective depth", in_mm(sim->mean_depth),
               in.plan.pressure.level);
    fmt::print("  {:<24} {}\n", "layers", layers_text(sim->layers_exact));
    fmt::print("  {:<24} {}\n", "layers (this run)", layers_text(sim->layers_sampled));
    const char* condition = in.options.occlusion == ph::Occlusion::open ? "not occluded" : "occluded";
    fmt::print("  {:<24} 95 % back after {:.1f} h, {} ({})\n", "barrier recovery", barrier_h, condition,
               resealing.barrier.under(in.options.occlusion).cite);
    fmt::print("  {:<24} 95 % closed after {:.1f} h, {} ({})\n", "channel closure", channels_h, condition,
               resealing.channels.under(in.options.occlusion).cite);
    if (ensemble) {
      fmt::print("  {:<24} {} runs, {} punctures: mean {:.1f} ± {:.1f} /cm², CV {:.2f}, {} at target\n",
                 "ensemble", ensemble->members.size(), ensemble->total_punctures,
                 j["ensemble"]["mean_per_cm2"].get<double>(), j["ensemble"]["mean_per_cm2_sd"].get<double>(),
                 j["ensemble"]["coefficient_of_variation"].get<double>(),
                 percent(j["ensemble"]["share_at_or_above_target"].get<double>()));
    }
    if (!safety)
      fmt::print("\n  REFUSED: {}\n", safety.error().message);
    else if (max_safe)
      fmt::print("  {:<24} {:.2f} mm on this region at this pressure\n", "longest safe needle",
                 in_mm(*max_safe));
    fmt::print("\n");
  }
  return safety ? exit_ok : exit_attention;
}

// ---------------------------------------------------------------------------------------------------------------
// devices

void print_devices(Context& ctx, const std::vector<const ph::Device*>& list, ph::SkinCompliance compliance) {
  // Slit and entry angle at the mean insertion of a roller at moderate pressure (depth.hpp, kinematics.hpp).
  const double eta = ph::make_depth_model(ph::DeviceClass::roller, ph::HandPressure{0.5})->eta_expected();
  json all = json::array();
  std::vector<std::vector<std::string>> rows;
  const std::vector<std::string> labels{"kind",
                                        "use",
                                        "needles",
                                        "drum D × W mm",
                                        "rings × per ring",
                                        "needle mm",
                                        "max length mm",
                                        "diameter mm",
                                        "per pass /cm²",
                                        "passes → 250/cm²",
                                        "rigid slit mm",
                                        "slit mm (compl.)",
                                        "entry angle °",
                                        "stamps/s",
                                        "sources"};
  for (const auto* d : list) {
    const auto& n = d->needle();
    json j{{"id", d->id},
           {"name", d->name},
           {"use", d->use},
           {"sources", d->sources},
           {"needle_length_mm", in_mm(n.length)},
           {"needle_diameter_mm", in_mm(n.diameter)}};
    std::vector<std::string> col;
    if (const auto* r = d->roller()) {
      const auto pen = ph::calc_penetration(r->drum_radius, n.length, eta);
      const double per_pass = units::in_per_cm2(r->density_per_pass());
      const double slit = in_mm(ph::calc_slit_length(r->drum_radius, n.length, n.diameter, compliance, eta));
      j.update({{"kind", "roller"},
                {"needles", r->needle_count()},
                {"drum_diameter_mm", 2 * in_mm(r->drum_radius)},
                {"drum_width_mm", in_mm(r->drum_width)},
                {"rings", r->rings},
                {"needles_per_ring", r->needles_per_ring},
                {"max_needle_length_mm", in_mm(r->max_needle_length)},
                {"density_per_pass_per_cm2", per_pass},
                {"slit_rigid_mm", in_mm(pen.slit_rigid)},
                {"slit_mm", slit},
                {"entry_angle_deg", pen.entry_angle_rad * 180 / std::numbers::pi}});
      col = {"roller",
             d->use,
             fmt::format("{}", r->needle_count()),
             fmt::format("{:g} × {:g}", 2 * in_mm(r->drum_radius), in_mm(r->drum_width)),
             r->rings > 0 ? fmt::format("{} × {}", r->rings, r->needles_per_ring) : "explicit",
             fmt::format("{:g}", in_mm(n.length)),
             fmt::format("{:g}", in_mm(r->max_needle_length)),
             fmt::format("{:g}", in_mm(n.diameter)),
             fmt::format("{:.1f}", per_pass),
             fmt::format("{:.1f}", 250.0 / per_pass),
             fmt::format("{:.3f}", in_mm(pen.slit_rigid)),
             fmt::format("{:.3f}", slit),
             fmt::format("{:.1f}", pen.entry_angle_rad * 180 / std::numbers::pi),
             "—",
             fmt::format("{}", d->sources.size())};
    } else {
      const auto* p = d->pen();
      j.update({{"kind", "pen"},
                {"needles", p->needles_per_cartridge},
                {"cartridge_diameter_mm", in_mm(p->cartridge_diameter)},
                {"stamp_rate_hz", units::in_hz(p->stamp_rate)},
                {"min_depth_mm", in_mm(p->min_depth)},
                {"max_depth_mm", in_mm(p->max_depth)}});
      col = {"pen",
             d->use,
             fmt::format("{}", p->needles_per_cartridge),
             fmt::format("cartridge {:g}", in_mm(p->cartridge_diameter)),
             "—",
             fmt::format("{:g}", in_mm(n.length)),
             fmt::format("{:g}", in_mm(p->max_depth)),
             fmt::format("{:g}", in_mm(n.diameter)),
             "speed-dependent",
             "—",
             "0 (perpendicular)",
             fmt::format("{:g}", in_mm(n.diameter)),
             "0",
             fmt::format("{:g}", units::in_hz(p->stamp_rate)),
             fmt::format("{}", d->sources.size())};
    }
    all.push_back(j);
    rows.push_back(col);
  }
  if (ctx.json) {
    print_json(all);
    return;
  }
  std::size_t label_width = 0;
  for (const auto& l : labels) label_width = std::max(label_width, l.size());
  std::vector<std::size_t> widths;
  for (std::size_t c = 0; c < list.size(); ++c) {
    std::size_t w = list[c]->id.size();
    for (const auto& cell : rows[c]) w = std::max(w, cell.size());
    widths.push_back(w);
  }
  // Labels and cells contain multi-byte characters (×, →, °): pad by code points, not bytes.
  auto pad = [](const std::string& s, std::size_t width) {
    std::size_t points = 0;
    for (unsigned char ch : s) points += (ch & 0xC0) != 0x80 ? 1 : 0;
    return s + std::string(width > points ? width - points : 0, ' ');
  };
  std::string header = pad("", label_width);
  for (std::size_t c = 0; c < list.size(); ++c) header += "  " + pad(list[c]->id, widths[c]);
  fmt::print("{}\n", header);
  for (std::size_t r = 0; r < labels.size(); ++r) {
    std::string line = pad(labels[r], label_width);
    for (std::size_t c = 0; c < list.size(); ++c) line += "  " + pad(rows[c][r], widths[c]);
    fmt::print("{}\n", line);
  }
  fmt::print(
      "\nSlit and entry angle at moderate pressure (mean insertion η = {:.2f}), compliance {:.2f}; densities "
      "for abutting lanes. Sources: `needlework devices --json`.\n",
      eta, compliance.value);
}

// ---------------------------------------------------------------------------------------------------------------
// regions

/// The longest safe needle of a device class on a region at an assurance, with the η spread given.
double longest_safe_mm(const ph::Region& region, ph::DeviceClass cls, const ph::Assurance& a,
                       double eta_half_width = ph::eta_half_width) {
  auto client = ph::at_percentile(region, a.sex, a.client_percentile);
  auto model = ph::make_depth_model(cls, a.max_pressure);
  if (!client || !model) return 0.0;
  model->eta_half_width = eta_half_width;
  return in_mm(ph::max_safe_length_on(*client, *model, a.tolerated_beyond_share));
}

struct GuardView {
  std::string rule;
  std::string action;
  ph::Assurance assurance;
};

json regions_json(const ph::RegionCatalog& regions, const std::vector<GuardView>& guards) {
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
  return out;
}

void print_regions(const ph::RegionCatalog& regions, const std::vector<GuardView>& guards,
                   const std::string& pack) {
  fmt::print("Skin regions (data/skin/regions.toml); longest safe needle at the depth guards of pack {}\n",
             pack);
  for (const auto& g : guards) fmt::print("  {} ({}): {}\n", g.rule, g.action, ph::describe(g.assurance));
  for (const auto& r : regions.regions) {
    fmt::print("\n{} — {}\n", r.id, r.name);
    if (!r.note.empty()) fmt::print("  note: {}\n", r.note);
    fmt::print("  {:<14} {:.3f} mm  {}\n", "epidermis", in_mm(r.epidermis), r.sources.at(0));
    for (const auto& f : r.dermis_figures) {
      fmt::print("  {:<14} {:.3f} ± {:.3f} mm  {}, {}{}\n", fmt::format("dermis ({})", ph::to_string(f.sex)),
                 in_mm(f.mean), in_mm(f.sd), f.method,
                 f.n == 0 ? std::string("n unknown") : fmt::format("n = {}", f.n),
                 f.sd_assumed() ? ", SD ASSUMED" : "");
      fmt::print("  {:<14} {}\n", "", f.mean_source);
    }
    for (const auto& g : guards) {
      fmt::print("  {:<14} roller {:.2f} mm, pen {:.2f} mm  ({})\n", "longest safe",
                 longest_safe_mm(r, ph::DeviceClass::roller, g.assurance),
                 longest_safe_mm(r, ph::DeviceClass::pen, g.assurance), g.rule);
    }
  }
}

/// How the longest safe roller needle moves with η, the client percentile, the hand pressure and the study
/// chosen (docs/physics.md "Sensitivity"). Baseline: the given assurance, roller, η spread ±0.10.
json sensitivity_json(const ph::RegionCatalog& regions, const ph::Assurance& base) {
  json rows = json::array();
  auto with = [&](auto change) {
    ph::Assurance a = base;
    change(a);
    return a;
  };
  auto mm2 = [](double v) { return std::round(v * 100) / 100; };
  for (const auto& r : regions.regions) {
    json studies = json::array();
    for (const auto& f : r.dermis_figures) {
      ph::Region alone = r;
      alone.dermis_figures = {f};
      studies.push_back({{"figure", fmt::format("{} {} {:.2f} ± {:.2f}", f.method, ph::to_string(f.sex),
                                                in_mm(f.mean), in_mm(f.sd))},
                         {"roller_mm", mm2(longest_safe_mm(alone, ph::DeviceClass::roller,
                                                           with([](auto& a) { a.sex = ph::Sex::any; })))}});
    }
    rows.push_back(
        {{"region", r.id},
         {"baseline_mm", mm2(longest_safe_mm(r, ph::DeviceClass::roller, base))},
         {"eta_spread_0.05_mm", mm2(longest_safe_mm(r, ph::DeviceClass::roller, base, 0.05))},
         {"eta_spread_0.15_mm", mm2(longest_safe_mm(r, ph::DeviceClass::roller, base, 0.15))},
         {"pen_mm", mm2(longest_safe_mm(r, ph::DeviceClass::pen, base))},
         {"median_client_mm",
          mm2(longest_safe_mm(r, ph::DeviceClass::roller, with([](auto& a) { a.client_percentile = 50; })))},
         {"p1_client_mm",
          mm2(longest_safe_mm(r, ph::DeviceClass::roller, with([](auto& a) { a.client_percentile = 1; })))},
         {"pressure_0.5_mm", mm2(longest_safe_mm(r, ph::DeviceClass::roller, with([](auto& a) {
                                                   a.max_pressure = ph::HandPressure{0.5};
                                                 })))},
         {"pressure_1.0_mm", mm2(longest_safe_mm(r, ph::DeviceClass::roller, with([](auto& a) {
                                                   a.max_pressure = ph::HandPressure{1.0};
                                                 })))},
         {"by_study", studies}});
  }
  return {{"baseline", ph::describe(base) + ", roller, η spread ±0.10"}, {"rows", rows}};
}

void print_sensitivity(const json& j) {
  fmt::print("Longest safe roller needle (mm). Baseline: {}.\n\n", j["baseline"].get<std::string>());
  fmt::print("  {:<14} {:>8} {:>8} {:>8} {:>6} {:>8} {:>6} {:>8} {:>8}  {}\n", "region", "baseline", "η±0.05",
             "η±0.15", "pen", "median", "p1", "press.0.5", "press.1", "by study (roller, either sex)");
  for (const auto& r : j["rows"]) {
    std::string studies;
    for (const auto& s : r["by_study"]) {
      studies += fmt::format("{}{}: {:.2f}", studies.empty() ? "" : "; ", s["figure"].get<std::string>(),
                             s["roller_mm"].get<double>());
    }
    fmt::print("  {:<14} {:>8.2f} {:>8.2f} {:>8.2f} {:>6.2f} {:>8.2f} {:>6.2f} {:>9.2f} {:>8.2f}  {}\n",
               r["region"].get<std::string>(), r["baseline_mm"].get<double>(),
               r["eta_spread_0.05_mm"].get<double>(), r["eta_spread_0.15_mm"].get<double>(),
               r["pen_mm"].get<double>(), r["median_client_mm"].get<double>(),
               r["p1_client_mm"].get<double>(), r["pressure_0.5_mm"].get<double>(),
               r["pressure_1.0_mm"].get<double>(), studies);
  }
}

}  // namespace

/// The most sessions a Monte-Carlo ensemble (--runs) simulates: each run is a whole session and keeps its own
/// statistics and a seed, so the count sizes memory and time (`--runs 1000000000` allocated until it failed);
/// far fewer runs settle every figure the report prints. A bound of the work, not of physics.
constexpr int max_runs = 100'000;

void add_physics_commands(CLI::App& app, Context& ctx) {
  // simulate
  struct SimulateArgs {
    std::string input, device, region, zone, directions, heatmap, svg, resealing;
    double length_mm = 0, overlap = 0, step_mm = 0, jitter_mm = 0, speed = 0, pressure = 0, compliance = 0,
           cell_mm = 0, target = 0, heatmap_max = 0;
    int passes = 0, runs = 1;
    std::uint64_t seed = 1;
    bool no_random_phase = false, occluded = false, force = false;
  };
  auto args = std::make_shared<SimulateArgs>();
  auto* sim =
      app.add_subcommand("simulate",
                         "Simulate a micro-needling session: punctures, density, depth by layer, resealing.\n"
                         "Examples:\n"
                         "  needlework simulate --device roller-192 --region cheek --zone 40x30\n"
                         "  needlework simulate --length-mm 1.5 --region periorbital   (refused: exit 5)\n"
                         "  needlework simulate examples/session.json --heatmap d.png --svg tip.svg\n"
                         "  needlework simulate --runs 1000 --zone 150x200 --json");
  sim->add_option(
      "input", args->input,
      "JSON input (- for stdin): a simulate document, a clinic session or a clinic plan (docs/physics.md)");
  auto* o_device =
      sim->add_option("--device", args->device, "Device id (see `needlework devices`; default roller-192)");
  auto* o_region =
      sim->add_option("--region", args->region, "Skin region id from data/skin/regions.toml (default cheek)");
  auto* o_length = add_number_option(*sim, "--length-mm", args->length_mm, any_finite,
                                     "Needle length (roller) or depth setting (pen), mm");
  auto* o_zone =
      sim->add_option("--zone", args->zone, "Zone polygon in mm: \"0,0 40,0 40,30 0,30\" or \"40x30\"");
  auto* o_dirs = sim->add_option("--directions", args->directions,
                                 "Comma-separated: horizontal,vertical,diagonal,anti_diagonal");
  auto* o_passes = add_integer_option(*sim, "--passes", args->passes, std::numeric_limits<int>::min(),
                                      std::numeric_limits<int>::max(), "Passes per direction (default 5)");
  auto* o_overlap = add_number_option(*sim, "--overlap", args->overlap, any_finite,
                                      "Share of the drum width adjacent lanes overlap, 0–0.9");
  auto* o_step = add_number_option(*sim, "--step-mm", args->step_mm, any_finite,
                                   "Distance between lane centres, mm (replaces --overlap)");
  auto* o_jitter = add_number_option(*sim, "--jitter-mm", args->jitter_mm, any_finite,
                                     "Hand jitter: lateral SD of each lane, mm");
  auto* o_speed = add_number_option(*sim, "--speed-mm-s", args->speed, any_finite,
                                    "Hand speed along a lane, mm/s (default 30)");
  auto* o_pressure = add_number_option(*sim, "--pressure", args->pressure, any_finite,
                                       "Hand pressure 0 (light) – 1 (firm), default 0.5");
  auto* o_compliance = add_number_option(
      *sim, "--compliance", args->compliance, any_finite,
      "Skin compliance 0 (rigid, cycloid slit) – 1 (round hole); default: the calibrated value "
      "of data/skin/regions.toml");
  auto* o_seed = add_integer_option(*sim, "--seed", args->seed, "Random seed (default 1)");
  sim->add_flag("--no-random-phase", args->no_random_phase,
                "Start every lane at drum angle 0, lanes flush with the edge");
  auto* o_cell =
      add_number_option(*sim, "--cell-mm", args->cell_mm, any_finite, "Density grid cell, mm (default 2)");
  auto* o_target = add_number_option(*sim, "--target", args->target, any_finite,
                                     "Target density, punctures/cm² (default 250)");
  sim->add_flag("--occluded", args->occluded, "The skin is covered after the session (slower resealing)");
  sim->add_option("--heatmap", args->heatmap, "Write a PNG density heatmap here");
  add_number_option(*sim, "--heatmap-max", args->heatmap_max, any_finite,
                    "Top of the heatmap colour scale, /cm² (default 2 × target)");
  sim->add_option("--svg", args->svg, "Write an SVG of the needle tip path and slit here");
  sim->add_option("--resealing", args->resealing,
                  "Write the resealing curves here (barrier and channels, both conditions; .svg, or .csv)");
  sim->add_flag("--force", args->force, "Replace existing --heatmap, --svg or --resealing files");
  add_integer_option(*sim, "--runs", args->runs, 1, max_runs,
                     "Monte-Carlo ensemble of this many sessions (rollers; default 1, at most 100000)");

  sim->callback([&ctx, args, o_device, o_region, o_length, o_zone, o_dirs, o_passes, o_overlap, o_step,
                 o_jitter, o_speed, o_pressure, o_compliance, o_seed, o_cell, o_target]() {
    const fs::path data = ctx.data_dir();
    auto devices = load_devices(data);
    if (!devices) {
      ctx.exit_code = report(ctx, devices.error());
      return;
    }
    auto regions = load_skin_regions(ctx);
    if (!regions) {
      ctx.exit_code = report(ctx, regions.error());
      return;
    }
    auto resealing = load_resealing(ctx);
    if (!resealing) {
      ctx.exit_code = report(ctx, resealing.error());
      return;
    }
    std::vector<SimInput> inputs{SimInput{}};
    if (!args->input.empty()) {
      auto text = read_input(args->input);
      if (!text) {
        ctx.exit_code = report(ctx, text.error());
        return;
      }
      auto doc = parse_json(*text, args->input);
      if (!doc) {
        ctx.exit_code = report(ctx, doc.error());
        return;
      }
      ClinicBridge bridge{ctx, *devices, *regions, std::nullopt};
      auto parsed = parse_input_document(*doc, args->input == "-" ? "<stdin>" : args->input, bridge);
      if (!parsed) {
        ctx.exit_code = report(ctx, parsed.error());
        return;
      }
      inputs = std::move(*parsed);
    }
    // Command-line options override the document.
    for (auto& in : inputs) {
      if (o_device->count()) in.device = args->device;
      if (o_region->count()) in.region = args->region;
      if (o_length->count()) in.length_mm = args->length_mm;
      if (o_zone->count()) {
        auto z = parse_zone_text(args->zone);
        if (!z) {
          ctx.exit_code = report(ctx, z.error());
          return;
        }
        in.zone = std::move(*z);
      }
      if (o_dirs->count()) {
        in.plan.directions.clear();
        std::istringstream ss(args->directions);
        std::string name;
        while (std::getline(ss, name, ',')) {
          auto d = ph::parse_stroke_direction(name);
          if (!d) {
            Error e = d.error();
            e.where = "--directions";
            ctx.exit_code = report(ctx, e);
            return;
          }
          in.plan.directions.push_back(*d);
        }
      }
      if (o_passes->count()) in.plan.passes_per_direction = args->passes;
      if (o_overlap->count()) in.plan.lane_overlap = args->overlap;
      if (o_step->count()) in.plan.lateral_step = millimetres(args->step_mm);
      if (o_jitter->count()) in.plan.hand_jitter = millimetres(args->jitter_mm);
      if (o_speed->count()) in.plan.speed = units::millimetres_per_second(args->speed);
      if (o_pressure->count()) in.plan.pressure = ph::HandPressure{args->pressure};
      if (o_compliance->count()) in.plan.compliance = ph::SkinCompliance{args->compliance};
      if (std::isnan(in.plan.compliance.value)) in.plan.compliance = regions->compliance;
      if (o_seed->count()) in.plan.seed = ph::Seed{args->seed};
      if (args->no_random_phase) in.plan.random_phase = false;
      if (o_cell->count()) in.options.grid_cell = millimetres(args->cell_mm);
      if (o_target->count()) in.options.target = units::per_square_centimetre(args->target);
      if (args->occluded) in.options.occlusion = ph::Occlusion::occluded;
    }
    Outputs out{args->heatmap, args->svg, args->resealing, args->heatmap_max, args->runs, args->force};
    json collected = json::array();
    int worst = exit_ok;
    for (const auto& in : inputs) {
      const int code = run_simulation(ctx, in, *devices, *regions, *resealing, out, collected);
      if (code != exit_ok && code != exit_attention) {
        ctx.exit_code = code;
        return;
      }
      worst = std::max(worst, code);
      // The files were checked (and written) for the first input; each further input of a plan rewrites them.
      out.force = true;
    }
    if (ctx.json) print_json(collected.size() == 1 ? collected[0] : collected);
    ctx.exit_code = worst;
  });

  // devices
  struct DevicesArgs {
    std::vector<std::string> ids;
    std::optional<double> compliance;
  };
  auto dargs = std::make_shared<DevicesArgs>();
  auto* dev =
      app.add_subcommand("devices",
                         "List the device catalog and compare devices side by side.\n"
                         "Examples:\n  needlework devices\n  needlework devices roller-192 pen-12 --json");
  dev->add_option("ids", dargs->ids, "Devices to compare (default: all)");
  add_number_option(*dev, "--compliance", dargs->compliance, any_finite,
                    "Skin compliance for the slit column, 0–1 (default: the calibrated value of "
                    "data/skin/regions.toml)");
  dev->callback([&ctx, dargs]() {
    auto devices = load_devices(ctx.data_dir());
    if (!devices) {
      ctx.exit_code = report(ctx, devices.error());
      return;
    }
    auto regions = load_skin_regions(ctx);
    if (!regions) {
      ctx.exit_code = report(ctx, regions.error());
      return;
    }
    auto compliance = ph::make_compliance(dargs->compliance.value_or(regions->compliance.value));
    if (!compliance) {
      Error e = compliance.error();
      e.where = "--compliance";
      ctx.exit_code = report(ctx, e);
      return;
    }
    std::vector<const ph::Device*> list;
    if (dargs->ids.empty()) {
      for (const auto& d : *devices) list.push_back(&d);
    } else {
      for (const auto& id : dargs->ids) {
        auto d = find_device(*devices, id);
        if (!d) {
          ctx.exit_code = report(ctx, d.error());
          return;
        }
        list.push_back(*d);
      }
    }
    print_devices(ctx, list, *compliance);
  });

  // regions
  auto sensitivity = std::make_shared<bool>(false);
  auto* reg = app.add_subcommand(
      "regions",
      "Skin regions: each layer's thickness with mean, SD, method and source, and the longest safe needle "
      "per "
      "device class at the pack's depth guards.\n"
      "Examples:\n  needlework regions\n  needlework regions --json\n  needlework regions --sensitivity");
  reg->add_flag("--sensitivity", *sensitivity,
                "How the longest safe roller needle moves with η, client percentile, pressure and study "
                "(docs/physics.md)");
  reg->callback([&ctx, sensitivity]() {
    auto regions = load_skin_regions(ctx);
    if (!regions) {
      ctx.exit_code = report(ctx, regions.error());
      return;
    }
    auto pack = load_selected_pack(ctx);
    if (!pack) {
      ctx.exit_code = report(ctx, pack.error());
      return;
    }
    std::vector<GuardView> guards;
    for (const auto& g : pack->depth_guards) {
      auto a = needlework::clinic::assurance_of(g);
      if (!a) {
        ctx.exit_code = report(ctx, a.error());
        return;
      }
      guards.push_back({g.id, g.action == needlework::knowledge::GuardAction::warn ? "warn" : "refuse", *a});
    }
    if (*sensitivity) {
      // The baseline is the pack's strictest assurance: its lowest client percentile.
      ph::Assurance base;
      for (const auto& g : guards) {
        if (&g == &guards.front() || g.assurance.client_percentile < base.client_percentile)
          base = g.assurance;
      }
      const json j = sensitivity_json(*regions, base);
      if (ctx.json)
        print_json(j);
      else
        print_sensitivity(j);
      return;
    }
    if (ctx.json) {
      json guards_json = json::array();
      for (const auto& g : guards) {
        guards_json.push_back(
            {{"rule", g.rule}, {"action", g.action}, {"assurance", ph::describe(g.assurance)}});
      }
      print_json(
          {{"pack", pack->label()}, {"guards", guards_json}, {"regions", regions_json(*regions, guards)}});
    } else {
      print_regions(*regions, guards, pack->label());
    }
  });
}

}  // namespace needlework::cli
