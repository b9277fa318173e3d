#pragma once
// The route groups of the API (each in its routes_<group>.cpp) and what their handlers share: reading a JSON
// body's fields, paginating a list, answering a write once it is durable. Private to the server module.

#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <type_traits>
#include <vector>

#include "needlework/clinic/json_fields.hpp"
#include "needlework/server/api.hpp"
#include "needlework/store/json.hpp"
#include "services.hpp"

namespace needlework::server {

std::vector<Route> auth_routes();     // routes_auth.cpp: login, logout, me, password, users, API keys
std::vector<Route> record_routes();   // routes_records.cpp: clients … photos, audit, export
std::vector<Route> engine_routes();   // routes_engines.cpp: screen, plan, protocol, aftercare, followup
std::vector<Route> physics_routes();  // routes_physics.cpp: simulate, devices, regions, packs, vocabulary
std::vector<Route>
portal_routes();                   // routes_portal.cpp: the client portal (sign-in links, a client's records)
std::vector<Route> home_routes();  // routes_home.cpp: home rollers and home sessions (S2)

/// On a clinic without an enabled admin login: makes the user "admin" (or gives the existing one a login)
/// with a one-time password printed to `out` — never to the log — which must be changed at first login.
Result<void> make_first_admin(Services& services, std::ostream& out);

/// Which part of a list of `count` items a list request asks for: `limit` (1–500, default 100) items after
/// the one whose key is `cursor` (the `next_cursor` of the page before). `key(i)` gives item i's stable key
/// (its id). An unknown cursor is 422.
struct PageRange {
  std::size_t first = 0;
  std::size_t end = 0;
  std::optional<std::string> next_cursor;  ///< the key of the page's last item, when more items follow
};
Result<PageRange> page_range(const Request& request, std::size_t count,
                             const std::function<std::string(std::size_t)>& key);
/// The page of `items` a list request asks for: {"items": […], "next_cursor": key or null}.
Result<nlohmann::json> page(const Request& request, const std::vector<nlohmann::json>& items,
                            const std::function<std::string(const nlohmann::json&)>& key);
/// The query parameters of a paginated list, for its route.
std::vector<QueryParam> page_params();
/// A record in an answer: its --json form (a message with its delivery state and attempts always present).
inline nlohmann::json answer_json(const store::OutboxMessage& m) { return store::message_json(m); }
template <class R>
nlohmann::json answer_json(const R& r) {
  return store::to_json(r);
}

/// `page` of records in their --json form, keyed by their id: only the page's records are converted, so a
/// long list costs one comparison per record, not a JSON document each.
template <class R>
Result<nlohmann::json> page_of(const Request& request, const std::vector<R>& records) {
  auto key = [&](std::size_t i) -> std::string {
    if constexpr (std::is_convertible_v<decltype(records[i].id), std::string>) {
      return records[i].id;
    } else {
      return std::to_string(records[i].id);
    }
  };
  NW_TRY(range, page_range(request, records.size(), key));
  nlohmann::json out = {{"items", nlohmann::json::array()}, {"next_cursor", nullptr}};
  for (std::size_t i = range.first; i < range.end; ++i) out["items"].push_back(answer_json(records[i]));
  if (range.next_cursor) out["next_cursor"] = *range.next_cursor;
  return out;
}

/// A path parameter that must be a record id (a positive whole number); 404 when it is not.
Result<store::Id> id_param(const Request& request, std::string_view name);

/// A read route's handler from `f(Services&, Request&, ReadConnection&) -> Result<Response>`.
template <class F>
std::function<void(Services&, Request&, Reply)> reading(F f) {
  return [f = std::move(f)](Services& s, Request& r, Reply reply) {
    auto out = s.read([&](ReadConnection& c) { return f(s, r, c); });
    reply(out ? std::move(*out) : error_response(out.error()));
  };
}

/// A write handler: `f(Services&, Request&) -> Result<W>` reads the request into a write (on the HTTP
/// thread), and the write `W(ClinicStore&) -> Result<Response>` runs in the group commit.
template <class F>
std::function<void(Services&, Request&, Reply)> writing(F f) {
  return [f = std::move(f)](Services& s, Request& r, Reply reply) {
    auto w = f(s, r);
    if (!w) return reply(error_response(w.error()));
    s.write(std::move(reply), std::move(*w));
  };
}

/// A handler that needs no store (the pure engines): `f(Services&, Request&) -> Result<Response>`.
template <class F>
std::function<void(Services&, Request&, Reply)> computing(F f) {
  return [f = std::move(f)](Services& s, Request& r, Reply reply) {
    auto out = f(s, r);
    reply(out ? std::move(*out) : error_response(out.error()));
  };
}

/// 201 with a record's JSON.
inline Response created(const nlohmann::json& body) { return json_response(body, 201); }

}  // namespace needlework::server
