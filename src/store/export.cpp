#include "needlework/store/export.hpp"

#include <fmt/format.h>

#include <fstream>
#include <set>

#include "needlework/store/json.hpp"

namespace needlework::store {
namespace {

template <class T>
void append_all(nlohmann::json& table, const std::vector<T>& records) {
  for (const auto& r : records) table.push_back(to_json(r));
}

std::string csv_field(const nlohmann::json& v) {
  std::string text;
  if (v.is_null()) return text;
  if (v.is_string()) {
    text = v.get<std::string>();
    if (!text.empty() && (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@' ||
                          text[0] == '\t' || text[0] == '\r')) {
      text.insert(text.begin(), '\'');
    }
  } else {
    text = v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

}  // namespace

const std::vector<std::string>& export_tables() {
  static const std::vector<std::string> tables{
      "users",        "clients",       "intakes",          "consents", "courses",
      "appointments", "rollers",       "sessions",         "steps",    "session_zones",
      "followups",    "escalations",   "outbox",           "photos",   "lot_recalls",
      "home_rollers", "home_sessions", "message_consents", "audit_log"};
  return tables;
}

Result<nlohmann::json> export_json(Store& store, const Actor& by,
                                   const std::function<void(double)>& progress) {
  nlohmann::json tables = nlohmann::json::object();
  for (const auto& t : export_tables()) tables[t] = nlohmann::json::array();
  nlohmann::json doc;
  auto read = store.transaction([&]() -> Result<void> {
    NW_TRY(schema, store.schema());
    NW_TRY(users, store.users());
    append_all(tables["users"], users);
    NW_TRY(clients, store.search_clients(""));
    append_all(tables["clients"], clients);
    for (std::size_t i = 0; i < clients.size(); ++i) {
      const std::string& id = clients[i].id;
      NW_TRY(intakes, store.intakes_of(id));
      append_all(tables["intakes"], intakes);
      NW_TRY(consents, store.consents_of(id));
      append_all(tables["consents"], consents);
      NW_TRY(courses, store.courses_of(id));
      append_all(tables["courses"], courses);
      NW_TRY(appointments, store.appointments_of(id));
      append_all(tables["appointments"], appointments);
      NW_TRY(sessions, store.sessions_of(id));
      append_all(tables["sessions"], sessions);
      for (const auto& s : sessions) {
        NW_TRY(steps, store.steps_of(s.id));
        append_all(tables["steps"], steps);
        NW_TRY(zones, store.zones_of(s.id));
        append_all(tables["session_zones"], zones);
        NW_TRY(followups, store.followups_of(s.id));
        append_all(tables["followups"], followups);
      }
      NW_TRY(escalations, store.escalations_of(id));
      append_all(tables["escalations"], escalations);
      NW_TRY(photos, store.photos_of(id));
      append_all(tables["photos"], photos);
      NW_TRY(home_rollers, store.home_rollers_of(id));
      append_all(tables["home_rollers"], home_rollers);
      NW_TRY(home_sessions, store.home_sessions_of(id));
      append_all(tables["home_sessions"], home_sessions);
      NW_TRY(message_consents, store.message_consents_of(id));
      append_all(tables["message_consents"], message_consents);
      if (progress && (i % 256 == 0 || i + 1 == clients.size())) {
        progress(static_cast<double>(i + 1) / static_cast<double>(clients.size()));
      }
    }
    NW_TRY(rollers, store.rollers());
    append_all(tables["rollers"], rollers);
    NW_TRY(messages, store.messages(true));
    append_all(tables["outbox"], messages);
    NW_TRY(recalls, store.lot_recalls());
    append_all(tables["lot_recalls"], recalls);
    NW_TRY(audit, store.audit_log());
    append_all(tables["audit_log"], audit);
    NW_TRY(check, store.verify_audit());
    doc = {{"format", "needlework-export"},
           {"format_version", 1},
           {"exported_at", units::format_date_time(by.at)},
           {"exported_by", by.name},
           {"schema_version", schema.version},
           {"audit", to_json(check)}};
    return {};
  });
  if (!read) return std::unexpected(read.error());
  doc["tables"] = std::move(tables);
  return doc;
}

std::string to_csv(const nlohmann::json& rows) {
  std::set<std::string> keys;
  for (const auto& r : rows) {
    for (const auto& [k, v] : r.items()) keys.insert(k);
  }
  std::vector<std::string> columns;
  if (keys.erase("id") > 0) columns.emplace_back("id");
  columns.insert(columns.end(), keys.begin(), keys.end());
  std::string out;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (i) out += ',';
    out += csv_field(columns[i]);
  }
  out += "\r\n";
  for (const auto& r : rows) {
    for (std::size_t i = 0; i < columns.size(); ++i) {
      const auto it = r.find(columns[i]);
      if (i) out += ',';
      if (it != r.end()) out += csv_field(*it);
    }
    out += "\r\n";
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> csv_export_files(const nlohmann::json& document) {
  std::vector<std::pair<std::string, std::string>> files;
  nlohmann::json manifest = document;
  manifest.erase("tables");
  manifest["files"] = nlohmann::json::object();
  for (const auto& t : export_tables()) {
    const auto& rows = document.at("tables").at(t);
    const std::string name = t + ".csv";
    files.emplace_back(name, to_csv(rows));
    manifest["files"][name] = rows.size();
  }
  files.emplace_back("manifest.json", manifest.dump(2) + "\n");
  return files;
}

Result<void> write_csv_export(const nlohmann::json& document, const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return fail(ErrorCode::io_error, fmt::format("cannot create the folder: {}", ec.message()), dir.string());
  for (const auto& [name, text] : csv_export_files(document)) {
    std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) return fail(ErrorCode::io_error, "cannot write the file", (dir / name).string());
  }
  return {};
}

}  // namespace needlework::store
