#pragma once
// Every record type's fields, written once: a table per record (the idiom of src/knowledge/tables.hpp) of
// {column, JSON key, member, codec, use}. The shared SQL layer (sql_store.cpp) builds its SELECT lists,
// INSERTs and UPDATEs and reads its rows from these tables, and json.cpp writes each record's JSON — the text
// the audit digests — from them, so a record maps the same on every backend and in every form.
//
// A codec converts one member type: `to_sql` (the parameter bound for it), `from_sql` (the member read back
// from a row; CorruptValue when the stored value does not parse) and `to_json`. Adding a field to a record is
// the member in records.hpp, one line here, and a migration per backend (data/migrations/).

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "needlework/store/auth.hpp"
#include "needlework/store/records.hpp"
#include "sql/row.hpp"

namespace needlework::store::sql {

using nlohmann::json;

/// The canonical text of a JSON value (json.hpp `canonical`): keys sorted, no whitespace.
inline std::string canonical_text(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

/// Lengths and densities in JSON are rounded so that binary noise never shows (or changes a digest).
inline double round6(double v) { return std::round(v * 1e6) / 1e6; }

// ---- codecs ----------------------------------------------------------------------------------------------

/// Text, "" for NULL.
struct TextCodec {
  static Value to_sql(const std::string& v) { return v; }
  static void from_sql(const Row& row, int i, std::string& out) { out = row.text(i); }
  static json to_json(const std::string& v) { return v; }
};

/// Text stored as NULL and written as JSON null while empty (a roller's client before it is assigned).
struct TextOrNullCodec {
  static Value to_sql(const std::string& v) { return v.empty() ? Value() : Value(v); }
  static void from_sql(const Row& row, int i, std::string& out) { out = row.text(i); }
  static json to_json(const std::string& v) { return v.empty() ? json(nullptr) : json(v); }
};

/// An integer of type T (an id, a count).
template <class T>
struct IntegerCodec {
  static Value to_sql(T v) { return static_cast<std::int64_t>(v); }
  static void from_sql(const Row& row, int i, T& out) { out = static_cast<T>(row.integer(i)); }
  static json to_json(T v) { return v; }
};

/// An optional integer, NULL when absent.
template <class T>
struct OptionalIntegerCodec {
  static Value to_sql(const std::optional<T>& v) {
    return v ? Value(static_cast<std::int64_t>(*v)) : Value();
  }
  static void from_sql(const Row& row, int i, std::optional<T>& out) {
    if (row.is_null(i)) {
      out.reset();
    } else {
      out = static_cast<T>(row.integer(i));
    }
  }
  static json to_json(const std::optional<T>& v) { return v ? json(*v) : json(nullptr); }
};

/// A flag stored as 0 or 1.
struct BoolCodec {
  static Value to_sql(bool v) { return std::int64_t{v ? 1 : 0}; }
  static void from_sql(const Row& row, int i, bool& out) { out = row.integer(i) != 0; }
  static json to_json(bool v) { return v; }
};

/// A length, stored and written in millimetres (the column and key say `_mm`).
struct MillimetresCodec {
  static Value to_sql(units::Length v) { return units::in_mm(v); }
  static void from_sql(const Row& row, int i, units::Length& out) { out = units::millimetres(row.real(i)); }
  static json to_json(units::Length v) { return round6(units::in_mm(v)); }
};

struct OptionalMillimetresCodec {
  static Value to_sql(const std::optional<units::Length>& v) { return v ? Value(units::in_mm(*v)) : Value(); }
  static void from_sql(const Row& row, int i, std::optional<units::Length>& out) {
    if (row.is_null(i)) {
      out.reset();
    } else {
      out = units::millimetres(row.real(i));
    }
  }
  static json to_json(const std::optional<units::Length>& v) {
    return v ? json(round6(units::in_mm(*v))) : json(nullptr);
  }
};

/// An areal density in punctures per cm² (`_per_cm2`), NULL when absent.
struct OptionalPerCm2Codec {
  static Value to_sql(const std::optional<units::ArealDensity>& v) {
    return v ? Value(units::in_per_cm2(*v)) : Value();
  }
  static void from_sql(const Row& row, int i, std::optional<units::ArealDensity>& out) {
    if (row.is_null(i)) {
      out.reset();
    } else {
      out = units::per_square_centimetre(row.real(i));
    }
  }
  static json to_json(const std::optional<units::ArealDensity>& v) {
    return v ? json(round6(units::in_per_cm2(*v))) : json(nullptr);
  }
};

/// An areal density in punctures per cm² (`_per_cm2`).
struct PerCm2Codec {
  static Value to_sql(units::ArealDensity v) { return units::in_per_cm2(v); }
  static void from_sql(const Row& row, int i, units::ArealDensity& out) {
    out = units::per_square_centimetre(row.real(i));
  }
  static json to_json(units::ArealDensity v) { return round6(units::in_per_cm2(v)); }
};

inline Date parse_date_column(const Row& row, int i) {
  auto d = units::parse_date(row.text(i));
  if (!d) throw CorruptValue("column " + row.name(i) + " holds '" + row.text(i) + "', not a date");
  return *d;
}
inline DateTime parse_time_column(const Row& row, int i) {
  auto t = units::parse_date_time(row.text(i));
  if (!t) throw CorruptValue("column " + row.name(i) + " holds '" + row.text(i) + "', not a UTC time");
  return *t;
}

/// A calendar date as "YYYY-MM-DD".
struct DateCodec {
  static Value to_sql(Date v) { return units::format_date(v); }
  static void from_sql(const Row& row, int i, Date& out) { out = parse_date_column(row, i); }
  static json to_json(Date v) { return units::format_date(v); }
};

struct OptionalDateCodec {
  static Value to_sql(const std::optional<Date>& v) { return v ? Value(units::format_date(*v)) : Value(); }
  static void from_sql(const Row& row, int i, std::optional<Date>& out) {
    if (row.is_null(i)) {
      out.reset();
    } else {
      out = parse_date_column(row, i);
    }
  }
  static json to_json(const std::optional<Date>& v) {
    return v ? json(units::format_date(*v)) : json(nullptr);
  }
};

/// A UTC instant as "YYYY-MM-DDTHH:MM:SSZ".
struct TimeCodec {
  static Value to_sql(DateTime v) { return units::format_date_time(v); }
  static void from_sql(const Row& row, int i, DateTime& out) { out = parse_time_column(row, i); }
  static json to_json(DateTime v) { return units::format_date_time(v); }
};

struct OptionalTimeCodec {
  static Value to_sql(const std::optional<DateTime>& v) {
    return v ? Value(units::format_date_time(*v)) : Value();
  }
  static void from_sql(const Row& row, int i, std::optional<DateTime>& out) {
    if (row.is_null(i)) {
      out.reset();
    } else {
      out = parse_time_column(row, i);
    }
  }
  static json to_json(const std::optional<DateTime>& v) {
    return v ? json(units::format_date_time(*v)) : json(nullptr);
  }
};

/// An enum stored and written as the text its one string table (records.hpp `EnumText`) gives.
template <class E>
struct EnumCodec {
  static Value to_sql(E v) { return std::string(enum_to_string(v)); }
  static void from_sql(const Row& row, int i, E& out) {
    auto v = enum_from_string<E>(row.text(i));
    if (!v) throw CorruptValue("column " + row.name(i) + " holds an unknown value '" + row.text(i) + "'");
    out = *v;
  }
  static json to_json(E v) { return enum_to_string(v); }
};

/// An enum of the knowledge pack stored and written as its text there (knowledge::to_string), read back by
/// matching `values` against it.
template <class E, E... values>
struct KnowledgeEnumCodec {
  static Value to_sql(E v) { return std::string(knowledge::to_string(v)); }
  static void from_sql(const Row& row, int i, E& out) {
    const std::string text = row.text(i);
    for (const E v : {values...}) {
      if (knowledge::to_string(v) == text) {
        out = v;
        return;
      }
    }
    throw CorruptValue("column " + row.name(i) + " holds an unknown value '" + text + "'");
  }
  static json to_json(E v) { return knowledge::to_string(v); }
};

using DecisionCodec = KnowledgeEnumCodec<knowledge::Decision, knowledge::Decision::cleared,
                                         knowledge::Decision::exclude_area, knowledge::Decision::defer,
                                         knowledge::Decision::refer, knowledge::Decision::contraindicated>;
using TriageCodec =
    KnowledgeEnumCodec<knowledge::Triage, knowledge::Triage::normal, knowledge::Triage::see_doctor>;

/// A JSON document kept as its text (the intake as given, a plan, reasons): text in the database, the parsed
/// document in the record's JSON.
struct JsonTextCodec {
  static Value to_sql(const std::string& v) { return v; }
  static void from_sql(const Row& row, int i, std::string& out) { out = row.text(i); }
  static json to_json(const std::string& v) { return json::parse(v, nullptr, false); }
};

/// The same, written as JSON null while empty (a stroke plan not yet charted).
struct JsonTextOrNullCodec {
  static Value to_sql(const std::string& v) { return v; }
  static void from_sql(const Row& row, int i, std::string& out) { out = row.text(i); }
  static json to_json(const std::string& v) {
    return v.empty() ? json(nullptr) : json::parse(v, nullptr, false);
  }
};

inline json parse_array_column(const Row& row, int i) {
  auto a = json::parse(row.text(i), nullptr, false);
  if (!a.is_array()) throw CorruptValue("column " + row.name(i) + " is not a JSON array");
  return a;
}

/// A list of words, stored as its canonical JSON array.
struct StringListCodec {
  static Value to_sql(const std::vector<std::string>& v) { return canonical_text(json(v)); }
  static void from_sql(const Row& row, int i, std::vector<std::string>& out) {
    out.clear();
    for (const auto& s : parse_array_column(row, i))
      out.push_back(s.is_string() ? s.get<std::string>() : s.dump());
  }
  static json to_json(const std::vector<std::string>& v) { return v; }
};

/// An intake's area decisions, stored as the canonical JSON array of {"area", "decision"}.
struct AreaListCodec {
  static json to_json(const std::vector<AreaDecisionRecord>& v) {
    json a = json::array();
    for (const auto& x : v) a.push_back({{"area", x.area}, {"decision", x.decision}});
    return a;
  }
  static Value to_sql(const std::vector<AreaDecisionRecord>& v) { return canonical_text(to_json(v)); }
  static void from_sql(const Row& row, int i, std::vector<AreaDecisionRecord>& out) {
    out.clear();
    for (const auto& a : parse_array_column(row, i)) {
      out.push_back({a.value("area", std::string()), a.value("decision", std::string())});
    }
  }
};

/// `Codec` with its member left out of the record's JSON while empty (an empty list, an absent time): for a
/// field added after records were already audited, so that the JSON — and so the audit digest — of every
/// record that does not use it stays what it was (tests/store/digest_test.cpp), and its audit entry still
/// verifies.
template <class Codec>
struct OmittedWhenEmpty : Codec {
  template <class M>
  static bool omitted(const M& v) {
    if constexpr (requires { v.has_value(); }) {
      return !v.has_value();
    } else {
      return v.empty();
    }
  }
};

/// `Codec` with its member left out of the record's JSON while it holds its type's default value (a count
/// of 0, an enum's first value): `OmittedWhenEmpty` for a member that is never empty.
template <class Codec>
struct OmittedWhenDefault : Codec {
  template <class M>
  static bool omitted(const M& v) {
    return v == M{};
  }
};

/// A message's delivery state, left out of the JSON while `queued` (the state every message had before
/// version 11). Version 11 gave a row sent before it 'sent', so that is its "default" too when its form of
/// then is looked for (`earlier_forms`).
struct MessageStateCodec : OmittedWhenDefault<EnumCodec<MessageState>> {
  static bool migration_default(const json& v) { return v == "sent"; }
};

// ---- fields and tables -----------------------------------------------------------------------------------

/// How the store writes a field.
enum class Use {
  generated_key,  ///< the id the database assigns on insert ("id")
  key,            ///< the id the caller gives ("id" of a client)
  fixed,          ///< written on insert, never changed
  updatable,      ///< written on insert and by the record's update
};

template <class R, class M, class Codec>
struct Field {
  std::string_view column;  ///< the column in the record's table
  std::string_view key;     ///< the member of the record's JSON
  M R::*member;
  Use use;
  /// The schema version (migration number) that added the column. A record audited before then was digested
  /// without the member; the migration gave its column the default, so `earlier_forms` leaves a member at
  /// its default out to find that record's digest again.
  int since = 1;
  using codec = Codec;
};

template <class Codec, class R, class M>
constexpr Field<R, M, Codec> field(std::string_view column, std::string_view key, M R::*member,
                                   Use use = Use::fixed, int since = 1) {
  return {column, key, member, use, since};
}

/// The table of record type R: its SQL table `name` and its `fields`, in column order. Specialised below.
template <class R>
struct Table;

template <>
struct Table<UserRecord> {
  using R = UserRecord;
  static constexpr std::string_view name = "users";
  static constexpr auto fields = std::make_tuple(
      field<IntegerCodec<Id>>("id", "id", &R::id, Use::generated_key),
      field<TextCodec>("name", "name", &R::name), field<TextCodec>("role", "role", &R::role, Use::updatable),
      field<TimeCodec>("created_at", "created_at", &R::created_at));
};

template <>
struct Table<ClientRecord> {
  using R = ClientRecord;
  static constexpr std::string_view name = "clients";
  static constexpr auto fields = std::make_tuple(
      field<TextCodec>("id", "id", &R::id, Use::key),
      field<TextCodec>("name", "name", &R::name, Use::updatable),
      field<OptionalDateCodec>("date_of_birth", "date_of_birth", &R::date_of_birth, Use::updatable),
      field<TimeCodec>("created_at", "created_at", &R::created_at),
      field<OmittedWhenEmpty<TextOrNullCodec>>("email", "email", &R::email, Use::updatable, 10),
      field<OmittedWhenEmpty<TextOrNullCodec>>("phone", "phone", &R::phone, Use::updatable, 10));
};

template <>
struct Table<IntakeRecord> {
  using R = IntakeRecord;
  static constexpr std::string_view name = "intakes";
  static constexpr auto fields =
      std::make_tuple(field<IntegerCodec<Id>>("id", "id", &R::id, Use::generated_key),
                      field<TextCodec>("client_id", "client_id", &R::client_id),
                      field<DateCodec>("intake_date", "intake_date", &R::intake_date),
                      field<JsonTextCodec>("intake_json", "intake", &R::intake_json),
                      field<DecisionCodec>("decision", "decision", &R::decision),
                      field<AreaListCodec>("areas_json", "areas", &R::areas),
                      field<JsonTextCodec>("reasons_json", "reasons", &R::reasons_json),
                      field<TextCodec>("pack", "pack", &R::pack),
                      field<TimeCodec>("recorded_at", "recorded_at", &R::recorded_at));
};

template <>
struct Table<ConsentRecord> {
  using R = ConsentRecord;
  static constexpr std::string_view name = "consents";
  static constexpr auto fields = std::make_tuple(
      field<IntegerCodec<Id>>("id", "id", &R::id, Use::generated_key),
      field<TextCodec>("client_id", "client_id", &R::client_id),
      field<TextCodec>("text_sha256", "text_sha256", &R::text_sha256),
      field<TextCodec>("signer", "signer", &R::signer),
      field<TimeCodec>("signed_at", "signed_at", &R::signed_at),
      field<OptionalTimeCodec>("withdrawn_at", "withdrawn_at", &R::withdrawn_at, Use::updatable),
      field<TextCodec>("withdrawn_by", "withdrawn_by", &R::withdrawn_by, Use::updatable));
};

template <>
struct Table<CourseRecord> {
  using R = CourseRecord;
  static constexpr std::string_view name = "courses";
  static constexpr auto fields = std::make_tuple(
      field<IntegerCodec<Id>>("id", "id", &R::id, Use::generated_key),
      field<TextCodec>("client_id", "client_id", &R::client_id),
      field<IntegerCodec<Id>>("intake_id", "intake_id", &R::intake_id),
      field<DateCodec>("start_date", "start", &R::start),
      field<JsonTextCodec>("plan_json", "plan", &R::plan_json), field<TextCodec>("pack", "pack", &R::pack),
      field<TimeCodec>("created_at", "created_at", &R::created_at));
};

template <>
struct Table<AppointmentRecord> {
  using R = AppointmentRecord;
  static constexpr std::string_view name = "appointments";
  static constexpr auto fields =
      std::make_tuple(field<IntegerCodec<Id>>("id", "id", &R::id, Use::generated_key),
                      field<TextCodec>("client_id", "client_id", &R::client_id),
                      field<OptionalIntegerCodec<Id>>("course_id", "course_id", &R::course_id),
                      field<TextCodec>("area", "area", &R::area),
                      field<MillimetresCodec>("needle_length_mm", "needle_length_mm", &R::needle_length),
                      field<TimeCodec>("at", "at", &R::at, Use::updatable),
                      field<EnumCodec<AppointmentState>>("state", "state", &R::state, Use::updatable));
};

template <>
struct Table<RollerRecord> {
  using R = RollerRecord;
  static constexpr std::string_view name = "rollers";
  static constexpr auto fields = std::make_tuple(
      field<IntegerCodec<Id>>("id", "id", &R::id, Use::generated_key),
      field<TextCodec>("lot", "lot", &R::lot), field<TextCodec>("serial", "serial", &R::serial),
      field<TextCodec>("udi", "udi", &R::udi), field<TextCodec>("device", "device", &R::device),
      field<IntegerCodec<int>>("needle_count", "needle_count", &R::needle_count),
      field<MillimetresCodec>("needle_length_mm", "needle_length_mm", &R::needle_length),
      field<DateCodec>("expiry", "expiry", &R::expiry),
      field<EnumCodec<RollerState>>("state", "state", &R::state, Use::updatable),
      field<TextOrNullCodec>("client_id", "client_id", &R::client_id, Use::updatable),
      field<IntegerCodec<int>>("uses", "uses", &R::uses, Use::updatable),
      field<TextCodec>("disposal_reason", "disposal_reason", &R::disposal_reason, Use::updatable),
      field<TimeCodec>("registered_at", "registered_at", &R::registered_at),
      field<OmittedWhenEmpty<OptionalTimeCodec>>("assigned_at", "assigned_at", &R::assigned_at,
                                                 Use::updatable, 6));
};

template <>
struct Table<SessionRecord> {
  using R = SessionRecord;
  static constexpr std::string_view name = "sessions";
  static constexpr auto fields = std::make_tuple(
      field<IntegerCodec<Id>>("id", "id", &R::id, Use::generated_key),
      field<TextCodec>("client_id", "client_id", &R::client_id),
      field<OptionalIntegerCodec<Id>>("appointment_id", "appointment_id", &R::appointment_id),
      field<IntegerCodec<Id>>("intake_id", "intake_id", &R::intake_id),
      field<IntegerCodec<Id>>("consent_id", "consent_id", &R::consent_id),
      field<IntegerCodec<Id>>("roller_id", "roller_id", &R::roller_id),
      field<TextCodec>("area", "area", &R::area), field<TextCodec>("device", "device", &R::device),
      field<MillimetresCodec>("needle_length_mm", "needle_length_mm", &R::needle_length),
      field<TextCodec>("pack", "pack", &R::pack),
      field<TimeCodec>("started_at", "started_at", &R::started_at),
      field<OptionalTimeCodec>("finished_at", "finished_at", &R::finished_at, Use::updatable),
      field<OptionalIntegerCodec<int>>("passes", "passes", &R::passes, Use::updatable),
      field<OptionalPerCm2Codec>("density_per_cm2", "density_per_cm2", &R::density, Use::updatable),
      field<OptionalMillimetresCodec>("effective_depth_mm", "effective_depth_mm", &R::effective_depth,
                                      Use::updatable),
      field<TextCodec>("notes", "notes", &R::notes, Use::updatable),
      field<BoolCodec>("cocktail", "cocktail", &R::cocktail, Use::fixed, 2),
      field<StringListCodec>("conditions_json", "conditions", &R::conditions, Use::fixed, 2),
      field<JsonTextOrNullCodec>("stroke_plan_json", "stroke_plan", &R::stroke_plan_json, Use::updatable, 5),
      field<OmittedWhenEmpty<StringListCodec>>("acknowledged_json", "acknowledged", &R::acknowledged,
                                               Use::fixed, 6));
};

template <>
struct Table<StepRecord> {
  using R = StepRecord;
  static constexpr std::string_view name = "session_steps";
  static constexpr auto fields =
      std::make_tuple(field<IntegerCodec<Id>>("id", "id", &R::id, Use::generated_key),
                      field<IntegerCodec<Id>>("session_id", "session_id", &R::session_id),
                      field<TextCodec>("step", "step", &R::step), field<TimeCodec>("at", "at", &R::at));
};

template <>
struct Table<SessionZoneRecord> {
  using R = SessionZoneRecord;
  static constexpr std::string_view name = "session_zones";
  static constexpr auto fields = std::make_tuple(
      field<IntegerCodec<Id>>("id", "id", &R::id, Use::generated_key),
      field<IntegerCodec<Id>>("session_id", "session_id", &R::session_id),
      field<TextCodec>("zone", "zone", &R::zone),
      field<TextCodec>("physics_device", "physics_device", &R::physics_device, Use::updatable),
      field<IntegerCodec<int>>("passes", "passes", &R::passes, Use::updatable),
      field<StringListCodec>("directions_json", "directions", &R::directions, Use::updatable),
      field<PerCm2Codec>("density_per_cm2", "density_per_cm2", &R::density, Use::updatable),
      field<MillimetresCodec>("effective_depth_mm", "effective_depth_mm", &R::effective_depth,
                              Use::updatable),
      field<JsonTextCodec>("layers_json", "layers", &R::layers_json, Use::updatable),
      field<IntegerCodec<std::uint64_t>>("seed", "seed", &R::seed, Use::updatable),
      field<TimeCodec>("charted_at", "charted_at", &R::charted_at, Use::updatable));
};

template <>
struct Table<FollowupRecord> {
  using R = FollowupRecord;
  static constexpr std::string_view name = "followups";
  static constexpr auto fields =
      std::make_tuple(field<IntegerCodec<Id>>("id", "id", &R::id, Use::generated_key),
                      field<IntegerCodec<Id>>("session_id", "session_id", &R::session_id),
                      field<TimeCodec>("observed_at", "observed_at", &R::observed_at),
                      field<StringListCodec>("observations_json", "observations", &R::observations),
                      field<TriageCodec>("triage", "triage", &R::triage),
                      field<JsonTextCodec>("result_json", "result", &R::result_json),
                      field<TextCodec>("pack", "pack", &R::pack));
};

template <>
struct Table<EscalationRecord> {
  using R = EscalationRecord;
  static constexpr std::string_view name = "escalations";
  static constexpr auto fields =
      std::make_tuple(field<IntegerCodec<Id>>("id", "id", &R::id, Use::generated_key),
                      field<IntegerCodec<Id>>("session_id", "session_id", &R::session_id),
                      field<IntegerCodec<Id>>("followup_id", "followup_id", &R::followup_id),
                      field<TextCodec>("client_id", "client_id", &R::client_id),
                      field<TimeCodec>("opened_at", "opened_at", &R::opened_at),
                      field<TextCodec>("reason", "reason", &R::reason),
                      field<OptionalTimeCodec>("closed_at", "closed_at", &R::closed_at, Use::updatable),
                      field<TextCodec>("closed_by", "closed_by", &R::closed_by, Use::updatable),
                      field<TextCodec>("close_note", "close_note", &R::close_note, Use::updatable));
};

template <>
struct Table<OutboxMessage> {
  using R = OutboxMessage;
  static constexpr std::string_view name = "outbox";
  static constexpr auto fields = std::make_tuple(
      field<IntegerCodec<Id>>("id", "id", &R::id, Use::generated_key),
      field<TextCodec>("client_id", "client_id", &R::client_id),
      field<OptionalIntegerCodec<Id>>("session_id", "session_id", &R::session_id),
      field<TextCodec>("kind", "kind", &R::kind), field<TextCodec>("subject", "subject", &R::subject),
      // The texts are updatable for one change: a sent sign-in link's token is taken out of them
      // (ClinicStore::record_attempt).
      field<TextCodec>("body", "body", &R::body, Use::updatable),
      field<TimeCodec>("created_at", "created_at", &R::created_at),
      field<OptionalTimeCodec>("sent_at", "sent_at", &R::sent_at, Use::updatable),
      field<TextCodec>("sent_by", "sent_by", &R::sent_by, Use::updatable),
      field<OmittedWhenEmpty<TextCodec>>("recipient", "recipient", &R::recipient, Use::fixed, 11),
      field<OmittedWhenEmpty<TextOrNullCodec>>("body_html", "body_html", &R::body_html, Use::updatable, 11),
      field<OmittedWhenEmpty<TextOrNullCodec>>("attachment_name", "attachment_name", &R::attachment_name,
                                               Use::fixed, 11),
      field<OmittedWhenEmpty<TextOrNullCodec>>("attachment_type", "attachment_type", &R::attachment_type,
                                               Use::fixed, 11),
      field<OmittedWhenEmpty<TextOrNullCodec>>("attachment", "attachment", &R::attachment, Use::fixed, 11),
      field<MessageStateCodec>("state", "state", &R::state, Use::updatable, 11),
      field<OmittedWhenDefault<IntegerCodec<int>>>("attempts", "attempts", &R::attempts, Use::updatable, 11),
      field<OmittedWhenEmpty<OptionalTimeCodec>>("next_attempt_at", "next_attempt_at", &R::next_attempt_at,
                                                 Use::updatable, 11),
      field<OmittedWhenEmpty<TextCodec>>("last_error", "last_error", &R::last_error, Use::updatable, 11),
      field<OmittedWhenEmpty<TextOrNullCodec>>("message_id", "message_id", &R::message_id, Use::updatable,
                                               11),
      field<OmittedWhenEmpty<TextOrNullCodec>>("dedupe_key", "dedupe_key", &R::dedupe_key, Use::fixed, 11));
};

template <>
struct Table<PhotoRecord> {
  using R = PhotoRecord;
  static constexpr std::string_view name = "photos";
  static constexpr auto fields =
      std::make_tuple(field<IntegerCodec<Id>>("id", "id", &R::id, Use::generated_key),
                      field<TextCodec>("client_id", "client_id", &R::client_id),
                      field<OptionalIntegerCodec<Id>>("session_id", "session_id", &R::session_id),
                      field<TextCodec>("sha256", "sha256", &R::sha256),
                      field<TextCodec>("media_type", "media_type", &R::media_type),
                      field<IntegerCodec<std::int64_t>>("size_bytes", "size_bytes", &R::size_bytes),
                      field<EnumCodec<PhotoKind>>("kind", "kind", &R::kind),
                      field<TimeCodec>("taken_at", "taken_at", &R::taken_at),
                      field<TextCodec>("original_name", "original_name", &R::original_name),
                      field<TextCodec>("note", "note", &R::note),
                      field<OmittedWhenEmpty<TextOrNullCodec>>("area", "area", &R::area, Use::fixed, 10));
};

template <>
struct Table<LotRecallRecord> {
  using R = LotRecallRecord;
  static constexpr std::string_view name = "lot_recalls";
  static constexpr auto fields = std::make_tuple(
      field<IntegerCodec<Id>>("id", "id", &R::id, Use::generated_key),
      field<TextCodec>("lot", "lot", &R::lot), field<TextCodec>("reason", "reason", &R::reason),
      field<TimeCodec>("recalled_at", "recalled_at", &R::recalled_at),
      field<TextCodec>("recorded_by", "recorded_by", &R::recorded_by));
};

template <>
struct Table<MessageConsentRecord> {
  using R = MessageConsentRecord;
  static constexpr std::string_view name = "message_consents";
  static constexpr auto fields =
      std::make_tuple(field<IntegerCodec<Id>>("id", "id", &R::id, Use::generated_key),
                      field<TextCodec>("client_id", "client_id", &R::client_id),
                      field<BoolCodec>("agreed", "agreed", &R::agreed),
                      field<TimeCodec>("recorded_at", "recorded_at", &R::recorded_at),
                      field<TextCodec>("recorded_by", "recorded_by", &R::recorded_by),
                      field<EnumCodec<ConsentVia>>("via", "via", &R::via));
};

template <>
struct Table<HomeRollerRecord> {
  using R = HomeRollerRecord;
  static constexpr std::string_view name = "home_rollers";
  static constexpr auto fields = std::make_tuple(
      field<IntegerCodec<Id>>("id", "id", &R::id, Use::generated_key),
      field<TextCodec>("client_id", "client_id", &R::client_id),
      field<TextCodec>("device", "device", &R::device), field<TextCodec>("lot", "lot", &R::lot),
      field<DateCodec>("registered_on", "registered_on", &R::registered_on),
      field<OptionalTimeCodec>("retired_at", "retired_at", &R::retired_at, Use::updatable),
      field<TextCodec>("retired_reason", "retired_reason", &R::retired_reason, Use::updatable));
};

template <>
struct Table<HomeSessionRecord> {
  using R = HomeSessionRecord;
  static constexpr std::string_view name = "home_sessions";
  static constexpr auto fields = std::make_tuple(
      field<IntegerCodec<Id>>("id", "id", &R::id, Use::generated_key),
      field<TextCodec>("client_id", "client_id", &R::client_id),
      field<IntegerCodec<Id>>("home_roller_id", "home_roller_id", &R::home_roller_id),
      field<TextCodec>("area", "area", &R::area),
      field<DateCodec>("performed_on", "performed_on", &R::performed_on),
      field<TimeCodec>("logged_at", "logged_at", &R::logged_at),
      field<TextCodec>("logged_by", "logged_by", &R::logged_by), field<TextCodec>("note", "note", &R::note));
};

// ---- staff logins (auth.hpp) ------------------------------------------------------------------------------
// Mapped through tables like the records, for their columns and rows only: they are not records (no JSON, no
// digest, not in `RecordTypes`, so `verify_audit`, `record_tables` and the export never walk them). Their
// first field is the key the store looks them up by; `updatable` marks what the store's statements change.

template <>
struct Table<Credential> {
  using R = Credential;
  static constexpr std::string_view name = "credentials";
  static constexpr auto fields =
      std::make_tuple(field<IntegerCodec<Id>>("user_id", "user_id", &R::user_id, Use::key),
                      field<TextCodec>("password_hash", "password_hash", &R::password_hash, Use::updatable),
                      field<BoolCodec>("must_change", "must_change", &R::must_change, Use::updatable),
                      field<TimeCodec>("changed_at", "changed_at", &R::changed_at, Use::updatable),
                      field<BoolCodec>("disabled", "disabled", &R::disabled, Use::updatable));
};

template <>
struct Table<AuthSession> {
  using R = AuthSession;
  static constexpr std::string_view name = "auth_sessions";
  static constexpr auto fields =
      std::make_tuple(field<TextCodec>("token_hash", "token_hash", &R::token_hash, Use::key),
                      field<IntegerCodec<Id>>("user_id", "user_id", &R::user_id),
                      field<TextCodec>("csrf_hash", "csrf_hash", &R::csrf_hash),
                      field<TimeCodec>("created_at", "created_at", &R::created_at),
                      field<TimeCodec>("last_seen_at", "last_seen_at", &R::last_seen_at, Use::updatable),
                      field<TimeCodec>("expires_at", "expires_at", &R::expires_at),
                      field<OptionalTimeCodec>("ended_at", "ended_at", &R::ended_at, Use::updatable));
};

template <>
struct Table<ApiKey> {
  using R = ApiKey;
  static constexpr std::string_view name = "api_keys";
  static constexpr auto fields = std::make_tuple(
      field<IntegerCodec<Id>>("id", "id", &R::id, Use::generated_key),
      field<IntegerCodec<Id>>("user_id", "user_id", &R::user_id),
      field<TextCodec>("key_hash", "key_hash", &R::key_hash), field<TextCodec>("label", "label", &R::label),
      field<TimeCodec>("created_at", "created_at", &R::created_at),
      field<TextCodec>("created_by", "created_by", &R::created_by),
      field<OptionalTimeCodec>("revoked_at", "revoked_at", &R::revoked_at, Use::updatable));
};

template <>
struct Table<LoginThrottle> {
  using R = LoginThrottle;
  static constexpr std::string_view name = "login_throttle";
  static constexpr auto fields =
      std::make_tuple(field<TextCodec>("key", "key", &R::key, Use::key),
                      field<TimeCodec>("window_start", "window_start", &R::window_start, Use::updatable),
                      field<IntegerCodec<int>>("failures", "failures", &R::failures, Use::updatable));
};

// ---- the client portal (auth.hpp): like the staff-login tables, columns and rows only
// -------------------------

template <>
struct Table<PortalLink> {
  using R = PortalLink;
  static constexpr std::string_view name = "portal_links";
  static constexpr auto fields =
      std::make_tuple(field<TextCodec>("token_hash", "token_hash", &R::token_hash, Use::key),
                      field<TextCodec>("client_id", "client_id", &R::client_id),
                      field<TimeCodec>("created_at", "created_at", &R::created_at),
                      field<TimeCodec>("expires_at", "expires_at", &R::expires_at),
                      field<OptionalTimeCodec>("used_at", "used_at", &R::used_at, Use::updatable),
                      field<TextCodec>("requested_from", "requested_from", &R::requested_from));
};

template <>
struct Table<ClientSession> {
  using R = ClientSession;
  static constexpr std::string_view name = "client_sessions";
  static constexpr auto fields =
      std::make_tuple(field<TextCodec>("token_hash", "token_hash", &R::token_hash, Use::key),
                      field<TextCodec>("client_id", "client_id", &R::client_id),
                      field<TextCodec>("csrf_hash", "csrf_hash", &R::csrf_hash),
                      field<TimeCodec>("created_at", "created_at", &R::created_at),
                      field<TimeCodec>("last_seen_at", "last_seen_at", &R::last_seen_at, Use::updatable),
                      field<TimeCodec>("expires_at", "expires_at", &R::expires_at),
                      field<OptionalTimeCodec>("ended_at", "ended_at", &R::ended_at, Use::updatable));
};

template <>
struct Table<CalendarFeed> {
  using R = CalendarFeed;
  static constexpr std::string_view name = "calendar_feeds";
  static constexpr auto fields =
      std::make_tuple(field<TextCodec>("token_hash", "token_hash", &R::token_hash, Use::key),
                      field<TextCodec>("client_id", "client_id", &R::client_id),
                      field<TimeCodec>("created_at", "created_at", &R::created_at),
                      field<OptionalTimeCodec>("revoked_at", "revoked_at", &R::revoked_at, Use::updatable));
};

/// Every record type the store keeps, each with its table above: what `verify_audit` and `record_tables`
/// walk (not the staff-login tables).
using RecordTypes = std::tuple<UserRecord, ClientRecord, IntakeRecord, ConsentRecord, CourseRecord,
                               AppointmentRecord, RollerRecord, SessionRecord, StepRecord, FollowupRecord,
                               EscalationRecord, OutboxMessage, PhotoRecord, LotRecallRecord,
                               SessionZoneRecord, HomeRollerRecord, HomeSessionRecord, MessageConsentRecord>;

/// Calls f(R{}) for every record type R, in the order of `RecordTypes`.
template <class F>
void for_each_record_type(F&& f) {
  std::apply([&](const auto&... r) { (f(r), ...); }, RecordTypes{});
}

/// Calls f(field) for every field of R's table, in column order.
template <class R, class F>
void for_each_field(F&& f) {
  std::apply([&](const auto&... each) { (f(each), ...); }, Table<R>::fields);
}

/// R's JSON, member by member from its table.
template <class R>
json record_json(const R& r) {
  json j = json::object();
  for_each_field<R>([&](const auto& f) {
    using Codec = typename std::decay_t<decltype(f)>::codec;
    if constexpr (requires { Codec::omitted(r.*(f.member)); }) {
      if (Codec::omitted(r.*(f.member))) return;
    }
    j[std::string(f.key)] = Codec::to_json(r.*(f.member));
  });
  return j;
}

/// Whether a member's JSON is what a column added by a migration holds by default (NULL, 0, '', '[]').
inline bool default_json(const json& v) {
  return v.is_null() || (v.is_boolean() && !v.get<bool>()) || (v.is_number_integer() && v == 0) ||
         (v.is_string() && v.get<std::string>().empty()) || (v.is_array() && v.empty());
}

/// `default_json`, or what the codec says its migration gave a row written before it.
template <class Codec>
bool migration_default_json(const json& v) {
  if constexpr (requires { Codec::migration_default(v); }) {
    return Codec::migration_default(v);
  } else {
    return default_json(v);
  }
}

/// The canonical texts R's JSON had under earlier schema versions, newest first: for each version that added
/// a field, the record without the members added since, when they all hold their column's default (what the
/// migration gave a row written before it). Empty when R has no such field or the record uses one.
template <class R>
std::vector<std::string> earlier_forms(const R& r) {
  std::vector<int> versions;
  for_each_field<R>([&](const auto& f) {
    if (f.since > 1 && std::find(versions.begin(), versions.end(), f.since) == versions.end())
      versions.push_back(f.since);
  });
  std::sort(versions.rbegin(), versions.rend());
  std::vector<std::string> out;
  json j = record_json(r);
  for (const int v : versions) {
    bool possible = true;
    for_each_field<R>([&](const auto& f) {
      if (f.since < v) return;
      const auto it = j.find(std::string(f.key));
      if (it == j.end()) return;
      using Codec = typename std::decay_t<decltype(f)>::codec;
      if (migration_default_json<Codec>(*it)) {
        j.erase(it);
      } else {
        possible = false;
      }
    });
    if (!possible) break;
    out.push_back(canonical_text(j));
  }
  return out;
}

/// R read from a row whose columns are its table's, in order.
template <class R>
R read_record(const Row& row) {
  R r{};
  int i = 0;
  for_each_field<R>([&](const auto& f) {
    using Codec = typename std::decay_t<decltype(f)>::codec;
    Codec::from_sql(row, i++, r.*(f.member));
  });
  return r;
}

}  // namespace needlework::store::sql
