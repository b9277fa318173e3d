// The pure clinical engines over HTTP: screen, plan, protocol, aftercare and follow-up triage on a posted
// document, nothing stored — the same readers (clinic::parse_*) and JSON (clinic/json.hpp) as the CLI.

#include <fmt/format.h>

#include "needlework/clinic/engine.hpp"
#include "needlework/clinic/fields.hpp"
#include "needlework/clinic/intake.hpp"
#include "needlework/clinic/json.hpp"
#include "routes.hpp"

namespace needlework::server {
namespace {

using nlohmann::json;

/// A document nested under `key` (the intake of a plan request, the session of an aftercare request), parsed
/// by `parse` with the pack; its errors are located under `key` ("intake.client.id").
template <class Parse>
auto nested(const json& doc, std::string_view key, const knowledge::Pack& pack, Parse&& parse)
    -> decltype(parse(doc, pack)) {
  auto r = parse(doc, pack);
  if (!r) {
    Error e = r.error();
    e.where = e.where.empty() ? std::string(key) : fmt::format("{}.{}", key, e.where);
    return std::unexpected(e);
  }
  return r;
}

Result<Response> screen(Services& s, Request& req) {
  NW_TRY(intake, clinic::parse_intake(req.json, s.pack()));
  return json_response(clinic::to_json(clinic::screen(intake, s.pack())));
}

/// {"intake": {…}, "start"?: date, "sessions_per_week"?: n, "session_price"?: {"amount": 120.0,
/// "currency": "USD"}}.
Result<Response> plan(Services& s, Request& req) {
  clinic::JsonFields f(req.json);
  const json* intake_doc = f.get("intake");
  if (intake_doc == nullptr)
    return fail(ErrorCode::missing_field, "is required (the intake document)", "intake");
  NW_TRY(start, f.date("start", false));
  NW_TRY(per_week, f.number("sessions_per_week", clinic::sessions_per_week_rule, false));
  const json* price = f.get("session_price");
  NW_CHECK(f.finish());
  NW_TRY(intake, nested(*intake_doc, "intake", s.pack(), clinic::parse_intake));
  clinic::PlanOptions options;
  options.regions = &s.regions();
  if (per_week) options.sessions_per_week = static_cast<int>(*per_week);
  if (price != nullptr) {
    clinic::JsonFields p(*price, "session_price");
    NW_CHECK(p.require_object());
    static constexpr units::NumberRule amount_rule{"amount", 0.0, 1e7, false, false, ""};
    NW_TRY(amount, p.number("amount", amount_rule, true));
    NW_TRY(currency, p.string("currency"));
    NW_CHECK(p.finish());
    if (currency.size() != 3) {
      return fail(ErrorCode::invalid_value, "must be a 3-letter currency code", "session_price.currency");
    }
    options.session_price = units::Money{static_cast<std::int64_t>(*amount * 100.0 + 0.5), currency};
  }
  NW_TRY(p, clinic::plan(intake, s.pack(), start.value_or(intake.date), options));
  return json_response(clinic::to_json(p));
}

Result<Response> protocol(Services& s, Request& req) {
  NW_TRY(session, clinic::parse_session(req.json, s.pack()));
  NW_TRY(p, clinic::protocol(session, s.pack(), &s.regions()));
  return json_response(clinic::to_json(p));
}

/// {"session": {…}, "end"?: time} — the end defaults to the start plus the longest timed steps.
Result<Response> aftercare(Services& s, Request& req) {
  clinic::JsonFields f(req.json);
  const json* session_doc = f.get("session");
  if (session_doc == nullptr)
    return fail(ErrorCode::missing_field, "is required (the session document)", "session");
  NW_TRY(end_text, f.string("end", false));
  NW_TRY(format, f.string("format", false));
  NW_CHECK(f.finish());
  NW_TRY(session, nested(*session_doc, "session", s.pack(), clinic::parse_session));
  NW_TRY(checklist, clinic::protocol(session, s.pack(), &s.regions()));
  units::DateTime end = session.start + std::chrono::duration_cast<std::chrono::seconds>(checklist.timed_max);
  if (!end_text.empty()) {
    auto t = units::parse_date_time(end_text);
    if (!t) return fail(t.error().code, t.error().message, "end");
    end = *t;
  }
  NW_TRY(sheet, clinic::aftercare(session, end, s.pack(), &s.resealing()));
  if (format.empty() || format == "json") return json_response(clinic::to_json(sheet));
  Response r;
  if (format == "markdown") {
    r.content_type = "text/markdown; charset=utf-8";
    r.body = clinic::render_markdown(sheet, s.pack());
  } else if (format == "text") {
    r.content_type = "text/plain; charset=utf-8";
    r.body = clinic::render_text(sheet, s.pack());
  } else {
    return fail(ErrorCode::invalid_value, "must be json, markdown or text", "format");
  }
  return r;
}

Result<Response> followup(Services& s, Request& req) {
  NW_TRY(in, clinic::parse_followup(req.json, s.pack()));
  return json_response(clinic::to_json(clinic::followup(in, s.pack())));
}

}  // namespace

std::vector<Route> engine_routes() {
  const RoleSet clinical = roles({Role::admin, Role::practitioner});
  std::vector<Route> r;
  auto post = [&](std::string path, RoleSet who, std::string summary, std::string request_schema,
                  std::string schema, auto handler) {
    r.push_back(Route{.method = "POST",
                      .path = std::move(path),
                      .roles = who,
                      .body = BodyKind::json,
                      .summary = std::move(summary),
                      .request_schema = std::move(request_schema),
                      .response_schema = std::move(schema),
                      .handler = computing(handler)});
  };
  // Screening decisions are clinical work: reception books and signs consents, it does not screen (issue
  // #12).
  post("/api/v1/screen", clinical, "Screen an intake (nothing stored)", "Intake", "Screening", screen);
  post("/api/v1/plan", clinical, "Plan a course for an intake (nothing stored)", "PlanRequest", "Plan", plan);
  post("/api/v1/protocol", clinical, "The timed checklist for a session (nothing stored)", "SessionInput",
       "Protocol", protocol);
  post("/api/v1/aftercare", clinical, "The aftercare sheet for a session (JSON, markdown or text)",
       "AftercareRequest", "AftercareSheet", aftercare);
  post("/api/v1/followup", clinical, "Triage follow-up observations (nothing stored)", "FollowupInput",
       "FollowupResult", followup);
  return r;
}

}  // namespace needlework::server
