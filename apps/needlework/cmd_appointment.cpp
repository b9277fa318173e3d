// `needlework appointment book|cancel|list`: appointments, checked against the course's interval rules.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "needlework/clinic/fields.hpp"
#include "store_command.hpp"
#include "text_records.hpp"

namespace needlework::cli {

using nlohmann::json;
using store::Id;

void register_appointment(CLI::App& app, Context& ctx, const std::shared_ptr<StoreOptions>& o) {
  auto* appt = app.add_subcommand("appointment", "Appointments, checked against the course's interval rules");
  appt->require_subcommand(1);
  group_examples(*appt,
                 {"needlework appointment book C-0001 --area face --needle-mm 1.0 --at 2026-11-30T10:00:00Z",
                  "needlework appointment list --client C-0001",
                  "needlework appointment list --from 2026-12-01 --to 2026-12-31 --json",
                  "needlework appointment cancel 3"});
  struct ApptArgs {
    std::string client, area, at;
    double needle_mm = 0;
    Id course = 0, id = 0;
    CLI::Option* course_opt = nullptr;
  };
  auto ap = std::make_shared<ApptArgs>();
  auto* book = add(*appt, ctx, o, Needs::rules, "book",
                   "Book an appointment (exit 5 if the interval rules refuse the date)",
                   "needlework appointment book C-0001 --area face --needle-mm 1.0 --at 2026-11-30T10:00:00Z",
                   [&ctx, ap](Open& s) {
                     auto at = parse_date_time_option(ap->at, "--at");
                     if (!at) return report(ctx, at.error());
                     std::optional<Id> course_id;
                     if (ap->course_opt->count() > 0) course_id = ap->course;
                     return show<store::AppointmentRecord>(
                         ctx,
                         s.clinic->book_appointment(s.actor, ap->client, ap->area,
                                                    units::millimetres(ap->needle_mm), *at, course_id),
                         [](const auto& a) {
                           fmt::print("appointment {} booked: client {}, {} {:g} mm, {}\n", a.id,
                                      esc(a.client_id), esc(a.area), units::in_mm(a.needle_length), t(a.at));
                         },
                         OptionNames{{"area", "--area"},
                                     {"needle_length_mm", "--needle-mm"},
                                     {"course", "--course"},
                                     {"date", "--at"}});
                   });
  book->add_option("client", ap->client, "Client id")->required();
  book->add_option("--area", ap->area, "Area (a vocabulary id)")->required();
  add_number_option(*book, "--needle-mm", ap->needle_mm, clinic::needle_length_rule,
                    "Planned needle length in mm (sets the interval rule)")
      ->required();
  book->add_option("--at", ap->at, "When, YYYY-MM-DDTHH:MM:SSZ")->required();
  ap->course_opt = add_id_option(*book, "--course", ap->course, "The course it belongs to");
  auto* cancel = add(*appt, ctx, o, Needs::rules, "cancel", "Cancel a booked appointment",
                     "needlework appointment cancel 3", [&ctx, ap](Open& s) {
                       return show<store::AppointmentRecord>(
                           ctx, s.clinic->cancel_appointment(s.actor, ap->id),
                           [](const auto& a) { fmt::print("appointment {} cancelled\n", a.id); });
                     });
  add_id_option(*cancel, "appointment", ap->id, "Appointment id")->required();

  struct ListArgs {
    std::string client, from, to;
  };
  auto la = std::make_shared<ListArgs>();
  auto* list =
      add(*appt, ctx, o, Needs::records, "list",
          "Appointments from --from (default: today, by --now) to --to, of every client or of --client",
          "needlework appointment list\n"
          "         needlework appointment list --client C-0001 --from 2026-11-01 --to 2026-11-30 --json",
          [&ctx, la](Open& s) {
            units::Date from = std::chrono::floor<std::chrono::days>(s.actor.at);
            if (!la->from.empty()) {
              auto d = parse_date_option(la->from, "--from");
              if (!d) return report(ctx, d.error());
              from = *d;
            }
            // --to is a day, taken whole; without it every appointment from --from on (to the last day whose
            // next midnight still has a four-digit year: times are compared as text, docs/store.md).
            units::Date to_day = std::chrono::sys_days{std::chrono::year{9998} / 12 / 31};
            if (!la->to.empty()) {
              auto d = parse_date_option(la->to, "--to");
              if (!d) return report(ctx, d.error());
              to_day = *d;
            }
            if (to_day < from) {
              return report(ctx, Error{ErrorCode::invalid_value,
                                       fmt::format("{} is before --from {}", units::format_date(to_day),
                                                   units::format_date(from)),
                                       "--to"});
            }
            const units::DateTime begin{from}, end{to_day + std::chrono::days{1}};
            Result<std::vector<store::AppointmentRecord>> found;
            if (la->client.empty()) {
              found = s.db->appointments_between(begin, end);
            } else {
              found = s.db->appointments_of(la->client);
              if (found) {
                std::erase_if(*found, [&](const auto& a) { return a.at < begin || a.at >= end; });
              }
            }
            return show_list<store::AppointmentRecord>(
                ctx, found,
                [](const auto& a) {
                  fmt::print("{:>5}  {}  client {:<12} {:<12} {:g} mm  {}\n", a.id, t(a.at), esc(a.client_id),
                             esc(a.area), units::in_mm(a.needle_length), to_string(a.state));
                },
                "no appointments in that time");
          });
  list->add_option("--client", la->client, "Only this client's appointments");
  list->add_option("--from", la->from, "First day YYYY-MM-DD (default: today)");
  list->add_option("--to", la->to, "Last day YYYY-MM-DD (default: no end)");
}

}  // namespace needlework::cli
