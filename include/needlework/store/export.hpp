#pragma once
/// Export of the whole clinic record, backend-neutral (it reads through `Store`): JSON — one document with a
/// header and one array per table, every record in the same form as `--json` (json.hpp) — and CSV — one file
/// per table for spreadsheets. Read in one transaction, so the export is a consistent snapshot even while the
/// clinic keeps working, and it carries the audit check of that snapshot.

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "needlework/store/store.hpp"

namespace needlework::store {

/// The tables of an export, in the order they are written.
[[nodiscard]] const std::vector<std::string>& export_tables();

/// {"format": "needlework-export", "format_version": 1, "exported_at", "exported_by", "schema_version",
///  "audit": {ok, entries, …}, "tables": {"users": [...], "clients": [...], … "audit_log": [...]}}.
/// `progress` (may be empty) is told the share of clients read, 0–1.
[[nodiscard]] Result<nlohmann::json> export_json(Store& store, const Actor& by,
                                                 const std::function<void(double)>& progress = {});

/// One table's records as CSV (RFC 4180: comma separated, CRLF line ends, fields quoted when they hold a
/// comma, quote or line break). Columns: `id` first, then every other key in the records' union, sorted;
/// arrays and objects are written as compact JSON; null is an empty field. A text that a spreadsheet would
/// run as a formula (starting with = + - @, or a tab or carriage return) is written with a leading
/// apostrophe.
[[nodiscard]] std::string to_csv(const nlohmann::json& rows);

/// `export_json`'s tables as files (name, contents): `<table>.csv` for each table, then `manifest.json` with
/// the header and the row count of each file. The CLI writes them (apps/needlework/output_file.hpp).
[[nodiscard]] std::vector<std::pair<std::string, std::string>> csv_export_files(
    const nlohmann::json& document);

/// Writes `export_json`'s tables as `<dir>/<table>.csv` (the folder is created; existing files of the same
/// names are replaced) and a `manifest.json` with the header. Errors: io_error naming the file.
[[nodiscard]] Result<void> write_csv_export(const nlohmann::json& document, const std::filesystem::path& dir);

}  // namespace needlework::store
