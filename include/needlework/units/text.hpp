#pragma once
/// Rules for free text at the system's edges. Text that comes in (a name, an id, a signer, a lot number) is
/// checked once, the same way at every face (CLI options, JSON files, the HTTP API): well-formed UTF-8, no
/// control characters, not blank, bounded in length, and trimmed. Text that goes out to a terminal or into an
/// error message is escaped, so a stored newline or ANSI escape cannot forge a line or drive the terminal,
/// and a huge value is shown as a bounded excerpt.

#include <cstddef>
#include <string>
#include <string_view>

#include "needlework/units/error.hpp"

namespace needlework::units {

/// The most bytes a one-line text field (a name, an id, a lot) may hold unless its field says otherwise.
inline constexpr std::size_t default_max_text_bytes = 200;

/// True when `text` is well-formed UTF-8: no stray continuation bytes, no overlong forms, no surrogates,
/// nothing above U+10FFFF.
[[nodiscard]] bool is_valid_utf8(std::string_view text) noexcept;

/// Whether a text field may run over several lines.
enum class TextShape { line, note };

/// A text field as stored: `text` with surrounding white space removed, refused (invalid_value, the field
/// named) when it is not valid UTF-8, holds a control character (C0, DEL, C1; a `note` may hold newlines and
/// tabs), is empty after trimming, or is longer than `max_bytes`.
[[nodiscard]] Result<std::string> clean_text(std::string_view text, std::string_view field,
                                             std::size_t max_bytes = default_max_text_bytes,
                                             TextShape shape = TextShape::line);

/// `text` made safe to print: control characters written as escapes (`\n`, `\t`, `\x1b`, `\u0085`), a
/// backslash doubled, bytes that are not valid UTF-8 as `\xff`; every other character as it is.
[[nodiscard]] std::string escape_for_terminal(std::string_view text);

/// `text` for HTML element content or a quoted attribute value: & < > " ' written as character references.
[[nodiscard]] std::string escape_html(std::string_view text);

/// A bounded, escaped excerpt of `text` for an error message: at most `max_chars` characters (whole UTF-8
/// characters, escaped as by `escape_for_terminal`), followed by "… (N bytes)" when it was cut.
[[nodiscard]] std::string excerpt(std::string_view text, std::size_t max_chars = 60);

}  // namespace needlework::units
