#include "needlework/store/records.hpp"

namespace needlework::store {

std::string_view to_string(AppointmentState s) noexcept { return enum_to_string(s); }
std::optional<AppointmentState> appointment_state_from_string(std::string_view s) noexcept {
  return enum_from_string<AppointmentState>(s);
}
std::string_view to_string(RollerState s) noexcept { return enum_to_string(s); }
std::optional<RollerState> roller_state_from_string(std::string_view s) noexcept {
  return enum_from_string<RollerState>(s);
}

}  // namespace needlework::store
