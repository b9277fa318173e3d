// `needlework backup|restore|export`: copies of the whole database.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "needlework/store/export.hpp"
#include "output_file.hpp"
#include "store_command.hpp"

namespace needlework::cli {

using nlohmann::json;

void register_backup(CLI::App& app, Context& ctx, const std::shared_ptr<StoreOptions>& o) {
  struct BackupArgs {
    std::string file;
  };
  auto cp = std::make_shared<BackupArgs>();
  auto* backup = add(
      app, ctx, o, Needs::records, "backup",
      "Write a consistent copy of the database to a new file while the clinic keeps working (SQLite online "
      "backup; PostgreSQL: pg_dump, docs/store.md), then check the copy's audit chain",
      "needlework backup --db clinic.db clinic-2026-11-24.db", [&ctx, cp, o](Open& s) {
        // Never onto the open database or its -wal, -shm or -journal file, whatever the spelling (an existing
        // file is refused by backup_to itself, which has no --force).
        if (auto ok = check_output_file(cp->file, OutputPolicy{"backup", true, database_of(*o)}); !ok) {
          return report(ctx, ok.error());
        }
        ProgressBar bar(!ctx.json, "% copied");
        auto r = s.db->backup_to(
            cp->file, [&bar](double share) { bar.update(static_cast<std::int64_t>(share * 100.0), 100); });
        if (!r) return report_store(ctx, r.error(), {{"--db", "--db"}});
        // Read the copy back: it must open as a database of this build and its audit chain must verify.
        auto copy = store::open_sqlite(cp->file);
        if (!copy) return report_store(ctx, copy.error());
        auto check = (*copy)->verify_audit();
        auto schema = (*copy)->schema();
        if (!check || !schema) return report_store(ctx, !check ? check.error() : schema.error());
        std::error_code ec;
        const auto size = std::filesystem::file_size(cp->file, ec);
        if (ctx.json) {
          print_json({{"backup", cp->file},
                      {"size_bytes", ec ? 0 : size},
                      {"schema_version", schema->version},
                      {"audit", store::to_json(*check)}});
        } else {
          fmt::print("backup written to {} ({} bytes, schema version {}); audit log {}: {} entries\n",
                     cp->file, ec ? 0 : size, schema->version, check->ok ? "OK" : "BROKEN", check->entries);
        }
        return check->ok ? static_cast<int>(exit_ok) : static_cast<int>(exit_attention);
      });
  backup->add_option("file", cp->file, "The backup file to write (must not exist)")->required();
}

void register_restore(CLI::App& app, Context& ctx, const std::shared_ptr<StoreOptions>& o) {
  struct RestoreArgs {
    std::string file;
    bool replace = false;
  };
  auto cp = std::make_shared<RestoreArgs>();
  auto* restore = app.add_subcommand("restore",
                                     "Replace the database (--db) with a backup: the backup is copied, "
                                     "migrated and its audit chain verified "
                                     "before it takes the database's place; the replaced database is kept "
                                     "beside it. Stop the clinic first.");
  restore->footer("Example: needlework restore --db clinic.db clinic-2026-11-24.db --replace\n\n" +
                  std::string(exit_codes_help));
  restore->add_option("file", cp->file, "The backup file (left unchanged)")->required();
  restore->add_flag("--replace", cp->replace,
                    "Replace an existing database (kept as <db>.before-restore-<time>)");
  restore->callback([&ctx, o, cp] {
    const std::string db = database_of(*o);
    if (store::names_postgres(db)) {
      ctx.exit_code =
          report(ctx, Error{ErrorCode::invalid_value,
                            "restore a PostgreSQL database with pg_restore (docs/store.md)", "--db"});
      return;
    }
    const auto now = now_of(ctx, *o);
    if (!now) return;
    auto r = store::restore_sqlite(cp->file, db, cp->replace, *now);
    if (!r) {
      ctx.exit_code = report_store(ctx, r.error());
      return;
    }
    if (ctx.json) {
      print_json({{"restored", db},
                  {"from", cp->file},
                  {"schema_version", r->schema_version},
                  {"audit_entries", r->audit_entries},
                  {"previous", r->previous.string()}});
    } else {
      fmt::print("restored {} from {} (schema version {}, audit log OK: {} entries)\n", db, cp->file,
                 r->schema_version, r->audit_entries);
      if (!r->previous.empty()) fmt::print("the database it replaced is kept as {}\n", r->previous.string());
    }
    ctx.exit_code = exit_ok;
  });
}

void register_export(CLI::App& app, Context& ctx, const std::shared_ptr<StoreOptions>& o) {
  struct ExportArgs {
    std::string format = "json", out;
    bool force = false;
  };
  auto cp = std::make_shared<ExportArgs>();
  auto* exp = add(
      app, ctx, o, Needs::records, "export",
      "Export every record as one JSON document (stdout or --out FILE) or as CSV files, one per table, in "
      "the "
      "folder --out; a consistent snapshot with its audit check",
      "needlework export --format csv --out export/", [&ctx, cp, o](Open& s) {
        if (cp->format != "json" && cp->format != "csv") {
          return report(
              ctx, Error{ErrorCode::invalid_value,
                         fmt::format("'{}' is not an export format (json, csv)", cp->format), "--format"});
        }
        if (cp->format == "csv" && cp->out.empty()) {
          return report(
              ctx, Error{ErrorCode::missing_field, "CSV export writes a folder: give --out DIR", "--out"});
        }
        ProgressBar bar(!ctx.json && !cp->out.empty(), "% of clients");
        auto doc = store::export_json(*s.db, s.actor, [&bar](double share) {
          bar.update(static_cast<std::int64_t>(share * 100.0), 100);
        });
        if (!doc) return report_store(ctx, doc.error());
        const OutputPolicy policy{"--out", cp->force, database_of(*o)};
        if (cp->format == "csv") {
          if (auto w = write_output_folder(cp->out, store::csv_export_files(*doc), policy); !w)
            return report(ctx, w.error());
        } else if (cp->out.empty() || cp->out == "-") {
          print_json(*doc);
          return (*doc)["audit"].value("ok", false) ? static_cast<int>(exit_ok)
                                                    : static_cast<int>(exit_attention);
        } else {
          const std::string text = doc->dump(2, ' ', false, json::error_handler_t::replace) + '\n';
          if (auto w = write_output_file(cp->out, text, policy); !w) return report(ctx, w.error());
        }
        json counts = json::object();
        for (const auto& [table, rows] : (*doc)["tables"].items()) counts[table] = rows.size();
        if (ctx.json) {
          print_json(
              {{"out", cp->out}, {"format", cp->format}, {"records", counts}, {"audit", (*doc)["audit"]}});
        } else {
          fmt::print("exported to {} ({}):", cp->out, cp->format);
          for (const auto& [table, n] : counts.items()) fmt::print(" {} {}", n.get<std::size_t>(), table);
          fmt::print("\naudit log {}\n", (*doc)["audit"].value("ok", false) ? "OK" : "BROKEN");
        }
        return (*doc)["audit"].value("ok", false) ? static_cast<int>(exit_ok)
                                                  : static_cast<int>(exit_attention);
      });
  exp->add_option("--format", cp->format, "json (default) or csv");
  exp->add_option("--out", cp->out,
                  "JSON: a new file (default: stdout); CSV: a new or empty folder (never the database)");
  exp->add_flag("--force", cp->force,
                "Replace an existing --out file, or the files of a non-empty --out folder");
}

}  // namespace needlework::cli
