#pragma once
// What the shared SQL layer (sql_store.cpp) and a backend's connection pass each other: statement parameters
// as values, result rows read through a small interface, and the one exception a value that does not parse
// becomes. No SQLite or libpqxx type appears here.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <variant>

namespace needlework::store::sql {

/// One statement parameter: NULL, an integer, a double or text. A backend binds each as its own type (SQLite)
/// or sends it as text (PostgreSQL: integers in decimal, doubles in their shortest round-trip form).
using Value = std::variant<std::monostate, std::int64_t, double, std::string>;

/// A database value that does not parse: the database was changed outside Needlework. Thrown while a row is
/// read and reported once, by the shared layer, as `database_error`.
struct CorruptValue : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The current row of a result, its columns numbered from 0 in the order the SELECT named them.
class Row {
 public:
  [[nodiscard]] virtual bool is_null(int i) const = 0;
  /// The column as an integer; CorruptValue when it is not one.
  [[nodiscard]] virtual std::int64_t integer(int i) const = 0;
  /// The column as a double, bit for bit as it was stored; CorruptValue when it is not a number.
  [[nodiscard]] virtual double real(int i) const = 0;
  /// The column as text, "" for NULL.
  [[nodiscard]] virtual std::string text(int i) const = 0;
  /// The column's name, for messages.
  [[nodiscard]] virtual std::string name(int i) const = 0;

 protected:
  ~Row() = default;
};

}  // namespace needlework::store::sql
