#include "needlework/units/money.hpp"

#include <fmt/format.h>

namespace needlework::units {

std::string format_money(const Money& m) {
  const auto whole = m.cents / 100;
  const auto part = (m.cents < 0 ? -m.cents : m.cents) % 100;
  return fmt::format("{}.{:02} {}", whole, part, m.currency);
}

}  // namespace needlework::units
