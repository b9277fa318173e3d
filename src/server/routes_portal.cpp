// The client portal (issue #14, docs/portal.md): single-use sign-in links sent by email, a client's own
// session (Role::client, its own cookies), and what a client may see and do of their own records — their
// sessions and aftercare sheets, the 24-hour self-check (ClinicStore::record_followup: the pure follow-up
// engine triages, "see a doctor" opens an escalation), a follow-up photo, upcoming visits and their calendar
// feed, the consents they signed.
//
// Every portal route reads the client from the principal, never from the path or the body: an id in a path
// that is not one of the principal's own records is answered 404, exactly as a missing one. A new portal page
// is a new route here (and a page in web/src/portal/).

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <limits>

#include "needlework/clinic/engine.hpp"
#include "needlework/clinic/json.hpp"
#include "needlework/server/credentials.hpp"
#include "needlework/store/json.hpp"
#include "needlework/units/date.hpp"
#include "needlework/units/number.hpp"
#include "needlework/units/refusals.hpp"
#include "needlework/units/text.hpp"
#include "routes.hpp"

namespace needlework::server {
namespace {

using nlohmann::json;
using store::ClinicStore;
using store::Id;

/// How long a sign-in link is accepted: 15 minutes, once (issue #14: "a random token stored hashed, 15-minute
/// expiry, one use"). Short, because the link is the only secret between the mailbox and the records.
constexpr std::chrono::minutes link_lifetime{15};

/// The one answer to a link request, known address or not (no enumeration).
constexpr std::string_view link_requested =
    "If we know this address, a sign-in link is on its way to it. The link works once, for 15 minutes.";

/// The one answer to a link that cannot sign in: unknown, used and expired alike.
constexpr std::string_view link_refused =
    "This sign-in link is not valid: it was used already, it expired, or it is not one of ours. Ask for a "
    "new "
    "one.";

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

/// Where links in messages point: the server's public address (docs/server.md, `public_url`).
std::string base_url(const Services& s) { return public_url_of(s.config()); }

/// Issues a link for `client` and queues its message (inside the caller's write transaction).
Result<store::OutboxMessage> issue_link(const Services& s, ClinicStore& cs, const store::Actor& by,
                                        const store::ClientRecord& client, std::string requested_from) {
  const std::string token = new_token();
  store::PortalLink link;
  link.token_hash = token_hash(token);
  link.client_id = client.id;
  link.created_at = by.at;
  link.expires_at = by.at + std::chrono::duration_cast<std::chrono::seconds>(link_lifetime);
  link.requested_from = std::move(requested_from);
  NW_CHECK(cs.repository().insert_portal_link(by, link));
  // The token goes in the fragment (#token=…): a browser never sends a fragment to a server, so the link's
  // secret stays out of access logs and Referer headers on its way to the sign-in page.
  const std::string url = fmt::format("{}/portal/sign-in#token={}", base_url(s), token);
  // The pack's words (MSG.portal_link), with the link and its lifetime.
  store::MessageRequest m;
  m.client_id = client.id;
  m.kind = knowledge::MessageKind::portal_link;
  m.fields["link"] = {url};
  m.fields["minutes"] = {std::to_string(link_lifetime.count())};
  NW_TRY(queued, cs.queue_composed(by, std::move(m)));
  return std::move(queued.message);
}

/// The throttle keys of a link request (per address asked from, per email address asked for).
std::vector<std::string> link_keys(const Request& req, std::string_view email) {
  return {"portal-email:" + lower(trimmed(email)), "portal-addr:" + req.remote};
}

/// Seconds until every key is below the limit again (0: not throttled).
Result<std::int64_t> throttled_for(const Services& s, ReadConnection& c, const Request& req,
                                   const std::vector<std::string>& keys) {
  const auto window = std::chrono::duration_cast<std::chrono::seconds>(s.config().login_window);
  std::int64_t wait = 0;
  for (const auto& k : keys) {
    NW_TRY(t, c.store->find_login_throttle(k));
    if (t && t->failures >= s.config().login_max_failures && req.now < t->window_start + window) {
      wait = std::max<std::int64_t>(wait, (t->window_start + window - req.now).count());
    }
  }
  return wait;
}

Response too_many(std::int64_t retry_after_s, std::string_view what) {
  auto r = error_response(429, "too_many_requests",
                          fmt::format("too many {}; try again in {} seconds", what, retry_after_s));
  r.headers.emplace_back("Retry-After", std::to_string(retry_after_s));
  return r;
}

/// POST /api/v1/portal/link {"email"}: 202 with the same answer whether the address is known or not.
void request_link(Services& s, Request& req, Reply reply) {
  clinic::JsonFields f(req.json);
  auto email = f.string("email");
  if (!email) return reply(error_response(email.error()));
  if (auto done = f.finish(); !done) return reply(error_response(done.error()));
  const auto keys = link_keys(req, *email);
  auto wait = s.read([&](ReadConnection& c) { return throttled_for(s, c, req, keys); });
  if (!wait) return reply(error_response(wait.error()));
  if (*wait > 0) return reply(too_many(*wait, "sign-in links asked for"));
  // Every request counts toward the limit (a known address or not, so the limit tells nothing either).
  const auto window = std::chrono::duration_cast<std::chrono::seconds>(s.config().login_window);
  s.write(std::move(reply),
          [&s, keys, window, email = std::string(trimmed(*email)), actor = store::Actor{"portal", req.now},
           from = req.remote](ClinicStore& cs) -> Result<Response> {
            for (const auto& k : keys) NW_CHECK(cs.repository().count_login_failure(k, actor.at, window));
            NW_TRY(clients, cs.repository().clients_with_email(email));
            for (const auto& client : clients) NW_CHECK(issue_link(s, cs, actor, client, from));
            return json_response({{"message", link_requested}}, 202);
          });
}

/// POST /api/v1/clients/{id}/portal-link (front desk): the same link, sent for a client.
void send_link(Services& s, Request& req, Reply reply) {
  const std::string id = req.params.at("id");
  s.write(
      std::move(reply),
      [&s, id, actor = req.actor(), from = "staff:" + req.user->name](ClinicStore& cs) -> Result<Response> {
        NW_TRY(client, cs.repository().find_client(id));
        if (!client) return fail(ErrorCode::not_found, fmt::format("no client {}", units::excerpt(id)), "id");
        if (client->email.empty()) {
          return fail(ErrorCode::invalid_value,
                      "the client has no email address to send the link to: add one to the client first",
                      "email");
        }
        NW_TRY(message, issue_link(s, cs, actor, *client, from));
        return json_response(
            {{"client_id", client->id},
             {"message_id", message.id},
             {"expires_at", units::format_date_time(
                                actor.at + std::chrono::duration_cast<std::chrono::seconds>(link_lifetime))}},
            202);
      });
}

/// POST /api/v1/clients/{id}/portal-access/end (front desk): every portal session of the client ended and
/// every calendar feed revoked — a lost phone, a client who leaves.
void end_access(Services& s, Request& req, Reply reply) {
  s.write_store(std::move(reply),
                [id = req.params.at("id"), actor = req.actor()](store::Store& st) -> Result<Response> {
                  NW_TRY(ended, st.end_portal_access(actor, id));
                  return json_response({{"client_id", ended.client_id},
                                        {"sessions_ended", ended.sessions_ended},
                                        {"feeds_revoked", ended.feeds_revoked}});
                });
}

void set_portal_cookies(Response& r, const Services& s, const std::string& token, const std::string& csrf) {
  const bool tls = !s.config().tls_cert.empty();
  const auto max_age = std::chrono::duration_cast<std::chrono::seconds>(s.config().session_lifetime).count();
  const std::string secure = tls ? "; Secure" : "";
  r.headers.emplace_back("Set-Cookie", fmt::format("{}={}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}{}",
                                                   portal_cookie, token, max_age, secure));
  r.headers.emplace_back("Set-Cookie", fmt::format("{}={}; SameSite=Strict; Path=/; Max-Age={}{}",
                                                   portal_csrf_cookie, csrf, max_age, secure));
}

/// POST /api/v1/portal/session {"token"}: the link accepted (once) and a client session opened.
void sign_in(Services& s, Request& req, Reply reply) {
  clinic::JsonFields f(req.json);
  auto token = f.string("token");
  if (!token) return reply(error_response(token.error()));
  if (auto done = f.finish(); !done) return reply(error_response(done.error()));
  const std::vector<std::string> keys = {"portal-signin-addr:" + req.remote};
  auto wait = s.read([&](ReadConnection& c) { return throttled_for(s, c, req, keys); });
  if (!wait) return reply(error_response(wait.error()));
  if (*wait > 0) return reply(too_many(*wait, "sign-in links that did not work"));
  const auto window = std::chrono::duration_cast<std::chrono::seconds>(s.config().login_window);
  store::ClientSession session;
  const std::string session_token = new_token();
  const std::string csrf = new_token();
  session.token_hash = token_hash(session_token);
  session.csrf_hash = token_hash(csrf);
  session.created_at = req.now;
  session.last_seen_at = req.now;
  session.expires_at =
      req.now + std::chrono::duration_cast<std::chrono::seconds>(s.config().session_lifetime);
  s.write(std::move(reply),
          [&s, hash = token_hash(trimmed(*token)), session, session_token, csrf, keys, window,
           actor = store::Actor{"portal", req.now}](ClinicStore& cs) mutable -> Result<Response> {
            auto& st = cs.repository();
            // Checked and marked used in one statement, in this transaction: a second use finds it used.
            NW_TRY(link, st.use_portal_link(actor, hash));
            if (!link) {
              for (const auto& k : keys) NW_CHECK(st.count_login_failure(k, actor.at, window));
              return error_response(401, "unauthorized", link_refused);
            }
            NW_TRY(client, st.find_client(link->client_id));
            if (!client) return error_response(401, "unauthorized", link_refused);
            session.client_id = client->id;
            NW_CHECK(st.insert_client_session(session));
            auto r = json_response({{"client", {{"id", client->id}, {"name", client->name}}},
                                    {"csrf_token", csrf},
                                    {"expires_at", units::format_date_time(session.expires_at)}});
            set_portal_cookies(r, s, session_token, csrf);
            return r;
          });
}

void sign_out(Services& s, Request& req, Reply reply) {
  s.write_store(
      std::move(reply), [hash = req.user->session_hash, now = req.now](store::Store& st) -> Result<Response> {
        NW_CHECK(st.end_client_session(hash, now));
        Response r;
        r.status = 204;
        r.content_type.clear();
        r.headers.emplace_back(
            "Set-Cookie", fmt::format("{}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0", portal_cookie));
        r.headers.emplace_back("Set-Cookie",
                               fmt::format("{}=; SameSite=Strict; Path=/; Max-Age=0", portal_csrf_cookie));
        return r;
      });
}

const std::string& client_of(const Request& req) { return req.user->client_id; }

std::string area_label(const Services& s, std::string_view area) {
  const auto* a = s.pack().find_area(area);
  return a != nullptr ? a->label : std::string(area);
}

Result<Response> me(Services&, Request& req, ReadConnection& c) {
  NW_TRY(client, c.store->find_client(client_of(req)));
  if (!client) return fail(ErrorCode::not_found, "the client no longer exists");
  NW_TRY(session, c.store->find_client_session(req.user->session_hash));
  json j = {{"client", {{"id", client->id}, {"name", client->name}}}};
  j["client"]["email"] = client->email.empty() ? json(nullptr) : json(client->email);
  j["session_expires_at"] = session ? json(units::format_date_time(session->expires_at)) : json(nullptr);
  return json_response(j);
}

/// A session of the principal's; 404 — the answer for a missing one — when it is another client's.
Result<store::SessionRecord> own_session(store::Store& st, std::string_view client, Id id) {
  NW_TRY(s, st.find_session(id));
  if (!s || s->client_id != client) {
    return fail(ErrorCode::not_found, fmt::format("no session {}", id), "id");
  }
  return std::move(*s);
}

Result<Response> my_sessions(Services& s, Request& req, ReadConnection& c) {
  NW_TRY(sessions, c.store->sessions_of(client_of(req)));
  std::vector<json> items;
  for (const auto& x : sessions) {
    json j = {{"id", x.id},
              {"date", units::format_date(std::chrono::floor<std::chrono::days>(x.started_at))},
              {"started_at", units::format_date_time(x.started_at)},
              {"area", x.area},
              {"area_label", area_label(s, x.area)},
              {"finished", x.finished_at.has_value()}};
    j["finished_at"] = x.finished_at ? json(units::format_date_time(*x.finished_at)) : json(nullptr);
    items.push_back(std::move(j));
  }
  NW_TRY(out, page(req, items, [](const json& j) { return j.at("id").dump(); }));
  return json_response(out);
}

Result<Response> my_aftercare(Services& s, Request& req, ReadConnection& c) {
  NW_TRY(id, id_param(req, "id"));
  NW_TRY(session, own_session(*c.store, client_of(req), id));
  if (!session.finished_at) {
    return refuse(std::string(refusals::session_unfinished),
                  "the session has not finished yet: its aftercare sheet comes when it ends", "id");
  }
  // The sheet its finish queued: the same session, the same end, the same pack.
  NW_TRY(sheet, clinic::aftercare(ClinicStore::session_input(session), *session.finished_at, s.pack(),
                                  &s.resealing()));
  return json_response(clinic::to_json(sheet));
}

Result<Response> observations(Services& s, Request&) {
  json items = json::array();
  for (const auto& o : s.pack().observations) items.push_back({{"id", o.id}, {"label", o.label}});
  return json_response({{"items", items}});
}

/// POST /api/v1/portal/sessions/{id}/self-check {"observations", "observed_at"?, "photo_id"?}.
void self_check(Services& s, Request& req, Reply reply) {
  auto id = id_param(req, "id");
  if (!id) return reply(error_response(id.error()));
  clinic::JsonFields f(req.json);
  auto seen = f.strings("observations", true);
  auto at_text = f.string("observed_at", false);
  auto photo = f.integer("photo_id", 1, std::numeric_limits<std::int64_t>::max(), false);
  if (!seen) return reply(error_response(seen.error()));
  if (!at_text) return reply(error_response(at_text.error()));
  if (!photo) return reply(error_response(photo.error()));
  if (auto done = f.finish(); !done) return reply(error_response(done.error()));
  store::DateTime observed = req.now;
  if (!at_text->empty()) {
    auto t = units::parse_date_time(*at_text);
    if (!t) return reply(error_response(Error{t.error().code, t.error().message, "observed_at"}));
    if (*t > req.now) {
      return reply(error_response(Error{
          ErrorCode::out_of_range, "is later than now: report what you have already seen", "observed_at"}));
    }
    observed = *t;
  }
  // Stamped with the time of the observation: the engine triages by the hours since the session ended.
  const store::Actor actor{req.user->name, observed};
  s.write(std::move(reply),
          [client = client_of(req), id = *id, seen = *seen, photo = *photo,
           actor](ClinicStore& cs) -> Result<Response> {
            NW_TRY(session, own_session(cs.repository(), client, id));
            if (photo) {
              NW_TRY(photos, cs.repository().photos_of(session.client_id));
              const bool own =
                  std::any_of(photos.begin(), photos.end(), [&](const auto& p) { return p.id == *photo; });
              if (!own) return fail(ErrorCode::not_found, fmt::format("no photo {}", *photo), "photo_id");
            }
            NW_TRY(r, cs.record_followup(actor, session.id, seen));
            json body = {{"followup_id", r.followup.id},
                         {"session_id", session.id},
                         {"observed_at", units::format_date_time(actor.at)},
                         {"result", clinic::to_json(r.result)},
                         {"escalated", r.escalation.has_value()}};
            body["photo_id"] = photo ? json(*photo) : json(nullptr);
            return created(body);
          });
}

/// POST /api/v1/portal/photos[?session_id=]: a follow-up photo of the principal's, the staff upload's checks.
void upload_photo(Services& s, Request& req, Reply reply) {
  store::PhotoInput p;
  p.client_id = client_of(req);
  p.kind = "followup";
  p.original_name = req.param("name").value_or("");
  if (auto sid = req.param("session_id")) {
    auto n = units::parse_integer(*sid, "session_id", 1, std::numeric_limits<std::int64_t>::max());
    if (!n) return reply(error_response(n.error()));
    p.session_id = *n;
  }
  p.bytes = std::move(req.body);
  s.write(std::move(reply), [p = std::move(p), actor = req.actor()](ClinicStore& cs) -> Result<Response> {
    if (p.session_id) {
      NW_TRY(session, cs.repository().find_session(*p.session_id));
      if (!session || session->client_id != p.client_id) {
        return fail(ErrorCode::not_found, fmt::format("no session {}", *p.session_id), "session_id");
      }
    }
    NW_TRY(made, cs.add_photo(actor, p));
    return created(store::to_json(made));
  });
}

/// The principal's booked appointments from `now` on, soonest first.
Result<std::vector<store::AppointmentRecord>> upcoming(store::Store& st, std::string_view client,
                                                       store::DateTime now) {
  NW_TRY(all, st.appointments_of(client));
  std::vector<store::AppointmentRecord> out;
  for (auto& a : all) {
    if (a.state == store::AppointmentState::booked && a.at >= now) out.push_back(std::move(a));
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.at < b.at || (a.at == b.at && a.id < b.id); });
  return out;
}

Result<Response> my_visits(Services& s, Request& req, ReadConnection& c) {
  NW_TRY(visits, upcoming(*c.store, client_of(req), req.now));
  std::vector<json> items;
  for (const auto& a : visits) {
    items.push_back({{"id", a.id},
                     {"at", units::format_date_time(a.at)},
                     {"area", a.area},
                     {"area_label", area_label(s, a.area)}});
  }
  NW_TRY(out, page(req, items, [](const json& j) { return j.at("id").dump(); }));
  return json_response(out);
}

std::string feed_path(std::string_view token) { return fmt::format("/api/v1/portal/calendar/{}.ics", token); }

void make_feed(Services& s, Request& req, Reply reply) {
  const std::string token = new_token();
  store::CalendarFeed feed{token_hash(token), client_of(req), req.now, std::nullopt};
  s.write_store(std::move(reply), [&s, feed, token](store::Store& st) -> Result<Response> {
    NW_CHECK(st.insert_calendar_feed(feed));
    return created({{"url", base_url(s) + feed_path(token)}, {"path", feed_path(token)}});
  });
}

/// GET /api/v1/portal/calendar/{file} — `<token>.ics`, public by its token: the client's upcoming visits.
Result<Response> calendar(Services&, Request& req, ReadConnection& c) {
  const std::string& file = req.params.at("file");
  const auto not_found = fail(ErrorCode::not_found, "no such calendar (it may have been replaced)", "file");
  if (!file.ends_with(".ics") || file.size() <= 4) return not_found;
  NW_TRY(feed, c.store->find_calendar_feed(token_hash(file.substr(0, file.size() - 4))));
  if (!feed || feed->revoked_at) return not_found;
  NW_TRY(visits, upcoming(*c.store, feed->client_id, req.now));
  NW_TRY(calendar, c.clinic->visit_ics(visits, req.now));
  Response r;
  r.content_type = "text/calendar; charset=utf-8";
  r.body = std::move(calendar);
  return r;
}

Result<Response> my_consents(Services&, Request& req, ReadConnection& c) {
  NW_TRY(consents, c.store->consents_of(client_of(req)));
  std::vector<json> items;
  for (const auto& x : consents) {
    json j = {{"id", x.id},
              {"signed_at", units::format_date_time(x.signed_at)},
              {"signer", x.signer},
              // The version of the text signed is its SHA-256 (the text itself is the clinic's).
              {"version", x.text_sha256}};
    j["withdrawn_at"] = x.withdrawn_at ? json(units::format_date_time(*x.withdrawn_at)) : json(nullptr);
    items.push_back(std::move(j));
  }
  NW_TRY(out, page(req, items, [](const json& j) { return j.at("id").dump(); }));
  return json_response(out);
}

}  // namespace

std::vector<Route> portal_routes() {
  const RoleSet front_desk = roles({Role::admin, Role::practitioner, Role::reception});
  std::vector<Route> r;
  r.push_back(Route{.method = "POST",
                    .path = "/api/v1/portal/link",
                    .roles = 0,
                    .body = BodyKind::json,
                    .summary = "Ask for a sign-in link by email (the same answer for any address)",
                    .request_schema = "PortalLinkRequest",
                    .response_schema = "PortalLinkRequested",
                    .success = 202,
                    .writes = true,
                    .handler = request_link});
  r.push_back(Route{.method = "POST",
                    .path = "/api/v1/clients/{id}/portal-link",
                    .roles = front_desk,
                    .summary = "Send a client a portal sign-in link",
                    .response_schema = "PortalLinkSent",
                    .success = 202,
                    .writes = true,
                    .handler = send_link});
  r.push_back(Route{.method = "POST",
                    .path = "/api/v1/clients/{id}/portal-access/end",
                    .roles = front_desk,
                    .summary =
                        "End a client's portal access: every portal session ended, every calendar feed "
                        "revoked",
                    .response_schema = "PortalAccessEnded",
                    .writes = true,
                    .handler = end_access});
  r.push_back(
      Route{.method = "POST",
            .path = "/api/v1/portal/session",
            .roles = 0,
            .body = BodyKind::json,
            .summary = "Sign in with a link's token (once): a portal session cookie and its CSRF token",
            .request_schema = "PortalSignIn",
            .response_schema = "PortalSession",
            .writes = true,
            .handler = sign_in});
  r.push_back(Route{.method = "POST",
                    .path = "/api/v1/portal/logout",
                    .roles = client_only,
                    .summary = "End this portal session",
                    .response_type = "",
                    .success = 204,
                    .writes = true,
                    .handler = sign_out});
  r.push_back(Route{.method = "GET",
                    .path = "/api/v1/portal/me",
                    .roles = client_only,
                    .summary = "Who is signed in, and until when",
                    .response_schema = "PortalMe",
                    .handler = reading(me)});
  r.push_back(Route{.method = "GET",
                    .path = "/api/v1/portal/sessions",
                    .roles = client_only,
                    .summary = "My treatment sessions",
                    .response_schema = "PortalSessionPage",
                    .query = page_params(),
                    .handler = reading(my_sessions)});
  r.push_back(Route{.method = "GET",
                    .path = "/api/v1/portal/sessions/{id}/aftercare",
                    .roles = client_only,
                    .summary = "The aftercare sheet of one of my sessions",
                    .response_schema = "AftercareSheet",
                    .handler = reading(my_aftercare)});
  r.push_back(Route{.method = "GET",
                    .path = "/api/v1/portal/observations",
                    .roles = client_only,
                    .summary = "What a self-check can report, in the pack's words",
                    .response_schema = "PortalObservations",
                    .handler = computing(observations)});
  r.push_back(Route{.method = "POST",
                    .path = "/api/v1/portal/sessions/{id}/self-check",
                    .roles = client_only,
                    .body = BodyKind::json,
                    .summary = "Report what I see after a session; see a doctor alerts the clinic at once",
                    .request_schema = "PortalSelfCheck",
                    .response_schema = "PortalSelfCheckResult",
                    .success = 201,
                    .writes = true,
                    .handler = self_check});
  r.push_back(
      Route{.method = "POST",
            .path = "/api/v1/portal/photos",
            .roles = client_only,
            .body = BodyKind::image,
            .summary = "Upload a follow-up photo (JPEG or PNG)",
            .response_schema = "Photo",
            .success = 201,
            .query = {QueryParam{"session_id", "integer", "the session it follows (one of mine)", false},
                      QueryParam{"name", "string", "the file's original name", false}},
            .writes = true,
            .handler = upload_photo});
  r.push_back(Route{.method = "GET",
                    .path = "/api/v1/portal/visits",
                    .roles = client_only,
                    .summary = "My upcoming visits",
                    .response_schema = "PortalVisitPage",
                    .query = page_params(),
                    .handler = reading(my_visits)});
  r.push_back(Route{.method = "POST",
                    .path = "/api/v1/portal/calendar",
                    .roles = client_only,
                    .summary = "A calendar subscription URL for my visits (.ics); it replaces my earlier one",
                    .response_schema = "PortalCalendarFeed",
                    .success = 201,
                    .writes = true,
                    .handler = make_feed});
  r.push_back(Route{.method = "GET",
                    .path = "/api/v1/portal/calendar/{file}",
                    .roles = 0,
                    .summary = "A calendar feed, by its token (`<token>.ics`): the client's upcoming visits",
                    .response_type = "text/calendar",
                    .handler = reading(calendar)});
  r.push_back(Route{.method = "GET",
                    .path = "/api/v1/portal/consents",
                    .roles = client_only,
                    .summary = "The consents I signed",
                    .response_schema = "PortalConsentPage",
                    .query = page_params(),
                    .handler = reading(my_consents)});
  return r;
}

}  // namespace needlework::server
