// needlework — the command-line face of the clinical and physics engines and of the clinic records. Every
// subcommand prints human-readable text (or JSON with --json) and exits with a documented code (docs/cli.md).

#include <exception>
#include <iostream>
#include <optional>
#include <string>

#include "context.hpp"
#include "needlework/version.hpp"
#include "options.hpp"
#include "output_file.hpp"

namespace {

/// Walks the command line as CLI11 will, and returns the first word that should name a subcommand but does
/// not, so the error names it instead of CLI11's "A subcommand is required".
std::optional<std::string> find_unknown_command(CLI::App& top, int argc, char** argv) {
  CLI::App* app = &top;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--") return std::nullopt;
    if (arg.size() > 1 && arg[0] == '-') {
      if (arg.find('=') != std::string::npos) continue;
      // An option that takes a value consumes the next word; look it up here and in the parents.
      for (CLI::App* a = app; a != nullptr; a = a->get_parent()) {
        const auto* opt = a->get_option_no_throw(arg);
        if (opt != nullptr) {
          if (opt->get_items_expected_min() > 0) ++i;
          break;
        }
      }
      continue;
    }
    if (app->get_subcommands({}).empty()) return std::nullopt;  // a positional argument of a leaf command
    CLI::App* sub = nullptr;
    for (auto* s : app->get_subcommands({})) {
      if (s->check_name(arg)) sub = s;
    }
    if (sub == nullptr)
      return app->get_require_subcommand_min() > 0 ? std::optional<std::string>(arg) : std::nullopt;
    app = sub;
  }
  return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace needlework::cli;
  Context ctx;
  CLI::App app{
      "Needlework: micro-needling (collagen induction therapy) screening, planning, protocol, aftercare "
      "and simulation.\n\nExamples:\n"
      "  needlework screen examples/intake-cleared.json\n"
      "  needlework plan examples/intake-cleared.json --start 2026-11-30\n"
      "  needlework --pack literature screen examples/intake-literature.json --json\n"
      "  needlework protocol examples/session.json\n"
      "  needlework aftercare examples/session.json --markdown\n"
      "  needlework followup examples/followup-see-doctor.json\n"
      "  needlework pack vocabulary\n",
      "needlework"};
  app.require_subcommand(1);
  // Global options may also follow the subcommand (`needlework screen x.json --json`); set before the
  // subcommands are added, which inherit it.
  app.fallthrough();
  app.add_option("--data", ctx.data_option,
                 "Data directory holding packs/ (default: $NEEDLEWORK_DATA, else the build's)");
  app.add_option("--pack", ctx.pack_id, "Knowledge pack to use (default: seed; see `needlework pack list`)");
  app.add_flag("--json", ctx.json, "Print machine-readable JSON instead of text");
  app.set_version_flag("--version", std::string("needlework ") + needlework::version);
  app.footer(exit_codes_help);

  add_pack_commands(app, ctx);
  add_clinic_commands(app, ctx);
  add_store_commands(app, ctx);
  add_physics_commands(app, ctx);
  add_serve_command(app, ctx);
  add_openapi_command(app, ctx);

  if (auto unknown = find_unknown_command(app, argc, argv)) {
    std::cerr << "needlework: unknown command '" << *unknown << "' (see needlework --help)\n";
    return exit_usage;
  }
  // Everything printed must reach standard output: a full disk, /dev/full or a closed pipe is a failure
  // (exit 4), checked once here for every command rather than after each print.
  auto finish = [](int code) {
    if (auto r = finish_stdout(); !r) {
      std::cerr << "needlework: " << needlework::to_string(r.error().code) << ": " << r.error().describe()
                << '\n';
      return code == exit_ok || code == exit_attention ? exit_code_for(r.error()) : code;
    }
    return code;
  };
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return finish(app.exit(e));
  } catch (const CLI::CallForAllHelp& e) {
    return finish(app.exit(e));
  } catch (const CLI::CallForVersion& e) {
    return finish(app.exit(e));
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return exit_usage;
  } catch (const OptionValueError& e) {
    // A value the strict option parsers refused (options.hpp): bad input, reported like any other.
    return finish(report(ctx, e.error()));
  } catch (const std::exception& e) {
    std::cerr << "needlework: internal error: " << e.what() << '\n';
    return exit_internal;
  }
  return finish(ctx.exit_code);
}
