#pragma once
/// A treatment zone: a simple polygon on the skin surface, in mm in the skin frame. Built only through
/// `make_zone`, which refuses fewer than three vertices, non-finite coordinates, zero area and
/// self-intersection.

#include <vector>

#include "needlework/physics/types.hpp"
#include "needlework/units/error.hpp"

namespace needlework::physics {

/// A validated simple polygon, stored counter-clockwise.
class Zone {
 public:
  [[nodiscard]] const std::vector<SurfacePoint>& vertices() const noexcept { return vertices_; }
  [[nodiscard]] Area area() const noexcept { return area_; }
  /// Axis-aligned bounds of the polygon.
  [[nodiscard]] SurfacePoint min_corner() const noexcept { return min_; }
  [[nodiscard]] SurfacePoint max_corner() const noexcept { return max_; }
  /// Point-in-polygon (even–odd rule; a point on an edge may fall either way).
  [[nodiscard]] bool contains(SurfacePoint p) const noexcept;

  friend Result<Zone> make_zone(std::vector<SurfacePoint> vertices);

 private:
  std::vector<SurfacePoint> vertices_;
  Area area_;
  SurfacePoint min_, max_;
};

/// Validates a polygon (see above). The error's `where` is `zone` or `zone[i]`.
[[nodiscard]] Result<Zone> make_zone(std::vector<SurfacePoint> vertices);

/// An axis-aligned rectangle from (0, 0) to (width, height).
[[nodiscard]] Result<Zone> make_rectangle_zone(Length width, Length height);

}  // namespace needlework::physics
