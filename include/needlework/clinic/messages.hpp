#pragma once
/// Messages to clients, written from the pack's words (`[[message]]`, data/packs/seed/messages.toml): the
/// sender gives the values of the fields its kind allows (`knowledge::message_fields`), and gets the subject,
/// the plain-text part and the HTML part. A value is escaped for HTML unless the sender gives its own HTML
/// form (the aftercare sheet as `clinic::render_html`). Pure: no clock, no I/O.

#include <map>
#include <optional>
#include <string>

#include "needlework/knowledge/pack.hpp"
#include "needlework/units/error.hpp"

namespace needlework::clinic {

/// One field's value: its text, and optionally a ready HTML form (otherwise the text, escaped).
struct MessageField {
  std::string text;
  std::optional<std::string> html;
};
using MessageFields = std::map<std::string, MessageField, std::less<>>;

struct ComposedMessage {
  std::string rule;  ///< the pack's message id ("MSG.aftercare")
  std::string subject;
  std::string text;
  std::string html;  ///< a whole HTML document; empty when the pack gives no HTML part
};

/// The message of `kind` with `fields` filled in. `pack_error` when the pack has no message of that kind;
/// `invalid_value` when a field the template uses is not given. Line breaks in a subject's values become
/// spaces (a subject is one header line).
[[nodiscard]] Result<ComposedMessage> compose_message(const knowledge::Pack& pack,
                                                      knowledge::MessageKind kind,
                                                      const MessageFields& fields);

/// A visit's title in a calendar (an `.ics` attachment, the portal's feed): the aftercare message's
/// `visit_title` with `{area}` filled. `pack_error` when the pack has no aftercare message.
[[nodiscard]] Result<std::string> visit_title(const knowledge::Pack& pack, std::string_view area);

/// What the aftercare says of the next visit when none is booked (its `no_next_visit`).
[[nodiscard]] Result<std::string> no_next_visit(const knowledge::Pack& pack);

}  // namespace needlework::clinic
