#include <fmt/format.h>

#include "needlework/clinic/engine.hpp"

namespace needlework::clinic {

Result<std::optional<physics::LayerFractions>> check_depth(const Pack& pack,
                                                           const physics::RegionCatalog* regions,
                                                           std::string_view area,
                                                           const knowledge::Device& device,
                                                           units::Length needle_length) {
  using Fractions = std::optional<physics::LayerFractions>;
  if (pack.depth_guards.empty() || regions == nullptr) return Fractions{};
  const auto& guard = pack.depth_guards.front();
  const auto* a = pack.find_area(area);
  if (a == nullptr || a->skin_region.empty()) return Fractions{};
  const auto cls = device.kind == "pen" ? physics::DeviceClass::pen : physics::DeviceClass::roller;
  auto layers =
      physics::check_within_dermis(*regions, a->skin_region, cls, needle_length,
                                   physics::HandPressure{guard.pressure}, guard.tolerated_beyond_share);
  if (!layers) {
    auto e = layers.error();
    if (e.code == ErrorCode::refused) e.message += fmt::format(" ({}, {})", guard.id, guard.source);
    e.where = "needle_length_mm";
    return std::unexpected(e);
  }
  return Fractions{*layers};
}

}  // namespace needlework::clinic
