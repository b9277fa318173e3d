#pragma once
/// Micro-needling devices: the geometry of rollers (a drum studded with needles) and pens (a stamping
/// cartridge). A geometry is built only through `make_roller` / `make_pen` or the TOML parser, which refuse
/// impossible devices (overlapping needles, non-positive sizes, needles longer than the catalog allows) with
/// an `Error` that names the field. Data files live in data/devices/ (one device per file); parsing takes
/// text, not paths.

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "needlework/physics/types.hpp"
#include "needlework/units/error.hpp"

namespace needlework::physics {

/// The longest needle any device in the catalog may carry: the market range tops out at 3 mm (FACTS §1,
/// "market range 0.2–3 mm"; pens "depth 0.2–3.0 mm"). Longer needles are refused as impossible for this
/// catalog.
inline constexpr Length catalog_max_needle_length = units::millimetres(3.0);

/// Shape of the needle tip; informational for the models (a pen needle and a roller needle differ in entry
/// angle, not in tip shape, in this model).
enum class TipShape { conical, pyramidal, blade };

/// One needle: nominal length out of the drum or cartridge, shaft diameter, tip shape.
struct NeedleSpec {
  Length length;
  Length diameter;
  TipShape tip = TipShape::conical;
};

/// Where a needle sits on a drum: axial position from the drum's mid-plane and angle around the drum axis.
struct DrumSlot {
  Length axial;
  double angle_rad = 0.0;
};

/// Input to `make_roller`. Either rings × needles per ring (optionally staggered by half a pitch on odd
/// rings), or an explicit layout of slots (then `rings` and `needles_per_ring` are ignored).
struct RollerSpec {
  Length drum_diameter;
  Length drum_width;
  int rings = 0;
  int needles_per_ring = 0;
  bool staggered = false;
  std::vector<DrumSlot> layout;
  NeedleSpec needle;
  int declared_needle_count = 0;  ///< if > 0, must equal the count the layout produces
  Length max_needle_length = catalog_max_needle_length;
};

/// A validated roller. `slots` always holds the expanded layout (one entry per needle).
struct RollerGeometry {
  Length drum_radius;
  Length drum_width;
  int rings = 0;             ///< 0 for an explicit layout
  int needles_per_ring = 0;  ///< 0 for an explicit layout
  std::vector<DrumSlot> slots;
  NeedleSpec needle;
  Length max_needle_length = catalog_max_needle_length;

  [[nodiscard]] int needle_count() const noexcept { return static_cast<int>(slots.size()); }
  /// Distance the drum rolls in one revolution (no slip): 2πR.
  [[nodiscard]] Length circumference() const noexcept;
  /// Punctures per unit area that one pass lays when lanes abut: N / (2πR · W) (DESIGN "Physics model").
  [[nodiscard]] ArealDensity density_per_pass() const noexcept;
};

/// Input to `make_pen`.
struct PenSpec {
  int needles_per_cartridge = 0;
  Length cartridge_diameter;
  Frequency stamp_rate;
  Length depth;  ///< the depth setting (the needle length that protrudes)
  Length needle_diameter;
  Length min_depth = units::millimetres(0.2);  ///< FACTS §1 pens: depth 0.2–3.0 mm
  Length max_depth = catalog_max_needle_length;
};

/// A validated pen; `offsets` are the needle positions inside the cartridge relative to its centre.
struct PenGeometry {
  int needles_per_cartridge = 0;
  Length cartridge_diameter;
  Frequency stamp_rate;
  NeedleSpec needle;  ///< length = depth setting
  Length min_depth;
  Length max_depth;
  std::vector<SurfacePoint> offsets;
};

/// A device from the catalog: identity, sources, and its geometry.
struct Device {
  std::string id;
  std::string name;
  std::string use;  ///< "clinic", "home", "scalp", "body", ...
  std::variant<RollerGeometry, PenGeometry> geometry;
  std::vector<std::string> sources;

  [[nodiscard]] bool is_roller() const noexcept { return std::holds_alternative<RollerGeometry>(geometry); }
  [[nodiscard]] const RollerGeometry* roller() const noexcept {
    return std::get_if<RollerGeometry>(&geometry);
  }
  [[nodiscard]] const PenGeometry* pen() const noexcept { return std::get_if<PenGeometry>(&geometry); }
  [[nodiscard]] const NeedleSpec& needle() const noexcept;
};

/// Validates and expands a roller; refuses overlapping needles, non-positive sizes and over-long needles.
[[nodiscard]] Result<RollerGeometry> make_roller(const RollerSpec& spec);

/// Validates a pen and lays its needles on a square grid inside the cartridge.
[[nodiscard]] Result<PenGeometry> make_pen(const PenSpec& spec);

/// The same device with another needle length (rollers: a different model of the same drum; pens: another
/// depth setting). Refused when the length is not positive or beyond the device's maximum.
[[nodiscard]] Result<Device> with_needle_length(const Device& device, Length length);

/// Parses one device file (TOML). `source_name` appears in error locations ("data/devices/x.toml:12:3" or
/// "x.toml: drum.width_mm"). Every numeric field must come with a `<field>_source` string.
[[nodiscard]] Result<Device> parse_device(std::string_view toml_text, std::string_view source_name);

}  // namespace needlework::physics
