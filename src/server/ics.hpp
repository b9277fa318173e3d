#pragma once
// iCalendar (RFC 5545) text for a client's calendar subscription (GET /api/v1/portal/calendar/{token}.ics): a
// pure function of the events, so its lines, folding and escaping are tested without a server. Private to the
// server module.

#include <string>
#include <string_view>
#include <vector>

#include "needlework/units/date.hpp"

namespace needlework::server {

/// One event of a calendar: a booked visit.
struct IcsEvent {
  std::string uid;        ///< unique and stable across downloads (an appointment's: "appointment-7@<host>")
  units::DateTime start;  ///< no end: a visit's length is not recorded, so the event is its start (§3.6.1)
  std::string summary;
  std::string description;  ///< "" for none
};

/// A VCALENDAR of `events`: CRLF line ends, lines folded at 75 octets (never inside a UTF-8 sequence), TEXT
/// values escaped (backslash, semicolon, comma, newline), times in UTC ("…Z"), DTSTAMP `stamp` on each event.
[[nodiscard]] std::string ics_calendar(std::string_view name, const std::vector<IcsEvent>& events,
                                       units::DateTime stamp);

/// A TEXT value escaped as RFC 5545 §3.3.11 asks.
[[nodiscard]] std::string ics_escape(std::string_view text);
/// A content line folded at 75 octets (§3.1), each line ended by CRLF.
[[nodiscard]] std::string ics_fold(std::string_view line);

}  // namespace needlework::server
