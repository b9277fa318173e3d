#pragma once
/// Needlework's error value. Expected failures — bad input, a rule that refuses, something not found, a
/// conflict — travel as `Result<T>` (`std::expected<T, Error>`); exceptions are kept for broken
/// infrastructure and are converted to an `Error` once, at an edge (the store's database calls, the knowledge
/// loader's file reading, the CLI's JSON parsing), never passed through the engines.

#include <expected>
#include <string>
#include <string_view>

namespace needlework {

/// What kind of failure an `Error` reports. The CLI maps these to exit codes (docs/cli.md).
enum class ErrorCode {
  parse_error,    ///< text that is not valid JSON / TOML / date
  missing_field,  ///< a required field is absent
  unknown_field,  ///< a field the format does not define
  invalid_value,  ///< wrong type or a value outside its domain
  out_of_range,   ///< a number outside its allowed range
  unknown_id,     ///< an id not in the vocabulary or catalog
  pack_error,     ///< a knowledge pack that does not load or validate
  data_error,  ///< a data file beside the packs (device catalog, skin regions) that does not load or validate
  database_error,  ///< a database that is corrupt, tampered with, or written by a newer Needlework
  refused,         ///< a clinical or safety rule refuses the request
  not_found,       ///< a file or record that does not exist
  io_error,        ///< the operating system failed a read or write
};

/// Stable text for an error code ("missing_field"); used in JSON output.
[[nodiscard]] std::string_view to_string(ErrorCode code) noexcept;

/// A failure a person can act on: what went wrong, and where (a field path such as `conditions[2].id`, or a
/// file position such as `data/packs/seed/screening.toml:14:3`).
struct Error {
  ErrorCode code{ErrorCode::invalid_value};
  std::string message;
  std::string where;
  /// For `refused`: the id of the rule the refusal applies — a pack rule's id ("HYG.single_client",
  /// "DEPTH.thin_skin") or one of units/refusals.hpp ("RECORD.consent_missing"); for a store `io_error`, the
  /// fault (store/faults.hpp: "STORE.disk_full"); else empty. Data: a face never reads it out of the message.
  std::string rule{};

  /// "where: message", or just the message when there is no location.
  [[nodiscard]] std::string describe() const;
};

template <class T>
using Result = std::expected<T, Error>;

/// Shorthand for returning a failure: `return fail(ErrorCode::missing_field, "is required", "client.id");`
[[nodiscard]] inline std::unexpected<Error> fail(ErrorCode code, std::string message,
                                                 std::string where = {}) {
  return std::unexpected<Error>(Error{code, std::move(message), std::move(where)});
}

/// Shorthand for a refusal (`ErrorCode::refused`) naming the rule it applies:
/// `return refuse(guard.id, "…", "needle_length_mm");`
[[nodiscard]] inline std::unexpected<Error> refuse(std::string rule, std::string message,
                                                   std::string where = {}) {
  return std::unexpected<Error>(
      Error{ErrorCode::refused, std::move(message), std::move(where), std::move(rule)});
}

}  // namespace needlework

/// Early return for `Result` values, the one way every module passes a failure up:
/// `NW_TRY(x, f());` declares `x` from a successful `f()` or returns its error from the enclosing function;
/// `NW_CHECK(g());` returns `g()`'s error if it has one. The enclosing function returns a `Result` (of any
/// value type: the error converts).
#define NW_TRY(var, expr)                                          \
  auto var##_result = (expr);                                      \
  if (!var##_result) return std::unexpected(var##_result.error()); \
  auto var = std::move(*var##_result)

#define NW_CHECK(expr) \
  if (auto check_result_ = (expr); !check_result_) return std::unexpected(check_result_.error())
