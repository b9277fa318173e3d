#include "needlework/units/error.hpp"

namespace needlework {

std::string_view to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::parse_error:
      return "parse_error";
    case ErrorCode::missing_field:
      return "missing_field";
    case ErrorCode::unknown_field:
      return "unknown_field";
    case ErrorCode::invalid_value:
      return "invalid_value";
    case ErrorCode::out_of_range:
      return "out_of_range";
    case ErrorCode::unknown_id:
      return "unknown_id";
    case ErrorCode::pack_error:
      return "pack_error";
    case ErrorCode::data_error:
      return "data_error";
    case ErrorCode::database_error:
      return "database_error";
    case ErrorCode::refused:
      return "refused";
    case ErrorCode::not_found:
      return "not_found";
    case ErrorCode::io_error:
      return "io_error";
  }
  return "unknown";
}

std::string Error::describe() const { return where.empty() ? message : where + ": " + message; }

}  // namespace needlework
