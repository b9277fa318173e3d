#pragma once
/// The numeric fields of clinic records and inputs, each with its ONE rule (units::NumberRule): the JSON
/// readers (clinic::parse_session), the clinic store (ClinicStore::book_appointment, chart, register_roller),
/// the command-line options and — next — the HTTP API check a value with the rule named here, so `inf`,
/// `1e400`, `50` or `0x10` are refused the same way at every face. These are bounds of what the software
/// models; the pack's rules (bands, area limits, device limits) still decide what is allowed clinically.

#include <cstdint>
#include <limits>

#include "needlework/clinic/constants.hpp"
#include "needlework/knowledge/pack.hpp"
#include "needlework/units/number.hpp"

namespace needlework::clinic {

/// A needle length: above 0 and at most knowledge::max_needle_length_mm (constants.hpp says why).
inline constexpr units::NumberRule needle_length_rule{
    "needle_length_mm", 0.0, knowledge::max_needle_length_mm, true, false, "mm"};

/// An effective (charted) puncture depth: like a needle length, which it cannot exceed.
inline constexpr units::NumberRule effective_depth_rule{
    "effective_depth_mm", 0.0, knowledge::max_needle_length_mm, true, false, "mm"};

/// The most punctures per cm² a chart may record: the finest needles (70 µm, FACTS §1: Doddaballapur 2009)
/// side by side over the whole square centimetre, (10 mm / 0.07 mm)² ≈ 20,400. Beyond it a density is a
/// typing error, not a dose.
inline constexpr double max_density_per_cm2 = 20'000;

/// A charted density of punctures: above 0 and at most max_density_per_cm2.
inline constexpr units::NumberRule density_rule{
    "density_per_cm2", 0.0, max_density_per_cm2, true, false, "/cm²"};

/// Passes charted in a session: a whole number, 0–max_passes (constants.hpp).
inline constexpr units::NumberRule passes_rule{"passes", 0.0, double(max_passes), false, true, ""};

/// The most needles a roller or cartridge record may name: ten times the largest roller on the market
/// (1,080 needles, FACTS §1), so a typing error is caught before the device's own limits are asked.
inline constexpr int max_needle_count = 10'800;

/// Needles of a roller or cartridge: a whole number, 1–max_needle_count (the pack's device decides more).
inline constexpr units::NumberRule needle_count_rule{"needle_count", 1.0,  double(max_needle_count),
                                                     false,          true, ""};

/// A cadence a plan is asked for: a whole number of sessions, 1–7 a week (one a day at most; the pack's
/// course rule decides how many are allowed).
inline constexpr units::NumberRule sessions_per_week_rule{"sessions_per_week", 1.0, 7.0, false, true, ""};

}  // namespace needlework::clinic
