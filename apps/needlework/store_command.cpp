// `needlework clients|users|intake|consent|course|appointment|roller|session|escalation|due|photo|outbox|
// audit|db|backup|restore|export`: the clinic records (needlework::store) from the command line. Every
// command opens the database named by --db (default $NEEDLEWORK_DB, else ./needlework.db), applies missing
// migrations, and stamps each write with --actor and --now (default: $USER and the system clock — the only
// place Needlework reads the clock). Commands that apply the rules also load the pack, the skin regions and
// the device catalog; commands over records alone do not (Needs).
// Exit codes: 0 ok; 3 bad input or a record not found; 4 the database cannot be opened, migrated or read;
// 5 refused by a rule (or: the recorded answer needs a person — not cleared, see a doctor, audit broken).

#include "store_command.hpp"

#include <chrono>
#include <cstdlib>

#include "needlework/units/text.hpp"

namespace needlework::cli {

namespace {

std::string default_actor() {
  if (const char* env = std::getenv("USER"); env != nullptr && *env != '\0') return env;
  return "cli";
}

/// Opens what `needs` says, in the order a person would fix them: --now, the pack and data files, the
/// database. On failure reports and sets ctx.exit_code.
std::optional<Open> open(Context& ctx, const StoreOptions& o, Needs needs) {
  Open out;
  auto now = now_of(ctx, o);
  if (!now) return std::nullopt;
  // The actor is a name like any other (units/text.hpp): trimmed, valid UTF-8, no control characters — an
  // actor holding a newline once printed as a second, forged audit entry.
  auto name = units::clean_text(o.actor.empty() ? default_actor() : o.actor, "--actor", store::max_id_bytes);
  if (!name) {
    ctx.exit_code = report(ctx, name.error());
    return std::nullopt;
  }
  out.actor = store::Actor{std::move(*name), *now};
  if (needs == Needs::rules) {
    auto loaded = [&]() -> Result<void> {
      NW_TRY(pack, load_selected_pack(ctx));
      NW_TRY(regions, load_skin_regions(ctx));
      NW_TRY(devices, load_devices(ctx.data_dir()));
      NW_TRY(resealing, load_resealing(ctx));
      out.pack = std::move(pack);
      out.resealing = std::move(resealing);
      out.regions = std::move(regions);
      out.devices = std::move(devices);
      return {};
    }();
    if (!loaded) {
      ctx.exit_code = report(ctx, loaded.error());
      return std::nullopt;
    }
  }
  auto db = open_database(database_of(o));
  if (!db) {
    ctx.exit_code = report(ctx, db.error());
    return std::nullopt;
  }
  out.db = std::move(*db);
  return out;
}

}  // namespace

std::string database_of(const StoreOptions& o) {
  if (!o.db.empty()) return o.db;
  if (const char* env = std::getenv("NEEDLEWORK_DB"); env != nullptr && *env != '\0') return env;
  return "needlework.db";
}

std::optional<units::DateTime> now_of(Context& ctx, const StoreOptions& o) {
  if (o.now.empty()) return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  auto t = parse_date_time_option(o.now, "--now");
  if (!t) {
    ctx.exit_code = report(ctx, t.error());
    return std::nullopt;
  }
  return *t;
}

CLI::App* add(CLI::App& parent, Context& ctx, const std::shared_ptr<StoreOptions>& o, Needs needs,
              const std::string& name, const std::string& help, const std::string& example, StoreBody body) {
  auto* cmd = parent.add_subcommand(name, help);
  cmd->footer("Example: " + example + "\n\n" + exit_codes_help);
  cmd->callback([&ctx, o, needs, body = std::move(body)] {
    auto opened = open(ctx, *o, needs);
    if (!opened) return;
    // The ClinicStore refers to the pack and regions by address: build it once they have their final home.
    std::filesystem::path photo_dir = o->photos;
    if (photo_dir.empty()) photo_dir = default_photo_dir(database_of(*o));
    const bool rules = needs == Needs::rules;
    opened->clinic =
        rules ? std::make_unique<store::ClinicStore>(
                    *opened->db, opened->pack,
                    store::ClinicPhysics{&opened->regions, &opened->devices, &opened->resealing}, photo_dir)
              : std::make_unique<store::ClinicStore>(*opened->db, opened->pack, store::ClinicPhysics{},
                                                     photo_dir);
    // Links in the messages a command queues (aftercare, recall notices) point at the clinic's server: the
    // same address `serve` is told with public_url.
    if (const char* url = std::getenv("NEEDLEWORK_PUBLIC_URL"); url != nullptr && *url != '\0') {
      opened->clinic->set_public_url(url);
    }
    ctx.exit_code = body(*opened);
  });
  return cmd;
}

void group_examples(CLI::App& group, const std::vector<std::string>& examples) {
  std::string text = "Examples:\n";
  for (const auto& e : examples) text += "  " + e + "\n";
  group.footer(text + "\n" + exit_codes_help);
}

int report_store(const Context& ctx, const Error& e, const OptionNames& names) {
  return report(ctx, name_option(e, names), cli_hint(e));
}

void add_store_commands(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<StoreOptions>();
  app.add_option("--db", o->db,
                 "Clinic database: a SQLite file, or PostgreSQL as postgresql://user@host:port/dbname or "
                 "'host=… dbname=…' (default: $NEEDLEWORK_DB, else ./needlework.db)");
  app.add_option("--actor", o->actor, "Who makes the change, for the audit log (default: $USER, else cli)");
  app.add_option("--now", o->now,
                 "The time of the change or query, YYYY-MM-DDTHH:MM:SSZ (default: the system clock)");
  app.add_option("--photos", o->photos,
                 "Folder of photo files kept by SHA-256 (default: photos/ beside --db)");

  // In the order of `needlework --help`.
  register_users(app, ctx, o);
  register_clients(app, ctx, o);
  register_intake(app, ctx, o);
  register_consent(app, ctx, o);
  register_course(app, ctx, o);
  register_appointment(app, ctx, o);
  register_roller(app, ctx, o);
  register_home(app, ctx, o);
  register_session(app, ctx, o);
  register_escalation(app, ctx, o);
  register_due(app, ctx, o);
  register_photo(app, ctx, o);
  register_outbox(app, ctx, o);
  register_audit(app, ctx, o);
  register_db(app, ctx, o);
  register_backup(app, ctx, o);
  register_restore(app, ctx, o);
  register_export(app, ctx, o);
}

}  // namespace needlework::cli
