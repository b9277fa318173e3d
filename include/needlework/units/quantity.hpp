#pragma once
/// Typed physical quantities. A `Quantity<L, T>` carries its dimension (length exponent L in millimetres,
/// time exponent T in seconds) in its type, so adding a length to an area, or passing a depth where a density
/// is expected, does not compile. Values are constructed and read only through named functions that state the
/// unit (`millimetres(0.5)`, `depth.in_um()`); inside, lengths are millimetres and times seconds.
/// Calendar durations in interfaces use `std::chrono` (see date.hpp); `to_seconds`/`from_duration` bridge
/// them.

#include <chrono>
#include <cmath>
#include <compare>

namespace needlework::units {

template <int L, int T>
class Quantity {
 public:
  constexpr Quantity() noexcept = default;

  /// The raw value in the internal unit (mm^L · s^T). Prefer the named readers below.
  [[nodiscard]] static constexpr Quantity from_base(double v) noexcept { return Quantity(v); }
  [[nodiscard]] constexpr double base() const noexcept { return v_; }

  constexpr Quantity& operator+=(Quantity o) noexcept {
    v_ += o.v_;
    return *this;
  }
  constexpr Quantity& operator-=(Quantity o) noexcept {
    v_ -= o.v_;
    return *this;
  }
  constexpr Quantity& operator*=(double k) noexcept {
    v_ *= k;
    return *this;
  }
  constexpr Quantity& operator/=(double k) noexcept {
    v_ /= k;
    return *this;
  }

  friend constexpr Quantity operator+(Quantity a, Quantity b) noexcept { return Quantity(a.v_ + b.v_); }
  friend constexpr Quantity operator-(Quantity a, Quantity b) noexcept { return Quantity(a.v_ - b.v_); }
  friend constexpr Quantity operator-(Quantity a) noexcept { return Quantity(-a.v_); }
  friend constexpr Quantity operator*(Quantity a, double k) noexcept { return Quantity(a.v_ * k); }
  friend constexpr Quantity operator*(double k, Quantity a) noexcept { return Quantity(a.v_ * k); }
  friend constexpr Quantity operator/(Quantity a, double k) noexcept { return Quantity(a.v_ / k); }
  friend constexpr auto operator<=>(Quantity a, Quantity b) noexcept = default;

 private:
  explicit constexpr Quantity(double v) noexcept : v_(v) {}
  double v_ = 0.0;
};

/// Products and quotients combine dimensions; a dimensionless result is a plain double.
template <int L1, int T1, int L2, int T2>
constexpr auto operator*(Quantity<L1, T1> a, Quantity<L2, T2> b) noexcept {
  if constexpr (L1 + L2 == 0 && T1 + T2 == 0) {
    return a.base() * b.base();
  } else {
    return Quantity<L1 + L2, T1 + T2>::from_base(a.base() * b.base());
  }
}
template <int L1, int T1, int L2, int T2>
constexpr auto operator/(Quantity<L1, T1> a, Quantity<L2, T2> b) noexcept {
  if constexpr (L1 == L2 && T1 == T2) {
    return a.base() / b.base();
  } else {
    return Quantity<L1 - L2, T1 - T2>::from_base(a.base() / b.base());
  }
}
/// A count divided by a quantity (e.g. punctures / area = density).
template <int L, int T>
constexpr Quantity<-L, -T> operator/(double count, Quantity<L, T> q) noexcept {
  return Quantity<-L, -T>::from_base(count / q.base());
}

using Length = Quantity<1, 0>;         ///< stored in mm
using Area = Quantity<2, 0>;           ///< stored in mm²
using ArealDensity = Quantity<-2, 0>;  ///< stored per mm²
using Time = Quantity<0, 1>;           ///< stored in s (for physics; calendar spans use std::chrono)
using Frequency = Quantity<0, -1>;     ///< stored in 1/s
using Speed = Quantity<1, -1>;         ///< stored in mm/s

// Named construction. Each states its unit; there is no implicit conversion from double.
constexpr Length millimetres(double v) noexcept { return Length::from_base(v); }
constexpr Length micrometres(double v) noexcept { return Length::from_base(v * 1e-3); }
constexpr Length centimetres(double v) noexcept { return Length::from_base(v * 10.0); }
constexpr Area square_millimetres(double v) noexcept { return Area::from_base(v); }
constexpr Area square_centimetres(double v) noexcept { return Area::from_base(v * 100.0); }
constexpr ArealDensity per_square_millimetre(double v) noexcept { return ArealDensity::from_base(v); }
constexpr ArealDensity per_square_centimetre(double v) noexcept { return ArealDensity::from_base(v / 100.0); }
constexpr Time seconds(double v) noexcept { return Time::from_base(v); }
constexpr Frequency hertz(double v) noexcept { return Frequency::from_base(v); }
constexpr Speed millimetres_per_second(double v) noexcept { return Speed::from_base(v); }

// Named reading.
constexpr double in_mm(Length q) noexcept { return q.base(); }
constexpr double in_um(Length q) noexcept { return q.base() * 1e3; }
constexpr double in_cm(Length q) noexcept { return q.base() / 10.0; }
constexpr double in_mm2(Area q) noexcept { return q.base(); }
constexpr double in_cm2(Area q) noexcept { return q.base() / 100.0; }
constexpr double in_per_mm2(ArealDensity q) noexcept { return q.base(); }
constexpr double in_per_cm2(ArealDensity q) noexcept { return q.base() * 100.0; }
constexpr double in_s(Time q) noexcept { return q.base(); }
constexpr double in_hz(Frequency q) noexcept { return q.base(); }
constexpr double in_mm_per_s(Speed q) noexcept { return q.base(); }

/// Bridges to std::chrono for spans that cross an interface as durations.
template <class Rep, class Period>
constexpr Time from_duration(std::chrono::duration<Rep, Period> d) noexcept {
  return seconds(std::chrono::duration<double>(d).count());
}
constexpr std::chrono::duration<double> to_duration(Time t) noexcept {
  return std::chrono::duration<double>(in_s(t));
}

/// Absolute value and approximate equality for tolerances in numerics and tests.
template <int L, int T>
constexpr Quantity<L, T> abs(Quantity<L, T> q) noexcept {
  return Quantity<L, T>::from_base(q.base() < 0 ? -q.base() : q.base());
}
template <int L, int T>
constexpr bool approx_equal(Quantity<L, T> a, Quantity<L, T> b, double rel = 1e-9) noexcept {
  const double scale = std::fmax(std::fabs(a.base()), std::fabs(b.base()));
  return std::fabs(a.base() - b.base()) <= rel * (scale > 0 ? scale : 1.0);
}

}  // namespace needlework::units
