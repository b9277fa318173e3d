// `needlework roller register|assign|sterilise|dispose|recall`: rollers and cartridges (S9).

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "store_command.hpp"
#include "text_records.hpp"

namespace needlework::cli {

using nlohmann::json;
using store::Id;

void register_roller(CLI::App& app, Context& ctx, const std::shared_ptr<StoreOptions>& o) {
  auto* roller = app.add_subcommand(
      "roller", "Rollers and cartridges: register, assign, sterilise, dispose, recall (S9)");
  roller->require_subcommand(1);
  struct RollerArgs {
    store::RollerSpec spec;
    std::string needle_mm, expiry, client, reason, lot;
    Id id = 0;
  };
  auto ra = std::make_shared<RollerArgs>();
  auto* reg =
      add(*roller, ctx, o, Needs::rules, "register", "Register a roller or cartridge as delivered",
          "needlework roller register --lot L-2026-11 --serial 0001 --device dermaroller --needles 192 "
          "--needle-mm 1.0 --expiry 2028-01-31 --udi \"(01)0123…\"",
          [&ctx, ra](Open& s) {
            auto mm = parse_number(ra->needle_mm, "--needle-mm");
            if (!mm) return report(ctx, mm.error());
            auto expiry = parse_date_option(ra->expiry, "--expiry");
            if (!expiry) return report(ctx, expiry.error());
            auto spec = ra->spec;
            spec.needle_length = units::millimetres(*mm);
            spec.expiry = *expiry;
            return show<store::RollerRecord>(ctx, s.clinic->register_roller(s.actor, spec), print_roller,
                                             OptionNames{{"lot", "--lot"},
                                                         {"serial", "--serial"},
                                                         {"device", "--device"},
                                                         {"needle_count", "--needles"},
                                                         {"needle_length_mm", "--needle-mm"},
                                                         {"expiry", "--expiry"}});
          });
  reg->add_option("--lot", ra->spec.lot, "Lot number")->required();
  reg->add_option("--serial", ra->spec.serial, "Serial number")->required();
  reg->add_option("--udi", ra->spec.udi, "UDI as printed on the label");
  reg->add_option("--device", ra->spec.device, "Device id of the pack (dermaroller, scalproller, …)")
      ->required();
  reg->add_option("--needles", ra->spec.needle_count, "Number of needles")->required();
  reg->add_option("--needle-mm", ra->needle_mm, "Needle length in mm")->required();
  reg->add_option("--expiry", ra->expiry, "Last day of use YYYY-MM-DD")->required();

  auto* assign = add(*roller, ctx, o, Needs::rules, "assign",
                     "Assign a new roller to a client; it is never used on another",
                     "needlework roller assign 1 C-0001", [&ctx, ra](Open& s) {
                       return show<store::RollerRecord>(
                           ctx, s.clinic->assign_roller(s.actor, ra->id, ra->client), print_roller);
                     });
  assign->add_option("roller", ra->id, "Roller id")->required();
  assign->add_option("client", ra->client, "Client id")->required();
  auto* sterilise =
      add(*roller, ctx, o, Needs::rules, "sterilise",
          "Sterilise a used roller for reuse on the same client (only if the pack allows it)",
          "needlework roller sterilise 1", [&ctx, ra](Open& s) {
            return show<store::RollerRecord>(ctx, s.clinic->sterilise_roller(s.actor, ra->id), print_roller);
          });
  sterilise->add_option("roller", ra->id, "Roller id")->required();
  auto* dispose =
      add(*roller, ctx, o, Needs::rules, "dispose", "Dispose of a roller",
          "needlework roller dispose 1 --reason used", [&ctx, ra](Open& s) {
            return show<store::RollerRecord>(ctx, s.clinic->dispose_roller(s.actor, ra->id, ra->reason),
                                             print_roller, OptionNames{{"reason", "--reason"}});
          });
  dispose->add_option("roller", ra->id, "Roller id")->required();
  dispose->add_option("--reason", ra->reason, "Why (single use, dropped, recall, …)")->required();
  auto* recall =
      add(*roller, ctx, o, Needs::rules, "recall", "Every roller, session and client a lot touched",
          "needlework roller recall L-2026-11",
          [&ctx, ra](Open& s) { return show<store::Recall>(ctx, s.clinic->recall(ra->lot), print_recall); });
  recall->add_option("lot", ra->lot, "Lot number")->required();
}

}  // namespace needlework::cli
