#pragma once
/// How deep a needle really goes, and which skin layer each puncture ends in.
///
/// Effective depth: `L_eff = η · L` for nominal length L. η is drawn per puncture from a triangular
/// distribution of half-width 0.10 around a mean that rises linearly with hand pressure within the published
/// bracket of means [0.20, 0.77] (FACTS §5: 20 % for a roller needle in rat skin, Kalluri 2011; 77 % for a
/// stiff needle in human skin in vivo, Donnelly 2011). Single punctures are clamped at the top (0.77: no
/// measurement found puts a needle deeper than 77 % of its length) but not at the bottom: 0.20 is the mean of
/// Kalluri's channels (152.5 ± 9.6 µm of 770 µm), half of which lie below it, so at light pressure the
/// model's mean is Kalluri's 0.20 (a floor clamp would lift it to 0.217, 1.5 SD off):
///   roller: η̄ = 0.20 + 0.40 · pressure   (light 0.20 … firm 0.60; a drum spreads the load over many needles)
///   pen:    η̄ = 0.50 + 0.27 · pressure   (moderate 0.635 … firm 0.77; perpendicular, motor-driven)
/// The layer shares of a session are computed exactly from this distribution (no sampling), so a safety
/// refusal does not depend on a seed.

#include <array>
#include <span>
#include <string>
#include <string_view>

#include "needlework/physics/skin.hpp"
#include "needlework/physics/types.hpp"
#include "needlework/units/error.hpp"

namespace needlework::physics {

/// Published bracket of the mean effective/nominal depth (FACTS §5); single punctures are clamped at the
/// ceiling only.
inline constexpr double eta_floor = 0.20;
inline constexpr double eta_ceiling = 0.77;
/// Half-width of the per-puncture spread of η (an assumption: the FACTS §5 roller figure is 152.5 ± 9.6 µm of
/// 770 µm, i.e. η = 0.198 ± 0.012 at one pressure; we widen it to ±0.10 to cover hand-to-hand variation).
inline constexpr double eta_half_width = 0.10;

/// The two classes of device whose needles behave differently in the skin.
enum class DeviceClass { roller, pen };

/// Where a puncture ends.
enum class Layer : int { epidermis = 0, papillary_dermis = 1, reticular_dermis = 2, beyond_dermis = 3 };

/// A share as a percentage with one decimal ("12.3 %") that never rounds a non-zero share to "0.0 %" nor a
/// share short of 1 to "100.0 %" ("< 0.1 %", "> 99.9 %"): a refusal must not say "0 % of punctures".
[[nodiscard]] std::string percent_text(double share);

/// Stable text for a layer ("papillary_dermis").
[[nodiscard]] std::string_view to_string(Layer layer) noexcept;

/// The per-puncture distribution of η for a device class and pressure.
struct DepthModel {
  double eta_mean = 0.4;
  double eta_half_width = physics::eta_half_width;

  /// Lowest and highest η the model can produce (after clamping at the ceiling).
  [[nodiscard]] double eta_low() const noexcept;
  [[nodiscard]] double eta_high() const noexcept;
  /// η for two uniforms u1, u2 in [0, 1): triangular around the mean, clamped at the ceiling.
  [[nodiscard]] double eta_from_uniforms(double u1, double u2) const noexcept;
  /// P(η ≤ x) of the clamped triangular distribution.
  [[nodiscard]] double eta_cdf(double x) const noexcept;
  /// E[η] of the clamped distribution (equals `eta_mean` unless the ceiling clips the triangle).
  [[nodiscard]] double eta_expected() const noexcept;
  /// The smallest x with P(η ≤ x) ≥ q, for q in [0, 1] (q = 1 gives `eta_high()`).
  [[nodiscard]] double eta_quantile(double q) const noexcept;
};

/// Builds the depth model; refuses a pressure outside [0, 1].
[[nodiscard]] Result<DepthModel> make_depth_model(DeviceClass device_class, HandPressure pressure);

/// Mean effective depth of a needle of nominal length L: E[η] · L over the clamped distribution
/// (docs/physics.md).
[[nodiscard]] Length mean_effective_depth(const DepthModel& model, Length nominal_length) noexcept;

/// The layer a puncture ending at `depth` lies in (a puncture exactly at a boundary belongs to the upper
/// layer).
[[nodiscard]] Layer classify_depth(Length depth, const Region& region) noexcept;

/// Shares of punctures ending in each layer; they sum to 1.
struct LayerFractions {
  double epidermis = 0.0;
  double papillary_dermis = 0.0;  ///< pinpoint bleeding expected (papillary capillary loops, FACTS §5)
  double reticular_dermis = 0.0;
  double beyond_dermis = 0.0;  ///< into the subcutis: a safety refusal

  [[nodiscard]] double share(Layer layer) const noexcept;
};

/// Exact layer shares for a needle of nominal length L at this pressure on this region.
[[nodiscard]] LayerFractions calc_layer_fractions(const Region& region, const DepthModel& model,
                                                  Length nominal_length) noexcept;

/// The clinic's seam (DESIGN "clinic may ask physics for depth-by-layer"): layer shares for region + device
/// class + nominal needle length + pressure. Errors: unknown region (`unknown_id`), pressure outside [0, 1]
/// or a length that is not positive (`out_of_range`). Does not refuse; see `check_within_dermis`.
[[nodiscard]] Result<LayerFractions> depth_by_layer(const RegionCatalog& regions, std::string_view region_id,
                                                    DeviceClass device_class, Length nominal_length,
                                                    HandPressure pressure);

/// Like `depth_by_layer`, but returns a `refused` error when any puncture can end beyond the dermis (the
/// share exceeds `tolerated_beyond_share`, default 0). The message names the region, the length, the deepest
/// effective depth and the dermis floor, so a person can pick a shorter needle.
[[nodiscard]] Result<LayerFractions> check_within_dermis(const RegionCatalog& regions,
                                                         std::string_view region_id, DeviceClass device_class,
                                                         Length nominal_length, HandPressure pressure,
                                                         double tolerated_beyond_share = 0.0);

/// The longest nominal needle that never ends beyond the dermis on this region at this pressure (the region's
/// thinnest mean dermis: a typical client, not an assured one; see `Assurance`).
[[nodiscard]] Result<Length> max_safe_length(const RegionCatalog& regions, std::string_view region_id,
                                             DeviceClass device_class, HandPressure pressure);

// ---- the guard under uncertainty
// ----------------------------------------------------------------------------

/// What the depth guard answers for (docs/physics.md "The depth guard"): a client at `client_percentile` of
/// dermis thickness among clients of `sex`, at any hand pressure up to `max_pressure` (η rises with pressure,
/// so the maximum is the worst case), with at most `tolerated_beyond_share` of punctures beyond the dermis.
/// The values come from the pack's depth-guard rule.
struct Assurance {
  double client_percentile = 5.0;
  Sex sex = Sex::any;
  HandPressure max_pressure{0.5};
  std::string pressure_label;  ///< the pack's words for `max_pressure` ("gentle"); empty: the number is shown
  double tolerated_beyond_share = 0.0;
};

/// "a 5th-percentile client at gentle pressure (up to 0.30)"; names the sex unless it is `any`.
[[nodiscard]] std::string describe(const Assurance& assurance);

/// The guard's answer for a needle on an area's skin regions, taken on the worst of them.
struct DepthVerdict {
  std::string region_id;  ///< the worst region: the one with the shortest safe needle
  std::string region_name;
  Length length;           ///< the nominal needle length asked about
  LayerFractions layers;   ///< on the worst region, for the assured client at the maximum pressure
  Length dermis_floor;     ///< where that client's dermis ends on the worst region
  Length max_safe_length;  ///< the longest needle within the assurance on every region
  bool within = true;      ///< layers.beyond_dermis ≤ the tolerated share
  std::string summary;     ///< "1.50 mm on the Temple: 97.8 % of punctures stay within the dermis for …"
};

/// The longest nominal needle whose punctures stay within the dermis of `region` (already at the client's
/// percentile) up to the tolerated share, at this depth model.
[[nodiscard]] Length max_safe_length_on(const Region& region, const DepthModel& model,
                                        double tolerated_beyond_share) noexcept;

/// Assesses a needle on every region of an area (`region_ids`, at least one) at the assurance and answers for
/// the worst. Errors: an unknown region (`unknown_id`), no region (`invalid_value`), a length that is not
/// positive, a pressure or percentile out of range (`out_of_range`). Does not refuse: the caller decides by
/// `within` and the rule's action.
[[nodiscard]] Result<DepthVerdict> assess_depth(const RegionCatalog& regions,
                                                std::span<const std::string> region_ids,
                                                DeviceClass device_class, Length nominal_length,
                                                const Assurance& assurance);

}  // namespace needlework::physics
