#pragma once
/// The clinic ↔ physics bridge, in data: what the physics engine needs for a clinic area and a pack device,
/// read from the pack (docs/architecture.md "The clinic ↔ physics seam"). An area names every skin region it
/// contains and its default zone; a pack device names the physics catalog devices that model it. The CLI's
/// `simulate`, `clinic::estimate_dose` and the depth guard all call this one function, so they cannot
/// disagree.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "needlework/knowledge/pack.hpp"
#include "needlework/physics/depth.hpp"
#include "needlework/physics/device.hpp"
#include "needlework/physics/skin.hpp"
#include "needlework/units/error.hpp"

namespace needlework::clinic {

/// The physics view of a clinic area and device.
struct PhysicsTarget {
  std::string area;
  std::vector<std::string> regions;  ///< every skin region of the area (pack), for the depth guard
  std::string region;                ///< the thinnest of them (by mean dermis floor): what a simulation uses
  std::optional<std::pair<units::Length, units::Length>> zone;  ///< the area's default zone (width, height)
  physics::DeviceClass device_class = physics::DeviceClass::roller;
  const physics::Device* device = nullptr;  ///< the catalog device, when a device and a catalog were given
};

/// The device class of a pack device (its `kind`).
[[nodiscard]] physics::DeviceClass device_class_of(const knowledge::Device& device) noexcept;

/// Maps `area` and (when not empty) the pack device `device` to the physics engine. With `needle_count`, the
/// catalog device is the one of the pack device's `physics_devices` with that many needles; without, the
/// first. Errors name the field: an unknown area (`area`, `unknown_id`), an area without skin regions
/// (`area`, `invalid_value`, saying the engine cannot model it), a region the catalog lacks (`region`), an
/// unknown pack device (`device`), a pack device without a physics model or none of that needle count
/// (`needle_count`, listing the counts there are).
[[nodiscard]] Result<PhysicsTarget> physics_target(const knowledge::Pack& pack,
                                                   const physics::RegionCatalog& regions,
                                                   std::span<const physics::Device> devices,
                                                   std::string_view area, std::string_view device,
                                                   std::optional<int> needle_count = std::nullopt);

/// The assurance a pack depth-guard rule states (its percentile, sex and maximum pressure).
[[nodiscard]] Result<physics::Assurance> assurance_of(const knowledge::DepthGuard& guard);

}  // namespace needlework::clinic
