#include "needlework/physics/device.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "toml_util.hpp"

namespace needlework::physics {
namespace {

using units::in_mm;
using units::millimetres;

constexpr double two_pi = 2.0 * std::numbers::pi;

Result<void> check_positive(Length v, std::string_view field) {
  if (!(in_mm(v) > 0.0) || !std::isfinite(in_mm(v))) {
    return fail(ErrorCode::out_of_range, fmt::format("must be a positive length in mm, got {}", in_mm(v)),
                std::string(field));
  }
  return {};
}

Result<void> check_needle(const NeedleSpec& n, Length max_length, std::string_view prefix) {
  if (auto r = check_positive(n.length, fmt::format("{}.length_mm", prefix)); !r) return r;
  if (auto r = check_positive(n.diameter, fmt::format("{}.diameter_mm", prefix)); !r) return r;
  if (n.length > max_length) {
    return fail(
        ErrorCode::out_of_range,
        fmt::format("needle length {} mm is longer than this device allows ({} mm; the catalog maximum is "
                    "{} mm)",
                    in_mm(n.length), in_mm(max_length), in_mm(catalog_max_needle_length)),
        fmt::format("{}.length_mm", prefix));
  }
  return {};
}

// Shortest distance between two slots on the unrolled drum surface (the angle wraps around).
double slot_distance_mm(const DrumSlot& a, const DrumSlot& b, double radius_mm) {
  double dphi = std::fmod(std::fabs(a.angle_rad - b.angle_rad), two_pi);
  dphi = std::min(dphi, two_pi - dphi);
  const double arc = radius_mm * dphi;
  const double dz = in_mm(a.axial) - in_mm(b.axial);
  return std::hypot(arc, dz);
}

}  // namespace

Length RollerGeometry::circumference() const noexcept { return two_pi * drum_radius; }

ArealDensity RollerGeometry::density_per_pass() const noexcept {
  return static_cast<double>(needle_count()) / (circumference() * drum_width);
}

const NeedleSpec& Device::needle() const noexcept {
  if (const auto* r = roller()) return r->needle;
  return pen()->needle;
}

Result<RollerGeometry> make_roller(const RollerSpec& spec) {
  NW_CHECK(check_positive(spec.drum_diameter, "drum.diameter_mm"));
  NW_CHECK(check_positive(spec.drum_width, "drum.width_mm"));
  if (spec.max_needle_length > catalog_max_needle_length) {
    return fail(ErrorCode::out_of_range,
                fmt::format("the catalog allows needles up to {} mm, not {} mm",
                            in_mm(catalog_max_needle_length), in_mm(spec.max_needle_length)),
                "needle.max_length_mm");
  }
  NW_CHECK(check_needle(spec.needle, spec.max_needle_length, "needle"));

  RollerGeometry g;
  g.drum_radius = spec.drum_diameter / 2.0;
  g.drum_width = spec.drum_width;
  g.needle = spec.needle;
  g.max_needle_length = spec.max_needle_length;
  const double radius_mm = in_mm(g.drum_radius);
  const double width_mm = in_mm(g.drum_width);
  const double d_mm = in_mm(spec.needle.diameter);

  if (spec.layout.empty()) {
    if (spec.rings < 1) return fail(ErrorCode::out_of_range, "needs at least one ring", "drum.rings");
    if (spec.needles_per_ring < 1) {
      return fail(ErrorCode::out_of_range, "needs at least one needle per ring", "drum.needles_per_ring");
    }
    // Needles overlap when their centres are closer than one diameter, along the axis or around the drum.
    const double ring_pitch_mm = width_mm / spec.rings;
    if (ring_pitch_mm < d_mm) {
      return fail(
          ErrorCode::invalid_value,
          fmt::format("{} rings on a {} mm drum are {:.3f} mm apart, less than the needle diameter {} mm: "
                      "needles would overlap",
                      spec.rings, width_mm, ring_pitch_mm, d_mm),
          "drum.rings");
    }
    const double around_pitch_mm = two_pi * radius_mm / spec.needles_per_ring;
    if (around_pitch_mm < d_mm) {
      return fail(
          ErrorCode::invalid_value,
          fmt::format("{} needles around a {} mm drum are {:.3f} mm apart, less than the needle diameter "
                      "{} mm: needles would overlap",
                      spec.needles_per_ring, 2 * radius_mm, around_pitch_mm, d_mm),
          "drum.needles_per_ring");
    }
    g.rings = spec.rings;
    g.needles_per_ring = spec.needles_per_ring;
    g.slots.reserve(static_cast<std::size_t>(spec.rings) * spec.needles_per_ring);
    for (int i = 0; i < spec.rings; ++i) {
      const double z = -width_mm / 2 + (i + 0.5) * ring_pitch_mm;
      const double offset = (spec.staggered && i % 2 == 1) ? std::numbers::pi / spec.needles_per_ring : 0.0;
      for (int j = 0; j < spec.needles_per_ring; ++j) {
        g.slots.push_back({millimetres(z), offset + two_pi * j / spec.needles_per_ring});
      }
    }
  } else {
    for (std::size_t i = 0; i < spec.layout.size(); ++i) {
      const auto& s = spec.layout[i];
      if (!std::isfinite(in_mm(s.axial)) || !std::isfinite(s.angle_rad)) {
        return fail(ErrorCode::invalid_value, "slot position must be finite",
                    fmt::format("drum.slot[{}]", i));
      }
      if (std::fabs(in_mm(s.axial)) + d_mm / 2 > width_mm / 2 + 1e-9) {
        return fail(ErrorCode::out_of_range,
                    fmt::format("needle at {} mm from the mid-plane sticks out of a {} mm wide drum",
                                in_mm(s.axial), width_mm),
                    fmt::format("drum.slot[{}].axial_mm", i));
      }
      for (std::size_t j = 0; j < i; ++j) {
        const double dist = slot_distance_mm(s, spec.layout[j], radius_mm);
        if (dist < d_mm) {
          return fail(
              ErrorCode::invalid_value,
              fmt::format("needles {} and {} are {:.3f} mm apart, less than the needle diameter {} mm: "
                          "they overlap",
                          j, i, dist, d_mm),
              fmt::format("drum.slot[{}]", i));
        }
      }
    }
    g.slots = spec.layout;
  }
  if (spec.declared_needle_count > 0 && spec.declared_needle_count != g.needle_count()) {
    return fail(ErrorCode::invalid_value,
                fmt::format("declares {} needles but the layout has {}", spec.declared_needle_count,
                            g.needle_count()),
                "drum.needle_count");
  }
  return g;
}

Result<PenGeometry> make_pen(const PenSpec& spec) {
  if (spec.needles_per_cartridge < 1) {
    return fail(ErrorCode::out_of_range, "needs at least one needle", "cartridge.needles");
  }
  NW_CHECK(check_positive(spec.cartridge_diameter, "cartridge.diameter_mm"));
  NW_CHECK(check_positive(spec.needle_diameter, "needle.diameter_mm"));
  if (!(units::in_hz(spec.stamp_rate) > 0.0) || !std::isfinite(units::in_hz(spec.stamp_rate))) {
    return fail(ErrorCode::out_of_range, "stamping rate must be positive (stamps per second)",
                "motor.stamp_rate_hz");
  }
  if (spec.max_depth > catalog_max_needle_length || !(spec.min_depth > Length{}) ||
      spec.min_depth > spec.max_depth) {
    return fail(ErrorCode::out_of_range,
                fmt::format("depth range {}–{} mm must lie within (0, {}] mm", in_mm(spec.min_depth),
                            in_mm(spec.max_depth), in_mm(catalog_max_needle_length)),
                "needle.max_depth_mm");
  }
  if (!(spec.depth >= spec.min_depth && spec.depth <= spec.max_depth)) {
    return fail(ErrorCode::out_of_range,
                fmt::format("depth {} mm is outside this pen's range {}–{} mm", in_mm(spec.depth),
                            in_mm(spec.min_depth), in_mm(spec.max_depth)),
                "needle.depth_mm");
  }
  PenGeometry g;
  g.needles_per_cartridge = spec.needles_per_cartridge;
  g.cartridge_diameter = spec.cartridge_diameter;
  g.stamp_rate = spec.stamp_rate;
  g.needle = {spec.depth, spec.needle_diameter, TipShape::conical};
  g.min_depth = spec.min_depth;
  g.max_depth = spec.max_depth;

  // Needles on a square grid of side k = ceil(sqrt(n)), centred, filling the cartridge disc; take the n slots
  // nearest the centre. The pitch is the largest that fits the grid inside the disc.
  const int n = spec.needles_per_cartridge;
  const int k = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(n))));
  const double radius_mm = in_mm(spec.cartridge_diameter) / 2;
  const double d_mm = in_mm(spec.needle_diameter);
  // Corner of a k×k grid at pitch p lies at (k-1)/2·p·√2 from the centre; keep it inside radius − d/2.
  const double pitch_mm = k > 1 ? (radius_mm - d_mm / 2) * std::numbers::sqrt2 / (k - 1) : 0.0;
  if (k > 1 && pitch_mm < d_mm) {
    return fail(
        ErrorCode::invalid_value,
        fmt::format("{} needles do not fit in a {} mm cartridge without overlapping (pitch {:.3f} mm < "
                    "diameter {} mm)",
                    n, 2 * radius_mm, pitch_mm, d_mm),
        "cartridge.needles");
  }
  std::vector<SurfacePoint> grid;
  for (int i = 0; i < k; ++i) {
    for (int j = 0; j < k; ++j) {
      grid.push_back(
          {millimetres((i - (k - 1) / 2.0) * pitch_mm), millimetres((j - (k - 1) / 2.0) * pitch_mm)});
    }
  }
  std::stable_sort(grid.begin(), grid.end(), [](const SurfacePoint& a, const SurfacePoint& b) {
    return std::hypot(in_mm(a.x), in_mm(a.y)) < std::hypot(in_mm(b.x), in_mm(b.y));
  });
  grid.resize(static_cast<std::size_t>(n));
  g.offsets = std::move(grid);
  return g;
}

Result<Device> with_needle_length(const Device& device, Length length) {
  Device out = device;
  if (auto* r = std::get_if<RollerGeometry>(&out.geometry)) {
    NeedleSpec n = r->needle;
    n.length = length;
    NW_CHECK(check_needle(n, r->max_needle_length, "needle"));
    r->needle = n;
  } else if (auto* p = std::get_if<PenGeometry>(&out.geometry)) {
    if (!(length >= p->min_depth && length <= p->max_depth)) {
      return fail(ErrorCode::out_of_range,
                  fmt::format("depth {} mm is outside the pen's range {}–{} mm", in_mm(length),
                              in_mm(p->min_depth), in_mm(p->max_depth)),
                  "needle.length_mm");
    }
    p->needle.length = length;
  }
  return out;
}

Result<Device> parse_device(std::string_view toml_text, std::string_view source_name) {
  NW_TRY(parsed, detail::parse_toml(toml_text, source_name));
  const toml::table& root = parsed;
  detail::TableReader top(root, source_name, "");

  Device dev;
  NW_TRY(id, top.string("id"));
  dev.id = id;
  NW_TRY(name, top.string("name"));
  dev.name = name;
  dev.use = top.optional_string("use").value_or("");
  dev.sources = top.string_list("sources");
  if (dev.sources.empty()) {
    return fail(ErrorCode::missing_field, "a device needs a `sources` list (FACTS references)",
                detail::location(source_name, "sources"));
  }
  NW_TRY(kind, top.string("kind"));

  // The geometry checks name a field of the spec; prefix the file so the error points into it.
  auto at_source = [&](Error e) {
    e.where = detail::location(source_name, e.where);
    return e;
  };

  auto tip_of = [&](const detail::TableReader& t) -> Result<TipShape> {
    const std::string tip = t.optional_string("tip").value_or("conical");
    if (tip == "conical") return TipShape::conical;
    if (tip == "pyramidal") return TipShape::pyramidal;
    if (tip == "blade") return TipShape::blade;
    return fail(ErrorCode::invalid_value, fmt::format("unknown tip `{}` (conical, pyramidal, blade)", tip),
                t.where("tip"));
  };

  if (kind == "roller") {
    NW_TRY(drum, top.table("drum"));
    NW_TRY(needle, top.table("needle"));
    RollerSpec spec;
    NW_TRY(dia, drum.sourced_number("diameter_mm"));
    NW_TRY(width, drum.sourced_number("width_mm"));
    spec.drum_diameter = millimetres(dia);
    spec.drum_width = millimetres(width);
    spec.staggered = drum.optional_bool("staggered").value_or(false);
    if (drum.has("slot")) {
      NW_TRY(slots, drum.table_array("slot"));
      NW_CHECK(drum.string("layout_source"));
      for (const auto& s : slots) {
        NW_TRY(axial, s.number("axial_mm"));
        NW_TRY(angle, s.number("angle_deg"));
        spec.layout.push_back({millimetres(axial), angle * std::numbers::pi / 180.0});
      }
    } else {
      NW_TRY(rings, drum.sourced_integer("rings"));
      NW_TRY(per_ring, drum.sourced_integer("needles_per_ring"));
      spec.rings = static_cast<int>(rings);
      spec.needles_per_ring = static_cast<int>(per_ring);
    }
    if (drum.has("needle_count")) {
      NW_TRY(count, drum.sourced_integer("needle_count"));
      spec.declared_needle_count = static_cast<int>(count);
    }
    NW_TRY(length, needle.sourced_number("length_mm"));
    NW_TRY(nd, needle.sourced_number("diameter_mm"));
    NW_TRY(tip, tip_of(needle));
    spec.needle = {millimetres(length), millimetres(nd), tip};
    if (needle.has("max_length_mm")) {
      NW_TRY(max_len, needle.sourced_number("max_length_mm"));
      spec.max_needle_length = millimetres(max_len);
    }
    auto geometry = make_roller(spec);
    if (!geometry) return std::unexpected(at_source(geometry.error()));
    dev.geometry = std::move(*geometry);
  } else if (kind == "pen") {
    NW_TRY(cart, top.table("cartridge"));
    NW_TRY(needle, top.table("needle"));
    NW_TRY(motor, top.table("motor"));
    PenSpec spec;
    NW_TRY(count, cart.sourced_integer("needles"));
    NW_TRY(cdia, cart.sourced_number("diameter_mm"));
    NW_TRY(rate, motor.sourced_number("stamp_rate_hz"));
    NW_TRY(depth, needle.sourced_number("depth_mm"));
    NW_TRY(nd, needle.sourced_number("diameter_mm"));
    spec.needles_per_cartridge = static_cast<int>(count);
    spec.cartridge_diameter = millimetres(cdia);
    spec.stamp_rate = units::hertz(rate);
    spec.depth = millimetres(depth);
    spec.needle_diameter = millimetres(nd);
    if (needle.has("min_depth_mm")) {
      NW_TRY(v, needle.sourced_number("min_depth_mm"));
      spec.min_depth = millimetres(v);
    }
    if (needle.has("max_depth_mm")) {
      NW_TRY(v, needle.sourced_number("max_depth_mm"));
      spec.max_depth = millimetres(v);
    }
    auto geometry = make_pen(spec);
    if (!geometry) return std::unexpected(at_source(geometry.error()));
    dev.geometry = std::move(*geometry);
  } else {
    return fail(ErrorCode::invalid_value, fmt::format("unknown device kind `{}` (roller or pen)", kind),
                detail::location(source_name, "kind"));
  }
  return dev;
}

}  // namespace needlework::physics
