#pragma once
/// `needlework serve`: opens the clinic (services.hpp), makes the first admin when there is none, and serves
/// the API (api.hpp) over HTTP — or HTTPS with a certificate — until SIGTERM or SIGINT, then drains: it stops
/// taking requests, lets those in flight finish (within drain_timeout), writes what the group committer
/// holds, closes the store and returns 0.

#include <functional>
#include <ostream>
#include <string>

#include "needlework/server/config.hpp"
#include "needlework/units/error.hpp"

namespace needlework::server {

/// Runs the server until a signal. `out` gets the lines a person starting it needs — the address it listens
/// on and, on a clinic without an admin, the first admin's one-time password (printed once, never logged).
/// The access log goes to `config.access_log` (or standard output). Errors (a bad setting, a database that
/// does not open, an address in use) come back before anything is served.
[[nodiscard]] Result<void> serve(const ServerConfig& config, std::ostream& out);

}  // namespace needlework::server
