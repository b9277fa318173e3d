// The clinic's records over HTTP: the same rules (ClinicStore) and the same JSON documents (store/json.hpp)
// as the CLI's record commands. Writes go through the group committer; reads run on the HTTP thread with a
// leased read connection.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <fstream>
#include <limits>
#include <sstream>

#include "needlework/clinic/fields.hpp"
#include "needlework/clinic/intake.hpp"
#include "needlework/clinic/json.hpp"
#include "needlework/clinic/simulate.hpp"
#include "needlework/store/export.hpp"
#include "needlework/store/json.hpp"
#include "needlework/units/number.hpp"
#include "needlework/units/text.hpp"
#include "routes.hpp"

namespace needlework::server {
namespace {

using nlohmann::json;
using store::ClinicStore;
using store::Id;

Result<store::DateTime> time_field(clinic::JsonFields& f, std::string_view key) {
  NW_TRY(text, f.string(key));
  auto t = units::parse_date_time(text);
  if (!t) return fail(t.error().code, t.error().message, std::string(key));
  return *t;
}

// ---- clients
// -----------------------------------------------------------------------------------------------

Result<Response> list_clients(Services&, Request& req, ReadConnection& c) {
  NW_TRY(clients, c.store->search_clients(req.param("q").value_or("")));
  NW_TRY(out, page_of(req, clients));
  return json_response(out);
}

Result<Response> get_client(Services&, Request& req, ReadConnection& c) {
  NW_TRY(client, c.store->find_client(req.params.at("id")));
  if (!client) return fail(ErrorCode::not_found, fmt::format("no client '{}'", req.params.at("id")), "id");
  return json_response(store::to_json(*client));
}

Result<Response> client_history(Services&, Request& req, ReadConnection& c) {
  NW_TRY(h, c.clinic->history(req.params.at("id")));
  return json_response(store::to_json(h));
}

auto add_client =
    writing([](Services&, Request& req) -> Result<std::function<Result<Response>(ClinicStore&)>> {
      clinic::JsonFields f(req.json);
      store::ClientRecord client;
      NW_TRY(id, f.string("id"));
      NW_TRY(name, f.string("name"));
      NW_TRY(dob, f.date("date_of_birth", false));
      NW_TRY(email, f.string("email", false));
      NW_TRY(phone, f.string("phone", false));
      NW_CHECK(f.finish());
      client.id = id;
      client.name = name;
      client.date_of_birth = dob;
      client.email = email;
      client.phone = phone;
      client.created_at = req.now;
      return [client, actor = req.actor()](ClinicStore& cs) -> Result<Response> {
        NW_TRY(made, cs.add_client(actor, client));
        return created(store::to_json(made));
      };
    });

/// PATCH: a member left out stays as it is; `email` or `phone` null (or "") removes it. The checks are
/// ClinicStore's, the same as when adding.
auto update_client =
    writing([](Services&, Request& req) -> Result<std::function<Result<Response>(ClinicStore&)>> {
      clinic::JsonFields f(req.json);
      NW_CHECK(f.require_object());
      const auto given = [&](std::string_view key) { return req.json.contains(key); };
      NW_TRY(name, f.string("name", false));
      NW_TRY(dob, f.date("date_of_birth", false));
      NW_TRY(email, f.string("email", false));
      NW_TRY(phone, f.string("phone", false));
      NW_CHECK(f.finish());
      store::ClientChanges changes;
      if (given("name")) changes.name = name;  // "" or null is refused by the check, naming `name`
      if (dob) changes.date_of_birth = *dob;
      if (given("email")) changes.email = email;
      if (given("phone")) changes.phone = phone;
      return [id = req.params.at("id"), changes, actor = req.actor()](ClinicStore& cs) -> Result<Response> {
        NW_TRY(made, cs.update_client(actor, id, changes));
        return json_response(store::to_json(made));
      };
    });

// ---- intakes, consents, courses
// ------------------------------------------------------------------------------

auto record_intake =
    writing([](Services& s, Request& req) -> Result<std::function<Result<Response>(ClinicStore&)>> {
      NW_TRY(intake, clinic::parse_intake(req.json, s.pack()));
      return [intake, doc = req.json, actor = req.actor()](ClinicStore& cs) -> Result<Response> {
        NW_TRY(made, cs.record_intake(actor, intake, doc));
        return created(store::to_json(made));
      };
    });

auto sign_consent =
    writing([](Services&, Request& req) -> Result<std::function<Result<Response>(ClinicStore&)>> {
      clinic::JsonFields f(req.json);
      NW_TRY(text, f.string("text"));
      NW_TRY(signer, f.string("signer"));
      NW_CHECK(f.finish());
      return [client = req.params.at("id"), text, signer,
              actor = req.actor()](ClinicStore& cs) -> Result<Response> {
        NW_TRY(made, cs.record_consent(actor, client, text, signer));
        return created(store::to_json(made));
      };
    });

auto withdraw_consent =
    writing([](Services&, Request& req) -> Result<std::function<Result<Response>(ClinicStore&)>> {
      NW_TRY(id, id_param(req, "id"));
      return [id, actor = req.actor()](ClinicStore& cs) -> Result<Response> {
        NW_TRY(c, cs.withdraw_consent(actor, id));
        return json_response(store::to_json(c));
      };
    });

auto set_message_consent =
    writing([](Services&, Request& req) -> Result<std::function<Result<Response>(ClinicStore&)>> {
      clinic::JsonFields f(req.json);
      if (!req.json.contains("agreed")) {
        return std::unexpected(Error{ErrorCode::missing_field, "is required (true or false)", "agreed"});
      }
      NW_TRY(agreed, f.boolean("agreed", false));
      NW_CHECK(f.finish());
      return
          [client = req.params.at("id"), agreed, actor = req.actor()](ClinicStore& cs) -> Result<Response> {
            NW_TRY(c, cs.record_message_consent(actor, client, agreed, store::ConsentVia::clinic));
            return json_response(store::to_json(c));
          };
    });

// The link in every message: anyone holding it may withdraw that one client's consent, nothing else.
auto unsubscribe = writing([](Services&,
                              Request& req) -> Result<std::function<Result<Response>(ClinicStore&)>> {
  clinic::JsonFields f(req.json);
  NW_TRY(token, f.string("token"));
  NW_CHECK(f.finish());
  return [token, at = req.now](ClinicStore& cs) -> Result<Response> {
    NW_TRY(c, cs.unsubscribe(store::Actor{"unsubscribe link", at}, token));
    return json_response({{"unsubscribed", true}, {"recorded_at", units::format_date_time(c.recorded_at)}});
  };
});

auto plan_course =
    writing([](Services& s, Request& req) -> Result<std::function<Result<Response>(ClinicStore&)>> {
      clinic::JsonFields f(req.json);
      NW_TRY(start, f.date("start", true));
      NW_TRY(per_week, f.number("sessions_per_week", clinic::sessions_per_week_rule, false));
      NW_CHECK(f.finish());
      clinic::PlanOptions options;
      if (per_week) options.sessions_per_week = static_cast<int>(*per_week);
      options.regions = &s.regions();
      return [client = req.params.at("id"), start = *start, options,
              actor = req.actor()](ClinicStore& cs) -> Result<Response> {
        NW_TRY(made, cs.record_course(actor, client, start, options));
        return created(store::to_json(made));
      };
    });

// ---- appointments
// ------------------------------------------------------------------------------------------

Result<Response> list_appointments(Services&, Request& req, ReadConnection& c) {
  auto bound = [&](std::string_view name, store::DateTime fallback) -> Result<store::DateTime> {
    auto v = req.param(name);
    if (!v) return fallback;
    auto t = units::parse_date_time(*v);
    if (!t) return fail(t.error().code, t.error().message, std::string(name));
    return *t;
  };
  const auto today = std::chrono::floor<std::chrono::days>(req.now);
  NW_TRY(from, bound("from", today));
  NW_TRY(to, bound("to", today + std::chrono::days(1)));
  if (to < from) return fail(ErrorCode::invalid_value, "is before from", "to");
  NW_TRY(list, c.store->appointments_between(from, to));
  NW_TRY(out, page_of(req, list));
  return json_response(out);
}

auto book_appointment =
    writing([](Services&, Request& req) -> Result<std::function<Result<Response>(ClinicStore&)>> {
      clinic::JsonFields f(req.json);
      NW_TRY(client, f.string("client_id"));
      NW_TRY(area, f.string("area"));
      NW_TRY(mm, f.number("needle_length_mm", clinic::needle_length_rule, true));
      NW_TRY(at, time_field(f, "at"));
      NW_TRY(course, f.integer("course_id", 1, std::numeric_limits<std::int64_t>::max(), false));
      NW_CHECK(f.finish());
      return [client, area, mm = *mm, at, course, actor = req.actor()](ClinicStore& cs) -> Result<Response> {
        NW_TRY(made, cs.book_appointment(actor, client, area, units::millimetres(mm), at,
                                         course ? std::optional<Id>(*course) : std::nullopt));
        return created(store::to_json(made));
      };
    });

auto cancel_appointment =
    writing([](Services&, Request& req) -> Result<std::function<Result<Response>(ClinicStore&)>> {
      NW_TRY(id, id_param(req, "id"));
      return [id, actor = req.actor()](ClinicStore& cs) -> Result<Response> {
        NW_TRY(a, cs.cancel_appointment(actor, id));
        return json_response(store::to_json(a));
      };
    });

// ---- rollers
// -----------------------------------------------------------------------------------------------

Result<Response> list_rollers(Services&, Request& req, ReadConnection& c) {
  NW_TRY(list, c.store->rollers());
  NW_TRY(out, page_of(req, list));
  return json_response(out);
}

Result<Response> get_roller(Services&, Request& req, ReadConnection& c) {
  NW_TRY(id, id_param(req, "id"));
  NW_TRY(r, c.store->find_roller(id));
  if (!r) return fail(ErrorCode::not_found, fmt::format("no roller {}", id), "id");
  NW_TRY(sessions, c.store->sessions_with_roller(id));
  json j = store::to_json(*r);
  json s = json::array();
  for (const auto& x : sessions) s.push_back(store::to_json(x));
  return json_response({{"roller", j}, {"sessions", s}});
}

auto register_roller =
    writing([](Services&, Request& req) -> Result<std::function<Result<Response>(ClinicStore&)>> {
      clinic::JsonFields f(req.json);
      store::RollerSpec spec;
      NW_TRY(lot, f.string("lot"));
      NW_TRY(serial, f.string("serial", false));
      NW_TRY(udi, f.string("udi", false));
      NW_TRY(device, f.string("device"));
      NW_TRY(count, f.number("needle_count", clinic::needle_count_rule, true));
      NW_TRY(mm, f.number("needle_length_mm", clinic::needle_length_rule, true));
      NW_TRY(expiry, f.date("expiry", true));
      NW_CHECK(f.finish());
      spec.lot = lot;
      spec.serial = serial;
      spec.udi = udi;
      spec.device = device;
      spec.needle_count = static_cast<int>(*count);
      spec.needle_length = units::millimetres(*mm);
      spec.expiry = *expiry;
      return [spec, actor = req.actor()](ClinicStore& cs) -> Result<Response> {
        NW_TRY(made, cs.register_roller(actor, spec));
        return created(store::to_json(made));
      };
    });

auto assign_roller =
    writing([](Services&, Request& req) -> Result<std::function<Result<Response>(ClinicStore&)>> {
      NW_TRY(id, id_param(req, "id"));
      clinic::JsonFields f(req.json);
      NW_TRY(client, f.string("client_id"));
      NW_CHECK(f.finish());
      return [id, client, actor = req.actor()](ClinicStore& cs) -> Result<Response> {
        NW_TRY(r, cs.assign_roller(actor, id, client));
        return json_response(store::to_json(r));
      };
    });

auto sterilise_roller =
    writing([](Services&, Request& req) -> Result<std::function<Result<Response>(ClinicStore&)>> {
      NW_TRY(id, id_param(req, "id"));
      return [id, actor = req.actor()](ClinicStore& cs) -> Result<Response> {
        NW_TRY(r, cs.sterilise_roller(actor, id));
        return json_response(store::to_json(r));
      };
    });

auto dispose_roller =
    writing([](Services&, Request& req) -> Result<std::function<Result<Response>(ClinicStore&)>> {
      NW_TRY(id, id_param(req, "id"));
      clinic::JsonFields f(req.json);
      NW_TRY(reason, f.string("reason"));
      NW_CHECK(f.finish());
      return [id, reason, actor = req.actor()](ClinicStore& cs) -> Result<Response> {
        NW_TRY(r, cs.dispose_roller(actor, id, reason));
        return json_response(store::to_json(r));
      };
    });

auto recall_lot =
    writing([](Services&, Request& req) -> Result<std::function<Result<Response>(ClinicStore&)>> {
      clinic::JsonFields f(req.json);
      NW_TRY(lot, f.string("lot"));
      NW_TRY(reason, f.string("reason"));
      NW_CHECK(f.finish());
      return [lot, reason, actor = req.actor()](ClinicStore& cs) -> Result<Response> {
        NW_TRY(r, cs.recall_lot(actor, lot, reason));
        return created(store::to_json(r));
      };
    });

Result<Response> list_recalls(Services&, Request& req, ReadConnection& c) {
  NW_TRY(list, c.store->lot_recalls());
  NW_TRY(out, page_of(req, list));
  return json_response(out);
}

Result<Response> recall(Services&, Request& req, ReadConnection& c) {
  NW_TRY(r, c.clinic->recall(req.params.at("lot")));
  return json_response(store::to_json(r));
}

// ---- sessions
// ----------------------------------------------------------------------------------------------

auto start_session =
    writing([](Services&, Request& req) -> Result<std::function<Result<Response>(ClinicStore&)>> {
      clinic::JsonFields f(req.json);
      store::SessionRequest s;
      NW_TRY(client, f.string("client_id"));
      NW_TRY(area, f.string("area"));
      NW_TRY(roller, f.integer("roller_id", 1, std::numeric_limits<std::int64_t>::max(), true));
      NW_TRY(appointment, f.integer("appointment_id", 1, std::numeric_limits<std::int64_t>::max(), false));
      NW_TRY(cocktail, f.boolean("cocktail", false));
      NW_TRY(conditions, f.strings("conditions", false));
      NW_TRY(acknowledged, f.strings("acknowledge", false));
      NW_CHECK(f.finish());
      s.client_id = client;
      s.area = area;
      s.roller_id = *roller;
      if (appointment) s.appointment_id = *appointment;
      s.cocktail = cocktail;
      s.conditions = conditions;
      s.acknowledged = acknowledged;
      return [s, actor = req.actor()](ClinicStore& cs) -> Result<Response> {
        NW_TRY(r, cs.start_session(actor, s));
        return created({{"session", store::to_json(r.session)}, {"protocol", clinic::to_json(r.protocol)}});
      };
    });

Result<Response> get_session(Services&, Request& req, ReadConnection& c) {
  NW_TRY(id, id_param(req, "id"));
  NW_TRY(s, c.store->find_session(id));
  if (!s) return fail(ErrorCode::not_found, fmt::format("no session {}", id), "id");
  NW_TRY(checklist, c.clinic->checklist(id));
  NW_TRY(followups, c.store->followups_of(id));
  NW_TRY(zones, c.store->zones_of(id));
  json steps = json::array(), fs = json::array(), zs = json::array();
  for (const auto& x : checklist) steps.push_back(store::to_json(x));
  for (const auto& x : followups) fs.push_back(store::to_json(x));
  for (const auto& x : zones) zs.push_back(store::to_json(x));
  return json_response(
      {{"session", store::to_json(*s)}, {"checklist", steps}, {"followups", fs}, {"zones", zs}});
}

/// GET /api/v1/sessions/{id}/zones/{zone}/heatmap.png: the stored zone's dose drawn again — the simulation
/// run from what the zone's record keeps (ClinicStore::zone_simulation), rendered as POST
/// /api/v1/simulate/heatmap.png renders its run (the same colour scale and `heatmap_max`).
Result<Response> zone_heatmap(Services&, Request& req, ReadConnection& c) {
  NW_TRY(id, id_param(req, "id"));
  double max_per_cm2 = 0;  // 0: twice the target
  if (auto text = req.param("heatmap_max")) {
    static constexpr units::NumberRule rule{"heatmap_max", 0.0, 1e6, true, false, "/cm²"};
    NW_TRY(v, units::parse_number(*text, rule));
    max_per_cm2 = v;
  }
  NW_TRY(sim, c.clinic->zone_simulation(id, req.params.at("zone")));
  NW_TRY(png, clinic::density_heatmap_png(sim.result.grid, sim.target, max_per_cm2));
  Response r;
  r.content_type = "image/png";
  r.body.assign(reinterpret_cast<const char*>(png.data()), png.size());
  return r;
}

auto record_step =
    writing([](Services&, Request& req) -> Result<std::function<Result<Response>(ClinicStore&)>> {
      NW_TRY(id, id_param(req, "id"));
      clinic::JsonFields f(req.json);
      NW_TRY(step, f.string("step"));
      NW_CHECK(f.finish());
      return [id, step, actor = req.actor()](ClinicStore& cs) -> Result<Response> {
        NW_TRY(r, cs.record_step(actor, id, step));
        return created(store::to_json(r));
      };
    });

auto chart_session =
    writing([](Services&, Request& req) -> Result<std::function<Result<Response>(ClinicStore&)>> {
      NW_TRY(id, id_param(req, "id"));
      clinic::JsonFields f(req.json);
      store::Chart c;
      NW_TRY(passes, f.number("passes", clinic::passes_rule, false));
      NW_TRY(density, f.number("density_per_cm2", clinic::density_rule, false));
      NW_TRY(depth, f.number("effective_depth_mm", clinic::effective_depth_rule, false));
      NW_TRY(notes, f.string("notes", false));
      NW_TRY(directions, f.strings("directions", false));
      NW_TRY(physics, f.boolean("dose_from_physics", false));
      NW_TRY(seed, f.integer("seed", 0, std::numeric_limits<std::int64_t>::max(), false));
      NW_TRY(zone, f.string("zone", false));
      NW_CHECK(f.finish());
      if (!zone.empty()) c.zone = zone;
      if (passes) c.passes = static_cast<int>(*passes);
      if (density) c.density = units::per_square_centimetre(*density);
      if (depth) c.effective_depth = units::millimetres(*depth);
      if (!notes.empty()) c.notes = notes;
      if (!directions.empty()) c.directions = directions;
      c.dose_from_physics = physics;
      if (seed) c.seed = static_cast<std::uint64_t>(*seed);
      return [id, c, actor = req.actor()](ClinicStore& cs) -> Result<Response> {
        NW_TRY(s, cs.chart(actor, id, c));
        return json_response(store::to_json(s));
      };
    });

auto finish_session =
    writing([](Services&, Request& req) -> Result<std::function<Result<Response>(ClinicStore&)>> {
      NW_TRY(id, id_param(req, "id"));
      clinic::JsonFields f(req.json);
      NW_TRY(reason, f.string("missing_steps_reason", false));
      NW_CHECK(f.finish());
      return [id, reason, actor = req.actor()](ClinicStore& cs) -> Result<Response> {
        NW_TRY(s, cs.finish_session(actor, id,
                                    reason.empty() ? std::nullopt : std::optional<std::string>(reason)));
        return json_response(store::to_json(s));
      };
    });

auto record_followup =
    writing([](Services&, Request& req) -> Result<std::function<Result<Response>(ClinicStore&)>> {
      NW_TRY(id, id_param(req, "id"));
      clinic::JsonFields f(req.json);
      NW_TRY(observations, f.strings("observations", true));
      NW_CHECK(f.finish());
      return [id, observations, actor = req.actor()](ClinicStore& cs) -> Result<Response> {
        NW_TRY(r, cs.record_followup(actor, id, observations));
        return created({{"followup", store::to_json(r.followup)},
                        {"result", clinic::to_json(r.result)},
                        {"escalation", r.escalation ? store::to_json(*r.escalation) : json(nullptr)}});
      };
    });

// ---- escalations, due, outbox
// ------------------------------------------------------------------------------

Result<Response> list_escalations(Services&, Request& req, ReadConnection& c) {
  const bool all = req.param("all").value_or("false") == "true";
  NW_TRY(list, all ? c.store->escalations() : c.store->open_escalations());
  NW_TRY(out, page_of(req, list));
  return json_response(out);
}

auto close_escalation =
    writing([](Services&, Request& req) -> Result<std::function<Result<Response>(ClinicStore&)>> {
      NW_TRY(id, id_param(req, "id"));
      clinic::JsonFields f(req.json);
      NW_TRY(note, f.string("note"));
      NW_CHECK(f.finish());
      return [id, note, actor = req.actor()](ClinicStore& cs) -> Result<Response> {
        NW_TRY(e, cs.close_escalation(actor, id, note));
        return json_response(store::to_json(e));
      };
    });

Result<Response> due(Services&, Request& req, ReadConnection& c) {
  NW_TRY(items, c.clinic->due(req.now));
  json list = json::array();
  for (const auto& i : items) list.push_back(store::to_json(i));
  return json_response({{"items", list}, {"as_of", units::format_date_time(req.now)}});
}

Result<Response> list_outbox(Services&, Request& req, ReadConnection& c) {
  const bool all = req.param("all").value_or("false") == "true";
  std::vector<store::OutboxMessage> list;
  if (const auto state_text = req.param("state")) {
    const auto state = store::message_state_from_string(*state_text);
    if (!state) {
      return fail(ErrorCode::invalid_value,
                  fmt::format("'{}' is not a message state (queued, sent, failed or withheld)", *state_text),
                  "state");
    }
    NW_TRY(in_state, c.clinic->outbox_in(*state));
    list = std::move(in_state);
  } else {
    NW_TRY(unsent, c.clinic->outbox(all));
    list = std::move(unsent);
  }
  NW_TRY(out, page_of(req, list));
  return json_response(out);
}

auto retry_message =
    writing([](Services&, Request& req) -> Result<std::function<Result<Response>(ClinicStore&)>> {
      NW_TRY(id, id_param(req, "id"));
      return [id, actor = req.actor()](ClinicStore& cs) -> Result<Response> {
        NW_TRY(m, cs.retry_message(actor, id));
        return json_response(store::message_json(m));
      };
    });

auto mark_sent =
    writing([](Services&, Request& req) -> Result<std::function<Result<Response>(ClinicStore&)>> {
      NW_TRY(id, id_param(req, "id"));
      return [id, actor = req.actor()](ClinicStore& cs) -> Result<Response> {
        NW_TRY(m, cs.mark_sent(actor, id));
        return json_response(store::message_json(m));
      };
    });

// ---- photos
// ------------------------------------------------------------------------------------------------

auto add_photo =
    writing([](Services&, Request& req) -> Result<std::function<Result<Response>(ClinicStore&)>> {
      store::PhotoInput p;
      p.client_id = req.params.at("id");
      p.kind = req.param("kind").value_or("other");
      p.note = req.param("note").value_or("");
      p.original_name = req.param("name").value_or("");
      p.area = req.param("area").value_or("");
      if (auto sid = req.param("session_id")) {
        NW_TRY(n, units::parse_integer(*sid, "session_id", 1, std::numeric_limits<std::int64_t>::max()));
        p.session_id = n;
      }
      p.bytes = std::move(req.body);
      return [p = std::move(p), actor = req.actor()](ClinicStore& cs) -> Result<Response> {
        NW_TRY(made, cs.add_photo(actor, p));
        return created(store::to_json(made));
      };
    });

Result<Response> list_photos(Services&, Request& req, ReadConnection& c) {
  NW_TRY(list, c.store->photos_of(req.params.at("id")));
  NW_TRY(out, page_of(req, list));
  return json_response(out);
}

Result<Response> photo_image(Services&, Request& req, ReadConnection& c) {
  NW_TRY(id, id_param(req, "photo_id"));
  NW_TRY(list, c.store->photos_of(req.params.at("id")));
  for (const auto& p : list) {
    if (p.id != id) continue;
    std::ifstream in(c.clinic->photo_path(p.sha256), std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    if (!in || store::sha256_hex(bytes.str()) != p.sha256) {
      return fail(ErrorCode::database_error, fmt::format("photo {}'s file is missing or changed", id));
    }
    Response r;
    r.content_type = p.media_type;
    r.body = bytes.str();
    return r;
  }
  return fail(ErrorCode::not_found, fmt::format("client '{}' has no photo {}", req.params.at("id"), id),
              "photo_id");
}

// ---- audit and export
// --------------------------------------------------------------------------------------

Result<Response> audit_log(Services&, Request& req, ReadConnection& c) {
  // Paged in the store (the log is the longest table): the cursor is the last seq of the page before.
  std::int64_t limit = 100, after = 0;
  if (auto l = req.param("limit")) {
    NW_TRY(n, units::parse_integer(*l, "limit", 1, 500));
    limit = n;
  }
  if (auto cur = req.param("cursor")) {
    NW_TRY(n, units::parse_integer(*cur, "cursor", 0, std::numeric_limits<std::int64_t>::max()));
    after = n;
  }
  store::AuditFilter filter;
  filter.actor = req.param("actor").value_or("");
  filter.table = req.param("table").value_or("");
  filter.action = req.param("action").value_or("");
  filter.record = req.param("record").value_or("");
  if (!filter.table.empty()) {
    std::vector<std::string> names;
    for (const auto& t : store::record_tables()) names.push_back(t.name);
    if (std::find(names.begin(), names.end(), filter.table) == names.end()) {
      return fail(ErrorCode::invalid_value,
                  fmt::format("'{}' is not a record table (one of: {})", units::excerpt(filter.table),
                              fmt::join(names, ", ")),
                  "table");
    }
  }
  for (const auto& [key, bound] : {std::pair{"from", &filter.from}, std::pair{"to", &filter.to}}) {
    if (auto text = req.param(key)) {
      auto t = units::parse_date_time(*text);
      if (!t) return fail(ErrorCode::invalid_value, t.error().message, key);
      *bound = *t;
    }
  }
  // One more than asked says whether a next page exists.
  NW_TRY(entries, c.store->audit_entries(after, limit + 1, filter));
  json out = {{"items", json::array()}, {"next_cursor", nullptr}};
  const bool more = static_cast<std::int64_t>(entries.size()) > limit;
  if (more) entries.pop_back();
  for (const auto& e : entries) out["items"].push_back(store::to_json(e));
  if (more) out["next_cursor"] = std::to_string(entries.back().seq);
  return json_response(out);
}

Result<Response> audit_verify(Services&, Request&, ReadConnection& c) {
  NW_TRY(check, c.store->verify_audit());
  return json_response(store::to_json(check));
}

Result<Response> export_all(Services&, Request& req, ReadConnection& c) {
  NW_TRY(doc, store::export_json(*c.store, req.actor()));
  return json_response(doc);
}

}  // namespace

std::vector<Route> record_routes() {
  const RoleSet clinical = roles({Role::admin, Role::practitioner});
  const RoleSet front = roles({Role::admin, Role::practitioner, Role::reception});
  const RoleSet readers = any_staff;
  const RoleSet audit = roles({Role::admin, Role::auditor});
  auto q = [](std::string name, std::string type, std::string description) {
    return QueryParam{std::move(name), std::move(type), std::move(description), false};
  };
  auto paged = [](std::vector<QueryParam> extra) {
    auto p = page_params();
    p.insert(p.end(), extra.begin(), extra.end());
    return p;
  };
  std::vector<Route> r;
  auto get = [&](std::string path, RoleSet who, std::string summary, std::string schema, auto handler,
                 std::vector<QueryParam> query = {}) {
    r.push_back(Route{.method = "GET",
                      .path = std::move(path),
                      .roles = who,
                      .summary = std::move(summary),
                      .response_schema = std::move(schema),
                      .query = std::move(query),
                      .handler = reading(handler)});
  };
  auto post = [&](std::string path, RoleSet who, std::string summary, std::string request_schema,
                  std::string schema, int success, auto handler, BodyKind body = BodyKind::json,
                  std::vector<QueryParam> query = {}) {
    r.push_back(Route{.method = "POST",
                      .path = std::move(path),
                      .roles = who,
                      .body = body,
                      .summary = std::move(summary),
                      .request_schema = std::move(request_schema),
                      .response_schema = std::move(schema),
                      .success = success,
                      .query = std::move(query),
                      .writes = true,
                      .handler = handler});
  };
  get("/api/v1/clients", readers, "Find clients by id or name", "ClientPage", list_clients,
      paged({q("q", "string", "text the id or name contains (case-insensitive)")}));
  post("/api/v1/clients", front, "Register a client", "NewClient", "Client", 201, add_client);
  get("/api/v1/clients/{id}", readers, "A client", "Client", get_client);
  r.push_back(Route{.method = "PATCH",
                    .path = "/api/v1/clients/{id}",
                    .roles = front,
                    .body = BodyKind::json,
                    .summary = "Change a client's name, date of birth, email or phone",
                    .request_schema = "ClientChanges",
                    .response_schema = "Client",
                    .writes = true,
                    .handler = update_client});
  get("/api/v1/clients/{id}/history", readers, "Everything recorded about a client", "ClientHistory",
      client_history);
  post("/api/v1/intakes", clinical, "Screen an intake and record it with its decision", "Intake",
       "IntakeRecord", 201, record_intake);
  post("/api/v1/clients/{id}/consents", front, "Record a signed consent (the text's SHA-256)", "NewConsent",
       "Consent", 201, sign_consent);
  post("/api/v1/clients/{id}/message-consent", front,
       "Record the client's consent to messages, given or withdrawn", "NewMessageConsent", "MessageConsent",
       200, set_message_consent);
  r.push_back(Route{.method = "POST",
                    .path = "/api/v1/unsubscribe",
                    .roles = 0,
                    .body = BodyKind::json,
                    .summary = "Withdraw a client's consent to messages by the link in a message",
                    .request_schema = "Unsubscribe",
                    .response_schema = "Unsubscribed",
                    .writes = true,
                    .handler = unsubscribe});
  post("/api/v1/consents/{id}/withdraw", front, "Withdraw a consent", "", "Consent", 200, withdraw_consent,
       BodyKind::none);
  post("/api/v1/clients/{id}/courses", clinical, "Plan a course from the latest intake and record it",
       "NewCourse", "Course", 201, plan_course);
  get("/api/v1/appointments", front, "Appointments between two times (default: today)", "AppointmentPage",
      list_appointments,
      paged({q("from", "string", "UTC time, YYYY-MM-DDTHH:MM:SSZ (default: today 00:00)"),
             q("to", "string", "UTC time, exclusive (default: tomorrow 00:00)")}));
  post("/api/v1/appointments", front, "Book an appointment (the interval and needle rules apply)",
       "NewAppointment", "Appointment", 201, book_appointment);
  post("/api/v1/appointments/{id}/cancel", front, "Cancel an appointment", "", "Appointment", 200,
       cancel_appointment, BodyKind::none);
  get("/api/v1/rollers", clinical, "Rollers and cartridges", "RollerPage", list_rollers, page_params());
  post("/api/v1/rollers", clinical, "Register a roller or cartridge", "NewRoller", "Roller", 201,
       register_roller);
  get("/api/v1/rollers/{id}", clinical, "A roller and the sessions it was used in", "RollerDetail",
      get_roller);
  post("/api/v1/rollers/{id}/assign", clinical, "Assign a roller to its one client", "RollerAssignment",
       "Roller", 200, assign_roller);
  post("/api/v1/rollers/{id}/sterilise", clinical, "Sterilise a used roller for the same client", "",
       "Roller", 200, sterilise_roller, BodyKind::none);
  post("/api/v1/rollers/{id}/dispose", clinical, "Dispose of a roller", "RollerDisposal", "Roller", 200,
       dispose_roller);
  get("/api/v1/recalls", clinical, "The recalls recorded, oldest first", "LotRecallPage", list_recalls,
      page_params());
  post("/api/v1/recalls", clinical,
       "Record the recall of a lot: its rollers are refused for every use; what it touched", "NewRecall",
       "Recall", 201, recall_lot);
  get("/api/v1/recalls/{lot}", clinical,
      "Everything a lot touched: rollers, sessions, clients, and its recall once recorded", "Recall", recall);
  post("/api/v1/sessions", clinical, "Start a session (every rule checked); its protocol", "NewSession",
       "StartedSession", 201, start_session);
  get("/api/v1/sessions/{id}", clinical, "A session, its checklist and follow-ups", "SessionDetail",
      get_session);
  post("/api/v1/sessions/{id}/steps", clinical, "Record a protocol step as done", "NewStep", "Step", 201,
       record_step);
  post("/api/v1/sessions/{id}/chart", clinical,
       "Chart passes, dose (measured or from physics), notes; with a zone, that zone's dose from physics",
       "Chart", "Session", 200, chart_session);
  r.push_back(Route{
      .method = "GET",
      .path = "/api/v1/sessions/{id}/zones/{zone}/heatmap.png",
      .roles = clinical,
      .summary = "The PNG density heatmap of a charted zone's dose, simulated again from what was stored",
      .response_type = "image/png",
      .query = {q("heatmap_max", "number", "top of the colour scale, /cm² (default twice the target)")},
      .handler = reading(zone_heatmap)});
  post("/api/v1/sessions/{id}/finish", clinical, "Finish a session; its aftercare sheet is queued", "Finish",
       "Session", 200, finish_session);
  post("/api/v1/sessions/{id}/followups", clinical, "Record a follow-up; see a doctor opens an escalation",
       "NewFollowup", "RecordedFollowup", 201, record_followup);
  get("/api/v1/escalations", clinical, "Open escalations (all with all=true)", "EscalationPage",
      list_escalations, paged({q("all", "boolean", "closed ones too")}));
  post("/api/v1/escalations/{id}/close", clinical, "Close an escalation, saying what was done",
       "EscalationClose", "Escalation", 200, close_escalation);
  get("/api/v1/due", front, "Follow-ups due today and open escalations", "DueList", due);
  get("/api/v1/outbox", front, "Messages not yet sent (all with all=true; those in one state with state=)",
      "OutboxPage", list_outbox,
      paged({q("all", "boolean", "sent ones too"),
             q("state", "string", "only messages in this state: queued, sent, failed or withheld")}));
  post("/api/v1/outbox/{id}/sent", front, "Mark a message as handed over or sent", "", "OutboxMessage", 200,
       mark_sent, BodyKind::none);
  post("/api/v1/outbox/{id}/retry", roles({Role::admin, Role::reception}),
       "Send a failed message again: queued, its attempts reset (docs/mail.md)", "", "OutboxMessage", 200,
       retry_message, BodyKind::none);
  post("/api/v1/clients/{id}/photos", clinical, "Upload a photo (the raw JPEG or PNG)", "", "Photo", 201,
       add_photo, BodyKind::image,
       {q("kind", "string", "before, after, followup or other (default other)"),
        q("session_id", "integer", "the session it belongs to"), q("note", "string", "what it shows"),
        q("name", "string", "the original file name"),
        q("area", "string", "the area it shows, an area id of the pack (default: its session's)")});
  get("/api/v1/clients/{id}/photos", clinical, "A client's photos", "PhotoPage", list_photos, page_params());
  r.push_back(Route{.method = "GET",
                    .path = "/api/v1/clients/{id}/photos/{photo_id}/image",
                    .roles = clinical,
                    .summary = "A photo's image (checked against its SHA-256)",
                    .response_type = "image/*",
                    .handler = reading(photo_image)});
  get("/api/v1/audit", audit, "The audit log, in order, filtered by what is given", "AuditPage", audit_log,
      paged({q("actor", "string", "entries by this actor"),
             q("table", "string", "entries of this record table (clients, sessions, …)"),
             q("action", "string", "entries of this action (insert, update, …)"),
             q("record", "string", "entries of this record id"),
             q("from", "string", "UTC time YYYY-MM-DDTHH:MM:SSZ: entries at or after it"),
             q("to", "string", "UTC time YYYY-MM-DDTHH:MM:SSZ: entries before it")}));
  get("/api/v1/audit/verify", audit, "Check the audit chain and every record against it", "AuditCheck",
      audit_verify);
  get("/api/v1/export", audit, "The whole clinic record as one JSON document", "Export", export_all);
  return r;
}

}  // namespace needlework::server
