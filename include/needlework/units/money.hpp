#pragma once
/// Money as whole cents with an ISO 4217 currency code; never a floating-point amount.

#include <compare>
#include <cstdint>
#include <string>

namespace needlework::units {

struct Money {
  std::int64_t cents = 0;
  std::string currency = "USD";

  friend bool operator==(const Money&, const Money&) = default;
};

/// "149.00 USD"
[[nodiscard]] std::string format_money(const Money& m);

}  // namespace needlework::units
