#include "needlework/physics/zone.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace needlework::physics {

using units::in_mm;
using units::millimetres;

namespace {

double cross(double ax, double ay, double bx, double by) { return ax * by - ay * bx; }

// Proper or touching intersection of segments p1p2 and p3p4.
bool segments_intersect(const SurfacePoint& p1, const SurfacePoint& p2, const SurfacePoint& p3,
                        const SurfacePoint& p4) {
  const double x1 = in_mm(p1.x), y1 = in_mm(p1.y), x2 = in_mm(p2.x), y2 = in_mm(p2.y);
  const double x3 = in_mm(p3.x), y3 = in_mm(p3.y), x4 = in_mm(p4.x), y4 = in_mm(p4.y);
  const double d1 = cross(x4 - x3, y4 - y3, x1 - x3, y1 - y3);
  const double d2 = cross(x4 - x3, y4 - y3, x2 - x3, y2 - y3);
  const double d3 = cross(x2 - x1, y2 - y1, x3 - x1, y3 - y1);
  const double d4 = cross(x2 - x1, y2 - y1, x4 - x1, y4 - y1);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return true;
  auto on_segment = [](double ax, double ay, double bx, double by, double px, double py) {
    return std::min(ax, bx) <= px && px <= std::max(ax, bx) && std::min(ay, by) <= py &&
           py <= std::max(ay, by);
  };
  if (d1 == 0 && on_segment(x3, y3, x4, y4, x1, y1)) return true;
  if (d2 == 0 && on_segment(x3, y3, x4, y4, x2, y2)) return true;
  if (d3 == 0 && on_segment(x1, y1, x2, y2, x3, y3)) return true;
  if (d4 == 0 && on_segment(x1, y1, x2, y2, x4, y4)) return true;
  return false;
}

}  // namespace

bool Zone::contains(SurfacePoint p) const noexcept {
  const double px = in_mm(p.x), py = in_mm(p.y);
  bool inside = false;
  const std::size_t n = vertices_.size();
  for (std::size_t i = 0, j = n - 1; i < n; j = i++) {
    const double xi = in_mm(vertices_[i].x), yi = in_mm(vertices_[i].y);
    const double xj = in_mm(vertices_[j].x), yj = in_mm(vertices_[j].y);
    if ((yi > py) != (yj > py) && px < (xj - xi) * (py - yi) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

Result<Zone> make_zone(std::vector<SurfacePoint> vertices) {
  const std::size_t n = vertices.size();
  if (n < 3) {
    return fail(ErrorCode::invalid_value, fmt::format("a zone polygon needs at least 3 vertices, got {}", n),
                "zone");
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(in_mm(vertices[i].x)) || !std::isfinite(in_mm(vertices[i].y))) {
      return fail(ErrorCode::invalid_value, "vertex coordinates must be finite numbers of mm",
                  fmt::format("zone[{}]", i));
    }
  }
  double twice_area = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto& a = vertices[i];
    const auto& b = vertices[(i + 1) % n];
    twice_area += in_mm(a.x) * in_mm(b.y) - in_mm(b.x) * in_mm(a.y);
  }
  // Edges i and j intersect only if they are not neighbours (neighbours share a vertex by construction).
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i + 1; j < n; ++j) {
      const bool neighbours = j == i + 1 || (i == 0 && j == n - 1);
      if (neighbours) continue;
      if (segments_intersect(vertices[i], vertices[(i + 1) % n], vertices[j], vertices[(j + 1) % n])) {
        return fail(ErrorCode::invalid_value,
                    fmt::format("edges {}–{} and {}–{} cross: the zone must be a simple polygon", i,
                                (i + 1) % n, j, (j + 1) % n),
                    fmt::format("zone[{}]", j));
      }
    }
  }
  if (!(std::fabs(twice_area) / 2 > 1e-9)) {
    return fail(ErrorCode::invalid_value, "the zone polygon has no area", "zone");
  }
  if (twice_area < 0) std::reverse(vertices.begin(), vertices.end());
  Zone z;
  z.area_ = units::square_millimetres(std::fabs(twice_area) / 2);
  z.min_ = z.max_ = vertices.front();
  for (const auto& v : vertices) {
    z.min_.x = std::min(z.min_.x, v.x);
    z.min_.y = std::min(z.min_.y, v.y);
    z.max_.x = std::max(z.max_.x, v.x);
    z.max_.y = std::max(z.max_.y, v.y);
  }
  z.vertices_ = std::move(vertices);
  return z;
}

Result<Zone> make_rectangle_zone(Length width, Length height) {
  if (!(in_mm(width) > 0) || !(in_mm(height) > 0)) {
    return fail(ErrorCode::out_of_range, "a rectangle zone needs a positive width and height", "zone");
  }
  return make_zone(
      {{millimetres(0), millimetres(0)}, {width, millimetres(0)}, {width, height}, {millimetres(0), height}});
}

}  // namespace needlework::physics
