#pragma once
// The SQLite migrations built into the library (generated from data/migrations/sqlite/), in order.

#include <string_view>
#include <vector>

namespace needlework::store::sqlite {

struct Migration {
  std::string_view name;  ///< "0001_init": the number is the schema version it brings the database to
  std::string_view sql;
};

const std::vector<Migration>& migrations();

}  // namespace needlework::store::sqlite
