#pragma once
/// Pictures of a simulation, as bytes in memory (the caller writes them where the user asked): a PNG heatmap
/// of the density grid, an SVG of a roller needle's tip path and slit, and the resealing curve as SVG or CSV.

#include <string>
#include <vector>

#include "needlework/physics/density.hpp"
#include "needlework/physics/device.hpp"
#include "needlework/physics/resealing.hpp"
#include "needlework/physics/types.hpp"

namespace needlework::physics {

/// Width in pixels of the colour scale drawn to the right of the heat map, and the least height of the image
/// (so the scale stays readable beside a flat zone).
inline constexpr int kLegendWidth = 110;
inline constexpr int kLegendMinHeight = 200;

/// PNG of punctures/cm² per cell (dark blue → yellow up to `scale_max`, grey outside the zone), at least
/// `min_pixels` on the longer side, with a labelled colour scale (0 to `scale_max` per cm²) in a white panel
/// `kLegendWidth` wide on its right. Empty on failure of the encoder.
[[nodiscard]] std::vector<unsigned char> render_density_png(const DensityGrid& grid, ArealDensity scale_max,
                                                            int min_pixels = 480);

/// SVG of the tip path of one needle of a roller through the skin (rigid tissue) at insertion η (the caller's
/// η, e.g. the depth model's mean E[η]; kinematics.hpp), with the level where the tissue is pierced, the
/// entry and exit points, the rigid-tissue slit and the slit at the given compliance. For a pen, a
/// perpendicular stamp.
[[nodiscard]] std::string render_tip_path_svg(const Device& device, SkinCompliance compliance,
                                              double insertion_fraction);

/// SVG of open-channel fraction against hours for each model (labelled), with the 95 %-closed line.
[[nodiscard]] std::string render_resealing_svg(
    const std::vector<std::pair<std::string, ResealingModel>>& curves, Time until);

/// CSV `t_h,<label>...` of the same curves, `samples` rows.
[[nodiscard]] std::string render_resealing_csv(
    const std::vector<std::pair<std::string, ResealingModel>>& curves, Time until, int samples = 97);

}  // namespace needlework::physics
