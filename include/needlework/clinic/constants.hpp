#pragma once
/// The few numbers the clinic engine keeps in C++, each with why it is not in a pack. Clinical figures live
/// in the packs (data/packs) with their sources; these are bounds of what the software models, not clinical
/// rules.

#include <chrono>

#include "needlework/knowledge/pack.hpp"
#include "needlework/units/quantity.hpp"

namespace needlework::clinic {

/// The patch `estimate_dose` simulates: a 40 × 30 mm sampling window inside the treated area, so the dose is
/// the one inside the area, away from its edges. Not a clinical figure (the dose is per cm²); the physics
/// engine's default zone (docs/physics.md).
inline constexpr units::Length dose_patch_width = units::millimetres(40);
inline constexpr units::Length dose_patch_height = units::millimetres(30);

/// The longest needle a session input may name: beyond it a length is a typing error, not micro-needling (the
/// article's needles are 0.2–3 mm, S1; pens reach 3 mm, FACTS §1). The pack's bands and device limits decide
/// what is allowed; this only rejects nonsense before they are asked. The pack loader applies the same bound
/// (knowledge::max_needle_length_mm) to the lengths a pack may name.
inline constexpr units::Length max_needle_length = units::millimetres(knowledge::max_needle_length_mm);

/// The most passes a session records or a dose is estimated for: a bound on the simulation's work, not a
/// clinical limit (the article's 5–10 minutes of rolling, S7, is far fewer). A recorded session may chart 0
/// passes (not counted); a dose needs at least one.
inline constexpr int max_passes = 1000;

/// When the 24-hour follow-up falls due if a pack has no see-a-doctor follow-up rule with a start time (the
/// shipped packs have one, FOLLOWUP.*): the article's own window, redness or swelling past 24 h (S14).
inline constexpr std::chrono::hours followup_window_fallback{24};

}  // namespace needlework::clinic
