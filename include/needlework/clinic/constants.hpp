#pragma once
/// The few numbers the clinic engine keeps in C++, each with why it is not in a pack. Clinical figures live
/// in the packs (data/packs) with their sources; these are bounds of what the software models, not clinical
/// rules.

#include "needlework/units/quantity.hpp"

namespace needlework::clinic {

/// The patch `estimate_dose` simulates: a 40 × 30 mm sampling window inside the treated area, so the dose is
/// the one inside the area, away from its edges. Not a clinical figure (the dose is per cm²); the physics
/// engine's default zone (docs/physics.md).
inline constexpr units::Length dose_patch_width = units::millimetres(40);
inline constexpr units::Length dose_patch_height = units::millimetres(30);

/// The longest needle a session input may name: beyond it a length is a typing error, not micro-needling (the
/// article's needles are 0.2–3 mm, S1; pens reach 3 mm, FACTS §1). The pack's bands and device limits decide
/// what is allowed; this only rejects nonsense before they are asked. The pack loader keeps the same bound
/// for the lengths a pack may name (src/knowledge/loader.cpp).
inline constexpr units::Length max_needle_length = units::millimetres(5);

/// The most passes a session records or a dose is estimated for: a bound on the simulation's work, not a
/// clinical limit (the article's 5–10 minutes of rolling, S7, is far fewer). A recorded session may chart 0
/// passes (not counted); a dose needs at least one.
inline constexpr int max_passes = 1000;

}  // namespace needlework::clinic
