// ClinicStore: the interval rules and appointments.
// Part of ClinicStore (clinic_store.hpp): each operation reads what it needs and writes inside one store
// transaction, so a rule checked is still true when the write commits.

#include <fmt/format.h>

#include <algorithm>

#include "clinic_detail.hpp"
#include "needlework/clinic/fields.hpp"
#include "needlework/store/clinic_store.hpp"
#include "needlework/store/json.hpp"

namespace needlework::store {

using namespace detail;
using nlohmann::json;

Result<void> ClinicStore::check_interval_for(std::string_view client_id, std::string_view area,
                                             units::Length needle, Date proposed,
                                             std::optional<Id> skip_appointment, bool with_appointments) {
  // Every course rule that could govern this needle: 0.5 mm lies in two bands, and both must agree.
  std::vector<const knowledge::CourseRule*> rules;
  for (const auto* band : clinic::bands_for_length(pack_, needle)) {
    const auto* rule = clinic::course_rule_for(pack_, band->name);
    if (rule != nullptr && std::find(rules.begin(), rules.end(), rule) == rules.end()) rules.push_back(rule);
  }
  if (rules.empty()) {
    if (const auto* general = clinic::course_rule_for(pack_, ""); general != nullptr)
      rules.push_back(general);
  }
  std::vector<Date> earlier;
  NW_TRY(sessions, store_.sessions_of(client_id));
  for (const auto& s : sessions) {
    if (areas_overlap(pack_, s.area, area)) earlier.push_back(day_of(s.started_at));
  }
  if (with_appointments) {
    NW_TRY(appointments, store_.appointments_of(client_id));
    for (const auto& a : appointments) {
      if (a.state != AppointmentState::booked || (skip_appointment && a.id == *skip_appointment)) continue;
      if (areas_overlap(pack_, a.area, area)) earlier.push_back(day_of(a.at));
    }
  }
  for (const auto* rule : rules) {
    auto r = clinic::check_interval(earlier, proposed, *rule);
    if (!r) {
      auto e = r.error();
      e.message =
          fmt::format("{} on {} for client {}: {}", e.message, area, client_id,
                      "choose a later date (earlier sessions and booked appointments on this area count)");
      return std::unexpected(e);
    }
  }
  return {};
}

Result<AppointmentRecord> ClinicStore::book_appointment(const Actor& by, std::string_view client_id,
                                                        std::string area, units::Length needle_length,
                                                        DateTime at, std::optional<Id> course_id) {
  if (pack_.find_area(area) == nullptr) {
    return fail(ErrorCode::unknown_id, fmt::format("'{}' is not an area of pack {}", area, pack_.label()),
                "area");
  }
  NW_CHECK(units::check_number(units::in_mm(needle_length), clinic::needle_length_rule));
  // A booking stands for a session: the rules the session will meet that are known now apply now.
  if (at < by.at) {
    return fail(
        ErrorCode::out_of_range,
        fmt::format("{} is in the past (it is {}); book a time to come", fmt_time(at), fmt_time(by.at)),
        "at");
  }
  NW_CHECK(clinic::check_length_for_area(pack_, area, needle_length));
  return store_.transaction_returning<AppointmentRecord>([&]() -> Result<AppointmentRecord> {
    NW_CHECK(require_client(client_id));
    NW_CHECK(check_screening(client_id, area, by.at));
    if (course_id) {
      NW_TRY(courses, store_.courses_of(client_id));
      if (std::none_of(courses.begin(), courses.end(), [&](const auto& c) { return c.id == *course_id; })) {
        return fail(ErrorCode::not_found, fmt::format("client {} has no course {}", client_id, *course_id),
                    "course");
      }
    }
    NW_CHECK(check_interval_for(client_id, area, needle_length, day_of(at), std::nullopt, true));
    AppointmentRecord a;
    a.client_id = std::string(client_id);
    a.course_id = course_id;
    a.area = std::move(area);
    a.needle_length = needle_length;
    a.at = at;
    return store_.insert_appointment(by, a);
  });
}

Result<AppointmentRecord> ClinicStore::cancel_appointment(const Actor& by, Id appointment_id) {
  return store_.transaction_returning<AppointmentRecord>([&]() -> Result<AppointmentRecord> {
    NW_TRY(found, store_.find_appointment(appointment_id));
    if (!found)
      return fail(ErrorCode::not_found, fmt::format("no appointment {}", appointment_id), "appointment");
    AppointmentRecord a = *found;
    if (a.state != AppointmentState::booked) {
      return fail(ErrorCode::invalid_value,
                  fmt::format("appointment {} is {}, not booked", a.id, to_string(a.state)), "appointment");
    }
    a.state = AppointmentState::cancelled;
    NW_CHECK(store_.update_appointment(by, a));
    return a;
  });
}

}  // namespace needlework::store
