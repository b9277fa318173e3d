// iCalendar text (ics.hpp): RFC 5545's content lines, folding and TEXT escaping.

#include "ics.hpp"

#include <algorithm>

namespace needlework::server {
namespace {

/// A UTC time as RFC 5545's DATE-TIME form with the "Z" of UTC (§3.3.5, form #2): 20261207T083000Z.
std::string ics_time(units::DateTime t) {
  std::string s = units::format_date_time(t);  // 2026-12-07T08:30:00Z
  std::erase_if(s, [](char c) { return c == '-' || c == ':'; });
  return s;
}

}  // namespace

std::string ics_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
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
      case '\n':
        out += "\\n";
        break;
      case '\r':
        break;  // a CRLF in the text is one line break, written as the \n above
      default:
        out += c;
    }
  }
  return out;
}

std::string ics_fold(std::string_view line) {
  // §3.1: lines SHOULD NOT be longer than 75 octets, excluding the CRLF; a longer one continues on the next
  // line after a single space (which counts toward that line's 75). Never split a UTF-8 sequence: a
  // continuation byte (10xxxxxx) stays with the byte before it.
  std::string out;
  std::size_t limit = 75;
  std::size_t used = 0;
  for (std::size_t i = 0; i < line.size();) {
    std::size_t len = 1;
    while (i + len < line.size() && (static_cast<unsigned char>(line[i + len]) & 0xC0) == 0x80) ++len;
    if (used + len > limit) {
      out += "\r\n ";
      used = 1;
    }
    out.append(line.substr(i, len));
    used += len;
    i += len;
  }
  out += "\r\n";
  return out;
}

std::string ics_calendar(std::string_view name, const std::vector<IcsEvent>& events, units::DateTime stamp) {
  std::string out;
  out += ics_fold("BEGIN:VCALENDAR");
  out += ics_fold("VERSION:2.0");
  out += ics_fold("PRODID:-//Needlework//Client portal//EN");
  out += ics_fold("CALSCALE:GREGORIAN");
  out += ics_fold("METHOD:PUBLISH");
  out += ics_fold("X-WR-CALNAME:" + ics_escape(name));
  for (const auto& e : events) {
    out += ics_fold("BEGIN:VEVENT");
    out += ics_fold("UID:" + e.uid);
    out += ics_fold("DTSTAMP:" + ics_time(stamp));
    out += ics_fold("DTSTART:" + ics_time(e.start));
    out += ics_fold("SUMMARY:" + ics_escape(e.summary));
    if (!e.description.empty()) out += ics_fold("DESCRIPTION:" + ics_escape(e.description));
    out += ics_fold("END:VEVENT");
  }
  out += ics_fold("END:VCALENDAR");
  return out;
}

}  // namespace needlework::server
