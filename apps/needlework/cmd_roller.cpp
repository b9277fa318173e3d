// `needlework roller register|assign|sterilise|dispose|recall|list`: rollers and cartridges (S9). `recall
// LOT` reads what a lot touched; with --reason it records the lot's recall first (one command, one lot: the
// read is what a clinic asks before and after it records a recall).

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "needlework/clinic/fields.hpp"
#include "store_command.hpp"
#include "text_records.hpp"

namespace needlework::cli {

using nlohmann::json;
using store::Id;

void register_roller(CLI::App& app, Context& ctx, const std::shared_ptr<StoreOptions>& o) {
  auto* roller = app.add_subcommand(
      "roller", "Rollers and cartridges: register, assign, sterilise, dispose, recall (S9)");
  roller->require_subcommand(1);
  group_examples(*roller,
                 {"needlework roller register --lot L-2026-11 --serial 0001 --device dermaroller "
                  "--needles 192 --needle-mm 1.0 --expiry 2028-01-31",
                  "needlework roller assign 1 C-0001", "needlework roller list --state new",
                  "needlework roller recall L-2026-11",
                  "needlework roller recall L-2026-11 --reason \"sterility failure (notice 2026-12)\""});
  struct RollerArgs {
    store::RollerSpec spec;
    std::string expiry, client, reason, lot;
    double needle_mm = 0, needle_count = 0;
    Id id = 0;
    bool recording = false;  ///< `recall --reason` given (even empty: then refused for the empty reason)
  };
  auto ra = std::make_shared<RollerArgs>();
  auto* reg =
      add(*roller, ctx, o, Needs::rules, "register", "Register a roller or cartridge as delivered",
          "needlework roller register --lot L-2026-11 --serial 0001 --device dermaroller --needles 192 "
          "--needle-mm 1.0 --expiry 2028-01-31 --udi \"(01)0123…\"",
          [&ctx, ra](Open& s) {
            auto expiry = parse_date_option(ra->expiry, "--expiry");
            if (!expiry) return report(ctx, expiry.error());
            auto spec = ra->spec;
            spec.needle_length = units::millimetres(ra->needle_mm);
            spec.needle_count = static_cast<int>(ra->needle_count);
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
  add_number_option(*reg, "--needles", ra->needle_count, clinic::needle_count_rule, "Number of needles")
      ->required();
  add_number_option(*reg, "--needle-mm", ra->needle_mm, clinic::needle_length_rule, "Needle length in mm")
      ->required();
  reg->add_option("--expiry", ra->expiry, "Last day of use YYYY-MM-DD")->required();

  auto* assign = add(*roller, ctx, o, Needs::rules, "assign",
                     "Assign a new roller to a client; it is never used on another",
                     "needlework roller assign 1 C-0001", [&ctx, ra](Open& s) {
                       return show<store::RollerRecord>(
                           ctx, s.clinic->assign_roller(s.actor, ra->id, ra->client), print_roller);
                     });
  add_id_option(*assign, "roller", ra->id, "Roller id")->required();
  assign->add_option("client", ra->client, "Client id")->required();
  auto* sterilise =
      add(*roller, ctx, o, Needs::rules, "sterilise",
          "Sterilise a used roller for reuse on the same client (only if the pack allows it)",
          "needlework roller sterilise 1", [&ctx, ra](Open& s) {
            return show<store::RollerRecord>(ctx, s.clinic->sterilise_roller(s.actor, ra->id), print_roller);
          });
  add_id_option(*sterilise, "roller", ra->id, "Roller id")->required();
  auto* dispose =
      add(*roller, ctx, o, Needs::rules, "dispose", "Dispose of a roller",
          "needlework roller dispose 1 --reason used", [&ctx, ra](Open& s) {
            return show<store::RollerRecord>(ctx, s.clinic->dispose_roller(s.actor, ra->id, ra->reason),
                                             print_roller, OptionNames{{"reason", "--reason"}});
          });
  add_id_option(*dispose, "roller", ra->id, "Roller id")->required();
  dispose->add_option("--reason", ra->reason, "Why (single use, dropped, recall, …)")->required();
  auto* recall = add(
      *roller, ctx, o, Needs::rules, "recall",
      "Every roller, session and client a lot touched; with --reason, record the lot's recall first (its "
      "rollers are then refused for every use)",
      "needlework roller recall L-2026-11\n         needlework roller recall L-2026-11 --reason \"sterility "
      "failure\"",
      [&ctx, ra](Open& s) {
        if (!ra->recording) return show<store::Recall>(ctx, s.clinic->recall(ra->lot), print_recall);
        return show<store::Recall>(ctx, s.clinic->recall_lot(s.actor, ra->lot, ra->reason), print_recall,
                                   OptionNames{{"reason", "--reason"}});
      });
  recall->add_option("lot", ra->lot, "Lot number")->required();
  recall->add_option_function<std::string>(
      "--reason",
      [ra](const std::string& reason) {
        ra->reason = reason;
        ra->recording = true;
      },
      "Record the recall (at --now, by --actor) with the manufacturer's reason; without it the lot is only "
      "read");

  struct ListArgs {
    std::string state, lot;
  };
  auto la = std::make_shared<ListArgs>();
  auto* list = add(
      *roller, ctx, o, Needs::records, "list",
      "Rollers and cartridges, by id; --state and --lot narrow the list",
      "needlework roller list --state new\n         needlework roller list --lot L-2026-11 --json",
      [&ctx, la](Open& s) {
        std::optional<store::RollerState> state;
        if (!la->state.empty()) {
          state = store::roller_state_from_string(la->state);
          if (!state) {
            return report(ctx, Error{ErrorCode::invalid_value,
                                     fmt::format("'{}' is not a roller state (one of: new, assigned, used, "
                                                 "disposed)",
                                                 units::excerpt(la->state)),
                                     "--state"});
          }
        }
        auto found = la->lot.empty() ? s.db->rollers() : s.db->rollers_in_lot(la->lot);
        if (found && state) std::erase_if(*found, [&](const auto& r) { return r.state != *state; });
        return show_list<store::RollerRecord>(ctx, found, print_roller, "no rollers");
      });
  list->add_option("--state", la->state, "Only rollers in this state: new, assigned, used or disposed");
  list->add_option("--lot", la->lot, "Only rollers of this lot");
}

}  // namespace needlework::cli
