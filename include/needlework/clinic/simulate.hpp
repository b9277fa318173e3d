#pragma once
/// `simulate` as a library, for every face (the CLI's `needlework simulate`, the API's POST
/// /api/v1/simulate): the reader of the input document (a simulate document, a clinic session or a clinic
/// plan, docs/physics.md), the runner of one input (the session, the depth check, an optional Monte-Carlo
/// ensemble) with its JSON document (the CLI's `--json` output), and the pictures of a run (PNG heatmap,
/// tip-path SVG, resealing curves) through physics/render.hpp. It lives in clinic because a clinic document
/// maps its areas and devices to the physics catalog through the pack (`physics_target`).

#include <cstdint>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "needlework/knowledge/pack.hpp"
#include "needlework/physics/device.hpp"
#include "needlework/physics/ensemble.hpp"
#include "needlework/physics/resealing.hpp"
#include "needlework/physics/simulation.hpp"
#include "needlework/physics/skin.hpp"
#include "needlework/physics/strokes.hpp"
#include "needlework/physics/zone.hpp"
#include "needlework/units/error.hpp"

namespace needlework::clinic {

/// Everything one simulation needs, gathered from defaults, an input document and (in the CLI) the command
/// line, which overrides the document.
struct SimulateInput {
  std::string label;  ///< the clinic area simulated (a clinic document), or empty
  std::string device = "roller-192";
  std::string region = "cheek";
  std::optional<double> length_mm;          ///< the device's own needle when empty
  std::vector<physics::SurfacePoint> zone;  ///< empty: the default 40 × 30 mm rectangle
  /// Compliance NaN until set: a document (or the CLI's --compliance) sets it, else `run_simulation` takes
  /// the skin catalog's calibrated default (data/skin/regions.toml [compliance]).
  physics::StrokePlan plan = [] {
    physics::StrokePlan p;
    p.compliance = physics::SkinCompliance{std::numeric_limits<double>::quiet_NaN()};
    return p;
  }();
  physics::SimulationOptions options;
};

/// The physics data a simulation reads, loaded once by the caller.
struct SimulateData {
  std::span<const physics::Device> devices;
  const physics::RegionCatalog* regions = nullptr;
  const physics::ResealingData* resealing = nullptr;
};

/// Gives the pack a clinic document is read against; asked only when the document is a clinic session or plan
/// (the CLI loads the pack only then).
using PackSource = std::function<Result<const knowledge::Pack*>()>;

/// The device of that id in the catalog; an unknown id is `unknown_id` on `device`, listing the known ids.
[[nodiscard]] Result<const physics::Device*> find_device(std::span<const physics::Device> devices,
                                                         std::string_view id);

/// Reads an input document: a simulate document (every field optional), a clinic session (`area`,
/// `needle_length_mm`, `device`) or a clinic plan (`areas`: one input per area that is not refused, at the
/// longest needle its range allows). Errors name the field, after `source` and ": " when `source` is not
/// empty (the CLI passes the file name, the API nothing): "plan.directions", "zone_mm[2]",
/// "areas[0].needle_length_mm". A field a simulate document does not have is `unknown_field`; a clinic
/// session or plan may carry others (they are other commands' documents).
[[nodiscard]] Result<std::vector<SimulateInput>> read_simulate_document(const nlohmann::json& doc,
                                                                        std::string_view source,
                                                                        const SimulateData& data,
                                                                        const PackSource& pack);

/// How `run_simulation` runs an input beyond the input itself.
struct SimulateRunOptions {
  int runs = 1;                          ///< sessions of a Monte-Carlo ensemble (rollers); 1: none
  std::string_view runs_field = "runs";  ///< how the caller names `runs` in errors (the CLI: "--runs")
  /// The most punctures an ensemble may make in all (runs × the punctures of the one session run first);
  /// 0: no bound. A bound of the work a request may ask for (the API's), not of physics.
  std::int64_t max_ensemble_punctures = 0;
  int threads = 0;                         ///< ensemble threads, 0: as many as OpenMP offers
  std::function<void(int, int)> progress;  ///< the ensemble's (done, total)
};

/// One input run: what the reports and pictures need, and `document`, the JSON report.
struct SimulateRun {
  SimulateInput input;     ///< as run (the default compliance filled in)
  physics::Device device;  ///< with the needle length asked for
  const physics::Region* region = nullptr;
  physics::Zone zone;
  physics::SimulationResult result;  ///< with its resealing curves
  std::optional<physics::EnsembleResult> ensemble;
  /// Why the plan is refused: it reaches beyond the dermis (the report is still complete).
  std::optional<Error> refusal;
  std::optional<units::Length> max_safe;  ///< the longest safe needle on the region at the plan's pressure
  double barrier_h = 0,
         channels_h = 0;  ///< hours to the reported closed share (physics::reported_closed_share)
  /// The report: what `needlework --json simulate` prints for one input (docs/physics.md).
  nlohmann::json document;
};

/// Runs one input: the device (with its needle length), the region, the zone (default 40 × 30 mm), the plan,
/// the session, the depth check and, with `options.runs` > 1, an ensemble (rollers only). Errors name the
/// field (`device`, `region`, `zone`, `plan.*`, `needle.length_mm`, the runs field).
[[nodiscard]] Result<SimulateRun> run_simulation(SimulateInput input, const SimulateData& data,
                                                 const SimulateRunOptions& options = {});

/// The PNG heatmap of a run's punctures/cm² per cell (an ensemble's mean per cell), its colour scale from 0
/// to `max_per_cm2` (≤ 0: twice the target). An encoder failure is `io_error`.
[[nodiscard]] Result<std::vector<unsigned char>> heatmap_png(const SimulateRun& run, double max_per_cm2 = 0);

/// The PNG heatmap of a density grid (punctures/cm² per cell), its colour scale from 0 to `max_per_cm2`
/// (≤ 0: twice `target`): what `heatmap_png` draws, for a simulation run elsewhere (a charted zone's dose).
[[nodiscard]] Result<std::vector<unsigned char>> density_heatmap_png(const physics::DensityGrid& grid,
                                                                     units::ArealDensity target,
                                                                     double max_per_cm2 = 0);

/// The SVG of a run's needle tip path and slit, at the mean insertion E[η] of the plan's pressure.
[[nodiscard]] std::string tip_path_svg(const SimulateRun& run);

/// The resealing curves of a run's device (barrier and channels, open and occluded, whatever the input's
/// occlusion: the picture compares them) as SVG, or CSV when `csv`.
[[nodiscard]] Result<std::string> resealing_curves(const SimulateRun& run, const physics::ResealingData& data,
                                                   bool csv);

}  // namespace needlework::clinic
