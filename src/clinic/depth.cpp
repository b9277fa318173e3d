#include <fmt/format.h>

#include <algorithm>

#include "needlework/clinic/engine.hpp"
#include "needlework/clinic/physics_bridge.hpp"

namespace needlework::clinic {

std::string DepthFinding::text() const {
  const bool within = verdict.within;
  std::string what = fmt::format("{} ({}): {}", rule, source, verdict.summary);
  if (within) return what;
  if (action == knowledge::GuardAction::refuse) return what + "; refused";
  return what + (acknowledged ? "; warning acknowledged by the practitioner"
                              : fmt::format("; the practitioner must acknowledge {} to go ahead", rule));
}

std::vector<const DepthFinding*> DepthCheck::unacknowledged() const {
  std::vector<const DepthFinding*> out;
  for (const auto& f : findings) {
    if (!f.verdict.within && f.action == knowledge::GuardAction::warn && !f.acknowledged) out.push_back(&f);
  }
  return out;
}

Result<std::optional<DepthCheck>> check_depth(const Pack& pack, const physics::RegionCatalog* regions,
                                              std::string_view area, const knowledge::Device& device,
                                              units::Length needle_length,
                                              std::span<const std::string> acknowledged) {
  using Checked = std::optional<DepthCheck>;
  if (pack.depth_guards.empty() || regions == nullptr) return Checked{};
  const auto* a = pack.find_area(area);
  if (a == nullptr || a->skin_regions.empty()) return Checked{};
  DepthCheck check;
  for (const auto& guard : pack.depth_guards) {
    NW_TRY(assurance, assurance_of(guard));
    NW_TRY(verdict, physics::assess_depth(*regions, a->skin_regions, device_class_of(device), needle_length,
                                          assurance));
    DepthFinding f{guard.id, guard.source, guard.action, std::move(verdict), false};
    f.acknowledged = std::find(acknowledged.begin(), acknowledged.end(), guard.id) != acknowledged.end();
    if (!f.verdict.within && guard.action == knowledge::GuardAction::refuse) {
      return refuse(
          guard.id,
          fmt::format("{}: punctures could end beyond the dermis; use a needle of at most {:.2f} mm here "
                      "({}, {})",
                      f.verdict.summary, units::in_mm(f.verdict.max_safe_length), guard.id, guard.source),
          "needle_length_mm");
    }
    if (check.findings.empty()) check.layers = f.verdict.layers;
    check.findings.push_back(std::move(f));
  }
  return Checked{std::move(check)};
}

}  // namespace needlework::clinic
