// Home maintenance over HTTP (S2): a client's home rollers and home sessions. The routes are thin: they read
// the body's fields and call ClinicStore, which checks that every record touched is the client's and applies
// the pack's maintenance rule. Each handler is written once and served twice: to staff under
// /api/v1/clients/{id}/… (the client from the path) and to the client portal under /api/v1/portal/… (the
// client from the principal, never from the request — docs/portal.md).

#include <fmt/format.h>

#include <limits>
#include <set>

#include "needlework/clinic/catalog_json.hpp"
#include "needlework/store/json.hpp"
#include "needlework/units/date.hpp"
#include "routes.hpp"

namespace needlework::server {
namespace {

using nlohmann::json;
using store::ClinicStore;
using store::Id;

using Write = std::function<Result<Response>(ClinicStore&)>;

store::Date today(const Request& req) { return std::chrono::floor<std::chrono::days>(req.actor().at); }

/// Whose records a route serves: the client named in the path (staff) or the signed-in client (portal).
using ClientOf = std::string (*)(const Request&);
std::string from_path(const Request& req) { return req.params.at("id"); }
std::string from_principal(const Request& req) { return req.user->client_id; }

/// A home roller just written, with its life as the store derives it (days in use, uses).
Result<store::HomeRollerLife> life_of(ClinicStore& cs, const store::HomeRollerRecord& r,
                                      const store::Actor& by) {
  NW_TRY(lives, cs.home_rollers(r.client_id, std::chrono::floor<std::chrono::days>(by.at)));
  for (auto& l : lives) {
    if (l.roller.id == r.id) return std::move(l);
  }
  return fail(ErrorCode::not_found, fmt::format("home roller {} was not found", r.id), "home_roller");
}

template <ClientOf client_of>
Result<Response> list_home_rollers(Services&, Request& req, ReadConnection& c) {
  NW_TRY(lives, c.clinic->home_rollers(client_of(req), today(req)));
  json items = json::array();
  for (const auto& l : lives) items.push_back(store::to_json(l));
  return json_response({{"items", items}});
}

template <ClientOf client_of>
Result<Write> register_home_roller(Services&, Request& req) {
  clinic::JsonFields f(req.json);
  NW_TRY(device, f.string("device"));
  NW_TRY(lot, f.string("lot"));
  NW_TRY(on, f.date("registered_on", false));
  NW_CHECK(f.finish());
  const store::HomeRollerSpec spec{device, lot, on.value_or(today(req))};
  return [client = client_of(req), spec, actor = req.actor()](ClinicStore& cs) -> Result<Response> {
    NW_TRY(made, cs.register_home_roller(actor, client, spec));
    NW_TRY(life, life_of(cs, made, actor));
    return created(store::to_json(life));
  };
}

auto retire_home_roller = writing([](Services&, Request& req) -> Result<Write> {
  NW_TRY(id, id_param(req, "id"));
  clinic::JsonFields f(req.json);
  NW_TRY(client, f.string("client_id"));
  NW_TRY(reason, f.string("reason"));
  NW_CHECK(f.finish());
  return [id, client, reason, actor = req.actor()](ClinicStore& cs) -> Result<Response> {
    NW_TRY(r, cs.retire_home_roller(actor, client, id, reason));
    NW_TRY(life, life_of(cs, r, actor));
    return json_response(store::to_json(life));
  };
});

template <ClientOf client_of>
Result<Response> list_home_sessions(Services&, Request& req, ReadConnection& c) {
  NW_TRY(sessions, c.clinic->home_sessions(client_of(req)));
  json items = json::array();
  for (const auto& s : sessions) items.push_back(store::to_json(s));
  return json_response({{"items", items}});
}

template <ClientOf client_of>
Result<Write> log_home_session(Services&, Request& req) {
  clinic::JsonFields f(req.json);
  NW_TRY(roller, f.integer("home_roller_id", 1, std::numeric_limits<std::int64_t>::max(), true));
  NW_TRY(area, f.string("area"));
  NW_TRY(on, f.date("performed_on", true));
  NW_TRY(note, f.string("note", false));
  NW_CHECK(f.finish());
  const store::HomeSessionInput input{*roller, area, *on, note};
  return [client = client_of(req), input, actor = req.actor()](ClinicStore& cs) -> Result<Response> {
    NW_TRY(logged, cs.log_home_session(actor, client, input));
    return created(store::to_json(logged));
  };
}

/// GET /api/v1/portal/home-plan: what the client's home page needs besides the records — the maintenance
/// schedule of their latest course's plan, the pack's areas and home devices (the forms' choices) and, for
/// every area they were treated on or rolled at home, the earliest day the pack's rule allows the next home
/// session.
Result<Response> home_plan(Services& s, Request& req, ReadConnection& c) {
  const std::string client = from_principal(req);
  NW_TRY(courses, c.store->courses_of(client));
  json out = {{"course_id", nullptr}, {"maintenance", nullptr}};
  if (!courses.empty()) {
    const auto& latest = courses.back();
    out["course_id"] = latest.id;
    const auto plan = json::parse(latest.plan_json, nullptr, false);
    if (plan.is_object() && plan.contains("maintenance")) out["maintenance"] = plan["maintenance"];
  }
  NW_TRY(areas, clinic::vocabulary_json(s.pack(), "areas"));
  NW_TRY(devices, clinic::vocabulary_json(s.pack(), "devices"));
  out["areas"] = json::array();
  for (const auto& a : areas["areas"]) out["areas"].push_back({{"id", a["id"]}, {"label", a["label"]}});
  out["devices"] = json::array();
  for (const auto& d : devices["devices"]) {
    if (d.value("setting", "") == "home") out["devices"].push_back({{"id", d["id"]}, {"label", d["label"]}});
  }
  std::set<std::string> treated;
  NW_TRY(sessions, c.store->sessions_of(client));
  for (const auto& x : sessions) treated.insert(x.area);
  NW_TRY(home, c.clinic->home_sessions(client));
  for (const auto& x : home) treated.insert(x.area);
  out["next"] = json::array();
  for (const auto& area : treated) {
    NW_TRY(next, c.clinic->next_home_session(client, area, today(req)));
    if (!next) continue;
    const auto* a = s.pack().find_area(area);
    out["next"].push_back({{"area", area},
                           {"area_label", a != nullptr ? a->label : area},
                           {"earliest", units::format_date(*next)}});
  }
  return json_response(out);
}

}  // namespace

std::vector<Route> home_routes() {
  const RoleSet front = roles({Role::admin, Role::practitioner, Role::reception});
  std::vector<Route> r;
  r.push_back(Route{.method = "GET",
                    .path = "/api/v1/clients/{id}/home-rollers",
                    .roles = front,
                    .summary = "A client's home rollers, with their days in use and uses",
                    .response_schema = "HomeRollerList",
                    .handler = reading(list_home_rollers<from_path>)});
  r.push_back(Route{.method = "POST",
                    .path = "/api/v1/clients/{id}/home-rollers",
                    .roles = front,
                    .body = BodyKind::json,
                    .summary = "Register a client's home roller with its lot",
                    .request_schema = "NewHomeRoller",
                    .response_schema = "HomeRoller",
                    .success = 201,
                    .writes = true,
                    .handler = writing(register_home_roller<from_path>)});
  r.push_back(Route{.method = "POST",
                    .path = "/api/v1/home-rollers/{id}/retire",
                    .roles = front,
                    .body = BodyKind::json,
                    .summary = "Retire a client's home roller",
                    .request_schema = "HomeRollerRetirement",
                    .response_schema = "HomeRoller",
                    .success = 200,
                    .writes = true,
                    .handler = retire_home_roller});
  r.push_back(Route{.method = "GET",
                    .path = "/api/v1/clients/{id}/home-sessions",
                    .roles = front,
                    .summary = "A client's home sessions, by day",
                    .response_schema = "HomeSessionList",
                    .handler = reading(list_home_sessions<from_path>)});
  r.push_back(Route{.method = "POST",
                    .path = "/api/v1/clients/{id}/home-sessions",
                    .roles = front,
                    .body = BodyKind::json,
                    .summary = "Log a home session (the pack's maintenance rule applies: a refusal is 409)",
                    .request_schema = "NewHomeSession",
                    .response_schema = "LoggedHomeSession",
                    .success = 201,
                    .writes = true,
                    .handler = writing(log_home_session<from_path>)});

  // The client portal's own: the same handlers, the client taken from the principal.
  r.push_back(
      Route{.method = "GET",
            .path = "/api/v1/portal/home-plan",
            .roles = client_only,
            .summary = "My home maintenance plan: the schedule, the choices, the next day allowed per area",
            .response_schema = "PortalHomePlan",
            .handler = reading(home_plan)});
  r.push_back(Route{.method = "GET",
                    .path = "/api/v1/portal/home-rollers",
                    .roles = client_only,
                    .summary = "My home rollers, with their days in use and uses",
                    .response_schema = "HomeRollerList",
                    .handler = reading(list_home_rollers<from_principal>)});
  r.push_back(Route{.method = "POST",
                    .path = "/api/v1/portal/home-rollers",
                    .roles = client_only,
                    .body = BodyKind::json,
                    .summary = "Register my home roller with the lot printed on its pack",
                    .request_schema = "NewHomeRoller",
                    .response_schema = "HomeRoller",
                    .success = 201,
                    .writes = true,
                    .handler = writing(register_home_roller<from_principal>)});
  r.push_back(Route{.method = "GET",
                    .path = "/api/v1/portal/home-sessions",
                    .roles = client_only,
                    .summary = "My home sessions, by day",
                    .response_schema = "HomeSessionList",
                    .handler = reading(list_home_sessions<from_principal>)});
  r.push_back(Route{.method = "POST",
                    .path = "/api/v1/portal/home-sessions",
                    .roles = client_only,
                    .body = BodyKind::json,
                    .summary = "Log my home session (the pack's maintenance rule applies: a refusal is 409)",
                    .request_schema = "NewHomeSession",
                    .response_schema = "LoggedHomeSession",
                    .success = 201,
                    .writes = true,
                    .handler = writing(log_home_session<from_principal>)});
  return r;
}

}  // namespace needlework::server
