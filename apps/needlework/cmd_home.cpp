// `needlework home roller add|list|retire` and `needlework home session log|list`: home maintenance (S2), a
// client's own home roller and the home sessions done with it, checked against the pack's maintenance rule
// (HOME.maintenance) when they are logged. Every command names the client: the store checks the roller is
// theirs.

#include <fmt/format.h>

#include "store_command.hpp"
#include "text_records.hpp"

namespace needlework::cli {

using store::Id;

namespace {

void print_home_roller(const store::HomeRollerLife& l) {
  const auto& r = l.roller;
  fmt::print("home roller {}  {}  lot {}  since {}  {} day(s) in use, {} use(s){}{}\n", r.id, esc(r.device),
             esc(r.lot), units::format_date(r.registered_on), l.days_in_use, l.uses,
             l.last_used ? fmt::format(", last {}", units::format_date(*l.last_used)) : std::string(),
             r.retired_at ? fmt::format("  RETIRED {} ({})", units::format_date_time(*r.retired_at),
                                        esc(r.retired_reason))
                          : std::string());
}

void print_home_session(const store::HomeSessionRecord& s) {
  fmt::print("home session {}  {}  {}  roller {}  logged {} by {}{}\n", s.id,
             units::format_date(s.performed_on), esc(s.area), s.home_roller_id,
             units::format_date_time(s.logged_at), esc(s.logged_by),
             s.note.empty() ? std::string() : fmt::format("  {}", esc(s.note)));
}

/// A home roller just written, shown with its life as the store derives it (days in use, uses).
int show_life(const Context& ctx, store::ClinicStore& clinic, const store::HomeRollerRecord& r,
              const store::Actor& by) {
  auto lives = clinic.home_rollers(r.client_id, std::chrono::floor<std::chrono::days>(by.at));
  if (!lives) return report_store(ctx, lives.error());
  for (const auto& l : *lives) {
    if (l.roller.id == r.id) return show<store::HomeRollerLife>(ctx, l, print_home_roller);
  }
  return report_store(
      ctx, Error{ErrorCode::not_found, fmt::format("home roller {} was not found", r.id), "home_roller"});
}

/// The day an option gives, or --now's day when it is empty.
Result<units::Date> day_or_today(const std::string& text, const std::string& option, const store::Actor& by) {
  if (text.empty()) return std::chrono::floor<std::chrono::days>(by.at);
  return parse_date_option(text, option);
}

}  // namespace

void register_home(CLI::App& app, Context& ctx, const std::shared_ptr<StoreOptions>& o) {
  auto* home = app.add_subcommand(
      "home", "Home maintenance (S2): a client's home roller and the home sessions done with it");
  home->require_subcommand(1);
  group_examples(*home, {"needlework home roller add C-0001 --lot H-2026-12 --device home_roller",
                         "needlework home roller list C-0001",
                         "needlework home session log C-0001 --roller 1 --area face --on 2026-12-07",
                         "needlework home session list C-0001"});
  struct HomeArgs {
    std::string client, lot, device = "home_roller", on, area, note, reason;
    Id id = 0;
  };
  auto ha = std::make_shared<HomeArgs>();

  auto* roller = home->add_subcommand("roller", "A client's home rollers: add, list, retire");
  roller->require_subcommand(1);
  auto* add_roller =
      add(*roller, ctx, o, Needs::rules, "add", "Register a client's home roller with its lot",
          "needlework home roller add C-0001 --lot H-2026-12 --device home_roller --on 2026-12-01",
          [&ctx, ha](Open& s) {
            auto on = day_or_today(ha->on, "--on", s.actor);
            if (!on) return report(ctx, on.error());
            auto r = s.clinic->register_home_roller(s.actor, ha->client, {ha->device, ha->lot, *on});
            if (!r) {
              return report_store(
                  ctx, r.error(),
                  OptionNames{{"lot", "--lot"}, {"device", "--device"}, {"registered_on", "--on"}});
            }
            return show_life(ctx, *s.clinic, *r, s.actor);
          });
  add_roller->add_option("client", ha->client, "Client id")->required();
  add_roller->add_option("--lot", ha->lot, "Lot number on the pack")->required();
  add_roller->add_option("--device", ha->device, "Home device id of the pack (default home_roller)");
  add_roller->add_option("--on", ha->on, "The day the client started with it, YYYY-MM-DD (default: --now's)");

  auto* list_rollers =
      add(*roller, ctx, o, Needs::rules, "list", "A client's home rollers with their days in use and uses",
          "needlework home roller list C-0001 --json", [&ctx, ha](Open& s) {
            return show_list<store::HomeRollerLife>(
                ctx, s.clinic->home_rollers(ha->client, std::chrono::floor<std::chrono::days>(s.actor.at)),
                print_home_roller, "no home rollers");
          });
  list_rollers->add_option("client", ha->client, "Client id")->required();

  auto* retire = add(*roller, ctx, o, Needs::rules, "retire",
                     "Retire a client's home roller (replaced, lost, thrown away)",
                     "needlework home roller retire C-0001 1 --reason replaced", [&ctx, ha](Open& s) {
                       auto r = s.clinic->retire_home_roller(s.actor, ha->client, ha->id, ha->reason);
                       if (!r) return report_store(ctx, r.error(), OptionNames{{"reason", "--reason"}});
                       return show_life(ctx, *s.clinic, *r, s.actor);
                     });
  retire->add_option("client", ha->client, "Client id")->required();
  add_id_option(*retire, "roller", ha->id, "Home roller id")->required();
  retire->add_option("--reason", ha->reason, "Why it is retired")->required();

  auto* session = home->add_subcommand("session", "A client's home sessions: log, list");
  session->require_subcommand(1);
  auto* log =
      add(*session, ctx, o, Needs::rules, "log",
          "Log a home session; refused (exit 5) when the pack's maintenance rule does not allow that day",
          "needlework home session log C-0001 --roller 1 --area face --on 2026-12-07", [&ctx, ha](Open& s) {
            auto on = day_or_today(ha->on, "--on", s.actor);
            if (!on) return report(ctx, on.error());
            auto r = s.clinic->log_home_session(s.actor, ha->client, {ha->id, ha->area, *on, ha->note});
            if (!r) {
              return report_store(ctx, r.error(),
                                  OptionNames{{"home_roller_id", "--roller"},
                                              {"area", "--area"},
                                              {"performed_on", "--on"},
                                              {"note", "--note"}});
            }
            return show<store::LoggedHomeSession>(ctx, *r, [](const store::LoggedHomeSession& l) {
              print_home_session(l.session);
              if (l.message_id != 0) fmt::print("aftercare queued as outbox message {}\n", l.message_id);
            });
          });
  log->add_option("client", ha->client, "Client id")->required();
  add_id_option(*log, "--roller", ha->id, "Home roller id")->required();
  log->add_option("--area", ha->area, "Area id of the pack (face, neck, …)")->required();
  log->add_option("--on", ha->on, "The day of the session, YYYY-MM-DD (default: --now's)");
  log->add_option("--note", ha->note, "A note");

  auto* list_sessions =
      add(*session, ctx, o, Needs::rules, "list", "A client's home sessions, by day",
          "needlework home session list C-0001 --json", [&ctx, ha](Open& s) {
            return show_list<store::HomeSessionRecord>(ctx, s.clinic->home_sessions(ha->client),
                                                       print_home_session, "no home sessions");
          });
  list_sessions->add_option("client", ha->client, "Client id")->required();
}

}  // namespace needlework::cli
