#pragma once
/// JSON forms of the catalogs, for every face (the CLI's `--json` of `devices`, `regions` and `pack
/// list|show|vocabulary`, and the API's GET /api/v1/devices, /regions, /packs, /packs/{id}, /vocabulary): the
/// device catalog compared side by side, the skin regions with the longest safe needle at the pack's depth
/// guards, the packs, one pack's layers, overrides, sources and rules, and a pack's vocabulary. They live in
/// clinic, beside the other JSON forms (json.hpp), because the regions need the pack's depth guards.

#include <array>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "needlework/knowledge/loader.hpp"
#include "needlework/knowledge/pack.hpp"
#include "needlework/physics/depth.hpp"
#include "needlework/physics/device.hpp"
#include "needlework/physics/skin.hpp"
#include "needlework/units/error.hpp"

namespace needlework::clinic {

// ---- devices

/// The devices of `ids` in that order, or every device when `ids` is empty; an unknown id is `unknown_id` on
/// `device`, listing the known ids.
[[nodiscard]] Result<std::vector<const physics::Device*>> select_devices(
    std::span<const physics::Device> devices, std::span<const std::string> ids);

/// The mean insertion η the comparison gives slits and entry angles at: a roller at moderate pressure (0.5).
[[nodiscard]] double device_comparison_eta();

/// `needlework devices --json`: each device's geometry and, for a roller, its density per pass, its slit on
/// rigid skin and at `compliance`, and its entry angle (at `device_comparison_eta`).
[[nodiscard]] nlohmann::json devices_json(std::span<const physics::Device* const> list,
                                          physics::SkinCompliance compliance);

// ---- skin regions

/// A depth-guard rule of the pack as the regions report shows it.
struct DepthGuardView {
  std::string rule;    ///< its id
  std::string action;  ///< "warn" or "refuse"
  physics::Assurance assurance;
};

/// The pack's depth-guard rules with their assurances (`assurance_of`).
[[nodiscard]] Result<std::vector<DepthGuardView>> depth_guards(const knowledge::Pack& pack);

/// The longest safe needle (mm) of a device class on a region at an assurance, with the η spread given; 0
/// when the region has no figure for the assurance's sex.
[[nodiscard]] double longest_safe_mm(const physics::Region& region, physics::DeviceClass cls,
                                     const physics::Assurance& assurance,
                                     double eta_half_width = physics::eta_half_width);

/// `needlework regions --json`: {"pack", "guards", "regions"}: each region's layers with mean, SD, method and
/// source, and the longest safe needle per device class at each guard (mm, 2 decimals).
[[nodiscard]] nlohmann::json regions_json(const physics::RegionCatalog& regions,
                                          std::span<const DepthGuardView> guards,
                                          std::string_view pack_label);

// ---- knowledge packs

/// `needlework pack list --json`: id, version, title, extends and whether it is the default pack ("seed").
[[nodiscard]] nlohmann::json pack_list_json(std::span<const knowledge::PackSummary> packs);

/// A pack's overrides: which rule of which layer replaced which.
[[nodiscard]] nlohmann::json overrides_json(const knowledge::Pack& pack);

/// `needlework pack show --json`: {"pack", "layers", "overrides", "sources", "rules"}.
[[nodiscard]] nlohmann::json pack_json(const knowledge::Pack& pack);

/// The vocabulary kinds, in the order the vocabulary lists them.
inline constexpr std::array<std::string_view, 5> vocabulary_kinds{"areas", "conditions", "concerns",
                                                                  "observations", "devices"};

/// `needlework pack vocabulary [KIND] --json`: the ids an intake may use, by kind (every kind when `kind` is
/// empty). A kind that is not one of `vocabulary_kinds` is `invalid_value` on `kind`.
[[nodiscard]] Result<nlohmann::json> vocabulary_json(const knowledge::Pack& pack, std::string_view kind);

}  // namespace needlework::clinic
