#include "needlework/store/records.hpp"

namespace needlework::store {

std::string_view to_string(AppointmentState s) noexcept {
  switch (s) {
    case AppointmentState::booked:
      return "booked";
    case AppointmentState::done:
      return "done";
    case AppointmentState::cancelled:
      return "cancelled";
  }
  return "booked";
}

std::optional<AppointmentState> appointment_state_from_string(std::string_view s) noexcept {
  if (s == "booked") return AppointmentState::booked;
  if (s == "done") return AppointmentState::done;
  if (s == "cancelled") return AppointmentState::cancelled;
  return std::nullopt;
}

std::string_view to_string(RollerState s) noexcept {
  switch (s) {
    case RollerState::new_:
      return "new";
    case RollerState::assigned:
      return "assigned";
    case RollerState::used:
      return "used";
    case RollerState::disposed:
      return "disposed";
  }
  return "new";
}

std::optional<RollerState> roller_state_from_string(std::string_view s) noexcept {
  if (s == "new") return RollerState::new_;
  if (s == "assigned") return RollerState::assigned;
  if (s == "used") return RollerState::used;
  if (s == "disposed") return RollerState::disposed;
  return std::nullopt;
}

}  // namespace needlework::store
