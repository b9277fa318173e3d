// ClinicStore: home maintenance (S2) — a client's own home roller and the home sessions done with it.
// Part of ClinicStore (clinic_store.hpp): each operation reads what it needs and writes inside one store
// transaction, so a rule checked is still true when the write commits. Every function takes the client and
// checks that the record it touches is theirs, so a face that serves a signed-in client (the portal) can call
// it with the client's own id and nothing else.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "clinic_detail.hpp"
#include "needlework/store/clinic_store.hpp"
#include "needlework/units/text.hpp"

namespace needlework::store {

using namespace detail;
using units::Days;

namespace {

/// The home devices of the pack, for an error naming what is allowed.
std::vector<std::string> home_devices(const knowledge::Pack& pack) {
  std::vector<std::string> ids;
  for (const auto& d : pack.devices) {
    if (d.setting == knowledge::Setting::home) ids.push_back(d.id);
  }
  return ids;
}

/// The area's limits and bands allow the home device's needle there (the longest it may have): the refusal
/// is about the area the client chose, so it names `area`.
Result<void> home_device_allowed(const knowledge::Pack& pack, const knowledge::Device& device,
                                 std::string_view area) {
  auto allowed = clinic::check_length_for_area(pack, area, device.needle_length.hi);
  if (allowed) return {};
  auto e = allowed.error();
  e.where = "area";
  e.message = fmt::format("the {} ({:g} mm) may not be used on {}: {}", device.id,
                          units::in_mm(device.needle_length.hi), area, e.message);
  return std::unexpected(std::move(e));
}

/// The last second of a day: a home session is logged by its day, not its time, so a recall recorded at any
/// time of that day already applies to it (the conservative reading).
DateTime end_of(Date d) {
  return std::chrono::time_point_cast<std::chrono::seconds>(d + Days{1}) - std::chrono::seconds{1};
}

}  // namespace

Result<HomeRollerRecord> ClinicStore::register_home_roller(const Actor& by, std::string_view client_id,
                                                           const HomeRollerSpec& spec) {
  NW_TRY(lot, units::clean_text(spec.lot, "lot", max_id_bytes));
  const auto* device = pack_.find_device(spec.device);
  if (device == nullptr || device->setting != knowledge::Setting::home) {
    return fail(ErrorCode::unknown_id,
                fmt::format("'{}' is not a home device of pack {} (one of: {})", spec.device, pack_.label(),
                            fmt::join(home_devices(pack_), ", ")),
                "device");
  }
  if (spec.registered_on > day_of(by.at)) {
    return fail(ErrorCode::out_of_range,
                fmt::format("{} is in the future (today is {})", units::format_date(spec.registered_on),
                            units::format_date(day_of(by.at))),
                "registered_on");
  }
  return store_.transaction_returning<HomeRollerRecord>([&]() -> Result<HomeRollerRecord> {
    NW_CHECK(require_client(client_id));
    NW_CHECK(check_not_recalled(lot, by.at, fmt::format("a home roller of lot {}", lot), "lot"));
    HomeRollerRecord r;
    r.client_id = std::string(client_id);
    r.device = device->id;
    r.lot = std::move(lot);
    r.registered_on = spec.registered_on;
    return store_.insert_home_roller(by, r);
  });
}

Result<HomeRollerRecord> ClinicStore::retire_home_roller(const Actor& by, std::string_view client_id,
                                                         Id home_roller_id, std::string given_reason) {
  NW_TRY(reason, units::clean_text(given_reason, "reason", max_note_bytes, units::TextShape::note));
  return store_.transaction_returning<HomeRollerRecord>([&]() -> Result<HomeRollerRecord> {
    NW_TRY(found, store_.find_home_roller(home_roller_id));
    // Another client's roller is answered as unknown: a client never learns what exists beyond their records.
    if (!found || found->client_id != client_id) {
      return fail(ErrorCode::not_found,
                  fmt::format("client {} has no home roller {}", client_id, home_roller_id), "home_roller");
    }
    HomeRollerRecord r = *found;
    if (r.retired()) {
      return fail(ErrorCode::invalid_value,
                  fmt::format("home roller {} was already retired on {} ({})", r.id, fmt_time(*r.retired_at),
                              r.retired_reason),
                  "home_roller");
    }
    r.retired_at = by.at;
    r.retired_reason = std::move(reason);
    NW_CHECK(store_.update_home_roller(by, r));
    return r;
  });
}

Result<std::vector<HomeRollerLife>> ClinicStore::home_rollers(std::string_view client_id, Date today) {
  std::vector<HomeRollerLife> out;
  const auto read = store_.read_snapshot([&]() -> Result<void> {
    NW_CHECK(require_client(client_id));
    NW_TRY(rollers, store_.home_rollers_of(client_id));
    NW_TRY(sessions, store_.home_sessions_of(client_id));
    for (auto& r : rollers) {
      HomeRollerLife life;
      const Date until = r.retired_at ? day_of(*r.retired_at) : today;
      life.days_in_use =
          until < r.registered_on ? 0 : static_cast<int>((until - r.registered_on).count()) + 1;
      for (const auto& s : sessions) {
        if (s.home_roller_id != r.id) continue;
        ++life.uses;
        life.last_used = life.last_used ? std::max(*life.last_used, s.performed_on) : s.performed_on;
      }
      life.roller = std::move(r);
      out.push_back(std::move(life));
    }
    return {};
  });
  NW_CHECK(read);
  return out;
}

Result<std::vector<HomeSessionRecord>> ClinicStore::home_sessions(std::string_view client_id) {
  std::vector<HomeSessionRecord> out;
  const auto read = store_.read_snapshot([&]() -> Result<void> {
    NW_CHECK(require_client(client_id));
    NW_TRY(sessions, store_.home_sessions_of(client_id));
    out = std::move(sessions);
    return {};
  });
  NW_CHECK(read);
  return out;
}

Result<clinic::HomeHistory> ClinicStore::home_history(std::string_view client_id, std::string_view area) {
  clinic::HomeHistory h;
  NW_TRY(home, store_.home_sessions_of(client_id));
  for (const auto& s : home) {
    if (areas_overlap(pack_, s.area, area)) h.home.push_back(s.performed_on);
  }
  NW_TRY(sessions, store_.sessions_of(client_id));
  for (const auto& s : sessions) {
    if (!areas_overlap(pack_, s.area, area)) continue;
    // The course rule that governs the session's needle; of two (0.5 mm lies in two bands) the longer
    // interval, as check_interval_for keeps both.
    clinic::ProfessionalVisit v{day_of(s.started_at), {}, {}, Days{0}};
    for (const auto* band : clinic::bands_for_length(pack_, s.needle_length)) {
      const auto* rule = clinic::course_rule_for(pack_, band->name);
      if (rule != nullptr && rule->min_interval > v.min_interval) {
        v.rule = rule->id;
        v.source = rule->source;
        v.min_interval = rule->min_interval;
      }
    }
    if (v.rule.empty()) {
      if (const auto* general = clinic::course_rule_for(pack_, ""); general != nullptr) {
        v.rule = general->id;
        v.source = general->source;
        v.min_interval = general->min_interval;
      }
    }
    if (!v.rule.empty()) h.professional.push_back(std::move(v));
  }
  return h;
}

Result<std::optional<Date>> ClinicStore::next_home_session(std::string_view client_id, std::string_view area,
                                                           Date from) {
  if (pack_.maintenance.empty()) return std::optional<Date>{};
  std::optional<Date> out;
  const auto read = store_.read_snapshot([&]() -> Result<void> {
    NW_CHECK(require_client(client_id));
    NW_TRY(h, home_history(client_id, area));
    out = clinic::earliest_home_session(pack_.maintenance.front(), h, from);
    return {};
  });
  NW_CHECK(read);
  return out;
}

Result<LoggedHomeSession> ClinicStore::log_home_session(const Actor& by, std::string_view client_id,
                                                        const HomeSessionInput& input) {
  if (pack_.find_area(input.area) == nullptr) {
    return fail(ErrorCode::unknown_id,
                fmt::format("'{}' is not an area of pack {}", input.area, pack_.label()), "area");
  }
  std::string note;
  if (!input.note.empty()) {
    NW_TRY(clean, units::clean_text(input.note, "note", max_note_bytes, units::TextShape::note));
    note = std::move(clean);
  }
  const Date today = day_of(by.at);
  if (input.performed_on > today) {
    return fail(ErrorCode::out_of_range,
                fmt::format("{} is in the future (today is {}); log a home session once it is done",
                            units::format_date(input.performed_on), units::format_date(today)),
                "performed_on");
  }
  if (pack_.maintenance.empty()) {
    return refuse(
        std::string(refusals::not_covered),
        fmt::format("pack {} has no home maintenance rule, so no home session is allowed", pack_.label()),
        "performed_on");
  }
  const auto& rule = pack_.maintenance.front();
  // Where the pack allows no home roller, no client's session is allowed: checked before any record is read
  // (the roller's own device is checked again below).
  if (const auto* home = pack_.find_device(rule.device); home != nullptr) {
    NW_CHECK(home_device_allowed(pack_, *home, input.area));
  }
  return store_.transaction_returning<LoggedHomeSession>([&]() -> Result<LoggedHomeSession> {
    NW_CHECK(require_client(client_id));
    NW_TRY(found, store_.find_home_roller(input.home_roller_id));
    if (!found || found->client_id != client_id) {
      return fail(
          ErrorCode::not_found,
          fmt::format("client {} has no home roller {}; register it first", client_id, input.home_roller_id),
          "home_roller_id");
    }
    const HomeRollerRecord& roller = *found;
    if (roller.retired_at && day_of(*roller.retired_at) <= input.performed_on) {
      return refuse(
          std::string(refusals::home_roller_retired),
          fmt::format("home roller {} was retired on {} ({}); register the client's new one", roller.id,
                      units::format_date(day_of(*roller.retired_at)), roller.retired_reason),
          "home_roller_id");
    }
    if (input.performed_on < roller.registered_on) {
      return fail(ErrorCode::out_of_range,
                  fmt::format("{} is before home roller {} was registered ({})",
                              units::format_date(input.performed_on), roller.id,
                              units::format_date(roller.registered_on)),
                  "performed_on");
    }
    NW_CHECK(check_not_recalled(roller.lot, end_of(input.performed_on),
                                fmt::format("home roller {}", roller.id), "home_roller_id"));
    const auto* device = pack_.find_device(roller.device);
    if (device == nullptr || device->setting != knowledge::Setting::home) {
      return refuse(std::string(refusals::not_covered),
                    fmt::format("home roller {} is a '{}', which pack {} does not hold as a home device",
                                roller.id, roller.device, pack_.label()),
                    "home_roller_id");
    }
    if (!device->areas.empty() &&
        std::none_of(device->areas.begin(), device->areas.end(),
                     [&](const auto& a) { return pack_.area_within(input.area, a); })) {
      return refuse(std::string(refusals::not_covered),
                    fmt::format("the {} is not for {} ({}: {})", device->id, input.area, device->source,
                                fmt::join(device->areas, ", ")),
                    "area");
    }
    NW_CHECK(home_device_allowed(pack_, *device, input.area));
    NW_TRY(history, home_history(client_id, input.area));
    NW_CHECK(clinic::check_home_session(rule, history, input.performed_on));

    HomeSessionRecord s;
    s.client_id = std::string(client_id);
    s.home_roller_id = roller.id;
    s.area = input.area;
    s.performed_on = input.performed_on;
    s.logged_at = by.at;
    s.logged_by = by.name;
    s.note = std::move(note);
    NW_TRY(inserted, store_.insert_home_session(by, s));
    LoggedHomeSession out;
    out.session = std::move(inserted);

    // The aftercare of a home session: the same pure engine as after a clinic session (S12/S13), for the home
    // device's longest needle, ending when it was logged (or at the end of its day, if logged later).
    clinic::SessionInput in;
    in.client_id = out.session.client_id;
    in.area = out.session.area;
    in.device = device->id;
    in.needle_length = device->needle_length.hi;
    const DateTime ended = std::min(by.at, end_of(out.session.performed_on));
    in.start = ended;
    NW_TRY(sheet, clinic::aftercare(in, ended, pack_, resealing_));
    MessageRequest m;
    m.client_id = out.session.client_id;
    m.kind = knowledge::MessageKind::home_aftercare;
    m.fields["date"] = {units::format_date(out.session.performed_on)};
    m.fields["area"] = {pack_.find_area(out.session.area) != nullptr
                            ? pack_.find_area(out.session.area)->label
                            : out.session.area};
    m.fields["sheet"] = {clinic::render_text(sheet, pack_), clinic::render_html(sheet, pack_)};
    m.dedupe_key = fmt::format("home_aftercare:home_session:{}", out.session.id);
    NW_TRY(queued, queue_composed(by, std::move(m)));
    out.message_id = queued.message.id;
    return out;
  });
}

}  // namespace needlework::store
