#include "needlework/knowledge/pack.hpp"

#include <algorithm>
#include <array>

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
const Message* Pack::find_message(MessageKind kind) const {
  auto it = std::find_if(messages.begin(), messages.end(), [&](const Message& m) { return m.kind == kind; });
  return it == messages.end() ? nullptr : &*it;
}

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

namespace {

struct KindEntry {
  MessageKind kind;
  std::string_view name;
  /// What the sender fills in for this kind, besides "client" and "unsubscribe" (docs/knowledge-packs.md).
  std::array<std::string_view, 4> fields;  ///< empty names are unused slots
};

constexpr std::array<KindEntry, 6> message_kinds{{
    {MessageKind::aftercare, "aftercare", {"date", "area", "sheet", "next_visit"}},
    {MessageKind::reminder, "reminder", {"when", "area", "duration"}},
    {MessageKind::followup_prompt, "followup_prompt", {"date", "area", "portal"}},
    {MessageKind::recall_notice, "recall_notice", {"lot", "date", "area", "reason"}},
    {MessageKind::portal_link, "portal_link", {"link", "minutes"}},
    {MessageKind::home_aftercare, "home_aftercare", {"date", "area", "sheet"}},
}};

}  // namespace

std::string_view to_string(MessageKind k) noexcept {
  for (const auto& e : message_kinds) {
    if (e.kind == k) return e.name;
  }
  return "?";
}

std::optional<MessageKind> message_kind_from_string(std::string_view s) noexcept {
  for (const auto& e : message_kinds) {
    if (e.name == s) return e.kind;
  }
  return std::nullopt;
}

std::vector<std::string_view> message_fields(MessageKind kind) {
  std::vector<std::string_view> out{"client", "unsubscribe"};
  for (const auto& e : message_kinds) {
    if (e.kind != kind) continue;
    for (auto f : e.fields) {
      if (!f.empty()) out.push_back(f);
    }
  }
  return out;
}

}  // namespace needlework::knowledge
