#include "needlework/units/ical.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "needlework/units/text.hpp"

namespace {

using namespace needlework::units;

DateTime at(std::string_view text) { return *parse_date_time(text); }

/// The physical lines of an iCalendar text, each checked to end in CRLF.
std::vector<std::string> physical_lines(const std::string& ics) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < ics.size()) {
    const auto end = ics.find("\r\n", pos);
    EXPECT_NE(end, std::string::npos) << "a line without CRLF at " << pos;
    if (end == std::string::npos) break;
    out.push_back(ics.substr(pos, end - pos));
    pos = end + 2;
  }
  return out;
}

/// Undoes folding (RFC 5545 §3.1): a CRLF followed by a space joins the lines.
std::string unfold(std::string ics) {
  for (auto p = ics.find("\r\n "); p != std::string::npos; p = ics.find("\r\n ", p)) ics.erase(p, 3);
  return ics;
}

TEST(Ical, EscapesTextValues) {
  EXPECT_EQ(ics_escape("a,b;c\\d"), "a\\,b\\;c\\\\d");
  EXPECT_EQ(ics_escape("line one\nline two\r\nthree"), "line one\\nline two\\nthree");
  EXPECT_EQ(ics_escape("bell\x07"), "bell");
}

TEST(Ical, FoldsLongLinesAt75OctetsWithoutSplittingACharacter) {
  const std::string text =
      "SUMMARY:" + std::string(40, 'x') + std::string(30, 'y') + "Zoë Ångström " + std::string(100, 'z');
  const auto folded = ics_fold(text);
  for (const auto& l : physical_lines(folded)) {
    EXPECT_LE(l.size(), 75u);
    EXPECT_TRUE(is_valid_utf8(l)) << "a fold split a UTF-8 character: " << l;
  }
  EXPECT_EQ(unfold(folded), text + "\r\n");
  EXPECT_EQ(ics_fold("SHORT:1"), "SHORT:1\r\n");
}

TEST(Ical, WritesACalendarWithOneEventPerVisit) {
  IcsEvent e;
  e.uid = "appointment-12@clinic.example";
  e.start = at("2026-12-09T14:30:00Z");
  e.end = at("2026-12-09T15:15:00Z");
  e.summary = "Micro-needling, face";
  e.description = "Bring nothing, wear no makeup; see you, Ana";
  e.sequence = 2;
  IcsEvent cancelled = e;
  cancelled.uid = "appointment-13@clinic.example";
  cancelled.cancelled = true;
  const auto ics = to_ics({e, cancelled}, at("2026-12-07T06:00:00Z"), "Visits");
  const auto text = unfold(ics);
  EXPECT_EQ(text.rfind("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:", 0), 0u);
  EXPECT_TRUE(text.ends_with("END:VCALENDAR\r\n"));
  EXPECT_NE(text.find("UID:appointment-12@clinic.example\r\n"), std::string::npos);
  EXPECT_NE(text.find("DTSTAMP:20261207T060000Z\r\n"), std::string::npos);
  EXPECT_NE(text.find("DTSTART:20261209T143000Z\r\nDTEND:20261209T151500Z\r\n"), std::string::npos);
  EXPECT_NE(text.find("SEQUENCE:2\r\n"), std::string::npos);
  EXPECT_NE(text.find("DESCRIPTION:Bring nothing\\, wear no makeup\\; see you\\, Ana\r\n"),
            std::string::npos);
  EXPECT_NE(text.find("X-WR-CALNAME:Visits\r\n"), std::string::npos);
  // One VEVENT per visit; the cancelled one says so.
  std::size_t events = 0;
  for (auto p = text.find("BEGIN:VEVENT"); p != std::string::npos; p = text.find("BEGIN:VEVENT", p + 1))
    ++events;
  EXPECT_EQ(events, 2u);
  EXPECT_NE(text.find("STATUS:CONFIRMED"), std::string::npos);
  EXPECT_NE(text.find("STATUS:CANCELLED"), std::string::npos);
  for (const auto& l : physical_lines(ics)) EXPECT_LE(l.size(), 75u);
}

}  // namespace
