#pragma once
// Shared state of one `needlework` invocation: global options and the output helpers every subcommand uses.

#include <CLI/CLI.hpp>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "needlework/knowledge/pack.hpp"
#include "needlework/physics/device.hpp"
#include "needlework/physics/resealing.hpp"
#include "needlework/physics/skin.hpp"
#include "needlework/store/store.hpp"
#include "needlework/units/error.hpp"

namespace needlework::cli {

/// Exit codes, documented in docs/cli.md.
enum ExitCode : int {
  exit_ok = 0,
  exit_internal = 1,   ///< a bug: an exception escaped
  exit_usage = 2,      ///< bad command line
  exit_input = 3,      ///< bad input: a file, field, value, option value, unknown id or record
  exit_pack = 4,       ///< a knowledge pack, data file or database that does not load, validate or read
  exit_attention = 5,  ///< the command ran and the answer needs a person: not cleared, refused, see a doctor
};

struct Context {
  std::string data_option;       ///< --data
  std::string pack_id = "seed";  ///< --pack
  bool json = false;             ///< --json
  int exit_code = exit_ok;

  /// --data, else $NEEDLEWORK_DATA, else the data directory of the source tree this binary was built from.
  [[nodiscard]] std::filesystem::path data_dir() const;
  [[nodiscard]] std::filesystem::path packs_dir() const { return data_dir() / "packs"; }
};

/// The exit-code table, shown in every --help.
inline constexpr const char* exit_codes_help =
    "Exit codes: 0 ok; 2 bad command line; 3 bad input; 4 bad knowledge pack, data file or database; "
    "5 needs a person (not cleared, refused, see a doctor); 1 internal error.";

/// `r` with its error passed through `f` (std::expected::transform_error, which GCC 12's library lacks).
template <class T, class F>
Result<T> map_error(Result<T> r, F&& f) {
  if (!r) return std::unexpected(f(std::move(r.error())));
  return r;
}

/// The exit code of an error: one table, by error code, for every command (docs/cli.md).
int exit_code_for(const Error& e);

/// The command line's hint for a refusal, by the rule it applies: the command that does what the message asks
/// (the store's messages speak to every face and name no command). Empty when there is none. Reads `e` as the
/// store gave it, before its field is renamed to an option.
[[nodiscard]] std::string cli_hint(const Error& e);

/// Prints an error on stderr (or as JSON on stdout with --json) and returns its exit code; `hint` (by default
/// `cli_hint(e)`) follows the message on its own line.
int report(const Context& ctx, const Error& e);
int report(const Context& ctx, const Error& e, const std::string& hint);

/// What an input is, for its size limit.
enum class InputKind {
  /// A JSON or text document (an intake, a session, a consent text, a data file): at most 16 MiB, or
  /// $NEEDLEWORK_MAX_INPUT_MB MiB.
  document,
  /// A photo: at most 64 MiB, or $NEEDLEWORK_MAX_PHOTO_MB MiB.
  photo,
};

/// The most bytes an input of `kind` may hold (the defaults above, or the environment variable, 1–4096 MiB;
/// a variable that is not such a number is an error naming it).
Result<std::size_t> input_limit(InputKind kind);

/// Reads a whole file, or stdin when path is "-": the one reader of every file and stdin input. Refused
/// before it is read whole: a file larger than the kind's limit (`input_limit`), a folder, and a device or
/// socket (`/dev/zero` is not a file); a pipe or stdin is read up to the limit and refused beyond it. Each
/// refusal names the path and says how to raise the limit.
Result<std::string> read_input(const std::string& path, InputKind kind = InputKind::document);

/// Parses JSON text; a syntax error names the byte offset, line and column.
Result<nlohmann::json> parse_json(const std::string& text, const std::string& source_name);

/// Loads the pack chosen with --pack from the data directory.
Result<knowledge::Pack> load_selected_pack(const Context& ctx);

/// Loads data/skin/regions.toml from the data directory (skin thickness per region for the depth guard); a
/// file that does not load is a data_error.
Result<physics::RegionCatalog> load_skin_regions(const Context& ctx);

/// Loads data/physics/resealing.toml from the data directory (barrier recovery and channel closure, for
/// `simulate` and the aftercare windows); a file that does not load is a data_error.
Result<physics::ResealingData> load_resealing(const Context& ctx);

/// Loads the physics device catalog (every data/devices/*.toml under `data_dir`, sorted by file name); a file
/// that does not load is a data_error.
Result<std::vector<physics::Device>> load_devices(const std::filesystem::path& data_dir);

/// A progress bar on stderr for long runs (only on a terminal, never with --json): "[####....] 3/10 runs".
class ProgressBar {
 public:
  ProgressBar(bool enabled, std::string unit);
  void update(std::int64_t done, std::int64_t total);

 private:
  bool enabled_;
  std::string unit_;
};

/// Opens the clinic database `where` names (--db, else $NEEDLEWORK_DB, else ./needlework.db: the caller
/// picks): PostgreSQL for a `postgresql://` URI or a libpq key=value string (`host=… dbname=…`), else a
/// SQLite file (store::open_store). An error's location is "--db <where>", with a PostgreSQL password never
/// shown.
Result<std::unique_ptr<store::Store>> open_database(const std::string& where);

/// Where photos go unless --photos says: photos/ beside a SQLite file; ./photos (the working folder) for a
/// PostgreSQL database, which has no folder of its own; nowhere for ":memory:".
std::filesystem::path default_photo_dir(const std::string& where);

/// Prints JSON (pretty, two spaces) on stdout.
void print_json(const nlohmann::json& j);

/// Registration of the subcommands: the pack commands (cmd_pack.cpp), the clinical commands (cmd_clinic.cpp),
/// the store commands (store_command.cpp, which registers each group from its cmd_<group>.cpp) and the
/// physics commands (cmd_physics.cpp).
void add_pack_commands(CLI::App& app, Context& ctx);
void add_clinic_commands(CLI::App& app, Context& ctx);
void add_store_commands(CLI::App& app, Context& ctx);
void add_physics_commands(CLI::App& app, Context& ctx);
/// `needlework serve` (cmd_serve.cpp).
void add_serve_command(CLI::App& app, Context& ctx);
/// `needlework openapi` (cmd_serve.cpp): the served OpenAPI document on stdout.
void add_openapi_command(CLI::App& app, Context& ctx);

}  // namespace needlework::cli
