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
  add(*audit, ctx, o, Needs::records, "log", "Print the audit log", "needlework audit log --json",
      [&ctx](Open& s) {
        auto r = s.db->audit_log();
        if (!r) return report_store(ctx, r.error());
        if (ctx.json) {
          json out = json::array();
          for (const auto& e : *r) out.push_back(store::to_json(e));
          print_json(out);
        } else {
          for (const auto& e : *r) {
            // Every field escaped: an actor holding a newline once printed as a second, forged entry.
            fmt::print("{:>6} {} {:<10} {:<6} {}/{}\n", e.seq, t(e.at), esc(e.actor), esc(e.action),
                       esc(e.entity), esc(e.entity_id));
          }
        }
        return static_cast<int>(exit_ok);
      });
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
