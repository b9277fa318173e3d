// The physics engine and the catalogs over HTTP, nothing stored: simulate (the JSON report, the PNG heatmap,
// the SVG pictures), the device comparison, the skin regions, the packs and the vocabulary — the same readers
// and JSON as the CLI (clinic/simulate.hpp, clinic/catalog_json.hpp), so both faces answer the same
// documents.

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "needlework/clinic/catalog_json.hpp"
#include "needlework/clinic/simulate.hpp"
#include "needlework/knowledge/loader.hpp"
#include "needlework/physics/kinematics.hpp"
#include "needlework/units/number.hpp"
#include "needlework/units/text.hpp"
#include "routes.hpp"

namespace needlework::server {
namespace {

using nlohmann::json;

/// The most sessions of a Monte-Carlo ensemble one request may ask for (`runs`). The CLI allows 100 000
/// (`--runs`, a bound of memory); a request shares the server with every other, so it gets far fewer — 1000
/// runs settle every figure of the report.
constexpr std::int64_t max_runs = 1000;
/// The most punctures one simulated session of a request may be expected to make. A session keeps every
/// puncture (about 80 bytes each with the search buffers, measured) and makes some 10⁶ a second of CPU
/// (`needlework --json simulate --zone 300x300 --passes 15`: 665 000 punctures, 1.5 s of CPU on a shared
/// 2-core machine), so this holds a session to about 80 MB and a second or two; a full-face session makes
/// about 75 000. The CLI's bound is 5·10⁷ (physics::SimulationOptions::max_punctures).
constexpr double max_session_punctures = 1e6;
/// The most punctures the sessions of one request make in all (a clinic plan simulates each area).
constexpr std::int64_t max_request_punctures = 3'000'000;
/// The most punctures the ensembles of one request make in all: an ensemble keeps only each run's statistics
/// and grid and makes some 1.2·10⁷ punctures a second of CPU (1000 full-face runs, 7.5·10⁷ punctures: 6 s of
/// CPU, measured as above), so about 4 s.
constexpr std::int64_t max_ensemble_punctures = 50'000'000;

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::string::size_type start = 0;
  while (true) {
    const auto end = text.find(sep, start);
    out.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) return out;
    start = end + 1;
  }
}

clinic::SimulateData data_of(const Services& s) { return {s.devices(), &s.regions(), &s.resealing()}; }

/// The inputs of the posted document (the CLI's simulate document, a clinic session or a clinic plan).
Result<std::vector<clinic::SimulateInput>> inputs_of(const Services& s, const Request& req) {
  const knowledge::Pack* pack = &s.pack();
  return clinic::read_simulate_document(req.json, "", data_of(s),
                                        [pack]() -> Result<const knowledge::Pack*> { return pack; });
}

Result<int> runs_of(const Request& req) {
  auto text = req.param("runs");
  if (!text) return 1;
  NW_TRY(n, units::parse_integer(*text, "runs", 1, max_runs));
  return static_cast<int>(n);
}

/// What a request has simulated so far, against its bounds.
struct Spent {
  std::int64_t sessions = 0;
  std::int64_t ensembles = 0;
};

/// Runs one input within what is left of the request's bounds.
Result<clinic::SimulateRun> run_bounded(const Services& s, clinic::SimulateInput in, int runs, Spent& spent) {
  if (spent.sessions >= max_request_punctures || spent.ensembles >= max_ensemble_punctures) {
    return fail(
        ErrorCode::out_of_range,
        fmt::format("the document asks for more than {} punctures in all; simulate fewer areas, or "
                    "smaller zones, per request",
                    spent.sessions >= max_request_punctures ? max_request_punctures : max_ensemble_punctures),
        "areas");
  }
  in.options.max_punctures =
      std::min(max_session_punctures, static_cast<double>(max_request_punctures - spent.sessions));
  clinic::SimulateRunOptions options;
  options.runs = runs;
  options.runs_field = "runs";
  options.max_ensemble_punctures = max_ensemble_punctures - spent.ensembles;
  NW_TRY(run, clinic::run_simulation(std::move(in), data_of(s), options));
  spent.sessions += static_cast<std::int64_t>(run.result.session.punctures.size());
  if (run.ensemble) spent.ensembles += run.ensemble->total_punctures;
  return run;
}

/// The one input a picture is drawn for: the only one, or for a clinic plan the one of the `area` asked for.
Result<clinic::SimulateInput> picked_input(const Services& s, const Request& req) {
  NW_TRY(inputs, inputs_of(s, req));
  const auto area = req.param("area");
  if (!area) {
    if (inputs.size() == 1) return std::move(inputs.front());
    return fail(ErrorCode::missing_field,
                fmt::format("the document simulates {} areas: name the one to draw", inputs.size()), "area");
  }
  for (auto& in : inputs) {
    if (in.label == *area) return std::move(in);
  }
  return fail(ErrorCode::invalid_value,
              fmt::format("'{}' is not an area the document simulates", units::excerpt(*area)), "area");
}

/// POST /api/v1/simulate: the report of every input (one object, or an array for a clinic plan), as
/// `needlework --json simulate` prints it. A refused plan (beyond the dermis) is still a report, with
/// `refusal`.
Result<Response> simulate(Services& s, Request& req) {
  NW_TRY(runs, runs_of(req));
  NW_TRY(inputs, inputs_of(s, req));
  Spent spent;
  json all = json::array();
  for (auto& in : inputs) {
    // Each run's punctures are let go once its report is made.
    NW_TRY(run, run_bounded(s, std::move(in), runs, spent));
    all.push_back(std::move(run.document));
  }
  return json_response(all.size() == 1 ? all[0] : all);
}

Result<Response> heatmap(Services& s, Request& req) {
  NW_TRY(runs, runs_of(req));
  double max_per_cm2 = 0;  // 0: twice the target
  if (auto text = req.param("heatmap_max")) {
    static constexpr units::NumberRule rule{"heatmap_max", 0.0, 1e6, true, false, "/cm²"};
    NW_TRY(v, units::parse_number(*text, rule));
    max_per_cm2 = v;
  }
  NW_TRY(input, picked_input(s, req));
  Spent spent;
  NW_TRY(run, run_bounded(s, std::move(input), runs, spent));
  NW_TRY(png, clinic::heatmap_png(run, max_per_cm2));
  Response r;
  r.content_type = "image/png";
  r.body.assign(reinterpret_cast<const char*>(png.data()), png.size());
  return r;
}

Result<Response> picture(Services& s, Request& req) {
  const std::string which = req.param("picture").value_or("tip_path");
  if (which != "tip_path" && which != "resealing") {
    return fail(ErrorCode::invalid_value, "must be tip_path (the default) or resealing", "picture");
  }
  NW_TRY(input, picked_input(s, req));
  Spent spent;
  NW_TRY(run, run_bounded(s, std::move(input), 1, spent));
  Response r;
  r.content_type = "image/svg+xml";
  if (which == "tip_path") {
    r.body = clinic::tip_path_svg(run);
  } else {
    NW_TRY(svg, clinic::resealing_curves(run, s.resealing(), false));
    r.body = std::move(svg);
  }
  return r;
}

Result<Response> devices(Services& s, Request& req) {
  std::vector<std::string> ids;
  if (auto text = req.param("ids"); text && !text->empty()) ids = split(*text, ',');
  double compliance_value = s.regions().compliance.value;
  if (auto text = req.param("compliance")) {
    static constexpr units::NumberRule rule{"compliance", 0.0, 1.0, false, false, ""};
    NW_TRY(v, units::parse_number(*text, rule));
    compliance_value = v;
  }
  auto compliance = physics::make_compliance(compliance_value);
  if (!compliance) return fail(compliance.error().code, compliance.error().message, "compliance");
  auto list = clinic::select_devices(s.devices(), ids);
  if (!list) return fail(list.error().code, list.error().message, "ids");
  return json_response(clinic::devices_json(*list, *compliance));
}

Result<Response> regions(Services& s, Request&) {
  NW_TRY(guards, clinic::depth_guards(s.pack()));
  return json_response(clinic::regions_json(s.regions(), guards, s.pack().label()));
}

Result<Response> packs(Services& s, Request&) {
  NW_TRY(list, knowledge::list_packs(s.data_dir() / "packs"));
  return json_response(clinic::pack_list_json(list));
}

Result<Response> pack(Services& s, Request& req) {
  const auto it = req.params.find("id");
  const std::string id = it == req.params.end() ? std::string() : it->second;
  auto p = knowledge::load_pack(s.data_dir() / "packs", id);
  // An id that is not a pack's, or names none: 404 without the server's folders in the message.
  if (!p && (p.error().code == ErrorCode::not_found || p.error().code == ErrorCode::invalid_value)) {
    return fail(ErrorCode::not_found, fmt::format("no pack '{}'", units::excerpt(id)), "id");
  }
  if (!p) return std::unexpected(p.error());
  json doc = clinic::pack_json(*p);
  // The CLI shows each layer's folder; the API does not show the server's folders.
  for (auto& layer : doc["layers"]) layer.erase("dir");
  return json_response(doc);
}

Result<Response> vocabulary(Services& s, Request& req) {
  NW_TRY(doc, clinic::vocabulary_json(s.pack(), req.param("kind").value_or("")));
  return json_response(doc);
}

}  // namespace

std::vector<Route> physics_routes() {
  std::vector<Route> r;
  const QueryParam runs{
      "runs", "integer",
      fmt::format("sessions of a Monte-Carlo ensemble (rollers), 1–{} (default 1)", max_runs), false};
  const QueryParam area{"area", "string", "for a clinic plan of several areas: the clinic area to draw",
                        false};
  auto post = [&](std::string path, std::string summary, std::string schema, std::string type,
                  std::vector<QueryParam> query, auto handler) {
    r.push_back(Route{.method = "POST",
                      .path = std::move(path),
                      .roles = any_staff,
                      .body = BodyKind::json,
                      .summary = std::move(summary),
                      .request_schema = "SimulateDocument",
                      .response_schema = std::move(schema),
                      .response_type = std::move(type),
                      .query = std::move(query),
                      .handler = computing(handler)});
  };
  auto get = [&](std::string path, std::string summary, std::string schema, std::vector<QueryParam> query,
                 auto handler) {
    r.push_back(Route{.method = "GET",
                      .path = std::move(path),
                      .roles = any_staff,
                      .body = BodyKind::none,
                      .summary = std::move(summary),
                      .request_schema = {},
                      .response_schema = std::move(schema),
                      .query = std::move(query),
                      .handler = computing(handler)});
  };
  const std::string bound = fmt::format(
      "at most {} runs; per request at most {:.0f} punctures a session, {} in all sessions and {} in "
      "all ensembles",
      max_runs, max_session_punctures, max_request_punctures, max_ensemble_punctures);
  post("/api/v1/simulate",
       "Simulate a session (a simulate document, a clinic session or plan; nothing stored); " + bound,
       "Simulation", "application/json", {runs}, simulate);
  post("/api/v1/simulate/heatmap.png", "The PNG density heatmap of a simulated session; " + bound, "",
       "image/png",
       {runs, area,
        QueryParam{"heatmap_max", "number", "top of the colour scale, /cm² (default twice the target)",
                   false}},
       heatmap);
  post("/api/v1/simulate/picture.svg",
       "An SVG picture of a simulated session (the tip path or the resealing curves); " + bound, "",
       "image/svg+xml",
       {area, QueryParam{"picture", "string", "tip_path (default: the needle tip path and slit) or resealing",
                         false}},
       picture);
  get("/api/v1/devices", "The device catalog compared side by side", "DeviceComparison",
      {QueryParam{"ids", "string", "comma-separated device ids (default: all)", false},
       QueryParam{"compliance", "number", "skin compliance for the slit, 0–1 (default: the calibrated value)",
                  false}},
      devices);
  get("/api/v1/regions", "Skin regions and the longest safe needle at the pack's depth guards", "Regions", {},
      regions);
  get("/api/v1/packs", "The knowledge packs of the data folder", "PackList", {}, packs);
  get("/api/v1/packs/{id}", "A pack: layers, overrides, sources and rules", "PackDetail", {}, pack);
  get("/api/v1/vocabulary", "The ids an intake may use, by kind (the server's pack)", "Vocabulary",
      {QueryParam{"kind", "string", "only this kind: areas, conditions, concerns, observations or devices",
                  false}},
      vocabulary);
  return r;
}

}  // namespace needlework::server
