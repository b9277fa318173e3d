// `needlework outbox list|show|sent|retry|send`: messages for clients, and their delivery by email
// (docs/mail.md).

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdlib>

#include "needlework/mail/worker.hpp"
#include "needlework/server/config.hpp"
#include "store_command.hpp"
#include "text_records.hpp"

namespace needlework::cli {

using nlohmann::json;
using store::Id;

namespace {

/// The mail settings as `serve` reads them: --config FILE, then $NEEDLEWORK_SMTP_HOST and the rest.
Result<mail::MailConfig> mail_settings(const std::string& config_file) {
  NW_TRY(config, server::load_config(
                     config_file.empty() ? std::nullopt : std::optional<std::filesystem::path>(config_file),
                     [](const std::string& name) -> std::optional<std::string> {
                       const char* v = std::getenv(name.c_str());
                       if (v == nullptr || *v == '\0') return std::nullopt;
                       return std::string(v);
                     },
                     {}));
  return server::mail_config_of(config);
}

/// One line of `outbox list`.
void print_message_row(const store::OutboxMessage& m) {
  std::string state(store::to_string(m.state));
  if (m.sent_at) state += " " + t(*m.sent_at);
  if (m.attempts > 0) state += fmt::format(", {} attempt{}", m.attempts, m.attempts == 1 ? "" : "s");
  if (m.state == store::MessageState::queued && m.next_attempt_at) state += ", next " + t(*m.next_attempt_at);
  fmt::print("message {}  client {}  {}  {}  {}  [{}]\n", m.id, esc(m.client_id), t(m.created_at),
             m.recipient.empty() ? "(no address)" : esc(m.recipient), esc(m.subject), state);
  if (!m.last_error.empty() && m.state != store::MessageState::sent)
    fmt::print("    last answer: {}\n", esc(m.last_error));
}

}  // namespace

void register_outbox(CLI::App& app, Context& ctx, const std::shared_ptr<StoreOptions>& o) {
  auto* outbox = app.add_subcommand(
      "outbox",
      "Messages for clients (the aftercare sheet of each finished session), and their delivery by email");
  outbox->require_subcommand(1);
  group_examples(*outbox, {"needlework outbox list", "needlework outbox list --state failed",
                           "needlework outbox show 1", "needlework outbox sent 1",
                           "needlework outbox retry 1", "needlework outbox send --config clinic.toml"});
  struct OutboxArgs {
    bool all = false;
    std::string state;
    Id id = 0;
    std::int64_t limit = 100;
    std::string config;
  };
  auto ob = std::make_shared<OutboxArgs>();
  auto* outbox_list = add(
      *outbox, ctx, o, Needs::records, "list",
      "Messages not yet sent (--all: every message; --state: those in one state), with their delivery state, "
      "attempts and the relay's last answer",
      "needlework outbox list --state failed", [&ctx, ob](Open& s) {
        Result<std::vector<store::OutboxMessage>> r = std::vector<store::OutboxMessage>{};
        if (!ob->state.empty()) {
          const auto state = store::message_state_from_string(ob->state);
          if (!state) {
            return report(ctx,
                          Error{ErrorCode::invalid_value,
                                fmt::format("'{}' is not a message state (queued, sent, failed or withheld)",
                                            ob->state),
                                "--state"});
          }
          r = s.clinic->outbox_in(*state);
        } else {
          r = s.clinic->outbox(ob->all);
        }
        if (!r) return report_store(ctx, r.error());
        if (ctx.json) {
          json out = json::array();
          for (const auto& m : *r) out.push_back(store::message_json(m));
          print_json(out);
        } else {
          if (r->empty()) fmt::print("the outbox is empty\n");
          for (const auto& m : *r) print_message_row(m);
        }
        return static_cast<int>(exit_ok);
      });
  outbox_list->add_flag("--all", ob->all, "Include messages already sent");
  outbox_list->add_option("--state", ob->state,
                          "Only messages in this state: queued, sent, failed or withheld");
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
              print_json(store::message_json(**r));
            } else {
              const auto& m = **r;
              fmt::print("To client {}{}: {}\n[{}{}]\n\n{}", esc(m.client_id),
                         m.recipient.empty() ? std::string() : " <" + esc(m.recipient) + ">", esc(m.subject),
                         store::to_string(m.state),
                         m.last_error.empty() ? std::string() : ": " + esc(m.last_error), esc_lines(m.body));
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
  auto* outbox_retry = add(
      *outbox, ctx, o, Needs::records, "retry",
      "Send a failed message again: back to queued with its attempts reset (at --now, by --actor)",
      "needlework outbox retry 1", [&ctx, ob](Open& s) {
        return show<store::OutboxMessage>(ctx, s.clinic->retry_message(s.actor, ob->id), [](const auto& m) {
          fmt::print("message {} queued again for {}\n", m.id, esc(m.recipient));
        });
      });
  add_id_option(*outbox_retry, "message", ob->id, "Message id")->required();
  auto* outbox_send =
      add(*outbox, ctx, o, Needs::rules, "send",
          "Send the messages due now to the mail relay (the smtp_* and mail_* settings of --config and "
          "$NEEDLEWORK_*, docs/mail.md), once, and exit: 0 when the relay was reached, 4 when it was not "
          "(for cron)",
          "needlework outbox send --config clinic.toml --limit 50", [&ctx, ob](Open& s) {
            auto settings = mail_settings(ob->config);
            if (!settings) return report(ctx, settings.error());
            if (!settings->configured()) {
              return report(ctx, Error{ErrorCode::invalid_value,
                                       "no mail relay is set: give smtp_host (and mail_from) in --config or "
                                       "$NEEDLEWORK_SMTP_HOST",
                                       "smtp_host"});
            }
            auto mailer = mail::Mailer::make(*settings);
            if (!mailer) return report(ctx, mailer.error());
            const auto now = s.actor.at;
            mail::DeliveryWorker worker(
                *s.clinic, *mailer, [now] { return now; },
                [](const std::string& line) { fmt::print(stderr, "{}\n", line); });
            auto round = worker.run_round(ob->limit);
            if (!round) return report_store(ctx, round.error());
            if (ctx.json) {
              print_json({{"sent", round->sent},
                          {"failed", round->failed},
                          {"retrying", round->retrying},
                          {"skipped", round->skipped},
                          {"relay_down", round->relay_down},
                          {"left", round->left}});
            } else {
              fmt::print("sent {}, failed {}, to retry {}; {} message{} left in the queue{}\n", round->sent,
                         round->failed, round->retrying, round->left, round->left == 1 ? "" : "s",
                         round->relay_down ? " (the relay could not be reached)" : "");
            }
            return static_cast<int>(round->relay_down ? exit_pack : exit_ok);
          });
  outbox_send->add_option("--limit", ob->limit, "Send at most this many messages (default 100)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{100000}));
  outbox_send->add_option("--config", ob->config,
                          "A TOML file of settings, as `serve --config` (docs/server.md)");
}

}  // namespace needlework::cli
