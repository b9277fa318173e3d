// ClinicStore: sessions — start (every rule checked), protocol steps, charting, finish.
// Part of ClinicStore (clinic_store.hpp): each operation reads what it needs and writes inside one store
// transaction, so a rule checked is still true when the write commits.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

#include "clinic_detail.hpp"
#include "needlework/clinic/constants.hpp"
#include "needlework/clinic/dose.hpp"
#include "needlework/clinic/fields.hpp"
#include "needlework/clinic/json.hpp"
#include "needlework/physics/strokes.hpp"
#include "needlework/store/clinic_store.hpp"
#include "needlework/store/json.hpp"
#include "needlework/units/text.hpp"

namespace needlework::store {

using namespace detail;
using nlohmann::json;

namespace {

/// The pack rule behind a recorded screening's decision for an area: the first of the area's recorded reasons
/// that decides it (the screening JSON stored with the intake), or RECORD.not_cleared when none is recorded.
std::string rule_deciding(const IntakeRecord& intake, const AreaDecisionRecord& decided) {
  const auto screening = json::parse(intake.reasons_json, nullptr, false);
  if (screening.is_object() && screening.contains("areas") && screening["areas"].is_array()) {
    for (const auto& a : screening["areas"]) {
      if (!a.is_object() || a.value("area", "") != decided.area || !a.contains("reasons") ||
          !a["reasons"].is_array())
        continue;
      for (const auto& r : a["reasons"]) {
        if (r.is_object() && r.value("decision", "") == decided.decision && !r.value("rule", "").empty())
          return r.value("rule", "");
      }
    }
  }
  return std::string(refusals::not_cleared);
}

}  // namespace

Result<SessionRecord> ClinicStore::require_session(Id session_id) {
  NW_TRY(s, store_.find_session(session_id));
  if (!s) return fail(ErrorCode::not_found, fmt::format("no session {}", session_id), "session");
  return *s;
}

// Each check below is one rule of a session start, read at the session's own time: a screening, a consent and
// an assignment apply from the moment they were recorded onwards, never backwards.

Result<ClinicStore::AreaScreening> ClinicStore::check_screening(std::string_view client_id,
                                                                std::string_view area, DateTime at) {
  NW_TRY(intakes, store_.intakes_of(client_id));
  auto in_force = screening_in_force(intakes, at);
  if (!in_force) {
    return refuse(
        std::string(refusals::not_screened),
        intakes.empty()
            ? fmt::format("client {} has not been screened; record an intake for the client first", client_id)
            : fmt::format("client {} had not been screened by {}: the first intake was recorded at {}; "
                          "a screening applies from the time it was recorded",
                          client_id, fmt_time(at), fmt_time(intakes.front().recorded_at)),
        "intake");
  }
  const IntakeRecord& intake = *in_force;
  const AreaDecisionRecord* area_decision = nullptr;
  for (const auto& a : intake.areas) {
    if (a.area == area) area_decision = &a;
  }
  for (const auto& a : intake.areas) {
    if (area_decision == nullptr && pack_.area_within(area, a.area)) area_decision = &a;
  }
  if (area_decision == nullptr) {
    return refuse(
        std::string(refusals::screening_not_covering),
        fmt::format("the screening in force for client {} (intake {} of {}) did not cover {}; record an "
                    "intake that requests this area",
                    client_id, intake.id, units::format_date(intake.intake_date), area),
        "area");
  }
  if (area_decision->decision != "cleared") {
    const std::string rule = rule_deciding(intake, *area_decision);
    return refuse(
        rule,
        fmt::format("client {} is not cleared for {}: the screening of {} (intake {}, pack {}) decided "
                    "'{}' for {} ({}); the client's record lists every reason",
                    client_id, area, units::format_date(intake.intake_date), intake.id, intake.pack,
                    area_decision->decision, area_decision->area, rule),
        "area");
  }
  // The pack may limit how old a screening can be (the strictest rule wins).
  const knowledge::ScreeningValidity* validity = nullptr;
  for (const auto& v : pack_.screening_validity) {
    if (validity == nullptr || v.max_age < validity->max_age) validity = &v;
  }
  if (validity != nullptr) {
    const auto age = day_of(at) - intake.intake_date;
    if (age > validity->max_age) {
      return refuse(
          validity->id,
          fmt::format("the screening in force for client {} (intake {} of {}) is {} days old; {} ({}) "
                      "lets a screening count for {} days: record a new intake",
                      client_id, intake.id, units::format_date(intake.intake_date), age.count(), validity->id,
                      validity->source, validity->max_age.count()),
          "intake");
    }
  }
  // The pack may have changed since the intake was recorded: it must still clear the area today.
  auto parsed = clinic::parse_intake(json::parse(intake.intake_json, nullptr, false), pack_);
  if (!parsed) {
    return refuse(
        std::string(refusals::screening_unreadable),
        fmt::format("the recorded intake {} no longer reads under pack {} ({}); record the intake again",
                    intake.id, pack_.label(), parsed.error().describe()),
        "intake");
  }
  for (const auto& a : clinic::screen(*parsed, pack_).areas) {
    if (a.area == area_decision->area && a.decision != knowledge::Decision::cleared) {
      std::string rule(refusals::not_cleared);
      for (const auto& r : a.reasons) {
        if (r.decision == a.decision) {
          rule = r.rule;
          break;
        }
      }
      return refuse(
          std::move(rule),
          fmt::format("under pack {} the recorded intake {} is '{}' for {} (it was screened with {}); "
                      "screen the client again",
                      pack_.label(), intake.id, knowledge::to_string(a.decision), a.area, intake.pack),
          "area");
    }
  }
  return AreaScreening{intake, *area_decision};
}

Result<ConsentRecord> ClinicStore::check_consent(std::string_view client_id, DateTime at) {
  NW_TRY(consents, store_.consents_of(client_id));
  // The consent in force: the latest signed at or before `at` (one signed later does not reach back).
  const ConsentRecord* in_force = nullptr;
  for (const auto& c : consents) {
    if (c.signed_at <= at && (in_force == nullptr || c.signed_at >= in_force->signed_at)) in_force = &c;
  }
  if (in_force == nullptr) {
    return refuse(
        std::string(refusals::consent_missing),
        consents.empty()
            ? fmt::format("client {} has not signed a consent; record a consent for the client first",
                          client_id)
            : fmt::format("client {} had not signed a consent by {}: consent {} was signed at {}, "
                          "after the session start",
                          client_id, fmt_time(at), consents.front().id, fmt_time(consents.front().signed_at)),
        "consent");
  }
  if (!in_force->valid_at(at)) {
    return refuse(std::string(refusals::consent_withdrawn),
                  fmt::format("client {} withdrew consent {} on {}; a new consent is needed", client_id,
                              in_force->id, fmt_time(*in_force->withdrawn_at)),
                  "consent");
  }
  return *in_force;
}

Result<RollerRecord> ClinicStore::check_roller(std::string_view client_id, Id roller_id, DateTime at) {
  NW_TRY(roller, require_roller(roller_id));
  NW_CHECK(check_roller_owner(pack_, roller, client_id));
  switch (roller.state) {
    case RollerState::new_:
      return refuse(
          std::string(refusals::roller_not_assigned),
          fmt::format("roller {} is not assigned; assign it to client {} first", roller.id, client_id),
          "roller");
    case RollerState::used:
      return refuse(
          hygiene_rule(pack_, "new_or_sterilised", refusals::not_covered),
          fmt::format("roller {} was already used; sterilise it (if the pack allows) or take a new one ({})",
                      roller.id, cite_hygiene(pack_, "new_or_sterilised")),
          "roller");
    case RollerState::disposed:
      return refuse(std::string(refusals::roller_disposed),
                    fmt::format("roller {} was disposed of; take a new roller", roller.id), "roller");
    case RollerState::assigned:
      break;
  }
  // An assignment applies from its own time onwards (the latest one, after a sterilisation). A roller
  // assigned before schema version 6 has no recorded time: it counts from its registration.
  if (at < roller.assigned_since()) {
    return refuse(
        std::string(refusals::roller_assigned_after_start),
        roller.assigned_at
            ? fmt::format("roller {} was assigned to client {} at {}, after the session start {}; an "
                          "assignment applies from the time it was recorded",
                          roller.id, client_id, fmt_time(*roller.assigned_at), fmt_time(at))
            : fmt::format("roller {} was registered at {}, after the session start {}", roller.id,
                          fmt_time(roller.registered_at), fmt_time(at)),
        "roller");
  }
  if (roller.expiry < day_of(at)) {
    return refuse(std::string(refusals::roller_expired),
                  fmt::format("roller {} expired on {}; dispose of it and take a new one", roller.id,
                              units::format_date(roller.expiry)),
                  "roller");
  }
  NW_CHECK(check_not_recalled(roller.lot, at, fmt::format("roller {}", roller.id), "roller"));
  NW_TRY(roller_sessions, store_.sessions_with_roller(roller.id));
  for (const auto& s : roller_sessions) {
    if (!s.finished_at) {
      return refuse(std::string(refusals::roller_busy),
                    fmt::format("roller {} is in session {}, which has not finished", roller.id, s.id),
                    "roller");
    }
  }
  return roller;
}

Result<void> ClinicStore::keep_appointment(const Actor& by, const SessionRequest& req) {
  if (!req.appointment_id) return {};
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
    return fail(ErrorCode::invalid_value,
                fmt::format("appointment {} is for {}, not {}", appointment->id, appointment->area, req.area),
                "appointment");
  }
  auto done = *appointment;
  done.state = AppointmentState::done;
  return store_.update_appointment(by, done);
}

clinic::SessionInput ClinicStore::session_input(const SessionRecord& s) {
  clinic::SessionInput in;
  in.client_id = s.client_id;
  in.area = s.area;
  in.needle_length = s.needle_length;
  in.device = s.device;
  in.cocktail = s.cocktail;
  in.start = s.started_at;
  in.conditions = s.conditions;
  in.acknowledged = s.acknowledged;
  return in;
}

Result<void> ClinicStore::check_acknowledgements(const std::vector<std::string>& acknowledged) const {
  for (std::size_t i = 0; i < acknowledged.size(); ++i) {
    const auto& id = acknowledged[i];
    const std::string field = fmt::format("acknowledged[{}]", i);
    if (std::find(acknowledged.begin(), acknowledged.begin() + static_cast<std::ptrdiff_t>(i), id) !=
        acknowledged.begin() + static_cast<std::ptrdiff_t>(i)) {
      return fail(ErrorCode::invalid_value, fmt::format("{} is acknowledged twice", id), field);
    }
    const auto guard = std::find_if(pack_.depth_guards.begin(), pack_.depth_guards.end(),
                                    [&](const auto& g) { return g.id == id; });
    if (guard == pack_.depth_guards.end()) {
      std::vector<std::string> warnings;
      for (const auto& g : pack_.depth_guards) {
        if (g.action == knowledge::GuardAction::warn) warnings.push_back(g.id);
      }
      return fail(
          ErrorCode::unknown_id,
          fmt::format("'{}' is not a depth-guard rule of pack {} (its warning rules: {})", id, pack_.label(),
                      warnings.empty() ? "none" : fmt::format("{}", fmt::join(warnings, ", "))),
          field);
    }
    if (guard->action != knowledge::GuardAction::warn) {
      return refuse(guard->id,
                    fmt::format("{} ({}) is a refusing rule, not a warning: it cannot be acknowledged; use a "
                                "shorter needle",
                                id, guard->source),
                    field);
    }
  }
  return {};
}

Result<void> ClinicStore::check_warnings(const SessionRecord& s, const clinic::Protocol& protocol) const {
  // Every warning that fires needs the practitioner's acknowledgement, named with its region and margin.
  std::vector<std::string> missing;
  for (const auto& f : protocol.depth) {
    if (!f.verdict.within && f.action == knowledge::GuardAction::warn && !f.acknowledged) {
      missing.push_back(fmt::format("{} ({}): {}", f.rule, f.source, f.verdict.summary));
    }
  }
  if (!missing.empty()) {
    // The rule is the first warning not acknowledged; the message names every one.
    return refuse(
        protocol.unacknowledged.empty() ? std::string(refusals::not_covered)
                                        : protocol.unacknowledged.front(),
        fmt::format("a depth-guard warning needs the practitioner's acknowledgement for this session: "
                    "{}; start the session acknowledging {} to go ahead, or use a shorter needle",
                    fmt::join(missing, "; "), fmt::join(protocol.unacknowledged, " and ")),
        "acknowledged");
  }
  // An acknowledgement is of a warning that fired: one that did not is refused, not recorded.
  for (std::size_t i = 0; i < s.acknowledged.size(); ++i) {
    const auto& id = s.acknowledged[i];
    const auto f = std::find_if(protocol.depth.begin(), protocol.depth.end(),
                                [&](const auto& d) { return d.rule == id; });
    if (f == protocol.depth.end() || f->verdict.within) {
      return refuse(
          std::string(refusals::nothing_to_acknowledge),
          fmt::format("{} did not warn for a {:g} mm needle on {}{}; there is nothing to acknowledge", id,
                      units::in_mm(s.needle_length), s.area,
                      f == protocol.depth.end() ? std::string(" (the depth guard did not run here)")
                                                : fmt::format(" ({})", f->verdict.summary)),
          fmt::format("acknowledged[{}]", i));
    }
  }
  return {};
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
  NW_CHECK(check_acknowledgements(req.acknowledged));
  return store_.transaction_returning<StartedSession>([&]() -> Result<StartedSession> {
    NW_CHECK(require_client(req.client_id));
    NW_TRY(screening, check_screening(req.client_id, req.area, by.at));  // 1. cleared for this area
    NW_TRY(consent, check_consent(req.client_id, by.at));                // 2. a consent in force
    NW_TRY(roller, check_roller(req.client_id, req.roller_id, by.at));   // 3. this client's roller (S9)

    SessionRecord s;
    s.client_id = req.client_id;
    s.appointment_id = req.appointment_id;
    s.intake_id = screening.intake.id;
    s.consent_id = consent.id;
    s.roller_id = roller.id;
    s.area = req.area;
    s.device = roller.device;
    s.needle_length = roller.needle_length;
    s.pack = pack_.label();
    s.started_at = by.at;
    s.cocktail = req.cocktail;
    s.conditions = req.conditions;
    s.acknowledged = req.acknowledged;

    // 4. The needle: the protocol refuses a length the pack does not allow here (bands, area limits, depth);
    // a warning rule that fires needs the practitioner's acknowledgement, recorded in the session.
    NW_TRY(protocol, clinic::protocol(session_input(s), pack_, regions_));
    NW_CHECK(check_warnings(s, protocol));
    // What was acknowledged is kept with the margin the guard gave then (the pack or skin data may change).
    for (const auto& f : protocol.depth) {
      if (f.acknowledged) {
        s.notes += fmt::format("{}[{} {}] acknowledged {} ({}): {}", s.notes.empty() ? "" : "\n",
                               fmt_time(by.at), by.name, f.rule, f.source, f.verdict.summary);
      }
    }
    // 5. The appointment it keeps, and the interval rules against this client's earlier sessions here.
    NW_CHECK(keep_appointment(by, req));
    NW_CHECK(check_interval_for(req.client_id, req.area, roller.needle_length, day_of(by.at),
                                req.appointment_id, false));
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
      return refuse(std::string(refusals::session_finished),
                    fmt::format("session {} finished at {}; steps can no longer be recorded", s.id,
                                fmt_time(*s.finished_at)),
                    "session");
    }
    NW_CHECK(check_not_before_start(s, by.at));
    // The session keeps its protocol: a step it does not include (the cocktail's, without a cocktail) is no
    // step of this session.
    NW_TRY(own, checklist_of(s));
    const auto it = std::find_if(own.begin(), own.end(), [&](const auto& st) { return st.step == step; });
    if (it == own.end()) {
      std::vector<std::string> ids;
      for (const auto& st : own) ids.push_back(st.step);
      return refuse(std::string(refusals::step_not_in_protocol),
                    fmt::format("{} is not a step of session {}'s protocol (its steps: {})", step, s.id,
                                fmt::join(ids, ", ")),
                    "step");
    }
    if (it->done_at) {
      return fail(
          ErrorCode::invalid_value,
          fmt::format("step {} of session {} was already recorded at {}", step, s.id, fmt_time(*it->done_at)),
          "step");
    }
    return store_.insert_step(by, StepRecord{0, s.id, step, by.at});
  });
}

Result<std::vector<ChecklistStep>> ClinicStore::checklist_of(const SessionRecord& s) {
  NW_TRY(done, store_.steps_of(s.id));
  std::vector<ChecklistStep> out;
  for (const auto* st : clinic::protocol_steps(session_input(s), pack_)) {
    ChecklistStep c{st->id, st->title, std::nullopt};
    for (const auto& d : done) {
      if (d.step == st->id) c.done_at = d.at;
    }
    out.push_back(std::move(c));
  }
  return out;
}

Result<std::vector<ChecklistStep>> ClinicStore::checklist(Id session_id) {
  NW_TRY(s, require_session(session_id));
  return checklist_of(s);
}

std::uint64_t zone_seed(Id session_id, std::string_view zone) noexcept {
  // FNV-1a, 64-bit (offset basis and prime of the published algorithm), of "<session id>/<zone>".
  std::uint64_t h = 14695981039346656037ull;
  for (const char ch : fmt::format("{}/{}", session_id, zone)) {
    h ^= static_cast<unsigned char>(ch);
    h *= 1099511628211ull;
  }
  return h & ((std::uint64_t{1} << 53) - 1);
}

Result<clinic::DoseRequest> ClinicStore::zone_request(const SessionRecord& s, std::string zone, int passes,
                                                      std::vector<std::string> directions,
                                                      std::uint64_t seed) {
  NW_TRY(roller, require_roller(s.roller_id));
  return clinic::DoseRequest{
      s.area, s.device,       roller.needle_count, s.needle_length, passes, std::move(directions),
      seed,   std::move(zone)};
}

Result<void> ClinicStore::chart_zone(const Actor& by, SessionRecord& s, const Chart& c,
                                     std::optional<std::string> note) {
  const std::string& zone = *c.zone;
  if (s.finished_at) {
    return refuse(std::string(refusals::session_finished),
                  fmt::format("session {} finished at {}; a zone can no longer be charted", s.id,
                              fmt_time(*s.finished_at)),
                  "session");
  }
  NW_CHECK(check_not_before_start(s, by.at));
  const auto* area = pack_.find_area(s.area);
  const std::vector<std::string> zones = area != nullptr ? area->skin_regions : std::vector<std::string>{};
  if (std::find(zones.begin(), zones.end(), zone) == zones.end()) {
    return fail(ErrorCode::invalid_value,
                zones.empty()
                    ? fmt::format("area {} has no skin region in pack {}, so it has no zones to chart; chart "
                                  "the session's dose without a zone",
                                  s.area, pack_.label())
                    : fmt::format("'{}' is not a zone of area {} in pack {} (its zones: {})",
                                  units::excerpt(zone), s.area, pack_.label(), fmt::join(zones, ", ")),
                "zone");
  }
  NW_TRY(charted, store_.zones_of(s.id));
  const auto before =
      std::find_if(charted.begin(), charted.end(), [&](const auto& z) { return z.zone == zone; });
  const SessionZoneRecord* old = before == charted.end() ? nullptr : &*before;
  // Given now, else as the zone was charted before, else the session's own chart (and the default strokes).
  std::vector<std::string> directions =
      c.directions ? *c.directions : (old != nullptr ? old->directions : stroke_plan_directions(s));
  if (directions.empty()) {
    for (const auto d : physics::StrokePlan{}.directions) directions.emplace_back(physics::to_string(d));
  }
  const int passes = c.passes.value_or(old != nullptr ? old->passes : s.passes.value_or(0));
  if (passes < 1) {
    return fail(ErrorCode::invalid_value, fmt::format("give the passes made on {} to compute its dose", zone),
                "passes");
  }
  const std::uint64_t seed = c.seed.value_or(zone_seed(s.id, zone));
  NW_TRY(req, zone_request(s, zone, passes, directions, seed));
  NW_TRY(dose, clinic::estimate_dose(pack_, *regions_, *devices_, req));
  // Rounded as every figure of a record's JSON, so the stored text is the text its digest reads.
  auto r6 = [](double v) { return std::round(v * 1e6) / 1e6; };
  SessionZoneRecord z = old != nullptr ? *old : SessionZoneRecord{};
  z.session_id = s.id;
  z.zone = zone;
  z.physics_device = dose.physics_device;
  z.passes = passes;
  z.directions = std::move(directions);
  z.density = dose.density;
  z.effective_depth = dose.effective_depth;
  z.layers_json = canonical(json{{"epidermis", r6(dose.layers.epidermis)},
                                 {"papillary_dermis", r6(dose.layers.papillary_dermis)},
                                 {"reticular_dermis", r6(dose.layers.reticular_dermis)},
                                 {"beyond_dermis", r6(dose.layers.beyond_dermis)}});
  z.seed = seed;
  z.charted_at = by.at;
  if (old != nullptr) {
    NW_CHECK(store_.update_session_zone(by, z));
  } else {
    NW_CHECK(store_.insert_session_zone(by, z));
  }
  if (note) {
    s.notes +=
        fmt::format("{}[{} {}] {}: {}", s.notes.empty() ? "" : "\n", fmt_time(by.at), by.name, zone, *note);
    NW_CHECK(store_.update_session(by, s));
  }
  return {};
}

Result<std::vector<SessionZoneRecord>> ClinicStore::zones(Id session_id) {
  NW_TRY(s, require_session(session_id));
  return store_.zones_of(s.id);
}

Result<clinic::DoseSimulation> ClinicStore::zone_simulation(Id session_id, std::string_view zone) {
  if (devices_ == nullptr || regions_ == nullptr) {
    return fail(ErrorCode::invalid_value, "no device catalog or skin regions are loaded to simulate the dose",
                "dose");
  }
  NW_TRY(s, require_session(session_id));
  NW_TRY(charted, store_.zones_of(s.id));
  const auto z = std::find_if(charted.begin(), charted.end(), [&](const auto& x) { return x.zone == zone; });
  if (z == charted.end()) {
    std::vector<std::string> names;
    for (const auto& x : charted) names.push_back(x.zone);
    return fail(ErrorCode::not_found,
                fmt::format("session {} has no zone '{}' charted (charted: {})", s.id, units::excerpt(zone),
                            names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", "))),
                "zone");
  }
  NW_TRY(req, zone_request(s, z->zone, z->passes, z->directions, z->seed));
  return clinic::simulate_dose(pack_, *regions_, *devices_, req);
}

Result<SessionRecord> ClinicStore::chart(const Actor& by, Id session_id, const Chart& c) {
  // Each field's one rule (clinic/fields.hpp), as for the command-line options and the JSON readers.
  if (c.passes) NW_CHECK(units::check_number(*c.passes, clinic::passes_rule));
  if (c.density) NW_CHECK(units::check_number(units::in_per_cm2(*c.density), clinic::density_rule));
  if (c.effective_depth)
    NW_CHECK(units::check_number(units::in_mm(*c.effective_depth), clinic::effective_depth_rule));
  if (c.dose_from_physics && (c.density || c.effective_depth)) {
    return fail(ErrorCode::invalid_value,
                "chart the dose either from physics or by hand (density and effective depth), not both",
                "dose");
  }
  if (c.zone && (c.density || c.effective_depth)) {
    return fail(ErrorCode::invalid_value,
                "a zone's dose comes from the physics engine; chart hand-measured figures without a zone",
                "zone");
  }
  if ((c.dose_from_physics || c.zone) && (devices_ == nullptr || regions_ == nullptr)) {
    return fail(ErrorCode::invalid_value, "no device catalog or skin regions are loaded to compute the dose",
                "dose");
  }
  std::optional<std::string> note;
  if (c.notes && !c.notes->empty()) {
    NW_TRY(clean, units::clean_text(*c.notes, "note", max_note_bytes, units::TextShape::note));
    note = std::move(clean);
  }
  if (c.directions) {
    if (c.directions->empty())
      return fail(ErrorCode::invalid_value, "name at least one direction", "directions");
    NW_CHECK(physics::parse_stroke_directions(*c.directions, "directions"));
  }
  return store_.transaction_returning<SessionRecord>([&]() -> Result<SessionRecord> {
    NW_TRY(s, require_session(session_id));
    if (c.zone) {
      NW_CHECK(chart_zone(by, s, c, note));
      return s;
    }
    // The stroke plan: the directions given now, else those charted before, else (for a dose) the default.
    std::vector<std::string> directions = c.directions ? *c.directions : stroke_plan_directions(s);
    if (directions.empty() && c.dose_from_physics) {
      for (const auto d : physics::StrokePlan{}.directions) directions.emplace_back(physics::to_string(d));
    }
    if (c.dose_from_physics) {
      const int passes = c.passes.value_or(s.passes.value_or(0));
      if (passes < 1) {
        return fail(
            ErrorCode::invalid_value,
            fmt::format("session {} has no passes charted; give the passes to compute the dose", s.id),
            "passes");
      }
      NW_TRY(roller, require_roller(s.roller_id));
      clinic::DoseRequest req{s.area,
                              s.device,
                              roller.needle_count,
                              s.needle_length,
                              passes,
                              directions,
                              c.seed.value_or(static_cast<std::uint64_t>(s.id)),
                              {}};  // the area's thinnest region
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
      s.stroke_plan_json =
          canonical(json{{"directions", directions}, {"passes", s.passes ? json(*s.passes) : json(nullptr)}});
    }
    if (c.density) s.density = c.density;
    if (c.effective_depth) s.effective_depth = c.effective_depth;
    if (note)
      s.notes += fmt::format("{}[{} {}] {}", s.notes.empty() ? "" : "\n", fmt_time(by.at), by.name, *note);
    NW_CHECK(store_.update_session(by, s));
    return s;
  });
}

Result<SessionRecord> ClinicStore::finish_session(const Actor& by, Id session_id,
                                                  std::optional<std::string> missing_steps_reason) {
  if (missing_steps_reason) {
    NW_TRY(reason, units::clean_text(*missing_steps_reason, "missing_steps_reason", max_note_bytes,
                                     units::TextShape::note));
    missing_steps_reason = std::move(reason);
  }
  return store_.transaction_returning<SessionRecord>([&]() -> Result<SessionRecord> {
    NW_TRY(s, require_session(session_id));
    if (s.finished_at) {
      return fail(ErrorCode::invalid_value,
                  fmt::format("session {} already finished at {}", s.id, fmt_time(*s.finished_at)),
                  "session");
    }
    NW_CHECK(check_not_before_start(s, by.at));
    // Every step of the session's protocol is done, or the practitioner says why not (kept in the notes).
    NW_TRY(steps, checklist_of(s));
    std::vector<std::string> missing;
    for (const auto& st : steps) {
      if (!st.done_at) missing.push_back(st.step);
    }
    if (!missing.empty() && !missing_steps_reason) {
      return refuse(
          std::string(refusals::steps_unrecorded),
          fmt::format("session {} has protocol steps not recorded: {}; record them, or finish the session "
                      "giving the reason they were not done",
                      s.id, fmt::join(missing, ", ")),
          "steps");
    }
    if (!missing.empty()) {
      s.notes += fmt::format("{}[{} {}] finished without {}: {}", s.notes.empty() ? "" : "\n",
                             fmt_time(by.at), by.name, fmt::join(missing, ", "), *missing_steps_reason);
    }
    s.finished_at = by.at;
    NW_CHECK(store_.update_session(by, s));
    NW_TRY(roller, require_roller(s.roller_id));
    ++roller.uses;
    if (roller.state != RollerState::disposed) roller.state = RollerState::used;
    NW_CHECK(store_.update_roller(by, roller));

    // The aftercare sheet, written from what was done and when it ended, waits in the outbox for the client.
    NW_TRY(sheet, clinic::aftercare(session_input(s), by.at, pack_, resealing_));
    OutboxMessage m;
    m.client_id = s.client_id;
    m.session_id = s.id;
    m.kind = "aftercare";
    m.subject = fmt::format("Aftercare after your session on {} ({})",
                            units::format_date(day_of(s.started_at)), s.area);
    m.body = clinic::render_text(sheet, pack_);
    // Addressed to the client's email now, or withheld (to be handed over) when there is none.
    NW_CHECK(queue_message(by, std::move(m)));
    return s;
  });
}

}  // namespace needlework::store
