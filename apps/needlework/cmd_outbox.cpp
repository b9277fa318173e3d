// `needlework outbox list|show|sent`: messages for clients.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "store_command.hpp"
#include "text_records.hpp"

namespace needlework::cli {

using nlohmann::json;
using store::Id;

void register_outbox(CLI::App& app, Context& ctx, const std::shared_ptr<StoreOptions>& o) {
  auto* outbox =
      app.add_subcommand("outbox", "Messages for clients (the aftercare sheet of each finished session)");
  outbox->require_subcommand(1);
  group_examples(*outbox, {"needlework outbox list", "needlework outbox show 1", "needlework outbox sent 1"});
  struct OutboxArgs {
    bool all = false;
    Id id = 0;
  };
  auto ob = std::make_shared<OutboxArgs>();
  auto* outbox_list =
      add(*outbox, ctx, o, Needs::records, "list", "Messages not yet sent (--all: every message)",
          "needlework outbox list", [&ctx, ob](Open& s) {
            auto r = s.clinic->outbox(ob->all);
            if (!r) return report_store(ctx, r.error());
            if (ctx.json) {
              json out = json::array();
              for (const auto& m : *r) out.push_back(store::to_json(m));
              print_json(out);
            } else {
              if (r->empty()) fmt::print("the outbox is empty\n");
              for (const auto& m : *r) {
                fmt::print("message {}  client {}  {}  {}{}\n", m.id, esc(m.client_id), t(m.created_at),
                           esc(m.subject), m.sent_at ? "  (sent " + t(*m.sent_at) + ")" : std::string());
              }
            }
            return static_cast<int>(exit_ok);
          });
  outbox_list->add_flag("--all", ob->all, "Include messages already sent");
  auto* outbox_show =
      add(*outbox, ctx, o, Needs::records, "show", "Print a message", "needlework outbox show 1",
          [&ctx, ob](Open& s) {
            auto r = s.db->find_message(ob->id);
            if (!r) return report_store(ctx, r.error());
            if (!*r) {
              return report(ctx, Error{ErrorCode::not_found,
                                       fmt::format("no message {} in the outbox", ob->id), "message"});
            }
            if (ctx.json) {
              print_json(store::to_json(**r));
            } else {
              fmt::print("To client {}: {}\n\n{}", esc((*r)->client_id), esc((*r)->subject),
                         esc_lines((*r)->body));
            }
            return static_cast<int>(exit_ok);
          });
  add_id_option(*outbox_show, "message", ob->id, "Message id")->required();
  auto* outbox_sent = add(
      *outbox, ctx, o, Needs::records, "sent", "Mark a message as handed over or sent (at --now, by --actor)",
      "needlework outbox sent 1", [&ctx, ob](Open& s) {
        return show<store::OutboxMessage>(ctx, s.clinic->mark_sent(s.actor, ob->id), [](const auto& m) {
          fmt::print("message {} sent at {} by {}\n", m.id, t(*m.sent_at), esc(m.sent_by));
        });
      });
  add_id_option(*outbox_sent, "message", ob->id, "Message id")->required();
}

}  // namespace needlework::cli
