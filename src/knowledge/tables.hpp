#pragma once
// The list of rule tables of a pack, in one place: the loader, the merger, erase_rule and rule_index all walk
// it.

#include <string_view>
#include <tuple>
#include <utility>

#include "needlework/knowledge/pack.hpp"

namespace needlework::knowledge {

/// Table name in the TOML format and the Pack member holding its rules, in file-format order.
inline constexpr auto rule_tables = std::make_tuple(
    std::pair{"area", &Pack::areas}, std::pair{"condition", &Pack::conditions},
    std::pair{"concern", &Pack::concerns}, std::pair{"observation", &Pack::observations},
    std::pair{"device", &Pack::devices}, std::pair{"band", &Pack::bands},
    std::pair{"area_limit", &Pack::area_limits}, std::pair{"contraindication", &Pack::contraindications},
    std::pair{"caution", &Pack::cautions}, std::pair{"consultation", &Pack::consultations},
    std::pair{"screening_validity", &Pack::screening_validity}, std::pair{"depth_guard", &Pack::depth_guards},
    std::pair{"course", &Pack::courses}, std::pair{"maintenance", &Pack::maintenance},
    std::pair{"step", &Pack::steps}, std::pair{"hygiene", &Pack::hygiene},
    std::pair{"aftercare", &Pack::aftercare}, std::pair{"healing", &Pack::healing},
    std::pair{"reaction", &Pack::reactions}, std::pair{"followup", &Pack::followups},
    std::pair{"comparison", &Pack::comparisons}, std::pair{"mechanism", &Pack::mechanisms},
    std::pair{"message", &Pack::messages});

/// Calls f(table_name, member_pointer) for every rule table.
template <class F>
void for_each_table_member(F&& f) {
  std::apply([&](auto... entry) { (f(std::string_view(entry.first), entry.second), ...); }, rule_tables);
}

/// Calls f(table_name, pack.*member) for every rule table of the pack.
template <class P, class F>
void for_each_table(P& pack, F&& f) {
  for_each_table_member([&](std::string_view name, auto member) { f(name, pack.*member); });
}

}  // namespace needlework::knowledge
