#pragma once
// The shared SQL layer: the Store (store.hpp) written once over a backend's Connection (connection.hpp). It
// owns every record's find, list, insert and update (from the field tables, fields.hpp), transactions,
// savepoints and read snapshots, the audit chain's entries, head and digests, the migrations, and the one
// path a corrupt value takes (`database_error`).

#include <memory>

#include "migrations.hpp"
#include "needlework/store/store.hpp"
#include "sql/connection.hpp"

namespace needlework::store::sql {

/// A store over `connection`, its schema brought up to date with `migrations` (each in its own transaction;
/// `database_error` when the database is newer than this build or a recorded migration differs from the one
/// built in).
[[nodiscard]] Result<std::unique_ptr<Store>> open_sql_store(std::unique_ptr<Connection> connection,
                                                            const std::vector<Migration>& migrations);

}  // namespace needlework::store::sql
