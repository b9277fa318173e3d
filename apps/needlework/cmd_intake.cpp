// `needlework intake|consent|course`: a screened intake, signed consents, and the course planned from
// the latest intake.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "needlework/clinic/json.hpp"
#include "store_command.hpp"
#include "text_records.hpp"

namespace needlework::cli {

using nlohmann::json;
using store::Id;

void register_intake(CLI::App& app, Context& ctx, const std::shared_ptr<StoreOptions>& o) {
  auto intake_path = std::make_shared<std::string>();
  auto* intake =
      add(app, ctx, o, Needs::rules, "intake",
          "Screen an intake and record it with its decision (exit 5 if not cleared)",
          "needlework intake examples/intake-cleared.json --db clinic.db", [&ctx, intake_path](Open& s) {
            auto text = read_input(*intake_path);
            if (!text) return report(ctx, text.error());
            auto doc = parse_json(*text, *intake_path);
            if (!doc) return report(ctx, doc.error());
            auto in = clinic::parse_intake(*doc, s.pack);
            if (!in) {
              auto e = in.error();
              e.where = fmt::format("{}: {}", *intake_path == "-" ? "<stdin>" : *intake_path, e.where);
              return report(ctx, e);
            }
            auto r = s.clinic->record_intake(s.actor, *in, *doc);
            if (!r) return report_store(ctx, r.error());
            if (ctx.json) {
              print_json(store::to_json(*r));
            } else {
              std::vector<std::string> areas;
              for (const auto& a : r->areas) areas.push_back(esc(a.area) + " " + esc(a.decision));
              fmt::print("intake {} recorded for client {}: {} ({}) — pack {}\n", r->id, esc(r->client_id),
                         knowledge::to_string(r->decision), fmt::join(areas, ", "), esc(r->pack));
            }
            return r->decision == knowledge::Decision::cleared ? static_cast<int>(exit_ok)
                                                               : static_cast<int>(exit_attention);
          });
  intake->add_option("intake", *intake_path, "Intake JSON file, or - for stdin")->required();
}

void register_consent(CLI::App& app, Context& ctx, const std::shared_ptr<StoreOptions>& o) {
  auto* consent = app.add_subcommand("consent", "Consent: sign (the text's SHA-256 is kept), withdraw");
  consent->require_subcommand(1);
  group_examples(*consent, {"needlework consent sign C-0001 --text-file consent.txt --signer \"Ana Example\"",
                            "needlework consent withdraw 1"});
  struct ConsentArgs {
    std::string client, text_file, signer;
    Id id = 0;
  };
  auto cs = std::make_shared<ConsentArgs>();
  auto* sign = add(*consent, ctx, o, Needs::records, "sign", "Record a signed consent",
                   "needlework consent sign C-0001 --text-file consent.txt --signer \"Ana Example\"",
                   [&ctx, cs](Open& s) {
                     auto text = read_input(cs->text_file);
                     if (!text) {
                       auto e = text.error();
                       e.where = "--text-file " + e.where;
                       return report(ctx, e);
                     }
                     return show<store::ConsentRecord>(
                         ctx, s.clinic->record_consent(s.actor, cs->client, *text, cs->signer),
                         [](const auto& c) {
                           fmt::print("consent {} signed by {} at {} (text sha256 {})\n", c.id, esc(c.signer),
                                      t(c.signed_at), c.text_sha256);
                         },
                         OptionNames{{"signer", "--signer"}, {"text", "--text-file"}});
                   });
  sign->add_option("client", cs->client, "Client id")->required();
  sign->add_option("--text-file", cs->text_file, "The consent text the client signed (or - for stdin)")
      ->required();
  sign->add_option("--signer", cs->signer, "Who signed")->required();
  auto* withdraw = add(*consent, ctx, o, Needs::records, "withdraw", "Withdraw a consent",
                       "needlework consent withdraw 1", [&ctx, cs](Open& s) {
                         return show<store::ConsentRecord>(
                             ctx, s.clinic->withdraw_consent(s.actor, cs->id), [](const auto& c) {
                               fmt::print("consent {} withdrawn at {}\n", c.id, t(*c.withdrawn_at));
                             });
                       });
  add_id_option(*withdraw, "consent", cs->id, "Consent id")->required();
}

void register_course(CLI::App& app, Context& ctx, const std::shared_ptr<StoreOptions>& o) {
  auto* course = app.add_subcommand("course", "Treatment courses planned from the latest intake");
  course->require_subcommand(1);
  group_examples(*course, {"needlework course add C-0001 --start 2026-11-30"});
  auto co = std::make_shared<std::pair<std::string, std::string>>();
  auto* course_add =
      add(*course, ctx, o, Needs::rules, "add", "Plan a course from the client's latest intake and record it",
          "needlework course add C-0001 --start 2026-11-30", [&ctx, co](Open& s) {
            auto d = parse_date_option(co->second, "--start");
            if (!d) return report(ctx, d.error());
            return show<store::CourseRecord>(ctx, s.clinic->record_course(s.actor, co->first, *d),
                                             [](const auto& c) {
                                               fmt::print("course {} for client {} from {}\n", c.id,
                                                          esc(c.client_id), units::format_date(c.start));
                                             });
          });
  course_add->add_option("client", co->first, "Client id")->required();
  course_add->add_option("--start", co->second, "First session date YYYY-MM-DD")->required();
}

}  // namespace needlework::cli
