#pragma once
// What every store command shares: the global --db/--actor/--now/--photos options, opening what a command
// needs, registering a subcommand, printing a record and reporting a store failure. Each command group
// registers itself from its own file (cmd_<group>.cpp) through register_<group>().

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "context.hpp"
#include "needlework/store/clinic_store.hpp"
#include "needlework/store/json.hpp"
#include "options.hpp"

namespace needlework::cli {

/// Options shared by every store command (global: they may come before or after the subcommand).
struct StoreOptions {
  std::string db;      ///< --db
  std::string actor;   ///< --actor
  std::string now;     ///< --now
  std::string photos;  ///< --photos
};

/// What a store command opens before it runs: only what it uses, so a broken data file cannot stop a command
/// that never reads it (`audit verify` works with a broken device catalog).
enum class Needs {
  /// The database alone: commands over records (users, clients, photos, outbox, escalations, audit, db,
  /// backup, export). Their ClinicStore is built over an empty pack and no physics data, so it must only be
  /// asked for operations that consult no rule.
  records,
  /// Also the pack (--pack), the skin regions and the device catalog: commands that apply the rules.
  rules,
};

/// Everything a store command works with, opened once.
struct Open {
  knowledge::Pack pack;                  ///< empty with Needs::records
  physics::RegionCatalog regions;        ///< empty with Needs::records
  std::vector<physics::Device> devices;  ///< empty with Needs::records
  physics::ResealingData resealing;      ///< empty with Needs::records
  std::unique_ptr<store::Store> db;
  std::unique_ptr<store::ClinicStore> clinic;
  store::Actor actor;
};

/// The body of a store command: runs on what was opened and returns the exit code.
using StoreBody = std::function<int(Open&)>;

/// The database --db names, else $NEEDLEWORK_DB, else ./needlework.db.
std::string database_of(const StoreOptions& o);

/// --now, or the system clock (the one place Needlework reads it); on a bad --now reports and sets
/// ctx.exit_code.
std::optional<units::DateTime> now_of(Context& ctx, const StoreOptions& o);

/// Sets a command group's --help footer: its examples, one command a line, then the exit codes.
void group_examples(CLI::App& group, const std::vector<std::string>& examples);

/// Registers store subcommand `name` under `parent`: its callback opens what `needs` says (reporting a
/// failure and setting the exit code), then runs `body` and sets the exit code it returns.
CLI::App* add(CLI::App& parent, Context& ctx, const std::shared_ptr<StoreOptions>& o, Needs needs,
              const std::string& name, const std::string& help, const std::string& example, StoreBody body);

/// Reports a store failure (bad input 3, a broken database 4, a refusal 5) with its field renamed to the
/// option that set it.
int report_store(const Context& ctx, const Error& e, const OptionNames& names = {});

/// Prints a record: its JSON with --json, else `text`.
template <class Record>
int show(const Context& ctx, const Result<Record>& r, const std::function<void(const Record&)>& text,
         const OptionNames& names = {}) {
  if (!r) return report_store(ctx, r.error(), names);
  if (ctx.json) {
    print_json(store::to_json(*r));
  } else {
    text(*r);
  }
  return exit_ok;
}

/// Prints a list of records: a JSON array of the records' JSON with --json, else `row` for each, or `none`
/// when there are none.
template <class Record>
int show_list(const Context& ctx, const Result<std::vector<Record>>& r,
              const std::function<void(const Record&)>& row, std::string_view none) {
  if (!r) return report_store(ctx, r.error());
  if (ctx.json) {
    auto out = nlohmann::json::array();
    for (const auto& x : *r) out.push_back(store::to_json(x));
    print_json(out);
  } else {
    if (r->empty()) fmt::print("{}\n", none);
    for (const auto& x : *r) row(x);
  }
  return exit_ok;
}

/// The store command groups, each registered from its own file (cmd_<group>.cpp, or one file for a few
/// small groups).
void register_users(CLI::App& app, Context& ctx, const std::shared_ptr<StoreOptions>& o);
void register_clients(CLI::App& app, Context& ctx, const std::shared_ptr<StoreOptions>& o);
void register_intake(CLI::App& app, Context& ctx, const std::shared_ptr<StoreOptions>& o);
void register_consent(CLI::App& app, Context& ctx, const std::shared_ptr<StoreOptions>& o);
void register_course(CLI::App& app, Context& ctx, const std::shared_ptr<StoreOptions>& o);
void register_appointment(CLI::App& app, Context& ctx, const std::shared_ptr<StoreOptions>& o);
void register_roller(CLI::App& app, Context& ctx, const std::shared_ptr<StoreOptions>& o);
void register_home(CLI::App& app, Context& ctx, const std::shared_ptr<StoreOptions>& o);
void register_session(CLI::App& app, Context& ctx, const std::shared_ptr<StoreOptions>& o);
void register_escalation(CLI::App& app, Context& ctx, const std::shared_ptr<StoreOptions>& o);
void register_due(CLI::App& app, Context& ctx, const std::shared_ptr<StoreOptions>& o);
void register_photo(CLI::App& app, Context& ctx, const std::shared_ptr<StoreOptions>& o);
void register_outbox(CLI::App& app, Context& ctx, const std::shared_ptr<StoreOptions>& o);
void register_audit(CLI::App& app, Context& ctx, const std::shared_ptr<StoreOptions>& o);
void register_db(CLI::App& app, Context& ctx, const std::shared_ptr<StoreOptions>& o);
void register_backup(CLI::App& app, Context& ctx, const std::shared_ptr<StoreOptions>& o);
void register_restore(CLI::App& app, Context& ctx, const std::shared_ptr<StoreOptions>& o);
void register_export(CLI::App& app, Context& ctx, const std::shared_ptr<StoreOptions>& o);

}  // namespace needlework::cli
