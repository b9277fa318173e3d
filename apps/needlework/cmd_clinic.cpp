// `needlework screen|plan|protocol|aftercare|followup`: the clinical engine on an input file or stdin.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <iostream>
#include <map>
#include <memory>

#include "context.hpp"
#include "needlework/clinic/engine.hpp"
#include "needlework/clinic/fields.hpp"
#include "needlework/clinic/json.hpp"
#include "options.hpp"
#include "text_clinic.hpp"

namespace needlework::cli {
namespace {

using clinic::Reason;
using knowledge::Decision;
using knowledge::Pack;
using units::Date;

/// Reads, parses and converts an input document with the selected pack; on failure reports and sets exit.
template <class T, class Parse>
std::optional<std::pair<Pack, T>> load_input(Context& ctx, const std::string& path, Parse&& parse) {
  auto pack = load_selected_pack(ctx);
  if (!pack) {
    ctx.exit_code = report(ctx, pack.error());
    return std::nullopt;
  }
  auto text = read_input(path);
  if (!text) {
    ctx.exit_code = report(ctx, text.error());
    return std::nullopt;
  }
  auto doc = parse_json(*text, path);
  if (!doc) {
    ctx.exit_code = report(ctx, doc.error());
    return std::nullopt;
  }
  auto value = parse(*doc, *pack);
  if (!value) {
    auto e = value.error();
    e.where = fmt::format("{}: {}", path == "-" ? "<stdin>" : path, e.where);
    ctx.exit_code = report(ctx, e);
    return std::nullopt;
  }
  return std::pair<Pack, T>{std::move(*pack), std::move(*value)};
}

template <class Input, class Parse, class Handle>
CLI::App* add_input_command(CLI::App& app, Context& ctx, const std::string& name, const std::string& help,
                            const std::string& input_name, const std::string& example, Parse parse,
                            Handle handle) {
  auto path = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand(name, help);
  cmd->add_option(input_name, *path, "JSON file, or - for stdin")->required();
  cmd->footer("Example: " + example + "\n\n" + exit_codes_help);
  cmd->callback([&ctx, path, parse, handle] {
    auto in = load_input<Input>(ctx, *path, parse);
    if (in) handle(in->first, in->second);
  });
  return cmd;
}

}  // namespace

void add_clinic_commands(CLI::App& app, Context& ctx) {
  add_input_command<clinic::Intake>(
      app, ctx, "screen", "Screen an intake for contraindications (exit 5 if not cleared)", "intake",
      "needlework screen examples/intake-local.json", clinic::parse_intake,
      [&ctx](const Pack& pack, const clinic::Intake& intake) {
        const auto s = clinic::screen(intake, pack);
        if (ctx.json) {
          print_json(clinic::to_json(s));
        } else {
          print_screening(intake, s);
        }
        ctx.exit_code = s.cleared() ? exit_ok : exit_attention;
      });

  struct PlanOptions {
    std::string start, price, currency = "USD";
    double per_week = 0;
    bool per_week_given = false;
  };
  auto po = std::make_shared<PlanOptions>();
  auto* plan_cmd = add_input_command<clinic::Intake>(
      app, ctx, "plan",
      "Plan the course: needle band and device per area, dated visits, home maintenance (exit 5 if refused)",
      "intake", "needlework plan examples/intake-cleared.json --start 2026-11-30 --session-price 120",
      clinic::parse_intake, [&ctx, po](const Pack& pack, const clinic::Intake& intake) {
        Date start = intake.date;
        if (!po->start.empty()) {
          auto d = parse_date_option(po->start, "--start");
          if (!d) {
            ctx.exit_code = report(ctx, d.error());
            return;
          }
          start = *d;
        }
        clinic::PlanOptions options;
        if (po->per_week_given) options.sessions_per_week = static_cast<int>(po->per_week);
        auto regions = load_skin_regions(ctx);
        if (!regions) {
          ctx.exit_code = report(ctx, regions.error());
          return;
        }
        options.regions = &*regions;
        if (!po->price.empty()) {
          // A price is a plain amount, 0 to 10 000 000, written without an exponent.
          const auto amount = parse_number(po->price, "--session-price");
          const bool plain = po->price.find_first_of("eE") == std::string::npos;
          if (!amount || !plain || *amount < 0 || *amount > 1e7) {
            ctx.exit_code = report(
                ctx, Error{ErrorCode::invalid_value, "must be an amount such as 120.00", "--session-price"});
            return;
          }
          if (po->currency.size() != 3) {
            ctx.exit_code = report(
                ctx, Error{ErrorCode::invalid_value, "must be a 3-letter currency code", "--currency"});
            return;
          }
          options.session_price =
              units::Money{static_cast<std::int64_t>(*amount * 100.0 + 0.5), po->currency};
        }
        auto p = clinic::plan(intake, pack, start, options);
        if (!p) {
          // Name the command-line option the person typed, not the engine's field.
          ctx.exit_code = report(ctx, name_option(p.error(), {{"start", "--start"},
                                                              {"sessions_per_week", "--sessions-per-week"}}));
          return;
        }
        if (ctx.json) {
          print_json(clinic::to_json(*p));
        } else {
          print_plan(intake, *p);
        }
        const bool any_refused =
            std::any_of(p->areas.begin(), p->areas.end(), [](const auto& a) { return a.refused; });
        ctx.exit_code = any_refused ? exit_attention : exit_ok;
      });
  plan_cmd->add_option("--start", po->start, "First session date YYYY-MM-DD (default: the intake date)");
  add_number_option(*plan_cmd, "--sessions-per-week", po->per_week, clinic::sessions_per_week_rule,
                    "A lower cadence than the pack's maximum (1–7)")
      ->each([po](const std::string&) { po->per_week_given = true; });
  plan_cmd->add_option("--session-price", po->price,
                       "Price of one clinic visit, e.g. 120.00, for the course cost");
  plan_cmd->add_option("--currency", po->currency, "Currency of --session-price (default USD)");

  add_input_command<clinic::SessionInput>(
      app, ctx, "protocol", "The timed checklist for a session (exit 5 if the needle is refused)", "session",
      "needlework protocol examples/session.json", clinic::parse_session,
      [&ctx](const Pack& pack, const clinic::SessionInput& session) {
        auto regions = load_skin_regions(ctx);
        if (!regions) {
          ctx.exit_code = report(ctx, regions.error());
          return;
        }
        auto p = clinic::protocol(session, pack, &*regions);
        if (!p) {
          ctx.exit_code = report(ctx, p.error());
        } else if (ctx.json) {
          print_json(clinic::to_json(*p));
        } else {
          print_protocol(*p);
        }
      });

  struct AftercareOptions {
    std::string end;
    bool markdown = false;
  };
  auto ao = std::make_shared<AftercareOptions>();
  auto* aftercare_cmd = add_input_command<clinic::SessionInput>(
      app, ctx, "aftercare", "The aftercare sheet for a session (text, --markdown or --json)", "session",
      "needlework aftercare examples/session.json --markdown > aftercare.md", clinic::parse_session,
      [&ctx, ao](const Pack& pack, const clinic::SessionInput& session) {
        auto regions = load_skin_regions(ctx);
        if (!regions) {
          ctx.exit_code = report(ctx, regions.error());
          return;
        }
        auto checklist = clinic::protocol(session, pack, &*regions);
        if (!checklist) {
          ctx.exit_code = report(ctx, checklist.error());
          return;
        }
        units::DateTime end =
            session.start + std::chrono::duration_cast<std::chrono::seconds>(checklist->timed_max);
        if (!ao->end.empty()) {
          auto t = parse_date_time_option(ao->end, "--end");
          if (!t) {
            ctx.exit_code = report(ctx, t.error());
            return;
          }
          end = *t;
        }
        auto resealing = load_resealing(ctx);
        if (!resealing) {
          ctx.exit_code = report(ctx, resealing.error());
          return;
        }
        auto sheet = clinic::aftercare(session, end, pack, &*resealing);
        if (!sheet) {
          ctx.exit_code = report(ctx, name_option(sheet.error(), {{"session_end", "--end"}}));
        } else if (ctx.json) {
          print_json(clinic::to_json(*sheet));
        } else {
          std::cout << (ao->markdown ? clinic::render_markdown(*sheet, pack)
                                     : clinic::render_text(*sheet, pack));
        }
      });
  aftercare_cmd->add_option(
      "--end", ao->end,
      "When the session ended, YYYY-MM-DDTHH:MM:SSZ (default: start + the longest timed steps)");
  aftercare_cmd->add_flag("--markdown", ao->markdown, "Print the sheet as Markdown");

  add_input_command<clinic::FollowupInput>(
      app, ctx, "followup", "Triage observations after a session: normal or see a doctor (exit 5)",
      "observations", "needlework followup examples/followup-see-doctor.json", clinic::parse_followup,
      [&ctx](const Pack& pack, const clinic::FollowupInput& in) {
        const auto f = clinic::followup(in, pack);
        if (ctx.json) {
          print_json(clinic::to_json(f));
        } else {
          print_followup(f);
        }
        ctx.exit_code = f.triage == knowledge::Triage::normal ? exit_ok : exit_attention;
      });
}

}  // namespace needlework::cli
