// needlework — the command-line face of the clinical and physics engines. Every subcommand reads a file or
// stdin, prints human-readable text (or JSON with --json), and exits with a documented code (docs/cli.md).

#include <exception>
#include <iostream>

#include "context.hpp"

int main(int argc, char** argv) {
  using namespace needlework::cli;
  Context ctx;
  CLI::App app{"Needlework: micro-needling (collagen induction therapy) screening, planning, protocol, aftercare "
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
  app.add_option("--data", ctx.data_option, "Data directory holding packs/ (default: $NEEDLEWORK_DATA, else the build's)");
  app.add_option("--pack", ctx.pack_id, "Knowledge pack to use (default: seed; see `needlework pack list`)");
  app.add_flag("--json", ctx.json, "Print machine-readable JSON instead of text");
  app.set_version_flag("--version", "needlework 0.1.0");
  app.footer("Exit codes: 0 ok; 2 bad command line; 3 bad input; 4 bad knowledge pack or data file; "
             "5 needs a person (not cleared, refused, see a doctor); 1 internal error.");

  add_pack_commands(app, ctx);
  add_clinic_commands(app, ctx);
#ifdef NEEDLEWORK_HAVE_PHYSICS
  add_physics_commands(app, ctx);
#endif

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return exit_usage;
  } catch (const std::exception& e) {
    std::cerr << "needlework: internal error: " << e.what() << '\n';
    return exit_internal;
  }
  return ctx.exit_code;
}
