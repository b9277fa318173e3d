#include "needlework/knowledge/pack.hpp"

#include <algorithm>

#include "tables.hpp"

namespace needlework::knowledge {
namespace {

template <class T>
const T* find_by(const std::vector<T>& v, std::string_view id) {
  auto it = std::find_if(v.begin(), v.end(), [&](const T& x) { return x.id == id; });
  return it == v.end() ? nullptr : &*it;
}

}  // namespace

const Area* Pack::find_area(std::string_view id) const { return find_by(areas, id); }
const Condition* Pack::find_condition(std::string_view id) const { return find_by(conditions, id); }
const Concern* Pack::find_concern(std::string_view id) const { return find_by(concerns, id); }
const Observation* Pack::find_observation(std::string_view id) const { return find_by(observations, id); }
const Device* Pack::find_device(std::string_view id) const { return find_by(devices, id); }
const Source* Pack::find_source(std::string_view id) const { return find_by(sources, id); }

const Band* Pack::find_band(std::string_view name) const {
  auto it = std::find_if(bands.begin(), bands.end(), [&](const Band& b) { return b.name == name; });
  return it == bands.end() ? nullptr : &*it;
}

bool Pack::area_within(std::string_view area, std::string_view ancestor) const {
  // Parents are validated to exist and to form no cycle, so this walk ends.
  for (const Area* a = find_area(area); a != nullptr;
       a = a->parent.empty() ? nullptr : find_area(a->parent)) {
    if (a->id == ancestor) return true;
  }
  return false;
}

std::vector<std::pair<std::string, std::string>> Pack::rule_index() const {
  std::vector<std::pair<std::string, std::string>> out;
  for_each_table(*this, [&](std::string_view table, const auto& rules) {
    for (const auto& r : rules) out.emplace_back(std::string(table), r.id);
  });
  return out;
}

bool Pack::erase_rule(std::string_view id) {
  bool erased = false;
  for_each_table(*this, [&](std::string_view, auto& rules) {
    erased |= std::erase_if(rules, [&](const auto& r) { return r.id == id; }) > 0;
  });
  return erased;
}

std::string_view to_string(Decision d) noexcept {
  switch (d) {
    case Decision::cleared:
      return "cleared";
    case Decision::exclude_area:
      return "exclude_area";
    case Decision::defer:
      return "defer";
    case Decision::refer:
      return "refer";
    case Decision::contraindicated:
      return "contraindicated";
  }
  return "?";
}

std::optional<Decision> decision_from_string(std::string_view s) noexcept {
  for (auto d : {Decision::cleared, Decision::exclude_area, Decision::defer, Decision::refer,
                 Decision::contraindicated}) {
    if (to_string(d) == s) return d;
  }
  return std::nullopt;
}

std::string_view to_string(Triage t) noexcept { return t == Triage::normal ? "normal" : "see_doctor"; }
std::string_view to_string(Setting s) noexcept { return s == Setting::clinic ? "clinic" : "home"; }
std::string_view to_string(ConditionScope s) noexcept {
  return s == ConditionScope::systemic ? "systemic" : "local";
}
std::string_view to_string(AftercarePhase p) noexcept {
  switch (p) {
    case AftercarePhase::first_day:
      return "first_day";
    case AftercarePhase::while_healing:
      return "while_healing";
    case AftercarePhase::always:
      return "always";
  }
  return "?";
}

}  // namespace needlework::knowledge
