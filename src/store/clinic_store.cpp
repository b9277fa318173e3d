// ClinicStore: users, clients and their history, intake, consent, course.
// Part of ClinicStore (clinic_store.hpp): each operation reads what it needs and writes inside one store
// transaction, so a rule checked is still true when the write commits.

#include "needlework/store/clinic_store.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <tuple>

#include "clinic_detail.hpp"
#include "needlework/clinic/json.hpp"
#include "needlework/store/json.hpp"
#include "needlework/units/text.hpp"

namespace needlework::store {

using namespace detail;
using nlohmann::json;

ClinicStore::ClinicStore(Store& store, const knowledge::Pack& pack, ClinicPhysics physics,
                         std::filesystem::path photo_dir)
    : store_(store),
      pack_(pack),
      regions_(physics.regions),
      photo_dir_(std::move(photo_dir)),
      devices_(physics.devices),
      resealing_(physics.resealing) {}

// ---- users and clients ---------------------------------------------------------------------------------

Result<UserRecord> ClinicStore::add_user(const Actor& by, std::string name, std::string role) {
  NW_TRY(clean_name, units::clean_text(name, "name"));
  if (std::find(std::begin(staff_roles), std::end(staff_roles), role) == std::end(staff_roles)) {
    return fail(
        ErrorCode::invalid_value,
        fmt::format("'{}' is not a role (one of: {})", units::excerpt(role), fmt::join(staff_roles, ", ")),
        "role");
  }
  return store_.transaction_returning<UserRecord>([&]() -> Result<UserRecord> {
    NW_TRY(users, store_.users());
    for (const auto& u : users) {
      if (u.name == clean_name)
        return fail(ErrorCode::invalid_value, fmt::format("user '{}' already exists", clean_name), "name");
    }
    return store_.insert_user(by, UserRecord{0, clean_name, role, by.at});
  });
}

namespace {

/// The longest email address SMTP can carry (RFC 5321 §4.5.3.1.3: a 256-octet path less its angle brackets).
constexpr std::size_t max_email_bytes = 254;
/// A phone number holds 6 to 20 digits: short local numbers have 6; ITU-T E.164 allows at most 15 in the
/// international form, and the extra 5 leave room for a national trunk prefix or an extension typed with it.
constexpr int min_phone_digits = 6;
constexpr int max_phone_digits = 20;

/// An email address as stored: trimmed, one '@' with text before it and a domain after it that holds a dot
/// with text on both sides, no space, at most 254 bytes. A format check, not a deliverability check: it
/// catches a typing slip, never proves the address reaches anyone.
Result<std::string> check_email(std::string_view given) {
  NW_TRY(email, units::clean_text(given, "email", max_email_bytes));
  const auto at = email.find('@');
  const auto bad = [&](std::string_view why) {
    return fail(ErrorCode::invalid_value,
                fmt::format("'{}' is not an email address: {}", units::excerpt(email), why), "email");
  };
  if (at == std::string::npos || email.find('@', at + 1) != std::string::npos) return bad("it needs one @");
  if (email.find_first_of(" \t") != std::string::npos) return bad("it holds a space");
  const std::string_view domain = std::string_view(email).substr(at + 1);
  const auto dot = domain.rfind('.');
  if (at == 0 || dot == std::string_view::npos || dot == 0 || dot + 1 == domain.size() ||
      domain.front() == '.') {
    return bad("write it as name@example.org");
  }
  return email;
}

/// A phone number as stored: trimmed, only digits, spaces and + - ( ), with 6 to 20 digits. A format check,
/// not a deliverability check: it does not know whether the number is in service.
Result<std::string> check_phone(std::string_view given) {
  NW_TRY(phone, units::clean_text(given, "phone", 64));
  int digits = 0;
  for (const char c : phone) {
    if (c >= '0' && c <= '9') {
      ++digits;
    } else if (c != ' ' && c != '+' && c != '-' && c != '(' && c != ')') {
      return fail(ErrorCode::invalid_value,
                  fmt::format("'{}' is not a phone number: only digits, spaces and + - ( ) may be used",
                              units::excerpt(phone)),
                  "phone");
    }
  }
  if (digits < min_phone_digits || digits > max_phone_digits) {
    return fail(ErrorCode::invalid_value,
                fmt::format("'{}' is not a phone number: it has {} digits, and needs {} to {}",
                            units::excerpt(phone), digits, min_phone_digits, max_phone_digits),
                "phone");
  }
  return phone;
}

bool blank(std::string_view s) { return s.find_first_not_of(" \t\r\n") == std::string_view::npos; }

}  // namespace

Result<void> ClinicStore::check_client(ClientRecord& client, Date today) {
  NW_TRY(id, units::clean_text(client.id, "id", max_id_bytes));
  NW_TRY(name, units::clean_text(client.name, "name"));
  client.id = std::move(id);
  client.name = std::move(name);
  if (client.date_of_birth && *client.date_of_birth > today) {
    return fail(ErrorCode::out_of_range, "the date of birth is in the future", "date_of_birth");
  }
  // Email and phone are optional: blank is none (so a blank one in an edit clears it).
  if (blank(client.email)) {
    client.email.clear();
  } else {
    NW_TRY(email, check_email(client.email));
    client.email = std::move(email);
  }
  if (blank(client.phone)) {
    client.phone.clear();
  } else {
    NW_TRY(phone, check_phone(client.phone));
    client.phone = std::move(phone);
  }
  return {};
}

Result<ClientRecord> ClinicStore::add_client(const Actor& by, const ClientRecord& given) {
  ClientRecord client = given;
  NW_CHECK(check_client(client, day_of(by.at)));
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

Result<ClientRecord> ClinicStore::update_client(const Actor& by, std::string_view client_id,
                                                const ClientChanges& changes) {
  return store_.transaction_returning<ClientRecord>([&]() -> Result<ClientRecord> {
    NW_TRY(before, require_client(client_id));
    ClientRecord after = before;
    if (changes.name) after.name = *changes.name;
    if (changes.date_of_birth) after.date_of_birth = *changes.date_of_birth;
    if (changes.email) after.email = *changes.email;
    if (changes.phone) after.phone = *changes.phone;
    NW_CHECK(check_client(after, day_of(by.at)));
    if (after.name == before.name && after.date_of_birth == before.date_of_birth &&
        after.email == before.email && after.phone == before.phone) {
      return after;  // nothing to change: no write, no audit entry
    }
    NW_CHECK(store_.update_client(by, after));
    return after;
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
  NW_TRY(message_consents, store_.message_consents_of(client_id));
  h.message_consents = std::move(message_consents);
  return {};
}

// ---- intake, consent, course ---------------------------------------------------------------------------

std::optional<IntakeRecord> screening_in_force(const std::vector<IntakeRecord>& intakes, DateTime at) {
  const IntakeRecord* best = nullptr;
  for (const auto& i : intakes) {
    if (i.recorded_at > at) continue;
    if (best == nullptr || std::tie(i.intake_date, i.recorded_at, i.id) >=
                               std::tie(best->intake_date, best->recorded_at, best->id))
      best = &i;
  }
  return best == nullptr ? std::nullopt : std::optional<IntakeRecord>(*best);
}

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
    // The screening in force is the latest by intake date: an older intake recorded now would not take effect
    // (and must not look as if it did), so it is refused and what is on file stays.
    NW_TRY(on_file, store_.intakes_of(client.id));
    for (const auto& i : on_file) {
      if (i.intake_date > intake.date) {
        return refuse(
            std::string(refusals::older_intake),
            fmt::format("client {} already has intake {} dated {}, later than this one ({}); the screening "
                        "in force is the latest by date, so this older intake would not take effect",
                        client.id, i.id, units::format_date(i.intake_date), units::format_date(intake.date)),
            "date");
      }
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
  NW_TRY(clean_signer, units::clean_text(signer, "signer"));
  signer = std::move(clean_signer);
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
    const auto latest = screening_in_force(intakes, by.at);
    if (!latest) {
      return refuse(
          std::string(refusals::not_screened),
          fmt::format("client {} has not been screened; record an intake for the client first", client_id),
          "client");
    }
    NW_TRY(intake, clinic::parse_intake(json::parse(latest->intake_json), pack_));
    clinic::PlanOptions o = options;
    if (o.regions == nullptr) o.regions = regions_;
    NW_TRY(p, clinic::plan(intake, pack_, start, o));
    CourseRecord c;
    c.client_id = std::string(client_id);
    c.intake_id = latest->id;
    c.start = start;
    c.plan_json = canonical(clinic::to_json(p));
    c.pack = pack_.label();
    c.created_at = by.at;
    return store_.insert_course(by, c);
  });
}

}  // namespace needlework::store
