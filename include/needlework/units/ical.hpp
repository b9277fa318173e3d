#pragma once
/// iCalendar (RFC 5545) for visits: the event a client's calendar imports from an e-mail attachment or a
/// subscription feed. Only what a visit needs — a VCALENDAR of VEVENTs with UTC times — written to the RFC's
/// rules for text: CRLF line ends, lines folded at 75 octets (never inside a UTF-8 character), and TEXT
/// values escaped (backslash, semicolon, comma, newline).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "needlework/units/date.hpp"

namespace needlework::units {

/// One event.
struct IcsEvent {
  std::string uid;  ///< globally unique and stable for the same visit ("appointment-12@clinic.example")
  DateTime start;
  DateTime end;
  std::string summary;
  std::string description;  ///< empty: left out
  std::string location;     ///< empty: left out
  bool cancelled = false;   ///< STATUS:CANCELLED (a calendar that imported it removes it)
  int sequence = 0;         ///< raise it when the event changes, so a calendar replaces its copy
};

/// A whole calendar object with `events`, stamped `stamp` (DTSTAMP: when the object was written).
[[nodiscard]] std::string to_ics(const std::vector<IcsEvent>& events, DateTime stamp,
                                 std::string_view calendar_name = {});

/// A TEXT value escaped as RFC 5545 §3.3.11 asks.
[[nodiscard]] std::string ics_escape(std::string_view text);

/// A content line folded at 75 octets (§3.1), with its CRLF.
[[nodiscard]] std::string ics_fold(std::string_view line);

}  // namespace needlework::units
