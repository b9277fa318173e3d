#pragma once
// The migrations built into the library, generated from the one list in src/store/CMakeLists.txt: the same
// files, in the same order, under data/migrations/sqlite/ and data/migrations/postgres/, so `schema()`
// reports the same version and names on both backends.

#include <string_view>
#include <vector>

namespace needlework::store {

struct Migration {
  std::string_view name;  ///< "0001_init": the number is the schema version it brings the database to
  std::string_view sql;
};

/// The SQLite migrations (data/migrations/sqlite/), in order.
const std::vector<Migration>& sqlite_migrations();
/// The PostgreSQL migrations (data/migrations/postgres/), in order, named and numbered as SQLite's.
const std::vector<Migration>& postgres_migrations();

}  // namespace needlework::store
