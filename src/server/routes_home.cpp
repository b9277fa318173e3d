// Home maintenance over HTTP (S2): a client's home rollers and home sessions. The routes are thin: they read
// the body's fields and call ClinicStore, which checks that every record touched is the client's and applies
// the pack's maintenance rule, so the client portal can serve the same functions with the signed-in client's
// own id.

#include <fmt/format.h>

#include <limits>

#include "needlework/store/json.hpp"
#include "routes.hpp"

namespace needlework::server {
namespace {

using nlohmann::json;
using store::ClinicStore;
using store::Id;

using Write = std::function<Result<Response>(ClinicStore&)>;

store::Date today(const Request& req) { return std::chrono::floor<std::chrono::days>(req.actor().at); }

/// A home roller just written, with its life as the store derives it (days in use, uses).
Result<store::HomeRollerLife> life_of(ClinicStore& cs, const store::HomeRollerRecord& r,
                                      const store::Actor& by) {
  NW_TRY(lives, cs.home_rollers(r.client_id, std::chrono::floor<std::chrono::days>(by.at)));
  for (auto& l : lives) {
    if (l.roller.id == r.id) return std::move(l);
  }
  return fail(ErrorCode::not_found, fmt::format("home roller {} was not found", r.id), "home_roller");
}

Result<Response> list_home_rollers(Services&, Request& req, ReadConnection& c) {
  NW_TRY(lives, c.clinic->home_rollers(req.params.at("id"), today(req)));
  json items = json::array();
  for (const auto& l : lives) items.push_back(store::to_json(l));
  return json_response({{"items", items}});
}

auto register_home_roller = writing([](Services&, Request& req) -> Result<Write> {
  clinic::JsonFields f(req.json);
  NW_TRY(device, f.string("device"));
  NW_TRY(lot, f.string("lot"));
  NW_TRY(on, f.date("registered_on", false));
  NW_CHECK(f.finish());
  const store::HomeRollerSpec spec{device, lot, on.value_or(today(req))};
  return [client = req.params.at("id"), spec, actor = req.actor()](ClinicStore& cs) -> Result<Response> {
    NW_TRY(made, cs.register_home_roller(actor, client, spec));
    NW_TRY(life, life_of(cs, made, actor));
    return created(store::to_json(life));
  };
});

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

Result<Response> list_home_sessions(Services&, Request& req, ReadConnection& c) {
  NW_TRY(sessions, c.clinic->home_sessions(req.params.at("id")));
  json items = json::array();
  for (const auto& s : sessions) items.push_back(store::to_json(s));
  return json_response({{"items", items}});
}

auto log_home_session = writing([](Services&, Request& req) -> Result<Write> {
  clinic::JsonFields f(req.json);
  NW_TRY(roller, f.integer("home_roller_id", 1, std::numeric_limits<std::int64_t>::max(), true));
  NW_TRY(area, f.string("area"));
  NW_TRY(on, f.date("performed_on", true));
  NW_TRY(note, f.string("note", false));
  NW_CHECK(f.finish());
  const store::HomeSessionInput input{*roller, area, *on, note};
  return [client = req.params.at("id"), input, actor = req.actor()](ClinicStore& cs) -> Result<Response> {
    NW_TRY(logged, cs.log_home_session(actor, client, input));
    return created(store::to_json(logged));
  };
});

}  // namespace

std::vector<Route> home_routes() {
  const RoleSet front = roles({Role::admin, Role::practitioner, Role::reception});
  std::vector<Route> r;
  r.push_back(Route{.method = "GET",
                    .path = "/api/v1/clients/{id}/home-rollers",
                    .roles = front,
                    .summary = "A client's home rollers, with their days in use and uses",
                    .response_schema = "HomeRollerList",
                    .handler = reading(list_home_rollers)});
  r.push_back(Route{.method = "POST",
                    .path = "/api/v1/clients/{id}/home-rollers",
                    .roles = front,
                    .body = BodyKind::json,
                    .summary = "Register a client's home roller with its lot",
                    .request_schema = "NewHomeRoller",
                    .response_schema = "HomeRoller",
                    .success = 201,
                    .writes = true,
                    .handler = register_home_roller});
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
                    .handler = reading(list_home_sessions)});
  r.push_back(Route{.method = "POST",
                    .path = "/api/v1/clients/{id}/home-sessions",
                    .roles = front,
                    .body = BodyKind::json,
                    .summary = "Log a home session (the pack's maintenance rule applies: a refusal is 409)",
                    .request_schema = "NewHomeSession",
                    .response_schema = "LoggedHomeSession",
                    .success = 201,
                    .writes = true,
                    .handler = log_home_session});
  return r;
}

}  // namespace needlework::server
