// ClinicStore: rollers, one client each (S9), and recalls by lot.
// Part of ClinicStore (clinic_store.hpp): each operation reads what it needs and writes inside one store
// transaction, so a rule checked is still true when the write commits.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <set>

#include "clinic_detail.hpp"
#include "needlework/clinic/fields.hpp"
#include "needlework/store/clinic_store.hpp"
#include "needlework/store/json.hpp"
#include "needlework/units/text.hpp"

namespace needlework::store {

using namespace detail;
using nlohmann::json;

Result<RollerRecord> ClinicStore::require_roller(Id roller_id) {
  NW_TRY(r, store_.find_roller(roller_id));
  if (!r) {
    return fail(ErrorCode::not_found,
                fmt::format("no roller {}; register it with `needlework roller register`", roller_id),
                "roller");
  }
  return *r;
}

Result<RollerRecord> ClinicStore::register_roller(const Actor& by, const RollerSpec& given) {
  RollerSpec spec = given;
  NW_TRY(lot, units::clean_text(given.lot, "lot", max_id_bytes));
  NW_TRY(serial, units::clean_text(given.serial, "serial", max_id_bytes));
  spec.lot = std::move(lot);
  spec.serial = std::move(serial);
  if (!given.udi.empty()) {
    NW_TRY(udi, units::clean_text(given.udi, "udi"));
    spec.udi = std::move(udi);
  }
  NW_CHECK(units::check_number(spec.needle_count, clinic::needle_count_rule));
  NW_CHECK(units::check_number(units::in_mm(spec.needle_length), clinic::needle_length_rule));
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
    return refuse(std::string(refusals::roller_expired),
                  fmt::format("the roller expired on {}; do not register an expired roller",
                              units::format_date(spec.expiry)),
                  "expiry");
  }
  return store_.transaction_returning<RollerRecord>([&]() -> Result<RollerRecord> {
    NW_CHECK(check_not_recalled(spec.lot, by.at, fmt::format("a roller of lot {}", spec.lot), "lot"));
    NW_TRY(in_lot, store_.rollers_in_lot(spec.lot));
    for (const auto& r : in_lot) {
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
    NW_CHECK(check_roller_owner(pack_, r, client_id));
    if (r.state == RollerState::disposed) {
      return refuse(std::string(refusals::roller_disposed),
                    fmt::format("roller {} was disposed of; take a new roller", r.id), "roller");
    }
    if (r.state != RollerState::new_) {
      return fail(ErrorCode::invalid_value,
                  fmt::format("roller {} is already assigned to client {} ({})", r.id, r.client_id,
                              to_string(r.state)),
                  "roller");
    }
    NW_CHECK(check_not_recalled(r.lot, by.at, fmt::format("roller {}", r.id), "roller"));
    if (r.expiry < day_of(by.at)) {
      return refuse(std::string(refusals::roller_expired),
                    fmt::format("roller {} expired on {}; dispose of it and take a new one", r.id,
                                units::format_date(r.expiry)),
                    "roller");
    }
    if (by.at < r.registered_at) {
      return fail(ErrorCode::out_of_range,
                  fmt::format("{} is before roller {} was registered ({})", fmt_time(by.at), r.id,
                              fmt_time(r.registered_at)),
                  "at");
    }
    r.state = RollerState::assigned;
    r.client_id = std::string(client_id);
    r.assigned_at = by.at;  // a session dated before this is refused (check_roller)
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
    NW_CHECK(check_not_recalled(r.lot, by.at, fmt::format("roller {}", r.id), "roller"));
    if (!has_hygiene(pack_, "new_or_sterilised")) {
      return refuse(
          std::string(refusals::not_covered),
          fmt::format("pack {} does not allow a sterilised roller to be reused; dispose of roller {} and "
                      "take a new one",
                      pack_.label(), r.id),
          "roller");
    }
    if (r.expiry < day_of(by.at)) {
      return refuse(std::string(refusals::roller_expired),
                    fmt::format("roller {} expired on {}; dispose of it", r.id, units::format_date(r.expiry)),
                    "roller");
    }
    r.state = RollerState::assigned;  // for the same client only: client_id never changes
    // Sterilised is assigned again: the latest assignment applies, so a session dated before the
    // sterilisation (when the roller was still used) is refused.
    if (r.assigned_at && by.at < *r.assigned_at) {
      return fail(ErrorCode::out_of_range,
                  fmt::format("{} is before roller {} was last assigned ({})", fmt_time(by.at), r.id,
                              fmt_time(*r.assigned_at)),
                  "at");
    }
    r.assigned_at = by.at;
    NW_CHECK(store_.update_roller(by, r));
    return r;
  });
}

Result<RollerRecord> ClinicStore::dispose_roller(const Actor& by, Id roller_id, std::string given_reason) {
  NW_TRY(reason, units::clean_text(given_reason, "reason", max_note_bytes, units::TextShape::note));
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

Result<void> ClinicStore::check_not_recalled(std::string_view lot, DateTime at, std::string_view doing,
                                             std::string_view where) {
  NW_TRY(recalled, store_.find_lot_recall(lot));
  // A recall applies from the time it was recorded, as every record here does: an act dated before it (a
  // session entered afterwards for the time it happened) is not refused.
  if (!recalled || at < recalled->recalled_at) return {};
  return refuse(
      std::string(refusals::lot_recalled),
      fmt::format("lot {} was recalled on {} ({}); {} must not be used: dispose of it and take a "
                  "roller of another lot",
                  recalled->lot, units::format_date(day_of(recalled->recalled_at)), recalled->reason, doing),
      std::string(where));
}

Result<Recall> ClinicStore::recall_lot(const Actor& by, std::string_view given_lot,
                                       std::string given_reason) {
  NW_TRY(lot, units::clean_text(given_lot, "lot", max_id_bytes));
  NW_TRY(reason, units::clean_text(given_reason, "reason", max_note_bytes, units::TextShape::note));
  return store_.transaction_returning<Recall>([&]() -> Result<Recall> {
    NW_TRY(earlier, store_.find_lot_recall(lot));
    if (earlier) {
      return fail(ErrorCode::invalid_value,
                  fmt::format("lot {} was already recalled on {} ({}); a lot is recalled once", earlier->lot,
                              fmt_time(earlier->recalled_at), earlier->reason),
                  "lot");
    }
    LotRecallRecord r;
    r.lot = std::string(lot);
    r.reason = std::move(reason);
    r.recalled_at = by.at;
    r.recorded_by = by.name;
    NW_CHECK(store_.insert_lot_recall(by, r));
    NW_TRY(touched, recall(lot));
    NW_CHECK(queue_recall_notices(by, touched));
    return touched;
  });
}

Result<Recall> ClinicStore::recall(std::string_view given_lot) {
  NW_TRY(lot, units::clean_text(given_lot, "lot", max_id_bytes));
  Recall out;
  out.lot = std::string(lot);
  NW_TRY(recalled, store_.find_lot_recall(lot));
  out.recall = std::move(recalled);
  NW_TRY(rollers, store_.rollers_in_lot(lot));
  if (rollers.empty() && !out.recall) {
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

}  // namespace needlework::store
