#include "needlework/clinic/messages.hpp"

#include <fmt/args.h>
#include <fmt/format.h>

#include "needlework/units/text.hpp"

namespace needlework::clinic {
namespace {

enum class Part { subject, text, html };

std::string value_for(const MessageField& f, Part part) {
  switch (part) {
    case Part::html:
      return f.html ? *f.html : units::escape_html(f.text);
    case Part::subject: {
      std::string line = f.text;
      for (auto& c : line) {
        if (c == '\r' || c == '\n') c = ' ';
      }
      return line;
    }
    case Part::text:
      return f.text;
  }
  return f.text;
}

Result<std::string> fill(const knowledge::Message& m, std::string_view tpl, Part part,
                         const MessageFields& fields) {
  fmt::dynamic_format_arg_store<fmt::format_context> args;
  std::vector<std::string> values;  // kept alive: the store refers to them by name
  for (auto name : knowledge::message_fields(m.kind)) {
    const auto it = fields.find(name);
    // A field the sender did not give is left out of the store: a template that uses it fails below and
    // names it, rather than printing an empty gap in a client's message.
    if (it == fields.end()) continue;
    args.push_back(fmt::arg(name.data(), value_for(it->second, part)));
  }
  try {
    return fmt::vformat(tpl, args);
  } catch (const fmt::format_error& e) {
    return std::unexpected(
        Error{ErrorCode::invalid_value,
              fmt::format("message {} needs a field that was not given ({})", m.id, e.what()), "fields"});
  }
}

std::string trim_newlines(std::string s) {
  while (!s.empty() && (s.front() == '\n' || s.front() == '\r')) s.erase(s.begin());
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

Result<const knowledge::Message*> aftercare_message(const knowledge::Pack& pack) {
  const auto* m = pack.find_message(knowledge::MessageKind::aftercare);
  if (m == nullptr) {
    return std::unexpected(Error{ErrorCode::pack_error,
                                 fmt::format("pack {} has no aftercare message", pack.label()), "message"});
  }
  return m;
}

}  // namespace

Result<std::string> visit_title(const knowledge::Pack& pack, std::string_view area) {
  NW_TRY(m, aftercare_message(pack));
  // Checked at load: `{area}` is the only field (knowledge loader, visit_title).
  return fmt::vformat(m->visit_title, fmt::make_format_args(fmt::arg("area", area)));
}

Result<std::string> no_next_visit(const knowledge::Pack& pack) {
  NW_TRY(m, aftercare_message(pack));
  return m->no_next_visit;
}

Result<ComposedMessage> compose_message(const knowledge::Pack& pack, knowledge::MessageKind kind,
                                        const MessageFields& fields) {
  const auto* m = pack.find_message(kind);
  if (m == nullptr) {
    return std::unexpected(Error{ErrorCode::pack_error,
                                 fmt::format("pack {} has no {} message", pack.label(), to_string(kind)),
                                 "message"});
  }
  ComposedMessage out;
  out.rule = m->id;
  NW_TRY(subject, fill(*m, m->subject, Part::subject, fields));
  NW_TRY(text, fill(*m, m->text, Part::text, fields));
  out.subject = std::move(subject);
  out.text = trim_newlines(std::move(text)) + "\n";
  if (!m->html.empty()) {
    NW_TRY(html, fill(*m, m->html, Part::html, fields));
    out.html = fmt::format(
        "<!DOCTYPE html>\n<html><head><meta "
        "charset=\"utf-8\"><title>{}</title></head>\n<body>\n{}\n</body></html>\n",
        units::escape_html(out.subject), trim_newlines(std::move(html)));
  }
  return out;
}

}  // namespace needlework::clinic
