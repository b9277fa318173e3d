#include "needlework/units/date.hpp"

#include <gtest/gtest.h>

#include "needlework/units/money.hpp"

namespace nu = needlework::units;
using needlework::ErrorCode;

TEST(Date, ParsesAndFormatsIsoDates) {
  auto d = nu::parse_date("2026-11-23");
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(nu::format_date(*d), "2026-11-23");
  EXPECT_EQ(nu::weekday_name(*d), "Mon");
  EXPECT_EQ(nu::format_date(*d + nu::Days{10}), "2026-12-03");
}

TEST(Date, RefusesMalformedAndImpossibleDates) {
  EXPECT_EQ(nu::parse_date("2026-13-01").error().code, ErrorCode::invalid_value);
  EXPECT_EQ(nu::parse_date("2026-02-30").error().code, ErrorCode::invalid_value);
  EXPECT_EQ(nu::parse_date("23/11/2026").error().code, ErrorCode::parse_error);
  EXPECT_EQ(nu::parse_date("2026-1-5").error().code, ErrorCode::parse_error);
  EXPECT_EQ(nu::parse_date("").error().code, ErrorCode::parse_error);
}

TEST(Date, AddsCalendarMonthsClampingTheDay) {
  EXPECT_EQ(nu::format_date(nu::add_months(*nu::parse_date("2026-01-31"), 1)), "2026-02-28");
  EXPECT_EQ(nu::format_date(nu::add_months(*nu::parse_date("2026-11-23"), 3)), "2027-02-23");
}

TEST(DateTime, ParsesUtcTimesOnly) {
  auto t = nu::parse_date_time("2026-11-23T14:30:00Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(nu::format_date_time(*t), "2026-11-23T14:30:00Z");
  EXPECT_EQ(nu::format_date_time(*nu::parse_date_time("2026-11-23T09:05Z")), "2026-11-23T09:05:00Z");
  EXPECT_FALSE(nu::parse_date_time("2026-11-23T14:30:00"));   // no zone
  EXPECT_FALSE(nu::parse_date_time("2026-11-23T24:00:00Z"));  // no such hour
}

TEST(Money, FormatsCents) {
  EXPECT_EQ(nu::format_money({14900, "USD"}), "149.00 USD");
  EXPECT_EQ(nu::format_money({5, "EUR"}), "0.05 EUR");
}
