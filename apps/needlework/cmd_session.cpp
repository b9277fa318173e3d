// `needlework session start|step|checklist|chart|finish|followup|show`: treatment sessions and their
// follow-ups.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "needlework/clinic/fields.hpp"
#include "needlework/clinic/json.hpp"
#include "needlework/units/text.hpp"
#include "store_command.hpp"
#include "text_records.hpp"

namespace needlework::cli {

using nlohmann::json;
using store::Id;

void register_session(CLI::App& app, Context& ctx, const std::shared_ptr<StoreOptions>& o) {
  auto* session =
      app.add_subcommand("session", "Treatment sessions: start, step, checklist, chart, finish, followup");
  session->require_subcommand(1);
  group_examples(*session,
                 {"needlework session start C-0001 --area face --roller 1 --appointment 1",
                  "needlework session step 1 STEP.cleanse",
                  "needlework session chart 1 --passes 16 --dose-from-physics", "needlework session finish 1",
                  "needlework session followup 1 --observed redness", "needlework session show 1"});
  struct SessionArgs {
    store::SessionRequest req;
    Id appointment = 0, id = 0;
    CLI::Option* appointment_opt = nullptr;
    std::string step, note, reason;
    CLI::Option* reason_opt = nullptr;
    double passes = 0, density = 0, depth = 0;
    CLI::Option *passes_opt = nullptr, *density_opt = nullptr, *depth_opt = nullptr;
    bool dose_from_physics = false;
    std::vector<std::string> directions;
    std::uint64_t seed = 0;
    CLI::Option* seed_opt = nullptr;
    std::string zone;
    std::vector<std::string> observed;
  };
  auto sa = std::make_shared<SessionArgs>();
  auto* start = add(
      *session, ctx, o, Needs::rules, "start",
      "Start a session: refused (exit 5) without a screening that cleared the area, a valid consent, the "
      "client's own roller, an allowed needle and a date inside the interval rules",
      "needlework session start C-0001 --area face --roller 1", [&ctx, sa](Open& s) {
        auto req = sa->req;
        if (sa->appointment_opt->count() > 0) req.appointment_id = sa->appointment;
        auto r = s.clinic->start_session(s.actor, req);
        if (!r) {
          return report_store(ctx, r.error(),
                              {{"area", "--area"},
                               {"conditions", "--condition"},
                               {"roller", "--roller"},
                               {"appointment", "--appointment"},
                               {"acknowledged", "--acknowledge"},
                               {"date", "--now"}});
        }
        if (ctx.json) {
          print_json({{"session", store::to_json(r->session)}, {"protocol", clinic::to_json(r->protocol)}});
        } else {
          print_session(r->session);
          for (const auto& w : r->protocol.warnings) fmt::print("  warning: {}\n", w);
          fmt::print("  steps to record (`needlework session step {} STEP`):\n", r->session.id);
          for (const auto& i : r->protocol.items) fmt::print("    {:<24} {}\n", i.step, i.title);
        }
        return static_cast<int>(exit_ok);
      });
  start->add_option("client", sa->req.client_id, "Client id")->required();
  start->add_option("--area", sa->req.area, "Area treated")->required();
  add_id_option(*start, "--roller", sa->req.roller_id, "Roller id (assigned to this client)")->required();
  sa->appointment_opt =
      add_id_option(*start, "--appointment", sa->appointment, "The appointment this session keeps");
  start->add_flag("--cocktail", sa->req.cocktail, "A mesotherapy cocktail is applied");
  start->add_option("--condition", sa->req.conditions, "A condition on the day (sensitive_skin, stress, …)");
  start->add_option(
      "--acknowledge", sa->req.acknowledged,
      "Acknowledge a depth-guard warning rule for this session (DEPTH.thin_skin); repeat for each. "
      "Needed for every warning that fires; recorded in the session");

  auto* step = add(*session, ctx, o, Needs::rules, "step", "Timestamp a protocol step (at --now)",
                   "needlework session step 1 STEP.cleanse", [&ctx, sa](Open& s) {
                     return show<store::StepRecord>(
                         ctx, s.clinic->record_step(s.actor, sa->id, sa->step), [](const auto& x) {
                           fmt::print("session {}: {} at {}\n", x.session_id, esc(x.step), t(x.at));
                         });
                   });
  add_id_option(*step, "session", sa->id, "Session id")->required();
  step->add_option("step", sa->step, "Step id of the pack (STEP.cleanse, …)")->required();

  auto* chart =
      add(*session, ctx, o, Needs::rules, "chart",
          "Chart what was done: passes, delivered dose (measured, or --dose-from-physics), notes",
          "needlework session chart 1 --passes 16 --dose-from-physics --note ok\n"
          "         needlework session chart 1 --passes 4 --density-per-cm2 61 --effective-depth-mm 0.35",
          [&ctx, sa](Open& s) {
            store::Chart c;
            if (sa->passes_opt->count() > 0) c.passes = static_cast<int>(sa->passes);
            c.dose_from_physics = sa->dose_from_physics;
            if (!sa->directions.empty()) c.directions = sa->directions;
            if (sa->seed_opt->count() > 0) c.seed = sa->seed;
            if (sa->density_opt->count() > 0) c.density = units::per_square_centimetre(sa->density);
            if (sa->depth_opt->count() > 0) c.effective_depth = units::millimetres(sa->depth);
            if (!sa->note.empty()) c.notes = sa->note;
            if (!sa->zone.empty()) c.zone = sa->zone;
            // With a zone, the session and then the zone's figures as stored.
            auto print = [&s, sa](const store::SessionRecord& x) {
              print_session(x);
              if (sa->zone.empty()) return;
              auto zones = s.db->zones_of(x.id);
              if (!zones) return;
              for (const auto& z : *zones) {
                if (z.zone == sa->zone) print_zone(z);
              }
            };
            return show<store::SessionRecord>(ctx, s.clinic->chart(s.actor, sa->id, c), print,
                                              OptionNames{{"passes", "--passes"},
                                                          {"density_per_cm2", "--density-per-cm2"},
                                                          {"effective_depth_mm", "--effective-depth-mm"},
                                                          {"dose", "--dose-from-physics"},
                                                          {"directions", "--directions"},
                                                          {"zone", "--zone"},
                                                          {"region", "--zone"},
                                                          {"needle_count", "--dose-from-physics"},
                                                          {"needle_length_mm", "--dose-from-physics"},
                                                          {"area", "--dose-from-physics"}});
          });
  add_id_option(*chart, "session", sa->id, "Session id")->required();
  sa->passes_opt = add_number_option(*chart, "--passes", sa->passes, clinic::passes_rule, "Number of passes");
  sa->density_opt = add_number_option(*chart, "--density-per-cm2", sa->density, clinic::density_rule,
                                      "Delivered punctures per cm²");
  sa->depth_opt = add_number_option(*chart, "--effective-depth-mm", sa->depth, clinic::effective_depth_rule,
                                    "Estimated effective depth in mm");
  chart->add_option("--note", sa->note, "A note (appended, signed with --actor and --now)");
  chart
      ->add_option("--directions", sa->directions,
                   "Stroke directions used, in turn: horizontal, vertical, diagonal, anti_diagonal "
                   "(comma separated; charted as the stroke plan, and stroked so by --dose-from-physics)")
      ->delimiter(',');
  chart->add_flag("--dose-from-physics", sa->dose_from_physics,
                  "Compute the density and effective depth with the physics engine from the session's area, "
                  "roller and passes (docs/store.md)");
  sa->seed_opt = add_integer_option(*chart, "--seed", sa->seed,
                                    "Random stream of that simulation (default: the session id; with "
                                    "--zone, derived from the session id and the zone)");
  chart->add_option("--zone", sa->zone,
                    "A zone of the session's area (a skin region: cheek, forehead, …): its dose from physics "
                    "is charted and kept for that zone (charting it again replaces it)");

  auto* checklist = add(
      *session, ctx, o, Needs::rules, "checklist", "The session's protocol steps, and when each was done",
      "needlework session checklist 1", [&ctx, sa](Open& s) {
        auto r = s.clinic->checklist(sa->id);
        if (!r) return report_store(ctx, r.error(), OptionNames{{"session", "session"}});
        if (ctx.json) {
          json j = json::array();
          for (const auto& c : *r) j.push_back(store::to_json(c));
          print_json(j);
        } else {
          for (const auto& c : *r) {
            fmt::print("{} {:<24} {}{}\n", c.done_at ? "[x]" : "[ ]", esc(c.step),
                       units::escape_for_terminal(c.title), c.done_at ? "  " + t(*c.done_at) : std::string());
          }
        }
        return static_cast<int>(exit_ok);
      });
  add_id_option(*checklist, "session", sa->id, "Session id")->required();

  auto* finish = add(
      *session, ctx, o, Needs::rules, "finish",
      "End a session (at --now); its roller becomes used. Every step of its protocol must be recorded first, "
      "or --reason say why the missing ones were not done",
      "needlework session finish 1\n"
      "         needlework session finish 1 --reason \"client felt faint; stopped after rolling\"",
      [&ctx, sa](Open& s) {
        std::optional<std::string> reason;
        if (sa->reason_opt->count() > 0) reason = sa->reason;
        return show<store::SessionRecord>(ctx, s.clinic->finish_session(s.actor, sa->id, reason),
                                          print_session, OptionNames{{"missing_steps_reason", "--reason"}});
      });
  add_id_option(*finish, "session", sa->id, "Session id")->required();
  sa->reason_opt = finish->add_option("--reason", sa->reason,
                                      "Why steps of the protocol were not done (kept, signed, in the notes)");

  auto* fu = add(
      *session, ctx, o, Needs::rules, "followup",
      "Record follow-up observations (at --now) for a finished session; see a doctor opens an "
      "escalation (exit 5)",
      "needlework session followup 1 --observed redness --observed dryness", [&ctx, sa](Open& s) {
        auto r = s.clinic->record_followup(s.actor, sa->id, sa->observed);
        if (!r) return report_store(ctx, r.error(), {{"observations", "--observed"}});
        if (ctx.json) {
          json j{{"followup", store::to_json(r->followup)},
                 {"escalation", r->escalation ? store::to_json(*r->escalation) : json(nullptr)}};
          print_json(j);
        } else {
          fmt::print("follow-up {} of session {}: {}\n", r->followup.id, r->followup.session_id,
                     r->followup.triage == knowledge::Triage::normal ? "NORMAL" : "SEE A DOCTOR");
          for (std::size_t i = 0; i < r->result.reasons.size(); ++i) {
            fmt::print("  {:<11} {}  [{} · {}]\n", knowledge::to_string(r->result.triages[i]),
                       r->result.reasons[i].message, r->result.reasons[i].rule, r->result.reasons[i].source);
          }
          if (r->escalation) {
            fmt::print("  escalation {} opened; close it with `needlework escalation close {} --note …`\n",
                       r->escalation->id, r->escalation->id);
          }
        }
        return r->escalation ? static_cast<int>(exit_attention) : static_cast<int>(exit_ok);
      });
  add_id_option(*fu, "session", sa->id, "Session id")->required();
  fu->add_option("--observed", sa->observed, "An observation id (redness, swelling, dryness, …); repeat");

  auto* show_cmd = add(
      *session, ctx, o, Needs::records, "show",
      "One session: its record and chart, the steps recorded, its follow-ups and escalations",
      "needlework session show 1\n         needlework session show 1 --json", [&ctx, sa](Open& s) {
        auto found = s.db->find_session(sa->id);
        if (!found) return report_store(ctx, found.error());
        if (!*found) {
          return report(ctx, Error{ErrorCode::not_found, fmt::format("no session {}", sa->id), "session"});
        }
        const auto& x = **found;
        auto steps = s.db->steps_of(x.id);
        if (!steps) return report_store(ctx, steps.error());
        auto followups = s.db->followups_of(x.id);
        if (!followups) return report_store(ctx, followups.error());
        auto escalations = s.db->escalations_of(x.client_id);
        if (!escalations) return report_store(ctx, escalations.error());
        std::erase_if(*escalations, [&](const auto& e) { return e.session_id != x.id; });
        auto zones = s.db->zones_of(x.id);
        if (!zones) return report_store(ctx, zones.error());
        if (ctx.json) {
          json j{{"session", store::to_json(x)},
                 {"steps", json::array()},
                 {"zones", json::array()},
                 {"followups", json::array()},
                 {"escalations", json::array()}};
          for (const auto& st : *steps) j["steps"].push_back(store::to_json(st));
          for (const auto& z : *zones) j["zones"].push_back(store::to_json(z));
          for (const auto& f : *followups) j["followups"].push_back(store::to_json(f));
          for (const auto& e : *escalations) j["escalations"].push_back(store::to_json(e));
          print_json(j);
          return static_cast<int>(exit_ok);
        }
        print_session(x);
        fmt::print("  steps recorded: {}\n", steps->size());
        for (const auto& st : *steps) fmt::print("    {}  {}\n", t(st.at), esc(st.step));
        fmt::print("  zones charted: {}\n", zones->size());
        for (const auto& z : *zones) print_zone(z);
        fmt::print("  follow-ups: {}\n", followups->size());
        for (const auto& f : *followups) {
          fmt::print("    {}  {:<11} {}\n", t(f.observed_at), knowledge::to_string(f.triage),
                     esc(fmt::format("{}", fmt::join(f.observations, ", "))));
        }
        for (const auto& e : *escalations) {
          fmt::print("  escalation {}  {}  {}\n", e.id, e.open() ? "OPEN" : "closed " + t(*e.closed_at),
                     esc(e.reason));
        }
        return static_cast<int>(exit_ok);
      });
  add_id_option(*show_cmd, "session", sa->id, "Session id")->required();
}

}  // namespace needlework::cli
