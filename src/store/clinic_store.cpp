// The clinic's rules that need history (clinic_store.hpp). Each operation reads what it needs and writes
// inside one store transaction, so a rule checked is still true when the write commits.

#include "needlework/store/clinic_store.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <set>

#include "needlework/clinic/dose.hpp"
#include "needlework/clinic/json.hpp"
#include "needlework/physics/strokes.hpp"
#include "needlework/store/json.hpp"

namespace needlework::store {
namespace {

using nlohmann::json;

std::string fmt_time(DateTime t) { return units::format_date_time(t); }
Date day_of(DateTime t) { return std::chrono::floor<std::chrono::days>(t); }

/// The hygiene rule with this requirement, cited in refusals ("HYG.single_client, S9").
std::string cite_hygiene(const knowledge::Pack& pack, std::string_view requirement) {
  for (const auto& h : pack.hygiene) {
    if (h.requirement == requirement) return fmt::format("{}, {}", h.id, h.source);
  }
  return "S9";
}

bool has_hygiene(const knowledge::Pack& pack, std::string_view requirement) {
  return std::any_of(pack.hygiene.begin(), pack.hygiene.end(),
                     [&](const auto& h) { return h.requirement == requirement; });
}

bool areas_overlap(const knowledge::Pack& pack, std::string_view a, std::string_view b) {
  return pack.area_within(a, b) || pack.area_within(b, a);
}

std::string require_text(std::string_view what) { return fmt::format("{} must not be empty", what); }

}  // namespace

ClinicStore::ClinicStore(Store& store, const knowledge::Pack& pack, const physics::RegionCatalog* regions,
                         std::filesystem::path photo_dir, const std::vector<physics::Device>* devices)
    : store_(store), pack_(pack), regions_(regions), photo_dir_(std::move(photo_dir)), devices_(devices) {}

// ---- users and clients ---------------------------------------------------------------------------------

Result<UserRecord> ClinicStore::add_user(const Actor& by, std::string name, std::string role) {
  if (name.empty()) return fail(ErrorCode::invalid_value, require_text("the user name"), "name");
  if (role.empty()) return fail(ErrorCode::invalid_value, require_text("the role"), "role");
  return store_.transaction_returning<UserRecord>([&]() -> Result<UserRecord> {
    NW_TRY(users, store_.users());
    for (const auto& u : users) {
      if (u.name == name)
        return fail(ErrorCode::invalid_value, fmt::format("user '{}' already exists", name), "name");
    }
    return store_.insert_user(by, UserRecord{0, name, role, by.at});
  });
}

Result<ClientRecord> ClinicStore::add_client(const Actor& by, const ClientRecord& client) {
  if (client.id.empty()) return fail(ErrorCode::invalid_value, require_text("the client id"), "id");
  if (client.name.empty()) return fail(ErrorCode::invalid_value, require_text("the client name"), "name");
  if (client.date_of_birth && *client.date_of_birth > day_of(by.at)) {
    return fail(ErrorCode::out_of_range, "the date of birth is in the future", "date_of_birth");
  }
  return store_.transaction_returning<ClientRecord>([&]() -> Result<ClientRecord> {
    NW_TRY(existing, store_.find_client(client.id));
    if (existing) {
      return fail(ErrorCode::invalid_value,
                  fmt::format("client {} already exists ({}); choose another id", client.id, existing->name),
                  "id");
    }
    ClientRecord c = client;
    c.created_at = by.at;
    NW_CHECK(store_.insert_client(by, c));
    return c;
  });
}

Result<ClientRecord> ClinicStore::require_client(std::string_view client_id) {
  NW_TRY(c, store_.find_client(client_id));
  if (!c) {
    return fail(ErrorCode::not_found,
                fmt::format("no client '{}' is registered; add one with `needlework clients add`", client_id),
                "client");
  }
  return *c;
}

Result<ClientHistory> ClinicStore::history(std::string_view client_id) {
  ClientHistory h;
  // One snapshot: a history never mixes the state before and after a concurrent write.
  if (auto r = store_.read_snapshot([&]() -> Result<void> { return read_history(client_id, h); }); !r) {
    return std::unexpected(r.error());
  }
  return h;
}

Result<void> ClinicStore::read_history(std::string_view client_id, ClientHistory& h) {
  NW_TRY(client, require_client(client_id));
  h.client = std::move(client);
  NW_TRY(intakes, store_.intakes_of(client_id));
  NW_TRY(consents, store_.consents_of(client_id));
  NW_TRY(courses, store_.courses_of(client_id));
  NW_TRY(appointments, store_.appointments_of(client_id));
  NW_TRY(sessions, store_.sessions_of(client_id));
  NW_TRY(escalations, store_.escalations_of(client_id));
  h.intakes = std::move(intakes);
  h.consents = std::move(consents);
  h.courses = std::move(courses);
  h.appointments = std::move(appointments);
  NW_TRY(followups, store_.followups_of_client(client_id));  // one query, not one per session
  h.followups = std::move(followups);
  h.sessions = std::move(sessions);
  h.escalations = std::move(escalations);
  NW_TRY(photos, store_.photos_of(client_id));
  h.photos = std::move(photos);
  return {};
}

// ---- intake, consent, course ---------------------------------------------------------------------------

Result<IntakeRecord> ClinicStore::record_intake(const Actor& by, const clinic::Intake& intake,
                                                const nlohmann::json& intake_json) {
  if (intake.date > day_of(by.at)) {
    return fail(ErrorCode::out_of_range,
                fmt::format("the intake is dated {}, after today ({}); record it on or after its date",
                            units::format_date(intake.date), units::format_date(day_of(by.at))),
                "date");
  }
  return store_.transaction_returning<IntakeRecord>([&]() -> Result<IntakeRecord> {
    NW_TRY(client, require_client(intake.client.id));
    // A screening recorded under the wrong client id would clear the wrong person: the intake must name the
    // registered client.
    if (intake.client.name != client.name) {
      return fail(
          ErrorCode::invalid_value,
          fmt::format("the intake names '{}' but client {} is registered as '{}'; check the client id",
                      intake.client.name, client.id, client.name),
          "client.name");
    }
    if (intake.client.date_of_birth && client.date_of_birth &&
        *intake.client.date_of_birth != *client.date_of_birth) {
      return fail(
          ErrorCode::invalid_value,
          fmt::format("the intake gives date of birth {} but client {} was registered born {}; check the "
                      "client id",
                      units::format_date(*intake.client.date_of_birth), client.id,
                      units::format_date(*client.date_of_birth)),
          "client.date_of_birth");
    }
    const auto s = clinic::screen(intake, pack_);
    IntakeRecord r;
    r.client_id = intake.client.id;
    r.intake_date = intake.date;
    r.intake_json = canonical(intake_json);
    r.decision = s.decision;
    for (const auto& a : s.areas) r.areas.push_back({a.area, std::string(knowledge::to_string(a.decision))});
    r.reasons_json = canonical(clinic::to_json(s));
    r.pack = pack_.label();
    r.recorded_at = by.at;
    return store_.insert_intake(by, r);
  });
}

Result<ConsentRecord> ClinicStore::record_consent(const Actor& by, std::string_view client_id,
                                                  std::string_view text, std::string signer) {
  if (text.empty()) return fail(ErrorCode::invalid_value, require_text("the consent text"), "text");
  if (signer.empty()) return fail(ErrorCode::invalid_value, require_text("the signer"), "signer");
  return store_.transaction_returning<ConsentRecord>([&]() -> Result<ConsentRecord> {
    NW_CHECK(require_client(client_id));
    ConsentRecord c;
    c.client_id = std::string(client_id);
    c.text_sha256 = sha256_hex(text);
    c.signer = std::move(signer);
    c.signed_at = by.at;
    return store_.insert_consent(by, c);
  });
}

Result<ConsentRecord> ClinicStore::withdraw_consent(const Actor& by, Id consent_id) {
  return store_.transaction_returning<ConsentRecord>([&]() -> Result<ConsentRecord> {
    NW_TRY(found, store_.find_consent(consent_id));
    if (!found) return fail(ErrorCode::not_found, fmt::format("no consent {}", consent_id), "consent");
    ConsentRecord c = *found;
    if (c.withdrawn_at) {
      return fail(ErrorCode::invalid_value,
                  fmt::format("consent {} was already withdrawn on {}", c.id, fmt_time(*c.withdrawn_at)),
                  "consent");
    }
    if (by.at < c.signed_at) {
      return fail(ErrorCode::out_of_range, "a consent cannot be withdrawn before it was signed", "at");
    }
    c.withdrawn_at = by.at;
    c.withdrawn_by = by.name;
    NW_CHECK(store_.update_consent(by, c));
    return c;
  });
}

Result<CourseRecord> ClinicStore::record_course(const Actor& by, std::string_view client_id, Date start,
                                                const clinic::PlanOptions& options) {
  return store_.transaction_returning<CourseRecord>([&]() -> Result<CourseRecord> {
    NW_CHECK(require_client(client_id));
    NW_TRY(intakes, store_.intakes_of(client_id));
    if (intakes.empty()) {
      return fail(
          ErrorCode::refused,
          fmt::format("client {} has no intake; record one with `needlework intake` first", client_id),
          "client");
    }
    const auto& latest = intakes.back();
    NW_TRY(intake, clinic::parse_intake(json::parse(latest.intake_json), pack_));
    clinic::PlanOptions o = options;
    if (o.regions == nullptr) o.regions = regions_;
    NW_TRY(p, clinic::plan(intake, pack_, start, o));
    CourseRecord c;
    c.client_id = std::string(client_id);
    c.intake_id = latest.id;
    c.start = start;
    c.plan_json = canonical(clinic::to_json(p));
    c.pack = pack_.label();
    c.created_at = by.at;
    return store_.insert_course(by, c);
  });
}

// ---- intervals and appointments ------------------------------------------------------------------------

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
  if (!(needle_length > units::millimetres(0))) {
    return fail(ErrorCode::out_of_range, "the needle length must be positive", "needle_length_mm");
  }
  return store_.transaction_returning<AppointmentRecord>([&]() -> Result<AppointmentRecord> {
    NW_CHECK(require_client(client_id));
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

// ---- rollers (S9) --------------------------------------------------------------------------------------

Result<RollerRecord> ClinicStore::require_roller(Id roller_id) {
  NW_TRY(r, store_.find_roller(roller_id));
  if (!r) {
    return fail(ErrorCode::not_found,
                fmt::format("no roller {}; register it with `needlework roller register`", roller_id),
                "roller");
  }
  return *r;
}

Result<RollerRecord> ClinicStore::register_roller(const Actor& by, const RollerSpec& spec) {
  if (spec.lot.empty()) return fail(ErrorCode::invalid_value, require_text("the lot"), "lot");
  if (spec.serial.empty()) return fail(ErrorCode::invalid_value, require_text("the serial number"), "serial");
  const auto* device = pack_.find_device(spec.device);
  if (device == nullptr) {
    std::vector<std::string> ids;
    for (const auto& d : pack_.devices) ids.push_back(d.id);
    return fail(ErrorCode::unknown_id,
                fmt::format("'{}' is not a device of pack {} (one of: {})", spec.device, pack_.label(),
                            fmt::join(ids, ", ")),
                "device");
  }
  if (spec.needle_count < device->needles_min ||
      (device->needles_max && spec.needle_count > *device->needles_max)) {
    return fail(
        ErrorCode::out_of_range,
        fmt::format("{} needles is outside what a {} has ({}{}; {})", spec.needle_count, device->id,
                    device->needles_min,
                    device->needles_max ? fmt::format("–{}", *device->needles_max) : std::string(" or more"),
                    device->source),
        "needle_count");
  }
  if (!device->needle_length.contains(spec.needle_length)) {
    return fail(
        ErrorCode::out_of_range,
        fmt::format("{:g} mm needles are outside what a {} has ({:g}–{:g} mm; {})",
                    units::in_mm(spec.needle_length), device->id, units::in_mm(device->needle_length.lo),
                    units::in_mm(device->needle_length.hi), device->source),
        "needle_length_mm");
  }
  if (spec.expiry < day_of(by.at)) {
    return fail(ErrorCode::refused,
                fmt::format("the roller expired on {}; do not register an expired roller",
                            units::format_date(spec.expiry)),
                "expiry");
  }
  return store_.transaction_returning<RollerRecord>([&]() -> Result<RollerRecord> {
    NW_TRY(lot, store_.rollers_in_lot(spec.lot));
    for (const auto& r : lot) {
      if (r.serial == spec.serial) {
        return fail(ErrorCode::invalid_value,
                    fmt::format("roller lot {} serial {} is already registered (roller {})", spec.lot,
                                spec.serial, r.id),
                    "serial");
      }
    }
    RollerRecord r;
    r.lot = spec.lot;
    r.serial = spec.serial;
    r.udi = spec.udi;
    r.device = spec.device;
    r.needle_count = spec.needle_count;
    r.needle_length = spec.needle_length;
    r.expiry = spec.expiry;
    r.state = RollerState::new_;
    r.registered_at = by.at;
    return store_.insert_roller(by, r);
  });
}

Result<RollerRecord> ClinicStore::assign_roller(const Actor& by, Id roller_id, std::string_view client_id) {
  return store_.transaction_returning<RollerRecord>([&]() -> Result<RollerRecord> {
    NW_CHECK(require_client(client_id));
    NW_TRY(r, require_roller(roller_id));
    if (!r.client_id.empty() && r.client_id != client_id) {
      return fail(ErrorCode::refused,
                  fmt::format("roller {} (lot {}) belongs to client {}; a roller never crosses clients ({}): "
                              "take a new roller for {}",
                              r.id, r.lot, r.client_id, cite_hygiene(pack_, "single_client"), client_id),
                  "roller");
    }
    if (r.state == RollerState::disposed) {
      return fail(ErrorCode::refused, fmt::format("roller {} was disposed; take a new roller", r.id),
                  "roller");
    }
    if (r.state != RollerState::new_) {
      return fail(ErrorCode::invalid_value,
                  fmt::format("roller {} is already assigned to client {} ({})", r.id, r.client_id,
                              to_string(r.state)),
                  "roller");
    }
    if (r.expiry < day_of(by.at)) {
      return fail(ErrorCode::refused,
                  fmt::format("roller {} expired on {}; dispose of it and take a new one", r.id,
                              units::format_date(r.expiry)),
                  "roller");
    }
    r.state = RollerState::assigned;
    r.client_id = std::string(client_id);
    NW_CHECK(store_.update_roller(by, r));
    return r;
  });
}

Result<RollerRecord> ClinicStore::sterilise_roller(const Actor& by, Id roller_id) {
  return store_.transaction_returning<RollerRecord>([&]() -> Result<RollerRecord> {
    NW_TRY(r, require_roller(roller_id));
    if (r.state != RollerState::used) {
      return fail(ErrorCode::invalid_value,
                  fmt::format("roller {} is {}; only a used roller is sterilised for reuse", r.id,
                              to_string(r.state)),
                  "roller");
    }
    if (!has_hygiene(pack_, "new_or_sterilised")) {
      return fail(
          ErrorCode::refused,
          fmt::format("pack {} does not allow a sterilised roller to be reused; dispose of roller {} and "
                      "take a new one",
                      pack_.label(), r.id),
          "roller");
    }
    if (r.expiry < day_of(by.at)) {
      return fail(ErrorCode::refused,
                  fmt::format("roller {} expired on {}; dispose of it", r.id, units::format_date(r.expiry)),
                  "roller");
    }
    r.state = RollerState::assigned;  // for the same client only: client_id never changes
    NW_CHECK(store_.update_roller(by, r));
    return r;
  });
}

Result<RollerRecord> ClinicStore::dispose_roller(const Actor& by, Id roller_id, std::string reason) {
  if (reason.empty()) return fail(ErrorCode::invalid_value, require_text("the disposal reason"), "reason");
  return store_.transaction_returning<RollerRecord>([&]() -> Result<RollerRecord> {
    NW_TRY(r, require_roller(roller_id));
    if (r.state == RollerState::disposed) {
      return fail(ErrorCode::invalid_value, fmt::format("roller {} was already disposed", r.id), "roller");
    }
    r.state = RollerState::disposed;
    r.disposal_reason = std::move(reason);
    NW_CHECK(store_.update_roller(by, r));
    return r;
  });
}

Result<Recall> ClinicStore::recall(std::string_view lot) {
  if (lot.empty()) return fail(ErrorCode::invalid_value, require_text("the lot"), "lot");
  Recall out;
  out.lot = std::string(lot);
  NW_TRY(rollers, store_.rollers_in_lot(lot));
  if (rollers.empty()) {
    return fail(ErrorCode::not_found, fmt::format("no roller of lot '{}' is registered", lot), "lot");
  }
  std::set<std::string> clients;
  for (const auto& r : rollers) {
    if (!r.client_id.empty()) clients.insert(r.client_id);
    NW_TRY(sessions, store_.sessions_with_roller(r.id));
    for (auto& s : sessions) {
      clients.insert(s.client_id);
      out.sessions.push_back(std::move(s));
    }
  }
  std::sort(out.sessions.begin(), out.sessions.end(), [](const auto& a, const auto& b) {
    return std::tie(a.started_at, a.id) < std::tie(b.started_at, b.id);
  });
  out.rollers = std::move(rollers);
  out.clients.assign(clients.begin(), clients.end());
  return out;
}

// ---- sessions ------------------------------------------------------------------------------------------

Result<SessionRecord> ClinicStore::require_session(Id session_id) {
  NW_TRY(s, store_.find_session(session_id));
  if (!s) return fail(ErrorCode::not_found, fmt::format("no session {}", session_id), "session");
  return *s;
}

Result<StartedSession> ClinicStore::start_session(const Actor& by, const SessionRequest& req) {
  if (pack_.find_area(req.area) == nullptr) {
    return fail(ErrorCode::unknown_id, fmt::format("'{}' is not an area of pack {}", req.area, pack_.label()),
                "area");
  }
  for (std::size_t i = 0; i < req.conditions.size(); ++i) {
    if (pack_.find_condition(req.conditions[i]) == nullptr) {
      return fail(ErrorCode::unknown_id,
                  fmt::format("'{}' is not a condition of pack {}", req.conditions[i], pack_.label()),
                  fmt::format("conditions[{}]", i));
    }
  }
  return store_.transaction_returning<StartedSession>([&]() -> Result<StartedSession> {
    NW_CHECK(require_client(req.client_id));

    // 1. Screening: the latest intake must clear this area, as recorded and under the pack in use now.
    NW_TRY(intakes, store_.intakes_of(req.client_id));
    if (intakes.empty()) {
      return fail(ErrorCode::refused,
                  fmt::format("client {} has not been screened; record an intake (`needlework intake`) first",
                              req.client_id),
                  "intake");
    }
    const IntakeRecord& intake = intakes.back();
    const AreaDecisionRecord* area_decision = nullptr;
    for (const auto& a : intake.areas) {
      if (a.area == req.area) area_decision = &a;
    }
    for (const auto& a : intake.areas) {
      if (area_decision == nullptr && pack_.area_within(req.area, a.area)) area_decision = &a;
    }
    if (area_decision == nullptr) {
      return fail(
          ErrorCode::refused,
          fmt::format("the latest screening of client {} (intake {} of {}) did not cover {}; record an "
                      "intake that requests this area",
                      req.client_id, intake.id, units::format_date(intake.intake_date), req.area),
          "area");
    }
    if (area_decision->decision != "cleared") {
      return fail(
          ErrorCode::refused,
          fmt::format("client {} is not cleared for {}: the screening of {} (intake {}, pack {}) decided "
                      "'{}' for {}; see `needlework clients show {}` for the reasons",
                      req.client_id, req.area, units::format_date(intake.intake_date), intake.id, intake.pack,
                      area_decision->decision, area_decision->area, req.client_id),
          "area");
    }
    // The pack may limit how old a screening can be (the strictest rule wins).
    const knowledge::ScreeningValidity* validity = nullptr;
    for (const auto& v : pack_.screening_validity) {
      if (validity == nullptr || v.max_age < validity->max_age) validity = &v;
    }
    if (validity != nullptr) {
      const auto age = day_of(by.at) - intake.intake_date;
      if (age > validity->max_age) {
        return fail(ErrorCode::refused,
                    fmt::format("the latest screening of client {} (intake {} of {}) is {} days old; {} ({}) "
                                "lets a screening count for {} days: record a new intake",
                                req.client_id, intake.id, units::format_date(intake.intake_date), age.count(),
                                validity->id, validity->source, validity->max_age.count()),
                    "intake");
      }
    }
    {
      // The pack may have changed since the intake was recorded: it must still clear the area today.
      auto parsed = clinic::parse_intake(json::parse(intake.intake_json, nullptr, false), pack_);
      if (!parsed) {
        return fail(
            ErrorCode::refused,
            fmt::format("the recorded intake {} no longer reads under pack {} ({}); record the intake again",
                        intake.id, pack_.label(), parsed.error().describe()),
            "intake");
      }
      const auto now = clinic::screen(*parsed, pack_);
      for (const auto& a : now.areas) {
        if (a.area == area_decision->area && a.decision != knowledge::Decision::cleared) {
          return fail(
              ErrorCode::refused,
              fmt::format("under pack {} the recorded intake {} is '{}' for {} (it was screened with {}); "
                          "screen the client again",
                          pack_.label(), intake.id, knowledge::to_string(a.decision), a.area, intake.pack),
              "area");
        }
      }
    }

    // 2. Consent: the latest one, signed before now and not withdrawn.
    NW_TRY(consents, store_.consents_of(req.client_id));
    if (consents.empty()) {
      return fail(ErrorCode::refused,
                  fmt::format("client {} has not signed a consent; record one with `needlework consent sign`",
                              req.client_id),
                  "consent");
    }
    const ConsentRecord& consent = consents.back();
    if (!consent.valid_at(by.at)) {
      return fail(ErrorCode::refused,
                  consent.withdrawn_at
                      ? fmt::format("client {} withdrew consent {} on {}; a new consent is needed",
                                    req.client_id, consent.id, fmt_time(*consent.withdrawn_at))
                      : fmt::format("consent {} of client {} is signed at {}, after the session start",
                                    consent.id, req.client_id, fmt_time(consent.signed_at)),
                  "consent");
    }

    // 3. The roller: this client's, assigned (new or sterilised), in date, not in another open session.
    NW_TRY(roller, require_roller(req.roller_id));
    if (!roller.client_id.empty() && roller.client_id != req.client_id) {
      return fail(
          ErrorCode::refused,
          fmt::format("roller {} (lot {}) belongs to client {}; a roller never crosses clients ({}): take "
                      "a new roller for {}",
                      roller.id, roller.lot, roller.client_id, cite_hygiene(pack_, "single_client"),
                      req.client_id),
          "roller");
    }
    switch (roller.state) {
      case RollerState::new_:
        return fail(
            ErrorCode::refused,
            fmt::format("roller {} is not assigned; assign it to {} first (`needlework roller assign {} {}`)",
                        roller.id, req.client_id, roller.id, req.client_id),
            "roller");
      case RollerState::used:
        return fail(
            ErrorCode::refused,
            fmt::format(
                "roller {} was already used; sterilise it (if the pack allows) or take a new one ({})",
                roller.id, cite_hygiene(pack_, "new_or_sterilised")),
            "roller");
      case RollerState::disposed:
        return fail(ErrorCode::refused, fmt::format("roller {} was disposed; take a new roller", roller.id),
                    "roller");
      case RollerState::assigned:
        break;
    }
    if (roller.expiry < day_of(by.at)) {
      return fail(ErrorCode::refused,
                  fmt::format("roller {} expired on {}; dispose of it and take a new one", roller.id,
                              units::format_date(roller.expiry)),
                  "roller");
    }
    NW_TRY(roller_sessions, store_.sessions_with_roller(roller.id));
    for (const auto& s : roller_sessions) {
      if (!s.finished_at) {
        return fail(ErrorCode::refused,
                    fmt::format("roller {} is in session {}, which has not finished", roller.id, s.id),
                    "roller");
      }
    }

    // 4. The needle: the protocol refuses a length the pack does not allow here (bands, area limits, depth).
    clinic::SessionInput in;
    in.client_id = req.client_id;
    in.area = req.area;
    in.needle_length = roller.needle_length;
    in.device = roller.device;
    in.cocktail = req.cocktail;
    in.start = by.at;
    in.conditions = req.conditions;
    NW_TRY(protocol, clinic::protocol(in, pack_, regions_));

    // 5. The appointment, if any, and the interval rules against this client's earlier sessions here.
    if (req.appointment_id) {
      NW_TRY(appointment, store_.find_appointment(*req.appointment_id));
      if (!appointment || appointment->client_id != req.client_id) {
        return fail(ErrorCode::not_found,
                    fmt::format("client {} has no appointment {}", req.client_id, *req.appointment_id),
                    "appointment");
      }
      if (appointment->state != AppointmentState::booked) {
        return fail(ErrorCode::invalid_value,
                    fmt::format("appointment {} is {}", appointment->id, to_string(appointment->state)),
                    "appointment");
      }
      if (!areas_overlap(pack_, appointment->area, req.area)) {
        return fail(
            ErrorCode::invalid_value,
            fmt::format("appointment {} is for {}, not {}", appointment->id, appointment->area, req.area),
            "appointment");
      }
      auto done = *appointment;
      done.state = AppointmentState::done;
      NW_CHECK(store_.update_appointment(by, done));
    }
    NW_CHECK(check_interval_for(req.client_id, req.area, roller.needle_length, day_of(by.at),
                                req.appointment_id, false));

    SessionRecord s;
    s.client_id = req.client_id;
    s.appointment_id = req.appointment_id;
    s.intake_id = intake.id;
    s.consent_id = consent.id;
    s.roller_id = roller.id;
    s.area = req.area;
    s.device = roller.device;
    s.needle_length = roller.needle_length;
    s.pack = pack_.label();
    s.started_at = by.at;
    s.cocktail = req.cocktail;
    s.conditions = req.conditions;
    NW_TRY(saved, store_.insert_session(by, s));
    return StartedSession{std::move(saved), std::move(protocol)};
  });
}

Result<StepRecord> ClinicStore::record_step(const Actor& by, Id session_id, std::string step) {
  const bool known =
      std::any_of(pack_.steps.begin(), pack_.steps.end(), [&](const auto& s) { return s.id == step; });
  if (!known) {
    std::vector<std::string> ids;
    for (const auto& s : pack_.steps) ids.push_back(s.id);
    return fail(
        ErrorCode::unknown_id,
        fmt::format("'{}' is not a step of pack {} (one of: {})", step, pack_.label(), fmt::join(ids, ", ")),
        "step");
  }
  return store_.transaction_returning<StepRecord>([&]() -> Result<StepRecord> {
    NW_TRY(s, require_session(session_id));
    if (s.finished_at) {
      return fail(ErrorCode::refused,
                  fmt::format("session {} finished at {}; steps can no longer be recorded", s.id,
                              fmt_time(*s.finished_at)),
                  "session");
    }
    if (by.at < s.started_at) {
      return fail(
          ErrorCode::out_of_range,
          fmt::format("{} is before the session started ({})", fmt_time(by.at), fmt_time(s.started_at)),
          "at");
    }
    NW_TRY(steps, store_.steps_of(s.id));
    for (const auto& done : steps) {
      if (done.step == step) {
        return fail(
            ErrorCode::invalid_value,
            fmt::format("step {} of session {} was already recorded at {}", step, s.id, fmt_time(done.at)),
            "step");
      }
    }
    return store_.insert_step(by, StepRecord{0, s.id, step, by.at});
  });
}

Result<SessionRecord> ClinicStore::chart(const Actor& by, Id session_id, const Chart& c) {
  if (c.passes && (*c.passes < 0 || *c.passes > 1000)) {
    return fail(ErrorCode::out_of_range, fmt::format("{} passes is outside 0–1000", *c.passes), "passes");
  }
  if (c.density && !(*c.density > units::per_square_centimetre(0))) {
    return fail(ErrorCode::out_of_range, "the density must be positive", "density_per_cm2");
  }
  if (c.effective_depth && !(*c.effective_depth > units::millimetres(0))) {
    return fail(ErrorCode::out_of_range, "the effective depth must be positive", "effective_depth_mm");
  }
  if (c.dose_from_physics && (c.density || c.effective_depth)) {
    return fail(ErrorCode::invalid_value,
                "chart the dose either from physics or by hand (density and effective depth), not both", "dose");
  }
  if (c.dose_from_physics && (devices_ == nullptr || regions_ == nullptr)) {
    return fail(ErrorCode::invalid_value, "no device catalog or skin regions are loaded to compute the dose",
                "dose");
  }
  if (c.directions) {
    if (c.directions->empty()) return fail(ErrorCode::invalid_value, "name at least one direction", "directions");
    NW_CHECK(physics::parse_stroke_directions(*c.directions, "directions"));
  }
  return store_.transaction_returning<SessionRecord>([&]() -> Result<SessionRecord> {
    NW_TRY(s, require_session(session_id));
    // The stroke plan: the directions given now, else those charted before, else (for a dose) the default.
    std::vector<std::string> directions = c.directions ? *c.directions : stroke_plan_directions(s);
    if (directions.empty() && c.dose_from_physics) {
      for (const auto d : physics::StrokePlan{}.directions) directions.emplace_back(physics::to_string(d));
    }
    if (c.dose_from_physics) {
      const int passes = c.passes.value_or(s.passes.value_or(0));
      if (passes < 1) {
        return fail(ErrorCode::invalid_value,
                    fmt::format("session {} has no passes charted; give the passes to compute the dose", s.id),
                    "passes");
      }
      NW_TRY(roller, require_roller(s.roller_id));
      clinic::DoseRequest req{s.area,   s.device,   roller.needle_count, s.needle_length,
                              passes,   directions, c.seed.value_or(static_cast<std::uint64_t>(s.id))};
      NW_TRY(dose, clinic::estimate_dose(pack_, *regions_, *devices_, req));
      s.density = dose.density;
      s.effective_depth = dose.effective_depth;
      s.notes += fmt::format(
          "{}[{} {}] dose from physics: {:.0f} punctures/cm², effective depth {:.2f} mm (physics model {}, "
          "{} needles, {} skin, {} passes, seed {})",
          s.notes.empty() ? "" : "\n", fmt_time(by.at), by.name, units::in_per_cm2(dose.density),
          units::in_mm(dose.effective_depth), dose.physics_device, roller.needle_count, dose.region, passes,
          dose.seed);
    }
    if (c.effective_depth && *c.effective_depth > s.needle_length) {
      return fail(ErrorCode::out_of_range,
                  fmt::format("an effective depth of {:g} mm is deeper than the {:g} mm needle",
                              units::in_mm(*c.effective_depth), units::in_mm(s.needle_length)),
                  "effective_depth_mm");
    }
    if (c.passes) s.passes = c.passes;
    if (!directions.empty()) {
      s.stroke_plan_json = canonical(
          json{{"directions", directions}, {"passes", s.passes ? json(*s.passes) : json(nullptr)}});
    }
    if (c.density) s.density = c.density;
    if (c.effective_depth) s.effective_depth = c.effective_depth;
    if (c.notes && !c.notes->empty()) {
      s.notes += fmt::format("{}[{} {}] {}", s.notes.empty() ? "" : "\n", fmt_time(by.at), by.name, *c.notes);
    }
    NW_CHECK(store_.update_session(by, s));
    return s;
  });
}

Result<SessionRecord> ClinicStore::finish_session(const Actor& by, Id session_id) {
  return store_.transaction_returning<SessionRecord>([&]() -> Result<SessionRecord> {
    NW_TRY(s, require_session(session_id));
    if (s.finished_at) {
      return fail(ErrorCode::invalid_value,
                  fmt::format("session {} already finished at {}", s.id, fmt_time(*s.finished_at)),
                  "session");
    }
    if (by.at < s.started_at) {
      return fail(
          ErrorCode::out_of_range,
          fmt::format("{} is before the session started ({})", fmt_time(by.at), fmt_time(s.started_at)),
          "at");
    }
    s.finished_at = by.at;
    NW_CHECK(store_.update_session(by, s));
    NW_TRY(roller, require_roller(s.roller_id));
    ++roller.uses;
    if (roller.state != RollerState::disposed) roller.state = RollerState::used;
    NW_CHECK(store_.update_roller(by, roller));

    // The aftercare sheet, written from what was done and when it ended, waits in the outbox for the client.
    clinic::SessionInput in;
    in.client_id = s.client_id;
    in.area = s.area;
    in.needle_length = s.needle_length;
    in.device = s.device;
    in.cocktail = s.cocktail;
    in.start = s.started_at;
    in.conditions = s.conditions;
    NW_TRY(sheet, clinic::aftercare(in, by.at, pack_));
    OutboxMessage m;
    m.client_id = s.client_id;
    m.session_id = s.id;
    m.kind = "aftercare";
    m.subject = fmt::format("Aftercare after your session on {} ({})",
                            units::format_date(day_of(s.started_at)), s.area);
    m.body = clinic::render_text(sheet, pack_);
    m.created_at = by.at;
    NW_CHECK(store_.insert_message(by, m));
    return s;
  });
}

// ---- photos --------------------------------------------------------------------------------------------

namespace {

std::string media_type_of(std::string_view bytes) {
  if (bytes.size() >= 3 && static_cast<unsigned char>(bytes[0]) == 0xFF &&
      static_cast<unsigned char>(bytes[1]) == 0xD8 && static_cast<unsigned char>(bytes[2]) == 0xFF) {
    return "image/jpeg";
  }
  if (bytes.size() >= 8 && bytes.substr(0, 8) == std::string_view("\x89PNG\r\n\x1a\n", 8)) return "image/png";
  return {};
}

Result<std::string> read_file(const std::filesystem::path& p) {
  std::FILE* f = std::fopen(p.c_str(), "rb");
  if (f == nullptr) return fail(ErrorCode::not_found, "the file is missing", p.string());
  std::string out;
  char buffer[65536];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) out.append(buffer, n);
  const bool error = std::ferror(f) != 0;
  std::fclose(f);
  if (error) return fail(ErrorCode::io_error, "cannot read the file", p.string());
  return out;
}

/// Writes bytes to `target` so that a crash leaves either no file or the whole file: a temporary file in the
/// same folder, flushed and fsync'ed, then renamed over.
Result<void> write_durably(const std::filesystem::path& target, std::string_view bytes) {
  std::error_code ec;
  std::filesystem::create_directories(target.parent_path(), ec);
  if (ec)
    return fail(ErrorCode::io_error, fmt::format("cannot create the folder: {}", ec.message()),
                target.parent_path().string());
  const auto temp = target.parent_path() / (target.filename().string() + ".part");
  std::FILE* f = std::fopen(temp.c_str(), "wb");
  if (f == nullptr) return fail(ErrorCode::io_error, "cannot write the photo file", temp.string());
  const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size() && std::fflush(f) == 0 &&
                  ::fsync(::fileno(f)) == 0;
  std::fclose(f);
  if (!ok) {
    std::filesystem::remove(temp, ec);
    return fail(ErrorCode::io_error, "cannot write the photo file", temp.string());
  }
  std::filesystem::rename(temp, target, ec);
  if (ec)
    return fail(ErrorCode::io_error, fmt::format("cannot rename the photo file: {}", ec.message()),
                target.string());
  return {};
}

}  // namespace

std::filesystem::path ClinicStore::photo_path(std::string_view sha256) const {
  return photo_dir_ / std::string(sha256.substr(0, 2)) / std::string(sha256);
}

Result<PhotoRecord> ClinicStore::add_photo(const Actor& by, const PhotoInput& in) {
  if (photo_dir_.empty()) {
    return fail(ErrorCode::invalid_value, "no photo folder is configured for this database", "photo_dir");
  }
  const auto kind = enum_from_string<PhotoKind>(in.kind);
  if (!kind) {
    return fail(ErrorCode::invalid_value,
                fmt::format("'{}' is not a photo kind (before, after, followup, other)", in.kind), "kind");
  }
  const std::string media_type = media_type_of(in.bytes);
  if (media_type.empty()) return fail(ErrorCode::invalid_value, "is not a JPEG or PNG image", "file");
  return store_.transaction_returning<PhotoRecord>([&]() -> Result<PhotoRecord> {
    NW_CHECK(require_client(in.client_id));
    if (in.session_id) {
      NW_TRY(s, require_session(*in.session_id));
      if (s.client_id != in.client_id) {
        return fail(ErrorCode::invalid_value,
                    fmt::format("session {} is of client {}, not {}", s.id, s.client_id, in.client_id),
                    "session");
      }
    }
    PhotoRecord p;
    p.client_id = in.client_id;
    p.session_id = in.session_id;
    p.sha256 = sha256_hex(in.bytes);
    p.media_type = media_type;
    p.size_bytes = static_cast<std::int64_t>(in.bytes.size());
    p.kind = *kind;
    p.taken_at = by.at;
    p.original_name = in.original_name;
    p.note = in.note;
    // The file first: a row never names a file that is not there. A file without a row (a failed commit) is
    // harmless and reused by the next identical photo.
    const auto path = photo_path(p.sha256);
    auto existing = read_file(path);
    if (!existing || sha256_hex(*existing) != p.sha256) NW_CHECK(write_durably(path, in.bytes));
    return store_.insert_photo(by, p);
  });
}

Result<std::vector<PhotoProblem>> ClinicStore::check_photos(std::string_view client_id) {
  NW_CHECK(require_client(client_id));
  NW_TRY(photos, store_.photos_of(client_id));
  std::vector<PhotoProblem> out;
  for (const auto& p : photos) {
    auto bytes = read_file(photo_path(p.sha256));
    if (!bytes) {
      out.push_back({p, fmt::format("the file {} is missing", photo_path(p.sha256).string())});
    } else if (sha256_hex(*bytes) != p.sha256) {
      out.push_back({p, fmt::format("the file {} was changed: its SHA-256 no longer matches",
                                    photo_path(p.sha256).string())});
    }
  }
  return out;
}

Result<std::vector<OutboxMessage>> ClinicStore::outbox(bool all) { return store_.messages(all); }

Result<OutboxMessage> ClinicStore::mark_sent(const Actor& by, Id message_id) {
  return store_.transaction_returning<OutboxMessage>([&]() -> Result<OutboxMessage> {
    NW_TRY(found, store_.find_message(message_id));
    if (!found)
      return fail(ErrorCode::not_found, fmt::format("no message {} in the outbox", message_id), "message");
    OutboxMessage m = *found;
    if (m.sent_at) {
      return fail(
          ErrorCode::invalid_value,
          fmt::format("message {} was already sent at {} by {}", m.id, fmt_time(*m.sent_at), m.sent_by),
          "message");
    }
    if (by.at < m.created_at)
      return fail(ErrorCode::out_of_range, "a message cannot be sent before it was queued", "at");
    m.sent_at = by.at;
    m.sent_by = by.name;
    NW_CHECK(store_.update_message(by, m));
    return m;
  });
}

// ---- follow-up, escalation, due ------------------------------------------------------------------------

std::chrono::hours ClinicStore::followup_due_after() const {
  std::optional<std::chrono::hours> first;
  for (const auto& f : pack_.followups) {
    if (f.triage == knowledge::Triage::see_doctor && f.from && (!first || *f.from < *first)) first = f.from;
  }
  // Without such a rule the article's own window applies: redness or swelling past 24 h (S14).
  return first.value_or(std::chrono::hours{24});
}

Result<RecordedFollowup> ClinicStore::record_followup(const Actor& by, Id session_id,
                                                      const std::vector<std::string>& observations) {
  for (std::size_t i = 0; i < observations.size(); ++i) {
    if (pack_.find_observation(observations[i]) == nullptr) {
      std::vector<std::string> ids;
      for (const auto& o : pack_.observations) ids.push_back(o.id);
      return fail(ErrorCode::unknown_id,
                  fmt::format("'{}' is not an observation of pack {} (one of: {})", observations[i],
                              pack_.label(), fmt::join(ids, ", ")),
                  fmt::format("observations[{}]", i));
    }
  }
  return store_.transaction_returning<RecordedFollowup>([&]() -> Result<RecordedFollowup> {
    NW_TRY(s, require_session(session_id));
    if (!s.finished_at) {
      return fail(
          ErrorCode::refused,
          fmt::format("session {} has not finished; finish it (`needlework session finish {}`) before a "
                      "follow-up",
                      s.id, s.id),
          "session");
    }
    if (by.at < *s.finished_at) {
      return fail(
          ErrorCode::out_of_range,
          fmt::format("{} is before the session ended ({})", fmt_time(by.at), fmt_time(*s.finished_at)),
          "at");
    }
    clinic::FollowupInput in;
    in.since_session = std::chrono::duration_cast<std::chrono::minutes>(by.at - *s.finished_at);
    in.observations = observations;
    RecordedFollowup out;
    out.result = clinic::followup(in, pack_);
    FollowupRecord f;
    f.session_id = s.id;
    f.observed_at = by.at;
    f.observations = observations;
    f.triage = out.result.triage;
    f.result_json = canonical(clinic::to_json(out.result));
    f.pack = pack_.label();
    NW_TRY(saved, store_.insert_followup(by, f));
    out.followup = saved;
    if (out.result.triage == knowledge::Triage::see_doctor) {
      std::vector<std::string> why;
      for (std::size_t i = 0; i < out.result.reasons.size(); ++i) {
        if (out.result.triages[i] == knowledge::Triage::see_doctor) {
          const auto& r = out.result.reasons[i];
          why.push_back(fmt::format("{} [{} · {}]", r.message, r.rule, r.source));
        }
      }
      EscalationRecord e;
      e.session_id = s.id;
      e.followup_id = saved.id;
      e.client_id = s.client_id;
      e.opened_at = by.at;
      e.reason = fmt::format("{}", fmt::join(why, "; "));
      NW_TRY(esc, store_.insert_escalation(by, e));
      out.escalation = esc;
    }
    return out;
  });
}

Result<EscalationRecord> ClinicStore::close_escalation(const Actor& by, Id escalation_id, std::string note) {
  if (note.empty()) {
    return fail(ErrorCode::invalid_value, "say what was done (the note must not be empty)", "note");
  }
  return store_.transaction_returning<EscalationRecord>([&]() -> Result<EscalationRecord> {
    NW_TRY(found, store_.find_escalation(escalation_id));
    if (!found)
      return fail(ErrorCode::not_found, fmt::format("no escalation {}", escalation_id), "escalation");
    // Closing says a person dealt with a see-a-doctor finding: it must be a registered staff user.
    NW_TRY(users, store_.users());
    if (std::none_of(users.begin(), users.end(), [&](const auto& u) { return u.name == by.name; })) {
      return fail(ErrorCode::not_found,
                  fmt::format("'{}' is not a registered user; an escalation is closed by staff (add one with "
                              "`needlework users add {} --role practitioner`)",
                              by.name, by.name.empty() ? "NAME" : by.name),
                  "actor");
    }
    EscalationRecord e = *found;
    if (!e.open()) {
      return fail(ErrorCode::invalid_value,
                  fmt::format("escalation {} was already closed by {} at {}", e.id, e.closed_by,
                              fmt_time(*e.closed_at)),
                  "escalation");
    }
    if (by.at < e.opened_at) {
      return fail(ErrorCode::out_of_range, "an escalation cannot be closed before it was opened", "at");
    }
    e.closed_at = by.at;
    e.closed_by = by.name;
    e.close_note = std::move(note);
    NW_CHECK(store_.update_escalation(by, e));
    return e;
  });
}

Result<std::vector<DueItem>> ClinicStore::due(DateTime now) {
  std::vector<DueItem> out;
  const DateTime end_of_day = std::chrono::floor<std::chrono::days>(now) + std::chrono::days{1};
  const auto after = followup_due_after();
  NW_TRY(sessions, store_.finished_sessions_without_followup());
  for (const auto& s : sessions) {
    const DateTime due_at = *s.finished_at + after;
    if (due_at >= end_of_day) continue;
    out.push_back(DueItem{DueKind::followup, s.client_id, s.id, 0, due_at, due_at < now,
                          fmt::format("follow-up of session {} ({}, ended {}), due {} h after it", s.id,
                                      s.area, fmt_time(*s.finished_at), after.count())});
  }
  NW_TRY(escalations, store_.open_escalations());
  for (const auto& e : escalations) {
    out.push_back(DueItem{DueKind::escalation, e.client_id, e.session_id, e.id, e.opened_at, e.opened_at <= now,
                          fmt::format("open escalation {}: {}", e.id, e.reason)});
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.due_at < b.due_at; });
  return out;
}

}  // namespace needlework::store
