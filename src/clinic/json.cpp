#include "needlework/clinic/json.hpp"

#include <cmath>

namespace needlework::clinic {
namespace {

using nlohmann::json;

/// Lengths to the micrometre and shares to 0.01 %: more digits would be noise from the arithmetic.
double mm_rounded(units::Length l) { return std::round(units::in_mm(l) * 1000.0) / 1000.0; }
double share_rounded(double x) { return std::round(x * 10000.0) / 10000.0; }

json range_mm(const LengthRange& r) { return json::array({mm_rounded(r.lo), mm_rounded(r.hi)}); }

template <class T>
json array_of(const std::vector<T>& v) {
  json out = json::array();
  for (const auto& x : v) out.push_back(to_json(x));
  return out;
}

json depth_json(const std::vector<DepthFinding>& findings) {
  json out = json::array();
  for (const auto& f : findings) {
    out.push_back({{"rule", f.rule},
                   {"source", f.source},
                   {"action", f.action == knowledge::GuardAction::warn ? "warn" : "refuse"},
                   {"within", f.verdict.within},
                   {"acknowledged", f.acknowledged},
                   {"region", f.verdict.region_id},
                   {"within_dermis_share", share_rounded(1.0 - f.verdict.layers.beyond_dermis)},
                   {"dermis_floor_mm", mm_rounded(f.verdict.dermis_floor)},
                   {"max_safe_length_mm", mm_rounded(f.verdict.max_safe_length)},
                   {"summary", f.verdict.summary}});
  }
  return out;
}

json layers_json(const std::optional<physics::LayerFractions>& l) {
  if (!l) return nullptr;
  return json{{"epidermis", share_rounded(l->epidermis)},
              {"papillary_dermis", share_rounded(l->papillary_dermis)},
              {"reticular_dermis", share_rounded(l->reticular_dermis)},
              {"beyond_dermis", share_rounded(l->beyond_dermis)}};
}

json money(const std::optional<units::Money>& m) {
  if (!m) return nullptr;
  return json{{"cents", m->cents}, {"currency", m->currency}};
}

}  // namespace

json to_json(const Reason& r) {
  json j{{"rule", r.rule},
         {"source", r.source},
         {"pack", r.origin},
         {"decision", r.refusal ? std::string_view("refused") : knowledge::to_string(r.decision)},
         {"message", r.message}};
  if (!r.condition.empty()) j["condition"] = r.condition;
  if (!r.areas.empty()) j["areas"] = r.areas;
  return j;
}

json to_json(const Screening& s) {
  json areas = json::array();
  for (const auto& a : s.areas) {
    areas.push_back(
        {{"area", a.area}, {"decision", knowledge::to_string(a.decision)}, {"reasons", array_of(a.reasons)}});
  }
  json j{{"pack", s.pack},
         {"decision", knowledge::to_string(s.decision)},
         {"cleared", s.cleared()},
         {"reasons", array_of(s.reasons)},
         {"areas", areas},
         {"cautions", array_of(s.cautions)},
         {"expected_reactions", s.expected}};
  j["rescreen_from"] = s.rescreen_from ? json(units::format_date(*s.rescreen_from)) : json(nullptr);
  return j;
}

json to_json(const Plan& p) {
  json areas = json::array();
  for (const auto& a : p.areas) {
    json visits = json::array();
    for (const auto& v : a.visits) {
      visits.push_back({{"number", v.number},
                        {"date", units::format_date(v.date)},
                        {"review", v.review},
                        {"only_if_unresolved", v.conditional}});
    }
    json ja{{"area", a.area},
            {"concerns", a.concerns},
            {"refused", a.refused},
            {"refusals", array_of(a.refusals)},
            {"warnings", a.warnings}};
    if (!a.refused) {
      ja.update({{"band", a.band},
                 {"band_rule", a.band_rule},
                 {"needle_length_mm", range_mm(a.length)},
                 {"limit_rules", a.limit_rules},
                 {"device", a.device},
                 {"course_rule", a.course_rule},
                 {"sessions_per_week", a.sessions_per_week},
                 {"min_interval_days", a.interval.count()},
                 {"review_date", units::format_date(a.review_date)},
                 {"end_date", units::format_date(a.end_date)},
                 {"untreated_concerns", a.untreated_concerns},
                 {"visits", visits}});
      ja["depth_rule"] = a.depth_rule.empty() ? json(nullptr) : json(a.depth_rule);
      ja["skin_region"] = a.skin_region.empty() ? json(nullptr) : json(a.skin_region);
      ja["depth_assurance"] = a.depth_assurance.empty() ? json(nullptr) : json(a.depth_assurance);
      ja["max_safe_length_mm"] = a.max_safe_length ? json(mm_rounded(*a.max_safe_length)) : json(nullptr);
    }
    areas.push_back(std::move(ja));
  }
  json calendar = json::array();
  for (const auto& d : p.calendar)
    calendar.push_back({{"date", units::format_date(d.date)}, {"areas", d.areas}});
  json j{{"pack", p.pack},
         {"start", units::format_date(p.start)},
         {"screening", to_json(p.screening)},
         {"areas", areas},
         {"calendar", calendar},
         {"warnings", p.warnings},
         {"home_device_price", money(p.home_device_price)},
         {"course_cost_min", money(p.course_cost_min)},
         {"course_cost_max", money(p.course_cost_max)}};
  if (p.maintenance) {
    json dates = json::array();
    for (const auto& d : p.maintenance->first_month) dates.push_back(units::format_date(d));
    j["maintenance"] = {{"rule", p.maintenance->rule},
                        {"device", p.maintenance->device},
                        {"sessions_per_week", p.maintenance->sessions_per_week},
                        {"start", units::format_date(p.maintenance->start)},
                        {"first_month", dates},
                        {"note", p.maintenance->note}};
  } else {
    j["maintenance"] = nullptr;
  }
  return j;
}

json to_json(const Protocol& p) {
  json items = json::array();
  for (const auto& i : p.items) {
    json ji{{"order", i.order},
            {"step", i.step},
            {"title", i.title},
            {"instruction", i.instruction},
            {"check", i.check},
            {"source", i.source},
            {"starts_after_min", i.starts_after_min.count()},
            {"starts_after_max", i.starts_after_max.count()}};
    ji["duration_min"] =
        i.duration ? json::array({i.duration->lo.count(), i.duration->hi.count()}) : json(nullptr);
    items.push_back(std::move(ji));
  }
  return json{{"client_id", p.session.client_id},
              {"area", p.session.area},
              {"needle_length_mm", units::in_mm(p.session.needle_length)},
              {"band", p.band},
              {"device", p.session.device},
              {"cocktail", p.session.cocktail},
              {"start", units::format_date_time(p.session.start)},
              {"steps", items},
              {"timed_minutes", json::array({p.timed_min.count(), p.timed_max.count()})},
              {"hygiene", p.hygiene},
              {"cautions", array_of(p.cautions)},
              {"expected_reactions", p.expected},
              {"warnings", p.warnings},
              {"depth_rule", p.depth_rule.empty() ? json(nullptr) : json(p.depth_rule)},
              {"layers", layers_json(p.layers)},
              {"depth_guard", depth_json(p.depth)},
              {"acknowledged", p.session.acknowledged},
              {"unacknowledged", p.unacknowledged}};
}

json to_json(const AftercareSheet& a) {
  json phases = json::array();
  for (const auto& ps : a.phases) {
    phases.push_back({{"phase", knowledge::to_string(ps.phase)},
                      {"until", ps.until ? json(units::format_date_time(*ps.until)) : json(nullptr)},
                      {"until_text", ps.until_text},
                      {"avoid", ps.avoid},
                      {"allow", ps.allow},
                      {"instructions", ps.instructions},
                      {"spf", ps.spf ? json(*ps.spf) : json(nullptr)},
                      {"rules", ps.rules}});
  }
  return json{{"client_id", a.session.client_id},
              {"area", a.session.area},
              {"needle_length_mm", units::in_mm(a.session.needle_length)},
              {"session_end", units::format_date_time(a.session_end)},
              {"phases", phases},
              {"expected_reactions", a.expected},
              {"see_doctor_if", a.see_doctor},
              {"channels", a.channels},
              {"sources", a.sources}};
}

json to_json(const FollowupResult& f) {
  json obs = json::array();
  for (std::size_t i = 0; i < f.reasons.size(); ++i) {
    json r = to_json(f.reasons[i]);
    r.erase("decision");
    r["triage"] = knowledge::to_string(f.triages[i]);
    obs.push_back(std::move(r));
  }
  return json{{"triage", knowledge::to_string(f.triage)},
              {"hours_since_session", static_cast<double>(f.since_session.count()) / 60.0},
              {"observations", obs},
              {"recheck", f.recheck}};
}

json to_json(const Error& e) {
  json j{{"code", to_string(e.code)}, {"message", e.message}, {"where", e.where}};
  if (!e.rule.empty()) j["rule"] = e.rule;  // a refusal names the rule it applies
  return json{{"error", j}};
}

}  // namespace needlework::clinic
