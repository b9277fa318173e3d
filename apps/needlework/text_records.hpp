#pragma once
// Text renderers of clinic records for the store commands (kept apart from the commands, as each output
// format is its own concern).

#include <optional>
#include <string>

#include "needlework/store/clinic_store.hpp"
#include "needlework/units/text.hpp"

namespace needlework::cli {

/// Free text made safe to print (units::escape_for_terminal): every name, id, note or other text a renderer
/// prints that came from a person or a database goes through it, so a stored newline cannot forge a line and
/// an ANSI escape cannot drive the terminal.
inline std::string esc(std::string_view text) { return units::escape_for_terminal(text); }

/// Text of several lines (a message body) made safe to print: each line escaped as by `esc`, the line breaks
/// kept.
std::string esc_lines(std::string_view text);

/// A time as the CLI prints it: 2026-11-24T09:00:00Z.
std::string t(units::DateTime x);

/// A time, or "—" when there is none.
std::string opt_t(const std::optional<units::DateTime>& x);

/// One session on a line, its charted dose, stroke plan and notes below.
void print_session(const store::SessionRecord& s);
/// One charted zone of a session on one line: passes and directions, the dose, layers, device and seed.
void print_zone(const store::SessionZoneRecord& z);

/// One roller on a line.
void print_roller(const store::RollerRecord& r);

/// A client with every record: intakes, consents, courses, appointments, sessions, follow-ups, escalations,
/// photos.
void print_history(const store::ClientHistory& h);

/// Every roller, session and client a lot touched.
void print_recall(const store::Recall& r);

}  // namespace needlework::cli
