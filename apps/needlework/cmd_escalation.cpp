// `needlework escalation close|list` and `needlework due`: what needs a person next.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "store_command.hpp"
#include "text_records.hpp"

namespace needlework::cli {

using nlohmann::json;
using store::Id;

void register_escalation(CLI::App& app, Context& ctx, const std::shared_ptr<StoreOptions>& o) {
  auto* escalation = app.add_subcommand("escalation", "Escalations opened by a see-a-doctor follow-up");
  escalation->require_subcommand(1);
  group_examples(*escalation, {"needlework escalation list", "needlework escalation list --all --json",
                               "needlework escalation close 1 --note \"seen by Dr. Roe\" --actor ana"});
  auto ea = std::make_shared<std::pair<Id, std::string>>();
  auto* close =
      add(*escalation, ctx, o, Needs::records, "close", "Close an escalation, saying what was done",
          "needlework escalation close 1 --note \"seen by Dr. Roe, cold compress\" --actor ana",
          [&ctx, ea, o](Open& s) {
            auto closed = s.clinic->close_escalation(s.actor, ea->first, ea->second);
            if (!closed && closed.error().where == "actor" && o->actor.empty()) {
              // No --actor: the name came from $USER (or "cli"), which the person never typed. Say how to
              // name the staff user who closes it, not how to register the default name.
              Error e = closed.error();
              e.message = fmt::format(
                  "no --actor was given and the default '{}' ($USER, else cli) is not a registered user; an "
                  "escalation is closed by staff: pass --actor NAME with your user name (`needlework users "
                  "list` shows them)",
                  units::excerpt(s.actor.name));
              e.where = "--actor";
              return report(ctx, e);
            }
            return show<store::EscalationRecord>(
                ctx, std::move(closed),
                [](const auto& e) {
                  fmt::print("escalation {} closed by {} at {}\n", e.id, esc(e.closed_by), t(*e.closed_at));
                },
                OptionNames{{"note", "--note"}, {"actor", "--actor"}});
          });
  add_id_option(*close, "escalation", ea->first, "Escalation id")->required();

  auto all = std::make_shared<bool>(false);
  auto* list = add(
      *escalation, ctx, o, Needs::records, "list", "Open escalations (every one with --all)",
      "needlework escalation list\n         needlework escalation list --all --json", [&ctx, all](Open& s) {
        return show_list<store::EscalationRecord>(
            ctx, *all ? s.db->escalations() : s.db->open_escalations(),
            [](const auto& e) {
              fmt::print("{:>5}  {}  client {:<12} session {:<5} {}  {}\n", e.id, t(e.opened_at),
                         esc(e.client_id), e.session_id,
                         e.open() ? std::string("OPEN")
                                  : fmt::format("closed {} by {}", t(*e.closed_at), esc(e.closed_by)),
                         esc(e.reason));
            },
            *all ? "no escalations" : "no open escalations");
      });
  list->add_flag("--all", *all, "Closed escalations too");
  close->add_option("--note", ea->second, "What was done")->required();
}

void register_due(CLI::App& app, Context& ctx, const std::shared_ptr<StoreOptions>& o) {
  add(app, ctx, o, Needs::rules, "due", "Follow-ups due by the end of today (--now) and open escalations",
      "needlework due --now 2026-11-24T09:00:00Z", [&ctx](Open& s) {
        auto items = s.clinic->due(s.actor.at);
        if (!items) return report_store(ctx, items.error());
        if (ctx.json) {
          json out = json::array();
          for (const auto& i : *items) out.push_back(store::to_json(i));
          print_json(out);
        } else {
          if (items->empty()) fmt::print("nothing due\n");
          for (const auto& i : *items) {
            fmt::print("{:<10} {:<20} client {:<10} {}{}\n", store::to_string(i.kind), t(i.due_at),
                       esc(i.client_id), esc(i.text), i.overdue ? "  (overdue)" : "");
          }
        }
        return static_cast<int>(exit_ok);
      });
}

}  // namespace needlework::cli
