#pragma once
// The PostgreSQL migrations built into the library (generated from data/migrations/postgres/), in order.
// Their names and numbers are those of the SQLite migrations, so `schema()` reports the same on both
// backends.

#include <string_view>
#include <vector>

namespace needlework::store::postgres {

struct Migration {
  std::string_view name;  ///< "0001_init": the number is the schema version it brings the database to
  std::string_view sql;
};

const std::vector<Migration>& migrations();

}  // namespace needlework::store::postgres
