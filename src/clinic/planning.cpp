#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>

#include "needlework/clinic/engine.hpp"
#include "needlework/clinic/fields.hpp"
#include "needlework/clinic/physics_bridge.hpp"
#include "needlework/units/refusals.hpp"

namespace needlework::clinic {
namespace {

using knowledge::Band;
using knowledge::CourseRule;
using knowledge::Setting;
using units::Days;

std::string mm_range(const LengthRange& r) {
  return fmt::format("{:g}–{:g} mm", units::in_mm(r.lo), units::in_mm(r.hi));
}

bool band_treats(const Pack& pack, const Band& band, std::string_view concern, std::string_view area) {
  return std::any_of(band.indications.begin(), band.indications.end(), [&](const auto& ind) {
    return ind.concern == concern && std::any_of(ind.areas.begin(), ind.areas.end(),
                                                 [&](const auto& a) { return pack.area_within(area, a); });
  });
}

std::optional<LengthRange> intersect(const LengthRange& a, const LengthRange& b) {
  LengthRange r{std::max(a.lo, b.lo), std::min(a.hi, b.hi)};
  if (r.lo > r.hi) return std::nullopt;
  return r;
}

/// How many ancestors an area has (face: 0, cheek: 1); a device naming a deeper area is more specific.
int area_depth(const Pack& pack, std::string_view area) {
  int depth = 0;
  for (const auto* a = pack.find_area(area); a != nullptr && !a->parent.empty();
       a = pack.find_area(a->parent)) {
    ++depth;
  }
  return depth;
}

/// The device for an area in a setting: the one naming the most specific area that contains this one
/// (scalproller for the scalp), else a device with no areas; a mesoroller only when a cocktail is planned;
/// its needle range must meet the allowed range.
const knowledge::Device* pick_device(const Pack& pack, std::string_view area, Setting setting,
                                     const LengthRange& r) {
  const knowledge::Device* best = nullptr;
  int best_rank = -1;
  for (const auto& d : pack.devices) {
    if (d.setting != setting || d.for_cocktail || !intersect(d.needle_length, r)) continue;
    int rank = d.areas.empty() ? 0 : -1;
    for (const auto& a : d.areas) {
      if (pack.area_within(area, a)) rank = std::max(rank, 1 + area_depth(pack, a));
    }
    if (rank > best_rank) {
      best = &d;
      best_rank = rank;
    }
  }
  return best;
}

/// Dates of a course: as many a week as allowed, never closer than the minimum interval, from start until the
/// end date (exclusive). Two a week with a 3-day minimum alternates 3 and 4 days.
std::vector<Date> course_dates(Date start, Date end, int per_week, Days min_interval) {
  std::vector<Date> out;
  std::vector<Days> gaps;
  if (per_week <= 1 || min_interval.count() * per_week >= 7) {
    gaps.push_back(std::max(Days{7 / per_week}, min_interval));
  } else {
    // Spread per_week sessions over 7 days, each gap at least the minimum.
    int left = 7;
    for (int i = per_week; i > 0; --i) {
      const int g = std::max<int>(static_cast<int>(min_interval.count()), left / i);
      gaps.push_back(Days{g});
      left -= g;
    }
  }
  std::size_t k = 0;
  for (Date d = start; d < end; d += gaps[k++ % gaps.size()]) out.push_back(d);
  return out;
}

}  // namespace

const CourseRule* course_rule_for(const Pack& pack, std::string_view band) {
  const CourseRule* general = nullptr;
  for (const auto& c : pack.courses) {
    if (std::find(c.bands.begin(), c.bands.end(), band) != c.bands.end()) return &c;
    if (c.bands.empty() && general == nullptr) general = &c;
  }
  return general;
}

std::vector<const Band*> bands_for_length(const Pack& pack, units::Length length) {
  std::vector<const Band*> out;
  for (const auto& b : pack.bands) {
    if (b.length.contains(length)) out.push_back(&b);
  }
  return out;
}

AreaAllowance allowance_for_area(const Pack& pack, std::string_view area) {
  AreaAllowance a{{units::millimetres(0), units::millimetres(1e9)}, {}, {}, false};
  for (const auto& l : pack.area_limits) {
    if (!pack.area_within(area, l.area)) continue;
    a.rules.push_back(l.id);
    a.sources.push_back(l.source);
    a.length.lo = std::max(a.length.lo, l.length.lo);
    a.length.hi = std::min(a.length.hi, l.length.hi);
  }
  a.empty = a.length.lo > a.length.hi;
  return a;
}

Result<void> check_interval(const std::vector<Date>& earlier, Date proposed, const CourseRule& rule) {
  for (const auto& d : earlier) {
    const auto gap = proposed > d ? proposed - d : d - proposed;
    if (gap < rule.min_interval) {
      return refuse(rule.id,
                    fmt::format("{} is {} day{} from the session on {}; {} requires at least {} days ({})",
                                units::format_date(proposed), gap.count(), gap.count() == 1 ? "" : "s",
                                units::format_date(d), rule.id, rule.min_interval.count(), rule.source),
                    "date");
    }
  }
  // Any 7-day window holding the proposed date: count sessions in each window that contains it.
  for (int offset = 0; offset < 7; ++offset) {
    const Date from = proposed - Days{offset};
    const Date to = from + Days{7};
    int n = 1;
    for (const auto& d : earlier) n += (d >= from && d < to) ? 1 : 0;
    if (n > rule.sessions_per_week_max) {
      return refuse(
          rule.id,
          fmt::format("{} would make {} sessions in the week from {}; {} allows at most {} a week ({})",
                      units::format_date(proposed), n, units::format_date(from), rule.id,
                      rule.sessions_per_week_max, rule.source),
          "date");
    }
  }
  return {};
}

namespace {

/// The first constraint of the maintenance rule that `proposed` breaks, as a refusal; nothing when none.
std::optional<Error> home_session_problem(const knowledge::Maintenance& rule, const HomeHistory& history,
                                          Date proposed) {
  for (const auto& d : history.home) {
    const auto gap = proposed > d ? proposed - d : d - proposed;
    if (gap < rule.min_interval) {
      return Error{
          ErrorCode::refused,
          fmt::format("{} is {} day{} from the home session on {}; {} allows home sessions at least {} "
                      "days apart ({})",
                      units::format_date(proposed), gap.count(), gap.count() == 1 ? "" : "s",
                      units::format_date(d), rule.id, rule.min_interval.count(), rule.source),
          "performed_on", rule.id};
    }
  }
  for (int offset = 0; offset < 7; ++offset) {
    const Date from = proposed - Days{offset};
    const Date to = from + Days{7};
    int n = 1;
    for (const auto& d : history.home) n += (d >= from && d < to) ? 1 : 0;
    if (n > rule.sessions_per_week) {
      return Error{ErrorCode::refused,
                   fmt::format("{} would make {} home sessions in the week from {}; {} allows {} a week ({})",
                               units::format_date(proposed), n, units::format_date(from), rule.id,
                               rule.sessions_per_week, rule.source),
                   "performed_on", rule.id};
    }
  }
  if (rule.keeps_course_interval) {
    for (const auto& v : history.professional) {
      // Only after the professional session: the home roller maintains a course, it does not precede one
      // (a professional session is checked against its own course rule when it starts).
      if (proposed < v.date || proposed - v.date >= v.min_interval) continue;
      const auto gap = proposed - v.date;
      return Error{ErrorCode::refused,
                   fmt::format("{} is {} day{} after the professional session on {}; {} keeps the course's "
                               "interval after it: {} requires at least {} days ({})",
                               units::format_date(proposed), gap.count(), gap.count() == 1 ? "" : "s",
                               units::format_date(v.date), rule.id, v.rule, v.min_interval.count(), v.source),
                   "performed_on", v.rule};
    }
  }
  return std::nullopt;
}

}  // namespace

Date earliest_home_session(const knowledge::Maintenance& rule, const HomeHistory& history, Date from) {
  // Every constraint is cleared at the latest one longest interval after the last session known, so the
  // search ends; a day at a time keeps it the same check as check_home_session.
  Days longest = std::max(rule.min_interval, Days{7});
  Date last = from;
  for (const auto& d : history.home) last = std::max(last, d);
  for (const auto& v : history.professional) {
    longest = std::max(longest, v.min_interval);
    last = std::max(last, v.date);
  }
  const Date bound = last + longest;
  for (Date d = from; d < bound; d += Days{1}) {
    if (!home_session_problem(rule, history, d)) return d;
  }
  return std::max(bound, from);
}

Result<void> check_home_session(const knowledge::Maintenance& rule, const HomeHistory& history,
                                Date proposed) {
  auto problem = home_session_problem(rule, history, proposed);
  if (!problem) return {};
  const Date earliest = earliest_home_session(rule, history, proposed);
  // The rule's id and source are in the message already; its note (how the interval is derived) is the
  // rule's page's to show, not every refusal's — a receptionist reads the date.
  problem->message += fmt::format(". The earliest allowed date is {}.", units::format_date(earliest));
  return std::unexpected(std::move(*problem));
}

namespace {

/// A refusal by a planning rule (band, limit, device, depth) rather than by screening.
void refuse_plan(AreaPlan& ap, Reason r) {
  r.refusal = true;
  ap.refused = true;
  ap.refusals.push_back(std::move(r));
}

/// Step "band": the shallowest band that treats every concern of the area; else the one treating most, the
/// rest listed as untreated. Fills the band, the allowed length (band ∩ area limits) and their warnings on
/// `ap`; returns the band, or nullptr when none may be used here (the refusals are on `ap`). Fails when the
/// area has no concern (`index` is the area's position in the intake, for the error's field path).
Result<const Band*> choose_band(const Pack& pack, const AreaRequest& req, std::size_t index,
                                const std::string& pack_label, AreaPlan& ap) {
  if (req.concerns.empty()) {
    return fail(ErrorCode::missing_field, "planning needs at least one concern for each area",
                fmt::format("areas[{}].concerns", index));
  }
  const Band* chosen = nullptr;
  std::size_t best = 0;
  std::vector<const Band*> ordered;
  for (const auto& b : pack.bands) ordered.push_back(&b);
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](auto* a, auto* b) { return a->length.lo < b->length.lo; });
  const auto allowance = allowance_for_area(pack, req.area);
  std::vector<Reason> limit_refusals;
  for (const Band* b : ordered) {
    std::size_t n = 0;
    for (const auto& c : req.concerns) n += band_treats(pack, *b, c, req.area) ? 1 : 0;
    if (n == 0) continue;
    if (!allowance.rules.empty() && !intersect(b->length, allowance.length)) {
      limit_refusals.push_back(
          Reason{.rule = fmt::format("{}", fmt::join(allowance.rules, "+")),
                 .source = fmt::format("{}", fmt::join(allowance.sources, "+")),
                 .origin = b->origin,
                 .areas = {req.area},
                 .message = fmt::format("{} needles ({}) are not allowed on {}: the pack allows {} there "
                                        "({}).",
                                        b->name, mm_range(b->length), req.area, mm_range(allowance.length),
                                        fmt::join(allowance.rules, ", ")),
                 .refusal = true});
      continue;
    }
    if (n > best) {
      best = n;
      chosen = b;
    }
  }
  if (chosen == nullptr) {
    if (limit_refusals.empty()) {
      refuse_plan(ap, Reason{.rule = "BAND",
                             .areas = {req.area},
                             .message = fmt::format("No needle band of pack {} treats {} on {}.", pack_label,
                                                    fmt::join(req.concerns, ", "), req.area)});
    }
    for (auto& r : limit_refusals) refuse_plan(ap, std::move(r));
    return nullptr;
  }
  for (auto& r : limit_refusals) ap.warnings.push_back(r.message);
  ap.band = chosen->name;
  ap.band_rule = chosen->id;
  ap.length = chosen->length;
  if (!allowance.rules.empty()) {
    ap.length = *intersect(chosen->length, allowance.length);
    ap.limit_rules = allowance.rules;
  }
  for (const auto& c : req.concerns) {
    if (!band_treats(pack, *chosen, c, req.area)) ap.untreated_concerns.push_back(c);
  }
  if (!ap.untreated_concerns.empty()) {
    ap.warnings.push_back(fmt::format("{} needles do not treat {} on {}; plan it as a separate course.",
                                      chosen->name, fmt::join(ap.untreated_concerns, ", "), req.area));
  }
  // Narrower areas inside this one with stricter limits (the eyes inside the face).
  for (const auto& l : pack.area_limits) {
    if (l.area != req.area && pack.area_within(l.area, req.area) && l.length.hi < ap.length.hi) {
      ap.warnings.push_back(
          fmt::format("{} includes {}, where only {} is allowed ({}, {}): keep longer needles "
                      "away from it.",
                      req.area, l.area, mm_range(l.length), l.id, l.source));
    }
  }
  return chosen;
}

/// Step "device": the device for the area in the intake's setting (the home roller for a home user, else the
/// clinic device for the area), narrowing `ap.length` to its needles. Returns false when there is none (the
/// refusal is on `ap`).
bool choose_device(const Pack& pack, Setting setting, const knowledge::Device* home_device,
                   const Band& chosen, const std::string& pack_label, AreaPlan& ap) {
  if (setting == Setting::home) {
    if (home_device == nullptr || !intersect(home_device->needle_length, ap.length)) {
      refuse_plan(ap, Reason{.rule = chosen.id,
                             .source = chosen.source,
                             .origin = chosen.origin,
                             .areas = {ap.area},
                             .message = fmt::format(
                                 "{} needles ({}) need a professional device; the home roller is {} ({}).",
                                 chosen.name, mm_range(chosen.length),
                                 home_device ? mm_range(home_device->needle_length) : "not in this pack",
                                 home_device ? home_device->source : "")});
      return false;
    }
    ap.device = home_device->id;
    ap.length = *intersect(ap.length, home_device->needle_length);
    return true;
  }
  const auto* device = pick_device(pack, ap.area, Setting::clinic, ap.length);
  if (device == nullptr) {
    refuse_plan(ap, Reason{.rule = chosen.id,
                           .source = chosen.source,
                           .origin = chosen.origin,
                           .areas = {ap.area},
                           .message = fmt::format("No clinic device of pack {} has needles of {} for {}.",
                                                  pack_label, mm_range(ap.length), ap.area)});
    return false;
  }
  ap.device = device->id;
  ap.length = *intersect(ap.length, device->needle_length);
  return true;
}

/// Step "depth": narrow `ap.length` to needles that end inside the dermis of the area's worst skin region at
/// each refusing rule's assurance, then show the margin of each warning rule (physics engine;
/// docs/physics.md). Returns false when a refusing rule leaves no needle (the refusal is on `ap`).
Result<bool> guard_depth(const Pack& pack, const PlanOptions& options, const Band& chosen, AreaPlan& ap) {
  if (pack.depth_guards.empty()) return true;
  const auto& first = pack.depth_guards.front();
  const auto* area_def = pack.find_area(ap.area);
  if (area_def->skin_regions.empty() || options.regions == nullptr) {
    ap.warnings.push_back(
        fmt::format("No skin thickness data for {}: needle depth is not checked against its "
                    "dermis ({}).",
                    ap.area, first.id));
    return true;
  }
  const auto cls = device_class_of(*pack.find_device(ap.device));
  bool refused = false;
  for (const auto action : {knowledge::GuardAction::refuse, knowledge::GuardAction::warn}) {
    for (const auto& guard : pack.depth_guards) {
      if (guard.action != action || refused) continue;
      NW_TRY(assurance, assurance_of(guard));
      NW_TRY(at_hi,
             physics::assess_depth(*options.regions, area_def->skin_regions, cls, ap.length.hi, assurance));
      const auto safe = at_hi.max_safe_length;
      if (action == knowledge::GuardAction::warn) {
        if (safe < ap.length.hi) {
          ap.warnings.push_back(
              fmt::format("{} ({}): {}. Needles longer than {:.2f} mm need the practitioner's "
                          "acknowledgement of {} in "
                          "the session.",
                          guard.id, guard.source, at_hi.summary, units::in_mm(safe), guard.id));
        }
        continue;
      }
      if (ap.depth_rule.empty()) {
        ap.depth_rule = guard.id;
        ap.skin_region = at_hi.region_id;
        ap.max_safe_length = safe;
        ap.depth_assurance = physics::describe(assurance);
      }
      if (safe < ap.length.lo) {
        NW_TRY(at_lo,
               physics::assess_depth(*options.regions, area_def->skin_regions, cls, ap.length.lo, assurance));
        refuse_plan(ap,
                    Reason{.rule = guard.id,
                           .source = guard.source,
                           .origin = guard.origin,
                           .areas = {ap.area},
                           .message = fmt::format("{} needles ({}) could end beyond the dermis of {}: {}.",
                                                  chosen.name, mm_range(ap.length), ap.area, at_lo.summary)});
        refused = true;
        continue;
      }
      if (safe < ap.length.hi) {
        ap.warnings.push_back(
            fmt::format("Needles longer than {:.2f} mm could end beyond the dermis of {} on the {} for "
                        "{} ({}, {}).",
                        units::in_mm(safe), ap.area, at_hi.region_name, physics::describe(assurance),
                        guard.id, guard.source));
        ap.length.hi = safe;
      }
    }
  }
  return !refused;
}

/// Step "schedule": the course rule for the band, the cadence (the home maintenance cadence for a home user,
/// or the requested one within the rule), the review and end dates, and the visits, each checked against
/// the rule. Fails when the pack has no course rule for the band or the requested cadence is too frequent.
Result<void> schedule(const Pack& pack, Setting setting, Date start, const PlanOptions& options,
                      const Band& chosen, const std::string& pack_label, AreaPlan& ap) {
  const CourseRule* rule = course_rule_for(pack, chosen.name);
  if (rule == nullptr) {
    return fail(ErrorCode::pack_error,
                fmt::format("pack {} has no course rule for {} needles", pack_label, chosen.name), "course");
  }
  ap.course_rule = rule->id;
  int per_week = rule->sessions_per_week_max;
  // A home user's plan is the home roller at the maintenance cadence (S2), inside the course rule's limits.
  if (setting == Setting::home && !pack.maintenance.empty()) {
    per_week = std::min(pack.maintenance.front().sessions_per_week, rule->sessions_per_week_max);
  }
  if (options.sessions_per_week) {
    if (*options.sessions_per_week > rule->sessions_per_week_max) {
      return refuse(rule->id,
                    fmt::format("{} sessions a week is more than {} allows for {} needles ({} a week, {})",
                                *options.sessions_per_week, rule->id, chosen.name,
                                rule->sessions_per_week_max, rule->source),
                    "sessions_per_week");
    }
    per_week = std::max(*options.sessions_per_week, rule->sessions_per_week_min);
  }
  ap.sessions_per_week = per_week;
  ap.interval = rule->min_interval;
  ap.review_date = units::add_months(start, rule->duration_months_min);
  ap.end_date = units::add_months(start, rule->duration_months_max);
  const auto dates = course_dates(start, ap.end_date, per_week, rule->min_interval);
  for (std::size_t i = 0; i < dates.size(); ++i) {
    // Every date is checked against the rule it came from: the planner cannot emit what the rules refuse.
    std::vector<Date> earlier(dates.begin(), dates.begin() + static_cast<long>(i));
    NW_CHECK(check_interval(earlier, dates[i], *rule));
    Visit v{static_cast<int>(i + 1), dates[i], false, rule->until_resolved && dates[i] >= ap.review_date};
    v.review = i + 1 < dates.size() ? (dates[i] < ap.review_date && dates[i + 1] >= ap.review_date) : false;
    ap.visits.push_back(v);
  }
  return {};
}

}  // namespace

Result<Plan> plan(const Intake& in, const Pack& pack, Date start, const PlanOptions& options) {
  Plan p;
  p.pack = pack.label();
  p.start = start;
  p.screening = screen(in, pack);
  if (start < in.date) {
    return fail(ErrorCode::invalid_value,
                fmt::format("the course cannot start ({}) before the intake ({})", units::format_date(start),
                            units::format_date(in.date)),
                "start");
  }
  const bool any_area_cleared = std::any_of(p.screening.areas.begin(), p.screening.areas.end(),
                                            [](const auto& a) { return a.decision == Decision::cleared; });
  if (!any_area_cleared) {
    std::vector<std::string> why;
    // The rule refusing is the first that decides the client's (most severe) decision.
    std::string rule(refusals::not_cleared);
    for (const auto& r : p.screening.reasons) {
      why.push_back(fmt::format("{} ({}, {})", r.message, r.rule, r.source));
      if (rule == refusals::not_cleared && !r.refusal && r.decision == p.screening.decision) rule = r.rule;
    }
    return refuse(std::move(rule),
                  fmt::format("screening decision is '{}', no requested area is cleared: {}",
                              knowledge::to_string(p.screening.decision), fmt::join(why, " ")),
                  "screening");
  }
  // The field's one rule (fields.hpp), as for --sessions-per-week.
  if (options.sessions_per_week)
    NW_CHECK(units::check_number(*options.sessions_per_week, sessions_per_week_rule));

  const knowledge::Device* home_device = nullptr;
  for (const auto& m : pack.maintenance) home_device = pack.find_device(m.device);

  std::map<Date, std::vector<std::string>> calendar;
  for (std::size_t index = 0; index < in.areas.size(); ++index) {
    const auto& req = in.areas[index];
    AreaPlan ap;
    ap.area = req.area;
    ap.concerns = req.concerns;
    const auto& decided = *std::find_if(p.screening.areas.begin(), p.screening.areas.end(),
                                        [&](const auto& a) { return a.area == req.area; });
    if (decided.decision != Decision::cleared) {
      for (const auto& r : decided.reasons) {
        ap.refused = true;
        ap.refusals.push_back(r);
      }
      p.areas.push_back(std::move(ap));
      continue;
    }
    // band -> device -> depth -> schedule; a step that refuses the area ends its plan there.
    NW_TRY(chosen, choose_band(pack, req, index, p.pack, ap));
    if (chosen == nullptr || !choose_device(pack, in.setting, home_device, *chosen, p.pack, ap)) {
      p.areas.push_back(std::move(ap));
      continue;
    }
    NW_TRY(depth_ok, guard_depth(pack, options, *chosen, ap));
    if (!depth_ok) {
      p.areas.push_back(std::move(ap));
      continue;
    }
    NW_CHECK(schedule(pack, in.setting, start, options, *chosen, p.pack, ap));
    for (const auto& v : ap.visits) calendar[v.date].push_back(req.area);
    p.areas.push_back(std::move(ap));
  }

  for (auto& [date, areas] : calendar) p.calendar.push_back(CalendarDay{date, areas});

  // Home maintenance (S2): after the professional course, or from the start for a home user.
  if (!pack.maintenance.empty() && !p.calendar.empty()) {
    const auto& m = pack.maintenance.front();
    Maintenance mt{m.id, m.device, m.sessions_per_week, {}, {}, m.note};
    if (in.setting == Setting::home) {
      mt.start = p.calendar.front().date;
      p.warnings.push_back(
          fmt::format("Home rolling is less efficient than treatment in a clinic; the home roller "
                      "is meant to maintain a professional course ({}, {}).",
                      m.device, home_device ? home_device->source : m.source));
    } else {
      Days gap = std::max(Days{7 / m.sessions_per_week}, m.min_interval);
      for (const auto& a : p.areas) {
        if (!a.refused) gap = std::max(gap, a.interval);
      }
      mt.start = p.calendar.back().date + gap;
    }
    // The rule's cadence, never closer than its minimum interval (what check_home_session enforces).
    const Days step = std::max(Days{7 / m.sessions_per_week}, m.min_interval);
    for (Date d = mt.start; d < units::add_months(mt.start, 1); d += step) {
      mt.first_month.push_back(d);
    }
    p.maintenance = std::move(mt);
    if (home_device != nullptr) p.home_device_price = home_device->price;
  }

  if (options.session_price && in.setting == Setting::clinic) {
    std::int64_t all = 0, to_review = 0;
    for (const auto& day : p.calendar) {
      ++all;
      bool before_review = std::any_of(p.areas.begin(), p.areas.end(), [&](const AreaPlan& a) {
        return !a.refused && day.date < a.review_date &&
               std::find(day.areas.begin(), day.areas.end(), a.area) != day.areas.end();
      });
      to_review += before_review ? 1 : 0;
    }
    p.course_cost_min =
        units::Money{options.session_price->cents * to_review, options.session_price->currency};
    p.course_cost_max = units::Money{options.session_price->cents * all, options.session_price->currency};
  }

  for (const auto& c : p.screening.cautions) p.warnings.push_back(c.message);
  if (p.screening.decision != Decision::cleared) {
    p.warnings.push_back(
        fmt::format("Screening decision for the client is '{}': only the cleared areas are planned.",
                    knowledge::to_string(p.screening.decision)));
  }
  return p;
}

}  // namespace needlework::clinic
