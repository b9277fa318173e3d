// `needlework appointment book|cancel`: appointments, checked against the course's interval rules.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "store_command.hpp"
#include "text_records.hpp"

namespace needlework::cli {

using nlohmann::json;
using store::Id;

void register_appointment(CLI::App& app, Context& ctx, const std::shared_ptr<StoreOptions>& o) {
  auto* appt = app.add_subcommand("appointment", "Appointments, checked against the course's interval rules");
  appt->require_subcommand(1);
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
                           fmt::print("appointment {} booked: client {}, {} {:g} mm, {}\n", a.id, a.client_id,
                                      a.area, units::in_mm(a.needle_length), t(a.at));
                         },
                         OptionNames{{"area", "--area"},
                                     {"needle_length_mm", "--needle-mm"},
                                     {"course", "--course"},
                                     {"date", "--at"}});
                   });
  book->add_option("client", ap->client, "Client id")->required();
  book->add_option("--area", ap->area, "Area (a vocabulary id)")->required();
  book->add_option("--needle-mm", ap->needle_mm, "Planned needle length in mm (sets the interval rule)")
      ->required();
  book->add_option("--at", ap->at, "When, YYYY-MM-DDTHH:MM:SSZ")->required();
  ap->course_opt = book->add_option("--course", ap->course, "The course it belongs to");
  auto* cancel = add(*appt, ctx, o, Needs::rules, "cancel", "Cancel a booked appointment",
                     "needlework appointment cancel 3", [&ctx, ap](Open& s) {
                       return show<store::AppointmentRecord>(
                           ctx, s.clinic->cancel_appointment(s.actor, ap->id),
                           [](const auto& a) { fmt::print("appointment {} cancelled\n", a.id); });
                     });
  cancel->add_option("appointment", ap->id, "Appointment id")->required();
}

}  // namespace needlework::cli
