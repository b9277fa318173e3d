// Text renderers of the clinical engine's answers.

#include "text_clinic.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <map>

#include "needlework/units/text.hpp"

namespace needlework::cli {

using clinic::Reason;
using knowledge::Decision;
using units::Date;

namespace {

/// The client's id and name come from the input file: escaped (units::escape_for_terminal) like every
/// typed text a renderer prints.
std::string esc(std::string_view s) { return units::escape_for_terminal(s); }

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string cite(const Reason& r) {
  return r.source.empty() ? r.rule : fmt::format("{} · {}", r.rule, r.source);
}

void print_reasons(std::string_view title, const std::vector<Reason>& reasons, bool with_decision) {
  if (reasons.empty()) return;
  fmt::print("\n  {}\n", title);
  for (const auto& r : reasons) {
    if (with_decision) {
      fmt::print("    {:<16} {}  [{}]\n", knowledge::to_string(r.decision), r.message, cite(r));
    } else {
      fmt::print("    - {}  [{}]\n", r.message, cite(r));
    }
  }
}

}  // namespace

void print_screening(const clinic::Intake& in, const clinic::Screening& s) {
  fmt::print("Screening of {} ({}) on {} — pack {}\n\n  Decision: {}\n", esc(in.client.id),
             esc(in.client.name), units::format_date(in.date), s.pack,
             upper(knowledge::to_string(s.decision)));
  print_reasons("Reasons", s.reasons, true);
  fmt::print("\n  Requested areas\n");
  for (const auto& a : s.areas) fmt::print("    {:<16} {}\n", a.area, knowledge::to_string(a.decision));
  print_reasons("Cautions", s.cautions, false);
  if (!s.expected.empty()) {
    fmt::print("\n  Expected reactions\n");
    for (const auto& e : s.expected) fmt::print("    - {}\n", e);
  }
  if (s.rescreen_from) fmt::print("\n  Screen again from {}.\n", units::format_date(*s.rescreen_from));
}

namespace {

/// Month grids with the course marked: `*` a clinic visit, `R` the review visit, `?` only if unresolved,
/// `h` home maintenance.
void print_calendar(const clinic::Plan& p) {
  std::map<Date, char> marks;
  for (const auto& a : p.areas) {
    for (const auto& v : a.visits) {
      char m = v.review ? 'R' : (v.conditional ? '?' : '*');
      auto [it, inserted] = marks.emplace(v.date, m);
      if (!inserted && (m == 'R' || (m == '*' && it->second == '?'))) it->second = m;
    }
  }
  if (p.maintenance) {
    for (const auto& d : p.maintenance->first_month) marks.emplace(d, 'h');
  }
  if (marks.empty()) return;
  using namespace std::chrono;
  const year_month first{year_month_day{marks.begin()->first}.year(),
                         year_month_day{marks.begin()->first}.month()};
  const year_month last{year_month_day{marks.rbegin()->first}.year(),
                        year_month_day{marks.rbegin()->first}.month()};
  static constexpr const char* month_names[] = {"January",   "February", "March",    "April",
                                                "May",       "June",     "July",     "August",
                                                "September", "October",  "November", "December"};
  fmt::print("\n  Calendar  (* visit, R review visit, ? only if not yet resolved, h home maintenance)\n");
  for (year_month ym = first; ym <= last; ym += std::chrono::months{1}) {
    fmt::print("\n    {} {}\n    Mo  Tu  We  Th  Fr  Sa  Su\n    ",
               month_names[static_cast<unsigned>(ym.month()) - 1], static_cast<int>(ym.year()));
    const sys_days day1{ym / 1};
    const unsigned lead = (weekday{day1}.iso_encoding() - 1);
    for (unsigned i = 0; i < lead; ++i) fmt::print("    ");
    const unsigned ndays =
        static_cast<unsigned>(year_month_day_last{ym.year(), month_day_last{ym.month()}}.day());
    for (unsigned d = 1; d <= ndays; ++d) {
      const sys_days date = day1 + days{d - 1};
      auto it = marks.find(date);
      fmt::print("{:>2}{:<2}", d, it == marks.end() ? ' ' : it->second);
      if (weekday{date}.iso_encoding() == 7 && d != ndays) fmt::print("\n    ");
    }
    fmt::print("\n");
  }
}

}  // namespace

void print_plan(const clinic::Intake& in, const clinic::Plan& p) {
  fmt::print("Course plan for {} ({}) from {} — pack {}\n", esc(in.client.id), esc(in.client.name),
             units::format_date(p.start), p.pack);
  fmt::print("Screening: {}\n", knowledge::to_string(p.screening.decision));
  for (const auto& a : p.areas) {
    fmt::print("\n  {} — {}\n", a.area, fmt::join(a.concerns, ", "));
    if (a.refused) {
      fmt::print("    REFUSED\n");
      for (const auto& r : a.refusals) fmt::print("    - {}  [{}]\n", r.message, cite(r));
      for (const auto& w : a.warnings) fmt::print("    note: {}\n", w);
      continue;
    }
    fmt::print("    needles   {} band, {:g}–{:g} mm  [{}{}]\n", a.band, units::in_mm(a.length.lo),
               units::in_mm(a.length.hi), a.band_rule,
               a.limit_rules.empty() ? "" : fmt::format(", limited by {}", fmt::join(a.limit_rules, ", ")));
    fmt::print("    device    {}\n", a.device);
    fmt::print("    course    {} a week, at least {} days apart, review on {}, at most until {}  [{}]\n",
               a.sessions_per_week, a.interval.count(), units::format_date(a.review_date),
               units::format_date(a.end_date), a.course_rule);
    std::vector<std::string> dates;
    for (const auto& v : a.visits) dates.push_back(units::format_date(v.date));
    fmt::print("    visits    {}: {}\n", a.visits.size(), fmt::join(dates, " "));
    for (const auto& w : a.warnings) fmt::print("    warning: {}\n", w);
  }
  if (p.maintenance) {
    fmt::print("\n  Home maintenance: {} {} a week from {}  [{}]\n", p.maintenance->device,
               p.maintenance->sessions_per_week, units::format_date(p.maintenance->start),
               p.maintenance->rule);
    if (!p.maintenance->note.empty()) fmt::print("    {}\n", p.maintenance->note);
  }
  if (p.home_device_price) fmt::print("  Home roller price: {}\n", units::format_money(*p.home_device_price));
  if (p.course_cost_max) {
    fmt::print("  Course cost: {} to the review, {} if every visit is needed\n",
               units::format_money(*p.course_cost_min), units::format_money(*p.course_cost_max));
  }
  for (const auto& w : p.warnings) fmt::print("  warning: {}\n", w);
  print_calendar(p);
}

namespace {

std::string clock(units::DateTime start, std::chrono::minutes offset) {
  const auto t = start + offset;
  const auto day = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::hh_mm_ss hms{t - day};
  return fmt::format("{:02}:{:02}", hms.hours().count(), hms.minutes().count());
}

}  // namespace

void print_protocol(const clinic::Protocol& p) {
  fmt::print("Procedure for {} — {}, {:g} mm ({} needles), {}, cocktail: {}, start {}\n",
             esc(p.session.client_id), p.session.area, units::in_mm(p.session.needle_length), p.band,
             p.session.device, p.session.cocktail ? "yes" : "no", units::format_date_time(p.session.start));
  fmt::print("\n  Confirm before starting\n");
  for (const auto& h : p.hygiene) fmt::print("    [ ] {}\n", h);
  fmt::print("\n  {:<4} {:<13} {:<44} {:<11} {}\n", "", "clock", "step", "duration", "source");
  for (const auto& i : p.items) {
    const auto at = i.check ? std::string("check")
                            : (i.starts_after_min == i.starts_after_max
                                   ? clock(p.session.start, i.starts_after_min)
                                   : fmt::format("{}–{}", clock(p.session.start, i.starts_after_min),
                                                 clock(p.session.start, i.starts_after_max)));
    const auto dur =
        i.duration ? fmt::format("{}–{} min", i.duration->lo.count(), i.duration->hi.count()) : "";
    fmt::print("  [ ] {:<13} {:<44} {:<11} {} ({})\n", at, i.title, dur, i.source, i.step);
    if (!i.instruction.empty()) fmt::print("      {:<13} {}\n", "", i.instruction);
  }
  fmt::print("\n  Timed steps take {}–{} min.\n", p.timed_min.count(), p.timed_max.count());
  if (p.layers) {
    fmt::print("\n  Where the punctures end (physics depth model, {})\n", p.depth_rule);
    const std::pair<const char*, double> rows[] = {
        {"epidermis", p.layers->epidermis},
        {"papillary dermis (pinpoint bleeding)", p.layers->papillary_dermis},
        {"reticular dermis", p.layers->reticular_dermis},
        {"beyond the dermis", p.layers->beyond_dermis}};
    for (const auto& [name, share] : rows) {
      fmt::print("    {:<38} {:>5.1f} %  {}\n", name, share * 100.0,
                 std::string(static_cast<std::size_t>(share * 40.0 + 0.5), '#'));
    }
  }
  print_reasons("Cautions", p.cautions, false);
  if (!p.expected.empty()) {
    fmt::print("\n  Expected reactions\n");
    for (const auto& e : p.expected) fmt::print("    - {}\n", e);
  }
  for (const auto& w : p.warnings) fmt::print("\n  warning: {}\n", w);
}

void print_followup(const clinic::FollowupResult& f) {
  fmt::print("Follow-up {:.1f} h after the session — {}\n",
             static_cast<double>(f.since_session.count()) / 60.0,
             f.triage == knowledge::Triage::normal ? "NORMAL" : "SEE A DOCTOR");
  if (f.reasons.empty()) fmt::print("\n  Nothing observed.\n");
  for (std::size_t i = 0; i < f.reasons.size(); ++i) {
    fmt::print("  {:<11} {}  [{}]\n", knowledge::to_string(f.triages[i]), f.reasons[i].message,
               cite(f.reasons[i]));
  }
  for (const auto& r : f.recheck) fmt::print("\n  {}\n", r);
}

/// Registers a subcommand that reads one JSON input (file or stdin), parses it with the selected pack, and
/// hands the pack and the parsed input to `handle`. Returns the subcommand so callers can add options.

}  // namespace needlework::cli
