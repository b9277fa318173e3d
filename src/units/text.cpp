#include "needlework/units/text.hpp"

#include <fmt/format.h>

namespace needlework::units {

namespace {

/// The length of the well-formed UTF-8 character starting at `s[i]`, or 0 when the bytes there are not one
/// (RFC 3629, table 3-7 of the Unicode standard), and its code point.
std::size_t utf8_char(std::string_view s, std::size_t i, char32_t& cp) noexcept {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const auto cont = [&](std::size_t k, unsigned lo = 0x80, unsigned hi = 0xBF) {
    return i + k < s.size() && b(k) >= lo && b(k) <= hi;
  };
  const unsigned c = b(0);
  if (c < 0x80) {
    cp = c;
    return 1;
  }
  if (c >= 0xC2 && c <= 0xDF && cont(1)) {
    cp = ((c & 0x1Fu) << 6) | (b(1) & 0x3Fu);
    return 2;
  }
  if (c >= 0xE0 && c <= 0xEF) {
    const unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;  // no overlongs, no surrogates
    if (cont(1, lo, hi) && cont(2)) {
      cp = ((c & 0x0Fu) << 12) | ((b(1) & 0x3Fu) << 6) | (b(2) & 0x3Fu);
      return 3;
    }
    return 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    const unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;  // no overlongs, ≤ U+10FFFF
    if (cont(1, lo, hi) && cont(2) && cont(3)) {
      cp = ((c & 0x07u) << 18) | ((b(1) & 0x3Fu) << 12) | ((b(2) & 0x3Fu) << 6) | (b(3) & 0x3Fu);
      return 4;
    }
  }
  return 0;
}

bool is_control(char32_t cp) noexcept { return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F); }

bool is_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/// Appends one character (already decoded) in its escaped form.
void append_escaped(std::string& out, std::string_view whole, char32_t cp) {
  switch (cp) {
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\t':
      out += "\\t";
      return;
    case '\\':
      out += "\\\\";
      return;
    default:
      break;
  }
  if (cp < 0x80 && is_control(cp)) {
    out += fmt::format("\\x{:02x}", static_cast<unsigned>(cp));
  } else if (is_control(cp)) {
    out += fmt::format("\\u{:04x}", static_cast<unsigned>(cp));
  } else {
    out += whole;
  }
}

}  // namespace

bool is_valid_utf8(std::string_view text) noexcept {
  char32_t cp = 0;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = utf8_char(text, i, cp);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

Result<std::string> clean_text(std::string_view text, std::string_view field, std::size_t max_bytes,
                               TextShape shape) {
  if (!is_valid_utf8(text))
    return fail(ErrorCode::invalid_value, "is not valid UTF-8 text", std::string(field));
  std::size_t begin = 0, end = text.size();
  while (begin < end && is_space(text[begin])) ++begin;
  while (end > begin && is_space(text[end - 1])) --end;
  const std::string_view trimmed = text.substr(begin, end - begin);
  if (trimmed.empty())
    return fail(ErrorCode::invalid_value, "must not be empty or blank", std::string(field));
  char32_t cp = 0;
  for (std::size_t i = 0; i < trimmed.size();) {
    const std::size_t n = utf8_char(trimmed, i, cp);
    if (is_control(cp) && !(shape == TextShape::note && (cp == '\n' || cp == '\t'))) {
      return fail(ErrorCode::invalid_value,
                  fmt::format("must not contain control characters (found {} in '{}')",
                              escape_for_terminal(trimmed.substr(i, n)), excerpt(trimmed)),
                  std::string(field));
    }
    i += n;
  }
  if (trimmed.size() > max_bytes) {
    return fail(ErrorCode::out_of_range,
                fmt::format("is {} bytes long; at most {} are allowed ('{}')", trimmed.size(), max_bytes,
                            excerpt(trimmed)),
                std::string(field));
  }
  return std::string(trimmed);
}

std::string escape_for_terminal(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  char32_t cp = 0;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = utf8_char(text, i, cp);
    if (n == 0) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(text[i]));
      ++i;
      continue;
    }
    append_escaped(out, text.substr(i, n), cp);
    i += n;
  }
  return out;
}

std::string excerpt(std::string_view text, std::size_t max_chars) {
  std::size_t i = 0, chars = 0;
  char32_t cp = 0;
  while (i < text.size() && chars < max_chars) {
    const std::size_t n = utf8_char(text, i, cp);
    i += n == 0 ? 1 : n;
    ++chars;
  }
  std::string out = escape_for_terminal(text.substr(0, i));
  if (i < text.size()) out += fmt::format("… ({} bytes)", text.size());
  return out;
}

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace needlework::units
