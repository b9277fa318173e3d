// `needlework audit verify|log` and `needlework db info`: the audit chain and the schema.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "needlework/units/text.hpp"
#include "store_command.hpp"
#include "text_records.hpp"

namespace needlework::cli {

using nlohmann::json;
using store::Id;

void register_audit(CLI::App& app, Context& ctx, const std::shared_ptr<StoreOptions>& o) {
  auto* audit = app.add_subcommand("audit", "The hash-chained audit log");
  audit->require_subcommand(1);
  group_examples(*audit, {"needlework audit verify --db clinic.db", "needlework audit log --json"});
  add(*audit, ctx, o, Needs::records, "verify",
      "Recompute the audit chain and check every record against its last audit entry; exit 5 naming the "
      "first bad entry and every record changed, added or removed outside Needlework",
      "needlework audit verify --db clinic.db", [&ctx](Open& s) {
        auto r = s.db->verify_audit();
        if (!r) return report_store(ctx, r.error());
        if (ctx.json) {
          print_json(store::to_json(*r));
        } else if (r->ok) {
          fmt::print("audit log OK: {} entries; {} records match it\n", r->entries, r->records);
        } else {
          if (r->first_bad_seq != 0) {
            fmt::print("audit log BROKEN at entry {}: {}\n", r->first_bad_seq, esc(r->problem));
          } else {
            fmt::print(
                "audit log OK ({} entries), but records do not match it ({} problems, {} records checked):\n",
                r->entries, r->record_problems.size(), r->records);
          }
          for (const auto& p : r->record_problems) {
            fmt::print("  {} {} {}: {} (audit {}, now {})\n", p.table, units::escape_for_terminal(p.id),
                       p.kind, units::escape_for_terminal(p.detail),
                       p.expected_sha256.empty() ? "—" : p.expected_sha256,
                       p.actual_sha256.empty() ? "—" : p.actual_sha256);
          }
        }
        return r->ok ? static_cast<int>(exit_ok) : static_cast<int>(exit_attention);
      });
  struct LogArgs {
    store::AuditFilter filter;
    std::string from, to;
  };
  auto la = std::make_shared<LogArgs>();
  auto* log =
      add(*audit, ctx, o, Needs::records, "log", "Print the audit log, or the entries the filters select",
          "needlework audit log --json\n"
          "         needlework audit log --table clients --record C-0001\n"
          "         needlework audit log --actor ana --from 2026-11-01T00:00:00Z --to 2026-12-01T00:00:00Z",
          [&ctx, la](Open& s) {
            store::AuditFilter filter = la->filter;
            if (!la->from.empty()) {
              auto when = parse_date_time_option(la->from, "--from");
              if (!when) return report(ctx, when.error());
              filter.from = *when;
            }
            if (!la->to.empty()) {
              auto when = parse_date_time_option(la->to, "--to");
              if (!when) return report(ctx, when.error());
              filter.to = *when;
            }
            // Read a page at a time, filtered in the store (as GET /api/v1/audit), never the whole log at
            // once for a few entries.
            constexpr std::int64_t page = 1000;
            std::int64_t after = 0;
            json out = json::array();
            for (;;) {
              auto r = s.db->audit_entries(after, page, filter);
              if (!r) return report_store(ctx, r.error());
              for (const auto& e : *r) {
                if (ctx.json) {
                  out.push_back(store::to_json(e));
                } else {
                  // Every field escaped: an actor holding a newline once printed as a second, forged entry.
                  fmt::print("{:>6} {} {:<10} {:<6} {}/{}\n", e.seq, t(e.at), esc(e.actor), esc(e.action),
                             esc(e.entity), esc(e.entity_id));
                }
              }
              if (static_cast<std::int64_t>(r->size()) < page) break;
              after = r->back().seq;
            }
            if (ctx.json) print_json(out);
            return static_cast<int>(exit_ok);
          });
  log->add_option("--actor", la->filter.actor, "Only entries by this actor (a user name, or cli)");
  log->add_option("--table", la->filter.table, "Only entries of this record table (clients, sessions, …)");
  log->add_option("--action", la->filter.action, "Only entries of this action (insert, update, …)");
  log->add_option("--record", la->filter.record, "Only entries of this record id");
  log->add_option("--from", la->from, "Only entries at or after this UTC time, YYYY-MM-DDTHH:MM:SSZ");
  log->add_option("--to", la->to, "Only entries before this UTC time, YYYY-MM-DDTHH:MM:SSZ");
}

void register_db(CLI::App& app, Context& ctx, const std::shared_ptr<StoreOptions>& o) {
  auto* dbcmd = app.add_subcommand("db", "The clinic database");
  dbcmd->require_subcommand(1);
  group_examples(*dbcmd, {"needlework db info --db clinic.db"});
  add(*dbcmd, ctx, o, Needs::records, "info",
      "Schema version and applied migrations (opening applies missing ones)",
      "needlework db info --db clinic.db", [&ctx](Open& s) {
        auto r = s.db->schema();
        if (!r) return report_store(ctx, r.error());
        if (ctx.json) {
          print_json({{"schema_version", r->version}, {"migrations", r->applied}});
        } else {
          fmt::print("schema version {}: {}\n", r->version, fmt::join(r->applied, ", "));
        }
        return static_cast<int>(exit_ok);
      });
}

}  // namespace needlework::cli
