#pragma once
// The reading of a request's text before any route sees it (api.cpp): the path cut into segments, the query
// string into parts, %-escapes, the Content-Type's media type, one cookie of a Cookie header. Plain functions
// over strings, apart from the pipeline, so the fuzz build (fuzz/fuzz_request_text.cpp) runs the same code
// without the server's dependencies.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace needlework::server::request_text {

/// `s` without leading and trailing spaces and tabs.
[[nodiscard]] std::string_view trim(std::string_view s);

/// Percent-decoding of a path segment or query component (`plus` turns '+' into a space: a query). Nothing
/// for a malformed escape.
[[nodiscard]] std::optional<std::string> percent_decode(std::string_view s, bool plus);

/// The non-empty segments of a path ("/a//b/" → "a", "b"), not decoded.
[[nodiscard]] std::vector<std::string_view> split_path(std::string_view path);

/// The non-empty '&'-separated parts of a query string, not decoded.
[[nodiscard]] std::vector<std::string_view> split_query(std::string_view q);

/// The media type of a Content-Type header, lower-cased, without its parameters ("" when there is none).
[[nodiscard]] std::string media_type(std::optional<std::string_view> header);

/// The value of cookie `name` in one Cookie header's value, if it has one.
[[nodiscard]] std::optional<std::string> cookie_value(std::string_view header, std::string_view name);

}  // namespace needlework::server::request_text
