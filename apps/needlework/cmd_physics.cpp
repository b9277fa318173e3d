// `needlework simulate`, `devices` and `regions`: the physics engine's command-line faces. Files are read and
// written here, and the text reports printed; the documents, the runs and their JSON are the libraries'
// (clinic/simulate.hpp, clinic/catalog_json.hpp), which the HTTP API calls too.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <sstream>

#include "context.hpp"
#include "needlework/clinic/catalog_json.hpp"
#include "needlework/clinic/simulate.hpp"
#include "needlework/physics/depth.hpp"
#include "needlework/physics/device.hpp"
#include "needlework/physics/kinematics.hpp"
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
// Inputs (the document is read by clinic::read_simulate_document; the command line overrides it)

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

// ---------------------------------------------------------------------------------------------------------------
// Output

// Never "0.0 %" for a non-zero share (a refusal beside "beyond the dermis 0.0 %" would contradict itself).
std::string percent(double share) { return ph::percent_text(share); }

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

/// Runs one input (clinic/simulate.hpp), writes the files asked for and prints or collects its report;
/// returns the exit code it deserves.
int run_simulation(Context& ctx, const clinic::SimulateInput& in, const clinic::SimulateData& data,
                   const Outputs& out, json& collected) {
  ProgressBar bar(!ctx.json && out.runs > 1, "runs");
  clinic::SimulateRunOptions options;
  options.runs = out.runs;
  options.runs_field = "--runs";
  options.progress = [&bar](int done, int total) { bar.update(done, total); };
  auto run = clinic::run_simulation(in, data, options);
  if (!run) return report(ctx, run.error());

  // Files the user asked for.
  if (!out.heatmap.empty()) {
    auto png = clinic::heatmap_png(*run, out.heatmap_max_per_cm2);
    if (!png) return report(ctx, Error{png.error().code, png.error().message, out.heatmap});
    const std::string_view bytes(reinterpret_cast<const char*>(png->data()), png->size());
    if (auto w = write_output_file(out.heatmap, bytes, {"--heatmap", out.force, {}}); !w)
      return report(ctx, w.error());
  }
  if (!out.svg.empty()) {
    if (auto w = write_output_file(out.svg, clinic::tip_path_svg(*run), {"--svg", out.force, {}}); !w)
      return report(ctx, w.error());
  }
  if (!out.resealing.empty()) {
    const bool csv = out.resealing.size() >= 4 && out.resealing.substr(out.resealing.size() - 4) == ".csv";
    auto text = clinic::resealing_curves(*run, *data.resealing, csv);
    if (!text) return report(ctx, text.error());
    if (auto w = write_output_file(out.resealing, *text, {"--resealing", out.force, {}}); !w)
      return report(ctx, w.error());
  }

  const json& j = run->document;
  if (ctx.json) {
    collected.push_back(j);
    return run->refusal ? exit_attention : exit_ok;
  }
  const auto& sim = run->result;
  const auto& s = sim.session;
  const auto& d = sim.density;
  const auto& device = run->device;
  const auto& needle = device.needle();
  const std::string title = in.label.empty() ? "" : fmt::format(" (clinic area: {})", in.label);
  const auto& plan = run->input.plan;
  const auto& sim_options = run->input.options;
  fmt::print("Simulation{}: {} — {} on the {}\n", title, device.name,
             fmt::format("{} mm needles", in_mm(needle.length)), run->region->name);
  fmt::print("  {:<24} {:.1f} cm², seed {}\n", "zone", units::in_cm2(run->zone.area()), plan.seed.value);
  fmt::print("  {:<24} {} × {} = {} passes, {} strokes, {:.1f} s at {} mm/s\n", "plan", directions_text(plan),
             plan.passes_per_direction, s.passes, s.strokes, units::in_s(s.duration),
             units::in_mm_per_s(plan.speed));
  if (device.is_roller())
    fmt::print("  {:<24} {:.1f}\n", "drum revolutions", s.revolutions);
  else
    fmt::print("  {:<24} {}\n", "stamps", s.stamps);
  fmt::print("  {:<24} {} ({} in the zone)\n", "punctures", s.punctures.size(), d.punctures_in_zone);
  fmt::print("  {:<24} {:.1f} /cm²\n", "mean density", units::in_per_cm2(d.mean));
  fmt::print("  {:<24} {:.2f} ({} mm cells)\n", "coefficient of variation", d.coefficient_of_variation,
             in_mm(sim_options.grid_cell));
  fmt::print("  {:<24} {} of the zone at ≥ {:.0f} /cm²\n", "at target", percent(d.share_at_or_above_target),
             units::in_per_cm2(d.target));
  fmt::print("  {:<24} {}\n", "re-hits", percent(d.rehit_fraction));
  fmt::print("  {:<24} {}\n", "damaged surface", percent(d.damaged_fraction));
  if (device.is_roller()) {
    fmt::print("  {:<24} {:.3f} mm (rigid skin {:.3f} mm, compliance {:.2f}); entry angle {:.1f}°\n", "slit",
               in_mm(sim.slit), j["slit_rigid_mm"].get<double>(), plan.compliance.value,
               j["entry_angle_deg"].get<double>());
  } else {
    fmt::print("  {:<24} {:.3f} mm round holes (perpendicular entry)\n", "wound", in_mm(sim.slit));
  }
  fmt::print("  {:<24} {:.3f} mm (pressure {:.2f})\n", "mean effective depth", in_mm(sim.mean_depth),
             plan.pressure.level);
  fmt::print("  {:<24} {}\n", "layers", layers_text(sim.layers_exact));
  fmt::print("  {:<24} {}\n", "layers (this run)", layers_text(sim.layers_sampled));
  const char* condition = sim_options.occlusion == ph::Occlusion::open ? "not occluded" : "occluded";
  fmt::print("  {:<24} 95 % back after {:.1f} h, {} ({})\n", "barrier recovery", run->barrier_h, condition,
             data.resealing->barrier.under(sim_options.occlusion).cite);
  fmt::print("  {:<24} 95 % closed after {:.1f} h, {} ({})\n", "channel closure", run->channels_h, condition,
             data.resealing->channels.under(sim_options.occlusion).cite);
  if (run->ensemble) {
    fmt::print("  {:<24} {} runs, {} punctures: mean {:.1f} ± {:.1f} /cm², CV {:.2f}, {} at target\n",
               "ensemble", run->ensemble->members.size(), run->ensemble->total_punctures,
               j["ensemble"]["mean_per_cm2"].get<double>(), j["ensemble"]["mean_per_cm2_sd"].get<double>(),
               j["ensemble"]["coefficient_of_variation"].get<double>(),
               percent(j["ensemble"]["share_at_or_above_target"].get<double>()));
  }
  if (run->refusal)
    fmt::print("\n  REFUSED: {}\n", run->refusal->message);
  else if (run->max_safe)
    fmt::print("  {:<24} {:.2f} mm on this region at this pressure\n", "longest safe needle",
               in_mm(*run->max_safe));
  fmt::print("\n");
  return run->refusal ? exit_attention : exit_ok;
}

// ---------------------------------------------------------------------------------------------------------------
// devices

/// The comparison table of `devices`, read from its JSON (clinic::devices_json): one column per device.
void print_devices(const std::vector<const ph::Device*>& list, const json& all,
                   ph::SkinCompliance compliance) {
  const double eta = clinic::device_comparison_eta();
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
  for (const auto& j : all) {
    auto num = [&j](const char* key) { return j.at(key).get<double>(); };
    const std::string use = j.at("use").get<std::string>();
    const std::string sources = fmt::format("{}", j.at("sources").size());
    if (j.at("kind") == "roller") {
      const double per_pass = num("density_per_pass_per_cm2");
      const int rings = j.at("rings").get<int>();
      rows.push_back(
          {"roller", use, fmt::format("{}", j.at("needles").get<int>()),
           fmt::format("{:g} × {:g}", num("drum_diameter_mm"), num("drum_width_mm")),
           rings > 0 ? fmt::format("{} × {}", rings, j.at("needles_per_ring").get<int>()) : "explicit",
           fmt::format("{:g}", num("needle_length_mm")), fmt::format("{:g}", num("max_needle_length_mm")),
           fmt::format("{:g}", num("needle_diameter_mm")), fmt::format("{:.1f}", per_pass),
           fmt::format("{:.1f}", 250.0 / per_pass), fmt::format("{:.3f}", num("slit_rigid_mm")),
           fmt::format("{:.3f}", num("slit_mm")), fmt::format("{:.1f}", num("entry_angle_deg")), "—",
           sources});
    } else {
      rows.push_back({"pen", use, fmt::format("{}", j.at("needles").get<int>()),
                      fmt::format("cartridge {:g}", num("cartridge_diameter_mm")), "—",
                      fmt::format("{:g}", num("needle_length_mm")), fmt::format("{:g}", num("max_depth_mm")),
                      fmt::format("{:g}", num("needle_diameter_mm")), "speed-dependent", "—",
                      "0 (perpendicular)", fmt::format("{:g}", num("needle_diameter_mm")), "0",
                      fmt::format("{:g}", num("stamp_rate_hz")), sources});
    }
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

void print_regions(const ph::RegionCatalog& regions, const std::vector<clinic::DepthGuardView>& guards,
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
                 clinic::longest_safe_mm(r, ph::DeviceClass::roller, g.assurance),
                 clinic::longest_safe_mm(r, ph::DeviceClass::pen, g.assurance), g.rule);
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
      studies.push_back(
          {{"figure",
            fmt::format("{} {} {:.2f} ± {:.2f}", f.method, ph::to_string(f.sex), in_mm(f.mean), in_mm(f.sd))},
           {"roller_mm", mm2(clinic::longest_safe_mm(alone, ph::DeviceClass::roller,
                                                     with([](auto& a) { a.sex = ph::Sex::any; })))}});
    }
    rows.push_back(
        {{"region", r.id},
         {"baseline_mm", mm2(clinic::longest_safe_mm(r, ph::DeviceClass::roller, base))},
         {"eta_spread_0.05_mm", mm2(clinic::longest_safe_mm(r, ph::DeviceClass::roller, base, 0.05))},
         {"eta_spread_0.15_mm", mm2(clinic::longest_safe_mm(r, ph::DeviceClass::roller, base, 0.15))},
         {"pen_mm", mm2(clinic::longest_safe_mm(r, ph::DeviceClass::pen, base))},
         {"median_client_mm", mm2(clinic::longest_safe_mm(r, ph::DeviceClass::roller,
                                                          with([](auto& a) { a.client_percentile = 50; })))},
         {"p1_client_mm", mm2(clinic::longest_safe_mm(r, ph::DeviceClass::roller,
                                                      with([](auto& a) { a.client_percentile = 1; })))},
         {"pressure_0.5_mm", mm2(clinic::longest_safe_mm(r, ph::DeviceClass::roller, with([](auto& a) {
                                                           a.max_pressure = ph::HandPressure{0.5};
                                                         })))},
         {"pressure_1.0_mm", mm2(clinic::longest_safe_mm(r, ph::DeviceClass::roller, with([](auto& a) {
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
    const clinic::SimulateData sim_data{*devices, &*regions, &*resealing};
    std::vector<clinic::SimulateInput> inputs{clinic::SimulateInput{}};
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
      // The pack is loaded only for a clinic document (a plain simulate document does not need one).
      std::optional<knowledge::Pack> pack;
      auto pack_source = [&ctx, &pack]() -> Result<const knowledge::Pack*> {
        if (!pack) {
          NW_TRY(loaded, load_selected_pack(ctx));
          pack = std::move(loaded);
        }
        return &*pack;
      };
      auto parsed = clinic::read_simulate_document(*doc, args->input == "-" ? "<stdin>" : args->input,
                                                   sim_data, pack_source);
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
      const int code = run_simulation(ctx, in, sim_data, out, collected);
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
    auto list = clinic::select_devices(*devices, dargs->ids);
    if (!list) {
      ctx.exit_code = report(ctx, list.error());
      return;
    }
    const json all = clinic::devices_json(*list, *compliance);
    if (ctx.json)
      print_json(all);
    else
      print_devices(*list, all, *compliance);
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
    auto guards = clinic::depth_guards(*pack);
    if (!guards) {
      ctx.exit_code = report(ctx, guards.error());
      return;
    }
    if (*sensitivity) {
      // The baseline is the pack's strictest assurance: its lowest client percentile.
      ph::Assurance base;
      for (const auto& g : *guards) {
        if (&g == &guards->front() || g.assurance.client_percentile < base.client_percentile)
          base = g.assurance;
      }
      const json j = sensitivity_json(*regions, base);
      if (ctx.json)
        print_json(j);
      else
        print_sensitivity(j);
      return;
    }
    if (ctx.json)
      print_json(clinic::regions_json(*regions, *guards, pack->label()));
    else
      print_regions(*regions, *guards, pack->label());
  });
}

}  // namespace needlework::cli
