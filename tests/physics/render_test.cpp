// The density heat map PNG: the map, and the colour scale beside it that says what the colours mean.

#include "needlework/physics/render.hpp"

#include <gtest/gtest.h>

#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wsign-conversion"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wshadow"
#endif
#include <stb/stb_image.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

#include "needlework/physics/density.hpp"

namespace ph = needlework::physics;
namespace nu = needlework::units;

namespace {

struct Image {
  int w = 0, h = 0;
  std::vector<unsigned char> rgb;
  [[nodiscard]] std::array<int, 3> at(int x, int y) const {
    const auto* p = &rgb[(static_cast<std::size_t>(y) * w + x) * 3];
    return {p[0], p[1], p[2]};
  }
};

Image decode(const std::vector<unsigned char>& png) {
  Image img;
  int channels = 0;
  unsigned char* data =
      stbi_load_from_memory(png.data(), static_cast<int>(png.size()), &img.w, &img.h, &channels, 3);
  EXPECT_NE(data, nullptr);
  if (data != nullptr) {
    img.rgb.assign(data, data + static_cast<std::size_t>(img.w) * img.h * 3);
    stbi_image_free(data);
  }
  return img;
}

/// A 40 × 30 mm zone in 2 mm cells, every cell at `per_cell` punctures.
ph::DensityGrid uniform_grid(std::uint32_t per_cell) {
  auto zone = ph::make_rectangle_zone(nu::millimetres(40), nu::millimetres(30));
  EXPECT_TRUE(zone);
  auto grid = ph::make_density_grid(*zone, nu::millimetres(2));
  EXPECT_TRUE(grid);
  for (auto& c : grid->counts) c = per_cell;
  return *grid;
}

}  // namespace

TEST(Heatmap, HasAColourScaleFromZeroAtTheBottomToTheMaximumAtTheTop) {
  const auto grid = uniform_grid(10);  // 10 per 0.04 cm² = 250 /cm²
  const auto img = decode(ph::render_density_png(grid, nu::per_square_centimetre(500), 480));
  ASSERT_EQ(img.w, 480 + ph::kLegendWidth);  // 20 cells × 24 px, then the scale
  ASSERT_EQ(img.h, 360);
  // The map: 250 of a 500 scale is the middle colour (teal), everywhere.
  EXPECT_EQ(img.at(10, 10), img.at(470, 350));
  // The scale's bar: the darkest colour at its foot, the brightest at its head, in the legend panel.
  const int bar_x = 480 + 12 + 9;
  const auto foot = img.at(bar_x, img.h - 13), head = img.at(bar_x, 24);
  EXPECT_LT(foot[0] + foot[1] + foot[2], 250);  // viridis purple (68, 1, 84)
  EXPECT_GT(head[0] + head[1] + head[2], 480);  // viridis yellow (253, 231, 37)
  // The middle of the bar has the map's colour for 250 /cm².
  const auto mid = img.at(bar_x, 24 + (img.h - 13 - 24) / 2);
  const auto cell = img.at(10, 10);
  for (int c = 0; c < 3; ++c) EXPECT_NEAR(mid[c], cell[c], 12) << c;
  // The labels: dark ink right of the bar.
  int ink = 0;
  for (int y = 0; y < img.h; ++y) {
    for (int x = bar_x + 20; x < img.w; ++x) {
      const auto p = img.at(x, y);
      if (p[0] + p[1] + p[2] < 150) ++ink;
    }
  }
  EXPECT_GT(ink, 100);
}

TEST(Heatmap, AFlatZoneStillGetsAReadableScale) {
  auto zone = ph::make_rectangle_zone(nu::millimetres(100), nu::millimetres(4));
  ASSERT_TRUE(zone);
  auto grid = ph::make_density_grid(*zone, nu::millimetres(2));
  ASSERT_TRUE(grid);
  const auto img = decode(ph::render_density_png(*grid, nu::per_square_centimetre(500), 480));
  EXPECT_EQ(img.h, ph::kLegendMinHeight);
}
