#include "needlework/units/ical.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>

namespace needlework::units {
namespace {

std::string utc(DateTime t) { return fmt::format("{:%Y%m%dT%H%M%SZ}", t); }

}  // namespace

std::string ics_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case ';':
        out += "\\;";
        break;
      case ',':
        out += "\\,";
        break;
      case '\r':
        if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
        out += "\\n";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        // Other control characters are not allowed in a TEXT value (§3.3.11): dropped.
        if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) out += c;
    }
  }
  return out;
}

std::string ics_fold(std::string_view line) {
  std::string out;
  std::size_t octets = 0;  // on the current physical line
  for (std::size_t i = 0; i < line.size();) {
    // The length of the UTF-8 character starting here (a continuation byte never starts one).
    const auto lead = static_cast<unsigned char>(line[i]);
    std::size_t n = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
    n = std::min(n, line.size() - i);
    if (octets + n > 75) {
      out += "\r\n ";
      octets = 1;  // the leading space counts
    }
    out.append(line.substr(i, n));
    octets += n;
    i += n;
  }
  out += "\r\n";
  return out;
}

std::string to_ics(const std::vector<IcsEvent>& events, DateTime stamp, std::string_view calendar_name) {
  std::string out;
  auto line = [&](std::string_view l) { out += ics_fold(l); };
  line("BEGIN:VCALENDAR");
  line("VERSION:2.0");
  line("PRODID:-//Needlework//Needlework//EN");
  line("CALSCALE:GREGORIAN");
  line("METHOD:PUBLISH");
  if (!calendar_name.empty()) line("X-WR-CALNAME:" + ics_escape(calendar_name));
  for (const auto& e : events) {
    line("BEGIN:VEVENT");
    line("UID:" + ics_escape(e.uid));
    line("DTSTAMP:" + utc(stamp));
    line("DTSTART:" + utc(e.start));
    line("DTEND:" + utc(e.end));
    line(fmt::format("SEQUENCE:{}", e.sequence));
    line(e.cancelled ? "STATUS:CANCELLED" : "STATUS:CONFIRMED");
    line("SUMMARY:" + ics_escape(e.summary));
    if (!e.description.empty()) line("DESCRIPTION:" + ics_escape(e.description));
    if (!e.location.empty()) line("LOCATION:" + ics_escape(e.location));
    line("END:VEVENT");
  }
  line("END:VCALENDAR");
  return out;
}

}  // namespace needlework::units
