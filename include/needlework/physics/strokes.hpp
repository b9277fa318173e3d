#pragma once
/// Stroke plans and the punctures they make. A plan covers a zone with parallel lanes in each of its
/// directions, `passes_per_direction` times; a roller lays its needles along each lane as the drum rolls
/// without slip, a pen stamps its cartridge every v/f along the lane. Random drum phase (per lane), lane
/// offset (per pass) and hand jitter (lateral, per lane) come from one seeded stream, so a plan and a seed
/// give the same punctures on every platform.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "needlework/physics/depth.hpp"
#include "needlework/physics/device.hpp"
#include "needlework/physics/types.hpp"
#include "needlework/physics/zone.hpp"
#include "needlework/units/error.hpp"

namespace needlework::physics {

/// Direction of a stroke in the skin frame: horizontal = +x, vertical = +y, diagonal = 45°, anti-diagonal =
/// 135°.
enum class StrokeDirection { horizontal, vertical, diagonal, anti_diagonal };

/// "horizontal", "vertical", "diagonal", "anti_diagonal".
[[nodiscard]] std::string_view to_string(StrokeDirection d) noexcept;
[[nodiscard]] Result<StrokeDirection> parse_stroke_direction(std::string_view text);
/// Each of `names` parsed; an unknown one is an error naming `field[i]`.
[[nodiscard]] Result<std::vector<StrokeDirection>> parse_stroke_directions(std::span<const std::string> names,
                                                                           std::string_view field);
/// Angle of the direction from +x, in radians.
[[nodiscard]] double direction_angle_rad(StrokeDirection d) noexcept;

/// How a zone is treated.
struct StrokePlan {
  std::vector<StrokeDirection> directions{StrokeDirection::horizontal, StrokeDirection::vertical,
                                          StrokeDirection::diagonal};
  int passes_per_direction = 5;  ///< FACTS §2: 15–20 passes in all, vertical, horizontal and diagonal
  double lane_overlap = 0.0;     ///< share of the drum width (pen: cartridge diameter) adjacent lanes share
  /// Distance between adjacent lane centres; when set it replaces `lane_overlap` (a step wider than the drum
  /// leaves untreated strips, which the density statistics then show).
  std::optional<Length> lateral_step;
  bool random_phase = true;                      ///< random drum phase per lane and lane offset per pass
  Length hand_jitter = units::millimetres(0.0);  ///< standard deviation of the lateral position of each lane
  Speed speed = units::millimetres_per_second(30.0);  ///< hand speed along a lane
  HandPressure pressure;
  SkinCompliance compliance;
  Seed seed;
};

/// Refuses plans that cannot be carried out: no direction, passes < 1, overlap outside [0, 0.9], a lateral
/// step that is not positive, negative jitter, non-positive speed, pressure or compliance outside [0, 1].
/// `where` names the field (`plan.lane_overlap`).
[[nodiscard]] Result<void> validate(const StrokePlan& plan);

/// Distance between adjacent lane centres for a device whose lanes are `lane_width` wide.
[[nodiscard]] Length lane_step(const StrokePlan& plan, Length lane_width) noexcept;

/// One needle entering the skin.
struct Puncture {
  SurfacePoint position;  ///< centre of the surface wound, skin frame
  Length depth;           ///< effective depth (depth.hpp)
  Length slit;            ///< surface wound length along the stroke (kinematics.hpp)
  float entry_angle_rad =
      0.0f;  ///< needle tilt from the skin normal at entry (0 for a pen); float keeps
             ///< the struct at 48 bytes (a session is streamed through memory several times)
  float stroke_angle_rad = 0.0f;  ///< direction of the stroke that made it
  std::uint32_t stroke = 0;       ///< index of the lane (stroke) in the session, in order
  std::uint32_t pass = 0;         ///< index of the pass
};

/// All punctures of one session, in the order they were made.
struct Session {
  std::vector<Puncture> punctures;
  int passes = 0;
  int strokes = 0;
  Length travel;            ///< total distance the device moved along lanes
  double revolutions = 0;   ///< roller: travel / circumference; pen: 0
  std::int64_t stamps = 0;  ///< pen: cartridge stamps; roller: 0
  Time duration;            ///< travel / speed (lifting between lanes not counted)
};

/// The most punctures a session may make unless its caller bounds it lower: each is kept (48 bytes, and the
/// search buffers beside it), so 5·10⁷ is a few GB — 100 m² at 500 /cm², far beyond any session. A bound of
/// the work, not of physics.
inline constexpr double default_max_punctures = 5e7;

/// Simulates a plan on a zone with a device. Errors from `validate`.
[[nodiscard]] Result<Session> simulate_strokes(const Device& device, const Zone& zone,
                                               const StrokePlan& plan);

/// The device class a device belongs to for the depth model.
[[nodiscard]] DeviceClass device_class_of(const Device& device) noexcept;

}  // namespace needlework::physics
