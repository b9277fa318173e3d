#include "needlework/units/quantity.hpp"

#include <gtest/gtest.h>

#include <type_traits>

namespace nu = needlework::units;

TEST(Quantity, ConvertsBetweenNamedUnits) {
  EXPECT_DOUBLE_EQ(nu::in_um(nu::millimetres(0.5)), 500.0);
  EXPECT_DOUBLE_EQ(nu::in_mm(nu::micrometres(152.5)), 0.1525);
  EXPECT_DOUBLE_EQ(nu::in_mm(nu::centimetres(2)), 20.0);
  EXPECT_DOUBLE_EQ(nu::in_mm2(nu::square_centimetres(1)), 100.0);
  EXPECT_DOUBLE_EQ(nu::in_per_cm2(nu::per_square_millimetre(2.5)), 250.0);
}

TEST(Quantity, ArithmeticKeepsDimensions) {
  const nu::Length w = nu::centimetres(2);
  const nu::Length circumference = nu::millimetres(62.83185307179586);
  const nu::Area swept = w * circumference;
  static_assert(std::is_same_v<decltype(swept), const nu::Area>);
  // 192 needles over one drum revolution of a 2 x 2 cm drum: 15.3 holes/cm² (FACTS §2, DERIVED).
  const nu::ArealDensity per_pass = 192.0 / swept;
  EXPECT_NEAR(nu::in_per_cm2(per_pass), 15.28, 0.01);
  // density × area is a plain count
  const double count = per_pass * nu::square_centimetres(4);
  EXPECT_NEAR(count, 61.1, 0.1);
  // a ratio of like quantities is a plain number
  const double ratio = nu::micrometres(152.5) / nu::micrometres(770);
  EXPECT_NEAR(ratio, 0.198, 0.001);
}

TEST(Quantity, SpeedTimesTimeIsLength) {
  const nu::Speed v = nu::millimetres_per_second(20);
  const nu::Length travelled = v * nu::seconds(3);
  EXPECT_DOUBLE_EQ(nu::in_mm(travelled), 60.0);
  const nu::Length stamp_spacing = v / nu::hertz(100);
  EXPECT_DOUBLE_EQ(nu::in_mm(stamp_spacing), 0.2);
}

TEST(Quantity, ComparesAndBridgesChrono) {
  EXPECT_LT(nu::millimetres(0.5), nu::millimetres(1.5));
  EXPECT_EQ(nu::millimetres(1.0), nu::micrometres(1000));
  EXPECT_DOUBLE_EQ(nu::in_s(nu::from_duration(std::chrono::minutes(2))), 120.0);
  EXPECT_TRUE(nu::approx_equal(nu::millimetres(0.1 + 0.2), nu::millimetres(0.3)));
  EXPECT_FALSE(nu::approx_equal(nu::millimetres(0.31), nu::millimetres(0.3)));
}

// Dimension safety is a compile-time property: these expressions must not be well-formed.
template <class A, class B>
concept Addable = requires(A a, B b) {
  a + b;
};
template <class A>
concept FromDouble = requires {
  A{1.0};
};
static_assert(Addable<nu::Length, nu::Length>);
static_assert(!Addable<nu::Length, nu::Area>);
static_assert(!Addable<nu::Length, double>);
static_assert(!FromDouble<nu::Length>);
static_assert(!std::is_convertible_v<nu::Length, double>);
