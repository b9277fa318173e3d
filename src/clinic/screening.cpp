#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "needlework/clinic/engine.hpp"

namespace needlework::clinic {
namespace {

using knowledge::ConditionScope;

Decision worst(Decision a, Decision b) { return static_cast<int>(a) >= static_cast<int>(b) ? a : b; }

std::string decision_phrase(const knowledge::Contraindication& rule) {
  switch (rule.decision) {
    case Decision::contraindicated:
      return "contraindicated: do not treat";
    case Decision::refer:
      return fmt::format("refer to a {} before any treatment", rule.refer_to);
    case Decision::defer:
      return "defer, do not treat now";
    case Decision::exclude_area:
      return "exclude, never treat the area where it is present";
    case Decision::cleared:
      break;
  }
  return "cleared";
}

/// Requested areas a reported condition bears on: all of them for a systemic condition or a local one whose
/// location is not given; otherwise those that overlap where it is (cheek acne bears on a face request, and
/// acne on the face bears on a cheek request).
std::vector<std::string> affected_requests(const Intake& in, const ConditionReport& c, const Pack& pack) {
  const auto* def = pack.find_condition(c.id);
  std::vector<std::string> out;
  for (const auto& req : in.areas) {
    bool hit = def->scope == ConditionScope::systemic || c.areas.empty();
    for (const auto& where : c.areas) {
      hit = hit || pack.area_within(req.area, where) || pack.area_within(where, req.area);
    }
    if (hit) out.push_back(req.area);
  }
  return out;
}

}  // namespace

Screening screen(const Intake& in, const Pack& pack) {
  Screening s;
  s.pack = pack.label();
  for (const auto& req : in.areas) s.areas.push_back(AreaDecision{req.area, Decision::cleared, {}});

  auto add = [&](Reason r, const std::vector<std::string>& areas) {
    s.decision = worst(s.decision, r.decision);
    for (auto& a : s.areas) {
      if (std::find(areas.begin(), areas.end(), a.area) == areas.end()) continue;
      a.decision = worst(a.decision, r.decision);
      a.reasons.push_back(r);
    }
    s.reasons.push_back(std::move(r));
  };

  // The dermatologist consultation comes first (S10).
  for (const auto& rule : pack.consultations) {
    if (in.clearance) continue;
    Reason r{.rule = rule.id,
             .source = rule.source,
             .origin = rule.origin,
             .decision = rule.when_missing,
             .message = fmt::format("No {} consultation is recorded; consult a {} before the procedure.",
                                    rule.with, rule.with)};
    std::vector<std::string> all;
    for (const auto& a : in.areas) all.push_back(a.area);
    add(std::move(r), all);
  }

  for (const auto& report : in.conditions) {
    const auto* def = pack.find_condition(report.id);
    const auto requests = affected_requests(in, report, pack);
    bool any_rule = false;

    for (const auto& rule : pack.contraindications) {
      if (rule.condition != report.id) continue;
      any_rule = true;
      std::string when;
      if (rule.within) {
        if (report.since) {
          const auto until = *report.since + *rule.within;
          if (in.date >= until) {
            s.cautions.push_back(Reason{
                .rule = rule.id,
                .source = rule.source,
                .origin = rule.origin,
                .condition = report.id,
                .message = fmt::format("{}: last on {}, more than {} days ago; no longer applies.",
                                       def->label, units::format_date(*report.since), rule.within->count())});
            continue;
          }
          when = fmt::format(" (last on {}; applies until {})", units::format_date(*report.since),
                             units::format_date(until));
          if (rule.decision == Decision::defer) {
            s.rescreen_from = s.rescreen_from ? std::max(*s.rescreen_from, until) : until;
          }
        } else {
          when = fmt::format(" (no date given, so taken as within the last {} days)", rule.within->count());
        }
      }
      if (rule.clearance_resolves && in.clearance &&
          std::find(in.clearance->reviewed.begin(), in.clearance->reviewed.end(), report.id) !=
              in.clearance->reviewed.end()) {
        s.cautions.push_back(
            Reason{.rule = rule.id,
                   .source = rule.source,
                   .origin = rule.origin,
                   .condition = report.id,
                   .message = fmt::format("{}: reviewed and cleared by {} on {}.", def->label,
                                          in.clearance->by, units::format_date(in.clearance->date))});
        continue;
      }
      std::string where;
      if (!report.areas.empty()) where = fmt::format(" on {}", fmt::join(report.areas, ", "));
      Reason r{.rule = rule.id,
               .source = rule.source,
               .origin = rule.origin,
               .decision = rule.decision,
               .condition = report.id};
      r.message = fmt::format("{}{}{}: {}.{}", def->label, where, when, decision_phrase(rule),
                              rule.note.empty() ? "" : " " + rule.note);
      if (rule.decision == Decision::exclude_area) {
        // Excluded where it is; when its place is unknown, every requested area is excluded.
        r.areas = report.areas.empty() ? requests : report.areas;
        add(std::move(r), requests);
      } else if (def->scope == ConditionScope::local && !report.areas.empty() && requests.empty()) {
        // A local condition outside every requested area: those areas are not treated now, the rest may be.
        r.areas = report.areas;
        r.decision = Decision::exclude_area;
        r.message += fmt::format(" Outside the requested areas, so only {} is excluded.",
                                 fmt::join(report.areas, ", "));
        add(std::move(r), {});
      } else {
        r.areas = def->scope == ConditionScope::local ? requests : std::vector<std::string>{};
        add(std::move(r), requests);
      }
    }

    for (const auto& rule : pack.cautions) {
      if (rule.condition != report.id) continue;
      any_rule = true;
      s.cautions.push_back(Reason{.rule = rule.id,
                                  .source = rule.source,
                                  .origin = rule.origin,
                                  .condition = report.id,
                                  .areas = requests,
                                  .message = rule.note.empty() ? def->label : rule.note});
    }

    if (!any_rule) {
      // A condition the pack names but grades nowhere: never cleared silently.
      add(Reason{.rule = "GAP." + report.id,
                 .source = def->source,
                 .origin = def->origin,
                 .decision = Decision::refer,
                 .condition = report.id,
                 .message =
                     fmt::format("{}: no screening rule of pack {} grades this condition; refer to a doctor.",
                                 def->label, s.pack)},
          requests);
    }
  }

  for (const auto& rx : pack.reactions) {
    if (rx.when.empty() || in.reports(rx.when)) s.expected.push_back(rx.label);
  }
  return s;
}

}  // namespace needlework::clinic
