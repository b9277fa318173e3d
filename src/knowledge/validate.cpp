#include <fmt/format.h>

#include <set>

#include "needlework/knowledge/loader.hpp"
#include "tables.hpp"

namespace needlework::knowledge {
namespace {

Error problem(const RuleBase& r, std::string message) {
  return Error{ErrorCode::pack_error, std::move(message), fmt::format("{}: '{}'", r.file, r.id)};
}

}  // namespace

Result<void> validate(const Pack& pack) {
  std::optional<Error> first;
  auto check = [&]<class... Args>(bool ok, const RuleBase& r, fmt::format_string<Args...> message,
                                  Args&&... args) {
    if (!ok && !first) first = problem(r, fmt::format(message, std::forward<Args>(args)...));
  };

  std::set<std::string, std::less<>> ids;
  for_each_table(pack, [&](std::string_view table, const auto& rules) {
    for (const auto& r : rules) {
      check(ids.insert(r.id).second, r,
            "id is used twice (a second {} with the same id; to replace a base rule, "
            "give `overrides`)",
            table);
      check(pack.find_source(r.source) != nullptr, r,
            "source '{}' is not declared in any pack manifest of this chain", r.source);
    }
  });

  auto area_ok = [&](std::string_view a) { return pack.find_area(a) != nullptr; };
  for (const auto& a : pack.areas) {
    check(a.parent.empty() || area_ok(a.parent), a, "parent area '{}' is not defined", a.parent);
    int depth = 0;
    for (const Area* p = &a; p != nullptr && depth < 64;
         p = p->parent.empty() ? nullptr : pack.find_area(p->parent)) {
      ++depth;
    }
    check(depth < 64, a, "parent areas form a cycle");
  }
  for (const auto& d : pack.devices) {
    for (const auto& a : d.areas) check(area_ok(a), d, "area '{}' is not defined", a);
  }
  std::set<std::string, std::less<>> band_names;
  for (const auto& b : pack.bands) {
    check(band_names.insert(b.name).second, b, "band name '{}' is used twice", b.name);
    for (const auto& ind : b.indications) {
      check(pack.find_concern(ind.concern) != nullptr, b, "concern '{}' is not defined", ind.concern);
      for (const auto& a : ind.areas) check(area_ok(a), b, "area '{}' is not defined", a);
    }
  }
  for (const auto& l : pack.area_limits) check(area_ok(l.area), l, "area '{}' is not defined", l.area);
  for (const auto& c : pack.contraindications) {
    const auto* cond = pack.find_condition(c.condition);
    check(cond != nullptr, c, "condition '{}' is not defined", c.condition);
    check(!c.within || (cond != nullptr && cond->dated), c,
          "within_days only applies to a condition with dated = true");
  }
  for (const auto& c : pack.cautions) {
    check(pack.find_condition(c.condition) != nullptr, c, "condition '{}' is not defined", c.condition);
  }
  for (const auto& c : pack.courses) {
    for (const auto& b : c.bands) check(band_names.contains(b), c, "band '{}' is not defined", b);
  }
  for (const auto& m : pack.messages) {
    const auto* first_of_kind = pack.find_message(m.kind);
    check(first_of_kind == &m, m, "a second {} message (the first is '{}'); to replace it, give `overrides`",
          to_string(m.kind), first_of_kind != nullptr ? first_of_kind->id : "");
  }
  for (const auto& m : pack.maintenance) {
    const auto* d = pack.find_device(m.device);
    check(d != nullptr, m, "device '{}' is not defined", m.device);
    check(d == nullptr || d->setting == Setting::home, m, "maintenance needs a home device, '{}' is not",
          m.device);
    check(!m.keeps_course_interval || !pack.courses.empty(), m,
          "keeps_course_interval needs a course rule whose interval to keep; the pack has none");
  }
  std::set<int> orders;
  for (const auto& s : pack.steps)
    check(orders.insert(s.order).second, s, "step order {} is used twice", s.order);
  for (const auto& h : pack.healing)
    check(band_names.contains(h.band), h, "band '{}' is not defined", h.band);
  for (const auto& x : pack.reactions) {
    check(x.observation.empty() || pack.find_observation(x.observation) != nullptr, x,
          "observation '{}' is not defined", x.observation);
    check(x.when.empty() || pack.find_condition(x.when) != nullptr, x, "condition '{}' is not defined",
          x.when);
  }
  for (const auto& f : pack.followups) {
    check(pack.find_observation(f.observation) != nullptr, f, "observation '{}' is not defined",
          f.observation);
  }
  if (first) return std::unexpected(*first);
  return {};
}

std::vector<std::string> lint(const Pack& pack) {
  std::vector<std::string> warnings;
  // Every observation should be triaged by some rule at every hour after a session; probe the hours at which
  // rules change, plus zero.
  std::set<int> probes{0};
  for (const auto& f : pack.followups) {
    if (f.from) probes.insert(static_cast<int>(f.from->count()));
    if (f.until) probes.insert(static_cast<int>(f.until->count()));
  }
  for (const auto& o : pack.observations) {
    for (int h : probes) {
      bool covered = false;
      for (const auto& f : pack.followups) {
        if (f.observation != o.id) continue;
        if (f.from && h < f.from->count()) continue;
        if (f.until && h >= f.until->count()) continue;
        covered = true;
      }
      if (!covered) {
        warnings.push_back(
            fmt::format("observation '{}' has no follow-up rule at {} h after a session; it would "
                        "be triaged see_doctor",
                        o.id, h));
        break;
      }
    }
  }
  if (pack.consultations.empty()) warnings.emplace_back("no [[consultation]] rule: nobody is referred first");
  return warnings;
}

}  // namespace needlework::knowledge
