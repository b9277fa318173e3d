#include <fmt/chrono.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <set>

#include "needlework/clinic/engine.hpp"
#include "needlework/physics/resealing.hpp"
#include "needlework/units/refusals.hpp"
#include "needlework/units/text.hpp"

namespace needlework::clinic {
namespace {

using knowledge::AftercarePhase;

std::string mm_range(const LengthRange& r) {
  return fmt::format("{:g}–{:g} mm", units::in_mm(r.lo), units::in_mm(r.hi));
}

/// Refuses a needle the pack does not allow for this area or device; returns the band names it falls in.
Result<std::vector<const knowledge::Band*>> check_needle(const SessionInput& s, const Pack& pack) {
  const auto* device = pack.find_device(s.device);
  if (!device->needle_length.contains(s.needle_length)) {
    return refuse(device->id,
                  fmt::format("{} has needles of {}, not {:g} mm ({}, {})", device->label,
                              mm_range(device->needle_length), units::in_mm(s.needle_length), device->id,
                              device->source),
                  "needle_length_mm");
  }
  return check_length_for_area(pack, s.area, s.needle_length);
}

}  // namespace

Result<std::vector<const knowledge::Band*>> check_length_for_area(const Pack& pack, std::string_view area,
                                                                  units::Length needle_length) {
  const auto allowance = allowance_for_area(pack, area);
  if (!allowance.rules.empty() && !allowance.length.contains(needle_length)) {
    // The rule refusing is the area limit this needle is outside of (the strictest of them applies).
    std::string rule = allowance.rules.front();
    for (const auto& l : pack.area_limits) {
      if (pack.area_within(area, l.area) && !l.length.contains(needle_length)) {
        rule = l.id;
        break;
      }
    }
    return refuse(std::move(rule),
                  fmt::format("{:g} mm needles are not allowed on {}: the pack allows {} there ({})",
                              units::in_mm(needle_length), area, mm_range(allowance.length),
                              fmt::join(allowance.rules, ", ")),
                  "needle_length_mm");
  }
  auto bands = bands_for_length(pack, needle_length);
  if (bands.empty()) {
    return refuse(std::string(refusals::not_covered),
                  fmt::format("{:g} mm is in no needle band of the pack", units::in_mm(needle_length)),
                  "needle_length_mm");
  }
  // The band must be indicated for some concern on this area.
  const bool indicated = std::any_of(bands.begin(), bands.end(), [&](const knowledge::Band* b) {
    return std::any_of(b->indications.begin(), b->indications.end(), [&](const auto& ind) {
      return std::any_of(ind.areas.begin(), ind.areas.end(),
                         [&](const auto& a) { return pack.area_within(area, a); });
    });
  });
  if (!indicated) {
    return refuse(bands.front()->id,
                  fmt::format("no band containing {:g} mm is indicated for {} in this pack",
                              units::in_mm(needle_length), area),
                  "needle_length_mm");
  }
  return bands;
}

namespace {

std::string band_names(const std::vector<const knowledge::Band*>& bands) {
  std::vector<std::string> names;
  for (const auto* b : bands) names.push_back(b->name);
  return fmt::format("{}", fmt::join(names, "/"));
}

std::vector<Reason> session_cautions(const SessionInput& s, const Pack& pack) {
  std::vector<Reason> out;
  for (const auto& c : pack.cautions) {
    if (std::find(s.conditions.begin(), s.conditions.end(), c.condition) == s.conditions.end()) continue;
    out.push_back(Reason{.rule = c.id,
                         .source = c.source,
                         .origin = c.origin,
                         .condition = c.condition,
                         .areas = {s.area},
                         .message = c.note.empty() ? pack.find_condition(c.condition)->label : c.note});
  }
  return out;
}

std::vector<std::string> expected_reactions(const std::vector<std::string>& conditions, const Pack& pack) {
  std::vector<std::string> out;
  for (const auto& rx : pack.reactions) {
    if (rx.when.empty() || std::find(conditions.begin(), conditions.end(), rx.when) != conditions.end()) {
      out.push_back(fmt::format("{} ({})", rx.label, rx.source));
    }
  }
  return out;
}

std::string hours_text(std::chrono::minutes m) {
  if (m.count() % 60 == 0) return fmt::format("{} h", m.count() / 60);
  return fmt::format("{:.1f} h", static_cast<double>(m.count()) / 60.0);
}

}  // namespace

std::vector<const knowledge::Step*> protocol_steps(const SessionInput& s, const Pack& pack) {
  std::vector<const knowledge::Step*> steps;
  for (const auto& st : pack.steps) {
    if (st.optional && !(st.when == "cocktail" && s.cocktail)) continue;
    steps.push_back(&st);
  }
  std::sort(steps.begin(), steps.end(), [](auto* a, auto* b) { return a->order < b->order; });
  return steps;
}

Result<Protocol> protocol(const SessionInput& s, const Pack& pack, const physics::RegionCatalog* regions) {
  NW_TRY(bands, check_needle(s, pack));
  NW_TRY(depth,
         check_depth(pack, regions, s.area, *pack.find_device(s.device), s.needle_length, s.acknowledged));
  Protocol p;
  p.session = s;
  if (depth) {
    p.layers = depth->layers;
    p.depth_rule = pack.depth_guards.front().id;
    for (const auto* f : depth->unacknowledged()) p.unacknowledged.push_back(f->rule);
    for (const auto& f : depth->findings) {
      if (!f.verdict.within) p.warnings.push_back(f.text());
    }
    p.depth = std::move(depth->findings);
  }
  p.band = band_names(bands);
  const auto* device = pack.find_device(s.device);
  if (s.cocktail && !device->for_cocktail) {
    for (const auto& d : pack.devices) {
      if (d.for_cocktail) {
        p.warnings.push_back(fmt::format(
            "A mesotherapy cocktail is planned: the pack's device for it is {} ({}).", d.label, d.source));
      }
    }
  }
  if (!device->areas.empty() && std::none_of(device->areas.begin(), device->areas.end(),
                                             [&](const auto& a) { return pack.area_within(s.area, a); })) {
    p.warnings.push_back(
        fmt::format("{} is meant for {}, not {}.", device->label, fmt::join(device->areas, ", "), s.area));
  }

  std::chrono::minutes lo{0}, hi{0};
  for (const auto* st : protocol_steps(s, pack)) {
    ChecklistItem item{st->order,    st->id, st->title, st->instruction, st->check,
                       st->duration, lo,     hi,        st->source};
    if (st->duration) {
      lo += st->duration->lo;
      hi += st->duration->hi;
    }
    p.items.push_back(std::move(item));
  }
  p.timed_min = lo;
  p.timed_max = hi;
  for (const auto& h : pack.hygiene) p.hygiene.push_back(fmt::format("{} ({}, {})", h.text, h.id, h.source));
  p.cautions = session_cautions(s, pack);
  p.expected = expected_reactions(s.conditions, pack);
  return p;
}

namespace {
std::string phase_heading(AftercarePhase p);
}  // namespace

Result<AftercareSheet> aftercare(const SessionInput& s, DateTime session_end, const Pack& pack,
                                 const physics::ResealingData* resealing) {
  NW_TRY(bands, check_needle(s, pack));
  if (session_end < s.start) {
    return fail(ErrorCode::out_of_range, "the session cannot end before it starts", "session_end");
  }
  AftercareSheet sheet;
  sheet.session = s;
  sheet.session_end = session_end;
  std::set<std::string> sources;

  // The healing window: the longest of the bands this needle length falls in (0.5 mm is short and medium).
  const knowledge::Healing* healing = nullptr;
  for (const auto* b : bands) {
    for (const auto& h : pack.healing) {
      if (h.band == b->name && (healing == nullptr || h.days_max > healing->days_max)) healing = &h;
    }
  }
  for (auto phase : {AftercarePhase::first_day, AftercarePhase::while_healing, AftercarePhase::always}) {
    AftercarePhaseSheet ps{phase, {}, {}, {}, {}, {}, {}, {}};
    for (const auto& rule : pack.aftercare) {
      if (rule.phase != phase) continue;
      if (phase == AftercarePhase::first_day) {
        const auto until = session_end + std::chrono::duration_cast<std::chrono::seconds>(rule.duration);
        ps.until = ps.until ? std::max(*ps.until, until) : until;
        ps.until_text = fmt::format("for {} h after the session, until {}", rule.duration.count(),
                                    units::format_date_time(*ps.until));
      }
      ps.avoid.insert(ps.avoid.end(), rule.avoid.begin(), rule.avoid.end());
      ps.allow.insert(ps.allow.end(), rule.allow.begin(), rule.allow.end());
      if (!rule.instruction.empty()) ps.instructions.push_back(rule.instruction);
      if (rule.spf) ps.spf = std::max(ps.spf.value_or(0), *rule.spf);
      ps.rules.push_back(rule.id);
      sources.insert(rule.source);
    }
    if (ps.rules.empty()) continue;
    if (phase == AftercarePhase::while_healing) {
      if (healing != nullptr) {
        ps.until = session_end +
                   std::chrono::duration_cast<std::chrono::seconds>(std::chrono::days{healing->days_max});
        ps.until_text = fmt::format(
            "until the micro-wounds have healed: {}–{} days for {} needles ({}, {}), so until "
            "about {}",
            healing->days_min, healing->days_max, healing->band, healing->id, healing->source,
            units::format_date(std::chrono::floor<std::chrono::days>(*ps.until)));
        sources.insert(healing->source);
      } else {
        ps.until_text = "until the micro-wounds have healed";
      }
    }
    sheet.phases.push_back(std::move(ps));
  }
  sheet.expected = expected_reactions(s.conditions, pack);
  for (const auto& f : pack.followups) {
    if (f.triage != Triage::see_doctor) continue;
    const auto* obs = pack.find_observation(f.observation);
    std::string when = f.from ? fmt::format(" {} h or more after the session", f.from->count()) : "";
    if (f.from) {
      const auto at = session_end + std::chrono::duration_cast<std::chrono::seconds>(*f.from);
      when += fmt::format(" (from {})", units::format_date_time(at));
    }
    sheet.see_doctor.push_back(fmt::format("{}{} ({}, {})", obs->label, when, f.id, f.source));
    sources.insert(f.source);
  }
  // Why the windows: each rule that names the resealing output it rests on (the pack's `rests_on`) is
  // compared with that output of the physics model (data/physics/resealing.toml), uncovered and covered.
  if (resealing != nullptr) {
    // The needle count: the session does not record one, and the curves do not use it (the data file says
    // why).
    NW_TRY(open, physics::make_resealing(*resealing, {s.needle_length, 1, physics::Occlusion::open}));
    NW_TRY(covered, physics::make_resealing(*resealing, {s.needle_length, 1, physics::Occlusion::occluded}));
    auto hours = [](const physics::ResealingModel& m) {
      return units::in_s(m.time_to_closed(physics::reported_closed_share)) / 3600.0;
    };
    auto span = [](double h) {
      return h < 1.0    ? fmt::format("{:.0f} min", h * 60.0)
             : h < 48.0 ? fmt::format("{:.0f} h", h)
                        : fmt::format("{:.0f} h ({:.1f} days)", h, h / 24.0);
    };
    for (const auto& ps : sheet.phases) {
      for (const auto& id : ps.rules) {
        const auto it = std::ranges::find_if(pack.aftercare, [&](const auto& r) { return r.id == id; });
        if (it == pack.aftercare.end() || it->rests_on.empty()) continue;
        const bool barrier = it->rests_on == "barrier";
        const auto& output = barrier ? resealing->barrier : resealing->channels;
        const double open_h = hours(barrier ? open.barrier : open.channels);
        const double covered_h = hours(barrier ? covered.barrier : covered.channels);
        // The window of the rule: the first day's hours, or the healing days when the pack gives them.
        std::optional<double> window_h;
        if (ps.phase == AftercarePhase::first_day) window_h = static_cast<double>(it->duration.count());
        if (ps.phase == AftercarePhase::while_healing && healing != nullptr)
          window_h = healing->days_max * 24.0;
        std::string fit;
        if (window_h) {
          fit = open_h > *window_h
                    ? fmt::format(" The {} window ends before it, even uncovered.", span(*window_h))
                : covered_h > *window_h
                    ? fmt::format(" The {} window covers uncovered skin; covered skin takes longer.",
                                  span(*window_h))
                    : fmt::format(" The {} window covers both.", span(*window_h));
        }
        const std::string times =
            covered_h == open_h
                ? fmt::format("about {}, uncovered or covered ({}; covered: {})", span(open_h),
                              output.open.cite, output.occluded.cite)
                : fmt::format("about {} uncovered ({}) and about {} covered ({})", span(open_h),
                              output.open.cite, span(covered_h), output.occluded.cite);
        sheet.channels.push_back(fmt::format("{} ({}) rests on {} ({}): 95 % {} after {}.{}",
                                             phase_heading(ps.phase), id, output.name, output.measure,
                                             barrier ? "back" : "closed", times, fit));
      }
    }
  }
  for (const auto& src : sources) {
    if (const auto* def = pack.find_source(src))
      sheet.sources.push_back(fmt::format("{}: {}", def->id, def->citation));
  }
  return sheet;
}

namespace {

std::string phase_heading(AftercarePhase p) {
  switch (p) {
    case AftercarePhase::first_day:
      return "The first day";
    case AftercarePhase::while_healing:
      return "While the micro-wounds heal";
    case AftercarePhase::always:
      return "Always";
  }
  return "";
}

/// The sheet's three written forms share one outline; a format says how a heading, a paragraph and a list
/// item are written.
enum class SheetFormat { text, markdown, html };

class SheetWriter {
 public:
  explicit SheetWriter(SheetFormat format) : format_(format) {}
  void heading(int level, std::string_view text) {
    close_list();
    switch (format_) {
      case SheetFormat::text:
        if (!out_.empty()) out_ += "\n";
        out_ += fmt::format("{}\n", text);
        if (level == 1) out_ += "==============================\n";
        break;
      case SheetFormat::markdown:
        if (!out_.empty()) out_ += "\n";
        out_ += fmt::format("{} {}\n", level == 1 ? "#" : "##", text);
        break;
      case SheetFormat::html:
        out_ += fmt::format("<h{0}>{1}</h{0}>\n", level + 1, units::escape_html(text));
        break;
    }
  }
  void paragraph(std::string_view text) {
    close_list();
    if (format_ == SheetFormat::html) {
      out_ += fmt::format("<p>{}</p>\n", units::escape_html(text));
    } else {
      out_ += fmt::format("\n{}\n", text);
    }
  }
  void item(std::string_view text) {
    switch (format_) {
      case SheetFormat::text:
        out_ += fmt::format("  * {}\n", text);
        break;
      case SheetFormat::markdown:
        out_ += fmt::format("- {}\n", text);
        break;
      case SheetFormat::html:
        if (!in_list_) out_ += "<ul>\n";
        in_list_ = true;
        out_ += fmt::format("<li>{}</li>\n", units::escape_html(text));
        break;
    }
  }
  std::string finish() {
    close_list();
    return std::move(out_);
  }

 private:
  void close_list() {
    if (in_list_) out_ += "</ul>\n";
    in_list_ = false;
  }
  SheetFormat format_;
  std::string out_;
  bool in_list_ = false;
};

std::string render(const AftercareSheet& sheet, const Pack& pack, SheetFormat format) {
  SheetWriter w(format);
  w.heading(1, "Aftercare after micro-needling");
  const auto* area = pack.find_area(sheet.session.area);
  w.paragraph(fmt::format("Client {} · {} · {:g} mm needles · session ended {}", sheet.session.client_id,
                          area ? area->label : sheet.session.area, units::in_mm(sheet.session.needle_length),
                          units::format_date_time(sheet.session_end)));
  for (const auto& ps : sheet.phases) {
    w.heading(
        2, fmt::format("{} — {}", phase_heading(ps.phase), ps.until_text.empty() ? "always" : ps.until_text));
    for (const auto& i : ps.instructions) w.item(i);
    if (!ps.avoid.empty()) w.item(fmt::format("Avoid: {}.", fmt::join(ps.avoid, ", ")));
    if (!ps.allow.empty()) w.item(fmt::format("Allowed: {}.", fmt::join(ps.allow, ", ")));
    if (ps.spf)
      w.item(fmt::format("Protect the skin from the sun with sunscreen of at least SPF {}.", *ps.spf));
    w.item(fmt::format("(rules: {})", fmt::join(ps.rules, ", ")));
  }
  if (!sheet.expected.empty()) {
    w.heading(2, "What is normal");
    for (const auto& e : sheet.expected) w.item(e);
  }
  if (!sheet.see_doctor.empty()) {
    w.heading(2, "See a doctor if");
    for (const auto& e : sheet.see_doctor) w.item(e);
  }
  if (!sheet.channels.empty()) {
    w.heading(2, "Why these windows");
    w.item(
        "The punctures are open channels into the skin. Two things close after a session, at different "
        "speeds: the skin barrier (back to normal within hours) and the micro-channels themselves (days).");
    for (const auto& c : sheet.channels) w.item(c);
  }
  w.heading(2, fmt::format("Sources ({})", pack.label()));
  for (const auto& src : sheet.sources) w.item(src);
  return w.finish();
}

}  // namespace

std::string render_markdown(const AftercareSheet& sheet, const Pack& pack) {
  return render(sheet, pack, SheetFormat::markdown);
}

std::string render_text(const AftercareSheet& sheet, const Pack& pack) {
  return render(sheet, pack, SheetFormat::text);
}

std::string render_html(const AftercareSheet& sheet, const Pack& pack) {
  return render(sheet, pack, SheetFormat::html);
}

FollowupResult followup(const FollowupInput& in, const Pack& pack) {
  FollowupResult r;
  r.since_session = in.since_session;
  const auto t = in.since_session;
  for (const auto& obs_id : in.observations) {
    const auto* obs = pack.find_observation(obs_id);
    const knowledge::FollowupRule* match = nullptr;
    for (const auto& f : pack.followups) {
      if (f.observation != obs_id) continue;
      if (f.from && t < *f.from) continue;
      if (f.until && t >= *f.until) continue;
      // The more severe rule wins when two apply.
      if (match == nullptr || f.triage == Triage::see_doctor) match = &f;
    }
    if (match == nullptr) {
      r.triage = Triage::see_doctor;
      r.triages.push_back(Triage::see_doctor);
      r.reasons.push_back(
          Reason{.rule = "GAP." + obs_id,
                 .source = obs->source,
                 .origin = obs->origin,
                 .message = fmt::format("{} at {}: no rule of pack {} covers it, so see a doctor.",
                                        obs->label, hours_text(t), pack.label())});
      continue;
    }
    r.triages.push_back(match->triage);
    if (match->triage == Triage::see_doctor) r.triage = Triage::see_doctor;
    std::string msg = fmt::format("{} at {}: {}.", obs->label, hours_text(t),
                                  match->triage == Triage::normal ? "normal" : "see a doctor");
    if (!match->note.empty()) msg += " " + match->note;
    r.reasons.push_back(
        Reason{.rule = match->id, .source = match->source, .origin = match->origin, .message = msg});
    // A normal finding that a later rule would escalate: say when to look again.
    if (match->triage == Triage::normal && match->until) {
      for (const auto& f : pack.followups) {
        if (f.observation == obs_id && f.triage == Triage::see_doctor && f.from && *f.from >= *match->until) {
          r.recheck.push_back(
              fmt::format("Look again at {} h after the session: if the {} has not gone, see a "
                          "doctor ({}, {}).",
                          f.from->count(), obs->label, f.id, f.source));
          break;
        }
      }
    }
  }
  return r;
}

}  // namespace needlework::clinic
