#include "needlework/physics/render.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wsign-conversion"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wunused-function"
#endif
#include <stb/stb_easy_font.h>
#include <stb/stb_image_write.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

#include "needlework/physics/kinematics.hpp"

namespace needlework::physics {

using units::in_mm;

namespace {

struct Rgb {
  unsigned char r, g, b;
};

// A five-stop approximation of the viridis colour map (perceptually ordered, readable in grey).
Rgb colour(double t) {
  static constexpr double stops[5][3] = {
      {68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};
  t = std::clamp(t, 0.0, 1.0) * 4.0;
  const int i = std::min(static_cast<int>(t), 3);
  const double f = t - i;
  auto mix = [&](int c) {
    return static_cast<unsigned char>(std::lround(stops[i][c] + f * (stops[i + 1][c] - stops[i][c])));
  };
  return {mix(0), mix(1), mix(2)};
}

void append_bytes(void* context, void* data, int size) {
  auto* out = static_cast<std::vector<unsigned char>*>(context);
  const auto* bytes = static_cast<const unsigned char*>(data);
  out->insert(out->end(), bytes, bytes + size);
}

std::string svg_header(double width, double height) {
  return fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
      width, height);
}

}  // namespace

namespace {

/// An RGB image being drawn: rectangles and stb_easy_font text.
struct Canvas {
  int w, h;
  std::vector<unsigned char> pixels;
  Canvas(int width, int height)
      : w(width), h(height), pixels(static_cast<std::size_t>(width) * height * 3, 255) {}
  void fill(int x0, int y0, int x1, int y1, Rgb c) {
    for (int y = std::max(0, y0); y < std::min(h, y1); ++y) {
      for (int x = std::max(0, x0); x < std::min(w, x1); ++x) {
        unsigned char* p = &pixels[(static_cast<std::size_t>(y) * w + x) * 3];
        p[0] = c.r;
        p[1] = c.g;
        p[2] = c.b;
      }
    }
  }
  /// Text in stb_easy_font's 7-pixel-high face, scaled `k` times, top-left at (x, y).
  void text(int x, int y, const std::string& s, int k, Rgb c) {
    std::vector<char> buffer(s.size() * 1024 + 64);  // stb_easy_font: up to ~16 quads of 64 bytes a character
    std::string copy = s;
    const int quads =
        stb_easy_font_print(0, 0, copy.data(), nullptr, buffer.data(), static_cast<int>(buffer.size()));
    const auto* v = reinterpret_cast<const float*>(buffer.data());  // 4 vertices of x, y, z, rgba (16 bytes)
    for (int q = 0; q < quads; ++q) {
      const float* a = v + q * 16;  // vertex 0 and vertex 2 are opposite corners
      const float* b = a + 8;
      fill(x + k * static_cast<int>(std::lround(std::min(a[0], b[0]))),
           y + k * static_cast<int>(std::lround(std::min(a[1], b[1]))),
           x + k * static_cast<int>(std::lround(std::max(a[0], b[0]))),
           y + k * static_cast<int>(std::lround(std::max(a[1], b[1]))), c);
    }
  }
};

}  // namespace

std::vector<unsigned char> render_density_png(const DensityGrid& grid, ArealDensity scale_max,
                                              int min_pixels) {
  const int longer = std::max(grid.nx, grid.ny);
  const int scale = std::max(1, (min_pixels + longer - 1) / longer);
  const int map_w = grid.nx * scale, h = std::max(grid.ny * scale, kLegendMinHeight);
  Canvas canvas(map_w + kLegendWidth, h);
  const double max_per_cm2 = std::max(units::in_per_cm2(scale_max), 1e-9);
  for (int iy = 0; iy < grid.ny; ++iy) {
    const int row = (grid.ny - 1 - iy) * scale;  // image rows run top to bottom; the skin frame's y runs up
    for (int ix = 0; ix < grid.nx; ++ix) {
      const std::size_t c = static_cast<std::size_t>(iy) * grid.nx + ix;
      const Rgb rgb =
          grid.inside[c] ? colour(units::in_per_cm2(grid.density(ix, iy)) / max_per_cm2) : Rgb{200, 200, 200};
      canvas.fill(ix * scale, row, (ix + 1) * scale, row + scale, rgb);
    }
  }
  // The colour scale beside the map: a bar from 0 (bottom) to scale_max (top), five labelled ticks, the unit.
  const int bar_x = map_w + 12, bar_w = 18, top = 24, bottom = h - 12;
  for (int y = top; y < bottom; ++y) {
    canvas.fill(bar_x, y, bar_x + bar_w, y + 1,
                colour(static_cast<double>(bottom - 1 - y) / (bottom - 1 - top)));
  }
  const Rgb ink{20, 20, 20};
  canvas.text(bar_x - 4, 4, "/cm2", 2, ink);
  for (int i = 0; i <= 4; ++i) {
    const int y = bottom - 1 - i * (bottom - 1 - top) / 4;
    canvas.fill(bar_x + bar_w, y, bar_x + bar_w + 4, y + 1, ink);
    canvas.text(bar_x + bar_w + 6, y - 7, fmt::format("{:.0f}", max_per_cm2 * i / 4), 2, ink);
  }
  std::vector<unsigned char> png;
  if (!stbi_write_png_to_func(append_bytes, &png, canvas.w, canvas.h, 3, canvas.pixels.data(),
                              canvas.w * 3)) {
    png.clear();
  }
  return png;
}

std::string render_tip_path_svg(const Device& device, SkinCompliance compliance, double insertion_fraction) {
  const double width = 640, height = 360, margin = 50;
  std::string svg = svg_header(width, height);
  const NeedleSpec& n = device.needle();
  const double l = in_mm(n.length);
  if (const RollerGeometry* r = device.roller()) {
    const auto path = calc_tip_path(r->drum_radius, n.length, 241);
    const auto pen = calc_penetration(r->drum_radius, n.length, insertion_fraction);
    const double slit_c =
        in_mm(calc_slit_length(r->drum_radius, n.length, n.diameter, compliance, insertion_fraction));
    const double pierce = l - in_mm(pen.max_depth);  // the tissue is pierced (1 − η)·L below the surface
    double u_min = 1e9, u_max = -1e9, d_min = 1e9;
    for (const auto& s : path) {
      u_min = std::min(u_min, in_mm(s.u));
      u_max = std::max(u_max, in_mm(s.u));
      d_min = std::min(d_min, in_mm(s.depth));
    }
    const double sx = (width - 2 * margin) / (u_max - u_min);
    const double sy = (height - 2 * margin) / (l - d_min);
    const double k = std::min(sx, sy);  // equal scales: the picture shows the true shape
    const double u_mid = (u_min + u_max) / 2;
    auto X = [&](double u) { return width / 2 + (u - u_mid) * k; };  // centred, equal scales
    auto Y = [&](double depth) { return margin + (depth - d_min) * k; };
    svg += fmt::format("<rect x=\"{}\" y=\"{:.1f}\" width=\"{}\" height=\"{:.1f}\" fill=\"#f6d5c8\"/>\n",
                       margin, Y(0), width - 2 * margin, l * k);
    svg += fmt::format("<line x1=\"{}\" y1=\"{:.1f}\" x2=\"{}\" y2=\"{:.1f}\" stroke=\"#a0522d\"/>\n", margin,
                       Y(0), width - margin, Y(0));
    svg +=
        fmt::format("<text x=\"{}\" y=\"{:.1f}\" fill=\"#a0522d\">skin surface (1 mm = {:.0f} px)</text>\n",
                    margin + 4, Y(0) - 4, k);
    std::string points;
    for (const auto& s : path) points += fmt::format("{:.2f},{:.2f} ", X(in_mm(s.u)), Y(in_mm(s.depth)));
    svg += fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"#1f4e9c\" stroke-width=\"2\"/>\n",
                       points);
    svg += fmt::format(
        "<line x1=\"{}\" y1=\"{:.1f}\" x2=\"{}\" y2=\"{:.1f}\" stroke=\"#a0522d\" "
        "stroke-dasharray=\"6 4\"/>\n",
        margin, Y(pierce), width - margin, Y(pierce));
    svg += fmt::format(
        "<text x=\"{}\" y=\"{:.1f}\" fill=\"#a0522d\">tissue pierced here: insertion η·L = {:.3f} mm "
        "(η = {:.2f})</text>\n",
        margin + 4, Y(pierce) + 14, in_mm(pen.max_depth), insertion_fraction);
    const double ue = in_mm(pen.u_entry), ux = in_mm(pen.u_exit);
    svg += fmt::format(
        "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#c00\" "
        "stroke-width=\"4\"/>\n",
        X(ux), Y(pierce), X(ue), Y(pierce));
    const double mid = (ue + ux) / 2;
    svg += fmt::format(
        "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#090\" stroke-width=\"8\" "
        "stroke-opacity=\"0.6\"/>\n",
        X(mid - slit_c / 2), Y(pierce), X(mid + slit_c / 2), Y(pierce));
    svg += fmt::format(
        "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"4\" fill=\"#c00\"/><circle cx=\"{:.1f}\" cy=\"{:.1f}\" "
        "r=\"4\" fill=\"none\" stroke=\"#c00\"/>\n",
        X(ue), Y(pierce), X(ux), Y(pierce));
    svg += fmt::format(
        "<text x=\"{}\" y=\"20\">{}: tip path of a {} mm needle on R = {} mm (rigid skin, stroke to the "
        "right)</text>\n",
        margin, device.id, l, in_mm(r->drum_radius));
    svg += fmt::format(
        "<text x=\"{}\" y=\"{}\" fill=\"#c00\">rigid slit {:.3f} mm (entry ● exit ○), entry angle "
        "{:.1f}°</text>\n",
        margin, height - 28, in_mm(pen.slit_rigid), pen.entry_angle_rad * 180 / 3.141592653589793);
    svg += fmt::format("<text x=\"{}\" y=\"{}\" fill=\"#090\">slit at compliance {:.2f}: {:.3f} mm</text>\n",
                       margin, height - 10, compliance.value, slit_c);
  } else {
    const double k = (height - 2 * margin) / (l * 1.5);
    const double x = width / 2;
    svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{:.1f}\" fill=\"#f6d5c8\"/>\n", margin,
                       margin + 0.5 * l * k, width - 2 * margin, l * k);
    svg += fmt::format(
        "<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2:.1f}\" stroke=\"#1f4e9c\" stroke-width=\"2\"/>\n", x,
        margin, margin + 1.5 * l * k);
    svg += fmt::format(
        "<text x=\"{}\" y=\"20\">{}: perpendicular stamp to {} mm (no slit; hole = needle diameter {} "
        "mm)</text>\n",
        margin, device.id, l, in_mm(n.diameter));
  }
  svg += "</svg>\n";
  return svg;
}

std::string render_resealing_svg(const std::vector<std::pair<std::string, ResealingModel>>& curves,
                                 Time until) {
  const double width = 640, height = 360, left = 60, right = 20, top = 30, bottom = 50;
  const double hours = units::in_s(until) / 3600.0;
  std::string svg = svg_header(width, height);
  auto X = [&](double h) { return left + h / hours * (width - left - right); };
  auto Y = [&](double f) { return top + (1 - f) * (height - top - bottom); };
  svg +=
      fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"black\"/>\n", left, top, Y(0));
  svg += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"black\"/>\n", left, Y(0),
                     X(hours));
  svg += fmt::format(
      "<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"#999\" stroke-dasharray=\"4 4\"/>"
      "<text x=\"{3}\" y=\"{4}\" fill=\"#666\">95 % closed</text>\n",
      left, Y(0.05), X(hours), X(hours) - 80, Y(0.05) - 4);
  for (int i = 0; i <= 4; ++i) {
    const double h = hours * i / 4;
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{:.3g} h</text>\n", X(h),
                       Y(0) + 18, h);
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{:.0f} %</text>\n", left - 6,
                       Y(i / 4.0) + 4, i * 25.0);
  }
  static constexpr const char* palette[] = {"#1f4e9c", "#c0392b", "#27ae60", "#8e44ad", "#e67e22"};
  for (std::size_t c = 0; c < curves.size(); ++c) {
    std::string points;
    for (const auto& p : calc_resealing_curve(curves[c].second, until, 161)) {
      points += fmt::format("{:.2f},{:.2f} ", X(units::in_s(p.t) / 3600.0), Y(p.open_fraction));
    }
    const char* colour_name = palette[c % 5];
    svg += fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>\n", points,
                       colour_name);
    svg += fmt::format("<text x=\"{}\" y=\"{}\" fill=\"{}\">{} (95 % closed at {:.1f} h)</text>\n",
                       left + 200, top + 16.0 * static_cast<double>(c + 1), colour_name, curves[c].first,
                       units::in_s(curves[c].second.time_to_closed(reported_closed_share)) / 3600.0);
  }
  svg += fmt::format(
      "<text x=\"{}\" y=\"18\">Still open after the session: skin barrier (impedance) and "
      "micro-channels</text>\n",
      left);
  svg += "</svg>\n";
  return svg;
}

std::string render_resealing_csv(const std::vector<std::pair<std::string, ResealingModel>>& curves,
                                 Time until, int samples) {
  std::string csv = "t_h";
  for (const auto& c : curves) csv += "," + c.first;
  csv += "\n";
  samples = std::max(samples, 2);
  for (int i = 0; i < samples; ++i) {
    const Time t = until * (static_cast<double>(i) / (samples - 1));
    csv += fmt::format("{:.4f}", units::in_s(t) / 3600.0);
    for (const auto& c : curves) csv += fmt::format(",{:.6f}", c.second.open_fraction(t));
    csv += "\n";
  }
  return csv;
}

}  // namespace needlework::physics
