// The text of an HTTP request before a route sees it (src/server/request_text.cpp, called by
// Api::dispatch): the path cut into segments and each %-decoded as a path parameter, the query string cut
// into parts and each key and value %-decoded (+ as space), the Content-Type's media type, and the session
// cookies of a Cookie header. The input's lines are the path, the query, the Content-Type and the Cookie
// header; a missing line is empty.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "needlework/server/api.hpp"
#include "server/request_text.hpp"
#include "support/fuzz_support.hpp"

using namespace needlework;
namespace rt = server::request_text;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input = fuzz::text_of(data, size);
  std::vector<std::string_view> lines;
  std::string_view rest = input;
  for (int i = 0; i < 3; ++i) {
    const auto nl = rest.find('\n');
    lines.push_back(rest.substr(0, nl));
    rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
  }
  lines.push_back(rest);
  for (auto segment : rt::split_path(lines[0])) (void)rt::percent_decode(segment, false);
  for (auto part : rt::split_query(lines[1])) {
    const auto eq = part.find('=');
    auto key = rt::percent_decode(part.substr(0, eq), true);
    auto value =
        rt::percent_decode(eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1), true);
    // A decoded key or value is never longer than what it was decoded from.
    if ((key && key->size() > part.size()) || (value && value->size() > part.size())) __builtin_trap();
  }
  (void)rt::media_type(lines[2]);
  for (auto name : {server::session_cookie, server::portal_cookie}) (void)rt::cookie_value(lines[3], name);
  return 0;
}
