// The calendar feed's iCalendar text (src/server/ics.cpp, RFC 5545): CRLF line ends, folding at 75 octets
// without splitting a UTF-8 character, TEXT escaping, UTC times, a UID and DTSTAMP per event.

#include "ics.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace needlework::server {
namespace {

units::DateTime at(const char* text) { return *units::parse_date_time(text); }

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto crlf = text.find("\r\n", i);
    EXPECT_NE(crlf, std::string::npos) << "a line without its CRLF";
    if (crlf == std::string::npos) break;
    out.push_back(text.substr(i, crlf - i));
    i = crlf + 2;
  }
  return out;
}

TEST(Ics, TextIsEscapedAsRfc5545Asks) {
  EXPECT_EQ(ics_escape("a\\b;c,d\ne"), "a\\\\b\\;c\\,d\\ne");
  EXPECT_EQ(ics_escape("line\r\nnext"), "line\\nnext");
  EXPECT_EQ(ics_escape("plain: text"), "plain: text");  // a colon is not escaped in a value
}

TEST(Ics, LongLinesFoldAt75OctetsWithoutSplittingACharacter) {
  EXPECT_EQ(ics_fold("SHORT:x"), "SHORT:x\r\n");
  const std::string line = "DESCRIPTION:" + std::string(200, 'a');
  const auto folded = lines_of(ics_fold(line));
  ASSERT_GT(folded.size(), 2u);
  std::string joined;
  for (std::size_t i = 0; i < folded.size(); ++i) {
    EXPECT_LE(folded[i].size(), 75u) << "line " << i;
    if (i > 0) {
      ASSERT_EQ(folded[i].front(), ' ') << "a continuation starts with one space";
      joined += folded[i].substr(1);
    } else {
      joined += folded[i];
    }
  }
  EXPECT_EQ(joined, line) << "unfolding gives the line back";
  // "é" is two octets: wherever the 75th octet falls, no line ends inside it.
  const std::string accented =
      "SUMMARY:" + std::string(66, 'x') + std::string(20, 'a') + "\xC3\xA9\xC3\xA9\xC3\xA9";
  for (std::size_t pad = 0; pad < 4; ++pad) {
    const std::string l = std::string(pad, 'p') + accented;
    for (const auto& part : lines_of(ics_fold(l))) {
      EXPECT_LE(part.size(), 75u);
      ASSERT_FALSE(part.empty());
      const auto last = static_cast<unsigned char>(part.back());
      EXPECT_NE(last, 0xC3) << "a line ends inside a UTF-8 character (pad " << pad << ")";
    }
  }
}

TEST(Ics, ACalendarHasOneEventPerVisitWithUidStampAndUtcTimes) {
  const std::vector<IcsEvent> events = {{.uid = "appointment-7@clinic.example",
                                         .start = at("2026-12-24T09:30:00Z"),
                                         .summary = "Micro-needling: Face, neck"},
                                        {.uid = "appointment-9@clinic.example",
                                         .start = at("2027-01-21T14:00:00Z"),
                                         .summary = "Micro-needling: Scalp",
                                         .description = "Bring your roller; no make-up"}};
  const std::string text = ics_calendar("Visits", events, at("2026-12-07T08:00:00Z"));
  const auto lines = lines_of(text);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.front(), "BEGIN:VCALENDAR");
  EXPECT_EQ(lines.back(), "END:VCALENDAR");
  EXPECT_NE(std::find(lines.begin(), lines.end(), "VERSION:2.0"), lines.end());
  EXPECT_NE(std::find(lines.begin(), lines.end(), "UID:appointment-7@clinic.example"), lines.end());
  EXPECT_NE(std::find(lines.begin(), lines.end(), "DTSTART:20261224T093000Z"), lines.end());
  EXPECT_NE(std::find(lines.begin(), lines.end(), "DTSTART:20270121T140000Z"), lines.end());
  EXPECT_NE(std::find(lines.begin(), lines.end(), "SUMMARY:Micro-needling: Face\\, neck"), lines.end());
  EXPECT_NE(std::find(lines.begin(), lines.end(), "DESCRIPTION:Bring your roller\\; no make-up"),
            lines.end());
  EXPECT_EQ(std::count(lines.begin(), lines.end(), "BEGIN:VEVENT"), 2);
  EXPECT_EQ(std::count(lines.begin(), lines.end(), "DTSTAMP:20261207T080000Z"), 2);
  EXPECT_EQ(text.find("\n\n"), std::string::npos);
  // No bare LF: every LF is the end of a CRLF.
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') EXPECT_TRUE(i > 0 && text[i - 1] == '\r') << "a bare LF at " << i;
  }
}

TEST(Ics, NoVisitsIsAnEmptyCalendarStill) {
  const auto lines = lines_of(ics_calendar("Visits", {}, at("2026-12-07T08:00:00Z")));
  EXPECT_EQ(std::count(lines.begin(), lines.end(), "BEGIN:VEVENT"), 0);
  EXPECT_EQ(lines.back(), "END:VCALENDAR");
}

}  // namespace
}  // namespace needlework::server
