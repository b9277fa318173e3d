// The route table (api_routes) and what the route groups share: pagination and id parameters.

#include "routes.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "needlework/units/number.hpp"
#include "needlework/units/text.hpp"

namespace needlework::server {

std::vector<QueryParam> page_params() {
  return {QueryParam{"limit", "integer", "items per page, 1–500 (default 100)", false},
          QueryParam{"cursor", "string", "the next_cursor of the page before", false}};
}

Result<PageRange> page_range(const Request& request, std::size_t count,
                             const std::function<std::string(std::size_t)>& key) {
  std::int64_t limit = 100;
  if (auto l = request.param("limit")) {
    NW_TRY(n, units::parse_integer(*l, "limit", 1, 500));
    limit = n;
  }
  PageRange range;
  if (auto c = request.param("cursor")) {
    // The cursor is the key of the last item of the page before: the page goes on after it, so items added
    // meanwhile do not shift it.
    std::size_t i = 0;
    while (i < count && key(i) != *c) ++i;
    if (i == count) {
      return fail(ErrorCode::invalid_value,
                  "is not an item of this list (it may have been removed): start again", "cursor");
    }
    range.first = i + 1;
  }
  range.end = std::min(count, range.first + static_cast<std::size_t>(limit));
  if (range.end < count && range.end > range.first) range.next_cursor = key(range.end - 1);
  return range;
}

Result<nlohmann::json> page(const Request& request, const std::vector<nlohmann::json>& items,
                            const std::function<std::string(const nlohmann::json&)>& key) {
  NW_TRY(range, page_range(request, items.size(), [&](std::size_t i) { return key(items[i]); }));
  nlohmann::json out = {{"items", nlohmann::json::array()}, {"next_cursor", nullptr}};
  for (std::size_t i = range.first; i < range.end; ++i) out["items"].push_back(items[i]);
  if (range.next_cursor) out["next_cursor"] = *range.next_cursor;
  return out;
}

Result<store::Id> id_param(const Request& request, std::string_view name) {
  const auto it = request.params.find(name);
  const std::string text = it == request.params.end() ? std::string() : it->second;
  auto n = units::parse_integer(text, name, 1, std::numeric_limits<std::int64_t>::max());
  if (!n)
    return fail(ErrorCode::not_found, fmt::format("'{}' is not a record id", units::excerpt(text)),
                std::string(name));
  return *n;
}

std::vector<Route> api_routes() {
  std::vector<Route> all;
  all.push_back(Route{.method = "GET",
                      .path = "/api/v1/health",
                      .roles = 0,
                      .summary = "The server is up and its database answers",
                      .response_schema = "Health",
                      .handler = reading([](Services& s, Request&, ReadConnection& c) -> Result<Response> {
                        NW_TRY(schema, c.store->schema());
                        const auto stats = s.commit_stats();
                        return json_response(
                            {{"status", "ok"},
                             {"schema_version", schema.version},
                             {"pack", s.pack().label()},
                             {"group_commit", {{"batches", stats.batches}, {"writes", stats.writes}}}});
                      })});
  for (auto group :
       {auth_routes(), record_routes(), home_routes(), engine_routes(), physics_routes(), portal_routes()}) {
    for (auto& r : group) all.push_back(std::move(r));
  }
  return all;
}

}  // namespace needlework::server
