// `needlework escalation close` and `needlework due`: what needs a person next.

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
  auto ea = std::make_shared<std::pair<Id, std::string>>();
  auto* close =
      add(*escalation, ctx, o, Needs::records, "close", "Close an escalation, saying what was done",
          "needlework escalation close 1 --note \"seen by Dr. Roe, cold compress\" --actor ana",
          [&ctx, ea](Open& s) {
            return show<store::EscalationRecord>(
                ctx, s.clinic->close_escalation(s.actor, ea->first, ea->second),
                [](const auto& e) {
                  fmt::print("escalation {} closed by {} at {}\n", e.id, e.closed_by, t(*e.closed_at));
                },
                OptionNames{{"note", "--note"}, {"actor", "--actor"}});
          });
  close->add_option("escalation", ea->first, "Escalation id")->required();
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
                       i.client_id, i.text, i.overdue ? "  (overdue)" : "");
          }
        }
        return static_cast<int>(exit_ok);
      });
}

}  // namespace needlework::cli
