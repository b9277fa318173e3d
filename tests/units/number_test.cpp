#include "needlework/units/number.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using needlework::ErrorCode;
using namespace needlework::units;

constexpr NumberRule length{"needle_length_mm", 0.0, 5.0, true, false, "mm"};
constexpr NumberRule passes{"passes", 0.0, 1000.0, false, true, ""};

TEST(NumberRule, AcceptsValuesInsideTheRange) {
  EXPECT_EQ(check_number(1.5, length).value(), 1.5);
  EXPECT_EQ(check_number(5.0, length).value(), 5.0);
  EXPECT_EQ(check_number(0.0, passes).value(), 0.0);
  EXPECT_EQ(check_number(1000.0, passes).value(), 1000.0);
}

TEST(NumberRule, RefusesValuesOutsideTheRangeNamingTheFieldAndTheRange) {
  for (double bad : {0.0, -1.0, 5.0001, 50.0, 1e308}) {
    auto r = check_number(bad, length);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::out_of_range) << bad;
    EXPECT_EQ(r.error().where, "needle_length_mm");
    EXPECT_NE(r.error().message.find("above 0 and at most 5 mm"), std::string::npos) << r.error().message;
  }
  auto r = check_number(1001, passes);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("0–1000"), std::string::npos) << r.error().message;
}

TEST(NumberRule, RefusesNonFiniteAndFractionalWholeNumbers) {
  for (double bad : {std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
                     std::numeric_limits<double>::quiet_NaN()}) {
    auto r = check_number(bad, length);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::invalid_value);
  }
  auto r = check_number(2.5, passes);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::invalid_value);
  EXPECT_EQ(r.error().where, "passes");
}

TEST(ParseNumber, ParsesPlainDecimalsAndChecksThem) {
  EXPECT_EQ(parse_number("1.0", length).value(), 1.0);
  EXPECT_EQ(parse_number("0.25", length).value(), 0.25);
  EXPECT_EQ(parse_number("16", passes).value(), 16.0);
  auto big = parse_number("50", length);
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, ErrorCode::out_of_range);
}

TEST(ParseNumber, RefusesTextThatIsNotOneDecimalNumber) {
  for (const char* bad :
       {"inf", "-inf", "nan", "NaN", "infinity", "0x10", "1e", " 1", "1 ", "+1", "", "1,5", "abc", "1mm"}) {
    auto r = parse_number(bad, length);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::invalid_value) << bad;
    EXPECT_EQ(r.error().where, "needle_length_mm") << bad;
  }
}

TEST(ParseNumber, ANumberNoDoubleHoldsIsOutOfRange) {
  auto r = parse_number("1e400", length);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::out_of_range);
  EXPECT_NE(r.error().message.find("1e400"), std::string::npos);
}

TEST(ParseNumber, AHugeValueIsShownAsABoundedEscapedExcerpt) {
  const std::string huge = "\x1b[31m" + std::string(1'000'000, '7') + "x";
  auto r = parse_number(huge, length);
  ASSERT_FALSE(r);
  EXPECT_LT(r.error().message.size(), 300u);
  EXPECT_EQ(r.error().message.find('\x1b'), std::string::npos);
  EXPECT_NE(r.error().message.find("\\x1b[31m"), std::string::npos) << r.error().message;
}

TEST(ParseInteger, ParsesWholeNumbersInRange) {
  EXPECT_EQ(parse_integer("42", "roller", 1, 100).value(), 42);
  EXPECT_EQ(parse_integer("-3", "x", -5, 5).value(), -3);
  EXPECT_EQ(parse_integer("9223372036854775807", "id", 1, INT64_MAX).value(), INT64_MAX);
}

TEST(ParseInteger, OverflowIsOutOfRangeAndNeverEchoesAClampedValue) {
  for (const char* bad :
       {"99999999999999999999", "9223372036854775808", "-99999999999999999999", "0", "101"}) {
    auto r = parse_integer(bad, "roller", 1, 100);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::out_of_range) << bad;
    EXPECT_EQ(r.error().where, "roller");
    EXPECT_NE(r.error().message.find("out of range"), std::string::npos);
    EXPECT_EQ(r.error().message.find("9223372036854775807"), std::string::npos) << r.error().message;
  }
}

TEST(ParseInteger, AnIdBeyond64BitsSaysOutOfRangeWithoutTheLargestNumber) {
  auto r = parse_integer("99999999999999999999", "--roller", 1, INT64_MAX);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::out_of_range);
  EXPECT_NE(r.error().message.find("99999999999999999999 is out of range"), std::string::npos);
  EXPECT_EQ(r.error().message.find("9223372036854775807"), std::string::npos) << r.error().message;
}

TEST(ParseInteger, RefusesTextThatIsNotADecimalWholeNumber) {
  for (const char* bad : {"0x10", "1.0", "1e3", "+1", " 1", "1 ", "", "-", "abc", "١٢"}) {
    auto r = parse_integer(bad, "passes", 0, 1000);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::invalid_value) << bad;
  }
}

}  // namespace
