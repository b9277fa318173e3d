#include "needlework/clinic/physics_bridge.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace needlework::clinic {

physics::DeviceClass device_class_of(const knowledge::Device& device) noexcept {
  return device.kind == "pen" ? physics::DeviceClass::pen : physics::DeviceClass::roller;
}

namespace {

int needle_count_of(const physics::Device& d) {
  if (const auto* r = d.roller()) return r->needle_count();
  if (const auto* p = d.pen()) return static_cast<int>(p->offsets.size());
  return 0;
}

}  // namespace

Result<PhysicsTarget> physics_target(const knowledge::Pack& pack, const physics::RegionCatalog& regions,
                                     std::span<const physics::Device> devices, std::string_view area,
                                     std::string_view device, std::optional<int> needle_count) {
  const auto* a = pack.find_area(area);
  if (a == nullptr) {
    return fail(ErrorCode::unknown_id, fmt::format("'{}' is not an area of pack {}", area, pack.label()),
                "area");
  }
  if (a->skin_regions.empty()) {
    return fail(ErrorCode::invalid_value,
                fmt::format("area '{}' has no skin region in pack {}, so the physics engine cannot model it; "
                            "chart the dose by hand",
                            area, pack.label()),
                "area");
  }
  PhysicsTarget t;
  t.area = a->id;
  t.regions = a->skin_regions;
  t.zone = a->zone;
  const physics::Region* thinnest = nullptr;
  for (const auto& id : a->skin_regions) {
    NW_TRY(r, regions.find(id));
    if (thinnest == nullptr || r->dermis_floor() < thinnest->dermis_floor()) thinnest = r;
  }
  t.region = thinnest->id;
  if (device.empty()) return t;

  const auto* d = pack.find_device(device);
  if (d == nullptr) {
    return fail(ErrorCode::unknown_id, fmt::format("'{}' is not a device of pack {}", device, pack.label()),
                "device");
  }
  t.device_class = device_class_of(*d);
  if (devices.empty()) return t;
  std::vector<std::string> counts;
  for (const auto& id : d->physics_devices) {
    const physics::Device* found = nullptr;
    for (const auto& c : devices) {
      if (c.id == id) found = &c;
    }
    if (found == nullptr) {
      return fail(
          ErrorCode::unknown_id,
          fmt::format("pack device '{}' names the physics device '{}', which the device catalog lacks", d->id,
                      id),
          "device");
    }
    counts.push_back(fmt::format("{} ({})", needle_count_of(*found), found->id));
    if (!needle_count || needle_count_of(*found) == *needle_count) {
      t.device = found;
      return t;
    }
  }
  if (d->physics_devices.empty()) {
    return fail(
        ErrorCode::invalid_value,
        fmt::format("pack device '{}' names no physics device, so the engine cannot model it; chart the "
                    "dose by hand",
                    d->id),
        "needle_count");
  }
  return fail(
      ErrorCode::invalid_value,
      fmt::format("no physics model of a {} with {} needles (the pack models it with: {}); chart the dose "
                  "by hand",
                  d->id, *needle_count, fmt::join(counts, ", ")),
      "needle_count");
}

Result<physics::Assurance> assurance_of(const knowledge::DepthGuard& guard) {
  NW_TRY(sex, physics::parse_sex(guard.sex, "sex"));
  physics::Assurance a;
  a.client_percentile = guard.client_percentile;
  a.sex = sex;
  a.max_pressure = physics::HandPressure{guard.max_pressure};
  a.pressure_label = guard.pressure_label;
  a.tolerated_beyond_share = guard.tolerated_beyond_share;
  return a;
}

}  // namespace needlework::clinic
